/* probe.h - does the resolver validate DNSSEC? */
#ifndef TP_PROBE_H
#define TP_PROBE_H

#include "vstr.h"

#define PROBE_NAME	"."		/* signed everywhere: the root */
#define PROBE_TYPE_NAME	"SOA"

typedef enum {
    PROBE_VALIDATING,			/* answered, AD set */
    PROBE_NOT_VALIDATING,		/* answered, AD clear */
    PROBE_NO_ANSWER,			/* timeout, SERVFAIL, REFUSED, ... */
} PROBE_STATUS;

PROBE_STATUS probe_resolver(const char *servers, int timeout_s,
			            int deadline_s, VSTR *why);

#endif
