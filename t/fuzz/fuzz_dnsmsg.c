/* fuzz_dnsmsg - DNS message parser and CNAME chain walker */
#include <string.h>

#include "dns_msg.h"
#include "fuzz.h"

int     LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    DMSG    msg;
    const char *why;
    const char *final;
    unsigned ttl;
    int     i;

    if (dns_msg_parse(data, size, &msg, &why) < 0)
	return 0;
    fuzz_require(msg.qname != 0 && strlen(msg.qname) <= DMSG_NAME_MAX);
    for (i = 0; i < msg.nan; i++) {
	const DMSG_RR *rr = msg.an + i;

	fuzz_require(rr->owner && strlen(rr->owner) <= DMSG_NAME_MAX);
	fuzz_require(rr->ttl <= 0x7fffffffu);
	if (rr->type == DMSG_T_MX || rr->type == DMSG_T_CNAME)
	    fuzz_require(rr->target != 0);
	if (rr->type == DMSG_T_A)
	    fuzz_require(rr->dlen == 4);
	if (rr->type == DMSG_T_TXT)
	    fuzz_require(rr->dlen <= size);
    }
    (void) dns_msg_follow_cname(&msg, msg.qname, DMSG_T_MX, &final, &ttl);
    (void) dns_msg_follow_cname(&msg, msg.qname, DMSG_T_TLSA, &final, &ttl);
    (void) dns_msg_negative_ttl(&msg, &ttl);
    dns_msg_free(&msg);
    return 0;
}
