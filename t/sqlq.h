/* sqlq.h - read a test's cache through a separate sqlite3 connection */
#ifndef TP_SQLQ_H
#define TP_SQLQ_H

#include <stdio.h>
#include <sqlite3.h>

/* sqlq_open - a read-only connection that waits for writers */
static inline sqlite3 *sqlq_open(const char *path)
{
    sqlite3 *db;

    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, 0) != SQLITE_OK) {
	sqlite3_close(db);
	return 0;
    }
    sqlite3_busy_timeout(db, 5000);
    return db;
}

/* sqlq_text - first column of the first row as text ("" when none) */
static inline void sqlq_text(const char *path, const char *sql, char *out,
			             size_t size)
{
    sqlite3 *db = sqlq_open(path);
    sqlite3_stmt *st;

    out[0] = 0;
    if (db == 0)
	return;
    if (sqlite3_prepare_v2(db, sql, -1, &st, 0) == SQLITE_OK) {
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
	    (void) snprintf(out, size, "%s", sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
    }
    sqlite3_close(db);
}

/* sqlq_int - first column of the first row as a number (-1 when none) */
static inline long long sqlq_int(const char *path, const char *sql)
{
    sqlite3 *db = sqlq_open(path);
    sqlite3_stmt *st;
    long long n = -1;

    if (db == 0)
	return -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, 0) == SQLITE_OK) {
	if (sqlite3_step(st) == SQLITE_ROW)
	    n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

#endif
