/*++
 * NAME
 *	cache_protect 3
 * SUMMARY
 *	protection history rows: the facts each domain last published, and
 *	the changes between them
 * SYNOPSIS
 *	#include "cache.h"
 *
 *	int	cache_protect_get(CACHE *cache, const char *domain,
 *				time_t now, CACHE_PROTECT *ent)
 *	int	cache_protect_record(CACHE *cache, const char *domain,
 *				CACHE_PROTECT_NEW *rec)
 *	int	cache_protect_seen(CACHE *cache, const char *domain,
 *				time_t now)
 *
 *	void	cache_protect_change_init(CACHE_PROTECT_CHANGE *chg)
 *	void	cache_protect_change_free(CACHE_PROTECT_CHANGE *chg)
 *	int	cache_protect_last_change(CACHE *cache, const char *domain,
 *				time_t now, CACHE_PROTECT_CHANGE *chg)
 *
 *	void	cache_protect_prune(CACHE *cache, time_t now,
 *				long max_entries)
 * DESCRIPTION
 *	The table protection holds, per domain, the facts of protect(3)
 *	last recorded (either part may be unknown, ""), since when, and when
 *	they were last confirmed (seen); protection_log holds the changes
 *	(view protection_changes).
 *
 *	cache_protect_get() reads the facts of domain: 0, or -1 when there
 *	are none, the cache is disabled or the row does not pass the checks
 *	of SECURITY (logged).
 *
 *	cache_protect_record() compares one part of new facts (rec->facts,
 *	rec->what) with the stored facts and stores the outcome, all in
 *	one write transaction (BEGIN IMMEDIATE): helpers that see the same
 *	change at the same moment are serialized, and only the first finds
 *	a change; the others find the new facts stored. rec->outcome is
 *	protect_judge()'s (with rec->corr); rec->before and rec->after get
 *	both parts described. PROTECT_SAME and PROTECT_UNPROVEN write
 *	nothing; PROTECT_FIRST and PROTECT_REFRESH store the facts;
 *	PROTECT_CHANGED, PROTECT_RISE and PROTECT_DROP also add a row to
 *	protection_log (dropped 1 for a drop) with rec->evidence, and keep
 *	the newest CACHE_PROTECT_PER_DOMAIN rows of the domain; a drop also
 *	adds 1 to the counter rec->counter (labels rec->labels), when not
 *	NULL, in the same transaction: counted exactly when recorded. It returns
 *	0 once committed (or when there was nothing to write), -1 when
 *	nothing could be written (disabled cache, lock held longer than
 *	busy_ms, paused writes): then nothing was recorded and the caller
 *	must neither log nor count a change.
 *
 *	cache_protect_seen() marks the facts of domain confirmed at now.
 *
 *	cache_protect_last_change() reads the newest change row of domain
 *	(0, or -1 when there is none or it fails the checks).
 *
 *	cache_protect_prune(), called by cache_prune_expired(), deletes the
 *	facts not confirmed for CACHE_PROTECT_KEEP seconds, the change rows
 *	beyond the newest CACHE_PROTECT_CHANGES, and with max_entries > 0 the
 *	facts of the domains least recently confirmed beyond that many.
 * SECURITY
 *	Rows are never trusted: a NULL or mistyped column, an unknown level
 *	or mode, an MX flag other than 0 or 1, a bad id or over-long
 *	patterns make the row unknown (one warning), and new facts are then
 *	a baseline, never a change. Times are clamped to 0..now; texts are
 *	made printable and cut.
 *--*/
#include <string.h>

#include "cache_int.h"
#include "cache_row.h"
#include "log.h"

/* cache_protect_word_ok - an id: 1-32 printable characters, no space */
static int cache_protect_word_ok(const char *word, size_t max)
{
    size_t  i;

    for (i = 0; word[i]; i++)
	if (word[i] <= 0x20 || word[i] >= 0x7f)
	    return 0;
    return i <= max;
}

/* cache_protect_text_ok - printable ASCII of at most max bytes */
static int cache_protect_text_ok(sqlite3_stmt *st, int col, size_t max)
{
    const char *text = cache_row_col_str(st, col);
    size_t  i;

    if ((size_t) sqlite3_column_bytes(st, col) > max)
	return 0;
    for (i = 0; text[i]; i++)
	if (text[i] < 0x20 || text[i] >= 0x7f)
	    return 0;
    return 1;
}

/* cache_protect_check - types, words and sizes of one facts row */
static const char *cache_protect_check(sqlite3_stmt *st, PROTECT_FACTS *facts)
{
    if (!cache_row_types_ok(st, "TIITTTII"))
	return "a column is NULL or of the wrong type";
    if (protect_dane_from_name(cache_row_col_str(st, 0), &facts->dane) < 0)
	return "unknown DANE level";
    if (sqlite3_column_int64(st, 1) != 0 && sqlite3_column_int64(st, 1) != 1)
	return "bad mx_secure";
    if (protect_sts_from_name(cache_row_col_str(st, 3), &facts->sts) < 0)
	return "unknown MTA-STS state";
    if (sqlite3_column_bytes(st, 4) >= PROTECT_ID_SIZE
	|| !cache_protect_word_ok(cache_row_col_str(st, 4), PROTECT_ID_SIZE - 1))
	return "bad id";
    if (!cache_protect_text_ok(st, 5, PROTECT_MX_SIZE - 1))
	return "bad mx patterns";
    return 0;
}

/* cache_protect_read - check and copy one facts row */
static int cache_protect_read(CACHE *cache, sqlite3_stmt *st, const char *domain,
			              time_t now, CACHE_PROTECT *ent)
{
    const char *bad;
    long long t = (long long) now;

    memset(ent, 0, sizeof(*ent));
    if ((bad = cache_protect_check(st, &ent->facts)) != 0) {
	memset(ent, 0, sizeof(*ent));
	(void) cache_row_bad(cache, "protection", domain, bad);
	return -1;
    }
    ent->facts.mx_secure = (int) sqlite3_column_int64(st, 1);
    ent->dane_since = cache_row_clamp(sqlite3_column_int64(st, 2), 0, t);
    cache_row_copy_text(ent->facts.sts_id, sizeof(ent->facts.sts_id),
			sqlite3_column_text(st, 4));
    cache_row_copy_text(ent->facts.sts_mx, sizeof(ent->facts.sts_mx),
			sqlite3_column_text(st, 5));
    ent->sts_since = cache_row_clamp(sqlite3_column_int64(st, 6), 0, t);
    ent->seen = cache_row_clamp(sqlite3_column_int64(st, 7), 0, t);
    return 0;
}

/* cache_protect_get - the facts of domain; -1 when none (or untrusted),
 * -2 when it could not be read (an SQL error) */
int     cache_protect_get(CACHE *cache, const char *domain, time_t now,
			          CACHE_PROTECT *ent)
{
    sqlite3_stmt *st;
    int     rc;
    int     ret = -1;

    memset(ent, 0, sizeof(*ent));
    st = cache_row_select(cache, "SELECT dane, mx_secure, dane_since, sts,"
			      " sts_id, sts_mx, sts_since, seen FROM protection"
			      " WHERE domain = ?1", domain, &rc);
    if (st == 0)
	return -2;
    if (rc == SQLITE_ROW) {
	ret = cache_protect_read(cache, st, domain, now, ent);
    } else if (rc != SQLITE_DONE) {
	cache_failed(cache, "protection read", rc);
	ret = -2;
    }
    sqlite3_finalize(st);
    return ret;
}

/* cache_protect_put - insert or replace the facts of domain */
static int cache_protect_put(CACHE *cache, const char *domain,
			             const CACHE_PROTECT *ent)
{
    const PROTECT_FACTS *f = &ent->facts;
    const CACHE_ARG row[] = {
	CACHE_TEXT(domain), CACHE_TEXT(protect_dane_name(f->dane)),
	CACHE_INT(f->mx_secure), CACHE_INT(ent->dane_since),
	CACHE_TEXT(protect_sts_name(f->sts)), CACHE_TEXT(f->sts_id),
	CACHE_TEXT(f->sts_mx), CACHE_INT(ent->sts_since), CACHE_INT(ent->seen),
    };

    return cache_write(cache, "INSERT OR REPLACE INTO protection (domain, dane,"
		       " mx_secure, dane_since, sts, sts_id, sts_mx, sts_since,"
		       " seen) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
		       row, CACHE_NARGS(row), "protection update");
}

/* cache_protect_log - one change row, and the domain's rows capped */
static int cache_protect_log(CACHE *cache, const char *domain,
			             const CACHE_PROTECT_NEW *rec)
{
    const CACHE_ARG row[] = {
	CACHE_TEXT(domain), CACHE_INT(rec->now), CACHE_TEXT(protect_what_name(rec->what)),
	CACHE_TEXT(vstr_str(rec->before)), CACHE_TEXT(vstr_str(rec->after)),
	CACHE_INT(rec->outcome == PROTECT_DROP), CACHE_TEXT(rec->evidence),
    };
    const CACHE_ARG cap[] = {CACHE_TEXT(domain), CACHE_INT(CACHE_PROTECT_PER_DOMAIN - 1)};

    if (cache_write(cache, "INSERT INTO protection_log (domain, at, what,"
		    " \"before\", \"after\", dropped, evidence) VALUES (?1, ?2,"
		    " ?3, ?4, ?5, ?6, substr(?7, 1, 1000))", row, CACHE_NARGS(row),
		    "protection change") < 0)
	return -1;
    return cache_write(cache, "DELETE FROM protection_log WHERE domain = ?1"
		       " AND id < (SELECT id FROM protection_log WHERE domain = ?1"
		       " ORDER BY id DESC LIMIT 1 OFFSET ?2)", cap, CACHE_NARGS(cap),
		       "protection change cap");
}

/* cache_protect_store - the new part stored, and the change row if any */
static int cache_protect_store(CACHE *cache, const char *domain,
			               CACHE_PROTECT *ent, const CACHE_PROTECT_NEW *rec)
{
    protect_merge(&ent->facts, rec->facts, rec->what);
    if (rec->outcome != PROTECT_REFRESH) {
	if (rec->what == PROTECT_WHAT_DANE)
	    ent->dane_since = (long long) rec->now;
	else
	    ent->sts_since = (long long) rec->now;
    }
    ent->seen = (long long) rec->now;
    if (cache_protect_put(cache, domain, ent) < 0)
	return -1;
    if (rec->outcome != PROTECT_CHANGED && rec->outcome != PROTECT_RISE
	&& rec->outcome != PROTECT_DROP)
	return 0;
    if (cache_protect_log(cache, domain, rec) < 0)
	return -1;
    if (rec->outcome == PROTECT_DROP && rec->counter != 0)
	return cache_counter_add(cache, rec->counter, rec->labels ? rec->labels : "", 1);
    return 0;
}

/* cache_protect_record - compare with the stored facts and record, in one
 * write transaction */
int     cache_protect_record(CACHE *cache, const char *domain,
			             CACHE_PROTECT_NEW *rec)
{
    CACHE_PROTECT ent;

    if (cache_begin(cache) < 0)
	return -1;
    switch (cache_protect_get(cache, domain, rec->now, &ent)) {
    case -2:					/* an I/O error is not "none" */
	cache_rollback(cache);
	return -1;
    case -1:
	memset(&ent, 0, sizeof(ent));
	break;
    }
    rec->outcome = protect_judge(&ent.facts, rec->facts, rec->what, rec->corr);
    vstr_reset(rec->before);
    vstr_reset(rec->after);
    protect_describe(&ent.facts, rec->what, rec->before);
    protect_describe(rec->facts, rec->what, rec->after);
    if (rec->outcome == PROTECT_SAME || rec->outcome == PROTECT_UNPROVEN) {
	cache_rollback(cache);
	return 0;
    }
    if (cache_protect_store(cache, domain, &ent, rec) == 0
	&& cache_commit(cache) == 0)
	return 0;
    cache_rollback(cache);
    return -1;
}

/* cache_protect_seen - the facts of domain confirmed now */
int     cache_protect_seen(CACHE *cache, const char *domain, time_t now)
{
    const CACHE_ARG args[] = {CACHE_TEXT(domain), CACHE_INT(now)};

    return cache_write(cache, "UPDATE protection SET seen = ?2 WHERE domain = ?1",
		       args, CACHE_NARGS(args), "protection seen");
}

/* cache_protect_change_init - empty change row */
void    cache_protect_change_init(CACHE_PROTECT_CHANGE *chg)
{
    memset(chg, 0, sizeof(*chg));
    chg->before = vstr_new(64);
    chg->after = vstr_new(64);
    chg->evidence = vstr_new(64);
}

/* cache_protect_change_free - release */
void    cache_protect_change_free(CACHE_PROTECT_CHANGE *chg)
{
    vstr_free(chg->before);
    vstr_free(chg->after);
    vstr_free(chg->evidence);
    chg->before = chg->after = chg->evidence = 0;
}

/* cache_protect_last_change - the newest change row of domain; -1 if none */
int     cache_protect_last_change(CACHE *cache, const char *domain, time_t now,
				          CACHE_PROTECT_CHANGE *chg)
{
    static const char *const whats[] = {"dane", "mta-sts", 0};
    sqlite3_stmt *st;
    int     rc;
    int     ret = -1;

    st = cache_row_select(cache, "SELECT at, what, \"before\", \"after\","
			      " dropped, evidence FROM protection_log WHERE"
			      " domain = ?1 ORDER BY id DESC LIMIT 1", domain, &rc);
    if (st == 0)
	return -1;
    if (rc == SQLITE_ROW && cache_row_types_ok(st, "ITTTIT")
	&& cache_row_in_list(whats, cache_row_col_str(st, 1))) {
	chg->at = cache_row_clamp(sqlite3_column_int64(st, 0), 0, (long long) now);
	cache_row_copy_text(chg->what, sizeof(chg->what), sqlite3_column_text(st, 1));
	cache_row_clean_text(chg->before, st, 2, CACHE_MAX_WHY);
	cache_row_clean_text(chg->after, st, 3, CACHE_MAX_WHY);
	chg->dropped = sqlite3_column_int64(st, 4) != 0;
	cache_row_clean_text(chg->evidence, st, 5, CACHE_MAX_WHY);
	ret = 0;
    } else if (rc == SQLITE_ROW) {
	(void) cache_row_bad(cache, "protection_log", domain,
			     "a column is NULL, of the wrong type or unknown");
    }
    sqlite3_finalize(st);
    return ret;
}

/* cache_protect_prune - unconfirmed facts, change rows over the caps */
void    cache_protect_prune(CACHE *cache, time_t now, long max_entries)
{
    const CACHE_ARG old[] = {CACHE_INT((long long) now - CACHE_PROTECT_KEEP)};
    const CACHE_ARG changes[] = {CACHE_INT(CACHE_PROTECT_CHANGES - 1)};
    const CACHE_ARG most[] = {CACHE_INT(max_entries)};

    if (cache_write(cache, "DELETE FROM protection WHERE seen < ?1", old,
		    CACHE_NARGS(old), "pruning") < 0
	|| cache_write(cache, "DELETE FROM protection_log WHERE id < (SELECT id"
		       " FROM protection_log ORDER BY id DESC LIMIT 1 OFFSET ?1)",
		       changes, CACHE_NARGS(changes), "pruning") < 0
	|| max_entries <= 0)
	return;
    (void) cache_write(cache, "DELETE FROM protection WHERE domain IN (SELECT"
		       " domain FROM protection ORDER BY seen LIMIT max(0,"
		       " (SELECT count(*) FROM protection) - ?1))", most,
		       CACHE_NARGS(most), "pruning");
}
