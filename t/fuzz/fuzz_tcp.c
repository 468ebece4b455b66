/* fuzz_tcp - tcp_table request decoding and reply encoding */
#include <string.h>

#include "fuzz.h"
#include "proto_tcp.h"
#include "vstr.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VSTR   *key = vstr_new(64);
    VSTR   *out = vstr_new(64);
    VSTR   *back = vstr_new(64);
    const char *why;

    if (proto_tcp_decode_request((const char *) data, size, key, &why) == 0
	&& vstr_len(key) > 0 && memchr(vstr_str(key), 0, vstr_len(key)) == 0) {
	/* encoding then decoding gives the key back, within 4096 bytes */
	if (proto_tcp_format_reply(out, TCPT_NOTFOUND, vstr_str(key)) == 0) {
	    fuzz_require(vstr_len(out) <= TCPT_MAX_REPLY);
	    fuzz_require(vstr_str(out)[vstr_len(out) - 1] == '\n');
	    fuzz_require(memchr(vstr_str(out), '\n', vstr_len(out) - 1) == 0);
	    fuzz_require(strchr(vstr_str(out) + 4, ' ') == 0);
	    fuzz_require(proto_tcp_unquote(back, vstr_str(out) + 4, vstr_len(out) - 5) == 0);
	    fuzz_require(strcmp(vstr_str(back), vstr_str(key)) == 0);
	}
    }
    vstr_free(key);
    vstr_free(out);
    vstr_free(back);
    return 0;
}
