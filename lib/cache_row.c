/*++
 * NAME
 *	cache_row 3
 * SUMMARY
 *	checks for rows read back from the cache, which are never trusted
 * SYNOPSIS
 *	#include "cache_row.h"
 *
 *	void	cache_row_copy_text(char *dst, size_t size,
 *				const unsigned char *src)
 *	int	cache_row_types_ok(sqlite3_stmt *st, const char *types)
 *	void	cache_row_clean_text(VSTR *dst, sqlite3_stmt *st, int col,
 *				size_t max)
 *	long long cache_row_clamp(long long v, long long lo, long long hi)
 *	int	cache_row_in_list(const char *const *list, const char *word)
 *	CACHE_STATUS cache_row_bad(CACHE *cache, const char *table,
 *				const char *domain, const char *why)
 *	const char *cache_row_life(long long fetched, long long expires,
 *				long long max, time_t now)
 *	CACHE_STATUS cache_row_bad_time(CACHE *cache, const char *table,
 *				const char *domain, const char *why)
 *	void	cache_row_text(VSTR *dst, sqlite3_stmt *st, int col)
 *	const char *cache_row_col_str(sqlite3_stmt *st, int col)
 *	sqlite3_stmt *cache_row_select(CACHE *cache, const char *sql,
 *				const char *domain, int *rc)
 * DESCRIPTION
 *	The row readers of cache_dane.c and cache_sts.c check every column
 *	with these. cache_row_types_ok() is true when each column has its
 *	declared type (types: T text, I integer, one letter per column).
 *	cache_row_copy_text() copies a column into a fixed buffer, always
 *	terminated; cache_row_text() into a VSTR; cache_row_col_str()
 *	returns it, "" for NULL. cache_row_clean_text() keeps printable
 *	ASCII only, at most max bytes. cache_row_clamp() puts v within
 *	lo..hi; cache_row_in_list() looks for an exact word in a
 *	NULL-terminated list. cache_row_bad() logs why a row is ignored
 *	and returns CACHE_MISS. cache_row_select() prepares sql, binds
 *	domain to ?1 and steps once: the statement (finalize it), with the
 *	step's code in *rc, or NULL when the cache is disabled or the
 *	statement does not prepare (cache_protect.c, cache_defer.c).
 *
 *	cache_row_life() bounds a row's life by its own fetch time, never
 *	by the time it is read: it returns NULL when fetched is not in the
 *	future and expires is at most max seconds after fetched, else why
 *	not (a row that claims a far-future expiry would otherwise be
 *	served for ever). fetched and expires must not be negative (clamp
 *	them first). cache_row_bad_time() is cache_row_bad() for such a
 *	row, or for part of one, with the warning logged once per
 *	connection (debug after): a cache that cannot be written keeps the
 *	row, and every lookup would log it again.
 *--*/
#include <stdio.h>
#include <string.h>

#include "cache_int.h"
#include "cache_row.h"
#include "log.h"

/* cache_row_copy_text - column text into a fixed buffer, always terminated */
void    cache_row_copy_text(char *dst, size_t size, const unsigned char *src)
{
    (void) snprintf(dst, size, "%s", src ? (const char *) src : "");
}

/* cache_row_types_ok - each column has its declared type: T text, I integer */
int     cache_row_types_ok(sqlite3_stmt *st, const char *types)
{
    int     i;

    for (i = 0; types[i]; i++)
	if (sqlite3_column_type(st, i) != (types[i] == 'T' ? SQLITE_TEXT :
					    SQLITE_INTEGER))
	    return 0;
    return 1;
}

/* cache_row_clean_text - a text column, printable ASCII, at most max bytes */
void    cache_row_clean_text(VSTR *dst, sqlite3_stmt *st, int col, size_t max)
{
    const unsigned char *txt = sqlite3_column_text(st, col);
    size_t  len = (size_t) sqlite3_column_bytes(st, col);
    size_t  i;

    vstr_reset(dst);
    for (i = 0; txt != 0 && i < len && i < max; i++)
	vstr_addch(dst, txt[i] >= 0x20 && txt[i] < 0x7f ? (char) txt[i] : '?');
}

/* cache_row_clamp - v within lo..hi */
long long cache_row_clamp(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* cache_row_in_list - exact word in a NULL-terminated list */
int     cache_row_in_list(const char *const *list, const char *word)
{
    for (; *list; list++)
	if (strcmp(*list, word) == 0)
	    return 1;
    return 0;
}

/* cache_row_bad - an untrusted row is a miss, with a warning */
CACHE_STATUS cache_row_bad(CACHE *cache, const char *table,
				          const char *domain, const char *why)
{
    char    safe[LOG_SAFE_SIZE];

    log_warn("cache %s: %s entry for %s ignored: %s", cache->path, table,
	     log_safe(safe, sizeof(safe), domain, strlen(domain)), why);
    return CACHE_MISS;
}

/* cache_row_life - NULL when a life of fetched..expires is believable */
const char *cache_row_life(long long fetched, long long expires,
			           long long max, time_t now)
{
    if (fetched > (long long) now)
	return "fetched in the future";
    if (expires - fetched > max)	/* both >= 0: no overflow */
	return "expires later after its fetch than the maximum life";
    return 0;
}

/* cache_row_bad_time - a row, or part of one, whose times are not
 * believed: a miss, logged once per connection */
CACHE_STATUS cache_row_bad_time(CACHE *cache, const char *table,
				        const char *domain, const char *why)
{
    if (cache->told_time)
	log_debug("cache %s: %s entry for %s: %s", cache->path, table, domain, why);
    else
	(void) cache_row_bad(cache, table, domain, why);
    cache->told_time = 1;
    return CACHE_MISS;
}

/* cache_row_text - a text column into a VSTR */
void    cache_row_text(VSTR *dst, sqlite3_stmt *st, int col)
{
    const unsigned char *txt = sqlite3_column_text(st, col);

    vstr_reset(dst);
    vstr_addstr(dst, txt ? (const char *) txt : "");
}

/* cache_row_col_str - a text column, "" for NULL */
const char *cache_row_col_str(sqlite3_stmt *st, int col)
{
    const unsigned char *txt = sqlite3_column_text(st, col);

    return txt ? (const char *) txt : "";
}

/* cache_row_select - prepare, bind the domain to ?1, step once; NULL on error */
sqlite3_stmt *cache_row_select(CACHE *cache, const char *sql, const char *domain,
			               int *rc)
{
    sqlite3_stmt *st;

    *rc = SQLITE_ERROR;
    if (!cache_enabled(cache)
	|| sqlite3_prepare_v2(cache->db, sql, -1, &st, 0) != SQLITE_OK)
	return 0;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    *rc = sqlite3_step(st);
    return st;
}
