/*
 * NAME
 *	store - where report rows are kept: SQLite or PostgreSQL
 * SYNOPSIS
 *	#include "report/store.h"
 *
 *	struct store *store_open(const char *spec, struct buf *why);
 *	void store_free(struct store **sp);
 *	int store_exec(struct store *st, const char *sql, int nparam,
 *	    const char *const *param, store_row_fn fn, void *arg,
 *	    struct buf *why);
 *	int store_insert(struct store *st, const char *host,
 *	    struct report_row *const *rows, size_t n, struct buf *why);
 *	const char *store_kind(const struct store *st);
 *	struct store *store_pg_open(const char *conninfo,
 *	    struct buf *why);
 *	struct store *store_sqlite_open(const char *path,
 *	    struct buf *why);
 * DESCRIPTION
 *	One small interface over two databases. spec is
 *	"sqlite:/path/reports.db" (created on first use, WAL journal) or a
 *	libpq URI "postgresql://user@host:port/db" (or "postgres://"), the
 *	shared store of several MX hosts. store_open() connects, creates the
 *	tables if they are missing and checks the schema version (a newer
 *	schema is refused with AM_PERM).
 *
 *	store_exec() runs one SQL statement with text parameters $1..$n
 *	(the same text works on both: portable SQL only) and calls fn for
 *	each result row with its columns as text (NULL for SQL NULL); fn
 *	returns non-zero to stop. store_insert() writes rows in one
 *	transaction (all or none).
 *
 *	Status: AM_OK; AM_TEMP when the database is unreachable, locked,
 *	full or read-only (try later); AM_PERM for a bad spec or schema.
 *	The reason is in why.
 * THREADS
 *	A struct store is used by one thread at a time.
 * SEE ALSO
 *	sqlite3(1), libpq; RFC 9990
 */
#ifndef AM_REPORT_STORE_H
#define AM_REPORT_STORE_H

#include <stddef.h>

#include "report/row.h"
#include "util/buf.h"

#define STORE_SCHEMA	1		/* version this code writes */

typedef int (*store_row_fn)(void *arg, int ncol, const char *const *val);

struct store;

/* a backend: store_sqlite.c, store_pg.c */
struct store_ops {
	const char *kind;
	int	(*exec)(struct store *st, const char *sql, int nparam,
		    const char *const *param, store_row_fn fn, void *arg,
		    struct buf *why);
	void	(*close)(struct store *st);
	const char *ddl_id;		/* the id column's type */
	const char *lock;		/* SQL serializing schema set-up */
};

struct store {
	const struct store_ops *ops;
	void	*h;			/* the backend's handle */
};

struct store *store_open(const char *spec, struct buf *why);
void	store_free(struct store **sp);
int	store_exec(struct store *st, const char *sql, int nparam,
	    const char *const *param, store_row_fn fn, void *arg,
	    struct buf *why);
int	store_insert(struct store *st, const char *host,
	    struct report_row *const *rows, size_t n, struct buf *why);
const char *store_kind(const struct store *st);

/* the backends */
struct store *store_sqlite_open(const char *path, struct buf *why);
struct store *store_pg_open(const char *conninfo, struct buf *why);

#endif
