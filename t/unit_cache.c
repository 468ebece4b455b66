/* unit_cache - SQLite cache: schema, WAL, get/put, corruption, disabled */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include "cache.h"
#include "tap.h"

static char dir[] = "/tmp/tlspd-unit-cache.XXXXXX";

/* query_text - first column of the first row, via a separate connection */
static void query_text(const char *path, const char *sql, char *out, size_t size)
{
    sqlite3 *db;
    sqlite3_stmt *st;

    out[0] = 0;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, 0) != SQLITE_OK)
	return;
    if (sqlite3_prepare_v2(db, sql, -1, &st, 0) == SQLITE_OK) {
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
	    snprintf(out, size, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

/* put_one - store a verdict */
static int put_one(CACHE *cache, const char *domain, const char *verdict,
		           long long fetched, long long expires)
{
    CACHE_DANE ent;
    int     rc;

    cache_dane_init(&ent);
    snprintf(ent.verdict, sizeof(ent.verdict), "%s", verdict);
    vstr_addstr(ent.why, "test entry");
    ent.ttl = (int) (expires - fetched);
    ent.fetched = fetched;
    ent.expires = expires;
    rc = cache_put_dane(cache, domain, &ent);
    cache_dane_free(&ent);
    return rc;
}

/* basics - create, schema, WAL, round trip, fresh and stale */
static void basics(const char *path)
{
    CACHE  *cache = cache_open(path, 1000);
    CACHE  *other;
    CACHE_DANE ent;
    char    text[256];

    tap_ok(cache_enabled(cache), "new cache file is enabled");
    query_text(path, "SELECT max(version) FROM schema_version", text, sizeof(text));
    tap_is_str(text, "6", "schema version recorded");
    query_text(path, "PRAGMA journal_mode", text, sizeof(text));
    tap_is_str(text, "wal", "WAL mode");
    tap_is_int(put_one(cache, "a.example", "dane-only", 1000, 2000000000LL), 0, "put");
    tap_is_int(put_one(cache, "b.example", "none", 1000, 2000), 0, "put stale");
    cache_dane_init(&ent);
    tap_is_int(cache_get_dane(cache, "a.example", 1500, &ent), CACHE_FRESH, "get fresh");
    tap_is_str(ent.verdict, "dane-only", "verdict");
    tap_is_str(vstr_str(ent.why), "test entry", "why");
    tap_is_int(cache_get_dane(cache, "b.example", 2500, &ent), CACHE_STALE, "get stale");
    tap_is_int(cache_get_dane(cache, "c.example", 1500, &ent), CACHE_MISS, "miss");
    other = cache_open(path, 1000);
    tap_is_int(cache_get_dane(other, "a.example", 1500, &ent), CACHE_FRESH,
	       "second connection sees the entry");
    tap_is_int(put_one(other, "a.example", "dane-some", 3000, 2000000001LL), 0, "replace");
    tap_is_int(cache_get_dane(cache, "a.example", 3500, &ent), CACHE_FRESH, "get replaced");
    tap_is_str(ent.verdict, "dane-some", "replaced verdict seen by the first connection");
    query_text(path, "SELECT expires FROM dane_view WHERE domain = 'a.example'",
	       text, sizeof(text));
    tap_is_str(text, "2033-05-18 03:33:21", "view shows readable UTC times");
    query_text(path, "SELECT answer || ' ' || mta_sts FROM policy_view WHERE domain = 'a.example'",
	       text, sizeof(text));
    tap_is_str(text, "dane -", "policy_view: current answer per domain");
    cache_prune(cache, 2000000000LL + 7200, 0);
    query_text(path, "SELECT count(*) FROM dane", text, sizeof(text));
    tap_is_str(text, "0", "expired entries pruned an hour after expiry");
    tap_is_int(put_one(cache, "x1.example", "dane", 1, 2000000000LL), 0, "refill");
    tap_is_int(put_one(cache, "x2.example", "dane", 1, 2000000001LL), 0, "refill");
    tap_is_int(put_one(cache, "x3.example", "dane", 1, 2000000002LL), 0, "refill");
    cache_prune(cache, 1000, 2);
    query_text(path, "SELECT group_concat(domain) FROM (SELECT domain FROM dane ORDER BY domain)",
	       text, sizeof(text));
    tap_is_str(text, "x2.example,x3.example", "cache_max_entries keeps the entries that live longest");
    cache_dane_free(&ent);
    cache_close(other);
    cache_close(cache);
}

/* sts_round_trip - every MTA-STS field comes back as stored */
static void sts_round_trip(const char *path)
{
    CACHE  *cache = cache_open(path, 1000);
    CACHE_STS in, out;

    cache_sts_init(&in);
    cache_sts_init(&out);
    snprintf(in.id, sizeof(in.id), "%s", "20261123");
    snprintf(in.mode, sizeof(in.mode), "%s", "enforce");
    in.max_age = 604800;
    vstr_addstr(in.policy, "mx: mx.s.example");
    in.fetched = 1000;
    in.expires = 2000000000LL;
    in.txt_expires = 1900000000LL;
    in.txt_ttl = 3600;
    tap_is_int(cache_put_sts(cache, "s.example", &in), 0, "sts: put");
    tap_is_int(cache_get_sts(cache, "s.example", 1500, &out), CACHE_FRESH, "sts: get fresh");
    tap_ok(strcmp(out.id, in.id) == 0 && strcmp(out.mode, in.mode) == 0
	   && out.max_age == in.max_age && strcmp(vstr_str(out.policy), "mx: mx.s.example") == 0
	   && out.fetched == in.fetched && out.expires == in.expires,
	   "sts: id, mode, max_age, policy and times come back");
    tap_ok(out.txt_expires == in.txt_expires && out.txt_ttl == 3600,
	   "sts: the TXT check's expiry and TTL come back");
    cache_sts_free(&in);
    cache_sts_free(&out);
    cache_close(cache);
}

/* migrate - a version 1 database gains the sts table, keeps its rows */
static void migrate(const char *path)
{
    sqlite3 *db;
    CACHE  *cache;
    CACHE_DANE ent;
    char    text[256];

    sqlite3_open(path, &db);
    sqlite3_exec(db, "CREATE TABLE schema_version (version INTEGER NOT NULL);"
		 "INSERT INTO schema_version VALUES (1);"
		 "CREATE TABLE dane (domain TEXT PRIMARY KEY NOT NULL, verdict TEXT NOT NULL,"
		 " why TEXT NOT NULL, ttl INTEGER NOT NULL, fetched INTEGER NOT NULL,"
		 " expires INTEGER NOT NULL) WITHOUT ROWID;"
		 "INSERT INTO dane VALUES ('old.example', 'dane-only', 'v1 row', 60, 1, 2000000000);"
		 "INSERT INTO dane VALUES ('vague.example', 'dane', 'v1 row', 60, 1, 2000000000);",
		 0, 0, 0);
    sqlite3_close(db);
    cache = cache_open(path, 1000);
    query_text(path, "SELECT max(version) FROM schema_version", text, sizeof(text));
    tap_is_str(text, "6", "version 1 database migrated to the current version");
    query_text(path, "SELECT count(*) FROM sts_view", text, sizeof(text));
    tap_is_str(text, "0", "sts table and view created");
    query_text(path, "SELECT count(txt_ttl) FROM sts", text, sizeof(text));
    tap_is_str(text, "0", "sts.txt_ttl added (version 5)");
    cache_dane_init(&ent);
    tap_is_int(cache_get_dane(cache, "old.example", 5, &ent), CACHE_FRESH, "version 1 rows kept");
    tap_is_int(cache_get_dane(cache, "vague.example", 5, &ent), CACHE_MISS,
	       "an older release's \"dane\" row dropped (version 6)");
    cache_dane_free(&ent);
    cache_close(cache);
}

/* count_aside - files moved aside in dir */
static int count_aside(void)
{
    DIR    *dp = opendir(dir);
    struct dirent *de;
    int     n = 0;

    while (dp && (de = readdir(dp)) != 0)
	if (strstr(de->d_name, ".corrupt-"))
	    n++;
    if (dp)
	closedir(dp);
    return n;
}

/* corrupt - a file that is not a database is moved aside and recreated */
static void corrupt(const char *path)
{
    char    junk[8192];
    CACHE  *cache;
    CACHE_DANE ent;
    int     fd;

    memset(junk, 'x', sizeof(junk));
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    tap_ok(fd >= 0 && write(fd, junk, sizeof(junk)) == (ssize_t) sizeof(junk),
	   "write a junk file");
    close(fd);
    cache = cache_open(path, 1000);
    tap_ok(cache_enabled(cache), "junk file: cache enabled again");
    tap_is_int(count_aside(), 1, "junk file moved aside");
    tap_is_int(put_one(cache, "a.example", "dane-only", 1, 2000000000LL), 0,
	       "new file takes writes");
    cache_dane_init(&ent);
    tap_is_int(cache_get_dane(cache, "a.example", 2, &ent), CACHE_FRESH, "and reads");
    cache_dane_free(&ent);
    cache_close(cache);
}

/* disabled - no file, or an impossible path: still answers */
static void disabled(void)
{
    CACHE  *cache = cache_open("", 1000);
    CACHE_DANE ent;

    cache_dane_init(&ent);
    tap_ok(!cache_enabled(cache), "empty cache_file: disabled");
    tap_is_int(cache_get_dane(cache, "a.example", 1, &ent), CACHE_MISS, "disabled get misses");
    tap_is_int(put_one(cache, "a.example", "dane", 1, 2), -1, "disabled put refused");
    cache_close(cache);
    cache = cache_open("/nonexistent/dir/cache.db", 1000);
    tap_ok(!cache_enabled(cache), "unopenable path: disabled");
    tap_is_int(cache_get_dane(cache, "a.example", 1, &ent), CACHE_MISS, "and misses");
    cache_close(cache);
    cache_dane_free(&ent);
}

int     main(void)
{
    char    path[256];
    char    cmd[300];

    if (mkdtemp(dir) == 0)
	return 1;
    snprintf(path, sizeof(path), "%s/cache.db", dir);
    basics(path);
    sts_round_trip(path);
    tap_ok(cache_due(1075, 300, 1000) && !cache_due(1076, 300, 1000),
	   "cache_due: the last quarter of the lifetime, and not before");
    tap_ok(!cache_due(1000, 0, 1000), "cache_due: no lifetime, never due");
    snprintf(path, sizeof(path), "%s/v1.db", dir);
    migrate(path);
    snprintf(path, sizeof(path), "%s/junk.db", dir);
    corrupt(path);
    disabled();
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
	printf("# could not remove %s\n", dir);
    return tap_done();
}
