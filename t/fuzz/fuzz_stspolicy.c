/* fuzz_stspolicy - policy parser; nothing hostile may reach a reply */
#include <string.h>

#include "fuzz.h"
#include "pfsplit.h"
#include "sts_policy.h"

/* fuzz_reply_safe - "secure match=P:P... servername=hostname" only */
static void fuzz_reply_safe(const char *reply)
{
    static const char head[] = "secure match=";
    static const char tail[] = " servername=hostname";
    size_t  len = strlen(reply);
    size_t  i;

    fuzz_require(strncmp(reply, head, sizeof(head) - 1) == 0);
    fuzz_require(len >= sizeof(head) - 1 + sizeof(tail) - 1);
    fuzz_require(strcmp(reply + len - (sizeof(tail) - 1), tail) == 0);
    for (i = sizeof(head) - 1; i < len - (sizeof(tail) - 1); i++) {
	char    ch = reply[i];

	fuzz_require((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')
		     || ch == '-' || ch == '.' || ch == ':');
    }
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VSTR   *why = vstr_new(64);
    VSTR   *out = vstr_new(64);
    STSP    pol;
    const char *cp;

    sts_policy_init(&pol);
    if (sts_policy_parse((const char *) data, size, &pol, why) == 0) {
	fuzz_require(pol.max_age >= 0 && pol.max_age <= STSP_MAX_AGE);
	fuzz_require(pol.mode == STSP_NONE || pol.nmx > 0);
	sts_policy_reply(&pol, out);
	fuzz_reply_safe(vstr_str(out));
	/* Postfix reads exactly match= and servername= from it */
	fuzz_require(pol.nmx == 0 || pf_split(vstr_str(out)) == 2);
	sts_policy_tlsrpt(&pol, "example.com", out);
	fuzz_require(strchr(vstr_str(out), '\n') == 0);
    }
    /* what was ignored is logged: printable only */
    for (cp = vstr_str(pol.ignored); *cp; cp++)
	fuzz_require(*cp >= 0x20 && *cp < 0x7f);
    sts_policy_free(&pol);
    vstr_free(why);
    vstr_free(out);
    return 0;
}
