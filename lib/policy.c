/*++
 * NAME
 *	policy 3
 * SUMMARY
 *	decide the TLS policy for one lookup key
 * SYNOPSIS
 *	#include "policy.h"
 *
 *	void	policy_lookup(POL_CTX *ctx, const char *raw, size_t len,
 *				int tlsrpt, POL_ANSWER *ans)
 *
 *	void	policy_answer_init(POL_ANSWER *ans)
 *	void	policy_answer_reset(POL_ANSWER *ans)
 *	void	policy_answer_free(POL_ANSWER *ans)
 *
 *	CACHE	*policy_cache(POL_CTX *ctx)
 *	const char *policy_cache_path(POL_CTX *ctx)
 *	void	policy_ctx_close(POL_CTX *ctx)
 * INTERNAL (policy_int.h, for policy_*.c only)
 *	const char *policy_settings(POL_CTX *ctx)
 *	DNS	*policy_dns(POL_CTX *ctx)
 *	DV_VERDICT policy_dane_fetch(POL_CTX *ctx, const char *domain,
 *				VSTR *why, int *ttl, DEFER_CAUSE *cause)
 *	int	policy_from_cache(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt,
 *				time_t *until)
 *	void	policy_start_clock(POL_CTX *ctx)
 *	void	policy_stop_clock(POL_CTX *ctx)
 *	void	policy_log_line(const POL_ANSWER *ans)
 * DESCRIPTION
 *	policy_lookup() answers one key, already decoded from its protocol:
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
 *	5. The DANE verdict (dane_verdict.c), from the cache when a fresh
 *	   entry exists, else from DNS (dane_lookup(), then cached for its
 *	   TTL, clamped by cfg_clamp_ttl(), unless a lookup failed; before
 *	   the lookup, rwatch_gate() answers temporary failure while the
 *	   resolver is known not to validate, and keeps the verdict out of
 *	   the cache while it fails its probe).
 *	6. MTA-STS (mtasts_lookup()), whenever decide_needs_sts() says its
 *	   state can change the answer.
 *	7. decide_answer(): one rule table (decide.c) turns the verdict and
 *	   the MTA-STS state into the answer, never weaker than what the
 *	   domain published. TLSRPT attributes are put in ans->tlsrpt when
 *	   the caller asked for them and the answer is MTA-STS's.
 *	Steps 5 to 7 share one time limit, POL_LOOKUP_LIMIT (dns_deadline
 *	+ mtasts_fetch_timeout, at most POL_LOOKUP_MAX = 90 seconds, below
 *	the 100 seconds Postfix waits for a reply): every DNS round, the
 *	HTTPS fetch, the wait for another helper's lookup of the domain and
 *	every wait for a lock of the cache get what is left of it.
 *
 *	Before all of it, the memo (memo(3)) may answer: an answer that
 *	step 5 to 7 took from the cache alone is remembered there with
 *	the cache's stamp, until the first moment the cached entries
 *	would expire, become due for a refresh or change their MTA-STS
 *	plan (mtasts_plan_stable_until()), at most MEMO_MAX_AGE seconds.
 *	It answers only while the cache is unchanged since, so it never
 *	says what the cache would not say now; such a lookup opens no
 *	database. Its counts go to the memo's counters too
 *	(policy_memo(3) has the glue).
 *
 *	The reads of one lookup run in one read transaction of the cache.
 *	A miss is looked up once across all helpers: the helper that takes
 *	the lease "lookup DOMAIN" in the cache looks the domain up; the
 *	others poll the cache until it gives the lease back and answer from
 *	the cache, or look up themselves after dns_deadline seconds.
 *
 *	The cache and the DNS client are set up on first use, so keys
 *	answered by the gates or the overrides cost no file or socket.
 *	Opening the cache compares the answer-changing settings with those
 *	it was filled with (cfgmark_check()).
 *
 *	Refresh before expiry: a cached DANE verdict answered with less
 *	than a quarter of its TTL left, or a cached MTA-STS policy whose TXT
 *	check or refetch is due (mtasts_plan.c), is remembered in ctx->refresh;
 *	the server then has the daemon start a refresh process (refresh.c
 *	has the rules, daemon/tlspolicyd.c the fork and exec), which calls
 *	policy_refresh_lookup() (policy_refresh(3)). policy_cache() is the
 *	cache, opened on first use.
 *	policy_cache_path() is cache_file as SQLite, the memo and the
 *	refresh slots use it: a symbolic link resolved once per process
 *	and checked (priv_cache_trusted()), "" without a cache.
 *
 *	A lookup line (domain, answer, the rule that decided as rule=NAME,
 *	source, ttl, and a temporary failure's cause as cause=NAME,
 *	defer(3)) is logged for every lookup under log_lookups = all or
 *	verbose; by default (changes) only for a lookup decided from facts
 *	fetched now and for a temporary failure, and not again for the
 *	same domain and answer on this connection within a minute
 *	(logcap_repeat()). An answer from the memo or the cache is by
 *	construction the one logged when its facts were fetched - by the
 *	lookup that fetched them, or by policy_refresh_lookup(), which logs
 *	the answer the cache gives after a refresh when it differs from the
 *	one before (source=refresh) - so "the same answer as before" needs
 *	no write on the hot path and holds across helpers. After a fresh
 *	lookup (never -q's) history(3) records its facts and its answer.
 *
 *	policy_answer_init() and policy_answer_free() make and release an
 *	answer; policy_answer_reset() empties one for the next lookup
 *	(a connection reuses one answer: no allocation per lookup);
 *	policy_status_name() names a status for logs.
 *	Under a configuration error nothing is written: no cache or memo is
 *	opened, no fingerprint stored, no count kept (policy_metrics(3)
 *	renders only tlspolicyd_config_error 1). A guest (ctx->guest: -q
 *	with -c or -o) uses the cache only when it holds the fingerprint
 *	of the guest's settings or none yet (cfgmark_guest()); else no
 *	cache at all: a guest never clears the helpers' cache.
 *	policy_ctx_close() closes the cache, the memo and the DNS client.
 *
 *	For policy_memo.c, policy_metrics.c and policy_refresh.c:
 *	policy_settings() is the answer-changing settings line (made once);
 *	policy_dns() the DNS client, made on first use (NULL on error);
 *	policy_dane_fetch() a DANE lookup from DNS, cached when it may be,
 *	*cause naming what made a failure; policy_from_cache() the whole
 *	answer from one cache snapshot (-1 when facts are missing; *until:
 *	when its entries expire, become due or change plan);
 *	policy_start_clock() and policy_stop_clock() the lookup's one time
 *	limit; policy_log_line() writes a lookup's line.
 *--*/
#include "config.h"

#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfgmark.h"
#include "dane.h"
#include "decide.h"
#include "history.h"
#include "key.h"
#include "log.h"
#include "logcap.h"
#include "metrics.h"
#include "mtasts.h"
#include "policy.h"
#include "policy_int.h"
#include "policy_memo.h"
#include "priv.h"
#include "rwatch.h"

/* policy_answer_reset - empty, for the next lookup */
void    policy_answer_reset(POL_ANSWER *ans)
{
    ans->status = POL_NOTFOUND;
    vstr_reset(ans->text);
    ans->source = "none";
    ans->rule = "none";
    ans->kind = "notfound";
    ans->domain[0] = 0;
    ans->port = 0;
    ans->ttl = 0;
    vstr_reset(ans->why);
    vstr_reset(ans->tlsrpt);
    ans->cause = DEFER_NONE;
}

/* policy_answer_init - empty answer */
void    policy_answer_init(POL_ANSWER *ans)
{
    ans->text = vstr_new(128);
    ans->why = vstr_new(128);
    ans->tlsrpt = vstr_new(16);
    policy_answer_reset(ans);
}

/* policy_answer_free - release */
void    policy_answer_free(POL_ANSWER *ans)
{
    vstr_free(ans->text);
    vstr_free(ans->why);
    vstr_free(ans->tlsrpt);
    ans->text = ans->why = ans->tlsrpt = 0;
}

/* policy_status_name - for logs */
static const char *policy_status_name(POL_STATUS status)
{
    switch (status) {
    case POL_FOUND: return "found";
    case POL_NOTFOUND: return "notfound";
    case POL_TEMP: return "temp";
    }
    return "unknown";
}

/* policy_set - fill an answer; the source names the rule too */
static void policy_set(POL_ANSWER *ans, POL_STATUS status, const char *source,
		            const char *text)
{
    ans->status = status;
    ans->source = source;
    ans->rule = source;
    ans->kind = status == POL_FOUND ? source : policy_status_name(status);
    vstr_reset(ans->text);
    vstr_addstr(ans->text, text);
}

/* policy_log_line - the lookup line, put together without printf() */
void    policy_log_line(const POL_ANSWER *ans)
{
    char    line[LOG_TEXT_MAX];
    char    ttl[24];
    const char *parts[] = {
	"lookup domain=", ans->domain[0] ? ans->domain : "-",
	" answer=", policy_status_name(ans->status),
	ans->status == POL_FOUND ? " policy=\"" : " reason=\"", vstr_str(ans->text),
	"\" rule=", ans->rule, " source=", ans->source, " ttl=", ttl,
	ans->status == POL_TEMP ? " cause=" : "",
	ans->status == POL_TEMP ? defer_name(ans->cause) : "",
    };
    size_t  n = 0;
    size_t  len;
    size_t  i;

    (void) snprintf(ttl, sizeof(ttl), "%d", ans->ttl);
    for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
	len = strlen(parts[i]);
	if (len > sizeof(line) - 1 - n)
	    len = sizeof(line) - 1 - n;
	memcpy(line + n, parts[i], len);
	n += len;
    }
    line[n] = 0;
    log_info_text(line);
}

/* policy_log_repeat - logcap_repeat() of the domain and the answer */
static int policy_log_repeat(const POL_ANSWER *ans)
{
    uint64_t h = memo_hash(ans->domain, strlen(ans->domain) + 1, MEMO_HASH_INIT);

    h = memo_hash(&ans->status, sizeof(ans->status), h);
    h = memo_hash(ans->rule, strlen(ans->rule) + 1, h);
    h = memo_hash(vstr_str(ans->text), vstr_len(ans->text), h);
    return logcap_repeat(h);
}

/* policy_log - the lookup line: with log_lookups = all, for every lookup;
 * by default only when it tells something new: facts fetched now or a
 * temporary failure, and not again on this connection within a minute.
 * A cached answer is the one logged when its facts were fetched. */
static void policy_log(const POL_CTX *ctx, const POL_ANSWER *ans, int fresh)
{
    if (ctx->cfg->log_lookups == CFG_LOG_ALL || log_verbose()) {
	policy_log_line(ans);
	return;
    }
    if ((fresh || ans->status == POL_TEMP) && !policy_log_repeat(ans))
	policy_log_line(ans);
}

/* policy_gate - run the key gates; 0 when the key may be looked up */
static int policy_gate(const char *raw, size_t len, POL_ANSWER *ans)
{
    KEY_GATE gate = key_normalize(raw, len, ans->domain, &ans->port);
    char    safe[LOG_SAFE_SIZE];

    if (gate == KEY_OK)
	return 0;
    ans->domain[0] = 0;
    log_debug("gate \"%s\": key \"%s\" -> not found",
	      key_gate_reason(gate), log_safe(safe, sizeof(safe), raw, len));
    policy_set(ans, POL_NOTFOUND, "gate", key_gate_reason(gate));
    return -1;
}

/* policy_settings - the answer-changing settings line, made once (it
 * reads the overrides file): for cfgmark_check() and the memo */
const char *policy_settings(POL_CTX *ctx)
{
    if (ctx->settings == 0) {
	ctx->settings = vstr_new(256);
	cfgmark_fingerprint(ctx->cfg, ctx->settings);
    }
    return vstr_str(ctx->settings);
}

/* policy_cache_path - cache_file resolved and checked, once; "" for none */
const char *policy_cache_path(POL_CTX *ctx)
{
    VSTR   *why;

    if (ctx->cache_path == 0) {
	ctx->cache_path = vstr_new(64);
	why = vstr_new(64);
	if (ctx->no_cache || ctx->config_error || *ctx->cfg->cache_file == 0)
	    /* no cache */ ;
	else if (priv_cache_trusted(ctx->cfg->cache_file, ctx->cache_path, why) == 0)
	    ctx->cache_trusted = 1;
	else {				/* cache_open() refuses it, logged */
	    vstr_reset(ctx->cache_path);
	    vstr_addstr(ctx->cache_path, ctx->cfg->cache_file);
	}
	vstr_free(why);
    }
    return vstr_str(ctx->cache_path);
}

/* policy_guest_cache - 1 for a guest (-q with -c or -o), which uses the
 * cache only when it holds the fingerprint of the guest's settings or
 * none yet (then it stores its own, as a helper would): else its answers
 * are not the helpers', and its fingerprint would clear the cache for
 * them; 0 for a helper, which then checks the fingerprint */
static int policy_guest_cache(POL_CTX *ctx)
{
    if (!ctx->guest)
	return 0;
    if (cfgmark_guest(ctx->cache, policy_settings(ctx)) == 0)
	return 1;
    log_debug("settings that change answers differ from those of the cache"
	      " %s, or its fingerprint cannot be read (%s): the shared cache"
	      " is not used", ctx->cfg->cache_file, policy_settings(ctx));
    cache_close(ctx->cache);
    ctx->cache = cache_open("", 0);
    ctx->no_cache = 1;
    return 1;
}

/* policy_cache - the cache, opened on first use (within the lookup's time
 * limit when a lookup is under way); none under a configuration error:
 * its settings would be the defaults, and their fingerprint would make
 * every helper forget what it cached */
CACHE  *policy_cache(POL_CTX *ctx)
{
    if (ctx->cache == 0) {
	ctx->cache = cache_open_until(ctx->no_cache || ctx->config_error ? ""
				      : policy_cache_path(ctx),
				      ctx->cfg->cache_busy_timeout * 1000,
				      ctx->until.tv_sec ? &ctx->until : 0);
	cache_set_max_ttl(ctx->cache, ctx->cfg->cache_max_ttl);
	if (!policy_guest_cache(ctx))
	    (void) cfgmark_check(ctx->cache, policy_settings(ctx));
    }
    return ctx->cache;
}

/* policy_dns - the DNS client, made on first use; NULL on error */
DNS    *policy_dns(POL_CTX *ctx)
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
    else
	dns_set_until(ctx->dns, &ctx->until);
    vstr_free(err);
    return ctx->dns;
}

/* policy_dane_fetch - DNS lookup, cached when it may be (and then part of
 * the protection history); *cause names what made a failure */
DV_VERDICT policy_dane_fetch(POL_CTX *ctx, const char *domain, VSTR *why,
				         int *ttl, DEFER_CAUSE *cause)
{
    DANE_RESULT res;
    CACHE_DANE ent;
    DNS    *dns = policy_dns(ctx);
    DV_VERDICT verdict;
    RWATCH_GATE gate;

    if (dns == 0)
	return vstr_addstr(why, "DNS client unavailable"),
	    *cause = DEFER_RESOLVER_UNAVAILABLE, DV_TEMP;
    if ((gate = rwatch_gate(policy_cache(ctx), ctx->cfg, why)) == RWATCH_TEMP)
	return *cause = DEFER_RESOLVER_NOT_VALIDATING, DV_TEMP;
    dane_result_init(&res);
    dane_lookup(dns, domain, &res);
    verdict = res.verdict;
    *cause = res.timed_out ? DEFER_TIME_LIMIT : *cause;
    vstr_addstr(why, vstr_str(res.why));
    *ttl = cfg_clamp_ttl(ctx->cfg, res.ttl);
    if (res.cacheable && gate == RWATCH_OK) {
	cache_dane_init(&ent);
	(void) snprintf(ent.verdict, sizeof(ent.verdict), "%s", dane_verdict_verdict_name(verdict));
	vstr_addstr(ent.why, vstr_str(res.why));
	ent.ttl = *ttl;
	ent.fetched = (long long) time(0);
	ent.expires = ent.fetched + *ttl;
	(void) cache_dane_put(policy_cache(ctx), domain, &ent);
	cache_dane_free(&ent);
	history_dane(ctx->no_history ? 0 : policy_cache(ctx), dns, domain, &res);
	if (!ctx->pruned) {		/* once per process: cheap, indexed */
	    cache_prune_expired(policy_cache(ctx), time(0), 0);
	    ctx->pruned = 1;
	}
    }
    dane_result_free(&res);
    return verdict;
}

/* policy_want_refresh - refresh domain after the reply (not without a cache) */
static void policy_want_refresh(POL_CTX *ctx, const char *domain)
{
    if (!ctx->no_cache)
	(void) snprintf(ctx->refresh, sizeof(ctx->refresh), "%s", domain);
}

/* policy_dane_cached - the verdict of a fresh cache entry; -1 on a miss */
static int policy_dane_cached(POL_CTX *ctx, POL_ANSWER *ans, DV_VERDICT *verdict,
			              time_t *stable)
{
    CACHE_DANE ent;
    time_t  now = time(0);
    int     ret = -1;

    cache_dane_init(&ent);
    if (cache_dane_get(policy_cache(ctx), ans->domain, now, &ent) == CACHE_FRESH
	&& dane_verdict_verdict_from_name(ent.verdict, verdict) == 0) {
	if (cache_due(ent.expires, ent.ttl, now))
	    policy_want_refresh(ctx, ans->domain);
	log_debug("cache hit for %s: %s (%s), expires in %llds", ans->domain,
		  ent.verdict, vstr_str(ent.why), ent.expires - (long long) now);
	ans->source = "cache";
	ans->ttl = (int) (ent.expires - (long long) now);
	*stable = (time_t) (ent.ttl > 0 ? ent.expires - ent.ttl / 4 : ent.expires);
	vstr_reset(ans->why);
	vstr_addstr(ans->why, vstr_str(ent.why));
	ret = 0;
    }
    cache_dane_free(&ent);
    return ret;
}

/* policy_dane - the DANE verdict, cache first */
static DV_VERDICT policy_dane(POL_CTX *ctx, POL_ANSWER *ans)
{
    DV_VERDICT verdict;
    VSTR   *why;
    int     ttl = 0;
    time_t  stable;

    if (policy_dane_cached(ctx, ans, &verdict, &stable) == 0) {
	metrics_inc(MET_CACHE_HITS, "kind=\"dane\"", 1);
	return verdict;
    }
    metrics_inc(MET_CACHE_MISSES, "kind=\"dane\"", 1);
    log_debug("cache miss for %s", ans->domain);
    cache_read_end(policy_cache(ctx));	/* no snapshot across DNS */
    ans->source = "dns";
    why = vstr_new(128);
    verdict = policy_dane_fetch(ctx, ans->domain, why, &ttl, &ans->cause);
    ans->ttl = verdict == DV_TEMP ? 0 : ttl;
    vstr_reset(ans->why);
    vstr_addstr(ans->why, vstr_str(why));
    vstr_free(why);
    return verdict;
}

/* policy_mtasts - the MTA-STS state, when it can change the answer */
static void policy_mtasts(POL_CTX *ctx, const char *domain, MTS_RESULT *res)
{
    DNS    *dns = policy_dns(ctx);

    if (dns == 0) {
	vstr_addstr(res->why, "DNS client unavailable");
	return;
    }
    mtasts_lookup(dns, policy_cache(ctx), ctx->cfg, domain, res);
    history_sts(ctx->no_history ? 0 : policy_cache(ctx), domain, res);
    if (res->refresh_due)
	policy_want_refresh(ctx, domain);
}

/* policy_from_rule - the reply for the deciding rule */
static void policy_from_rule(POL_ANSWER *ans, const DECIDE_RULE *rule,
			          const MTS_RESULT *sts, int tlsrpt, size_t dane_len)
{
    vstr_reset(ans->text);
    ans->cause = rule->answer == DECIDE_TEMP ? defer_for_rule(rule->name, ans->cause)
	: DEFER_NONE;
    ans->rule = rule->name;
    ans->kind = decide_answer_name(rule->answer);
    switch (rule->answer) {
    case DECIDE_TEMP:
	ans->status = POL_TEMP;
	ans->ttl = 0;
	if (ans->cause == DEFER_STS_POLICY_UNUSABLE)	/* MTA-STS says why */
	    defer_reply(ans->text, rule->name, ans->cause, vstr_str(sts->why),
			vstr_len(sts->why) < POL_STS_WHY_MAX ? vstr_len(sts->why)
			: POL_STS_WHY_MAX);
	else
	    defer_reply(ans->text, rule->name, ans->cause, vstr_str(ans->why),
			dane_len);
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

/* policy_start_clock - one limit for the whole lookup: DNS, HTTPS, the
 * wait for another helper's lookup, the cache's locks */
void    policy_start_clock(POL_CTX *ctx)
{
    (void) clock_gettime(CLOCK_MONOTONIC, &ctx->until);
    ctx->until.tv_sec += POL_LOOKUP_LIMIT(ctx->cfg);
    if (ctx->dns)
	dns_set_until(ctx->dns, &ctx->until);
    cache_wait_until(ctx->cache, &ctx->until);
}

/* policy_stop_clock - the lookup is over: the cache's waits after the
 * reply (counts, refresh leases) are bounded by cache_busy_timeout alone */
void    policy_stop_clock(POL_CTX *ctx)
{
    ctx->until.tv_sec = ctx->until.tv_nsec = 0;
    cache_wait_until(ctx->cache, 0);
}

/* policy_conclude - the MTA-STS note, the rule table, the reply */
static void policy_conclude(POL_ANSWER *ans, DV_VERDICT verdict,
			         const MTS_RESULT *sts, int tlsrpt)
{
    const DECIDE_RULE *rule;
    size_t  dane_len = vstr_len(ans->why);

    if (vstr_len(sts->why))
	vstr_printf(ans->why, "; MTA-STS: %s", vstr_str(sts->why));
    rule = decide_answer(verdict, sts->found ? DECIDE_STS_ENFORCE
			 : sts->unusable ? DECIDE_STS_UNUSABLE : DECIDE_STS_NONE);
    log_debug("decision for %s: DANE %s, MTA-STS %s: rule %s (%s): %s",
	      ans->domain, dane_verdict_verdict_name(verdict), sts->found ? "policy"
	      : sts->unusable ? "unusable" : "none", rule->name, rule->cite,
	      rule->text);
    policy_from_rule(ans, rule, sts, tlsrpt, dane_len);
}

/* policy_from_cache - the whole answer from one cache snapshot, counted
 * nowhere; -1 when facts are missing. *until: when the entries used
 * expire, become due or change plan */
int     policy_from_cache(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt,
			             time_t *until)
{
    CACHE  *cache = policy_cache(ctx);
    DV_VERDICT verdict;
    MTS_RESULT sts;
    int     ret = -1;

    cache_read_begin(cache);
    if (policy_dane_cached(ctx, ans, &verdict, until) == 0) {
	mtasts_result_init(&sts);
	if (!decide_needs_sts(verdict)
	    || mtasts_lookup_cached(cache, ctx->cfg, ans->domain, &sts)) {
	    if (sts.refresh_due)
		policy_want_refresh(ctx, ans->domain);
	    if (decide_needs_sts(verdict) && sts.stable_until < *until)
		*until = sts.stable_until;
	    policy_conclude(ans, verdict, &sts, tlsrpt);
	    ret = 0;
	}
	mtasts_result_free(&sts);
    }
    cache_read_end(cache);
    return ret;
}

/* policy_decide_cached - the answer from the cache; -1 when a lookup is
 * needed (nothing counted then). The memo's stamp is taken before the
 * snapshot: a commit between the two makes the memo answer stale at
 * once, never the other way round. */
static int policy_decide_cached(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt)
{
    CACHE  *cache = policy_cache(ctx);	/* opened before the stamp */
    MEMO_STAMP stamp;
    int     stamped = cache && ctx->memo && memo_stamp(ctx->memo, &stamp) == 0;
    time_t  until;

    if (policy_from_cache(ctx, ans, tlsrpt, &until) < 0)
	return -1;
    metrics_inc(MET_CACHE_HITS, "kind=\"dane\"", 1);
    if (stamped)
	policy_memo_remember(ctx, &stamp, ans, tlsrpt, until);
    return 0;
}

/* policy_decide_lookup - DANE facts, MTA-STS state, looked up where missing */
static void policy_decide_lookup(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt)
{
    DV_VERDICT verdict;
    MTS_RESULT sts;

    cache_read_begin(policy_cache(ctx));
    verdict = policy_dane(ctx, ans);
    mtasts_result_init(&sts);
    if (decide_needs_sts(verdict))
	policy_mtasts(ctx, ans->domain, &sts);
    cache_read_end(policy_cache(ctx));
    policy_conclude(ans, verdict, &sts, tlsrpt);
    if (!ctx->no_history)
	history_answered(policy_cache(ctx), ans->domain, ans->status == POL_TEMP
			 ? ans->cause : DEFER_NONE, vstr_str(ans->text));
    else if (ans->status != POL_TEMP)	/* -q: no counts, but answered */
	history_answered(policy_cache(ctx), ans->domain, DEFER_NONE, "");
    mtasts_result_free(&sts);
}

/* policy_lease_key - the lease of a lookup ("lookup DOMAIN"; a refresh's
 * lease is the bare domain) */
static void policy_lease_key(char *buf, size_t size, const char *domain)
{
    (void) snprintf(buf, size, "lookup %s", domain);
}

/* policy_mono - seconds of the monotonic clock (a clock set back or
 * forward changes no wait) */
static time_t policy_mono(void)
{
    struct timespec ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* policy_wait_lease - sleep while another helper holds the lease (bounded) */
static void policy_wait_lease(POL_CTX *ctx, const char *key, time_t give_up)
{
    int     ms = POL_WAIT_FIRST_MS;

    while (policy_mono() < give_up
	   && cache_lease_held(policy_cache(ctx), key, time(0))) {
	(void) poll(0, 0, ms);
	if (ms < POL_WAIT_MAX_MS)
	    ms *= 2;
    }
}

/* policy_coalesce - on a miss, one helper looks the domain up and the others
 * wait for its answer in the cache: 1 when we lead (give the lease back
 * after), 0 when we look up without a lease, -1 when the answer came. The
 * wait, at most dns_deadline, is part of the lookup's one time limit: a
 * waiter that gives up looks up with what is left of it. */
static int policy_coalesce(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt)
{
    char    key[300];
    time_t  give_up = policy_mono() + ctx->cfg->dns_deadline;
    int     taken;

    policy_lease_key(key, sizeof(key), ans->domain);
    for (;;) {
	taken = cache_lease_take(policy_cache(ctx), key, (long) getpid(), time(0),
				 POL_REFRESH_BUDGET(ctx->cfg));
	if (taken != 0)			/* ours, or no cache to share */
	    return taken == 1;
	if (policy_mono() >= give_up)
	    break;
	log_debug("lookup of %s: another helper is looking it up; waiting",
		  ans->domain);
	policy_wait_lease(ctx, key, give_up);
	if (policy_decide_cached(ctx, ans, tlsrpt) == 0)
	    return -1;
    }
    log_info("lookup of %s: no answer from another helper's lookup within"
	     " %ds; looking up", ans->domain, ctx->cfg->dns_deadline);
    return 0;
}

/* policy_decide - memo, cache, then a lookup once across all helpers,
 * everything after the memo within one time limit. 1 when facts were
 * looked up now, 0 for an answer from the memo or the cache */
static int policy_decide(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt)
{
    int     lead;
    int     fresh = 0;
    char    key[300];

    if (policy_memo_answer(ctx, ans, tlsrpt) == 0)
	return 0;
    policy_start_clock(ctx);
    if (policy_decide_cached(ctx, ans, tlsrpt) < 0
	&& (lead = policy_coalesce(ctx, ans, tlsrpt)) >= 0) {
	policy_decide_lookup(ctx, ans, tlsrpt);
	fresh = 1;
	if (lead) {
	    policy_lease_key(key, sizeof(key), ans->domain);
	    cache_lease_drop(policy_cache(ctx), key, (long) getpid());
	}
    }
    policy_stop_clock(ctx);
    return fresh;
}

/* policy_ctx_close - release the cache and the DNS client */
void    policy_ctx_close(POL_CTX *ctx)
{
    cache_close(ctx->cache);
    ctx->cache = 0;
    memo_close(ctx->memo);
    ctx->memo = 0;
    ctx->memo_tried = 0;
    if (ctx->settings)
	vstr_free(ctx->settings);
    ctx->settings = 0;
    if (ctx->cache_path)
	vstr_free(ctx->cache_path);
    ctx->cache_path = 0;
    ctx->cache_trusted = 0;
    dns_free(ctx->dns);
    ctx->dns = 0;
}

/* policy_lookup - the whole decision for one key */
void    policy_lookup(POL_CTX *ctx, const char *raw, size_t len,
		           int tlsrpt, POL_ANSWER *ans)
{
    const char *policy;
    const char *matched = 0;
    int     fresh = 0;

    if (ctx->config_error) {
	ans->domain[0] = 0;
	policy_set(ans, POL_TEMP, "config",
		"tlspolicyd configuration error, see its log");
	ans->cause = DEFER_CONFIGURATION_ERROR;
	logcap_warn("answering temporary failure: %s", ctx->config_error);
	return;
    }
    if (policy_gate(raw, len, ans) < 0)
	return;
    if ((policy = ovr_lookup(ctx->ovr, ans->domain, &matched)) != 0) {
	log_debug("override entry \"%s\" matches %s", matched, ans->domain);
	policy_set(ans, POL_FOUND, "override", policy);
    } else if (ans->port != 0 && ans->port != 25) {
	log_debug("gate \"next hop with a port\": %s:%d -> not found",
		  ans->domain, ans->port);
	policy_set(ans, POL_NOTFOUND, "gate",
		"next hop with a port other than 25 is not looked up");
    } else if (strchr(ans->domain, '.') == 0) {
	log_debug("gate \"single-label name\": %s -> not found", ans->domain);
	policy_set(ans, POL_NOTFOUND, "gate", "single-label name is not looked up");
    } else {
	fresh = policy_decide(ctx, ans, tlsrpt);
    }
    policy_log(ctx, ans, fresh);
}
