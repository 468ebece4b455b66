/*++
 * NAME
 *	dnsrtt 1
 * SUMMARY
 *	cache-miss DANE lookup time against two sequential round trips
 * SYNOPSIS
 *	dnsrtt RESOLVER DOMAIN
 * DESCRIPTION
 *	With tlspolicyd's own DNS client, measures (1) two sequential
 *	queries to RESOLVER (MX of DOMAIN, then A of its first MX host):
 *	the least a DANE lookup must wait, and (2) one whole dane_lookup()
 *	of DOMAIN, which asks MX first and then A, AAAA and TLSA for every
 *	MX host in parallel. Prints "two_rtt_us miss_us verdict".
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

int     main(int argc, char **argv)
{
    VSTR   *err = vstr_new(64);
    DNS    *dns;
    DNS_Q  *q;
    DANE_RESULT res;
    char    host[300] = "";
    double  t0, t_rtt, t_miss;
    int     i;

    if (argc != 3)
	return 2;
    log_init("dnsrtt", LOG_DEST_STDERR);
    if ((dns = dns_new(argv[1], 2, 10, err)) == 0) {
	fprintf(stderr, "%s\n", vstr_str(err));
	return 1;
    }
    t0 = now_us();
    dns_begin(dns);
    q = dns_query(dns, argv[2], DMSG_T_MX, 0, 0);
    dns_run(dns);
    for (i = 0; i < q->msg.nan && !host[0]; i++)
	if (q->msg.an[i].type == DMSG_T_MX)
	    snprintf(host, sizeof(host), "%s", q->msg.an[i].target);
    dns_begin(dns);
    (void) dns_query(dns, host, DMSG_T_A, 0, 0);
    dns_run(dns);
    t_rtt = now_us() - t0;
    dane_result_init(&res);
    t0 = now_us();
    dane_lookup(dns, argv[2], &res);
    t_miss = now_us() - t0;
    printf("%.0f %.0f %s\n", t_rtt, t_miss, dv_verdict_name(res.verdict));
    dane_result_free(&res);
    dns_free(dns);
    vstr_free(err);
    return 0;
}
