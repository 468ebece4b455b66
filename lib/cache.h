/* cache.h - the SQLite (WAL) cache shared by all helper processes */
#ifndef TP_CACHE_H
#define TP_CACHE_H

#include <time.h>
#include "vstr.h"

#define CACHE_SCHEMA_VERSION	9
#define CACHE_KEEP_EXPIRED	3600	/* seconds before expired rows go */
#define CACHE_WAL_LIMIT	"1048576"	/* bytes the WAL keeps after a checkpoint */
#define CACHE_WAL_PAGES	16	/* WAL pages: reset it after the reply */
#define CACHE_WAL_PAGES_MAX	1000	/* WAL pages: checkpoint at commit */
#define CACHE_WRITE_PAUSE	30	/* seconds without writes after one failed */
#define CACHE_LEASE_MAX	300	/* seconds: no lease is longer (a longer one
				 * means the clock was set back: it is over) */
#define CACHE_DEFAULT_MAX_TTL	86400	/* until cache_set_max_ttl() */
#define CACHE_STS_MAX_AGE	31557600	/* RFC 8461 max_age limit, seconds */

typedef struct CACHE CACHE;

typedef enum {
    CACHE_MISS,				/* no entry (or cache disabled) */
    CACHE_FRESH,			/* entry, not expired */
    CACHE_STALE,			/* entry, expired */
} CACHE_STATUS;

CACHE  *cache_open(const char *path, int busy_ms);
CACHE  *cache_open_until(const char *path, int busy_ms,
			         const struct timespec *until);
int     cache_due(long long expires, long long lifetime, time_t now);
int     cache_enabled(const CACHE *cache);
int     cache_wrote(const CACHE *cache);
const char *cache_last_error(const CACHE *cache);
int     cache_refused(const CACHE *cache);
void    cache_set_max_ttl(CACHE *cache, long max_ttl);
void    cache_close(CACHE *cache);

typedef void (*CACHE_COUNTER_FN) (void *ctx, const char *name,
				          const char *labels, long long value);
int     cache_begin(CACHE *cache);
int     cache_commit(CACHE *cache);
void    cache_rollback(CACHE *cache);
int     cache_counter_add(CACHE *cache, const char *name, const char *labels,
			          unsigned long n);
void    cache_counters_each(CACHE *cache, CACHE_COUNTER_FN fn, void *ctx);
long long cache_count_rows(CACHE *cache, const char *table);
int     cache_check(const char *path, int busy_ms, VSTR *why);
void    cache_read_begin(CACHE *cache);
void    cache_read_end(CACHE *cache);
void    cache_checkpoint(CACHE *cache);

/* the rest of the cache's interface, one header per file */
#include "cache_dane.h"
#include "cache_sts.h"
#include "cache_lease.h"
#include "cache_state.h"
#include "cache_prune.h"
#include "cache_wait.h"
#include "cache_protect.h"
#include "cache_defer.h"

#endif
