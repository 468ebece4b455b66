/* protect.h - a domain's published protection, and the change rule (pure) */
#ifndef TP_PROTECT_H
#define TP_PROTECT_H

#include "dane_verdict.h"
#include "vstr.h"

#define PROTECT_ID_SIZE	33		/* MTA-STS id, 1-32 characters */
#define PROTECT_MX_SIZE	1024		/* mx patterns, joined by spaces */

/* the DANE level (PROTECT_DANE_UNKNOWN: no facts yet) */
typedef enum {
    PROTECT_DANE_UNKNOWN,
    PROTECT_DANE_NONE,			/* no usable DANE (or an insecure MX) */
    PROTECT_DANE_UNUSABLE,		/* secure MX, only unusable TLSA */
    PROTECT_DANE_SOME,			/* secure MX, some hosts usable TLSA */
    PROTECT_DANE_ONLY,			/* secure MX, every host usable TLSA */
    PROTECT_DANE_NULL_MX,		/* secure null MX: no mail at all */
} PROTECT_DANE;

/* the published MTA-STS state (PROTECT_STS_UNKNOWN: no facts yet) */
typedef enum {
    PROTECT_STS_UNKNOWN,
    PROTECT_STS_NOPOLICY,		/* no TXT record, no unexpired policy */
    PROTECT_STS_NONE,			/* a fetched policy, mode none */
    PROTECT_STS_TESTING,
    PROTECT_STS_ENFORCE,
} PROTECT_STS;

typedef enum { PROTECT_WHAT_DANE, PROTECT_WHAT_STS, PROTECT_WHAT_COUNT } PROTECT_WHAT;

typedef enum {
    PROTECT_SAME,			/* nothing to store */
    PROTECT_FIRST,			/* first facts: the baseline, no change */
    PROTECT_REFRESH,			/* store silently (a new MTA-STS id) */
    PROTECT_CHANGED,			/* a change, neither rise nor drop */
    PROTECT_RISE,			/* gains DANE, a secure MX, enforce */
    PROTECT_DROP,			/* protection weakened */
    PROTECT_UNPROVEN,			/* a drop the evidence does not carry */
} PROTECT_OUTCOME;

/* a second, independent answer about a secure->insecure MX change */
typedef enum {
    PROTECT_CORR_NONE,			/* not asked */
    PROTECT_CORR_INSECURE,		/* the zone is insecure too: believed */
    PROTECT_CORR_SECURE,		/* the zone still validates */
    PROTECT_CORR_FAILED,		/* no usable answer */
} PROTECT_CORR;

typedef struct PROTECT_FACTS {
    PROTECT_DANE dane;
    int     mx_secure;			/* the MX answer validated */
    int     tlsa_insecure;		/* new facts only: a host with a signed
					 * address but an unsigned TLSA answer */
    PROTECT_STS sts;
    char    sts_id[PROTECT_ID_SIZE];
    char    sts_mx[PROTECT_MX_SIZE];
} PROTECT_FACTS;

void    protect_init(PROTECT_FACTS *facts);
int     protect_from_dane(PROTECT_FACTS *facts, DV_VERDICT verdict, int mx_secure,
			          int tlsa_insecure);
void    protect_set_sts(PROTECT_FACTS *facts, PROTECT_STS sts, const char *id,
			        char *const *mx, int nmx);
int     protect_needs_corroboration(const PROTECT_FACTS *old,
				            const PROTECT_FACTS *new_facts);
PROTECT_OUTCOME protect_judge(const PROTECT_FACTS *old, const PROTECT_FACTS *new_facts,
			              PROTECT_WHAT what, PROTECT_CORR corr);
void    protect_merge(PROTECT_FACTS *old, const PROTECT_FACTS *new_facts,
		              PROTECT_WHAT what);
int     protect_known(const PROTECT_FACTS *facts, PROTECT_WHAT what);
void    protect_describe(const PROTECT_FACTS *facts, PROTECT_WHAT what, VSTR *out);
const char *protect_what_name(PROTECT_WHAT what);
const char *protect_outcome_name(PROTECT_OUTCOME outcome);
const char *protect_dane_name(PROTECT_DANE dane);
int     protect_dane_from_name(const char *name, PROTECT_DANE *dane);
const char *protect_sts_name(PROTECT_STS sts);
int     protect_sts_from_name(const char *name, PROTECT_STS *sts);

#endif
