/*
 * NAME
 *	store_sqlite - the report store in an SQLite file
 * DESCRIPTION
 *	The default store: one file, created on first use, WAL journal (the
 *	writer thread and `authmilter report' may use it at once), a busy
 *	timeout of 2 s. Parameters $1..$n are bound by name, so the SQL text
 *	is the same as PostgreSQL's.
 * DIAGNOSTICS
 *	Busy, locked, full, read-only, I/O and open errors are AM_TEMP; an
 *	SQL error is AM_PERM.
 * SEE ALSO
 *	sqlite3_prepare_v2(3), https://sqlite.org/wal.html
 */
#include <stdio.h>
#include <stdlib.h>

#include <sqlite3.h>

#include "report/store.h"
#include "util/am.h"

/* lite_status - AM_TEMP for trouble that may pass, AM_PERM for SQL */
static int
lite_status(sqlite3 *db, int rc, struct buf *why)
{
	int	 prim = rc & 0xff;

	buf_setf(why, "sqlite: %s", db != NULL ? sqlite3_errmsg(db) :
	    sqlite3_errstr(rc));
	return (prim == SQLITE_ERROR || prim == SQLITE_MISUSE ||
	    prim == SQLITE_RANGE ? AM_PERM : AM_TEMP);
}

/* lite_bind - text parameters $1..$n */
static int
lite_bind(sqlite3_stmt *stmt, int nparam, const char *const *param)
{
	char	 name[16];
	int	 i, idx;

	for (i = 0; i < nparam; i++) {
		snprintf(name, sizeof(name), "$%d", i + 1);
		if ((idx = sqlite3_bind_parameter_index(stmt, name)) == 0)
			continue;
		if (sqlite3_bind_text(stmt, idx, param[i] ? param[i] : "", -1,
		    SQLITE_STATIC) != SQLITE_OK)
			return (-1);
	}
	return (0);
}

/* lite_exec - one statement, rows to fn */
static int
lite_exec(struct store *st, const char *sql, int nparam,
    const char *const *param, store_row_fn fn, void *arg, struct buf *why)
{
	sqlite3 *db = st->h;
	sqlite3_stmt *stmt = NULL;
	const char *val[64];
	int	 rc, i, n;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &stmt, NULL)) != SQLITE_OK)
		return (lite_status(db, rc, why));
	if (lite_bind(stmt, nparam, param) != 0) {
		sqlite3_finalize(stmt);
		return (buf_why(why, AM_PERM, "sqlite: cannot bind"));
	}
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		n = sqlite3_column_count(stmt);
		if (n > (int)AM_ARRAY_LEN(val))
			n = (int)AM_ARRAY_LEN(val);
		for (i = 0; i < n; i++)
			val[i] = (const char *)sqlite3_column_text(stmt, i);
		if (fn != NULL && fn(arg, n, val) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(stmt);
	if (rc != SQLITE_DONE)
		return (lite_status(db, rc, why));
	return (AM_OK);
}

/* lite_close - close the file */
static void
lite_close(struct store *st)
{
	sqlite3_close_v2(st->h);
}

static const struct store_ops lite_ops = {
	.kind = "sqlite",
	.exec = lite_exec,
	.close = lite_close,
	.ddl_id = "INTEGER PRIMARY KEY",
	.lock = NULL,
};

/* store_sqlite_open - open or create the file, WAL */
struct store *
store_sqlite_open(const char *path, struct buf *why)
{
	struct store *st;
	sqlite3 *db = NULL;
	int	 rc;

	rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		buf_setf(why, "sqlite %s: %s", path, db != NULL ?
		    sqlite3_errmsg(db) : sqlite3_errstr(rc));
		sqlite3_close_v2(db);
		return (NULL);
	}
	sqlite3_busy_timeout(db, 2000);
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		sqlite3_close_v2(db);
		buf_setf(why, "out of memory");
		return (NULL);
	}
	st->ops = &lite_ops;
	st->h = db;
	if (lite_exec(st, "PRAGMA journal_mode=WAL", 0, NULL, NULL, NULL,
	    why) != AM_OK || lite_exec(st, "PRAGMA synchronous=NORMAL", 0,
	    NULL, NULL, NULL, why) != AM_OK)
		store_free(&st);
	return (st);
}
