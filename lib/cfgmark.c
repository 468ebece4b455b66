/*++
 * NAME
 *	cfgmark 3
 * SUMMARY
 *	forget cached results when answer-changing settings change
 * SYNOPSIS
 *	#include "cfgmark.h"
 *
 *	int	cfgmark_check(CACHE *cache, const char *mark)
 *	int	cfgmark_guest(CACHE *cache, const char *mark)
 *	void	cfgmark_fingerprint(const CFG *cfg, VSTR *out)
 * DESCRIPTION
 *	A fixed setting must not leave behind the failures the old one
 *	caused: an MTA-STS failure mark after a wrong mtasts_ca_file, DANE
 *	verdicts from a resolver that did not validate.
 *
 *	cfgmark_fingerprint() writes one readable line naming the settings
 *	that change answers: dns_resolver, mtasts_ca_file, mtasts_testing
 *	and policy_overrides with an FNV-1a hash of the file's content
 *	("unreadable" when it cannot be read).
 *
 *	cfgmark_check(), called when a helper first opens the cache,
 *	compares that line (mark; the caller makes it once per process)
 *	with the state row CFGMARK_ROW (one indexed read). When
 *	they differ (or the row is missing: a new or migrated cache) it
 *	runs cache_prune_derived() and stores the new fingerprint, in one
 *	transaction, so the first helper to see new settings clears once
 *	and the others find the new fingerprint. It returns 1 when it
 *	cleared, 0 when nothing changed, -1 when the cache could not be
 *	read or written (then nothing was cleared; the next helper tries
 *	again).
 *
 *	cfgmark_guest() is for tlspolicyd -q with -c or -o, whose settings
 *	may not be the helpers': 0 when it may use the cache (it holds
 *	mark, or none yet: then mark is stored as cfgmark_check() would),
 *	-1 when it must leave it alone (another fingerprint, or one that
 *	cannot be read: a guest never clears what the helpers cached).
 * BUGS
 *	Helpers started with different settings on one cache clear it in
 *	turn; the cleared results are looked up again, so answers stay
 *	right.
 * SEE ALSO
 *	cache(3) (the state table)
 *--*/
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cfgmark.h"
#include "log.h"
#include "memo.h"

#define CFGMARK_SAME		0	/* cfgmark_stored(): mark is stored */
#define CFGMARK_NONE		1	/* none stored (a new cache) */
#define CFGMARK_OTHER		2	/* another fingerprint */
#define CFGMARK_UNREADABLE	3	/* it cannot be read now */

/* cfgmark_hash_file - FNV-1a of a file's content (memo_hash()); -1 when
 * unreadable */
static int cfgmark_hash_file(const char *path, uint64_t *hash)
{
    char    buf[4096];
    ssize_t n;
    long    total = 0;
    int     fd;

    *hash = MEMO_HASH_INIT;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
	return -1;
    while (total < CFGMARK_OVR_MAX && (n = read(fd, buf, sizeof(buf))) > 0) {
	*hash = memo_hash(buf, (size_t) n, *hash);
	total += (long) n;
    }
    (void) close(fd);
    return 0;
}

/* cfgmark_fingerprint - the answer-changing settings, one line */
void    cfgmark_fingerprint(const CFG *cfg, VSTR *out)
{
    uint64_t hash;

    vstr_printf(out, "dns_resolver=%s mtasts_ca_file=%s mtasts_testing=%s"
		" policy_overrides=%s", cfg->dns_resolver, cfg->mtasts_ca_file,
		cfg->mtasts_testing == MTASTS_TESTING_ENFORCE ? "enforce"
		: "ignore", cfg->policy_overrides);
    if (*cfg->policy_overrides == 0)
	return;
    if (cfgmark_hash_file(cfg->policy_overrides, &hash) < 0)
	vstr_printf(out, "(unreadable)");
    else
	vstr_printf(out, "(fnv1a:%016llx)", (unsigned long long) hash);
}

/* cfgmark_stored - the stored fingerprint against mark: CFGMARK_SAME,
 * CFGMARK_NONE, CFGMARK_OTHER or CFGMARK_UNREADABLE; old gets it */
static int cfgmark_stored(CACHE *cache, const char *mark, VSTR *old)
{
    VSTR   *why = vstr_new(8);
    long long stamp;
    int     rc = cache_state_get(cache, CFGMARK_ROW, old, why, &stamp);

    vstr_free(why);
    if (rc < 0)
	vstr_reset(old);
    if (rc == -1)
	return CFGMARK_NONE;
    if (rc < 0)
	return CFGMARK_UNREADABLE;
    return strcmp(vstr_str(old), mark) == 0 ? CFGMARK_SAME : CFGMARK_OTHER;
}

/* cfgmark_clear - clear and store the new mark in one transaction (a
 * guest only where none is stored): 1 cleared, 0 nothing to do, -1
 * failed or, for a guest, another mark is there */
static int cfgmark_clear(CACHE *cache, const char *mark, int guest)
{
    VSTR   *old = vstr_new(128);
    long long dane = 0;
    long long sts = 0;
    int     ret = 0;
    int     stored;

    if (cache_begin(cache) < 0) {
	vstr_free(old);
	return -1;
    }
    stored = cfgmark_stored(cache, mark, old);	/* another helper may have */
    if (guest && stored != CFGMARK_NONE && stored != CFGMARK_SAME) {
	ret = -1;
    } else if (stored != CFGMARK_SAME) {
	if (cache_prune_derived(cache, &dane, &sts) < 0
	    || cache_state_put(cache, CFGMARK_ROW, mark, "", (long long) time(0)) < 0)
	    ret = -1;
	else
	    ret = 1;
    }
    if (ret < 0 || cache_commit(cache) < 0) {
	cache_rollback(cache);
	ret = -1;
    } else if (ret == 1 && vstr_len(old)) {
	log_info("settings that change answers differ from those the cache"
		 " was filled with (was: %s; now: %s): forgot %lld DANE"
		 " verdict%s and %lld MTA-STS failure mark%s or TXT check%s",
		 vstr_str(old), mark, dane, dane == 1 ? "" : "s", sts,
		 sts == 1 ? "" : "s", sts == 1 ? "" : "s");
    }
    vstr_free(old);
    return ret;
}

/* cfgmark_guest - may -q with -c or -o use this cache? 0 yes, -1 no */
int     cfgmark_guest(CACHE *cache, const char *mark)
{
    VSTR   *old;
    int     stored;

    if (!cache_enabled(cache))
	return 0;
    old = vstr_new(128);
    stored = cfgmark_stored(cache, mark, old);
    vstr_free(old);
    if (stored == CFGMARK_SAME)
	return 0;
    if (stored == CFGMARK_NONE)
	return cfgmark_clear(cache, mark, 1) < 0 ? -1 : 0;
    return -1;
}

/* cfgmark_check - clear what changed settings made wrong; 1 cleared */
int     cfgmark_check(CACHE *cache, const char *mark)
{
    VSTR   *old;
    int     ret = 0;

    if (!cache_enabled(cache))
	return 0;
    old = vstr_new(128);
    if (cfgmark_stored(cache, mark, old) != CFGMARK_SAME)
	ret = cfgmark_clear(cache, mark, 0);
    vstr_free(old);
    return ret;
}
