/*++
 * NAME
 *	metrics 3
 * SUMMARY
 *	Prometheus counters kept in the shared cache database
 * SYNOPSIS
 *	#include "metrics.h"
#include "rwatch.h"
 *
 *	void	met_inc(MET_ID id, const char *labels, unsigned long n)
 *	int	met_pending(void)
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
 *	every counter from the table, plus the gauges
 *	tlspolicyd_cache_entries{table="dane"|"sts"} and
 *	tlspolicyd_cache_refused (1: the cache was refused for its
 *	permissions) and tlspolicyd_resolver_validating{resolver="..."}
 *	(1: the last probe of that resolver, rwatch(3), saw the AD bit). Rows of the table are not trusted: a NULL name or a
 *	name we do not define is skipped, labels must read name="value"
 *	(comma-separated) or the row is skipped, and values are escaped
 *	(backslash, newline; other control bytes become "?").
 * BUGS
 *	Counts of a helper killed with SIGKILL since its last flush are
 *	lost; Prometheus handles counters that grow more slowly.
 *--*/
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "rwatch.h"

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

/* met_value - one label value, escaped for the exposition format */
static void met_value(VSTR *out, const char *val, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
	unsigned char ch = (unsigned char) val[i];

	if (ch == '\\')
	    vstr_addstr(out, "\\\\");
	else if (ch == '\n')
	    vstr_addstr(out, "\\n");
	else
	    vstr_addch(out, ch < 0x20 || ch == 0x7f ? '?' : (char) ch);
    }
}

/* met_labels - name="value",... re-written escaped; -1 when malformed */
static int met_labels(VSTR *out, const char *labels)
{
    static const char name_chars[] = "abcdefghijklmnopqrstuvwxyz"
	"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
    const char *cp = labels;
    const char *end;
    size_t  n;

    while (*cp) {
	n = strspn(cp, name_chars);
	if (n == 0 || (*cp >= '0' && *cp <= '9') || cp[n] != '=' || cp[n + 1] != '"')
	    return -1;
	vstr_addmem(out, cp, n + 2);
	cp += n + 2;
	if ((end = strchr(cp, '"')) == 0)
	    return -1;
	met_value(out, cp, (size_t) (end - cp));
	vstr_addch(out, '"');
	cp = end + 1;
	if (*cp == ',' && cp[1] != 0)
	    vstr_addch(out, *cp++);
	else if (*cp != 0)
	    return -1;
    }
    return 0;
}

/* met_sample - one row of the counters table; labels never trusted */
static void met_sample(void *ctx, const char *name, const char *labels,
		               long long value)
{
    MET_OUT *mo = ctx;
    VSTR   *lab;

    if (name == 0 || strcmp(name, mo->name) != 0)
	return;
    lab = vstr_new(64);
    if (met_labels(lab, labels ? labels : "") == 0) {
	vstr_printf(mo->out, "%s%s%s%s %lld\n", name, vstr_len(lab) ? "{" : "",
		    vstr_str(lab), vstr_len(lab) ? "}" : "", value);
	mo->samples++;
    }
    vstr_free(lab);
}

/* met_resolver - one resolver probe row as a gauge sample */
static void met_resolver(void *ctx, const char *name, const char *value)
{
    VSTR   *out = ctx;

    vstr_addstr(out, "tlspolicyd_resolver_validating{resolver=\"");
    met_value(out, name + sizeof(RWATCH_PREFIX) - 1,
	      strcspn(name + sizeof(RWATCH_PREFIX) - 1, "\""));
    vstr_printf(out, "\"} %d\n",
		strcmp(value, rwatch_status_name(PROBE_VALIDATING)) == 0);
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
    vstr_printf(out, "# HELP tlspolicyd_cache_refused 1 when the cache file or"
		" directory is writable by others or owned by another user,"
		" and lookups answer without it.\n"
		"# TYPE tlspolicyd_cache_refused gauge\n"
		"tlspolicyd_cache_refused %d\n", cache_refused(cache));
    vstr_printf(out, "# HELP tlspolicyd_resolver_validating 1 when the"
		" resolver answered the last probe (\". SOA\", every %d s at"
		" most) with the AD bit, 0 when it did not validate or did"
		" not answer.\n"
		"# TYPE tlspolicyd_resolver_validating gauge\n", RWATCH_INTERVAL);
    cache_state_each(cache, RWATCH_PREFIX, met_resolver, out);
}
