/* lines.h - logical lines of Postfix-style text files */
#ifndef TP_LINES_H
#define TP_LINES_H

#include <stddef.h>
#include "vstr.h"

typedef int (*LINES_FN) (void *ctx, char *line, int lineno, VSTR *err);

int     lines_parse(const char *origin, const char *buf, size_t len,
		            LINES_FN fn, void *ctx, VSTR *err);
char   *lines_read_file(const char *path, size_t max, size_t *lenp, VSTR *err);

#endif
