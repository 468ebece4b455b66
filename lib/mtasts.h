/* mtasts.h - MTA-STS (RFC 8461) for one domain: TXT, fetch, cache */
#ifndef TP_MTASTS_H
#define TP_MTASTS_H

#include <time.h>
#include "cache.h"
#include "cfg.h"
#include "dns.h"
#include "mtasts_plan.h"
#include "protect.h"
#include "vstr.h"

#define MTS_STABLE_MAX	60		/* stable_until looks this far ahead */

typedef struct MTS_RESULT {
    int     found;			/* text is a policy for Postfix */
    VSTR   *text;			/* "secure match=... servername=hostname" */
    VSTR   *tlsrpt;			/* TLSRPT attributes, " policy_type=..." */
    VSTR   *why;			/* one line for logs */
    int     ttl;			/* seconds until the policy expires */
    const char *source;			/* "cache", "https" or "none" */
    int     refresh_due;		/* cached, to be refreshed ahead */
    time_t  stable_until;		/* from the cache: the same answer
					 * before then (0: not from it) */
    int     failed;			/* a TXT lookup or a fetch failed */
    int     unusable;			/* an unexpired enforce policy is
					 * cached but does not parse, and no
					 * new one was fetched */
    int     observed;			/* facts holds fresh MTA-STS facts */
    PROTECT_FACTS facts;		/* a fetched policy, or proven absence */
} MTS_RESULT;

typedef struct MTS_CTX {
    DNS    *dns;
    CACHE  *cache;
    const CFG *cfg;
    const char *domain;
    time_t  now;
    int     refreshing;			/* a -R process: refetch when due */
    int     broken;			/* ent's unexpired policy does not parse */
    CACHE_STS ent;			/* the cached entry, or all zero */
    MTS_RESULT *res;
} MTS_CTX;

void    mtasts_result_init(MTS_RESULT *res);
void    mtasts_result_free(MTS_RESULT *res);
void    mtasts_lookup(DNS *dns, CACHE *cache, const CFG *cfg, const char *domain,
		           MTS_RESULT *res);
int     mtasts_lookup_cached(CACHE *cache, const CFG *cfg, const char *domain,
			          MTS_RESULT *res);
int     mtasts_refresh_cached(DNS *dns, CACHE *cache, const CFG *cfg,
			           const char *domain, MTS_RESULT *res);

#endif
