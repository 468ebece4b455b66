/* fuzz_ststxt - the _mta-sts TXT record parser; NUL splits records */
#include <string.h>

#include "fuzz.h"
#include "sts_txt.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *recs[8];
    size_t  lens[8];
    const char *cp = (const char *) data;
    const char *end = cp + size;
    char    id[STSTXT_MAX_ID + 1];
    VSTR   *why = vstr_new(64);
    int     n = 0;
    size_t  i;

    while (cp <= end && n < 8) {
	const char *nul = memchr(cp, 0, (size_t) (end - cp));

	recs[n] = cp;
	lens[n] = nul ? (size_t) (nul - cp) : (size_t) (end - cp);
	n++;
	if (nul == 0)
	    break;
	cp = nul + 1;
    }
    if (sts_txt_select(recs, lens, n, id, why) == STSTXT_OK) {
	size_t  idlen = strlen(id);

	fuzz_require(idlen >= 1 && idlen <= STSTXT_MAX_ID);
	for (i = 0; i < idlen; i++)
	    fuzz_require((id[i] >= '0' && id[i] <= '9') || (id[i] >= 'a' && id[i] <= 'z')
			 || (id[i] >= 'A' && id[i] <= 'Z'));
    }
    vstr_free(why);
    return 0;
}
