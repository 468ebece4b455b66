/*++
 * NAME
 *	mastercf 3
 * SUMMARY
 *	tlspolicyd -t: the spawn services that run tlspolicyd, and the map
 * SYNOPSIS
 *	#include "mastercf.h"
 *
 *	int	mastercf_check(const POSTCONF *pc, const CFG *cfg, VSTR *out)
 * DESCRIPTION
 *	mastercf_check() judges what postconf(3) collected, one line per
 *	finding appended to out ("ok: ...", "FAIL: ...", or "skip: ..."
 *	when Postfix was not looked at), and returns -1 when a line says
 *	FAIL, else 0. Every mistake it finds passes "postfix check" and
 *	makes postmap, or smtp(8), wait on a helper that never answers.
 *
 *	A spawn service runs tlspolicyd when its argv= is a file named
 *	tlspolicyd, or this very binary. For each such service: unpriv and
 *	chroot must be "n" (chroot "-" is "n" since Postfix 3.0) (spawn(8)
 *	starts as root to switch to user=; the
 *	helper reads files outside the queue directory); user= must be
 *	present and name tlspolicyd's user parameter (user=NAME:GROUP too;
 *	the account that
 *	owns the cache); argv= must be an absolute path to a regular file
 *	this user may execute; maxproc must be 0 (at a process limit
 *	Postfix queues the lookups without a word); and with Postfix 3.10
 *	or later, which kills a spawned command after NAME_time_limit
 *	(default command_time_limit, 1000s), that limit must be at least
 *	MASTERCF_MIN_TIME_LIMIT. None of them: "no spawn service runs
 *	tlspolicyd". A service whose argv= passes -c or -o gets a "note:"
 *	line: its helpers run with settings this check did not use.
 *
 *	Then smtp_tls_policy_maps (main.cf's, and any -o of master.cf) must
 *	reach one of them (tcp:HOST:PORT or socketmap:inet:HOST:PORT:NAME
 *	for an inet service, socketmap:unix:PATH:NAME with PATH
 *	private/NAME, or public/NAME for a service whose private column is
 *	"n", for a unix one; an absolute PATH fails, as a chrooted smtp(8)
 *	looks for it inside its chroot) with the protocol the
 *	Postfix version wants: on 3.10 and later socketmap with the map
 *	name QUERYwithTLSRPT (or tlsrpt = yes), so that Postfix gets the
 *	TLSRPT attributes and checks MX names against mx_host_pattern; on
 *	3.7 to 3.9 tcp: or socketmap QUERY with tlsrpt = no, as TLSRPT
 *	attributes defer the mail there ("invalid attribute name").
 * SEE ALSO
 *	postconf(3), check(3)
 *--*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mastercf.h"
#include "mem.h"

/* mastercf_seconds - a Postfix time value ("1000s", "1d"); -1 if bad */
static long mastercf_seconds(const char *value)
{
    char   *end;
    long    n;

    if (value == 0 || *value < '0' || *value > '9')
	return -1;
    errno = 0;
    n = strtol(value, &end, 10);
    if (errno != 0 || n < 0 || (end[0] != 0 && end[1] != 0))
	return -1;
    switch (*end) {
    case 0: case 's': return n;
    case 'm': return n * 60;
    case 'h': return n * 3600;
    case 'd': return n * 86400;
    case 'w': return n * 604800;
    default: return -1;
    }
}

/* mastercf_ours - does this spawn service run tlspolicyd? */
static int mastercf_ours(const PC_SVC *svc)
{
    struct stat self;
    struct stat st;
    const char *base;

    if (svc->argv0 == 0)
	return 0;
    base = strrchr(svc->argv0, '/');
    if (strcmp(base ? base + 1 : svc->argv0, MASTERCF_NAME) == 0)
	return 1;
    return stat("/proc/self/exe", &self) == 0 && stat(svc->argv0, &st) == 0
	&& self.st_dev == st.st_dev && self.st_ino == st.st_ino;
}

/* mastercf_more - a separator before one more reason */
static VSTR *mastercf_more(VSTR *why)
{
    if (why->len)
	vstr_addstr(why, "; ");
    return why;
}

/* mastercf_argv - argv= names a file the helper's user can execute */
static void mastercf_argv(const PC_SVC *svc, const CFG *cfg, VSTR *why)
{
    struct stat st;

    if (svc->argv0 == 0) {
	vstr_addstr(mastercf_more(why), "no argv=");
    } else if (*svc->argv0 != '/') {
	vstr_printf(mastercf_more(why), "argv=%s is not an absolute path", svc->argv0);
    } else if (stat(svc->argv0, &st) < 0) {
	vstr_printf(mastercf_more(why), "argv=%s: %s", svc->argv0, strerror(errno));
    } else if (!S_ISREG(st.st_mode) || access(svc->argv0, X_OK) < 0) {
	vstr_printf(mastercf_more(why), "argv=%s is not a file user %s may"
		    " execute", svc->argv0, cfg->user);
    }
}

/* mastercf_limit - NAME_time_limit, which Postfix >= 3.10 enforces */
static void mastercf_limit(const POSTCONF *pc, const PC_SVC *svc, VSTR *why)
{
    long    secs = mastercf_seconds(svc->time_limit);
    char    want[32];

    if (!postconf_version_at_least(pc, 3, 10))
	return;
    (void) snprintf(want, sizeof(want), "%lds", (long) MASTERCF_MIN_TIME_LIMIT);
    if (secs < 0)
	vstr_printf(mastercf_more(why), "%s_time_limit: cannot read \"%s\"",
		    svc->name, svc->time_limit ? svc->time_limit : "");
    else if (secs < MASTERCF_MIN_TIME_LIMIT)
	vstr_printf(mastercf_more(why), "%s_time_limit is %s: Postfix %s kills"
		    " the helper then, mid-connection (add -o %s_time_limit=%s)",
		    svc->name, svc->time_limit, pc->version->data, svc->name, want);
}

/* mastercf_user_is - user=NAME or user=NAME:GROUP (spawn(8) takes both) */
static int mastercf_user_is(const char *value, const char *user)
{
    size_t  len = strlen(user);

    return strncmp(value, user, len) == 0 && (value[len] == 0 || value[len] == ':');
}

/* mastercf_word_sets - one argv word passes -c or -o, alone or after
 * flags in one cluster ("-vc"); q, R and F take the rest of the word as
 * their optional argument (getopt's "c:o:q::vpR::VF::th") */
static int mastercf_word_sets(const char *word, size_t len)
{
    size_t  i;

    if (len < 2 || word[0] != '-' || word[1] == '-')
	return 0;
    for (i = 1; i < len; i++) {
	if (word[i] == 'c' || word[i] == 'o')
	    return 1;
	if (strchr("qRF", word[i]) != 0)
	    return 0;
    }
    return 0;
}

/* mastercf_sets_options - the words after argv='s path pass -c or -o
 * before "--" (a path or a value that merely contains "-o" does not) */
static int mastercf_sets_options(const char *rest)
{
    size_t  len;

    for (;;) {
	rest += strspn(rest, " \t");
	if ((len = strcspn(rest, " \t")) == 0
	    || (len == 2 && strncmp(rest, "--", 2) == 0))
	    return 0;
	if (mastercf_word_sets(rest, len))
	    return 1;
	rest += len;
    }
}

/* mastercf_own_options - a note when argv= passes -c or -o: the helpers
 * of that service run with settings this check did not use */
static void mastercf_own_options(const PC_SVC *svc, VSTR *out)
{
    const char *rest = svc->argv_rest ? svc->argv_rest : "";

    if (!mastercf_sets_options(rest))
	return;
    vstr_printf(out, "note: spawn service %s/%s runs %s %s: this check used"
		" the settings of this command line; run \"%s %s -t\" to check"
		" with that service's own\n", svc->name, svc->type, svc->argv0,
		rest, svc->argv0, rest);
}

/* mastercf_service - one line for one spawn service that runs us */
static int mastercf_service(const POSTCONF *pc, const PC_SVC *svc,
			            const CFG *cfg, VSTR *out)
{
    VSTR   *why = vstr_new(128);
    const char *limit = svc->time_limit ? svc->time_limit : "?";
    const char *unpriv = svc->unpriv ? svc->unpriv : "-";
    const char *chroot = svc->chroot ? svc->chroot : "-";
    const char *maxproc = svc->maxproc ? svc->maxproc : "-";
    int     ok;

    if (strcmp(unpriv, "n") != 0)
	vstr_printf(mastercf_more(why), "unpriv is %s, must be n (spawn(8)"
		    " starts as root to switch to user=)", unpriv);
    if (strcmp(chroot, "n") != 0 && strcmp(chroot, "-") != 0)
	vstr_printf(mastercf_more(why), "chroot is %s, must be n (the helper"
		    " reads files outside the queue directory)", chroot);
    if (svc->user == 0)
	vstr_printf(mastercf_more(why), "no user=: add user=%s (the user"
		    " parameter)", cfg->user);
    else if (!mastercf_user_is(svc->user, cfg->user))
	vstr_printf(mastercf_more(why), "user=%s, but tlspolicyd's user"
		    " parameter is %s (the account that owns the cache)",
		    svc->user, cfg->user);
    mastercf_argv(svc, cfg, why);
    if (strcmp(maxproc, "0") != 0)
	vstr_printf(mastercf_more(why), "maxproc is %s, must be 0 (at a"
		    " process limit Postfix queues lookups without a word)",
		    maxproc);
    mastercf_limit(pc, svc, why);
    ok = why->len == 0;
    if (ok)
	vstr_printf(why, "unpriv n, chroot n, user=%s, maxproc 0, argv=%s"
		    " executable, %s_time_limit=%s%s", svc->user, svc->argv0,
		    svc->name, limit, postconf_version_at_least(pc, 3, 10) ? ""
		    : " (enforced from Postfix 3.10 on)");
    vstr_printf(out, "%s: spawn service %s/%s (Postfix %s, %s): %s\n",
		ok ? "ok" : "FAIL", svc->name, svc->type, pc->version->data,
		pc->config_dir->data, why->data);
    mastercf_own_options(svc, out);
    vstr_free(why);
    return ok ? 0 : -1;
}

/* A map of smtp_tls_policy_maps that may reach a spawn service. */
typedef struct MASTERCF_MAP {
    int     socketmap;			/* else tcp: */
    int     unix_path;			/* socketmap:unix: */
    char   *endpoint;			/* HOST:PORT or PATH */
    const char *name;			/* socketmap name, or "" */
} MASTERCF_MAP;

/* mastercf_map_parse - tcp:HOST:PORT, socketmap:inet|unix:WHERE:NAME;
 * -1 for any other map (copy is cut into pieces) */
static int mastercf_map_parse(char *copy, MASTERCF_MAP *map)
{
    char   *colon;

    if (strncmp(copy, "proxy:", 6) == 0)
	copy += 6;
    memset(map, 0, sizeof(*map));
    map->name = "";
    if (strncmp(copy, "tcp:", 4) == 0) {
	map->endpoint = copy + 4;
	return 0;
    }
    if (strncmp(copy, "socketmap:", 10) != 0)
	return -1;
    copy += 10;
    if (strncmp(copy, "unix:", 5) == 0)
	map->unix_path = 1;
    else if (strncmp(copy, "inet:", 5) != 0)
	return -1;
    if ((colon = strrchr(copy + 5, ':')) == 0)
	return -1;
    *colon = 0;
    map->socketmap = 1;
    map->endpoint = copy + 5;
    map->name = colon + 1;
    return 0;
}

/* mastercf_suffix - is text dir+name, or an absolute path ending in
 * "/" dir+name? */
static int mastercf_suffix(const char *text, const char *dir, const char *name)
{
    size_t  tl = strlen(text);
    size_t  dl = strlen(dir);
    size_t  nl = strlen(name);

    if (tl < dl + nl || strcmp(text + tl - nl, name) != 0
	|| strncmp(text + tl - nl - dl, dir, dl) != 0)
	return 0;
    return tl == dl + nl || (*text == '/' && text[tl - nl - dl - 1] == '/');
}

/* mastercf_unix_dir - where master(8) puts a unix service's socket: the
 * private column "n" means public/, "y" and "-" (the default) private/ */
static const char *mastercf_unix_dir(const PC_SVC *svc)
{
    return svc->private && strcmp(svc->private, "n") == 0 ? "public/" : "private/";
}

/* mastercf_reaches - does the map connect to this service? */
static int mastercf_reaches(const MASTERCF_MAP *map, const PC_SVC *svc)
{
    const char *port;

    if (strcmp(svc->type, "unix") == 0)
	return map->unix_path
	    && mastercf_suffix(map->endpoint, mastercf_unix_dir(svc), svc->name);
    if (strcmp(svc->type, "inet") != 0 || map->unix_path)
	return 0;
    if (strcmp(map->endpoint, svc->name) == 0)
	return 1;
    port = strrchr(map->endpoint, ':');	/* a service that is a port only */
    return strchr(svc->name, ':') == 0 && port && strcmp(port + 1, svc->name) == 0;
}

/* mastercf_protocol - the map's protocol for this Postfix version */
static int mastercf_protocol(const POSTCONF *pc, const MASTERCF_MAP *map,
			             const CFG *cfg, VSTR *why)
{
    int     with_rpt = map->socketmap && strcmp(map->name, "QUERYwithTLSRPT") == 0;

    if (map->socketmap && !with_rpt && strcmp(map->name, "QUERY") != 0) {
	vstr_printf(why, "socketmap name %s: tlspolicyd knows QUERY and"
		    " QUERYwithTLSRPT", map->name);
	return -1;
    }
    if (postconf_version_at_least(pc, 3, 10)) {
	if (with_rpt || cfg->tlsrpt)
	    return vstr_addstr(why, "TLSRPT attributes sent, as Postfix 3.10"
			       " wants them"), 0;
	vstr_printf(why, "Postfix %s gets no TLSRPT attributes this way and"
		    " then does not check MX names against mx_host_pattern:"
		    " use socketmap:%s:%s:QUERYwithTLSRPT", pc->version->data,
		    map->unix_path ? "unix" : "inet", map->endpoint);
	return -1;
    }
    if (!with_rpt && !cfg->tlsrpt)
	return vstr_addstr(why, "no TLSRPT attributes, as Postfix before 3.10"
			   " wants"), 0;
    vstr_printf(why, "Postfix %s defers the mail on TLSRPT attributes"
		" (\"invalid attribute name\"): use %s%s%s with tlsrpt = no",
		pc->version->data, map->unix_path ? "socketmap:unix:" : "tcp:",
		map->endpoint, map->unix_path ? ":QUERY" : "");
    return -1;
}

/* mastercf_map_line - judge one map of one setting; 1 when it reaches us */
static int mastercf_map_line(const POSTCONF *pc, const CFG *cfg,
			             const char *where, const char *entry,
			             VSTR *out, int *failed)
{
    char   *copy = mem_strdup(entry);
    VSTR   *why = vstr_new(128);
    MASTERCF_MAP map;
    const PC_SVC *svc = 0;
    int     ok = 0;

    if (mastercf_map_parse(copy, &map) == 0)	/* once: it cuts copy */
	for (svc = pc->spawn; svc; svc = svc->next)
	    if (mastercf_ours(svc) && mastercf_reaches(&map, svc))
		break;
    if (svc) {
	if (map.unix_path && *map.endpoint == '/')
	    vstr_printf(why, "an absolute socket path, which a chrooted smtp(8)"
			" (Debian's default) looks for inside its chroot: use"
			" socketmap:unix:%s%s:%s, relative to the queue"
			" directory", mastercf_unix_dir(svc), svc->name, map.name);
	else
	    ok = mastercf_protocol(pc, &map, cfg, why) == 0;
	vstr_printf(out, "%s: smtp_tls_policy_maps (%s): %s reaches spawn"
		    " service %s/%s: %s\n", ok ? "ok" : "FAIL", where, entry,
		    svc->name, svc->type, why->data);
	*failed += !ok;
    }
    mem_free(copy);
    vstr_free(why);
    return svc != 0;
}

/* mastercf_maps - every map of every smtp_tls_policy_maps setting */
static int mastercf_maps(const POSTCONF *pc, const CFG *cfg, VSTR *out)
{
    char   *text = mem_strdup(pc->maps->data);
    char   *line, *entry, *tab;
    char   *save = 0;
    char   *save2 = 0;
    int     reached = 0;
    int     failed = 0;

    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
	if ((tab = strchr(line, '\t')) == 0)
	    continue;
	*tab++ = 0;
	for (entry = strtok_r(tab, ", \t", &save2); entry;
	     entry = strtok_r(0, ", \t", &save2))
	    reached += mastercf_map_line(pc, cfg, line, entry, out, &failed);
    }
    mem_free(text);
    if (reached == 0) {
	vstr_addstr(out, "FAIL: smtp_tls_policy_maps: no map reaches a spawn"
		    " service that runs tlspolicyd (");
	for (line = pc->maps->data; *line; line++) {
	    if (*line == '\t')
		vstr_addstr(out, ": ");
	    else if (*line == '\n' && line[1])
		vstr_addstr(out, "; ");
	    else if (*line != '\n')
		vstr_addch(out, *line);
	}
	vstr_addstr(out, ")\n");
	return -1;
    }
    return failed ? -1 : 0;
}

/* mastercf_check - every spawn service that runs us, then the map */
int     mastercf_check(const POSTCONF *pc, const CFG *cfg, VSTR *out)
{
    const PC_SVC *svc;
    int     ours = 0;
    int     failed = 0;

    if (pc->skip->len) {
	vstr_printf(out, "skip: postfix: not checked: %s\n", pc->skip->data);
	return 0;
    }
    if (pc->error->len) {
	vstr_printf(out, "FAIL: postfix: %s\n", pc->error->data);
	return -1;
    }
    for (svc = pc->spawn; svc; svc = svc->next) {
	if (!mastercf_ours(svc))
	    continue;
	ours++;
	failed += mastercf_service(pc, svc, cfg, out) < 0;
    }
    if (ours == 0) {
	vstr_printf(out, "FAIL: postfix %s (%s): no spawn service runs"
		    " tlspolicyd (master.cf: see README, Postfix setup)\n",
		    pc->version->data, pc->config_dir->data);
	return -1;
    }
    failed += mastercf_maps(pc, cfg, out) < 0;
    return failed ? -1 : 0;
}
