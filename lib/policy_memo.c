/*++
 * NAME
 *	policy_memo 3
 * SUMMARY
 *	policy(3)'s use of the answer memo
 * SYNOPSIS
 *	#include "policy_memo.h"
 *
 *	MEMO	*policy_memo_open(POL_CTX *ctx)
 *	int	policy_memo_answer(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt)
 *	void	policy_memo_remember(POL_CTX *ctx, const MEMO_STAMP *stamp,
 *				const POL_ANSWER *ans, int tlsrpt,
 *				time_t until)
 *	int	policy_memo_count(void *memo, const char *name,
 *				const char *labels, unsigned long n)
 * DESCRIPTION
 *	policy_memo_open() opens the memo (memo(3)) beside the cache on
 *	first use: NULL without a cache, under a configuration error, or
 *	when the cache may not be trusted. Its answers are those of
 *	helpers with the same answer-changing settings, cache_max_ttl and
 *	program version (PACKAGE_VERSION: after an upgrade, no answer of
 *	the old program is given).
 *
 *	policy_memo_answer() fills ans from the memo's slot for its domain
 *	(found or not found only) and counts a cache hit: 0, or -1 when
 *	the memo has no valid answer.
 *
 *	policy_memo_remember() stores an answer the cache alone gave,
 *	stamped with the cache's state taken before the read, until the
 *	first moment its entries expire, become due or change plan, at
 *	most MEMO_MAX_AGE seconds. Answers with a refresh pending, answers
 *	without a TTL, temporary failures and texts too long for a slot
 *	are not remembered.
 *
 *	policy_memo_count() is metrics_move()'s function: a count into the
 *	memo's shared counters.
 *--*/
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "log.h"
#include "metrics.h"
#include "policy_int.h"
#include "policy_memo.h"

/* policy_memo_open - the memo beside the cache, opened on first use; NULL
 * without a cache, or when the memo or the cache may not be trusted */
MEMO   *policy_memo_open(POL_CTX *ctx)
{
    long    max_ttl = ctx->cfg->cache_max_ttl;
    const char *mark;
    uint64_t settings;

    if (ctx->memo_tried)
	return ctx->memo;
    ctx->memo_tried = 1;
    if (ctx->guest)
	(void) policy_cache(ctx);	/* may it use the cache at all? */
    if (!ctx->no_cache && !ctx->config_error && *policy_cache_path(ctx)
	&& ctx->cache_trusted) {
	mark = policy_settings(ctx);
	settings = memo_hash(mark, strlen(mark), MEMO_HASH_INIT);
	settings = memo_hash(&max_ttl, sizeof(max_ttl), settings);
	settings = memo_hash(PACKAGE_VERSION, sizeof(PACKAGE_VERSION), settings);
	ctx->memo = memo_open(policy_cache_path(ctx), settings);
    }
    return ctx->memo;
}

/* policy_memo_answer - the memo's answer for the domain; -1 if none */
int     policy_memo_answer(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt)
{
    MEMO_ANSWER *hit = &ctx->memo_hit;
    time_t  now = time(0);

    if (!memo_get(policy_memo_open(ctx), ans->domain, tlsrpt, now, hit)
	|| (hit->status != POL_FOUND && hit->status != POL_NOTFOUND))
	return -1;
    ans->status = hit->status;
    ans->rule = hit->rule;
    ans->kind = hit->kind;
    ans->source = hit->source;
    ans->ttl = (int) (hit->expires - (long long) now);
    vstr_reset(ans->text);
    vstr_addstr(ans->text, hit->text);
    vstr_reset(ans->tlsrpt);
    vstr_addstr(ans->tlsrpt, hit->tlsrpt);
    metrics_inc(MET_CACHE_HITS, "kind=\"dane\"", 1);
    log_debug("memo hit for %s: %s, %ds left", ans->domain, hit->rule, ans->ttl);
    return 0;
}

/* policy_memo_text - a string into a memo field; -1 if it does not fit */
static int policy_memo_text(char *dst, size_t size, const char *src)
{
    return snprintf(dst, size, "%s", src) < (int) size ? 0 : -1;
}

/* policy_memo_remember - an answer the cache gave, stamped, until then */
void    policy_memo_remember(POL_CTX *ctx, const MEMO_STAMP *stamp,
				         const POL_ANSWER *ans, int tlsrpt,
				         time_t until)
{
    MEMO_ANSWER mem;
    time_t  now = time(0);

    if (ctx->refresh[0] || ans->ttl <= 0
	|| (ans->status != POL_FOUND && ans->status != POL_NOTFOUND))
	return;
    if (until > now + MEMO_MAX_AGE)
	until = now + MEMO_MAX_AGE;
    mem.status = ans->status;
    mem.expires = (long long) now + ans->ttl;
    if (policy_memo_text(mem.rule, sizeof(mem.rule), ans->rule) < 0
	|| policy_memo_text(mem.kind, sizeof(mem.kind), ans->kind) < 0
	|| policy_memo_text(mem.source, sizeof(mem.source), ans->source) < 0
	|| policy_memo_text(mem.text, sizeof(mem.text), vstr_str(ans->text)) < 0
	|| policy_memo_text(mem.tlsrpt, sizeof(mem.tlsrpt), vstr_str(ans->tlsrpt)) < 0)
	return;
    if (until > now)
	(void) memo_put(ctx->memo, stamp, ans->domain, tlsrpt, until, &mem);
}

/* policy_memo_count - metrics_move() into the memo's counters */
int     policy_memo_count(void *memo, const char *name, const char *labels,
			             unsigned long n)
{
    return memo_count((MEMO *) memo, name, labels, n);
}
