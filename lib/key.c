/*++
 * NAME
 *	key 3
 * SUMMARY
 *	gates that a lookup key passes before any lookup is done
 * SYNOPSIS
 *	#include "key.h"
 *
 *	KEY_GATE key_normalize(const char *raw, size_t len, char *out,
 *				int *port)
 *	const char *key_gate_reason(KEY_GATE gate)
 *	int	key_is_ldh_domain(const char *name, size_t len)
 * DESCRIPTION
 *	key_normalize() takes a key as Postfix sent it (already decoded
 *	from the wire format) and either writes the normalized domain to
 *	out (at least KEY_MAX_DOMAIN + 1 bytes) and returns KEY_OK, or
 *	returns the first gate that refused it. The gates, in order:
 *	empty key; raw key too long (KEY_MAX_DOMAIN + 1 bytes, KEY_MAX_RAW
 *	when it has 8-bit bytes: UTF-8 may be longer than its A-labels);
 *	NUL, space, control or DEL bytes; bracketed next hop; parent-domain
 *	walk key (leading dot); a key with 8-bit bytes (Postfix sends UTF-8
 *	domains with smtputf8_enable) has its host part, up to an optional
 *	":port", converted to A-labels (idn(3): UTS #46 non-transitional),
 *	and a key that is not valid UTF-8 or not a valid IDN is refused;
 *	then, on the ASCII form: IP
 *	address literal; an optional ":port" suffix (Postfix sends
 *	"domain:port" for a transport next hop with a port; the port, 1 to
 *	65535, goes to *port, else *port is 0); after lowercasing and
 *	removing one trailing dot,
 *	anything that is not an LDH host name of at most 253 characters
 *	with labels of 1-63 characters, no label starting or ending with
 *	"-", and a last label that is not all digits.
 *
 *	key_gate_reason() gives the short text logged and sent back in
 *	not-found replies.
 *
 *	key_is_ldh_domain() applies the last gate to lower-case text.
 * SECURITY
 *	Only KEY_OK names ever reach the override table, the cache or
 *	DNS; every refused key is answered "not found" without a lookup.
 *--*/
#include <arpa/inet.h>
#include <string.h>

#include "idn.h"
#include "key.h"
#include "log.h"

/* key_gate_reason - text for logs and replies */
const char *key_gate_reason(KEY_GATE gate)
{
    switch (gate) {
    case KEY_OK: return "ok";
    case KEY_EMPTY: return "empty key";
    case KEY_TOO_LONG: return "key too long";
    case KEY_BINARY: return "key contains control or non-ASCII bytes";
    case KEY_BRACKETED: return "bracketed next hop is not looked up";
    case KEY_PARENT_WALK: return "parent-domain key is not looked up";
    case KEY_IP_LITERAL: return "IP address is not a domain";
    case KEY_NOT_LDH: return "not a valid domain name";
    case KEY_BAD_IDN: return "not a valid internationalized domain name";
    }
    return "unknown gate";
}

/* key_is_label_char - letter, digit or hyphen (lower case) */
static int key_is_label_char(int ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
}

/* key_is_ldh_domain - lower-case LDH name, without trailing dot */
int     key_is_ldh_domain(const char *name, size_t len)
{
    size_t  i;
    size_t  label_start = 0;
    int     all_digits = 1;

    if (len == 0 || len > KEY_MAX_DOMAIN)
	return 0;
    for (i = 0; i <= len; i++) {
	if (i == len || name[i] == '.') {
	    size_t  llen = i - label_start;

	    if (llen == 0 || llen > 63 || name[label_start] == '-'
		|| name[i - 1] == '-')
		return 0;
	    if (i == len && all_digits)
		return 0;
	    label_start = i + 1;
	    all_digits = 1;
	    continue;
	}
	if (!key_is_label_char((unsigned char) name[i]))
	    return 0;
	if (name[i] < '0' || name[i] > '9')
	    all_digits = 0;
    }
    return 1;
}

/* key_is_ip_literal - IPv4 or IPv6 address text */
static int key_is_ip_literal(const char *key)
{
    unsigned char addr[16];

    return inet_pton(AF_INET, key, addr) == 1
	|| inet_pton(AF_INET6, key, addr) == 1;
}

/* key_split_port - "host:port": cut the port off; -1 if it is bad */
static int key_split_port(char *out, size_t *len, int *port)
{
    char   *colon = memchr(out, ':', *len);
    size_t  i;
    long    val = 0;

    *port = 0;
    if (colon == 0)
	return 0;
    for (i = (size_t) (colon - out) + 1; i < *len; i++) {
	if (out[i] < '0' || out[i] > '9' || val > 65535)
	    return -1;
	val = val * 10 + (out[i] - '0');
    }
    if (val < 1 || val > 65535 || i - (size_t) (colon - out) > 6)
	return -1;
    *port = (int) val;
    *len = (size_t) (colon - out);
    *colon = 0;
    return 0;
}

/* key_scan - bytes: controls refused; tells whether any is 8-bit */
static KEY_GATE key_scan(const char *raw, size_t len, int *utf8)
{
    size_t  i;

    *utf8 = 0;
    for (i = 0; i < len; i++) {
	unsigned char ch = (unsigned char) raw[i];

	if (ch < 0x21 || ch == 0x7f)
	    return KEY_BINARY;
	if (ch >= 0x80)
	    *utf8 = 1;
    }
    return KEY_OK;
}

/* key_utf8 - "host[:rest]" with a UTF-8 host: host as A-labels; -1 if bad */
static int key_utf8(const char *raw, size_t len, char *buf, size_t size)
{
    const char *colon = memchr(raw, ':', len);
    size_t  hlen = colon ? (size_t) (colon - raw) : len;
    size_t  alen;
    const char *why;
    char    safe[LOG_SAFE_SIZE];

    if (idn_to_alabel(raw, hlen, buf, size, &why) < 0) {
	log_debug("key \"%s\": %s", log_safe(safe, sizeof(safe), raw, len), why);
	return -1;
    }
    alen = strlen(buf);
    if (alen + (len - hlen) >= size)
	return -1;
    memcpy(buf + alen, raw + hlen, len - hlen);
    buf[alen + len - hlen] = 0;
    log_debug("key \"%s\" is %s in A-label form",
	      log_safe(safe, sizeof(safe), raw, len), buf);
    return 0;
}

/* key_normalize - run the gates; KEY_OK fills out and port */
KEY_GATE key_normalize(const char *raw, size_t len, char *out, int *port)
{
    char    alabel[KEY_MAX_DOMAIN + 16];
    size_t  i;
    int     utf8;
    KEY_GATE gate;

    *port = 0;

    if (len == 0)
	return KEY_EMPTY;
    if (len > KEY_MAX_RAW)
	return KEY_TOO_LONG;
    gate = key_scan(raw, len, &utf8);
    if (len > KEY_MAX_DOMAIN + 1 && !utf8)	/* UTF-8 may shrink */
	return KEY_TOO_LONG;
    if (gate != KEY_OK)
	return gate;
    if (raw[0] == '[')
	return KEY_BRACKETED;
    if (raw[0] == '.')
	return KEY_PARENT_WALK;
    if (utf8) {
	if (key_utf8(raw, len, alabel, sizeof(alabel)) < 0)
	    return KEY_BAD_IDN;
	raw = alabel;
	if ((len = strlen(alabel)) == 0)	/* U+00AD etc. map to nothing */
	    return KEY_BAD_IDN;
	if (len > KEY_MAX_DOMAIN + 1)
	    return KEY_TOO_LONG;
    }
    for (i = 0; i < len; i++) {
	unsigned char ch = (unsigned char) raw[i];

	out[i] = (char) (ch >= 'A' && ch <= 'Z' ? ch + 'a' - 'A' : ch);
    }
    if (out[len - 1] == '.')
	len--;
    if (len > KEY_MAX_DOMAIN)		/* out has KEY_MAX_DOMAIN + 1 bytes */
	return KEY_TOO_LONG;
    out[len] = 0;
    if (key_is_ip_literal(out))
	return KEY_IP_LITERAL;
    if (key_split_port(out, &len, port) < 0)
	return KEY_NOT_LDH;
    if (*port && len > 0 && out[len - 1] == '.')
	out[--len] = 0;
    if (len > KEY_MAX_DOMAIN)
	return KEY_TOO_LONG;
    if (!key_is_ldh_domain(out, len))
	return KEY_NOT_LDH;
    return KEY_OK;
}
