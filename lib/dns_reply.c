/*++
 * NAME
 *	dns_reply 3
 * SUMMARY
 *	what a reply means: a query's status, TTL and AD bit
 * SYNOPSIS
 *	#include "dns_reply.h"
 *
 *	void	dns_reply_fail(DNS_Q *q, DNS_STATUS status, const char *why)
 *	void	dns_reply_check(DNS_Q *q, const unsigned char *abuf, int alen)
 *	void	dns_reply_ares_failed(DNS_Q *q, int status)
 *	int	dns_reply_unfinished(const DNS_Q *q)
 * DESCRIPTION
 *	These turn what came back for one query of dns(3) into its result.
 *
 *	dns_reply_fail() completes q with a failure status and a why text
 *	(a constant string).
 *
 *	dns_reply_check() parses a reply (dns_msg(3)), makes sure it
 *	answers q's question (QR set, opcode 0, one question with q's name,
 *	type and class IN) and is not truncated, then classifies it:
 *	NOERROR with records of the type after CNAMEs is DNS_OK with the
 *	smallest TTL of the chain and the records; NOERROR without them
 *	DNS_NODATA, NXDOMAIN DNS_NXDOMAIN, both with the smaller of the
 *	chain's TTL and the SOA negative TTL (0 without an SOA); other
 *	RCODEs as the table dns_reply_rcode_failures says. AD is set only
 *	when this answer and every earlier answer of the chain had it.
 *
 *	dns_reply_ares_failed() completes q for a c-ares status without a
 *	reply: a timeout, a refused connection (DNS_UNREACHABLE: nothing
 *	listens there), or the deadline's own cancellation (DNS_TIMEOUT,
 *	"not waited for" for an optional query).
 *
 *	dns_reply_unfinished() is true for a NODATA reply whose CNAME chain
 *	ends at a name with neither records nor an SOA: dns(3) then asks
 *	the chain's end itself.
 *--*/
#include <string.h>
#include <sys/select.h>
#include <ares.h>

#include "dns_reply.h"

/* dns_reply_fail - complete with a failure */
void    dns_reply_fail(DNS_Q *q, DNS_STATUS status, const char *why)
{
    q->status = status;
    q->why = why;
}

/* A failure that an RCODE or a c-ares status stands for. */
typedef struct DNS_REPLY_FAILURE {
    int     code;			/* RCODE or ARES_E*; -1: any other */
    DNS_STATUS status;
    const char *why;			/* 0: the caller's text */
} DNS_REPLY_FAILURE;

/* RCODEs other than NOERROR and NXDOMAIN */
static const DNS_REPLY_FAILURE dns_reply_rcode_failures[] = {
    {DMSG_RCODE_SERVFAIL, DNS_SERVFAIL, "server failure"},
    {DMSG_RCODE_REFUSED, DNS_REFUSED, "query refused"},
    {DMSG_RCODE_FORMERR, DNS_BADRESP, "server answered FORMERR"},
    {-1, DNS_BADRESP, "unexpected RCODE"},
};

/* c-ares failures without an answer, but for the deadline's own */
static const DNS_REPLY_FAILURE dns_reply_ares_failures[] = {
    {ARES_ETIMEOUT, DNS_TIMEOUT, "no answer"},
    {ARES_ECONNREFUSED, DNS_UNREACHABLE, "no DNS server listens there"},
    {ARES_ESERVFAIL, DNS_SERVFAIL, "server failure (c-ares)"},
    {ARES_EREFUSED, DNS_REFUSED, "query refused (c-ares)"},
    {-1, DNS_BADRESP, 0},
};

/* dns_reply_fail_code - fail as the table says for code (its last row: others) */
static void dns_reply_fail_code(DNS_Q *q, const DNS_REPLY_FAILURE *table, int code,
			          const char *other)
{
    while (table->code != code && table->code != -1)
	table++;
    dns_reply_fail(q, table->status, table->why ? table->why : other);
}

/* dns_reply_negative - NODATA/NXDOMAIN TTL: chain and SOA, 0 without SOA */
static unsigned dns_reply_negative(const DMSG *msg, unsigned chain)
{
    unsigned neg;

    if (dns_msg_negative_ttl(msg, &neg) < 0)
	return 0;
    return neg < chain ? neg : chain;
}

/* dns_reply_classify - status and TTL from a parsed answer to our question */
static void dns_reply_classify(DNS_Q *q)
{
    unsigned ttl = 0xffffffffu;
    int     found;

    q->ad = q->msg.ad && q->chain_ad;
    switch (q->msg.rcode) {
    case DMSG_RCODE_NOERROR:
    case DMSG_RCODE_NXDOMAIN:
	found = dns_msg_follow_cname(&q->msg, q->asked, q->qtype, &q->final, &ttl);
	if (q->chain_ttl < ttl)
	    ttl = q->chain_ttl;
	if (found < 0) {
	    dns_reply_fail(q, DNS_BADRESP, "CNAME loop or chain too long");
	} else if (q->msg.rcode == DMSG_RCODE_NXDOMAIN) {
	    q->status = DNS_NXDOMAIN;
	    q->ttl = dns_reply_negative(&q->msg, ttl);
	} else if (found > 0) {
	    q->status = DNS_OK;
	    q->ttl = ttl;
	} else {
	    q->status = DNS_NODATA;
	    q->ttl = dns_reply_negative(&q->msg, ttl);
	}
	break;
    default:
	dns_reply_fail_code(q, dns_reply_rcode_failures, q->msg.rcode, 0);
	break;
    }
}

/* dns_reply_check - parse, make sure it answers q, classify */
void    dns_reply_check(DNS_Q *q, const unsigned char *abuf, int alen)
{
    const DMSG *m = &q->msg;
    const char *why;

    if (dns_msg_parse(abuf, (size_t) alen, &q->msg, &why) < 0)
	dns_reply_fail(q, DNS_BADRESP, why);
    else if (!m->qr || m->opcode != 0 || m->qdcount != 1 || m->qname == 0
	     || strcmp(m->qname, q->asked) != 0 || m->qtype != q->qtype
	     || m->qclass != DMSG_C_IN)
	dns_reply_fail(q, DNS_BADRESP, "answer is for another question");
    else if (m->tc)
	dns_reply_fail(q, DNS_BADRESP, "answer truncated");
    else
	dns_reply_classify(q);
}

/* dns_reply_ares_failed - c-ares status without an answer */
void    dns_reply_ares_failed(DNS_Q *q, int status)
{
    if (status == ARES_ECANCELLED || status == ARES_EDESTRUCTION)
	dns_reply_fail(q, DNS_TIMEOUT, q->optional ? "not waited for"
		 : "no answer before the deadline");
    else
	dns_reply_fail_code(q, dns_reply_ares_failures, status, ares_strerror(status));
}

/* dns_reply_unfinished - a CNAME chain that ends without records or SOA */
int     dns_reply_unfinished(const DNS_Q *q)
{
    unsigned neg;

    return strcmp(q->final, q->asked) != 0
	&& dns_msg_negative_ttl(&q->msg, &neg) < 0;
}
