/* pfsplit.h - split policy text the way Postfix does, for the tests */
#ifndef TP_PFSPLIT_H
#define TP_PFSPLIT_H

/*
 * A second, independent reading of smtp_tls_policy_maps text, after
 * Postfix's smtp_tls_policy.c: the level is mystrtok(", \t\r\n"), each
 * attribute mystrtokq(", \t\r\n", "{}"), a "{ ... }" token loses its
 * braces and outer white space (extpar), then split_nameval() cuts
 * name=value and trims both; names compare case-insensitively.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#define PF_SEP	", \t\r\n"
#define PF_MAX_TEXT 4096

/* Postfix's security levels and policy attributes, each word between blanks */
#define PF_LEVELS " none may encrypt dane dane-only fingerprint verify secure "
#define PF_ATTRS " ciphers exclude match protocols servername tafile" \
		 " connection_reuse enable_rpk "

/* pf_in - case-insensitive: is word one of the blank-separated list? */
static inline int pf_in(const char *list, const char *word)
{
    size_t  len = strlen(word);
    const char *cp;

    if (len == 0 || strchr(word, ' '))
	return 0;
    for (cp = list; (cp = strchr(cp, ' ')) != 0 && cp[1]; cp++)
	if (strncasecmp(cp + 1, word, len) == 0 && cp[len + 1] == ' ')
	    return 1;
    return 0;
}

/* pf_tokq - mystrtokq(): a separator ends a token only outside braces */
static inline char *pf_tokq(char **src, int braces)
{
    char   *cp = *src + strspn(*src, PF_SEP);
    char   *start = cp;
    int     level = 0;

    if (*cp == 0)
	return 0;
    for (; *cp; cp++) {
	if (braces && *cp == '{')
	    level++;
	else if (braces && level > 0 && *cp == '}')
	    level--;
	else if (level == 0 && strchr(PF_SEP, *cp)) {
	    *cp++ = 0;
	    break;
	}
    }
    *src = cp;
    return start;
}

/* pf_trim - strip white space at both ends, in place */
static inline char *pf_trim(char *s)
{
    char   *e;

    while (isspace((unsigned char) *s))
	s++;
    for (e = s + strlen(s); e > s && isspace((unsigned char) e[-1]); e--)
	 /* void */ ;
    *e = 0;
    return s;
}

/*
 * pf_split - how many attributes Postfix reads from text, or -1 when it
 * would read a level or an attribute name outside the allow-lists, a
 * malformed pair, or an unbalanced brace group.
 */
static inline int pf_split(const char *text)
{
    char    buf[PF_MAX_TEXT + 1];
    char   *cp = buf;
    char   *tok;
    char   *eq;
    int     n = 0;

    size_t  tlen = strlen(text);

    if (tlen > PF_MAX_TEXT)
	return -1;
    memcpy(buf, text, tlen + 1);
    if ((tok = pf_tokq(&cp, 0)) == 0 || !pf_in(PF_LEVELS, tok))
	return -1;
    while ((tok = pf_tokq(&cp, 1)) != 0) {
	if (*tok == '{') {
	    size_t  len = strlen(tok);

	    if (len < 2 || tok[len - 1] != '}')
		return -1;
	    tok[len - 1] = 0;
	    tok++;
	}
	if ((eq = strchr(tok, '=')) == 0)
	    return -1;
	*eq = 0;
	if (!pf_in(PF_ATTRS, pf_trim(tok)) || *pf_trim(eq + 1) == 0)
	    return -1;
	n++;
    }
    return n;
}

/* pf_words - white-space separated words after the first */
static inline int pf_words(const char *text)
{
    int     n = -1;

    while (*text) {
	text += strspn(text, " ");
	if (*text == 0)
	    break;
	n++;
	text += strcspn(text, " ");
    }
    return n;
}

#endif
