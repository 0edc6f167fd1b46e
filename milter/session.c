/*
 * NAME
 *	session - one SMTP connection and its messages, without libmilter
 * DESCRIPTION
 *	See session.h. Flow: conn_new (pin snapshot) -> conn_helo ->
 *	msg_begin (start the SPF record lookups) -> msg_header (From:,
 *	A-R, DKIM feed) -> msg_eoh -> msg_body -> msg_end (SPF, DKIM,
 *	From:, DMARC, policy, edits, one log line; eval.c) -> msg_reset.
 * DIAGNOSTICS
 *	One info line per message: "qid: verdict=... why=... ip=... helo=...
 *	mailfrom=... from=... spf=... spf_helo=... dkim=... dmarc=...
 *	policy=... action=... rcpts=...", with "would=..." in monitor mode
 *	when it differs; one JSON object instead with log.format = json
 *	(eval.c log_summary lists the fields).
 *	A failed stage logs one error line naming the stage.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "auth/arc.h"
#include "auth/authres.h"
#include "auth/header.h"
#include "milter/session.h"
#include "policy/policy.h"
#include "util/am.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/pages.h"

/* conn_new - state for one connection; takes the snapshot reference */
struct conn *
conn_new(struct snap *sp, const struct addr *client, const char *mta_host)
{
	const struct conf *cf = sp->cf;
	struct conn *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->snap = sp;
	c->why = buf_new(LIM_REASON);
	metrics_gauge_add(MG_SESSIONS, 1);
	if (client != NULL) {
		c->have_client = true;
		c->client = *client;
		addr_format(client, c->ip, sizeof(c->ip));
		c->trusted = conf_is_trusted(cf, client);
	} else {
		snprintf(c->ip, sizeof(c->ip), "unknown");
		c->trusted = true;	/* local submission */
	}
	if (cf->authserv_id[0] != '\0')
		snprintf(c->authserv_id, sizeof(c->authserv_id), "%s",
		    cf->authserv_id);
	else if (mta_host != NULL && mta_host[0] != '\0')
		snprintf(c->authserv_id, sizeof(c->authserv_id), "%s",
		    mta_host);
	else if (gethostname(c->authserv_id, sizeof(c->authserv_id) - 1) != 0)
		snprintf(c->authserv_id, sizeof(c->authserv_id), "localhost");
	return (c);
}

/* conn_free - end of connection: drop message and snapshot */
void
conn_free(struct conn **cp)
{
	struct conn *c;

	if (cp == NULL || (c = *cp) == NULL)
		return;
	msg_reset(c);
	metrics_gauge_add(MG_SESSIONS, -1);
	snap_release(&c->snap);
	buf_free(&c->why);
	free(c);
	*cp = NULL;
}

/* conn_helo - remember the HELO name; its SPF check runs at MAIL FROM */
void
conn_helo(struct conn *c, const char *helo)
{
	snprintf(c->helo, sizeof(c->helo), "%s", helo != NULL ? helo : "");
	c->helo_checked = false;
}

/* msg_reset - forget the current message */
void
msg_reset(struct conn *c)
{
	struct msg *m = c->msg;

	if (m == NULL)
		return;
	dkimv_msg_free(&m->dkim);
	sign_msg_free(&m->sign);
	arc_msg_free(&m->arc);
	arcseal_set_clear(&m->seal);
	buf_free(&m->from);
	buf_free(&m->hdrs);
	buf_free(&m->out.authres);
	buf_free(&m->out.rspf);
	buf_free(&m->out.tag);
	buf_free(&m->out.subject);
	buf_free(&m->subject);
	buf_free(&m->out.warn);
	free(m->forged);		/* m->out.del borrows it */
	pages_free(m, sizeof(*m));
	c->msg = NULL;
}

/* msg_fail - mark the message failed at a stage; one error line */
int
msg_fail(struct conn *c, const char *stage)
{
	if (c->msg != NULL && !c->msg->failed) {
		c->msg->failed = true;
		c->msg->fail_why = stage;
		log_err("%s: %s: %s", c->msg->qid, stage, buf_str(c->why));
	}
	return (AM_TEMP);
}

/* msg_alloc - a message with its buffers */
static struct msg *
msg_alloc(void)
{
	struct msg *m;

	/* only the pages a message writes become resident (pages.h) */
	if ((m = pages_zalloc(sizeof(*m))) == NULL)
		return (NULL);
	snprintf(m->qid, sizeof(m->qid), "NOQUEUE");
	m->out.authres = buf_new(LIM_AUTHRES);
	m->out.rspf = buf_new(LIM_AUTHRES);
	m->out.tag = buf_new(LIM_AUTHRES);
	m->out.subject = buf_new(LIM_HEADER + LIM_REASON);
	return (m);
}

/* msg_spf - SPF for the HELO (once per name) and MAIL FROM identities */
int
msg_spf(struct conn *c, struct msg *m)
{
	struct snap *sp = c->snap;

	if (!c->helo_checked) {
		if (spf_check_helo(sp->spf, &c->client, c->helo, &c->helo_spf,
		    c->why) != AM_OK)
			return (msg_fail(c, "spf-helo"));
		c->helo_checked = true;
	}
	m->res.helo = c->helo_spf;
	if (spf_check_mailfrom(sp->spf, &c->client, c->helo, m->mailfrom,
	    &m->res.mailfrom, c->why) != AM_OK)
		return (msg_fail(c, "spf-mailfrom"));
	return (AM_OK);
}

/*
 * msg_begin - MAIL FROM: a new message
 *
 * SPF is evaluated at end of message, not here: MAIL FROM is a step the
 * MTA waits on, and by the end of the message the record lookups
 * started now have run in parallel with the DKIM key and DMARC lookups.
 */
int
msg_begin(struct conn *c, const char *mailfrom, const char *auth_authen)
{
	struct msg *m;

	msg_reset(c);
	if ((m = c->msg = msg_alloc()) == NULL) {
		buf_setf(c->why, "out of memory");
		return (AM_TEMP);
	}
	metrics_now(&m->t0);
	snprintf(m->mailfrom, sizeof(m->mailfrom), "%s",
	    mailfrom != NULL ? mailfrom : "");
	dns_budget_start(&m->budget, c->snap->cf->dns_message_budget);
	if (c->trusted || (auth_authen != NULL && auth_authen[0] != '\0' &&
	    c->snap->cf->skip_authenticated)) {
		m->skip = true;		/* outbound: signing.c */
		return (msg_out_begin(c, m));
	}
	if ((m->dkim = dkimv_msg_new(c->snap->dkim, m->qid, c->why)) == NULL)
		return (msg_fail(c, "dkim"));
	if ((m->arc = arc_msg_new(c->snap->dns, m->qid)) == NULL) {
		buf_setf(c->why, "out of memory");
		return (msg_fail(c, "arc"));
	}
	if (c->snap->arcseal != NULL)	/* sealing.c: a relaxed body hash */
		arc_seal_want(m->arc);
	if (c->snap->cf->report_failure)	/* failure reports: headers */
		m->hdrs = buf_new(LIM_HEADER);
	spf_prefetch(c->snap->spf, c->helo, c->helo_checked, m->mailfrom);
	return (AM_OK);
}

/* msg_from - the first From: field: parse it, start the DMARC lookups */
static void
msg_from(struct conn *c, struct msg *m, const char *value)
{
	struct from_result *f = &m->res.from;
	int	 i;

	/* parsed where it lies: over LIM_HEADER is "field too long" */
	header_from_parse(value, strlen(value), f);
	for (i = 0; i < f->ndomains; i++)
		dmarc_prefetch(c->snap->dmarc, f->domains[i]);
}

/*
 * msg_forged - note an Authentication-Results or Received-SPF field that
 * claims our authserv-id: ours are the only ones downstream may trust,
 * so every such incoming field is deleted (RFC 8601 5, RFC 7208 9.1)
 */
void
msg_forged(struct conn *c, struct msg *m, const char *name,
    const char *value)
{
	const char *field;
	int	 idx;

	if (strcasecmp(name, "Authentication-Results") == 0) {
		field = "Authentication-Results";
		idx = ++m->nauthres;
		if (!authres_is_ours(value, strlen(value), c->authserv_id))
			return;
	} else if (strcasecmp(name, "Received-SPF") == 0) {
		field = "Received-SPF";
		idx = ++m->nrspf;
		if (!authres_rspf_is_ours(value, strlen(value),
		    c->authserv_id))
			return;
	} else
		return;
	msg_del_field(c, m, field, idx, "forged-headers");
}

/*
 * msg_del_field - list the IDX-th incoming field called NAME for deletion
 * at end of message. Most messages carry none, so the list is made on
 * the first; without memory the message fails (WHAT names the check), so
 * a field that must go never goes through.
 */
void
msg_del_field(struct conn *c, struct msg *m, const char *name, int idx,
    const char *what)
{
	if (m->forged == NULL && (m->forged = calloc(LIM_HEADERS,
	    sizeof(*m->forged))) == NULL) {
		buf_setf(c->why, "out of memory");
		msg_fail(c, what);
		return;
	}
	if (m->nforged < LIM_HEADERS) {
		m->forged[m->nforged].name = name;
		m->forged[m->nforged++].idx = idx;
	}
}

/* msg_header - one header field: From:, our A-R, DKIM */
int
msg_header(struct conn *c, const char *name, const char *value)
{
	struct msg *m = c->msg;
	int	 st;

	if (m != NULL && m->skip && !m->failed)
		msg_out_header(c, m, name, value);
	if (m == NULL || m->skip)
		return (AM_OK);
	if (m->failed)
		return (AM_TEMP);
	m->nheaders++;
	msg_field_bytes(m, name, value);	/* bare CR, LF, NUL */
	if (strcasecmp(name, "From") == 0 && ++m->nfrom == 1)
		msg_from(c, m, value);
	if (m->hdrs != NULL)		/* past the cap: cut, never failed */
		(void)buf_printf(m->hdrs, "%s:%s\n", name, value);
	msg_forged(c, m, name, value);
	msg_field(c, name, value);		/* tag header, Subject */
	if (arc_header(m->arc, name, value) != AM_OK) {
		buf_setf(c->why, "out of memory");
		return (msg_fail(c, "arc-header"));
	}
	st = dkimv_header(m->dkim, name, value, c->why);
	if (st == AM_TEMP)
		return (msg_fail(c, "dkim-header"));
	if (st != AM_OK)
		log_debug("%s: dkim: header ignored: %s", m->qid,
		    buf_str(c->why));
	return (AM_OK);
}

/* msg_eoh - end of headers */
int
msg_eoh(struct conn *c)
{
	struct msg *m = c->msg;
	int	 st;

	if (m != NULL && m->skip && !m->failed)
		msg_out_eoh(c, m);
	if (m == NULL || m->skip)
		return (AM_OK);
	if (m->failed)
		return (AM_TEMP);
	dns_budget_bind(&m->budget);	/* libopendkim fetches keys here */
	st = dkimv_eoh(m->dkim, c->why);
	dns_budget_bind(NULL);
	if (st == AM_TEMP)
		return (msg_fail(c, "dkim-eoh"));
	if (arc_eoh(m->arc) != AM_OK) {
		buf_setf(c->why, "out of memory");
		return (msg_fail(c, "arc-eoh"));
	}
	return (AM_OK);
}

/* msg_wants_body - 1 if body bytes still matter */
bool
msg_wants_body(const struct conn *c)
{
	return (c->msg != NULL && !c->msg->failed &&
	    (!c->msg->skip || sign_active(c->msg->sign)));
}

/* msg_body - a chunk of the body */
int
msg_body(struct conn *c, const unsigned char *p, size_t n)
{
	struct msg *m = c->msg;

	if (!msg_wants_body(c))
		return (m != NULL && m->failed ? AM_TEMP : AM_OK);
	if (m->skip) {
		msg_out_body(c, m, p, n);
		return (AM_OK);
	}
	if (dkimv_body(m->dkim, p, n, c->why) == AM_TEMP)
		return (msg_fail(c, "dkim-body"));
	(void)arc_body(m->arc, p, n);	/* streams; never fails */
	return (AM_OK);
}
