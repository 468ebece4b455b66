/*++
 * NAME
 *	dns 3
 * SUMMARY
 *	parallel DNS queries through c-ares, trusting only the AD bit
 * SYNOPSIS
 *	#include "dns.h"
 *
 *	DNS	*dns_new(const char *servers, int timeout_s, int deadline_s,
 *				VSTR *err)
 *	void	dns_begin(DNS *dns)
 *	DNS_Q	*dns_query(DNS *dns, const char *name, int qtype,
 *				DNS_CB cb, void *ctx)
 *	void	dns_run(DNS *dns)
 *	void	dns_free(DNS *dns)
 *
 *	unsigned long dns_count_queries(const DNS *dns)
 *	unsigned long dns_count_failures(const DNS *dns)
 *
 *	void	dns_set_until(DNS *dns, const struct timespec *until)
 *	long	dns_ms_until(const DNS *dns)
 *
 *	const char *dns_status_name(DNS_STATUS status)
 *	const char *dns_failure_name(DNS_STATUS status)
 *	const char *dns_type_name(int qtype)
 * DESCRIPTION
 *	dns_new() makes a c-ares channel that asks only the given
 *	servers, never appends search domains, does not read the servers,
 *	domains or options of /etc/resolv.conf, sends EDNS with a
 *	1232-byte UDP size (c-ares retries over TCP when an answer is
 *	truncated), passes SERVFAIL and REFUSED answers through instead of
 *	treating them as dead servers, and waits timeout_s per try (c-ares
 *	doubles it on each of its 3 tries per server).
 *
 *	dns_query() adds one query (class IN, RD and AD set, EDNS with a
 *	1232-byte UDP size) to the current lookup and sends it at once.
 *	With c-ares 1.28 or later the query is built with the record API
 *	(c-ares picks the ID, may add a DNS cookie, and hands back a parsed
 *	answer that is encoded again for our own parser); with older
 *	versions it is built with ares_create_query() and an ID from
 *	getrandom() that no query in flight uses. cb, if
 *	not NULL, runs when the query has completed, always from inside
 *	dns_run() and never from inside c-ares or dns_query(); it may add
 *	more queries. A name that is not plain text (letters, digits,
 *	"-", "_", "*", labels of 1-63 bytes, at most 253 bytes; one final
 *	dot is dropped; "." alone is the root, whose final name is "")
 *	completes as DNS_BADRESP without being sent.
 *
 *	dns_run() runs the event loop with poll() (c-ares reports its
 *	sockets through the socket-state callback) until every query has
 *	completed and its callback has run, for at most deadline_s
 *	seconds from the time it was called: then every query still
 *	pending completes as DNS_TIMEOUT, and queries added by callbacks
 *	after that complete the same way without being sent. A caller
 *	(usually a callback) may set q->optional: once only optional
 *	queries are pending, dns_run() stops waiting for them and they
 *	complete as DNS_TIMEOUT with why "not waited for".
 *
 *	dns_set_until() sets an absolute CLOCK_MONOTONIC time (NULL: none)
 *	that no dns_run() goes past, whatever deadline_s allows: the
 *	caller's limit for a whole lookup made of several dns_run() calls.
 *	dns_ms_until() says how many milliseconds of it are left (LONG_MAX
 *	without a limit), for other work of the same lookup.
 *
 *	dns_begin() starts a new lookup: it forgets the earlier queries
 *	(their DNS_Q handles become invalid) without running callbacks.
 *	Do not call it, or dns_free(), from a callback.
 *
 *	A completed query has a status, the AD flag of its answer, the
 *	parsed message, the final name after CNAMEs, and a TTL: the
 *	smallest TTL of the CNAME chain and of the records of its type
 *	for DNS_OK; for DNS_NODATA and DNS_NXDOMAIN the smallest of the
 *	chain and the SOA negative TTL, or 0 (unknown) without an SOA.
 *	An answer that is not a response to this question, that is still
 *	truncated, or that has a CNAME loop is DNS_BADRESP. A server that
 *	refuses the connection (ICMP port unreachable: nothing listens
 *	there) is DNS_UNREACHABLE, not a timeout.
 *
 *	dns_status_name() names a status for debug logs; dns_failure_name()
 *	names a failure as an administrator reads it in a reason: the RCODE
 *	("SERVFAIL", "REFUSED"), "timeout", "connection refused" or "bad
 *	response".
 *
 *	When an answer ends in a CNAME whose target has neither records of
 *	the type nor an SOA that proves there are none (a server that does
 *	not chase CNAMEs, like unbound's local-data), the target is asked
 *	in a follow-up query, at most DNS_MAX_FOLLOW times (then
 *	DNS_BADRESP), as Postfix does. The result is that of the last
 *	answer; AD is set only when every answer had it, and the TTL
 *	covers the CNAMEs of the earlier answers too.
 *
 *	dns_count_queries() and dns_count_failures() count queries sent
 *	and queries that ended in SERVFAIL, REFUSED, timeout, connection
 *	refused or a bad answer, since dns_new().
 * SECURITY
 *	The AD flag means something only from a validating resolver on the
 *	same host; dns_servers_loopback() (dns_servers(3)) lets the caller
 *	warn otherwise.
 *--*/
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE			/* as Makefile.am: POSIX interfaces */
#endif
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/select.h>
#include <time.h>
#include <ares.h>

#include "dns.h"
#include "dns_reply.h"
#include "log.h"
#include "mem.h"

#define DNS_EDNS_SIZE	1232		/* DNS flag day 2020: no fragments */
#define DNS_TRIES	3
#define DNS_NAME_LEN	253

 /*
  * The record API (c-ares 1.28) where configure found it: 1.34 deprecates
  * ares_create_query() and ares_send().
  */
#if defined(HAVE_ARES_SEND_DNSREC) && defined(HAVE_ARES_DNS_WRITE)
#define DNS_RECORD_API
#endif

struct DNS {
    ares_channel channel;
    struct pollfd *socks;		/* c-ares sockets and their events */
    struct pollfd *ready;		/* a copy for poll() */
    size_t  nsocks;
    size_t  maxsocks;
    int     deadline_s;
    struct timespec deadline;		/* of the running dns_run() */
    struct timespec until;		/* dns_set_until(), or 0 */
    int     expired;			/* the deadline has passed */
    int     cancelling;			/* dns_begin() or dns_free() */
    DNS_Q  *queries;			/* this lookup's, newest first */
    DNS_Q  *done_head;			/* completed, callback pending */
    DNS_Q **done_tail;
    int     pending;			/* in c-ares */
    unsigned long nqueries;
    unsigned long nfailures;
};

/* dns_status_name - for logs and -v */
const char *dns_status_name(DNS_STATUS status)
{
    switch (status) {
    case DNS_OK: return "ok";
    case DNS_NODATA: return "nodata";
    case DNS_NXDOMAIN: return "nxdomain";
    case DNS_SERVFAIL: return "servfail";
    case DNS_REFUSED: return "refused";
    case DNS_TIMEOUT: return "timeout";
    case DNS_UNREACHABLE: return "unreachable";
    case DNS_BADRESP: return "bad response";
    }
    return "unknown";
}

/* dns_failure_name - a failure as reasons name it: the RCODE, or what
 * happened instead of an answer */
const char *dns_failure_name(DNS_STATUS status)
{
    switch (status) {
    case DNS_SERVFAIL: return "SERVFAIL";
    case DNS_REFUSED: return "REFUSED";
    case DNS_TIMEOUT: return "timeout";
    case DNS_UNREACHABLE: return "connection refused";
    case DNS_BADRESP: return "bad response";
    default: return dns_status_name(status);
    }
}

/* dns_type_name - the types we ask for */
const char *dns_type_name(int qtype)
{
    switch (qtype) {
    case DMSG_T_A: return "A";
    case DMSG_T_AAAA: return "AAAA";
    case DMSG_T_MX: return "MX";
    case DMSG_T_TLSA: return "TLSA";
    case DMSG_T_TXT: return "TXT";
    case DMSG_T_CNAME: return "CNAME";
    case DMSG_T_SOA: return "SOA";
    }
    return "other";
}

#ifdef HAVE_ARES_GET_SERVERS_CSV

/* dns_count_servers - how many servers the channel has */
static int dns_count_servers(DNS *dns)
{
    char   *csv = ares_get_servers_csv(dns->channel);
    const char *cp;
    int     n = 0;

    if (csv == 0)
	return 0;
    if (*csv)
	for (n = 1, cp = csv; *cp; cp++)
	    n += *cp == ',';
    ares_free_string(csv);
    return n;
}

#else

/* dns_count_servers - how many servers the channel has */
static int dns_count_servers(DNS *dns)
{
    struct ares_addr_port_node *list = 0;
    struct ares_addr_port_node *sp;
    int     n = 0;

    if (ares_get_servers_ports(dns->channel, &list) == ARES_SUCCESS)
	for (sp = list; sp; sp = sp->next)
	    n++;
    if (list)
	ares_free_data(list);
    return n;
}

#endif

/* dns_set_servers - install and read back the server list */
static int dns_set_servers(DNS *dns, const char *servers, VSTR *err)
{
    VSTR   *csv = vstr_new(64);
    int     want = dns_servers_parse(servers, csv, err);
    int     got = 0;
    int     rc;

    if (want > 0) {
	if ((rc = ares_set_servers_ports_csv(dns->channel, vstr_str(csv))) != ARES_SUCCESS)
	    vstr_printf(err, "c-ares refused \"%s\": %s", vstr_str(csv),
			ares_strerror(rc));
	else
	    got = dns_count_servers(dns);
	if (got != want && vstr_len(err) == 0)
	    vstr_printf(err, "c-ares took %d of the %d servers in \"%s\"",
			got, want, vstr_str(csv));
    }
    vstr_free(csv);
    return want > 0 && got == want ? 0 : -1;
}

/* dns_sock_state - c-ares opens, closes or changes interest in a socket */
static void dns_sock_state(void *data, ares_socket_t fd, int readable,
			           int writable)
{
    DNS    *dns = data;
    short   ev = (short) ((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
    size_t  i;

    for (i = 0; i < dns->nsocks && dns->socks[i].fd != fd; i++)
	 /* void */ ;
    if (i == dns->nsocks) {
	if (ev == 0)
	    return;
	if (dns->nsocks == dns->maxsocks) {
	    dns->maxsocks = dns->maxsocks ? 2 * dns->maxsocks : 8;
	    dns->socks = mem_realloc(dns->socks, dns->maxsocks * sizeof(*dns->socks));
	    dns->ready = mem_realloc(dns->ready, dns->maxsocks * sizeof(*dns->ready));
	}
	dns->socks[dns->nsocks++].fd = fd;
    }
    if (ev == 0)
	dns->socks[i] = dns->socks[--dns->nsocks];
    else
	dns->socks[i].events = ev;
}

/* dns_init - the channel, without servers yet */
static int dns_init(DNS *dns, int timeout_s, VSTR *err)
{
    struct ares_options opts;
    char    no_conf[] = "/dev/null";
    int     optmask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES
	| ARES_OPT_EDNSPSZ | ARES_OPT_DOMAINS | ARES_OPT_NOROTATE
	| ARES_OPT_RESOLVCONF | ARES_OPT_SOCK_STATE_CB;
    int     rc;

    memset(&opts, 0, sizeof(opts));
    opts.flags = ARES_FLAG_NOCHECKRESP | ARES_FLAG_EDNS | ARES_FLAG_NOSEARCH
	| ARES_FLAG_NOALIASES;
    opts.timeout = (timeout_s < 1 ? 1 : timeout_s) * 1000;
    opts.tries = DNS_TRIES;
    opts.ednspsz = DNS_EDNS_SIZE;
    opts.ndomains = 0;
    opts.resolvconf_path = no_conf;
    opts.sock_state_cb = dns_sock_state;
    opts.sock_state_cb_data = dns;
#ifdef ARES_OPT_QUERY_CACHE
    opts.qcache_max_ttl = 0;		/* 1.23+: no cache but ours */
    optmask |= ARES_OPT_QUERY_CACHE;
#endif
    rc = ares_init_options(&dns->channel, &opts, optmask);
    if (rc != ARES_SUCCESS) {
	vstr_printf(err, "c-ares initialization failed: %s", ares_strerror(rc));
	return -1;
    }
    return 0;
}

/* dns_new - channel with our servers and flags */
DNS    *dns_new(const char *servers, int timeout_s, int deadline_s, VSTR *err)
{
    static int library_ready;
    DNS    *dns;

    if (!library_ready && ares_library_init(ARES_LIB_INIT_ALL) == ARES_SUCCESS)
	library_ready = 1;
    dns = mem_calloc(1, sizeof(*dns));
    dns->deadline_s = deadline_s < 1 ? 1 : deadline_s;
    dns->done_tail = &dns->done_head;
    if (dns_init(dns, timeout_s, err) < 0) {
	mem_free(dns);
	return 0;
    }
    if (dns_set_servers(dns, servers, err) < 0) {
	dns_free(dns);
	return 0;
    }
    return dns;
}

/* dns_forget - free the queries of the previous lookup */
static void dns_forget(DNS *dns)
{
    DNS_Q  *q;

    while ((q = dns->queries) != 0) {
	dns->queries = q->next;
	dns_msg_free(&q->msg);
	if (q->asked != q->name)
	    mem_free(q->asked);
	mem_free(q->name);
	mem_free(q);
    }
    dns->done_head = 0;
    dns->done_tail = &dns->done_head;
}

/* dns_cancel - stop pending queries without running callbacks */
static void dns_cancel(DNS *dns)
{
    dns->cancelling = 1;
    if (dns->pending > 0)
	ares_cancel(dns->channel);
    dns->cancelling = 0;
    dns->pending = 0;
}

/* dns_begin - a new lookup */
void    dns_begin(DNS *dns)
{
    dns_cancel(dns);
    dns_forget(dns);
}

/* dns_free - destroy */
void    dns_free(DNS *dns)
{
    if (dns == 0)
	return;
    dns_cancel(dns);
    ares_destroy(dns->channel);		/* runs dns_sock_state() */
    dns_forget(dns);
    if (dns->socks) {
	mem_free(dns->socks);
	mem_free(dns->ready);
    }
    mem_free(dns);
}

/* dns_normalize - lower case, one final dot dropped; 0 if not plain */
static char *dns_normalize(const char *name)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyz0123456789-_*";
    char   *copy = mem_strdup(name);
    size_t  len = strlen(copy);
    size_t  label = 0;
    char   *cp;

    if (strcmp(copy, ".") == 0)		/* the root, named as dns_msg_parse() does */
	return memset(copy, 0, 1);
    if (len > 1 && copy[len - 1] == '.')
	copy[--len] = 0;
    for (cp = copy; *cp; cp++) {
	if (*cp >= 'A' && *cp <= 'Z')
	    *cp = (char) (*cp - 'A' + 'a');
	if (*cp == '.' ? (label == 0) : (strchr(ok, *cp) == 0 || ++label > 63))
	    break;
	if (*cp == '.')
	    label = 0;
    }
    if (*cp != 0 || len == 0 || len > DNS_NAME_LEN || label == 0) {
	mem_free(copy);
	return 0;
    }
    return copy;
}

static void dns_answer(void *, int, int, unsigned char *, int);

/* dns_sent - account for a query handed to c-ares */
static void dns_sent(DNS *dns, DNS_Q *q, unsigned id)
{
    q->id = id;
    q->in_ares = 1;
    dns->pending++;
    dns->nqueries++;
}

#ifdef DNS_RECORD_API

/* dns_answer_rec - record API callback: encode the answer for dmsg */
static void dns_answer_rec(void *arg, ares_status_t status, size_t timeouts,
			           const ares_dns_record_t *rec)
{
    unsigned char *buf = 0;
    size_t  len = 0;

    if (status != ARES_SUCCESS || rec == 0)
	dns_answer(arg, (int) status, 0, 0, 0);
    else if (ares_dns_write(rec, &buf, &len) != ARES_SUCCESS || len > INT_MAX)
	dns_answer(arg, ARES_EBADRESP, 0, 0, 0);
    else
	dns_answer(arg, ARES_SUCCESS, timeouts > INT_MAX ? INT_MAX : (int) timeouts,
		   buf, (int) len);
    if (buf)
	ares_free_string(buf);
}

/* dns_make_query - RD, AD, one question, EDNS OPT record */
static ares_dns_record_t *dns_make_query(const DNS_Q *q)
{
    ares_dns_record_t *rec = 0;
    ares_dns_rr_t *opt = 0;

    if (ares_dns_record_create(&rec, 0, ARES_FLAG_RD | ARES_FLAG_AD,
			       ARES_OPCODE_QUERY, ARES_RCODE_NOERROR) != ARES_SUCCESS)
	return 0;
    if (ares_dns_record_query_add(rec, q->asked, (ares_dns_rec_type_t) q->qtype,
				  ARES_CLASS_IN) != ARES_SUCCESS
	|| ares_dns_record_rr_add(&opt, rec, ARES_SECTION_ADDITIONAL, "",
				  ARES_REC_TYPE_OPT, ARES_CLASS_IN, 0) != ARES_SUCCESS
	|| ares_dns_rr_set_u16(opt, ARES_RR_OPT_UDP_SIZE, DNS_EDNS_SIZE) != ARES_SUCCESS
	|| ares_dns_rr_set_u8(opt, ARES_RR_OPT_VERSION, 0) != ARES_SUCCESS
	|| ares_dns_rr_set_u16(opt, ARES_RR_OPT_FLAGS, 0) != ARES_SUCCESS) {
	ares_dns_record_destroy(rec);
	return 0;
    }
    return rec;
}

/* dns_send - build the query with the AD bit and hand it to c-ares */
static int dns_send(DNS *dns, DNS_Q *q)
{
    ares_dns_record_t *rec = dns_make_query(q);
    unsigned short id = 0;

    if (rec == 0)
	return -1;
    dns_sent(dns, q, 0);
    /* on failure c-ares has run the callback already */
    if (ares_send_dnsrec(dns->channel, rec, dns_answer_rec, q, &id) == ARES_SUCCESS)
	q->id = id;
    ares_dns_record_destroy(rec);
    return 0;
}

#else

/* dns_new_id - random, and unlike the IDs of queries in flight */
static unsigned short dns_new_id(const DNS *dns)
{
    unsigned short id = 0;
    const DNS_Q *q;
    int     tries;

    for (tries = 0; tries < 16; tries++) {
	if (getrandom(&id, sizeof(id), 0) != (ssize_t) sizeof(id))
	    id = (unsigned short) random();
	for (q = dns->queries; q; q = q->next)
	    if (q->in_ares && q->id == id)
		break;
	if (q == 0)
	    break;
    }
    return id;
}

/* dns_send - build the query with the AD bit and hand it to c-ares */
static int dns_send(DNS *dns, DNS_Q *q)
{
    unsigned char *buf = 0;
    unsigned short id = dns_new_id(dns);
    int     len;

    if (ares_create_query(q->asked, DMSG_C_IN, q->qtype, id, 1, &buf, &len,
			  DNS_EDNS_SIZE) != ARES_SUCCESS || len < 12) {
	if (buf)
	    ares_free_string(buf);
	return -1;
    }
    buf[3] |= 0x20;			/* AD: we want the validation result */
    dns_sent(dns, q, id);
    ares_send(dns->channel, buf, len, dns_answer, q);
    ares_free_string(buf);
    return 0;
}

#endif

/* dns_done - queue a completed query for its callback */
static void dns_done(DNS *dns, DNS_Q *q)
{
    if (q->status == DNS_SERVFAIL || q->status == DNS_REFUSED
	|| q->status == DNS_TIMEOUT || q->status == DNS_UNREACHABLE
	|| q->status == DNS_BADRESP)
	dns->nfailures++;
    q->done_next = 0;
    *dns->done_tail = q;
    dns->done_tail = &q->done_next;
}

/* dns_follow - ask the end of the chain; -1 when q is done */
static int dns_follow(DNS *dns, DNS_Q *q)
{
    const char *final;
    unsigned ttl;
    char   *next;

    if (dns->expired) {
	dns_reply_fail(q, DNS_TIMEOUT, "no answer before the deadline");
	return -1;
    }
    if (q->follow >= DNS_MAX_FOLLOW) {
	dns_reply_fail(q, DNS_BADRESP, "CNAME chain too long");
	return -1;
    }
    if ((next = dns_normalize(q->final)) == 0) {
	dns_reply_fail(q, DNS_BADRESP, "CNAME target is not a plain domain name");
	return -1;
    }
    (void) dns_msg_follow_cname(&q->msg, q->asked, q->qtype, &final, &ttl);
    q->chain_ttl = ttl < q->chain_ttl ? ttl : q->chain_ttl;
    q->chain_ad = q->chain_ad && q->msg.ad;
    dns_msg_free(&q->msg);
    if (q->asked != q->name)
	mem_free(q->asked);
    q->final = q->asked = next;
    q->follow++;
    if (dns_send(dns, q) == 0)
	return 0;
    dns_reply_fail(q, DNS_BADRESP, "cannot build the query");
    return -1;
}

/* dns_answer - c-ares callback: record the result, queue q */
static void dns_answer(void *arg, int status, int timeouts,
		               unsigned char *abuf, int alen)
{
    DNS_Q  *q = arg;
    DNS    *dns = q->dns;

    (void) timeouts;
    q->in_ares = 0;
    dns->pending--;
    if (status == ARES_SUCCESS && abuf != 0 && alen > 0)
	dns_reply_check(q, abuf, alen);
    else
	dns_reply_ares_failed(q, status);
    if (dns->cancelling)
	return;
    if (q->status == DNS_NODATA && dns_reply_unfinished(q) && dns_follow(dns, q) == 0)
	return;				/* dns_answer() runs again */
    dns_done(dns, q);
}

/* dns_query - one more query in this lookup */
DNS_Q  *dns_query(DNS *dns, const char *name, int qtype, DNS_CB cb, void *ctx)
{
    DNS_Q  *q = mem_calloc(1, sizeof(*q));
    char   *norm = dns_normalize(name);

    q->qtype = qtype;
    q->cb = cb;
    q->ctx = ctx;
    q->dns = dns;
    q->chain_ad = 1;
    q->chain_ttl = 0xffffffffu;
    q->next = dns->queries;
    dns->queries = q;
    q->name = norm ? norm : mem_strdup(name);
    q->final = q->asked = q->name;
    if (norm == 0)
	dns_reply_fail(q, DNS_BADRESP, "not a plain domain name");
    else if (dns->expired)
	dns_reply_fail(q, DNS_TIMEOUT, "no answer before the deadline");
    else if (dns_send(dns, q) < 0)
	dns_reply_fail(q, DNS_BADRESP, "cannot build the query");
    else
	return q;			/* dns_answer() queues it */
    dns_done(dns, q);
    return q;
}

/* dns_ms_left - milliseconds until the deadline */
static long dns_ms_left(const DNS *dns)
{
    struct timespec now;

    (void) clock_gettime(CLOCK_MONOTONIC, &now);
    return (long) (dns->deadline.tv_sec - now.tv_sec) * 1000L
	+ (dns->deadline.tv_nsec - now.tv_nsec) / 1000000L;
}

/* dns_poll_once - wait for our sockets or a c-ares timer, then process */
static void dns_poll_once(DNS *dns, long left)
{
    struct timeval maxtv = {left / 1000, (left % 1000) * 1000};
    struct timeval tvbuf;
    struct timeval *tv;
    size_t  n = dns->nsocks;
    size_t  i;
    long    ms;

    if (n > 0)				/* c-ares may change socks below */
	memcpy(dns->ready, dns->socks, n * sizeof(*dns->ready));
    for (i = 0; i < n; i++)
	dns->ready[i].revents = 0;
    tv = ares_timeout(dns->channel, &maxtv, &tvbuf);	/* maxtv, or &tvbuf */
    ms = (long) tv->tv_sec * 1000 + (tv->tv_usec + 999) / 1000;
    if (poll(dns->ready, (nfds_t) n, (int) (ms < left ? ms : left)) < 0 && errno != EINTR)
	log_warn("poll: %m");
    for (i = 0; i < n; i++) {
	int     r = dns->ready[i].revents & (POLLIN | POLLERR | POLLHUP);
	int     w = dns->ready[i].revents & (POLLOUT | POLLERR | POLLHUP);

	if (r || w)
	    ares_process_fd(dns->channel, r ? dns->ready[i].fd : ARES_SOCKET_BAD,
			    w ? dns->ready[i].fd : ARES_SOCKET_BAD);
    }
    ares_process_fd(dns->channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);
}

/* dns_deliver - run the callbacks of completed queries, in order */
static void dns_deliver(DNS *dns)
{
    DNS_Q  *q;

    while ((q = dns->done_head) != 0) {
	if ((dns->done_head = q->done_next) == 0)
	    dns->done_tail = &dns->done_head;
	q->done_next = 0;
	if (q->cb)
	    q->cb(q, q->ctx);
    }
}

/* dns_only_optional - every query still in c-ares is optional */
static int dns_only_optional(const DNS *dns)
{
    const DNS_Q *q;

    for (q = dns->queries; q; q = q->next)
	if (q->in_ares && !q->optional)
	    return 0;
    return 1;
}

/* dns_before - a earlier than b */
static int dns_before(const struct timespec *a, const struct timespec *b)
{
    return a->tv_sec < b->tv_sec
	|| (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

/* dns_set_until - no dns_run() goes past this time (NULL: no limit) */
void    dns_set_until(DNS *dns, const struct timespec *until)
{
    if (until)
	dns->until = *until;
    else
	dns->until.tv_sec = dns->until.tv_nsec = 0;
}

/* dns_ms_until - milliseconds left of the dns_set_until() limit */
long    dns_ms_until(const DNS *dns)
{
    struct timespec now;

    if (dns->until.tv_sec == 0)
	return LONG_MAX;
    (void) clock_gettime(CLOCK_MONOTONIC, &now);
    return (long) (dns->until.tv_sec - now.tv_sec) * 1000L
	+ (dns->until.tv_nsec - now.tv_nsec) / 1000000L;
}

/* dns_run - until every query is done, or the deadline */
void    dns_run(DNS *dns)
{
    long    left;

    (void) clock_gettime(CLOCK_MONOTONIC, &dns->deadline);
    dns->deadline.tv_sec += dns->deadline_s;
    if (dns->until.tv_sec != 0 && dns_before(&dns->until, &dns->deadline))
	dns->deadline = dns->until;	/* the lookup's overall limit */
    dns->expired = 0;
    for (;;) {
	dns_deliver(dns);
	if (dns->pending == 0 && dns->done_head == 0)
	    break;
	if (dns->pending == 0)
	    continue;
	if (dns_only_optional(dns)) {
	    log_debug("%d optional quer%s not waited for", dns->pending,
		      dns->pending == 1 ? "y" : "ies");
	    ares_cancel(dns->channel);	/* completes them as timeouts */
	    continue;
	}
	if ((left = dns_ms_left(dns)) <= 0) {
	    if (dns->expired) {
		log_warn("c-ares kept %d quer%s after ares_cancel()",
			 dns->pending, dns->pending == 1 ? "y" : "ies");
		break;
	    }
	    log_debug("DNS deadline of %ds reached; %d quer%s abandoned",
		      dns->deadline_s, dns->pending, dns->pending == 1 ? "y" : "ies");
	    dns->expired = 1;
	    ares_cancel(dns->channel);	/* completes them as timeouts */
	    continue;
	}
	dns_poll_once(dns, left);
    }
    dns->expired = 0;
}

/* dns_count_queries - sent since dns_new() */
unsigned long dns_count_queries(const DNS *dns)
{
    return dns->nqueries;
}

/* dns_count_failures - SERVFAIL, REFUSED, timeouts, bad answers */
unsigned long dns_count_failures(const DNS *dns)
{
    return dns->nfailures;
}
