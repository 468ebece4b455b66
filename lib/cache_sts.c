/*++
 * NAME
 *	cache_sts 3
 * SUMMARY
 *	MTA-STS rows of the cache: policies, TXT checks, failure marks
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	void	cache_sts_init(CACHE_STS *ent)
 *	void	cache_sts_free(CACHE_STS *ent)
 *	CACHE_STATUS cache_sts_get(CACHE *cache, const char *domain,
 *				time_t now, CACHE_STS *ent)
 *	int	cache_sts_put(CACHE *cache, const char *domain,
 *				const CACHE_STS *ent)
 * DESCRIPTION
 *	cache_sts_init() and cache_sts_free() make and release an entry.
 *	cache_sts_get() returns the MTA-STS entry of domain (a policy, or
 *	failures only), CACHE_FRESH while the policy is unexpired, else
 *	CACHE_STALE, or CACHE_MISS. cache_sts_put() inserts or replaces it
 *	(0, or -1 when writes fail or are paused).
 * SECURITY
 *	No column is trusted: a NULL or mistyped column, an unknown mode,
 *	a bad id or an over-long policy makes the row a miss with a
 *	warning. Times are bounded by the row's own fetch times, never by
 *	the time it is read (cache_row_life()): a policy fetched in the
 *	future, or that expires more than CACHE_STS_MAX_AGE (the RFC 8461
 *	3.2 max_age limit) after its fetch, makes the row a miss; a TXT
 *	check made in the future (txt_expires - txt_ttl) or with a TTL
 *	above max_ttl is void (asked again) and a failure mark in the
 *	future is void (it must not stop fetches), while the policy stays:
 *	a miss would forget it. Each is logged once per connection.
 *	max_age is clamped to CACHE_STS_MAX_AGE, negative times to 0.
 *--*/
#include <limits.h>
#include <string.h>

#include "cache_int.h"
#include "cache_row.h"

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

/* cache_sts_check - types, id, mode and sizes of one MTA-STS row */
static const char *cache_sts_check(sqlite3_stmt *st)
{
    static const char *const modes[] = {"", "enforce", "testing", "none", 0};

    if (!cache_row_types_ok(st, "TTITIIITII"))
	return "a column is NULL or of the wrong type";
    if (sqlite3_column_bytes(st, 0) > 32 || !cache_sts_id_ok(cache_row_col_str(st, 0)))
	return "bad id";
    if (sqlite3_column_bytes(st, 1) > 7 || !cache_row_in_list(modes, cache_row_col_str(st, 1)))
	return "unknown mode";
    if (sqlite3_column_bytes(st, 3) > CACHE_MAX_POLICY)
	return "policy text too long";
    return 0;
}

/* cache_sts_txt - the TXT check's times: checked at txt_expires - txt_ttl,
 * not in the future, txt_ttl at most max_ttl; a check that is not believed
 * is void (the TXT record is asked again), the policy stays */
static void cache_sts_txt(CACHE *cache, sqlite3_stmt *st, const char *domain,
			          time_t now, CACHE_STS *ent)
{
    long long expires = cache_row_clamp(sqlite3_column_int64(st, 8), 0, LLONG_MAX);
    long long ttl = cache_row_clamp(sqlite3_column_int64(st, 9), 0, LLONG_MAX);
    const char *bad = cache_row_life(expires - ttl < 0 ? 0 : expires - ttl,
				     expires, cache->max_ttl, now);

    if (bad == 0 && ttl > cache->max_ttl)
	bad = "TXT check TTL above cache_max_ttl";
    if (bad != 0) {
	(void) cache_row_bad_time(cache, "sts", domain, "TXT check void: a time"
				  " is not believed (asked again)");
	expires = ttl = 0;
    }
    ent->txt_expires = expires;
    ent->txt_ttl = (int) ttl;
}

/* cache_sts_read - check and copy one MTA-STS row; never trusts it */
static CACHE_STATUS cache_sts_read(CACHE *cache, sqlite3_stmt *st,
				           const char *domain, time_t now,
				           void *sts)
{
    CACHE_STS *ent = sts;
    const char *bad = cache_sts_check(st);

    if (bad)
	return cache_row_bad(cache, "sts", domain, bad);
    cache_row_copy_text(ent->id, sizeof(ent->id), sqlite3_column_text(st, 0));
    cache_row_copy_text(ent->mode, sizeof(ent->mode), sqlite3_column_text(st, 1));
    ent->max_age = cache_row_clamp(sqlite3_column_int64(st, 2), 0, CACHE_STS_MAX_AGE);
    cache_row_text(ent->policy, st, 3);
    ent->fetched = cache_row_clamp(sqlite3_column_int64(st, 4), 0, LLONG_MAX);
    ent->expires = cache_row_clamp(sqlite3_column_int64(st, 5), 0, LLONG_MAX);
    if ((bad = cache_row_life(ent->fetched, ent->expires, CACHE_STS_MAX_AGE, now)) != 0)
	return cache_row_bad_time(cache, "sts", domain, bad);
    ent->last_fail = cache_row_clamp(sqlite3_column_int64(st, 6), 0, LLONG_MAX);
    if (ent->last_fail > (long long) now) {	/* void: it must not stop fetches */
	(void) cache_row_bad_time(cache, "sts", domain, "failure mark in the"
				  " future void");
	ent->last_fail = 0;
    }
    cache_row_clean_text(ent->fail_why, st, 7, CACHE_MAX_WHY);
    cache_sts_txt(cache, st, domain, now, ent);
    return ent->expires > (long long) now ? CACHE_FRESH : CACHE_STALE;
}

/* cache_sts_get - one MTA-STS entry (a policy, or failures only) */
CACHE_STATUS cache_sts_get(CACHE *cache, const char *domain, time_t now,
			           CACHE_STS *ent)
{
    return cache_get(cache, CACHE_GET_STS, domain, now, cache_sts_read, ent);
}

/* cache_sts_put - insert or replace one MTA-STS entry */
int     cache_sts_put(CACHE *cache, const char *domain, const CACHE_STS *ent)
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
