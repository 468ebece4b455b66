/*++
 * NAME
 *	log 3
 * SUMMARY
 *	diagnostics for a helper whose stderr is a socket
 * SYNOPSIS
 *	#include "log.h"
 *
 *	void	log_init(const char *ident, LOG_DEST dest)
 *	void	log_forked(void)
 *	void	log_hold(void)
 *	void	log_release(void)
 *	long	log_held_age(void)
 *	int	log_to_file(const char *path)
 *	int	log_file_check(const char *path)
 *	const char *log_where(void)
 *	void	log_info(const char *fmt, ...)
 *	void	log_info_text(const char *text)
 *	void	log_warn(const char *fmt, ...)
 *	void	log_fatal(const char *fmt, ...)
 *	void	log_panic(const char *fmt, ...)
 *	void	log_debug(const char *fmt, ...)
 *	char	*log_safe(char *dst, size_t dstsize, const void *src, size_t len)
 *
 *	void	log_set_verbose(int verbose)
 *	int	log_verbose(void)
 *	void	log_set_info(int on)
 *	void	log_set_also_stderr(int yes)
 * DESCRIPTION
 *	In service mode spawn(8) connects stdin, stdout and stderr to the
 *	client socket, so nothing may ever be written to stderr. Messages
 *	go to syslog with facility mail, or appended to the file named by
 *	log_file (one write() per line, O_APPEND, so that concurrent
 *	helpers do not interleave). In -q mode they go to stderr.
 *
 *	With LOG_DEST_SYSLOG chosen by log_init(), the first line (or
 *	log_where()) first checks that a syslog daemon
 *	listens on _PATH_LOG (/dev/log: a connect() to the datagram socket;
 *	containers and minimal hosts have none, and syslog(3) would drop
 *	every line without a word). Without one, messages go to
 *	LOG_FALLBACK_FILE (LOCALSTATEDIR/log/tlspolicyd/tlspolicyd.log, a
 *	directory the Debian package creates for the helper's user); when
 *	that cannot be opened either they are lost: stderr is never used in
 *	service mode. log_where() names the destination in use, for
 *	messages that say where the log went. The check waits for that
 *	first use because a helper that logs to log_file (log_to_file()
 *	before any line) needs no syslog: three system calls less for
 *	every new connection.
 *
 *	log_file_check() opens path exactly as log_to_file() does (the
 *	same flags, so the same refusals) and closes it again: tlspolicyd
 *	-t's check of log_file. It returns 0, or -1 with errno set.
 *
 *	log_forked() makes a child process log its own process ID (the ID
 *	is read once, not for every line), and drops lines its parent held.
 *
 *	log_hold() keeps the lines that go to a log_file in memory (up to
 *	LOG_HELD_MAX bytes; a fatal or panic line, or a full buffer, writes
 *	them at once) until log_release() writes them all with one write():
 *	the server holds a lookup's lines until its reply is sent, so the
 *	client does not wait for the file system. Syslog and stderr lines
 *	are never held. log_held_age() is how many milliseconds the oldest
 *	held line has waited, -1 when none does.
 *
 *	Lines written to a file start as Postfix's own maillog_file lines
 *	and syslog's do: "Dec  7 04:20:54 host tlspolicyd[PID]: ", local
 *	time (the time zone is read at the first line), so the two logs
 *	read side by side.
 *
 *	Levels follow Postfix: info (no prefix), "warning:", "fatal:"
 *	(environment or configuration, exit status 1), "panic:" (our own
 *	bug, abort). log_debug() logs only when verbose logging is on.
 *
 *	log_safe() makes untrusted bytes printable (\xHH escapes) and cuts
 *	them at LOG_SAFE_MAX characters, marking the cut with "...".
 * SECURITY
 *	Every peer-supplied string must pass through log_safe() before it
 *	is logged.
 * *
 *	log_set_verbose() turns log_debug() lines on or off, log_verbose()
 *	says which; log_set_info() does the same for log_info() in command
 *	modes (-q shows them only with -v); log_set_also_stderr() also
 *	copies fatal errors to stderr (the daemon turns it on only when
 *	stderr is a terminal: in service mode it is the client socket).
--*/
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *log_ident = "tlspolicyd";
static LOG_DEST log_dest = LOG_DEST_STDERR;
static int log_fd = -1;
static int log_verbose_flag;
static int log_stderr_too;
static int log_info_on = 1;
static long log_pid;			/* getpid() once, log_forked() after fork */
static time_t log_stamp_time = -1;	/* log_stamp is for this second */
static char log_stamp[80];
static int log_syslog_due;		/* syslog chosen, not yet checked */
static int log_holding;			/* log_hold() is in force */
static char log_held[LOG_HELD_MAX];	/* file lines waiting for log_release() */
static size_t log_held_len;
static long long log_held_since;	/* monotonic ms of the oldest one */
static char log_head_text[160];		/* log_head(): stamp, ident, pid */
static size_t log_head_len;
static long log_head_pid;

static char log_path[256];		/* the file in use, for log_where() */

/* log_ms - a monotonic clock in milliseconds */
static long long log_ms(void)
{
    struct timespec ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* log_held_age - ms the oldest held line has waited; -1: none */
long    log_held_age(void)
{
    return log_held_len > 0 ? (long) (log_ms() - log_held_since) : -1;
}

/* log_write_held - the held lines, now */
static void log_write_held(void)
{
    if (log_held_len > 0 && log_fd >= 0)
	(void) !write(log_fd, log_held, log_held_len);
    log_held_len = 0;
}

/* log_syslog_alive - does a syslog daemon listen on _PATH_LOG? */
static int log_syslog_alive(void)
{
    struct sockaddr_un sun;
    int     fd;
    int     ok;

    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    (void) snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", _PATH_LOG);
    if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
	return 1;			/* cannot tell: keep syslog */
    ok = connect(fd, (struct sockaddr *) &sun, sizeof(sun)) == 0;
    (void) close(fd);
    return ok;
}

/* log_init - choose the destination (syslog: checked at its first use) */
void log_init(const char *ident, LOG_DEST dest)
{
    log_ident = ident;
    log_dest = dest;
    log_pid = (long) getpid();
    log_stamp_time = -1;
    log_syslog_due = dest == LOG_DEST_SYSLOG;
}

/* log_settle - syslog's first use: a daemon listens, else the fallback file */
static void log_settle(void)
{
    if (!log_syslog_due || log_dest != LOG_DEST_SYSLOG)
	return;
    log_syslog_due = 0;
    if (!log_syslog_alive() && log_to_file(LOG_FALLBACK_FILE) == 0)
	return;
    openlog(log_ident, LOG_PID, LOG_MAIL);	/* connects at the first line */
}

/* log_where - the destination in use, for messages */
const char *log_where(void)
{
    log_settle();
    switch (log_dest) {
    case LOG_DEST_SYSLOG: return "syslog";
    case LOG_DEST_FILE: return log_path;
    case LOG_DEST_STDERR: return "stderr";
    }
    return "?";
}

/* log_forked - a child process logs its own process ID */
void    log_forked(void)
{
    log_pid = (long) getpid();
    log_holding = 0;
    log_held_len = 0;			/* the parent writes its own */
}

/* log_local - "Mmm dd HH:MM:SS" in local time, as Postfix's maillog_file
 * and syslog write it (the C locale's month names: no setlocale()) */
static void log_local(char *buf, size_t size, time_t now)
{
    struct tm tm;

    if (localtime_r(&now, &tm) == 0 || strftime(buf, size, "%b %e %H:%M:%S", &tm) == 0)
	(void) snprintf(buf, size, "%lld", (long long) now);
}

/* log_host - this host's name, once (gethostname(): as syslog has it) */
static const char *log_host(void)
{
    static char host[128];

    if (host[0] == 0 && (gethostname(host, sizeof(host) - 1) < 0 || host[0] == 0))
	(void) snprintf(host, sizeof(host), "localhost");
    return host;
}

/* log_file_open - open a log file as a helper does; -1 with errno */
static int log_file_open(const char *path)
{
    return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY,
		0640);
}

/* log_file_check - can a helper open path as its log? -1 with errno */
int     log_file_check(const char *path)
{
    int     fd = log_file_open(path);

    if (fd < 0)
	return -1;
    (void) close(fd);
    return 0;
}

/* log_to_file - append to a file; -1 (errno set) when it cannot be opened */
int log_to_file(const char *path)
{
    int fd = log_file_open(path);

    if (fd < 0)
	return -1;
    log_write_held();
    if (log_fd >= 0)
	(void) close(log_fd);
    log_fd = fd;
    log_dest = LOG_DEST_FILE;
    log_syslog_due = 0;
    (void) snprintf(log_path, sizeof(log_path), "%s", path);
    return 0;
}

/* log_set_verbose - enable debug logging */
void log_set_verbose(int verbose)
{
    log_verbose_flag = verbose;
}

/* log_verbose - is debug logging on? */
int log_verbose(void)
{
    return log_verbose_flag;
}

/* log_set_info - show info lines (the -q CLI hides them unless -v) */
void log_set_info(int on)
{
    log_info_on = on;
}

/* log_set_also_stderr - also copy fatal errors to a terminal */
void log_set_also_stderr(int yes)
{
    log_stderr_too = yes;
}

/* log_append - up to room bytes of src at buf + at; the new length */
static size_t log_append(char *buf, size_t at, size_t room, const char *src,
			         size_t len)
{
    if (at >= room)
	return at;
    if (len > room - at)
	len = room - at;
    memcpy(buf + at, src, len);
    return at + len;
}

/* log_head - "STAMP host ident[pid]: ", made again once a second */
static size_t log_head(time_t now)
{
    int     n;

    if (log_pid == 0)
	log_pid = (long) getpid();
    if (now != log_stamp_time || log_pid != log_head_pid) {
	log_local(log_stamp, sizeof(log_stamp), now);
	n = snprintf(log_head_text, sizeof(log_head_text), "%s %s %s[%ld]: ",
		     log_stamp, log_host(), log_ident, log_pid);
	log_head_len = n < 0 ? 0 : (size_t) n >= sizeof(log_head_text) ?
	    sizeof(log_head_text) - 1 : (size_t) n;
	log_stamp_time = now;
	log_head_pid = log_pid;
    }
    return log_head_len;
}

/* log_hold - keep file lines until log_release() */
void    log_hold(void)
{
    log_holding = 1;
}

/* log_release - write the held lines, stop holding */
void    log_release(void)
{
    log_holding = 0;
    log_write_held();
}

/* log_out - one file line: held, or written with what was held */
static void log_out(const char *line, size_t n, int urgent)
{
    if (log_holding && !urgent && n <= sizeof(log_held)) {
	if (log_held_len + n > sizeof(log_held))
	    log_write_held();
	if (log_held_len == 0)
	    log_held_since = log_ms();
	memcpy(log_held + log_held_len, line, n);
	log_held_len += n;
	return;
    }
    log_write_held();
    (void) !write(log_fd, line, n);
}

/* log_line_file - one line with a timestamp, written once (cut to fit) */
static void log_line_file(const char *prefix, const char *text, int urgent)
{
    char    line[2048];
    size_t  room = sizeof(line) - 1;	/* the newline always fits */
    size_t  n;

    n = log_head(time(0));
    memcpy(line, log_head_text, n);
    n = log_append(line, n, room, prefix, strlen(prefix));
    n = log_append(line, n, room, text, strlen(text));
    line[n++] = '\n';
    log_out(line, n, urgent);
}

/* log_line_stderr - one line on stderr, no timestamp */
static void log_line_stderr(const char *prefix, const char *text)
{
    char    line[2048];
    int     n;

    n = snprintf(line, sizeof(line), "%s: %s%s\n", log_ident, prefix, text);
    if (n < 0)
	return;
    if ((size_t) n >= sizeof(line)) {
	n = (int) sizeof(line) - 1;
	line[n - 1] = '\n';
    }
    (void) !write(2, line, (size_t) n);
}

/* log_shown - are lines of this priority logged now? */
static int log_shown(int prio)
{
    if (prio == LOG_DEBUG)
	return log_verbose_flag;
    if (prio == LOG_INFO)
	return log_info_on;
    return 1;
}

/* log_emit_text - send one message to its destination */
static void log_emit_text(int prio, const char *prefix, const char *text)
{
    int     saved_errno = errno;

    log_settle();
    switch (log_dest) {
    case LOG_DEST_SYSLOG:
	syslog(prio, "%s%s", prefix, text);
	break;
    case LOG_DEST_FILE:
	log_line_file(prefix, text, prio == LOG_CRIT);
	break;
    case LOG_DEST_STDERR:
	log_line_stderr(prefix, text);
	break;
    }
    if (log_stderr_too && log_dest != LOG_DEST_STDERR
	&& (prio == LOG_CRIT || prio == LOG_ERR))
	log_line_stderr(prefix, text);
    errno = saved_errno;
}

/* log_emit - format one message and send it, if shown */
static void log_emit(int prio, const char *prefix, const char *fmt,
		             va_list ap)
{
    char    text[LOG_TEXT_MAX];

    if (!log_shown(prio))
	return;
    (void) vsnprintf(text, sizeof(text), fmt, ap);
    log_emit_text(prio, prefix, text);
}

/* log_info_text - log_info() of a text already made, without printf */
void    log_info_text(const char *text)
{
    if (log_shown(LOG_INFO))
	log_emit_text(LOG_INFO, "", text);
}

/*
 * log_debug - verbose diagnostics (only with log_set_verbose())
 * log_info - normal operation (hidden by log_set_info(0))
 * log_warn - something is degraded but we go on
 * log_fatal - environment or configuration problem: exit 1
 * log_panic - our own bug: abort
 *
 * They differ only in priority, prefix and what follows the line, so
 * one definition makes all five.
 */
#define LOG_LEVEL_FN(log_name, prio, prefix, then) \
void log_name(const char *fmt,...) \
{ \
    va_list ap; \
 \
    va_start(ap, fmt); \
    log_emit(prio, prefix, fmt, ap); \
    va_end(ap); \
    then; \
}

LOG_LEVEL_FN(log_debug, LOG_DEBUG, "debug: ", (void) 0)
LOG_LEVEL_FN(log_info, LOG_INFO, "", (void) 0)
LOG_LEVEL_FN(log_warn, LOG_WARNING, "warning: ", (void) 0)
LOG_LEVEL_FN(log_fatal, LOG_CRIT, "fatal: ", exit(1))
LOG_LEVEL_FN(log_panic, LOG_CRIT, "panic: ", abort())

/* log_safe - printable, length-limited copy of untrusted bytes */
char *log_safe(char *dst, size_t dstsize, const void *src, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *cp = src;
    size_t  out = 0;
    size_t  i;

    if (dstsize < 8)
	log_panic("log_safe: buffer too small");
    for (i = 0; i < len && i < LOG_SAFE_MAX && out + 8 < dstsize; i++) {
	unsigned ch = cp[i];

	if (ch >= 0x20 && ch < 0x7f && ch != '\\') {
	    dst[out++] = (char) ch;
	} else {
	    dst[out++] = '\\';
	    dst[out++] = 'x';
	    dst[out++] = hex[ch >> 4];
	    dst[out++] = hex[ch & 15];
	}
    }
    if (i < len) {
	memcpy(dst + out, "...", 3);
	out += 3;
    }
    dst[out] = 0;
    return dst;
}
