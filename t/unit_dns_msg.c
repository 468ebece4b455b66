/* unit_dns_msg - the DNS message parser on valid and hostile messages */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dns_msg.h"
#include "tap.h"

/*
 * A message builder. Messages are written by hand, byte by byte, so
 * that every malformation can be expressed.
 */
#define WB_SIZE	(140 * 1024)

typedef struct WB {
    unsigned char buf[WB_SIZE];
    size_t  len;
} WB;

static WB wb;

/* wb_u8 - one byte */
static void wb_u8(unsigned v)
{
    if (wb.len >= WB_SIZE) {
	printf("Bail out! test message buffer full\n");
	exit(1);
    }
    wb.buf[wb.len++] = (unsigned char) v;
}

/* wb_u16 - network order */
static void wb_u16(unsigned v)
{
    wb_u8(v >> 8 & 0xff);
    wb_u8(v & 0xff);
}

/* wb_u32 - network order */
static void wb_u32(unsigned long v)
{
    wb_u16((unsigned) (v >> 16 & 0xffff));
    wb_u16((unsigned) (v & 0xffff));
}

/* wb_mem - raw bytes */
static void wb_mem(const void *p, size_t n)
{
    size_t  i;

    for (i = 0; i < n; i++)
	wb_u8(((const unsigned char *) p)[i]);
}

/* wb_labels - "a.b.c" as labels, without the root */
static void wb_labels(const char *name)
{
    const char *dot;

    while (*name) {
	dot = strchr(name, '.');
	if (dot == 0)
	    dot = name + strlen(name);
	wb_u8((unsigned) (dot - name));
	wb_mem(name, (size_t) (dot - name));
	name = *dot ? dot + 1 : dot;
    }
}

/* wb_name - uncompressed name */
static void wb_name(const char *name)
{
    wb_labels(name);
    wb_u8(0);
}

/* wb_ptr - compression pointer */
static void wb_ptr(unsigned off)
{
    wb_u16(0xc000 | off);
}

/* wb_header - 12 bytes; flags as on the wire */
static void wb_header(unsigned flags, unsigned qd, unsigned an, unsigned ns,
		              unsigned ar)
{
    wb.len = 0;
    wb_u16(0x1234);
    wb_u16(flags);
    wb_u16(qd);
    wb_u16(an);
    wb_u16(ns);
    wb_u16(ar);
}

/* wb_question - name at offset 12, type, class IN */
static void wb_question(const char *name, unsigned type)
{
    wb_name(name);
    wb_u16(type);
    wb_u16(DMSG_C_IN);
}

/* wb_rr - fixed part after the owner; returns the RDLENGTH offset */
static size_t wb_rr(unsigned type, unsigned long ttl)
{
    size_t  at;

    wb_u16(type);
    wb_u16(DMSG_C_IN);
    wb_u32(ttl);
    at = wb.len;
    wb_u16(0);
    return at;
}

/* wb_rdlen - fill in RDLENGTH from the bytes written since */
static void wb_rdlen(size_t at)
{
    size_t  n = wb.len - at - 2;

    wb.buf[at] = (unsigned char) (n >> 8);
    wb.buf[at + 1] = (unsigned char) n;
}

/* wb_set_rdlen - force a RDLENGTH */
static void wb_set_rdlen(size_t at, unsigned n)
{
    wb.buf[at] = (unsigned char) (n >> 8);
    wb.buf[at + 1] = (unsigned char) n;
}

#define F_RESP	0x8180			/* QR RD RA */
#define F_AD	0x0020
#define Q_OFF	12			/* the question name */

/* parse - dns_msg_parse on the builder's message */
static int parse(DMSG *msg, const char **why)
{
    *why = "";
    return dns_msg_parse(wb.buf, wb.len, msg, why);
}

/*
 * Valid messages: each builder makes one, each checker looks at it.
 */

/* mk_mx - two MX, the second a null MX, owner compressed */
static void mk_mx(void)
{
    size_t  at;

    wb_header(F_RESP | F_AD, 1, 2, 0, 0);
    wb_question("Example.COM", DMSG_T_MX);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_MX, 3600);
    wb_u16(10);
    wb_labels("MX1");
    wb_ptr(Q_OFF);
    wb_rdlen(at);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_MX, 300);
    wb_u16(0);
    wb_u8(0);
    wb_rdlen(at);
}

/* ck_mx - */
static void ck_mx(const DMSG *m)
{
    tap_is_int(m->id, 0x1234, "mx: id");
    tap_ok(m->qr && m->ad && m->rd && m->ra && !m->tc && !m->aa, "mx: header bits");
    tap_is_int(m->rcode, 0, "mx: rcode");
    tap_is_str(m->qname, "example.com", "mx: qname lower case");
    tap_is_int(m->qtype, DMSG_T_MX, "mx: qtype");
    tap_is_int(m->nan, 2, "mx: two answers");
    tap_is_str(m->an[0].owner, "example.com", "mx: owner via pointer");
    tap_is_int(m->an[0].pref, 10, "mx: preference");
    tap_is_str(m->an[0].target, "mx1.example.com", "mx: exchange, label + pointer");
    tap_is_int(m->an[0].ttl, 3600, "mx: ttl");
    tap_is_str(m->an[1].target, "", "mx: null MX is the root, \"\"");
    tap_ok(dns_msg_name_is_host(m->an[0].target), "mx: exchange is a host name");
}

/* mk_addr - A and AAAA */
static void mk_addr(void)
{
    static const unsigned char v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
    size_t  at;

    wb_header(F_RESP, 1, 2, 0, 0);
    wb_question("mx1.example.com", DMSG_T_A);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_A, 60);
    wb_mem("\xc0\x00\x02\x01", 4);
    wb_rdlen(at);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_AAAA, 0x80000000UL);
    wb_mem(v6, 16);
    wb_rdlen(at);
}

/* ck_addr - */
static void ck_addr(const DMSG *m)
{
    tap_ok(m->nan == 2 && m->an[0].dlen == 4
	   && memcmp(m->an[0].data, "\xc0\x00\x02\x01", 4) == 0, "addr: A data");
    tap_ok(m->an[1].dlen == 16 && m->an[1].data[0] == 0x20
	   && m->an[1].data[15] == 1, "addr: AAAA data");
    tap_is_int(m->an[1].ttl, 0, "addr: TTL >= 2^31 reads as 0");
    tap_is_int(m->ad, 0, "addr: no AD");
}

/* mk_tlsa - one TLSA 3 1 1 with a 32-byte digest */
static void mk_tlsa(void)
{
    unsigned char d[32];
    size_t  at;

    memset(d, 0xab, sizeof(d));
    wb_header(F_RESP | F_AD, 1, 1, 0, 0);
    wb_question("_25._tcp.mx1.example.com", DMSG_T_TLSA);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_TLSA, 120);
    wb_mem("\x03\x01\x01", 3);
    wb_mem(d, sizeof(d));
    wb_rdlen(at);
}

/* ck_tlsa - */
static void ck_tlsa(const DMSG *m)
{
    const DMSG_RR *rr = m->nan ? m->an : 0;

    tap_ok(rr && rr->usage == 3 && rr->selector == 1 && rr->mtype == 1,
	   "tlsa: usage selector mtype");
    tap_ok(rr && rr->dlen == 32 && rr->data[0] == 0xab && rr->data[31] == 0xab,
	   "tlsa: 32 data bytes");
    tap_is_str(rr ? rr->owner : 0, "_25._tcp.mx1.example.com", "tlsa: owner");
    tap_ok(rr && dns_msg_name_is_host(rr->owner), "tlsa: _25._tcp name passes as Postfix's host name");
}

/* mk_cname - www -> a -> b, A at b */
static void mk_cname(void)
{
    size_t  at;
    size_t  a_off;
    size_t  b_off;

    wb_header(F_RESP | F_AD, 1, 3, 0, 0);
    wb_question("www.example.com", DMSG_T_A);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_CNAME, 300);
    a_off = wb.len;
    wb_labels("a");
    wb_ptr(Q_OFF + 4);			/* example.com */
    wb_rdlen(at);
    wb_ptr((unsigned) a_off);
    at = wb_rr(DMSG_T_CNAME, 100);
    b_off = wb.len;
    wb_labels("b");
    wb_ptr(Q_OFF + 4);
    wb_rdlen(at);
    wb_ptr((unsigned) b_off);
    at = wb_rr(DMSG_T_A, 200);
    wb_mem("\x01\x02\x03\x04", 4);
    wb_rdlen(at);
}

/* ck_cname - follow the chain */
static void ck_cname(const DMSG *m)
{
    const char *final = 0;
    unsigned ttl = 0;
    int     n;

    tap_is_str(m->an[1].owner, "a.example.com", "cname: owner through two pointers");
    n = dns_msg_follow_cname(m, "www.example.com", DMSG_T_A, &final, &ttl);
    tap_is_int(n, 1, "cname: one A at the end of the chain");
    tap_is_str(final, "b.example.com", "cname: final name");
    tap_is_int(ttl, 100, "cname: smallest TTL of chain and records");
    n = dns_msg_follow_cname(m, "www.example.com", DMSG_T_AAAA, &final, &ttl);
    tap_ok(n == 0 && strcmp(final, "b.example.com") == 0, "cname: no AAAA, final name");
    n = dns_msg_follow_cname(m, "www.example.com", DMSG_T_CNAME, &final, &ttl);
    tap_ok(n == 1 && strcmp(final, "www.example.com") == 0,
	   "cname: qtype CNAME is not followed");
    n = dns_msg_follow_cname(m, "b.example.com", DMSG_T_A, &final, &ttl);
    tap_ok(n == 1 && ttl == 200, "cname: direct answer");
    tap_ok(dns_msg_next_rr(m, 0, "b.example.com", DMSG_T_A) == m->an + 2
	   && dns_msg_next_rr(m, m->an + 2, "b.example.com", DMSG_T_A) == 0,
	   "cname: dns_msg_next_rr walks the records");
}

/* mk_txt - two character-strings and an empty one */
static void mk_txt(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("_mta-sts.example.com", DMSG_T_TXT);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_TXT, 600);
    wb_u8(9);
    wb_mem("v=STSv1; ", 9);
    wb_u8(0);
    wb_u8(6);
    wb_mem("id=123", 6);
    wb_rdlen(at);
}

/* ck_txt - */
static void ck_txt(const DMSG *m)
{
    const DMSG_RR *rr = m->an;

    tap_is_str((const char *) rr->data, "v=STSv1; id=123", "txt: joined");
    tap_is_int((long long) rr->dlen, 15, "txt: joined length");
    tap_is_int(rr->nstrings, 3, "txt: three strings");
    tap_ok(rr->strs[0].len == 9 && memcmp(rr->strs[0].str, "v=STSv1; ", 9) == 0
	   && rr->strs[1].len == 0 && rr->strs[2].len == 6
	   && memcmp(rr->strs[2].str, "id=123", 6) == 0, "txt: strings kept apart");
}

/* mk_soa - NXDOMAIN with an SOA; an unknown type in the answer */
static void mk_soa(void)
{
    size_t  at;

    wb_header(F_RESP | 3, 1, 0, 2, 0);
    wb_question("nope.example.com", DMSG_T_MX);
    wb_ptr(Q_OFF + 5);
    at = wb_rr(99, 50);			/* unknown type, skipped */
    wb_mem("hello", 5);
    wb_rdlen(at);
    wb_ptr(Q_OFF + 5);
    at = wb_rr(DMSG_T_SOA, 3600);
    wb_labels("ns");
    wb_ptr(Q_OFF + 5);
    wb_labels("hostmaster");
    wb_ptr(Q_OFF + 5);
    wb_u32(2024010101);
    wb_u32(7200);
    wb_u32(900);
    wb_u32(1209600);
    wb_u32(300);
    wb_rdlen(at);
}

/* ck_soa - */
static void ck_soa(const DMSG *m)
{
    unsigned ttl = 0;

    tap_is_int(m->rcode, DMSG_RCODE_NXDOMAIN, "soa: NXDOMAIN");
    tap_ok(m->nns == 2 && m->ns[0].type == 99 && m->ns[0].data == 0,
	   "soa: unknown type kept without data");
    tap_ok(dns_msg_negative_ttl(m, &ttl) == 0 && ttl == 300,
	   "soa: negative TTL is MINIMUM when smaller");
    m->ns[1].ttl = 100;
    tap_ok(dns_msg_negative_ttl(m, &ttl) == 0 && ttl == 100,
	   "soa: negative TTL is the SOA TTL when smaller");
}

/* mk_escape - labels with a dot, a space, NUL, upper case, backslash */
static void mk_escape(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("x.example", DMSG_T_MX);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_MX, 60);
    wb_u16(5);
    wb_u8(3);
    wb_mem("a.b", 3);
    wb_u8(4);
    wb_mem("C d\\", 4);
    wb_u8(2);
    wb_mem("\0\377", 2);
    wb_ptr(Q_OFF + 2);			/* example */
    wb_rdlen(at);
}

/* ck_escape - */
static void ck_escape(const DMSG *m)
{
    tap_is_str(m->an[0].target, "a\\046b.c\\032d\\092.\\000\\255.example",
	       "escape: \\DDD for every byte that is not LDH, _ or *");
    tap_ok(!dns_msg_name_is_host(m->an[0].target), "escape: no host name");
}

/* mk_edns - OPT with extended RCODE 1 (BADVERS = 16); OPT in answer */
static void mk_edns(void)
{
    wb_header(F_RESP | F_AD | 0x0200, 1, 1, 0, 1);
    wb_question("example.com", DMSG_T_A);
    wb_u8(0);
    (void) wb_rr(DMSG_T_OPT, 0xff000000UL);	/* not EDNS here */
    wb_u8(0);
    wb_u16(DMSG_T_OPT);
    wb_u16(1232);
    wb_u32(0x01008000UL);		/* ext rcode 1, version 0, DO */
    wb_u16(0);
}

/* ck_edns - */
static void ck_edns(const DMSG *m)
{
    tap_ok(m->edns && m->edns_udp == 1232 && m->edns_version == 0, "edns: OPT read");
    tap_is_int(m->rcode, 16, "edns: BADVERS is not NOERROR");
    tap_is_int(m->tc, 1, "edns: TC bit");
    tap_ok(m->nan == 1 && m->an[0].type == DMSG_T_OPT && m->an[0].ttl == 0,
	   "edns: OPT in the answer section is just a record");
}

typedef struct VALID {
    const char *name;
    void    (*make) (void);
    void    (*check) (const DMSG *);
} VALID;

static const VALID valid[] = {
    {"mx", mk_mx, ck_mx},
    {"addr", mk_addr, ck_addr},
    {"tlsa", mk_tlsa, ck_tlsa},
    {"cname", mk_cname, ck_cname},
    {"txt", mk_txt, ck_txt},
    {"soa", mk_soa, ck_soa},
    {"escape", mk_escape, ck_escape},
    {"edns", mk_edns, ck_edns},
};

/* test_truncations - every proper prefix fails, none crashes */
static void test_truncations(const VALID *v)
{
    char    name[80];
    size_t  full = wb.len;
    size_t  cut;
    size_t  parsed = 0;
    const char *why;
    DMSG    m;

    for (cut = 0; cut < full; cut++) {
	if (dns_msg_parse(wb.buf, cut, &m, &why) == 0) {
	    parsed++;
	    dns_msg_free(&m);
	}
    }
    (void) snprintf(name, sizeof(name), "%s: all %zu truncations refused",
		    v->name, full);
    tap_is_int((long long) parsed, 0, name);
}

/* test_valid - parse, check, truncate */
static void test_valid(void)
{
    const char *why;
    size_t  i;
    DMSG    m;

    for (i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
	valid[i].make();
	if (!tap_is_int(parse(&m, &why), 0, valid[i].name)) {
	    printf("#   why: %s\n", why);
	    continue;
	}
	valid[i].check(&m);
	dns_msg_free(&m);
	test_truncations(valid + i);
    }
}

/*
 * Malformed messages: each builder makes one that must be refused
 * with a reason that contains the expected text.
 */

/* bad_self_ptr - question name points at itself */
static void bad_self_ptr(void)
{
    wb_header(F_RESP, 1, 0, 0, 0);
    wb_ptr(Q_OFF);
    wb_u16(1);
    wb_u16(1);
}

/* bad_label_loop - "a" then a pointer back to the same name */
static void bad_label_loop(void)
{
    wb_header(F_RESP, 1, 0, 0, 0);
    wb_labels("a");
    wb_ptr(Q_OFF);
    wb_u16(1);
    wb_u16(1);
}

/* bad_two_ptr_loop - owner points back to a pointer that points to it */
static void bad_two_ptr_loop(void)
{
    size_t  at;
    size_t  p1;

    wb_header(F_RESP, 1, 2, 0, 0);
    wb_question("example.com", 1);
    wb_ptr(Q_OFF);
    at = wb_rr(99, 0);
    p1 = wb.len;
    wb_ptr((unsigned) (p1 + 2 + 10 + 2));	/* forward: the next owner */
    wb_rdlen(at);
    wb_ptr((unsigned) p1);		/* next owner -> p1 -> here */
    at = wb_rr(1, 0);
    wb_mem("\1\2\3\4", 4);
    wb_rdlen(at);
}

/* bad_forward_ptr - a pointer to data that follows */
static void bad_forward_ptr(void)
{
    wb_header(F_RESP, 1, 0, 0, 0);
    wb_ptr(Q_OFF + 6);
    wb_u16(1);
    wb_u16(1);
    wb_name("a");
}

/* bad_ptr_past_end - pointer beyond the message */
static void bad_ptr_past_end(void)
{
    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", 1);
    wb_ptr(0x3fff);
    (void) wb_rr(1, 0);
}

/* bad_label_64 - label length 64 (type bits 01) */
static void bad_label_64(void)
{
    char    lab[64];

    wb_header(F_RESP, 1, 0, 0, 0);
    memset(lab, 'a', sizeof(lab));
    wb_u8(64);
    wb_mem(lab, sizeof(lab));
    wb_u8(0);
    wb_u16(1);
    wb_u16(1);
}

/* bad_label_80 - label type 10 */
static void bad_label_80(void)
{
    wb_header(F_RESP, 1, 0, 0, 0);
    wb_u8(0x80);
    wb_u8(0);
    wb_u16(1);
    wb_u16(1);
}

/* bad_name_256 - four labels of 63: 257 wire bytes */
static void bad_name_256(void)
{
    char    lab[63];
    int     i;

    wb_header(F_RESP, 1, 0, 0, 0);
    memset(lab, 'a', sizeof(lab));
    for (i = 0; i < 4; i++) {
	wb_u8(63);
	wb_mem(lab, sizeof(lab));
    }
    wb_u8(0);
    wb_u16(1);
    wb_u16(1);
}

/* bad_name_via_ptr - 3 x 63 + pointer to a 2 x 63 name */
static void bad_name_via_ptr(void)
{
    char    lab[63];
    int     i;

    wb_header(F_RESP, 1, 1, 0, 0);
    memset(lab, 'b', sizeof(lab));
    for (i = 0; i < 2; i++) {
	wb_u8(63);
	wb_mem(lab, sizeof(lab));
    }
    wb_u8(0);
    wb_u16(1);
    wb_u16(1);
    for (i = 0; i < 3; i++) {
	wb_u8(63);
	wb_mem(lab, sizeof(lab));
    }
    wb_ptr(Q_OFF);
    (void) wb_rr(1, 0);
}

/* wb_hop_chain - n pointers, each to the one before, in rdata */
static size_t wb_hop_chain(int n)
{
    size_t  at;
    size_t  prev = Q_OFF;
    size_t  here = Q_OFF;
    int     i;

    at = wb_rr(99, 0);
    for (i = 0; i < n - 1; i++) {
	here = wb.len;
	wb_ptr((unsigned) prev);
	prev = here;
    }
    wb_rdlen(at);
    return here;
}

/* mk_hops - owner reached through n pointers in all */
static void mk_hops(int n)
{
    size_t  last;
    size_t  at;

    wb_header(F_RESP, 1, 2, 0, 0);
    wb_question("example.com", 1);
    wb_ptr(Q_OFF);
    last = wb_hop_chain(n);
    wb_ptr((unsigned) last);
    at = wb_rr(1, 0);
    wb_mem("\1\2\3\4", 4);
    wb_rdlen(at);
}

/* bad_hops_65 - one pointer too many */
static void bad_hops_65(void)
{
    mk_hops(DMSG_MAX_HOPS + 1);
}

/* bad_rdlen_past_end - A record cut short */
static void bad_rdlen_past_end(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", 1);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_A, 0);
    wb_mem("\1\2", 2);
    wb_set_rdlen(at, 4);
}

/* bad_a_size - A with 5 bytes */
static void bad_a_size(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", 1);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_A, 0);
    wb_mem("\1\2\3\4\5", 5);
    wb_rdlen(at);
}

/* bad_tlsa_short - TLSA RDLENGTH 2 */
static void bad_tlsa_short(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", DMSG_T_TLSA);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_TLSA, 0);
    wb_mem("\3\1", 2);
    wb_rdlen(at);
    wb_name("padding.example");		/* bytes to misread */
}

/* bad_mx_short - MX RDLENGTH 2: a preference, no name */
static void bad_mx_short(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", DMSG_T_MX);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_MX, 0);
    wb_u16(10);
    wb_rdlen(at);
    wb_name("padding.example");
}

/* bad_mx_name_overruns - the exchange runs past RDLENGTH */
static void bad_mx_name_overruns(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", DMSG_T_MX);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_MX, 0);
    wb_u16(10);
    wb_name("mx.example");
    wb_set_rdlen(at, 5);
}

/* bad_cname_slack - RDLENGTH longer than the name */
static void bad_cname_slack(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", DMSG_T_CNAME);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_CNAME, 0);
    wb_ptr(Q_OFF);
    wb_mem("junk", 4);
    wb_rdlen(at);
}

/* bad_txt_overrun - a character-string longer than the record */
static void bad_txt_overrun(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", DMSG_T_TXT);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_TXT, 0);
    wb_u8(10);
    wb_mem("short", 5);
    wb_rdlen(at);
    wb_name("padding.example");
}

/* bad_count - ANCOUNT far beyond the bytes */
static void bad_count(void)
{
    wb_header(F_RESP, 1, 65535, 0, 0);
    wb_question("example.com", 1);
}

/* bad_two_opt - two OPT records */
static void bad_two_opt(void)
{
    int     i;

    wb_header(F_RESP, 1, 0, 0, 2);
    wb_question("example.com", 1);
    for (i = 0; i < 2; i++) {
	wb_u8(0);
	(void) wb_rr(DMSG_T_OPT, 0);
    }
}

/* bad_no_question - QDCOUNT 0 */
static void bad_no_question(void)
{
    wb_header(F_RESP, 0, 0, 0, 0);
}

/* bad_two_questions - QDCOUNT 2 */
static void bad_two_questions(void)
{
    wb_header(F_RESP, 2, 0, 0, 0);
    wb_question("example.com", 1);
    wb_ptr(Q_OFF);
    wb_u16(DMSG_T_AAAA);
    wb_u16(DMSG_C_IN);
}

/* bad_mx_one - MX RDLENGTH 1 */
static void bad_mx_one(void)
{
    size_t  at;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", DMSG_T_MX);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_MX, 0);
    wb_u8(0);
    wb_rdlen(at);
}

/* bad_soa_short - SOA without its five numbers */
static void bad_soa_short(void)
{
    size_t  at;

    wb_header(F_RESP | 3, 1, 0, 1, 0);
    wb_question("example.com", 1);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_SOA, 0);
    wb_ptr(Q_OFF);
    wb_ptr(Q_OFF);
    wb_u32(1);
    wb_rdlen(at);
}

typedef struct BAD {
    const char *name;
    void    (*make) (void);
    const char *why;			/* expected reason, a substring */
} BAD;

static const BAD bad[] = {
    {"self pointer", bad_self_ptr, "backwards"},
    {"label then pointer to itself", bad_label_loop, "backwards"},
    {"two-pointer loop", bad_two_ptr_loop, "backwards"},
    {"forward pointer", bad_forward_ptr, "backwards"},
    {"pointer past the end", bad_ptr_past_end, "backwards"},
    {"label of 64 bytes", bad_label_64, "label type"},
    {"label type 10", bad_label_80, "label type"},
    {"name of 257 bytes", bad_name_256, "255"},
    {"name over 255 through a pointer", bad_name_via_ptr, "255"},
    {"65 compression pointers", bad_hops_65, "too many"},
    {"RDLENGTH past the end", bad_rdlen_past_end, "truncated"},
    {"A of 5 bytes", bad_a_size, "wrong size"},
    {"TLSA RDLENGTH 2", bad_tlsa_short, "wrong size"},
    {"MX RDLENGTH 2", bad_mx_short, "wrong size"},
    {"MX name past RDLENGTH", bad_mx_name_overruns, "RDLENGTH"},
    {"CNAME with slack", bad_cname_slack, "RDLENGTH"},
    {"TXT string past its record", bad_txt_overrun, "TXT"},
    {"ANCOUNT 65535", bad_count, "count"},
    {"two OPT records", bad_two_opt, "OPT"},
    {"SOA too short", bad_soa_short, "wrong size"},
    {"no question", bad_no_question, "question count"},
    {"two questions", bad_two_questions, "question count"},
    {"MX RDLENGTH 1", bad_mx_one, "wrong size"},
};

/* test_bad - each refused, for the expected reason */
static void test_bad(void)
{
    const char *why;
    size_t  i;
    DMSG    m;
    int     rc;

    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
	bad[i].make();
	rc = parse(&m, &why);
	if (rc == 0)
	    dns_msg_free(&m);
	if (!tap_ok(rc < 0 && strstr(why, bad[i].why) != 0, bad[i].name))
	    printf("#   rc %d, why \"%s\", want \"%s\"\n", rc, why, bad[i].why);
    }
}

/* test_hops_limit - exactly DMSG_MAX_HOPS pointers are fine */
static void test_hops_limit(void)
{
    const char *why;
    DMSG    m;

    mk_hops(DMSG_MAX_HOPS);
    if (tap_is_int(parse(&m, &why), 0, "64 compression pointers accepted")) {
	tap_is_str(m.an[1].owner, "example.com", "64 pointers: owner");
	dns_msg_free(&m);
    }
}

/* test_name_255 - 3 x 63 + 61: exactly 255 wire bytes, all escaped */
static void test_name_255(void)
{
    unsigned char lab[63];
    const char *why;
    DMSG    m;
    int     i;

    wb_header(F_RESP, 1, 0, 0, 0);
    memset(lab, '.', sizeof(lab));
    for (i = 0; i < 4; i++) {
	wb_u8(i < 3 ? 63 : 61);
	wb_mem(lab, i < 3 ? 63 : 61);
    }
    wb_u8(0);
    wb_u16(1);
    wb_u16(1);
    if (tap_is_int(parse(&m, &why), 0, "name of 255 wire bytes accepted")) {
	tap_is_int((long long) strlen(m.qname), 250 * 4 + 3,
		   "255-byte name of dots: 1003 characters");
	dns_msg_free(&m);
    }
}

/* test_big_txt - one TXT record of RDLENGTH 65535 */
static void test_big_txt(void)
{
    unsigned char s[255];
    const DMSG_RR *rr;
    const char *why;
    size_t  at;
    DMSG    m;
    int     i;

    wb_header(F_RESP, 1, 1, 0, 0);
    wb_question("example.com", DMSG_T_TXT);
    wb_ptr(Q_OFF);
    at = wb_rr(DMSG_T_TXT, 60);
    for (i = 0; i < 256; i++) {
	memset(s, 'a' + i % 26, sizeof(s));
	wb_u8(i < 255 ? 255 : 254);
	wb_mem(s, i < 255 ? 255 : 254);
    }
    wb_rdlen(at);
    tap_is_int((long long) (wb.len - at - 2), 65535, "big TXT: RDLENGTH 65535");
    if (!tap_is_int(parse(&m, &why), 0, "big TXT: parsed"))
	return;
    rr = m.an;
    tap_ok(rr->nstrings == 256 && rr->dlen == 255 * 255 + 254, "big TXT: 256 strings");
    tap_ok(rr->strs[255].len == 254 && rr->strs[255].str[0] == 'a' + 255 % 26
	   && rr->data[rr->dlen] == 0 && rr->data[255] == 'b',
	   "big TXT: contents");
    dns_msg_free(&m);
}

/* test_many_tlsa - 4000 TLSA records in one 64 KiB answer */
static void test_many_tlsa(void)
{
    const DMSG_RR *rr = 0;
    const char *why;
    const char *final;
    unsigned ttl;
    size_t  at;
    DMSG    m;
    int     i;
    int     n = 0;

    wb_header(F_RESP | F_AD, 1, 4000, 0, 0);
    wb_question("_25._tcp.mx.example", DMSG_T_TLSA);
    for (i = 0; i < 4000; i++) {
	wb_ptr(Q_OFF);
	at = wb_rr(DMSG_T_TLSA, 3600 - (unsigned) i % 7);
	wb_mem("\3\1\1", 3);
	wb_u8((unsigned) i & 0xff);
	wb_rdlen(at);
    }
    tap_ok(wb.len < 65536, "many TLSA: fits in 64 KiB");
    if (!tap_is_int(parse(&m, &why), 0, "many TLSA: parsed"))
	return;
    while ((rr = dns_msg_next_rr(&m, rr, "_25._tcp.mx.example", DMSG_T_TLSA)) != 0)
	n++;
    tap_is_int(n, 4000, "many TLSA: all 4000 walked");
    tap_ok(dns_msg_follow_cname(&m, "_25._tcp.mx.example", DMSG_T_TLSA, &final, &ttl)
	   == 4000 && ttl == 3594, "many TLSA: count and smallest TTL");
    dns_msg_free(&m);
}

/* wb_cname_chain - n CNAMEs c0 -> c1 -> ... -> cn, loop back if asked */
static void wb_cname_chain(int n, int loop)
{
    char    name[32];
    size_t  at;
    int     i;

    wb_header(F_RESP, 1, (unsigned) n + 1, 0, 0);
    wb_question("c0.example", DMSG_T_A);
    for (i = 0; i < n; i++) {
	(void) snprintf(name, sizeof(name), "c%d.example", i);
	wb_name(name);
	at = wb_rr(DMSG_T_CNAME, 60);
	(void) snprintf(name, sizeof(name), "c%d.example",
			loop && i == n - 1 ? 0 : i + 1);
	wb_name(name);
	wb_rdlen(at);
    }
    (void) snprintf(name, sizeof(name), "c%d.example", n);
    wb_name(name);
    at = wb_rr(DMSG_T_A, 60);
    wb_mem("\1\2\3\4", 4);
    wb_rdlen(at);
}

/* test_chains - length limits and loops */
static void test_chains(void)
{
    static const struct {
	int     n, loop, want;
	const char *name;
    } cases[] = {
	{DMSG_MAX_CHAIN, 0, 1, "CNAME chain of the maximum length"},
	{DMSG_MAX_CHAIN + 1, 0, -1, "CNAME chain one too long"},
	{1, 1, -1, "CNAME to itself"},
	{2, 1, -1, "two-CNAME loop"},
	{5, 1, -1, "five-CNAME loop"},
    };
    const char *why;
    const char *final;
    unsigned ttl;
    size_t  i;
    DMSG    m;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	wb_cname_chain(cases[i].n, cases[i].loop);
	if (parse(&m, &why) < 0) {
	    tap_ok(0, cases[i].name);
	    continue;
	}
	tap_is_int(dns_msg_follow_cname(&m, "c0.example", DMSG_T_A, &final, &ttl),
		   cases[i].want, cases[i].name);
	dns_msg_free(&m);
    }
}

/* test_hosts - dns_msg_name_is_host */
static void test_hosts(void)
{
    static const struct {
	const char *name;
	int     want;
    } cases[] = {
	{"mx.example.com", 1}, {"xn--bcher-kva.example", 1}, {"localhost", 0},
	{"", 0}, {"*.example.com", 0}, {"_25._tcp.mx.example", 1},
	{"mx_2.example", 1}, {"_.example", 1}, {"mx_2.example.12", 0},
	{"a\\046b.example", 0}, {"mx.example.123", 0}, {"-mx.example", 0},
    };
    char    name[80];
    size_t  i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
	(void) snprintf(name, sizeof(name), "host name? \"%s\"", cases[i].name);
	tap_is_int(dns_msg_name_is_host(cases[i].name), cases[i].want, name);
    }
}

/* test_mutations - random damage to valid messages never crashes */
static void test_mutations(void)
{
    unsigned long seed = 12345;
    unsigned long parsed = 0;
    unsigned long odd = 0;
    const char *why;
    size_t  i;
    int     round;
    int     k;
    DMSG    m;

    for (round = 0; round < 40000; round++) {
	valid[round % (int) (sizeof(valid) / sizeof(valid[0]))].make();
	for (k = 0; k < 1 + round % 4; k++) {
	    seed = seed * 6364136223846793005UL + 1442695040888963407UL;
	    wb.buf[(seed >> 33) % wb.len] ^= (unsigned char) (1u << (seed >> 20 & 7));
	}
	if (dns_msg_parse(wb.buf, wb.len, &m, &why) < 0)
	    continue;
	parsed++;
	for (i = 0; i < (size_t) m.nan; i++)
	    if (strlen(m.an[i].owner) > 1003 || strpbrk(m.an[i].owner, "ABCZ "))
		odd++;
	dns_msg_free(&m);
    }
    tap_is_int((long long) odd, 0, "mutations: names stay lower-case and bounded");
    tap_ok(parsed > 0, "mutations: some damaged messages still parse");
}

int     main(void)
{
    test_valid();
    test_bad();
    test_hops_limit();
    test_name_255();
    test_big_txt();
    test_many_tlsa();
    test_chains();
    test_hosts();
    test_mutations();
    return tap_done();
}
