/* vstr.h - growable byte strings with a guaranteed NUL */
#ifndef TP_VSTR_H
#define TP_VSTR_H

#include <stdarg.h>
#include <stddef.h>

typedef struct VSTR {
    char   *data;			/* always NUL-terminated */
    size_t  len;			/* bytes used, excluding the NUL */
    size_t  cap;			/* bytes allocated */
} VSTR;

VSTR   *vstr_new(size_t hint);
void    vstr_free(VSTR *vs);
void    vstr_reset(VSTR *vs);
void    vstr_addch(VSTR *vs, int ch);
void    vstr_addmem(VSTR *vs, const void *mem, size_t len);
void    vstr_addstr(VSTR *vs, const char *str);
void    vstr_printf(VSTR *vs, const char *fmt,...)
	__attribute__((format(printf, 2, 3)));
char   *vstr_export(VSTR *vs);

#define vstr_str(vs)	((vs)->data)
#define vstr_len(vs)	((vs)->len)

#endif
