/* cache_defer.h - deferral rows: domains whose latest answer was a temporary failure */
#ifndef TP_CACHE_DEFER_H
#define TP_CACHE_DEFER_H

#include "cache.h"
#include "defer.h"

#define CACHE_DEFER_KEEP	432000LL	/* a row not renewed this long goes */
#define CACHE_DEFER_MAX		10000	/* rows kept, the most recent */

typedef struct CACHE_DEFER {
    DEFER_CAUSE cause;
    VSTR   *why;			/* the reply text */
    long long since;			/* first of this run of failures */
    long long last;
    long long count;
} CACHE_DEFER;

int     cache_defer_note(CACHE *cache, const char *domain, DEFER_CAUSE cause,
			         const char *why, time_t now);
int     cache_defer_clear(CACHE *cache, const char *domain);
void    cache_defer_init(CACHE_DEFER *ent);
void    cache_defer_free(CACHE_DEFER *ent);
int     cache_defer_get(CACHE *cache, const char *domain, time_t now,
			        CACHE_DEFER *ent);
void    cache_defer_prune(CACHE *cache, time_t now);

#endif
