/* unit_proto - tcp_table and socketmap codecs */
#include <string.h>

#include "proto_http.h"
#include "proto_sockmap.h"
#include "proto_tcp.h"
#include "server.h"
#include "tap.h"
#include "vstr.h"

typedef struct {
    const char *line;
    int     ok;
    const char *key;
} TCP_CASE;

static const TCP_CASE tcp_cases[] = {
    {"get example.com", 1, "example.com"},
    {"get example.com\r", 1, "example.com"},
    {"get Mixed%2ECASE.example", 1, "Mixed.CASE.example"},
    {"get a%20b", 1, "a b"},
    {"get %25", 1, "%"},
    {"get %zz", 0, 0},
    {"get %4", 0, 0},
    {"get %", 0, 0},
    {"get ", 1, ""},
    {"get", 0, 0},
    {"put a b", 0, 0},
    {"GET / HTTP/1.0", 0, 0},
    {"get a b", 0, 0},
    {"", 0, 0},
};

/* tcp_requests - decoding */
static void tcp_requests(void)
{
    VSTR   *key = vstr_new(64);
    const char *why;
    size_t  i;

    for (i = 0; i < sizeof(tcp_cases) / sizeof(tcp_cases[0]); i++) {
	const TCP_CASE *c = tcp_cases + i;
	int     got = proto_tcp_decode_request(c->line, strlen(c->line), key, &why);

	tap_is_int(got == 0, c->ok, c->line);
	if (c->ok)
	    tap_is_str(vstr_str(key), c->key, "decoded key");
    }
    tap_is_int(proto_tcp_decode_request("get a\0b", 7, key, &why), -1, "NUL in key");
    vstr_free(key);
}

/* tcp_replies - encoding and the 4096-byte limit */
static void tcp_replies(void)
{
    VSTR   *out = vstr_new(64);
    VSTR   *unq = vstr_new(64);
    char    big[5000];

    proto_tcp_format_reply(out, TCPT_OK, "secure match=.example.com servername=hostname");
    tap_is_str(vstr_str(out), "200 secure%20match=.example.com%20servername=hostname\n",
	       "200 reply quoted");
    proto_tcp_unquote(unq, vstr_str(out) + 4, vstr_len(out) - 5);
    tap_is_str(vstr_str(unq), "secure match=.example.com servername=hostname",
	       "unquote(quote(x)) == x");
    proto_tcp_format_reply(out, TCPT_NOTFOUND, "no policy");
    tap_is_str(vstr_str(out), "500 no%20policy\n", "500 reply");
    proto_tcp_format_reply(out, TCPT_TEMP, "50% \x01\xff");
    tap_is_str(vstr_str(out), "400 50%25%20%01%FF\n", "controls and 8-bit quoted");
    memset(big, 'a', 4090);
    big[4090] = 0;
    tap_is_int(proto_tcp_format_reply(out, TCPT_OK, big), 0, "4095-byte reply fits");
    tap_is_int((long long) vstr_len(out), 4095, "length with newline");
    memset(big, 'a', 4091);
    big[4091] = 0;
    tap_is_int(proto_tcp_format_reply(out, TCPT_OK, big), 0, "4096-byte reply fits");
    big[4092] = 0;
    big[4091] = 'a';
    tap_is_int(proto_tcp_format_reply(out, TCPT_OK, big), -1, "4097-byte reply refused");
    tap_is_int((long long) vstr_len(out), 0, "refused reply leaves nothing");
    memset(big, ' ', 1400);
    big[1400] = 0;
    tap_is_int(proto_tcp_format_reply(out, TCPT_OK, big), -1, "quoting counts toward limit");
    vstr_free(out);
    vstr_free(unq);
}

typedef struct {
    const char *buf;
    SMAP_STATUS want;
    size_t  hdr;
    size_t  len;
} SMAP_CASE;

static const SMAP_CASE proto_sockmap_cases[] = {
    {"17:QUERY example.com,", SMAP_OK, 3, 17},
    {"0:,", SMAP_OK, 2, 0},
    {"17", SMAP_MORE, 0, 0},
    {"", SMAP_MORE, 0, 0},
    {"4096:", SMAP_OK, 5, 4096},
    {"4097:", SMAP_TOO_LONG, 0, 0},
    {"100000000000000000000:", SMAP_TOO_LONG, 0, 0},
    {"99999999999999999999999999", SMAP_TOO_LONG, 0, 0},
    {"01:a,", SMAP_SYNTAX, 0, 0},
    {":", SMAP_SYNTAX, 0, 0},
    {"1a:", SMAP_SYNTAX, 0, 0},
    {"-1:", SMAP_SYNTAX, 0, 0},
};

/* proto_sockmap_headers - netstring length parsing */
static void proto_sockmap_headers(void)
{
    size_t  i;
    size_t  hdr;
    size_t  len;

    for (i = 0; i < sizeof(proto_sockmap_cases) / sizeof(proto_sockmap_cases[0]); i++) {
	const SMAP_CASE *c = proto_sockmap_cases + i;
	SMAP_STATUS got = proto_sockmap_parse_header(c->buf, strlen(c->buf),
					    SMAP_MAX_REQUEST, &hdr, &len);

	tap_is_int(got, c->want, c->buf);
	if (c->want == SMAP_OK) {
	    tap_is_int((long long) hdr, (long long) c->hdr, "header size");
	    tap_is_int((long long) len, (long long) c->len, "payload size");
	}
    }
}

/* proto_sockmap_requests - map names and replies */
static void proto_sockmap_requests(void)
{
    SMAP_MAP map;
    const char *key;
    size_t  klen;
    VSTR   *out = vstr_new(64);

    tap_is_int(proto_sockmap_split_request("QUERY example.com", 17, &map, &key, &klen), 0, "split");
    tap_is_int(map, SMAP_MAP_QUERY, "QUERY map");
    tap_is_int((long long) klen, 11, "key length");
    proto_sockmap_split_request("QUERYwithTLSRPT a.example", 25, &map, &key, &klen);
    tap_is_int(map, SMAP_MAP_QUERY_TLSRPT, "QUERYwithTLSRPT map");
    proto_sockmap_split_request("query a.example", 15, &map, &key, &klen);
    tap_is_int(map, SMAP_MAP_UNKNOWN, "map names are case-sensitive");
    tap_is_int(proto_sockmap_split_request("QUERY", 5, &map, &key, &klen), -1, "no key");
    proto_sockmap_split_request("QUERY ", 6, &map, &key, &klen);
    tap_is_int((long long) klen, 0, "empty key");
    proto_sockmap_format_reply(out, "OK", "dane-only");
    tap_is_str(vstr_str(out), "12:OK dane-only,", "OK reply");
    proto_sockmap_format_reply(out, "NOTFOUND", "");
    tap_is_str(vstr_str(out), "9:NOTFOUND ,", "NOTFOUND reply");
    vstr_free(out);
}

/* http_routes - the metrics endpoint reads only the bytes it is given */
static void http_routes(void)
{
    static char big[4160 + 32];
    int     head;

    tap_is_int(proto_http_route("GET /metrics HTTP/1.0\r\n\r\n", 25, &head),
	       PROTO_HTTP_METRICS, "GET /metrics");
    tap_is_int(proto_http_route("HEAD /metrics?x HTTP/1.0\r\n", 26, &head),
	       PROTO_HTTP_METRICS, "HEAD /metrics?query");
    tap_is_int(head, 1, "HEAD flagged");
    tap_is_int(proto_http_route("GET /other HTTP/1.0\r\n", 21, &head),
	       PROTO_HTTP_NOT_FOUND, "GET /other -> 404");
    tap_is_int(proto_http_route("POST /metrics\r\n", 15, &head),
	       PROTO_HTTP_BAD_METHOD, "POST -> 405");
    /* 4160 bytes without a space or newline; the bytes after len say
     * "GET /metrics": reading past len would route there */
    memset(big, 'G', 4160);
    memcpy(big + 4160, " /metrics HTTP/1.0\r\n", 21);
    tap_is_int(proto_http_route(big, 4160, &head), PROTO_HTTP_BAD_METHOD,
	       "4160-byte request line without a space: nothing read past it");
    memcpy(big + 4156, "GET /metrics", 12);
    tap_is_int(proto_http_route(big + 4156, 4, &head), PROTO_HTTP_NOT_FOUND,
	       "\"GET \" cut at len: no path read from beyond it");
}

int     main(void)
{
    tcp_requests();
    tcp_replies();
    proto_sockmap_headers();
    proto_sockmap_requests();
    http_routes();
    return tap_done();
}
