/*++
 * NAME
 *	refresh 3
 * SUMMARY
 *	refresh-ahead: renew cache entries before they run out
 * SYNOPSIS
 *	#include "refresh.h"
 *
 *	int	refresh_claim(POL_CTX *ctx, const char *domain)
 *
 *	int	refresh_run(POL_CTX *ctx, const char *domain)
 *
 *	int	refresh_slots_trusted(const char *cache_path, VSTR *why)
 * DESCRIPTION
 *	A lookup answered from a cached entry near its end remembers the
 *	domain (policy.c: a DANE verdict in the last quarter of its TTL, an
 *	MTA-STS policy whose TXT check or refetch is due, mtasts_plan.c). Once
 *	the reply is sent and the client is idle, the server asks the
 *	daemon to start "tlspolicyd ... -R DOMAIN" (process control lives
 *	in daemon/tlspolicyd.c: fork and exec, because an SQLite connection
 *	must not cross fork()). This module holds the rules around that:
 *
 *	refresh_claim() says whether this helper should start the refresh
 *	process: not while a refresh of the domain runs or backs off (its
 *	lease in the cache is held), and only the first of the helpers that
 *	see the entry due within REFRESH_START seconds (a second lease,
 *	"refresh DOMAIN"). It returns a descriptor to start one, else -1.
 *	Two bounds hold whatever the cache, the disk or the resolver do:
 *
 *	- A lease the cache could not write (read-only file, full disk, a
 *	  write lock held past cache_busy_timeout) is no lease: no process
 *	  starts, and this helper starts none for REFRESH_PAUSE seconds
 *	  (logged once per helper); the entries are answered while they
 *	  last and looked up again when they expire.
 *	- At most REFRESH_MAX_PROCS refresh processes run at once, all
 *	  helpers together: each holds one of REFRESH_MAX_PROCS slots, a
 *	  flock(2) on the file cache_file + REFRESH_SLOT_SUFFIX + N (the
 *	  cache's rules: ours alone, never through a symbolic link). The
 *	  returned descriptor holds the slot; the refresh process inherits
 *	  it (the caller clears FD_CLOEXEC in the child and closes its own
 *	  copy), so the slot is free again when that process exits, however
 *	  it ends. When every slot is taken the entry waits for a later
 *	  lookup.
 *	Each refresh that does not start for one of these reasons is
 *	counted in tlspolicyd_refresh_skipped_total{reason=
 *	"cache-unwritable"|"cap"|"slot-file"}.
 *
 *	refresh_slots_trusted() applies the slot files' rule to those that
 *	exist beside cache_path (tlspolicyd -t, check.c): 0, or -1 with the
 *	reason a helper logs before it stops starting refresh processes.
 *
 *	refresh_run() is the -R process's work: take the domain's lease
 *	(one refresher per domain across all helpers, held at most
 *	POL_REFRESH_BUDGET seconds), check that the entry is still due
 *	(another helper's refresh may have renewed it), look the domain up
 *	again (policy_refresh_lookup()) and give the lease back; a refresh
 *	that does not renew everything keeps its lease REFRESH_BACKOFF
 *	seconds longer instead: a back-off. It returns the exit status: 0
 *	when it ran, 1 when another helper held the lease or the cache
 *	could not be used (logged: a cache that refuses the lease).
 *
 *	No answer ever waits for a refresh.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "decide.h"
#include "log.h"
#include "metrics.h"
#include "mtasts.h"
#include "priv.h"
#include "refresh.h"

static time_t refresh_paused;		/* no refresh-ahead before then */
static int refresh_told;		/* the pause was logged */
static int refresh_slot_told;		/* a bad slot file was logged */

/* refresh_due - still due? Helpers that saw the entry due at the same
 * moment may each start a refresh process; the first one renews it */
static int refresh_due(POL_CTX *ctx, CACHE *cache, const char *domain)
{
    CACHE_DANE ent;
    MTS_RESULT sts;
    DV_VERDICT verdict;
    time_t  now = time(0);
    int     due = 1;

    cache_dane_init(&ent);
    cache_read_begin(cache);
    if (cache_dane_get(cache, domain, now, &ent) == CACHE_FRESH
	&& !cache_due(ent.expires, ent.ttl, now)
	&& dane_verdict_verdict_from_name(ent.verdict, &verdict) == 0) {
	mtasts_result_init(&sts);
	due = decide_needs_sts(verdict)
	    && !(mtasts_lookup_cached(cache, ctx->cfg, domain, &sts) && !sts.refresh_due);
	mtasts_result_free(&sts);
    }
    cache_read_end(cache);
    cache_dane_free(&ent);
    return due;
}

/* refresh_work - look up, then give the lease back or keep it */
static void refresh_work(POL_CTX *ctx, CACHE *cache, const char *domain,
			         long pid)
{
    VSTR   *why = vstr_new(64);

    log_info("refresh of %s started (entry near expiry)", domain);
    metrics_inc(MET_REFRESHES, "", 1);
    if (policy_refresh_lookup(ctx, domain, why) == 0) {
	log_info("refresh of %s done: %s", domain, vstr_str(why));
	cache_lease_drop(cache, domain, pid);
    } else {				/* keep the lease: back off */
	log_info("refresh of %s did not renew everything: %s; next"
		 " attempt in %ds at the earliest", domain, vstr_str(why),
		 REFRESH_BACKOFF);
	cache_lease_extend(cache, domain, pid, (long long) time(0) + REFRESH_BACKOFF);
    }
    vstr_free(why);
}

/* refresh_run - (tlspolicyd -R) lease, look up, store; exit status */
int     refresh_run(POL_CTX *ctx, const char *domain)
{
    CACHE  *cache = policy_cache(ctx);
    long    pid = (long) getpid();
    int     taken;

    taken = cache_lease_take(cache, domain, pid, time(0),
			     POL_REFRESH_BUDGET(ctx->cfg));
    if (taken == 1 && !refresh_due(ctx, cache, domain)) {
	log_info("refresh of %s: already renewed by another helper", domain);
	cache_lease_drop(cache, domain, pid);
    } else if (taken == 1) {
	refresh_work(ctx, cache, domain, pid);
	cache_prune_expired(cache, time(0), ctx->cfg->cache_max_entries);
	policy_metrics_flush(ctx);
    } else if (taken == 0) {
	log_info("refresh of %s: another helper holds the lease", domain);
    } else {
	log_warn("refresh of %s: cannot take its lease: the cache cannot be"
		 " written (%s); not refreshing", domain,
		 *cache_last_error(cache) ? cache_last_error(cache) : "no cache");
    }
    return taken == 1 ? 0 : 1;
}

/* refresh_skip - count a refresh that does not start, and why; -1 */
static int refresh_skip(const char *domain, const char *reason)
{
    char    labels[64];

    (void) snprintf(labels, sizeof(labels), "reason=\"%s\"", reason);
    metrics_inc(MET_REFRESH_SKIPPED, labels, 1);
    log_debug("refresh of %s not started: %s", domain, reason);
    return -1;
}

/* refresh_pause - the cache refused a lease: none for REFRESH_PAUSE s */
static int refresh_pause(CACHE *cache, const char *domain, time_t now)
{
    refresh_paused = now + REFRESH_PAUSE;
    if (!refresh_told) {
	log_warn("refresh-ahead paused for %ds: the cache cannot be written"
		 " (%s); cached entries are answered while they last and"
		 " looked up again when they expire", REFRESH_PAUSE,
		 *cache_last_error(cache) ? cache_last_error(cache) : "no cache");
	refresh_told = 1;
    }
    return refresh_skip(domain, "cache-unwritable");
}

/* refresh_slot_bad - a slot file we must not use: logged once; -1 */
static int refresh_slot_bad(int fd, const char *why)
{
    if (!refresh_slot_told)
	log_warn("%s; no refresh process starts", why);
    refresh_slot_told = 1;
    if (fd >= 0)
	(void) close(fd);
    return -1;
}

/* refresh_slot_open - slot file n beside the cache; -1 when unusable */
static int refresh_slot_open(const char *cache_path, int n)
{
    VSTR   *path = vstr_new(64);
    VSTR   *why = vstr_new(64);
    struct stat st;
    int     fd;
    int     err;

    vstr_printf(path, "%s%s%d", cache_path, REFRESH_SLOT_SUFFIX, n);
    fd = open(vstr_str(path), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC
	      | O_NOCTTY, 0640);
    if (fd < 0 || fstat(fd, &st) < 0) {
	err = errno;
	if (err != ELOOP || lstat(vstr_str(path), &st) < 0
	    || priv_file_trusted(&st, "refresh slot", vstr_str(path), why) == 0)
	    vstr_printf(why, "refresh slot %s: %s", vstr_str(path), strerror(err));
	fd = refresh_slot_bad(fd, vstr_str(why));	/* ELOOP: a link */
    } else if (priv_file_trusted(&st, "refresh slot", vstr_str(path), why) < 0) {
	fd = refresh_slot_bad(fd, vstr_str(why));
    }
    vstr_free(why);
    vstr_free(path);
    return fd;
}

/* refresh_slots_trusted - the slot files that exist pass the rule that
 * refresh_slot_open() applies, and this user may open them */
int     refresh_slots_trusted(const char *cache_path, VSTR *why)
{
    VSTR   *path = vstr_new(64);
    struct stat st;
    int     ret = 0;
    int     n;

    for (n = 0; ret == 0 && n < REFRESH_MAX_PROCS; n++) {
	vstr_reset(path);
	vstr_printf(path, "%s%s%d", cache_path, REFRESH_SLOT_SUFFIX, n);
	if (lstat(vstr_str(path), &st) < 0) {
	    if (errno == ENOENT)
		continue;		/* the first refresh creates it */
	    vstr_printf(why, "refresh slot %s: %s", vstr_str(path), strerror(errno));
	    ret = -1;
	} else if ((ret = priv_file_trusted(&st, "refresh slot",
					    vstr_str(path), why)) == 0
		   && access(vstr_str(path), R_OK | W_OK) < 0) {
	    vstr_printf(why, "refresh slot %s: %s", vstr_str(path), strerror(errno));
	    ret = -1;
	}
    }
    vstr_free(path);
    return ret;
}

/* refresh_slot_take - a free slot, held while the descriptor (and the
 * refresh process that inherits it) lives; -1: none free (*full) or an
 * unusable slot file */
static int refresh_slot_take(const char *cache_path, int *full)
{
    int     first = (int) (getpid() % REFRESH_MAX_PROCS);
    int     fd;
    int     k;

    *full = 0;
    for (k = 0; k < REFRESH_MAX_PROCS; k++) {
	if ((fd = refresh_slot_open(cache_path, (first + k) % REFRESH_MAX_PROCS)) < 0)
	    return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
	    return fd;
	if (errno != EWOULDBLOCK)
	    return refresh_slot_bad(fd, "refresh slots: flock() failed");
	(void) close(fd);
    }
    *full = 1;
    return -1;
}

/* refresh_claim - should this helper start the refresh process? The
 * descriptor that holds its slot, or -1 */
int     refresh_claim(POL_CTX *ctx, const char *domain)
{
    CACHE  *cache = policy_cache(ctx);
    time_t  now = time(0);
    char    key[300];
    int     slot;
    int     full;
    int     taken;

    if (now < refresh_paused || !cache_enabled(cache))
	return refresh_skip(domain, "cache-unwritable");
    if (cache_lease_held(cache, domain, now))
	return -1;			/* a refresh runs or backs off */
    if ((slot = refresh_slot_take(policy_cache_path(ctx), &full)) < 0)
	return refresh_skip(domain, full ? "cap" : "slot-file");
    (void) snprintf(key, sizeof(key), "refresh %s", domain);
    taken = cache_lease_take(cache, key, (long) getpid(), now, REFRESH_START);
    if (taken == 1)
	return slot;
    (void) close(slot);
    return taken == 0 ? -1 : refresh_pause(cache, domain, now);
}
