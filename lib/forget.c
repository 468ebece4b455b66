/*++
 * NAME
 *	forget 3
 * SUMMARY
 *	tlspolicyd -F: forget cached results for a domain, or all
 * SYNOPSIS
 *	#include "forget.h"
 *
 *	int	forget_run(const CFG *cfg, const char *what, VSTR *out)
 * DESCRIPTION
 *	forget_run() deletes from cfg->cache_file what the helpers keep
 *	about the domain what (normalized like a lookup key: case folded,
 *	one final dot dropped), or about every domain when what is "all":
 *	DANE verdicts, MTA-STS policies with their TXT check, and the
 *	marks of failed MTA-STS fetches, which hold a retry back for five
 *	minutes. The next lookup asks DNS (and the policy host) again.
 *	Counters and refresh leases stay.
 *
 *	It appends to out one line per outcome for the administrator,
 *	and returns FORGET_OK (also when nothing was cached, or no cache
 *	file exists), FORGET_FAILED (the cache could not be opened or
 *	written: a helper held the lock too long, the file is read-only;
 *	nothing was deleted) or FORGET_USAGE (what is not a domain name).
 *	It never creates a cache file.
 * SECURITY
 *	The caller runs it as the helper's user (see runas(3)), so that
 *	it has the helpers' rights on the cache, no more.
 *--*/
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "cache.h"
#include "forget.h"
#include "key.h"
#include "log.h"

#define FORGET_MIN_BUSY_MS	5000	/* an administrator can wait a little */

/* forget_target - "all" (NULL in *domain) or a normalized domain */
static int forget_target(const char *what, char *buf, const char **domain,
			         VSTR *out)
{
    char    safe[LOG_SAFE_SIZE];
    KEY_GATE gate;
    int     port = 0;

    if (strcmp(what, "all") == 0) {
	*domain = 0;
	return 0;
    }
    gate = key_normalize(what, strlen(what), buf, &port);
    if (gate != KEY_OK || port != 0) {
	vstr_printf(out, "tlspolicyd: -F \"%s\": %s; give a domain name or"
		    " \"all\"\n", log_safe(safe, sizeof(safe), what, strlen(what)),
		    gate != KEY_OK ? key_gate_reason(gate) : "a port is not part"
		    " of a domain");
	return -1;
    }
    *domain = buf;
    return 0;
}

/* forget_report - what went, in words */
static void forget_report(const char *domain, long long dane, long long sts,
			          const char *path, VSTR *out)
{
    if (dane == 0 && sts == 0)
	vstr_printf(out, "%s: nothing was cached in %s\n",
		    domain ? domain : "all", path);
    else
	vstr_printf(out, "%s: forgot %lld DANE verdict%s and %lld MTA-STS"
		    " entr%s (policies, TXT checks, fetch failures) in %s\n",
		    domain ? domain : "all", dane, dane == 1 ? "" : "s",
		    sts, sts == 1 ? "y" : "ies", path);
}

/* forget_run - -F DOMAIN or -F all */
int     forget_run(const CFG *cfg, const char *what, VSTR *out)
{
    char    buf[KEY_MAX_DOMAIN + 1];
    const char *domain;
    long long dane;
    long long sts;
    CACHE  *cache;
    int     busy_ms = cfg->cache_busy_timeout * 1000;
    int     status = FORGET_OK;

    if (forget_target(what, buf, &domain, out) < 0)
	return FORGET_USAGE;
    if (*cfg->cache_file == 0) {
	vstr_printf(out, "cache_file is empty: nothing is cached\n");
	return FORGET_OK;
    }
    if (access(cfg->cache_file, F_OK) < 0 && errno == ENOENT) {
	vstr_printf(out, "%s does not exist: nothing is cached\n",
		    cfg->cache_file);
	return FORGET_OK;
    }
    cache = cache_open(cfg->cache_file,
		       busy_ms > FORGET_MIN_BUSY_MS ? busy_ms : FORGET_MIN_BUSY_MS);
    if (!cache_enabled(cache)) {
	vstr_printf(out, "tlspolicyd: cannot open the cache %s (see the"
		    " warning above); nothing was forgotten\n", cfg->cache_file);
	status = FORGET_FAILED;
    } else if (cache_prune_forget(cache, domain, &dane, &sts) < 0) {
	vstr_printf(out, "tlspolicyd: cannot write to the cache %s (see the"
		    " warning above); nothing was forgotten\n", cfg->cache_file);
	status = FORGET_FAILED;
    } else {
	forget_report(domain, dane, sts, cfg->cache_file, out);
    }
    cache_close(cache);
    return status;
}
