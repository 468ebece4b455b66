/* logcap.h - bounds on what one client can make a helper log */
#ifndef TP_LOGCAP_H
#define TP_LOGCAP_H

#include <stdint.h>

#define LOGCAP_BURST	5		/* client warnings logged per interval */
#define LOGCAP_INTERVAL	60		/* seconds */
#define LOGCAP_SLOTS	16		/* lines remembered against repeats */

typedef long long (*LOGCAP_CLOCK) (void);

void    logcap_begin(void);
void    logcap_warn(const char *fmt,...) __attribute__((format(printf, 1, 2)));
int     logcap_repeat(uint64_t hash);
void    logcap_end(void);
void    logcap_set_clock(LOGCAP_CLOCK now);

#endif
