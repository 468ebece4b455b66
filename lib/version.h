/* version.h - tlspolicyd -V: our version and the libraries' versions */
#ifndef TP_VERSION_H
#define TP_VERSION_H

#include "vstr.h"

#define VER_CURL_SONAME	"libcurl.so.4"	/* what sts_fetch.c dlopen()s */

void    version_print(VSTR *out);

#endif
