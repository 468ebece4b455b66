/* proto_tcp.h - Postfix tcp_table(5) codec */
#ifndef TP_PROTO_TCP_H
#define TP_PROTO_TCP_H

#include <stddef.h>
#include "vstr.h"

#define TCPT_MAX_REPLY	4096		/* including the newline */
#define TCPT_MAX_LINE	4096		/* request, without the newline */

typedef enum {
    TCPT_OK = 200,			/* found */
    TCPT_NOTFOUND = 500,		/* not found */
    TCPT_TEMP = 400,			/* temporary failure */
} TCPT_CODE;

int     proto_tcp_decode_request(const char *line, size_t len, VSTR *key,
			            const char **why);
int     proto_tcp_format_reply(VSTR *out, TCPT_CODE code, const char *text);
int     proto_tcp_unquote(VSTR *out, const char *text, size_t len);

#endif
