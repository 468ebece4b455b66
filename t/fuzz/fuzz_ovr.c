/* fuzz_ovr - the policy override file parser and lookups */
#include <string.h>

#include "fuzz.h"
#include "ovr.h"
#include "pfsplit.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    VSTR   *err = vstr_new(64);
    OVR    *ovr = ovr_load_buf("fuzz", (const char *) data, size, err);
    const char *matched;
    const char *pol;

    if (ovr) {
	pol = ovr_lookup(ovr, "a.example.com", &matched);
	if (pol) {
	    fuzz_require(strlen(pol) <= OVR_MAX_POLICY);
	    fuzz_require(strchr(pol, '\n') == 0 && strchr(pol, '\t') == 0);
	    fuzz_require(ovr_policy_word_ok(pol, strcspn(pol, " ")));
	    /* Postfix reads exactly the words we checked, all allowed */
	    fuzz_require(pf_split(pol) == pf_words(pol));
	}
	ovr_free(ovr);
    } else {
	fuzz_require(vstr_len(err) > 0 && strncmp(vstr_str(err), "fuzz", 4) == 0);
    }
    vstr_free(err);
    return 0;
}
