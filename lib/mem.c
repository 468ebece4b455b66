/*++
 * NAME
 *	mem 3
 * SUMMARY
 *	memory allocation that never returns NULL
 * SYNOPSIS
 *	#include "mem.h"
 *
 *	void	*mem_alloc(size_t len)
 *	void	*mem_calloc(size_t n, size_t size)
 *	void	*mem_realloc(void *ptr, size_t len)
 *	char	*mem_strdup(const char *str)
 *	char	*mem_strndup(const char *str, size_t len)
 *	void	mem_free(void *ptr)
 * DESCRIPTION
 *	These wrappers call log_panic() when memory runs out or when a
 *	size computation overflows, so callers never test for NULL.
 *	mem_strndup() copies at most len bytes and always terminates.
 * DIAGNOSTICS
 *	Out of memory and size overflow are panics: a helper that cannot
 *	allocate cannot answer correctly, and Postfix will reconnect.
 *--*/
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "mem.h"

/* mem_alloc - allocate or die */
void *mem_alloc(size_t len)
{
    void *ptr = malloc(len ? len : 1);

    if (ptr == 0)
	log_panic("out of memory allocating %zu bytes", len);
    return ptr;
}

/* mem_calloc - allocate zeroed array, overflow-checked */
void *mem_calloc(size_t n, size_t size)
{
    void *ptr;

    if (size != 0 && n > SIZE_MAX / size)
	log_panic("mem_calloc: size overflow (%zu x %zu)", n, size);
    ptr = calloc(n ? n : 1, size ? size : 1);
    if (ptr == 0)
	log_panic("out of memory allocating %zu x %zu bytes", n, size);
    return ptr;
}

/* mem_realloc - resize or die */
void *mem_realloc(void *ptr, size_t len)
{
    void *nptr = realloc(ptr, len ? len : 1);

    if (nptr == 0)
	log_panic("out of memory resizing to %zu bytes", len);
    return nptr;
}

/* mem_strdup - copy a string */
char *mem_strdup(const char *str)
{
    return mem_strndup(str, strlen(str));
}

/* mem_strndup - copy at most len bytes and terminate */
char *mem_strndup(const char *str, size_t len)
{
    size_t n = strnlen(str, len);
    char *copy;

    if (n == SIZE_MAX)
	log_panic("mem_strndup: size overflow");
    copy = mem_alloc(n + 1);
    memcpy(copy, str, n);
    copy[n] = 0;
    return copy;
}

/* mem_free - release memory; NULL is fine */
void mem_free(void *ptr)
{
    free(ptr);
}
