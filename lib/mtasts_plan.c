/*++
 * NAME
 *	mtasts_plan 3
 * SUMMARY
 *	MTA-STS: the cache, refetch and rate-limit decision (pure)
 * SYNOPSIS
 *	#include "mtasts_plan.h"
 *
 *	int	mtasts_plan_usable(const CACHE_STS *ent, time_t now)
 *
 *
 *	int	mtasts_plan_refetch_due(const CACHE_STS *ent, time_t now)
 *
 *	int	mtasts_plan_refresh_due(const CACHE_STS *ent, time_t now)
 *
 *	MTS_PLAN mtasts_plan_before_txt(const CACHE_STS *ent, time_t now)
 *
 *	time_t	mtasts_plan_stable_until(const CACHE_STS *ent, time_t now,
 *				int max)
 *
 *	MTS_PLAN mtasts_plan_after_txt(const CACHE_STS *ent, MTS_TXT txt,
 *				const char *id, int refreshing, time_t now)
 *
 *	const char *mtasts_plan_name(MTS_PLAN plan)
 * DESCRIPTION
 *	These functions decide, from a cached entry (all zero when there
 *	is none) and the time alone, what mtasts.c does next; they do no
 *	I/O, so the table in t/unit_sts.c covers every case.
 *
 *	mtasts_plan_usable(): the entry holds a policy that applies: not
 *	expired, or fetched less than MTS_RETRY_AFTER seconds ago (so a
 *	policy with "max_age: 0" is applied for that long, and refetched
 *	by refresh processes at most every MTS_REFETCH_MIN seconds, not
 *	once per lookup).
 *
 *	mtasts_plan_rate_limited(): a fetch failed less than MTS_RETRY_AFTER
 *	seconds ago, or succeeded less than MTS_REFETCH_MIN seconds ago:
 *	no new fetch of the same id now.
 *
 *	mtasts_plan_refetch_due(): an unchanged policy is to be fetched again
 *	(RFC 8461 3.3: refresh before max_age runs out, about daily): in
 *	the last quarter of max_age (or past it, while still applied), or
 *	fetched MTS_REFETCH_AFTER seconds ago or more; never sooner than
 *	MTS_REFETCH_MIN seconds after the last fetch. A successful fetch
 *	restarts max_age.
 *
 *	mtasts_plan_refresh_due(): a lookup answered from the cache should
 *	start a refresh process: the TXT check is in the last quarter of
 *	its TTL, or mtasts_plan_refetch_due().
 *
 *	mtasts_plan_before_txt(): MTS_PLAN_CACHED while a usable policy's TXT
 *	check is current; MTS_PLAN_ABSENT while the absence of the TXT
 *	record is cached (its negative TTL); otherwise MTS_PLAN_ASK_TXT.
 *
 *	mtasts_plan_stable_until(): the first moment, after now and at most
 *	max seconds later, at which mtasts_plan_before_txt() or
 *	mtasts_plan_refresh_due() says something else than at now (now +
 *	max when neither changes): until then a lookup answered from this
 *	entry gets the same answer, so memo(3) may remember it that long.
 *
 *	mtasts_plan_after_txt(), given the TXT outcome and id:
 *	- the same id and a usable policy: MTS_PLAN_CACHED, or, in a
 *	  refresh process when mtasts_plan_refetch_due(), MTS_PLAN_FETCH;
 *	- a new id, or no usable policy: MTS_PLAN_FETCH (RFC 8461 3.3);
 *	- no TXT record or a failed TXT lookup with a usable policy:
 *	  MTS_PLAN_CACHED: a policy ends by expiry or by a fetched
 *	  "mode: none", never by a missing or forged DNS answer (RFC 8461
 *	  3.3, 10);
 *	- no TXT record and no policy: MTS_PLAN_STORE_ABSENCE;
 *	- a failed TXT lookup and no policy: MTS_PLAN_ABSENT (RFC 8461
 *	  3.3: deliver as if the domain had no policy).
 *	A planned fetch that mtasts_plan_rate_limited() forbids becomes
 *	MTS_PLAN_CACHED with a usable policy, else MTS_PLAN_ABSENT.
 *--*/
#include <string.h>

#include "mtasts_plan.h"

/* mtasts_plan_name - for logs */
const char *mtasts_plan_name(MTS_PLAN plan)
{
    switch (plan) {
    case MTS_PLAN_CACHED: return "cached";
    case MTS_PLAN_ABSENT: return "absent";
    case MTS_PLAN_ASK_TXT: return "ask-txt";
    case MTS_PLAN_FETCH: return "fetch";
    case MTS_PLAN_STORE_ABSENCE: return "store-absence";
    }
    return "unknown";
}

/* mtasts_plan_within - a unix time at most secs seconds ago */
static int mtasts_plan_within(long long when, time_t now, int secs)
{
    return when > 0 && when <= (long long) now
	&& (long long) now - when < secs;
}

/* mtasts_plan_recent - within MTS_RETRY_AFTER of a unix time */
static int mtasts_plan_recent(long long when, time_t now)
{
    return mtasts_plan_within(when, now, MTS_RETRY_AFTER);
}

/* mtasts_plan_usable - a cached policy that applies now */
int     mtasts_plan_usable(const CACHE_STS *ent, time_t now)
{
    return ent->mode[0] != 0
	&& (ent->expires > (long long) now || mtasts_plan_recent(ent->fetched, now));
}

/* mtasts_plan_rate_limited - no new fetch of this domain yet */
static int mtasts_plan_rate_limited(const CACHE_STS *ent, time_t now)
{
    return mtasts_plan_recent(ent->last_fail, now)
	|| (ent->mode[0] != 0
	    && mtasts_plan_within(ent->fetched, now, MTS_REFETCH_MIN));
}

/* mtasts_plan_refetch_due - time to fetch an unchanged policy again */
int     mtasts_plan_refetch_due(const CACHE_STS *ent, time_t now)
{
    if (ent->mode[0] == 0
	|| mtasts_plan_within(ent->fetched, now, MTS_REFETCH_MIN))
	return 0;
    return (long long) now - ent->fetched >= MTS_REFETCH_AFTER
	|| ent->expires <= (long long) now
	|| cache_due(ent->expires, ent->max_age, now);
}

/* mtasts_plan_refresh_due - answered from the cache: refresh ahead */
int     mtasts_plan_refresh_due(const CACHE_STS *ent, time_t now)
{
    return cache_due(ent->txt_expires, ent->txt_ttl, now)
	|| mtasts_plan_refetch_due(ent, now);
}

/* mtasts_plan_before_txt - answer without DNS when the cache allows */
MTS_PLAN mtasts_plan_before_txt(const CACHE_STS *ent, time_t now)
{
    if (ent->txt_expires <= (long long) now)
	return MTS_PLAN_ASK_TXT;
    if (mtasts_plan_usable(ent, now))
	return MTS_PLAN_CACHED;
    if (ent->id[0] == 0 && ent->mode[0] == 0)
	return MTS_PLAN_ABSENT;		/* absence of the TXT record */
    return MTS_PLAN_ASK_TXT;
}

/* mtasts_plan_fetch - a fetch, unless rate-limited */
static MTS_PLAN mtasts_plan_fetch(const CACHE_STS *ent, time_t now)
{
    if (!mtasts_plan_rate_limited(ent, now))
	return MTS_PLAN_FETCH;
    return mtasts_plan_usable(ent, now) ? MTS_PLAN_CACHED : MTS_PLAN_ABSENT;
}

/* mtasts_plan_after_txt - what the TXT answer leads to */
MTS_PLAN mtasts_plan_after_txt(const CACHE_STS *ent, MTS_TXT txt, const char *id,
			            int refreshing, time_t now)
{
    int     usable = mtasts_plan_usable(ent, now);

    switch (txt) {
    case MTS_TXT_OK:
	if (strcmp(ent->id, id) != 0)	/* a new id, or first contact */
	    return !mtasts_plan_recent(ent->last_fail, now) ? MTS_PLAN_FETCH
		: usable ? MTS_PLAN_CACHED : MTS_PLAN_ABSENT;
	if (usable && !(refreshing && mtasts_plan_refetch_due(ent, now)))
	    return MTS_PLAN_CACHED;
	return mtasts_plan_fetch(ent, now);
    case MTS_TXT_NONE:
	return usable ? MTS_PLAN_CACHED : MTS_PLAN_STORE_ABSENCE;
    case MTS_TXT_FAIL:
	break;
    }
    return usable ? MTS_PLAN_CACHED : MTS_PLAN_ABSENT;
}

/* mtasts_plan_stable_until - when the cached plan or refresh_due changes */
time_t  mtasts_plan_stable_until(const CACHE_STS *ent, time_t now, int max)
{
    MTS_PLAN plan = mtasts_plan_before_txt(ent, now);
    int     due = mtasts_plan_refresh_due(ent, now);
    int     k;

    for (k = 1; k < max; k++)
	if (mtasts_plan_before_txt(ent, now + k) != plan
	    || mtasts_plan_refresh_due(ent, now + k) != due)
	    return now + k;
    return now + max;
}
