/* dane_verdict.h - the per-domain DANE decision from collected facts */
#ifndef TP_DANE_VERDICT_H
#define TP_DANE_VERDICT_H

#include "vstr.h"

#define DV_MAX_HOSTS	16		/* MX hosts examined per domain */
#define DV_NAME_SIZE	256

typedef enum {
    DV_ST_OK,				/* NOERROR with data */
    DV_ST_NODATA,			/* NOERROR, no records of the type */
    DV_ST_NXDOMAIN,			/* the name does not exist */
    DV_ST_FAIL,				/* SERVFAIL, REFUSED, timeout, junk */
    DV_ST_SKIPPED,			/* not asked or not waited for */
} DV_STATUS;

typedef enum {
    DV_TEMP,				/* MX lookup failed: cannot decide */
    DV_NONE,				/* proven: no DANE at any host */
    DV_NOPOLICY,			/* secure null MX: no mail, no policy */
    DV_DANE_ONLY,			/* secure MX, every host usable TLSA */
    DV_DANE_SOME,			/* secure MX, some hosts usable TLSA */
    DV_HOST_FAIL,			/* secure MX, a host's TLSA unknown */
    DV_DANE_UNUSABLE,			/* secure MX, only unusable TLSA */
    DV_DANE_INSECURE_MX,		/* insecure MX, a host with TLSA */
} DV_VERDICT;

typedef enum {
    DV_HOST_NONE,			/* no DANE for this host */
    DV_HOST_USABLE,			/* secure TLSA, a usable record */
    DV_HOST_UNUSABLE,			/* secure TLSA, none usable */
    DV_HOST_UNKNOWN,			/* its TLSA lookup failed */
} DV_HOST_CLASS;

typedef struct DV_HOST {
    char    name[DV_NAME_SIZE];		/* MX exchange (or the domain) */
    DV_STATUS addr;			/* A and AAAA combined */
    int     addr_secure;		/* every address answer had AD */
    int     alias;			/* the address came through a CNAME */
    DV_STATUS tlsa;			/* at the chosen TLSA base name */
    int     tlsa_secure;		/* the TLSA answer had AD */
    int     tlsa_total;			/* records */
    int     tlsa_usable;		/* usable records */
} DV_HOST;

typedef struct DV_FACTS {
    DV_STATUS mx;			/* MX lookup */
    int     mx_secure;			/* MX answer (or NODATA) had AD */
    int     null_mx;			/* "0 ." */
    int     truncated;			/* more than DV_MAX_HOSTS hosts */
    int     nhosts;
    DV_HOST hosts[DV_MAX_HOSTS];
} DV_FACTS;

DV_VERDICT dane_verdict_decide(const DV_FACTS *facts, VSTR *why, int *cacheable);
int     dane_verdict_host_tlsa_matters(const DV_HOST *host);
const char *dane_verdict_verdict_name(DV_VERDICT verdict);
int     dane_verdict_verdict_from_name(const char *name, DV_VERDICT *verdict);
int     dane_verdict_verdict_has_dane(DV_VERDICT verdict);

#endif
