/*++
 * NAME
 *	policy_refresh 3
 * SUMMARY
 *	the lookups of a refresh process (tlspolicyd -R)
 * SYNOPSIS
 *	#include "policy.h"
 *
 *	int	policy_refresh_lookup(POL_CTX *ctx, const char *domain,
 *				VSTR *why)
 * DESCRIPTION
 *	policy_refresh_lookup() is what refresh.c's -R process runs under
 *	its lease: the DANE lookup and, where MTA-STS can change the
 *	answer, the MTA-STS check of a cached policy (mtasts(3)), all
 *	within one time limit. It returns 0 when both renewed their
 *	entries, -1 otherwise; why gets what each found.
 *
 *	It logs one lookup line (source=refresh) when the answer the cache
 *	gives after the refresh differs from the one before: with
 *	log_lookups = changes an answer from the cache is by construction
 *	the one logged when its facts were fetched, so a refresh that
 *	changes it must say so. After a refresh history(3) records the
 *	MTA-STS facts it saw.
 *--*/
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "history.h"
#include "mtasts.h"
#include "policy_int.h"
#include "policy_refresh.h"

/* policy_refresh_mtasts - check a cached MTA-STS policy now; 0 unless failed */
static int policy_refresh_mtasts(POL_CTX *ctx, const char *domain, VSTR *why)
{
    MTS_RESULT res;
    DNS    *dns = policy_dns(ctx);
    int     failed = 0;

    if (dns == 0)
	return -1;
    mtasts_result_init(&res);
    if (mtasts_refresh_cached(dns, policy_cache(ctx), ctx->cfg, domain, &res) == 0) {
	history_sts(ctx->no_history ? 0 : policy_cache(ctx), domain, &res);
	vstr_printf(why, "; MTA-STS: %s", res.found ? vstr_str(res.text)
		    : vstr_str(res.why));
	failed = res.failed;
    }
    mtasts_result_free(&res);
    return failed ? -1 : 0;
}

/* policy_refresh_answer - the answer the cache gives now for a refresh's
 * domain: 0, or -1 when the cache has none */
static int policy_refresh_answer(POL_CTX *ctx, const char *domain,
				         POL_ANSWER *ans)
{
    time_t  until;

    policy_answer_reset(ans);
    (void) snprintf(ans->domain, sizeof(ans->domain), "%s", domain);
    return policy_from_cache(ctx, ans, 0, &until);
}

/* policy_refresh_log - after a refresh: the lookup line of an answer the
 * refresh changed, as a lookup from fresh facts would log it; a domain
 * the cache now answers leaves deferrals_view, as after a lookup */
static void policy_refresh_log(POL_CTX *ctx, const char *domain,
			               const POL_ANSWER *before, int had)
{
    POL_ANSWER after;

    policy_answer_init(&after);
    if (policy_refresh_answer(ctx, domain, &after) == 0) {
	if (had < 0 || after.status != before->status
	    || strcmp(after.rule, before->rule) != 0
	    || strcmp(vstr_str(after.text), vstr_str(before->text)) != 0) {
	    after.source = "refresh";
	    policy_log_line(&after);
	}
	if (after.status != POL_TEMP)
	    history_answered(policy_cache(ctx), domain, DEFER_NONE, "");
    }
    policy_answer_free(&after);
}

/* policy_refresh_lookup - the lookups of one refresh; 0 when all renewed */
int     policy_refresh_lookup(POL_CTX *ctx, const char *domain, VSTR *why)
{
    DV_VERDICT verdict;
    POL_ANSWER before;
    int     had;
    DEFER_CAUSE cause = DEFER_NONE;
    int     ttl;
    int     ok;

    policy_answer_init(&before);
    had = policy_refresh_answer(ctx, domain, &before);
    policy_start_clock(ctx);
    verdict = policy_dane_fetch(ctx, domain, why, &ttl, &cause);
    ok = verdict != DV_TEMP && verdict != DV_HOST_FAIL;
    if (decide_needs_sts(verdict) && policy_refresh_mtasts(ctx, domain, why) < 0)
	ok = 0;
    policy_stop_clock(ctx);
    policy_refresh_log(ctx, domain, &before, had);
    policy_answer_free(&before);
    return ok ? 0 : -1;
}
