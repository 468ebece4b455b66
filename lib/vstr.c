/*++
 * NAME
 *	vstr 3
 * SUMMARY
 *	growable byte strings
 * SYNOPSIS
 *	#include "vstr.h"
 *
 *	VSTR	*vstr_new(size_t hint)
 *	void	vstr_free(VSTR *vs)
 *	void	vstr_reset(VSTR *vs)
 *	void	vstr_addch(VSTR *vs, int ch)
 *	void	vstr_addstr(VSTR *vs, const char *str)
 *	void	vstr_addmem(VSTR *vs, const void *mem, size_t len)
 *	void	vstr_printf(VSTR *vs, const char *fmt, ...)
 *	char	*vstr_export(VSTR *vs)
 * DESCRIPTION
 *	A VSTR holds arbitrary bytes followed by a NUL that is not part
 *	of the length. vstr_printf() appends formatted text.
 *	vstr_export() returns the buffer and frees the VSTR itself.
 *	All length arithmetic is overflow-checked.
 *--*/
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "mem.h"
#include "vstr.h"

/* vstr_new - create an empty string */
VSTR *vstr_new(size_t hint)
{
    VSTR *vs = mem_alloc(sizeof(*vs));

    vs->cap = hint < 16 ? 16 : hint;
    vs->data = mem_alloc(vs->cap);
    vs->data[0] = 0;
    vs->len = 0;
    return vs;
}

/* vstr_free - destroy */
void vstr_free(VSTR *vs)
{
    if (vs == 0)
	return;
    mem_free(vs->data);
    mem_free(vs);
}

/* vstr_reset - make empty, keep the buffer */
void vstr_reset(VSTR *vs)
{
    vs->len = 0;
    vs->data[0] = 0;
}

/* vstr_space - make room for len more bytes plus the NUL */
static void vstr_space(VSTR *vs, size_t len)
{
    size_t need;

    if (len > SIZE_MAX - vs->len - 1)
	log_panic("vstr: length overflow");
    need = vs->len + len + 1;
    if (need <= vs->cap)
	return;
    while (vs->cap < need)
	vs->cap = vs->cap > SIZE_MAX / 2 ? need : vs->cap * 2;
    vs->data = mem_realloc(vs->data, vs->cap);
}

/* vstr_addch - append one byte */
void vstr_addch(VSTR *vs, int ch)
{
    vstr_space(vs, 1);
    vs->data[vs->len++] = (char) ch;
    vs->data[vs->len] = 0;
}

/* vstr_addmem - append bytes */
void vstr_addmem(VSTR *vs, const void *mem, size_t len)
{
    vstr_space(vs, len);
    if (len)
	memcpy(vs->data + vs->len, mem, len);
    vs->len += len;
    vs->data[vs->len] = 0;
}

/* vstr_addstr - append a C string */
void vstr_addstr(VSTR *vs, const char *str)
{
    vstr_addmem(vs, str, strlen(str));
}

static void vstr_vprintf(VSTR *, const char *, va_list)
	__attribute__((format(printf, 2, 0)));

/* vstr_vprintf - append formatted text */
static void vstr_vprintf(VSTR *vs, const char *fmt, va_list ap)
{
    va_list ap2;
    int     n;

    va_copy(ap2, ap);
    n = vsnprintf(vs->data + vs->len, vs->cap - vs->len, fmt, ap2);
    va_end(ap2);
    if (n < 0)
	log_panic("vstr_vprintf: bad format \"%s\"", fmt);
    if ((size_t) n >= vs->cap - vs->len) {
	vstr_space(vs, (size_t) n);
	n = vsnprintf(vs->data + vs->len, vs->cap - vs->len, fmt, ap);
    }
    vs->len += (size_t) n;
}

/* vstr_printf - append formatted text */
void vstr_printf(VSTR *vs, const char *fmt,...)
{
    va_list ap;

    va_start(ap, fmt);
    vstr_vprintf(vs, fmt, ap);
    va_end(ap);
}

/* vstr_export - hand the buffer to the caller, destroy the VSTR */
char *vstr_export(VSTR *vs)
{
    char *data = vs->data;

    mem_free(vs);
    return data;
}
