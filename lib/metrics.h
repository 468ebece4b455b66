/* metrics.h - counters shared by all helpers, Prometheus text format */
#ifndef TP_METRICS_H
#define TP_METRICS_H

#include "cache.h"
#include "vstr.h"

typedef enum {
    MET_LOOKUPS,			/* protocol, answer */
    MET_CACHE_HITS,			/* kind */
    MET_CACHE_MISSES,			/* kind */
    MET_DNS_QUERIES,
    MET_DNS_FAILURES,
    MET_STS_FETCHES,
    MET_STS_FAILURES,
    MET_REFRESHES,
    MET_REFRESH_SKIPPED,		/* reason */
    MET_PROTECTION_DROPS,		/* what */
    MET_DEFERRALS,			/* cause */
    MET_COUNT
} MET_ID;

typedef int (*MET_MOVE_FN) (void *ctx, const char *name, const char *labels,
			            unsigned long n);

void    metrics_inc(MET_ID id, const char *labels, unsigned long n);
int     metrics_inc_named(void *unused, const char *name, const char *labels,
			          unsigned long n);
int     metrics_pending(void);
void    metrics_move(MET_MOVE_FN fn, void *ctx);
void    metrics_flush(CACHE *cache);
void    metrics_render(CACHE *cache, VSTR *out);
void    metrics_forget(void);
const char *metrics_name(MET_ID id);
void    metrics_render_config_error(VSTR *out, int error);

#endif
