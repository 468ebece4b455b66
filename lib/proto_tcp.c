/*++
 * NAME
 *	proto_tcp 3
 * SUMMARY
 *	Postfix tcp_table(5) request decoding and reply encoding
 * SYNOPSIS
 *	#include "proto_tcp.h"
 *
 *	int	proto_tcp_decode_request(const char *line, size_t len, VSTR *key,
 *				const char **why)
 *	int	proto_tcp_format_reply(VSTR *out, TCPT_CODE code, const char *text)
 *
 *	int	proto_tcp_unquote(VSTR *out, const char *text, size_t len)
 * DESCRIPTION
 *	A request is one line "get SP key" (without its newline here);
 *	the key is %XX-quoted by Postfix. proto_tcp_decode_request() stores the
 *	unquoted key and returns 0, or returns -1 and a static reason for
 *	anything else: another command, a missing key, white space or a
 *	NUL inside the key, a bad %XX escape.
 *
 *	proto_tcp_format_reply() writes "code SP quoted-text NL" into out.
 *	Quoting follows Postfix's hex_quote(): "%", white space, control
 *	characters and bytes >= 0x80 become %XX. It returns -1 (and leaves
 *	out empty) when the reply would exceed TCPT_MAX_REPLY bytes
 *	including the newline, and refuses an empty 200 reply, which
 *	Postfix would treat as a configuration error.
 *--*/
#include <string.h>

#include "log.h"
#include "proto_tcp.h"

/* proto_tcp_hexval - value of one hex digit, or -1 */
static int proto_tcp_hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
	return ch - '0';
    if (ch >= 'a' && ch <= 'f')
	return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
	return ch - 'A' + 10;
    return -1;
}

/* proto_tcp_unquote - %XX decoding; -1 on a bad escape */
int     proto_tcp_unquote(VSTR *out, const char *text, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++) {
	if (text[i] != '%') {
	    vstr_addch(out, text[i]);
	    continue;
	}
	if (i + 2 >= len || proto_tcp_hexval((unsigned char) text[i + 1]) < 0
	    || proto_tcp_hexval((unsigned char) text[i + 2]) < 0)
	    return -1;
	vstr_addch(out, proto_tcp_hexval((unsigned char) text[i + 1]) * 16
		   + proto_tcp_hexval((unsigned char) text[i + 2]));
	i += 2;
    }
    return 0;
}

/* proto_tcp_plain - a byte hex_quote() leaves as it is */
static int proto_tcp_plain(unsigned char ch)
{
    return ch > 0x20 && ch < 0x7f && ch != '%';
}

/* proto_tcp_quote - %XX encoding like Postfix hex_quote(); plain runs are
 * copied whole */
static void proto_tcp_quote(VSTR *out, const char *text, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t  i = 0;
    size_t  run;
    char    esc[3];

    while (i < len) {
	for (run = i; run < len && proto_tcp_plain((unsigned char) text[run]); run++)
	     /* void */ ;
	vstr_addmem(out, text + i, run - i);
	if ((i = run) < len) {
	    esc[0] = '%';
	    esc[1] = hex[(unsigned char) text[i] >> 4];
	    esc[2] = hex[(unsigned char) text[i] & 15];
	    vstr_addmem(out, esc, sizeof(esc));
	    i++;
	}
    }
}

/* proto_tcp_decode_request - "get key" to the unquoted key */
int     proto_tcp_decode_request(const char *line, size_t len, VSTR *key,
			            const char **why)
{
    size_t  i;

    vstr_reset(key);
    if (len > 0 && line[len - 1] == '\r')
	len--;
    if (len < 4 || memcmp(line, "get ", 4) != 0) {
	*why = "unsupported request (only \"get key\")";
	return -1;
    }
    for (i = 4; i < len; i++) {
	if (line[i] == 0 || line[i] == ' ' || line[i] == '\t') {
	    *why = "malformed request: white space or NUL in key";
	    return -1;
	}
    }
    if (proto_tcp_unquote(key, line + 4, len - 4) < 0) {
	*why = "malformed request: bad %XX escape in key";
	vstr_reset(key);
	return -1;
    }
    return 0;
}

/* proto_tcp_format_reply - one complete reply line, bounded */
int     proto_tcp_format_reply(VSTR *out, TCPT_CODE code, const char *text)
{
    vstr_reset(out);
    if (code == TCPT_OK && *text == 0)
	log_panic("proto_tcp_format_reply: empty 200 reply");
    vstr_printf(out, "%d ", (int) code);
    proto_tcp_quote(out, text, strlen(text));
    vstr_addch(out, '\n');
    if (vstr_len(out) > TCPT_MAX_REPLY) {
	vstr_reset(out);
	return -1;
    }
    return 0;
}
