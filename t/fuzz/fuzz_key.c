/* fuzz_key - the lookup key gates; only LDH names ever pass */
#include <string.h>

#include "fuzz.h"
#include "key.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char    out[KEY_MAX_DOMAIN + 1];
    int     port = -1;

    if (key_normalize((const char *) data, size, out, &port) == KEY_OK) {
	fuzz_require(strlen(out) <= KEY_MAX_DOMAIN);
	fuzz_require(key_is_ldh_domain(out, strlen(out)));
	fuzz_require(port >= 0 && port <= 65535);
    }
    return 0;
}
