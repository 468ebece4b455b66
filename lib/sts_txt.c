/*++
 * NAME
 *	sts_txt 3
 * SUMMARY
 *	choose and parse the _mta-sts TXT record
 * SYNOPSIS
 *	#include "sts_txt.h"
 *
 *	STSTXT_STATUS sts_txt_select(const char *const *recs,
 *				const size_t *lens, int nrec, char *id,
 *				VSTR *why)
 *
 * DESCRIPTION
 *	Each TXT record is given with its character-strings already
 *	concatenated. Records that do not start with "v=STSv1;" are
 *	discarded (RFC 8461 3.1), such as SPF records, but also "v=STSv1"
 *	alone and "v=STSv1 id=..." without the ";" delimiter; the blanks
 *	the ABNF allows around it ("v=STSv1 ; id=...") are accepted.
 *	Exactly one must remain (RFC 8461 3.1: otherwise the domain has no
 *	available policy).
 *
 *	sts_txt_is_sts() tells whether a record is an MTA-STS record by
 *	that rule.
 *
 *	sts_txt_parse() checks the record: fields separated by ";" with
 *	optional blanks, the first being v=STSv1; an id of 1-32 letters
 *	and digits is required; extension fields must be
 *	name=value with a name of letters, digits, "_", "-", "." (at most
 *	32 characters) and a value of printable characters other than
 *	";", "=" and space. id (STSTXT_MAX_ID + 1 bytes) receives the id.
 * DIAGNOSTICS
 *	Reasons are left in why; untrusted text is logged safely.
 *--*/
#include <ctype.h>
#include <string.h>

#include "log.h"
#include "sts_txt.h"

/* sts_txt_skip_ws - blanks */
static size_t sts_txt_skip_ws(const char *rec, size_t pos, size_t len)
{
    while (pos < len && (rec[pos] == ' ' || rec[pos] == '\t'))
	pos++;
    return pos;
}

/* sts_txt_is_sts - "v=STSv1" then the ";" delimiter (blanks allowed) */
static int sts_txt_is_sts(const char *rec, size_t len)
{
    size_t  pos;

    if (len < 7 || memcmp(rec, "v=STSv1", 7) != 0)
	return 0;
    pos = sts_txt_skip_ws(rec, 7, len);
    return pos < len && rec[pos] == ';';
}

/* sts_txt_name_ok - extension name */
static int sts_txt_name_ok(const char *name, size_t len)
{
    size_t  i;

    if (len < 1 || len > 32 || !isalnum((unsigned char) name[0]))
	return 0;
    for (i = 1; i < len; i++)
	if (!isalnum((unsigned char) name[i]) && strchr("_-.", name[i]) == 0)
	    return 0;
    return 1;
}

/* sts_txt_value_ok - extension value: %x21-3A / %x3C / %x3E-7E */
static int sts_txt_value_ok(const char *val, size_t len)
{
    size_t  i;

    if (len < 1)
	return 0;
    for (i = 0; i < len; i++) {
	unsigned char ch = (unsigned char) val[i];

	if (ch < 0x21 || ch > 0x7e || ch == ';' || ch == '=')
	    return 0;
    }
    return 1;
}

/* sts_txt_id_ok - 1*32(ALPHA / DIGIT) */
static int sts_txt_id_ok(const char *val, size_t len)
{
    size_t  i;

    if (len < 1 || len > STSTXT_MAX_ID)
	return 0;
    for (i = 0; i < len; i++)
	if (!isalnum((unsigned char) val[i]))
	    return 0;
    return 1;
}

/* sts_txt_field - one "name=value"; 0 ok, -1 bad */
static int sts_txt_field(const char *f, size_t len, char *id, int *have_id)
{
    const char *eq = memchr(f, '=', len);
    size_t  nlen;
    size_t  vlen;

    while (len > 0 && (f[len - 1] == ' ' || f[len - 1] == '\t'))
	len--;
    if (eq == 0 || eq >= f + len)
	return -1;
    nlen = (size_t) (eq - f);
    vlen = len - nlen - 1;
    if (nlen == 2 && memcmp(f, "id", 2) == 0) {
	if (*have_id || !sts_txt_id_ok(eq + 1, vlen))
	    return -1;
	memcpy(id, eq + 1, vlen);
	id[vlen] = 0;
	*have_id = 1;
	return 0;
    }
    return sts_txt_name_ok(f, nlen) && sts_txt_value_ok(eq + 1, vlen) ? 0 : -1;
}

/* sts_txt_parse - validate the one record, extract id */
static int sts_txt_parse(const char *rec, size_t len, char *id, VSTR *why)
{
    char    safe[LOG_SAFE_SIZE];
    size_t  pos;
    int     have_id = 0;

    if (!sts_txt_is_sts(rec, len)) {
	vstr_printf(why, "not an MTA-STS record");
	return -1;
    }
    for (pos = 7; pos < len;) {
	size_t  end;

	pos = sts_txt_skip_ws(rec, pos, len);
	if (pos < len && rec[pos] == ';')
	    pos = sts_txt_skip_ws(rec, pos + 1, len);
	if (pos >= len)
	    break;
	for (end = pos; end < len && rec[end] != ';'; end++)
	     /* void */ ;
	if (sts_txt_field(rec + pos, end - pos, id, &have_id) < 0) {
	    vstr_printf(why, "malformed field \"%s\" in TXT record",
			log_safe(safe, sizeof(safe), rec + pos, end - pos));
	    return -1;
	}
	pos = end;
    }
    if (!have_id) {
	vstr_printf(why, "TXT record without a valid id");
	return -1;
    }
    return 0;
}

/* sts_txt_select - exactly one v=STSv1 record */
STSTXT_STATUS sts_txt_select(const char *const *recs, const size_t *lens,
			            int nrec, char *id, VSTR *why)
{
    int     i;
    int     found = -1;

    for (i = 0; i < nrec; i++) {
	if (!sts_txt_is_sts(recs[i], lens[i]))
	    continue;
	if (found >= 0) {
	    vstr_printf(why, "more than one v=STSv1 TXT record");
	    return STSTXT_MULTIPLE;
	}
	found = i;
    }
    if (found < 0) {
	vstr_printf(why, "no v=STSv1 TXT record");
	return STSTXT_NONE;
    }
    if (sts_txt_parse(recs[found], lens[found], id, why) < 0)
	return STSTXT_INVALID;
    return STSTXT_OK;
}
