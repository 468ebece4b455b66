/*++
 * NAME
 *	cfg 3
 * SUMMARY
 *	configuration file and -o overrides
 * SYNOPSIS
 *	#include "cfg.h"
 *
 *	CFG	*cfg_new(void)
 *
 *	void	cfg_free(CFG *cfg)
 *	int	cfg_load_file(CFG *cfg, const char *path, int must_exist,
 *				VSTR *err)
 *	int	cfg_load_buf(CFG *cfg, const char *origin, const char *buf,
 *				size_t len, VSTR *err)
 *	int	cfg_set_option(CFG *cfg, const char *name_eq_value, VSTR *err)
 *	void	cfg_print(const CFG *cfg, VSTR *out)
 *	void	cfg_origin(const CFG *cfg, VSTR *out)
 *
 *	int	cfg_clamp_ttl(const CFG *cfg, unsigned ttl)
 * DESCRIPTION
 *	The file uses Postfix main.cf syntax: "name = value" lines;
 *	lines whose first non-blank character is "#" are comments; a line
 *	that starts with white space continues the previous one. A "$" has
 *	no special meaning (there is no parameter expansion). A parameter
 *	given twice takes the last value, as in main.cf.
 *
 *	cfg_new() returns the built-in defaults. cfg_load_file() with
 *	must_exist == 0 accepts a missing file (the default path); it
 *	records the path and whether it was read (cfg->file, file_read).
 *	cfg_set_option() applies one "name=value" from the command line,
 *	as Postfix administrators write them in master.cf argv=.
 *
 *	cfg_print() writes what -p shows: a comment line that names the
 *	file read ("# /etc/tlspolicyd/tlspolicyd.cf", or "# built-in
 *	defaults (FILE not found)"), then "name = value" for every
 *	parameter. cfg_origin() appends that origin without "# ".
 * DIAGNOSTICS
 *	Each function returns 0 on success and -1 with a message in err
 *	that names the file and line (or the -o option) and the problem:
 *	unknown names, bad values, out-of-range times, syntax errors.
 *--*/
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cfg.h"
#include "dns.h"
#include "lines.h"
#include "log.h"
#include "mem.h"

#define CFG_MAX_FILE	((size_t) 1024 * 1024)	/* a config file is small */

typedef enum { CT_STR, CT_TIME, CT_BOOL, CT_CHOICE, CT_RESOLVER, CT_INT } CFG_TYPE;

typedef struct CFG_PARAM {
    const char *name;
    CFG_TYPE type;
    size_t  offset;
    const char *def;
    long long min;			/* CT_TIME (seconds) and CT_INT bounds */
    long long max;
    const char *const *words;		/* CT_CHOICE: value i is words[i] */
} CFG_PARAM;

/* the words of the CT_CHOICE parameters, in the order of their enums */
static const char *const cfg_testing_words[] = {"ignore", "enforce", 0};
static const char *const cfg_log_lookups_words[] = {"changes", "all", 0};

/*
 * A parameter is named after its CFG field. Times and numbers have
 * bounds; a choice has its words; strings, booleans and dns_resolver
 * have none.
 */
#define CFG_P(field, type, def) \
	{#field, type, offsetof(CFG, field), def, 0, 0, 0}
#define CFG_RANGE(field, type, def, min, max) \
	{#field, type, offsetof(CFG, field), def, min, max, 0}
#define CFG_CHOICE(field, def, words) \
	{#field, CT_CHOICE, offsetof(CFG, field), def, 0, 0, words}

static const CFG_PARAM cfg_params[] = {
    CFG_P(dns_resolver, CT_RESOLVER, "127.0.0.1:53"),
    CFG_RANGE(dns_timeout, CT_TIME, "2s", 1, 60),
    CFG_RANGE(dns_deadline, CT_TIME, "10s", 1, 90),
    CFG_P(cache_file, CT_STR, LOCALSTATEDIR "/lib/tlspolicyd/cache.db"),
    CFG_RANGE(cache_min_ttl, CT_TIME, "60s", 0, 86400),
    CFG_RANGE(cache_max_ttl, CT_TIME, "1d", 1, 31557600),
    CFG_RANGE(cache_busy_timeout, CT_TIME, "2s", 0, 60),
    CFG_RANGE(cache_max_entries, CT_INT, "100000", 100, 100000000),
    CFG_P(mtasts_ca_file, CT_STR, ""),
    CFG_RANGE(mtasts_fetch_timeout, CT_TIME, "10s", 1, 90),
    CFG_CHOICE(mtasts_testing, "ignore", cfg_testing_words),
    CFG_P(tlsrpt, CT_BOOL, "no"),
    CFG_P(policy_overrides, CT_STR, ""),
    CFG_P(log_file, CT_STR, ""),
    CFG_CHOICE(log_lookups, "changes", cfg_log_lookups_words),
    CFG_RANGE(idle_timeout, CT_TIME, "600s", 1, 86400),
    CFG_P(verbose, CT_BOOL, "no"),
    CFG_P(user, CT_STR, "tlspolicy"),
    {0, 0, 0, 0, 0, 0, 0},
};

/* cfg_find - parameter by name */
static const CFG_PARAM *cfg_find(const char *name, size_t len)
{
    const CFG_PARAM *p;

    for (p = cfg_params; p->name; p++)
	if (strlen(p->name) == len && memcmp(p->name, name, len) == 0)
	    return p;
    return 0;
}

/* cfg_parse_time - "30", "30s", "5m", "2h", "1d", "1w" to seconds */
static int cfg_parse_time(const char *str, long long *secs)
{
    long long val = 0;
    long long unit = 1;
    const char *cp = str;

    if (!isdigit((unsigned char) *cp))
	return -1;
    for (; isdigit((unsigned char) *cp); cp++) {
	if (val > (LLONG_MAX - 9) / 10)
	    return -1;
	val = val * 10 + (*cp - '0');
    }
    switch (*cp) {
    case 0: break;
    case 's': unit = 1; cp++; break;
    case 'm': unit = 60; cp++; break;
    case 'h': unit = 3600; cp++; break;
    case 'd': unit = 86400; cp++; break;
    case 'w': unit = 604800; cp++; break;
    default: return -1;
    }
    if (*cp != 0 || val > LLONG_MAX / unit)
	return -1;
    *secs = val * unit;
    return 0;
}

/* cfg_parse_bool - yes/no, as in main.cf */
static int cfg_parse_bool(const char *value, int *out)
{
    if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0)
	*out = 1;
    else if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0)
	*out = 0;
    else
	return -1;
    return 0;
}

/* cfg_assign_resolver - dns.c's parser; its canonical form is stored */
static int cfg_assign_resolver(CFG *cfg, const CFG_PARAM *p, const char *value,
			               VSTR *why)
{
    char  **slot = (char **) ((char *) cfg + p->offset);
    VSTR   *csv = vstr_new(64);
    VSTR   *err = vstr_new(64);
    int     ret = -1;

    if (dns_servers_parse(value, csv, err) < 0) {
	vstr_printf(why, "%s: expected at most %d IP addresses with optional"
		    " ports (127.0.0.1:53, [::1]:53)", vstr_str(err),
		    DNS_MAX_SERVERS);
    } else {
	mem_free(*slot);
	*slot = mem_strdup(vstr_str(csv));
	ret = 0;
    }
    vstr_free(csv);
    vstr_free(err);
    return ret;
}

/* cfg_assign_choice - one of the words: its index; -1 with the words */
static int cfg_assign_choice(int *slot, const char *const *words,
			             const char *value, VSTR *why)
{
    int     i;

    for (i = 0; words[i]; i++) {
	if (strcmp(value, words[i]) == 0) {
	    *slot = i;
	    return 0;
	}
    }
    vstr_printf(why, "expected");
    for (i = 0; words[i]; i++)
	vstr_printf(why, "%s %s", i == 0 ? "" : words[i + 1] ? "," : " or",
		    words[i]);
    return -1;
}

/* cfg_assign - validate and store one value; -1 with a reason */
static int cfg_assign(CFG *cfg, const CFG_PARAM *p, const char *value,
		              VSTR *why)
{
    char   *base = (char *) cfg;
    long long secs;

    switch (p->type) {
    case CT_RESOLVER:
	return cfg_assign_resolver(cfg, p, value, why);
    case CT_STR:
	mem_free(*(char **) (base + p->offset));
	*(char **) (base + p->offset) = mem_strdup(value);
	return 0;
    case CT_TIME:
	if (cfg_parse_time(value, &secs) < 0) {
	    vstr_printf(why, "expected a time such as 30s, 5m, 1h, 1d");
	    return -1;
	}
	if (secs < p->min || secs > p->max) {
	    vstr_printf(why, "must be between %llds and %llds", p->min, p->max);
	    return -1;
	}
	*(int *) (base + p->offset) = (int) secs;
	return 0;
    case CT_INT:
	if (cfg_parse_time(value, &secs) < 0 || value[strlen(value) - 1] > '9'
	    || secs < p->min || secs > p->max) {
	    vstr_printf(why, "expected a number from %lld to %lld", p->min, p->max);
	    return -1;
	}
	*(int *) (base + p->offset) = (int) secs;
	return 0;
    case CT_BOOL:
	if (cfg_parse_bool(value, (int *) (base + p->offset)) < 0) {
	    vstr_printf(why, "expected yes or no");
	    return -1;
	}
	return 0;
    case CT_CHOICE:
	return cfg_assign_choice((int *) (base + p->offset), p->words, value, why);
    }
    log_panic("cfg_assign: unknown type %d", (int) p->type);
}

/* cfg_new - built-in defaults */
CFG    *cfg_new(void)
{
    CFG    *cfg = mem_calloc(1, sizeof(*cfg));
    const CFG_PARAM *p;
    VSTR   *why = vstr_new(64);

    for (p = cfg_params; p->name; p++)
	if (cfg_assign(cfg, p, p->def, why) < 0)
	    log_panic("bad built-in default %s = %s", p->name, p->def);
    vstr_free(why);
    return cfg;
}

/* cfg_free - destroy */
void cfg_free(CFG *cfg)
{
    const CFG_PARAM *p;

    if (cfg == 0)
	return;
    for (p = cfg_params; p->name; p++)
	if (p->type == CT_STR || p->type == CT_RESOLVER)
	    mem_free(*(char **) ((char *) cfg + p->offset));
    mem_free(cfg->file);
    mem_free(cfg);
}

/* cfg_set - name and value already split; where says who asked */
static int cfg_set(CFG *cfg, const char *name, size_t nlen,
		           const char *value, const char *where, VSTR *err)
{
    const CFG_PARAM *p = cfg_find(name, nlen);
    char    safe[LOG_SAFE_SIZE];
    VSTR   *why;

    if (p == 0) {
	vstr_printf(err, "%s: unknown parameter \"%s\"", where,
		    log_safe(safe, sizeof(safe), name, nlen));
	return -1;
    }
    why = vstr_new(64);
    if (cfg_assign(cfg, p, value, why) < 0) {
	vstr_printf(err, "%s: bad value for %s: \"%s\": %s", where, p->name,
		    log_safe(safe, sizeof(safe), value, strlen(value)),
		    vstr_str(why));
	vstr_free(why);
	return -1;
    }
    vstr_free(why);
    return 0;
}

/* cfg_trim - strip blanks at both ends, in place */
static char *cfg_trim(char *str)
{
    char   *end;

    while (*str == ' ' || *str == '\t')
	str++;
    end = str + strlen(str);
    while (end > str && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
	*--end = 0;
    return str;
}

/* cfg_logical_line - apply one joined "name = value" line */
static int cfg_logical_line(CFG *cfg, char *line, const char *origin,
			            int lineno, VSTR *err)
{
    char    where[600];
    char   *eq;
    char   *name;
    size_t  nlen;

    (void) snprintf(where, sizeof(where), "%s, line %d", origin, lineno);
    name = cfg_trim(line);
    if ((eq = strchr(name, '=')) == 0) {
	char    safe[LOG_SAFE_SIZE];

	vstr_printf(err, "%s: missing '=' after parameter name in \"%s\"",
		    where, log_safe(safe, sizeof(safe), name, strlen(name)));
	return -1;
    }
    *eq = 0;
    nlen = strlen(cfg_trim(name));
    if (nlen == 0) {
	vstr_printf(err, "%s: missing parameter name before '='", where);
	return -1;
    }
    return cfg_set(cfg, name, nlen, cfg_trim(eq + 1), where, err);
}

typedef struct CFG_LOAD {
    CFG    *cfg;
    const char *origin;
} CFG_LOAD;

/* cfg_line - LINES_FN for one "name = value" line */
static int cfg_line(void *ctx, char *line, int lineno, VSTR *err)
{
    CFG_LOAD *load = ctx;

    return cfg_logical_line(load->cfg, line, load->origin, lineno, err);
}

/* cfg_load_buf - parse a whole buffer */
int     cfg_load_buf(CFG *cfg, const char *origin, const char *buf,
		             size_t len, VSTR *err)
{
    CFG_LOAD load;

    load.cfg = cfg;
    load.origin = origin;
    return lines_parse(origin, buf, len, cfg_line, &load, err);
}

/* cfg_load_file - parse a file; a missing optional file is fine */
int     cfg_load_file(CFG *cfg, const char *path, int must_exist, VSTR *err)
{
    size_t  len;
    char   *buf;
    int     ret;

    mem_free(cfg->file);
    cfg->file = mem_strdup(path);
    cfg->file_read = 0;
    if (!must_exist && access(path, F_OK) < 0 && errno == ENOENT)
	return 0;
    if ((buf = lines_read_file(path, CFG_MAX_FILE, &len, err)) == 0)
	return -1;
    cfg->file_read = 1;
    ret = cfg_load_buf(cfg, path, buf, len, err);
    mem_free(buf);
    return ret;
}

/* cfg_set_option - one -o name=value */
int     cfg_set_option(CFG *cfg, const char *arg, VSTR *err)
{
    const char *eq = strchr(arg, '=');
    char    where[LOG_SAFE_SIZE + 8];
    char    safe[LOG_SAFE_SIZE];
    const char *name = arg;
    size_t  nlen;

    (void) snprintf(where, sizeof(where), "-o %s",
		    log_safe(safe, sizeof(safe), arg, strlen(arg)));
    if (eq == 0) {
	vstr_printf(err, "%s: expected name=value", where);
	return -1;
    }
    while (*name == ' ')
	name++;
    nlen = (size_t) (eq - name);
    while (nlen > 0 && name[nlen - 1] == ' ')
	nlen--;
    eq++;
    while (*eq == ' ')
	eq++;
    return cfg_set(cfg, name, nlen, eq, where, err);
}

/* cfg_origin - the file read, or "built-in defaults (FILE not found)" */
void    cfg_origin(const CFG *cfg, VSTR *out)
{
    if (cfg->file == 0)
	vstr_printf(out, "built-in defaults");
    else if (cfg->file_read)
	vstr_printf(out, "%s", cfg->file);
    else
	vstr_printf(out, "built-in defaults (%s not found)", cfg->file);
}

/* cfg_print - the origin, then "name = value" for every parameter */
void cfg_print(const CFG *cfg, VSTR *out)
{
    const CFG_PARAM *p;
    const char *base = (const char *) cfg;

    vstr_printf(out, "# ");
    cfg_origin(cfg, out);
    vstr_printf(out, "\n");
    for (p = cfg_params; p->name; p++) {
	int     ival = *(const int *) (base + p->offset);

	switch (p->type) {
	case CT_STR:
	case CT_RESOLVER:
	    vstr_printf(out, "%s = %s\n", p->name,
			*(char *const *) (base + p->offset));
	    break;
	case CT_TIME:
	    vstr_printf(out, "%s = %ds\n", p->name, ival);
	    break;
	case CT_INT:
	    vstr_printf(out, "%s = %d\n", p->name, ival);
	    break;
	case CT_BOOL:
	    vstr_printf(out, "%s = %s\n", p->name, ival ? "yes" : "no");
	    break;
	case CT_CHOICE:
	    vstr_printf(out, "%s = %s\n", p->name, p->words[ival]);
	    break;
	}
    }
}

/* cfg_clamp_ttl - a cache lifetime within cache_min_ttl..cache_max_ttl */
int     cfg_clamp_ttl(const CFG *cfg, unsigned ttl)
{
    if (ttl < (unsigned) cfg->cache_min_ttl)
	return cfg->cache_min_ttl;
    if (ttl > (unsigned) cfg->cache_max_ttl)
	return cfg->cache_max_ttl;
    return (int) ttl;
}
