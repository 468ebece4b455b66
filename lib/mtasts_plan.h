/* mtasts_plan.h - MTA-STS: what to do with a cached entry (pure) */
#ifndef TP_MTASTS_PLAN_H
#define TP_MTASTS_PLAN_H

#include <time.h>
#include "cache.h"

#define MTS_RETRY_AFTER	300		/* seconds after a failed fetch; and a
					 * fetched policy applies at least so long */
#define MTS_REFETCH_MIN	30		/* seconds between fetches of one id */
#define MTS_REFETCH_AFTER 86400		/* refetch an unchanged policy daily */

typedef enum { MTS_TXT_OK, MTS_TXT_NONE, MTS_TXT_FAIL } MTS_TXT;

typedef enum {
    MTS_PLAN_CACHED,			/* answer from the cached policy */
    MTS_PLAN_ABSENT,			/* no policy, nothing to store */
    MTS_PLAN_ASK_TXT,			/* ask the _mta-sts TXT record */
    MTS_PLAN_FETCH,			/* fetch the policy over HTTPS */
    MTS_PLAN_STORE_ABSENCE,		/* no TXT record: cache that */
} MTS_PLAN;

int     mtasts_plan_usable(const CACHE_STS *ent, time_t now);
int     mtasts_plan_refetch_due(const CACHE_STS *ent, time_t now);
int     mtasts_plan_refresh_due(const CACHE_STS *ent, time_t now);
MTS_PLAN mtasts_plan_before_txt(const CACHE_STS *ent, time_t now);
time_t  mtasts_plan_stable_until(const CACHE_STS *ent, time_t now, int max);
MTS_PLAN mtasts_plan_after_txt(const CACHE_STS *ent, MTS_TXT txt, const char *id,
			            int refreshing, time_t now);
const char *mtasts_plan_name(MTS_PLAN plan);

#endif
