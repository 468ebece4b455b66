/* forget.h - tlspolicyd -F: forget cached results for a domain or all */
#ifndef TP_FORGET_H
#define TP_FORGET_H

#include "cfg.h"
#include "vstr.h"

#define FORGET_OK	0		/* nothing is cached for it any more */
#define FORGET_FAILED	1		/* the cache could not be changed */
#define FORGET_USAGE	2		/* not a domain name, nor "all" */

int     forget_run(const CFG *cfg, const char *what, VSTR *out);

#endif
