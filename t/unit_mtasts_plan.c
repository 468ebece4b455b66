/* unit_mtasts_plan - the MTA-STS cache, refetch and rate-limit table */
#include <stdio.h>
#include <string.h>

#include "mtasts_plan.h"
#include "tap.h"

#define NOW	1000000000LL
#define DAY	86400LL

/* ent - a cached entry: id, mode, max_age, fetched, expires, last_fail,
 * txt_expires, txt_ttl (ages relative to NOW) */
static CACHE_STS ent(const char *id, const char *mode, long long max_age,
		             long long fetched, long long last_fail,
		             long long txt_left, int txt_ttl)
{
    CACHE_STS e;

    memset(&e, 0, sizeof(e));
    (void) snprintf(e.id, sizeof(e.id), "%s", id);
    (void) snprintf(e.mode, sizeof(e.mode), "%s", mode);
    e.max_age = max_age;
    e.fetched = fetched ? NOW - fetched : 0;
    e.expires = fetched ? NOW - fetched + max_age : 0;
    e.last_fail = last_fail ? NOW - last_fail : 0;
    e.txt_expires = txt_left ? NOW + txt_left : 0;
    e.txt_ttl = txt_ttl;
    return e;
}

typedef struct {
    const char *name;
    CACHE_STS e;
    MTS_TXT txt;
    const char *id;
    int     refreshing;
    MTS_PLAN want;
} AFTER_CASE;

/* after_txt - the plan once the TXT record was asked */
static void after_txt(void)
{
    const AFTER_CASE t[] = {
	{"first contact: fetch", ent("", "", 0, 0, 0, 0, 0), MTS_TXT_OK, "a1", 0, MTS_PLAN_FETCH},
	{"same id, policy current: cached", ent("a1", "enforce", DAY, 3600, 0, 0, 300),
	MTS_TXT_OK, "a1", 0, MTS_PLAN_CACHED},
	{"same id, last quarter, lookup: cached (refresh process refetches)",
	    ent("a1", "enforce", 1000, 800, 0, 0, 300), MTS_TXT_OK, "a1", 0, MTS_PLAN_CACHED},
	{"same id, last quarter, refresh: refetch (issue 10 case 5)",
	    ent("a1", "enforce", 1000, 800, 0, 0, 300), MTS_TXT_OK, "a1", 1, MTS_PLAN_FETCH},
	{"same id, a day old, refresh: refetch", ent("a1", "enforce", 30 * DAY, DAY, 0, 0, 300),
	MTS_TXT_OK, "a1", 1, MTS_PLAN_FETCH},
	{"same id, refresh, max_age 40, fetched 32 s ago: refetch", ent("a1", "enforce", 40, 32, 0, 0, 300),
	MTS_TXT_OK, "a1", 1, MTS_PLAN_FETCH},
	{"same id, refresh, max_age 24, fetched 20 s ago: cached (30 s floor)",
	    ent("a1", "enforce", 24, 20, 0, 0, 300), MTS_TXT_OK, "a1", 1, MTS_PLAN_CACHED},
	{"same id, refresh, max_age 0, fetched 100 s ago: refetch", ent("a1", "enforce", 0, 100, 0, 0, 300),
	MTS_TXT_OK, "a1", 1, MTS_PLAN_FETCH},
	{"same id, refresh, failed 100 s ago: cached", ent("a1", "enforce", 1000, 900, 100, 0, 300),
	MTS_TXT_OK, "a1", 1, MTS_PLAN_CACHED},
	{"same id, expired: fetch", ent("a1", "enforce", 1000, 2000, 0, 0, 300),
	MTS_TXT_OK, "a1", 0, MTS_PLAN_FETCH},
	{"new id: fetch", ent("a1", "enforce", DAY, 3600, 0, 0, 300), MTS_TXT_OK, "b2", 0, MTS_PLAN_FETCH},
	{"new id, fetch failed 10 s ago: cached policy", ent("a1", "enforce", DAY, 3600, 10, 0, 300),
	MTS_TXT_OK, "b2", 0, MTS_PLAN_CACHED},
	{"first contact, fetch failed 10 s ago: no policy", ent("", "", 0, 0, 10, 0, 0),
	MTS_TXT_OK, "a1", 0, MTS_PLAN_ABSENT},
	{"first contact, fetch failed 400 s ago: fetch", ent("", "", 0, 0, 400, 0, 0),
	MTS_TXT_OK, "a1", 0, MTS_PLAN_FETCH},
	{"max_age 0 fetched 100 s ago: cached (issue 10 case 7)", ent("a1", "enforce", 0, 100, 0, 0, 300),
	MTS_TXT_OK, "a1", 0, MTS_PLAN_CACHED},
	{"max_age 0 fetched 400 s ago: fetch", ent("a1", "enforce", 0, 400, 0, 0, 300),
	MTS_TXT_OK, "a1", 0, MTS_PLAN_FETCH},
	{"TXT removed, policy current: cached", ent("a1", "enforce", DAY, 3600, 0, 0, 300),
	MTS_TXT_NONE, "", 0, MTS_PLAN_CACHED},
	{"TXT removed, policy expired: store absence", ent("a1", "enforce", 1000, 2000, 0, 0, 300),
	MTS_TXT_NONE, "", 0, MTS_PLAN_STORE_ABSENCE},
	{"no TXT, nothing cached: store absence", ent("", "", 0, 0, 0, 0, 0),
	MTS_TXT_NONE, "", 0, MTS_PLAN_STORE_ABSENCE},
	{"TXT lookup failed, policy current: cached", ent("a1", "enforce", DAY, 3600, 0, 0, 300),
	MTS_TXT_FAIL, "", 0, MTS_PLAN_CACHED},
	{"TXT lookup failed, nothing cached: no policy (RFC 8461 3.3)", ent("", "", 0, 0, 0, 0, 0),
	MTS_TXT_FAIL, "", 0, MTS_PLAN_ABSENT},
	{"mode none cached, same id: cached", ent("a1", "none", DAY, 3600, 0, 0, 300),
	MTS_TXT_OK, "a1", 0, MTS_PLAN_CACHED},
    };
    size_t  i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	tap_is_str(mtasts_plan_name(mtasts_plan_after_txt(&t[i].e, t[i].txt, t[i].id,
						   t[i].refreshing, NOW)),
		   mtasts_plan_name(t[i].want), t[i].name);
}

/* before_txt - what a lookup does before any DNS */
static void before_txt(void)
{
    CACHE_STS e;

    e = ent("a1", "enforce", DAY, 3600, 0, 200, 300);
    tap_is_str(mtasts_plan_name(mtasts_plan_before_txt(&e, NOW)), "cached", "TXT check current: cached");
    tap_ok(!mtasts_plan_refresh_due(&e, NOW), "not due early in the TXT TTL");
    e.txt_expires = NOW + 50;
    tap_ok(mtasts_plan_refresh_due(&e, NOW), "due in the TXT TTL's last quarter");
    e = ent("a1", "enforce", DAY, 3600, 0, -1, 300);
    tap_is_str(mtasts_plan_name(mtasts_plan_before_txt(&e, NOW)), "ask-txt", "TXT check expired: ask");
    e = ent("", "", 0, 0, 0, 50, 60);
    tap_is_str(mtasts_plan_name(mtasts_plan_before_txt(&e, NOW)), "absent",
	       "absence of the TXT record cached: no query (issue 10 case 7)");
    e = ent("", "", 0, 0, 0, -1, 60);
    tap_is_str(mtasts_plan_name(mtasts_plan_before_txt(&e, NOW)), "ask-txt", "cached absence over: ask");
    e = ent("a1", "enforce", 1000, 2000, 0, 50, 300);
    tap_is_str(mtasts_plan_name(mtasts_plan_before_txt(&e, NOW)), "ask-txt",
	       "expired policy, TXT current: ask (never answers from an expired policy)");
    e = ent("a1", "enforce", 1000, 800, 0, 250, 300);
    tap_ok(mtasts_plan_refresh_due(&e, NOW), "policy in its last quarter: refresh due");
    e = ent("a1", "enforce", 0, 10, 0, 250, 300);
    tap_ok(mtasts_plan_usable(&e, NOW) && !mtasts_plan_refresh_due(&e, NOW),
	   "max_age 0 fetched 10 s ago: used, no refresh");
    e = ent("a1", "enforce", 0, 100, 0, 250, 300);
    tap_ok(mtasts_plan_usable(&e, NOW) && mtasts_plan_refresh_due(&e, NOW),
	   "max_age 0 fetched 100 s ago: used, refresh due");
    e = ent("a1", "enforce", 1000, 2000, 0, 0, 0);
    tap_ok(!mtasts_plan_usable(&e, NOW), "expired policy is not used");
    e.expires = 0x7fffffffffffffffLL;
    e.fetched = NOW;
    tap_ok(mtasts_plan_usable(&e, NOW), "a far expiry does not overflow");
}

typedef struct {
    const char *name;
    CACHE_STS e;
    int     max;
    long long want;			/* seconds from NOW */
} STABLE_CASE;

/* stable_until - how long a cached answer stays the same (memo(3)) */
static void stable_until(void)
{
    const STABLE_CASE t[] = {
	{"cached policy: stable until its TXT check becomes due",
	ent("a1", "enforce", DAY, 3600, 0, 1000, 3600), 200, 100},
	{"never further ahead than max", ent("a1", "enforce", DAY, 3600, 0, 1000, 3600), 60, 60},
	{"cached absence: until its TXT check is due, before it ends",
	ent("", "", 0, 0, 0, 30, 60), 60, 15},
	{"cached absence without a TTL: until it ends (then: ask)",
	ent("", "", 0, 0, 0, 30, 0), 60, 30},
	{"policy expiring in 10 s: stable 10 s, not past the expiry",
	ent("a1", "enforce", 1000, 990, 0, 500, 3600), 60, 10},
	{"max_age 0: until its refetch is due (30 s after the fetch)",
	ent("a1", "enforce", 0, 10, 0, 250, 300), 60, 20},
    };
    size_t  i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	tap_is_int(mtasts_plan_stable_until(&t[i].e, NOW, t[i].max) - NOW, t[i].want,
		   t[i].name);
}

int     main(void)
{
    after_txt();
    before_txt();
    stable_until();
    return tap_done();
}
