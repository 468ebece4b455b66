/* check.h - tlspolicyd -t: is this installation ready to serve? */
#ifndef TP_CHECK_H
#define TP_CHECK_H

#include "cfg.h"
#include "vstr.h"

int     check_resolver(const CFG *cfg, VSTR *out);
int     check_cache(const CFG *cfg, VSTR *out);
int     check_ca_file(const CFG *cfg, VSTR *out);
int     check_log_file(const CFG *cfg, VSTR *out);

#endif
