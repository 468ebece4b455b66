/* cfgmark.h - forget cached results when answer-changing settings change */
#ifndef TP_CFGMARK_H
#define TP_CFGMARK_H

#include "cache.h"
#include "cfg.h"
#include "vstr.h"

#define CFGMARK_ROW	"settings"	/* state row holding the fingerprint */
#define CFGMARK_OVR_MAX	(16L * 1024 * 1024)	/* override bytes hashed */

int     cfgmark_check(CACHE *cache, const char *mark);
int     cfgmark_guest(CACHE *cache, const char *mark);
void    cfgmark_fingerprint(const CFG *cfg, VSTR *out);

#endif
