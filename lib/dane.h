/* dane.h - look up the DANE verdict for one domain */
#ifndef TP_DANE_H
#define TP_DANE_H

#include "dane_verdict.h"
#include "dns.h"
#include "vstr.h"

typedef struct DANE_RESULT {
    DV_VERDICT verdict;
    int     cacheable;			/* 0 for failures */
    unsigned ttl;			/* smallest TTL of the answers used */
    int     mx_secure;			/* the MX answer validated (history) */
    int     tlsa_insecure;		/* hosts: signed address, unsigned TLSA */
    int     timed_out;			/* a needed query got no answer in time */
    VSTR   *why;
} DANE_RESULT;

void    dane_result_init(DANE_RESULT *res);
void    dane_result_free(DANE_RESULT *res);
void    dane_lookup(DNS *dns, const char *domain, DANE_RESULT *res);

#endif
