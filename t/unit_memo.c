/* unit_memo - the answer memo: valid only while the cache is unchanged */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <sqlite3.h>

#include "cache.h"
#include "memo.h"
#include "tap.h"

static char dir[] = "/tmp/tlspd-unit-memo.XXXXXX";
static char db_path[256];
static char memo_file[300];

/* answer - a filled MEMO_ANSWER */
static MEMO_ANSWER answer(const char *text, long long expires)
{
    MEMO_ANSWER a;

    memset(&a, 0, sizeof(a));
    a.status = 0;
    a.expires = expires;
    (void) snprintf(a.rule, sizeof(a.rule), "%s", "dane-only");
    (void) snprintf(a.kind, sizeof(a.kind), "%s", "dane-only");
    (void) snprintf(a.source, sizeof(a.source), "%s", "cache");
    (void) snprintf(a.text, sizeof(a.text), "%s", text);
    return a;
}

/* commit - one write by another SQLite connection (as sqlite3(1) does) */
static void commit(const char *sql)
{
    sqlite3 *db;

    if (sqlite3_open(db_path, &db) == SQLITE_OK) {
	(void) sqlite3_exec(db, sql, 0, 0, 0);
	(void) sqlite3_close(db);
    }
}

/* fresh_get - memo_get() through a new handle (no per-process copy) */
static int fresh_get(const char *domain, int tlsrpt, time_t now, MEMO_ANSWER *out)
{
    MEMO   *m = memo_open(db_path, 42);
    int     hit = memo_get(m, domain, tlsrpt, now, out);

    memo_close(m);
    return hit;
}

/* put_now - stamp the cache now and store an answer for domain */
static int put_now(MEMO *m, const char *domain, int tlsrpt, time_t until,
		           MEMO_ANSWER *a)
{
    MEMO_STAMP st;

    if (memo_stamp(m, &st) < 0)
	return -2;
    return memo_put(m, &st, domain, tlsrpt, until, a);
}

/* roundtrip - what is put comes back, for that domain and flag only */
static void roundtrip(CACHE *cache, time_t now)
{
    MEMO   *m = memo_open(db_path, 42);
    MEMO_ANSWER a = answer("secure match=.example.org servername=hostname", now + 300);
    MEMO_ANSWER got;
    struct stat st;

    (void) cache;
    tap_ok(m != 0, "memo opened beside the cache");
    tap_ok(stat(memo_file, &st) == 0 && (st.st_mode & 0777) == 0640
	   && st.st_size == MEMO_HEAD_SIZE + (off_t) MEMO_SLOTS * MEMO_SLOT_SIZE,
	   "memo file: mode 0640, full size");
    (void) snprintf(a.tlsrpt, sizeof(a.tlsrpt), "%s", " policy_type=sts");
    tap_is_int(put_now(m, "a.example", 1, now + 60, &a), 0, "put");
    memset(&got, 0, sizeof(got));
    tap_ok(fresh_get("a.example", 1, now, &got), "get: hit");
    tap_is_str(got.text, a.text, "text comes back");
    tap_is_str(got.tlsrpt, " policy_type=sts", "TLSRPT attributes come back");
    tap_is_str(got.rule, "dane-only", "rule comes back");
    tap_is_int(got.expires, now + 300, "expiry comes back");
    tap_ok(!fresh_get("b.example", 1, now, &got), "another domain: miss");
    tap_ok(!fresh_get("a.example", 0, now, &got), "other TLSRPT flag: miss");
    tap_ok(!fresh_get("a.example", 1, now + 60, &got), "at until: miss");
    tap_ok(!fresh_get("a.example", 1, now - 3600, &got),
	   "the clock set back an hour: miss (no longer life than MEMO_MAX_AGE)");
    a.expires = now + 10;
    tap_is_int(put_now(m, "a.example", 1, now + 60, &a), 0, "put, expiring sooner");
    tap_ok(!fresh_get("a.example", 1, now + 10, &got), "at the answer's expiry: miss");
    tap_ok(fresh_get("a.example", 1, now + 9, &got), "before it: hit");
    {
	MEMO   *other = memo_open(db_path, 43);

	tap_ok(!memo_get(other, "a.example", 1, now, &got),
	       "other settings (another fingerprint): miss");
	memo_close(other);
    }
    memo_close(m);
}

/* changes - any commit to the cache, by anyone, ends every memo answer */
static void changes(CACHE *cache, time_t now)
{
    MEMO   *m = memo_open(db_path, 42);
    MEMO_ANSWER a = answer("dane-only", now + 300);
    MEMO_ANSWER got;
    CACHE_DANE ent;

    tap_is_int(put_now(m, "c.example", 0, now + 60, &a), 0, "put c.example");
    tap_ok(memo_get(m, "c.example", 0, now, &got), "hit before any change");
    commit("INSERT OR REPLACE INTO state VALUES ('unit', 'x', '', 1)");
    tap_ok(!fresh_get("c.example", 0, now, &got),
	   "a commit by another connection (sqlite3): miss");
    usleep((MEMO_RECHECK_MS + 50) * 1000);
    tap_ok(!memo_get(m, "c.example", 0, now, &got),
	   "a kept connection's own copy: compared again after MEMO_RECHECK_MS: miss");
    tap_is_int(put_now(m, "c.example", 0, now + 60, &a), 0, "put again");
    cache_dane_init(&ent);
    (void) snprintf(ent.verdict, sizeof(ent.verdict), "%s", "none");
    ent.ttl = 60;
    ent.fetched = now;
    ent.expires = now + 60;
    tap_is_int(cache_dane_put(cache, "d.example", &ent), 0, "a helper caches another domain");
    cache_dane_free(&ent);
    tap_ok(!fresh_get("c.example", 0, now, &got), "our own cache write: miss too");
    memo_close(m);
}

/* file_facts - the database file itself: mode, replacement, -shm */
static void file_facts(time_t now)
{
    MEMO   *m = memo_open(db_path, 42);
    MEMO_ANSWER a = answer("dane-only", now + 300);
    MEMO_ANSWER got;
    char    shm[300];
    char    aside[320];
    struct stat st;

    tap_is_int(put_now(m, "e.example", 0, now + 60, &a), 0, "put e.example");
    tap_ok(fresh_get("e.example", 0, now, &got), "hit");
    tap_ok(stat(db_path, &st) == 0, "(the cache's mode)");
    (void) chmod(db_path, (st.st_mode & 0777) | 020);
    tap_ok(!fresh_get("e.example", 0, now, &got),
	   "cache made group-writable (cache(3) refuses it): miss");
    (void) chmod(db_path, st.st_mode & 0777);
    tap_ok(fresh_get("e.example", 0, now, &got), "mode back: hit again");
    (void) snprintf(shm, sizeof(shm), "%s-shm", db_path);
    (void) snprintf(aside, sizeof(aside), "%s-aside", db_path);
    (void) rename(shm, aside);
    tap_ok(!fresh_get("e.example", 0, now, &got), "no -shm file: miss");
    (void) rename(aside, shm);
    tap_ok(fresh_get("e.example", 0, now, &got), "-shm back: hit");
    memo_close(m);
}

/* hostile - a damaged slot, bad text, a foreign file */
static void hostile(time_t now)
{
    MEMO   *m = memo_open(db_path, 42);
    MEMO_ANSWER a = answer("dane-only", now + 300);
    MEMO_ANSWER got;
    char    big[MEMO_TEXT_MAX + 300];
    char    link[320];
    int     fd;
    off_t   off;

    tap_is_int(put_now(m, "f.example", 0, now + 60, &a), 0, "put f.example");
    fd = open(memo_file, O_RDWR);
    for (off = MEMO_HEAD_SIZE; off < MEMO_HEAD_SIZE + (off_t) MEMO_SLOTS * MEMO_SLOT_SIZE;
	 off += MEMO_SLOT_SIZE) {
	char    name[16];

	if (pread(fd, name, sizeof(name), off + 8 * 4 + MEMO_STAMP_SIZE + 8) == sizeof(name)
	    && strcmp(name, "f.example") == 0) {
	    tap_ok(pwrite(fd, "X", 1, off + MEMO_SLOT_SIZE - 200) == 1,
		   "(one byte of the slot changed in the file)");
	    break;
	}
    }
    (void) close(fd);
    tap_ok(!fresh_get("f.example", 0, now, &got), "one byte changed in the slot: miss");
    a = answer("x", now + 300);
    memset(a.text, 'a', sizeof(a.text));
    tap_is_int(put_now(m, "g.example", 0, now + 60, &a), -1,
	       "text without its NUL in the field: not stored");
    memset(a.text, 'a', sizeof(a.text) - 1);
    a.text[sizeof(a.text) - 1] = 0;
    tap_is_int(put_now(m, "g.example", 0, now + 60, &a), 0, "the longest text that fits: stored");
    tap_ok(fresh_get("g.example", 0, now, &got) && strlen(got.text) == sizeof(a.text) - 1,
	   "and read back whole");
    a = answer("dane-only\nnone", now + 300);
    tap_is_int(put_now(m, "g.example", 0, now + 60, &a), -1, "a newline in the text: not stored");
    a = answer("dane-only", now + 300);
    tap_is_int(put_now(m, "bad\001.example", 0, now + 60, &a), -1, "a control byte in the domain: not stored");
    memo_close(m);
    (void) chmod(memo_file, 0660);
    tap_ok(memo_open(db_path, 42) == 0, "group-writable memo: refused");
    (void) chmod(memo_file, 0640);
    (void) snprintf(link, sizeof(link), "%s/other.db%s", dir, MEMO_SUFFIX);
    tap_ok(symlink(memo_file, link) == 0, "(a symbolic link to the memo)");
    (void) snprintf(big, sizeof(big), "%s/other.db", dir);
    tap_ok(memo_open(big, 42) == 0, "memo behind a symbolic link: refused");
    (void) unlink(link);
    fd = open(link, O_WRONLY | O_CREAT, 0640);
    (void) !write(fd, "not a memo file at all", 22);
    (void) close(fd);
    tap_ok(memo_open(big, 42) == 0, "a file with foreign content: refused");
    (void) unlink(link);
    fd = open(link, O_WRONLY | O_CREAT, 0640);
    (void) !write(fd, "tlspolicyd memo1", 16);
    (void) close(fd);
    tap_ok(memo_open(big, 42) == 0, "a memo cut short (its header would fault): refused");
    (void) unlink(link);
}

/* counted - for memo_counters_take() */
static unsigned long taken;
static int refuse;

/* count_fn - add up what the memo hands over */
static int count_fn(void *ctx, const char *name, const char *labels, unsigned long n)
{
    (void) ctx;
    if (strcmp(name, "tlspolicyd_lookups_total") != 0
	|| strcmp(labels, "protocol=\"tcp\",answer=\"dane-only\"") != 0)
	return 0;
    if (refuse)
	return -1;
    taken += n;
    return 0;
}

/* counters - shared counts: added, taken once, handed back when refused */
static void counters(void)
{
    MEMO   *m = memo_open(db_path, 42);
    MEMO   *m2 = memo_open(db_path, 42);
    char    longlabels[200];

    tap_is_int(memo_count(m, "tlspolicyd_lookups_total", "protocol=\"tcp\",answer=\"dane-only\"", 3), 0, "count 3");
    tap_is_int(memo_count(m2, "tlspolicyd_lookups_total", "protocol=\"tcp\",answer=\"dane-only\"", 4), 0,
	       "another helper counts 4");
    refuse = 1;
    memo_counters_take(m, count_fn, 0);
    tap_is_int((long long) taken, 0, "refused: nothing taken");
    refuse = 0;
    memo_counters_take(m, count_fn, 0);
    tap_is_int((long long) taken, 7, "both helpers' counts, once (refused ones kept)");
    memo_counters_take(m2, count_fn, 0);
    tap_is_int((long long) taken, 7, "taken counts are gone");
    memset(longlabels, 'x', sizeof(longlabels) - 1);
    longlabels[sizeof(longlabels) - 1] = 0;
    tap_is_int(memo_count(m, "tlspolicyd_lookups_total", longlabels, 1), -1,
	       "a key too long for the table: counted elsewhere");
    memo_close(m);
    memo_close(m2);
}

int     main(void)
{
    CACHE  *cache;
    time_t  now = time(0);
    char    cmd[300];

    if (mkdtemp(dir) == 0)
	return 1;
    (void) snprintf(db_path, sizeof(db_path), "%s/cache.db", dir);
    (void) snprintf(memo_file, sizeof(memo_file), "%s%s", db_path, MEMO_SUFFIX);
    cache = cache_open(db_path, 1000);
    tap_ok(cache_enabled(cache), "a real cache beside the memo");
    roundtrip(cache, now);
    changes(cache, now);
    file_facts(now);
    hostile(now);
    counters();
    cache_close(cache);
    (void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    (void) !system(cmd);
    return tap_done();
}
