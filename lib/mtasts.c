/*++
 * NAME
 *	mtasts 3
 * SUMMARY
 *	MTA-STS policy for one domain: discovery, fetch, cache
 * SYNOPSIS
 *	#include "mtasts.h"
 *
 *	void	mts_lookup(DNS *dns, CACHE *cache, const CFG *cfg,
 *				const char *domain, MTS_RESULT *res)
 *
 *	int	mts_refresh_cached(DNS *dns, CACHE *cache, const CFG *cfg,
 *				const char *domain, MTS_RESULT *res)
 * DESCRIPTION
 *	mts_lookup() implements RFC 8461 for a domain that has no DANE:
 *
 *	1. TXT _mta-sts.DOMAIN (CNAMEs followed by the resolver): exactly
 *	   one record starting v=STSv1, with a valid id.
 *	2. A cached, unexpired policy is used without any lookup while
 *	   its TXT record was seen unchanged within the record's TTL
 *	   (clamped to cache_min_ttl..cache_max_ttl); after that the TXT
 *	   record is asked again, and the same id still means no fetch.
 *	   When the TXT lookup fails, or the record is missing or
 *	   invalid, an unexpired cached policy is used too: a policy ends
 *	   by expiry or by a fetched "mode: none", not by a DNS hiccup.
 *	3. Otherwise (no cached policy, or a new id) the policy is fetched
 *	   from https://mta-sts.DOMAIN/, with mta-sts.DOMAIN resolved
 *	   through our resolver; at most one failed attempt per domain per
 *	   MTS_RETRY_AFTER seconds (remembered in the cache). A failed
 *	   fetch keeps serving the unexpired cached policy (RFC 8461 3.3).
 *	4. A fetched policy is cached with its id for max_age seconds;
 *	   "mode: none" replaces an enforce policy at once.
 *	5. enforce gives "secure match=... servername=hostname"; testing
 *	   gives the same only with mtasts_testing = enforce; none and
 *	   testing otherwise give no answer. The TLSRPT attributes are put
 *	   in res->tlsrpt for the caller to append when asked.
 *
 *	A policy answered from the cache in the last quarter of its TXT
 *	check's TTL, or of its max_age, sets res->refresh_due: the caller
 *	then has mts_refresh_cached() run in a refresh process, which asks
 *	the TXT record at once (and fetches a new policy when the id
 *	changed), so that lookups keep being answered from the cache.
 *--*/
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "mtasts.h"
#include "sts_fetch.h"
#include "sts_policy.h"
#include "sts_txt.h"

typedef enum { MTS_TXT_OK, MTS_TXT_NONE, MTS_TXT_FAIL } MTS_TXT;

static void mts_txt_seen(CACHE *, const CFG *, const char *, CACHE_STS *,
			         time_t, unsigned);

/* mts_result_init - empty result */
void    mts_result_init(MTS_RESULT *res)
{
    res->found = 0;
    res->text = vstr_new(128);
    res->tlsrpt = vstr_new(128);
    res->why = vstr_new(128);
    res->ttl = 0;
    res->source = "none";
    res->refresh_due = 0;
}

/* mts_result_free - release */
void    mts_result_free(MTS_RESULT *res)
{
    vstr_free(res->text);
    vstr_free(res->tlsrpt);
    vstr_free(res->why);
}

/* mts_txt - discovery: the one v=STSv1 record and its id */
static MTS_TXT mts_txt(DNS *dns, const char *domain, char *id, unsigned *ttl,
		               VSTR *why)
{
    char    qname[300];
    const char *recs[32];
    size_t  lens[32];
    DNS_Q  *q;
    int     n = 0;
    int     i;

    (void) snprintf(qname, sizeof(qname), "_mta-sts.%s", domain);
    dns_begin(dns);
    q = dns_query(dns, qname, DMSG_T_TXT, 0, 0);
    dns_run(dns);
    log_debug("TXT %s: %s, AD=%d, TTL=%u", q->name, dns_status_name(q->status),
	      q->ad, q->ttl);
    *ttl = q->ttl;
    if (q->status == DNS_NXDOMAIN || q->status == DNS_NODATA) {
	vstr_printf(why, "no _mta-sts TXT record");
	return MTS_TXT_NONE;
    }
    if (q->status != DNS_OK) {
	vstr_printf(why, "TXT lookup failed: %s", dns_status_name(q->status));
	return MTS_TXT_FAIL;
    }
    for (i = 0; i < q->msg.nan && n < 32; i++) {
	const DMSG_RR *rr = q->msg.an + i;

	if (rr->type == DMSG_T_TXT && strcmp(rr->owner, q->final) == 0) {
	    recs[n] = (const char *) rr->data;
	    lens[n++] = rr->dlen;
	}
    }
    return ststxt_select(recs, lens, n, id, why) == STSTXT_OK ?
	MTS_TXT_OK : MTS_TXT_NONE;
}

/* mts_addrs - A and AAAA of mta-sts.DOMAIN, for CURLOPT_RESOLVE */
static int mts_addrs(DNS *dns, const char *domain, VSTR *out, VSTR *why)
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

/* mts_fetch - addresses, HTTPS, parse; 0 with pol filled */
static int mts_fetch(DNS *dns, const CFG *cfg, const char *domain, STSP *pol,
		             VSTR *why)
{
    VSTR   *addrs = vstr_new(64);
    VSTR   *body = vstr_new(1024);
    STSF_REQ req;
    int     ret = -1;

    if (mts_addrs(dns, domain, addrs, why) == 0) {
	req.domain = domain;
	req.addrs = vstr_str(addrs);
	req.ca_file = cfg->mtasts_ca_file;
	req.timeout = cfg->mtasts_fetch_timeout;
	log_debug("fetching https://mta-sts.%s/.well-known/mta-sts.txt from %s",
		  domain, vstr_str(addrs));
	if (stsf_fetch(&req, body, why) == 0)
	    ret = stsp_parse(vstr_str(body), vstr_len(body), pol, why);
	if (ret == 0 && pol->nbad > 0)
	    log_warn("MTA-STS policy for %s: %s", domain, vstr_str(pol->ignored));
    }
    vstr_free(addrs);
    vstr_free(body);
    return ret;
}

/* mts_store - remember a fetched policy */
static void mts_store(CACHE *cache, const char *domain, const char *id,
		              const STSP *pol, CACHE_STS *ent, time_t now)
{
    (void) snprintf(ent->id, sizeof(ent->id), "%s", id);
    (void) snprintf(ent->mode, sizeof(ent->mode), "%s", stsp_mode_name(pol->mode));
    ent->max_age = pol->max_age;
    vstr_reset(ent->policy);
    vstr_addstr(ent->policy, vstr_str(pol->lines));
    ent->fetched = (long long) now;
    ent->expires = (long long) now + pol->max_age;
    ent->last_fail = 0;
    vstr_reset(ent->fail_why);
    if (pol->clamped)
	log_warn("MTA-STS policy of %s: max_age above %d clamped", domain,
		 STSP_MAX_AGE);
    (void) cache_put_sts(cache, domain, ent);
}

/* mts_remember_failure - for the rate limit and for sts_view */
static void mts_remember_failure(CACHE *cache, const char *domain,
				         CACHE_STS *ent, time_t now, const char *why)
{
    ent->last_fail = (long long) now;
    vstr_reset(ent->fail_why);
    vstr_addstr(ent->fail_why, why);
    (void) cache_put_sts(cache, domain, ent);
}

/* mts_answer - reply text from a policy */
static void mts_answer(const CFG *cfg, const char *domain, const STSP *pol,
		               MTS_RESULT *res)
{
    if (pol->mode == STSP_ENFORCE
	|| (pol->mode == STSP_TESTING && cfg->mtasts_testing == MTASTS_TESTING_ENFORCE)) {
	res->found = 1;
	stsp_reply(pol, res->text);
	vstr_reset(res->tlsrpt);
	stsp_tlsrpt(pol, domain, res->tlsrpt);
    } else {
	vstr_printf(res->why, "%smode %s", vstr_len(res->why) ? "; " : "",
		    stsp_mode_name(pol->mode));
    }
}

/* mts_use_cached - answer from a cached policy; 0 when there is one */
static int mts_use_cached(const CFG *cfg, const char *domain,
			          const CACHE_STS *ent, time_t now, MTS_RESULT *res)
{
    STSP    pol;
    VSTR   *why;
    int     ret = -1;

    if (ent->expires <= (long long) now || ent->mode[0] == 0)
	return -1;
    stsp_init(&pol);
    why = vstr_new(64);
    if (stsp_parse(vstr_str(ent->policy), vstr_len(ent->policy), &pol, why) == 0) {
	res->ttl = (int) (ent->expires - (long long) now);
	mts_answer(cfg, domain, &pol, res);
	ret = 0;
    } else {
	log_warn("cached MTA-STS policy of %s does not parse: %s", domain,
		 vstr_str(why));
    }
    vstr_free(why);
    stsp_free(&pol);
    return ret;
}

/* mts_refresh - fetch now, or explain why not; 0 when res is answered */
static int mts_refresh(DNS *dns, CACHE *cache, const CFG *cfg, const char *domain,
		               const char *id, unsigned ttl, CACHE_STS *ent,
		               MTS_RESULT *res)
{
    time_t  now = time(0);
    STSP    pol;
    VSTR   *why;
    int     ret = -1;

    if (ent->last_fail && (long long) now - ent->last_fail < MTS_RETRY_AFTER) {
	vstr_printf(res->why, "last fetch failed %llds ago (%s); not retrying"
		    " before %ds", (long long) now - ent->last_fail,
		    vstr_str(ent->fail_why), MTS_RETRY_AFTER);
	log_debug("MTA-STS for %s: %s", domain, vstr_str(res->why));
	return -1;
    }
    stsp_init(&pol);
    why = vstr_new(64);
    met_inc(MET_STS_FETCHES, "", 1);
    if (mts_fetch(dns, cfg, domain, &pol, why) == 0) {
	mts_store(cache, domain, id, &pol, ent, now);
	mts_txt_seen(cache, cfg, domain, ent, now, ttl);
	res->source = "https";
	res->ttl = (int) pol.max_age;
	mts_answer(cfg, domain, &pol, res);
	ret = 0;
    } else {
	met_inc(MET_STS_FAILURES, "", 1);
	log_warn("MTA-STS policy fetch for %s failed: %s", domain, vstr_str(why));
	vstr_printf(res->why, "fetch failed: %s", vstr_str(why));
	mts_remember_failure(cache, domain, ent, now, vstr_str(why));
    }
    vstr_free(why);
    stsp_free(&pol);
    return ret;
}

/* mts_txt_seen - remember until when the TXT id is known to be current */
static void mts_txt_seen(CACHE *cache, const CFG *cfg, const char *domain,
			         CACHE_STS *ent, time_t now, unsigned ttl)
{
    if (ttl < (unsigned) cfg->cache_min_ttl)
	ttl = (unsigned) cfg->cache_min_ttl;
    if (ttl > (unsigned) cfg->cache_max_ttl)
	ttl = (unsigned) cfg->cache_max_ttl;
    ent->txt_expires = (long long) now + ttl;
    ent->txt_ttl = (int) ttl;
    (void) cache_put_sts(cache, domain, ent);
}

/* mts_due - a cached policy whose TXT check or policy ends soon */
static int mts_due(const CACHE_STS *ent, time_t now)
{
    return cache_due(ent->txt_expires, ent->txt_ttl, now)
	|| cache_due(ent->expires, ent->max_age, now);
}

/* mts_check - TXT first, then the cached policy or a new fetch */
static void mts_check(DNS *dns, CACHE *cache, const CFG *cfg, const char *domain,
		              CACHE_STS *ent, time_t now, MTS_RESULT *res)
{
    char    id[STSTXT_MAX_ID + 1];
    unsigned ttl = 0;
    MTS_TXT txt;

    txt = mts_txt(dns, domain, id, &ttl, res->why);
    if (txt == MTS_TXT_OK && ent->expires > (long long) now && strcmp(ent->id, id) == 0) {
	log_debug("MTA-STS id %s unchanged: cached policy used", id);
	mts_txt_seen(cache, cfg, domain, ent, now, ttl);
	(void) mts_use_cached(cfg, domain, ent, now, res);
    } else if (txt == MTS_TXT_OK) {
	if (mts_refresh(dns, cache, cfg, domain, id, ttl, ent, res) < 0
	    && mts_use_cached(cfg, domain, ent, now, res) == 0)
	    log_info("MTA-STS for %s: using the cached policy until it expires",
		     domain);
    } else if (mts_use_cached(cfg, domain, ent, now, res) == 0) {
	log_debug("MTA-STS for %s: %s; cached policy still valid", domain,
		  vstr_str(res->why));
    }
}

/* mts_lookup - the whole MTA-STS answer for one domain */
void    mts_lookup(DNS *dns, CACHE *cache, const CFG *cfg, const char *domain,
		           MTS_RESULT *res)
{
    CACHE_STS ent;
    time_t  now = time(0);

    cache_sts_init(&ent);
    res->source = "cache";
    if (cache_get_sts(cache, domain, now, &ent) == CACHE_FRESH
	&& ent.txt_expires > (long long) now && ent.mode[0]
	&& mts_use_cached(cfg, domain, &ent, now, res) == 0) {
	log_debug("MTA-STS for %s: cached policy, TXT id %s current for %llds more",
		  domain, ent.id, ent.txt_expires - (long long) now);
	res->refresh_due = mts_due(&ent, now);
    } else {
	mts_check(dns, cache, cfg, domain, &ent, now, res);
    }
    cache_sts_free(&ent);
}

/* mts_refresh_cached - (tlspolicyd -R) check a cached policy's TXT now;
 * 0 when there was a cached policy to check */
int     mts_refresh_cached(DNS *dns, CACHE *cache, const CFG *cfg,
			           const char *domain, MTS_RESULT *res)
{
    CACHE_STS ent;
    time_t  now = time(0);
    int     ret = -1;

    cache_sts_init(&ent);
    res->source = "cache";
    if (cache_get_sts(cache, domain, now, &ent) == CACHE_FRESH && ent.mode[0]) {
	mts_check(dns, cache, cfg, domain, &ent, now, res);
	ret = 0;
    }
    cache_sts_free(&ent);
    return ret;
}
