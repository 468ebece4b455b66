/*++
 * NAME
 *	cache 3
 * SUMMARY
 *	SQLite cache in WAL mode, shared by every helper process
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	CACHE	*cache_open(const char *path, int busy_ms)
 *	CACHE_STATUS cache_get_dane(CACHE *cache, const char *domain,
 *				time_t now, CACHE_DANE *ent)
 *	int	cache_put_dane(CACHE *cache, const char *domain,
 *				const CACHE_DANE *ent)
 *	CACHE_STATUS cache_get_sts(CACHE *cache, const char *domain,
 *				time_t now, CACHE_STS *ent)
 *	int	cache_due(long long expires, long long lifetime, time_t now)
 *	int	cache_refused(const CACHE *cache)
 *	void	cache_set_max_ttl(CACHE *cache, long max_ttl)
 *	int	cache_forget(CACHE *cache, const char *domain,
 *				long long *dane, long long *sts)
 *	int	cache_check(const char *path, int busy_ms, VSTR *why)
 *	int	cache_state_get(CACHE *cache, const char *name,
 *				VSTR *value, VSTR *why, long long *stamp)
 *	int	cache_state_put(CACHE *cache, const char *name,
 *				const char *value, const char *why,
 *				long long stamp)
 *	void	cache_state_each(CACHE *cache, const char *prefix,
 *				CACHE_STATE_FN fn, void *ctx)
 *	int	cache_clear_derived(CACHE *cache, long long *dane,
 *				long long *sts)
 *
 *	void	cache_read_begin(CACHE *cache)
 *	void	cache_read_end(CACHE *cache)
 *	void	cache_checkpoint(CACHE *cache)
 *
 *	void	cache_close(CACHE *cache)
 *
 *	int	cache_enabled(const CACHE *cache)
 *	int	cache_wrote(const CACHE *cache)
 *	void	cache_dane_init(CACHE_DANE *ent)
 *	void	cache_dane_free(CACHE_DANE *ent)
 *	void	cache_sts_init(CACHE_STS *ent)
 *	void	cache_sts_free(CACHE_STS *ent)
 *	int	cache_put_sts(CACHE *cache, const char *domain,
 *				const CACHE_STS *ent)
 *
 *	int	cache_begin(CACHE *cache)
 *	int	cache_commit(CACHE *cache)
 *	void	cache_rollback(CACHE *cache)
 *	int	cache_counter_add(CACHE *cache, const char *name,
 *				const char *labels, unsigned long n)
 *	void	cache_counters_each(CACHE *cache, CACHE_COUNTER_FN fn,
 *				void *ctx)
 *	long long cache_count_rows(CACHE *cache, const char *table)
 *
 *	int	cache_lease_take(CACHE *cache, const char *domain,
 *				long holder, time_t now, int seconds)
 *	int	cache_lease_held(CACHE *cache, const char *domain, time_t now)
 *	void	cache_lease_extend(CACHE *cache, const char *domain,
 *				long holder, long long until)
 *	void	cache_lease_drop(CACHE *cache, const char *domain, long holder)
 *	void	cache_prune(CACHE *cache, time_t now, long max_entries)
 * DESCRIPTION
 *	cache_open() opens or creates the database at path in WAL mode
 *	(readers never block the writer, and each helper process has its
 *	own connection), with a busy timeout of busy_ms milliseconds, and
 *	brings an older schema to CACHE_SCHEMA_VERSION inside one IMMEDIATE
 *	transaction, so concurrent first starts do not race; a current
 *	schema is only read, so opening takes no write lock. It never
 *	returns NULL: when the cache cannot be used the CACHE is disabled,
 *	gets return CACHE_MISS, puts do nothing, and lookups still answer.
 *
 *	Tables (readable with the sqlite3 CLI):
 *	schema_version(version); dane(domain, verdict, why, ttl, fetched,
 *	expires) with unix times; sts(domain, id, mode, max_age, policy,
 *	fetched, expires, last_fail, fail_why) for MTA-STS policies (a row
 *	with expires 0 only remembers a failed fetch). The views dane_view
 *	and sts_view show the times as UTC text and the seconds left.
 *
 *	cache_get_dane() returns the entry for domain, CACHE_FRESH or
 *	CACHE_STALE depending on now, or CACHE_MISS.
 *	cache_put_dane() inserts or replaces the entry.
 *
 *	cache_read_begin() and cache_read_end() put the reads of one
 *	lookup (the DANE verdict, the MTA-STS entry) in one read
 *	transaction: one snapshot, one lock on the -shm file instead of
 *	one per read. End it before any wait and any write.
 *
 *	cache_checkpoint(), called after a reply, resets the WAL to zero
 *	bytes once a commit has left CACHE_WAL_PAGES pages in it, unless
 *	another process reads or writes at that moment (it never waits).
 *	Closing does not checkpoint: see cache_keep_wal().
 *
 *	cache_due() says whether an entry that expires at expires, after
 *	lifetime seconds, is in the last quarter of its life: the rule for
 *	refreshing DANE verdicts and MTA-STS checks ahead (any values, no
 *	overflow).
 *
 *	cache_refused() tells whether cache_open() refused the file for its
 *	permissions (see SECURITY). cache_set_max_ttl() sets the longest
 *	life a DANE entry or TXT check may claim when read back
 *	(cache_max_ttl; CACHE_DEFAULT_MAX_TTL until set).
 *
 *	cache_forget() deletes, in one transaction, the DANE verdict and
 *	the MTA-STS row (policy, TXT check and failure marks) of domain,
 *	or of every domain when domain is NULL, and stores how many rows
 *	went in *dane and *sts. It returns 0, or -1 when nothing could be
 *	deleted (disabled cache, lock held longer than busy_ms, read-only
 *	file). Counters and leases stay.
 *
 *	cache_state_get() reads the row name of the state table (small
 *	facts shared by the helpers: the last resolver probe, the settings
 *	fingerprint): 0 with value, why and stamp, -1 when there is none
 *	or it is malformed (texts are cut and made printable like why
 *	texts). cache_state_put() inserts or replaces it (0, or -1).
 *	cache_state_each() calls fn for every row whose name starts with
 *	prefix, sorted by name.
 *
 *	cache_clear_derived() forgets, in the caller's transaction, what a
 *	change of resolver, CA file, overrides or testing mode can make
 *	wrong: every DANE verdict, every MTA-STS failure mark and TXT
 *	check, the rows that only remember failures, and the resolver
 *	probes. Unexpired MTA-STS policies stay: a policy fetched and
 *	validated is a fact whatever the settings (RFC 8461 section 3.3).
 *	It stores the rows cleared in *dane and *sts and returns 0, or -1.
 *
 *	cache_check() is for tlspolicyd -t: it opens an existing cache
 *	file without creating, migrating or repairing it, runs PRAGMA
 *	integrity_check, and takes the write lock and gives it back at
 *	once (waiting at most busy_ms for a writer). It returns 0, or -1
 *	with the reason in why (cannot open, read-only for this user,
 *	damaged, lock not obtained).
 *	cache_enabled() is false for a disabled or refused cache.
 *	cache_wrote() is true once this connection has changed a row
 *	(sqlite3_total_changes()): its commits have changed the cache's
 *	stamp for memo(3) anyway.
 *	cache_dane_init()/cache_dane_free() and cache_sts_init()/
 *	cache_sts_free() make and release entries; cache_put_sts() inserts
 *	or replaces an MTA-STS row, as cache_put_dane() a DANE row (0, or
 *	-1 when writes fail or are paused).
 *
 *	cache_begin(), cache_commit() and cache_rollback() bracket a write
 *	transaction (BEGIN IMMEDIATE; 0 or -1). cache_counter_add() adds n
 *	to a metrics counter; cache_counters_each() calls fn for every
 *	counter row that passes the checks of SECURITY; cache_count_rows()
 *	counts a table's rows (-1 on error).
 *
 *	Leases: cache_lease_take() gives domain (any key: "DOMAIN" for a
 *	refresh, "lookup DOMAIN", "refresh DOMAIN") to holder for seconds
 *	unless another holder has it: 1 taken, 0 held by another, -1 no
 *	cache. cache_lease_held() tells whether anyone holds it at now;
 *	cache_lease_extend() keeps holder's lease until a later time (a
 *	back-off); cache_lease_drop() gives it back.
 *
 *	cache_prune() deletes rows expired for CACHE_KEEP_EXPIRED seconds,
 *	and with max_entries > 0 the entries nearest expiry above that
 *	many per table - never an unexpired MTA-STS enforce policy.
 *
 * SECURITY
 *	Whoever can write the cache can forge any answer. cache_open()
 *	refuses (disabled cache, one warning) a file or directory that is
 *	writable by group or others or owned by another user
 *	(priv_cache_trusted()). The connection runs with
 *	SQLITE_DBCONFIG_DEFENSIVE and trusted_schema OFF. cache_get_dane()
 *	and cache_get_sts() trust no column: a NULL or mistyped column, an
 *	unknown verdict or mode, a bad id or an over-long policy makes the
 *	row a miss with a warning, and a "temp" verdict is never read back
 *	as a fact; times are clamped (entries and TXT checks to max_ttl from
 *	now, policies to CACHE_STS_MAX_AGE, fetched and last_fail to now);
 *	why texts become printable ASCII of at most CACHE_MAX_WHY bytes.
 * DIAGNOSTICS
 *	A file that is not a database or is corrupt is renamed to
 *	path.corrupt-TIME-PID and recreated, with a warning. An unopenable
 *	file disables caching with a warning. Errors during a get or put
 *	are logged and treated as a miss (or a skipped put). A write that
 *	fails because another writer held the lock longer than busy_ms, or
 *	because the file is read-only or the disk full, pauses all writes of
 *	this process for CACHE_WRITE_PAUSE seconds (one warning), so that
 *	later lookups neither wait for the lock again nor log again; reads
 *	go on.
 *--*/
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "cache.h"
#include "dane_verdict.h"
#include "log.h"
#include "mem.h"
#include "priv.h"

#define CACHE_MAX_WHY	1000		/* why texts read back, bytes */
#define CACHE_MAX_POLICY 65536		/* policy text read back, bytes */

/* The statements of every lookup, prepared when the cache is opened. */
typedef enum {
    CACHE_GET_DANE, CACHE_PUT_DANE, CACHE_GET_STS, CACHE_PUT_STS, CACHE_HOT_COUNT
} CACHE_HOT;

static const char *const cache_hot_sql[CACHE_HOT_COUNT] = {
    [CACHE_GET_DANE] = "SELECT verdict, why, ttl, fetched, expires FROM dane"
    " WHERE domain = ?1",
    [CACHE_PUT_DANE] = "INSERT OR REPLACE INTO dane (domain, verdict,"
    " why, ttl, fetched, expires) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [CACHE_GET_STS] = "SELECT id, mode, max_age, policy, fetched, expires,"
    " last_fail, fail_why, txt_expires, txt_ttl FROM sts WHERE domain = ?1",
    [CACHE_PUT_STS] = "INSERT OR REPLACE INTO sts (domain, id, mode,"
    " max_age, policy, fetched, expires, last_fail, fail_why, txt_expires,"
    " txt_ttl) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
};

struct CACHE {
    sqlite3 *db;			/* NULL: disabled */
    char   *path;
    int     busy_ms;
    int     recovered;			/* moved a corrupt file aside once */
    time_t  write_pause;		/* no writes before this time */
    long long max_ttl;			/* DANE and TXT lives read back, at most */
    int     refused;			/* unsafe permissions: not opened */
    int     wal_due;			/* the WAL passed CACHE_WAL_PAGES */
    sqlite3_stmt *hot[CACHE_HOT_COUNT];	/* cache_hot_sql[] */
    sqlite3_stmt *begin;		/* "BEGIN", prepared at first use */
    sqlite3_stmt *commit;		/* "COMMIT", likewise */
};

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

/* v6: finer DANE verdicts (dane_verdict.c); policy_view follows the
 * decision table of decide.c. An older release's "dane" is dropped: it
 * does not say which kind of DANE the domain has. */
static const char *const cache_schema_v6[] = {
    "DELETE FROM dane WHERE verdict = 'dane'",
    "DROP VIEW IF EXISTS policy_view",
    "CREATE VIEW IF NOT EXISTS policy_view AS SELECT d.domain AS domain,"
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
    " FROM dane d LEFT JOIN sts s ON s.domain = d.domain",
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

/* The schema, one list of statements per version, applied in order. */
static const char *const *const cache_migrations[CACHE_SCHEMA_VERSION] = {
    cache_schema_v1, cache_schema_v2, cache_schema_v3, cache_schema_v4,
    cache_schema_v5, cache_schema_v6, cache_schema_v7,
};

/* cache_is_corrupt - SQLite says the file is not a usable database */
static int cache_is_corrupt(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* cache_exec - run one statement without results */
static int cache_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, 0, 0, 0);
}

/* cache_version - schema version, 0 when there is none yet */
static int cache_version(sqlite3 *db, int *version)
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

/* cache_is_current - schema up to date: no write lock needed to open */
static int cache_is_current(sqlite3 *db)
{
    int     version;

    if (cache_version(db, &version) != SQLITE_OK)
	return 0;
    if (version > CACHE_SCHEMA_VERSION)
	log_warn("cache schema version %d is newer than this tlspolicyd (%d);"
		 " using it as is", version, CACHE_SCHEMA_VERSION);
    return version >= CACHE_SCHEMA_VERSION;
}

/* cache_migrate - bring the schema up to date in one transaction */
static int cache_migrate(sqlite3 *db)
{
    const char *const *sql;
    int     version = 0;
    int     rc;

    int     v;

    if (cache_is_current(db))
	return SQLITE_OK;
    if ((rc = cache_exec(db, "BEGIN IMMEDIATE")) != SQLITE_OK)
	return rc;
    rc = cache_exec(db, cache_schema_v1[0]);
    if (rc == SQLITE_OK)
	rc = cache_version(db, &version);
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

/* cache_wal_hook - after each commit: note a WAL to reset; cap its growth */
static int cache_wal_hook(void *ctx, sqlite3 *db, const char *name, int pages)
{
    CACHE  *cache = (CACHE *) ctx;

    if (pages >= CACHE_WAL_PAGES)
	cache->wal_due = 1;
    if (pages >= CACHE_WAL_PAGES_MAX)	/* no reply came to reset it */
	(void) sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_PASSIVE, 0, 0);
    return SQLITE_OK;
}

/* cache_prepare - the statements of the hot path */
static int cache_prepare(CACHE *cache)
{
    int     rc = SQLITE_OK;
    int     i;

    for (i = 0; rc == SQLITE_OK && i < CACHE_HOT_COUNT; i++)
	rc = sqlite3_prepare_v2(cache->db, cache_hot_sql[i], -1, &cache->hot[i], 0);
    if (rc == SQLITE_OK)
	(void) sqlite3_wal_hook(cache->db, cache_wal_hook, cache);
    return rc;
}

/* cache_disconnect - finalize statements and close */
static void cache_disconnect(CACHE *cache)
{
    int     i;

    for (i = 0; i < CACHE_HOT_COUNT; i++) {
	sqlite3_finalize(cache->hot[i]);
	cache->hot[i] = 0;
    }
    sqlite3_finalize(cache->begin);
    sqlite3_finalize(cache->commit);
    cache->begin = cache->commit = 0;
    if (cache->db)
	sqlite3_close(cache->db);
    cache->db = 0;
}

/*
 * cache_keep_wal - helpers come and go with every Postfix connection, and
 * the last one to close a WAL database deletes the -wal and -shm files,
 * which the next one creates again: about 200 us of a new connection's
 * first answer. Keep both files. Nor does the last one checkpoint: that
 * took an EXCLUSIVE lock on the database and three fdatasync() calls
 * after every connection's last reply, while the next connection's
 * helper was starting (and could wait in the busy handler for that
 * lock). The WAL is reset by cache_checkpoint() instead, after a reply,
 * once it holds CACHE_WAL_PAGES pages, so that a helper that finds no
 * other one rebuilds the WAL index from a few pages only.
 */
static void cache_keep_wal(sqlite3 *db)
{
    int     persist = 1;

    (void) sqlite3_file_control(db, "main", SQLITE_FCNTL_PERSIST_WAL, &persist);
    (void) sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *) 0);
}

/* cache_connect - open, WAL, schema, statements; an SQLite code */
static int cache_connect(CACHE *cache)
{
    int     rc;

    rc = sqlite3_open_v2(cache->path, &cache->db, SQLITE_OPEN_READWRITE
		       | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, 0);
    if (rc != SQLITE_OK)
	return rc;
    sqlite3_busy_timeout(cache->db, cache->busy_ms);
    cache_keep_wal(cache->db);
    rc = sqlite3_db_config(cache->db, SQLITE_DBCONFIG_DEFENSIVE, 1, (int *) 0);
    if (rc == SQLITE_OK)
	rc = cache_exec(cache->db, "PRAGMA trusted_schema = OFF");
    if (rc == SQLITE_OK)
	rc = cache_exec(cache->db, "PRAGMA journal_mode = WAL");
    if (rc == SQLITE_OK)
	rc = cache_exec(cache->db, "PRAGMA synchronous = NORMAL");
    if (rc == SQLITE_OK)
	rc = cache_exec(cache->db, "PRAGMA journal_size_limit = " CACHE_WAL_LIMIT);
    if (rc == SQLITE_OK)
	rc = cache_migrate(cache->db);
    if (rc == SQLITE_OK)
	rc = cache_prepare(cache);
    return rc;
}

/* cache_move_aside - rename a corrupt file so that a new one is made */
static void cache_move_aside(CACHE *cache)
{
    char    aside[4096];
    char    side[4096];

    (void) snprintf(aside, sizeof(aside), "%s.corrupt-%lld-%ld", cache->path,
		    (long long) time(0), (long) getpid());
    if (rename(cache->path, aside) < 0)
	log_warn("cache %s: cannot move corrupt file aside: %m", cache->path);
    else
	log_warn("cache %s is corrupt or not a database; moved to %s and"
		 " starting a new one", cache->path, aside);
    (void) snprintf(side, sizeof(side), "%s-wal", cache->path);
    (void) unlink(side);
    (void) snprintf(side, sizeof(side), "%s-shm", cache->path);
    (void) unlink(side);
    cache->recovered = 1;
}

/* cache_is_busy - another connection holds a lock we must wait for */
static int cache_is_busy(int rc)
{
    return (rc & 0xff) == SQLITE_BUSY || (rc & 0xff) == SQLITE_LOCKED;
}

/* cache_connect_busy - connect; while another helper holds a lock that
 * SQLite does not wait for itself (a journal mode change, a WAL index
 * being rebuilt when many helpers open at once), try again, for at most
 * busy_ms: one helper must not run without the cache for that */
static int cache_connect_busy(CACHE *cache)
{
    int     rc;
    int     waited = 0;
    int     ms = 2;

    while ((rc = cache_connect(cache)) != SQLITE_OK && cache_is_busy(rc)
	   && waited < cache->busy_ms) {
	cache_disconnect(cache);
	(void) poll(0, 0, ms);
	waited += ms;
	if (ms < 64)
	    ms *= 2;
    }
    return rc;
}

/* cache_reconnect - connect; recover once from a corrupt file */
static void cache_reconnect(CACHE *cache)
{
    int     rc = cache_connect_busy(cache);

    if (rc != SQLITE_OK && cache_is_corrupt(rc) && !cache->recovered) {
	cache_disconnect(cache);
	cache_move_aside(cache);
	rc = cache_connect(cache);
    }
    if (rc != SQLITE_OK) {
	log_warn("cache %s unusable (%s); answering without a cache",
		 cache->path, sqlite3_errstr(rc));
	cache_disconnect(cache);
    }
}

/* cache_library - a helper is one thread: SQLite without mutexes and
 * without memory statistics (a mutex per allocation); once per process,
 * before the first connection (later calls are refused, harmlessly) */
static void cache_library(void)
{
    (void) sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
    (void) sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

/* cache_open - never NULL; check cache_enabled() */
CACHE  *cache_open(const char *path, int busy_ms)
{
    CACHE  *cache = mem_calloc(1, sizeof(*cache));

    VSTR   *why;
    cache_library();

    cache->path = mem_strdup(path);
    cache->busy_ms = busy_ms;
    cache->max_ttl = CACHE_DEFAULT_MAX_TTL;
    if (*path == 0)
	return cache;
    why = vstr_new(64);
    if (priv_cache_trusted(path, why) < 0) {
	log_warn("cache %s refused: %s; answering without a cache",
		 path, vstr_str(why));
	cache->refused = 1;
    } else {
	cache_reconnect(cache);
    }
    vstr_free(why);
    return cache;
}

/* cache_refused - was the cache refused for its permissions? */
int     cache_refused(const CACHE *cache)
{
    return cache != 0 && cache->refused;
}

/* cache_set_max_ttl - the longest DANE or TXT life a row may claim */
void    cache_set_max_ttl(CACHE *cache, long max_ttl)
{
    if (max_ttl > 0)
	cache->max_ttl = max_ttl;
}

/* cache_due - an entry in the last quarter of its lifetime: refresh it */
int     cache_due(long long expires, long long lifetime, time_t now)
{
    if (lifetime <= 0)
	return 0;
    if (expires <= (long long) now)	/* no subtraction can overflow */
	return 1;
    return expires - (long long) now <= lifetime / 4;
}

/* cache_enabled - is there a database behind it? */
int     cache_enabled(const CACHE *cache)
{
    return cache != 0 && cache->db != 0;
}

/* cache_wrote - has this connection changed any row? */
int     cache_wrote(const CACHE *cache)
{
    return cache_enabled(cache) && sqlite3_total_changes(cache->db) > 0;
}

/* cache_close - release everything */
void    cache_close(CACHE *cache)
{
    if (cache == 0)
	return;
    cache_disconnect(cache);
    mem_free(cache->path);
    mem_free(cache);
}

/* cache_is_unwritable - a write failed for a reason that will last a while */
static int cache_is_unwritable(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_BUSY || rc == SQLITE_LOCKED || rc == SQLITE_READONLY
	|| rc == SQLITE_FULL || rc == SQLITE_IOERR || rc == SQLITE_CANTOPEN;
}

/* cache_may_write - enabled, and writes not paused */
static int cache_may_write(CACHE *cache)
{
    return cache_enabled(cache) && time(0) >= cache->write_pause;
}

/* cache_failed - log a statement error; pause writes; recover from corruption */
static void cache_failed(CACHE *cache, const char *what, int rc)
{
    if (cache_is_unwritable(rc)) {
	log_warn("cache %s: %s failed: %s; not writing to the cache for %ds",
		 cache->path, what, sqlite3_errmsg(cache->db), CACHE_WRITE_PAUSE);
	cache->write_pause = time(0) + CACHE_WRITE_PAUSE;
	return;
    }
    log_warn("cache %s: %s failed: %s", cache->path, what,
	     sqlite3_errmsg(cache->db));
    if (cache_is_corrupt(rc) && !cache->recovered) {
	cache_disconnect(cache);
	cache_move_aside(cache);
	cache_reconnect(cache);
    }
}

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

/* cache_copy_text - column text into a fixed buffer, always terminated */
static void cache_copy_text(char *dst, size_t size, const unsigned char *src)
{
    (void) snprintf(dst, size, "%s", src ? (const char *) src : "");
}

/* cache_types_ok - each column has its declared type: T text, I integer */
static int cache_types_ok(sqlite3_stmt *st, const char *types)
{
    int     i;

    for (i = 0; types[i]; i++)
	if (sqlite3_column_type(st, i) != (types[i] == 'T' ? SQLITE_TEXT :
					    SQLITE_INTEGER))
	    return 0;
    return 1;
}

/* cache_clean_text - a text column, printable ASCII, at most max bytes */
static void cache_clean_text(VSTR *dst, sqlite3_stmt *st, int col, size_t max)
{
    const unsigned char *txt = sqlite3_column_text(st, col);
    size_t  len = (size_t) sqlite3_column_bytes(st, col);
    size_t  i;

    vstr_reset(dst);
    for (i = 0; txt != 0 && i < len && i < max; i++)
	vstr_addch(dst, txt[i] >= 0x20 && txt[i] < 0x7f ? (char) txt[i] : '?');
}

/* cache_clamp - v within lo..hi */
static long long cache_clamp(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* cache_in_list - exact word in a NULL-terminated list */
static int cache_in_list(const char *const *list, const char *word)
{
    for (; *list; list++)
	if (strcmp(*list, word) == 0)
	    return 1;
    return 0;
}

/* cache_bad_row - an untrusted row is a miss, with a warning */
static CACHE_STATUS cache_bad_row(CACHE *cache, const char *table,
				          const char *domain, const char *why)
{
    char    safe[LOG_SAFE_SIZE];

    log_warn("cache %s: %s entry for %s ignored: %s", cache->path, table,
	     log_safe(safe, sizeof(safe), domain, strlen(domain)), why);
    return CACHE_MISS;
}

/* cache_read_dane - check and copy one DANE row; never trusts it */
static CACHE_STATUS cache_read_dane(CACHE *cache, sqlite3_stmt *st,
				            const char *domain, time_t now,
				            void *dane)
{
    CACHE_DANE *ent = dane;
    DV_VERDICT verdict;

    if (!cache_types_ok(st, "TTIII"))
	return cache_bad_row(cache, "dane", domain, "a column is NULL or of"
			     " the wrong type");
    cache_copy_text(ent->verdict, sizeof(ent->verdict), sqlite3_column_text(st, 0));
    if (dane_verdict_verdict_from_name(ent->verdict, &verdict) < 0)
	return cache_bad_row(cache, "dane", domain, strcmp(ent->verdict, "temp")
			     == 0 ? "a temporary failure is not a fact" :
			     "unknown verdict");
    cache_clean_text(ent->why, st, 1, CACHE_MAX_WHY);
    ent->ttl = (int) cache_clamp(sqlite3_column_int64(st, 2), 0, cache->max_ttl);
    ent->fetched = cache_clamp(sqlite3_column_int64(st, 3), 0, (long long) now);
    ent->expires = cache_clamp(sqlite3_column_int64(st, 4), 0,
			       (long long) now + cache->max_ttl);
    return ent->expires > (long long) now ? CACHE_FRESH : CACHE_STALE;
}

/* cache_done - reset a statement after its step; log a failed step */
static void cache_done(CACHE *cache, sqlite3_stmt *st, int rc, const char *what)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
	cache_failed(cache, what, rc);
}

/* A function that checks and copies one row into an entry of its table. */
typedef CACHE_STATUS (*CACHE_READ_FN) (CACHE *, sqlite3_stmt *, const char *,
				               time_t, void *);

/* cache_get - the row of domain, read by its table's function */
static CACHE_STATUS cache_get(CACHE *cache, CACHE_HOT which, const char *domain,
			              time_t now, CACHE_READ_FN read, void *ent)
{
    sqlite3_stmt *st;
    CACHE_STATUS status = CACHE_MISS;
    int     rc;

    if (!cache_enabled(cache))
	return CACHE_MISS;
    st = cache->hot[which];
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    if ((rc = sqlite3_step(st)) == SQLITE_ROW)
	status = read(cache, st, domain, now, ent);
    cache_done(cache, st, rc, "read");
    return status;
}

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

/* cache_bind - args[0] to ?1, args[1] to ?2, ... */
static void cache_bind(sqlite3_stmt *st, const CACHE_ARG *args, int nargs)
{
    int     i;

    for (i = 0; i < nargs; i++) {
	if (args[i].is_text)
	    sqlite3_bind_text(st, i + 1, args[i].text, -1, SQLITE_STATIC);
	else
	    sqlite3_bind_int64(st, i + 1, args[i].num);
    }
}

/* cache_put - bind and run a prepared insert; 0, or -1 (logged) */
static int cache_put(CACHE *cache, CACHE_HOT which, const CACHE_ARG *args,
		             int nargs)
{
    int     rc;

    if (!cache_may_write(cache))
	return -1;
    cache_bind(cache->hot[which], args, nargs);
    rc = sqlite3_step(cache->hot[which]);
    cache_done(cache, cache->hot[which], rc, "write");
    return rc == SQLITE_DONE ? 0 : -1;
}

/* cache_write - prepare, bind and run one write; 0, or -1 (logged as what) */
static int cache_write(CACHE *cache, const char *sql, const CACHE_ARG *args,
		               int nargs, const char *what)
{
    sqlite3_stmt *st;
    int     rc;

    if (!cache_may_write(cache))
	return -1;
    if ((rc = sqlite3_prepare_v2(cache->db, sql, -1, &st, 0)) == SQLITE_OK) {
	cache_bind(st, args, nargs);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
    }
    if (rc != SQLITE_DONE) {
	cache_failed(cache, what, rc);
	return -1;
    }
    return 0;
}

/* cache_get_dane - one DANE verdict */
CACHE_STATUS cache_get_dane(CACHE *cache, const char *domain, time_t now,
			            CACHE_DANE *ent)
{
    return cache_get(cache, CACHE_GET_DANE, domain, now, cache_read_dane, ent);
}

/* cache_put_dane - insert or replace one DANE verdict */
int     cache_put_dane(CACHE *cache, const char *domain, const CACHE_DANE *ent)
{
    const CACHE_ARG row[] = {
	CACHE_TEXT(domain), CACHE_TEXT(ent->verdict), CACHE_TEXT(vstr_str(ent->why)),
	CACHE_INT(ent->ttl), CACHE_INT(ent->fetched), CACHE_INT(ent->expires),
    };

    return cache_put(cache, CACHE_PUT_DANE, row, CACHE_NARGS(row));
}

/* cache_sts_init - empty entry */
void    cache_sts_init(CACHE_STS *ent)
{
    memset(ent, 0, sizeof(*ent));
    ent->policy = vstr_new(128);
    ent->fail_why = vstr_new(64);
}

/* cache_sts_free - release */
void    cache_sts_free(CACHE_STS *ent)
{
    vstr_free(ent->policy);
    vstr_free(ent->fail_why);
    ent->policy = ent->fail_why = 0;
}

/* cache_text - a text column into a VSTR */
static void cache_text(VSTR *dst, sqlite3_stmt *st, int col)
{
    const unsigned char *txt = sqlite3_column_text(st, col);

    vstr_reset(dst);
    vstr_addstr(dst, txt ? (const char *) txt : "");
}

/* cache_sts_id_ok - "" or 1-32 letters and digits */
static int cache_sts_id_ok(const char *id)
{
    size_t  i;

    for (i = 0; id[i]; i++)
	if (!((id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z')
	      || (id[i] >= '0' && id[i] <= '9')))
	    return 0;
    return i <= 32;
}

/* cache_col_str - a text column, "" for NULL */
static const char *cache_col_str(sqlite3_stmt *st, int col)
{
    const unsigned char *txt = sqlite3_column_text(st, col);

    return txt ? (const char *) txt : "";
}

/* cache_sts_check - types, id, mode and sizes of one MTA-STS row */
static const char *cache_sts_check(sqlite3_stmt *st)
{
    static const char *const modes[] = {"", "enforce", "testing", "none", 0};

    if (!cache_types_ok(st, "TTITIIITII"))
	return "a column is NULL or of the wrong type";
    if (sqlite3_column_bytes(st, 0) > 32 || !cache_sts_id_ok(cache_col_str(st, 0)))
	return "bad id";
    if (sqlite3_column_bytes(st, 1) > 7 || !cache_in_list(modes, cache_col_str(st, 1)))
	return "unknown mode";
    if (sqlite3_column_bytes(st, 3) > CACHE_MAX_POLICY)
	return "policy text too long";
    return 0;
}

/* cache_read_sts - check and copy one MTA-STS row; never trusts it */
static CACHE_STATUS cache_read_sts(CACHE *cache, sqlite3_stmt *st,
				           const char *domain, time_t now,
				           void *sts)
{
    CACHE_STS *ent = sts;
    const char *bad = cache_sts_check(st);
    long long t = (long long) now;

    if (bad)
	return cache_bad_row(cache, "sts", domain, bad);
    cache_copy_text(ent->id, sizeof(ent->id), sqlite3_column_text(st, 0));
    cache_copy_text(ent->mode, sizeof(ent->mode), sqlite3_column_text(st, 1));
    ent->max_age = cache_clamp(sqlite3_column_int64(st, 2), 0, CACHE_STS_MAX_AGE);
    cache_text(ent->policy, st, 3);
    ent->fetched = cache_clamp(sqlite3_column_int64(st, 4), 0, t);
    ent->expires = cache_clamp(sqlite3_column_int64(st, 5), 0, t + CACHE_STS_MAX_AGE);
    ent->last_fail = cache_clamp(sqlite3_column_int64(st, 6), 0, t);
    cache_clean_text(ent->fail_why, st, 7, CACHE_MAX_WHY);
    ent->txt_expires = cache_clamp(sqlite3_column_int64(st, 8), 0, t + cache->max_ttl);
    ent->txt_ttl = (int) cache_clamp(sqlite3_column_int64(st, 9), 0, cache->max_ttl);
    return ent->expires > t ? CACHE_FRESH : CACHE_STALE;
}

/* cache_get_sts - one MTA-STS entry (a policy, or failures only) */
CACHE_STATUS cache_get_sts(CACHE *cache, const char *domain, time_t now,
			           CACHE_STS *ent)
{
    return cache_get(cache, CACHE_GET_STS, domain, now, cache_read_sts, ent);
}

/* cache_put_sts - insert or replace one MTA-STS entry */
int     cache_put_sts(CACHE *cache, const char *domain, const CACHE_STS *ent)
{
    const CACHE_ARG row[] = {
	CACHE_TEXT(domain), CACHE_TEXT(ent->id), CACHE_TEXT(ent->mode),
	CACHE_INT(ent->max_age), CACHE_TEXT(vstr_str(ent->policy)),
	CACHE_INT(ent->fetched), CACHE_INT(ent->expires), CACHE_INT(ent->last_fail),
	CACHE_TEXT(vstr_str(ent->fail_why)), CACHE_INT(ent->txt_expires),
	CACHE_INT(ent->txt_ttl),
    };

    return cache_put(cache, CACHE_PUT_STS, row, CACHE_NARGS(row));
}

/* cache_tx - BEGIN IMMEDIATE or COMMIT; -1, logged, when it fails */
static int cache_tx(CACHE *cache, const char *sql, const char *what)
{
    int     rc;

    if ((rc = cache_exec(cache->db, sql)) != SQLITE_OK) {
	cache_failed(cache, what, rc);
	return -1;
    }
    return 0;
}

/* cache_begin - start a write transaction */
int     cache_begin(CACHE *cache)
{
    return cache_may_write(cache) ? cache_tx(cache, "BEGIN IMMEDIATE", "begin") : -1;
}

/* cache_commit - end it */
int     cache_commit(CACHE *cache)
{
    return cache_enabled(cache) ? cache_tx(cache, "COMMIT", "commit") : -1;
}

/* cache_rollback - abandon it */
void    cache_rollback(CACHE *cache)
{
    if (cache_enabled(cache))
	(void) cache_exec(cache->db, "ROLLBACK");
}

/* cache_counter_add - counters(name, labels) += n */
int     cache_counter_add(CACHE *cache, const char *name, const char *labels,
			          unsigned long n)
{
    const CACHE_ARG args[] = {CACHE_TEXT(name), CACHE_TEXT(labels), CACHE_INT(n)};

    return cache_write(cache, "INSERT INTO counters (name, labels, value)"
		       " VALUES (?1, ?2, ?3) ON CONFLICT (name, labels)"
		       " DO UPDATE SET value = value + excluded.value",
		       args, CACHE_NARGS(args), "counter update");
}

/* cache_counters_each - every counter row, sorted */
void    cache_counters_each(CACHE *cache, CACHE_COUNTER_FN fn, void *ctx)
{
    sqlite3_stmt *st;

    if (!cache_enabled(cache))
	return;
    if (sqlite3_prepare_v2(cache->db, "SELECT name, labels, value FROM counters"
			   " ORDER BY name, labels", -1, &st, 0) != SQLITE_OK)
	return;
    while (sqlite3_step(st) == SQLITE_ROW) {
	const char *name = (const char *) sqlite3_column_text(st, 0);
	const char *labels = (const char *) sqlite3_column_text(st, 1);

	if (name != 0)			/* a hand-made row: skipped */
	    fn(ctx, name, labels ? labels : "", sqlite3_column_int64(st, 2));
    }
    sqlite3_finalize(st);
}

/* cache_count_rows - entries in a table we own ("dane" or "sts") */
long long cache_count_rows(CACHE *cache, const char *table)
{
    sqlite3_stmt *st;
    long long n = 0;
    char    sql[64];

    if (!cache_enabled(cache)
	|| (strcmp(table, "dane") != 0 && strcmp(table, "sts") != 0))
	return 0;
    (void) snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
    if (sqlite3_prepare_v2(cache->db, sql, -1, &st, 0) != SQLITE_OK)
	return 0;
    if (sqlite3_step(st) == SQLITE_ROW)
	n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return n;
}

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
			    " WHERE leases.until <= ?4", -1, &st, 0);
    if (rc == SQLITE_OK) {
	sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, holder);
	sqlite3_bind_int64(st, 3, (long long) now + seconds);
	sqlite3_bind_int64(st, 4, (long long) now);
	rc = sqlite3_step(st);
	taken = sqlite3_changes(cache->db) > 0;
	sqlite3_finalize(st);
    }
    if (rc != SQLITE_DONE || cache_commit(cache) < 0) {
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
	log_info("cache %s: pruned %d entries", cache->path, changes);
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

/* cache_prune - drop long-expired rows; keep at most max_entries per table */
void    cache_prune(CACHE *cache, time_t now, long max_entries)
{
    long long old = (long long) now - CACHE_KEEP_EXPIRED;

    if (!cache_may_write(cache))
	return;
    cache_prune_sql(cache, "DELETE FROM dane WHERE expires < ?1", old);
    cache_prune_sql(cache, "DELETE FROM sts WHERE expires < ?1 AND last_fail < ?1", old);
    cache_prune_sql(cache, "DELETE FROM leases WHERE until < ?1", old);
    if (max_entries <= 0)
	return;
    cache_prune_sql(cache, "DELETE FROM dane WHERE domain IN (SELECT domain FROM"
		    " dane ORDER BY expires LIMIT max(0, (SELECT count(*) FROM dane) - ?1))",
		    max_entries);
    cache_prune_sts(cache, now, max_entries);
}

/* cache_lease_held - a refresh runs or backs off for this domain */
int     cache_lease_held(CACHE *cache, const char *domain, time_t now)
{
    sqlite3_stmt *st;
    int     held = 0;

    if (!cache_enabled(cache)
	|| sqlite3_prepare_v2(cache->db, "SELECT 1 FROM leases WHERE domain = ?1"
			      " AND until > ?2", -1, &st, 0) != SQLITE_OK)
	return 0;
    sqlite3_bind_text(st, 1, domain, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (long long) now);
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

/* cache_forget_sql - one DELETE, domain bound when not NULL; rows or -1 */
static long long cache_forget_sql(CACHE *cache, const char *table,
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

/* cache_forget - drop the DANE and MTA-STS rows of domain (NULL: all) */
int     cache_forget(CACHE *cache, const char *domain, long long *dane,
		             long long *sts)
{
    *dane = *sts = 0;
    if (cache_begin(cache) < 0)
	return -1;
    if ((*dane = cache_forget_sql(cache, "dane", domain)) < 0
	|| (*sts = cache_forget_sql(cache, "sts", domain)) < 0
	|| cache_commit(cache) < 0) {
	cache_rollback(cache);
	*dane = *sts = 0;
	return -1;
    }
    return 0;
}

/* cache_check_db - integrity, then a write lock taken and given back */
static int cache_check_db(sqlite3 *db, VSTR *why)
{
    sqlite3_stmt *st;
    int     rc;

    if (sqlite3_db_readonly(db, "main") == 1) {
	vstr_printf(why, "the file is read-only for this user");
	return -1;
    }
    rc = sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &st, 0);
    if (rc == SQLITE_OK && (rc = sqlite3_step(st)) == SQLITE_ROW
	&& strcmp((const char *) sqlite3_column_text(st, 0), "ok") != 0) {
	vstr_printf(why, "PRAGMA integrity_check: %s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return -1;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW) {
	vstr_printf(why, "PRAGMA integrity_check failed: %s", sqlite3_errmsg(db));
	return -1;
    }
    if (cache_exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) {
	vstr_printf(why, "cannot take the write lock: %s", sqlite3_errmsg(db));
	return -1;
    }
    (void) cache_exec(db, "ROLLBACK");
    return 0;
}

/* cache_check - an existing cache: opens, intact, writable; never repairs */
int     cache_check(const char *path, int busy_ms, VSTR *why)
{
    sqlite3 *db = 0;
    int     rc;
    int     ret;

    rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE
			 | SQLITE_OPEN_NOMUTEX, 0);
    if (rc != SQLITE_OK) {
	vstr_printf(why, "cannot open it: %s", db ? sqlite3_errmsg(db)
		    : sqlite3_errstr(rc));
	sqlite3_close(db);
	return -1;
    }
    sqlite3_busy_timeout(db, busy_ms);
    cache_keep_wal(db);
    ret = cache_check_db(db, why);
    sqlite3_close(db);
    return ret;
}

/*
 * One read transaction per lookup. SQLite takes and drops a POSIX lock on
 * the -shm file for every read transaction; a lookup that reads the DANE
 * verdict and the MTA-STS entry in one transaction pays that once. The
 * transaction must end before anything that waits (DNS, HTTPS, a lease)
 * and before any write: a reader holds back checkpoints, and a write
 * from an old snapshot fails with SQLITE_BUSY_SNAPSHOT.
 */

/* cache_run - step a statement without results, prepared at first use */
static void cache_run(CACHE *cache, sqlite3_stmt **st, const char *sql)
{
    if (*st == 0 && sqlite3_prepare_v2(cache->db, sql, -1, st, 0) != SQLITE_OK)
	return;
    (void) sqlite3_step(*st);
    (void) sqlite3_reset(*st);
}

/* cache_read_begin - start the read transaction of one lookup */
void    cache_read_begin(CACHE *cache)
{
    if (cache_enabled(cache) && sqlite3_get_autocommit(cache->db))
	cache_run(cache, &cache->begin, "BEGIN");
}

/* cache_read_end - end it (nothing to do outside a transaction) */
void    cache_read_end(CACHE *cache)
{
    if (cache_enabled(cache) && !sqlite3_get_autocommit(cache->db))
	cache_run(cache, &cache->commit, "COMMIT");
}

/* cache_checkpoint - after a reply: reset a WAL that has grown, no waiting */
void    cache_checkpoint(CACHE *cache)
{
    if (!cache_enabled(cache) || !cache->wal_due)
	return;
    cache->wal_due = 0;
    sqlite3_busy_timeout(cache->db, 0);
    (void) sqlite3_wal_checkpoint_v2(cache->db, "main",
				     SQLITE_CHECKPOINT_TRUNCATE, 0, 0);
    sqlite3_busy_timeout(cache->db, cache->busy_ms);
}

/* cache_state_text - a state column read back: printable, bounded */
static void cache_state_text(sqlite3_stmt *st, int col, VSTR *out)
{
    const unsigned char *text = sqlite3_column_text(st, col);
    size_t  i;

    vstr_reset(out);
    for (i = 0; text && text[i] && i < CACHE_MAX_WHY; i++)
	vstr_addch(out, text[i] >= 0x20 && text[i] < 0x7f ? (char) text[i] : '?');
}

/* cache_state_get - one row of the state table; -1 when none */
int     cache_state_get(CACHE *cache, const char *name, VSTR *value,
			        VSTR *why, long long *stamp)
{
    sqlite3_stmt *st;
    int     ret = -1;

    if (!cache_enabled(cache))
	return -1;
    if (sqlite3_prepare_v2(cache->db, "SELECT value, why, stamp FROM state"
			   " WHERE name = ?1", -1, &st, 0) != SQLITE_OK)
	return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW
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

/* cache_clear_sql - one statement of cache_clear_derived(); rows or -1 */
static long long cache_clear_sql(CACHE *cache, const char *sql)
{
    int     rc = cache_exec(cache->db, sql);

    if (rc != SQLITE_OK) {
	cache_failed(cache, "clear", rc);
	return -1;
    }
    return sqlite3_changes(cache->db);
}

/* cache_clear_derived - forget what other settings could have changed */
int     cache_clear_derived(CACHE *cache, long long *dane, long long *sts)
{
    long long fails;

    *dane = *sts = 0;
    if (!cache_may_write(cache))
	return -1;
    if ((*dane = cache_clear_sql(cache, "DELETE FROM dane")) < 0
	|| (*sts = cache_clear_sql(cache, "DELETE FROM sts WHERE expires = 0")) < 0
	|| (fails = cache_clear_sql(cache, "UPDATE sts SET last_fail = 0,"
				    " fail_why = '', txt_expires = 0"
				    " WHERE last_fail <> 0 OR txt_expires <> 0")) < 0
	|| cache_clear_sql(cache, "DELETE FROM state"
			   " WHERE name LIKE 'resolver %'") < 0)
	return -1;
    *sts += fails;
    return 0;
}
