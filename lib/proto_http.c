/*++
 * NAME
 *	proto_http 3
 * SUMMARY
 *	the little HTTP the /metrics endpoint speaks
 * SYNOPSIS
 *	#include "proto_http.h"
 *
 *	PROTO_HTTP_ROUTE proto_http_route(const char *req, size_t len,
 *				int *head)
 *
 *	size_t	proto_http_line_len(const char *req, size_t len)
 *
 *	int	proto_http_complete(const char *buf)
 *
 *	void	proto_http_reply(VSTR *out, const char *status,
 *				const char *extra, const char *body,
 *				size_t blen, int head)
 * DESCRIPTION
 *	The same port as tcp_table and socketmap answers GET or HEAD
 *	/metrics (Prometheus text, version 0.0.4); the server (server.c)
 *	does the I/O, this module the syntax.
 *
 *	proto_http_route() tells from the request line in req[0..len) (no
 *	NUL needed; nothing past len is read) what is asked: /metrics
 *	(with or without a query string), another path (404), another
 *	method (405); *head is set for HEAD.
 *
 *	proto_http_line_len() is the length of the request line: the bytes
 *	before the first CR, LF or NUL, at most len.
 *
 *	proto_http_complete() says whether the NUL-terminated buf holds the
 *	whole request head (up to a blank line, CRLF or LF).
 *
 *	proto_http_reply() writes an HTTP/1.0 response to out (reset first):
 *	the status line, Content-Type (the exposition format for 200,
 *	text/plain otherwise), extra header lines (CRLF-terminated, or ""),
 *	Content-Length, Connection: close, and the body unless head.
 *--*/
#include <string.h>

#include "proto_http.h"

/* proto_http_span - bytes of s[0..len) before the first byte in stop */
static size_t proto_http_span(const char *s, size_t len, const char *stop)
{
    size_t  n;

    for (n = 0; n < len && s[n] != 0 && strchr(stop, s[n]) == 0; n++)
	 /* void */ ;
    return n;
}

/* proto_http_line_len - the request line's length */
size_t  proto_http_line_len(const char *req, size_t len)
{
    return proto_http_span(req, len, "\r\n");
}

/* proto_http_route - what a request asks for; reads only req[0..len) */
PROTO_HTTP_ROUTE proto_http_route(const char *req, size_t len, int *head)
{
    size_t  llen = proto_http_line_len(req, len);
    size_t  mlen = proto_http_span(req, llen, " ");
    const char *path = req + mlen + (mlen < llen);
    size_t  plen = proto_http_span(path, llen - (size_t) (path - req), " ?");

    *head = mlen == 4 && strncmp(req, "HEAD", 4) == 0;
    if (!*head && !(mlen == 3 && strncmp(req, "GET", 3) == 0))
	return PROTO_HTTP_BAD_METHOD;
    if (plen != 8 || strncmp(path, "/metrics", 8) != 0)
	return PROTO_HTTP_NOT_FOUND;
    return PROTO_HTTP_METRICS;
}

/* proto_http_complete - the request head has ended */
int     proto_http_complete(const char *buf)
{
    return strstr(buf, "\r\n\r\n") != 0 || strstr(buf, "\n\n") != 0;
}

/* proto_http_reply - status line, headers, optional body */
void    proto_http_reply(VSTR *out, const char *status, const char *extra,
			         const char *body, size_t blen, int head)
{
    vstr_reset(out);
    vstr_printf(out, "HTTP/1.0 %s\r\nContent-Type: %s\r\n%s"
		"Content-Length: %zu\r\nConnection: close\r\n\r\n", status,
		strncmp(status, "200", 3) == 0 ? "text/plain; version=0.0.4;"
		" charset=utf-8" : "text/plain", extra, blen);
    if (!head)
	vstr_addmem(out, body, blen);
}
