/* log.h - logging to syslog (facility mail), a file, or stderr */
#ifndef TP_LOG_H
#define TP_LOG_H

#include <stddef.h>

typedef enum {
    LOG_DEST_SYSLOG,			/* service mode default */
    LOG_DEST_FILE,			/* log_file = /path */
    LOG_DEST_STDERR			/* -q mode: the caller is a terminal */
} LOG_DEST;

#ifndef LOCALSTATEDIR
#define LOCALSTATEDIR	"/var"
#endif
#define LOG_FALLBACK_FILE	LOCALSTATEDIR "/log/tlspolicyd/tlspolicyd.log"

#define LOG_TEXT_MAX	1800		/* one message, before its head */
#define LOG_HELD_MAX	8192		/* file lines held by log_hold() */
#define LOG_SAFE_MAX	100		/* untrusted text shown at most */
#define LOG_SAFE_SIZE	(LOG_SAFE_MAX * 4 + 8)

void    log_init(const char *ident, LOG_DEST dest);
void    log_forked(void);
void    log_hold(void);
void    log_release(void);
long    log_held_age(void);
int     log_to_file(const char *path);
int     log_file_check(const char *path);
const char *log_where(void);
void    log_set_verbose(int verbose);
int     log_verbose(void);
void    log_set_also_stderr(int yes);
void    log_set_info(int on);

void    log_debug(const char *fmt,...) __attribute__((format(printf, 1, 2)));
void    log_info(const char *fmt,...) __attribute__((format(printf, 1, 2)));
void    log_info_text(const char *text);
void    log_warn(const char *fmt,...) __attribute__((format(printf, 1, 2)));
void    log_fatal(const char *fmt,...)
	__attribute__((format(printf, 1, 2), noreturn));
void    log_panic(const char *fmt,...)
	__attribute__((format(printf, 1, 2), noreturn));

char   *log_safe(char *dst, size_t dstsize, const void *src, size_t len);

#endif
