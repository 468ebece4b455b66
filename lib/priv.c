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
 *	int	priv_cache_trusted(const char *cache_file, VSTR *why)
 * DESCRIPTION
 *	priv_is_root() is true when any user or group ID is 0.
 *
 *	priv_refuse_setid() ends the process with a fatal error when the
 *	real and effective user IDs, or group IDs, differ: a set-ID start
 *	would read files and handle network input for another user.
 *
 *	priv_check_cache_perms() warns about a cache directory or file that
 *	the current user cannot write.
 *
 *	priv_cache_trusted() returns -1 with a reason when the cache file
 *	or its directory is writable by group or others, or owned by a
 *	user other than the effective one: whoever can write
 *	there can forge any answer, so cache_open() refuses such a cache.
 *	A missing file or directory is not its business (0).
 * SECURITY
 *	Privileges are dropped permanently (setgroups, setgid, setuid) and
 *	the result is verified; a failure to drop is fatal.
 *--*/
#include <errno.h>
#include <grp.h>
#include <libgen.h>
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

/* priv_refuse_setid - real and effective IDs must agree */
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
}

/* priv_dir_of - directory part of a path (allocated) */
static char *priv_dir_of(const char *path)
{
    char   *copy = mem_strdup(path);
    char   *dir = mem_strdup(dirname(copy));

    mem_free(copy);
    return dir;
}

/* priv_trust_one - one path we must own alone; -1 with a reason */
static int priv_trust_one(const char *path, const char *what, VSTR *why)
{
    struct stat st;

    if (stat(path, &st) < 0)
	return 0;			/* missing: SQLite will say so */
    if (st.st_mode & (S_IWGRP | S_IWOTH))
	vstr_printf(why, "%s %s is writable by %s (chmod go-w it)", what, path,
		    st.st_mode & S_IWOTH ? "others" : "its group");
    else if (st.st_uid != geteuid())
	vstr_printf(why, "%s %s is owned by uid %ld, not by uid %ld (chown"
		    " it to the spawn user)", what, path, (long) st.st_uid,
		    (long) geteuid());
    else
	return 0;
    return -1;
}

/* priv_cache_trusted - only we may write the cache file and directory */
int     priv_cache_trusted(const char *cache_file, VSTR *why)
{
    char   *dir = priv_dir_of(cache_file);
    int     ret;

    ret = priv_trust_one(dir, "cache directory", why);
    if (ret == 0)
	ret = priv_trust_one(cache_file, "cache file", why);
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
