/* unit_evict - cache_max_entries never evicts an unexpired enforce policy;
 * refresh leases: held, extended as a back-off, given back */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "tap.h"

static char dir[] = "/tmp/tlspd-unit-evict.XXXXXX";

/* put_sts - one MTA-STS row */
static void put_sts(CACHE *cache, const char *domain, const char *mode,
		            long long fetched, long long expires)
{
    CACHE_STS ent;

    cache_sts_init(&ent);
    (void) snprintf(ent.id, sizeof(ent.id), "id1");
    (void) snprintf(ent.mode, sizeof(ent.mode), "%s", mode);
    ent.max_age = expires - fetched;
    vstr_addstr(ent.policy, "version: STSv1\nmode: enforce\nmx: mx.example\nmax_age: 600\n");
    ent.fetched = fetched;
    ent.expires = expires;
    tap_is_int(cache_sts_put(cache, domain, &ent), 0, domain);
    cache_sts_free(&ent);
}

/* present - is there a row for domain */
static int present(CACHE *cache, const char *domain, time_t now)
{
    CACHE_STS ent;
    CACHE_STATUS st;

    cache_sts_init(&ent);
    st = cache_sts_get(cache, domain, now, &ent);
    cache_sts_free(&ent);
    return st != CACHE_MISS;
}

/* evict - over the cap, enforce policies that still apply stay */
static void evict(CACHE *cache)
{
    time_t  now = 2000000000;

    put_sts(cache, "enforce-soon.example", "enforce", now - 500, now + 100);
    put_sts(cache, "enforce-late.example", "enforce", now - 500, now + 90000);
    put_sts(cache, "testing.example", "testing", now - 500, now + 50000);
    put_sts(cache, "none.example", "none", now - 500, now + 60000);
    put_sts(cache, "expired.example", "enforce", now - 900, now - 10);
    cache_prune_expired(cache, now, 1);
    tap_ok(present(cache, "enforce-soon.example", now),
	   "cap 1: the enforce policy nearest expiry stays (issue 10 case 9)");
    tap_ok(present(cache, "enforce-late.example", now), "cap 1: the other enforce policy stays");
    tap_ok(!present(cache, "testing.example", now), "cap 1: a testing policy goes");
    tap_ok(!present(cache, "none.example", now), "cap 1: a none policy goes");
    tap_ok(!present(cache, "expired.example", now), "cap 1: an expired enforce policy goes");
}

/* leases - one refresh at a time, back-off after a failure */
static void leases(CACHE *cache)
{
    time_t  now = 2000000000;

    tap_ok(!cache_lease_held(cache, "a.example", now), "no lease yet");
    tap_is_int(cache_lease_take(cache, "a.example", 11, now, 20), 1, "lease taken");
    tap_ok(cache_lease_held(cache, "a.example", now + 5), "held while the refresh runs");
    tap_is_int(cache_lease_take(cache, "a.example", 12, now + 5, 20), 0, "a second refresh is refused");
    cache_lease_extend(cache, "a.example", 11, (long long) now + 60);
    tap_ok(cache_lease_held(cache, "a.example", now + 50), "extended: back-off holds");
    tap_is_int(cache_lease_take(cache, "a.example", 12, now + 50, 20), 0, "no refresh during the back-off");
    tap_ok(!cache_lease_held(cache, "a.example", now + 61), "back-off over");
    tap_is_int(cache_lease_take(cache, "a.example", 12, now + 61, 20), 1, "then a refresh may run");
    cache_lease_drop(cache, "a.example", 12);
    tap_is_int(cache_lease_take(cache, "b.example", 13, now, 20), 1, "a lease taken");
    tap_ok(!cache_lease_held(cache, "b.example", now - 3600),
	   "the clock set back an hour: the lease is over, not held an hour longer");
    tap_is_int(cache_lease_take(cache, "b.example", 14, now - 3600, 20), 1,
	   "  and it may be taken");
    cache_lease_drop(cache, "b.example", 14);
    tap_ok(!cache_lease_held(cache, "a.example", now + 62), "given back");
}

int     main(void)
{
    char    path[256];
    char    cmd[300];
    CACHE  *cache;

    if (mkdtemp(dir) == 0)
	return 1;
    (void) snprintf(path, sizeof(path), "%s/cache.db", dir);
    cache = cache_open(path, 1000);
    tap_ok(cache_enabled(cache), "cache opened");
    evict(cache);
    leases(cache);
    cache_close(cache);
    (void) snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    if (system(cmd) != 0)
	printf("# could not remove %s\n", dir);
    return tap_done();
}
