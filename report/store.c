/*
 * NAME
 *	store - where report rows are kept: SQLite or PostgreSQL
 * DESCRIPTION
 *	See store.h. The schema (version STORE_SCHEMA):
 *
 *	am_meta(k, v)		k = 'schema': the version
 *	msg(id, t, host, ...)	one row per evaluated message (row.h)
 *	sent(policy_domain, begin_t, end_t, dest, report_id, t)
 *				reports sent, so a rerun never resends
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/store.h"
#include "util/am.h"

static const char *const schema_sql[] = {
	"CREATE TABLE IF NOT EXISTS am_meta (k TEXT PRIMARY KEY, v TEXT)",
	"CREATE TABLE IF NOT EXISTS msg (id @ID@, t BIGINT NOT NULL, "
	    "host TEXT, qid TEXT, source_ip TEXT NOT NULL, "
	    "header_from TEXT NOT NULL, envelope_from TEXT, envelope_to TEXT, "
	    "policy_domain TEXT NOT NULL, evaluated TEXT, disposition TEXT, "
	    "reason TEXT, reason_comment TEXT, verdict TEXT, "
	    "dkim_aligned INTEGER, spf_aligned INTEGER, dkim TEXT, "
	    "spf_domain TEXT, spf_result TEXT, p TEXT, sp TEXT, np TEXT, "
	    "adkim TEXT, aspf TEXT, testing TEXT, fo TEXT, discovery TEXT, "
	    "rua TEXT, ruf TEXT, rcpt TEXT, nrcpt INTEGER)",
	"CREATE INDEX IF NOT EXISTS msg_domain_t ON msg (policy_domain, t)",
	"CREATE INDEX IF NOT EXISTS msg_t ON msg (t)",
	"CREATE TABLE IF NOT EXISTS sent (policy_domain TEXT NOT NULL, "
	    "begin_t BIGINT NOT NULL, end_t BIGINT NOT NULL, "
	    "dest TEXT NOT NULL, report_id TEXT, t BIGINT, "
	    "PRIMARY KEY (policy_domain, begin_t, end_t, dest))",
};

/* ddl - the statement with @ID@ replaced by the backend's id type */
static const char *
ddl(char *dst, size_t len, const char *sql, const char *id)
{
	const char *at = strstr(sql, "@ID@");

	if (at == NULL)
		return (sql);
	snprintf(dst, len, "%.*s%s%s", (int)(at - sql), sql, id, at + 4);
	return (dst);
}

/* first_col - keep the first column of the first row */
static int
first_col(void *arg, int ncol, const char *const *val)
{
	char	*dst = arg;

	snprintf(dst, 32, "%s", ncol > 0 && val[0] != NULL ? val[0] : "");
	return (1);
}

/* store_schema - create what is missing, check the version */
static int
store_schema(struct store *st, struct buf *why)
{
	char	 sql[1024], ver[32] = "", want[16];
	const char *p[1];
	size_t	 i;
	int	 rc = AM_OK;

	if (store_exec(st, "BEGIN", 0, NULL, NULL, NULL, why) != AM_OK ||
	    (st->ops->lock != NULL &&
	    store_exec(st, st->ops->lock, 0, NULL, NULL, NULL, why) != AM_OK))
		return (AM_TEMP);
	for (i = 0; rc == AM_OK && i < AM_ARRAY_LEN(schema_sql); i++) {
		rc = store_exec(st, ddl(sql, sizeof(sql), schema_sql[i],
		    st->ops->ddl_id), 0, NULL, NULL, NULL, why);
	}
	if (rc == AM_OK)
		rc = store_exec(st, "SELECT v FROM am_meta WHERE k = 'schema'",
		    0, NULL, first_col, ver, why);
	snprintf(want, sizeof(want), "%d", STORE_SCHEMA);
	if (rc == AM_OK && ver[0] == '\0') {
		p[0] = want;
		rc = store_exec(st, "INSERT INTO am_meta (k, v) VALUES "
		    "('schema', $1)", 1, p, NULL, NULL, why);
	} else if (rc == AM_OK && atoi(ver) > STORE_SCHEMA)
		rc = buf_why(why, AM_PERM, "report store schema version %s; "
		    "this authmilter knows %d", ver, STORE_SCHEMA);
	if (rc == AM_OK)
		rc = store_exec(st, "COMMIT", 0, NULL, NULL, NULL, why);
	return (rc);
}

/* store_open - connect by spec, set up the schema */
struct store *
store_open(const char *spec, struct buf *why)
{
	struct store *st;

	if (strncmp(spec, "sqlite:", 7) == 0)
		st = store_sqlite_open(spec + 7, why);
	else if (strncmp(spec, "postgresql://", 13) == 0 ||
	    strncmp(spec, "postgres://", 11) == 0)
		st = store_pg_open(spec, why);
	else {
		buf_setf(why, "report store \"%s\": want sqlite:PATH or "
		    "postgresql://...", spec);
		return (NULL);
	}
	if (st != NULL && store_schema(st, why) != AM_OK)
		store_free(&st);
	return (st);
}

/* store_free - disconnect */
void
store_free(struct store **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	(*sp)->ops->close(*sp);
	free(*sp);
	*sp = NULL;
}

/* store_exec - one statement through the backend */
int
store_exec(struct store *st, const char *sql, int nparam,
    const char *const *param, store_row_fn fn, void *arg, struct buf *why)
{
	return (st->ops->exec(st, sql, nparam, param, fn, arg, why));
}

/* store_kind - "sqlite" or "postgresql" */
const char *
store_kind(const struct store *st)
{
	return (st->ops->kind);
}

#define NCOLS	30

/* insert_one - one row as an INSERT */
static int
insert_one(struct store *st, const char *host, const struct report_row *r,
    struct buf *why)
{
	static const char sql[] = "INSERT INTO msg (t, host, qid, source_ip, "
	    "header_from, envelope_from, envelope_to, policy_domain, "
	    "evaluated, disposition, reason, reason_comment, verdict, "
	    "dkim_aligned, spf_aligned, dkim, spf_domain, spf_result, p, sp, "
	    "np, adkim, aspf, testing, fo, discovery, rua, ruf, rcpt, nrcpt) "
	    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, "
	    "$14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, "
	    "$27, $28, $29, $30)";
	char	 t[24], nr[16], dk[RPT_MAX_DKIM * (LIM_DOMAIN + 200)];
	char	 adkim[2] = {r->adkim, 0}, aspf[2] = {r->aspf, 0};
	char	 testing[2] = {r->testing, 0};
	const char *p[NCOLS];

	snprintf(t, sizeof(t), "%lld", (long long)r->t);
	snprintf(nr, sizeof(nr), "%d", r->nrcpt);
	report_row_dkim_text(r, dk, sizeof(dk));
	p[0] = t; p[1] = host; p[2] = r->qid; p[3] = r->source_ip;
	p[4] = r->header_from; p[5] = r->envelope_from;
	p[6] = r->envelope_to; p[7] = r->policy_domain; p[8] = r->evaluated;
	p[9] = r->disposition; p[10] = r->reason; p[11] = r->reason_comment;
	p[12] = r->verdict; p[13] = r->dkim_aligned ? "1" : "0";
	p[14] = r->spf_aligned ? "1" : "0"; p[15] = dk;
	p[16] = r->spf_domain; p[17] = r->spf_result; p[18] = r->p;
	p[19] = r->sp; p[20] = r->np; p[21] = adkim; p[22] = aspf;
	p[23] = testing; p[24] = r->fo; p[25] = r->discovery; p[26] = r->rua;
	p[27] = r->ruf; p[28] = r->rcpt; p[29] = nr;
	return (store_exec(st, sql, 30, p, NULL, NULL, why));
}

/* store_insert - rows in one transaction */
int
store_insert(struct store *st, const char *host,
    struct report_row *const *rows, size_t n, struct buf *why)
{
	struct buf *ignore;
	size_t	 i;
	int	 rc;

	if ((rc = store_exec(st, "BEGIN", 0, NULL, NULL, NULL, why)) != AM_OK)
		return (rc);
	for (i = 0; i < n && rc == AM_OK; i++)
		rc = insert_one(st, host, rows[i], why);
	if (rc == AM_OK)
		rc = store_exec(st, "COMMIT", 0, NULL, NULL, NULL, why);
	if (rc != AM_OK && (ignore = buf_new(LIM_REASON)) != NULL) {
		(void)store_exec(st, "ROLLBACK", 0, NULL, NULL, NULL, ignore);
		buf_free(&ignore);
	}
	return (rc);
}
