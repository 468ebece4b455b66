/*++
 * NAME
 *	metrics 3
 * SUMMARY
 *	Prometheus counters kept in the shared cache database
 * SYNOPSIS
 *	#include "metrics.h"
 *
 *	void	metrics_inc(MET_ID id, const char *labels, unsigned long n)
 *	int	metrics_inc_named(void *unused, const char *name,
 *			const char *labels, unsigned long n)
 *	int	metrics_pending(void)
 *	void	metrics_move(MET_MOVE_FN fn, void *ctx)
 *	void	metrics_flush(CACHE *cache)
 *	void	metrics_render(CACHE *cache, VSTR *out)
 *	void	metrics_forget(void)
 *	const char *metrics_name(MET_ID id)
 *	void	metrics_render_config_error(VSTR *out, int error)
 * DESCRIPTION
 *	Each helper counts in memory (metrics_inc(); labels is the text
 *	between the braces, e.g. protocol="tcp",answer="dane") and adds
 *	its counts to the counters table of the cache in one transaction
 *	(metrics_flush()), at most once a second after a reply and when it
 *	exits, so the hot path never waits for a database write.
 *
 *	metrics_move() hands each pending count to fn(ctx, name, labels,
 *	n) and forgets those fn takes (returns 0): a helper that has the
 *	memo, memo(3), moves its counts there and writes nothing to the
 *	cache. metrics_inc_named() is metrics_inc() by counter name (a
 *	name we do not define is dropped); it always returns 0, so that
 *	memo_counters_take() can hand the memo's counts back to this
 *	helper before /metrics flushes and renders them.
 *
 *	metrics_name() is a counter's name, for a count that must be added
 *	in the caller's own transaction (cache_counter_add(): a protection
 *	drop is counted in the transaction that records it).
 *
 *	metrics_render() writes the Prometheus text exposition format (0.0.4):
 *	every counter from the table, with this helper's counts not flushed
 *	yet added to them (so /metrics can show counts that are still in
 *	the memo without committing them: metrics_forget() then drops
 *	those copies; tlspolicyd_protection_drops_total with what="dane"
 *	and what="mta-sts", and tlspolicyd_deferrals_total with every
 *	counted cause of defer(3), are shown from 0 before their first
 *	event, so that alert rules see the series), plus the gauges
 *	tlspolicyd_cache_entries{table="dane"|"sts"} and
 *	tlspolicyd_cache_refused (1: the cache was refused for its
 *	permissions) and tlspolicyd_resolver_validating{resolver="..."}
 *	(1: the last probe of that resolver, rwatch(3), saw the AD bit).
 *	metrics_render_config_error() adds the gauge tlspolicyd_config_error
 *	(1: the helper answering /metrics has a configuration error, and
 *	renders this gauge alone). Rows of the table are not trusted: a NULL name or a
 *	name we do not define is skipped, labels must read name="value"
 *	(comma-separated) or the row is skipped, and values are escaped
 *	(backslash, newline; other control bytes become "?").
 * BUGS
 *	Counts of a helper killed with SIGKILL since its last flush are
 *	lost; Prometheus handles counters that grow more slowly.
 *--*/
#include <stdio.h>
#include <string.h>

#include "defer.h"
#include "log.h"
#include "metrics.h"
#include "protect.h"
#include "rwatch.h"

#define MET_SLOTS	64
#define MET_LABELS	96

typedef struct MET_SLOT {
    MET_ID  id;
    char    labels[MET_LABELS];
    unsigned long n;
} MET_SLOT;

static MET_SLOT metrics_slots[MET_SLOTS];
static int metrics_used;

static const struct {
    const char *name;
    const char *help;
} metrics_names[MET_COUNT] = {
    {"tlspolicyd_lookups_total", "Lookups answered, by protocol and answer."},
    {"tlspolicyd_cache_hits_total", "Lookups answered from a fresh cache entry."},
    {"tlspolicyd_cache_misses_total", "Lookups that needed DNS (no fresh entry)."},
    {"tlspolicyd_dns_queries_total", "DNS queries sent."},
    {"tlspolicyd_dns_failures_total", "DNS queries that failed (SERVFAIL, REFUSED, timeout, bad answer)."},
    {"tlspolicyd_mtasts_fetches_total", "MTA-STS policy fetches over HTTPS."},
    {"tlspolicyd_mtasts_fetch_failures_total", "MTA-STS policy fetches that failed."},
    {"tlspolicyd_refreshes_total", "Cache entries refreshed before they expired."},
    {"tlspolicyd_refresh_skipped_total", "Refreshes not started: the cache"
     " cannot be written, all refresh slots are busy, or a slot file is unusable."},
    {"tlspolicyd_protection_drops_total", "Domains whose published protection"
    " dropped (DANE or MTA-STS weakened), each drop counted once."},
    {"tlspolicyd_deferrals_total", "Temporary-failure answers, by cause."},
};

/* metrics_inc - count n events */
void    metrics_inc(MET_ID id, const char *labels, unsigned long n)
{
    int     i;

    if (n == 0)
	return;
    for (i = 0; i < metrics_used; i++) {
	if (metrics_slots[i].id == id && strcmp(metrics_slots[i].labels, labels) == 0) {
	    metrics_slots[i].n += n;
	    return;
	}
    }
    if (metrics_used == MET_SLOTS) {
	log_warn("metrics: more than %d label sets; %s not counted", MET_SLOTS,
		 metrics_names[id].name);
	return;
    }
    metrics_slots[metrics_used].id = id;
    (void) snprintf(metrics_slots[metrics_used].labels, MET_LABELS, "%s", labels);
    metrics_slots[metrics_used++].n = n;
}

/* metrics_name - the counter's name */
const char *metrics_name(MET_ID id)
{
    return metrics_names[id].name;
}

/* metrics_inc_named - metrics_inc() by name; unknown names are dropped */
int     metrics_inc_named(void *unused, const char *name, const char *labels,
			          unsigned long n)
{
    int     id;

    (void) unused;
    for (id = 0; id < MET_COUNT; id++) {
	if (strcmp(metrics_names[id].name, name) == 0) {
	    metrics_inc((MET_ID) id, labels, n);
	    break;
	}
    }
    return 0;
}

/* metrics_move - pending counts to fn; those it takes are forgotten */
void    metrics_move(MET_MOVE_FN fn, void *ctx)
{
    int     i;
    int     kept = 0;

    for (i = 0; i < metrics_used; i++) {
	if (fn(ctx, metrics_names[metrics_slots[i].id].name,
	       metrics_slots[i].labels, metrics_slots[i].n) != 0)
	    metrics_slots[kept++] = metrics_slots[i];
    }
    metrics_used = kept;
}

/* metrics_pending - anything not yet flushed? */
int     metrics_pending(void)
{
    return metrics_used > 0;
}

/* metrics_flush - add this helper's counts to the shared table */
void    metrics_flush(CACHE *cache)
{
    int     i;

    if (metrics_used == 0 || !cache_enabled(cache))
	return;
    if (cache_begin(cache) < 0)
	return;
    for (i = 0; i < metrics_used; i++)
	if (cache_counter_add(cache, metrics_names[metrics_slots[i].id].name,
			      metrics_slots[i].labels, metrics_slots[i].n) < 0)
	    break;
    if (i == metrics_used && cache_commit(cache) == 0)
	metrics_used = 0;
    else
	cache_rollback(cache);
}

typedef struct MET_OUT {
    VSTR   *out;
    MET_ID  id;
    const char *name;
    int     samples;
    char    shown[MET_SLOTS];		/* this helper's unflushed counts shown */
    unsigned known;			/* metrics_known() label sets seen */
} MET_OUT;

/* metrics_known - the i-th label set a counter always shows (0 before its
 * first event), NULL after the last: the drops by what, the deferrals by
 * the causes that are counted */
static const char *metrics_known(MET_ID id, int i, char *buf, size_t size)
{
    int     cause;
    int     n = 0;

    if (id == MET_PROTECTION_DROPS && i < PROTECT_WHAT_COUNT) {
	(void) snprintf(buf, size, "what=\"%s\"", protect_what_name((PROTECT_WHAT) i));
	return buf;
    }
    for (cause = 0; id == MET_DEFERRALS && cause < DEFER_COUNT; cause++) {
	if (defer_counted((DEFER_CAUSE) cause) && n++ == i) {
	    (void) snprintf(buf, size, "cause=\"%s\"", defer_name((DEFER_CAUSE) cause));
	    return buf;
	}
    }
    return 0;
}

/* metrics_note_known - remember a known label set that has a sample */
static void metrics_note_known(MET_OUT *mo, const char *labels)
{
    char    buf[MET_LABELS];
    int     i;

    for (i = 0; metrics_known(mo->id, i, buf, sizeof(buf)) != 0; i++)
	if (strcmp(buf, labels) == 0)
	    mo->known |= 1u << i;
}

/* metrics_zeros - 0 for each known label set without a sample */
static void metrics_zeros(MET_OUT *mo)
{
    char    buf[MET_LABELS];
    int     i;

    for (i = 0; metrics_known(mo->id, i, buf, sizeof(buf)) != 0; i++) {
	if ((mo->known & (1u << i)) == 0) {
	    vstr_printf(mo->out, "%s{%s} 0\n", mo->name, buf);
	    mo->samples++;
	}
    }
}

/* metrics_value - one label value, escaped for the exposition format */
static void metrics_value(VSTR *out, const char *val, size_t len)
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

/* metrics_labels - name="value",... re-written escaped; -1 when malformed */
static int metrics_labels(VSTR *out, const char *labels)
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
	metrics_value(out, cp, (size_t) (end - cp));
	vstr_addch(out, '"');
	cp = end + 1;
	if (*cp == ',' && cp[1] != 0)
	    vstr_addch(out, *cp++);
	else if (*cp != 0)
	    return -1;
    }
    return 0;
}

/* metrics_line - one sample; labels never trusted */
static void metrics_line(MET_OUT *mo, const char *labels, long long value)
{
    VSTR   *lab = vstr_new(64);

    if (labels == 0)
	labels = "";
    if (metrics_labels(lab, labels) == 0) {
	vstr_printf(mo->out, "%s%s%s%s %lld\n", mo->name, vstr_len(lab) ? "{" : "",
		    vstr_str(lab), vstr_len(lab) ? "}" : "", value);
	mo->samples++;
	metrics_note_known(mo, labels);
    }
    vstr_free(lab);
}

/* metrics_unflushed - this helper's count for the same series, shown once */
static long long metrics_unflushed(MET_OUT *mo, const char *labels)
{
    int     i;

    for (i = 0; i < metrics_used; i++) {
	if (metrics_slots[i].id == mo->id && !mo->shown[i]
	    && strcmp(metrics_slots[i].labels, labels) == 0) {
	    mo->shown[i] = 1;
	    return (long long) metrics_slots[i].n;
	}
    }
    return 0;
}

/* metrics_sample - one row of the counters table, plus what this helper
 * has not flushed yet of the same series */
static void metrics_sample(void *ctx, const char *name, const char *labels,
		               long long value)
{
    MET_OUT *mo = ctx;

    if (name == 0 || strcmp(name, mo->name) != 0)
	return;
    labels = labels ? labels : "";
    metrics_line(mo, labels, value + metrics_unflushed(mo, labels));
}

/* metrics_rest - this helper's unflushed series the table does not have */
static void metrics_rest(MET_OUT *mo)
{
    int     i;

    for (i = 0; i < metrics_used; i++)
	if (metrics_slots[i].id == mo->id && !mo->shown[i]) {
	    mo->shown[i] = 1;
	    metrics_line(mo, metrics_slots[i].labels, (long long) metrics_slots[i].n);
	}
}

/* metrics_forget - drop the unflushed counts (copies shown by /metrics) */
void    metrics_forget(void)
{
    metrics_used = 0;
}

/* metrics_resolver - one resolver probe row as a gauge sample */
static void metrics_resolver(void *ctx, const char *name, const char *value)
{
    VSTR   *out = ctx;

    vstr_addstr(out, "tlspolicyd_resolver_validating{resolver=\"");
    metrics_value(out, name + sizeof(RWATCH_PREFIX) - 1,
	      strcspn(name + sizeof(RWATCH_PREFIX) - 1, "\""));
    vstr_printf(out, "\"} %d\n",
		strcmp(value, rwatch_status_name(PROBE_VALIDATING)) == 0);
}

/* metrics_render - the exposition text */
void    metrics_render(CACHE *cache, VSTR *out)
{
    MET_OUT mo;
    int     id;

    mo.out = out;
    memset(mo.shown, 0, sizeof(mo.shown));
    for (id = 0; id < MET_COUNT; id++) {
	mo.id = (MET_ID) id;
	mo.name = metrics_names[id].name;
	mo.samples = 0;
	mo.known = 0;
	vstr_printf(out, "# HELP %s %s\n# TYPE %s counter\n", mo.name,
		    metrics_names[id].help, mo.name);
	cache_counters_each(cache, metrics_sample, &mo);
	metrics_rest(&mo);
	metrics_zeros(&mo);
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
    cache_state_each(cache, RWATCH_PREFIX, metrics_resolver, out);
}

/* metrics_render_config_error - the gauge: 1 under a configuration error */
void    metrics_render_config_error(VSTR *out, int error)
{
    vstr_printf(out, "# HELP tlspolicyd_config_error 1 when the helper has a"
		" configuration error (every lookup answers temporary failure,"
		" nothing is counted or cached); see its log or tlspolicyd -t.\n"
		"# TYPE tlspolicyd_config_error gauge\n"
		"tlspolicyd_config_error %d\n", error ? 1 : 0);
}
