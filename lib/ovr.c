/*++
 * NAME
 *	ovr 3
 * SUMMARY
 *	local policy overrides (policy_overrides = /path)
 * SYNOPSIS
 *	#include "ovr.h"
 *
 *	OVR	*ovr_load_file(const char *path, VSTR *err)
 *	OVR	*ovr_load_buf(const char *origin, const char *buf,
 *				size_t len, VSTR *err)
 *	const char *ovr_lookup(const OVR *ovr, const char *domain,
 *				const char **matched)
 *	void	ovr_free(OVR *ovr)
 *
 *	size_t	ovr_count(const OVR *ovr)
 *
 *	int	ovr_policy_word_ok(const char *word, size_t len)
 *
 *	int	ovr_postfix_ok(const char *text)
 * DESCRIPTION
 *	Each logical line (comments, blank lines and continuation lines as
 *	in main.cf) reads
 *
 *	    domain policy [name=value ...]
 *
 *	where domain is a host name ("partner.example") or a host name with
 *	a leading dot (".example.com", which matches every subdomain of
 *	example.com but not example.com itself), and policy is one of the
 *	Postfix TLS security levels none, may, encrypt, dane, dane-only,
 *	fingerprint, verify or secure. The attributes are the ones Postfix
 *	accepts in smtp_tls_policy_maps (ciphers, exclude, match,
 *	protocols, servername, tafile, connection_reuse, enable_rpk); a
 *	value may not contain white space, ',', '{' or '}'. Postfix splits
 *	policy text at white space and ',' and groups "{ ... }" into one
 *	attribute (mystrtokq() with CHARS_COMMA_SP and CHARS_BRACE), so any
 *	of those characters would hand Postfix attributes this table never
 *	checked; they are rejected at load. Each accepted policy text is
 *	split again as Postfix splits it and every resulting attribute is
 *	checked against the allow-list (ovr_postfix_ok()).
 *
 *	ovr_lookup() tries the exact domain first, then ".parent" entries
 *	from the nearest parent up. It returns the policy text (policy
 *	word and attributes separated by single spaces) or NULL; matched
 *	gets the entry's key. ovr_count() is the number of entries.
 *
 *	ovr_policy_word_ok() tells whether word[0..len) is a Postfix TLS
 *	security level. ovr_postfix_ok() splits text as Postfix's
 *	smtp_tls_policy_maps reader does and tells whether the first token
 *	is a level and every other one an allowed name=value without braces.
 * DIAGNOSTICS
 *	ovr_load_*() return NULL with a message naming file and line for
 *	an unknown policy word, a bad domain, a bad attribute, a ',', '{'
 *	or '}' in the policy, a duplicate domain or an over-long line.
 *--*/
#include <stdlib.h>
#include <string.h>

#include "key.h"
#include "lines.h"
#include "log.h"
#include "mem.h"
#include "ovr.h"

#define OVR_MAX_FILE	((size_t) 16 * 1024 * 1024)
#define OVR_PF_SEP	", \t\r\n"		/* Postfix CHARS_COMMA_SP */
#define OVR_PF_BRACES	"{}"			/* Postfix CHARS_BRACE */

typedef struct OVR_ENTRY {
    char   *key;			/* "a.example" or ".example" */
    char   *policy;			/* "encrypt protocols=>=TLSv1.2" */
    int     lineno;
} OVR_ENTRY;

struct OVR {
    OVR_ENTRY *entries;			/* sorted by key */
    size_t  count;
};

static const char *const ovr_levels[] = {
    "none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify",
    "secure", 0,
};

static const char *const ovr_attrs[] = {
    "ciphers", "exclude", "match", "protocols", "servername", "tafile",
    "connection_reuse", "enable_rpk", 0,
};

/* ovr_in_list - exact word in a NULL-terminated list */
static int ovr_in_list(const char *const *list, const char *word, size_t len)
{
    for (; *list; list++)
	if (strlen(*list) == len && memcmp(*list, word, len) == 0)
	    return 1;
    return 0;
}

/* ovr_policy_word_ok - is this a Postfix TLS security level? */
int     ovr_policy_word_ok(const char *word, size_t len)
{
    return ovr_in_list(ovr_levels, word, len);
}

/* ovr_check_attr - name=value with a known name and a non-empty value */
static int ovr_check_attr(const char *tok, size_t len)
{
    const char *eq = memchr(tok, '=', len);
    size_t  i;

    if (eq == 0 || eq == tok || eq + 1 == tok + len)
	return 0;
    for (i = 0; i < len; i++)
	if ((unsigned char) tok[i] <= 0x20 || (unsigned char) tok[i] >= 0x7f)
	    return 0;
    return ovr_in_list(ovr_attrs, tok, (size_t) (eq - tok));
}

/* ovr_check_domain - "name" or ".name", lower case LDH */
static int ovr_check_domain(char *tok, size_t len)
{
    size_t  i;

    for (i = 0; i < len; i++)
	if (tok[i] >= 'A' && tok[i] <= 'Z')
	    tok[i] = (char) (tok[i] - 'A' + 'a');
    if (len > 1 && tok[len - 1] == '.')
	tok[--len] = 0;
    if (len > 0 && tok[0] == '.')
	return key_is_ldh_domain(tok + 1, len - 1);
    return key_is_ldh_domain(tok, len);
}

/* ovr_check_token - the ntok-th white-space token; "" or a reason */
static void ovr_check_token(char *tok, size_t len, int ntok, VSTR *why)
{
    char    safe[LOG_SAFE_SIZE];

    log_safe(safe, sizeof(safe), tok, len);
    if (ntok == 0 && !ovr_check_domain(tok, len)) {
	vstr_printf(why, "\"%s\" is not a domain or .domain", safe);
    } else if (ntok > 0 && strpbrk(tok, OVR_PF_SEP OVR_PF_BRACES) != 0) {
	vstr_printf(why, "\"%s\": Postfix splits policy text at ',' and"
		    " groups '{ }', which would add attributes past the"
		    " allow-list (write each name=value on its own, separated"
		    " by spaces)", safe);
    } else if (ntok == 1 && !ovr_policy_word_ok(tok, len)) {
	vstr_printf(why, "unknown policy \"%s\" (expected none, may,"
		    " encrypt, dane, dane-only, fingerprint, verify or"
		    " secure)", safe);
    } else if (ntok > 1 && !ovr_check_attr(tok, len)) {
	vstr_printf(why, "bad attribute \"%s\" (expected name=value with"
		    " name ciphers, exclude, match, protocols,"
		    " servername, tafile, connection_reuse or"
		    " enable_rpk)", safe);
    }
}

/* ovr_pf_token - next token as Postfix's mystrtokq(", \t\r\n", "{}") */
static const char *ovr_pf_token(const char **cp, size_t *len)
{
    const char *start = *cp + strspn(*cp, OVR_PF_SEP);
    const char *end;
    int     level = 0;

    if (*start == 0)
	return 0;
    for (end = start; *end; end++) {
	if (*end == '{')
	    level++;
	else if (level > 0 && *end == '}')
	    level--;
	else if (level == 0 && strchr(OVR_PF_SEP, *end) != 0)
	    break;
    }
    *len = (size_t) (end - start);
    *cp = end;
    return start;
}

/* ovr_postfix_ok - Postfix splits text into our tokens, each allowed */
int     ovr_postfix_ok(const char *text)
{
    const char *cp = text;
    const char *tok;
    size_t  len;
    int     ntok;

    for (ntok = 0; (tok = ovr_pf_token(&cp, &len)) != 0; ntok++) {
	if (ntok == 0 && tok != text)
	    return 0;			/* no leading separator */
	if (memchr(tok, '{', len) != 0 || memchr(tok, '}', len) != 0)
	    return 0;
	if (ntok == 0 ? !ovr_policy_word_ok(tok, len) : !ovr_check_attr(tok, len))
	    return 0;
	if (*cp != 0 && (*cp != ' ' || cp[1] == 0
			 || strchr(OVR_PF_SEP, cp[1]) != 0))
	    return 0;			/* one space between tokens, no more */
    }
    return ntok > 0;
}

/* ovr_parse_line - one logical line into an entry; -1 with a reason */
static int ovr_parse_line(char *line, OVR_ENTRY *ent, VSTR *why)
{
    VSTR   *text = vstr_new(64);
    char   *save = 0;
    char   *tok;
    int     ntok = 0;

    for (tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(0, " \t", &save)) {
	ovr_check_token(tok, strlen(tok), ntok, why);
	if (vstr_len(why) > 0)
	    break;
	if (ntok == 0) {
	    ent->key = mem_strdup(tok);
	} else {
	    if (ntok > 1)
		vstr_addch(text, ' ');
	    vstr_addstr(text, tok);
	}
	ntok++;
    }
    if (vstr_len(why) == 0 && ntok < 2)
	vstr_printf(why, "expected \"domain policy [name=value...]\"");
    if (vstr_len(why) == 0 && vstr_len(text) > OVR_MAX_POLICY)
	vstr_printf(why, "policy longer than %d bytes", OVR_MAX_POLICY);
    if (vstr_len(why) == 0 && !ovr_postfix_ok(vstr_str(text)))
	vstr_printf(why, "policy text does not split into allowed"
		    " attributes the way Postfix splits it");
    if (vstr_len(why) > 0) {
	mem_free(ent->key);
	vstr_free(text);
	return -1;
    }
    ent->policy = vstr_export(text);
    return 0;
}

/* ovr_cmp - order entries by key */
static int ovr_cmp(const void *a, const void *b)
{
    return strcmp(((const OVR_ENTRY *) a)->key, ((const OVR_ENTRY *) b)->key);
}

/* ovr_find_duplicate - sorted table: report the first duplicate */
static int ovr_find_duplicate(const OVR *ovr, const char *origin, VSTR *err)
{
    size_t  i;

    for (i = 1; i < ovr->count; i++) {
	const OVR_ENTRY *a = ovr->entries + i - 1;
	const OVR_ENTRY *b = ovr->entries + i;

	if (strcmp(a->key, b->key) == 0) {
	    vstr_printf(err, "%s, line %d: duplicate entry for %s (first at"
			" line %d)", origin,
			a->lineno > b->lineno ? a->lineno : b->lineno, a->key,
			a->lineno < b->lineno ? a->lineno : b->lineno);
	    return -1;
	}
    }
    return 0;
}

typedef struct OVR_LOAD {
    OVR    *ovr;
    size_t  cap;			/* entries allocated */
    const char *origin;
} OVR_LOAD;

/* ovr_add - LINES_FN: append one parsed line */
static int ovr_add(void *ctx, char *line, int lineno, VSTR *err)
{
    OVR_LOAD *load = ctx;
    OVR    *ovr = load->ovr;
    OVR_ENTRY ent = {0, 0, lineno};
    VSTR   *why = vstr_new(64);

    if (ovr_parse_line(line, &ent, why) < 0) {
	vstr_printf(err, "%s, line %d: %s", load->origin, lineno, vstr_str(why));
	vstr_free(why);
	return -1;
    }
    vstr_free(why);
    if (ovr->count == load->cap) {
	load->cap = load->cap ? load->cap * 2 : 16;
	ovr->entries = mem_realloc(ovr->entries, load->cap * sizeof(OVR_ENTRY));
    }
    ovr->entries[ovr->count++] = ent;
    return 0;
}

/* ovr_load_buf - parse a table held in memory */
OVR    *ovr_load_buf(const char *origin, const char *buf, size_t len,
		             VSTR *err)
{
    OVR_LOAD load;
    int     ret;

    load.ovr = mem_calloc(1, sizeof(OVR));
    load.cap = 0;
    load.origin = origin;
    ret = lines_parse(origin, buf, len, ovr_add, &load, err);
    if (ret == 0 && load.ovr->count > 1) {
	qsort(load.ovr->entries, load.ovr->count, sizeof(OVR_ENTRY), ovr_cmp);
	ret = ovr_find_duplicate(load.ovr, origin, err);
    }
    if (ret < 0) {
	ovr_free(load.ovr);
	return 0;
    }
    return load.ovr;
}

/* ovr_load_file - parse a table file */
OVR    *ovr_load_file(const char *path, VSTR *err)
{
    size_t  len;
    char   *buf = lines_read_file(path, OVR_MAX_FILE, &len, err);
    OVR    *ovr;

    if (buf == 0)
	return 0;
    ovr = ovr_load_buf(path, buf, len, err);
    mem_free(buf);
    return ovr;
}

/* ovr_find - exact key */
static const OVR_ENTRY *ovr_find(const OVR *ovr, const char *key)
{
    OVR_ENTRY probe = {0};

    probe.key = (char *) key;
    return bsearch(&probe, ovr->entries, ovr->count, sizeof(OVR_ENTRY), ovr_cmp);
}

/* ovr_lookup - exact domain, then .parent entries nearest first */
const char *ovr_lookup(const OVR *ovr, const char *domain, const char **matched)
{
    const OVR_ENTRY *ent;
    const char *dot;

    if (ovr == 0 || ovr->count == 0)
	return 0;
    if ((ent = ovr_find(ovr, domain)) == 0) {
	for (dot = strchr(domain, '.'); dot; dot = strchr(dot + 1, '.'))
	    if ((ent = ovr_find(ovr, dot)) != 0)
		break;
    }
    if (ent == 0)
	return 0;
    if (matched)
	*matched = ent->key;
    return ent->policy;
}

/* ovr_count - number of entries */
size_t  ovr_count(const OVR *ovr)
{
    return ovr ? ovr->count : 0;
}

/* ovr_free - destroy */
void    ovr_free(OVR *ovr)
{
    size_t  i;

    if (ovr == 0)
	return;
    for (i = 0; i < ovr->count; i++) {
	mem_free(ovr->entries[i].key);
	mem_free(ovr->entries[i].policy);
    }
    mem_free(ovr->entries);
    mem_free(ovr);
}
