/* mastercf.h - tlspolicyd -t: the spawn services that run tlspolicyd */
#ifndef TP_MASTERCF_H
#define TP_MASTERCF_H

#include "cfg.h"
#include "postconf.h"
#include "vstr.h"

#define MASTERCF_NAME		"tlspolicyd"	/* argv= basename that is us */
#define MASTERCF_MIN_TIME_LIMIT	86400	/* seconds: NAME_time_limit, >= 3.10 */

int     mastercf_check(const POSTCONF *pc, const CFG *cfg, VSTR *out);

#endif
