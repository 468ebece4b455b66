/*++
 * NAME
 *	dane 3
 * SUMMARY
 *	MX -> host addresses -> TLSA, all in parallel, then the verdict
 * SYNOPSIS
 *	#include "dane.h"
 *
 *	void	dane_result_init(DANE_RESULT *res)
 *
 *	void	dane_result_free(DANE_RESULT *res)
 *
 *	void	dane_lookup(DNS *dns, const char *domain, DANE_RESULT *res)
 * DESCRIPTION
 *	dane_lookup() asks for the MX records of domain; as soon as they
 *	arrive it asks, for every MX host at once, A, AAAA and TLSA
 *	_25._tcp.HOST. With no MX records (NODATA) the domain itself is
 *	the only host (implicit MX, RFC 7672 2.2.2); a null MX ("0 .")
 *	ends the lookup. When an address answer shows that HOST is an
 *	alias (a CNAME chain) that validated, TLSA is also asked at the
 *	expanded name, and that answer wins unless it is empty (RFC 7672
 *	2.2.2: expanded name first, then the original). An alias whose
 *	addresses are insecure (a secure CNAME into an unsigned zone) uses
 *	TLSA at the original name only, as Postfix's tls_dane.c does.
 *	Without MX records behind a CNAME, the denial's security does not
 *	count (it is the target zone's): the domain is a non-MX destination
 *	and its own address and TLSA answers decide, as in Postfix.
 *
 *	Then dane_verdict_decide() turns the answers into the verdict; the TTL is
 *	the smallest TTL of every answer used (negative TTLs included).
 *	MX hosts beyond DV_MAX_HOSTS are not examined, and the verdict is
 *	then never "dane-only". An MX target that is not a host name (see
 *	dns_msg_name_is_host()) counts as a host without address: Postfix
 *	skips it. Each answer is explained with a debug line (-q -v).
 *
 *	For protection history (history(3)) res also says whether the MX
 *	answer validated (mx_secure), how many hosts have a validated
 *	address but an unvalidated TLSA answer (tlsa_insecure: a signed
 *	zone's TLSA denial must validate, so such an answer is forged or
 *	broken), and whether a query the verdict waited for got no answer
 *	in time (timed_out, the cause time-limit of a temporary failure).
 --*/
#include <stdio.h>
#include <string.h>

#include "dane.h"
#include "log.h"
#include "tlsa.h"

typedef struct DANE_HOST {
    char    name[DV_NAME_SIZE];
    int     bad_name;			/* MX target is no host name */
    DNS_Q  *a;
    DNS_Q  *aaaa;
    DNS_Q  *tlsa;			/* at _25._tcp.NAME */
    DNS_Q  *tlsa_alias;			/* at _25._tcp.EXPANDED, or NULL */
    int     addr_done;			/* A and AAAA answers seen */
} DANE_HOST;

typedef struct DANE_CTX {
    DNS    *dns;
    const char *domain;
    DNS_Q  *mx;
    int     null_mx;
    int     truncated;
    int     nhosts;
    DANE_HOST hosts[DV_MAX_HOSTS];
} DANE_CTX;

/* dane_result_init - empty result */
void    dane_result_init(DANE_RESULT *res)
{
    res->verdict = DV_TEMP;
    res->cacheable = 0;
    res->ttl = 0;
    res->mx_secure = res->tlsa_insecure = res->timed_out = 0;
    res->why = vstr_new(128);
}

/* dane_result_free - release */
void    dane_result_free(DANE_RESULT *res)
{
    vstr_free(res->why);
    res->why = 0;
}

/* dane_explain - one debug line per answer */
static void dane_explain(const DNS_Q *q)
{
    log_debug("%s %s: %s%s%s, AD=%d, TTL=%u, %d answer record%s%s%s",
	      dns_type_name(q->qtype), q->name, dns_status_name(q->status),
	      q->why ? " - " : "", q->why ? q->why : "", q->ad, q->ttl,
	      q->msg.nan, q->msg.nan == 1 ? "" : "s", q->final && strcmp(q->final, q->name) != 0 ? ", alias of " : "",
	      q->final && strcmp(q->final, q->name) != 0 ? q->final : "");
}

/* dane_tlsa_query - TLSA at _25._tcp.NAME */
static DNS_Q *dane_tlsa_query(DANE_CTX *ctx, const char *name, DNS_CB cb)
{
    char    qname[DV_NAME_SIZE + 16];

    (void) snprintf(qname, sizeof(qname), "_25._tcp.%s", name);
    return dns_query(ctx->dns, qname, DMSG_T_TLSA, cb, ctx);
}

/* dane_tlsa_done - explain */
static void dane_tlsa_done(DNS_Q *q, void *arg)
{
    (void) arg;
    dane_explain(q);
}

static void dane_addr_facts(const DANE_HOST *, DV_HOST *, unsigned *);

/* dane_skip_tlsa - addresses known insecure: do not wait for TLSA */
static void dane_skip_tlsa(DANE_CTX *ctx, const DNS_Q *q)
{
    DV_HOST f;
    unsigned ttl = 0;
    int     i;

    for (i = 0; i < ctx->nhosts; i++) {
	DANE_HOST *h = ctx->hosts + i;

	if ((h->a != q && h->aaaa != q) || ++h->addr_done < 2)
	    continue;
	memset(&f, 0, sizeof(f));
	dane_addr_facts(h, &f, &ttl);
	if (!dane_verdict_host_tlsa_matters(&f)) {
	    log_debug("%s: insecure address, not an alias: its TLSA answer"
		      " cannot count, not waited for", h->name);
	    h->tlsa->optional = 1;
	}
    }
}

/* dane_addr_done - an alias gets a second TLSA query, once */
static void dane_addr_done(DNS_Q *q, void *arg)
{
    DANE_CTX *ctx = arg;
    int     i;

    dane_explain(q);
    dane_skip_tlsa(ctx, q);
    if (q->status != DNS_OK || !q->ad || strcmp(q->final, q->name) == 0)
	return;
    for (i = 0; i < ctx->nhosts; i++) {
	DANE_HOST *h = ctx->hosts + i;

	if ((h->a == q || h->aaaa == q) && h->tlsa_alias == 0
	    && dns_msg_name_is_host(q->final))
	    h->tlsa_alias = dane_tlsa_query(ctx, q->final, dane_tlsa_done);
    }
}

/* dane_add_host - queue the three queries for one host */
static void dane_add_host(DANE_CTX *ctx, const char *name)
{
    DANE_HOST *h;
    int     i;

    for (i = 0; i < ctx->nhosts; i++)
	if (strcmp(ctx->hosts[i].name, name) == 0)
	    return;
    if (ctx->nhosts == DV_MAX_HOSTS) {
	ctx->truncated = 1;
	return;
    }
    h = ctx->hosts + ctx->nhosts++;
    memset(h, 0, sizeof(*h));
    (void) snprintf(h->name, sizeof(h->name), "%s", name);
    if (!dns_msg_name_is_host(name)) {
	h->bad_name = 1;
	log_debug("MX target \"%s\" is not a host name", name);
	return;
    }
    h->a = dns_query(ctx->dns, name, DMSG_T_A, dane_addr_done, ctx);
    h->aaaa = dns_query(ctx->dns, name, DMSG_T_AAAA, dane_addr_done, ctx);
    h->tlsa = dane_tlsa_query(ctx, name, dane_tlsa_done);
}

/* dane_mx_done - the MX answer starts the host queries */
static void dane_mx_done(DNS_Q *q, void *arg)
{
    DANE_CTX *ctx = arg;
    int     i;

    dane_explain(q);
    if (q->status == DNS_NODATA) {
	log_debug("no MX records: %s is its own mail host", ctx->domain);
	dane_add_host(ctx, ctx->domain);	/* aliases: as for MX hosts */
	return;
    }
    if (q->status != DNS_OK)
	return;
    for (i = 0; i < q->msg.nan; i++) {
	const DMSG_RR *rr = q->msg.an + i;

	if (rr->type != DMSG_T_MX || strcmp(rr->owner, q->final) != 0)
	    continue;
	if (rr->target[0] == 0) {
	    ctx->null_mx = 1;
	    continue;
	}
	dane_add_host(ctx, rr->target);
    }
    if (ctx->null_mx)
	ctx->nhosts = 0;		/* null MX wins over anything else */
}

/* dane_st - DNS status as the verdict table sees it */
static DV_STATUS dane_st(const DNS_Q *q)
{
    switch (q->status) {
    case DNS_OK: return DV_ST_OK;
    case DNS_NODATA: return DV_ST_NODATA;
    case DNS_NXDOMAIN: return DV_ST_NXDOMAIN;
    default: return DV_ST_FAIL;
    }
}

/* dane_min_ttl - fold one answer's TTL in */
static void dane_min_ttl(unsigned *ttl, const DNS_Q *q)
{
    if (dane_st(q) != DV_ST_FAIL && q->ttl < *ttl)
	*ttl = q->ttl;
}

/* dane_is_alias - an address answer that came through a CNAME */
static int dane_is_alias(const DNS_Q *q)
{
    return q->status == DNS_OK && strcmp(q->final, q->name) != 0;
}

/* dane_addr_facts - A and AAAA together */
static void dane_addr_facts(const DANE_HOST *h, DV_HOST *f, unsigned *ttl)
{
    DV_STATUS a;
    DV_STATUS b;

    if (h->bad_name) {			/* Postfix skips such a target */
	f->addr = DV_ST_NXDOMAIN;
	return;
    }
    a = dane_st(h->a);
    b = dane_st(h->aaaa);
    if (a == DV_ST_FAIL || b == DV_ST_FAIL)
	f->addr = DV_ST_FAIL;
    else if (a == DV_ST_OK || b == DV_ST_OK)
	f->addr = DV_ST_OK;
    else if (a == DV_ST_NXDOMAIN && b == DV_ST_NXDOMAIN)
	f->addr = DV_ST_NXDOMAIN;
    else
	f->addr = DV_ST_NODATA;
    f->addr_secure = h->a->ad && h->aaaa->ad;
    f->alias = dane_is_alias(h->a) || dane_is_alias(h->aaaa);
    dane_min_ttl(ttl, h->a);
    dane_min_ttl(ttl, h->aaaa);
}

/* dane_count_tlsa - records at the final name, and the usable ones */
static void dane_count_tlsa(const DNS_Q *q, DV_HOST *f)
{
    int     i;

    for (i = 0; i < q->msg.nan; i++) {
	const DMSG_RR *rr = q->msg.an + i;
	TLSA_USE use;

	if (rr->type != DMSG_T_TLSA || strcmp(rr->owner, q->final) != 0)
	    continue;
	f->tlsa_total++;
	use = tlsa_usable(rr->usage, rr->selector, rr->mtype, rr->data, rr->dlen);
	if (use == TLSA_USABLE)
	    f->tlsa_usable++;
	log_debug("TLSA %s %d %d %d (%zu bytes): %s", rr->owner, rr->usage,
		  rr->selector, rr->mtype, rr->dlen, tlsa_use_reason(use));
    }
}

/* dane_tlsa_facts - expanded name first (secure aliases), then the original */
static void dane_tlsa_facts(const DANE_HOST *h, DV_HOST *f, unsigned *ttl)
{
    const DNS_Q *q = h->tlsa;

    if (h->bad_name)
	return;
    if (h->tlsa_alias && f->addr_secure) {
	dane_min_ttl(ttl, h->tlsa_alias);
	if (h->tlsa_alias->status == DNS_OK || dane_st(h->tlsa_alias) == DV_ST_FAIL)
	    q = h->tlsa_alias;
	else
	    log_debug("no TLSA at the expanded name %s; using %s",
		      h->tlsa_alias->name, h->tlsa->name);
    }
    f->tlsa = dane_st(q);
    f->tlsa_secure = q->ad;
    if (q == h->tlsa)
	dane_min_ttl(ttl, q);
    if (q->status == DNS_OK)
	dane_count_tlsa(q, f);
}

/* dane_implicit_alias - no MX behind a CNAME: the domain is the host
 * (RFC 7672 2.2.2, as Postfix: the MX denial does not count, the
 * host's own alias rules do); insecure CNAMEs lead to insecure TLSA */
static int dane_implicit_alias(const DNS_Q *mx)
{
    return mx->status == DNS_NODATA && strcmp(mx->final, mx->name) != 0;
}

/* dane_facts - everything dane_verdict_decide() needs */
static void dane_facts(const DANE_CTX *ctx, DV_FACTS *facts, unsigned *ttl)
{
    int     i;

    memset(facts, 0, sizeof(*facts));
    *ttl = 0xffffffffu;
    facts->mx = dane_st(ctx->mx);
    facts->mx_secure = ctx->mx->ad || dane_implicit_alias(ctx->mx);
    facts->null_mx = ctx->null_mx;
    facts->truncated = ctx->truncated;
    dane_min_ttl(ttl, ctx->mx);
    if (ctx->null_mx)
	return;
    facts->nhosts = ctx->nhosts;
    for (i = 0; i < ctx->nhosts; i++) {
	const DANE_HOST *h = ctx->hosts + i;
	DV_HOST *f = facts->hosts + i;

	(void) snprintf(f->name, sizeof(f->name), "%s", h->name);
	dane_addr_facts(h, f, ttl);
	if (dane_verdict_host_tlsa_matters(f))
	    dane_tlsa_facts(h, f, ttl);
    }
}

/* dane_timed_out - a query the verdict waited for got no answer in time */
static int dane_timed_out(const DNS_Q *q)
{
    return q != 0 && !q->optional && q->status == DNS_TIMEOUT;
}

/* dane_history - what protection history needs beyond the verdict: the
 * MX answer's security, hosts whose signed address comes with an
 * unsigned TLSA answer (forged or broken), and whether time ran out */
static void dane_history(const DANE_CTX *ctx, const DV_FACTS *facts,
			         DANE_RESULT *res)
{
    int     i;

    res->mx_secure = facts->mx_secure;
    res->timed_out = dane_timed_out(ctx->mx);
    for (i = 0; i < facts->nhosts; i++) {
	const DV_HOST *f = facts->hosts + i;
	const DANE_HOST *h = ctx->hosts + i;

	if (dane_verdict_host_tlsa_matters(f) && f->addr_secure && !f->tlsa_secure
	    && f->tlsa != DV_ST_FAIL && f->tlsa != DV_ST_SKIPPED)
	    res->tlsa_insecure++;
	if (dane_timed_out(h->a) || dane_timed_out(h->aaaa)
	    || dane_timed_out(h->tlsa) || dane_timed_out(h->tlsa_alias))
	    res->timed_out = 1;
    }
}

/* dane_lookup - the whole DANE lookup for one domain */
void    dane_lookup(DNS *dns, const char *domain, DANE_RESULT *res)
{
    static DANE_CTX ctx;
    DV_FACTS facts;
    unsigned ttl;

    memset(&ctx, 0, sizeof(ctx));
    ctx.dns = dns;
    ctx.domain = domain;
    dns_begin(dns);
    ctx.mx = dns_query(dns, domain, DMSG_T_MX, dane_mx_done, &ctx);
    dns_run(dns);
    dane_facts(&ctx, &facts, &ttl);
    res->verdict = dane_verdict_decide(&facts, res->why, &res->cacheable);
    dane_history(&ctx, &facts, res);
    if (facts.mx == DV_ST_FAIL)		/* "MX lookup failed: SERVFAIL" */
	vstr_printf(res->why, ": %s", dns_failure_name(ctx.mx->status));
    res->ttl = ttl == 0xffffffffu ? 0 : ttl;
    log_debug("DANE verdict for %s: %s (%s), TTL %u%s", domain,
	      dane_verdict_verdict_name(res->verdict), vstr_str(res->why), res->ttl,
	      res->cacheable ? "" : ", not cached");
}
