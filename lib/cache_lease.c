/*++
 * NAME
 *	cache_lease 3
 * SUMMARY
 *	leases in the cache: at most one holder per key, across helpers
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	int	cache_lease_take(CACHE *cache, const char *domain,
 *				long holder, time_t now, int seconds)
 *	int	cache_lease_held(CACHE *cache, const char *domain, time_t now)
 *	void	cache_lease_extend(CACHE *cache, const char *domain,
 *				long holder, long long until)
 *	void	cache_lease_drop(CACHE *cache, const char *domain, long holder)
 * DESCRIPTION
 *	cache_lease_take() gives domain (any key: "DOMAIN" for a refresh,
 *	"lookup DOMAIN", "refresh DOMAIN") to holder for seconds unless
 *	another holder has it: 1 taken, 0 held by another, -1 no cache or
 *	the write failed (logged once by cache_failed(), which pauses the
 *	writes: an error is never a lease). cache_lease_held() tells whether anyone holds it
 *	at now; cache_lease_extend() keeps holder's lease until a later
 *	time (a back-off); cache_lease_drop() gives it back. A lease that
 *	ends more than CACHE_LEASE_MAX seconds after now (the clock was set
 *	back since it was taken) is over: no lease is ever that long.
 *--*/
#include "cache_int.h"

/* cache_lease_take - at most one holder per domain until the lease ends */
int     cache_lease_take(CACHE *cache, const char *domain, long holder,
			         time_t now, int seconds)
{
    sqlite3_stmt *st;
    int     taken = 0;
    int     rc;

    if (cache_begin(cache) < 0)
	return -1;
    rc = sqlite3_prepare_v2(cache->db, "INSERT INTO leases (domain, holder, until)"
			    " VALUES (?1, ?2, ?3) ON CONFLICT (domain) DO UPDATE"
			    " SET holder = excluded.holder, until = excluded.until"
			    " WHERE leases.until <= ?4 OR leases.until > ?4 + ?5",
			    -1, &st, 0);
    if (rc == SQLITE_OK) {
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, holder);
	sqlite3_bind_int64(st, 3, (long long) now + seconds);
	sqlite3_bind_int64(st, 4, (long long) now);
	sqlite3_bind_int64(st, 5, CACHE_LEASE_MAX);
	rc = sqlite3_step(st);
	taken = sqlite3_changes(cache->db) > 0;
	sqlite3_finalize(st);
    }
    if (rc != SQLITE_DONE) {		/* read-only, disk full: logged, paused */
	cache_failed(cache, "lease", rc);
	cache_rollback(cache);
	return -1;
    }
    if (cache_commit(cache) < 0) {
	cache_rollback(cache);
	return -1;
    }
    return taken;
}

/* cache_lease_drop - give it back */
void    cache_lease_drop(CACHE *cache, const char *domain, long holder)
{
    sqlite3_stmt *st;

    if (!cache_may_write(cache)
	|| sqlite3_prepare_v2(cache->db, "DELETE FROM leases WHERE domain = ?1"
			      " AND holder = ?2", -1, &st, 0) != SQLITE_OK)
	return;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, holder);
    (void) sqlite3_step(st);
    sqlite3_finalize(st);
}

/* cache_lease_held - a refresh runs or backs off for this domain */
int     cache_lease_held(CACHE *cache, const char *domain, time_t now)
{
    sqlite3_stmt *st;
    int     held = 0;

    if (!cache_enabled(cache)
	|| sqlite3_prepare_v2(cache->db, "SELECT 1 FROM leases WHERE domain = ?1"
			      " AND until > ?2 AND until <= ?2 + ?3", -1, &st, 0)
	!= SQLITE_OK)
	return 0;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (long long) now);
    sqlite3_bind_int64(st, 3, CACHE_LEASE_MAX);
    held = sqlite3_step(st) == SQLITE_ROW;
    sqlite3_finalize(st);
    return held;
}

/* cache_lease_extend - keep the lease until a later time (back-off) */
void    cache_lease_extend(CACHE *cache, const char *domain, long holder,
			           long long until)
{
    sqlite3_stmt *st;

    if (!cache_may_write(cache)
	|| sqlite3_prepare_v2(cache->db, "UPDATE leases SET until = ?3"
			      " WHERE domain = ?1 AND holder = ?2", -1, &st, 0)
	!= SQLITE_OK)
	return;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, holder);
    sqlite3_bind_int64(st, 3, until);
    (void) sqlite3_step(st);
    sqlite3_finalize(st);
}
