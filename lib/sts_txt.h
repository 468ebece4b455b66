/* sts_txt.h - the _mta-sts TXT record (RFC 8461 section 3.1) */
#ifndef TP_STS_TXT_H
#define TP_STS_TXT_H

#include <stddef.h>
#include "vstr.h"

#define STSTXT_MAX_ID	32

typedef enum {
    STSTXT_OK,				/* exactly one valid record */
    STSTXT_NONE,			/* no record starts with v=STSv1 */
    STSTXT_MULTIPLE,			/* more than one does */
    STSTXT_INVALID,			/* the one record is malformed */
} STSTXT_STATUS;

STSTXT_STATUS sts_txt_select(const char *const *recs, const size_t *lens,
			            int nrec, char *id, VSTR *why);

#endif
