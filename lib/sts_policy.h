/* sts_policy.h - MTA-STS policy text (RFC 8461 section 3.2) */
#ifndef TP_STS_POLICY_H
#define TP_STS_POLICY_H

#include <stddef.h>
#include "vstr.h"

#define STSP_MAX_BODY	65536		/* bytes, RFC 8461 3.3 */
#define STSP_MAX_AGE	31557600	/* seconds, RFC 8461 3.2 */
#define STSP_MAX_MX	100		/* patterns kept at most */
#define STSP_MAX_NOTED	3		/* ignored mx values described */

typedef enum { STSP_NONE, STSP_TESTING, STSP_ENFORCE } STSP_MODE;

typedef struct STSP {
    STSP_MODE mode;
    long    max_age;			/* seconds, clamped to STSP_MAX_AGE */
    int     clamped;			/* max_age was larger */
    char   *mx[STSP_MAX_MX];		/* lower case, "*.x" kept */
    int     nmx;
    VSTR   *lines;			/* normalized policy lines, LF-separated */
    int     nbad;			/* mx values ignored */
    VSTR   *ignored;			/* what was ignored, printable */
} STSP;

void    sts_policy_init(STSP *pol);
void    sts_policy_free(STSP *pol);
int     sts_policy_parse(const char *body, size_t len, STSP *pol, VSTR *why);
void    sts_policy_reply(const STSP *pol, VSTR *out);
void    sts_policy_tlsrpt(const STSP *pol, const char *domain, VSTR *out);
const char *sts_policy_mode_name(STSP_MODE mode);

#endif
