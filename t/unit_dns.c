/*
 * unit_dns - the c-ares client against real servers on 127.77.54.N
 *
 * Three servers, all started here and stopped by PID: unbound with local
 * data (skipped when unbound is not installed; $UNBOUND names another
 * binary), a fake server forked from this program that answers by the
 * first label of the query name (SERVFAIL, FORMERR, BADVERS, garbage,
 * truncation then TCP, a CNAME loop, a delay, silence, a wrong
 * question), and a UDP socket that never answers. N is chosen from the
 * PID so that parallel runs do not collide.
 *
 * The fake server answers the way a real one does: it echoes an EDNS OPT
 * record when the query has one, with the client's DNS cookie (RFC 7873)
 * and a server cookie when the query carries one, in every answer (c-ares
 * 1.34 drops an answer without the cookie from a server that sent one
 * before, as RFC 7873 5.3 says). The tests assert what c-ares 1.18 and 1.34 both must
 * reach, not the bytes one of them sends: 1.34 adds cookies, picks its
 * own IDs, and rejects malformed replies itself.
 */
#ifndef _DEFAULT_SOURCE
#define _DEFAULT_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dns.h"
#include "tap.h"

#define UB_PORT		5354
#define FAKE_DELAY_MS	300

static char addr[32];			/* 127.77.54.N */
static char tmpdir[] = "/tmp/unit_dns.XXXXXX";

/* now_ms - monotonic milliseconds */
static long now_ms(void)
{
    struct timespec ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* path - a file in tmpdir */
static const char *path(const char *name)
{
    static char buf[4][256];
    static int n;

    n = (n + 1) % 4;
    (void) snprintf(buf[n], sizeof(buf[n]), "%s/%s", tmpdir, name);
    return buf[n];
}

/* skip - a skipped test point */
static void skip(const char *name, const char *why)
{
    printf("ok %d - %s # SKIP %s\n", ++tap_count, name, why);
}

/*
 * Server list parsing and loopback detection: no network.
 */
static void test_servers(void)
{
    static const struct {
	const char *in;
	const char *csv;		/* NULL: refused */
    } cases[] = {
	{"127.0.0.1", "127.0.0.1:53"},
	{"127.0.0.1:5353, [::1]:53", "127.0.0.1:5353,[::1]:53"},
	{"127.0.0.1 ::1", "127.0.0.1:53,[::1]:53"},
	{" 192.0.2.1:53,,\t[2001:db8::1] ", "192.0.2.1:53,[2001:db8::1]:53"},
	{"::1:53", "[::0.1.0.83]:53"},	/* no brackets: all address (glibc form) */
	{"127.0.0.1, 127.0.0.1:53 ::1 [0::1]:53", "127.0.0.1:53,[::1]:53"},	/* twice */
	{"[2001:DB8:0::1]:53", "[2001:db8::1]:53"},	/* canonical form */
	{"1.1.1.1 1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8",
	"1.1.1.1:53,2.2.2.2:53,3.3.3.3:53,4.4.4.4:53,5.5.5.5:53,6.6.6.6:53,7.7.7.7:53,8.8.8.8:53"},
	{"", 0}, {" , ", 0}, {"resolver.example", 0}, {"127.0.0.1:0", 0},
	{"127.0.0.1:65536", 0}, {"127.0.0.1:5x", 0}, {"[::1", 0},
	{"[::1]x", 0}, {"[127.0.0.1]:53", "127.0.0.1:53"}, {"[127.0.0.1]", "127.0.0.1:53"},
	{"[127.0.0.1]:0", 0}, {"127.0.0.1:53:53", 0},
	{"fe80::1%eth0", 0},
	{"1.1.1.1 2.2.2.2 3.3.3.3 4.4.4.4 5.5.5.5 6.6.6.6 7.7.7.7 8.8.8.8 9.9.9.9", 0},
    };
    VSTR   *csv = vstr_new(64);
    VSTR   *err = vstr_new(64);
    char    name[160];
    size_t  i;
    int     n;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	vstr_reset(err);
	n = dns_servers_parse(cases[i].in, csv, err);
	(void) snprintf(name, sizeof(name), "servers \"%s\"", cases[i].in);
	if (cases[i].csv)
	    tap_is_str(n > 0 ? vstr_str(csv) : vstr_str(err), cases[i].csv, name);
	else
	    tap_ok(n < 0 && vstr_len(err) > 0, name);
    }
    vstr_free(csv);
    vstr_free(err);
}

/* test_loopback - dns_servers_loopback */
static void test_loopback(void)
{
    static const struct {
	const char *in;
	int     want;
    } cases[] = {
	{"127.0.0.1:53, [::1]:53", 1}, {"127.1.2.3", 1}, {"::ffff:127.0.0.1", 1},
	{"192.0.2.1", 0}, {"127.0.0.1, 192.0.2.1", 0}, {"[2001:db8::1]:53", 0},
	{"::2", 0}, {"junk", 0}, {"", 0},
    };
    char    name[100];
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	(void) snprintf(name, sizeof(name), "loopback? \"%s\"", cases[i].in);
	tap_is_int(dns_servers_loopback(cases[i].in), cases[i].want, name);
    }
}

/* test_bad_names - refused before anything is sent */
static void test_bad_names(const char *servers)
{
    static const char *names[] = {
	"", "..", "a..b", "bad name.example", "a\\.b.example", ".example",
	"tab\t.example", "x.example..",
	"a123456789012345678901234567890123456789012345678901234567890123.example",
    };
    char    name[100];
    char    longname[300];
    VSTR   *err = vstr_new(64);
    DNS    *dns = dns_new(servers, 1, 1, err);
    DNS_Q  *q;
    size_t  i;

    tap_ok(dns_new("resolver.example", 1, 1, err) == 0
	   && strstr(vstr_str(err), "bad DNS server") != 0, "dns_new refuses a host name");
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
	q = dns_query(dns, names[i], DMSG_T_A, 0, 0);
	(void) snprintf(name, sizeof(name), "query name \"%s\" refused", names[i]);
	tap_ok(q->status == DNS_BADRESP && q->final != 0, name);
    }
    memset(longname, 'a', sizeof(longname));
    for (i = 1; i < sizeof(longname) - 1; i += 2)
	longname[i] = '.';
    longname[255] = 0;			/* "a.a. ... .a": 255 characters */
    q = dns_query(dns, longname, DMSG_T_A, 0, 0);
    tap_ok(q->status == DNS_BADRESP, "query name of 255 characters refused");
    longname[253] = 0;
    q = dns_query(dns, longname, DMSG_T_A, 0, 0);
    tap_ok(q->status != DNS_BADRESP, "query name of 253 characters sent");
    dns_run(dns);
    tap_is_int((long long) dns_count_queries(dns), 1, "bad names: not sent");
    dns_free(dns);
    vstr_free(err);
}

/*
 * The silent server: a socket of ours that never answers.
 */

/* udp_socket - bound to addr, port 0 picks one */
static int udp_socket(int port, int *bound)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof(sa);
    int     fd = socket(AF_INET, SOCK_DGRAM, 0);

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short) port);
    (void) inet_pton(AF_INET, addr, &sa.sin_addr);
    if (fd < 0 || bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0
	|| getsockname(fd, (struct sockaddr *) &sa, &len) < 0) {
	printf("Bail out! cannot bind UDP %s:%d: %s\n", addr, port, strerror(errno));
	exit(1);
    }
    *bound = ntohs(sa.sin_port);
    return fd;
}

/* silent_add_more - a callback that asks again after the deadline */
static void silent_add_more(DNS_Q *q, void *ctx)
{
    DNS_Q **late = ctx;

    if (*late == 0)
	*late = dns_query(q->dns, "late.example", DMSG_T_A, 0, 0);
}

/* opt_find - offset of the OPT record after the question, or 0 */
static size_t opt_find(const unsigned char *b, size_t n)
{
    size_t  pos = 12;

    if (n < 12 || b[10] != 0 || b[11] != 1)	/* one additional record */
	return 0;
    while (pos < n && b[pos] != 0 && b[pos] < 64)
	pos += 1 + b[pos];
    pos += 5;				/* root label, type, class */
    if (pos + 11 > n || b[pos] != 0 || b[pos + 1] != 0 || b[pos + 2] != 41
	|| pos + 11 + (size_t) (b[pos + 9] << 8 | b[pos + 10]) != n)
	return 0;
    return pos;
}

/* opt_cookie - the client cookie in the OPT record at opt, or NULL */
static const unsigned char *opt_cookie(const unsigned char *b, size_t n, size_t opt)
{
    size_t  pos = opt + 11;
    size_t  len;

    while (pos + 4 <= n) {
	len = (size_t) (b[pos + 2] << 8 | b[pos + 3]);
	if (pos + 4 + len > n)
	    return 0;
	if ((b[pos] << 8 | b[pos + 1]) == 10 && len >= 8 && len <= 40)
	    return b + pos + 4;
	pos += 4 + len;
    }
    return 0;
}

/* check_sent - the datagrams c-ares sent: AD, RD, EDNS 1232, IDs */
static void check_sent(int fd, int nq)
{
    unsigned char b[600];
    unsigned ids[16];
    ssize_t n;
    size_t  opt;
    int     count = 0;
    int     good = 0;
    int     cookies = 0;
    int     distinct = 1;
    int     i;

    while ((n = recv(fd, b, sizeof(b), MSG_DONTWAIT)) > 0 && count < 16) {
	ids[count++] = (unsigned) b[0] << 8 | b[1];
	if ((opt = opt_find(b, (size_t) n)) != 0 && (b[3] & 0x20) && (b[2] & 0x01)
	    && (b[opt + 3] << 8 | b[opt + 4]) == 1232)
	    good++;
	cookies += opt && opt_cookie(b, (size_t) n, opt) != 0;
    }
    for (i = 1; i < nq && i < count; i++)
	if (ids[i] == ids[0])
	    distinct = 0;
    printf("# silent: %d of %d queries carry a DNS cookie\n", cookies, count);
    tap_ok(count >= nq, "silent: the queries arrived");
    tap_is_int(good, count, "silent: every query has AD, RD and EDNS 1232");
    tap_ok(distinct, "silent: different IDs");
}

/* test_silent - the deadline ends every query */
static void test_silent(void)
{
    DNS_Q  *q[3];
    DNS_Q  *late = 0;
    VSTR   *err = vstr_new(64);
    char    servers[64];
    DNS    *dns;
    long    t0, ms;
    int     port;
    int     fd = udp_socket(0, &port);
    int     i;

    (void) snprintf(servers, sizeof(servers), "%s:%d", addr, port);
    dns = dns_new(servers, 1, 2, err);
    q[0] = dns_query(dns, "one.example", DMSG_T_MX, silent_add_more, &late);
    q[1] = dns_query(dns, "two.example", DMSG_T_A, 0, 0);
    q[2] = dns_query(dns, "three.example", DMSG_T_TLSA, 0, 0);
    t0 = now_ms();
    dns_run(dns);
    ms = now_ms() - t0;
    printf("# silent server: dns_run took %ld ms\n", ms);
    /* bounds wide enough for a loaded machine: the point is "not before" */
    tap_ok(ms >= 1900 && ms < 4500, "silent: done at the 2 s deadline");
    for (i = 0; i < 3; i++)
	tap_ok(q[i]->status == DNS_TIMEOUT && strstr(q[i]->why, "deadline"),
	       "silent: timeout");
    tap_ok(late && late->status == DNS_TIMEOUT, "silent: query added late times out");
    tap_is_int((long long) dns_count_queries(dns), 3, "silent: the late one not sent");
    tap_is_int((long long) dns_count_failures(dns), 4, "silent: four failures counted");
    check_sent(fd, 3);
    dns_free(dns);
    vstr_free(err);
    (void) close(fd);
}

/*
 * The fake server, a child process: answers by the first label.
 */
typedef struct FR {
    unsigned char b[4096];
    size_t  n;
} FR;

/* fr_put - append */
static void fr_put(FR *r, const void *p, size_t n)
{
    if (r->n + n <= sizeof(r->b)) {
	memcpy(r->b + r->n, p, n);
	r->n += n;
    }
}

/* fr_u16 - network order */
static void fr_u16(FR *r, unsigned v)
{
    unsigned char b[2] = {(unsigned char) (v >> 8), (unsigned char) v};

    fr_put(r, b, 2);
}

/* fr_rr - owner pointer, type, class IN, ttl, rdlength */
static void fr_rr(FR *r, unsigned owner, unsigned type, unsigned ttl, unsigned rdlen)
{
    fr_u16(r, 0xc000 | owner);
    fr_u16(r, type);
    fr_u16(r, 1);
    fr_u16(r, ttl >> 16);
    fr_u16(r, ttl & 0xffff);
    fr_u16(r, rdlen);
}

/* fr_count - set a header count: 0 QD, 1 AN, 2 NS, 3 AR */
static void fr_count(FR *r, int which, unsigned v)
{
    r->b[4 + 2 * which] = (unsigned char) (v >> 8);
    r->b[5 + 2 * which] = (unsigned char) v;
}

/* fake_qend - end of the question, 0 if malformed */
static size_t fake_qend(const unsigned char *q, size_t len)
{
    size_t  pos = 12;

    while (pos < len && q[pos] != 0 && q[pos] < 64)
	pos += 1 + q[pos];
    return pos < len && q[pos] == 0 && pos + 5 <= len ? pos + 5 : 0;
}

/* is - the first label */
static int is(const unsigned char *q, const char *label)
{
    size_t  n = strlen(label);

    return q[12] >= n && memcmp(q + 13, label, n) == 0;
}

/* fake_cname - one CNAME, no SOA: the client must ask the target */
static void fake_cname(const unsigned char *q, FR *r)
{
    unsigned parent = 12 + 1 + q[12];
    unsigned char lab[64];
    size_t  n = q[12];

    memcpy(lab + 1, q + 13, n);
    if (is(q, "adcname")) {		/* adcname0 -> plain, adcname1 -> ad */
	n = q[13 + 7] == '0' ? 5 : 2;
	memcpy(lab + 1, n == 5 ? "plain" : "ad", n);
    } else if (n < 63) {		/* hop -> hopx -> hopxx ... */
	lab[1 + n++] = 'x';
    }
    lab[0] = (unsigned char) n;
    fr_rr(r, 12, DMSG_T_CNAME, 30, (unsigned) n + 3);
    fr_put(r, lab, n + 1);
    fr_u16(r, 0xc000 | parent);
    fr_count(r, 1, 1);
    if (is(q, "adcname"))
	r->b[3] |= 0x20;
}

/* fake_answers - records for the behaviours that have some */
static void fake_answers(const unsigned char *q, FR *r, int tcp)
{
    unsigned parent = 12 + 1 + q[12];	/* the name after label 1 */
    unsigned at;

    if (is(q, "cnameloop")) {		/* q -> b.parent -> q */
	fr_rr(r, 12, DMSG_T_CNAME, 60, 4);
	at = (unsigned) r->n;
	fr_put(r, "\1b", 2);
	fr_u16(r, 0xc000 | parent);
	fr_rr(r, at, DMSG_T_CNAME, 60, 2);
	fr_u16(r, 0xc00c);
	fr_count(r, 1, 2);
    } else if (is(q, "adcname") || is(q, "hop")) {
	fake_cname(q, r);
    } else if (is(q, "garbage")) {
	fr_rr(r, 12, DMSG_T_A, 60, 4);
	fr_put(r, "\1\2", 2);
	fr_count(r, 1, 1);
    } else if (is(q, "nxsoa")) {
	fr_rr(r, parent, DMSG_T_SOA, 900, 24);
	fr_u16(r, 0xc000 | parent);
	fr_u16(r, 0xc000 | parent);
	fr_put(r, "\0\0\0\1\0\0\0\2\0\0\0\3\0\0\0\4\0\0\0\170", 20);
	fr_count(r, 2, 1);
    } else if ((r->b[3] & 15) == 0 && (!is(q, "tc") || tcp)) {
	fr_rr(r, 12, DMSG_T_A, 60, 4);
	fr_put(r, "\300\0\2\7", 4);
	fr_count(r, 1, 1);
    }
}

/* fake_rcode - the RCODE and header bits by behaviour */
static void fake_rcode(const unsigned char *q, FR *r, int tcp)
{
    static const struct {
	const char *label;
	int     rcode;
    } rc[] = {
	{"servfail", 2}, {"formerr", 1}, {"refused", 5}, {"nosoa", 3}, {"nxsoa", 3},
    };
    size_t  i;

    for (i = 0; i < sizeof(rc) / sizeof(rc[0]); i++)
	if (is(q, rc[i].label))
	    r->b[3] |= (unsigned char) rc[i].rcode;
    if (is(q, "ad"))
	r->b[3] |= 0x20;
    if (is(q, "tc") && !tcp)
	r->b[2] |= 0x02;
    if (is(q, "wrongq"))
	r->b[13] ^= 1;
}

/* fake_opt - echo EDNS, and the client cookie with a server cookie */
static void fake_opt(const unsigned char *q, size_t len, FR *r, unsigned xrcode)
{
    static const unsigned char server[16] = "fake-srv-cookie";
    size_t  opt = opt_find(q, len);
    const unsigned char *cookie = opt ? opt_cookie(q, len, opt) : 0;

    if (opt == 0)
	return;
    fr_put(r, "\0\0\51", 3);		/* root, OPT */
    fr_u16(r, 1232);
    fr_u16(r, xrcode << 8);		/* extended RCODE, version */
    fr_u16(r, 0);			/* flags */
    fr_u16(r, cookie ? 4 + 8 + sizeof(server) : 0);
    if (cookie) {
	fr_u16(r, 10);
	fr_u16(r, 8 + sizeof(server));
	fr_put(r, cookie, 8);
	fr_put(r, server, sizeof(server));
    }
    fr_count(r, 3, 1);
}

/* fake_log - one line per query received */
static void fake_log(const unsigned char *q, size_t len, size_t qend, int tcp)
{
    FILE   *fp = fopen(path("fake.log"), "a");
    size_t  opt = opt_find(q, len);
    unsigned edns = 0;

    if (fp == 0)
	return;
    if (opt == qend)
	edns = (unsigned) q[qend + 3] << 8 | q[qend + 4];
    fprintf(fp, "%.*s %s ad=%d rd=%d edns=%u cookie=%d id=%04x t=%ld\n", q[12],
	    (const char *) q + 13, tcp ? "tcp" : "udp", (q[3] & 0x20) != 0,
	    (q[2] & 1) != 0, edns, opt && opt_cookie(q, len, opt) != 0,
	    (unsigned) q[0] << 8 | q[1], now_ms() % 100000);
    fclose(fp);
}

/* fake_reply - the answer to q, or -1 for none */
static int fake_reply(const unsigned char *q, size_t len, int tcp, FR *r)
{
    size_t  qend = fake_qend(q, len);

    if (qend == 0)
	return -1;
    fake_log(q, len, qend, tcp);
    if (is(q, "silent"))
	return -1;
    r->n = 0;
    fr_put(r, q, qend);
    r->b[2] = (unsigned char) (0x80 | (q[2] & 0x01));
    r->b[3] = 0x80;
    fr_count(r, 0, 1);
    fr_count(r, 1, 0);
    fr_count(r, 2, 0);
    fr_count(r, 3, 0);
    fake_rcode(q, r, tcp);
    fake_answers(q, r, tcp);
    fake_opt(q, len, r, is(q, "badvers") ? 1 : 0);	/* BADVERS: 16 */
    return 0;
}

/* fake_tcp - one query over one connection */
static void fake_tcp(int lfd)
{
    struct timeval tv = {2, 0};
    unsigned char q[600];
    unsigned char len[2];
    FR      r;
    int     fd = accept(lfd, 0, 0);
    size_t  n;

    if (fd < 0)
	return;
    (void) setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (recv(fd, len, 2, MSG_WAITALL) == 2 && (n = (size_t) (len[0] << 8 | len[1])) <= sizeof(q)
	&& recv(fd, q, n, MSG_WAITALL) == (ssize_t) n && fake_reply(q, n, 1, &r) == 0) {
	len[0] = (unsigned char) (r.n >> 8);
	len[1] = (unsigned char) r.n;
	(void) !write(fd, len, 2);
	(void) !write(fd, r.b, r.n);
    }
    (void) close(fd);
}

typedef struct DELAYED {
    FR      r;
    struct sockaddr_in to;
    long    due;
} DELAYED;

/* fake_udp - answer now, or later for "delay" */
static void fake_udp(int fd, DELAYED *dq, int *ndq)
{
    struct sockaddr_in from;
    socklen_t flen = sizeof(from);
    unsigned char q[600];
    ssize_t n = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *) &from, &flen);
    FR      r;

    if (n <= 0 || fake_reply(q, (size_t) n, 0, &r) < 0)
	return;
    if (is(q, "delay") && *ndq < 64) {
	dq[*ndq].r = r;
	dq[*ndq].to = from;
	dq[(*ndq)++].due = now_ms() + FAKE_DELAY_MS;
	return;
    }
    (void) sendto(fd, r.b, r.n, 0, (struct sockaddr *) &from, flen);
}

/* fake_due - send delayed answers whose time has come */
static long fake_due(int fd, DELAYED *dq, int *ndq)
{
    long    wait = 1000;
    int     i;

    for (i = 0; i < *ndq; i++) {
	if (dq[i].due <= now_ms()) {
	    (void) sendto(fd, dq[i].r.b, dq[i].r.n, 0, (struct sockaddr *) &dq[i].to,
			  sizeof(dq[i].to));
	    dq[i--] = dq[--*ndq];
	} else if (dq[i].due - now_ms() < wait) {
	    wait = dq[i].due - now_ms();
	}
    }
    return wait;
}

/* fake_main - the child's loop, until killed */
static void fake_main(int ufd, int tfd)
{
    static DELAYED dq[64];
    struct pollfd pfd[2] = {{ufd, POLLIN, 0}, {tfd, POLLIN, 0}};
    int     ndq = 0;

    for (;;) {
	if (poll(pfd, 2, (int) fake_due(ufd, dq, &ndq)) <= 0)
	    continue;
	if (pfd[0].revents & POLLIN)
	    fake_udp(ufd, dq, &ndq);
	if (pfd[1].revents & POLLIN)
	    fake_tcp(tfd);
    }
}

/* fake_start - UDP and TCP on one port; the child's PID */
static pid_t fake_start(int *port)
{
    struct sockaddr_in sa;
    int     ufd = udp_socket(0, port);
    int     tfd = socket(AF_INET, SOCK_STREAM, 0);
    int     one = 1;
    pid_t   pid;

    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short) *port);
    (void) inet_pton(AF_INET, addr, &sa.sin_addr);
    (void) setsockopt(tfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    if (bind(tfd, (struct sockaddr *) &sa, sizeof(sa)) < 0 || listen(tfd, 16) < 0) {
	printf("Bail out! cannot bind TCP %s:%d: %s\n", addr, *port, strerror(errno));
	exit(1);
    }
    fflush(stdout);
    if ((pid = fork()) == 0) {
	fake_main(ufd, tfd);
	_exit(0);
    }
    (void) close(ufd);
    (void) close(tfd);
    return pid;
}

/* stop - end a child of ours */
static void stop(pid_t pid)
{
    if (pid > 0) {
	(void) kill(pid, SIGTERM);
	(void) waitpid(pid, 0, 0);
    }
}

/* count_log - lines of fake.log that contain text */
static int count_log(const char *text)
{
    FILE   *fp = fopen(path("fake.log"), "r");
    char    line[256];
    int     n = 0;

    while (fp && fgets(line, sizeof(line), fp))
	if (strstr(line, text))
	    n++;
    if (fp)
	fclose(fp);
    return n;
}

typedef struct FAKE_CASE {
    const char *name;
    DNS_STATUS want;
    const char *why;			/* substring, or NULL */
} FAKE_CASE;

static const FAKE_CASE fake_cases[] = {
    {"servfail.fake.example", DNS_SERVFAIL, 0},
    {"refused.fake.example", DNS_REFUSED, 0},
    {"formerr.fake.example", DNS_BADRESP, "FORMERR"},
    {"badvers.fake.example", DNS_BADRESP, "RCODE"},
    {"cnameloop.fake.example", DNS_BADRESP, "CNAME loop"},
    {"tc.fake.example", DNS_OK, 0},
    {"nosoa.fake.example", DNS_NXDOMAIN, 0},
    {"nxsoa.fake.example", DNS_NXDOMAIN, 0},
    {"ad.fake.example", DNS_OK, 0},
    {"plain.fake.example", DNS_OK, 0},
    {"wrongq.fake.example", DNS_TIMEOUT, 0},
    {"adcname0.fake.example", DNS_OK, 0},
    {"adcname1.fake.example", DNS_OK, 0},
    {"hop.fake.example", DNS_BADRESP, "CNAME chain too long"},
    {"silent.fake.example", DNS_TIMEOUT, 0},
};

#define NFAKE	(sizeof(fake_cases) / sizeof(fake_cases[0]))

/* fq - the query of the batch whose name starts with label */
static DNS_Q *fq(DNS_Q **q, const char *label)
{
    size_t  n = strlen(label);
    size_t  i;

    for (i = 0; i < NFAKE; i++)
	if (strncmp(q[i]->name, label, n) == 0 && q[i]->name[n] == '.')
	    return q[i];
    printf("Bail out! no fake case %s\n", label);
    exit(1);
}

/* test_fake_cases - one batch, every behaviour */
static void test_fake_cases(const char *servers)
{
    DNS_Q  *q[NFAKE];
    VSTR   *err = vstr_new(64);
    DNS    *dns = dns_new(servers, 1, 2, err);
    char    name[120];
    size_t  i;

    for (i = 0; i < NFAKE; i++)
	q[i] = dns_query(dns, fake_cases[i].name, DMSG_T_A, 0, 0);
    dns_run(dns);
    for (i = 0; i < NFAKE; i++) {
	(void) snprintf(name, sizeof(name), "fake %s: %s", fake_cases[i].name,
			dns_status_name(fake_cases[i].want));
	if (!tap_ok(q[i]->status == fake_cases[i].want && (fake_cases[i].why == 0
		    || (q[i]->why && strstr(q[i]->why, fake_cases[i].why))), name))
	    printf("#   got %s (%s)\n", dns_status_name(q[i]->status),
		   q[i]->why ? q[i]->why : "");
    }
    tap_ok(fq(q, "tc")->msg.nan == 1 && fq(q, "tc")->msg.an[0].data[3] == 7,
	   "fake tc: answer over TCP");
    tap_ok(count_log("tc udp") >= 1 && count_log("tc tcp") == 1, "fake tc: UDP, then TCP");
    tap_is_int(fq(q, "nosoa")->ttl, 0, "fake NXDOMAIN without SOA: TTL 0");
    tap_is_int(fq(q, "nxsoa")->ttl, 120, "fake NXDOMAIN with SOA: min(TTL, MINIMUM)");
    tap_ok(fq(q, "ad")->ad == 1 && fq(q, "plain")->ad == 0, "fake: AD flag read");
    tap_ok(count_log("ad=0") == 0 && count_log("rd=0") == 0, "fake: AD and RD in every query");
    tap_ok(fq(q, "adcname0")->ad == 0 && fq(q, "adcname1")->ad == 1
	   && strcmp(fq(q, "adcname1")->final, "ad.fake.example") == 0
	   && fq(q, "adcname1")->ttl == 30,
	   "fake CNAME follow-up: AD of both answers, TTL of both");
    tap_ok(count_log("hopxxxx ") >= 1 && count_log("hopxxxxx ") == 0,
	   "fake CNAME follow-ups are limited");
    printf("# queries with a DNS cookie: %d of %d\n", count_log("cookie=1"),
	   count_log(" id="));
    dns_free(dns);
    vstr_free(err);
}

/*
 * A malformed reply, alone in its lookup: c-ares 1.18 hands it to our
 * parser, 1.34 rejects it itself (and then fails every query that waits on
 * the same socket). Either way it must end as a bad response, never as an
 * answer or as "not found".
 */
static void test_fake_malformed(const char *servers)
{
    VSTR   *err = vstr_new(64);
    DNS    *dns = dns_new(servers, 1, 2, err);
    DNS_Q  *q = dns_query(dns, "garbage.fake.example", DMSG_T_A, 0, 0);

    dns_run(dns);
    printf("# garbage: %s (%s)\n", dns_status_name(q->status), q->why ? q->why : "");
    tap_ok(q->status == DNS_BADRESP, "fake garbage: bad response");
    dns_free(dns);
    vstr_free(err);
}

/* test_fake_parallel - 20 answers delayed by 300 ms take ~300 ms */
static void test_fake_parallel(const char *servers)
{
    DNS_Q  *q[20];
    VSTR   *err = vstr_new(64);
    DNS    *dns = dns_new(servers, 2, 5, err);
    char    name[64];
    long    t0, ms;
    int     ok = 0;
    int     i;

    for (i = 0; i < 20; i++) {
	(void) snprintf(name, sizeof(name), "delay%d.fake.example", i);
	q[i] = dns_query(dns, name, DMSG_T_A, 0, 0);
    }
    t0 = now_ms();
    dns_run(dns);
    ms = now_ms() - t0;
    for (i = 0; i < 20; i++)
	ok += q[i]->status == DNS_OK;
    printf("# 20 queries, each answered after %d ms: %ld ms in all\n", FAKE_DELAY_MS, ms);
    tap_is_int(ok, 20, "parallel: 20 answers");
    /* one after another would take 20 delays */
    tap_ok(ms >= FAKE_DELAY_MS - 10 && ms < 10 * FAKE_DELAY_MS,
	   "parallel: far less than 20 delays");
    dns_free(dns);
    vstr_free(err);
}

/*
 * unbound with local data.
 */
static const char *ub_data[] = {
    "test. 3600 IN SOA ns.test. host.test. 1 3600 600 86400 300",
    "mx.test. 300 IN MX 10 mail.mx.test.",
    "mx.test. 300 IN MX 20 mail2.mx.test.",
    "mail.mx.test. 600 IN A 192.0.2.1",
    "mail.mx.test. 600 IN AAAA 2001:db8::1",
    "mail2.mx.test. 600 IN A 192.0.2.2",
    "_25._tcp.mail.mx.test. 900 IN TLSA 3 1 1 "
    "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
    "alias.test. 120 IN CNAME mail.mx.test.",
    "txt.test. 60 IN TXT \"v=STSv1; id=20240101\" \"second string\"",
};

/* ub_write_conf - unbound.conf in tmpdir */
static int ub_write_conf(void)
{
    FILE   *fp = fopen(path("unbound.conf"), "w");
    size_t  i;
    int     k;

    if (fp == 0)
	return -1;
    fprintf(fp, "server:\n  interface: %s@%d\n  port: %d\n  do-daemonize: no\n"
	    "  username: \"\"\n  chroot: \"\"\n  directory: \"%s\"\n  pidfile: \"\"\n"
	    "  use-syslog: no\n  logfile: \"%s\"\n  access-control: 127.0.0.0/8 allow\n"
	    "  do-ip6: no\n  num-threads: 1\n  module-config: \"iterator\"\n"
	    "  local-zone: \"test.\" static\n  local-zone: \"refused.test.\" refuse\n",
	    addr, UB_PORT, UB_PORT, tmpdir, path("unbound.log"));
    for (i = 0; i < sizeof(ub_data) / sizeof(ub_data[0]); i++)
	fprintf(fp, "  local-data: '%s'\n", ub_data[i]);
    for (k = 0; k < 20; k++)
	fprintf(fp, "  local-data: 'h%d.test. 60 IN A 192.0.2.%d'\n", k, 100 + k);
    fprintf(fp, "  local-data: 'big.test. 60 IN TXT");
    for (k = 0; k < 8; k++)
	fprintf(fp, " \"%0250d\"", k);
    fprintf(fp, "'\nremote-control:\n  control-enable: no\n");
    return fclose(fp);
}

/* ub_start - unbound in the foreground; its PID, or -1 */
static pid_t ub_start(const char *unbound)
{
    pid_t   pid;
    int     fd;

    if (ub_write_conf() < 0)
	return -1;
    fflush(stdout);
    if ((pid = fork()) == 0) {
	if ((fd = open(path("unbound.out"), O_WRONLY | O_CREAT | O_TRUNC, 0644)) >= 0) {
	    (void) dup2(fd, 1);
	    (void) dup2(fd, 2);
	}
	execl(unbound, "unbound", "-d", "-c", path("unbound.conf"), (char *) 0);
	_exit(127);
    }
    return pid;
}

/* ub_ready - wait until unbound answers */
static int ub_ready(pid_t pid, const char *servers)
{
    VSTR   *err = vstr_new(64);
    DNS    *dns = dns_new(servers, 1, 1, err);
    DNS_Q  *q;
    int     i;
    int     ok = 0;

    for (i = 0; i < 50 && !ok && waitpid(pid, 0, WNOHANG) == 0; i++) {
	dns_begin(dns);
	q = dns_query(dns, "mx.test", DMSG_T_MX, 0, 0);
	dns_run(dns);
	if (!(ok = (q->status == DNS_OK)))
	    (void) usleep(100000);
    }
    dns_free(dns);
    vstr_free(err);
    return ok;
}

/* ask - one query, one lookup */
static DNS_Q *ask(DNS *dns, const char *name, int qtype)
{
    DNS_Q  *q;

    dns_begin(dns);
    q = dns_query(dns, name, qtype, 0, 0);
    dns_run(dns);
    return q;
}

/* test_ub_records - MX, A, AAAA, TLSA, CNAME, TXT */
static void test_ub_records(DNS *dns)
{
    DNS_Q  *q;
    const DMSG_RR *rr;
    int     n;

    q = ask(dns, "MX.Test.", DMSG_T_MX);
    tap_ok(q->status == DNS_OK && strcmp(q->name, "mx.test") == 0, "unbound MX: ok");
    for (rr = 0, n = 0; (rr = dns_msg_next_rr(&q->msg, rr, q->final, DMSG_T_MX)) != 0;)
	n += (rr->pref == 10 && strcmp(rr->target, "mail.mx.test") == 0)
	    + (rr->pref == 20 && strcmp(rr->target, "mail2.mx.test") == 0) * 2;
    tap_is_int(n, 3, "unbound MX: both records");
    tap_ok(q->ttl == 300 && q->ad == 0, "unbound MX: TTL 300, no AD");
    q = ask(dns, "mail.mx.test", DMSG_T_A);
    tap_ok(q->status == DNS_OK && q->msg.an[0].dlen == 4 && q->msg.an[0].data[3] == 1,
	   "unbound A");
    q = ask(dns, "mail.mx.test", DMSG_T_AAAA);
    tap_ok(q->status == DNS_OK && q->msg.an[0].dlen == 16 && q->msg.an[0].data[15] == 1,
	   "unbound AAAA");
    q = ask(dns, "_25._tcp.mail.mx.test", DMSG_T_TLSA);
    rr = q->status == DNS_OK ? q->msg.an : 0;
    tap_ok(rr && rr->usage == 3 && rr->selector == 1 && rr->mtype == 1 && rr->dlen == 32
	   && rr->data[0] == 0x01 && rr->data[31] == 0xef, "unbound TLSA 3 1 1");
    n = (int) dns_count_queries(dns);
    q = ask(dns, "alias.test", DMSG_T_A);
    tap_ok(q->status == DNS_OK && strcmp(q->final, "mail.mx.test") == 0 && q->ttl == 120,
	   "unbound CNAME: final name and TTL");
    tap_is_int((long long) dns_count_queries(dns) - n, 2,
	       "unbound CNAME not chased by local-data: one follow-up query");
    q = ask(dns, "alias.test", DMSG_T_TLSA);
    tap_ok(q->status == DNS_NODATA && strcmp(q->final, "mail.mx.test") == 0,
	   "unbound CNAME: NODATA at the target, after a follow-up");
    q = ask(dns, "txt.test", DMSG_T_TXT);
    rr = q->status == DNS_OK ? q->msg.an : 0;
    tap_ok(rr && rr->nstrings == 2 && rr->strs[1].len == 13
	   && strcmp((char *) rr->data, "v=STSv1; id=20240101second string") == 0,
	   "unbound TXT: strings");
    q = ask(dns, "big.test", DMSG_T_TXT);
    tap_ok(q->status == DNS_OK && q->msg.an[0].dlen == 8 * 250,
	   "unbound TXT of 2 KB: over TCP after truncation");
}

/* test_ub_negative - NXDOMAIN, NODATA, REFUSED */
static void test_ub_negative(DNS *dns)
{
    DNS_Q  *q;

    q = ask(dns, "nope.test", DMSG_T_MX);
    tap_ok(q->status == DNS_NXDOMAIN, "unbound NXDOMAIN");
    printf("# NXDOMAIN TTL %u\n", q->ttl);
    tap_ok(q->ttl > 0 && q->ttl <= 300, "unbound NXDOMAIN: negative TTL from the SOA");
    q = ask(dns, "mail.mx.test", DMSG_T_MX);
    tap_ok(q->status == DNS_NODATA && q->ttl > 0 && q->ttl <= 300, "unbound NODATA");
    q = ask(dns, "_25._tcp.mail2.mx.test", DMSG_T_TLSA);
    tap_ok(q->status == DNS_NXDOMAIN, "unbound: no TLSA at mail2");
    q = ask(dns, "x.refused.test", DMSG_T_A);
    tap_is_str(dns_status_name(q->status), "refused", "unbound REFUSED");
}

typedef struct CHAIN {
    DNS_Q  *q[16];
    int     n;
} CHAIN;

/* chain_mx - as DANE does: A, AAAA, TLSA for each MX host */
static void chain_mx(DNS_Q *q, void *ctx)
{
    CHAIN  *c = ctx;
    const DMSG_RR *rr = 0;
    char    name[300];

    while ((rr = dns_msg_next_rr(&q->msg, rr, q->final, DMSG_T_MX)) != 0 && c->n < 13) {
	(void) snprintf(name, sizeof(name), "_25._tcp.%s", rr->target);
	c->q[c->n++] = dns_query(q->dns, rr->target, DMSG_T_A, 0, 0);
	c->q[c->n++] = dns_query(q->dns, rr->target, DMSG_T_AAAA, 0, 0);
	c->q[c->n++] = dns_query(q->dns, name, DMSG_T_TLSA, 0, 0);
    }
}

/* test_ub_batch - 20 in parallel; queries added from a callback */
static void test_ub_batch(DNS *dns)
{
    DNS_Q  *q[20];
    CHAIN   c = {{0}, 0};
    char    name[32];
    long    t0, ms;
    int     ok = 0;
    int     i;

    dns_begin(dns);
    for (i = 0; i < 20; i++) {
	(void) snprintf(name, sizeof(name), "h%d.test", i);
	q[i] = dns_query(dns, name, DMSG_T_A, 0, 0);
    }
    t0 = now_ms();
    dns_run(dns);
    ms = now_ms() - t0;
    for (i = 0; i < 20; i++)
	ok += q[i]->status == DNS_OK && q[i]->msg.an[0].data[3] == 100 + i;
    printf("# unbound: 20 queries in %ld ms\n", ms);
    tap_is_int(ok, 20, "unbound: 20 parallel queries, each its own answer");
    dns_begin(dns);
    (void) dns_query(dns, "mx.test", DMSG_T_MX, chain_mx, &c);
    dns_run(dns);
    tap_is_int(c.n, 6, "callback: six queries for two MX hosts");
    for (ok = 0, i = 0; i < c.n; i++)
	ok += c.q[i]->status != DNS_TIMEOUT && c.q[i]->status != DNS_BADRESP;
    tap_is_int(ok, 6, "callback: all answered in the same dns_run()");
}

/* test_ub_ipv6 - a dead [::1] first, then unbound */
static void test_ub_ipv6(const char *servers)
{
    VSTR   *err = vstr_new(64);
    char    list[128];
    DNS    *dns;
    DNS_Q  *q;
    long    t0, ms;

    (void) snprintf(list, sizeof(list), "[::1]:9 %s", servers);
    dns = dns_new(list, 1, 5, err);
    tap_ok(dns != 0, "IPv6 server list accepted");
    if (dns == 0) {
	printf("#   %s\n", vstr_str(err));
	vstr_free(err);
	return;
    }
    t0 = now_ms();
    q = ask(dns, "mx.test", DMSG_T_MX);
    ms = now_ms() - t0;
    printf("# [::1]:9 then unbound: %ld ms, %s\n", ms, dns_status_name(q->status));
    tap_ok(q->status == DNS_OK && ms < 4500,
	   "IPv6 server down: the next one answers before the deadline");
    dns_free(dns);
    vstr_free(err);
}

/* test_unbound - start, test, stop */
static void test_unbound(void)
{
    const char *unbound = getenv("UNBOUND") ? getenv("UNBOUND") : "/usr/sbin/unbound";
    VSTR   *err = vstr_new(64);
    char    servers[64];
    DNS    *dns;
    pid_t   pid;

    if (access(unbound, X_OK) != 0) {
	skip("unbound tests", "unbound not installed");
	vstr_free(err);
	return;
    }
    (void) snprintf(servers, sizeof(servers), "%s:%d", addr, UB_PORT);
    pid = ub_start(unbound);
    if (!tap_ok(pid > 0 && ub_ready(pid, servers), "unbound started")) {
	printf("#   see %s\n", path("unbound.out"));
	stop(pid);
	vstr_free(err);
	return;
    }
    dns = dns_new(servers, 1, 5, err);
    test_ub_records(dns);
    test_ub_negative(dns);
    test_ub_batch(dns);
    tap_ok(dns_count_queries(dns) >= 37 && dns_count_failures(dns) == 1,
	   "counters: queries sent, one failure (REFUSED)");
    dns_free(dns);
    test_ub_ipv6(servers);
    stop(pid);
    vstr_free(err);
}

/* cleanup - the scratch directory */
static void cleanup(void)
{
    static const char *files[] = {"unbound.conf", "unbound.out", "unbound.log", "fake.log"};
    size_t  i;

    if (getenv("UNIT_DNS_KEEP"))
	return;
    for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
	(void) unlink(path(files[i]));
    (void) rmdir(tmpdir);
}

int     main(void)
{
    char    servers[64];
    pid_t   fake;
    int     port;

    setvbuf(stdout, 0, _IOLBF, 0);
    (void) snprintf(addr, sizeof(addr), "127.77.54.%d", 1 + (int) (getpid() % 250));
    if (mkdtemp(tmpdir) == 0) {
	printf("Bail out! mkdtemp: %s\n", strerror(errno));
	return 1;
    }
    test_servers();
    test_loopback();
    test_bad_names("127.0.0.1");
    test_silent();
    fake = fake_start(&port);
    (void) snprintf(servers, sizeof(servers), "%s:%d", addr, port);
    test_fake_cases(servers);
    test_fake_malformed(servers);
    test_fake_parallel(servers);
    stop(fake);
    test_unbound();
    cleanup();
    return tap_done();
}
