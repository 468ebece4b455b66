/* history.h - protection history, drop alarms and deferrals of lookups */
#ifndef TP_HISTORY_H
#define TP_HISTORY_H

#include "cache.h"
#include "dane.h"
#include "defer.h"
#include "dns.h"
#include "mtasts.h"
#include "vstr.h"

void    history_dane(CACHE *cache, DNS *dns, const char *domain,
		             const DANE_RESULT *res);
void    history_sts(CACHE *cache, const char *domain, const MTS_RESULT *res);
void    history_answered(CACHE *cache, const char *domain, DEFER_CAUSE cause,
			         const char *why);
void    history_explain(CACHE *cache, const char *domain, VSTR *out);

#endif
