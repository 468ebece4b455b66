/*++
 * NAME
 *	proto_sockmap 3
 * SUMMARY
 *	Postfix socketmap protocol (netstrings)
 * SYNOPSIS
 *	#include "proto_sockmap.h"
 *
 *	SMAP_STATUS proto_sockmap_parse_header(const char *buf, size_t avail,
 *				size_t max, size_t *hdr, size_t *len)
 *	int	proto_sockmap_split_request(const char *payload, size_t len,
 *				SMAP_MAP *map, const char **key, size_t *klen)
 *	void	proto_sockmap_format_reply(VSTR *out, const char *status,
 *				const char *text)
 * DESCRIPTION
 *	A request is the netstring "LEN:name SP key,". proto_sockmap_parse_header()
 *	looks at the avail bytes buffered so far: it returns SMAP_MORE
 *	until the ":" has arrived, then SMAP_OK with the header size (the
 *	digits and the colon) in hdr and the payload size in len. The
 *	caller then needs hdr + len + 1 bytes, the last one a ",".
 *
 *	proto_sockmap_split_request() splits the payload at the first space; the
 *	map name must be QUERY or QUERYwithTLSRPT (else SMAP_MAP_UNKNOWN).
 *	It returns -1 when there is no space.
 *
 *	proto_sockmap_format_reply() writes "LEN:status SP text,". Postfix 3.7
 *	treats a bare "OK" as not found, so callers never send an empty OK.
 * SECURITY
 *	The length is parsed digit by digit with an overflow check and a
 *	cap of SMAP_MAX_DIGITS digits and max bytes; a leading zero is
 *	only allowed for "0", as in the netstring definition.
 *--*/
#include <string.h>

#include "proto_sockmap.h"

/* proto_sockmap_parse_header - digits and colon */
SMAP_STATUS proto_sockmap_parse_header(const char *buf, size_t avail, size_t max,
			              size_t *hdr, size_t *len)
{
    size_t  val = 0;
    size_t  i;

    for (i = 0; i < avail; i++) {
	unsigned char ch = (unsigned char) buf[i];

	if (ch == ':') {
	    if (i == 0)
		return SMAP_SYNTAX;
	    *hdr = i + 1;
	    *len = val;
	    return SMAP_OK;
	}
	if (ch < '0' || ch > '9')
	    return SMAP_SYNTAX;
	if (i >= SMAP_MAX_DIGITS)
	    return SMAP_TOO_LONG;
	if (i == 1 && buf[0] == '0')
	    return SMAP_SYNTAX;
	val = val * 10 + (size_t) (ch - '0');
	if (val > max)
	    return SMAP_TOO_LONG;
    }
    return SMAP_MORE;
}

/* proto_sockmap_split_request - "name key" */
int     proto_sockmap_split_request(const char *payload, size_t len, SMAP_MAP *map,
			           const char **key, size_t *klen)
{
    const char *sp = memchr(payload, ' ', len);
    size_t  nlen;

    if (sp == 0)
	return -1;
    nlen = (size_t) (sp - payload);
    if (nlen == 5 && memcmp(payload, "QUERY", 5) == 0)
	*map = SMAP_MAP_QUERY;
    else if (nlen == 15 && memcmp(payload, "QUERYwithTLSRPT", 15) == 0)
	*map = SMAP_MAP_QUERY_TLSRPT;
    else
	*map = SMAP_MAP_UNKNOWN;
    *key = sp + 1;
    *klen = len - nlen - 1;
    return 0;
}

/* proto_sockmap_format_reply - one netstring */
void    proto_sockmap_format_reply(VSTR *out, const char *status, const char *text)
{
    size_t  len = strlen(status) + 1 + strlen(text);

    vstr_reset(out);
    vstr_printf(out, "%zu:%s %s,", len, status, text);
}
