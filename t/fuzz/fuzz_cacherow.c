/* fuzz_cacherow - DANE and MTA-STS rows read back from a hostile cache:
 * the input is their integer columns (little-endian int64, eight bytes
 * each: dane ttl, fetched, expires; sts max_age, fetched, expires,
 * last_fail, txt_expires, txt_ttl; then cache_max_ttl), any shorter input
 * padded with zeros. Whatever a row claims, what is read back lives at
 * most the maximum after its own fetch time, which is never in the future. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_int.h"
#include "fuzz.h"
#include "mtasts_plan.h"

#define FUZZ_NOW	1900000000LL
#define FUZZ_NCOLS	10

static char fuzz_dir[] = "/tmp/tlspd-fuzz-cacherow.XXXXXX";
static char fuzz_path[64];
static CACHE *fuzz_cache;

/* fuzz_cleanup - the database and its directory, at exit */
static void fuzz_cleanup(void)
{
    static const char *const side[] = {"", "-wal", "-shm", 0};
    char    path[96];
    int     i;

    cache_close(fuzz_cache);
    for (i = 0; side[i]; i++) {
	(void) snprintf(path, sizeof(path), "%s%s", fuzz_path, side[i]);
	(void) unlink(path);
    }
    (void) rmdir(fuzz_dir);
}

/* fuzz_open - one cache for the whole run */
static CACHE *fuzz_open(void)
{
    if (fuzz_cache == 0 && mkdtemp(fuzz_dir) != 0) {
	(void) snprintf(fuzz_path, sizeof(fuzz_path), "%s/cache.db", fuzz_dir);
	fuzz_cache = cache_open(fuzz_path, 100);
	(void) atexit(fuzz_cleanup);
    }
    return cache_enabled(fuzz_cache) ? fuzz_cache : 0;
}

/* fuzz_row - one INSERT with the given integers bound as ?2.. */
static void fuzz_row(CACHE *cache, const char *sql, const long long *v, int n)
{
    sqlite3_stmt *st;
    int     i;

    if (sqlite3_prepare_v2(cache->db, sql, -1, &st, 0) != SQLITE_OK)
	return;
    sqlite3_bind_text(st, 1, "f.example", -1, SQLITE_STATIC);
    for (i = 0; i < n; i++)
	sqlite3_bind_int64(st, i + 2, v[i]);
    (void) sqlite3_step(st);
    sqlite3_finalize(st);
}

/* fuzz_dane - a DANE row read back lives from its fetch, not from now */
static void fuzz_dane(CACHE *cache, long long max)
{
    CACHE_DANE ent;
    CACHE_STATUS status;

    cache_dane_init(&ent);
    status = cache_dane_get(cache, "f.example", (time_t) FUZZ_NOW, &ent);
    if (status != CACHE_MISS) {
	fuzz_require(ent.fetched >= 0 && ent.fetched <= FUZZ_NOW);
	fuzz_require(ent.expires >= 0 && ent.expires - ent.fetched <= max);
	fuzz_require(ent.ttl >= 0 && ent.ttl <= max);
	fuzz_require((status == CACHE_FRESH) == (ent.expires > FUZZ_NOW));
	(void) cache_due(ent.expires, ent.ttl, (time_t) FUZZ_NOW);
    }
    cache_dane_free(&ent);
}

/* fuzz_sts - an MTA-STS row: the policy, its TXT check, its failure mark */
static void fuzz_sts(CACHE *cache, long long max)
{
    CACHE_STS ent;

    cache_sts_init(&ent);
    if (cache_sts_get(cache, "f.example", (time_t) FUZZ_NOW, &ent) != CACHE_MISS) {
	fuzz_require(ent.fetched >= 0 && ent.fetched <= FUZZ_NOW);
	fuzz_require(ent.expires >= 0 && ent.expires - ent.fetched <= CACHE_STS_MAX_AGE);
	fuzz_require(ent.max_age >= 0 && ent.max_age <= CACHE_STS_MAX_AGE);
	fuzz_require(ent.last_fail >= 0 && ent.last_fail <= FUZZ_NOW);
	fuzz_require(ent.txt_ttl >= 0 && ent.txt_ttl <= max);
	fuzz_require(ent.txt_expires >= 0 && ent.txt_expires - ent.txt_ttl <= FUZZ_NOW);
	fuzz_require(ent.txt_expires <= FUZZ_NOW + max);
	(void) mtasts_plan_stable_until(&ent, (time_t) FUZZ_NOW, 60);
	(void) mtasts_plan_before_txt(&ent, (time_t) FUZZ_NOW);
    }
    cache_sts_free(&ent);
}

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    long long v[FUZZ_NCOLS];
    CACHE  *cache = fuzz_open();
    long long max;
    size_t  i;

    if (cache == 0)
	return 0;
    memset(v, 0, sizeof(v));
    for (i = 0; i < size && i < sizeof(v); i++)
	v[i / 8] |= (long long) ((unsigned long long) data[i] << (8 * (i % 8)));
    max = 1 + (long long) ((unsigned long long) v[9] % 31557600ULL);
    cache_set_max_ttl(cache, (long) max);
    fuzz_row(cache, "INSERT OR REPLACE INTO dane (domain, verdict, why, ttl,"
	     " fetched, expires) VALUES (?1, 'dane-only', 'f', ?2, ?3, ?4)", v, 3);
    fuzz_row(cache, "INSERT OR REPLACE INTO sts (domain, id, mode, max_age, policy,"
	     " fetched, expires, last_fail, fail_why, txt_expires, txt_ttl) VALUES"
	     " (?1, 'a1', 'enforce', ?2, 'version: STSv1\nmode: enforce\n"
	     "mx: a.f.example\nmax_age: 86400', ?3, ?4, ?5, 'f', ?6, ?7)", v + 3, 6);
    fuzz_dane(cache, max);
    fuzz_sts(cache, max);
    return 0;
}
