/* policy_metrics.h - a helper's counts: where they go, what /metrics shows */
#ifndef TP_POLICY_METRICS_H
#define TP_POLICY_METRICS_H

#include "policy.h"

void    policy_metrics_flush(POL_CTX *ctx);
void    policy_metrics_render(POL_CTX *ctx, VSTR *out);

#endif
