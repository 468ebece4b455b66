/* dns.h - parallel DNS lookups through c-ares, AD bit set and read */
#ifndef TP_DNS_H
#define TP_DNS_H

#include <time.h>
#include "dns_msg.h"
#include "vstr.h"

#define DNS_MAX_FOLLOW	4		/* queries after an unfinished CNAME */

typedef enum {
    DNS_OK,				/* NOERROR with records of the type */
    DNS_NODATA,				/* NOERROR without them */
    DNS_NXDOMAIN,
    DNS_SERVFAIL,			/* also bogus DNSSEC data */
    DNS_REFUSED,
    DNS_TIMEOUT,			/* no answer, or the deadline passed */
    DNS_UNREACHABLE,			/* connection refused (ICMP) */
    DNS_BADRESP,			/* malformed, FORMERR, other RCODE */
} DNS_STATUS;

typedef struct DNS DNS;
typedef struct DNS_Q DNS_Q;
typedef void (*DNS_CB) (DNS_Q *q, void *ctx);

struct DNS_Q {
    char   *name;			/* as asked: lower case, no final dot */
    int     qtype;
    DNS_STATUS status;
    int     ad;				/* every answer had the AD bit */
    unsigned ttl;			/* min TTL used, or negative TTL */
    const char *final;			/* name after CNAMEs (never NULL) */
    DMSG    msg;			/* the (last) answer, if one arrived */
    const char *why;			/* static text for failures */
    int     optional;			/* caller: dns_run() need not wait */
    DNS_CB  cb;
    void   *ctx;
    DNS    *dns;			/* for more queries from cb */
    /* Private. */
    char   *asked;			/* name in the query sent last */
    int     follow;			/* follow-up queries for a CNAME */
    int     chain_ad;			/* AD of every answer so far */
    unsigned chain_ttl;			/* CNAME TTLs of earlier answers */
    unsigned id;			/* query ID */
    int     in_ares;			/* sent, not yet answered */
    DNS_Q  *next;			/* all queries of this lookup */
    DNS_Q  *done_next;			/* completed, callback not yet run */
};

DNS    *dns_new(const char *servers, int timeout_s, int deadline_s, VSTR *err);
void    dns_free(DNS *dns);
void    dns_begin(DNS *dns);
DNS_Q  *dns_query(DNS *dns, const char *name, int qtype, DNS_CB cb, void *ctx);
void    dns_run(DNS *dns);
void    dns_set_until(DNS *dns, const struct timespec *until);
long    dns_ms_until(const DNS *dns);
const char *dns_status_name(DNS_STATUS status);
const char *dns_failure_name(DNS_STATUS status);
const char *dns_type_name(int qtype);
unsigned long dns_count_queries(const DNS *dns);
unsigned long dns_count_failures(const DNS *dns);

#include "dns_servers.h"

#endif
