/* policy_refresh.h - the lookups of a refresh process (-R) */
#ifndef TP_POLICY_REFRESH_H
#define TP_POLICY_REFRESH_H

#include "policy.h"

int     policy_refresh_lookup(POL_CTX *ctx, const char *domain, VSTR *why);

#endif
