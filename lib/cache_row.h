/* cache_row.h - checks for untrusted rows (cache_dane.c, cache_sts.c, ...) */
#ifndef TP_CACHE_ROW_H
#define TP_CACHE_ROW_H

#include <sqlite3.h>
#include "cache.h"

#define CACHE_MAX_WHY	1000		/* why texts read back, bytes */
#define CACHE_MAX_POLICY 65536		/* policy text read back, bytes */

void    cache_row_copy_text(char *dst, size_t size, const unsigned char *src);
int     cache_row_types_ok(sqlite3_stmt *st, const char *types);
void    cache_row_clean_text(VSTR *dst, sqlite3_stmt *st, int col, size_t max);
long long cache_row_clamp(long long v, long long lo, long long hi);
int     cache_row_in_list(const char *const *list, const char *word);
CACHE_STATUS cache_row_bad(CACHE *cache, const char *table,
			           const char *domain, const char *why);
const char *cache_row_life(long long fetched, long long expires,
			           long long max, time_t now);
CACHE_STATUS cache_row_bad_time(CACHE *cache, const char *table,
				        const char *domain, const char *why);
void    cache_row_text(VSTR *dst, sqlite3_stmt *st, int col);
const char *cache_row_col_str(sqlite3_stmt *st, int col);
sqlite3_stmt *cache_row_select(CACHE *cache, const char *sql, const char *domain,
			               int *rc);

#endif
