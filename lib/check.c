/*++
 * NAME
 *	check 3
 * SUMMARY
 *	tlspolicyd -t: is this installation ready to serve?
 * SYNOPSIS
 *	#include "check.h"
 *
 *	int	check_resolver(const CFG *cfg, VSTR *out)
 *	int	check_cache(const CFG *cfg, VSTR *out)
 *	int	check_ca_file(const CFG *cfg, VSTR *out)
 *	int	check_log_file(const CFG *cfg, VSTR *out)
 * DESCRIPTION
 *	Each function checks one thing a helper depends on, appends one
 *	line to out, "ok: ..." or "FAIL: ...", and returns 0 or -1.
 *
 *	check_resolver(): dns_resolver answers the root SOA with the AD
 *	bit (probe(3)); a resolver that answers without it does not
 *	validate, and one that does not answer makes every lookup defer.
 *
 *	check_cache(): first the helpers' own trust rules, with the
 *	function they use (priv_cache_trusted(): the directory, the
 *	database, its -wal, -shm and memo files where they really are, a
 *	symbolic link resolved): a cache every helper would refuse fails
 *	with the reason the helpers log; so does a refresh slot file beside
 *	it (refresh_slots_trusted(): with one the helpers start no refresh
 *	process). Then cache_file opens, passes
 *	PRAGMA integrity_check and can be written by the user running the
 *	check (the helper's user when root runs -t); a cache that does not
 *	exist yet passes when its directory lets this user create it. An
 *	empty cache_file passes (no cache).
 *
 *	check_ca_file(): mtasts_ca_file, when set, can be read and holds
 *	at least one PEM certificate.
 *
 *	check_log_file(): log_file, when set, opens as a helper opens it
 *	(log(3)'s own log_file_check(): the same flags, the same
 *	refusals); one that does not exist yet passes when its directory
 *	lets this user create it. Unset: the helpers log to syslog.
 * SECURITY
 *	Nothing is created or repaired: the cache is opened without
 *	SQLITE_OPEN_CREATE and the write lock is given back at once.
 *--*/
#include <errno.h>
#include <libgen.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache.h"
#include "check.h"
#include "dns.h"
#include "log.h"
#include "mem.h"
#include "priv.h"
#include "probe.h"
#include "refresh.h"

#define CHECK_CA_MAX	(4L * 1024 * 1024)	/* a CA bundle is smaller */
#define CHECK_PEM	"-----BEGIN CERTIFICATE-----"

/* check_result - one line; the status as the return value */
static int check_result(VSTR *out, int ok, const char *what, const char *why)
{
    vstr_printf(out, "%s: %s: %s\n", ok ? "ok" : "FAIL", what, why);
    return ok ? 0 : -1;
}

/* check_user - "user NAME (uid N)" of the effective user */
static void check_user(VSTR *buf)
{
    const struct passwd *pw = getpwuid(geteuid());

    vstr_printf(buf, "user %s (uid %ld)", pw ? pw->pw_name : "?",
		(long) geteuid());
}

/* A check: appends to why what it found; 1 when it passed, 0 when not. */
typedef int (*CHECK_FN) (const CFG *cfg, VSTR *why);

/* check_run - one check, one line: "ok: NAME VALUE: why" or "FAIL: ..." */
static int check_run(const CFG *cfg, VSTR *out, const char *name,
		             const char *value, CHECK_FN fn)
{
    VSTR   *what = vstr_new(64);
    VSTR   *why = vstr_new(128);
    int     ok;
    int     ret;

    vstr_printf(what, "%s", name);
    if (*value)				/* unset: the name alone */
	vstr_printf(what, " %s", value);
    ok = fn(cfg, why);			/* before vstr_str(why): it may move */
    ret = check_result(out, ok, vstr_str(what), vstr_str(why));
    vstr_free(what);
    vstr_free(why);
    return ret;
}

/* check_resolver_probe - AD on the root SOA, from the loopback interface */
static int check_resolver_probe(const CFG *cfg, VSTR *why)
{
    PROBE_STATUS st = probe_resolver(cfg->dns_resolver, cfg->dns_timeout,
				     cfg->dns_deadline, why);

    if (st == PROBE_VALIDATING && !dns_servers_loopback(cfg->dns_resolver))
	vstr_printf(why, " (but not on the loopback interface: its AD bit"
		    " crosses the network unprotected)");
    return st == PROBE_VALIDATING;
}

/* check_resolver - answers, with AD, on the root SOA */
int     check_resolver(const CFG *cfg, VSTR *out)
{
    return check_run(cfg, out, "resolver", cfg->dns_resolver,
		     check_resolver_probe);
}

/* check_cache_dir - no cache yet: may this user create one? */
static int check_cache_dir(const char *path, VSTR *why)
{
    char   *copy = mem_strdup(path);
    const char *dir = dirname(copy);
    int     ok = access(dir, W_OK | X_OK) == 0;
    int     err = errno;

    if (ok) {
	vstr_printf(why, "does not exist yet; the first lookup creates it: ");
	check_user(why);
	vstr_printf(why, " may write to %s", dir);
    } else {
	vstr_printf(why, "does not exist, and ");
	check_user(why);
	vstr_printf(why, " cannot create it in %s: %s", dir, strerror(err));
    }
    mem_free(copy);
    return ok;
}

/* check_cache_trusted - the helpers' own trust rules (priv_cache_trusted()):
 * the real path, or 0 with the reason every helper logs when it refuses */
static int check_cache_trusted(const CFG *cfg, VSTR *real, VSTR *why)
{
    VSTR   *reason = vstr_new(128);
    int     ok = priv_cache_trusted(cfg->cache_file, real, reason) == 0;

    if (!ok) {
	vstr_printf(why, "refused, as every helper refuses it (they answer"
		    " without a cache): %s (checked as ", vstr_str(reason));
	check_user(why);
	vstr_printf(why, ")");
    } else if (strcmp(vstr_str(real), cfg->cache_file) != 0) {
	vstr_printf(why, "a symbolic link to %s, checked there; ", vstr_str(real));
    }
    vstr_free(reason);
    return ok;
}

/* check_cache_slots - the refresh slots beside the real path pass the
 * helpers' rule (refresh_slots_trusted()), else the reason they log */
static int check_cache_slots(const char *real, VSTR *why)
{
    VSTR   *reason = vstr_new(128);
    int     ok = refresh_slots_trusted(real, reason) == 0;

    if (!ok) {
	vstr_printf(why, "every helper answers from it but starts no refresh"
		    " process: %s (checked as ", vstr_str(reason));
	check_user(why);
	vstr_printf(why, ")");
    }
    vstr_free(reason);
    return ok;
}

/* check_cache_file - none, refused, creatable, or intact and writable */
static int check_cache_file(const CFG *cfg, VSTR *why)
{
    VSTR   *real;
    int     ok;

    if (*cfg->cache_file == 0) {
	vstr_printf(why, "none (cache_file is empty)");
	return 1;
    }
    real = vstr_new(64);
    if (!(ok = check_cache_trusted(cfg, real, why)
	  && check_cache_slots(vstr_str(real), why))) {
	/* refused, or not refreshed ahead: nothing more to check */
    } else if (access(vstr_str(real), F_OK) < 0 && errno == ENOENT) {
	ok = check_cache_dir(vstr_str(real), why);
    } else if (cache_check(vstr_str(real), cfg->cache_busy_timeout * 1000, why) < 0) {
	vstr_printf(why, " (checked as ");
	check_user(why);
	vstr_printf(why, ")");
	ok = 0;
    } else {
	vstr_printf(why, "integrity ok, writable by ");
	check_user(why);
    }
    vstr_free(real);
    return ok;
}

/* check_cache - opens, intact, writable by this user */
int     check_cache(const CFG *cfg, VSTR *out)
{
    return check_run(cfg, out, "cache", cfg->cache_file, check_cache_file);
}

/* check_pem_count - PEM certificates in a file; -1 with errno */
static int check_pem_count(const char *path)
{
    FILE   *fp = fopen(path, "r");
    char    line[256];
    int     n = 0;
    long    bytes = 0;

    if (fp == 0)
	return -1;
    while (bytes < CHECK_CA_MAX && fgets(line, sizeof(line), fp) != 0) {
	bytes += (long) strlen(line);
	n += strncmp(line, CHECK_PEM, sizeof(CHECK_PEM) - 1) == 0;
    }
    (void) fclose(fp);
    return n;
}

/* check_ca_pem - unset, or readable with at least one certificate */
static int check_ca_pem(const CFG *cfg, VSTR *why)
{
    int     n;

    if (*cfg->mtasts_ca_file == 0) {
	vstr_printf(why, "not set: libcurl uses the system CA bundle");
	return 1;
    }
    if ((n = check_pem_count(cfg->mtasts_ca_file)) < 0) {
	int     err = errno;

	vstr_printf(why, "cannot read it as ");
	check_user(why);
	vstr_printf(why, ": %s", strerror(err));
	return 0;
    }
    vstr_printf(why, "%d PEM certificate%s", n, n == 1 ? "" : "s");
    return n > 0;
}

/* check_ca_file - mtasts_ca_file readable, with certificates */
int     check_ca_file(const CFG *cfg, VSTR *out)
{
    return check_run(cfg, out, "mtasts_ca_file", cfg->mtasts_ca_file,
		     check_ca_pem);
}

/* check_log_open - unset, creatable, or opens as a helper opens it */
static int check_log_open(const CFG *cfg, VSTR *why)
{
    const char *dir;
    char   *copy;
    struct stat st;
    int     ok;
    int     err;

    if (*cfg->log_file == 0) {
	vstr_printf(why, "not set: the helpers log to syslog (facility mail),"
		    " or to %s when no syslog daemon listens", LOG_FALLBACK_FILE);
	return 1;
    }
    if (lstat(cfg->log_file, &st) < 0 && errno == ENOENT) {	/* not a link */
	copy = mem_strdup(cfg->log_file);
	dir = dirname(copy);
	ok = access(dir, W_OK | X_OK) == 0;
	err = errno;
	vstr_printf(why, "does not exist yet; ");
	check_user(why);
	if (ok)
	    vstr_printf(why, " may create it in %s", dir);
	else
	    vstr_printf(why, " cannot create it in %s: %s", dir, strerror(err));
	mem_free(copy);
	return ok;
    }
    ok = log_file_check(cfg->log_file) == 0;
    err = errno;
    vstr_addstr(why, ok ? "opens for appending as " : "cannot open it as ");
    check_user(why);
    if (!ok)
	vstr_printf(why, ": %s (the helpers log elsewhere then: syslog or %s)",
		    err == ELOOP ? "it is a symbolic link (refused)" : strerror(err),
		    LOG_FALLBACK_FILE);
    return ok;
}

/* check_log_file - log_file opens as a helper opens it */
int     check_log_file(const CFG *cfg, VSTR *out)
{
    return check_run(cfg, out, "log_file", cfg->log_file, check_log_open);
}
