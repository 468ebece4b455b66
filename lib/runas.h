/* runas.h - command modes run as root become the helper's user */
#ifndef TP_RUNAS_H
#define TP_RUNAS_H

#include "vstr.h"

int     runas_user(const char *name, VSTR *why);

#endif
