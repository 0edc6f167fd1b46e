/*
 * NAME
 *	store_pg - the report store in PostgreSQL (several MX hosts)
 * DESCRIPTION
 *	Every MX host writes its rows to one database; one host runs
 *	`authmilter report send'. The spec is a libpq URI; set-up of the
 *	schema is serialized with a transaction-scoped advisory lock, so
 *	hosts starting together do not race on CREATE TABLE.
 * DIAGNOSTICS
 *	A lost or refused connection and any server error other than an SQL
 *	syntax or access-rule error (class 42) are AM_TEMP.
 * SEE ALSO
 *	PQexecParams(3), libpq connection URIs
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "report/store.h"
#include "util/am.h"

/* pg_chomp - libpq messages span lines; a log line must not */
static void
pg_chomp(struct buf *why)
{
	size_t	 i;

	while (why->len > 0 && (why->data[why->len - 1] == '\n' ||
	    why->data[why->len - 1] == ' '))
		why->data[--why->len] = '\0';
	for (i = 0; i < why->len; i++)
		if (why->data[i] == '\n' || why->data[i] == '\t')
			why->data[i] = ' ';
}

/* pg_notice - server notices ("already exists, skipping") are not ours */
static void
pg_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* pg_exec - one statement with text parameters, rows to fn */
static int
pg_exec(struct store *st, const char *sql, int nparam,
    const char *const *param, store_row_fn fn, void *arg, struct buf *why)
{
	PGconn	*conn = st->h;
	PGresult *res;
	const char *val[64], *state;
	int	 r, i, n, rows, rc = AM_OK;

	res = PQexecParams(conn, sql, nparam, NULL, param, NULL, NULL, 0);
	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
		break;
	case PGRES_TUPLES_OK:
		rows = PQntuples(res);
		n = PQnfields(res);
		if (n > (int)AM_ARRAY_LEN(val))
			n = (int)AM_ARRAY_LEN(val);
		for (r = 0; r < rows; r++) {
			for (i = 0; i < n; i++)
				val[i] = PQgetisnull(res, r, i) ? NULL :
				    PQgetvalue(res, r, i);
			if (fn != NULL && fn(arg, n, val) != 0)
				break;
		}
		break;
	default:
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		rc = state != NULL && strncmp(state, "42", 2) == 0 ? AM_PERM :
		    AM_TEMP;
		buf_setf(why, "postgresql: %s", PQerrorMessage(conn));
		pg_chomp(why);
		break;
	}
	PQclear(res);
	return (rc);
}

/* pg_close - disconnect */
static void
pg_close(struct store *st)
{
	PQfinish(st->h);
}

static const struct store_ops pg_ops = {
	.kind = "postgresql",
	.exec = pg_exec,
	.close = pg_close,
	.ddl_id = "BIGSERIAL PRIMARY KEY",
	.lock = "SELECT pg_advisory_xact_lock(727365)",
};

/* store_pg_open - connect */
struct store *
store_pg_open(const char *conninfo, struct buf *why)
{
	struct store *st;
	PGconn	*conn;

	conn = PQconnectdb(conninfo);
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK) {
		buf_setf(why, "postgresql: %s", conn != NULL ?
		    PQerrorMessage(conn) : "out of memory");
		pg_chomp(why);
		PQfinish(conn);
		return (NULL);
	}
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		PQfinish(conn);
		buf_setf(why, "out of memory");
		return (NULL);
	}
	PQsetNoticeProcessor(conn, pg_notice, NULL);
	st->ops = &pg_ops;
	st->h = conn;
	return (st);
}
