/*++
 * NAME
 *	sts_policy 3
 * SUMMARY
 *	parse an MTA-STS policy and turn it into a Postfix policy
 * SYNOPSIS
 *	#include "sts_policy.h"
 *
 *	void	sts_policy_init(STSP *pol)
 *
 *	void	sts_policy_free(STSP *pol)
 *
 *	int	sts_policy_parse(const char *body, size_t len, STSP *pol, VSTR *why)
 *	void	sts_policy_reply(const STSP *pol, VSTR *out)
 *	void	sts_policy_tlsrpt(const STSP *pol, const char *domain, VSTR *out)
 *
 *	const char *sts_policy_mode_name(STSP_MODE mode)
 * DESCRIPTION
 *	sts_policy_parse() reads the body of mta-sts.txt: lines end in CRLF or
 *	LF; each non-empty line is "key:" optional blanks "value" (trailing
 *	blanks removed); key names are matched without regard to case.
 *	The first occurrence of version, mode and max_age wins; every mx
 *	line adds a pattern; unknown keys are ignored. Required: version
 *	STSv1, mode enforce, testing or none, max_age of 1 to 10 digits
 *	(values above 31557600 are clamped to it, and pol->clamped says
 *	so), and for enforce and testing at least one mx.
 *
 *	An mx value must be a host name or "*." followed by a host name
 *	(LDH labels, at least two of them, no trailing dot). Anything else
 *	- an IP literal, a trailing dot, a U-label, white space, "=", ":",
 *	control or 8-bit characters - is ignored: it never reaches a reply,
 *	where it could inject Postfix policy attributes, nor pol->lines.
 *	The rest of the policy is kept (RFC 8461 3.2 asks senders to
 *	ignore what they do not understand; one typo must not turn an
 *	enforce policy into no protection). pol->nbad counts the ignored
 *	values and pol->ignored describes the first few, printable, for
 *	the caller's log line. A policy in enforce or testing mode left
 *	without any valid mx is invalid.
 *
 *	sts_policy_reply() writes "secure match=P1:P2... servername=hostname",
 *	patterns in policy order, duplicates removed, "*.x" written ".x".
 *
 *	sts_policy_tlsrpt() appends the Postfix 3.10 TLSRPT attributes:
 *	" policy_type=sts policy_domain=D mx_host_pattern=P..." and one
 *	"{ policy_string = LINE }" per normalized policy line.
 * DIAGNOSTICS
 *	sts_policy_parse() returns 0, or -1 with a reason in why.
 *--*/
#include <string.h>
#include <strings.h>

#include "key.h"
#include "log.h"
#include "mem.h"
#include "sts_policy.h"

/* sts_policy_init - empty policy */
void    sts_policy_init(STSP *pol)
{
    memset(pol, 0, sizeof(*pol));
    pol->lines = vstr_new(256);
    pol->ignored = vstr_new(64);
}

/* sts_policy_free - release */
void    sts_policy_free(STSP *pol)
{
    int     i;

    for (i = 0; i < pol->nmx; i++)
	mem_free(pol->mx[i]);
    pol->nmx = 0;
    vstr_free(pol->lines);
    pol->lines = 0;
    vstr_free(pol->ignored);
    pol->ignored = 0;
}

/* sts_policy_mode_name - for logs and the cache */
const char *sts_policy_mode_name(STSP_MODE mode)
{
    switch (mode) {
    case STSP_NONE: return "none";
    case STSP_TESTING: return "testing";
    case STSP_ENFORCE: return "enforce";
    }
    return "unknown";
}

/* sts_policy_pattern_ok - "host.name" or "*.host.name", lower case LDH */
static int sts_policy_pattern_ok(const char *pat, size_t len)
{
    if (len > 2 && pat[0] == '*' && pat[1] == '.') {
	pat += 2;
	len -= 2;
    }
    return memchr(pat, '.', len) != 0 && key_is_ldh_domain(pat, len);
}

/* sts_policy_lower - ASCII lower case in place */
static void sts_policy_lower(char *str, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++)
	if (str[i] >= 'A' && str[i] <= 'Z')
	    str[i] = (char) (str[i] - 'A' + 'a');
}

/* sts_policy_max_age - 1 to 10 digits; clamp */
static int sts_policy_max_age(const char *val, size_t len, STSP *pol)
{
    long long age = 0;
    size_t  i;

    if (len < 1 || len > 10)
	return -1;
    for (i = 0; i < len; i++) {
	if (val[i] < '0' || val[i] > '9')
	    return -1;
	age = age * 10 + (val[i] - '0');
    }
    pol->clamped = age > STSP_MAX_AGE;
    pol->max_age = (long) (pol->clamped ? STSP_MAX_AGE : age);
    return 0;
}

/* sts_policy_mode - enforce, testing or none */
static int sts_policy_mode(const char *val, size_t len, STSP *pol)
{
    if (len == 7 && strncasecmp(val, "enforce", 7) == 0)
	pol->mode = STSP_ENFORCE;
    else if (len == 7 && strncasecmp(val, "testing", 7) == 0)
	pol->mode = STSP_TESTING;
    else if (len == 4 && strncasecmp(val, "none", 4) == 0)
	pol->mode = STSP_NONE;
    else
	return -1;
    return 0;
}

/* sts_policy_add_mx - one validated pattern */
static int sts_policy_add_mx(char *val, size_t len, STSP *pol)
{
    sts_policy_lower(val, len);
    if (!sts_policy_pattern_ok(val, len))
	return -1;
    if (pol->nmx < STSP_MAX_MX)
	pol->mx[pol->nmx++] = mem_strndup(val, len);
    return 0;
}

/* sts_policy_ignore_mx - note one unusable mx value (already log_safe()d) */
static void sts_policy_ignore_mx(STSP *pol, const char *safe)
{
    if (++pol->nbad <= STSP_MAX_NOTED)
	vstr_printf(pol->ignored, "%sbad mx pattern \"%s\" ignored",
		    pol->nbad > 1 ? "; " : "", safe);
    else if (pol->nbad == STSP_MAX_NOTED + 1)
	vstr_addstr(pol->ignored, "; more bad mx patterns ignored");
}

/* sts_policy_field - one "key: value" line; seen is a bit set */
static int sts_policy_field(char *line, size_t len, STSP *pol, int *seen, VSTR *why)
{
    char    safe[LOG_SAFE_SIZE];
    char   *colon = memchr(line, ':', len);
    char   *val;
    size_t  klen;
    size_t  vlen;

    if (colon == 0) {
	vstr_printf(why, "line without ':': \"%s\"", log_safe(safe, sizeof(safe), line, len));
	return -1;
    }
    klen = (size_t) (colon - line);
    for (val = colon + 1; val < line + len && (*val == ' ' || *val == '\t'); val++)
	 /* void */ ;
    vlen = (size_t) (line + len - val);
    while (vlen > 0 && (val[vlen - 1] == ' ' || val[vlen - 1] == '\t'))
	vlen--;
    log_safe(safe, sizeof(safe), val, vlen);
    if (klen == 7 && strncasecmp(line, "version", 7) == 0 && !(*seen & 1)) {
	*seen |= 1;
	if (vlen != 5 || strncasecmp(val, "STSv1", 5) != 0)
	    return vstr_printf(why, "unsupported version \"%s\"", safe), -1;
    } else if (klen == 4 && strncasecmp(line, "mode", 4) == 0 && !(*seen & 2)) {
	*seen |= 2;
	if (sts_policy_mode(val, vlen, pol) < 0)
	    return vstr_printf(why, "bad mode \"%s\"", safe), -1;
    } else if (klen == 7 && strncasecmp(line, "max_age", 7) == 0 && !(*seen & 4)) {
	*seen |= 4;
	if (sts_policy_max_age(val, vlen, pol) < 0)
	    return vstr_printf(why, "bad max_age \"%s\"", safe), -1;
    } else if (klen == 2 && strncasecmp(line, "mx", 2) == 0) {
	if (sts_policy_add_mx(val, vlen, pol) < 0)
	    return sts_policy_ignore_mx(pol, safe), 0;
    } else {
	return 0;			/* unknown or repeated key: ignored */
    }
    vstr_addmem(pol->lines, line, klen);
    vstr_addstr(pol->lines, ": ");
    vstr_addmem(pol->lines, val, vlen);
    vstr_addch(pol->lines, '\n');
    return 0;
}

/* sts_policy_check - required fields present */
static int sts_policy_check(const STSP *pol, int seen, VSTR *why)
{
    if (!(seen & 1))
	vstr_printf(why, "no version field");
    else if (!(seen & 2))
	vstr_printf(why, "no mode field");
    else if (!(seen & 4))
	vstr_printf(why, "no max_age field");
    else if (pol->mode != STSP_NONE && pol->nmx == 0)
	vstr_printf(why, "mode %s without any mx%s%s", sts_policy_mode_name(pol->mode),
		    pol->nbad ? ": " : "", vstr_str(pol->ignored));
    else
	return 0;
    return -1;
}

/* sts_policy_parse - the whole body */
int     sts_policy_parse(const char *body, size_t len, STSP *pol, VSTR *why)
{
    char   *copy;
    char   *cp;
    char   *end;
    int     seen = 0;
    int     ret = 0;

    if (len > STSP_MAX_BODY) {
	vstr_printf(why, "policy larger than %d bytes", STSP_MAX_BODY);
	return -1;
    }
    if (memchr(body, 0, len) != 0) {
	vstr_printf(why, "policy contains a NUL byte");
	return -1;
    }
    copy = mem_strndup(body, len);
    for (cp = copy; ret == 0 && *cp; cp = *end ? end + 1 : end) {
	size_t  llen;

	end = cp + strcspn(cp, "\n");
	llen = (size_t) (end - cp);
	if (llen > 0 && cp[llen - 1] == '\r')
	    llen--;
	if (llen > 0)
	    ret = sts_policy_field(cp, llen, pol, &seen, why);
    }
    mem_free(copy);
    if (ret == 0)
	ret = sts_policy_check(pol, seen, why);
    return ret;
}

/* sts_policy_seen_before - duplicate pattern check for the reply */
static int sts_policy_seen_before(const STSP *pol, int idx)
{
    int     i;

    for (i = 0; i < idx; i++)
	if (strcmp(pol->mx[i], pol->mx[idx]) == 0)
	    return 1;
    return 0;
}

/* sts_policy_reply - "secure match=... servername=hostname" */
void    sts_policy_reply(const STSP *pol, VSTR *out)
{
    int     i;
    int     n = 0;

    vstr_reset(out);
    vstr_addstr(out, "secure match=");
    for (i = 0; i < pol->nmx; i++) {
	const char *pat = pol->mx[i];

	if (sts_policy_seen_before(pol, i))
	    continue;
	if (n++ > 0)
	    vstr_addch(out, ':');
	vstr_addstr(out, pat[0] == '*' ? pat + 1 : pat);
    }
    vstr_addstr(out, " servername=hostname");
}

/* sts_policy_tlsrpt - append Postfix 3.10 TLSRPT attributes */
void    sts_policy_tlsrpt(const STSP *pol, const char *domain, VSTR *out)
{
    const char *cp;
    int     i;

    vstr_printf(out, " policy_type=sts policy_domain=%s", domain);
    for (i = 0; i < pol->nmx; i++)
	if (!sts_policy_seen_before(pol, i))
	    vstr_printf(out, " mx_host_pattern=%s", pol->mx[i]);
    for (cp = vstr_str(pol->lines); *cp; ) {
	size_t  llen = strcspn(cp, "\n");

	vstr_addstr(out, " { policy_string = ");
	vstr_addmem(out, cp, llen);
	vstr_addstr(out, " }");
	cp += llen + (cp[llen] ? 1 : 0);
    }
}
