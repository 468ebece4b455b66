/* mem.h - allocators that never return NULL */
#ifndef TP_MEM_H
#define TP_MEM_H

#include <stddef.h>

void *mem_alloc(size_t len);
void *mem_calloc(size_t n, size_t size);
void *mem_realloc(void *ptr, size_t len);
char *mem_strdup(const char *str);
char *mem_strndup(const char *str, size_t len);
void mem_free(void *ptr);

#endif
