/* cache_state.h - small named facts shared by the helpers */
#ifndef TP_CACHE_STATE_H
#define TP_CACHE_STATE_H

#include "cache.h"

typedef void (*CACHE_STATE_FN) (void *ctx, const char *name,
				        const char *value);
int     cache_state_get(CACHE *cache, const char *name, VSTR *value,
			        VSTR *why, long long *stamp);
int     cache_state_put(CACHE *cache, const char *name, const char *value,
			        const char *why, long long stamp);
void    cache_state_each(CACHE *cache, const char *prefix, CACHE_STATE_FN fn,
			         void *ctx);

#endif
