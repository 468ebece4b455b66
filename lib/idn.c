/*++
 * NAME
 *	idn 3
 * SUMMARY
 *	UTF-8 domain names to A-labels (libidn2, loaded on first use)
 * SYNOPSIS
 *	#include "idn.h"
 *
 *	int	idn_to_alabel(const char *name, size_t len, char *out,
 *				size_t outsize, const char **why)
 * DESCRIPTION
 *	idn_to_alabel() converts name[0..len) - a host name in UTF-8, as
 *	Postfix sends it with smtputf8_enable - to its ASCII form with
 *	UTS #46 non-transitional processing (IDN2_NONTRANSITIONAL: "ß"
 *	stays "ß" and becomes an A-label, not "ss") and NFC, so the A-label is the one Postfix's own conversion (ICU UTS #46,
 *	non-transitional) gives for its MX lookup. The result is written
 *	to out, NUL-terminated, and 0 is returned; on failure -1 and a
 *	short reason in *why (malformed UTF-8, a disallowed character,
 *	libidn2 missing, a result that does not fit).
 *
 *	IDN2_USE_STD3_ASCII_RULES is not used: libidn2 2.3 then drops "_"
 *	silently ("bü_cher" would become the A-label of "bücher", another
 *	domain). The caller applies the LDH rules to the result instead.
 *
 *	libidn2 is loaded with dlopen() on the first call: most keys are
 *	ASCII, and a helper that never sees a UTF-8 key never maps it.
 *--*/
#include <dlfcn.h>
#include <stdint.h>
#include <string.h>
#include <idn2.h>

#include "idn.h"
#include "log.h"
#include "mem.h"

typedef int (*IDN_LOOKUP) (const uint8_t *, uint8_t **, int);
typedef void (*IDN_FREE) (void *);

static struct {
    int     tried;
    IDN_LOOKUP lookup;
    IDN_FREE free;
} idn_lib;

/* idn_load - dlopen libidn2 once; 0 when usable */
static int idn_load(void)
{
    void   *lib;

    if (!idn_lib.tried) {
	idn_lib.tried = 1;
	if ((lib = dlopen("libidn2.so.0", RTLD_NOW | RTLD_LOCAL)) == 0) {
	    log_warn("cannot load libidn2: %s; UTF-8 domain names are not"
		     " looked up", dlerror());
	    return -1;
	}
	*(void **) &idn_lib.lookup = dlsym(lib, "idn2_lookup_u8");
	*(void **) &idn_lib.free = dlsym(lib, "idn2_free");
	if (idn_lib.lookup == 0 || idn_lib.free == 0) {
	    log_warn("libidn2 lacks idn2_lookup_u8 or idn2_free; UTF-8"
		     " domain names are not looked up");
	    idn_lib.lookup = 0;
	}
    }
    return idn_lib.lookup ? 0 : -1;
}

/* idn_to_alabel - UTF-8 host name to its A-label form */
int     idn_to_alabel(const char *name, size_t len, char *out, size_t outsize,
		              const char **why)
{
    char   *copy;
    uint8_t *res = 0;
    int     rc;

    if (idn_load() < 0) {
	*why = "libidn2 is not available";
	return -1;
    }
    copy = mem_strndup(name, len);
    rc = idn_lib.lookup((const uint8_t *) copy, &res, IDN2_NONTRANSITIONAL
			| IDN2_NFC_INPUT);
    mem_free(copy);
    if (rc != IDN2_OK) {
	*why = rc == IDN2_ENCODING_ERROR ? "malformed UTF-8" :
	    "not a valid internationalized domain name (UTS #46)";
	return -1;
    }
    if (strlen((const char *) res) >= outsize) {
	*why = "A-label form too long";
	idn_lib.free(res);
	return -1;
    }
    memcpy(out, res, strlen((const char *) res) + 1);
    idn_lib.free(res);
    return 0;
}
