/*++
 * NAME
 *	dnsrtt 1
 * SUMMARY
 *	cache-miss DANE lookup time against two sequential round trips
 * SYNOPSIS
 *	dnsrtt RESOLVER DOMAIN [single|rounds|miss]
 * DESCRIPTION
 *	With tlspolicyd's own DNS client, measures (1) two sequential
 *	queries to RESOLVER (MX of DOMAIN, then A of its first MX host);
 *	(2) the same two rounds as a DANE lookup asks them: MX, then A,
 *	AAAA and TLSA of every MX host at once, without any DANE logic:
 *	the least a parallel lookup must wait; and (3) one whole
 *	dane_lookup() of DOMAIN. Prints "two_rtt_us rounds_us miss_us
 *	verdict"; with a third argument, only that measurement (others 0),
 *	so that each can start from a cold resolver.
 *--*/
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dane.h"
#include "dns.h"
#include "log.h"

/* now_us - monotonic microseconds */
static double now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

/* mx_hosts - ask the MX of domain, copy up to max targets; their number */
static int mx_hosts(DNS *dns, const char *domain, char (*hosts)[256], int max)
{
    DNS_Q  *q;
    int     n = 0;
    int     i;

    dns_begin(dns);
    q = dns_query(dns, domain, DMSG_T_MX, 0, 0);
    dns_run(dns);
    for (i = 0; i < q->msg.nan && n < max; i++)
	if (q->msg.an[i].type == DMSG_T_MX)
	    (void) snprintf(hosts[n++], sizeof(hosts[0]), "%s", q->msg.an[i].target);
    return n;
}

/* two_rounds - MX, then A, AAAA and TLSA of every MX host at once */
static double two_rounds(DNS *dns, const char *domain)
{
    char    hosts[8][256];
    char    tlsa[320];
    double  t0 = now_us();
    int     n = mx_hosts(dns, domain, hosts, 8);
    int     i;

    dns_begin(dns);
    for (i = 0; i < n; i++) {
	(void) dns_query(dns, hosts[i], DMSG_T_A, 0, 0);
	(void) dns_query(dns, hosts[i], DMSG_T_AAAA, 0, 0);
	if (snprintf(tlsa, sizeof(tlsa), "_25._tcp.%s", hosts[i]) < (int) sizeof(tlsa))
	    (void) dns_query(dns, tlsa, DMSG_T_TLSA, 0, 0);
    }
    dns_run(dns);
    return now_us() - t0;
}

/* two_single - MX, then A of the first MX host */
static double two_single(DNS *dns, const char *domain)
{
    char    host[1][256] = {""};
    double  t0 = now_us();

    (void) mx_hosts(dns, domain, host, 1);
    dns_begin(dns);
    (void) dns_query(dns, host[0], DMSG_T_A, 0, 0);
    dns_run(dns);
    return now_us() - t0;
}

int     main(int argc, char **argv)
{
    VSTR   *err = vstr_new(64);
    const char *only = argc == 4 ? argv[3] : "";
    DNS    *dns;
    DANE_RESULT res;
    double  t0, t_rtt = 0, t_rounds = 0, t_miss = 0;

    if (argc != 3 && argc != 4)
	return 2;
    log_init("dnsrtt", LOG_DEST_STDERR);
    if ((dns = dns_new(argv[1], 2, 10, err)) == 0) {
	fprintf(stderr, "%s\n", vstr_str(err));
	return 1;
    }
    if (!*only || strcmp(only, "single") == 0)
	t_rtt = two_single(dns, argv[2]);
    if (!*only || strcmp(only, "rounds") == 0)
	t_rounds = two_rounds(dns, argv[2]);
    dane_result_init(&res);
    if (!*only || strcmp(only, "miss") == 0) {
	t0 = now_us();
	dane_lookup(dns, argv[2], &res);
	t_miss = now_us() - t0;
    }
    printf("%.0f %.0f %.0f %s\n", t_rtt, t_rounds, t_miss, dane_verdict_verdict_name(res.verdict));
    dane_result_free(&res);
    dns_free(dns);
    vstr_free(err);
    return 0;
}
