/*++
 * NAME
 *	lines 3
 * SUMMARY
 *	logical lines of main.cf-style files
 * SYNOPSIS
 *	#include "lines.h"
 *
 *	int	lines_parse(const char *origin, const char *buf, size_t len,
 *				LINES_FN fn, void *ctx, VSTR *err)
 *	char	*lines_read_file(const char *path, size_t max, size_t *lenp,
 *				VSTR *err)
 * DESCRIPTION
 *	Postfix text files share one shape: blank lines and lines whose
 *	first non-blank character is "#" are ignored, and a line that
 *	starts with white space continues the logical line before it.
 *
 *	lines_parse() calls fn(ctx, line, lineno, err) for each logical
 *	line (each continuation joined with one space in place of its
 *	leading white space, trailing CRs removed; lineno is the number of
 *	its first physical line) and stops at the first call that returns
 *	non-zero. A NUL byte in the buffer and a continuation line with
 *	nothing before it are errors; messages start with origin and the
 *	line number.
 *
 *	lines_read_file() reads a regular file of at most max bytes into
 *	memory; it rejects NUL bytes.
 * DIAGNOSTICS
 *	lines_parse() returns 0, or -1 with a message in err.
 *	lines_read_file() returns NULL with a message in err.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lines.h"
#include "mem.h"

typedef struct LINES {
    const char *cp;			/* next unread byte */
    const char *end;			/* end of buffer */
    int     lineno;			/* physical lines consumed */
} LINES;

/* lines_init - start reading a buffer */
static void lines_init(LINES *lp, const char *buf, size_t len)
{
    lp->cp = buf;
    lp->end = buf + len;
    lp->lineno = 0;
}

/* lines_peek - length of the next physical line, without newline */
static size_t lines_peek(const LINES *lp, int *has_nl)
{
    const char *nl = memchr(lp->cp, '\n', (size_t) (lp->end - lp->cp));

    *has_nl = nl != 0;
    return nl ? (size_t) (nl - lp->cp) : (size_t) (lp->end - lp->cp);
}

/* lines_skippable - blank or comment line */
static int lines_skippable(const char *cp, size_t len)
{
    size_t  i;

    for (i = 0; i < len && (cp[i] == ' ' || cp[i] == '\t' || cp[i] == '\r'); i++)
	 /* void */ ;
    return i == len || cp[i] == '#';
}

/* lines_add - append one physical line, minus a trailing CR */
static void lines_add(VSTR *logical, const char *cp, size_t len)
{
    if (len > 0 && cp[len - 1] == '\r')
	len--;
    vstr_addmem(logical, cp, len);
}

/* lines_next - one logical line; orphan: continuation without a start */
static int lines_next(LINES *lp, VSTR *logical, int *start, int *orphan)
{
    int     has_nl;
    size_t  len;

    vstr_reset(logical);
    *orphan = 0;
    for (;;) {				/* find the first line */
	if (lp->cp >= lp->end)
	    return 0;
	len = lines_peek(lp, &has_nl);
	lp->lineno++;
	if (!lines_skippable(lp->cp, len))
	    break;
	lp->cp += len + has_nl;
    }
    if (lp->cp[0] == ' ' || lp->cp[0] == '\t')
	*orphan = lp->lineno;
    *start = lp->lineno;
    lines_add(logical, lp->cp, len);
    lp->cp += len + has_nl;
    while (lp->cp < lp->end && (lp->cp[0] == ' ' || lp->cp[0] == '\t')) {
	len = lines_peek(lp, &has_nl);
	lp->lineno++;
	if (!lines_skippable(lp->cp, len)) {
	    size_t  skip = strspn(lp->cp, " \t");

	    vstr_addch(logical, ' ');
	    lines_add(logical, lp->cp + skip, len - skip);
	}
	lp->cp += len + has_nl;
    }
    return 1;
}

/* lines_parse - call fn for each logical line */
int     lines_parse(const char *origin, const char *buf, size_t len,
		            LINES_FN fn, void *ctx, VSTR *err)
{
    VSTR   *logical;
    LINES   lines;
    int     start;
    int     orphan;
    int     ret = 0;

    if (memchr(buf, 0, len) != 0) {
	vstr_printf(err, "%s: file contains a NUL byte", origin);
	return -1;
    }
    logical = vstr_new(256);
    lines_init(&lines, buf, len);
    while (ret == 0 && lines_next(&lines, logical, &start, &orphan)) {
	if (orphan) {
	    vstr_printf(err, "%s, line %d: continuation line with nothing"
			" before it", origin, orphan);
	    ret = -1;
	} else if (fn(ctx, vstr_str(logical), start, err) != 0) {
	    ret = -1;
	}
    }
    vstr_free(logical);
    return ret;
}

/* lines_read_file - whole regular file into memory, bounded */
char   *lines_read_file(const char *path, size_t max, size_t *lenp, VSTR *err)
{
    struct stat st;
    char   *buf;
    ssize_t n;
    size_t  got = 0;
    int     fd;

    if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0) {
	vstr_printf(err, "cannot open %s: %s", path, strerror(errno));
	return 0;
    }
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)
	|| (size_t) st.st_size > max) {
	vstr_printf(err, "%s: not a regular file of at most %zu bytes",
		    path, max);
	(void) close(fd);
	return 0;
    }
    buf = mem_alloc((size_t) st.st_size + 1);
    while (got < (size_t) st.st_size
	   && (n = read(fd, buf + got, (size_t) st.st_size - got)) > 0)
	got += (size_t) n;
    (void) close(fd);
    buf[got] = 0;
    if (memchr(buf, 0, got) != 0) {
	vstr_printf(err, "%s: file contains a NUL byte", path);
	mem_free(buf);
	return 0;
    }
    *lenp = got;
    return buf;
}
