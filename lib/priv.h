/* priv.h - privilege checks and the -q-as-root switch */
#ifndef TP_PRIV_H
#define TP_PRIV_H

#include <sys/stat.h>
#include "vstr.h"

#define PRIV_MEMO_SUFFIX "-memo"	/* the memo beside the cache (memo.h) */

int     priv_is_root(void);
void    priv_refuse_setid(void);
void    priv_check_cache_perms(const char *cache_file);
int     priv_cache_trusted(const char *cache_file, VSTR *real, VSTR *why);
int     priv_file_trusted(const struct stat *st, const char *what,
			          const char *path, VSTR *why);

#endif
