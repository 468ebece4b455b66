/*++
 * NAME
 *	protect 3
 * SUMMARY
 *	a domain's published protection, and when a change is a drop (pure)
 * SYNOPSIS
 *	#include "protect.h"
 *
 *	void	protect_init(PROTECT_FACTS *facts)
 *	int	protect_from_dane(PROTECT_FACTS *facts, DV_VERDICT verdict,
 *				int mx_secure, int tlsa_insecure)
 *	void	protect_set_sts(PROTECT_FACTS *facts, PROTECT_STS sts,
 *				const char *id, char *const *mx, int nmx)
 *
 *	int	protect_needs_corroboration(const PROTECT_FACTS *old,
 *				const PROTECT_FACTS *new_facts)
 *	PROTECT_OUTCOME protect_judge(const PROTECT_FACTS *old,
 *				const PROTECT_FACTS *new_facts,
 *				PROTECT_WHAT what, PROTECT_CORR corr)
 *	void	protect_merge(PROTECT_FACTS *old,
 *				const PROTECT_FACTS *new_facts, PROTECT_WHAT what)
 *	int	protect_known(const PROTECT_FACTS *facts, PROTECT_WHAT what)
 *
 *	void	protect_describe(const PROTECT_FACTS *facts,
 *				PROTECT_WHAT what, VSTR *out)
 *	const char *protect_what_name(PROTECT_WHAT what)
 *	const char *protect_outcome_name(PROTECT_OUTCOME outcome)
 *	const char *protect_dane_name(PROTECT_DANE dane)
 *	int	protect_dane_from_name(const char *name, PROTECT_DANE *dane)
 *	const char *protect_sts_name(PROTECT_STS sts)
 *	int	protect_sts_from_name(const char *name, PROTECT_STS *sts)
 * DESCRIPTION
 *	A domain's protection is two independent parts, each learned from
 *	a fresh, complete lookup (history(3) says which):
 *
 *	DANE (what "dane"): the level - dane-only, dane-some, dane-unusable,
 *	none, or null-mx - and whether the MX answer was DNSSEC-secure.
 *	protect_from_dane() takes them from a DANE verdict; it refuses (-1)
 *	the verdicts that are no facts (temp, host-fail). An insecure MX is
 *	level none whatever its hosts publish (RFC 7672 2.2.1: DANE there
 *	is only a MAY). tlsa_insecure counts hosts whose address answer
 *	validated but whose TLSA answer did not: a signed zone's TLSA
 *	denial must validate, so such an answer is forged or broken.
 *
 *	MTA-STS (what "mta-sts"): the mode of a fetched policy (enforce,
 *	testing, none) or no-policy (no TXT record and no unexpired
 *	policy), with the policy id and its mx patterns.
 *	protect_set_sts() sets it; patterns that do not fit in
 *	PROTECT_MX_SIZE end in "+N #HASH" (the count left out and a hash
 *	of the whole list), so any change of the list still shows.
 *
 *	protect_judge() compares one part of the stored facts (old) with
 *	new facts:
 *
 *	PROTECT_SAME: the new part is unknown, or equal to the old one.
 *	PROTECT_FIRST: the old part is unknown: the new one is the baseline,
 *	   never a change (a first sighting records nothing).
 *	PROTECT_DROP: DANE: the MX answer went from secure to insecure;
 *	   dane-only to dane-some, dane-unusable or none; dane-some or
 *	   dane-unusable to none. MTA-STS: enforce to testing, none or
 *	   no-policy.
 *	PROTECT_UNPROVEN: a DANE drop the evidence does not carry: a secure
 *	   MX answer turned insecure while corr is not
 *	   PROTECT_CORR_INSECURE (a second, independent answer - the
 *	   caller's SOA query - must show the zone insecure too: one forged
 *	   or broken answer is never believed), or a lower DANE level that
 *	   rests on an unsigned TLSA answer (tlsa_insecure).
 *	PROTECT_RISE: DANE: a higher level (none < dane-unusable <
 *	   dane-some < dane-only) or an MX answer that became secure;
 *	   MTA-STS: enforce from anything else.
 *	PROTECT_CHANGED: any other change of level, MX security, mode or
 *	   mx patterns (null-mx to or from anything, dane-some to
 *	   dane-unusable, none to testing, new patterns).
 *	PROTECT_REFRESH: only the MTA-STS id changed: stored, not a change
 *	   of protection.
 *
 *	protect_needs_corroboration() is true when the judgement depends on
 *	corr (a secure MX answer turned insecure): the caller asks its
 *	second answer only then. protect_merge() copies one part of
 *	new_facts into old. protect_known() says whether a part holds
 *	facts.
 *
 *	protect_describe() writes one part for logs and the change log,
 *	e.g. "dane-only, MX secure" or "enforce id=20260101 mx=mx.example.com
 *	*.example.com". The _name() functions give the words stored in the
 *	cache, and the _from_name() ones read them back (-1 for anything
 *	else, PROTECT_*_UNKNOWN for "").
 * SEE ALSO
 *	history(3), cache_protect(3), DESIGN.md section 9
 *--*/
#include <stdio.h>
#include <string.h>

#include "memo.h"
#include "protect.h"

static const char *const protect_dane_names[] = {
    [PROTECT_DANE_UNKNOWN] = "", [PROTECT_DANE_NONE] = "none",
    [PROTECT_DANE_UNUSABLE] = "dane-unusable", [PROTECT_DANE_SOME] = "dane-some",
    [PROTECT_DANE_ONLY] = "dane-only", [PROTECT_DANE_NULL_MX] = "null-mx",
};

static const char *const protect_sts_names[] = {
    [PROTECT_STS_UNKNOWN] = "", [PROTECT_STS_NOPOLICY] = "no-policy",
    [PROTECT_STS_NONE] = "none", [PROTECT_STS_TESTING] = "testing",
    [PROTECT_STS_ENFORCE] = "enforce",
};

/* protect_init - nothing known */
void    protect_init(PROTECT_FACTS *facts)
{
    memset(facts, 0, sizeof(*facts));
}

/* protect_from_dane - the DANE part from a verdict; -1 when it is no fact */
int     protect_from_dane(PROTECT_FACTS *facts, DV_VERDICT verdict, int mx_secure,
			          int tlsa_insecure)
{
    switch (verdict) {
    case DV_DANE_ONLY: facts->dane = PROTECT_DANE_ONLY; break;
    case DV_DANE_SOME: facts->dane = PROTECT_DANE_SOME; break;
    case DV_DANE_UNUSABLE: facts->dane = PROTECT_DANE_UNUSABLE; break;
    case DV_NOPOLICY: facts->dane = PROTECT_DANE_NULL_MX; break;
    case DV_NONE:
    case DV_DANE_INSECURE_MX: facts->dane = PROTECT_DANE_NONE; break;
    default: return -1;
    }
    facts->mx_secure = mx_secure != 0;
    facts->tlsa_insecure = tlsa_insecure;
    return 0;
}

/* protect_set_sts - the MTA-STS part; an over-long list ends in a hash */
void    protect_set_sts(PROTECT_FACTS *facts, PROTECT_STS sts, const char *id,
			        char *const *mx, int nmx)
{
    char    tail[48];
    size_t  used = 0;
    uint64_t hash = MEMO_HASH_INIT;
    int     i;

    facts->sts = sts;
    (void) snprintf(facts->sts_id, sizeof(facts->sts_id), "%s", id ? id : "");
    facts->sts_mx[0] = 0;
    for (i = 0; i < nmx; i++)
	hash = memo_hash(mx[i], strlen(mx[i]) + 1, hash);
    for (i = 0; i < nmx; i++) {
	if (used + strlen(mx[i]) + 1 + sizeof(tail) >= sizeof(facts->sts_mx))
	    break;
	used += (size_t) snprintf(facts->sts_mx + used, sizeof(facts->sts_mx) - used,
				  "%s%s", used ? " " : "", mx[i]);
    }
    if (i < nmx)
	(void) snprintf(facts->sts_mx + used, sizeof(facts->sts_mx) - used,
			" +%d #%016llx", nmx - i, (unsigned long long) hash);
}

/* protect_known - does this part hold facts */
int     protect_known(const PROTECT_FACTS *facts, PROTECT_WHAT what)
{
    return what == PROTECT_WHAT_DANE ? facts->dane != PROTECT_DANE_UNKNOWN
	: facts->sts != PROTECT_STS_UNKNOWN;
}

/* protect_rank - the DANE levels in order; -1 for null-mx (no order) */
static int protect_rank(PROTECT_DANE dane)
{
    switch (dane) {
    case PROTECT_DANE_NONE: return 0;
    case PROTECT_DANE_UNUSABLE: return 1;
    case PROTECT_DANE_SOME: return 2;
    case PROTECT_DANE_ONLY: return 3;
    default: return -1;
    }
}

/* protect_dane_dropped - dane-only to weaker, any DANE to none */
static int protect_dane_dropped(PROTECT_DANE old, PROTECT_DANE new_dane)
{
    if (old == PROTECT_DANE_ONLY)
	return new_dane == PROTECT_DANE_SOME || new_dane == PROTECT_DANE_UNUSABLE
	    || new_dane == PROTECT_DANE_NONE;
    return (old == PROTECT_DANE_SOME || old == PROTECT_DANE_UNUSABLE)
	&& new_dane == PROTECT_DANE_NONE;
}

/* protect_needs_corroboration - a secure MX answer that turned insecure */
int     protect_needs_corroboration(const PROTECT_FACTS *old,
				            const PROTECT_FACTS *new_facts)
{
    return protect_known(old, PROTECT_WHAT_DANE)
	&& protect_known(new_facts, PROTECT_WHAT_DANE)
	&& old->mx_secure && !new_facts->mx_secure;
}

/* protect_judge_dane - the DANE part, both known */
static PROTECT_OUTCOME protect_judge_dane(const PROTECT_FACTS *old,
					          const PROTECT_FACTS *new_facts,
					          PROTECT_CORR corr)
{
    int     was = protect_rank(old->dane);
    int     now = protect_rank(new_facts->dane);

    if (old->dane == new_facts->dane && old->mx_secure == new_facts->mx_secure)
	return PROTECT_SAME;
    if (protect_needs_corroboration(old, new_facts))
	return corr == PROTECT_CORR_INSECURE ? PROTECT_DROP : PROTECT_UNPROVEN;
    if (protect_dane_dropped(old->dane, new_facts->dane))
	return new_facts->tlsa_insecure ? PROTECT_UNPROVEN : PROTECT_DROP;
    if ((was >= 0 && now > was) || (!old->mx_secure && new_facts->mx_secure))
	return PROTECT_RISE;
    return PROTECT_CHANGED;
}

/* protect_judge_sts - the MTA-STS part, both known */
static PROTECT_OUTCOME protect_judge_sts(const PROTECT_FACTS *old,
					         const PROTECT_FACTS *new_facts)
{
    if (old->sts == PROTECT_STS_ENFORCE && new_facts->sts != PROTECT_STS_ENFORCE)
	return PROTECT_DROP;
    if (new_facts->sts == PROTECT_STS_ENFORCE && old->sts != PROTECT_STS_ENFORCE)
	return PROTECT_RISE;
    if (old->sts != new_facts->sts || strcmp(old->sts_mx, new_facts->sts_mx) != 0)
	return PROTECT_CHANGED;
    if (strcmp(old->sts_id, new_facts->sts_id) != 0)
	return PROTECT_REFRESH;
    return PROTECT_SAME;
}

/* protect_judge - old facts x new facts, one part */
PROTECT_OUTCOME protect_judge(const PROTECT_FACTS *old, const PROTECT_FACTS *new_facts,
			              PROTECT_WHAT what, PROTECT_CORR corr)
{
    if (!protect_known(new_facts, what))
	return PROTECT_SAME;
    if (!protect_known(old, what))
	return PROTECT_FIRST;
    return what == PROTECT_WHAT_DANE ? protect_judge_dane(old, new_facts, corr)
	: protect_judge_sts(old, new_facts);
}

/* protect_merge - one part of new_facts into old */
void    protect_merge(PROTECT_FACTS *old, const PROTECT_FACTS *new_facts,
		              PROTECT_WHAT what)
{
    if (what == PROTECT_WHAT_DANE) {
	old->dane = new_facts->dane;
	old->mx_secure = new_facts->mx_secure;
	old->tlsa_insecure = 0;
    } else {
	old->sts = new_facts->sts;
	memcpy(old->sts_id, new_facts->sts_id, sizeof(old->sts_id));
	memcpy(old->sts_mx, new_facts->sts_mx, sizeof(old->sts_mx));
    }
}

/* protect_describe - one part, for logs and the change log */
void    protect_describe(const PROTECT_FACTS *facts, PROTECT_WHAT what, VSTR *out)
{
    if (!protect_known(facts, what))
	vstr_addstr(out, "unknown");
    else if (what == PROTECT_WHAT_DANE)
	vstr_printf(out, "%s, MX %s", protect_dane_name(facts->dane),
		    facts->mx_secure ? "secure" : "insecure");
    else if (facts->sts == PROTECT_STS_NOPOLICY)
	vstr_addstr(out, protect_sts_name(facts->sts));
    else
	vstr_printf(out, "%s id=%s%s%s", protect_sts_name(facts->sts),
		    facts->sts_id, facts->sts_mx[0] ? " mx=" : "", facts->sts_mx);
}

/* protect_what_name - "dane" or "mta-sts": the counter's label */
const char *protect_what_name(PROTECT_WHAT what)
{
    return what == PROTECT_WHAT_DANE ? "dane" : "mta-sts";
}

/* protect_outcome_name - for logs and tests */
const char *protect_outcome_name(PROTECT_OUTCOME outcome)
{
    static const char *const names[] = {
	[PROTECT_SAME] = "same", [PROTECT_FIRST] = "first",
	[PROTECT_REFRESH] = "refresh", [PROTECT_CHANGED] = "changed",
	[PROTECT_RISE] = "rise", [PROTECT_DROP] = "drop",
	[PROTECT_UNPROVEN] = "unproven",
    };

    return names[outcome];
}

/* protect_dane_name - the word stored in the cache */
const char *protect_dane_name(PROTECT_DANE dane)
{
    return protect_dane_names[dane];
}

/* protect_sts_name - the word stored in the cache */
const char *protect_sts_name(PROTECT_STS sts)
{
    return protect_sts_names[sts];
}

/* protect_word - index of name in a list of n words; -1 if absent */
static int protect_word(const char *const *list, int n, const char *name)
{
    int     i;

    for (i = 0; name != 0 && i < n; i++)
	if (strcmp(list[i], name) == 0)
	    return i;
    return -1;
}

/* protect_dane_from_name - a stored word; -1 when unknown */
int     protect_dane_from_name(const char *name, PROTECT_DANE *dane)
{
    int     i = protect_word(protect_dane_names, (int) (sizeof(protect_dane_names)
				  / sizeof(protect_dane_names[0])), name);

    if (i < 0)
	return -1;
    *dane = (PROTECT_DANE) i;
    return 0;
}

/* protect_sts_from_name - a stored word; -1 when unknown */
int     protect_sts_from_name(const char *name, PROTECT_STS *sts)
{
    int     i = protect_word(protect_sts_names, (int) (sizeof(protect_sts_names)
				  / sizeof(protect_sts_names[0])), name);

    if (i < 0)
	return -1;
    *sts = (PROTECT_STS) i;
    return 0;
}
