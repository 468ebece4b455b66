/* cache_int.h - what the cache's own files share (not for other modules) */
#ifndef TP_CACHE_INT_H
#define TP_CACHE_INT_H

#include <sqlite3.h>
#include "cache.h"

/* The statements of every lookup, prepared when the cache is opened. */
typedef enum {
    CACHE_GET_DANE, CACHE_PUT_DANE, CACHE_GET_STS, CACHE_PUT_STS, CACHE_HOT_COUNT
} CACHE_HOT;

struct CACHE {
    sqlite3 *db;			/* NULL: disabled */
    char   *path;
    int     busy_ms;
    int     recovered;			/* moved a corrupt file aside once */
    time_t  write_pause;		/* no writes before this time */
    char    error[128];			/* why the last write failed, or "" */
    long long max_ttl;			/* DANE and TXT lives read back, at most */
    int     refused;			/* unsafe permissions: not opened */
    int     wal_due;			/* the WAL passed CACHE_WAL_PAGES */
    int     told_time;			/* a row's bad times were logged */
    long long until_ms;			/* no wait past this (monotonic), or 0 */
    long long busy_from;		/* when the current busy wait began */
    int     no_wait;			/* give up on a lock at once */
    sqlite3_stmt *hot[CACHE_HOT_COUNT];	/* cache_hot_sql[] */
    sqlite3_stmt *begin;		/* "BEGIN", prepared at first use */
    sqlite3_stmt *commit;		/* "COMMIT", likewise */
};

/*
 * One value for a statement's next "?N": text, or else an integer. The
 * writes below bind a row's columns from a list of these, one line per
 * few columns, instead of one sqlite3_bind_*() call per column.
 */
typedef struct CACHE_ARG {
    const char *text;			/* bound as text when is_text */
    long long num;			/* bound as an integer otherwise */
    int     is_text;
} CACHE_ARG;

#define CACHE_TEXT(s)	{(s), 0, 1}
#define CACHE_INT(n)	{0, (long long) (n), 0}
#define CACHE_NARGS(a)	((int) (sizeof(a) / sizeof((a)[0])))

/* A function that checks and copies one row into an entry of its table. */
typedef CACHE_STATUS (*CACHE_READ_FN) (CACHE *, sqlite3_stmt *, const char *,
				               time_t, void *);

int     cache_exec(sqlite3 *db, const char *sql);
long long cache_wait_ms(void);
int     cache_wait_busy(void *cache, int count);
int     cache_wait_more(CACHE *cache, long long from_ms);
int     cache_may_write(CACHE *cache);
void    cache_failed(CACHE *cache, const char *what, int rc);
CACHE_STATUS cache_get(CACHE *cache, CACHE_HOT which, const char *domain,
		               time_t now, CACHE_READ_FN read, void *ent);
int     cache_put(CACHE *cache, CACHE_HOT which, const CACHE_ARG *args,
		          int nargs);
int     cache_write(CACHE *cache, const char *sql, const CACHE_ARG *args,
		            int nargs, const char *what);

#endif
