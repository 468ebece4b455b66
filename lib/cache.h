/* cache.h - the SQLite (WAL) cache shared by all helper processes */
#ifndef TP_CACHE_H
#define TP_CACHE_H

#include <time.h>
#include "vstr.h"

#define CACHE_SCHEMA_VERSION	7
#define CACHE_KEEP_EXPIRED	3600	/* seconds before expired rows go */
#define CACHE_WAL_LIMIT	"1048576"	/* bytes the WAL keeps after a checkpoint */
#define CACHE_WAL_PAGES	16	/* WAL pages: reset it after the reply */
#define CACHE_WAL_PAGES_MAX	1000	/* WAL pages: checkpoint at commit */
#define CACHE_WRITE_PAUSE	30	/* seconds without writes after one failed */
#define CACHE_DEFAULT_MAX_TTL	86400	/* until cache_set_max_ttl() */
#define CACHE_STS_MAX_AGE	31557600	/* RFC 8461 max_age limit, seconds */

typedef struct CACHE CACHE;

typedef enum {
    CACHE_MISS,				/* no entry (or cache disabled) */
    CACHE_FRESH,			/* entry, not expired */
    CACHE_STALE,			/* entry, expired */
} CACHE_STATUS;

typedef struct CACHE_DANE {
    char    verdict[24];		/* dane_verdict_verdict_name(), never temp */
    VSTR   *why;			/* one line for administrators */
    int     ttl;			/* seconds, as cached */
    long long fetched;			/* unix time */
    long long expires;			/* unix time */
} CACHE_DANE;

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

CACHE  *cache_open(const char *path, int busy_ms);
int     cache_due(long long expires, long long lifetime, time_t now);
int     cache_enabled(const CACHE *cache);
int     cache_wrote(const CACHE *cache);
int     cache_refused(const CACHE *cache);
void    cache_set_max_ttl(CACHE *cache, long max_ttl);
void    cache_close(CACHE *cache);
void    cache_dane_init(CACHE_DANE *ent);
void    cache_dane_free(CACHE_DANE *ent);
CACHE_STATUS cache_get_dane(CACHE *cache, const char *domain, time_t now,
			            CACHE_DANE *ent);
int     cache_put_dane(CACHE *cache, const char *domain, const CACHE_DANE *ent);
void    cache_sts_init(CACHE_STS *ent);
void    cache_sts_free(CACHE_STS *ent);
CACHE_STATUS cache_get_sts(CACHE *cache, const char *domain, time_t now,
			           CACHE_STS *ent);
int     cache_put_sts(CACHE *cache, const char *domain, const CACHE_STS *ent);

typedef void (*CACHE_COUNTER_FN) (void *ctx, const char *name,
				          const char *labels, long long value);
int     cache_begin(CACHE *cache);
int     cache_commit(CACHE *cache);
void    cache_rollback(CACHE *cache);
int     cache_counter_add(CACHE *cache, const char *name, const char *labels,
			          unsigned long n);
void    cache_counters_each(CACHE *cache, CACHE_COUNTER_FN fn, void *ctx);
long long cache_count_rows(CACHE *cache, const char *table);
int     cache_lease_take(CACHE *cache, const char *domain, long holder,
			         time_t now, int seconds);
void    cache_lease_drop(CACHE *cache, const char *domain, long holder);
int     cache_lease_held(CACHE *cache, const char *domain, time_t now);
void    cache_lease_extend(CACHE *cache, const char *domain, long holder,
			           long long until);
void    cache_prune(CACHE *cache, time_t now, long max_entries);
int     cache_forget(CACHE *cache, const char *domain, long long *dane,
		             long long *sts);
int     cache_check(const char *path, int busy_ms, VSTR *why);
void    cache_read_begin(CACHE *cache);
void    cache_read_end(CACHE *cache);
void    cache_checkpoint(CACHE *cache);

typedef void (*CACHE_STATE_FN) (void *ctx, const char *name,
				        const char *value);
int     cache_state_get(CACHE *cache, const char *name, VSTR *value,
			        VSTR *why, long long *stamp);
int     cache_state_put(CACHE *cache, const char *name, const char *value,
			        const char *why, long long stamp);
void    cache_state_each(CACHE *cache, const char *prefix, CACHE_STATE_FN fn,
			         void *ctx);
int     cache_clear_derived(CACHE *cache, long long *dane, long long *sts);

#endif
