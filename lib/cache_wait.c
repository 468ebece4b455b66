/*++
 * NAME
 *	cache_wait 3
 * SUMMARY
 *	how long a helper waits for another connection's lock
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	void	cache_wait_until(CACHE *cache, const struct timespec *until)
 * INTERNAL (cache_int.h, for cache_*.c only)
 *	long long cache_wait_ms(void)
 *	int	cache_wait_busy(void *cache, int count)
 *	int	cache_wait_more(CACHE *cache, long long from_ms)
 * DESCRIPTION
 *	A wait for a lock another connection holds ends after
 *	cache_busy_timeout (busy_ms), and never after the time limit of the
 *	lookup under way: every wait of a lookup, DNS, HTTPS, another
 *	helper's lookup and the cache's locks alike, ends within one limit
 *	(policy(3), POL_LOOKUP_LIMIT), shorter than Postfix's 100 seconds.
 *
 *	cache_wait_until() sets that limit, an absolute CLOCK_MONOTONIC
 *	time (NULL: none, the waits end after busy_ms only).
 *
 *	cache_wait_busy() is SQLite's busy handler of every connection
 *	(sqlite3_busy_handler()): it sleeps as SQLite's own handler does,
 *	1 ms growing to 100 ms, and returns 0 (give up) once the wait that
 *	began at its first call (count 0) reaches busy_ms or the limit, at
 *	once while cache->no_wait is set. cache_wait_more() tells whether
 *	a wait that began at from_ms may go on. cache_wait_ms() is the
 *	monotonic clock of both, in milliseconds.
 *--*/
#include <poll.h>
#include <time.h>

#include "cache_int.h"

/* cache_wait_ms - a monotonic clock, milliseconds */
long long cache_wait_ms(void)
{
    struct timespec ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* cache_wait_until - no wait goes past this time (NULL: none) */
void    cache_wait_until(CACHE *cache, const struct timespec *until)
{
    if (cache == 0)
	return;
    cache->until_ms = until == 0 ? 0
	: (long long) until->tv_sec * 1000 + until->tv_nsec / 1000000;
}

/* cache_wait_end - when a wait that began at from_ms ends */
static long long cache_wait_end(const CACHE *cache, long long from_ms)
{
    long long end = from_ms + (cache->no_wait ? 0 : cache->busy_ms);

    if (cache->until_ms != 0 && cache->until_ms < end)
	end = cache->until_ms;
    return end;
}

/* cache_wait_more - may a wait that began at from_ms go on? */
int     cache_wait_more(CACHE *cache, long long from_ms)
{
    return cache_wait_ms() < cache_wait_end(cache, from_ms);
}

/* cache_wait_busy - SQLite's busy handler: sleep a little, or give up */
int     cache_wait_busy(void *arg, int count)
{
    static const int delays[] = {1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100};
    const int ndelays = (int) (sizeof(delays) / sizeof(delays[0]));
    CACHE  *cache = arg;
    long long now = cache_wait_ms();
    long long left;
    int     ms;

    if (count == 0)
	cache->busy_from = now;
    if ((left = cache_wait_end(cache, cache->busy_from) - now) <= 0)
	return 0;
    ms = delays[count < ndelays ? count : ndelays - 1];
    (void) poll(0, 0, left < ms ? (int) left : ms);
    return 1;
}
