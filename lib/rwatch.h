/* rwatch.h - the helper's own resolver probe, shared through the cache */
#ifndef TP_RWATCH_H
#define TP_RWATCH_H

#include <time.h>
#include "cache.h"
#include "cfg.h"
#include "probe.h"
#include "vstr.h"

#define RWATCH_INTERVAL	300		/* seconds between probes */
#define RWATCH_RETRY	30		/* ... while the last one failed */
#define RWATCH_PREFIX	"resolver "	/* state rows: "resolver " + dns_resolver */

typedef enum {
    RWATCH_OK,				/* validating: look up, cache */
    RWATCH_NOCACHE,			/* no answer to the probe: look up, keep nothing */
    RWATCH_TEMP,			/* answers without AD: DANE is temporary failure */
} RWATCH_GATE;

RWATCH_GATE rwatch_gate(CACHE *cache, const CFG *cfg, VSTR *why);
const char *rwatch_status_name(PROBE_STATUS status);

#endif
