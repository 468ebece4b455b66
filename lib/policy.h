/* policy.h - decide the answer for one lookup key */
#ifndef TP_POLICY_H
#define TP_POLICY_H

#include <stddef.h>
#include "cache.h"
#include "cfg.h"
#include "defer.h"
#include "dns.h"
#include "memo.h"
#include "ovr.h"
#include "vstr.h"

typedef enum {
    POL_FOUND,				/* text is the policy */
    POL_NOTFOUND,			/* text is the reason */
    POL_TEMP,				/* text is the reason */
} POL_STATUS;

typedef struct POL_CTX {
    const CFG *cfg;
    const OVR *ovr;
    const char *config_error;		/* non-NULL: answer TEMP to all */
    int     no_cache;			/* do not open the cache */
    int     no_history;			/* -q: record no history (history(3)) */
    int     guest;			/* -q -c/-o: only a cache of these settings */
    CACHE  *cache;			/* opened on first use */
    DNS    *dns;			/* made on first use */
    unsigned long dns_queries;		/* counted into the metrics */
    unsigned long dns_failures;
    struct timespec until;		/* this lookup's time limit */
    char    refresh[256];		/* cached domain near expiry, or "" */
    char  **refresh_argv;		/* our own command line, for -R */
    int     pruned;			/* expired rows pruned once */
    MEMO   *memo;			/* beside the cache, or NULL */
    int     memo_tried;			/* memo opened, or found unusable */
    MEMO_ANSWER memo_hit;		/* the last answer the memo gave */
    VSTR   *settings;			/* cfgmark_fingerprint(), made once */
    VSTR   *cache_path;			/* cache_file resolved, checked once */
    int     cache_trusted;		/* it passed priv_cache_trusted() */
} POL_CTX;

#define POL_WAIT_FIRST_MS	2	/* first poll for another helper's lookup */
#define POL_WAIT_MAX_MS		32	/* polls at most this far apart */
#define POL_REFRESH_ARGS	64	/* argv words kept for -R */
#define POL_STS_WHY_MAX		200	/* bytes of MTA-STS explanation in a reply */
/* one lookup ends within this limit: all of its DNS and HTTPS work, the
 * wait for another helper's lookup of the same domain and for the cache's
 * locks; never beyond POL_LOOKUP_MAX, below Postfix's 100-second wait */
#define POL_LOOKUP_MAX		90
#define POL_LOOKUP_LIMIT(cfg)	((cfg)->dns_deadline + (cfg)->mtasts_fetch_timeout \
				 < POL_LOOKUP_MAX ? (cfg)->dns_deadline \
				 + (cfg)->mtasts_fetch_timeout : POL_LOOKUP_MAX)
/* the lease a refresh holds while it runs: every wait it may do */
#define POL_REFRESH_BUDGET(cfg)	(POL_LOOKUP_LIMIT(cfg) + 5)

typedef struct POL_ANSWER {
    POL_STATUS status;
    VSTR   *text;			/* policy text or reason */
    const char *source;			/* "override", "gate", "cache", ... */
    const char *rule;			/* the rule that decided (decide.c) */
    const char *kind;			/* temp notfound override dane-only
					 * dane secure: for the metrics */
    char    domain[256];		/* normalized key, or "" */
    int     port;			/* "domain:port" key, else 0 */
    int     ttl;			/* seconds the answer stays valid */
    VSTR   *why;			/* explanation for logs */
    VSTR   *tlsrpt;			/* TLSRPT attributes to append, or "" */
    DEFER_CAUSE cause;			/* a temporary failure's (defer.h) */
} POL_ANSWER;

void    policy_answer_init(POL_ANSWER *ans);
void    policy_answer_reset(POL_ANSWER *ans);
void    policy_answer_free(POL_ANSWER *ans);
void    policy_lookup(POL_CTX *ctx, const char *raw, size_t len,
		           int tlsrpt, POL_ANSWER *ans);
void    policy_ctx_close(POL_CTX *ctx);
CACHE  *policy_cache(POL_CTX *ctx);
const char *policy_cache_path(POL_CTX *ctx);

/* the rest of policy's interface, one header per file */
#include "policy_metrics.h"
#include "policy_refresh.h"

#endif
