/*++
 * NAME
 *	policy 3
 * SUMMARY
 *	decide the TLS policy for one lookup key
 * SYNOPSIS
 *	#include "policy.h"
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
 *	   cache_min_ttl..cache_max_ttl, unless it came from a failure):
 *	   dane-only and dane are answered; a failure is a temporary
 *	   failure (MTA-STS never replaces DANE because of a failure); a
 *	   null MX is not found.
 *	6. Only when fresh DANE data proves there is no DANE: MTA-STS
 *	   (mts_lookup()). TLSRPT attributes are put in ans->tlsrpt when
 *	   the caller asked for them.
 *
 *	The cache and the DNS client are set up on first use, so keys
 *	answered by the gates or the overrides cost no file or socket.
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
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dane.h"
#include "key.h"
#include "log.h"
#include "metrics.h"
#include "mtasts.h"
#include "policy.h"

/* pol_answer_init - empty answer */
void    pol_answer_init(POL_ANSWER *ans)
{
    ans->status = POL_NOTFOUND;
    ans->text = vstr_new(128);
    ans->source = "none";
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

/* pol_set - fill an answer */
static void pol_set(POL_ANSWER *ans, POL_STATUS status, const char *source,
		            const char *text)
{
    ans->status = status;
    ans->source = source;
    vstr_reset(ans->text);
    vstr_addstr(ans->text, text);
}

/* pol_log - the one line per decided lookup */
static void pol_log(const POL_ANSWER *ans)
{
    log_info("lookup domain=%s answer=%s %s=\"%s\" source=%s ttl=%d",
	     ans->domain[0] ? ans->domain : "-", pol_status_name(ans->status),
	     ans->status == POL_FOUND ? "policy" : "reason",
	     vstr_str(ans->text), ans->source, ans->ttl);
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

/* pol_clamp_ttl - cache lifetime within the configured bounds */
static int pol_clamp_ttl(const CFG *cfg, unsigned ttl)
{
    if (ttl < (unsigned) cfg->cache_min_ttl)
	return cfg->cache_min_ttl;
    if (ttl > (unsigned) cfg->cache_max_ttl)
	return cfg->cache_max_ttl;
    return (int) ttl;
}

/* pol_dane_fetch - DNS lookup, cached when it may be */
static DV_VERDICT pol_dane_fetch(POL_CTX *ctx, const char *domain, VSTR *why,
				         int *ttl)
{
    DANE_RESULT res;
    CACHE_DANE ent;
    DNS    *dns = pol_dns(ctx);
    DV_VERDICT verdict;

    if (dns == 0) {
	vstr_addstr(why, "DNS client unavailable");
	return DV_TEMP;
    }
    dane_result_init(&res);
    dane_lookup(dns, domain, &res);
    verdict = res.verdict;
    vstr_addstr(why, vstr_str(res.why));
    *ttl = pol_clamp_ttl(ctx->cfg, res.ttl);
    if (res.cacheable) {
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

/* pol_from_dane - the reply for a DANE verdict */
static void pol_from_dane(POL_ANSWER *ans, DV_VERDICT verdict)
{
    vstr_reset(ans->text);
    switch (verdict) {
    case DV_DANE_ONLY:
    case DV_DANE:
	ans->status = POL_FOUND;
	vstr_addstr(ans->text, dv_verdict_name(verdict));
	break;
    case DV_TEMP:
	ans->status = POL_TEMP;
	vstr_printf(ans->text, "DNS lookup failed: %s", vstr_str(ans->why));
	break;
    case DV_NOPOLICY:
	ans->status = POL_NOTFOUND;
	vstr_addstr(ans->text, "null MX");
	break;
    case DV_NONE:
	ans->status = POL_NOTFOUND;
	vstr_addstr(ans->text, "no DANE");
	break;
    }
}

/* pol_mtasts - MTA-STS for a domain without DANE */
static void pol_mtasts(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt)
{
    MTS_RESULT res;
    DNS    *dns = pol_dns(ctx);

    if (dns == 0)
	return;
    mts_result_init(&res);
    mts_lookup(dns, pol_cache(ctx), ctx->cfg, ans->domain, &res);
    if (res.refresh_due)
	pol_want_refresh(ctx, ans->domain);
    if (res.found) {
	ans->status = POL_FOUND;
	ans->source = strcmp(res.source, "cache") == 0 ? "mta-sts-cache" : "mta-sts";
	ans->ttl = res.ttl;
	vstr_reset(ans->text);
	vstr_addstr(ans->text, vstr_str(res.text));
	if (tlsrpt)
	    vstr_addstr(ans->tlsrpt, vstr_str(res.tlsrpt));
    } else if (vstr_len(res.why)) {
	vstr_printf(ans->why, "; MTA-STS: %s", vstr_str(res.why));
	vstr_reset(ans->text);
	vstr_printf(ans->text, "no DANE, no MTA-STS policy");
    }
    mts_result_free(&res);
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

/* pol_refresh_mtasts - no DANE: check a cached MTA-STS policy now */
static void pol_refresh_mtasts(POL_CTX *ctx, const char *domain, VSTR *why)
{
    MTS_RESULT res;
    DNS    *dns = pol_dns(ctx);

    if (dns == 0)
	return;
    mts_result_init(&res);
    if (mts_refresh_cached(dns, pol_cache(ctx), ctx->cfg, domain, &res) == 0)
	vstr_printf(why, "; MTA-STS: %s", res.found ? vstr_str(res.text)
		    : vstr_str(res.why));
    mts_result_free(&res);
}

/* pol_refresh - (tlspolicyd -R) lease, look up, store; exit status */
int     pol_refresh(POL_CTX *ctx, const char *domain)
{
    VSTR   *why = vstr_new(64);
    long    pid = (long) getpid();
    int     ttl;
    int     taken;

    taken = cache_lease_take(pol_cache(ctx), domain, pid, time(0),
			     ctx->cfg->dns_deadline + 5);
    if (taken == 1) {
	log_info("refresh of %s started (entry near expiry)", domain);
	met_inc(MET_REFRESHES, "", 1);
	if (pol_dane_fetch(ctx, domain, why, &ttl) == DV_NONE)
	    pol_refresh_mtasts(ctx, domain, why);
	log_info("refresh of %s done: %s", domain, vstr_str(why));
	cache_lease_drop(ctx->cache, domain, pid);
	cache_prune(ctx->cache, time(0), ctx->cfg->cache_max_entries);
	pol_flush_metrics(ctx);
    } else if (taken == 0) {
	log_info("refresh of %s: another helper holds the lease", domain);
    }
    vstr_free(why);
    return taken == 1 ? 0 : 1;
}

/* pol_refresh_pending - after a reply: refresh in a new process */
void    pol_refresh_pending(POL_CTX *ctx)
{
    char   *argv[POL_REFRESH_ARGS + 3];
    pid_t   pid;
    int     n;

    if (ctx->refresh[0] == 0 || ctx->refresh_argv == 0)
	return;
    for (n = 0; n < POL_REFRESH_ARGS && ctx->refresh_argv[n]; n++)
	argv[n] = ctx->refresh_argv[n];
    argv[n++] = "-R";
    argv[n++] = ctx->refresh;
    argv[n] = 0;
    (void) signal(SIGCHLD, SIG_IGN);	/* no zombies */
    if ((pid = fork()) < 0) {
	log_warn("cannot fork to refresh %s: %m", ctx->refresh);
    } else if (pid == 0) {
	(void) close(0);		/* the client belongs to the parent */
	(void) close(1);
	(void) execv("/proc/self/exe", argv);
	log_warn("cannot run %s to refresh: %m", argv[0]);
	_exit(1);
    }
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
	DV_VERDICT verdict = pol_dane(ctx, ans);

	pol_from_dane(ans, verdict);
	if (verdict == DV_NONE)
	    pol_mtasts(ctx, ans, tlsrpt);
    }
    pol_log(ans);
}
