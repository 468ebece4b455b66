/* unit_logcap - what one client can make a helper log (logcap.c), and
 * log_to_file() refusing a symbolic link */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "logcap.h"
#include "tap.h"

typedef struct {
    long long at;			/* the clock, seconds */
    char    op;				/* w: warn, r: repeat, e: end, b: begin */
    unsigned hash;			/* for r */
    int     ret;			/* for r: what logcap_repeat() says */
    int     lines;			/* lines the step adds to the log */
    const char *last;			/* text of the last line, or NULL */
} STEP;

static const STEP steps[] = {
    {0, 'b', 0, 0, 0, 0},
    {0, 'w', 0, 0, 1, "warning: client warning"},
    {1, 'w', 0, 0, 1, 0},
    {1, 'w', 0, 0, 1, 0},
    {2, 'w', 0, 0, 1, 0},
    {2, 'w', 0, 0, 1, "warning: client warning"},	/* the 5th */
    {3, 'w', 0, 0, 0, 0},		/* held */
    {4, 'w', 0, 0, 0, 0},
    {5, 'r', 1, 0, 0, 0},		/* new: the caller logs it */
    {6, 'r', 1, 1, 0, 0},		/* a repeat: counted */
    {7, 'r', 2, 0, 0, 0},
    {59, 'r', 2, 1, 0, 0},
    {60, 'w', 0, 0, 2, "warning: client warning"},	/* summary, then it */
    {64, 'r', 1, 1, 0, 0},		/* logged 59 s ago */
    {65, 'r', 1, 0, 0, 0},		/* 60 s ago: logged again */
    {66, 'r', 1, 1, 0, 0},
    {68, 'e', 0, 0, 1, "this client: 2 repeated lookup lines not logged in the"
    " last 8s (the same domain and answer within 60s)"},
    {68, 'e', 0, 0, 0, 0},		/* nothing more to tell */
    {100, 'b', 0, 0, 0, 0},		/* a new connection forgets */
    {100, 'r', 1, 0, 0, 0},
    {101, 'e', 0, 0, 0, 0},
};

static long long clock_now;

/* now - the test's clock */
static long long now(void)
{
    return clock_now;
}

/* file_lines - lines in the log file, and the last one (no head) */
static int file_lines(const char *path, char *last, size_t size)
{
    FILE   *fp = fopen(path, "r");
    char    line[2048];
    int     n = 0;
    char   *body;

    last[0] = 0;
    if (fp == 0)
	return -1;
    while (fgets(line, sizeof(line), fp)) {
	n++;
	line[strcspn(line, "\n")] = 0;
	body = strstr(line, "]: ");
	(void) snprintf(last, size, "%s", body ? body + 3 : line);
    }
    (void) fclose(fp);
    return n;
}

/* run_steps - the table against the real log file */
static void run_steps(const char *path)
{
    char    last[2048];
    char    name[160];
    int     before = 0;
    int     ret = 0;
    int     n;
    size_t  i;

    for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
	const STEP *s = steps + i;

	clock_now = s->at;
	switch (s->op) {
	case 'b': logcap_begin(); break;
	case 'w': logcap_warn("client warning %d", (int) i); break;
	case 'r': ret = logcap_repeat(s->hash); break;
	case 'e': logcap_end(); break;
	}
	n = file_lines(path, last, sizeof(last));
	(void) snprintf(name, sizeof(name), "step %zu (t=%llds, %c): %d new lines",
			i, s->at, s->op, s->lines);
	tap_is_int(n - before, s->lines, name);
	if (s->op == 'r') {
	    (void) snprintf(name, sizeof(name), "step %zu: repeat of %u says %d",
			    i, s->hash, s->ret);
	    tap_is_int(ret, s->ret, name);
	}
	if (s->last && strncmp(last, s->last, strlen(s->last)) != 0)
	    tap_is_str(last, s->last, "last line");
	before = n;
    }
}

/* slots - the 17th distinct line pushes the first out */
static void slots(void)
{
    unsigned h;

    clock_now = 1000;
    logcap_begin();
    for (h = 1; h <= LOGCAP_SLOTS; h++)
	(void) logcap_repeat(h);
    tap_is_int(logcap_repeat(LOGCAP_SLOTS), 1, "the last of 16 lines is remembered");
    tap_is_int(logcap_repeat(LOGCAP_SLOTS + 1), 0, "a 17th line is new");
    tap_is_int(logcap_repeat(1), 0, "... and took the first one's slot");
}

/* summary - held warnings and repeats in one warning line */
static void summary(const char *path)
{
    char    last[2048];
    int     i;

    clock_now = 2000;
    logcap_begin();
    for (i = 0; i < LOGCAP_BURST + 3; i++)
	logcap_warn("w");
    (void) logcap_repeat(7);
    (void) logcap_repeat(7);
    clock_now = 2010;
    logcap_end();
    (void) file_lines(path, last, sizeof(last));
    tap_is_str(last, "warning: this client: 3 warnings and 1 repeated lookup"
	       " lines not logged in the last 10s (at most 5 warnings per 60s"
	       " per connection)", "both counts in one line");
}

int     main(void)
{
    char    dir[] = "/tmp/unit_logcap.XXXXXX";
    char    path[256];
    char    link[256];

    if (mkdtemp(dir) == 0)
	return 1;
    (void) snprintf(path, sizeof(path), "%s/log", dir);
    (void) snprintf(link, sizeof(link), "%s/link", dir);
    log_init("unit", LOG_DEST_STDERR);
    if (symlink(path, link) == 0) {
	errno = 0;
	tap_is_int(log_to_file(link), -1, "log_to_file: a symbolic link is refused");
	tap_is_int(errno, ELOOP, "... with ELOOP");
	tap_is_int(access(path, F_OK), -1, "... and its target is not created");
    }
    if (log_to_file(path) < 0)
	return 1;
    logcap_set_clock(now);
    run_steps(path);
    slots();
    summary(path);
    logcap_set_clock(0);
    (void) unlink(link);
    (void) unlink(path);
    (void) rmdir(dir);
    return tap_done();
}
