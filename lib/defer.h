/* defer.h - why an answer is a temporary failure: the fixed set of causes */
#ifndef TP_DEFER_H
#define TP_DEFER_H

#include <stddef.h>
#include "vstr.h"

typedef enum {
    DEFER_NONE,				/* not a temporary failure */
    DEFER_CONFIGURATION_ERROR,
    DEFER_RESOLVER_NOT_VALIDATING,
    DEFER_RESOLVER_UNAVAILABLE,
    DEFER_MX_LOOKUP_FAILED,
    DEFER_HOST_LOOKUP_FAILED,
    DEFER_TIME_LIMIT,
    DEFER_STS_POLICY_UNUSABLE,
    DEFER_COUNT
} DEFER_CAUSE;

const char *defer_name(DEFER_CAUSE cause);
const char *defer_text(DEFER_CAUSE cause);
int     defer_from_name(const char *name, DEFER_CAUSE *cause);
DEFER_CAUSE defer_for_rule(const char *rule, DEFER_CAUSE found);
void    defer_reply(VSTR *out, const char *rule, DEFER_CAUSE cause,
		            const char *why, size_t why_len);
int     defer_counted(DEFER_CAUSE cause);

#endif
