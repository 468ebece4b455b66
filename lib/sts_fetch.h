/* sts_fetch.h - fetch an MTA-STS policy over HTTPS (libcurl, loaded lazily) */
#ifndef TP_STS_FETCH_H
#define TP_STS_FETCH_H

#include "vstr.h"

typedef struct STSF_REQ {
    const char *domain;			/* policy domain */
    const char *addrs;			/* "192.0.2.1,[2001:db8::1]" */
    const char *ca_file;		/* empty: system bundle */
    long    timeout_ms;			/* whole transfer */
} STSF_REQ;

int     sts_fetch_fetch(const STSF_REQ *req, VSTR *body, VSTR *why);
void    sts_fetch_pin(VSTR *pin, const char *domain, const char *addrs);
void    sts_fetch_curl_why(VSTR *why, const char *text);

#endif
