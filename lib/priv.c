/*++
 * NAME
 *	priv 3
 * SUMMARY
 *	privileges: never create a cache file the spawn user cannot use
 * SYNOPSIS
 *	#include "priv.h"
 *
 *	int	priv_is_root(void)
 *	void	priv_refuse_setid(void)
 *	void	priv_check_cache_perms(const char *cache_file)
 *	int	priv_cache_trusted(const char *cache_file, VSTR *real,
 *				VSTR *why)
 *	int	priv_file_trusted(const struct stat *st, const char *what,
 *				const char *path, VSTR *why)
 * DESCRIPTION
 *	priv_is_root() is true when any user or group ID is 0.
 *
 *	priv_refuse_setid() ends the process with a fatal error when the
 *	real and effective user IDs, or group IDs, differ: a set-ID start
 *	would read files and handle network input for another user; so does
 *	a user other than root that holds capabilities (file capabilities
 *	set on the binary).
 *
 *	priv_check_cache_perms() warns about a cache directory or file that
 *	the current user cannot write; the daemon passes the resolved path
 *	(policy_cache_path()), so the directory named is the one SQLite
 *	writes in.
 *
 *	priv_cache_trusted() finds the files a cache really is and checks
 *	them: whoever can write any of them can forge any answer, so
 *	cache_open(), the memo (policy.c) and tlspolicyd -t (check.c) refuse
 *	a cache that fails, with the reason this function gives. When
 *	cache_file is a symbolic link it is resolved once (realpath(3)):
 *	SQLite keeps the -wal and -shm files beside the link's target, so
 *	that is where they are checked, and real gets the resolved path,
 *	which the callers then use for SQLite, the memo and the refresh
 *	slots alike (a link to a missing file resolves to that file in its
 *	resolved directory; a link whose directory is missing, or a chain
 *	of links to a missing file, is refused). Checked, with
 *	the same rule: the directory (it must not be writable by group or
 *	others, and must be owned by the effective user), then the
 *	database, its -wal, -shm and PRIV_MEMO_SUFFIX files (each, when it
 *	exists, a regular file - not a symbolic link - owned by the
 *	effective user and not writable by group or others). It returns 0,
 *	or -1 with the reason in why. A missing file or directory is not
 *	its business (0: SQLite says so).
 *
 *	priv_file_trusted() is that rule for one file already lstat()ed
 *	(the cache's own and the refresh slots beside it): 0, or -1 with
 *	"WHAT PATH is ..." in why.
 * SECURITY
 *	Privileges are dropped permanently (setgroups, setgid, setuid) and
 *	the result is verified; a failure to drop is fatal.
 *--*/
#include <errno.h>
#include <grp.h>
#include <libgen.h>
#include <linux/capability.h>
#include <sys/syscall.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mem.h"
#include "priv.h"

/* priv_is_root - any ID zero */
int     priv_is_root(void)
{
    return getuid() == 0 || geteuid() == 0 || getgid() == 0 || getegid() == 0;
}

/* priv_has_caps - any effective or permitted capability? (an LSM's
 * secure-execution mode alone, AT_SECURE, is no reason to refuse) */
static int priv_has_caps(void)
{
    struct __user_cap_header_struct head = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];

    memset(data, 0, sizeof(data));
    if (syscall(SYS_capget, &head, data) < 0)
	return 0;
    return (data[0].effective | data[1].effective
	    | data[0].permitted | data[1].permitted) != 0;
}

/* priv_refuse_setid - real and effective IDs must agree, and an
 * unprivileged user must hold no capabilities */
void    priv_refuse_setid(void)
{
    if (getuid() != geteuid())
	log_fatal("refusing to run with real user ID %ld and effective user"
		  " ID %ld: tlspolicyd must not be set-user-ID (chmod u-s) nor"
		  " started by a set-user-ID program", (long) getuid(),
		  (long) geteuid());
    if (getgid() != getegid())
	log_fatal("refusing to run with real group ID %ld and effective"
		  " group ID %ld: tlspolicyd must not be set-group-ID (chmod"
		  " g-s) nor started by a set-group-ID program",
		  (long) getgid(), (long) getegid());
    if (geteuid() != 0 && priv_has_caps())	/* file capabilities */
	log_fatal("refusing to run with capabilities as user ID %ld:"
		  " tlspolicyd must not have file capabilities (setcap -r)",
		  (long) geteuid());
}

/* priv_dir_of - directory part of a path (allocated) */
static char *priv_dir_of(const char *path)
{
    char   *copy = mem_strdup(path);
    char   *dir = mem_strdup(dirname(copy));

    mem_free(copy);
    return dir;
}

/* priv_owned - the rule for one file or directory, uid being ours */
static int priv_owned(const struct stat *st, uid_t uid, const char *what,
		              const char *path, VSTR *why)
{
    if (st->st_mode & (S_IWGRP | S_IWOTH))
	vstr_printf(why, "%s %s is writable by %s (chmod go-w it)", what, path,
		    st->st_mode & S_IWOTH ? "others" : "its group");
    else if (st->st_uid != uid)
	vstr_printf(why, "%s %s is owned by uid %ld, not by uid %ld (chown"
		    " it to the spawn user)", what, path, (long) st->st_uid,
		    (long) uid);
    else
	return 0;
    return -1;
}

/* priv_file_trusted - one file we must own alone: a regular file (not a
 * symbolic link) only we can write */
int     priv_file_trusted(const struct stat *st, const char *what,
			          const char *path, VSTR *why)
{
    if (!S_ISREG(st->st_mode)) {
	vstr_printf(why, "%s %s is not a regular file (a symbolic link, a"
		    " directory, ...): remove it", what, path);
	return -1;
    }
    return priv_owned(st, geteuid(), what, path, why);
}

/* priv_real_dir - path with its directory resolved (SQLite refuses a
 * symbolic link anywhere in the path it opens with SQLITE_OPEN_NOFOLLOW,
 * so /var/lib/tlspolicyd -> /srv/x must be opened as /srv/x/cache.db);
 * -1, and path as it is, when the directory cannot be resolved */
static int priv_real_dir(const char *path, VSTR *real)
{
    char   *copy = mem_strdup(path);
    char   *dir_real = realpath(dirname(copy), 0);
    const char *base = strrchr(path, '/');
    int     ret = dir_real != 0 && base != 0 ? 0 : -1;

    if (ret == 0)
	vstr_printf(real, "%s%s", strcmp(dir_real, "/") ? dir_real : "", base);
    else
	vstr_addstr(real, path);		/* relative, or no directory yet */
    free(dir_real);
    mem_free(copy);
    return ret;
}

/* priv_link_target - where a symbolic link to a missing file points: its
 * directory resolved, its last component as it is; -1 with a reason */
static int priv_link_target(const char *link, VSTR *real, VSTR *why)
{
    char    text[4096];
    ssize_t len = readlink(link, text, sizeof(text) - 1);
    VSTR   *target = vstr_new(64);
    char   *dir;
    struct stat st;
    int     ret = -1;

    if (len > 0) {
	text[len] = 0;
	if (text[0] != '/') {		/* relative to the link's directory */
	    dir = priv_dir_of(link);
	    vstr_printf(target, "%s/", dir);
	    mem_free(dir);
	}
	vstr_addstr(target, text);
	if (priv_real_dir(vstr_str(target), real) == 0)
	    ret = lstat(vstr_str(real), &st) < 0 ? 0 : -1;	/* a chain of links */
    }
    if (ret < 0)
	vstr_printf(why, "cache file %s is a symbolic link whose target cannot"
		    " be reached or is another link", link);
    vstr_free(target);
    return ret;
}

/* priv_resolve - the path SQLite really opens: cache_file in its real
 * directory, or the target of a symbolic link (its directory must
 * exist); *known is 1 when st is the lstat() of that path */
static int priv_resolve(const char *cache_file, VSTR *real, struct stat *st,
			        int *known, VSTR *why)
{
    char   *target;

    vstr_reset(real);
    *known = 0;
    if (lstat(cache_file, st) < 0) {
	(void) priv_real_dir(cache_file, real);	/* missing: SQLite creates it */
	return 0;
    }
    if (!S_ISLNK(st->st_mode)) {
	(void) priv_real_dir(cache_file, real);	/* the common case */
	*known = 1;
	return 0;
    }
    if ((target = realpath(cache_file, 0)) != 0) {
	vstr_addstr(real, target);
	free(target);
    } else if (errno != ENOENT) {
	vstr_printf(why, "cache file %s is a symbolic link that cannot be"
		    " followed: %s", cache_file, strerror(errno));
	return -1;
    } else if (priv_link_target(cache_file, real, why) < 0) {
	return -1;
    }
    log_debug("cache file %s is a symbolic link to %s: checked and used"
	      " there", cache_file, vstr_str(real));
    return 0;
}

/* priv_trust_file - one file beside the cache, when it exists (st: its
 * lstat() when known) */
static int priv_trust_file(const char *base, const char *suffix,
			           const struct stat *known, VSTR *why)
{
    VSTR   *path = vstr_new(strlen(base) + 16);
    struct stat st;
    int     ret = 0;

    vstr_printf(path, "%s%s", base, suffix);
    if (known)
	st = *known;
    if (known == 0 && lstat(vstr_str(path), &st) < 0)
	ret = 0;			/* missing: SQLite will say so */
    else
	ret = priv_file_trusted(&st, "cache file", vstr_str(path), why);
    vstr_free(path);
    return ret;
}

/* priv_cache_trusted - only we may write the cache's files and directory */
int     priv_cache_trusted(const char *cache_file, VSTR *real, VSTR *why)
{
    static const char *const side[] = {"", "-wal", "-shm", PRIV_MEMO_SUFFIX, 0};
    const char *const *sp;
    uid_t   uid = geteuid();
    struct stat db;
    struct stat st;
    int     known;
    char   *dir;
    int     ret;

    if (priv_resolve(cache_file, real, &db, &known, why) < 0)
	return -1;
    dir = priv_dir_of(vstr_str(real));
    ret = stat(dir, &st) < 0 ? 0 : priv_owned(&st, uid, "cache directory", dir, why);
    for (sp = side; ret == 0 && *sp; sp++)
	ret = priv_trust_file(vstr_str(real), *sp, sp == side && known ? &db : 0,
			      why);
    mem_free(dir);
    return ret;
}

/* priv_check_one - warn about one path we cannot write */
static void priv_check_one(const char *path, const char *what)
{
    struct stat st;

    if (stat(path, &st) < 0)
	return;
    if (access(path, W_OK) < 0)
	log_warn("%s %s is not writable by uid %ld; answers will not be"
		 " cached (chown it to the spawn user)", what, path,
		 (long) geteuid());
}

/* priv_check_cache_perms - startup check of the cache location */
void    priv_check_cache_perms(const char *cache_file)
{
    char   *dir;

    if (*cache_file == 0)
	return;
    dir = priv_dir_of(cache_file);
    priv_check_one(dir, "cache directory");
    priv_check_one(cache_file, "cache file");
    mem_free(dir);
}
