/* proto_sockmap.h - Postfix socketmap netstring codec */
#ifndef TP_PROTO_SOCKMAP_H
#define TP_PROTO_SOCKMAP_H

#include <stddef.h>
#include "vstr.h"

#define SMAP_MAX_REQUEST	4096	/* netstring payload, bytes */
#define SMAP_MAX_DIGITS		9	/* "4096" needs 4; more is hostile */

typedef enum {
    SMAP_OK,				/* *hdr and *len are set */
    SMAP_MORE,				/* need more bytes */
    SMAP_TOO_LONG,			/* length > max, or too many digits */
    SMAP_SYNTAX,			/* not a netstring */
} SMAP_STATUS;

typedef enum {
    SMAP_MAP_QUERY,			/* "QUERY" */
    SMAP_MAP_QUERY_TLSRPT,		/* "QUERYwithTLSRPT" */
    SMAP_MAP_UNKNOWN,
} SMAP_MAP;

SMAP_STATUS proto_sockmap_parse_header(const char *buf, size_t avail, size_t max,
			              size_t *hdr, size_t *len);
int     proto_sockmap_split_request(const char *payload, size_t len, SMAP_MAP *map,
			           const char **key, size_t *klen);
void    proto_sockmap_format_reply(VSTR *out, const char *status, const char *text);

#endif
