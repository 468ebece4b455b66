/*++
 * NAME
 *	tlsa 3
 * SUMMARY
 *	decide whether a TLSA record is usable for SMTP
 * SYNOPSIS
 *	#include "tlsa.h"
 *
 *	TLSA_USE tlsa_usable(int usage, int selector, int mtype,
 *				const unsigned char *data, size_t len)
 *
 *	const char *tlsa_use_reason(TLSA_USE use)
 * DESCRIPTION
 *	RFC 7672 3.1: SMTP clients use only DANE-TA(2) and DANE-EE(3).
 *	Selector 0 (certificate) or 1 (SubjectPublicKeyInfo); matching
 *	type 1 needs 32 bytes of SHA2-256, type 2 needs 64 bytes of
 *	SHA2-512, and type 0 needs the full DER object, which is parsed
 *	with OpenSSL (d2i_X509 for selector 0, d2i_PUBKEY for selector 1)
 *	and must be consumed exactly.
 *
 *	libcrypto is loaded with dlopen() the first time a matching type 0
 *	record is seen: most lookups never need it, and linking it would
 *	cost every spawned helper start-up time. When it cannot be loaded
 *	the record counts as unusable (TLSA_UNCHECKED), which can only
 *	turn dane-only into dane: Postfix then checks the record itself.
 *--*/
#include <dlfcn.h>
#include <stddef.h>

#include "log.h"
#include "tlsa.h"

typedef void *(*TLSA_D2I) (void **, const unsigned char **, long);
typedef void (*TLSA_FREE) (void *);

static struct {
    int     tried;
    TLSA_D2I d2i_x509;
    TLSA_D2I d2i_pubkey;
    TLSA_FREE x509_free;
    TLSA_FREE pkey_free;
} tlsa_crypto;

/* tlsa_load_crypto - dlopen libcrypto once */
static int tlsa_load_crypto(void)
{
    static const char *const names[] = {
	"libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so", 0,
    };
    const char *const *np;
    void   *lib = 0;

    if (tlsa_crypto.tried)
	return tlsa_crypto.d2i_x509 != 0;
    tlsa_crypto.tried = 1;
    for (np = names; *np && lib == 0; np++)
	lib = dlopen(*np, RTLD_NOW | RTLD_LOCAL);
    if (lib == 0) {
	log_warn("cannot load libcrypto to check TLSA matching type 0: %s",
		 dlerror());
	return 0;
    }
    *(void **) &tlsa_crypto.d2i_x509 = dlsym(lib, "d2i_X509");
    *(void **) &tlsa_crypto.d2i_pubkey = dlsym(lib, "d2i_PUBKEY");
    *(void **) &tlsa_crypto.x509_free = dlsym(lib, "X509_free");
    *(void **) &tlsa_crypto.pkey_free = dlsym(lib, "EVP_PKEY_free");
    if (!tlsa_crypto.d2i_x509 || !tlsa_crypto.d2i_pubkey
	|| !tlsa_crypto.x509_free || !tlsa_crypto.pkey_free) {
	log_warn("libcrypto lacks the DER parsers; TLSA matching type 0"
		 " records count as unusable");
	tlsa_crypto.d2i_x509 = 0;
	return 0;
    }
    return 1;
}

/* tlsa_der_ok - the data is exactly one DER certificate or SPKI */
static TLSA_USE tlsa_der_ok(int selector, const unsigned char *data, size_t len)
{
    const unsigned char *cp = data;
    void   *obj;

    if (len == 0 || len > 65535)
	return TLSA_BAD_DER;
    if (!tlsa_load_crypto())
	return TLSA_UNCHECKED;
    if (selector == 0) {
	obj = tlsa_crypto.d2i_x509(0, &cp, (long) len);
	if (obj)
	    tlsa_crypto.x509_free(obj);
    } else {
	obj = tlsa_crypto.d2i_pubkey(0, &cp, (long) len);
	if (obj)
	    tlsa_crypto.pkey_free(obj);
    }
    return obj != 0 && cp == data + len ? TLSA_USABLE : TLSA_BAD_DER;
}

/* tlsa_usable - the RFC 7672 usability rules */
TLSA_USE tlsa_usable(int usage, int selector, int mtype,
		             const unsigned char *data, size_t len)
{
    if (usage != 2 && usage != 3)
	return TLSA_BAD_USAGE;
    if (selector != 0 && selector != 1)
	return TLSA_BAD_SELECTOR;
    switch (mtype) {
    case 0:
	return tlsa_der_ok(selector, data, len);
    case 1:
	return len == 32 ? TLSA_USABLE : TLSA_BAD_LENGTH;
    case 2:
	return len == 64 ? TLSA_USABLE : TLSA_BAD_LENGTH;
    default:
	return TLSA_BAD_MTYPE;
    }
}

/* tlsa_use_reason - for -v and logs */
const char *tlsa_use_reason(TLSA_USE use)
{
    switch (use) {
    case TLSA_USABLE: return "usable";
    case TLSA_BAD_USAGE: return "usage not 2 or 3";
    case TLSA_BAD_SELECTOR: return "selector not 0 or 1";
    case TLSA_BAD_MTYPE: return "unknown matching type";
    case TLSA_BAD_LENGTH: return "digest length does not match type";
    case TLSA_BAD_DER: return "matching type 0 data is not DER";
    case TLSA_UNCHECKED: return "matching type 0 not checked (no libcrypto)";
    }
    return "unknown";
}
