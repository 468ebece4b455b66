/* cache_wait.h - waits for another connection's lock, bounded */
#ifndef TP_CACHE_WAIT_H
#define TP_CACHE_WAIT_H

#include <time.h>
#include "cache.h"

void    cache_wait_until(CACHE *cache, const struct timespec *until);

#endif
