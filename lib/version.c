/*++
 * NAME
 *	version 3
 * SUMMARY
 *	tlspolicyd -V: our version and the versions of the libraries
 * SYNOPSIS
 *	#include "version.h"
 *
 *	void	version_print(VSTR *out)
 * DESCRIPTION
 *	version_print() appends one line for tlspolicyd and one per library:
 *	the version in use at run time and, in parentheses, the version
 *	whose headers tlspolicyd was built with:
 *
 *	    tlspolicyd 0.1.0
 *	    c-ares 1.18.1 (built with 1.18.1)
 *	    SQLite 3.40.1 (built with 3.40.1)
 *	    libcurl 7.88.1, OpenSSL/3.0.15 (built with 7.88.1; loaded
 *	        only to fetch MTA-STS policies)
 *
 *	c-ares and SQLite are linked. libcurl is not: the helper maps it
 *	with dlopen() only when it fetches a policy (DESIGN 8), so
 *	version_print() loads it just for this report, reads
 *	curl_version_info() and unloads it. When it cannot be loaded the
 *	line says "libcurl: not available" and why: MTA-STS fetches then
 *	fail in the same way.
 * SEE ALSO
 *	sts_fetch(3), which loads libcurl for real.
 *--*/
#include "config.h"

#include <dlfcn.h>
#include <sys/select.h>
#include <ares.h>
#include <curl/curl.h>
#include <sqlite3.h>

#include "version.h"

typedef curl_version_info_data *(*VER_CURL_INFO) (CURLversion);

/* version_curl - the libcurl line, loading the library for a moment */
static void version_curl(VSTR *out)
{
    void   *lib;
    VER_CURL_INFO info_fn;
    const curl_version_info_data *info;

    if ((lib = dlopen(VER_CURL_SONAME, RTLD_NOW | RTLD_LOCAL)) == 0) {
	vstr_printf(out, "libcurl: not available (%s); MTA-STS policies"
		    " cannot be fetched\n", dlerror());
	return;
    }
    *(void **) &info_fn = dlsym(lib, "curl_version_info");
    if (info_fn == 0 || (info = info_fn(CURLVERSION_NOW)) == 0) {
	vstr_printf(out, "libcurl: %s has no curl_version_info()\n",
		    VER_CURL_SONAME);
    } else {
	vstr_printf(out, "libcurl %s%s%s (built with %s; loaded only to"
		    " fetch MTA-STS policies)\n", info->version,
		    info->ssl_version ? ", " : "",
		    info->ssl_version ? info->ssl_version : "",
		    LIBCURL_VERSION);
    }
    (void) dlclose(lib);
}

/* version_print - every version line */
void    version_print(VSTR *out)
{
    vstr_printf(out, "%s %s\n", PACKAGE_NAME, PACKAGE_VERSION);
    vstr_printf(out, "c-ares %s (built with %s)\n", ares_version(0),
		ARES_VERSION_STR);
    vstr_printf(out, "SQLite %s (built with %s)\n", sqlite3_libversion(),
		SQLITE_VERSION);
    version_curl(out);
}
