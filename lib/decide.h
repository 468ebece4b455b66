/* decide.h - the combined DANE + MTA-STS answer (DESIGN.md section 6) */
#ifndef TP_DECIDE_H
#define TP_DECIDE_H

#include "dane_verdict.h"

typedef enum {
    DECIDE_TEMP,			/* temporary failure: mail defers */
    DECIDE_NOTFOUND,			/* no policy: Postfix's default */
    DECIDE_DANE_ONLY,			/* "dane-only" */
    DECIDE_DANE,			/* "dane" */
    DECIDE_SECURE,			/* the MTA-STS "secure match=..." */
} DECIDE_ANSWER;

typedef struct DECIDE_RULE {
    const char *name;			/* rule=NAME in logs and -q -v */
    DECIDE_ANSWER answer;
    const char *cite;			/* RFC sections */
    const char *text;			/* one line for administrators */
} DECIDE_RULE;

/* The MTA-STS state decide_answer() is given. */
#define DECIDE_STS_NONE		0	/* no policy that gives an answer */
#define DECIDE_STS_ENFORCE	1	/* an enforce policy applies */
#define DECIDE_STS_UNUSABLE	2	/* one applies, its content is unknown */

const DECIDE_RULE *decide_answer(DV_VERDICT dane, int sts_state);
int     decide_needs_sts(DV_VERDICT dane);
const char *decide_answer_name(DECIDE_ANSWER answer);
const DECIDE_RULE *decide_rules(int *count);

#endif
