/* postconf.h - what Postfix's postconf(1) says about spawn services */
#ifndef TP_POSTCONF_H
#define TP_POSTCONF_H

#include "vstr.h"

#define POSTCONF_TIMEOUT	10	/* seconds for one postconf run */
#define POSTCONF_MAX_OUT	((size_t) 1024 * 1024)	/* bytes read from one run */

typedef struct PC_SVC {
    char   *name;			/* service name (column 1) */
    char   *type;			/* inet, unix, ... */
    char   *private;			/* the columns as written: y n - */
    char   *unpriv;
    char   *chroot;
    char   *maxproc;
    char   *user;			/* user= of the command, or NULL */
    char   *argv0;			/* argv= path, or NULL */
    char   *argv_rest;			/* the words after it ("" if none) */
    char   *time_limit;		/* NAME_time_limit: -o, else main.cf */
    int     limit_from_o;		/* time_limit came from an -o */
    struct PC_SVC *next;
} PC_SVC;

typedef struct POSTCONF {
    VSTR   *skip;			/* not "": not looked at, and why */
    VSTR   *error;			/* not "": postconf failed, its words */
    VSTR   *version;			/* mail_version */
    VSTR   *config_dir;			/* config_directory */
    VSTR   *maps;			/* smtp_tls_policy_maps: "WHERE\tVALUE\n"... */
    PC_SVC *spawn;			/* every spawn(8) service */
} POSTCONF;

POSTCONF *postconf_collect(void);
void    postconf_free(POSTCONF *pc);
int     postconf_version_at_least(const POSTCONF *pc, int major, int minor);

#endif
