/* cache_lease.h - leases in the cache: one holder per key at a time */
#ifndef TP_CACHE_LEASE_H
#define TP_CACHE_LEASE_H

#include "cache.h"

int     cache_lease_take(CACHE *cache, const char *domain, long holder,
			         time_t now, int seconds);
void    cache_lease_drop(CACHE *cache, const char *domain, long holder);
int     cache_lease_held(CACHE *cache, const char *domain, time_t now);
void    cache_lease_extend(CACHE *cache, const char *domain, long holder,
			           long long until);

#endif
