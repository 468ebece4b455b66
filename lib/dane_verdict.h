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
} DV_STATUS;

typedef enum {
    DV_TEMP,				/* cannot decide now */
    DV_NONE,				/* proven: no DANE */
    DV_NOPOLICY,			/* null MX: no mail, no policy */
    DV_DANE,				/* some DANE, Postfix checks hosts */
    DV_DANE_ONLY,			/* every MX host has usable TLSA */
} DV_VERDICT;

typedef struct DV_HOST {
    char    name[DV_NAME_SIZE];		/* MX exchange (or the domain) */
    DV_STATUS addr;			/* A and AAAA combined */
    int     addr_secure;		/* every address answer had AD */
    DV_STATUS tlsa;			/* at the chosen TLSA base name */
    int     tlsa_secure;		/* the TLSA answer had AD */
    int     tlsa_total;			/* records */
    int     tlsa_usable;		/* usable records */
} DV_HOST;

typedef struct DV_FACTS {
    DV_STATUS mx;			/* MX lookup */
    int     mx_secure;			/* MX answer (or NODATA) had AD */
    int     null_mx;			/* "0 ." */
    int     nhosts;
    DV_HOST hosts[DV_MAX_HOSTS];
} DV_FACTS;

DV_VERDICT dv_decide(const DV_FACTS *facts, VSTR *why, int *cacheable);
const char *dv_verdict_name(DV_VERDICT verdict);
int     dv_verdict_from_name(const char *name, DV_VERDICT *verdict);

#endif
