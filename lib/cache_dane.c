/*++
 * NAME
 *	cache_dane 3
 * SUMMARY
 *	DANE verdict rows of the cache
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	void	cache_dane_init(CACHE_DANE *ent)
 *	void	cache_dane_free(CACHE_DANE *ent)
 *	CACHE_STATUS cache_dane_get(CACHE *cache, const char *domain,
 *				time_t now, CACHE_DANE *ent)
 *	int	cache_dane_put(CACHE *cache, const char *domain,
 *				const CACHE_DANE *ent)
 * DESCRIPTION
 *	cache_dane_init() and cache_dane_free() make and release an entry.
 *	cache_dane_get() returns the entry for domain, CACHE_FRESH or
 *	CACHE_STALE depending on now, or CACHE_MISS. cache_dane_put()
 *	inserts or replaces the entry (0, or -1 when writes fail or are
 *	paused).
 * SECURITY
 *	No column is trusted: a NULL or mistyped column or an unknown
 *	verdict makes the row a miss with a warning, and a "temp" verdict
 *	is never read back as a fact. A row's life is bounded by its own
 *	fetch time, not by the time it is read: fetched in the future, or
 *	expires more than max_ttl (cache_max_ttl) after fetched, makes the
 *	row a miss (cache_row_life(), logged once per connection), so the
 *	lookup is made again and the row replaced. The ttl is clamped to
 *	max_ttl, negative times to 0; the why text becomes printable ASCII
 *	of at most CACHE_MAX_WHY bytes.
 *--*/
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "cache_int.h"
#include "cache_row.h"
#include "dane_verdict.h"

/* cache_dane_init - empty entry */
void    cache_dane_init(CACHE_DANE *ent)
{
    memset(ent, 0, sizeof(*ent));
    ent->why = vstr_new(64);
}

/* cache_dane_free - release */
void    cache_dane_free(CACHE_DANE *ent)
{
    vstr_free(ent->why);
    ent->why = 0;
}

/* cache_dane_read - check and copy one DANE row; never trusts it */
static CACHE_STATUS cache_dane_read(CACHE *cache, sqlite3_stmt *st,
				            const char *domain, time_t now,
				            void *dane)
{
    CACHE_DANE *ent = dane;
    DV_VERDICT verdict;
    const char *bad;

    if (!cache_row_types_ok(st, "TTIII"))
	return cache_row_bad(cache, "dane", domain, "a column is NULL or of"
			     " the wrong type");
    cache_row_copy_text(ent->verdict, sizeof(ent->verdict), sqlite3_column_text(st, 0));
    if (dane_verdict_verdict_from_name(ent->verdict, &verdict) < 0)
	return cache_row_bad(cache, "dane", domain, strcmp(ent->verdict, "temp")
			     == 0 ? "a temporary failure is not a fact" :
			     "unknown verdict");
    cache_row_clean_text(ent->why, st, 1, CACHE_MAX_WHY);
    ent->ttl = (int) cache_row_clamp(sqlite3_column_int64(st, 2), 0, cache->max_ttl);
    ent->fetched = cache_row_clamp(sqlite3_column_int64(st, 3), 0, LLONG_MAX);
    ent->expires = cache_row_clamp(sqlite3_column_int64(st, 4), 0, LLONG_MAX);
    if ((bad = cache_row_life(ent->fetched, ent->expires, cache->max_ttl, now)) != 0)
	return cache_row_bad_time(cache, "dane", domain, bad);
    return ent->expires > (long long) now ? CACHE_FRESH : CACHE_STALE;
}

/* cache_dane_get - one DANE verdict */
CACHE_STATUS cache_dane_get(CACHE *cache, const char *domain, time_t now,
			            CACHE_DANE *ent)
{
    return cache_get(cache, CACHE_GET_DANE, domain, now, cache_dane_read, ent);
}

/* cache_dane_put - insert or replace one DANE verdict */
int     cache_dane_put(CACHE *cache, const char *domain, const CACHE_DANE *ent)
{
    const CACHE_ARG row[] = {
	CACHE_TEXT(domain), CACHE_TEXT(ent->verdict), CACHE_TEXT(vstr_str(ent->why)),
	CACHE_INT(ent->ttl), CACHE_INT(ent->fetched), CACHE_INT(ent->expires),
    };

    return cache_put(cache, CACHE_PUT_DANE, row, CACHE_NARGS(row));
}
