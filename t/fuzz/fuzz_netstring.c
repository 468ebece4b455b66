/* fuzz_netstring - socketmap netstring header and request splitting */
#include "fuzz.h"
#include "proto_sockmap.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *buf = (const char *) data;
    size_t  hdr;
    size_t  len;
    SMAP_MAP map;
    const char *key;
    size_t  klen;

    if (proto_sockmap_parse_header(buf, size, SMAP_MAX_REQUEST, &hdr, &len) != SMAP_OK)
	return 0;
    fuzz_require(hdr >= 2 && hdr <= SMAP_MAX_DIGITS + 1 && hdr <= size);
    fuzz_require(len <= SMAP_MAX_REQUEST);
    if (size < hdr + len + 1 || buf[hdr + len] != ',')
	return 0;
    if (proto_sockmap_split_request(buf + hdr, len, &map, &key, &klen) == 0) {
	fuzz_require(key >= buf + hdr && key + klen == buf + hdr + len);
	fuzz_require(map == SMAP_MAP_QUERY || map == SMAP_MAP_QUERY_TLSRPT
		     || map == SMAP_MAP_UNKNOWN);
    }
    return 0;
}
