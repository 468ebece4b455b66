/*++
 * NAME
 *	dane_verdict 3
 * SUMMARY
 *	the DANE decision table (RFC 7672, DESIGN.md section 4)
 * SYNOPSIS
 *	#include "dane_verdict.h"
 *
 *	DV_VERDICT dv_decide(const DV_FACTS *facts, VSTR *why,
 *				int *cacheable)
 * DESCRIPTION
 *	dv_decide() turns what the DNS lookups found into one verdict,
 *	with a one-line reason in why:
 *
 *	1. MX lookup failed: DV_TEMP. NXDOMAIN: DV_NONE. Null MX:
 *	   DV_NOPOLICY. (NODATA was already turned into one implicit
 *	   host, the domain itself, by the caller.)
 *	2. A host counts only when its address answer is secure.
 *	3. Any host whose address or TLSA lookup failed: DV_DANE, not
 *	   cacheable. Never weaker than success: with "dane" Postfix does
 *	   its own lookups, skips that host while its lookups fail, and
 *	   never falls back to MTA-STS.
 *	4. DV_DANE_ONLY when the MX answer is secure and every host counts
 *	   and has a secure TLSA set with at least one usable record.
 *	5. DV_DANE when some counted host has a secure, non-empty TLSA
 *	   set, but 4 does not hold (insecure MX, mixed hosts, or only
 *	   unusable records, which RFC 7672 2.2 turns into mandatory
 *	   unauthenticated TLS: Postfix applies that itself).
 *	6. Otherwise DV_NONE.
 *
 *	*cacheable is 0 for DV_TEMP and for case 3.
 *--*/
#include <string.h>

#include "dane_verdict.h"

/* dv_verdict_name - for replies, logs and the cache */
const char *dv_verdict_name(DV_VERDICT verdict)
{
    switch (verdict) {
    case DV_TEMP: return "temp";
    case DV_NONE: return "none";
    case DV_NOPOLICY: return "nopolicy";
    case DV_DANE: return "dane";
    case DV_DANE_ONLY: return "dane-only";
    }
    return "unknown";
}

/* dv_verdict_from_name - inverse, for cache entries */
int     dv_verdict_from_name(const char *name, DV_VERDICT *verdict)
{
    static const DV_VERDICT all[] = {DV_TEMP, DV_NONE, DV_NOPOLICY, DV_DANE,
    DV_DANE_ONLY};
    size_t  i;

    for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
	if (strcmp(name, dv_verdict_name(all[i])) == 0) {
	    *verdict = all[i];
	    return 0;
	}
    }
    return -1;
}

/* dv_host_failed - a lookup for this host failed */
static const DV_HOST *dv_host_failed(const DV_FACTS *facts)
{
    int     i;

    for (i = 0; i < facts->nhosts; i++) {
	const DV_HOST *h = facts->hosts + i;

	if (h->addr == DV_ST_FAIL)
	    return h;
	if (h->addr_secure && h->tlsa == DV_ST_FAIL)
	    return h;
    }
    return 0;
}

/* dv_host_has_tlsa - counted host with a secure, non-empty TLSA set */
static int dv_host_has_tlsa(const DV_HOST *h)
{
    return h->addr == DV_ST_OK && h->addr_secure && h->tlsa == DV_ST_OK
	&& h->tlsa_secure && h->tlsa_total > 0;
}

/* dv_decide - the table */
DV_VERDICT dv_decide(const DV_FACTS *facts, VSTR *why, int *cacheable)
{
    const DV_HOST *failed;
    int     with_tlsa = 0;
    int     usable = 0;
    int     i;

    *cacheable = 1;
    vstr_reset(why);
    if (facts->mx == DV_ST_FAIL) {
	*cacheable = 0;
	return vstr_addstr(why, "MX lookup failed"), DV_TEMP;
    }
    if (facts->mx == DV_ST_NXDOMAIN)
	return vstr_addstr(why, "domain does not exist"), DV_NONE;
    if (facts->null_mx)
	return vstr_addstr(why, "null MX: the domain accepts no mail"), DV_NOPOLICY;
    if ((failed = dv_host_failed(facts)) != 0) {
	*cacheable = 0;
	vstr_printf(why, "lookup for MX host %s failed; Postfix checks the"
		    " hosts itself", failed->name);
	return DV_DANE;
    }
    for (i = 0; i < facts->nhosts; i++) {
	if (dv_host_has_tlsa(facts->hosts + i)) {
	    with_tlsa++;
	    if (facts->hosts[i].tlsa_usable > 0)
		usable++;
	}
    }
    if (facts->nhosts > 0 && facts->mx_secure && usable == facts->nhosts) {
	vstr_printf(why, "secure MX, all %d host(s) have usable TLSA", usable);
	return DV_DANE_ONLY;
    }
    if (with_tlsa > 0) {
	vstr_printf(why, "%d of %d host(s) have secure TLSA (%d usable),"
		    " MX %s", with_tlsa, facts->nhosts, usable,
		    facts->mx_secure ? "secure" : "insecure");
	return DV_DANE;
    }
    vstr_printf(why, "no MX host has secure TLSA (MX %s)",
		facts->mx_secure ? "secure" : "insecure");
    return DV_NONE;
}
