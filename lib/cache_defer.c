/*++
 * NAME
 *	cache_defer 3
 * SUMMARY
 *	deferral rows: the domains whose latest answer was a temporary failure
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	int	cache_defer_note(CACHE *cache, const char *domain,
 *				DEFER_CAUSE cause, const char *why, time_t now)
 *	int	cache_defer_clear(CACHE *cache, const char *domain)
 *
 *	void	cache_defer_init(CACHE_DEFER *ent)
 *	void	cache_defer_free(CACHE_DEFER *ent)
 *	int	cache_defer_get(CACHE *cache, const char *domain,
 *				time_t now, CACHE_DEFER *ent)
 *
 *	void	cache_defer_prune(CACHE *cache, time_t now)
 * DESCRIPTION
 *	The table deferrals (view deferrals_view) lists the domains whose
 *	latest looked-up answer was a temporary failure: the cause
 *	(defer(3)), the reply text, since when (the first failure of this
 *	run), the last failure and how many.
 *
 *	cache_defer_note() adds a failure of domain at now: a new row, or
 *	the cause, text, last time and count of the row there is.
 *	cache_defer_clear() removes the row of domain, when there is one
 *	(a read first: an answered domain costs no write lock). Both return
 *	0, or -1 when the write failed.
 *
 *	cache_defer_get() reads the row of domain (0, or -1 when there is
 *	none or it fails the checks); cache_defer_init() and
 *	cache_defer_free() make and release an entry.
 *
 *	cache_defer_prune(), called by cache_prune_expired(), deletes rows
 *	not renewed for CACHE_DEFER_KEEP seconds (Postfix gives up on a
 *	message after 5 days by default) and all but the CACHE_DEFER_MAX
 *	most recent.
 * SECURITY
 *	A row read back with a NULL or mistyped column or an unknown cause
 *	is ignored (one warning); times are clamped to 0..now, the count to
 *	0 or more, the text made printable and cut.
 *--*/
#include <string.h>

#include "cache_int.h"
#include "cache_row.h"

/* cache_defer_note - one more temporary failure of domain */
int     cache_defer_note(CACHE *cache, const char *domain, DEFER_CAUSE cause,
			         const char *why, time_t now)
{
    const CACHE_ARG row[] = {
	CACHE_TEXT(domain), CACHE_TEXT(defer_name(cause)), CACHE_TEXT(why),
	CACHE_INT(now),
    };

    return cache_write(cache, "INSERT INTO deferrals (domain, cause, why, since,"
		       " last, count) VALUES (?1, ?2, substr(?3, 1, 1000), ?4, ?4, 1)"
		       " ON CONFLICT (domain) DO UPDATE SET cause = excluded.cause,"
		       " why = excluded.why, last = excluded.last,"
		       " count = count + 1", row, CACHE_NARGS(row), "deferral update");
}

/* cache_defer_clear - the domain was answered: no longer deferred */
int     cache_defer_clear(CACHE *cache, const char *domain)
{
    const CACHE_ARG key[] = {CACHE_TEXT(domain)};
    sqlite3_stmt *st;
    int     rc;

    st = cache_row_select(cache, "SELECT 1 FROM deferrals WHERE domain = ?1",
			    domain, &rc);
    if (st == 0)
	return cache_enabled(cache) ? -1 : 0;
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW)
	return 0;
    return cache_write(cache, "DELETE FROM deferrals WHERE domain = ?1", key,
		       CACHE_NARGS(key), "deferral update");
}

/* cache_defer_init - empty entry */
void    cache_defer_init(CACHE_DEFER *ent)
{
    memset(ent, 0, sizeof(*ent));
    ent->why = vstr_new(64);
}

/* cache_defer_free - release */
void    cache_defer_free(CACHE_DEFER *ent)
{
    vstr_free(ent->why);
    ent->why = 0;
}

/* cache_defer_get - the deferral row of domain; -1 when none */
int     cache_defer_get(CACHE *cache, const char *domain, time_t now,
			        CACHE_DEFER *ent)
{
    sqlite3_stmt *st;
    int     rc;
    int     ret = -1;
    long long t = (long long) now;

    st = cache_row_select(cache, "SELECT cause, why, since, last, count FROM"
			    " deferrals WHERE domain = ?1", domain, &rc);
    if (st == 0)
	return -1;
    if (rc == SQLITE_ROW && cache_row_types_ok(st, "TTIII")
	&& defer_from_name(cache_row_col_str(st, 0), &ent->cause) == 0) {
	cache_row_clean_text(ent->why, st, 1, CACHE_MAX_WHY);
	ent->since = cache_row_clamp(sqlite3_column_int64(st, 2), 0, t);
	ent->last = cache_row_clamp(sqlite3_column_int64(st, 3), 0, t);
	ent->count = cache_row_clamp(sqlite3_column_int64(st, 4), 0, 1LL << 62);
	ret = 0;
    } else if (rc == SQLITE_ROW) {
	(void) cache_row_bad(cache, "deferrals", domain,
			     "a column is NULL, of the wrong type or unknown");
    }
    sqlite3_finalize(st);
    return ret;
}

/* cache_defer_prune - rows not renewed for days, rows over the cap */
void    cache_defer_prune(CACHE *cache, time_t now)
{
    const CACHE_ARG old[] = {CACHE_INT((long long) now - CACHE_DEFER_KEEP)};
    const CACHE_ARG most[] = {CACHE_INT(CACHE_DEFER_MAX)};

    if (cache_write(cache, "DELETE FROM deferrals WHERE last < ?1", old,
		    CACHE_NARGS(old), "pruning") == 0)
	(void) cache_write(cache, "DELETE FROM deferrals WHERE domain IN (SELECT"
			   " domain FROM deferrals ORDER BY last DESC LIMIT -1"
			   " OFFSET ?1)", most, CACHE_NARGS(most), "pruning");
}
