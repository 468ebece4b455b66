/* tap.h - minimal TAP producer for table-driven unit tests */
#ifndef TP_TAP_H
#define TP_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count;
static int tap_failed;

/* tap_ok - one test point */
static inline int tap_ok(int cond, const char *name)
{
    tap_count++;
    if (!cond)
	tap_failed++;
    printf("%sok %d - %s\n", cond ? "" : "not ", tap_count, name);
    return cond;
}

/* tap_is_str - compare strings, print both on failure */
static inline int tap_is_str(const char *got, const char *want, const char *name)
{
    int     ok = (got == 0 && want == 0)
    || (got != 0 && want != 0 && strcmp(got, want) == 0);

    tap_ok(ok, name);
    if (!ok)
	printf("#   got:  \"%s\"\n#   want: \"%s\"\n", got ? got : "(null)",
	       want ? want : "(null)");
    return ok;
}

/* tap_is_int - compare integers */
static inline int tap_is_int(long long got, long long want, const char *name)
{
    int     ok = got == want;

    tap_ok(ok, name);
    if (!ok)
	printf("#   got:  %lld\n#   want: %lld\n", got, want);
    return ok;
}

/* tap_done - plan at the end; exit status tells make too */
static inline int tap_done(void)
{
    printf("1..%d\n", tap_count);
    return tap_failed ? 1 : 0;
}

#endif
