/*++
 * NAME
 *	defer 3
 * SUMMARY
 *	why an answer is a temporary failure: the fixed set of causes (pure)
 * SYNOPSIS
 *	#include "defer.h"
 *
 *	const char *defer_name(DEFER_CAUSE cause)
 *	const char *defer_text(DEFER_CAUSE cause)
 *	int	defer_from_name(const char *name, DEFER_CAUSE *cause)
 *	DEFER_CAUSE defer_for_rule(const char *rule, DEFER_CAUSE found)
 *	void	defer_reply(VSTR *out, const char *rule, DEFER_CAUSE cause,
 *				const char *why, size_t why_len)
 *	int	defer_counted(DEFER_CAUSE cause)
 * DESCRIPTION
 *	Every temporary-failure answer carries exactly one cause, named in
 *	its reply text, its log line (cause=NAME), -q -v, the counter
 *	tlspolicyd_deferrals_total{cause="NAME"} and the cache's
 *	deferrals_view. The set is fixed; each cause is one code path:
 *
 *	configuration-error: tlspolicyd.cf or the overrides file has an
 *	   error; every lookup defers (policy.c). Named in the reply and the
 *	   log only: under a configuration error nothing is written to the
 *	   cache, so it is neither counted nor listed in deferrals_view.
 *	resolver-not-validating: the resolver answers without the AD bit
 *	   (rwatch(3)): DANE cannot be judged, no lookup is made.
 *	resolver-unavailable: no DNS client could be made (dns_resolver
 *	   unusable, c-ares failed to start).
 *	mx-lookup-failed: the MX lookup failed (SERVFAIL, REFUSED, a bogus
 *	   or malformed answer): rule dane-temp.
 *	host-lookup-failed: an MTA-STS enforce policy applies and an MX
 *	   host's address or TLSA lookup failed while no host has usable
 *	   TLSA: rule sts-missing-dane.
 *	time-limit: a query the answer needed got no answer in time (the
 *	   per-query dns_timeout or the lookup's dns_deadline ran out);
 *	   it takes the place of the two above.
 *	sts-policy-unusable: an unexpired enforce MTA-STS policy is cached
 *	   but its text does not parse, and a new fetch failed or was held
 *	   back: rule sts-unusable.
 *
 *	defer_name() gives the name, defer_text() one line for
 *	administrators, defer_from_name() reads a name back (-1 for
 *	anything else, also for "").
 *
 *	defer_for_rule() is the cause of a temporary failure decided by
 *	decide.c's rule: found when the lookup already named one (the
 *	resolver gates, time-limit), else host-lookup-failed for
 *	sts-missing-dane, sts-policy-unusable for sts-unusable and
 *	mx-lookup-failed for dane-temp (and any other
 *	rule: t/unit_protect.c checks that every temporary rule of
 *	decide_rules() gets a cause); one table, defer_rules[], holds each
 *	rule's cause and the words its reply starts with.
 *
 *	defer_reply() appends the reason Postfix logs for a deferral decided
 *	by rule: short, naming the cause, with the first why_len bytes of
 *	the DANE explanation why: "DNS lookup failed (mx-lookup-failed):
 *	MX lookup failed: SERVFAIL"; the resolver's own causes, whose
 *	explanation says the rest, come first: "resolver-not-validating:
 *	resolver 127.0.0.1:53 does not validate DNSSEC ..." (Postfix's log
 *	line stays short).
 *
 *	defer_counted() is false for configuration-error, the one cause that
 *	is never written to the cache (issue 21).
 *--*/
#include <string.h>

#include "defer.h"

static const struct {
    const char *name;
    const char *text;
} defer_causes[DEFER_COUNT] = {
    [DEFER_NONE] = {"", "not a temporary failure"},
    [DEFER_CONFIGURATION_ERROR] = {"configuration-error",
    "tlspolicyd.cf or the overrides file has an error: see the log, fix it"},
    [DEFER_RESOLVER_NOT_VALIDATING] = {"resolver-not-validating",
    "the resolver answers without the AD bit: make it validate DNSSEC"},
    [DEFER_RESOLVER_UNAVAILABLE] = {"resolver-unavailable",
    "no DNS client: check dns_resolver and the log"},
    [DEFER_MX_LOOKUP_FAILED] = {"mx-lookup-failed",
    "the MX lookup failed (SERVFAIL, REFUSED, bogus or malformed answer)"},
    [DEFER_HOST_LOOKUP_FAILED] = {"host-lookup-failed",
    "an enforce MTA-STS policy applies and an MX host's DANE lookup failed"},
    [DEFER_TIME_LIMIT] = {"time-limit",
    "a needed DNS answer did not come within dns_timeout / dns_deadline"},
    [DEFER_STS_POLICY_UNUSABLE] = {"sts-policy-unusable",
    "a cached enforce MTA-STS policy does not parse and none could be fetched"},
};

/* defer_name - the cause's name ("" for DEFER_NONE) */
const char *defer_name(DEFER_CAUSE cause)
{
    return defer_causes[cause].name;
}

/* defer_text - one line for administrators */
const char *defer_text(DEFER_CAUSE cause)
{
    return defer_causes[cause].text;
}

/* defer_from_name - a stored name; -1 when unknown */
int     defer_from_name(const char *name, DEFER_CAUSE *cause)
{
    int     i;

    for (i = DEFER_NONE + 1; name != 0 && i < DEFER_COUNT; i++) {
	if (strcmp(defer_causes[i].name, name) == 0) {
	    *cause = (DEFER_CAUSE) i;
	    return 0;
	}
    }
    return -1;
}

/* The temporary rules of decide.c: each one's own cause and the words
 * its reply starts with; the last row is for any other rule. */
static const struct {
    const char *rule;
    DEFER_CAUSE cause;
    const char *prefix;
} defer_rules[] = {
    {"dane-temp", DEFER_MX_LOOKUP_FAILED, "DNS lookup failed"},
    {"sts-missing-dane", DEFER_HOST_LOOKUP_FAILED,
    "MTA-STS policy in force, DANE unknown"},
    {"sts-unusable", DEFER_STS_POLICY_UNUSABLE,
    "MTA-STS policy in force, its text unusable"},
    {0, DEFER_MX_LOOKUP_FAILED, "MTA-STS policy in force, DANE unknown"},
};

/* defer_rule - the row of rule (the last one for any other) */
static int defer_rule(const char *rule)
{
    int     i;

    for (i = 0; defer_rules[i].rule && strcmp(defer_rules[i].rule, rule) != 0; i++)
	 /* void */ ;
    return i;
}

/* defer_for_rule - the cause of a temporary failure decided by rule */
DEFER_CAUSE defer_for_rule(const char *rule, DEFER_CAUSE found)
{
    return found != DEFER_NONE ? found : defer_rules[defer_rule(rule)].cause;
}

/* defer_reply - the reason Postfix logs for a deferral */
void    defer_reply(VSTR *out, const char *rule, DEFER_CAUSE cause,
		            const char *why, size_t why_len)
{
    if (cause == DEFER_RESOLVER_NOT_VALIDATING || cause == DEFER_RESOLVER_UNAVAILABLE)
	vstr_printf(out, "%s: %.*s", defer_name(cause), (int) why_len, why);
    else
	vstr_printf(out, "%s (%s): %.*s", defer_rules[defer_rule(rule)].prefix,
		    defer_name(cause), (int) why_len, why);
}

/* defer_counted - counted and listed in the cache */
int     defer_counted(DEFER_CAUSE cause)
{
    return cause != DEFER_NONE && cause != DEFER_CONFIGURATION_ERROR;
}
