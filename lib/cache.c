/*++
 * NAME
 *	cache 3
 * SUMMARY
 *	SQLite cache in WAL mode, shared by every helper process
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	CACHE	*cache_open(const char *path, int busy_ms)
 *	CACHE	*cache_open_until(const char *path, int busy_ms,
 *				const struct timespec *until)
 *	void	cache_close(CACHE *cache)
 *	int	cache_enabled(const CACHE *cache)
 *	int	cache_refused(const CACHE *cache)
 *	int	cache_wrote(const CACHE *cache)
 *	const char *cache_last_error(const CACHE *cache)
 *	void	cache_set_max_ttl(CACHE *cache, long max_ttl)
 *	int	cache_due(long long expires, long long lifetime, time_t now)
 *
 *	void	cache_read_begin(CACHE *cache)
 *	void	cache_read_end(CACHE *cache)
 *	void	cache_checkpoint(CACHE *cache)
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
 *	int	cache_check(const char *path, int busy_ms, VSTR *why)
 * INTERNAL (cache_int.h, for cache_*.c only)
 *	int	cache_exec(sqlite3 *db, const char *sql)
 *	int	cache_may_write(CACHE *cache)
 *	void	cache_failed(CACHE *cache, const char *what, int rc)
 *	CACHE_STATUS cache_get(CACHE *cache, CACHE_HOT which,
 *				const char *domain, time_t now,
 *				CACHE_READ_FN read, void *ent)
 *	int	cache_put(CACHE *cache, CACHE_HOT which,
 *				const CACHE_ARG *args, int nargs)
 *	int	cache_write(CACHE *cache, const char *sql,
 *				const CACHE_ARG *args, int nargs,
 *				const char *what)
 * DESCRIPTION
 *	This file is the connection: opening, the write machinery, read
 *	and write transactions, the WAL, counters and the -t check. The
 *	rows live in files of their own, one per concern (cache.h
 *	includes their headers): cache_schema.c (tables, views,
 *	migrations), cache_dane.c and cache_sts.c (entries, read back
 *	through cache_row.c's checks), cache_lease.c (leases),
 *	cache_state.c (named facts), cache_prune.c (rows that go).
 *
 *	cache_open() opens or creates the database at path in WAL mode
 *	(readers never block the writer, and each helper process has its
 *	own connection), with a busy timeout of busy_ms milliseconds
 *	(cache_wait.c: cache_open_until() also ends every wait, the open's
 *	included, at until, the limit of the lookup under way), and
 *	brings an older schema up to date (cache_schema_migrate()). It
 *	never returns NULL: when the cache cannot be used the CACHE is
 *	disabled, gets return CACHE_MISS, puts do nothing, and lookups
 *	still answer. cache_close() releases it.
 *
 *	cache_enabled() is false for a disabled or refused cache.
 *	cache_refused() tells whether cache_open() refused the file for its
 *	permissions (see SECURITY). cache_wrote() is true once this
 *	connection has changed a row (sqlite3_total_changes()): its commits
 *	have changed the cache's stamp for memo(3) anyway.
 *	cache_last_error() says why the last write failed ("" if none did):
 *	while writes are paused, the reason they were paused.
 *	cache_set_max_ttl() sets the longest life a DANE entry or TXT check
 *	may claim when read back (cache_max_ttl; CACHE_DEFAULT_MAX_TTL
 *	until set).
 *
 *	cache_due() says whether an entry that expires at expires, after
 *	lifetime seconds, is in the last quarter of its life: the rule for
 *	refreshing DANE verdicts and MTA-STS checks ahead (any values, no
 *	overflow).
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
 *	cache_begin(), cache_commit() and cache_rollback() bracket a write
 *	transaction (BEGIN IMMEDIATE; 0 or -1). cache_counter_add() adds n
 *	to a metrics counter; cache_counters_each() calls fn for every
 *	counter row that passes the checks of SECURITY; cache_count_rows()
 *	counts a table's rows (-1 on error).
 *
 *	cache_check() is for tlspolicyd -t: it opens an existing cache
 *	file without creating, migrating or repairing it, runs PRAGMA
 *	integrity_check, and takes the write lock and gives it back at
 *	once (waiting at most busy_ms for a writer). It returns 0, or -1
 *	with the reason in why (cannot open, read-only for this user,
 *	damaged, lock not obtained).
 *
 *	For the other cache files: cache_exec() runs one statement without
 *	results; cache_may_write() is false while writes are paused;
 *	cache_failed() logs a failed statement, pauses writes or recovers
 *	from corruption; cache_get() reads the row of a domain with one of
 *	the hot statements and a table's row reader; cache_put() and
 *	cache_write() bind and run an insert (hot, or prepared for the
 *	call): 0, or -1 (logged).
 * SECURITY
 *	Whoever can write the cache can forge any answer. cache_open()
 *	refuses (disabled cache, one warning) a directory or a file (the
 *	database, its -wal and -shm, the memo) that is writable by group or
 *	others or owned by another user, where those files really are: a
 *	path that is a symbolic link is resolved first and the cache is
 *	opened at its target, never through a link (priv_cache_trusted()). The connection runs with
 *	SQLITE_DBCONFIG_DEFENSIVE and trusted_schema OFF. Rows are never
 *	trusted when read back (cache_row.c). Counter rows with a NULL
 *	name are skipped.
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

#include "cache_int.h"
#include "cache_schema.h"
#include "log.h"
#include "mem.h"
#include "priv.h"

/* The path was resolved and checked (priv_cache_trusted()): SQLite must
 * not follow a link that appears there later. */
#ifdef SQLITE_OPEN_NOFOLLOW
#define CACHE_NOFOLLOW	SQLITE_OPEN_NOFOLLOW
#else
#define CACHE_NOFOLLOW	0		/* SQLite before 3.31 */
#endif

/* The statements of every lookup (cache_dane.c, cache_sts.c), prepared
 * when the cache is opened. */
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

/* cache_is_corrupt - SQLite says the file is not a usable database */
static int cache_is_corrupt(int rc)
{
    rc &= 0xff;
    return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB;
}

/* cache_exec - run one statement without results */
int     cache_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, 0, 0, 0);
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
		       | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX | CACHE_NOFOLLOW, 0);
    if (rc != SQLITE_OK)
	return rc;
    (void) sqlite3_busy_handler(cache->db, cache_wait_busy, cache);
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
	rc = cache_schema_migrate(cache->db);
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
    long long from = cache_wait_ms();
    int     rc;
    int     ms = 2;

    while ((rc = cache_connect(cache)) != SQLITE_OK && cache_is_busy(rc)
	   && cache_wait_more(cache, from)) {
	cache_disconnect(cache);
	(void) poll(0, 0, ms);
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
    return cache_open_until(path, busy_ms, 0);
}

/* cache_open_until - cache_open(), no wait past until (NULL: none) */
CACHE  *cache_open_until(const char *path, int busy_ms,
			         const struct timespec *until)
{
    CACHE  *cache = mem_calloc(1, sizeof(*cache));
    VSTR   *why;
    VSTR   *real;

    cache_library();
    cache->path = mem_strdup(path);
    cache->busy_ms = busy_ms;
    cache->max_ttl = CACHE_DEFAULT_MAX_TTL;
    cache_wait_until(cache, until);
    if (*path == 0)
	return cache;
    why = vstr_new(64);
    real = vstr_new(64);
    if (priv_cache_trusted(path, real, why) < 0) {
	log_warn("cache %s refused: %s; answering without a cache",
		 path, vstr_str(why));
	cache->refused = 1;
    } else {				/* a symbolic link: its target */
	mem_free(cache->path);
	cache->path = mem_strdup(vstr_str(real));
	cache_reconnect(cache);
    }
    vstr_free(real);
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

/* cache_last_error - why the last write failed, "" when none did */
const char *cache_last_error(const CACHE *cache)
{
    return cache != 0 ? cache->error : "";
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
int     cache_may_write(CACHE *cache)
{
    return cache_enabled(cache) && time(0) >= cache->write_pause;
}

/* cache_failed - log a statement error; pause writes; recover from corruption */
void    cache_failed(CACHE *cache, const char *what, int rc)
{
    (void) snprintf(cache->error, sizeof(cache->error), "%s",
		    sqlite3_errmsg(cache->db));
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

/* cache_done - reset a statement after its step; log a failed step */
static void cache_done(CACHE *cache, sqlite3_stmt *st, int rc, const char *what)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
	cache_failed(cache, what, rc);
}

/* cache_get - the row of domain, read by its table's function */
CACHE_STATUS cache_get(CACHE *cache, CACHE_HOT which, const char *domain,
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
int     cache_put(CACHE *cache, CACHE_HOT which, const CACHE_ARG *args,
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
int     cache_write(CACHE *cache, const char *sql, const CACHE_ARG *args,
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
    cache->no_wait = 1;
    (void) sqlite3_wal_checkpoint_v2(cache->db, "main",
				     SQLITE_CHECKPOINT_TRUNCATE, 0, 0);
    cache->no_wait = 0;
}
