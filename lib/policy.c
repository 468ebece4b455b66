/*++
 * NAME
 *	policy 3
 * SUMMARY
 *	decide the TLS policy for one lookup key
 * SYNOPSIS
 *	#include "policy.h"
#include "rwatch.h"
 *
 *	void	pol_lookup(POL_CTX *ctx, const char *raw, size_t len,
 *				int tlsrpt, POL_ANSWER *ans)
 * DESCRIPTION
 *	pol_lookup() answers one key, already decoded from its protocol:
 *
 *	1. A configuration error answers TEMP (mail defers with a reason
 *	   instead of Postfix stalling on a dead helper).
 *	2. The key gates (key_normalize()) answer not found without any
 *	   lookup; each gate logs its own debug line.
 *	3. The override table answers for the domain or a parent entry
 *	   (for a "domain:port" key, the port is ignored here).
 *	4. A "domain:port" key with a port other than 25 and a
 *	   single-label name are not looked up: DANE and MTA-STS
 *	   answers describe SMTP to port 25 of real domains.
 *	5. The DANE verdict, from the cache when a fresh entry exists,
 *	   else from DNS (and then cached for its TTL, clamped to
 *	   cache_min_ttl..cache_max_ttl, unless it came from a failure;
 *	   before the lookup, rwatch_gate() answers temporary failure
 *	   while the resolver is known not to validate, and keeps the
 *	   verdict out of the cache while it fails its probe):
 *	   dane-only and dane are answered; a failure is a temporary
 *	   failure (MTA-STS never replaces DANE because of a failure); a
 *	   null MX is not found.
 *	6. Only when fresh DANE data proves there is no DANE: MTA-STS
 *	   (mts_lookup()). TLSRPT attributes are put in ans->tlsrpt when
 *	   the caller asked for them.
 *
 *	The cache and the DNS client are set up on first use, so keys
 *	answered by the gates or the overrides cost no file or socket.
 *	Opening the cache compares the answer-changing settings with those
 *	it was filled with (cfgmark_check()).
 *
 *	Refresh before expiry: a cached DANE verdict answered with less
 *	than a quarter of its TTL left, or a cached MTA-STS policy in the
 *	last quarter of its TXT check or max_age, is remembered; pol_refresh_pending(),
 *	called by the server once the reply is sent and no request is
 *	waiting, starts "tlspolicyd ... -R domain" (fork and exec: an SQLite
 *	connection must not cross fork()), which takes a lease on the
 *	domain in the cache (one refresher per domain across all helpers),
 *	looks the domain up again and stores the new verdict, then, for a
 *	domain without DANE, checks its cached MTA-STS policy's TXT record
 *	(pol_refresh()). The parent goes back to its client at once: no
 *	answer ever waits for a refresh.
 *
 *	One info line per decided lookup is logged: domain, answer and
 *	source.
 *--*/
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfgmark.h"
#include "dane.h"
#include "decide.h"
#include "key.h"
#include "log.h"
#include "metrics.h"
#include "mtasts.h"
#include "policy.h"
#include "rwatch.h"

/* pol_answer_init - empty answer */
void    pol_answer_init(POL_ANSWER *ans)
{
    ans->status = POL_NOTFOUND;
    ans->text = vstr_new(128);
    ans->source = "none";
    ans->rule = "none";
    ans->domain[0] = 0;
    ans->port = 0;
    ans->ttl = 0;
    ans->why = vstr_new(128);
    ans->tlsrpt = vstr_new(16);
}

/* pol_answer_free - release */
void    pol_answer_free(POL_ANSWER *ans)
{
    vstr_free(ans->text);
    vstr_free(ans->why);
    vstr_free(ans->tlsrpt);
    ans->text = ans->why = ans->tlsrpt = 0;
}

/* pol_status_name - for logs */
const char *pol_status_name(POL_STATUS status)
{
    switch (status) {
    case POL_FOUND: return "found";
    case POL_NOTFOUND: return "notfound";
    case POL_TEMP: return "temp";
    }
    return "unknown";
}

/* pol_set - fill an answer; the source names the rule too */
static void pol_set(POL_ANSWER *ans, POL_STATUS status, const char *source,
		            const char *text)
{
    ans->status = status;
    ans->source = source;
    ans->rule = source;
    vstr_reset(ans->text);
    vstr_addstr(ans->text, text);
}

/* pol_log - the one line per decided lookup */
static void pol_log(const POL_ANSWER *ans)
{
    log_info("lookup domain=%s answer=%s %s=\"%s\" rule=%s source=%s ttl=%d",
	     ans->domain[0] ? ans->domain : "-", pol_status_name(ans->status),
	     ans->status == POL_FOUND ? "policy" : "reason",
	     vstr_str(ans->text), ans->rule, ans->source, ans->ttl);
}

/* pol_gate - run the key gates; 0 when the key may be looked up */
static int pol_gate(const char *raw, size_t len, POL_ANSWER *ans)
{
    KEY_GATE gate = key_normalize(raw, len, ans->domain, &ans->port);
    char    safe[LOG_SAFE_SIZE];

    if (gate == KEY_OK)
	return 0;
    ans->domain[0] = 0;
    log_debug("gate \"%s\": key \"%s\" -> not found",
	      key_gate_reason(gate), log_safe(safe, sizeof(safe), raw, len));
    pol_set(ans, POL_NOTFOUND, "gate", key_gate_reason(gate));
    return -1;
}

/* pol_cache - the cache, opened on first use */
static CACHE *pol_cache(POL_CTX *ctx)
{
    if (ctx->cache == 0) {
	ctx->cache = cache_open(ctx->no_cache ? "" : ctx->cfg->cache_file,
				ctx->cfg->cache_busy_timeout * 1000);
	cache_set_max_ttl(ctx->cache, ctx->cfg->cache_max_ttl);
	(void) cfgmark_check(ctx->cache, ctx->cfg);
    }
    return ctx->cache;
}

/* pol_dns - the DNS client, made on first use; NULL on error */
static DNS *pol_dns(POL_CTX *ctx)
{
    VSTR   *err;

    if (ctx->dns)
	return ctx->dns;
    err = vstr_new(64);
    if (!dns_servers_loopback(ctx->cfg->dns_resolver))
	log_warn("dns_resolver %s is not a loopback address: its AD flag"
		 " cannot be trusted over the network", ctx->cfg->dns_resolver);
    ctx->dns = dns_new(ctx->cfg->dns_resolver, ctx->cfg->dns_timeout,
		       ctx->cfg->dns_deadline, err);
    if (ctx->dns == 0)
	log_warn("%s", vstr_str(err));
    vstr_free(err);
    return ctx->dns;
}

/* pol_dane_fetch - DNS lookup, cached when it may be */
static DV_VERDICT pol_dane_fetch(POL_CTX *ctx, const char *domain, VSTR *why,
				         int *ttl)
{
    DANE_RESULT res;
    CACHE_DANE ent;
    DNS    *dns = pol_dns(ctx);
    DV_VERDICT verdict;
    RWATCH_GATE gate;

    if (dns == 0) {
	vstr_addstr(why, "DNS client unavailable");
	return DV_TEMP;
    }
    if ((gate = rwatch_gate(pol_cache(ctx), ctx->cfg, why)) == RWATCH_TEMP)
	return DV_TEMP;
    dane_result_init(&res);
    dane_lookup(dns, domain, &res);
    verdict = res.verdict;
    vstr_addstr(why, vstr_str(res.why));
    *ttl = cfg_clamp_ttl(ctx->cfg, res.ttl);
    if (res.cacheable && gate == RWATCH_OK) {
	cache_dane_init(&ent);
	(void) snprintf(ent.verdict, sizeof(ent.verdict), "%s", dv_verdict_name(verdict));
	vstr_addstr(ent.why, vstr_str(res.why));
	ent.ttl = *ttl;
	ent.fetched = (long long) time(0);
	ent.expires = ent.fetched + *ttl;
	(void) cache_put_dane(pol_cache(ctx), domain, &ent);
	cache_dane_free(&ent);
	if (!ctx->pruned) {		/* once per process: cheap, indexed */
	    cache_prune(pol_cache(ctx), time(0), 0);
	    ctx->pruned = 1;
	}
    }
    dane_result_free(&res);
    return verdict;
}

/* pol_want_refresh - refresh domain after the reply (not without a cache) */
static void pol_want_refresh(POL_CTX *ctx, const char *domain)
{
    if (!ctx->no_cache)
	(void) snprintf(ctx->refresh, sizeof(ctx->refresh), "%s", domain);
}

/* pol_dane - the DANE verdict, cache first */
static DV_VERDICT pol_dane(POL_CTX *ctx, POL_ANSWER *ans)
{
    CACHE_DANE ent;
    DV_VERDICT verdict;
    VSTR   *why = vstr_new(128);
    time_t  now = time(0);
    int     ttl = 0;

    cache_dane_init(&ent);
    if (cache_get_dane(pol_cache(ctx), ans->domain, now, &ent) == CACHE_FRESH
	&& dv_verdict_from_name(ent.verdict, &verdict) == 0) {
	met_inc(MET_CACHE_HITS, "kind=\"dane\"", 1);
	if (cache_due(ent.expires, ent.ttl, now))
	    pol_want_refresh(ctx, ans->domain);
	log_debug("cache hit for %s: %s (%s), expires in %llds", ans->domain,
		  ent.verdict, vstr_str(ent.why), ent.expires - (long long) now);
	ans->source = "cache";
	ttl = (int) (ent.expires - (long long) now);
	vstr_addstr(why, vstr_str(ent.why));
    } else {
	met_inc(MET_CACHE_MISSES, "kind=\"dane\"", 1);
	log_debug("cache miss for %s", ans->domain);
	ans->source = "dns";
	verdict = pol_dane_fetch(ctx, ans->domain, why, &ttl);
    }
    ans->ttl = verdict == DV_TEMP ? 0 : ttl;
    vstr_reset(ans->why);
    vstr_addstr(ans->why, vstr_str(why));
    vstr_free(why);
    cache_dane_free(&ent);
    return verdict;
}

/* pol_mtasts - the MTA-STS state, when it can change the answer */
static void pol_mtasts(POL_CTX *ctx, const char *domain, MTS_RESULT *res)
{
    DNS    *dns = pol_dns(ctx);

    if (dns == 0) {
	vstr_addstr(res->why, "DNS client unavailable");
	return;
    }
    mts_lookup(dns, pol_cache(ctx), ctx->cfg, domain, res);
    if (res->refresh_due)
	pol_want_refresh(ctx, domain);
}

/* pol_temp_text - the reason Postfix logs for a deferral */
static void pol_temp_text(POL_ANSWER *ans, const DECIDE_RULE *rule)
{
    if (strcmp(rule->name, "dane-temp") == 0)
	vstr_printf(ans->text, "DNS lookup failed: %s", vstr_str(ans->why));
    else
	vstr_printf(ans->text, "MTA-STS policy in force, DANE unknown: %s",
		    vstr_str(ans->why));
}

/* pol_from_rule - the reply for the deciding rule */
static void pol_from_rule(POL_ANSWER *ans, const DECIDE_RULE *rule,
			          const MTS_RESULT *sts, int tlsrpt)
{
    vstr_reset(ans->text);
    ans->rule = rule->name;
    switch (rule->answer) {
    case DECIDE_TEMP:
	ans->status = POL_TEMP;
	ans->ttl = 0;
	pol_temp_text(ans, rule);
	break;
    case DECIDE_NOTFOUND:
	ans->status = POL_NOTFOUND;
	vstr_addstr(ans->text, strcmp(rule->name, "null-mx") == 0 ? "null MX"
		    : "no DANE, no MTA-STS policy");
	break;
    case DECIDE_DANE_ONLY:
    case DECIDE_DANE:
	ans->status = POL_FOUND;
	vstr_addstr(ans->text, decide_answer_name(rule->answer));
	break;
    case DECIDE_SECURE:
	ans->status = POL_FOUND;
	ans->source = strcmp(sts->source, "cache") == 0 ? "mta-sts-cache" : "mta-sts";
	ans->ttl = sts->ttl;
	vstr_addstr(ans->text, vstr_str(sts->text));
	if (tlsrpt)
	    vstr_addstr(ans->tlsrpt, vstr_str(sts->tlsrpt));
	break;
    }
}

/* pol_decide - DANE facts, MTA-STS state, then the one rule table */
static void pol_decide(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt)
{
    DV_VERDICT verdict = pol_dane(ctx, ans);
    const DECIDE_RULE *rule;
    MTS_RESULT sts;

    mts_result_init(&sts);
    if (decide_needs_sts(verdict))
	pol_mtasts(ctx, ans->domain, &sts);
    if (vstr_len(sts.why))
	vstr_printf(ans->why, "; MTA-STS: %s", vstr_str(sts.why));
    rule = decide_answer(verdict, sts.found);
    log_debug("decision for %s: DANE %s, MTA-STS %s: rule %s (%s): %s",
	      ans->domain, dv_verdict_name(verdict), sts.found ? "policy"
	      : "none", rule->name, rule->cite, rule->text);
    pol_from_rule(ans, rule, &sts, tlsrpt);
    mts_result_free(&sts);
}

/* pol_flush_metrics - DNS counts, then everything to the cache */
void    pol_flush_metrics(POL_CTX *ctx)
{
    if (ctx->dns) {
	met_inc(MET_DNS_QUERIES, "", dns_count_queries(ctx->dns) - ctx->dns_queries);
	met_inc(MET_DNS_FAILURES, "", dns_count_failures(ctx->dns) - ctx->dns_failures);
	ctx->dns_queries = dns_count_queries(ctx->dns);
	ctx->dns_failures = dns_count_failures(ctx->dns);
    }
    met_flush(pol_cache(ctx));
}

/* pol_metrics - the exposition text for /metrics */
void    pol_metrics(POL_CTX *ctx, VSTR *out)
{
    pol_flush_metrics(ctx);
    met_render(pol_cache(ctx), out);
}

/* pol_refresh_mtasts - check a cached MTA-STS policy now; 0 unless failed */
static int pol_refresh_mtasts(POL_CTX *ctx, const char *domain, VSTR *why)
{
    MTS_RESULT res;
    DNS    *dns = pol_dns(ctx);
    int     failed = 0;

    if (dns == 0)
	return -1;
    mts_result_init(&res);
    if (mts_refresh_cached(dns, pol_cache(ctx), ctx->cfg, domain, &res) == 0) {
	vstr_printf(why, "; MTA-STS: %s", res.found ? vstr_str(res.text)
		    : vstr_str(res.why));
	failed = res.failed;
    }
    mts_result_free(&res);
    return failed ? -1 : 0;
}

/* pol_refresh_work - the lookups of one refresh; 0 when all renewed */
static int pol_refresh_work(POL_CTX *ctx, const char *domain, VSTR *why)
{
    DV_VERDICT verdict;
    int     ttl;
    int     ok;

    verdict = pol_dane_fetch(ctx, domain, why, &ttl);
    ok = verdict != DV_TEMP && verdict != DV_HOST_FAIL;
    if (decide_needs_sts(verdict) && pol_refresh_mtasts(ctx, domain, why) < 0)
	ok = 0;
    return ok ? 0 : -1;
}

/* pol_refresh - (tlspolicyd -R) lease, look up, store; exit status */
int     pol_refresh(POL_CTX *ctx, const char *domain)
{
    VSTR   *why = vstr_new(64);
    long    pid = (long) getpid();
    int     taken;

    taken = cache_lease_take(pol_cache(ctx), domain, pid, time(0),
			     POL_REFRESH_BUDGET(ctx->cfg));
    if (taken == 1) {
	log_info("refresh of %s started (entry near expiry)", domain);
	met_inc(MET_REFRESHES, "", 1);
	if (pol_refresh_work(ctx, domain, why) == 0) {
	    log_info("refresh of %s done: %s", domain, vstr_str(why));
	    cache_lease_drop(ctx->cache, domain, pid);
	} else {			/* keep the lease: back off */
	    log_info("refresh of %s did not renew everything: %s; next"
		     " attempt in %ds at the earliest", domain, vstr_str(why),
		     POL_REFRESH_BACKOFF);
	    cache_lease_extend(ctx->cache, domain, pid,
			       (long long) time(0) + POL_REFRESH_BACKOFF);
	}
	cache_prune(ctx->cache, time(0), ctx->cfg->cache_max_entries);
	pol_flush_metrics(ctx);
    } else if (taken == 0) {
	log_info("refresh of %s: another helper holds the lease", domain);
    }
    vstr_free(why);
    return taken == 1 ? 0 : 1;
}

/* pol_refresh_child - the -R process: no client descriptors, then exec */
static void pol_refresh_child(char **argv)
{
    int     fd = open("/dev/null", O_RDWR);

    if (fd < 0)
	_exit(1);
    (void) dup2(fd, 0);			/* the client belongs to the parent */
    (void) dup2(fd, 1);
    (void) dup2(fd, 2);			/* spawn(8) makes stderr the client */
    if (fd > 2)
	(void) close(fd);
    (void) execv("/proc/self/exe", argv);
    log_warn("cannot run %s to refresh: %m", argv[0]);
    _exit(1);
}

/* pol_refresh_pending - after a reply: refresh in a new process */
void    pol_refresh_pending(POL_CTX *ctx)
{
    char   *argv[POL_REFRESH_ARGS + 3];
    pid_t   pid;
    int     n;

    if (ctx->refresh[0] == 0 || ctx->refresh_argv == 0)
	return;
    if (cache_lease_held(pol_cache(ctx), ctx->refresh, time(0))) {
	log_debug("refresh of %s: running or backing off", ctx->refresh);
	ctx->refresh[0] = 0;
	return;
    }
    for (n = 0; n < POL_REFRESH_ARGS && ctx->refresh_argv[n]; n++)
	argv[n] = ctx->refresh_argv[n];
    argv[n++] = "-R";
    argv[n++] = ctx->refresh;
    argv[n] = 0;
    (void) signal(SIGCHLD, SIG_IGN);	/* no zombies */
    if ((pid = fork()) < 0)
	log_warn("cannot fork to refresh %s: %m", ctx->refresh);
    else if (pid == 0)
	pol_refresh_child(argv);
    ctx->refresh[0] = 0;
}

/* pol_ctx_close - release the cache and the DNS client */
void    pol_ctx_close(POL_CTX *ctx)
{
    cache_close(ctx->cache);
    ctx->cache = 0;
    dns_free(ctx->dns);
    ctx->dns = 0;
}

/* pol_lookup - the whole decision for one key */
void    pol_lookup(POL_CTX *ctx, const char *raw, size_t len,
		           int tlsrpt, POL_ANSWER *ans)
{
    const char *policy;
    const char *matched = 0;

    if (ctx->config_error) {
	ans->domain[0] = 0;
	pol_set(ans, POL_TEMP, "config",
		"tlspolicyd configuration error, see its log");
	log_warn("answering temporary failure: %s", ctx->config_error);
	return;
    }
    if (pol_gate(raw, len, ans) < 0)
	return;
    if ((policy = ovr_lookup(ctx->ovr, ans->domain, &matched)) != 0) {
	log_debug("override entry \"%s\" matches %s", matched, ans->domain);
	pol_set(ans, POL_FOUND, "override", policy);
    } else if (ans->port != 0 && ans->port != 25) {
	log_debug("gate \"next hop with a port\": %s:%d -> not found",
		  ans->domain, ans->port);
	pol_set(ans, POL_NOTFOUND, "gate",
		"next hop with a port other than 25 is not looked up");
    } else if (strchr(ans->domain, '.') == 0) {
	log_debug("gate \"single-label name\": %s -> not found", ans->domain);
	pol_set(ans, POL_NOTFOUND, "gate", "single-label name is not looked up");
    } else {
	pol_decide(ctx, ans, tlsrpt);
    }
    pol_log(ans);
}
