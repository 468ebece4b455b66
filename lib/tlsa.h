/* tlsa.h - which TLSA records are usable for SMTP (RFC 7672 3.1) */
#ifndef TP_TLSA_H
#define TP_TLSA_H

#include <stddef.h>

typedef enum {
    TLSA_USABLE,
    TLSA_BAD_USAGE,			/* 0 or 1 (PKIX-TA, PKIX-EE), or > 3 */
    TLSA_BAD_SELECTOR,			/* not 0 or 1 */
    TLSA_BAD_MTYPE,			/* not 0, 1 or 2 */
    TLSA_BAD_LENGTH,			/* digest of the wrong size */
    TLSA_BAD_DER,			/* matching type 0, data not DER */
    TLSA_UNCHECKED,			/* matching type 0, no libcrypto */
} TLSA_USE;

TLSA_USE tlsa_usable(int usage, int selector, int mtype,
		             const unsigned char *data, size_t len);
const char *tlsa_use_reason(TLSA_USE use);

#endif
