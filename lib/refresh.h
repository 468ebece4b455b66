/* refresh.h - refresh-ahead: renew cache entries before they run out */
#ifndef TP_REFRESH_H
#define TP_REFRESH_H

#include "policy.h"

#define REFRESH_BACKOFF	60		/* seconds after a refresh that failed */
#define REFRESH_START	5		/* seconds: one helper starts the refresh */

int     refresh_claim(POL_CTX *ctx, const char *domain);
int     refresh_run(POL_CTX *ctx, const char *domain);

#endif
