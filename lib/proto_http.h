/* proto_http.h - the little HTTP the /metrics endpoint speaks */
#ifndef TP_PROTO_HTTP_H
#define TP_PROTO_HTTP_H

#include <stddef.h>
#include "vstr.h"

typedef enum {
    PROTO_HTTP_METRICS,			/* GET or HEAD /metrics */
    PROTO_HTTP_NOT_FOUND,		/* GET or HEAD, another path */
    PROTO_HTTP_BAD_METHOD,		/* any other method */
} PROTO_HTTP_ROUTE;

PROTO_HTTP_ROUTE proto_http_route(const char *req, size_t len, int *head);
size_t  proto_http_line_len(const char *req, size_t len);
int     proto_http_complete(const char *buf);
void    proto_http_reply(VSTR *out, const char *status, const char *extra,
			         const char *body, size_t blen, int head);

#endif
