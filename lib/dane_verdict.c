/*++
 * NAME
 *	dane_verdict 3
 * SUMMARY
 *	the DANE decision table (RFC 7672, DESIGN.md section 4)
 * SYNOPSIS
 *	#include "dane_verdict.h"
 *
 *	DV_VERDICT dane_verdict_decide(const DV_FACTS *facts, VSTR *why,
 *				int *cacheable)
 *
 *
 *	int	dane_verdict_host_tlsa_matters(const DV_HOST *host)
 *
 *	const char *dane_verdict_verdict_name(DV_VERDICT verdict)
 *
 *	int	dane_verdict_verdict_from_name(const char *name, DV_VERDICT *verdict)
 *
 *	int	dane_verdict_verdict_has_dane(DV_VERDICT verdict)
 * DESCRIPTION
 *	dane_verdict_decide() turns what the DNS lookups found into one verdict,
 *	with a one-line reason in why. It only states facts; what Postfix
 *	is told, together with MTA-STS, is decide_answer()'s job.
 *
 *	1. MX lookup failed: DV_TEMP. NXDOMAIN: DV_NONE. Null MX: DV_NOPOLICY
 *	   when the MX answer is secure (RFC 7505), else DV_NONE (a forged
 *	   null MX must not hide an MTA-STS policy). NODATA was already
 *	   turned into one implicit host, the domain, by the caller.
 *	2. Each host gets a class (dane_verdict_host_class()): its TLSA answer
 *	   matters when its address answer is secure, when the address came
 *	   through a CNAME (TLSA at the original name, RFC 7672 2.2.2 and
 *	   Postfix tls_dane.c), or when the address lookup failed; then a
 *	   failed TLSA lookup is UNKNOWN, a secure non-empty TLSA set is
 *	   USABLE or UNUSABLE, anything else NONE.
 *	3. Secure MX: every host USABLE (and no host left unexamined):
 *	   DV_DANE_ONLY; else some USABLE: DV_DANE_SOME; else some UNKNOWN:
 *	   DV_HOST_FAIL; else some UNUSABLE: DV_DANE_UNUSABLE; else DV_NONE.
 *	4. Insecure MX (RFC 7672 2.2.1: DANE there is only a MAY): some
 *	   host USABLE, UNUSABLE or UNKNOWN: DV_DANE_INSECURE_MX; else
 *	   DV_NONE.
 *
 *	*cacheable is 0 for DV_TEMP and whenever a host is UNKNOWN.
 *
 *	dane_verdict_host_tlsa_matters() says whether a host's TLSA answer can
 *	change its class (the caller need not wait for it otherwise).
 *
 *	dane_verdict_verdict_name() gives the name used in logs and in the cache;
 *	dane_verdict_verdict_from_name() is its inverse for cached verdicts, and
 *	refuses "temp" and "host-fail", which are never cached facts.
 *
 *	dane_verdict_verdict_has_dane() is true for the verdicts Postfix is told
 *	"dane" for when no MTA-STS policy applies: some host has DANE
 *	records or might have them, and Postfix checks each host itself.
 *--*/
#include <string.h>

#include "dane_verdict.h"

/* dane_verdict_verdict_name - for logs and the cache */
const char *dane_verdict_verdict_name(DV_VERDICT verdict)
{
    switch (verdict) {
    case DV_TEMP: return "temp";
    case DV_NONE: return "none";
    case DV_NOPOLICY: return "nopolicy";
    case DV_DANE_ONLY: return "dane-only";
    case DV_DANE_SOME: return "dane-some";
    case DV_HOST_FAIL: return "host-fail";
    case DV_DANE_UNUSABLE: return "dane-unusable";
    case DV_DANE_INSECURE_MX: return "dane-insecure-mx";
    }
    return "unknown";
}

/* dane_verdict_verdict_from_name - inverse, for cache entries; facts only */
int     dane_verdict_verdict_from_name(const char *name, DV_VERDICT *verdict)
{
    static const DV_VERDICT facts[] = {DV_NONE, DV_NOPOLICY, DV_DANE_ONLY,
	DV_DANE_SOME, DV_DANE_UNUSABLE, DV_DANE_INSECURE_MX};
    size_t  i;

    for (i = 0; name && i < sizeof(facts) / sizeof(facts[0]); i++) {
	if (strcmp(name, dane_verdict_verdict_name(facts[i])) == 0) {
	    *verdict = facts[i];
	    return 0;
	}
    }
    return -1;
}

/* dane_verdict_verdict_has_dane - "dane" when no MTA-STS policy applies */
int     dane_verdict_verdict_has_dane(DV_VERDICT verdict)
{
    return verdict == DV_DANE_SOME || verdict == DV_HOST_FAIL
	|| verdict == DV_DANE_UNUSABLE || verdict == DV_DANE_INSECURE_MX;
}

/* dane_verdict_host_tlsa_matters - can the TLSA answer change this host's class */
int     dane_verdict_host_tlsa_matters(const DV_HOST *h)
{
    return h->addr == DV_ST_FAIL
	|| (h->addr == DV_ST_OK && (h->addr_secure || h->alias));
}

/* dane_verdict_host_class - what one host contributes */
static DV_HOST_CLASS dane_verdict_host_class(const DV_HOST *h)
{
    if (!dane_verdict_host_tlsa_matters(h))
	return DV_HOST_NONE;
    if (h->tlsa == DV_ST_FAIL || h->tlsa == DV_ST_SKIPPED)
	return DV_HOST_UNKNOWN;
    if (h->tlsa != DV_ST_OK || !h->tlsa_secure || h->tlsa_total == 0)
	return DV_HOST_NONE;
    return h->tlsa_usable > 0 ? DV_HOST_USABLE : DV_HOST_UNUSABLE;
}

/* dane_verdict_secure_mx - rule 3 */
static DV_VERDICT dane_verdict_secure_mx(const DV_FACTS *facts, const int *count,
			               VSTR *why)
{
    vstr_printf(why, "secure MX; of %d host%s%s: %d usable TLSA, %d only"
		" unusable TLSA, %d TLSA lookup failed", facts->nhosts,
		facts->nhosts == 1 ? "" : "s",
		facts->truncated ? " examined" : "", count[DV_HOST_USABLE],
		count[DV_HOST_UNUSABLE], count[DV_HOST_UNKNOWN]);
    if (facts->nhosts > 0 && count[DV_HOST_USABLE] == facts->nhosts
	&& !facts->truncated)
	return DV_DANE_ONLY;
    if (count[DV_HOST_USABLE] > 0)
	return DV_DANE_SOME;
    if (count[DV_HOST_UNKNOWN] > 0)
	return DV_HOST_FAIL;
    if (count[DV_HOST_UNUSABLE] > 0)
	return DV_DANE_UNUSABLE;
    return DV_NONE;
}

/* dane_verdict_decide - the table */
DV_VERDICT dane_verdict_decide(const DV_FACTS *facts, VSTR *why, int *cacheable)
{
    int     count[DV_HOST_UNKNOWN + 1] = {0};
    int     i;

    *cacheable = 1;
    vstr_reset(why);
    if (facts->mx == DV_ST_FAIL || facts->mx == DV_ST_SKIPPED) {
	*cacheable = 0;
	return vstr_addstr(why, "MX lookup failed"), DV_TEMP;
    }
    if (facts->mx == DV_ST_NXDOMAIN)
	return vstr_addstr(why, "domain does not exist"), DV_NONE;
    if (facts->null_mx && facts->mx_secure)
	return vstr_addstr(why, "null MX: the domain accepts no mail"), DV_NOPOLICY;
    if (facts->null_mx)
	return vstr_addstr(why, "insecure null MX"), DV_NONE;
    for (i = 0; i < facts->nhosts; i++)
	count[dane_verdict_host_class(facts->hosts + i)]++;
    if (count[DV_HOST_UNKNOWN] > 0)
	*cacheable = 0;
    if (facts->mx_secure)
	return dane_verdict_secure_mx(facts, count, why);
    vstr_printf(why, "insecure MX; of %d host%s: %d with secure TLSA, %d"
		" TLSA lookup failed", facts->nhosts, facts->nhosts == 1 ? "" : "s",
		count[DV_HOST_USABLE] + count[DV_HOST_UNUSABLE],
		count[DV_HOST_UNKNOWN]);
    if (count[DV_HOST_USABLE] + count[DV_HOST_UNUSABLE] + count[DV_HOST_UNKNOWN] > 0)
	return DV_DANE_INSECURE_MX;
    return DV_NONE;
}
