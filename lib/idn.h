/* idn.h - UTF-8 domain names to A-labels (UTS #46 non-transitional) */
#ifndef TP_IDN_H
#define TP_IDN_H

#include <stddef.h>

int     idn_to_alabel(const char *name, size_t len, char *out, size_t outsize,
		              const char **why);

#endif
