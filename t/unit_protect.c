/* unit_protect - the protection change rule (protect.c) and the deferral
 * causes (defer.c), as tables */
#include <stdio.h>
#include <string.h>

#include "decide.h"
#include "defer.h"
#include "protect.h"
#include "tap.h"

/* dane - DANE facts: level, MX secure, hosts with an unsigned TLSA answer */
static PROTECT_FACTS dane(PROTECT_DANE level, int mx_secure, int tlsa_insecure)
{
    PROTECT_FACTS f;

    protect_init(&f);
    f.dane = level;
    f.mx_secure = mx_secure;
    f.tlsa_insecure = tlsa_insecure;
    return f;
}

/* sts - MTA-STS facts: state, id, mx patterns (one string) */
static PROTECT_FACTS sts(PROTECT_STS state, const char *id, const char *mx)
{
    PROTECT_FACTS f;

    protect_init(&f);
    f.sts = state;
    (void) snprintf(f.sts_id, sizeof(f.sts_id), "%s", id);
    (void) snprintf(f.sts_mx, sizeof(f.sts_mx), "%s", mx);
    return f;
}

typedef struct {
    const char *name;
    PROTECT_FACTS old;
    PROTECT_FACTS new_facts;
    PROTECT_WHAT what;
    PROTECT_CORR corr;
    PROTECT_OUTCOME want;
} JUDGE_CASE;

#define U	PROTECT_DANE_UNKNOWN
#define NONE	PROTECT_DANE_NONE
#define UNUS	PROTECT_DANE_UNUSABLE
#define SOME	PROTECT_DANE_SOME
#define ONLY	PROTECT_DANE_ONLY
#define NULLMX	PROTECT_DANE_NULL_MX
#define D	PROTECT_WHAT_DANE
#define S	PROTECT_WHAT_STS
#define C0	PROTECT_CORR_NONE
#define CI	PROTECT_CORR_INSECURE
#define CS	PROTECT_CORR_SECURE
#define CF	PROTECT_CORR_FAILED

/* judge_dane - the DANE part */
static void judge_dane(void)
{
    const JUDGE_CASE t[] = {
	{"first sighting: the baseline", dane(U, 0, 0), dane(ONLY, 1, 0), D, C0, PROTECT_FIRST},
	{"first sighting of none: the baseline", dane(U, 0, 0), dane(NONE, 0, 0), D, C0, PROTECT_FIRST},
	{"no new facts: nothing", dane(ONLY, 1, 0), dane(U, 0, 0), D, C0, PROTECT_SAME},
	{"same", dane(ONLY, 1, 0), dane(ONLY, 1, 0), D, C0, PROTECT_SAME},
	{"dane-only -> dane-some: drop", dane(ONLY, 1, 0), dane(SOME, 1, 0), D, C0, PROTECT_DROP},
	{"dane-only -> dane-unusable: drop", dane(ONLY, 1, 0), dane(UNUS, 1, 0), D, C0, PROTECT_DROP},
	{"dane-only -> none (TLSA removed): drop", dane(ONLY, 1, 0), dane(NONE, 1, 0), D, C0, PROTECT_DROP},
	{"dane-some -> none: drop", dane(SOME, 1, 0), dane(NONE, 1, 0), D, C0, PROTECT_DROP},
	{"dane-unusable -> none: drop", dane(UNUS, 1, 0), dane(NONE, 1, 0), D, C0, PROTECT_DROP},
	{"dane-some -> dane-unusable: a change", dane(SOME, 1, 0), dane(UNUS, 1, 0), D, C0, PROTECT_CHANGED},
	{"dane-only -> null MX: a change", dane(ONLY, 1, 0), dane(NULLMX, 1, 0), D, C0, PROTECT_CHANGED},
	{"null MX -> none: a change", dane(NULLMX, 1, 0), dane(NONE, 1, 0), D, C0, PROTECT_CHANGED},
	{"none -> null MX: a change", dane(NONE, 1, 0), dane(NULLMX, 1, 0), D, C0, PROTECT_CHANGED},
	{"none -> dane-some: rise", dane(NONE, 1, 0), dane(SOME, 1, 0), D, C0, PROTECT_RISE},
	{"dane-some -> dane-only: rise", dane(SOME, 1, 0), dane(ONLY, 1, 0), D, C0, PROTECT_RISE},
	{"none -> dane-unusable: rise", dane(NONE, 1, 0), dane(UNUS, 1, 0), D, C0, PROTECT_RISE},
	{"insecure MX -> secure MX, none: rise", dane(NONE, 0, 0), dane(NONE, 1, 0), D, C0, PROTECT_RISE},
	{"insecure MX -> dane-only: rise", dane(NONE, 0, 0), dane(ONLY, 1, 0), D, C0, PROTECT_RISE},
	{"MX secure -> insecure, SOA insecure too: drop", dane(NONE, 1, 0), dane(NONE, 0, 0), D, CI, PROTECT_DROP},
	{"dane-only -> insecure MX, SOA insecure too: drop", dane(ONLY, 1, 0), dane(NONE, 0, 0), D, CI, PROTECT_DROP},
	{"forged insecure MX, SOA validates: unproven", dane(ONLY, 1, 0), dane(NONE, 0, 0), D, CS, PROTECT_UNPROVEN},
	{"insecure MX, SOA failed: unproven", dane(ONLY, 1, 0), dane(NONE, 0, 0), D, CF, PROTECT_UNPROVEN},
	{"insecure MX, not corroborated: unproven", dane(NONE, 1, 0), dane(NONE, 0, 0), D, C0, PROTECT_UNPROVEN},
	{"forged TLSA denial (unsigned under a signed address): unproven",
	dane(ONLY, 1, 0), dane(NONE, 1, 1), D, C0, PROTECT_UNPROVEN},
	{"unsigned TLSA answer, but a rise: a rise", dane(NONE, 1, 0), dane(SOME, 1, 1), D, C0, PROTECT_RISE},
	{"MTA-STS facts leave DANE alone", dane(ONLY, 1, 0), sts(PROTECT_STS_ENFORCE, "a", "m"), D, C0, PROTECT_SAME},
    };
    size_t  i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	tap_is_str(protect_outcome_name(protect_judge(&t[i].old, &t[i].new_facts, t[i].what,
						      t[i].corr)),
		   protect_outcome_name(t[i].want), t[i].name);
}

#define SU	PROTECT_STS_UNKNOWN
#define NOPOL	PROTECT_STS_NOPOLICY
#define SNONE	PROTECT_STS_NONE
#define TEST	PROTECT_STS_TESTING
#define ENF	PROTECT_STS_ENFORCE

/* judge_sts - the MTA-STS part */
static void judge_sts(void)
{
    const JUDGE_CASE t[] = {
	{"first sighting: the baseline", sts(SU, "", ""), sts(ENF, "a1", "mx.a"), S, C0, PROTECT_FIRST},
	{"first sighting of no policy", sts(SU, "", ""), sts(NOPOL, "", ""), S, C0, PROTECT_FIRST},
	{"same", sts(ENF, "a1", "mx.a"), sts(ENF, "a1", "mx.a"), S, C0, PROTECT_SAME},
	{"enforce -> none: drop", sts(ENF, "a1", "mx.a"), sts(SNONE, "a2", ""), S, C0, PROTECT_DROP},
	{"enforce -> testing: drop", sts(ENF, "a1", "mx.a"), sts(TEST, "a2", "mx.a"), S, C0, PROTECT_DROP},
	{"enforce -> no policy (TXT gone, policy expired): drop", sts(ENF, "a1", "mx.a"),
	sts(NOPOL, "", ""), S, C0, PROTECT_DROP},
	{"none -> enforce: rise", sts(SNONE, "a1", ""), sts(ENF, "a2", "mx.a"), S, C0, PROTECT_RISE},
	{"no policy -> enforce: rise", sts(NOPOL, "", ""), sts(ENF, "a2", "mx.a"), S, C0, PROTECT_RISE},
	{"no policy -> testing: a change", sts(NOPOL, "", ""), sts(TEST, "a2", "mx.a"), S, C0, PROTECT_CHANGED},
	{"testing -> none: a change", sts(TEST, "a1", "mx.a"), sts(SNONE, "a2", ""), S, C0, PROTECT_CHANGED},
	{"enforce, new mx patterns: a change", sts(ENF, "a1", "mx.a"), sts(ENF, "a2", "mx.b"), S, C0,
	PROTECT_CHANGED},
	{"enforce, only a new id: stored, no change", sts(ENF, "a1", "mx.a"), sts(ENF, "a2", "mx.a"),
	S, C0, PROTECT_REFRESH},
	{"DANE facts leave MTA-STS alone", sts(ENF, "a1", "mx.a"), dane(NONE, 0, 0), S, C0, PROTECT_SAME},
    };
    size_t  i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
	tap_is_str(protect_outcome_name(protect_judge(&t[i].old, &t[i].new_facts, t[i].what,
						      t[i].corr)),
		   protect_outcome_name(t[i].want), t[i].name);
}

/* from_dane - verdicts to facts; temp and host-fail are no facts */
static void from_dane(void)
{
    const struct {
	DV_VERDICT verdict;
	int     mx_secure;
	int     ret;
	const char *want;
    } t[] = {
	{DV_DANE_ONLY, 1, 0, "dane-only, MX secure"},
	{DV_DANE_SOME, 1, 0, "dane-some, MX secure"},
	{DV_DANE_UNUSABLE, 1, 0, "dane-unusable, MX secure"},
	{DV_NONE, 1, 0, "none, MX secure"},
	{DV_NONE, 0, 0, "none, MX insecure"},
	{DV_NOPOLICY, 1, 0, "null-mx, MX secure"},
	{DV_DANE_INSECURE_MX, 0, 0, "none, MX insecure"},
	{DV_TEMP, 0, -1, "unknown"},
	{DV_HOST_FAIL, 1, -1, "unknown"},
    };
    PROTECT_FACTS f;
    VSTR   *out = vstr_new(64);
    size_t  i;

    for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
	protect_init(&f);
	tap_is_int(protect_from_dane(&f, t[i].verdict, t[i].mx_secure, 0), t[i].ret,
		   dane_verdict_verdict_name(t[i].verdict));
	vstr_reset(out);
	protect_describe(&f, PROTECT_WHAT_DANE, out);
	tap_is_str(vstr_str(out), t[i].want, "  described");
    }
    vstr_free(out);
}

/* set_sts - patterns joined; a long list keeps a count and a hash */
static void set_sts(void)
{
    char   *two[] = {"mx.a.example", "*.a.example"};
    char   *many[100];
    char    hosts[100][64];
    PROTECT_FACTS f;
    PROTECT_FACTS g;
    VSTR   *out = vstr_new(64);
    int     i;

    protect_init(&f);
    protect_set_sts(&f, PROTECT_STS_ENFORCE, "id1", two, 2);
    protect_describe(&f, PROTECT_WHAT_STS, out);
    tap_is_str(vstr_str(out), "enforce id=id1 mx=mx.a.example *.a.example", "enforce described");
    protect_set_sts(&f, PROTECT_STS_NOPOLICY, "", 0, 0);
    vstr_reset(out);
    protect_describe(&f, PROTECT_WHAT_STS, out);
    tap_is_str(vstr_str(out), "no-policy", "no policy described");
    for (i = 0; i < 100; i++) {
	(void) snprintf(hosts[i], sizeof(hosts[i]), "mx%02d.a-rather-long-host-name.example", i);
	many[i] = hosts[i];
    }
    protect_set_sts(&f, PROTECT_STS_ENFORCE, "id1", many, 100);
    tap_ok(strlen(f.sts_mx) < PROTECT_MX_SIZE, "100 patterns fit the buffer");
    tap_ok(strstr(f.sts_mx, " +") != 0 && strchr(f.sts_mx, '#') != 0, "  with a count and a hash");
    many[99][0] = 'X';
    protect_init(&g);
    protect_set_sts(&g, PROTECT_STS_ENFORCE, "id1", many, 100);
    tap_is_str(protect_outcome_name(protect_judge(&f, &g, PROTECT_WHAT_STS, PROTECT_CORR_NONE)),
	       "changed", "  a change beyond the buffer still shows");
    vstr_free(out);
}

/* round_trips - stored words round-trip; anything else is refused */
static void round_trips(void)
{
    PROTECT_DANE d = PROTECT_DANE_ONLY;
    PROTECT_STS s = PROTECT_STS_ENFORCE;
    DEFER_CAUSE c;
    int     i;
    int     bad = 0;

    for (i = PROTECT_DANE_UNKNOWN; i <= PROTECT_DANE_NULL_MX; i++)
	bad += protect_dane_from_name(protect_dane_name((PROTECT_DANE) i), &d) != 0 || (int) d != i;
    for (i = PROTECT_STS_UNKNOWN; i <= PROTECT_STS_ENFORCE; i++)
	bad += protect_sts_from_name(protect_sts_name((PROTECT_STS) i), &s) != 0 || (int) s != i;
    tap_is_int(bad, 0, "level and state names round-trip");
    tap_is_int(protect_dane_from_name("dane", &d), -1, "an unknown level is refused");
    tap_is_int(protect_sts_from_name("ENFORCE", &s), -1, "an unknown state is refused");
    tap_is_int(protect_sts_from_name(0, &s), -1, "NULL is refused");
    for (bad = 0, i = DEFER_NONE + 1; i < DEFER_COUNT; i++)
	bad += defer_from_name(defer_name((DEFER_CAUSE) i), &c) != 0 || (int) c != i;
    tap_is_int(bad, 0, "cause names round-trip");
    tap_is_int(defer_from_name("", &c), -1, "no cause is not a cause");
    tap_is_int(defer_from_name("temp", &c), -1, "an unknown cause is refused");
}

/* causes - every temporary rule of decide.c gets its cause */
static void causes(void)
{
    const DECIDE_RULE *rules;
    VSTR   *reply;
    int     n;
    int     i;

    rules = decide_rules(&n);
    for (i = 0; i < n; i++) {
	if (rules[i].answer != DECIDE_TEMP)
	    continue;
	tap_ok(defer_for_rule(rules[i].name, DEFER_NONE) != DEFER_NONE, rules[i].name);
    }
    tap_is_str(defer_name(defer_for_rule("dane-temp", DEFER_NONE)), "mx-lookup-failed",
	       "dane-temp: mx-lookup-failed");
    tap_is_str(defer_name(defer_for_rule("sts-missing-dane", DEFER_NONE)),
	       "host-lookup-failed", "sts-missing-dane: host-lookup-failed");
    tap_is_str(defer_name(defer_for_rule("dane-temp", DEFER_TIME_LIMIT)), "time-limit",
	       "a cause the lookup found wins");
    tap_is_str(defer_name(defer_for_rule("dane-temp", DEFER_RESOLVER_NOT_VALIDATING)),
	       "resolver-not-validating", "  (the resolver gate)");
    reply = vstr_new(64);
    defer_reply(reply, "sts-missing-dane", DEFER_HOST_LOOKUP_FAILED, "secure MX; x", 9);
    tap_is_str(vstr_str(reply), "MTA-STS policy in force, DANE unknown (host-lookup-failed):"
	       " secure MX", "the reply names the cause, the DANE part only");
    vstr_reset(reply);
    defer_reply(reply, "dane-temp", DEFER_RESOLVER_NOT_VALIDATING, "resolver R does not", 19);
    tap_is_str(vstr_str(reply), "resolver-not-validating: resolver R does not",
	       "the resolver's causes come first, shorter");
    vstr_free(reply);
    tap_ok(!defer_counted(DEFER_CONFIGURATION_ERROR), "configuration-error is not counted");
    tap_ok(defer_counted(DEFER_MX_LOOKUP_FAILED), "mx-lookup-failed is counted");
}

int     main(void)
{
    judge_dane();
    judge_sts();
    from_dane();
    set_sts();
    round_trips();
    causes();
    return tap_done();
}
