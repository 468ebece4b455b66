/* dns_msg.h - bounds-checked DNS message parser */
#ifndef TP_DNS_MSG_H
#define TP_DNS_MSG_H

#include <stddef.h>

#define DMSG_NAME_MAX	1024		/* presentation form, escaped */
#define DMSG_MAX_HOPS	64		/* compression pointers per name */
#define DMSG_MAX_CHAIN	16		/* CNAMEs followed */

#define DMSG_C_IN	1

#define DMSG_T_A	1
#define DMSG_T_CNAME	5
#define DMSG_T_SOA	6
#define DMSG_T_MX	15
#define DMSG_T_TXT	16
#define DMSG_T_AAAA	28
#define DMSG_T_OPT	41
#define DMSG_T_TLSA	52

#define DMSG_RCODE_NOERROR	0
#define DMSG_RCODE_FORMERR	1
#define DMSG_RCODE_SERVFAIL	2
#define DMSG_RCODE_NXDOMAIN	3
#define DMSG_RCODE_NOTIMP	4
#define DMSG_RCODE_REFUSED	5

typedef struct DMSG_STR {		/* one TXT character-string */
    const unsigned char *str;		/* points into DMSG_RR.data */
    size_t  len;
} DMSG_STR;

typedef struct DMSG_RR {
    char   *owner;			/* lower case, no final dot */
    int     type;
    int     rclass;
    unsigned ttl;			/* > 2^31-1 reads as 0 */
    int     pref;			/* MX */
    char   *target;			/* MX exchange, CNAME target */
    int     usage, selector, mtype;	/* TLSA */
    unsigned char *data;		/* A, AAAA, TLSA data, TXT joined */
    size_t  dlen;			/* (TXT data is also NUL-terminated) */
    DMSG_STR *strs;			/* TXT character-strings */
    int     nstrings;
    unsigned soa_min;			/* SOA MINIMUM */
} DMSG_RR;

typedef struct DMSG {
    unsigned id;
    unsigned flags;			/* header bits as sent */
    int     qr, opcode, aa, tc, rd, ra, ad, cd;
    int     rcode;			/* with the EDNS extended bits */
    int     qdcount, ancount, nscount, arcount;
    char   *qname;			/* the question */
    int     qtype;
    int     qclass;
    int     edns;			/* an OPT record was present */
    int     edns_version;
    unsigned edns_udp;			/* sender's UDP payload size */
    DMSG_RR *an;			/* answer section */
    int     nan;
    DMSG_RR *ns;			/* authority section */
    int     nns;
    DMSG_RR *ar;			/* additional section */
    int     nar;
} DMSG;

int     dns_msg_parse(const unsigned char *buf, size_t len, DMSG *msg,
		           const char **why);
void    dns_msg_free(DMSG *msg);
int     dns_msg_follow_cname(const DMSG *msg, const char *qname, int qtype,
			          const char **final, unsigned *ttl);
const DMSG_RR *dns_msg_next_rr(const DMSG *msg, const DMSG_RR *prev,
			            const char *owner, int type);
int     dns_msg_negative_ttl(const DMSG *msg, unsigned *ttl);
int     dns_msg_name_is_host(const char *name);

#endif
