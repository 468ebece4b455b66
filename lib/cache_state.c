/*++
 * NAME
 *	cache_state 3
 * SUMMARY
 *	small named facts shared by the helpers
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	int	cache_state_get(CACHE *cache, const char *name,
 *				VSTR *value, VSTR *why, long long *stamp)
 *	int	cache_state_put(CACHE *cache, const char *name,
 *				const char *value, const char *why,
 *				long long stamp)
 *	void	cache_state_each(CACHE *cache, const char *prefix,
 *				CACHE_STATE_FN fn, void *ctx)
 * DESCRIPTION
 *	The state table holds the last resolver probe (rwatch.c) and the
 *	settings fingerprint (cfgmark.c). cache_state_get() reads the row
 *	name: 0 with value, why and stamp, -1 when there is none, -2 when
 *	it cannot be read or is malformed (texts are cut and made printable
 *	like why texts).
 *	cache_state_put() inserts or replaces it (0, or -1).
 *	cache_state_each() calls fn for every row whose name starts with
 *	prefix, sorted by name.
 *--*/
#include "cache_int.h"
#include "cache_row.h"

/* cache_state_text - a state column read back: printable, bounded */
static void cache_state_text(sqlite3_stmt *st, int col, VSTR *out)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    size_t  i;

    vstr_reset(out);
    for (i = 0; text && text[i] && i < CACHE_MAX_WHY; i++)
	vstr_addch(out, text[i] >= 0x20 && text[i] < 0x7f ? (char) text[i] : '?');
}

/* cache_state_get - one row of the state table; -1 when none, -2 when
 * it cannot be read (an error, a row of the wrong types) */
int     cache_state_get(CACHE *cache, const char *name, VSTR *value,
			        VSTR *why, long long *stamp)
{
    sqlite3_stmt *st;
    int     ret = -2;
    int     rc;

    if (!cache_enabled(cache))
	return -2;
    if (sqlite3_prepare_v2(cache->db, "SELECT value, why, stamp FROM state"
			   " WHERE name = ?1", -1, &st, 0) != SQLITE_OK)
	return -2;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) == SQLITE_DONE) {
	ret = -1;
    } else if (rc == SQLITE_ROW
	       && sqlite3_column_type(st, 0) == SQLITE_TEXT
	       && sqlite3_column_type(st, 2) == SQLITE_INTEGER) {
	cache_state_text(st, 0, value);
	cache_state_text(st, 1, why);
	*stamp = sqlite3_column_int64(st, 2);
	ret = 0;
    }
    sqlite3_finalize(st);
    return ret;
}

/* cache_state_put - insert or replace one row of the state table */
int     cache_state_put(CACHE *cache, const char *name, const char *value,
			        const char *why, long long stamp)
{
    const CACHE_ARG args[] = {
	CACHE_TEXT(name), CACHE_TEXT(value), CACHE_TEXT(why), CACHE_INT(stamp),
    };

    return cache_write(cache, "INSERT OR REPLACE INTO state"
		       " (name, value, why, stamp) VALUES (?1, ?2, ?3, ?4)",
		       args, CACHE_NARGS(args), "state update");
}

/* cache_state_each - every state row whose name starts with prefix */
void    cache_state_each(CACHE *cache, const char *prefix, CACHE_STATE_FN fn,
			         void *ctx)
{
    sqlite3_stmt *st;
    VSTR   *value;

    if (!cache_enabled(cache))
	return;
    if (sqlite3_prepare_v2(cache->db, "SELECT name, value FROM state"
			   " WHERE substr(name, 1, length(?1)) = ?1"
			   " AND typeof(value) = 'text' ORDER BY name",
			   -1, &st, 0) != SQLITE_OK)
	return;
    sqlite3_bind_text(st, 1, prefix, -1, SQLITE_STATIC);
    value = vstr_new(32);
    while (sqlite3_step(st) == SQLITE_ROW) {
	const char *name = (const char *) sqlite3_column_text(st, 0);

	cache_state_text(st, 1, value);
	if (name != 0)
	    fn(ctx, name, vstr_str(value));
    }
    vstr_free(value);
    sqlite3_finalize(st);
}
