/*++
 * NAME
 *	memo 3
 * SUMMARY
 *	answers remembered next to the cache, valid while it is unchanged
 * SYNOPSIS
 *	#include "memo.h"
 *
 *	MEMO	*memo_open(const char *cache_file, uint64_t settings)
 *	void	memo_close(MEMO *memo)
 *	uint64_t memo_hash(const void *data, size_t len, uint64_t hash)
 *	int	memo_stamp(MEMO *memo, MEMO_STAMP *stamp)
 *	int	memo_get(MEMO *memo, const char *domain, int tlsrpt,
 *			time_t now, MEMO_ANSWER *ans)
 *	int	memo_put(MEMO *memo, const MEMO_STAMP *stamp,
 *			const char *domain, int tlsrpt, time_t until,
 *			const MEMO_ANSWER *ans)
 *	int	memo_count(MEMO *memo, const char *name, const char *labels,
 *			unsigned long n)
 *	void	memo_counters_take(MEMO *memo, MEMO_COUNTER_FN fn, void *ctx)
 *	void	memo_counters_peek(MEMO *memo, MEMO_COUNTER_FN fn, void *ctx)
 * DESCRIPTION
 *	A helper serves one Postfix connection and exits, so opening the
 *	SQLite cache (schema, WAL index, statements: about half a
 *	millisecond) was most of a new connection's cost. The memo is a
 *	plain file next to the cache (cache_file + MEMO_SUFFIX) that holds
 *	final answers the cache gave, one fixed-size slot per domain hash,
 *	read with one pread(). Nothing in it is trusted beyond what the
 *	cache itself says at the moment of the lookup:
 *
 *	memo_stamp() describes the cache's current state without opening
 *	it: the WAL index header that SQLite keeps at the start of the
 *	-shm file (it changes with every commit, by any process, the
 *	sqlite3 command included; https://sqlite.org/walformat.html 2.2),
 *	the database file's device, inode, size, modification time, mode
 *	and owner, and the -wal file's inode, size and modification time
 *	(all zero when there is none). The -wal facts are for a writer
 *	that does not use the -shm file: a connection in EXCLUSIVE locking
 *	mode keeps its WAL index in its own memory (walformat.html 2.3),
 *	so its commits change only the -wal file until it checkpoints. It
 *	fails (-1) when there is no -shm file, the two header copies
 *	differ (a commit in progress), the header is not initialized, or
 *	the database file is writable by group or others or not owned by
 *	us (cache(3) would refuse such a cache).
 *
 *	memo_put() stores an answer with the stamp taken before the cache
 *	read that produced it, the settings hash, and until: the caller's
 *	bound (at most MEMO_MAX_AGE seconds, and never past a moment when
 *	the cached entries expire or become due for a refresh). An answer
 *	longer than a slot holds is not stored (-1).
 *
 *	memo_get() returns 1 and the answer only when the slot holds this
 *	domain and TLSRPT flag, passes its checksum (a torn read of a
 *	concurrent write fails it), has the same settings hash, now is
 *	before until (and at most MEMO_MAX_AGE before it: after the clock
 *	is set back, older answers are misses) and before the answer's
 *	expiry, and the cache's stamp
 *	now equals the stored one: any write to the cache since - a new
 *	answer, tlspolicyd -F, a settings change, an administrator's
 *	sqlite3 - makes every memo answer a miss. A helper that is asked
 *	the same domain again on a kept connection answers from its own
 *	copy of the slot, comparing the stamp again once MEMO_RECHECK_MS
 *	have passed since it last did: a change of the cache reaches such
 *	a connection at most that much later, as if the lookup had come
 *	that much sooner; until and the expiry are checked every time.
 *
 *	memo_count() adds n to a shared counter (name and labels as in
 *	metrics(3)) in the memo's header with an atomic add, so a helper
 *	that only read the cache needs no cache write for its metrics (the
 *	next helper that writes to the cache anyway moves them to the
 *	cache's counters table);
 *	-1 when the key is too long or the table is full (count it in the
 *	cache then). memo_counters_take() hands every non-zero counter to
 *	fn and zeroes it; a count fn refuses (non-zero) is added back.
 *	memo_counters_peek() hands them to fn and leaves them: /metrics
 *	shows them without a commit to the cache, which would end every
 *	memo answer.
 *
 *	memo_open() opens or creates the file (mode 0640, never through a
 *	symbolic link) and returns NULL, with a log line, when it is not a
 *	regular file of ours, is writable by group or others, or holds
 *	something else. memo_hash() is FNV-1a, 64 bits: start with
 *	MEMO_HASH_INIT, continue with the hash so far.
 * SECURITY
 *	Whoever can write the memo can forge answers, exactly as with the
 *	cache: the same ownership and mode rules apply to both files.
 *	Every string read back must end within its field and be printable.
 * BUGS
 *	A helper killed while it writes a counter's key leaves that entry
 *	claimed but unnamed; its counts go to the cache instead. Counts
 *	added while two helpers create the file at the same moment can be
 *	lost. Whoever truncates the memo file under running helpers (it
 *	takes the helpers' own user) makes them die of SIGBUS.
 * SEE ALSO
 *	cache(3), policy(3), metrics(3)
 *--*/
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "memo.h"

#define MEMO_MAGIC	"tlspolicyd memo1"	/* 16 bytes, no NUL */
#define MEMO_MAGIC_LEN	16
#define MEMO_COUNTERS_AT 64		/* counters start here in the header */
#define MEMO_KEY_MAX	112		/* "name labels", with the NUL */
#define MEMO_FILE_SIZE	((off_t) MEMO_HEAD_SIZE + (off_t) MEMO_SLOTS * MEMO_SLOT_SIZE)
#define MEMO_WAL_HDR	((size_t) 48)	/* one copy of SQLite's WAL index header */
#define MEMO_WAL_BOTH	((size_t) 96)	/* both copies, one after the other */

typedef struct MEMO_SLOT {
    uint64_t check;			/* memo_hash() of the rest */
    uint64_t settings;
    int64_t until;			/* a miss from this unix time on */
    int64_t expires;			/* the answer's TTL ends */
    unsigned char stamp[MEMO_STAMP_SIZE];
    int32_t status;
    int32_t tlsrpt;
    char    domain[256];
    char    rule[32];
    char    kind[16];
    char    source[16];
    char    text[MEMO_TEXT_MAX];
    char    tlsrpt_text[MEMO_TLSRPT_MAX];
} MEMO_SLOT;

typedef struct MEMO_COUNTER {
    uint64_t state;			/* 0 free, 1 being named, else key hash */
    uint64_t n;
    char    key[MEMO_KEY_MAX];
} MEMO_COUNTER;

#define MEMO_NCOUNTERS	((MEMO_HEAD_SIZE - MEMO_COUNTERS_AT) / (int) sizeof(MEMO_COUNTER))

_Static_assert(sizeof(MEMO_SLOT) == MEMO_SLOT_SIZE, "a slot is MEMO_SLOT_SIZE");
_Static_assert(sizeof(MEMO_COUNTER) == 128, "a counter is 128 bytes");

struct MEMO {
    int     fd;				/* the memo file */
    unsigned char *head;		/* its header, mapped shared */
    char   *db_path;			/* the cache */
    char   *shm_path;			/* its WAL index */
    char   *wal_path;			/* its WAL */
    int     shm_fd;			/* -1, or open on shm_ino */
    ino_t   shm_ino;
    dev_t   shm_dev;
    uint64_t settings;
    uid_t   euid;			/* ours, for the ownership checks */
    MEMO_SLOT last;			/* the last answer memo_get() gave */
    int     have_last;
    long long last_ms;			/* when its stamp was compared */
};

/* memo_hash - FNV-1a over len bytes, continuing from hash */
uint64_t memo_hash(const void *data, size_t len, uint64_t hash)
{
    const unsigned char *p = data;

    while (len-- > 0) {
	hash ^= *p++;
	hash *= 1099511628211ULL;
    }
    return hash;
}

/* memo_path - base + suffix, allocated */
static char *memo_path(const char *base, const char *suffix)
{
    size_t  len = strlen(base) + strlen(suffix) + 1;
    char   *path = mem_alloc(len);

    (void) snprintf(path, len, "%s%s", base, suffix);
    return path;
}

/* memo_owned - a regular file of ours that only we may write */
static int memo_owned(const MEMO *memo, const struct stat *st)
{
    return S_ISREG(st->st_mode) && st->st_uid == memo->euid
	&& (st->st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

/* memo_file_ok - the memo file may be used: a regular file of ours alone */
static int memo_file_ok(const MEMO *memo, int fd, const char *path)
{
    struct stat st;

    if (fstat(fd, &st) < 0 || !memo_owned(memo, &st) || st.st_nlink != 1) {
	log_warn("memo %s refused: not a regular file owned by us alone and"
		 " writable by us only; answering from the cache", path);
	return -1;
    }
    return 0;
}

/* memo_head_ok - our magic; a new file gets its whole header written
 * first (so that no page of the mapped header is a hole that a full
 * disk could refuse with SIGBUS), then its full size */
static int memo_head_ok(int fd, const char *path)
{
    static const unsigned char zero[MEMO_MAGIC_LEN];
    unsigned char head[MEMO_HEAD_SIZE];
    ssize_t n = pread(fd, head, MEMO_MAGIC_LEN, 0);

    struct stat st;

    if (n == MEMO_MAGIC_LEN && memcmp(head, MEMO_MAGIC, MEMO_MAGIC_LEN) == 0) {
	if (fstat(fd, &st) == 0 && st.st_size >= MEMO_HEAD_SIZE)
	    return 0;
	log_warn("memo %s is cut short; not using it (remove it: it is"
		 " made again)", path);
	return -1;
    }
    if (n > 0 && (n < MEMO_MAGIC_LEN || memcmp(head, zero, MEMO_MAGIC_LEN) != 0)) {
	log_warn("memo %s is not a tlspolicyd memo of this version; not using"
		 " it (remove it: it is made again)", path);
	return -1;
    }
    memset(head, 0, sizeof(head));
    memcpy(head, MEMO_MAGIC, MEMO_MAGIC_LEN);
    if (pwrite(fd, head, sizeof(head), 0) != (ssize_t) sizeof(head)
	|| ftruncate(fd, MEMO_FILE_SIZE) < 0) {
	log_warn("memo %s: cannot write it: %m; answering from the cache", path);
	return -1;
    }
    return 0;
}

/* memo_map - open, check and map the header; -1 logged */
static int memo_map(MEMO *memo, const char *path)
{
    void   *map;

    memo->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY, 0640);
    if (memo->fd < 0) {
	log_debug("memo %s: %m; answering from the cache", path);
	return -1;
    }
    if (memo_file_ok(memo, memo->fd, path) < 0 || memo_head_ok(memo->fd, path) < 0)
	return -1;
    map = mmap(0, MEMO_HEAD_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, memo->fd, 0);
    if (map == MAP_FAILED) {
	log_warn("memo %s: cannot map: %m", path);
	return -1;
    }
    memo->head = map;
    return 0;
}

/* memo_open - the memo beside cache_file; NULL when it cannot be used */
MEMO   *memo_open(const char *cache_file, uint64_t settings)
{
    MEMO   *memo = mem_calloc(1, sizeof(*memo));
    char   *path = memo_path(cache_file, MEMO_SUFFIX);

    memo->fd = memo->shm_fd = -1;
    memo->settings = settings;
    memo->euid = geteuid();
    memo->db_path = mem_strdup(cache_file);
    memo->shm_path = memo_path(cache_file, "-shm");
    memo->wal_path = memo_path(cache_file, "-wal");
    if (memo_map(memo, path) < 0) {
	memo_close(memo);
	memo = 0;
    }
    mem_free(path);
    return memo;
}

/* memo_close - unmap, close, free; NULL is fine */
void    memo_close(MEMO *memo)
{
    if (memo == 0)
	return;
    if (memo->head)
	(void) munmap(memo->head, MEMO_HEAD_SIZE);
    if (memo->fd >= 0)
	(void) close(memo->fd);
    if (memo->shm_fd >= 0)
	(void) close(memo->shm_fd);
    mem_free(memo->db_path);
    mem_free(memo->shm_path);
    mem_free(memo->wal_path);
    mem_free(memo);
}

/* memo_shm_open - a descriptor on the -shm file that st describes */
static int memo_shm_open(MEMO *memo, const struct stat *st)
{
    if (memo->shm_fd >= 0 && memo->shm_ino == st->st_ino && memo->shm_dev == st->st_dev)
	return 0;
    if (memo->shm_fd >= 0)
	(void) close(memo->shm_fd);
    memo->shm_fd = open(memo->shm_path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
    memo->shm_ino = st->st_ino;
    memo->shm_dev = st->st_dev;
    return memo->shm_fd >= 0 ? 0 : -1;
}

/* memo_wal_header - the WAL index header; its two copies equal and set */
static int memo_wal_header(MEMO *memo, unsigned char *out)
{
    unsigned char hdr[MEMO_WAL_BOTH];

    if (pread(memo->shm_fd, hdr, MEMO_WAL_BOTH, 0) != (ssize_t) MEMO_WAL_BOTH)
	return -1;
    if (memcmp(hdr, hdr + MEMO_WAL_HDR, MEMO_WAL_HDR) != 0)
	return -1;			/* a commit in progress */
    memcpy(out, hdr, MEMO_WAL_HDR);
    return hdr[12] ? 0 : -1;		/* isInit */
}

/* memo_wal_facts - the -wal file's identity, size and time; 0 for none */
static void memo_wal_facts(const MEMO *memo, int64_t *facts)
{
    struct stat wal;

    if (stat(memo->wal_path, &wal) < 0) {
	facts[0] = facts[1] = facts[2] = facts[3] = 0;
	return;
    }
    facts[0] = (int64_t) wal.st_ino;
    facts[1] = (int64_t) wal.st_size;
    facts[2] = (int64_t) wal.st_mtim.tv_sec;
    facts[3] = (int64_t) wal.st_mtim.tv_nsec;
}

#define MEMO_FACTS	12		/* int64 facts after the WAL header */

/* memo_stamp - the cache's state now; -1 when it cannot be told */
int     memo_stamp(MEMO *memo, MEMO_STAMP *stamp)
{
    struct stat db;
    struct stat shm;
    int64_t facts[MEMO_FACTS];

    memset(stamp, 0, sizeof(*stamp));
    if (memo == 0 || stat(memo->db_path, &db) < 0 || !memo_owned(memo, &db)
	|| stat(memo->shm_path, &shm) < 0 || memo_shm_open(memo, &shm) < 0
	|| memo_wal_header(memo, stamp->bytes) < 0)
	return -1;
    facts[0] = (int64_t) db.st_dev;
    facts[1] = (int64_t) db.st_ino;
    facts[2] = (int64_t) db.st_size;
    facts[3] = (int64_t) db.st_mtim.tv_sec;
    facts[4] = (int64_t) db.st_mtim.tv_nsec;
    facts[5] = (int64_t) db.st_mode;
    facts[6] = (int64_t) db.st_uid;
    facts[7] = (int64_t) shm.st_ino;
    memo_wal_facts(memo, facts + 8);
    memcpy(stamp->bytes + MEMO_WAL_HDR, facts, sizeof(facts));
    return 0;
}

_Static_assert(MEMO_WAL_HDR + MEMO_FACTS * sizeof(int64_t) <= MEMO_STAMP_SIZE,
	       "the stamp holds the WAL index header and the file facts");

/* memo_slot_at - file offset of a domain's slot */
static off_t memo_slot_at(const char *domain)
{
    uint64_t h = memo_hash(domain, strlen(domain), MEMO_HASH_INIT);

    return (off_t) MEMO_HEAD_SIZE + (off_t) (h % MEMO_SLOTS) * MEMO_SLOT_SIZE;
}

/* memo_slot_check - the checksum a slot must carry */
static uint64_t memo_slot_check(const MEMO_SLOT *slot)
{
    return memo_hash((const char *) slot + sizeof(slot->check),
		     sizeof(*slot) - sizeof(slot->check), MEMO_HASH_INIT);
}

/* memo_printable - a NUL-terminated printable string within size bytes */
static int memo_printable(const char *s, size_t size)
{
    size_t  i;

    for (i = 0; i < size && s[i]; i++)
	if ((unsigned char) s[i] < 0x20 || (unsigned char) s[i] > 0x7e)
	    return 0;
    return i < size;
}

/* memo_slot_sane - every string field ends in place and is printable */
static int memo_slot_sane(const MEMO_SLOT *slot)
{
    return memo_printable(slot->domain, sizeof(slot->domain))
	&& memo_printable(slot->rule, sizeof(slot->rule))
	&& memo_printable(slot->kind, sizeof(slot->kind))
	&& memo_printable(slot->source, sizeof(slot->source))
	&& memo_printable(slot->text, sizeof(slot->text))
	&& memo_printable(slot->tlsrpt_text, sizeof(slot->tlsrpt_text));
}

/* memo_read_slot - the slot of domain, whole and sane */
static int memo_read_slot(MEMO *memo, const char *domain, MEMO_SLOT *slot)
{
    if (pread(memo->fd, slot, sizeof(*slot), memo_slot_at(domain)) != (ssize_t) sizeof(*slot))
	return -1;
    return slot->check == memo_slot_check(slot) && memo_slot_sane(slot) ? 0 : -1;
}

/* memo_ms - a monotonic clock in milliseconds */
static long long memo_ms(void)
{
    struct timespec ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* memo_usable - a slot for this domain and flag, live at now (and not
 * more than MEMO_MAX_AGE seconds before its end: a clock set back must
 * not lengthen a memo answer's life) */
static int memo_usable(const MEMO *memo, const MEMO_SLOT *slot,
		               const char *domain, int tlsrpt, time_t now)
{
    return strcmp(slot->domain, domain) == 0
	&& slot->settings == memo->settings && slot->tlsrpt == (tlsrpt != 0)
	&& (int64_t) now < slot->until && (int64_t) now < slot->expires
	&& slot->until - (int64_t) now <= MEMO_MAX_AGE;
}

/* memo_answer - copy a slot's answer out */
static void memo_answer(const MEMO_SLOT *slot, MEMO_ANSWER *ans)
{
    ans->status = slot->status;
    ans->expires = slot->expires;
    memcpy(ans->rule, slot->rule, sizeof(ans->rule));
    memcpy(ans->kind, slot->kind, sizeof(ans->kind));
    memcpy(ans->source, slot->source, sizeof(ans->source));
    memcpy(ans->text, slot->text, sizeof(ans->text));
    memcpy(ans->tlsrpt, slot->tlsrpt_text, sizeof(ans->tlsrpt));
}

/* memo_get - 1 and the answer when the memo may answer for domain now */
int     memo_get(MEMO *memo, const char *domain, int tlsrpt, time_t now,
		         MEMO_ANSWER *ans)
{
    MEMO_SLOT slot;
    MEMO_STAMP cur;
    long long ms = memo_ms();

    if (memo == 0)
	return 0;
    if (memo->have_last && ms - memo->last_ms < MEMO_RECHECK_MS
	&& memo_usable(memo, &memo->last, domain, tlsrpt, now)) {
	memo_answer(&memo->last, ans);
	return 1;
    }
    if (memo_read_slot(memo, domain, &slot) < 0
	|| !memo_usable(memo, &slot, domain, tlsrpt, now)
	|| memo_stamp(memo, &cur) < 0
	|| memcmp(cur.bytes, slot.stamp, MEMO_STAMP_SIZE) != 0)
	return 0;
    memo->last = slot;
    memo->have_last = 1;
    memo->last_ms = ms;
    memo_answer(&slot, ans);
    return 1;
}

/* memo_copy - a string of at most size - 1 bytes into a field of size;
 * -1 when it does not fit (src is read no further than size bytes) */
static int memo_copy(char *dst, size_t size, const char *src)
{
    size_t  len = strnlen(src, size);

    if (len >= size)
	return -1;
    memcpy(dst, src, len + 1);
    return 0;
}

/* memo_put - remember an answer for domain until then; -1 if not stored */
int     memo_put(MEMO *memo, const MEMO_STAMP *stamp, const char *domain,
		         int tlsrpt, time_t until, const MEMO_ANSWER *ans)
{
    MEMO_SLOT slot;

    if (memo == 0)
	return -1;
    memset(&slot, 0, sizeof(slot));
    if (memo_copy(slot.domain, sizeof(slot.domain), domain) < 0
	|| memo_copy(slot.rule, sizeof(slot.rule), ans->rule) < 0
	|| memo_copy(slot.kind, sizeof(slot.kind), ans->kind) < 0
	|| memo_copy(slot.source, sizeof(slot.source), ans->source) < 0
	|| memo_copy(slot.text, sizeof(slot.text), ans->text) < 0
	|| memo_copy(slot.tlsrpt_text, sizeof(slot.tlsrpt_text), ans->tlsrpt) < 0
	|| !memo_slot_sane(&slot))
	return -1;
    slot.settings = memo->settings;
    slot.until = (int64_t) until;
    slot.expires = (int64_t) ans->expires;
    memcpy(slot.stamp, stamp->bytes, MEMO_STAMP_SIZE);
    slot.status = ans->status;
    slot.tlsrpt = tlsrpt != 0;
    slot.check = memo_slot_check(&slot);
    memo->have_last = 0;
    if (pwrite(memo->fd, &slot, sizeof(slot), memo_slot_at(domain)) != (ssize_t) sizeof(slot))
	return -1;
    return 0;
}

/* memo_counters - the counter table in the mapped header */
static MEMO_COUNTER *memo_counters(MEMO *memo)
{
    return (MEMO_COUNTER *) (memo->head + MEMO_COUNTERS_AT);
}

/* memo_key_is - does a named counter hold this key? */
static int memo_key_is(const MEMO_COUNTER *c, const char *key)
{
    return strncmp(c->key, key, MEMO_KEY_MAX) == 0;
}

/* memo_claim - name a free counter; 1 when it is ours now */
static int memo_claim(MEMO_COUNTER *c, uint64_t state, const char *key)
{
    uint64_t free_state = 0;

    if (!__atomic_compare_exchange_n(&c->state, &free_state, 1, 0,
				     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
	return 0;
    (void) snprintf(c->key, MEMO_KEY_MAX, "%s", key);
    __atomic_store_n(&c->state, state, __ATOMIC_RELEASE);
    return 1;
}

/* memo_counter - the counter of key, named now if need be; NULL if none */
static MEMO_COUNTER *memo_counter(MEMO *memo, const char *key)
{
    uint64_t want = memo_hash(key, strlen(key), MEMO_HASH_INIT);
    MEMO_COUNTER *tab = memo_counters(memo);
    MEMO_COUNTER *c;
    uint64_t state;
    int     i;

    if (want < 2)
	want += 2;
    for (i = 0; i < MEMO_NCOUNTERS; i++) {
	c = tab + (want + (uint64_t) i) % MEMO_NCOUNTERS;
	state = __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);
	if (state == 0 && memo_claim(c, want, key))
	    return c;
	state = __atomic_load_n(&c->state, __ATOMIC_ACQUIRE);
	if (state == want && memo_key_is(c, key))
	    return c;
	if (state == 1)
	    return 0;			/* being named: do not guess */
    }
    return 0;
}

/* memo_count - add n to a shared counter; -1: count it elsewhere */
int     memo_count(MEMO *memo, const char *name, const char *labels,
		           unsigned long n)
{
    char    key[MEMO_KEY_MAX];
    MEMO_COUNTER *c;
    int     len;

    if (memo == 0)
	return -1;
    len = snprintf(key, sizeof(key), "%s %s", name, labels);
    if (len < 0 || len >= (int) sizeof(key) || (c = memo_counter(memo, key)) == 0)
	return -1;
    (void) __atomic_add_fetch(&c->n, (uint64_t) n, __ATOMIC_RELAXED);
    return 0;
}

/* memo_take_one - hand one counter's count to fn; zeroed when take (and
 * added back if fn refuses it), else left as it is */
static void memo_take_one(MEMO_COUNTER *c, int take, MEMO_COUNTER_FN fn,
			          void *ctx)
{
    char    key[MEMO_KEY_MAX];
    char   *labels;
    uint64_t n;

    memcpy(key, c->key, sizeof(key));
    key[sizeof(key) - 1] = 0;
    if ((labels = strchr(key, ' ')) == 0 || !memo_printable(key, sizeof(key)))
	return;
    *labels++ = 0;
    n = take ? __atomic_exchange_n(&c->n, 0, __ATOMIC_ACQ_REL)
	: __atomic_load_n(&c->n, __ATOMIC_ACQUIRE);
    if (n == 0)
	return;
    if (fn(ctx, key, labels, (unsigned long) n) != 0 && take)
	(void) __atomic_add_fetch(&c->n, n, __ATOMIC_RELAXED);
}

/* memo_counters_each - every named counter to memo_take_one() */
static void memo_counters_each(MEMO *memo, int take, MEMO_COUNTER_FN fn,
			               void *ctx)
{
    MEMO_COUNTER *tab;
    int     i;

    if (memo == 0)
	return;
    tab = memo_counters(memo);
    for (i = 0; i < MEMO_NCOUNTERS; i++)
	if (__atomic_load_n(&tab[i].state, __ATOMIC_ACQUIRE) >= 2)
	    memo_take_one(&tab[i], take, fn, ctx);
}

/* memo_counters_take - every pending count to fn, zeroed */
void    memo_counters_take(MEMO *memo, MEMO_COUNTER_FN fn, void *ctx)
{
    memo_counters_each(memo, 1, fn, ctx);
}

/* memo_counters_peek - every pending count to fn, left in place */
void    memo_counters_peek(MEMO *memo, MEMO_COUNTER_FN fn, void *ctx)
{
    memo_counters_each(memo, 0, fn, ctx);
}

