/*++
 * NAME
 *	postconf 3
 * SUMMARY
 *	what Postfix's postconf(1) says about its spawn services
 * SYNOPSIS
 *	#include "postconf.h"
 *
 *	POSTCONF *postconf_collect(void)
 *	void	postconf_free(POSTCONF *pc)
 *	int	postconf_version_at_least(const POSTCONF *pc, int major,
 *				int minor)
 * DESCRIPTION
 *	postconf_collect() runs postconf(1), found in PATH, with the
 *	environment of the caller (so MAIL_CONFIG names another Postfix
 *	instance, as for every Postfix command): "postconf -xh
 *	mail_version config_directory smtp_tls_policy_maps", "postconf -F"
 *	(the master.cf fields of every service), "postconf -P" (their -o
 *	parameters) and, for each spawn(8) service, "postconf -xh
 *	NAME_time_limit" (main.cf's value, "$command_time_limit" by
 *	default). It keeps every spawn service with the columns as written,
 *	the user= and argv= of its command, and the time limit that applies
 *	(an -o first); and every smtp_tls_policy_maps value, main.cf's and
 *	those of -o options, one "WHERE\tVALUE" line each.
 *
 *	It never fails: pc->skip says why nothing was looked at (not run
 *	as root: the caller runs it before it gives up root, as Postfix's
 *	own commands read their files; postconf not found in PATH), and
 *	pc->error what a postconf run that failed printed.
 *
 *	postconf_version_at_least() compares mail_version.
 * SECURITY
 *	Each run is bounded: POSTCONF_TIMEOUT seconds (then SIGKILL) and
 *	POSTCONF_MAX_OUT bytes of output; stdin is /dev/null. Its
 *	standard error is read apart from its output (a warning such as
 *	"undefined parameter" is not a value) and reported when the run
 *	fails.
 *--*/
#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "mem.h"
#include "postconf.h"

/* postconf_child - the child: stdout and stderr to their pipes, exec
 * postconf */
static void postconf_child(int out_fd, int err_fd, char *const argv[])
{
    int     null = open("/dev/null", O_RDONLY);

    if (null >= 0 && null != 0) {
	(void) dup2(null, 0);
	(void) close(null);
    }
    (void) dup2(out_fd, 1);
    (void) dup2(err_fd, 2);		/* warnings must not be read as values */
    if (out_fd > 2)
	(void) close(out_fd);
    if (err_fd > 2)
	(void) close(err_fd);
    (void) execvp(argv[0], argv);
    _exit(127);
}

/* postconf_drain - read what is there; 1 at EOF or an error */
static int postconf_drain(int fd, VSTR *into)
{
    char    buf[4096];
    ssize_t n = read(fd, buf, sizeof(buf));

    if (n > 0) {
	vstr_addmem(into, buf, (size_t) n);
	return 0;
    }
    return n == 0 || errno != EINTR;
}

/* postconf_read - stdout and stderr until both end, the deadline or the
 * size limit; 0 when both ended */
static int postconf_read(int out_fd, int err_fd, VSTR *out, VSTR *err)
{
    time_t  until = time(0) + POSTCONF_TIMEOUT;
    struct pollfd pfd[2];
    VSTR   *into[2] = {out, err};
    int     open_fds = 2;
    int     i;

    pfd[0].fd = out_fd;
    pfd[1].fd = err_fd;
    pfd[0].events = pfd[1].events = POLLIN;
    while (open_fds > 0 && time(0) < until
	   && out->len + err->len < POSTCONF_MAX_OUT) {
	if (poll(pfd, 2, 1000) < 0 && errno != EINTR)
	    return -1;
	for (i = 0; i < 2; i++) {
	    if (pfd[i].fd < 0 || pfd[i].revents == 0)
		continue;
	    if (postconf_drain(pfd[i].fd, into[i])) {	/* EOF, POLLERR too */
		pfd[i].fd = -1;
		open_fds--;
	    }
	}
    }
    return open_fds == 0 ? 0 : -1;
}

/* postconf_close4 - both ends of both pipes (-1: not open) */
static void postconf_close4(int ofd[2], int efd[2])
{
    int     i;

    for (i = 0; i < 2; i++) {
	if (ofd[i] >= 0)
	    (void) close(ofd[i]);
	if (efd[i] >= 0)
	    (void) close(efd[i]);
    }
}

/* postconf_run - postconf ARGS...; its output in out, its errors in err;
 * 0 when it exited 0 */
static int postconf_run(char *const argv[], VSTR *out, VSTR *err)
{
    int     ofd[2];
    int     efd[2];
    int     status = 0;
    int     read_ok;
    pid_t   pid;

    vstr_reset(out);
    vstr_reset(err);
    if (pipe(ofd) < 0)
	return -1;
    if (pipe(efd) < 0)
	efd[0] = efd[1] = -1;
    if (efd[0] < 0 || (pid = fork()) < 0) {
	postconf_close4(ofd, efd);
	return -1;
    }
    if (pid == 0) {
	(void) close(ofd[0]);
	(void) close(efd[0]);
	postconf_child(ofd[1], efd[1], argv);
    }
    (void) close(ofd[1]);
    (void) close(efd[1]);
    read_ok = postconf_read(ofd[0], efd[0], out, err);
    (void) close(ofd[0]);
    (void) close(efd[0]);
    if (read_ok < 0)
	(void) kill(pid, SIGKILL);
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
	 /* void */ ;
    return read_ok == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* postconf_in_path - is there an executable postconf in PATH? */
static int postconf_in_path(void)
{
    const char *path = getenv("PATH");
    VSTR   *file = vstr_new(64);
    const char *cp;
    size_t  len;
    int     found = 0;

    for (cp = path ? path : ""; *cp && !found; cp += len + (cp[len] == ':')) {
	len = strcspn(cp, ":");
	vstr_reset(file);
	vstr_addmem(file, cp, len);
	vstr_addstr(file, "/postconf");
	found = len > 0 && access(file->data, X_OK) == 0;
    }
    vstr_free(file);
    return found;
}

/* postconf_line_field - "NAME/TYPE/FIELD = VALUE": the parts, or -1 */
static int postconf_line_field(char *line, char **name, char **type,
			               char **field, char **value)
{
    char   *eq = strstr(line, " = ");
    char   *slash;

    if (eq == 0)
	return -1;
    *eq = 0;
    *value = eq + 3;
    *name = line;
    if ((slash = strrchr(line, '/')) == 0)
	return -1;
    *slash = 0;
    *field = slash + 1;
    if ((slash = strrchr(line, '/')) == 0)
	return -1;
    *slash = 0;
    *type = slash + 1;
    return 0;
}

/* postconf_command - user= and argv= of a spawn command line */
static void postconf_command(PC_SVC *svc, const char *command)
{
    char   *copy = mem_strdup(command);
    char   *word;
    char   *save = 0;
    int     braces = 0;

    for (word = strtok_r(copy, " \t", &save); word; word = strtok_r(0, " \t", &save)) {
	if (braces > 0 || *word == '{') {	/* -o { name = value } */
	    braces += (*word == '{') - (word[strlen(word) - 1] == '}');
	    continue;
	}
	if (strncmp(word, "user=", 5) == 0 && svc->user == 0) {
	    svc->user = mem_strdup(word + 5);
	} else if (strncmp(word, "argv=", 5) == 0) {
	    svc->argv0 = mem_strdup(word + 5);
	    svc->argv_rest = mem_strdup(save ? save : "");
	    break;
	}
    }
    mem_free(copy);
}

/* postconf_field - one -F line into the service being read */
static void postconf_field(PC_SVC *svc, const char *field, const char *value)
{
    static const struct {
	const char *name;
	size_t  offset;
    } columns[] = {
	{"private", offsetof(PC_SVC, private)},
	{"unprivileged", offsetof(PC_SVC, unpriv)},
	{"chroot", offsetof(PC_SVC, chroot)},
	{"process_limit", offsetof(PC_SVC, maxproc)},
    };
    size_t  i;

    for (i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
	if (strcmp(field, columns[i].name) == 0) {
	    char  **slot = (char **) ((char *) svc + columns[i].offset);

	    mem_free(*slot);
	    *slot = mem_strdup(value);
	}
    }
}

/* postconf_free_svc - one service */
static void postconf_free_svc(PC_SVC *svc)
{
    mem_free(svc->name);
    mem_free(svc->type);
    mem_free(svc->private);
    mem_free(svc->unpriv);
    mem_free(svc->chroot);
    mem_free(svc->maxproc);
    mem_free(svc->user);
    mem_free(svc->argv0);
    mem_free(svc->argv_rest);
    mem_free(svc->time_limit);
    mem_free(svc);
}

/* postconf_services - the spawn services of "postconf -F" output */
static PC_SVC *postconf_services(char *text)
{
    PC_SVC *head = 0;
    PC_SVC **tail = &head;
    PC_SVC *cur = mem_calloc(1, sizeof(*cur));
    char   *line;
    char   *save = 0;
    char   *name, *type, *field, *value;

    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
	if (postconf_line_field(line, &name, &type, &field, &value) < 0)
	    continue;
	postconf_field(cur, field, value);
	if (strcmp(field, "command") != 0)
	    continue;
	if (strncmp(value, "spawn", 5) == 0 && (value[5] == ' ' || value[5] == 0)) {
	    cur->name = mem_strdup(name);
	    cur->type = mem_strdup(type);
	    postconf_command(cur, value);
	    *tail = cur;
	    tail = &cur->next;
	    cur = mem_calloc(1, sizeof(*cur));
	} else {
	    postconf_free_svc(cur);
	    cur = mem_calloc(1, sizeof(*cur));
	}
    }
    postconf_free_svc(cur);
    return head;
}

/* postconf_params - "postconf -P": time limits and policy maps set by -o */
static void postconf_params(POSTCONF *pc, char *text)
{
    char   *line;
    char   *save = 0;
    char   *name, *type, *field, *value;
    size_t  len;
    PC_SVC *svc;

    for (line = strtok_r(text, "\n", &save); line; line = strtok_r(0, "\n", &save)) {
	if (postconf_line_field(line, &name, &type, &field, &value) < 0)
	    continue;
	if (strcmp(field, "smtp_tls_policy_maps") == 0)
	    vstr_printf(pc->maps, "%s/%s -o\t%s\n", name, type, value);
	len = strlen(name);
	if (strncmp(field, name, len) != 0 || strcmp(field + len, "_time_limit") != 0)
	    continue;
	for (svc = pc->spawn; svc; svc = svc->next) {
	    if (strcmp(svc->name, name) == 0 && strcmp(svc->type, type) == 0) {
		mem_free(svc->time_limit);
		svc->time_limit = mem_strdup(value);
		svc->limit_from_o = 1;
	    }
	}
    }
}

/* postconf_failed - a run that failed: its first error line (or output
 * line) as the error */
static void postconf_failed(POSTCONF *pc, const char *what, const VSTR *out,
			            const VSTR *err)
{
    const char *text = err->len > 0 ? err->data : out->data;
    size_t  len = strcspn(text, "\n");

    vstr_printf(pc->error, "%s failed", what);
    if (len > 0)
	vstr_printf(pc->error, ": %.*s", (int) (len > 300 ? 300 : len), text);
}

/* postconf_config_dir - config_directory, not expanded: Postfix 3.10's
 * "postconf -x" prints the built-in /etc/postfix even under MAIL_CONFIG */
static void postconf_config_dir(POSTCONF *pc, VSTR *out, VSTR *err)
{
    char   *argv[] = {"postconf", "-h", "config_directory", 0};

    if (postconf_run(argv, out, err) == 0 && out->data[0] != 0) {
	vstr_reset(pc->config_dir);
	vstr_addmem(pc->config_dir, out->data, strcspn(out->data, "\n"));
    }
}

/* postconf_main - mail_version, config_directory, smtp_tls_policy_maps */
static int postconf_main(POSTCONF *pc, VSTR *out, VSTR *err)
{
    char   *argv[] = {"postconf", "-xh", "mail_version", "config_directory",
    "smtp_tls_policy_maps", 0};
    VSTR   *dest[] = {pc->version, pc->config_dir, 0};
    const char *cp;
    size_t  len;
    int     i;

    if (postconf_run(argv, out, err) < 0) {
	postconf_failed(pc, "postconf -xh mail_version", out, err);
	return -1;
    }
    for (cp = out->data, i = 0; *cp; cp += len + (cp[len] == '\n'), i++) {
	len = strcspn(cp, "\n");
	if (i < 2)
	    vstr_addmem(dest[i], cp, len);
	else if (i == 2)
	    vstr_printf(pc->maps, "main.cf\t%.*s\n", (int) len, cp);
    }
    postconf_config_dir(pc, out, err);
    return 0;
}

/* postconf_limits - NAME_time_limit from main.cf for services without -o */
static void postconf_limits(POSTCONF *pc, VSTR *out, VSTR *err)
{
    PC_SVC *svc;
    VSTR   *param = vstr_new(64);
    char   *argv[] = {"postconf", "-xh", 0, 0};

    for (svc = pc->spawn; svc; svc = svc->next) {
	if (svc->limit_from_o)
	    continue;
	vstr_reset(param);
	vstr_printf(param, "%s_time_limit", svc->name);
	argv[2] = param->data;
	if (postconf_run(argv, out, err) == 0) {
	    out->data[strcspn(out->data, "\n")] = 0;
	    svc->time_limit = mem_strdup(out->data);
	}
    }
    vstr_free(param);
}

/* postconf_collect - as root: what postconf says; never NULL */
POSTCONF *postconf_collect(void)
{
    POSTCONF *pc = mem_calloc(1, sizeof(*pc));
    VSTR   *out = vstr_new(4096);
    VSTR   *err = vstr_new(256);
    char   *fields[] = {"postconf", "-F", 0};
    char   *params[] = {"postconf", "-P", 0};

    pc->skip = vstr_new(64);
    pc->error = vstr_new(64);
    pc->version = vstr_new(16);
    pc->config_dir = vstr_new(64);
    pc->maps = vstr_new(128);
    if (geteuid() != 0)
	vstr_addstr(pc->skip, "not run as root (run tlspolicyd -t as root"
		    " to check master.cf and main.cf)");
    else if (!postconf_in_path())
	vstr_addstr(pc->skip, "postconf not found in PATH (is Postfix"
		    " installed?)");
    else if (postconf_main(pc, out, err) == 0) {
	if (postconf_run(fields, out, err) < 0) {
	    postconf_failed(pc, "postconf -F", out, err);
	} else {
	    pc->spawn = postconf_services(out->data);
	    if (postconf_run(params, out, err) == 0)
		postconf_params(pc, out->data);
	    postconf_limits(pc, out, err);
	}
    }
    vstr_free(out);
    vstr_free(err);
    return pc;
}

/* postconf_version_at_least - mail_version >= major.minor */
int     postconf_version_at_least(const POSTCONF *pc, int major, int minor)
{
    int     ma = 0;
    int     mi = 0;

    if (sscanf(pc->version->data, "%d.%d", &ma, &mi) < 1)
	return 0;
    return ma > major || (ma == major && mi >= minor);
}

/* postconf_free - release */
void    postconf_free(POSTCONF *pc)
{
    PC_SVC *next;

    if (pc == 0)
	return;
    for (; pc->spawn; pc->spawn = next) {
	next = pc->spawn->next;
	postconf_free_svc(pc->spawn);
    }
    vstr_free(pc->skip);
    vstr_free(pc->error);
    vstr_free(pc->version);
    vstr_free(pc->config_dir);
    vstr_free(pc->maps);
    mem_free(pc);
}
