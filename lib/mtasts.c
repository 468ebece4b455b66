/*++
 * NAME
 *	mtasts 3
 * SUMMARY
 *	MTA-STS policy for one domain: discovery, fetch, cache
 * SYNOPSIS
 *	#include "mtasts.h"
 *
 *	void	mtasts_result_init(MTS_RESULT *res)
 *
 *	void	mtasts_result_free(MTS_RESULT *res)
 *
 *	void	mtasts_lookup(DNS *dns, CACHE *cache, const CFG *cfg,
 *				const char *domain, MTS_RESULT *res)
 *
 *	int	mtasts_lookup_cached(CACHE *cache, const CFG *cfg,
 *				const char *domain, MTS_RESULT *res)
 *
 *	int	mtasts_refresh_cached(DNS *dns, CACHE *cache, const CFG *cfg,
 *				const char *domain, MTS_RESULT *res)
 * DESCRIPTION
 *	mtasts_lookup() implements RFC 8461 for one domain; what to do with
 *	the cached entry is decided by mtasts_plan (a pure function, see
 *	mtasts_plan.c for the rules); this module does the I/O:
 *
 *	1. TXT _mta-sts.DOMAIN (CNAMEs followed by the resolver): exactly
 *	   one record starting "v=STSv1;", with a valid id (RFC 8461 3.1).
 *	   Its TTL is remembered (clamped to cache_min_ttl..cache_max_ttl):
 *	   while it runs, a cached policy is used without any lookup, and
 *	   the absence of the record (negative TTL) is remembered too.
 *	2. A fetch: https://mta-sts.DOMAIN/.well-known/mta-sts.txt, with
 *	   mta-sts.DOMAIN resolved through our resolver (sts_fetch), parsed
 *	   strictly (sts_policy). A fetched policy is cached with its id for
 *	   max_age seconds; "mode: none" replaces an enforce policy at once.
 *	   A failed fetch is remembered, keeps the cached policy in use, and
 *	   is not retried for MTS_RETRY_AFTER seconds.
 *	3. enforce gives "secure match=... servername=hostname"; testing
 *	   gives the same only with mtasts_testing = enforce; none and
 *	   testing otherwise give no answer. The TLSRPT attributes are put
 *	   in res->tlsrpt for the caller to append when asked.
 *
 *	mtasts_lookup_cached() gives the same answer when the cache alone
 *	decides it (a cached policy or a cached absence whose TXT check
 *	is current) and returns 1; otherwise it returns 0 and leaves res
 *	alone: the caller then runs mtasts_lookup(), which does the lookups.
 *
 *	A policy answered from the cache sets res->refresh_due when
 *	mtasts_plan_refresh_due() says so: the caller then has
 *	mtasts_refresh_cached() run in a refresh process, which asks the TXT
 *	record at once and fetches the policy again when the id changed or
 *	when an unchanged policy is due for its refetch (RFC 8461 3.3), so
 *	that a policy stays cached as long as its host answers now and then.
 *	An answer from the cache also sets res->stable_until, from
 *	mtasts_plan_stable_until(): the same cached entry gives the same
 *	answer before then.
 *
 *	For protection history (history(3)), res->observed is set with
 *	res->facts when this lookup learned fresh, complete facts: a policy
 *	fetched now (its mode, id and mx patterns), or a TXT answer proving
 *	the record gone while no unexpired policy is cached (no-policy). A
 *	cached policy, a failed TXT lookup or fetch, or a rate-limited one
 *	observe nothing.
 *--*/
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "mtasts.h"
#include "sts_fetch.h"
#include "sts_policy.h"
#include "sts_txt.h"

/* mtasts_result_init - empty result */
void    mtasts_result_init(MTS_RESULT *res)
{
    res->found = 0;
    res->unusable = 0;
    res->text = vstr_new(128);
    res->tlsrpt = vstr_new(128);
    res->why = vstr_new(128);
    res->ttl = 0;
    res->source = "none";
    res->refresh_due = 0;
    res->stable_until = 0;
    res->failed = 0;
    res->observed = 0;
    protect_init(&res->facts);
}

/* mtasts_result_free - release */
void    mtasts_result_free(MTS_RESULT *res)
{
    vstr_free(res->text);
    vstr_free(res->tlsrpt);
    vstr_free(res->why);
}

/* mtasts_txt - discovery: the one v=STSv1 record and its id */
static MTS_TXT mtasts_txt(MTS_CTX *ctx, char *id, unsigned *ttl)
{
    char    qname[300];
    const char *recs[32];
    size_t  lens[32];
    DNS_Q  *q;
    int     n = 0;
    int     i;

    (void) snprintf(qname, sizeof(qname), "_mta-sts.%s", ctx->domain);
    dns_begin(ctx->dns);
    q = dns_query(ctx->dns, qname, DMSG_T_TXT, 0, 0);
    dns_run(ctx->dns);
    log_debug("TXT %s: %s, AD=%d, TTL=%u", q->name, dns_status_name(q->status),
	      q->ad, q->ttl);
    *ttl = q->ttl;
    if (q->status == DNS_NXDOMAIN || q->status == DNS_NODATA) {
	vstr_printf(ctx->res->why, "no _mta-sts TXT record");
	return MTS_TXT_NONE;
    }
    if (q->status != DNS_OK) {
	vstr_printf(ctx->res->why, "TXT lookup failed: %s", dns_failure_name(q->status));
	ctx->res->failed = 1;
	return MTS_TXT_FAIL;
    }
    for (i = 0; i < q->msg.nan && n < 32; i++) {
	const DMSG_RR *rr = q->msg.an + i;

	if (rr->type == DMSG_T_TXT && strcmp(rr->owner, q->final) == 0) {
	    recs[n] = (const char *) rr->data;
	    lens[n++] = rr->dlen;
	}
    }
    return sts_txt_select(recs, lens, n, id, ctx->res->why) == STSTXT_OK ?
	MTS_TXT_OK : MTS_TXT_NONE;
}

/* mtasts_addrs - A and AAAA of mta-sts.DOMAIN, for CURLOPT_RESOLVE */
static int mtasts_addrs(DNS *dns, const char *domain, VSTR *out, VSTR *why)
{
    char    host[300];
    char    text[INET6_ADDRSTRLEN];
    DNS_Q  *qs[2];
    int     i, k;

    (void) snprintf(host, sizeof(host), "mta-sts.%s", domain);
    dns_begin(dns);
    qs[0] = dns_query(dns, host, DMSG_T_A, 0, 0);
    qs[1] = dns_query(dns, host, DMSG_T_AAAA, 0, 0);
    dns_run(dns);
    for (k = 0; k < 2; k++) {
	for (i = 0; i < qs[k]->msg.nan && qs[k]->status == DNS_OK; i++) {
	    const DMSG_RR *rr = qs[k]->msg.an + i;

	    if (rr->type != qs[k]->qtype || strcmp(rr->owner, qs[k]->final) != 0)
		continue;
	    inet_ntop(k == 0 ? AF_INET : AF_INET6, rr->data, text, sizeof(text));
	    vstr_printf(out, "%s%s%s%s", vstr_len(out) ? "," : "",
			k ? "[" : "", text, k ? "]" : "");
	}
    }
    if (vstr_len(out) == 0)
	vstr_printf(why, "policy host %s has no address (%s/%s)", host,
		    dns_status_name(qs[0]->status), dns_status_name(qs[1]->status));
    return vstr_len(out) ? 0 : -1;
}

/* mtasts_fetch - addresses, HTTPS, parse; 0 with pol filled */
static int mtasts_fetch(MTS_CTX *ctx, STSP *pol, VSTR *why)
{
    VSTR   *addrs = vstr_new(64);
    VSTR   *body = vstr_new(1024);
    STSF_REQ req;
    int     ret = -1;

    req.timeout_ms = ctx->cfg->mtasts_fetch_timeout * 1000L;
    if (dns_ms_until(ctx->dns) < req.timeout_ms)	/* the lookup's limit */
	req.timeout_ms = dns_ms_until(ctx->dns);
    if (req.timeout_ms <= 0) {
	vstr_addstr(why, "no time left for the fetch in this lookup");
    } else if (mtasts_addrs(ctx->dns, ctx->domain, addrs, why) == 0) {
	req.domain = ctx->domain;
	req.addrs = vstr_str(addrs);
	req.ca_file = ctx->cfg->mtasts_ca_file;
	log_debug("fetching https://mta-sts.%s/.well-known/mta-sts.txt from %s",
		  ctx->domain, vstr_str(addrs));
	if (sts_fetch_fetch(&req, body, why) == 0)
	    ret = sts_policy_parse(vstr_str(body), vstr_len(body), pol, why);
	if (ret == 0 && pol->nbad > 0)
	    log_warn("MTA-STS policy for %s: %s", ctx->domain, vstr_str(pol->ignored));
    }
    vstr_free(addrs);
    vstr_free(body);
    return ret;
}

/* mtasts_txt_seen - remember until when the TXT answer is current */
static void mtasts_txt_seen(MTS_CTX *ctx, unsigned ttl)
{
    ttl = (unsigned) cfg_clamp_ttl(ctx->cfg, ttl);
    ctx->ent.txt_expires = (long long) ctx->now + ttl;
    ctx->ent.txt_ttl = (int) ttl;
    (void) cache_sts_put(ctx->cache, ctx->domain, &ctx->ent);
}

/* mtasts_store - remember a fetched policy; max_age starts now */
static void mtasts_store(MTS_CTX *ctx, const char *id, const STSP *pol, unsigned ttl)
{
    CACHE_STS *ent = &ctx->ent;

    (void) snprintf(ent->id, sizeof(ent->id), "%s", id);
    (void) snprintf(ent->mode, sizeof(ent->mode), "%s", sts_policy_mode_name(pol->mode));
    ent->max_age = pol->max_age;
    vstr_reset(ent->policy);
    vstr_addstr(ent->policy, vstr_str(pol->lines));
    ent->fetched = (long long) ctx->now;
    ent->expires = (long long) ctx->now + pol->max_age;
    ent->last_fail = 0;
    vstr_reset(ent->fail_why);
    if (pol->clamped)
	log_warn("MTA-STS policy of %s: max_age above %d clamped", ctx->domain,
		 STSP_MAX_AGE);
    mtasts_txt_seen(ctx, ttl);
}

/* mtasts_store_absence - no TXT record and no policy: cache that */
static void mtasts_store_absence(MTS_CTX *ctx, unsigned ttl)
{
    ctx->ent.id[0] = 0;
    ctx->ent.mode[0] = 0;
    vstr_reset(ctx->ent.policy);
    ctx->ent.expires = 0;
    log_debug("MTA-STS for %s: absence of the TXT record cached", ctx->domain);
    mtasts_txt_seen(ctx, ttl);
}

/* mtasts_remember_failure - for the rate limit and for sts_view */
static void mtasts_remember_failure(MTS_CTX *ctx, const char *why)
{
    ctx->ent.last_fail = (long long) ctx->now;
    vstr_reset(ctx->ent.fail_why);
    vstr_addstr(ctx->ent.fail_why, why);
    (void) cache_sts_put(ctx->cache, ctx->domain, &ctx->ent);
}

/* mtasts_answer - reply text from a policy */
static void mtasts_answer(MTS_CTX *ctx, const STSP *pol)
{
    MTS_RESULT *res = ctx->res;

    if (pol->mode == STSP_ENFORCE
	|| (pol->mode == STSP_TESTING
	    && ctx->cfg->mtasts_testing == MTASTS_TESTING_ENFORCE)) {
	res->found = 1;
	vstr_reset(res->text);
	sts_policy_reply(pol, res->text);
	vstr_reset(res->tlsrpt);
	sts_policy_tlsrpt(pol, ctx->domain, res->tlsrpt);
    } else {
	vstr_printf(res->why, "%smode %s", vstr_len(res->why) ? "; " : "",
		    sts_policy_mode_name(pol->mode));
    }
}

/* mtasts_use_cached - answer from the cached policy; 0 when there is one */
static int mtasts_use_cached(MTS_CTX *ctx)
{
    STSP    pol;
    VSTR   *why;
    int     ret = -1;
    long long left = ctx->ent.expires - (long long) ctx->now;

    if (!mtasts_plan_usable(&ctx->ent, ctx->now))
	return -1;
    sts_policy_init(&pol);
    why = vstr_new(64);
    if (sts_policy_parse(vstr_str(ctx->ent.policy), vstr_len(ctx->ent.policy), &pol, why) == 0) {
	ctx->res->source = "cache";
	ctx->res->ttl = left > 0 ? (int) (left < STSP_MAX_AGE ? left : STSP_MAX_AGE) : 0;
	mtasts_answer(ctx, &pol);
	ret = 0;
    }					/* else: mtasts_fix_broken() says so */
    vstr_free(why);
    sts_policy_free(&pol);
    return ret;
}

/* mtasts_observed - fresh facts for protection history: a policy just
 * fetched (pol), or no TXT record and no unexpired policy (pol NULL) */
static void mtasts_observed(MTS_CTX *ctx, const STSP *pol, const char *id)
{
    PROTECT_STS sts = PROTECT_STS_NOPOLICY;

    if (pol && protect_sts_from_name(sts_policy_mode_name(pol->mode), &sts) < 0)
	return;
    protect_set_sts(&ctx->res->facts, sts, id, pol ? pol->mx : 0, pol ? pol->nmx : 0);
    ctx->res->observed = 1;
}

/* mtasts_do_fetch - fetch now; on failure keep the cached policy */
static void mtasts_do_fetch(MTS_CTX *ctx, const char *id, unsigned ttl)
{
    STSP    pol;
    VSTR   *why = vstr_new(64);

    sts_policy_init(&pol);
    metrics_inc(MET_STS_FETCHES, "", 1);
    if (mtasts_fetch(ctx, &pol, why) == 0) {
	mtasts_store(ctx, id, &pol, ttl);
	mtasts_observed(ctx, &pol, id);
	ctx->res->source = "https";
	ctx->res->ttl = (int) pol.max_age;
	mtasts_answer(ctx, &pol);
    } else {
	metrics_inc(MET_STS_FAILURES, "", 1);
	ctx->res->failed = 1;
	log_warn("MTA-STS policy fetch for %s failed: %s", ctx->domain, vstr_str(why));
	vstr_printf(ctx->res->why, "%sfetch failed: %s",
		    vstr_len(ctx->res->why) ? "; " : "", vstr_str(why));
	mtasts_remember_failure(ctx, vstr_str(why));
	if (!ctx->broken && mtasts_use_cached(ctx) == 0)
	    log_info("MTA-STS for %s: using the cached policy until it expires",
		     ctx->domain);
    }
    vstr_free(why);
    sts_policy_free(&pol);
}

/* mtasts_note_rate_limit - why a new id was not fetched */
static void mtasts_note_rate_limit(MTS_CTX *ctx)
{
    if (ctx->ent.last_fail == 0)
	return;
    vstr_printf(ctx->res->why, "%slast fetch failed %llds ago (%s), not"
		" retrying before %ds", vstr_len(ctx->res->why) ? "; " : "",
		(long long) ctx->now - ctx->ent.last_fail,
		vstr_str(ctx->ent.fail_why), MTS_RETRY_AFTER);
    log_debug("MTA-STS for %s: %s", ctx->domain, vstr_str(ctx->res->why));
}

/* mtasts_check - TXT first, then the plan for it */
static void mtasts_check(MTS_CTX *ctx)
{
    char    id[STSTXT_MAX_ID + 1] = "";
    unsigned ttl = 0;
    MTS_TXT txt = mtasts_txt(ctx, id, &ttl);
    MTS_PLAN plan = mtasts_plan_after_txt(&ctx->ent, txt, id, ctx->refreshing, ctx->now);

    log_debug("MTA-STS for %s: TXT %s, id \"%s\", cached id \"%s\": %s",
	      ctx->domain, txt == MTS_TXT_OK ? "ok" : txt == MTS_TXT_NONE ?
	      "none" : "failed", id, ctx->ent.id, mtasts_plan_name(plan));
    switch (plan) {
    case MTS_PLAN_FETCH:
	mtasts_do_fetch(ctx, id, ttl);
	break;
    case MTS_PLAN_CACHED:
	if (txt == MTS_TXT_OK && strcmp(ctx->ent.id, id) == 0)
	    mtasts_txt_seen(ctx, ttl);	/* the same id: current until TTL */
	(void) mtasts_use_cached(ctx);
	break;
    case MTS_PLAN_STORE_ABSENCE:
	mtasts_store_absence(ctx, ttl);
	mtasts_observed(ctx, 0, "");
	break;
    default:
	break;
    }
    if (plan != MTS_PLAN_FETCH && txt == MTS_TXT_OK && strcmp(ctx->ent.id, id) != 0)
	mtasts_note_rate_limit(ctx);
}

/* mtasts_enforced - does this mode give an answer (enforce, or testing
 * under mtasts_testing = enforce)? */
static int mtasts_enforced(const MTS_CTX *ctx, const char *mode)
{
    return strcmp(mode, "enforce") == 0
	|| (strcmp(mode, "testing") == 0
	    && ctx->cfg->mtasts_testing == MTASTS_TESTING_ENFORCE);
}

/* mtasts_cached_broken - the cached entry holds an unexpired policy that
 * does not parse (written by another version, or by hand): it must be
 * fetched again, and meanwhile it is not "no policy" (DESIGN.md 6);
 * why, when not NULL, gets the parser's reason */
static int mtasts_cached_broken(MTS_CTX *ctx, VSTR *why)
{
    STSP    pol;
    VSTR   *tmp;
    int     broken;

    if (!mtasts_plan_usable(&ctx->ent, ctx->now))
	return 0;
    sts_policy_init(&pol);
    tmp = why ? why : vstr_new(64);
    broken = sts_policy_parse(vstr_str(ctx->ent.policy), vstr_len(ctx->ent.policy),
			      &pol, tmp) != 0;
    if (tmp != why)
	vstr_free(tmp);
    sts_policy_free(&pol);
    return broken;
}

/* mtasts_fix_broken - a cached policy that does not parse: fetch it again
 * whatever the TXT record says (unless a fetch failed just now); when no
 * policy comes of it and the cached mode was enforced, the answer is
 * unusable: a temporary failure, never "no policy" */
static void mtasts_fix_broken(MTS_CTX *ctx)
{
    char    id[STSTXT_MAX_ID + 1] = "";
    unsigned ttl = 0;
    VSTR   *why = vstr_new(64);
    MTS_TXT txt;

    (void) mtasts_cached_broken(ctx, why);
    log_warn("cached MTA-STS policy of %s (mode %s) does not parse: %s;"
	     " fetching it again", ctx->domain, ctx->ent.mode, vstr_str(why));
    vstr_free(why);
    vstr_printf(ctx->res->why, "%scached %s policy unreadable",
		vstr_len(ctx->res->why) ? "; " : "", ctx->ent.mode);
    txt = mtasts_txt(ctx, id, &ttl);
    if (txt != MTS_TXT_OK)
	(void) snprintf(id, sizeof(id), "%s", ctx->ent.id);
    if (ctx->ent.last_fail == 0 || ctx->now - ctx->ent.last_fail >= MTS_RETRY_AFTER)
	mtasts_do_fetch(ctx, id, ttl);
    else
	mtasts_note_rate_limit(ctx);
    if (!ctx->res->found && mtasts_enforced(ctx, ctx->ent.mode))
	ctx->res->unusable = 1;
}

/* mtasts_ctx_init - load the cached entry */
static void mtasts_ctx_init(MTS_CTX *ctx, DNS *dns, CACHE *cache, const CFG *cfg,
			         const char *domain, MTS_RESULT *res)
{
    ctx->dns = dns;
    ctx->cache = cache;
    ctx->cfg = cfg;
    ctx->domain = domain;
    ctx->now = time(0);
    ctx->refreshing = 0;
    ctx->res = res;
    cache_sts_init(&ctx->ent);
    (void) cache_sts_get(cache, domain, ctx->now, &ctx->ent);
    ctx->broken = 0;			/* known once the policy is parsed */
}

/* mtasts_from_cache - answer when the cache allows it without a lookup; 1 if so */
static int mtasts_from_cache(MTS_CTX *ctx)
{
    MTS_RESULT *res = ctx->res;

    if (ctx->broken)
	return 0;
    switch (mtasts_plan_before_txt(&ctx->ent, ctx->now)) {
    case MTS_PLAN_CACHED:
	log_debug("MTA-STS for %s: cached policy, TXT id %s current for %llds more",
		  ctx->domain, ctx->ent.id, ctx->ent.txt_expires - (long long) ctx->now);
	if (mtasts_use_cached(ctx) < 0) {
	    ctx->broken = 1;		/* mtasts_fix_broken() then */
	    return 0;
	}
	res->refresh_due = mtasts_plan_refresh_due(&ctx->ent, ctx->now);
	res->stable_until = mtasts_plan_stable_until(&ctx->ent, ctx->now,
						     MTS_STABLE_MAX);
	return 1;
    case MTS_PLAN_ABSENT:
	res->source = "cache";
	res->stable_until = mtasts_plan_stable_until(&ctx->ent, ctx->now,
						     MTS_STABLE_MAX);
	vstr_printf(res->why, "no _mta-sts TXT record (cached for %llds more)",
		    ctx->ent.txt_expires - (long long) ctx->now);
	return 1;
    default:
	return 0;
    }
}

/* mtasts_lookup_cached - the answer from the cache alone; 0 when it needs DNS */
int     mtasts_lookup_cached(CACHE *cache, const CFG *cfg, const char *domain,
			          MTS_RESULT *res)
{
    MTS_CTX ctx;
    int     done;

    mtasts_ctx_init(&ctx, 0, cache, cfg, domain, res);
    done = mtasts_from_cache(&ctx);
    cache_sts_free(&ctx.ent);
    return done;
}

/* mtasts_lookup - the whole MTA-STS answer for one domain */
void    mtasts_lookup(DNS *dns, CACHE *cache, const CFG *cfg, const char *domain,
		           MTS_RESULT *res)
{
    MTS_CTX ctx;

    mtasts_ctx_init(&ctx, dns, cache, cfg, domain, res);
    cache_read_end(cache);		/* no snapshot across DNS and HTTPS */
    if (mtasts_from_cache(&ctx)) {
	/* answered */ ;
    } else if (ctx.broken || mtasts_cached_broken(&ctx, 0)) {
	mtasts_fix_broken(&ctx);
    } else {
	mtasts_check(&ctx);
	if (res->found && strcmp(res->source, "cache") == 0)
	    res->refresh_due = mtasts_plan_refetch_due(&ctx.ent, ctx.now);
    }
    cache_sts_free(&ctx.ent);
}

/* mtasts_refresh_cached - (tlspolicyd -R) check a cached policy now;
 * 0 when there was a cached policy to check */
int     mtasts_refresh_cached(DNS *dns, CACHE *cache, const CFG *cfg,
			           const char *domain, MTS_RESULT *res)
{
    MTS_CTX ctx;
    int     ret = -1;

    mtasts_ctx_init(&ctx, dns, cache, cfg, domain, res);
    if (mtasts_cached_broken(&ctx, 0)) {
	ctx.broken = 1;
	mtasts_fix_broken(&ctx);
	ret = 0;
    } else if (ctx.ent.mode[0]) {
	ctx.refreshing = 1;
	mtasts_check(&ctx);
	ret = 0;
    }
    cache_sts_free(&ctx.ent);
    return ret;
}
