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
    MET_COUNT
} MET_ID;

void    metrics_inc(MET_ID id, const char *labels, unsigned long n);
int     metrics_pending(void);
void    metrics_flush(CACHE *cache);
void    metrics_render(CACHE *cache, VSTR *out);

#endif
