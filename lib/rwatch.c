/*++
 * NAME
 *	rwatch 3
 * SUMMARY
 *	the helper's own resolver probe, at most once per RWATCH_INTERVAL
 *	(RWATCH_RETRY while it fails)
 * SYNOPSIS
 *	#include "rwatch.h"
 *
 *	RWATCH_GATE rwatch_gate(CACHE *cache, const CFG *cfg, VSTR *why)
 *	const char *rwatch_status_name(PROBE_STATUS status)
 * DESCRIPTION
 *	A resolver that does not validate never sets AD, so every DANE
 *	domain looks unsigned: dane-only domains would be answered "not
 *	found" and that cached for a day. The helpers therefore run the
 *	probe of tlspolicyd -t (probe(3): ". SOA" with AD) themselves.
 *
 *	rwatch_status() returns the last probe of cfg->dns_resolver: from
 *	this process' memory or the state row "resolver <dns_resolver>" of
 *	the cache when it is younger than RWATCH_INTERVAL seconds
 *	(RWATCH_RETRY seconds when it failed: a resolver just fixed or
 *	started is seen soon, and mail does not wait 5 minutes for it),
 *	else it probes now and stores the outcome for every helper. The
 *	helper that probes logs a warning when the resolver fails the probe
 *	(so once per retry interval, not once per lookup), and an info line when a
 *	resolver that failed validates again. why gets the probe's line.
 *
 *	rwatch_gate() is called before a DANE lookup that missed the cache
 *	(never for a cached answer) and says what the lookup may do:
 *
 *	RWATCH_OK: the resolver validates; look up and cache.
 *
 *	RWATCH_TEMP: it answers without AD. Nothing it says can prove or
 *	disprove DANE, so the lookup is not made and answers temporary
 *	failure (DESIGN section 6: missing facts give a temporary failure,
 *	never a weaker policy); why says so.
 *
 *	RWATCH_NOCACHE: it did not answer the probe (down, SERVFAIL as a
 *	broken trust anchor gives). The lookup goes on (its own failures
 *	answer temporary failure) but its verdict is not cached, since a
 *	working validating resolver could change it.
 *
 *	rwatch_status_name() names a status as the state row and metrics
 *	store it.
 * SEE ALSO
 *	probe(3), metrics(3) (tlspolicyd_resolver_validating)
 *--*/
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "rwatch.h"

static const char *const rwatch_names[] = {
    [PROBE_VALIDATING] = "validating",
    [PROBE_NOT_VALIDATING] = "not-validating",
    [PROBE_NO_ANSWER] = "no-answer",
};

static struct {
    int     known;
    PROBE_STATUS status;
    long long stamp;
    VSTR   *why;
} rwatch_memo;

/* rwatch_status_name - the word stored in the cache */
const char *rwatch_status_name(PROBE_STATUS status)
{
    return rwatch_names[status];
}

/* rwatch_status_parse - a stored word; -1 when unknown */
static int rwatch_status_parse(const char *name, PROBE_STATUS *status)
{
    int     i;

    for (i = 0; i < (int) (sizeof(rwatch_names) / sizeof(rwatch_names[0])); i++) {
	if (strcmp(name, rwatch_names[i]) == 0) {
	    *status = (PROBE_STATUS) i;
	    return 0;
	}
    }
    return -1;
}

/* rwatch_life - how long a probe's outcome holds: a failed one briefly,
 * so that a resolver just fixed is seen within RWATCH_RETRY seconds */
static int rwatch_life(PROBE_STATUS status)
{
    return status == PROBE_VALIDATING ? RWATCH_INTERVAL : RWATCH_RETRY;
}

/* rwatch_fresh - a probe with this outcome made at stamp still holds at now */
static int rwatch_fresh(PROBE_STATUS status, long long stamp, time_t now)
{
    return stamp <= (long long) now && (long long) now - stamp < rwatch_life(status);
}

/* rwatch_remember - keep an outcome in this process */
static void rwatch_remember(PROBE_STATUS status, long long stamp,
			            const char *why)
{
    if (rwatch_memo.why == 0)
	rwatch_memo.why = vstr_new(128);
    vstr_reset(rwatch_memo.why);
    vstr_addstr(rwatch_memo.why, why);
    rwatch_memo.status = status;
    rwatch_memo.stamp = stamp;
    rwatch_memo.known = 1;
}

/* rwatch_stored - the cached probe, when fresh; -1 otherwise */
static int rwatch_stored(CACHE *cache, const char *row, time_t now,
			         PROBE_STATUS *was)
{
    VSTR   *value = vstr_new(32);
    VSTR   *why = vstr_new(128);
    long long stamp;
    PROBE_STATUS status;
    int     ret = -1;

    *was = PROBE_VALIDATING;
    if (cache_state_get(cache, row, value, why, &stamp) == 0
	&& rwatch_status_parse(vstr_str(value), &status) == 0) {
	*was = status;
	if (rwatch_fresh(status, stamp, now)) {
	    rwatch_remember(status, stamp, vstr_str(why));
	    ret = 0;
	}
    }
    vstr_free(value);
    vstr_free(why);
    return ret;
}

/* rwatch_probe - probe now, store, log a change or a failure */
static void rwatch_probe(CACHE *cache, const CFG *cfg, const char *row,
			         time_t now, PROBE_STATUS was)
{
    VSTR   *why = vstr_new(128);
    PROBE_STATUS status;

    status = probe_resolver(cfg->dns_resolver, cfg->dns_timeout,
			    cfg->dns_deadline, why);
    (void) cache_state_put(cache, row, rwatch_status_name(status),
			   vstr_str(why), (long long) now);
    if (status == PROBE_NOT_VALIDATING)
	log_warn("resolver %s %s; DANE lookups answer temporary failure"
		 " until it validates (next check in %ds; tlspolicyd -t)",
		 cfg->dns_resolver, vstr_str(why), RWATCH_RETRY);
    else if (status == PROBE_NO_ANSWER)
	log_warn("resolver %s: %s; DANE verdicts are not cached until it"
		 " answers with AD (next check in %ds; tlspolicyd -t)",
		 cfg->dns_resolver, vstr_str(why), RWATCH_RETRY);
    else if (was != PROBE_VALIDATING)
	log_info("resolver %s validates DNSSEC again", cfg->dns_resolver);
    rwatch_remember(status, (long long) now, vstr_str(why));
    vstr_free(why);
}

/* rwatch_status - the last probe of dns_resolver, probing when stale */
static PROBE_STATUS rwatch_status(CACHE *cache, const CFG *cfg, time_t now,
				           VSTR *why)
{
    VSTR   *row;
    PROBE_STATUS was;

    if (!rwatch_memo.known
	|| !rwatch_fresh(rwatch_memo.status, rwatch_memo.stamp, now)) {
	row = vstr_new(64);
	vstr_printf(row, RWATCH_PREFIX "%s", cfg->dns_resolver);
	if (rwatch_stored(cache, vstr_str(row), now, &was) < 0)
	    rwatch_probe(cache, cfg, vstr_str(row), now, was);
	vstr_free(row);
    }
    log_debug("resolver %s, probed %llds ago: %s (%s)", cfg->dns_resolver,
	      (long long) now - rwatch_memo.stamp,
	      rwatch_status_name(rwatch_memo.status), vstr_str(rwatch_memo.why));
    vstr_addstr(why, vstr_str(rwatch_memo.why));
    return rwatch_memo.status;
}

/* rwatch_gate - may a DANE lookup that missed the cache go on? */
RWATCH_GATE rwatch_gate(CACHE *cache, const CFG *cfg, VSTR *why)
{
    VSTR   *probe = vstr_new(128);
    RWATCH_GATE gate = RWATCH_OK;

    switch (rwatch_status(cache, cfg, time(0), probe)) {
    case PROBE_VALIDATING:
	break;
    case PROBE_NOT_VALIDATING:
	vstr_printf(why, "resolver %s does not validate DNSSEC (no AD bit);"
		    " see tlspolicyd -t", cfg->dns_resolver);
	gate = RWATCH_TEMP;
	break;
    case PROBE_NO_ANSWER:
	log_debug("the resolver failed its probe: this verdict is not cached");
	gate = RWATCH_NOCACHE;
	break;
    }
    vstr_free(probe);
    return gate;
}

