/* unit_cache - SQLite cache: schema, WAL, get/put, corruption, disabled */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sqlite3.h>

#include <sys/stat.h>

#include "cache.h"
#include "metrics.h"
#include "tap.h"
#include "sqlq.h"

static char dir[] = "/tmp/tlspd-unit-cache.XXXXXX";

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
    rc = cache_dane_put(cache, domain, &ent);
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
    sqlq_text(path, "SELECT max(version) FROM schema_version", text, sizeof(text));
    tap_is_int(atoi(text), CACHE_SCHEMA_VERSION, "schema version recorded");
    sqlq_text(path, "PRAGMA journal_mode", text, sizeof(text));
    tap_is_str(text, "wal", "WAL mode");
    tap_is_int(put_one(cache, "a.example", "dane-only", 2000000000LL - 86400, 2000000000LL), 0,
	       "put");
    tap_is_int(put_one(cache, "b.example", "none", 1000, 2000), 0, "put stale");
    cache_dane_init(&ent);
    tap_is_int(cache_dane_get(cache, "a.example", 2000000000LL - 86000, &ent), CACHE_FRESH,
	       "get fresh");
    tap_is_str(ent.verdict, "dane-only", "verdict");
    tap_is_str(vstr_str(ent.why), "test entry", "why");
    tap_is_int(cache_dane_get(cache, "b.example", 2500, &ent), CACHE_STALE, "get stale");
    tap_is_int(cache_dane_get(cache, "c.example", 1500, &ent), CACHE_MISS, "miss");
    other = cache_open(path, 1000);
    tap_is_int(cache_dane_get(other, "a.example", 2000000000LL - 86000, &ent), CACHE_FRESH,
	       "second connection sees the entry");
    tap_is_int(put_one(other, "a.example", "dane-some", 2000000001LL - 86400, 2000000001LL), 0,
	       "replace");
    tap_is_int(cache_dane_get(cache, "a.example", 2000000000LL - 85000, &ent), CACHE_FRESH,
	       "get replaced");
    tap_is_str(ent.verdict, "dane-some", "replaced verdict seen by the first connection");
    sqlq_text(path, "SELECT expires FROM dane_view WHERE domain = 'a.example'",
	       text, sizeof(text));
    tap_is_str(text, "2033-05-18 03:33:21", "view shows readable UTC times");
    sqlq_text(path, "SELECT answer || ' ' || mta_sts FROM policy_view WHERE domain = 'a.example'",
	       text, sizeof(text));
    tap_is_str(text, "dane -", "policy_view: current answer per domain");
    cache_prune_expired(cache, 2000000000LL + 7200, 0);
    sqlq_text(path, "SELECT count(*) FROM dane", text, sizeof(text));
    tap_is_str(text, "0", "expired entries pruned an hour after expiry");
    tap_is_int(put_one(cache, "x1.example", "dane-some", 1, 2000000000LL), 0, "refill");
    tap_is_int(put_one(cache, "x2.example", "dane-some", 1, 2000000001LL), 0, "refill");
    tap_is_int(put_one(cache, "x3.example", "dane-some", 1, 2000000002LL), 0, "refill");
    cache_prune_expired(cache, 1000, 2);
    sqlq_text(path, "SELECT group_concat(domain) FROM (SELECT domain FROM dane ORDER BY domain)",
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
    in.expires = 1000 + 604800;
    in.txt_expires = 1000 + 3600;
    in.txt_ttl = 3600;
    tap_is_int(cache_sts_put(cache, "s.example", &in), 0, "sts: put");
    tap_is_int(cache_sts_get(cache, "s.example", 1500, &out), CACHE_FRESH, "sts: get fresh");
    tap_ok(strcmp(out.id, in.id) == 0 && strcmp(out.mode, in.mode) == 0
	   && out.max_age == in.max_age && strcmp(vstr_str(out.policy), "mx: mx.s.example") == 0
	   && out.fetched == in.fetched && out.expires == in.expires,
	   "sts: id, mode, max_age, policy and times come back");
    tap_ok(out.txt_expires == in.txt_expires && out.txt_ttl == 3600,
	   "sts: the TXT check's expiry and TTL come back");
    in.id[0] = in.mode[0] = 0;		/* no policy: only a TXT check */
    vstr_reset(in.policy);
    in.fetched = in.expires = in.max_age = 0;
    in.txt_expires = 1000000 + 3600;
    tap_is_int(cache_sts_put(cache, "n.example", &in), 0, "sts: put a TXT check without a policy");
    cache_prune_expired(cache, 1000000, 0);
    tap_is_int(cache_sts_get(cache, "n.example", 1000000, &out), CACHE_STALE,
	       "sts: pruning keeps a TXT check without a policy (no policy: stale) until it expires");
    cache_prune_expired(cache, 1000000 + 3600 + 3601, 0);
    tap_is_int(cache_sts_get(cache, "n.example", 1000000, &out), CACHE_MISS,
	       "sts: ... and drops it an hour after");
    cache_sts_free(&in);
    cache_sts_free(&out);
    cache_close(cache);
}

/* views - no epoch-zero dates; every answered domain in policy_view */
static void views(const char *path)
{
    sqlite3 *db;
    CACHE  *cache = cache_open(path, 1000);	/* the current schema */
    char    text[256];

    cache_close(cache);
    sqlite3_open(path, &db);
    sqlite3_exec(db, "INSERT INTO sts (domain, id, mode, max_age, policy, fetched,"
		 " expires, last_fail, fail_why) VALUES ('fail.example', '', '', 0, '',"
		 " 0, 0, 1000, 'HTTP status 404');"
		 "INSERT INTO sts (domain, id, mode, max_age, policy, fetched, expires)"
		 " VALUES ('stsonly.example', 'id1', 'enforce', 86400, 'mx: mx',"
		 " 1000, 4000000000)", 0, 0, 0);
    sqlite3_close(db);
    sqlq_text(path, "SELECT coalesce(expires, 'NULL') || ' ' || coalesce(fetched,"
	       " 'NULL') || ' ' || coalesce(expires_in, 'NULL') || ' ' || last_fail"
	       " FROM sts_view WHERE domain = 'fail.example'", text, sizeof(text));
    tap_is_str(text, "NULL NULL NULL 1970-01-01 00:16:40",
	       "sts_view: a failure-only row has no expiry, not 1970-01-01");
    sqlq_text(path, "SELECT answer || ' ' || coalesce(dane, 'NULL') || ' ' || mta_sts"
	       " || ' ' || why FROM policy_view WHERE domain = 'stsonly.example'",
	       text, sizeof(text));
    tap_is_str(text, "secure (MTA-STS) NULL enforce no cached DANE verdict",
	       "policy_view: a domain answered secure without a cached DANE verdict");
    sqlq_text(path, "SELECT count(*) FROM policy_view WHERE domain = 'fail.example'",
	       text, sizeof(text));
    tap_is_str(text, "0", "policy_view: a failure-only row answers nothing");
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
		 "INSERT INTO dane VALUES ('old.example', 'dane-only', 'v1 row', 60, 1, 3600);"
		 "INSERT INTO dane VALUES ('vague.example', 'dane', 'v1 row', 60, 1, 2000000000);",
		 0, 0, 0);
    sqlite3_close(db);
    cache = cache_open(path, 1000);
    sqlq_text(path, "SELECT max(version) FROM schema_version", text, sizeof(text));
    tap_is_int(atoi(text), CACHE_SCHEMA_VERSION,
	       "version 1 database migrated to the current version");
    sqlq_text(path, "SELECT count(*) FROM protection_changes", text, sizeof(text));
    tap_is_str(text, "0", "protection_changes view created (version 9)");
    sqlq_text(path, "SELECT count(*) FROM deferrals_view", text, sizeof(text));
    tap_is_str(text, "0", "deferrals_view created (version 9)");
    sqlq_text(path, "SELECT count(*) FROM sts_view", text, sizeof(text));
    tap_is_str(text, "0", "sts table and view created");
    sqlq_text(path, "SELECT count(txt_ttl) FROM sts", text, sizeof(text));
    tap_is_str(text, "0", "sts.txt_ttl added (version 5)");
    cache_dane_init(&ent);
    tap_is_int(cache_dane_get(cache, "old.example", 5, &ent), CACHE_FRESH, "version 1 rows kept");
    tap_is_int(cache_dane_get(cache, "vague.example", 5, &ent), CACHE_MISS,
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
    tap_is_int(put_one(cache, "a.example", "dane-only", 1, 3600), 0,
	       "new file takes writes");
    cache_dane_init(&ent);
    tap_is_int(cache_dane_get(cache, "a.example", 2, &ent), CACHE_FRESH, "and reads");
    cache_dane_free(&ent);
    cache_close(cache);
}

/* exec_sql - statements through a separate connection, as an attacker would */
static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    char   *err = 0;

    if (sqlite3_open(path, &db) != SQLITE_OK
	|| sqlite3_exec(db, sql, 0, 0, &err) != SQLITE_OK)
	printf("# sql failed: %s\n", err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    sqlite3_close(db);
}

typedef struct {
    const char *domain;
    const char *name;
} MISS_CASE;

/* hostile_dane - every column of a DANE row untrusted */
static void hostile_dane(const char *path)
{
    CACHE  *cache;
    CACHE_DANE ent;
    const long long now = 1900000000LL;
    static const MISS_CASE misses[] = {
	{"nullwhy.example", "hostile dane: NULL why is a miss, no crash"},
	{"nullverdict.example", "hostile dane: NULL verdict is a miss"},
	{"temp.example", "hostile dane: a temp verdict is never read back as a fact"},
	{"bogus.example", "hostile dane: unknown verdict is a miss"},
	{"textttl.example", "hostile dane: text in an integer column is a miss"},
	{"real.example", "hostile dane: a real in an integer column is a miss"},
	{"huge.example", "hostile dane: huge times (fetched in the future) are a miss"},
	{"old.example", "hostile dane: a far-future expiry after an old fetch is a miss,"
	 " not a life of cache_max_ttl from every read"},
	{"future.example", "hostile dane: a fetch time in the future is a miss"},
	{"over.example", "hostile dane: an expiry one second past fetched + cache_max_ttl is a miss"},
    };
    size_t  i;

    cache_close(cache_open(path, 1000));
    exec_sql(path, "DROP TABLE dane; CREATE TABLE dane (domain PRIMARY KEY,"
	     " verdict, why, ttl, fetched, expires);"
	     "INSERT INTO dane VALUES ('nullwhy.example', 'dane-only', NULL, 300, 1, 2000000000);"
	     "INSERT INTO dane VALUES ('nullverdict.example', NULL, 'x', 300, 1, 2000000000);"
	     "INSERT INTO dane VALUES ('temp.example', 'temp', 'SERVFAIL', 300, 1, 2000000000);"
	     "INSERT INTO dane VALUES ('bogus.example', 'secure', 'x', 300, 1, 2000000000);"
	     "INSERT INTO dane VALUES ('textttl.example', 'dane-some', 'x', 'abc', 1, 2000000000);"
	     "INSERT INTO dane VALUES ('real.example', 'dane-some', 'x', 300.5, 1, 2000000000);"
	     "INSERT INTO dane VALUES ('huge.example', 'dane-only', 'x', 9223372036854775807,"
	     " 9223372036854775807, 9223372036854775807);"
	     "INSERT INTO dane VALUES ('neg.example', 'dane-some', 'x', -5, -9223372036854775808,"
	     " -9223372036854775808);"
	     "INSERT INTO dane VALUES ('old.example', 'dane-some', 'x', 300, 1900000000 - 864000,"
	     " 1900000000 + 315360000);"
	     "INSERT INTO dane VALUES ('future.example', 'dane-some', 'x', 300, 1900000100,"
	     " 1900000200);"
	     "INSERT INTO dane VALUES ('over.example', 'dane-some', 'x', 300, 1899999900,"
	     " 1899999900 + 3601);"
	     "INSERT INTO dane VALUES ('edge.example', 'dane-only', 'x', 86400, 1899999900,"
	     " 1899999900 + 3600);"
	     "INSERT INTO dane VALUES ('ctl.example', 'none', 'a' || char(10) || 'forged'"
	     " || char(27) || 'z', 300, 1899999900, 1899999900 + 300);");
    cache = cache_open(path, 1000);
    cache_set_max_ttl(cache, 3600);
    cache_dane_init(&ent);
    for (i = 0; i < sizeof(misses) / sizeof(misses[0]); i++)
	tap_is_int(cache_dane_get(cache, misses[i].domain, now, &ent), CACHE_MISS,
		   misses[i].name);
    tap_is_int(cache_dane_get(cache, "edge.example", now, &ent), CACHE_FRESH,
	       "hostile dane: expires exactly cache_max_ttl after fetched reads");
    tap_ok(ent.expires == 1899999900LL + 3600 && ent.fetched == 1899999900LL && ent.ttl == 3600,
	   "hostile dane: its times as stored (a life from its fetch), ttl clamped to cache_max_ttl");
    tap_is_int(cache_dane_get(cache, "edge.example", 1899999900LL + 3600, &ent), CACHE_STALE,
	       "hostile dane: stale at fetched + cache_max_ttl, whenever it is read");
    tap_ok(cache_due(ent.expires, ent.ttl, (time_t) now) == 0, "cache_due on it: no overflow");
    tap_is_int(cache_dane_get(cache, "neg.example", now, &ent), CACHE_STALE,
	       "hostile dane: negative expires is stale");
    tap_ok(ent.expires == 0 && ent.ttl == 0 && ent.fetched == 0, "hostile dane: negatives clamped to 0");
    tap_is_int(cache_dane_get(cache, "ctl.example", now, &ent), CACHE_FRESH,
	       "hostile dane: control bytes in why still read");
    tap_is_str(vstr_str(ent.why), "a?forged?z", "hostile dane: why made printable");
    cache_dane_free(&ent);
    cache_close(cache);
}

/* hostile_sts - every column of an MTA-STS row untrusted */
static void hostile_sts(const char *path)
{
    CACHE  *cache;
    CACHE_STS ent;
    const long long now = 1900000000LL;
    static const MISS_CASE misses[] = {
	{"mode.example", "hostile sts: unknown mode is a miss"},
	{"id.example", "hostile sts: bad id is a miss"},
	{"nullfail.example", "hostile sts: NULL fail_why is a miss, no crash"},
	{"blob.example", "hostile sts: a blob policy is a miss"},
	{"life.example", "hostile sts: a policy that expires past fetched + the RFC 8461"
	 " max_age limit is a miss"},
	{"future.example", "hostile sts: a policy fetched in the future is a miss"},
    };
    size_t  i;

    exec_sql(path, "DROP TABLE sts; CREATE TABLE sts (domain PRIMARY KEY, id, mode,"
	     " max_age, policy, fetched, expires, last_fail, fail_why, txt_expires, txt_ttl);"
	     "INSERT INTO sts VALUES ('mode.example', 'a1', 'enforce; x', 86400, 'mx: a',"
	     " 1, 2000000000, 0, '', 0, 0);"
	     "INSERT INTO sts VALUES ('id.example', 'a-1', 'enforce', 86400, 'mx: a',"
	     " 1, 2000000000, 0, '', 0, 0);"
	     "INSERT INTO sts VALUES ('nullfail.example', 'a1', 'enforce', 86400, 'mx: a',"
	     " 1, 2000000000, 0, NULL, 0, 0);"
	     "INSERT INTO sts VALUES ('blob.example', 'a1', 'enforce', 86400, x'6d783a',"
	     " 1, 2000000000, 0, '', 0, 0);"
	     "INSERT INTO sts VALUES ('life.example', 'a1', 'enforce', 9223372036854775807,"
	     " 'mx: a', 1, 9223372036854775807, 0, '', 0, 0);"
	     "INSERT INTO sts VALUES ('future.example', 'a1', 'enforce', 86400,"
	     " 'mx: a', 1900000010, 1900000010 + 86400, 0, '', 0, 0);"
	     "INSERT INTO sts VALUES ('huge.example', 'a1', 'enforce', 9223372036854775807,"
	     " 'mx: a', 1899999900, 1899999900 + 31557600, 9223372036854775807,"
	     " 'x' || char(10) || 'y', 9223372036854775807, 9223372036854775807);"
	     "INSERT INTO sts VALUES ('txtfut.example', 'a1', 'enforce', 86400,"
	     " 'mx: a', 1899999900, 1899999900 + 86400, 1899999950, 'f', 1900001000, 300);"
	     "INSERT INTO sts VALUES ('txtok.example', 'a1', 'enforce', 86400,"
	     " 'mx: a', 1899999900, 1899999900 + 86400, 0, '', 1900000200, 300);");
    cache = cache_open(path, 1000);
    cache_set_max_ttl(cache, 3600);
    cache_sts_init(&ent);
    for (i = 0; i < sizeof(misses) / sizeof(misses[0]); i++)
	tap_is_int(cache_sts_get(cache, misses[i].domain, now, &ent), CACHE_MISS,
		   misses[i].name);
    tap_is_int(cache_sts_get(cache, "huge.example", now, &ent), CACHE_FRESH,
	       "hostile sts: a policy with huge other times still reads");
    tap_ok(ent.expires == 1899999900LL + CACHE_STS_MAX_AGE && ent.fetched == 1899999900LL
	   && ent.max_age == CACHE_STS_MAX_AGE,
	   "hostile sts: its life as stored, max_age clamped to the RFC 8461 limit");
    tap_ok(ent.txt_expires == 0 && ent.txt_ttl == 0,
	   "hostile sts: a TXT check with huge times is void (asked again), not clamped");
    tap_ok(ent.last_fail == 0,
	   "hostile sts: a future last_fail is void: it cannot stop fetches for ever");
    tap_is_str(vstr_str(ent.fail_why), "x?y", "hostile sts: fail_why made printable");
    tap_is_int(cache_sts_get(cache, "txtfut.example", now, &ent), CACHE_FRESH,
	       "hostile sts: a TXT check made in the future: the policy still reads");
    tap_ok(ent.txt_expires == 0 && ent.txt_ttl == 0 && ent.last_fail == 1899999950LL,
	   "hostile sts: that TXT check is void, the failure mark kept");
    tap_is_int(cache_sts_get(cache, "txtok.example", now, &ent), CACHE_FRESH,
	       "hostile sts: a believable TXT check reads");
    tap_ok(ent.txt_expires == 1900000200LL && ent.txt_ttl == 300,
	   "hostile sts: its times as stored");
    cache_sts_free(&ent);
    cache_close(cache);
}

/* hostile_counters - metric rows with NULL names and forged labels */
static void hostile_counters(const char *path)
{
    CACHE  *cache;
    VSTR   *out = vstr_new(1024);
    const char *line;

    exec_sql(path, "DROP TABLE counters; CREATE TABLE counters (name, labels, value);"
	     "INSERT INTO counters VALUES (NULL, '', 5);"
	     "INSERT INTO counters VALUES ('tlspolicyd_dns_failures_total', NULL, 2);"
	     "INSERT INTO counters VALUES ('tlspolicyd_refreshes_total',"
	     " 'a=\"1\"} evil_metric 1' || char(10) || 'b=\"2\"', 3);"
	     "INSERT INTO counters VALUES ('tlspolicyd_dns_queries_total',"
	     " 'kind=\"a\\b' || char(10) || 'c\"', 7);"
	     "INSERT INTO counters VALUES ('evil_total', '', 9);");
    cache = cache_open(path, 1000);
    metrics_render(cache, out);
    tap_ok(strstr(vstr_str(out), "tlspolicyd_dns_failures_total 2\n") != 0,
	   "hostile counters: NULL labels read as none, NULL names skipped");
    tap_ok(strstr(vstr_str(out), "tlspolicyd_dns_queries_total{kind=\"a\\\\b\\nc\"} 7\n") != 0,
	   "hostile counters: label values escaped");
    tap_ok(strstr(vstr_str(out), "evil") == 0, "hostile counters: no forged series");
    for (line = vstr_str(out); *line; line += strcspn(line, "\n") + 1)
	if (*line != '#' && strncmp(line, "tlspolicyd_", 11) != 0)
	    break;
    tap_ok(*line == 0, "hostile counters: every line is ours");
    tap_ok(strstr(vstr_str(out), "tlspolicyd_cache_refused 0\n") != 0, "refused gauge: 0");
    vstr_free(out);
    cache_close(cache);
}

/* perms - a cache others could write, or owned by someone else, is refused */
static void perms(void)
{
    char    sub[300];
    char    path[320];
    CACHE  *cache;
    VSTR   *out = vstr_new(1024);

    snprintf(sub, sizeof(sub), "%s/perm", dir);
    snprintf(path, sizeof(path), "%s/cache.db", sub);
    mkdir(sub, 0700);
    cache_close(cache_open(path, 1000));
    chmod(sub, 0770);
    cache = cache_open(path, 1000);
    tap_ok(!cache_enabled(cache) && cache_refused(cache), "group-writable directory: refused");
    metrics_render(cache, out);
    tap_ok(strstr(vstr_str(out), "tlspolicyd_cache_refused 1\n") != 0, "refused gauge: 1");
    cache_close(cache);
    chmod(sub, 0700);
    chmod(path, 0646);
    cache = cache_open(path, 1000);
    tap_ok(!cache_enabled(cache) && cache_refused(cache), "world-writable file: refused");
    cache_close(cache);
    chmod(path, 0600);
    cache = cache_open(path, 1000);
    tap_ok(cache_enabled(cache) && !cache_refused(cache), "0700 directory, 0600 file: used");
    cache_close(cache);
    if (geteuid() == 0 && chown(path, 65534, 65534) == 0) {
	cache = cache_open(path, 1000);
	tap_ok(!cache_enabled(cache) && cache_refused(cache), "file owned by another uid: refused");
	cache_close(cache);
    } else {
	tap_ok(1, "# SKIP file owned by another uid: needs root");
    }
    vstr_free(out);
}

/* refused_with - cache_open(path) is refused; what it says in the test */
static void refused_with(const char *path, const char *what)
{
    CACHE  *cache = cache_open(path, 1000);

    tap_ok(!cache_enabled(cache) && cache_refused(cache), what);
    cache_close(cache);
}

/* side_files - the rules hold for the files SQLite really uses: through
 * a symbolic link, and for -wal, -shm and the memo */
static void side_files(void)
{
    char    tgt[300], pub[300], link[320], real[320], side[340];
    CACHE  *cache;
    struct stat st;

    snprintf(tgt, sizeof(tgt), "%s/tgt", dir);
    snprintf(pub, sizeof(pub), "%s/pub", dir);
    mkdir(tgt, 0700);
    mkdir(pub, 0700);
    snprintf(link, sizeof(link), "%s/link.db", dir);
    snprintf(real, sizeof(real), "%s/cache.db", tgt);
    if (symlink(real, link) < 0)
	printf("# symlink failed\n");
    cache = cache_open(link, 1000);
    tap_ok(cache_enabled(cache), "link to a missing file: the cache is made at the target");
    tap_ok(put_one(cache, "a.example", "dane-only", 1, 3600) == 0
	   && stat(real, &st) == 0, "... and written there");
    cache_close(cache);
    snprintf(side, sizeof(side), "%s-wal", real);
    tap_ok(stat(side, &st) == 0, "... with its -wal beside the target");
    chmod(side, 0660);
    refused_with(link, "-wal writable by its group, beside a link's target: refused");
    chmod(side, 0600);
    snprintf(side, sizeof(side), "%s-shm", real);
    chmod(side, 0606);
    refused_with(link, "-shm writable by others: refused");
    chmod(side, 0600);
    snprintf(side, sizeof(side), "%s-memo", real);
    close(open(side, O_CREAT | O_WRONLY, 0620));
    chmod(side, 0620);
    refused_with(link, "memo file writable by its group: refused");
    unlink(side);
    if (symlink("/dev/null", side) < 0)
	printf("# symlink failed\n");
    refused_with(link, "memo file that is a symbolic link: refused");
    unlink(side);
    chmod(tgt, 0770);
    refused_with(link, "target directory writable by its group: refused, though the"
		 " link's own directory is not");
    chmod(tgt, 0700);
    cache = cache_open(link, 1000);
    tap_ok(cache_enabled(cache), "all well again: used");
    cache_close(cache);
    unlink(link);
    snprintf(side, sizeof(side), "%s/none/cache.db", pub);
    if (symlink(side, link) < 0)
	printf("# symlink failed\n");
    refused_with(link, "link into a directory that does not exist: refused");
    unlink(link);
}

/* disabled - no file, or an impossible path: still answers */
static void disabled(void)
{
    CACHE  *cache = cache_open("", 1000);
    CACHE_DANE ent;

    cache_dane_init(&ent);
    tap_ok(!cache_enabled(cache), "empty cache_file: disabled");
    tap_is_int(cache_dane_get(cache, "a.example", 1, &ent), CACHE_MISS, "disabled get misses");
    tap_is_int(put_one(cache, "a.example", "dane", 1, 2), -1, "disabled put refused");
    cache_close(cache);
    cache = cache_open("/nonexistent/dir/cache.db", 1000);
    tap_ok(!cache_enabled(cache), "unopenable path: disabled");
    tap_is_int(cache_dane_get(cache, "a.example", 1, &ent), CACHE_MISS, "and misses");
    cache_close(cache);
    cache_dane_free(&ent);
}

int     main(void)
{
    char    path[256];
    char    cmd[300];

    (void) umask(022);
    if (mkdtemp(dir) == 0)
	return 1;
    snprintf(path, sizeof(path), "%s/cache.db", dir);
    basics(path);
    sts_round_trip(path);
    views(path);
    tap_ok(cache_due(1075, 300, 1000) && !cache_due(1076, 300, 1000),
	   "cache_due: the last quarter of the lifetime, and not before");
    tap_ok(!cache_due(1000, 0, 1000), "cache_due: no lifetime, never due");
    tap_ok(cache_due(-9223372036854775807LL - 1, 300, 1000)
	   && !cache_due(9223372036854775807LL, 300, 1000),
	   "cache_due: extreme expires without signed overflow");
    snprintf(path, sizeof(path), "%s/hostile.db", dir);
    hostile_dane(path);
    hostile_sts(path);
    hostile_counters(path);
    perms();
    side_files();
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
