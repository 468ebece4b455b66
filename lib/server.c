/*++
 * NAME
 *	server 3
 * SUMMARY
 *	the per-connection request loop
 * SYNOPSIS
 *	#include "server.h"
 *
 *	SRV_END	server_serve(POL_CTX *pol, int in_fd, int out_fd,
 *				int idle_timeout, SRV_IDLE_FN on_idle)

 * DESCRIPTION
 *	server_serve() answers requests from in_fd on out_fd until the client
 *	closes the connection, stays idle for idle_timeout seconds, or
 *	breaks the protocol so badly that the stream cannot be resynced.
 *	When a lookup left a refresh pending (pol->refresh) and no request
 *	waits, or the client is gone, it calls on_idle(pol) (the daemon
 *	starts the refresh process; NULL: none).
 *
 *	The protocol is chosen once per connection from the first byte: a
 *	digit starts a socketmap netstring, an upper-case letter an HTTP
 *	request (GET or HEAD /metrics gets the Prometheus text, any other
 *	path 404, any other method 405; then the connection is closed),
 *	anything else a tcp_table line (the syntax of each is in
 *	proto_tcp.c, proto_sockmap.c and proto_http.c; this file does the
 *	I/O).
 *
 *	Each answered lookup is counted (metrics(3)); the counts go to the
 *	shared cache at most once a second, after a reply, and at the end.
 *	Each reply is built in memory and sent with one write():
 *	two small writes cost the client a delayed-ACK wait per lookup.
 * SECURITY
 *	Reads are bounded: a tcp_table line longer than TCPT_MAX_LINE, a
 *	netstring longer than SMAP_MAX_REQUEST or with a malformed header,
 *	and a request that does not complete within SRV_REQUEST_TIMEOUT
 *	seconds close the connection with a log line.
 *
 *	Writes are bounded too: a reply the client leaves unread for
 *	idle_timeout seconds, or past the request's SRV_REQUEST_TIMEOUT
 *	deadline (at least one second), closes the connection with a log
 *	line. A reply is still one write() unless the client's socket
 *	buffer is full.
 *
 *	How the waits are bounded depends on what in_fd and out_fd are.
 *	Under spawn(8) both are the one client socket: reads block, but
 *	SO_RCVTIMEO ends each read() after SRV_READ_SLICE_MS so that the
 *	deadline is checked, and replies are sent with MSG_DONTWAIT; a
 *	kept connection's next request then costs one read(), not a
 *	poll() and a read(). Otherwise (pipes, tests) both descriptors are
 *	made non-blocking and poll() waits. Flags and the socket option
 *	are restored at the end.
 *
 *	The log lines of a connection's first request are written before
 *	its reply, so that a client that asks once (postmap -q, a script)
 *	finds them in the log when it has the answer. Those of later
 *	requests are written after their reply (log_hold()); in socket
 *	mode they may wait for the next ones, at most SRV_LOG_HOLD_MS (the
 *	read slice shrinks to that while lines wait, and a slice that ends
 *	writes them), and are written at the end of the connection: a busy
 *	kept connection writes its log in batches, one write() for many
 *	lookups.
 *--*/
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "logcap.h"
#include "metrics.h"
#include "proto_http.h"
#include "proto_sockmap.h"
#include "proto_tcp.h"
#include "server.h"

#define SRV_BUFSIZE	(TCPT_MAX_LINE + 64)

typedef enum {
    SRV_PROTO_NONE, SRV_PROTO_TCP, SRV_PROTO_SOCKMAP, SRV_PROTO_HTTP
} SRV_PROTO;

typedef struct SRV {
    POL_CTX *pol;
    SRV_IDLE_FN on_idle;		/* start a pending refresh, or NULL */
    int     in_fd;
    int     out_fd;
    int     idle_timeout;
    SRV_PROTO proto;
    char    buf[SRV_BUFSIZE];
    size_t  start;			/* first unconsumed byte */
    size_t  end;			/* end of buffered data */
    time_t  deadline;			/* for the request under way */
    VSTR   *key;
    VSTR   *reply;
    unsigned long count;		/* requests answered */
    time_t  flushed;			/* metrics last written */
    int     sock;			/* in_fd and out_fd: one socket */
    int     slice_ms;			/* its SO_RCVTIMEO now */
    int     garbage;			/* malformed requests in a row */
    POL_ANSWER ans;			/* reset for each lookup */
} SRV;

typedef enum { FILL_DATA, FILL_EOF, FILL_TIMEOUT, FILL_ERROR, FILL_FULL } FILL;

/* server_now - monotonic seconds */
static time_t server_now(void)
{
    struct timespec ts;

    (void) clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec;
}

/* server_wait_in - a non-blocking in_fd: wait for input at most left
 * seconds; 1 ready, 0 not yet, -1 error */
static int server_wait_in(SRV *srv, time_t left)
{
    struct pollfd pfd;
    int     n;

    if (srv->sock)
	return 1;			/* read() itself waits a slice */
    pfd.fd = srv->in_fd;
    pfd.events = POLLIN;
    n = poll(&pfd, 1, (int) (left > 86400 ? 86400000 : left * 1000));
    if (n < 0 && errno == EINTR)
	return 0;
    return n;
}

/* server_timeval - milliseconds as a struct timeval */
static struct timeval server_timeval(int ms)
{
    struct timeval tv;

    tv.tv_sec = ms / 1000;
    tv.tv_usec = (suseconds_t) (ms % 1000) * 1000;
    return tv;
}

/* server_set_slice - a socket's read slice, set when it changes */
static void server_set_slice(SRV *srv, int ms)
{
    struct timeval tv = server_timeval(ms);

    if (!srv->sock || srv->slice_ms == ms)
	return;
    if (setsockopt(srv->in_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == 0)
	srv->slice_ms = ms;
}

/* server_log_wait - socket mode: held log lines wait at most
 * SRV_LOG_HOLD_MS; a read slice that ends writes them */
static void server_log_wait(SRV *srv, int slice_ended)
{
    long    age = log_held_age();

    if (age >= 0 && (slice_ended || age >= SRV_LOG_HOLD_MS)) {
	log_release();
	age = -1;
    }
    server_set_slice(srv, age >= 0 ? SRV_LOG_HOLD_MS : SRV_READ_SLICE_MS);
}

/* server_fill - read more bytes, waiting at most until the deadline */
static FILL server_fill(SRV *srv, time_t deadline)
{
    ssize_t n;
    time_t  left;
    int     ready;

    if (srv->start > 0) {
	memmove(srv->buf, srv->buf + srv->start, srv->end - srv->start);
	srv->end -= srv->start;
	srv->start = 0;
    }
    if (srv->end == sizeof(srv->buf))
	return FILL_FULL;
    for (;;) {
	if ((left = deadline - server_now()) <= 0)
	    return FILL_TIMEOUT;
	if ((ready = server_wait_in(srv, left)) < 0)
	    return FILL_ERROR;
	if (ready == 0)
	    continue;
	if (srv->sock)
	    server_log_wait(srv, 0);
	n = read(srv->in_fd, srv->buf + srv->end, sizeof(srv->buf) - srv->end);
	if (n < 0 && srv->sock && (errno == EAGAIN || errno == EWOULDBLOCK))
	    server_log_wait(srv, 1);	/* a slice ended */
	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
	    continue;
	if (n < 0)
	    return FILL_ERROR;
	if (n == 0)
	    return FILL_EOF;
	srv->end += (size_t) n;
	return FILL_DATA;
    }
}

/* server_write_deadline - a reply waits for the client at most this long */
static time_t server_write_deadline(SRV *srv)
{
    time_t  now = server_now();
    time_t  deadline = now + srv->idle_timeout;

    if (srv->deadline < deadline)
	deadline = srv->deadline;
    return deadline > now ? deadline : now + 1;
}

/* server_wait_out - wait until out_fd takes more bytes; -1 at the deadline */
static int server_wait_out(SRV *srv, time_t deadline)
{
    struct pollfd pfd;
    time_t  left;
    int     n;

    for (;;) {
	if ((left = deadline - server_now()) <= 0)
	    return -1;
	pfd.fd = srv->out_fd;
	pfd.events = POLLOUT;
	n = poll(&pfd, 1, (int) (left > 86400 ? 86400000 : left * 1000));
	if (n > 0)
	    return 0;			/* POLLERR/POLLHUP: write() says why */
	if (n < 0 && errno != EINTR)
	    return -1;
    }
}

/* server_send - one write() that never blocks */
static ssize_t server_send(SRV *srv, const char *data, size_t len)
{
    if (srv->sock)
	return send(srv->out_fd, data, len, MSG_DONTWAIT | MSG_NOSIGNAL);
    return write(srv->out_fd, data, len);
}

/* server_write - one whole reply: one write() unless the client lags */
static int server_write(SRV *srv, const char *data, size_t len)
{
    time_t  deadline = 0;
    ssize_t n;

    while (len > 0) {
	n = server_send(srv, data, len);
	if (n > 0) {
	    data += n;
	    len -= (size_t) n;
	    continue;
	}
	if (n < 0 && errno == EINTR)
	    continue;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
	    if (deadline == 0)
		deadline = server_write_deadline(srv);
	    if (server_wait_out(srv, deadline) == 0)
		continue;
	    log_warn("client did not take the reply in time (idle_timeout"
		     " %ds, request deadline %ds); closing connection",
		     srv->idle_timeout, SRV_REQUEST_TIMEOUT);
	    return -1;
	}
	log_warn("write to client failed: %s", n < 0 ? strerror(errno) :
		 "no progress");
	return -1;
    }
    return 0;
}

/* server_nonblock - set or restore O_NONBLOCK on out_fd; the old flags */
static int server_nonblock(int fd, int flags)
{
    int     old = fcntl(fd, F_GETFL);

    if (old >= 0 && fcntl(fd, F_SETFL, flags < 0 ? old | O_NONBLOCK : flags) < 0)
	log_warn("fcntl(F_SETFL) on the client socket: %s", strerror(errno));
    return old;
}

/* server_count - one answered lookup, for the metrics (the labels are
 * formatted again only when the protocol or the answer kind changes) */
static void server_count(const char *protocol, const POL_ANSWER *ans)
{
    static char labels[96];
    static char last_kind[32];
    static const char *last_protocol;

    if (protocol != last_protocol || strncmp(ans->kind, last_kind, sizeof(last_kind)) != 0) {
	(void) snprintf(labels, sizeof(labels), "protocol=\"%s\",answer=\"%s\"",
			protocol, ans->kind);
	(void) snprintf(last_kind, sizeof(last_kind), "%s", ans->kind);
	last_protocol = protocol;
    }
    metrics_inc(MET_LOOKUPS, labels, 1);
}

/* server_tcp_answer - reply to one decoded tcp_table key */
static void server_tcp_answer(SRV *srv, const char *key, size_t klen)
{
    POL_ANSWER *ans = &srv->ans;
    TCPT_CODE code;

    policy_answer_reset(ans);
    policy_lookup(srv->pol, key, klen, srv->pol->cfg->tlsrpt, ans);
    server_count("tcp", ans);
    code = ans->status == POL_FOUND ? TCPT_OK :
	ans->status == POL_TEMP ? TCPT_TEMP : TCPT_NOTFOUND;
    if (code == TCPT_OK && vstr_len(ans->tlsrpt) > 0) {
	VSTR   *full = vstr_new(vstr_len(ans->text) + vstr_len(ans->tlsrpt) + 1);
	int     fits;

	vstr_addstr(full, vstr_str(ans->text));
	vstr_addstr(full, vstr_str(ans->tlsrpt));
	fits = proto_tcp_format_reply(srv->reply, code, vstr_str(full)) == 0;
	vstr_free(full);
	if (fits)
	    return;
	logcap_warn("policy for %s with TLSRPT attributes does not fit in a"
		 " %d-byte tcp_table reply; sending it without them",
		 ans->domain, TCPT_MAX_REPLY);
    }
    if (proto_tcp_format_reply(srv->reply, code, vstr_str(ans->text)) < 0) {
	logcap_warn("policy for %s does not fit in a %d-byte tcp_table reply;"
		 " answering temporary failure", ans->domain, TCPT_MAX_REPLY);
	(void) proto_tcp_format_reply(srv->reply, TCPT_TEMP, "policy too long");
    }
}

/* server_tcp_request - handle one complete line */
static void server_tcp_request(SRV *srv, const char *line, size_t len)
{
    const char *why;
    char    safe[LOG_SAFE_SIZE];

    if (proto_tcp_decode_request(line, len, srv->key, &why) < 0) {
	logcap_warn("tcp_table: %s: \"%s\"", why,
		    log_safe(safe, sizeof(safe), line, len));
	(void) proto_tcp_format_reply(srv->reply, TCPT_TEMP, why);
	srv->garbage++;
	return;
    }
    srv->garbage = 0;
    server_tcp_answer(srv, vstr_str(srv->key), vstr_len(srv->key));
}

/* server_sockmap_request - handle one complete netstring payload */
static void server_sockmap_request(SRV *srv, const char *payload, size_t len)
{
    POL_ANSWER *ans = &srv->ans;
    SMAP_MAP map;
    const char *key;
    size_t  klen;
    char    safe[LOG_SAFE_SIZE];

    if (proto_sockmap_split_request(payload, len, &map, &key, &klen) < 0) {
	logcap_warn("socketmap: malformed request (no \"name key\"): \"%s\"",
		    log_safe(safe, sizeof(safe), payload, len));
	proto_sockmap_format_reply(srv->reply, "PERM", "malformed request");
	srv->garbage++;
	return;
    }
    if (map == SMAP_MAP_UNKNOWN) {
	logcap_warn("socketmap: unknown map name in \"%s\"",
		    log_safe(safe, sizeof(safe), payload, len));
	proto_sockmap_format_reply(srv->reply, "PERM",
			  "unknown map name (expected QUERY or QUERYwithTLSRPT)");
	srv->garbage++;
	return;
    }
    srv->garbage = 0;
    policy_answer_reset(ans);
    policy_lookup(srv->pol, key, klen,
	       map == SMAP_MAP_QUERY_TLSRPT || srv->pol->cfg->tlsrpt, ans);
    server_count("socketmap", ans);
    if (ans->status == POL_FOUND) {
	vstr_addstr(ans->text, vstr_str(ans->tlsrpt));
	proto_sockmap_format_reply(srv->reply, "OK", vstr_str(ans->text));
    }
    else if (ans->status == POL_TEMP)
	proto_sockmap_format_reply(srv->reply, "TEMP", vstr_str(ans->text));
    else
	proto_sockmap_format_reply(srv->reply, "NOTFOUND", "");
}

/* server_close_msg - log why a connection is dropped */
static SRV_END server_close_msg(SRV *srv, FILL fill, const char *what)
{
    switch (fill) {
    case FILL_EOF:
	if (srv->end == srv->start)
	    return SRV_EOF;
	log_warn("client closed the connection in the middle of a request");
	return SRV_CLOSED;
    case FILL_TIMEOUT:
	if (srv->end == srv->start) {
	    log_debug("idle for %ds after %lu request%s; exiting",
		      srv->idle_timeout, srv->count, srv->count == 1 ? "" : "s");
	    return SRV_IDLE;
	}
	log_warn("request not completed within %ds; closing connection",
		 SRV_REQUEST_TIMEOUT);
	return SRV_CLOSED;
    case FILL_FULL:
	log_warn("%s; closing connection", what);
	return SRV_CLOSED;
    case FILL_ERROR:
	log_warn("read from client failed: %s", strerror(errno));
	return SRV_CLOSED;
    case FILL_DATA:
	break;
    }
    log_panic("server_close_msg: unexpected fill status %d", (int) fill);
}

/* server_next_tcp - wait for one full line; 0 and its length, or -1 */
static int server_next_tcp(SRV *srv, size_t *llen, SRV_END *end)
{
    char   *nl;
    FILL    fill;
    char    what[128];

    while ((nl = memchr(srv->buf + srv->start, '\n', srv->end - srv->start)) == 0) {
	if (srv->end - srv->start > TCPT_MAX_LINE)
	    fill = FILL_FULL;
	else
	    fill = server_fill(srv, srv->end > srv->start ? srv->deadline :
			    server_now() + srv->idle_timeout);
	if (fill == FILL_DATA)
	    continue;
	(void) snprintf(what, sizeof(what), "tcp_table request line longer"
			" than %d bytes", TCPT_MAX_LINE);
	*end = server_close_msg(srv, fill, what);
	return -1;
    }
    *llen = (size_t) (nl - (srv->buf + srv->start));
    return 0;
}

/* server_next_sockmap - wait for one full netstring; 0, or -1 */
static int server_next_sockmap(SRV *srv, size_t *hdr, size_t *plen, SRV_END *end)
{
    SMAP_STATUS st;
    FILL    fill;
    char    safe[LOG_SAFE_SIZE];

    for (;;) {
	st = proto_sockmap_parse_header(srv->buf + srv->start, srv->end - srv->start,
			       SMAP_MAX_REQUEST, hdr, plen);
	if (st == SMAP_TOO_LONG || st == SMAP_SYNTAX) {
	    log_warn("socketmap: %s netstring header \"%s\"; closing connection",
		     st == SMAP_TOO_LONG ? "over-long (limit "
		     "4096 bytes)" : "malformed",
		     log_safe(safe, sizeof(safe), srv->buf + srv->start,
			      srv->end - srv->start));
	    *end = SRV_CLOSED;
	    return -1;
	}
	if (st == SMAP_OK && srv->end - srv->start >= *hdr + *plen + 1)
	    break;
	fill = server_fill(srv, srv->end > srv->start ? srv->deadline :
			server_now() + srv->idle_timeout);
	if (fill != FILL_DATA) {
	    *end = server_close_msg(srv, fill, "socketmap request too long");
	    return -1;
	}
    }
    if (srv->buf[srv->start + *hdr + *plen] != ',') {
	log_warn("socketmap: netstring not terminated by ','; closing connection");
	*end = SRV_CLOSED;
	return -1;
    }
    return 0;
}

/* server_http_reply - status line, headers, optional body; one write */
static void server_http_reply(SRV *srv, const char *status, const char *extra,
			           const char *body, size_t blen, int head)
{
    proto_http_reply(srv->reply, status, extra, body, blen, head);
    (void) server_write(srv, vstr_str(srv->reply), vstr_len(srv->reply));
}

/* server_http - one HTTP request, then the connection ends */
static SRV_END server_http(SRV *srv)
{
    char   *req = srv->buf + srv->start;
    size_t  len = srv->end - srv->start;
    size_t  llen = proto_http_line_len(req, len);
    int     head;
    char    safe[LOG_SAFE_SIZE];
    VSTR   *body;

    switch (proto_http_route(req, len, &head)) {
    case PROTO_HTTP_BAD_METHOD:
	log_info("http: method not allowed: \"%s\"",
		 log_safe(safe, sizeof(safe), req, llen));
	server_http_reply(srv, "405 Method Not Allowed", "Allow: GET, HEAD\r\n",
		       "method not allowed\n", 19, 0);
	break;
    case PROTO_HTTP_NOT_FOUND:
	log_info("http: not found: \"%s\"",
		 log_safe(safe, sizeof(safe), req, llen));
	server_http_reply(srv, "404 Not Found", "", "not found\n", 10, head);
	break;
    case PROTO_HTTP_METRICS:
	body = vstr_new(4096);
	policy_metrics_render(srv->pol, body);
	server_http_reply(srv, "200 OK", "", vstr_str(body), vstr_len(body), head);
	vstr_free(body);
	break;
    }
    return SRV_CLOSED;
}

/* server_http_wait - the request line and headers, up to the blank line */
static int server_http_wait(SRV *srv, SRV_END *end)
{
    FILL    fill;

    for (;;) {
	srv->buf[srv->end < sizeof(srv->buf) ? srv->end : sizeof(srv->buf) - 1] = 0;
	if (proto_http_complete(srv->buf + srv->start))
	    return 0;
	if (srv->end - srv->start >= sizeof(srv->buf) - 1) {
	    log_warn("http: request headers longer than %zu bytes; closing",
		     sizeof(srv->buf) - 1);
	    *end = SRV_CLOSED;
	    return -1;
	}
	if ((fill = server_fill(srv, srv->deadline)) != FILL_DATA) {
	    *end = server_close_msg(srv, fill, "http request too long");
	    return -1;
	}
    }
}

/* server_idle - no request is waiting, neither buffered nor on the socket */
static int server_idle(SRV *srv)
{
    struct pollfd pfd;

    if (srv->end > srv->start)
	return 0;
    pfd.fd = srv->in_fd;
    pfd.events = POLLIN;
    return poll(&pfd, 1, 0) == 0;
}

/* server_maybe_flush - metrics to the shared cache, at most once a second */
static void server_maybe_flush(SRV *srv)
{
    time_t  now = server_now();

    if (now != srv->flushed && metrics_pending()) {
	policy_metrics_flush(srv->pol);
	srv->flushed = now;
    }
}

/* server_one - read, answer and send one request; -1 ends the loop */
static int server_one(SRV *srv, SRV_END *end)
{
    size_t  len;
    size_t  hdr;

    vstr_reset(srv->reply);
    log_hold();				/* this lookup's lines: after the reply */
    if (srv->proto == SRV_PROTO_HTTP) {
	if (server_http_wait(srv, end) == 0)
	    *end = server_http(srv);
	return -1;
    }
    if (srv->proto == SRV_PROTO_TCP) {
	if (server_next_tcp(srv, &len, end) < 0)
	    return -1;
	server_tcp_request(srv, srv->buf + srv->start, len);
	srv->start += len + 1;
    } else {
	if (server_next_sockmap(srv, &hdr, &len, end) < 0)
	    return -1;
	server_sockmap_request(srv, srv->buf + srv->start + hdr, len);
	srv->start += hdr + len + 1;
    }
    if (srv->count++ == 0)
	log_release();			/* a connection's first lines: before its reply */
    if (server_write(srv, vstr_str(srv->reply), vstr_len(srv->reply)) < 0) {
	*end = SRV_CLOSED;
	log_release();
	return -1;
    }
    if (!srv->sock)
	log_release();			/* socket mode: server_log_wait() */
    if (srv->garbage >= SRV_GARBAGE_MAX) {
	log_warn("%d malformed requests in a row (%lu requests in all);"
		 " closing connection", srv->garbage, srv->count);
	*end = SRV_CLOSED;
	return -1;
    }
    server_maybe_flush(srv);
    if (srv->pol->refresh[0] && srv->on_idle && server_idle(srv))
	srv->on_idle(srv->pol);
    return 0;
}

/* server_fill_idle - between requests: wait for one at most idle_timeout.
 * On non-blocking descriptors one read() first takes a request already
 * waiting (a new connection's first one usually is); after a reply the
 * client has yet to send the next one, so poll() comes first then,
 * instead of a read() that would only fail with EAGAIN */
static FILL server_fill_idle(SRV *srv)
{
    ssize_t n;

    if (srv->end == srv->start && srv->count == 0 && !srv->sock) {
	srv->start = srv->end = 0;	/* nothing is buffered */
	do {
	    n = read(srv->in_fd, srv->buf, sizeof(srv->buf));
	} while (n < 0 && errno == EINTR);
	if (n == 0)
	    return FILL_EOF;
	if (n > 0) {
	    srv->end = (size_t) n;
	    return FILL_DATA;
	}
	if (errno != EAGAIN && errno != EWOULDBLOCK)
	    return FILL_ERROR;
    }
    return server_fill(srv, server_now() + srv->idle_timeout);
}

/* server_wait_first - wait for the first byte of a request */
static int server_wait_first(SRV *srv, SRV_END *end)
{
    FILL    fill;

    if (srv->end > srv->start)
	return 0;
    fill = server_fill_idle(srv);
    if (fill != FILL_DATA) {
	*end = server_close_msg(srv, fill, "");
	return -1;
    }
    return 0;
}

/* server_is_socket - in_fd and out_fd are one socket */
static int server_is_socket(int in_fd, int out_fd)
{
    struct stat in;
    struct stat out;

    return fstat(in_fd, &in) == 0 && fstat(out_fd, &out) == 0
	&& S_ISSOCK(in.st_mode) && in.st_ino == out.st_ino
	&& in.st_dev == out.st_dev;
}

/* server_slice - SO_RCVTIMEO: set ours (old is filled), or restore old */
static int server_slice(int fd, struct timeval *old, int restore)
{
    struct timeval tv = server_timeval(SRV_READ_SLICE_MS);
    socklen_t len = sizeof(*old);

    if (restore)
	return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, old, sizeof(*old));
    if (getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, old, &len) < 0)
	return -1;
    return setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
}

/* server_io_begin - socket mode (blocking, read slices) or non-blocking
 * descriptors; what to restore goes to in_flags, flags and old */
static void server_io_begin(SRV *srv, int *in_flags, int *flags,
			            struct timeval *old)
{
    *in_flags = *flags = -1;
    srv->sock = server_is_socket(srv->in_fd, srv->out_fd)
	&& server_slice(srv->in_fd, old, 0) == 0;
    srv->slice_ms = SRV_READ_SLICE_MS;
    if (srv->sock) {
	*in_flags = fcntl(srv->in_fd, F_GETFL);
	if (*in_flags >= 0 && (*in_flags & O_NONBLOCK) != 0)
	    (void) fcntl(srv->in_fd, F_SETFL, *in_flags & ~O_NONBLOCK);
	else
	    *in_flags = -1;		/* nothing to restore */
	return;
    }
    *in_flags = server_nonblock(srv->in_fd, -1);	/* first: 0 and 1 may share flags */
    *flags = server_nonblock(srv->out_fd, -1);
}

/* server_io_end - undo server_io_begin() */
static void server_io_end(SRV *srv, int in_flags, int flags, struct timeval *old)
{
    if (srv->sock)
	(void) server_slice(srv->in_fd, old, 1);
    if (flags >= 0)
	(void) server_nonblock(srv->out_fd, flags);
    if (in_flags >= 0)
	(void) server_nonblock(srv->in_fd, in_flags);
}

/* server_serve - the connection loop */
SRV_END server_serve(POL_CTX *pol, int in_fd, int out_fd, int idle_timeout,
		          SRV_IDLE_FN on_idle)
{
    static SRV srv;
    SRV_END end = SRV_EOF;
    int     flags;
    int     in_flags;
    struct timeval old_slice;

    srv.pol = pol;
    srv.on_idle = on_idle;
    srv.in_fd = in_fd;
    srv.out_fd = out_fd;
    srv.idle_timeout = idle_timeout;
    srv.proto = SRV_PROTO_NONE;
    srv.start = srv.end = 0;
    srv.count = 0;
    srv.garbage = 0;
    srv.flushed = server_now();
    logcap_begin();
    srv.key = vstr_new(256);
    policy_answer_init(&srv.ans);
    srv.reply = vstr_new(TCPT_MAX_REPLY + 64);
    server_io_begin(&srv, &in_flags, &flags, &old_slice);
    while (server_wait_first(&srv, &end) == 0) {
	srv.deadline = server_now() + SRV_REQUEST_TIMEOUT;
	if (srv.proto == SRV_PROTO_NONE) {
	    unsigned char ch = (unsigned char) srv.buf[srv.start];

	    srv.proto = (ch >= '0' && ch <= '9') ? SRV_PROTO_SOCKMAP :
		(ch >= 'A' && ch <= 'Z') ? SRV_PROTO_HTTP : SRV_PROTO_TCP;
	    log_debug("protocol: %s", srv.proto == SRV_PROTO_TCP ? "tcp_table" :
		      srv.proto == SRV_PROTO_HTTP ? "http" : "socketmap");
	}
	if (server_one(&srv, &end) < 0)
	    break;
    }
    logcap_end();
    log_release();
    if (metrics_pending())
	policy_metrics_flush(pol);
    if (pol->refresh[0] && on_idle)	/* the client is gone: nothing is owed */
	on_idle(pol);
    server_io_end(&srv, in_flags, flags, &old_slice);
    vstr_free(srv.key);
    policy_answer_free(&srv.ans);
    vstr_free(srv.reply);
    return end;
}
