/* dns_reply.h - a query's result from its reply (for dns.c) */
#ifndef TP_DNS_REPLY_H
#define TP_DNS_REPLY_H

#include "dns.h"

void    dns_reply_fail(DNS_Q *q, DNS_STATUS status, const char *why);
void    dns_reply_check(DNS_Q *q, const unsigned char *abuf, int alen);
void    dns_reply_ares_failed(DNS_Q *q, int status);
int     dns_reply_unfinished(const DNS_Q *q);

#endif
