/*++
 * NAME
 *	cache_schema 3
 * SUMMARY
 *	the cache's tables and views, and the migrations between versions
 * SYNOPSIS
 *	#include "cache_schema.h"
 *
 *	int	cache_schema_migrate(sqlite3 *db)
 * DESCRIPTION
 *	cache_schema_migrate() brings the schema of db to
 *	CACHE_SCHEMA_VERSION inside one IMMEDIATE transaction, so
 *	concurrent first starts do not race; a current schema is only
 *	read, so opening takes no write lock. It returns an SQLite code.
 *
 *	Tables (readable with the sqlite3 CLI): schema_version(version);
 *	dane(domain, verdict, why, ttl, fetched, expires) with unix times;
 *	sts(domain, id, mode, max_age, policy, fetched, expires, last_fail,
 *	fail_why, txt_expires, txt_ttl) for MTA-STS policies (a row with
 *	expires 0 only remembers a failed fetch); counters(name, labels,
 *	value); leases(domain, holder, until); state(name, value, why,
 *	stamp); protection(domain, dane, mx_secure, dane_since, sts, sts_id,
 *	sts_mx, sts_since, seen) and protection_log(id, domain, at, what,
 *	before, after, dropped, evidence) for the protection history
 *	(cache_protect.c); deferrals(domain, cause, why, since, last, count)
 *	(cache_defer.c). The views dane_view, sts_view, policy_view,
 *	expiring_view, failures_view, protection_changes, protection_view
 *	and deferrals_view show the times as UTC text and the seconds left
 *	(NULL for a time that is not set: the expiry of a failure-only
 *	sts row); policy_view lists every domain with a DANE verdict or an
 *	MTA-STS policy (dane NULL: no cached verdict).
 *
 *	Each version is a list of statements, applied in order; a newer
 *	file than this tlspolicyd knows is used as it is, with a warning.
 *--*/
#include <stdio.h>

#include "cache_int.h"
#include "cache_schema.h"
#include "log.h"

static const char *const cache_schema_v1[] = {
    "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS dane ("
    " domain TEXT PRIMARY KEY NOT NULL,"
    " verdict TEXT NOT NULL,"		/* dane-only dane none nopolicy */
    " why TEXT NOT NULL,"
    " ttl INTEGER NOT NULL,"
    " fetched INTEGER NOT NULL,"	/* unix time */
    " expires INTEGER NOT NULL"		/* unix time */
    ") WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS dane_expires ON dane(expires)",
    "CREATE VIEW IF NOT EXISTS dane_view AS SELECT domain, verdict, why, ttl,"
    " datetime(fetched, 'unixepoch') AS fetched,"
    " datetime(expires, 'unixepoch') AS expires,"
    " expires - CAST(strftime('%s', 'now') AS INTEGER) AS expires_in"
    " FROM dane",
    0,
};

static const char *const cache_schema_v2[] = {
    "CREATE TABLE IF NOT EXISTS sts ("
    " domain TEXT PRIMARY KEY NOT NULL,"
    " id TEXT NOT NULL,"
    " mode TEXT NOT NULL,"		/* enforce testing none, or '' */
    " max_age INTEGER NOT NULL,"
    " policy TEXT NOT NULL,"		/* normalized lines */
    " fetched INTEGER NOT NULL,"
    " expires INTEGER NOT NULL,"	/* 0: failures only */
    " last_fail INTEGER NOT NULL DEFAULT 0,"
    " fail_why TEXT NOT NULL DEFAULT ''"
    ") WITHOUT ROWID",
    "CREATE VIEW IF NOT EXISTS sts_view AS SELECT domain, id, mode, max_age,"
    " replace(policy, char(10), ' | ') AS policy,"
    " datetime(fetched, 'unixepoch') AS fetched,"
    " datetime(expires, 'unixepoch') AS expires,"
    " expires - CAST(strftime('%s', 'now') AS INTEGER) AS expires_in,"
    " CASE WHEN last_fail > 0 THEN datetime(last_fail, 'unixepoch') END"
    " AS last_fail, fail_why FROM sts",
    0,
};

static const char *const cache_schema_v3[] = {
    "ALTER TABLE sts ADD COLUMN txt_expires INTEGER NOT NULL DEFAULT 0",
    "CREATE TABLE IF NOT EXISTS counters ("
    " name TEXT NOT NULL,"
    " labels TEXT NOT NULL DEFAULT '',"
    " value INTEGER NOT NULL,"
    " PRIMARY KEY (name, labels)"
    ") WITHOUT ROWID",
    "CREATE TABLE IF NOT EXISTS leases ("
    " domain TEXT PRIMARY KEY NOT NULL,"
    " holder INTEGER NOT NULL,"		/* PID */
    " until INTEGER NOT NULL"		/* unix time */
    ") WITHOUT ROWID",
    0,
};

static const char *const cache_schema_v4[] = {
    "CREATE INDEX IF NOT EXISTS sts_expires ON sts(expires)",
    "CREATE VIEW IF NOT EXISTS policy_view AS SELECT d.domain AS domain,"
    " CASE WHEN d.verdict IN ('dane-only', 'dane') THEN d.verdict"
    " WHEN s.mode = 'enforce' AND s.expires > CAST(strftime('%s', 'now') AS INTEGER)"
    " THEN 'secure (MTA-STS)' ELSE 'not found' END AS answer,"
    " d.verdict AS dane, coalesce(nullif(s.mode, ''), '-') AS mta_sts,"
    " d.why AS why, datetime(d.fetched, 'unixepoch') AS fetched,"
    " datetime(d.expires, 'unixepoch') AS expires,"
    " d.expires - CAST(strftime('%s', 'now') AS INTEGER) AS expires_in"
    " FROM dane d LEFT JOIN sts s ON s.domain = d.domain",
    "CREATE VIEW IF NOT EXISTS expiring_view AS"
    " SELECT domain, 'dane' AS kind, expires, expires_in FROM dane_view"
    " WHERE expires_in BETWEEN 0 AND 300"
    " UNION ALL SELECT domain, 'mta-sts', expires, expires_in FROM sts_view"
    " WHERE mode <> '' AND expires_in BETWEEN 0 AND 300",
    "CREATE VIEW IF NOT EXISTS failures_view AS"
    " SELECT domain, last_fail, fail_why FROM sts_view"
    " WHERE last_fail IS NOT NULL",
    0,
};

/* v5: the TXT record's TTL, for refreshing MTA-STS before it runs out */
static const char *const cache_schema_v5[] = {
    "ALTER TABLE sts ADD COLUMN txt_ttl INTEGER NOT NULL DEFAULT 0",
    0,
};

/* v6: finer DANE verdicts (dane_verdict.c). An older release's "dane" is
 * dropped: it does not say which kind of DANE the domain has. Its
 * policy_view, which follows decide.c's table, goes; v8 makes the one
 * in use (every migration runs to the current version in one
 * transaction, so no file is ever left between the two). */
static const char *const cache_schema_v6[] = {
    "DELETE FROM dane WHERE verdict = 'dane'",
    "DROP VIEW IF EXISTS policy_view",
    0,
};

/* v7: small named facts shared by the helpers: the last resolver probe
 * (rwatch.c) and the fingerprint of the answer-changing settings
 * (cfgmark.c) */
static const char *const cache_schema_v7[] = {
    "CREATE TABLE IF NOT EXISTS state ("
    " name TEXT PRIMARY KEY NOT NULL,"
    " value TEXT NOT NULL,"
    " why TEXT NOT NULL DEFAULT '',"
    " stamp INTEGER NOT NULL"		/* unix time */
    ") WITHOUT ROWID",
    0,
};

/* v8: views without epoch-zero dates and with every answered domain.
 * sts_view: a failure-only row (expires 0, fetched 0) shows NULL times,
 * not 1970-01-01. policy_view: also the domains whose MTA-STS policy is
 * cached without a DANE verdict (one that could not be cached: the
 * resolver failed its probe, a write failed), dane NULL there. */
static const char *const cache_schema_v8_views[] = {
    "DROP VIEW IF EXISTS sts_view",
    "CREATE VIEW sts_view AS SELECT domain, id, mode, max_age,"
    " replace(policy, char(10), ' | ') AS policy,"
    " CASE WHEN fetched > 0 THEN datetime(fetched, 'unixepoch') END AS fetched,"
    " CASE WHEN expires > 0 THEN datetime(expires, 'unixepoch') END AS expires,"
    " CASE WHEN expires > 0 THEN expires - CAST(strftime('%s', 'now') AS INTEGER)"
    " END AS expires_in,"
    " CASE WHEN last_fail > 0 THEN datetime(last_fail, 'unixepoch') END"
    " AS last_fail, fail_why FROM sts",
    "DROP VIEW IF EXISTS policy_view",
    "CREATE VIEW policy_view AS SELECT d.domain AS domain,"
    " CASE WHEN d.verdict IN ('dane-only', 'nopolicy') THEN"
    " CASE d.verdict WHEN 'dane-only' THEN 'dane-only' ELSE 'not found' END"
    " WHEN s.mode = 'enforce' AND s.expires > CAST(strftime('%s', 'now') AS INTEGER)"
    " THEN CASE d.verdict WHEN 'dane-some' THEN 'dane-only'"
    " ELSE 'secure (MTA-STS)' END"
    " WHEN d.verdict IN ('dane-some', 'dane-unusable', 'dane-insecure-mx')"
    " THEN 'dane' ELSE 'not found' END AS answer,"
    " d.verdict AS dane, coalesce(nullif(s.mode, ''), '-') AS mta_sts,"
    " d.why AS why, datetime(d.fetched, 'unixepoch') AS fetched,"
    " datetime(d.expires, 'unixepoch') AS expires,"
    " d.expires - CAST(strftime('%s', 'now') AS INTEGER) AS expires_in"
    " FROM dane d LEFT JOIN sts s ON s.domain = d.domain"
    " UNION ALL SELECT s.domain,"
    " CASE WHEN s.mode = 'enforce' AND s.expires > CAST(strftime('%s', 'now') AS INTEGER)"
    " THEN 'secure (MTA-STS)' ELSE 'not found' END,"
    " NULL, s.mode, 'no cached DANE verdict',"
    " datetime(s.fetched, 'unixepoch'), datetime(s.expires, 'unixepoch'),"
    " s.expires - CAST(strftime('%s', 'now') AS INTEGER)"
    " FROM sts s WHERE s.mode <> '' AND s.expires > 0"
    " AND NOT EXISTS (SELECT 1 FROM dane d WHERE d.domain = s.domain)",
    0,
};

/* v9: protection history (cache_protect.c: the facts each domain last
 * published, and the changes between them) and deferrals by cause
 * (cache_defer.c). "before" and "after" are quoted: SQL keywords. */
static const char *const cache_schema_v9_history[] = {
    "CREATE TABLE IF NOT EXISTS protection ("
    " domain TEXT PRIMARY KEY NOT NULL,"
    " dane TEXT NOT NULL DEFAULT '',"	/* '': not seen yet */
    " mx_secure INTEGER NOT NULL DEFAULT 0,"
    " dane_since INTEGER NOT NULL DEFAULT 0,"
    " sts TEXT NOT NULL DEFAULT '',"	/* '': not seen yet */
    " sts_id TEXT NOT NULL DEFAULT '',"
    " sts_mx TEXT NOT NULL DEFAULT '',"
    " sts_since INTEGER NOT NULL DEFAULT 0,"
    " seen INTEGER NOT NULL"		/* last confirmed, at most daily */
    ") WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS protection_seen ON protection(seen)",
    "CREATE TABLE IF NOT EXISTS protection_log ("
    " id INTEGER PRIMARY KEY,"
    " domain TEXT NOT NULL,"
    " at INTEGER NOT NULL,"		/* unix time */
    " what TEXT NOT NULL,"		/* dane, mta-sts */
    " \"before\" TEXT NOT NULL,"
    " \"after\" TEXT NOT NULL,"
    " dropped INTEGER NOT NULL,"	/* 1: a drop, 0: another change */
    " evidence TEXT NOT NULL"
    ")",
    "CREATE INDEX IF NOT EXISTS protection_log_domain ON protection_log(domain, id)",
    "CREATE VIEW IF NOT EXISTS protection_changes AS SELECT id, domain,"
    " datetime(at, 'unixepoch') AS at, what, \"before\", \"after\", dropped,"
    " evidence FROM protection_log",
    "CREATE VIEW IF NOT EXISTS protection_view AS SELECT domain,"
    " nullif(dane, '') AS dane,"
    " CASE WHEN dane = '' THEN NULL WHEN mx_secure THEN 'secure'"
    " ELSE 'insecure' END AS mx,"
    " CASE WHEN dane <> '' THEN datetime(dane_since, 'unixepoch') END AS dane_since,"
    " nullif(sts, '') AS mta_sts, sts_id, sts_mx,"
    " CASE WHEN sts <> '' THEN datetime(sts_since, 'unixepoch') END AS sts_since,"
    " datetime(seen, 'unixepoch') AS seen FROM protection",
    "CREATE TABLE IF NOT EXISTS deferrals ("
    " domain TEXT PRIMARY KEY NOT NULL,"
    " cause TEXT NOT NULL,"
    " why TEXT NOT NULL,"
    " since INTEGER NOT NULL,"		/* first of this run of failures */
    " last INTEGER NOT NULL,"
    " count INTEGER NOT NULL"
    ") WITHOUT ROWID",
    "CREATE INDEX IF NOT EXISTS deferrals_last ON deferrals(last)",
    "CREATE VIEW IF NOT EXISTS deferrals_view AS SELECT domain, cause,"
    " datetime(since, 'unixepoch') AS since, datetime(last, 'unixepoch') AS last,"
    " count, why FROM deferrals",
    0,
};

/* The schema, one list of statements per version, applied in order. */
static const char *const *const cache_migrations[CACHE_SCHEMA_VERSION] = {
    cache_schema_v1, cache_schema_v2, cache_schema_v3, cache_schema_v4,
    cache_schema_v5, cache_schema_v6, cache_schema_v7, cache_schema_v8_views,
    cache_schema_v9_history,
};

/* cache_schema_version - schema version, 0 when there is none yet */
static int cache_schema_version(sqlite3 *db, int *version)
{
    sqlite3_stmt *st;
    int     rc;

    *version = 0;
    rc = sqlite3_prepare_v2(db, "SELECT max(version) FROM schema_version",
			    -1, &st, 0);
    if (rc != SQLITE_OK)
	return rc;
    if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
	*version = sqlite3_column_int(st, 0);
	rc = SQLITE_OK;
    }
    sqlite3_finalize(st);
    return rc;
}

/* cache_schema_is_current - schema up to date: no write lock needed to open */
static int cache_schema_is_current(sqlite3 *db)
{
    int     version;

    if (cache_schema_version(db, &version) != SQLITE_OK)
	return 0;
    if (version > CACHE_SCHEMA_VERSION)
	log_warn("cache schema version %d is newer than this tlspolicyd (%d);"
		 " using it as is", version, CACHE_SCHEMA_VERSION);
    return version >= CACHE_SCHEMA_VERSION;
}

/* cache_schema_migrate - bring the schema up to date in one transaction */
int     cache_schema_migrate(sqlite3 *db)
{
    const char *const *sql;
    int     version = 0;
    int     rc;

    int     v;

    if (cache_schema_is_current(db))
	return SQLITE_OK;
    if ((rc = cache_exec(db, "BEGIN IMMEDIATE")) != SQLITE_OK)
	return rc;
    rc = cache_exec(db, cache_schema_v1[0]);
    if (rc == SQLITE_OK)
	rc = cache_schema_version(db, &version);
    if (rc == SQLITE_OK && version > CACHE_SCHEMA_VERSION)
	log_warn("cache schema version %d is newer than this tlspolicyd (%d);"
		 " using it as is", version, CACHE_SCHEMA_VERSION);
    for (v = version; rc == SQLITE_OK && v < CACHE_SCHEMA_VERSION; v++) {
	for (sql = cache_migrations[v]; *sql && rc == SQLITE_OK; sql++)
	    rc = cache_exec(db, *sql);
	if (version > 0 && rc == SQLITE_OK)
	    log_info("cache schema migrated from version %d to %d", v, v + 1);
    }
    if (rc == SQLITE_OK && version < CACHE_SCHEMA_VERSION) {
	char    sqlbuf[80];

	(void) snprintf(sqlbuf, sizeof(sqlbuf), "INSERT INTO schema_version"
			" VALUES (%d)", CACHE_SCHEMA_VERSION);
	rc = cache_exec(db, "DELETE FROM schema_version");
	if (rc == SQLITE_OK)
	    rc = cache_exec(db, sqlbuf);
    }
    if (rc == SQLITE_OK)
	return cache_exec(db, "COMMIT");
    (void) cache_exec(db, "ROLLBACK");
    return rc;
}
