/* cache_sts.h - MTA-STS rows of the cache */
#ifndef TP_CACHE_STS_H
#define TP_CACHE_STS_H

#include "cache.h"

typedef struct CACHE_STS {
    char    id[33];			/* TXT id of the cached policy */
    char    mode[8];			/* enforce testing none; "" */
    long long max_age;
    VSTR   *policy;			/* normalized policy lines */
    long long fetched;
    long long expires;			/* 0: no policy, failures only */
    long long last_fail;		/* last failed fetch, or 0 */
    VSTR   *fail_why;
    long long txt_expires;		/* TXT id known to be current until */
    int     txt_ttl;			/* its TTL as cached: refresh in the last quarter */
} CACHE_STS;

void    cache_sts_init(CACHE_STS *ent);
void    cache_sts_free(CACHE_STS *ent);
CACHE_STATUS cache_sts_get(CACHE *cache, const char *domain, time_t now,
			           CACHE_STS *ent);
int     cache_sts_put(CACHE *cache, const char *domain, const CACHE_STS *ent);

#endif
