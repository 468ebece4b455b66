/*++
 * NAME
 *	probe 3
 * SUMMARY
 *	does the resolver answer, and does it validate DNSSEC?
 * SYNOPSIS
 *	#include "probe.h"
 *
 *	PROBE_STATUS probe_resolver(const char *servers, int timeout_s,
 *				int deadline_s, VSTR *why)
 * DESCRIPTION
 *	probe_resolver() asks servers (dns_resolver syntax) for the SOA
 *	record of the root zone, which is signed, with the AD bit set in
 *	the query, and sorts the outcome:
 *
 *	PROBE_VALIDATING: an answer with the AD bit: the resolver
 *	validated it.
 *
 *	PROBE_NOT_VALIDATING: an answer without it. Such a resolver never
 *	sets AD, so every DANE domain would look unsigned: dane-only
 *	domains would be answered "not found".
 *
 *	PROBE_NO_ANSWER: no usable answer (timeout, unreachable server,
 *	SERVFAIL as a resolver whose trust anchor is wrong gives, REFUSED,
 *	a malformed reply, a bad server list).
 *
 *	why gets one line for the administrator in every case: a failure
 *	named as dns_failure_name() names it, with a hint (SERVFAIL: trust
 *	anchor? internet access to the root servers? connection refused:
 *	is the resolver running?).
 * SEE ALSO
 *	dns(3), which sends the query.
 *--*/
#include "dns.h"
#include "probe.h"

#define PROBE_ASKED	"\"" PROBE_NAME " " PROBE_TYPE_NAME "\""

/* probe_hint - what a failure of the root SOA query most likely means */
static const char *probe_hint(const DNS_Q *q)
{
    switch (q->status) {
    case DNS_SERVFAIL:
	return "trust anchor missing or broken? no internet access to the"
	    " root servers?";
    case DNS_REFUSED:
	return "the resolver does not serve this host: access-control?";
    case DNS_UNREACHABLE:
	return "no DNS server listens there: is the resolver running?";
    default:
	return q->why ? q->why : "?";
    }
}

/* probe_classify - the outcome of one answered query */
static PROBE_STATUS probe_classify(const DNS_Q *q, VSTR *why)
{
    switch (q->status) {
    case DNS_OK:
    case DNS_NODATA:
    case DNS_NXDOMAIN:
	if (q->ad) {
	    vstr_printf(why, "answers " PROBE_ASKED " with the AD bit: it"
			" validates DNSSEC");
	    return PROBE_VALIDATING;
	}
	vstr_printf(why, "answers " PROBE_ASKED " without the AD bit: it"
		    " does not validate DNSSEC (use a validating resolver such"
		    " as unbound with dns-root-data)");
	return PROBE_NOT_VALIDATING;
    default:
	vstr_printf(why, "no usable answer to " PROBE_ASKED ": %s (%s)",
		    dns_failure_name(q->status), probe_hint(q));
	return PROBE_NO_ANSWER;
    }
}

/* probe_resolver - ask the root SOA with AD, sort the outcome */
PROBE_STATUS probe_resolver(const char *servers, int timeout_s,
			            int deadline_s, VSTR *why)
{
    VSTR   *err = vstr_new(64);
    PROBE_STATUS status;
    DNS    *dns;
    DNS_Q  *q;

    if ((dns = dns_new(servers, timeout_s, deadline_s, err)) == 0) {
	vstr_printf(why, "cannot use it: %s", vstr_str(err));
	vstr_free(err);
	return PROBE_NO_ANSWER;
    }
    dns_begin(dns);
    q = dns_query(dns, PROBE_NAME, DMSG_T_SOA, 0, 0);
    dns_run(dns);
    status = probe_classify(q, why);
    dns_free(dns);
    vstr_free(err);
    return status;
}
