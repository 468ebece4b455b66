/* memo.h - answers remembered next to the cache, valid while it is unchanged */
#ifndef TP_MEMO_H
#define TP_MEMO_H

#include <stdint.h>
#include <time.h>
#include "priv.h"

#define MEMO_SUFFIX	PRIV_MEMO_SUFFIX	/* cache_file + this (priv.h:
					 * checked with the cache) */
#define MEMO_SLOTS	4096		/* one answer each, by domain hash */
#define MEMO_SLOT_SIZE	1024		/* bytes a slot takes in the file */
#define MEMO_HEAD_SIZE	8192		/* header: magic, counters */
#define MEMO_MAX_AGE	60		/* seconds a memo answer lives, at most */
#define MEMO_RECHECK_MS	100		/* a kept connection's own copy: stamp
					 * compared again after this long */
#define MEMO_STAMP_SIZE	160		/* what says the cache is unchanged */
#define MEMO_TEXT_MAX	384		/* answer text bytes, with the NUL */
#define MEMO_TLSRPT_MAX	120		/* TLSRPT attribute bytes, with the NUL */

typedef struct MEMO MEMO;

/* the cache's state when an answer was taken from it */
typedef struct MEMO_STAMP {
    unsigned char bytes[MEMO_STAMP_SIZE];
} MEMO_STAMP;

/* one remembered answer */
typedef struct MEMO_ANSWER {
    int     status;			/* the caller's POL_FOUND etc. */
    long long expires;			/* the answer's own TTL ends here */
    char    rule[32];
    char    kind[16];
    char    source[16];
    char    text[MEMO_TEXT_MAX];
    char    tlsrpt[MEMO_TLSRPT_MAX];
} MEMO_ANSWER;

typedef int (*MEMO_COUNTER_FN) (void *ctx, const char *name,
				        const char *labels, unsigned long n);

MEMO   *memo_open(const char *cache_file, uint64_t settings);
void    memo_close(MEMO *memo);
#define MEMO_HASH_INIT	14695981039346656037ULL	/* FNV-1a offset basis */

uint64_t memo_hash(const void *data, size_t len, uint64_t hash);
int     memo_stamp(MEMO *memo, MEMO_STAMP *stamp);
int     memo_get(MEMO *memo, const char *domain, int tlsrpt, time_t now,
		         MEMO_ANSWER *ans);
int     memo_put(MEMO *memo, const MEMO_STAMP *stamp, const char *domain,
		         int tlsrpt, time_t until, const MEMO_ANSWER *ans);
int     memo_count(MEMO *memo, const char *name, const char *labels,
		           unsigned long n);
void    memo_counters_take(MEMO *memo, MEMO_COUNTER_FN fn, void *ctx);
void    memo_counters_peek(MEMO *memo, MEMO_COUNTER_FN fn, void *ctx);

#endif
