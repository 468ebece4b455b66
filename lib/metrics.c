/*++
 * NAME
 *	metrics 3
 * SUMMARY
 *	Prometheus counters kept in the shared cache database
 * SYNOPSIS
 *	#include "metrics.h"
 *
 *	void	met_inc(MET_ID id, const char *labels, unsigned long n)
 *	void	met_flush(CACHE *cache)
 *	void	met_render(CACHE *cache, VSTR *out)
 * DESCRIPTION
 *	Each helper counts in memory (met_inc(); labels is the text
 *	between the braces, e.g. protocol="tcp",answer="dane") and adds
 *	its counts to the counters table of the cache in one transaction
 *	(met_flush()), at most once a second after a reply and when it
 *	exits, so the hot path never waits for a database write.
 *
 *	met_render() writes the Prometheus text exposition format (0.0.4):
 *	every counter from the table, plus the gauge
 *	tlspolicyd_cache_entries{table="dane"|"sts"}.
 * BUGS
 *	Counts of a helper killed with SIGKILL since its last flush are
 *	lost; Prometheus handles counters that grow more slowly.
 *--*/
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "metrics.h"

#define MET_SLOTS	64
#define MET_LABELS	96

typedef struct MET_SLOT {
    MET_ID  id;
    char    labels[MET_LABELS];
    unsigned long n;
} MET_SLOT;

static MET_SLOT met_slots[MET_SLOTS];
static int met_used;

static const struct {
    const char *name;
    const char *help;
} met_names[MET_COUNT] = {
    {"tlspolicyd_lookups_total", "Lookups answered, by protocol and answer."},
    {"tlspolicyd_cache_hits_total", "Lookups answered from a fresh cache entry."},
    {"tlspolicyd_cache_misses_total", "Lookups that needed DNS (no fresh entry)."},
    {"tlspolicyd_dns_queries_total", "DNS queries sent."},
    {"tlspolicyd_dns_failures_total", "DNS queries that failed (SERVFAIL, REFUSED, timeout, bad answer)."},
    {"tlspolicyd_mtasts_fetches_total", "MTA-STS policy fetches over HTTPS."},
    {"tlspolicyd_mtasts_fetch_failures_total", "MTA-STS policy fetches that failed."},
    {"tlspolicyd_refreshes_total", "Cache entries refreshed before they expired."},
};

/* met_inc - count n events */
void    met_inc(MET_ID id, const char *labels, unsigned long n)
{
    int     i;

    if (n == 0)
	return;
    for (i = 0; i < met_used; i++) {
	if (met_slots[i].id == id && strcmp(met_slots[i].labels, labels) == 0) {
	    met_slots[i].n += n;
	    return;
	}
    }
    if (met_used == MET_SLOTS) {
	log_warn("metrics: more than %d label sets; %s not counted", MET_SLOTS,
		 met_names[id].name);
	return;
    }
    met_slots[met_used].id = id;
    (void) snprintf(met_slots[met_used].labels, MET_LABELS, "%s", labels);
    met_slots[met_used++].n = n;
}

/* met_pending - anything not yet flushed? */
int     met_pending(void)
{
    return met_used > 0;
}

/* met_flush - add this helper's counts to the shared table */
void    met_flush(CACHE *cache)
{
    int     i;

    if (met_used == 0 || !cache_enabled(cache))
	return;
    if (cache_begin(cache) < 0)
	return;
    for (i = 0; i < met_used; i++)
	if (cache_counter_add(cache, met_names[met_slots[i].id].name,
			      met_slots[i].labels, met_slots[i].n) < 0)
	    break;
    if (i == met_used && cache_commit(cache) == 0)
	met_used = 0;
    else
	cache_rollback(cache);
}

typedef struct MET_OUT {
    VSTR   *out;
    const char *name;
    int     samples;
} MET_OUT;

/* met_sample - one row of the counters table */
static void met_sample(void *ctx, const char *name, const char *labels,
		               long long value)
{
    MET_OUT *mo = ctx;

    if (strcmp(name, mo->name) != 0)
	return;
    vstr_printf(mo->out, "%s%s%s%s %lld\n", name, *labels ? "{" : "", labels,
		*labels ? "}" : "", value);
    mo->samples++;
}

/* met_render - the exposition text */
void    met_render(CACHE *cache, VSTR *out)
{
    MET_OUT mo;
    int     id;

    mo.out = out;
    for (id = 0; id < MET_COUNT; id++) {
	mo.name = met_names[id].name;
	mo.samples = 0;
	vstr_printf(out, "# HELP %s %s\n# TYPE %s counter\n", mo.name,
		    met_names[id].help, mo.name);
	cache_counters_each(cache, met_sample, &mo);
	if (mo.samples == 0 && id != MET_LOOKUPS)
	    vstr_printf(out, "%s 0\n", mo.name);
    }
    vstr_printf(out, "# HELP tlspolicyd_cache_entries Entries in the cache.\n"
		"# TYPE tlspolicyd_cache_entries gauge\n"
		"tlspolicyd_cache_entries{table=\"dane\"} %lld\n"
		"tlspolicyd_cache_entries{table=\"sts\"} %lld\n",
		cache_count_rows(cache, "dane"), cache_count_rows(cache, "sts"));
}
