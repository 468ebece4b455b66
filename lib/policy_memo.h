/* policy_memo.h - the memo's glue for policy.c and policy_metrics.c */
#ifndef TP_POLICY_MEMO_H
#define TP_POLICY_MEMO_H

#include "memo.h"
#include "policy.h"

MEMO   *policy_memo_open(POL_CTX *ctx);
int     policy_memo_answer(POL_CTX *ctx, POL_ANSWER *ans, int tlsrpt);
void    policy_memo_remember(POL_CTX *ctx, const MEMO_STAMP *stamp,
			             const POL_ANSWER *ans, int tlsrpt,
			             time_t until);
int     policy_memo_count(void *memo, const char *name, const char *labels,
			          unsigned long n);

#endif
