/* cache_protect.h - protection history rows: facts per domain, change log */
#ifndef TP_CACHE_PROTECT_H
#define TP_CACHE_PROTECT_H

#include "cache.h"
#include "protect.h"

#define CACHE_PROTECT_PER_DOMAIN 32	/* change rows kept per domain */
#define CACHE_PROTECT_CHANGES	10000	/* change rows kept in all */
#define CACHE_PROTECT_KEEP	34560000LL	/* facts unconfirmed this long go */
#define CACHE_PROTECT_SEEN_EVERY 86400	/* "seen" written at most this often */

/* the facts a domain last published, as stored */
typedef struct CACHE_PROTECT {
    PROTECT_FACTS facts;
    long long dane_since;		/* unix time the DANE part was first seen */
    long long sts_since;		/* the same for the MTA-STS part */
    long long seen;			/* last confirmed */
} CACHE_PROTECT;

/* one part of new facts for cache_protect_record(), and what it did */
typedef struct CACHE_PROTECT_NEW {
    const PROTECT_FACTS *facts;
    PROTECT_WHAT what;
    PROTECT_CORR corr;			/* see protect_judge() */
    const char *evidence;		/* one line: what shows it */
    const char *counter;		/* a drop adds 1 to this counter */
    const char *labels;			/* with these labels, or NULL */
    time_t  now;
    PROTECT_OUTCOME outcome;		/* out */
    VSTR   *before;			/* out: protect_describe() of old */
    VSTR   *after;			/* out: the same of new */
} CACHE_PROTECT_NEW;

/* one row of the change log, read back */
typedef struct CACHE_PROTECT_CHANGE {
    long long at;
    char    what[8];
    int     dropped;
    VSTR   *before;
    VSTR   *after;
    VSTR   *evidence;
} CACHE_PROTECT_CHANGE;

int     cache_protect_get(CACHE *cache, const char *domain, time_t now,
			          CACHE_PROTECT *ent);
int     cache_protect_record(CACHE *cache, const char *domain,
			             CACHE_PROTECT_NEW *rec);
int     cache_protect_seen(CACHE *cache, const char *domain, time_t now);
void    cache_protect_change_init(CACHE_PROTECT_CHANGE *chg);
void    cache_protect_change_free(CACHE_PROTECT_CHANGE *chg);
int     cache_protect_last_change(CACHE *cache, const char *domain, time_t now,
				          CACHE_PROTECT_CHANGE *chg);
void    cache_protect_prune(CACHE *cache, time_t now, long max_entries);

#endif
