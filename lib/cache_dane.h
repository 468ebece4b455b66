/* cache_dane.h - DANE verdict rows of the cache */
#ifndef TP_CACHE_DANE_H
#define TP_CACHE_DANE_H

#include "cache.h"

typedef struct CACHE_DANE {
    char    verdict[24];		/* dane_verdict_verdict_name(), never temp */
    VSTR   *why;			/* one line for administrators */
    int     ttl;			/* seconds, as cached */
    long long fetched;			/* unix time */
    long long expires;			/* unix time */
} CACHE_DANE;

void    cache_dane_init(CACHE_DANE *ent);
void    cache_dane_free(CACHE_DANE *ent);
CACHE_STATUS cache_dane_get(CACHE *cache, const char *domain, time_t now,
			            CACHE_DANE *ent);
int     cache_dane_put(CACHE *cache, const char *domain, const CACHE_DANE *ent);

#endif
