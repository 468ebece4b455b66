/* refresh.h - refresh-ahead: renew cache entries before they run out */
#ifndef TP_REFRESH_H
#define TP_REFRESH_H

#include "policy.h"

#define REFRESH_BACKOFF	60		/* seconds after a refresh that failed */
#define REFRESH_START	5		/* seconds: one helper starts the refresh */
#define REFRESH_PAUSE	60		/* seconds without refresh-ahead once the
					 * cache refused a lease */
#define REFRESH_MAX_PROCS 8		/* refresh processes at once, all helpers */
#define REFRESH_SLOT_SUFFIX "-refresh"	/* cache_file + this + 0..7: slots */

int     refresh_claim(POL_CTX *ctx, const char *domain);
int     refresh_run(POL_CTX *ctx, const char *domain);
int     refresh_slots_trusted(const char *cache_path, VSTR *why);

#endif
