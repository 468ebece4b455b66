/* key.h - lookup key gates: which keys may become DNS lookups */
#ifndef TP_KEY_H
#define TP_KEY_H

#include <stddef.h>

#define KEY_MAX_DOMAIN	253		/* RFC 1035, without the final dot */
#define KEY_MAX_RAW	1024		/* longer input is not inspected */

typedef enum {
    KEY_OK = 0,				/* a lower-case LDH domain name */
    KEY_EMPTY,				/* "" */
    KEY_TOO_LONG,			/* longer than 253 (or 63 per label) */
    KEY_BINARY,				/* NUL, space, controls, DEL */
    KEY_BRACKETED,			/* [host] or [host]:port */
    KEY_PARENT_WALK,			/* .example.com from Postfix's walk */
    KEY_IP_LITERAL,			/* 192.0.2.1, 2001:db8::1 */
    KEY_NOT_LDH,			/* anything else that is no host name */
    KEY_BAD_IDN,			/* 8-bit bytes but no valid UTF-8 IDN */
} KEY_GATE;

KEY_GATE key_normalize(const char *raw, size_t len, char *out, int *port);
const char *key_gate_reason(KEY_GATE gate);
int     key_is_ldh_domain(const char *name, size_t len);

#endif
