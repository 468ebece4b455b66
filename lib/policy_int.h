/* policy_int.h - what policy.c shares with policy_memo.c, policy_metrics.c
 * and policy_refresh.c (not for other modules) */
#ifndef TP_POLICY_INT_H
#define TP_POLICY_INT_H

#include "dane_verdict.h"
#include "defer.h"
#include "policy.h"

const char *policy_settings(POL_CTX *ctx);
DNS    *policy_dns(POL_CTX *ctx);
DV_VERDICT policy_dane_fetch(POL_CTX *ctx, const char *domain, VSTR *why,
			             int *ttl, DEFER_CAUSE *cause);
int     policy_from_cache(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt,
			          time_t *until);
void    policy_start_clock(POL_CTX *ctx);
void    policy_stop_clock(POL_CTX *ctx);
void    policy_log_line(const POL_ANSWER *ans);

#endif
