/*++
 * NAME
 *	dns_msg 3
 * SUMMARY
 *	parse DNS messages without trusting them
 * SYNOPSIS
 *	#include "dns_msg.h"
 *
 *	int	dns_msg_parse(const unsigned char *buf, size_t len, DMSG *msg,
 *				const char **why)
 *	void	dns_msg_free(DMSG *msg)
 *
 *	int	dns_msg_follow_cname(const DMSG *msg, const char *qname,
 *				int qtype, const char **final, unsigned *ttl)
 *	const DMSG_RR *dns_msg_next_rr(const DMSG *msg, const DMSG_RR *prev,
 *				const char *owner, int type)
 *	int	dns_msg_negative_ttl(const DMSG *msg, unsigned *ttl)
 *	int	dns_msg_name_is_host(const char *name)
 * DESCRIPTION
 *	dns_msg_parse() reads the header (ID, QR, OPCODE, AA, TC, RD, RA, AD,
 *	CD, RCODE and the four counts), the question (there must be
 *	exactly one), and the answer, authority and additional sections.
 *	MX, A,
 *	AAAA, TLSA, CNAME, TXT and SOA records are decoded; any other type
 *	is kept with its owner, class, type and TTL only. An OPT record
 *	in the additional section supplies the EDNS version, the UDP size
 *	and the upper bits of the RCODE (so that BADVERS cannot pass for
 *	NOERROR); a second one is an error. TTLs above 2^31-1 read as 0
 *	(RFC 2181).
 *
 *	Record data: A is 4 bytes, AAAA 16; TLSA at least 3; MX a 16-bit
 *	preference and a name; TXT one or more character-strings, kept
 *	both joined (data, dlen, NUL-terminated) and one by one (strs,
 *	nstrings, pointing into data); SOA keeps MINIMUM. The data of
 *	every record must end exactly at its RDLENGTH.
 *
 *	dns_msg_follow_cname() follows CNAME records from qname inside the
 *	answer section (class IN only; at most DMSG_MAX_CHAIN of them; a
 *	name seen twice is a loop). It sets *final to the last name of
 *	the chain (memory owned by msg, or qname itself) and *ttl to the
 *	smallest TTL of the CNAMEs used and of the qtype records at
 *	*final (0xffffffff when there are none), and returns how many
 *	qtype records *final has. With qtype CNAME no chain is followed.
 *	After -1, *final is qname and *ttl 0xffffffff.
 *
 *	dns_msg_next_rr() walks the answer section: the first (prev NULL) or
 *	next class IN record of the type whose owner is owner, or NULL.
 *
 *	dns_msg_negative_ttl() gives min(SOA TTL, SOA MINIMUM) of the first
 *	SOA in the authority section (RFC 2308).
 *
 *	dns_msg_name_is_host() accepts host names as Postfix's valid_hostname()
 *	does: letters, digits, "-" and "_" (DESIGN.md section 4: Postfix
 *	delivers to MX targets such as mx_2.example), at least one dot,
 *	no label starting or ending with "-", a last label not all digits.
 * NAMES
 *	Names are decompressed with at most DMSG_MAX_HOPS pointers; every
 *	pointer must point strictly before the place where the previous
 *	part of the name started, so a loop, a self-pointer or a forward
 *	pointer cannot be followed. A name is at most 255 bytes in wire
 *	form, a label at most 63; label types 01 and 10 are refused.
 *
 *	Names come out in lower case, without the final dot, "" for the
 *	root. Letters, digits, "-", "_" and "*" stand for themselves;
 *	every other byte of a label (a dot, a space, a backslash, controls,
 *	8-bit bytes) is written as \DDD. So two different wire names never
 *	give the same text, a dot inside a label never becomes a label
 *	boundary, and such names fail dns_msg_name_is_host().
 * SECURITY
 *	Every read goes through a cursor that checks the remaining length;
 *	the first error sticks and ends the parse. Record counts are
 *	checked against the bytes left before anything is allocated.
 * DIAGNOSTICS
 *	dns_msg_parse() returns 0, or -1 with a static reason in *why; a
 *	failed parse leaves nothing to free. dns_msg_follow_cname() returns
 *	-1 for a CNAME loop or a chain that is too long.
 *	dns_msg_negative_ttl() returns 0, or -1 without an SOA record.
 *--*/
#include <string.h>

#include "dns_msg.h"
#include "key.h"
#include "mem.h"

#define DMSG_MIN_RR	11		/* root owner + fixed part */

typedef struct DCUR {
    const unsigned char *buf;
    size_t  len;
    size_t  pos;
    const char *err;			/* sticky */
} DCUR;

/* dns_msg_cur_fail - remember the first error */
static void dns_msg_cur_fail(DCUR *c, const char *why)
{
    if (c->err == 0)
	c->err = why;
}

/* dns_msg_cur_need - are n more bytes there? */
static int dns_msg_cur_need(DCUR *c, size_t n)
{
    if (c->err)
	return 0;
    if (n > c->len || c->pos > c->len - n) {
	dns_msg_cur_fail(c, "message truncated");
	return 0;
    }
    return 1;
}

/* dns_msg_cur_u8 - one byte */
static unsigned dns_msg_cur_u8(DCUR *c)
{
    return dns_msg_cur_need(c, 1) ? c->buf[c->pos++] : 0;
}

/* dns_msg_cur_u16 - network order */
static unsigned dns_msg_cur_u16(DCUR *c)
{
    unsigned v;

    if (!dns_msg_cur_need(c, 2))
	return 0;
    v = (unsigned) c->buf[c->pos] << 8 | c->buf[c->pos + 1];
    c->pos += 2;
    return v;
}

/* dns_msg_cur_u32 - network order */
static unsigned long dns_msg_cur_u32(DCUR *c)
{
    unsigned long v = (unsigned long) dns_msg_cur_u16(c) << 16;

    return v | dns_msg_cur_u16(c);
}

/* dns_msg_cur_skip - n bytes we do not look at */
static void dns_msg_cur_skip(DCUR *c, size_t n)
{
    if (dns_msg_cur_need(c, n))
	c->pos += n;
}

/* dns_msg_name_put_label - append one label in presentation form */
static void dns_msg_name_put_label(const unsigned char *lab, size_t n, char *out,
			            size_t *olen)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyz0123456789-_*";
    size_t  i;

    if (*olen > 0)
	out[(*olen)++] = '.';
    for (i = 0; i < n; i++) {
	unsigned ch = lab[i];

	if (ch >= 'A' && ch <= 'Z')
	    ch += 'a' - 'A';
	if (ch != 0 && strchr(safe, (int) ch)) {
	    out[(*olen)++] = (char) ch;
	} else {
	    out[(*olen)++] = '\\';
	    out[(*olen)++] = (char) ('0' + ch / 100);
	    out[(*olen)++] = (char) ('0' + ch / 10 % 10);
	    out[(*olen)++] = (char) ('0' + ch % 10);
	}
    }
    out[*olen] = 0;
}

/* dns_msg_name_jump - follow one compression pointer at pos */
static int dns_msg_name_jump(DCUR *c, size_t *pos, size_t *limit, int *hops)
{
    size_t  ptr;

    if (*pos + 1 >= c->len) {
	dns_msg_cur_fail(c, "name runs past the message");
	return 0;
    }
    ptr = (size_t) (c->buf[*pos] & 0x3f) << 8 | c->buf[*pos + 1];
    if (ptr >= *limit) {
	dns_msg_cur_fail(c, "compression pointer does not point backwards");
	return 0;
    }
    if (++*hops > DMSG_MAX_HOPS) {
	dns_msg_cur_fail(c, "too many compression pointers");
	return 0;
    }
    *limit = ptr;
    *pos = ptr;
    return 1;
}

/*
 * dns_msg_name_read - a possibly compressed name; the cursor moves past it.
 * out must hold DMSG_NAME_MAX + 1 bytes: 255 wire bytes give at most
 * 1003 characters (four labels, 250 bytes, each written \DDD).
 */
static void dns_msg_name_read(DCUR *c, char *out)
{
    /* cppcheck-suppress duplicateAssignExpression ; pos moves, limit shrinks */
    size_t  pos = c->pos;
    size_t  limit = c->pos;		/* pointers must go below this */
    size_t  wire = 0;
    size_t  olen = 0;
    size_t  end = 0;			/* where the cursor continues */
    int     hops = 0;
    unsigned n;

    out[0] = 0;
    if (c->err)
	return;
    for (;;) {
	if (pos >= c->len) {
	    dns_msg_cur_fail(c, "name runs past the message");
	    return;
	}
	n = c->buf[pos];
	if ((n & 0xc0) == 0xc0) {
	    if (hops == 0)
		end = pos + 2;
	    if (!dns_msg_name_jump(c, &pos, &limit, &hops))
		return;
	    continue;
	}
	if (n & 0xc0) {
	    dns_msg_cur_fail(c, "unsupported label type");
	    return;
	}
	if ((wire += n + 1) > 255) {
	    dns_msg_cur_fail(c, "name longer than 255 bytes");
	    return;
	}
	if (n == 0)
	    break;
	if (n > c->len - pos - 1) {
	    dns_msg_cur_fail(c, "name runs past the message");
	    return;
	}
	dns_msg_name_put_label(c->buf + pos + 1, n, out, &olen);
	pos += 1 + n;
    }
    c->pos = hops ? end : pos + 1;
}

/* dns_msg_rr_free - one record's allocations */
static void dns_msg_rr_free(DMSG_RR *rr)
{
    mem_free(rr->owner);
    mem_free(rr->target);
    mem_free(rr->data);
    mem_free(rr->strs);
}

/* dns_msg_rr_copy_data - keep rdata bytes */
static void dns_msg_rr_copy_data(DCUR *c, DMSG_RR *rr, size_t n)
{
    if (!dns_msg_cur_need(c, n))
	return;
    rr->data = mem_alloc(n + 1);
    if (n)
	memcpy(rr->data, c->buf + c->pos, n);
    rr->data[n] = 0;
    rr->dlen = n;
    c->pos += n;
}

/* dns_msg_rr_txt_count - character-strings in [pos, end), or -1 */
static int dns_msg_rr_txt_count(const DCUR *c, size_t end)
{
    size_t  pos = c->pos;
    int     n = 0;

    while (pos < end) {
	pos += 1 + (size_t) c->buf[pos];
	n++;
    }
    return pos == end ? n : -1;
}

/* dns_msg_rr_txt - character-strings, one by one and joined */
static void dns_msg_rr_txt(DCUR *c, DMSG_RR *rr, size_t end)
{
    int     n = dns_msg_rr_txt_count(c, end);
    size_t  total = 0;
    size_t  len;
    int     i;

    if (n < 0) {
	dns_msg_cur_fail(c, "TXT string runs past its record");
	return;
    }
    rr->data = mem_alloc(end - c->pos + 1);
    rr->strs = mem_calloc((size_t) (n ? n : 1), sizeof(*rr->strs));
    for (i = 0; i < n; i++) {
	len = c->buf[c->pos++];
	memcpy(rr->data + total, c->buf + c->pos, len);
	rr->strs[i].str = rr->data + total;
	rr->strs[i].len = len;
	total += len;
	c->pos += len;
    }
    rr->data[total] = 0;
    rr->dlen = total;
    rr->nstrings = n;
}

/* dns_msg_rr_minlen - a record type's smallest RDLENGTH */
static size_t dns_msg_rr_minlen(int type)
{
    switch (type) {
    case DMSG_T_A: return 4;
    case DMSG_T_AAAA: return 16;
    case DMSG_T_CNAME: return 1;
    case DMSG_T_MX:
    case DMSG_T_TLSA: return 3;
    case DMSG_T_SOA: return 22;
    default: return 0;
    }
}

/* dns_msg_rr_target - the name in MX and CNAME data */
static void dns_msg_rr_target(DCUR *c, DMSG_RR *rr)
{
    char    name[DMSG_NAME_MAX + 1];

    dns_msg_name_read(c, name);
    if (c->err == 0)
	rr->target = mem_strdup(name);
}

/* dns_msg_rr_rdata - decode the types we use; rdlen bytes are there */
static void dns_msg_rr_rdata(DCUR *c, DMSG_RR *rr, size_t rdlen)
{
    char    name[DMSG_NAME_MAX + 1];
    size_t  end = c->pos + rdlen;

    if (rdlen < dns_msg_rr_minlen(rr->type)
	|| ((rr->type == DMSG_T_A || rr->type == DMSG_T_AAAA)
	    && rdlen != dns_msg_rr_minlen(rr->type))) {
	dns_msg_cur_fail(c, "record data of the wrong size");
	return;
    }
    switch (rr->type) {
    case DMSG_T_A:
    case DMSG_T_AAAA:
	dns_msg_rr_copy_data(c, rr, rdlen);
	break;
    case DMSG_T_MX:
	rr->pref = (int) dns_msg_cur_u16(c);
	dns_msg_rr_target(c, rr);
	break;
    case DMSG_T_CNAME:
	dns_msg_rr_target(c, rr);
	break;
    case DMSG_T_TLSA:
	rr->usage = (int) dns_msg_cur_u8(c);
	rr->selector = (int) dns_msg_cur_u8(c);
	rr->mtype = (int) dns_msg_cur_u8(c);
	dns_msg_rr_copy_data(c, rr, rdlen - 3);
	break;
    case DMSG_T_TXT:
	dns_msg_rr_txt(c, rr, end);
	break;
    case DMSG_T_SOA:
	dns_msg_name_read(c, name);		/* MNAME */
	dns_msg_name_read(c, name);		/* RNAME */
	dns_msg_cur_skip(c, 16);		/* serial refresh retry expire */
	rr->soa_min = (unsigned) dns_msg_cur_u32(c);
	break;
    default:
	dns_msg_cur_skip(c, rdlen);
	break;
    }
    if (c->err == 0 && c->pos != end)
	dns_msg_cur_fail(c, "record data does not match RDLENGTH");
}

/* dns_msg_rr_opt - EDNS from an OPT record (RFC 6891 6.1.3) */
static void dns_msg_rr_opt(DCUR *c, DMSG *msg, const DMSG_RR *rr, unsigned long ttl)
{
    if (msg->edns) {
	dns_msg_cur_fail(c, "more than one OPT record");
	return;
    }
    msg->edns = 1;
    msg->edns_udp = (unsigned) rr->rclass;
    msg->edns_version = (int) (ttl >> 16 & 0xff);
    msg->rcode |= (int) (ttl >> 24 & 0xff) << 4;
}

/* dns_msg_rr_read - one resource record; an OPT one goes to opt if not NULL */
static void dns_msg_rr_read(DCUR *c, DMSG_RR *rr, DMSG *opt)
{
    char    name[DMSG_NAME_MAX + 1];
    unsigned long ttl;
    size_t  rdlen;

    dns_msg_name_read(c, name);
    rr->type = (int) dns_msg_cur_u16(c);
    rr->rclass = (int) dns_msg_cur_u16(c);
    ttl = dns_msg_cur_u32(c);
    rdlen = dns_msg_cur_u16(c);
    if (c->err)
	return;
    rr->owner = mem_strdup(name);
    rr->ttl = ttl > 0x7fffffffUL ? 0 : (unsigned) ttl;
    if (opt && rr->type == DMSG_T_OPT)
	dns_msg_rr_opt(c, opt, rr, ttl);
    if (!dns_msg_cur_need(c, rdlen))
	return;
    dns_msg_rr_rdata(c, rr, rdlen);
}

/* dns_msg_rr_section - count records into a new array */
static DMSG_RR *dns_msg_rr_section(DCUR *c, unsigned count, int *nout, DMSG *opt)
{
    DMSG_RR *rrs;
    unsigned i;

    *nout = 0;
    if (count == 0 || c->err)
	return 0;
    if (count > (c->len - c->pos) / DMSG_MIN_RR) {
	dns_msg_cur_fail(c, "record count larger than the message");
	return 0;
    }
    rrs = mem_calloc(count, sizeof(*rrs));
    for (i = 0; i < count && c->err == 0; i++) {
	*nout = (int) i + 1;
	dns_msg_rr_read(c, rrs + i, opt);
    }
    return rrs;
}

/* dns_msg_header - the fixed 12 bytes */
static void dns_msg_header(DCUR *c, DMSG *msg)
{
    unsigned f;

    msg->id = dns_msg_cur_u16(c);
    msg->flags = f = dns_msg_cur_u16(c);
    msg->qr = (f >> 15) & 1;
    msg->opcode = (int) (f >> 11) & 15;
    msg->aa = (f >> 10) & 1;
    msg->tc = (f >> 9) & 1;
    msg->rd = (f >> 8) & 1;
    msg->ra = (f >> 7) & 1;
    msg->ad = (f >> 5) & 1;
    msg->cd = (f >> 4) & 1;
    msg->rcode = (int) (f & 15);
    msg->qdcount = (int) dns_msg_cur_u16(c);
    msg->ancount = (int) dns_msg_cur_u16(c);
    msg->nscount = (int) dns_msg_cur_u16(c);
    msg->arcount = (int) dns_msg_cur_u16(c);
}

/* dns_msg_question - exactly one */
static void dns_msg_question(DCUR *c, DMSG *msg)
{
    char    name[DMSG_NAME_MAX + 1];

    if (c->err == 0 && msg->qdcount != 1) {
	dns_msg_cur_fail(c, "question count is not 1");
	return;
    }
    dns_msg_name_read(c, name);
    msg->qtype = (int) dns_msg_cur_u16(c);
    msg->qclass = (int) dns_msg_cur_u16(c);
    if (c->err == 0)
	msg->qname = mem_strdup(name);
}

/* dns_msg_parse - the whole message */
int     dns_msg_parse(const unsigned char *buf, size_t len, DMSG *msg,
		           const char **why)
{
    DCUR    c = {buf, len, 0, 0};

    memset(msg, 0, sizeof(*msg));
    dns_msg_header(&c, msg);
    dns_msg_question(&c, msg);
    msg->an = dns_msg_rr_section(&c, (unsigned) msg->ancount, &msg->nan, 0);
    msg->ns = dns_msg_rr_section(&c, (unsigned) msg->nscount, &msg->nns, 0);
    msg->ar = dns_msg_rr_section(&c, (unsigned) msg->arcount, &msg->nar, msg);
    if (c.err) {
	*why = c.err;
	dns_msg_free(msg);
	return -1;
    }
    return 0;
}

/* dns_msg_free_section - records and the array */
static void dns_msg_free_section(DMSG_RR *rrs, int n)
{
    int     i;

    for (i = 0; i < n; i++)
	dns_msg_rr_free(rrs + i);
    mem_free(rrs);
}

/* dns_msg_free - release; the DMSG is zeroed */
void    dns_msg_free(DMSG *msg)
{
    dns_msg_free_section(msg->an, msg->nan);
    dns_msg_free_section(msg->ns, msg->nns);
    dns_msg_free_section(msg->ar, msg->nar);
    mem_free(msg->qname);
    memset(msg, 0, sizeof(*msg));
}

/* dns_msg_next_rr - next class IN answer record of type at owner */
const DMSG_RR *dns_msg_next_rr(const DMSG *msg, const DMSG_RR *prev,
			            const char *owner, int type)
{
    const DMSG_RR *rr = prev ? prev + 1 : msg->an;

    for (; msg->an && rr < msg->an + msg->nan; rr++)
	if (rr->type == type && rr->rclass == DMSG_C_IN && rr->owner
	    && strcmp(rr->owner, owner) == 0)
	    return rr;
    return 0;
}

/* dns_msg_min_ttl - smallest TTL of the records of type at owner */
static int dns_msg_min_ttl(const DMSG *msg, const char *owner, int type,
			        unsigned *min)
{
    const DMSG_RR *rr = 0;
    int     n = 0;

    while ((rr = dns_msg_next_rr(msg, rr, owner, type)) != 0) {
	if (rr->ttl < *min)
	    *min = rr->ttl;
	n++;
    }
    return n;
}

/* dns_msg_follow_cname - follow CNAMEs to the records of qtype */
int     dns_msg_follow_cname(const DMSG *msg, const char *qname, int qtype,
			          const char **final, unsigned *ttl)
{
    const char *seen[DMSG_MAX_CHAIN + 1];
    const DMSG_RR *cname;
    unsigned min = 0xffffffffu;
    int     hops;
    int     i;
    int     found;

    *final = qname;
    *ttl = min;
    seen[0] = qname;
    for (hops = 0;; hops++) {
	found = dns_msg_min_ttl(msg, seen[hops], qtype, &min);
	if (found > 0 || qtype == DMSG_T_CNAME
	    || (cname = dns_msg_next_rr(msg, 0, seen[hops], DMSG_T_CNAME)) == 0)
	    break;
	if (hops == DMSG_MAX_CHAIN)
	    return -1;
	for (i = 0; i <= hops; i++)
	    if (strcmp(seen[i], cname->target) == 0)
		return -1;
	if (cname->ttl < min)
	    min = cname->ttl;
	seen[hops + 1] = cname->target;
    }
    *final = seen[hops];
    *ttl = min;
    return found;
}

/* dns_msg_negative_ttl - RFC 2308 */
int     dns_msg_negative_ttl(const DMSG *msg, unsigned *ttl)
{
    int     i;

    for (i = 0; i < msg->nns; i++) {
	if (msg->ns[i].type == DMSG_T_SOA) {
	    *ttl = msg->ns[i].ttl < msg->ns[i].soa_min ?
		msg->ns[i].ttl : msg->ns[i].soa_min;
	    return 0;
	}
    }
    return -1;
}

/* dns_msg_name_is_host - LDH or "_", with a dot: as Postfix valid_hostname() */
int     dns_msg_name_is_host(const char *name)
{
    char    ldh[KEY_MAX_DOMAIN + 1];
    size_t  len = strlen(name);
    size_t  i;

    if (len > KEY_MAX_DOMAIN || strchr(name, '.') == 0)
	return 0;
    for (i = 0; i <= len; i++)		/* "_" counts as a letter */
	ldh[i] = name[i] == '_' ? 'u' : name[i];
    return key_is_ldh_domain(ldh, len);
}
