/*++
 * NAME
 *	decide 3
 * SUMMARY
 *	the combined DANE + MTA-STS answer: never weaker than published
 * SYNOPSIS
 *	#include "decide.h"
 *
 *	const DECIDE_RULE *decide_answer(DV_VERDICT dane, int sts_enforce)
 *
 *	int	decide_needs_sts(DV_VERDICT dane)
 *
 *	const char *decide_answer_name(DECIDE_ANSWER answer)
 *
 *	const DECIDE_RULE *decide_rules(int *count)
 * DESCRIPTION
 *	decide_answer() is the one place where the DANE verdict (facts
 *	from DNSSEC, dane_verdict_decide()) and MTA-STS meet. sts_state is
 *	DECIDE_STS_ENFORCE when an unexpired MTA-STS policy in mode enforce
 *	exists, fetched now or cached (a cached policy is a fact, RFC 8461
 *	3.3 and 10), or a testing policy under mtasts_testing = enforce;
 *	DECIDE_STS_UNUSABLE when such a policy is cached but its text
 *	cannot be used; else DECIDE_STS_NONE. It returns the
 *	rule that decides, with its answer, name and RFC sections; the
 *	caller turns the answer into Postfix's policy text. The rules,
 *	first match wins (the override table and the key gates come
 *	before any of them):
 *
 *	dane-temp: the MX lookup failed. Temporary failure: a DANE lookup
 *	   failure never becomes MTA-STS or no policy (RFC 7672 2.2).
 *	null-mx: secure null MX: not found, the domain takes no mail
 *	   (RFC 7505 3).
 *	dane-only: secure MX, every host with usable TLSA: "dane-only",
 *	   whatever MTA-STS says (RFC 7672 2.2, RFC 8461 2).
 *	sts-dane-some: enforce policy, secure MX, some hosts with usable
 *	   TLSA: "dane-only". The choice the RFCs leave: "dane" would leave
 *	   the other hosts opportunistic against the policy (RFC 8461 5.1),
 *	   "secure" would put WebPKI where DANE was proven (RFC 8461 2:
 *	   MTA-STS must not override DANE). "dane-only" authenticates every
 *	   host Postfix delivers to; hosts without TLSA are not used.
 *	sts-missing-dane: enforce policy, secure MX, a host's TLSA lookup
 *	   failed and no host has usable TLSA: temporary failure. That host
 *	   may have DANE, and "secure" could then replace it.
 *	sts-enforce: enforce policy otherwise (no DANE, only unusable TLSA,
 *	   or an insecure MX whose DANE an attacker could have forged,
 *	   RFC 7672 2.2.1): "secure match=..." (RFC 8461 4.1, 5.1).
 *	sts-unusable: the same, but the enforce policy is known only to
 *	   exist (cached, unexpired, its text does not parse, and no new
 *	   one could be fetched): temporary failure, as its mx patterns are
 *	   unknown and "no policy" would be weaker than what the domain
 *	   published (RFC 8461 3.3: a cached policy applies until it
 *	   expires). The two rules above need no mx patterns and still
 *	   apply.
 *	dane: no enforce policy, some host has or may have DANE: "dane";
 *	   Postfix checks each host itself (RFC 7672 2.2).
 *	none: no DANE, no enforce policy: not found (RFC 8461 5: testing
 *	   and none are not enforced).
 *
 *	decide_needs_sts() says whether the MTA-STS state can change the
 *	answer for this DANE verdict; when it cannot, no MTA-STS lookup is
 *	made.
 *
 *	decide_rules() lists every rule, for documentation and tests.
 *--*/
#include "decide.h"

enum {
    R_DANE_TEMP, R_NULL_MX, R_DANE_ONLY, R_STS_DANE_SOME, R_STS_MISSING,
    R_STS_ENFORCE, R_STS_UNUSABLE, R_DANE, R_NONE, R_COUNT
};

static const DECIDE_RULE decide_table[R_COUNT] = {
    {"dane-temp", DECIDE_TEMP, "RFC 7672 2.2",
    "the MX lookup failed: defer, never fall back"},
    {"null-mx", DECIDE_NOTFOUND, "RFC 7505 3",
    "secure null MX: the domain accepts no mail"},
    {"dane-only", DECIDE_DANE_ONLY, "RFC 7672 2.2, RFC 8461 2",
    "secure MX, every host has usable TLSA"},
    {"sts-dane-some", DECIDE_DANE_ONLY, "RFC 8461 2, 5.1",
    "enforce policy and some hosts with usable TLSA: only those hosts"},
    {"sts-missing-dane", DECIDE_TEMP, "RFC 8461 2, RFC 7672 2.2",
    "enforce policy, a host's TLSA lookup failed: defer"},
    {"sts-enforce", DECIDE_SECURE, "RFC 8461 4.1, 5.1, RFC 7672 2.2.1",
    "enforce policy: every MX host authenticated with WebPKI"},
    {"sts-unusable", DECIDE_TEMP, "RFC 8461 3.3, 5.1",
    "an enforce policy is cached but cannot be read, none fetched: defer"},
    {"dane", DECIDE_DANE, "RFC 7672 2.2",
    "some host has or may have DANE: Postfix checks each host"},
    {"none", DECIDE_NOTFOUND, "RFC 7672 2.2, RFC 8461 5",
    "no DANE and no enforce policy"},
};

/* decide_answer_name - for logs */
const char *decide_answer_name(DECIDE_ANSWER answer)
{
    switch (answer) {
    case DECIDE_TEMP: return "temp";
    case DECIDE_NOTFOUND: return "notfound";
    case DECIDE_DANE_ONLY: return "dane-only";
    case DECIDE_DANE: return "dane";
    case DECIDE_SECURE: return "secure";
    }
    return "unknown";
}

/* decide_needs_sts - can MTA-STS change the answer */
int     decide_needs_sts(DV_VERDICT dane)
{
    return dane != DV_TEMP && dane != DV_NOPOLICY && dane != DV_DANE_ONLY;
}

/* decide_with_sts - an enforce policy applies */
static int decide_with_sts(DV_VERDICT dane)
{
    switch (dane) {
    case DV_DANE_SOME: return R_STS_DANE_SOME;
    case DV_HOST_FAIL: return R_STS_MISSING;
    default: return R_STS_ENFORCE;
    }
}

/* decide_answer - the rule for one DANE verdict and MTA-STS state */
const DECIDE_RULE *decide_answer(DV_VERDICT dane, int sts_state)
{
    int     rule;

    if (dane == DV_TEMP)
	return decide_table + R_DANE_TEMP;
    if (dane == DV_NOPOLICY)
	return decide_table + R_NULL_MX;
    if (dane == DV_DANE_ONLY)
	return decide_table + R_DANE_ONLY;
    if (sts_state != DECIDE_STS_NONE) {
	rule = decide_with_sts(dane);
	if (rule == R_STS_ENFORCE && sts_state == DECIDE_STS_UNUSABLE)
	    rule = R_STS_UNUSABLE;		/* its match= is unknown */
	return decide_table + rule;
    }
    if (dane_verdict_verdict_has_dane(dane))
	return decide_table + R_DANE;
    return decide_table + R_NONE;
}

/* decide_rules - the whole table */
const DECIDE_RULE *decide_rules(int *count)
{
    *count = R_COUNT;
    return decide_table;
}
