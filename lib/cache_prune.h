/* cache_prune.h - rows that go: expired, forgotten, voided by settings */
#ifndef TP_CACHE_PRUNE_H
#define TP_CACHE_PRUNE_H

#include "cache.h"

void    cache_prune_expired(CACHE *cache, time_t now, long max_entries);
int     cache_prune_forget(CACHE *cache, const char *domain, long long *dane,
			           long long *sts);
int     cache_prune_derived(CACHE *cache, long long *dane, long long *sts);

#endif
