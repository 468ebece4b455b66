/*++
 * NAME
 *	cache_prune 3
 * SUMMARY
 *	rows that go: expired, forgotten, voided by a settings change
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	void	cache_prune_expired(CACHE *cache, time_t now,
 *				long max_entries)
 *	int	cache_prune_forget(CACHE *cache, const char *domain,
 *				long long *dane, long long *sts)
 *	int	cache_prune_derived(CACHE *cache, long long *dane,
 *				long long *sts)
 * DESCRIPTION
 *	cache_prune_expired() deletes rows expired for CACHE_KEEP_EXPIRED
 *	seconds, and with max_entries > 0 the entries nearest expiry above
 *	that many per table - never an unexpired MTA-STS enforce policy.
 *	The protection history and the deferrals are pruned with their own
 *	bounds (cache_protect_prune(), cache_defer_prune()).
 *
 *	cache_prune_forget() deletes, in one transaction, the DANE verdict
 *	and the MTA-STS row (policy, TXT check and failure marks) of
 *	domain, or of every domain when domain is NULL, and stores how
 *	many rows went in *dane and *sts. It returns 0, or -1 when nothing
 *	could be deleted (disabled cache, lock held longer than busy_ms,
 *	read-only file). Counters and leases stay.
 *
 *	cache_prune_derived() forgets, in the caller's transaction, what a
 *	change of resolver, CA file, overrides or testing mode can make
 *	wrong: every DANE verdict, every MTA-STS failure mark and TXT
 *	check, the rows that only remember failures, the resolver
 *	probes and the deferrals (their causes were those of the old
 *	settings). The protection history stays: its facts are the
 *	domains'. Unexpired MTA-STS policies stay: a policy fetched and
 *	validated is a fact whatever the settings (RFC 8461 section 3.3).
 *	It stores the rows cleared in *dane and *sts and returns 0, or -1.
 *--*/
#include <stdio.h>

#include "cache_int.h"
#include "log.h"

/* cache_prune_sql - one DELETE with the time bound */
static void cache_prune_sql(CACHE *cache, const char *sql, long long bound)
{
    sqlite3_stmt *st;
    int     rc;
    int     changes;

    if (!cache_may_write(cache)
	|| sqlite3_prepare_v2(cache->db, sql, -1, &st, 0) != SQLITE_OK)
	return;
    sqlite3_bind_int64(st, 1, bound);
    rc = sqlite3_step(st);
    changes = sqlite3_changes(cache->db);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
	cache_failed(cache, "pruning", rc);
    else if (changes > 0)
	log_info("cache %s: pruned %d entr%s", cache->path, changes,
		 changes == 1 ? "y" : "ies");
}

/* cache_prune_sts - over the cap: never an unexpired enforce policy */
static void cache_prune_sts(CACHE *cache, time_t now, long max_entries)
{
    sqlite3_stmt *st;
    int     rc;

    if (sqlite3_prepare_v2(cache->db, "DELETE FROM sts WHERE domain IN"
			   " (SELECT domain FROM sts WHERE NOT (mode = 'enforce'"
			   " AND expires > ?2) ORDER BY expires LIMIT"
			   " max(0, (SELECT count(*) FROM sts) - ?1))",
			   -1, &st, 0) != SQLITE_OK)
	return;
    sqlite3_bind_int64(st, 1, max_entries);
    sqlite3_bind_int64(st, 2, (long long) now);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
	cache_failed(cache, "pruning", rc);
}

/* cache_prune_expired - drop long-expired rows; keep at most max_entries per table */
void    cache_prune_expired(CACHE *cache, time_t now, long max_entries)
{
    long long old = (long long) now - CACHE_KEEP_EXPIRED;

    if (!cache_may_write(cache))
	return;
    cache_prune_sql(cache, "DELETE FROM dane WHERE expires < ?1", old);
    cache_prune_sql(cache, "DELETE FROM sts WHERE expires < ?1 AND last_fail < ?1"
		    " AND txt_expires < ?1", old);	/* a TXT check: a fact too */
    cache_prune_sql(cache, "DELETE FROM leases WHERE until < ?1", old);
    cache_protect_prune(cache, now, max_entries);
    cache_defer_prune(cache, now);
    if (max_entries <= 0)
	return;
    cache_prune_sql(cache, "DELETE FROM dane WHERE domain IN (SELECT domain FROM"
		    " dane ORDER BY expires LIMIT max(0, (SELECT count(*) FROM dane) - ?1))",
		    max_entries);
    cache_prune_sts(cache, now, max_entries);
}

/* cache_prune_forget_sql - one DELETE, domain bound when not NULL; rows or -1 */
static long long cache_prune_forget_sql(CACHE *cache, const char *table,
				          const char *domain)
{
    sqlite3_stmt *st;
    char    sql[64];
    int     rc;

    (void) snprintf(sql, sizeof(sql), "DELETE FROM %s%s", table,
		    domain ? " WHERE domain = ?1" : "");
    if ((rc = sqlite3_prepare_v2(cache->db, sql, -1, &st, 0)) != SQLITE_OK) {
	cache_failed(cache, "forget", rc);
	return -1;
    }
    if (domain)
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
	cache_failed(cache, "forget", rc);
	return -1;
    }
    return sqlite3_changes(cache->db);
}

/* cache_prune_forget - drop the DANE and MTA-STS rows of domain (NULL: all) */
int     cache_prune_forget(CACHE *cache, const char *domain, long long *dane,
		             long long *sts)
{
    *dane = *sts = 0;
    if (cache_begin(cache) < 0)
	return -1;
    if ((*dane = cache_prune_forget_sql(cache, "dane", domain)) < 0
	|| (*sts = cache_prune_forget_sql(cache, "sts", domain)) < 0
	|| cache_commit(cache) < 0) {
	cache_rollback(cache);
	*dane = *sts = 0;
	return -1;
    }
    return 0;
}

/* cache_prune_clear_sql - one statement of cache_prune_derived(); rows or -1 */
static long long cache_prune_clear_sql(CACHE *cache, const char *sql)
{
    int     rc = cache_exec(cache->db, sql);

    if (rc != SQLITE_OK) {
	cache_failed(cache, "clear", rc);
	return -1;
    }
    return sqlite3_changes(cache->db);
}

/* cache_prune_derived - forget what other settings could have changed */
int     cache_prune_derived(CACHE *cache, long long *dane, long long *sts)
{
    long long fails;

    *dane = *sts = 0;
    if (!cache_may_write(cache))
	return -1;
    if ((*dane = cache_prune_clear_sql(cache, "DELETE FROM dane")) < 0
	|| (*sts = cache_prune_clear_sql(cache, "DELETE FROM sts WHERE expires = 0")) < 0
	|| (fails = cache_prune_clear_sql(cache, "UPDATE sts SET last_fail = 0,"
				    " fail_why = '', txt_expires = 0"
				    " WHERE last_fail <> 0 OR txt_expires <> 0")) < 0
	|| cache_prune_clear_sql(cache, "DELETE FROM state"
			   " WHERE name LIKE 'resolver %'") < 0
	|| cache_prune_clear_sql(cache, "DELETE FROM deferrals") < 0)
	return -1;
    *sts += fails;
    return 0;
}
