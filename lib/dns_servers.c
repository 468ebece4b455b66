/*++
 * NAME
 *	dns_servers 3
 * SUMMARY
 *	the dns_resolver syntax: one parser for the whole program
 * SYNOPSIS
 *	#include "dns.h"
 *
 *	int	dns_servers_parse(const char *servers, VSTR *csv, VSTR *err)
 *	int	dns_servers_loopback(const char *servers)
 * DESCRIPTION
 *	dns_servers_parse() turns "127.0.0.1, 192.0.2.1:5353 [::1]:53 ::1"
 *	(separated by commas or white space; port 53 by default; a port
 *	on an IPv6 address needs brackets, which an IPv4 address may have
 *	too, as in Postfix: "[127.0.0.1]:53") into the c-ares form
 *	"127.0.0.1:53,192.0.2.1:5353,[::1]:53": addresses in canonical
 *	form, a server listed twice only once (c-ares 1.34 drops such
 *	duplicates, 1.18 would ask the same server twice). It returns the
 *	number of distinct servers (1 to DNS_MAX_SERVERS), or -1 with a
 *	reason.
 *
 *	dns_servers_loopback() is true when every server is on 127/8, ::1
 *	or ::ffff:127/104.
 * SECURITY
 *	The AD flag means something only from a validating resolver on the
 *	same host: dns_servers_loopback() lets the caller warn otherwise.
 *--*/
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "dns.h"
#include "mem.h"

/* dns_servers_port - "1" to "65535", digits only */
static int dns_servers_port(const char *cp)
{
    long    port = 0;

    if (*cp == 0)
	return -1;
    for (; *cp; cp++) {
	if (*cp < '0' || *cp > '9' || (port = port * 10 + (*cp - '0')) > 65535)
	    return -1;
    }
    return port >= 1 ? (int) port : -1;
}

/* dns_servers_is_loopback - 127/8, ::1, ::ffff:127/104 */
static int dns_servers_is_loopback(int family, const unsigned char *a)
{
    static const unsigned char one[16] = {[15] = 1};
    static const unsigned char mapped[12] = {[10] = 0xff, [11] = 0xff};

    if (family == AF_INET)
	return a[0] == 127;
    return memcmp(a, one, 16) == 0
	|| (memcmp(a, mapped, 12) == 0 && a[12] == 127);
}

/* dns_servers_add - append "ip:port" in canonical form; 0 if already there */
static int dns_servers_add(VSTR *csv, int family, const unsigned char *addr, int port)
{
    char    host[INET6_ADDRSTRLEN];
    char    entry[INET6_ADDRSTRLEN + 10];
    const char *cp = vstr_str(csv);
    size_t  len;

    if (inet_ntop(family, addr, host, sizeof(host)) == 0)
	return -1;
    (void) snprintf(entry, sizeof(entry), family == AF_INET6 ? "[%s]:%d" : "%s:%d",
		    host, port);
    len = strlen(entry);
    for (; (cp = strstr(cp, entry)) != 0; cp += len)
	if ((cp == vstr_str(csv) || cp[-1] == ',') && (cp[len] == 0 || cp[len] == ','))
	    return 0;			/* c-ares 1.34 would drop it */
    if (vstr_len(csv) > 0)
	vstr_addch(csv, ',');
    vstr_addstr(csv, entry);
    return 1;
}

/* dns_servers_one - one "ip", "ip:port", "[ip6]", "[ip6]:port" or "ip6" */
static int dns_servers_one(char *tok, VSTR *csv, int *loopback)
{
    unsigned char addr[16];
    char   *host = tok;
    char   *port = 0;
    char   *cp;
    int     family = AF_INET;
    int     pnum = 53;

    if (*tok == '[') {			/* "[ip6]" or "[ip4]", as Postfix */
	if ((cp = strchr(tok, ']')) == 0 || (cp[1] != 0 && cp[1] != ':'))
	    return -1;
	*cp = 0;
	host = tok + 1;
	port = cp[1] ? cp + 2 : 0;
	family = strchr(host, ':') ? AF_INET6 : AF_INET;
    } else if ((cp = strchr(tok, ':')) != 0 && strchr(cp + 1, ':') == 0) {
	*cp = 0;
	port = cp + 1;
    } else if (cp != 0) {
	family = AF_INET6;
    }
    if (inet_pton(family, host, addr) != 1
	|| (port && (pnum = dns_servers_port(port)) < 0))
	return -1;
    if (!dns_servers_is_loopback(family, addr))
	*loopback = 0;
    return dns_servers_add(csv, family, addr, pnum);
}

/* dns_servers_scan - the whole list; count or -1 */
static int dns_servers_scan(const char *servers, VSTR *csv, VSTR *err,
			            int *loopback)
{
    static const char sep[] = ", \t\r\n";
    char   *copy = mem_strdup(servers);
    char   *save = 0;
    char   *tok;
    int     n = 0;
    int     added;

    *loopback = 1;
    vstr_reset(csv);
    for (tok = strtok_r(copy, sep, &save); tok; tok = strtok_r(0, sep, &save)) {
	if (strlen(tok) > 64 || (added = dns_servers_one(tok, csv, loopback)) < 0) {
	    vstr_printf(err, "bad DNS server address \"%.64s\"", tok);
	    n = -1;
	    break;
	}
	if ((n += added) > DNS_MAX_SERVERS) {
	    vstr_printf(err, "more than %d DNS servers", DNS_MAX_SERVERS);
	    n = -1;
	    break;
	}
    }
    if (n == 0)
	vstr_addstr(err, "no DNS server address");
    mem_free(copy);
    return n > 0 ? n : -1;
}

/* dns_servers_parse - "ip[:port], [ip6]:port ..." to the c-ares form */
int     dns_servers_parse(const char *servers, VSTR *csv, VSTR *err)
{
    int     loopback;

    return dns_servers_scan(servers, csv, err, &loopback);
}

/* dns_servers_loopback - every server on this host */
int     dns_servers_loopback(const char *servers)
{
    VSTR   *csv = vstr_new(64);
    VSTR   *err = vstr_new(64);
    int     loopback;
    int     n = dns_servers_scan(servers, csv, err, &loopback);

    vstr_free(csv);
    vstr_free(err);
    return n > 0 && loopback;
}
