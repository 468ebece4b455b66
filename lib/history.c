/*++
 * NAME
 *	history 3
 * SUMMARY
 *	protection history, drop alarms and deferrals, from fresh lookups
 * SYNOPSIS
 *	#include "history.h"
 *
 *	void	history_dane(CACHE *cache, DNS *dns, const char *domain,
 *				const DANE_RESULT *res)
 *	void	history_sts(CACHE *cache, const char *domain,
 *				const MTS_RESULT *res)
 *	void	history_answered(CACHE *cache, const char *domain,
 *				DEFER_CAUSE cause, const char *why)
 *
 *	void	history_explain(CACHE *cache, const char *domain, VSTR *out)
 * DESCRIPTION
 *	policy.c calls these after fresh lookups only - never for an answer
 *	from the cache or the memo, which must not write (memo(3)).
 *
 *	history_dane() takes the facts of a DANE lookup whose verdict was
 *	cached (the caller calls it only then: never for a temporary
 *	failure, a host-fail, a verdict not cached, or while the resolver
 *	fails its probe) and history_sts() those of an MTA-STS lookup that
 *	observed fresh facts (mtasts(3): a policy fetched now, or the TXT
 *	record gone with no unexpired policy). Each compares them with the
 *	stored facts (protect(3), cache_protect(3)); the comparison is read
 *	first without a lock, and only a difference takes the write
 *	transaction that compares again and records. A first sighting only
 *	stores the baseline.
 *
 *	A secure MX answer that turned insecure is believed only when a
 *	second, independent answer agrees: history_dane() then asks the
 *	domain's SOA (with the AD bit, through the same resolver). When the
 *	zone still validates, the insecure MX answer is forged or broken
 *	(the test world's breaker forges exactly this): nothing is
 *	recorded, one warning says so. The same holds for a lower DANE
 *	level that rests on an unvalidated TLSA answer under a validated
 *	address. The answer of the lookup itself is decide.c's, unchanged.
 *
 *	Each recorded change is logged once, by the one helper whose
 *	transaction recorded it: a drop at warning level,
 *
 *	    protection dropped: domain=D what=dane|mta-sts before="..."
 *	        after="..." evidence="..."
 *
 *	and counted in tlspolicyd_protection_drops_total{what} within the
 *	transaction that records it (never lost with a helper's in-memory
 *	counts, never counted twice); a rise
 *	("protection raised: ...") and any other change ("protection
 *	changed: ...") at info level. protection_changes in the cache has
 *	them all.
 *
 *	history_answered() follows every answer of a fresh lookup: a
 *	temporary failure (cause not DEFER_NONE) is counted in
 *	tlspolicyd_deferrals_total{cause} and noted in the deferrals table
 *	with why, the reply text; any other answer takes the domain out of
 *	that table. A configuration error is neither counted nor noted:
 *	nothing is written to the cache then (defer(3)).
 *
 *	history_explain() appends, for tlspolicyd -q -v, the domain's
 *	recorded protection and since when, its last change, and its
 *	deferral, as lines of text.
 * SEE ALSO
 *	protect(3), defer(3), cache_protect(3), cache_defer(3)
 *--*/
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "history.h"
#include "log.h"
#include "metrics.h"

/* history_soa - a second answer: does the domain's zone still validate */
static PROTECT_CORR history_soa(DNS *dns, const char *domain)
{
    DNS_Q  *q;

    if (dns == 0)
	return PROTECT_CORR_FAILED;
    dns_begin(dns);
    q = dns_query(dns, domain, DMSG_T_SOA, 0, 0);
    dns_run(dns);
    log_debug("SOA %s: %s, AD=%d (an insecure MX answer where it was secure)",
	      q->name, dns_status_name(q->status), q->ad);
    if (q->status != DNS_OK && q->status != DNS_NODATA && q->status != DNS_NXDOMAIN)
	return PROTECT_CORR_FAILED;
    return q->ad ? PROTECT_CORR_SECURE : PROTECT_CORR_INSECURE;
}

/* history_unproven - why a drop is not believed */
static const char *history_unproven(const CACHE_PROTECT_NEW *rec)
{
    switch (rec->corr) {
    case PROTECT_CORR_SECURE:
	return "the MX answer is insecure but the domain's SOA answer"
	    " validates: a forged or broken answer";
    case PROTECT_CORR_FAILED:
	return "the MX answer is insecure and the domain's SOA could not be"
	    " asked to confirm it";
    case PROTECT_CORR_INSECURE:
	break;
    case PROTECT_CORR_NONE:
	if (!rec->facts->tlsa_insecure)
	    return "the MX answer is insecure, not confirmed by a second answer";
	break;
    }
    return "a host's TLSA answer is insecure under a validated address:"
	" a forged or broken answer";
}

/* history_tell - log (and count) what cache_protect_record() did */
static void history_tell(const char *domain, const CACHE_PROTECT_NEW *rec)
{
    const char *what = protect_what_name(rec->what);
    const char *before = vstr_str(rec->before);
    const char *after = vstr_str(rec->after);

    switch (rec->outcome) {
    case PROTECT_DROP:
	log_warn("protection dropped: domain=%s what=%s before=\"%s\" after=\"%s\""
		 " evidence=\"%s\"", domain, what, before, after, rec->evidence);
	break;
    case PROTECT_RISE:
    case PROTECT_CHANGED:
	log_info("protection %s: domain=%s what=%s before=\"%s\" after=\"%s\""
		 " evidence=\"%s\"", rec->outcome == PROTECT_RISE ? "raised"
		 : "changed", domain, what, before, after, rec->evidence);
	break;
    case PROTECT_UNPROVEN:
	log_warn("protection change not believed: domain=%s what=%s before=\"%s\""
		 " after=\"%s\": %s; nothing recorded", domain, what, before,
		 after, history_unproven(rec));
	break;
    case PROTECT_FIRST:
    case PROTECT_REFRESH:
	log_debug("protection of %s (%s): %s stored", domain, what, after);
	break;
    case PROTECT_SAME:
	break;
    }
}

/* history_observe - fresh facts of one part against the stored ones */
static void history_observe(CACHE *cache, DNS *dns, const char *domain,
			            const PROTECT_FACTS *facts, PROTECT_WHAT what,
			            const char *evidence)
{
    CACHE_PROTECT old;
    CACHE_PROTECT_NEW rec;
    VSTR   *ev;
    char    labels[32];

    rec.now = time(0);
    if (!cache_enabled(cache))
	return;
    if (cache_protect_get(cache, domain, rec.now, &old) == 0
	&& protect_judge(&old.facts, facts, what, PROTECT_CORR_NONE) == PROTECT_SAME) {
	if (old.seen < (long long) rec.now - CACHE_PROTECT_SEEN_EVERY)
	    (void) cache_protect_seen(cache, domain, rec.now);
	return;
    }
    ev = vstr_new(128);
    vstr_addstr(ev, evidence);
    rec.corr = PROTECT_CORR_NONE;
    if (what == PROTECT_WHAT_DANE && protect_needs_corroboration(&old.facts, facts)) {
	rec.corr = history_soa(dns, domain);
	vstr_printf(ev, "; SOA %s: %s", domain, rec.corr == PROTECT_CORR_INSECURE ?
		    "insecure too" : rec.corr == PROTECT_CORR_SECURE ?
		    "validated" : "failed");
    }
    rec.facts = facts;
    rec.what = what;
    rec.evidence = vstr_str(ev);
    rec.counter = metrics_name(MET_PROTECTION_DROPS);
    (void) snprintf(labels, sizeof(labels), "what=\"%s\"", protect_what_name(what));
    rec.labels = labels;
    rec.before = vstr_new(64);
    rec.after = vstr_new(64);
    if (cache_protect_record(cache, domain, &rec) == 0)
	history_tell(domain, &rec);
    vstr_free(rec.before);
    vstr_free(rec.after);
    vstr_free(ev);
}

/* history_dane - the facts of a DANE lookup whose verdict was cached */
void    history_dane(CACHE *cache, DNS *dns, const char *domain,
		             const DANE_RESULT *res)
{
    PROTECT_FACTS facts;

    protect_init(&facts);
    if (protect_from_dane(&facts, res->verdict, res->mx_secure, res->tlsa_insecure) == 0)
	history_observe(cache, dns, domain, &facts, PROTECT_WHAT_DANE, vstr_str(res->why));
}

/* history_sts - the facts of an MTA-STS lookup that observed them */
void    history_sts(CACHE *cache, const char *domain, const MTS_RESULT *res)
{
    VSTR   *ev;

    if (!res->observed)
	return;
    ev = vstr_new(64);
    if (res->facts.sts == PROTECT_STS_NOPOLICY)
	vstr_addstr(ev, "no _mta-sts TXT record, and no unexpired policy");
    else
	vstr_printf(ev, "policy fetched from https://mta-sts.%s/: mode %s, id %s",
		    domain, protect_sts_name(res->facts.sts), res->facts.sts_id);
    history_observe(cache, 0, domain, &res->facts, PROTECT_WHAT_STS, vstr_str(ev));
    vstr_free(ev);
}

/* history_answered - a fresh lookup's answer: deferred, or not any more */
void    history_answered(CACHE *cache, const char *domain, DEFER_CAUSE cause,
			         const char *why)
{
    char    labels[48];

    if (cause == DEFER_NONE) {
	(void) cache_defer_clear(cache, domain);
	return;
    }
    if (!defer_counted(cause))
	return;
    (void) snprintf(labels, sizeof(labels), "cause=\"%s\"", defer_name(cause));
    metrics_inc(MET_DEFERRALS, labels, 1);
    (void) cache_defer_note(cache, domain, cause, why, time(0));
}

/* history_time - a unix time as UTC text */
static const char *history_time(long long t, char *buf, size_t size)
{
    time_t  tt = (time_t) t;
    struct tm tm;

    if (gmtime_r(&tt, &tm) == 0 || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
	(void) snprintf(buf, size, "%lld", t);
    return buf;
}

/* history_part - one part of the recorded facts, and since when */
static void history_part(const CACHE_PROTECT *ent, PROTECT_WHAT what, VSTR *out)
{
    char    when[48];

    vstr_printf(out, "%s ", what == PROTECT_WHAT_DANE ? "DANE" : "MTA-STS");
    if (!protect_known(&ent->facts, what)) {
	vstr_addstr(out, "not recorded");
	return;
    }
    protect_describe(&ent->facts, what, out);
    vstr_printf(out, " (since %s)", history_time(what == PROTECT_WHAT_DANE ?
		ent->dane_since : ent->sts_since, when, sizeof(when)));
}

/* history_explain - the domain's history, for tlspolicyd -q -v */
void    history_explain(CACHE *cache, const char *domain, VSTR *out)
{
    CACHE_PROTECT ent;
    CACHE_PROTECT_CHANGE chg;
    CACHE_DEFER def;
    time_t  now = time(0);
    char    when[48];

    vstr_printf(out, "protection of %s: ", domain);
    if (cache_protect_get(cache, domain, now, &ent) < 0) {
	vstr_addstr(out, "nothing recorded yet\n");
    } else {
	history_part(&ent, PROTECT_WHAT_DANE, out);
	vstr_addstr(out, "; ");
	history_part(&ent, PROTECT_WHAT_STS, out);
	vstr_addstr(out, "\n");
    }
    cache_protect_change_init(&chg);
    if (cache_protect_last_change(cache, domain, now, &chg) == 0)
	vstr_printf(out, "last change: %s, %s: %s -> %s (%s); evidence: %s\n",
		    history_time(chg.at, when, sizeof(when)), chg.what,
		    vstr_str(chg.before), vstr_str(chg.after), chg.dropped ?
		    "a drop" : "not a drop", vstr_str(chg.evidence));
    else
	vstr_addstr(out, "last change: none recorded\n");
    cache_protect_change_free(&chg);
    cache_defer_init(&def);
    if (cache_defer_get(cache, domain, now, &def) == 0)
	vstr_printf(out, "deferred since %s, %lld time(s), cause %s: %s\n",
		    history_time(def.since, when, sizeof(when)), def.count,
		    defer_name(def.cause), defer_text(def.cause));
    cache_defer_free(&def);
}
