/* dns_servers.h - the dns_resolver syntax */
#ifndef TP_DNS_SERVERS_H
#define TP_DNS_SERVERS_H

#include "vstr.h"

#define DNS_MAX_SERVERS	8		/* in dns_resolver */

int     dns_servers_parse(const char *servers, VSTR *csv, VSTR *err);
int     dns_servers_loopback(const char *servers);

#endif
