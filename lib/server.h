/* server.h - serve one Postfix connection on a file descriptor pair */
#ifndef TP_SERVER_H
#define TP_SERVER_H

#include "policy.h"

#define SRV_REQUEST_TIMEOUT	100	/* seconds, as tcp_table(5) */
#define SRV_READ_SLICE_MS	250	/* a socket read() waits this long, then
					 * the deadline is checked */
#define SRV_LOG_HOLD_MS		20	/* log lines wait for a batch this long */
#define SRV_GARBAGE_MAX		10	/* malformed requests in a row: closed */

typedef enum {
    SRV_EOF,				/* client closed between requests */
    SRV_IDLE,				/* idle_timeout expired */
    SRV_CLOSED,				/* we closed: protocol error */
} SRV_END;

/* called when a refresh is pending and no request waits */
typedef void (*SRV_IDLE_FN) (POL_CTX *pol);

SRV_END server_serve(POL_CTX *pol, int in_fd, int out_fd, int idle_timeout,
		          SRV_IDLE_FN on_idle);

#endif
