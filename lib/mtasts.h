/* mtasts.h - MTA-STS (RFC 8461) for one domain: TXT, fetch, cache */
#ifndef TP_MTASTS_H
#define TP_MTASTS_H

#include "cache.h"
#include "cfg.h"
#include "dns.h"
#include "vstr.h"

#define MTS_RETRY_AFTER	300		/* seconds between failed fetches */

typedef struct MTS_RESULT {
    int     found;			/* text is a policy for Postfix */
    VSTR   *text;			/* "secure match=... servername=hostname" */
    VSTR   *tlsrpt;			/* TLSRPT attributes, " policy_type=..." */
    VSTR   *why;			/* one line for logs */
    int     ttl;			/* seconds until the policy expires */
    const char *source;			/* "cache" or "https" */
    int     refresh_due;		/* cached, in the last quarter of its life */
} MTS_RESULT;

void    mts_result_init(MTS_RESULT *res);
void    mts_result_free(MTS_RESULT *res);
void    mts_lookup(DNS *dns, CACHE *cache, const CFG *cfg, const char *domain,
		           MTS_RESULT *res);
int     mts_refresh_cached(DNS *dns, CACHE *cache, const CFG *cfg,
			           const char *domain, MTS_RESULT *res);

#endif
