/*++
 * NAME
 *	runas 3
 * SUMMARY
 *	command modes started by root run with the helper's rights
 * SYNOPSIS
 *	#include "runas.h"
 *
 *	int	runas_user(const char *name, VSTR *why)
 * DESCRIPTION
 *	runas_user() switches a process running as root to the account
 *	name (the "user" parameter, which should match user= of the spawn
 *	service in master.cf), as spawn(8) does for the helpers: primary
 *	group of the account and no supplementary group, then the user
 *	ID. "tlspolicyd -q", -t and -F call it before they read any file,
 *	so that they read the configuration, the override table and the
 *	cache with exactly the rights of the helpers Postfix runs, and a
 *	file only root can read fails here as it fails for Postfix.
 *
 *	It returns 0 after switching, or -1 with a reason (unknown
 *	account, an account with user or group ID 0) when it did not
 *	switch.
 * SECURITY
 *	The switch is permanent and verified: a failure of setgroups(),
 *	setgid() or setuid(), or any ID still 0 afterwards, is fatal.
 *--*/
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "priv.h"
#include "runas.h"

/* runas_user - become name, or say why not */
int     runas_user(const char *name, VSTR *why)
{
    struct passwd *pw;
    gid_t   gid;
    uid_t   uid;

    errno = 0;
    if ((pw = getpwnam(name)) == 0) {
	vstr_printf(why, "user \"%s\" does not exist%s%s", name,
		    errno ? ": " : "", errno ? strerror(errno) : "");
	return -1;
    }
    if (pw->pw_uid == 0 || pw->pw_gid == 0) {
	vstr_printf(why, "user \"%s\" has user or group ID 0, which spawn(8)"
		    " refuses", name);
	return -1;
    }
    uid = pw->pw_uid;
    gid = pw->pw_gid;
    if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
	log_fatal("cannot switch to user %s (uid %ld gid %ld): %m", name,
		  (long) uid, (long) gid);
    if (priv_is_root() || setuid(0) == 0)
	log_fatal("still privileged after switching to user %s", name);
    log_debug("running as user %s (uid %ld gid %ld), as the helpers do",
	      name, (long) uid, (long) gid);
    return 0;
}
