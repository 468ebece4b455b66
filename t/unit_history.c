/* unit_history - protection history and deferrals in the cache: records,
 * alarms counted once (also by 64 processes at once), caps, pruning, and
 * hostile rows that are never trusted */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>
#include <sys/wait.h>

#include "cache.h"
#include "history.h"
#include "log.h"
#include "metrics.h"
#include "tap.h"
#include "sqlq.h"

static char dir[] = "/tmp/tlspd-unit-history.XXXXXX";
static char logpath[300];

/* exec_sql - run statements through a separate connection */
static void exec_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    char   *err = 0;

    sqlite3_open(path, &db);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, sql, 0, 0, &err) != SQLITE_OK)
	printf("# exec_sql: %s\n", err ? err : "?");
    sqlite3_free(err);
    sqlite3_close(db);
}

/* log_count - lines of the log file that contain text */
static int log_count(const char *text)
{
    FILE   *fp = fopen(logpath, "r");
    char    line[4096];
    int     n = 0;

    while (fp && fgets(line, sizeof(line), fp))
	n += strstr(line, text) != 0;
    if (fp)
	fclose(fp);
    return n;
}

/* dane_facts - a DANE lookup's result, as dane_lookup() would give it */
static void dane_facts(CACHE *cache, const char *domain, DV_VERDICT verdict,
		               int mx_secure, int tlsa_insecure)
{
    DANE_RESULT res;

    dane_result_init(&res);
    res.verdict = verdict;
    res.cacheable = 1;
    res.mx_secure = mx_secure;
    res.tlsa_insecure = tlsa_insecure;
    vstr_printf(res.why, "test facts for %s", domain);
    history_dane(cache, 0, domain, &res);
    dane_result_free(&res);
}

/* sts_facts - an MTA-STS lookup that observed a state */
static void sts_facts(CACHE *cache, const char *domain, PROTECT_STS state,
		              const char *id)
{
    MTS_RESULT res;
    char   *mx[] = {"mx.example.test", "*.example.test"};

    mtasts_result_init(&res);
    res.observed = 1;
    protect_set_sts(&res.facts, state, id, mx, state == PROTECT_STS_NOPOLICY ? 0 : 2);
    history_sts(cache, domain, &res);
    mtasts_result_free(&res);
}

/* count_drops - the drop counter in the cache, for one label set */
static long long count_drops(const char *path, const char *what)
{
    char    sql[256];

    (void) snprintf(sql, sizeof(sql), "SELECT coalesce(sum(value), 0) FROM counters"
		    " WHERE name = 'tlspolicyd_protection_drops_total'"
		    " AND labels = 'what=\"%s\"'", what);
    return sqlq_int(path, sql);
}

/* changes_of - change rows of a domain (dropped: 1, 0 or -1 for all) */
static long long changes_of(const char *path, const char *domain, int dropped)
{
    char    sql[256];

    (void) snprintf(sql, sizeof(sql), "SELECT count(*) FROM protection_changes"
		    " WHERE domain = '%s'%s", domain, dropped < 0 ? "" :
		    dropped ? " AND dropped = 1" : " AND dropped = 0");
    return sqlq_int(path, sql);
}

/* dane_history - first sighting, drop, repeat, rise, forged answers */
static void dane_history(const char *path)
{
    CACHE  *cache = cache_open(path, 5000);
    char    text[1024];

    dane_facts(cache, "a.example", DV_DANE_ONLY, 1, 0);
    tap_is_int(changes_of(path, "a.example", -1), 0, "first sighting: no change recorded");
    sqlq_text(path, "SELECT dane || ',' || mx FROM protection_view WHERE domain = 'a.example'",
	       text, sizeof(text));
    tap_is_str(text, "dane-only,secure", "  but the baseline stored");
    dane_facts(cache, "a.example", DV_NONE, 1, 0);
    tap_is_int(changes_of(path, "a.example", 1), 1, "dane-only -> none: one drop row");
    sqlq_text(path, "SELECT what || '|' || before || '|' || after || '|' || evidence"
	       " FROM protection_changes WHERE domain = 'a.example'", text, sizeof(text));
    tap_is_str(text, "dane|dane-only, MX secure|none, MX secure|test facts for a.example",
	       "  with what, before, after and evidence");
    tap_is_int(log_count("warning: protection dropped: domain=a.example what=dane"
			 " before=\"dane-only, MX secure\" after=\"none, MX secure\""
			 " evidence=\"test facts for a.example\""), 1, "  one warning line");
    metrics_flush(cache);
    tap_is_int(count_drops(path, "dane"), 1, "  counted once");
    dane_facts(cache, "a.example", DV_NONE, 1, 0);
    tap_is_int(changes_of(path, "a.example", -1), 1, "the same facts again: nothing new");
    dane_facts(cache, "a.example", DV_DANE_SOME, 1, 0);
    tap_is_int(changes_of(path, "a.example", 0), 1, "none -> dane-some: a row, dropped 0");
    tap_is_int(log_count("protection raised: domain=a.example"), 1, "  logged as a rise");
    dane_facts(cache, "a.example", DV_DANE_ONLY, 0, 0);
    tap_is_int(changes_of(path, "a.example", -1), 2,
	       "secure MX -> insecure, not corroborated (no DNS): nothing recorded");
    tap_is_int(log_count("protection change not believed: domain=a.example"), 1,
	       "  one warning says so");
    dane_facts(cache, "a.example", DV_NONE, 1, 1);
    tap_is_int(changes_of(path, "a.example", -1), 2,
	       "dane-some -> none on an unsigned TLSA answer: nothing recorded");
    dane_facts(cache, "a.example", DV_TEMP, 0, 0);
    dane_facts(cache, "a.example", DV_HOST_FAIL, 1, 0);
    tap_is_int(changes_of(path, "a.example", -1), 2, "temp and host-fail are no facts");
    metrics_flush(cache);
    tap_is_int(count_drops(path, "dane"), 1, "still one drop counted");
    cache_close(cache);
}

/* sts_history - enforce -> none, enforce -> no policy, rises, a new id */
static void sts_history(const char *path)
{
    CACHE  *cache = cache_open(path, 5000);

    sts_facts(cache, "s.example", PROTECT_STS_ENFORCE, "id1");
    tap_is_int(changes_of(path, "s.example", -1), 0, "MTA-STS first sighting: nothing");
    sts_facts(cache, "s.example", PROTECT_STS_ENFORCE, "id2");
    tap_is_int(changes_of(path, "s.example", -1), 0, "only a new id: nothing recorded");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM protection WHERE domain = 's.example'"
			 " AND sts_id = 'id2'"), 1, "  but the id stored");
    sts_facts(cache, "s.example", PROTECT_STS_NONE, "id3");
    tap_is_int(changes_of(path, "s.example", 1), 1, "enforce -> none: a drop");
    tap_is_int(log_count("protection dropped: domain=s.example what=mta-sts"
			 " before=\"enforce id=id2 mx=mx.example.test *.example.test\""
			 " after=\"none id=id3 mx=mx.example.test *.example.test\""), 1,
	       "  one warning line");
    sts_facts(cache, "s.example", PROTECT_STS_ENFORCE, "id4");
    sts_facts(cache, "s.example", PROTECT_STS_NOPOLICY, "");
    tap_is_int(changes_of(path, "s.example", 1), 2, "enforce -> no policy: a drop");
    tap_is_int(changes_of(path, "s.example", 0), 1, "none -> enforce: a rise, dropped 0");
    metrics_flush(cache);
    tap_is_int(count_drops(path, "mta-sts"), 2, "two MTA-STS drops counted");
    dane_facts(cache, "s.example", DV_DANE_ONLY, 1, 0);
    tap_is_int(changes_of(path, "s.example", -1), 3, "DANE part first seen: no change");
    cache_close(cache);
}

/* deferrals - noted with their cause, counted, cleared when answered */
static void deferrals(const char *path)
{
    CACHE  *cache = cache_open(path, 5000);
    char    text[256];

    history_answered(cache, "d.example", DEFER_MX_LOOKUP_FAILED, "DNS lookup failed");
    history_answered(cache, "d.example", DEFER_TIME_LIMIT, "DNS lookup failed (time-limit)");
    sqlq_text(path, "SELECT cause || ' ' || count FROM deferrals_view"
	       " WHERE domain = 'd.example'", text, sizeof(text));
    tap_is_str(text, "time-limit 2", "deferred twice: the latest cause, the count");
    tap_is_int(sqlq_int(path, "SELECT since <= last FROM deferrals_view"
			 " WHERE domain = 'd.example'"), 1, "  since and last");
    history_answered(cache, "c.example", DEFER_CONFIGURATION_ERROR, "config");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM deferrals WHERE domain = 'c.example'"),
	       0, "a configuration error is not written");
    metrics_flush(cache);
    tap_is_int(sqlq_int(path, "SELECT value FROM counters WHERE name ="
			 " 'tlspolicyd_deferrals_total' AND labels = 'cause=\"time-limit\"'"),
	       1, "deferrals counted by cause");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM counters WHERE labels LIKE"
			 " '%configuration-error%'"), 0, "  a configuration error is not");
    history_answered(cache, "d.example", DEFER_NONE, "");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM deferrals"), 0,
	       "answered again: no longer listed");
    cache_close(cache);
}

/* explain - -q -v's text */
static void explain(const char *path)
{
    CACHE  *cache = cache_open(path, 5000);
    VSTR   *out = vstr_new(256);

    history_answered(cache, "a.example", DEFER_MX_LOOKUP_FAILED, "DNS lookup failed");
    history_explain(cache, "a.example", out);
    tap_ok(strstr(vstr_str(out), "protection of a.example: DANE dane-some, MX secure"
		  " (since ") != 0, "explain: the recorded DANE facts");
    tap_ok(strstr(vstr_str(out), "; MTA-STS not recorded") != 0, "explain: no MTA-STS facts");
    tap_ok(strstr(vstr_str(out), "last change: ") != 0
	   && strstr(vstr_str(out), "dane: none, MX secure -> dane-some, MX secure"
		     " (not a drop)") != 0, "explain: the last change");
    tap_ok(strstr(vstr_str(out), "deferred since ") != 0
	   && strstr(vstr_str(out), "cause mx-lookup-failed") != 0, "explain: the deferral");
    vstr_reset(out);
    history_explain(cache, "new.example", out);
    tap_is_str(vstr_str(out), "protection of new.example: nothing recorded yet\n"
	       "last change: none recorded\n", "explain: an unknown domain");
    vstr_free(out);
    cache_close(cache);
}

/* caps - change rows per domain and in all, unconfirmed facts, deferrals */
static void caps(const char *path)
{
    CACHE  *cache = cache_open(path, 5000);
    time_t  now = time(0);
    char    sql[512];
    int     i;

    exec_sql(path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	     " WHERE i < 10050) INSERT INTO protection_log (domain, at, what, \"before\","
	     " \"after\", dropped, evidence) SELECT 'bulk' || i || '.example', 1, 'dane',"
	     " 'x', 'y', 0, 'z' FROM n");
    for (i = 0; i < CACHE_PROTECT_PER_DOMAIN + 8; i++)
	dane_facts(cache, "flap.example", i % 2 ? DV_DANE_SOME : DV_DANE_UNUSABLE, 1, 0);
    tap_is_int(changes_of(path, "flap.example", -1), CACHE_PROTECT_PER_DOMAIN,
	       "a flapping domain keeps its newest rows only");
    (void) snprintf(sql, sizeof(sql), "INSERT INTO protection VALUES ('old.example',"
		    " 'none', 1, 1, '', '', '', 0, %lld); INSERT INTO deferrals VALUES"
		    " ('gone.example', 'time-limit', 'x', 1, %lld, 3);"
		    "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
		    " WHERE i < 10050) INSERT INTO deferrals SELECT 'd' || i || '.example',"
		    " 'time-limit', 'x', %lld, %lld + i, 1 FROM n",
		    (long long) now - CACHE_PROTECT_KEEP - 10,
		    (long long) now - CACHE_DEFER_KEEP - 10, (long long) now,
		    (long long) now - 20000);
    exec_sql(path, sql);
    cache_prune_expired(cache, now, 0);
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM protection_log"), CACHE_PROTECT_CHANGES,
	       "change rows capped in all");
    tap_is_int(changes_of(path, "flap.example", -1), CACHE_PROTECT_PER_DOMAIN,
	       "  the newest kept");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM protection WHERE domain = 'old.example'"),
	       0, "facts not confirmed for CACHE_PROTECT_KEEP pruned");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM deferrals WHERE domain = 'gone.example'"),
	       0, "a deferral not renewed for CACHE_DEFER_KEEP pruned");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM deferrals"), CACHE_DEFER_MAX,
	       "deferrals capped");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM deferrals WHERE domain = 'd10050.example'"),
	       1, "  the most recent kept");
    exec_sql(path, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n"
	     " WHERE i < 150) INSERT INTO protection SELECT 'f' || i || '.example',"
	     " 'none', 1, 1, '', '', '', 0, strftime('%s', 'now') - i FROM n");
    cache_prune_expired(cache, now, 100);
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM protection"), 100,
	       "facts capped by max_entries");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM protection WHERE domain = 'f1.example'"),
	       1, "  the most recently confirmed kept");
    cache_close(cache);
}

/* hostile - rows nobody may trust: never a change, never a crash */
static void hostile(const char *path)
{
    CACHE  *cache;
    CACHE_PROTECT ent;
    CACHE_PROTECT_CHANGE chg;
    CACHE_DEFER def;
    static const char *const domains[] = {
	"level.example", "mx.example", "null.example", "id.example", "long.example",
	"type.example",
    };
    size_t  i;
    int     bad = 0;
    int     drops = log_count("protection dropped");

    cache_close(cache_open(path, 5000));
    exec_sql(path, "DROP TABLE protection; CREATE TABLE protection (domain PRIMARY KEY,"
	     " dane, mx_secure, dane_since, sts, sts_id, sts_mx, sts_since, seen);"
	     "INSERT INTO protection VALUES ('level.example', 'secure', 1, 1, '', '', '', 0, 1);"
	     "INSERT INTO protection VALUES ('mx.example', 'dane-only', 7, 1, '', '', '', 0, 1);"
	     "INSERT INTO protection VALUES ('null.example', 'dane-only', 1, 1, NULL, '', '', 0, 1);"
	     "INSERT INTO protection VALUES ('id.example', '', 0, 1, 'enforce', 'a b', '', 0, 1);"
	     "INSERT INTO protection VALUES ('long.example', '', 0, 1, 'enforce', 'a',"
	     " hex(zeroblob(2000)), 0, 1);"
	     "INSERT INTO protection VALUES ('type.example', 'dane-only', '1', 1, '', '', '', 0, 1);"
	     "INSERT INTO protection VALUES ('ok.example', 'dane-only', 1, 9000000000000,"
	     " 'enforce', 'a1', 'mx.a' || char(10) || 'x', 1, 1);"
	     "DROP TABLE protection_log; CREATE TABLE protection_log (id INTEGER PRIMARY KEY,"
	     " domain, at, what, \"before\", \"after\", dropped, evidence);"
	     "DROP TABLE deferrals; CREATE TABLE deferrals (domain PRIMARY KEY, cause, why,"
	     " since, last, count);"
	     "INSERT INTO protection_log (domain, at, what, \"before\", \"after\", dropped,"
	     " evidence) VALUES ('log.example', 5, 'other', 'a', 'b', 1, 'c'),"
	     " ('ctl.example', 5, 'dane', 'a' || char(27) || 'b', 'c', 1, NULL),"
	     " ('ctl2.example', 9000000000000, 'dane', 'a' || char(27) || 'b', 'c', 1, 'e');"
	     "INSERT INTO deferrals VALUES ('x.example', 'temp', 'x', 1, 1, 1),"
	     " ('y.example', 'time-limit', NULL, 1, 1, 1)");
    cache = cache_open(path, 5000);
    for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
	bad += cache_protect_get(cache, domains[i], time(0), &ent) != -1;
    tap_is_int(bad, 0, "hostile facts rows: each is unknown");
    tap_is_int(cache_protect_get(cache, "ok.example", time(0), &ent), -1,
	       "a control byte in the mx patterns: unknown");
    for (i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
	dane_facts(cache, domains[i], DV_NONE, 1, 0);
    tap_is_int(log_count("protection dropped") - drops, 0,
	       "new facts over hostile rows: a baseline, never a drop");
    tap_is_int(sqlq_int(path, "SELECT count(*) FROM protection_log WHERE domain IN"
			 " ('level.example', 'mx.example', 'null.example', 'id.example',"
			 " 'long.example', 'type.example')"), 0, "  no change rows");
    tap_is_int(cache_protect_get(cache, "mx.example", time(0), &ent), 0, "  the row replaced");
    cache_protect_change_init(&chg);
    tap_is_int(cache_protect_last_change(cache, "log.example", time(0), &chg), -1,
	       "a change row with an unknown what is ignored");
    tap_is_int(cache_protect_last_change(cache, "ctl.example", time(0), &chg), -1,
	       "a change row with a NULL column is ignored");
    tap_is_int(cache_protect_last_change(cache, "ctl2.example", 1000, &chg), 0,
	       "a change row with control bytes reads");
    tap_ok(strcmp(vstr_str(chg.before), "a?b") == 0 && chg.at == 1000,
	   "  made printable, its time clamped");
    cache_protect_change_free(&chg);
    cache_defer_init(&def);
    tap_is_int(cache_defer_get(cache, "x.example", time(0), &def), -1,
	       "a deferral with an unknown cause is ignored");
    tap_is_int(cache_defer_get(cache, "y.example", time(0), &def), -1,
	       "a deferral with a NULL column is ignored");
    cache_defer_free(&def);
    cache_close(cache);
}

/* race_child - one of many helpers that see the same drop at once */
static void race_child(const char *path, int fd)
{
    CACHE  *cache;
    char    c;

    log_forked();
    cache = cache_open(path, 10000);
    if (read(fd, &c, 1) != 1)
	_exit(2);
    dane_facts(cache, "race.example", DV_NONE, 1, 0);
    metrics_flush(cache);
    cache_close(cache);
    _exit(metrics_pending() ? 1 : 0);
}

/* race - 64 processes record one drop: one row, one line, one count */
static void race(const char *path)
{
    enum { N = 64 };
    CACHE  *cache = cache_open(path, 5000);
    int     go[2];
    pid_t   pids[N];
    int     i;
    int     status;
    int     failed = 0;
    long long before = count_drops(path, "dane");

    dane_facts(cache, "race.example", DV_DANE_ONLY, 1, 0);
    cache_close(cache);
    if (pipe(go) < 0)
	return;
    (void) fflush(stdout);
    for (i = 0; i < N; i++) {
	if ((pids[i] = fork()) == 0) {
	    close(go[1]);
	    race_child(path, go[0]);
	}
    }
    close(go[0]);
    for (i = 0; i < N; i++)
	if (write(go[1], "x", 1) != 1)
	    failed++;
    close(go[1]);
    for (i = 0; i < N; i++)
	if (pids[i] < 0 || waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status)
	    || WEXITSTATUS(status) != 0)
	    failed++;
    tap_is_int(failed, 0, "64 processes ran and flushed their counts");
    tap_is_int(changes_of(path, "race.example", 1), 1, "64 at once: one drop row");
    tap_is_int(log_count("protection dropped: domain=race.example"), 1, "  one warning line");
    tap_is_int(count_drops(path, "dane") - before, 1, "  counted once");
}

int     main(void)
{
    char    path[300];
    char    cmd[400];

    if (mkdtemp(dir) == 0)
	return 1;
    (void) snprintf(logpath, sizeof(logpath), "%s/log", dir);
    log_init("unit_history", LOG_DEST_STDERR);
    log_set_verbose(1);
    if (log_to_file(logpath) < 0)
	printf("# cannot log to %s\n", logpath);
    (void) snprintf(path, sizeof(path), "%s/cache.db", dir);
    dane_history(path);
    sts_history(path);
    deferrals(path);
    explain(path);
    race(path);
    caps(path);
    (void) snprintf(path, sizeof(path), "%s/hostile.db", dir);
    hostile(path);
    (void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
	printf("# could not remove %s\n", dir);
    return tap_done();
}
