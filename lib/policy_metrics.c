/*++
 * NAME
 *	policy_metrics 3
 * SUMMARY
 *	a helper's counts: where they go, what /metrics shows
 * SYNOPSIS
 *	#include "policy.h"
 *
 *	void	policy_metrics_flush(POL_CTX *ctx)
 *	void	policy_metrics_render(POL_CTX *ctx, VSTR *out)
 * DESCRIPTION
 *	policy_metrics_flush() moves the DNS counts and pending counters to
 *	the cache when this helper has written to it anyway (taking the
 *	memo's counts along), else to the memo's counters, or to the cache
 *	when there is no memo (and resets a grown WAL): a commit only for
 *	counts would end every memo answer.
 *
 *	policy_metrics_render() renders the /metrics text: the cache's
 *	counters plus the memo's pending counts, read without a commit (so
 *	a scrape leaves the memo's answers valid).
 *
 *	Under a configuration error nothing is written: flushing does
 *	nothing, and /metrics shows only tlspolicyd_config_error 1.
 *--*/
#include "cache.h"
#include "dns.h"
#include "metrics.h"
#include "policy_memo.h"
#include "policy_metrics.h"

/* policy_metrics_count_dns - the DNS client's counts since the last time */
static void policy_metrics_count_dns(POL_CTX *ctx)
{
    if (ctx->dns) {
	metrics_inc(MET_DNS_QUERIES, "", dns_count_queries(ctx->dns) - ctx->dns_queries);
	metrics_inc(MET_DNS_FAILURES, "", dns_count_failures(ctx->dns) - ctx->dns_failures);
	ctx->dns_queries = dns_count_queries(ctx->dns);
	ctx->dns_failures = dns_count_failures(ctx->dns);
    }
}

/* policy_metrics_flush - DNS counts, then everything to the cache when
 * this helper wrote to it anyway (with what the memo holds), else to the
 * memo: a commit only for counts would end every memo answer */
void    policy_metrics_flush(POL_CTX *ctx)
{
    if (ctx->config_error)		/* nothing is written then */
	return;
    policy_metrics_count_dns(ctx);
    if (cache_wrote(ctx->cache))
	memo_counters_take(policy_memo_open(ctx), metrics_inc_named, 0);
    else if (policy_memo_open(ctx))
	metrics_move(policy_memo_count, ctx->memo);
    if (metrics_pending())
	metrics_flush(policy_cache(ctx));
    if (ctx->cache)
	cache_checkpoint(ctx->cache);
}

/* policy_metrics_render - the exposition text for /metrics: the table plus the
 * memo's pending counts (ours join them there), nothing committed (that
 * would end every memo answer) unless this helper wrote to the cache anyway
 * or has no memo, or the memo's table is full */
void    policy_metrics_render(POL_CTX *ctx, VSTR *out)
{
    MEMO   *memo;
    int     peek;

    if (ctx->config_error) {		/* the gauge alone: no counters */
	metrics_render_config_error(out, 1);
	return;
    }
    memo = policy_memo_open(ctx);
    policy_metrics_count_dns(ctx);
    if (memo == 0 || cache_wrote(ctx->cache))
	memo_counters_take(memo, metrics_inc_named, 0);
    else
	metrics_move(policy_memo_count, memo);
    metrics_flush(policy_cache(ctx));	/* what is left, if anything */
    peek = (memo != 0 && !metrics_pending());
    if (peek)
	memo_counters_peek(memo, metrics_inc_named, 0);
    metrics_render(policy_cache(ctx), out);
    metrics_render_config_error(out, 0);
    if (peek)
	metrics_forget();		/* copies: they stay in the memo */
}
