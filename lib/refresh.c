/*++
 * NAME
 *	refresh 3
 * SUMMARY
 *	refresh-ahead: renew cache entries before they run out
 * SYNOPSIS
 *	#include "refresh.h"
 *
 *	int	refresh_claim(POL_CTX *ctx, const char *domain)
 *
 *	int	refresh_run(POL_CTX *ctx, const char *domain)
 * DESCRIPTION
 *	A lookup answered from a cached entry near its end remembers the
 *	domain (policy.c: a DANE verdict in the last quarter of its TTL, an
 *	MTA-STS policy whose TXT check or refetch is due, mtasts_plan.c). Once
 *	the reply is sent and the client is idle, the server asks the
 *	daemon to start "tlspolicyd ... -R DOMAIN" (process control lives
 *	in daemon/tlspolicyd.c: fork and exec, because an SQLite connection
 *	must not cross fork()). This module holds the rules around that:
 *
 *	refresh_claim() says whether this helper should start the refresh
 *	process: not while a refresh of the domain runs or backs off (its
 *	lease in the cache is held), and only the first of the helpers that
 *	see the entry due within REFRESH_START seconds (a second lease,
 *	"refresh DOMAIN"). It returns 1 to start one, else 0.
 *
 *	refresh_run() is the -R process's work: take the domain's lease
 *	(one refresher per domain across all helpers, held at most
 *	POL_REFRESH_BUDGET seconds), check that the entry is still due
 *	(another helper's refresh may have renewed it), look the domain up
 *	again (policy_refresh_lookup()) and give the lease back; a refresh
 *	that does not renew everything keeps its lease REFRESH_BACKOFF
 *	seconds longer instead: a back-off. It returns the exit status: 0
 *	when it ran, 1 when another helper held the lease or the cache
 *	could not be used.
 *
 *	No answer ever waits for a refresh.
 *--*/
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "decide.h"
#include "log.h"
#include "metrics.h"
#include "mtasts.h"
#include "refresh.h"

/* refresh_due - still due? Helpers that saw the entry due at the same
 * moment may each start a refresh process; the first one renews it */
static int refresh_due(POL_CTX *ctx, CACHE *cache, const char *domain)
{
    CACHE_DANE ent;
    MTS_RESULT sts;
    DV_VERDICT verdict;
    time_t  now = time(0);
    int     due = 1;

    cache_dane_init(&ent);
    cache_read_begin(cache);
    if (cache_dane_get(cache, domain, now, &ent) == CACHE_FRESH
	&& !cache_due(ent.expires, ent.ttl, now)
	&& dane_verdict_verdict_from_name(ent.verdict, &verdict) == 0) {
	mtasts_result_init(&sts);
	due = decide_needs_sts(verdict)
	    && !(mtasts_lookup_cached(cache, ctx->cfg, domain, &sts) && !sts.refresh_due);
	mtasts_result_free(&sts);
    }
    cache_read_end(cache);
    cache_dane_free(&ent);
    return due;
}

/* refresh_work - look up, then give the lease back or keep it */
static void refresh_work(POL_CTX *ctx, CACHE *cache, const char *domain,
			         long pid)
{
    VSTR   *why = vstr_new(64);

    log_info("refresh of %s started (entry near expiry)", domain);
    metrics_inc(MET_REFRESHES, "", 1);
    if (policy_refresh_lookup(ctx, domain, why) == 0) {
	log_info("refresh of %s done: %s", domain, vstr_str(why));
	cache_lease_drop(cache, domain, pid);
    } else {				/* keep the lease: back off */
	log_info("refresh of %s did not renew everything: %s; next"
		 " attempt in %ds at the earliest", domain, vstr_str(why),
		 REFRESH_BACKOFF);
	cache_lease_extend(cache, domain, pid, (long long) time(0) + REFRESH_BACKOFF);
    }
    vstr_free(why);
}

/* refresh_run - (tlspolicyd -R) lease, look up, store; exit status */
int     refresh_run(POL_CTX *ctx, const char *domain)
{
    CACHE  *cache = policy_cache(ctx);
    long    pid = (long) getpid();
    int     taken;

    taken = cache_lease_take(cache, domain, pid, time(0),
			     POL_REFRESH_BUDGET(ctx->cfg));
    if (taken == 1 && !refresh_due(ctx, cache, domain)) {
	log_info("refresh of %s: already renewed by another helper", domain);
	cache_lease_drop(cache, domain, pid);
    } else if (taken == 1) {
	refresh_work(ctx, cache, domain, pid);
	cache_prune_expired(cache, time(0), ctx->cfg->cache_max_entries);
	policy_flush_metrics(ctx);
    } else if (taken == 0) {
	log_info("refresh of %s: another helper holds the lease", domain);
    }
    return taken == 1 ? 0 : 1;
}

/* refresh_claim - should this helper start the refresh process? */
int     refresh_claim(POL_CTX *ctx, const char *domain)
{
    CACHE  *cache = policy_cache(ctx);
    char    key[300];

    if (cache_lease_held(cache, domain, time(0)))
	return 0;
    (void) snprintf(key, sizeof(key), "refresh %s", domain);
    return cache_lease_take(cache, key, (long) getpid(), time(0),
			    REFRESH_START) != 0;
}
