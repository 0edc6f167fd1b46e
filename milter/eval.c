/*
 * NAME
 *	eval - end of message: SPF, DKIM, From:, DMARC, policy, edits, log
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	int msg_end(struct conn *c, const char *qid);
 * DESCRIPTION
 *	msg_end() completes the results of one message, asks the policy
 *	for a decision and prepares the header edits in c->msg->out: our
 *	Authentication-Results (always, unless the message is refused),
 *	Received-SPF (received_spf), and the deletion of every incoming
 *	Authentication-Results and Received-SPF that claims our authserv-id,
 *	highest index first (smfi_chgheader indexes count per field name). Then it logs
 *	exactly one summary line (log_summary: one call per field, text
 *	or JSON by log.format) and counts the message in util/metrics:
 *	its verdict, SPF (mailfrom, helo), each DKIM signature, DMARC, and
 *	the time since MAIL FROM.
 *
 *	Several author mailboxes with different domains are refused as a
 *	bad From: by default (on_bad_from = reject); with on_bad_from =
 *	accept every author domain is evaluated and the worst result wins,
 *	so the message passes only if every author domain passes
 *	(dmarc_evaluate_from() in auth/dmarc.c).
 * SEE ALSO
 *	RFC 7489 6.6.1 (several authors), RFC 8601 5 (removing forged
 *	results)
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/arc.h"
#include "auth/authres.h"
#include "auth/header.h"
#include "milter/client.h"
#include "milter/session.h"
#include "policy/policy.h"
#include "util/am.h"
#include "util/log.h"
#include "util/logline.h"
#include "util/metrics.h"

/* eval_dmarc - DMARC for the From: field's author domains */
static int
eval_dmarc(struct conn *c, struct msg *m)
{
	struct auth_results *r = &m->res;

	return (dmarc_evaluate_from(c->snap->dmarc, &r->from,
	    c->snap->cf->on_bad_from == CONF_BADFROM_ACCEPT, &r->mailfrom,
	    &r->dkim, &r->dmarc, c->why));
}

/* eval_results - DKIM, From: and DMARC for a message */
static int
eval_results(struct conn *c, struct msg *m)
{
	struct auth_results *r = &m->res;

	if (msg_spf(c, m) != AM_OK)
		return (AM_TEMP);
	if (dkimv_eom(m->dkim, &r->dkim, c->why) != AM_OK)
		return (msg_fail(c, "dkim-eom"));
	header_from_count(&r->from, m->nfrom);	/* parsed at the header */
	if (eval_dmarc(c, m) != AM_OK)
		return (msg_fail(c, "dmarc"));
	if (arc_eom(m->arc, &r->arc) != AM_OK) {
		buf_setf(c->why, "out of memory");
		return (msg_fail(c, "arc"));
	}
	/* RFC 9989 override: a flag policy_decide honours (arctrust.c) */
	arc_trust_judge(c->snap->arc_trust, r->dmarc.from_domain,
	    r->dmarc.org_domain, &r->arc);
	return (AM_OK);
}

/* eval_edits - header edits for a message that will be delivered */
static int
eval_edits(struct conn *c, struct msg *m)
{
	struct outcome *o = &m->out;

	if (o->d.verdict == VERDICT_REJECT || o->d.verdict == VERDICT_TEMPFAIL)
		return (AM_OK);
	o->del = m->forged;		/* applied highest index first */
	o->ndel = m->nforged;
	if (authres_format(c->authserv_id, &m->res, o->authres) != AM_OK ||
	    client_authres(c, o->authres) != AM_OK)
		return (AM_TEMP);
	if (c->snap->cf->received_spf && m->res.mailfrom.checked &&
	    authres_received_spf(c->authserv_id, c->ip,
	    m->res.helo.checked ? c->helo : NULL,	/* a domain, or none */
	    &m->res.mailfrom, o->rspf) != AM_OK)
		return (AM_TEMP);
	return (msg_tag_edits(c));
}

/* log_dkim - "d:result,..." for the summary line */
static void
log_dkim(const struct dkim_result *r, char *dst, size_t len)
{
	char	 esc[LIM_DOMAIN * 4];
	size_t	 o = 0;
	int	 i, n;

	if (r->nsigs == 0) {
		snprintf(dst, len, "none");
		return;
	}
	dst[0] = '\0';
	for (i = 0; i < r->nsigs && o < len; i++) {
		log_escape_value(esc, sizeof(esc), r->sigs[i].d,
		    strlen(r->sigs[i].d));
		n = snprintf(dst + o, len - o, "%s%s:%s", i ? "," : "", esc,
		    dkim_res_str(r->sigs[i].result));
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

/* conn_log_json - 1 if the log lines are JSON (log.format) */
bool
conn_log_json(const struct conn *c)
{
	return (c->snap->cf->log_format == CONF_LOGFMT_JSON);
}

/* the scratch of the summary line (log_summary) */
struct summary {
	struct logline l;
	char	 dk[1024];
	char	 rcpts[LIM_LOG_RCPTS * (LIM_ADDRESS * 4 + 1) + 8];
	struct client_log cl;
};

/*
 * log_summary_line - the one line per message: its fields, in order
 *
 * One call per field; util/logline writes them as text or JSON and
 * escapes peer strings (authmilter.8 LOGGING lists the fields).
 */
static void
log_summary_line(const struct conn *c, const struct msg *m, struct summary *s)
{
	const struct auth_results *r = &m->res;
	const struct decision *d = &m->out.d;
	struct client_log *cl = &s->cl;
	struct logline *lp = &s->l;
	char	 seal[32];

	log_dkim(&r->dkim, s->dk, sizeof(s->dk));
	logline_begin(lp, conn_log_json(c), m->qid);
	logline_str(lp, "verdict", verdict_str(d->verdict));
	if (d->would != d->verdict)
		logline_str(lp, "would", verdict_str(d->would));
	logline_str(lp, "why", d->why ? d->why : "-");
	logline_raw(lp, "ip", c->ip);		/* ours: an address */
	logline_str(lp, "helo", c->helo);
	logline_str(lp, "mailfrom", r->mailfrom.domain);
	logline_str(lp, "from", r->dmarc.from_domain[0] ?
	    r->dmarc.from_domain : from_status_str(r->from.status));
	logline_str(lp, "spf", spf_res_str(r->mailfrom.result));
	logline_str(lp, "spf_helo", spf_res_str(r->helo.result));
	logline_raw(lp, "dkim", s->dk);
	logline_str(lp, "dmarc", dmarc_res_str(r->dmarc.result));
	logline_str(lp, "policy", dmarc_policy_str(r->dmarc.policy));
	logline_str(lp, "arc", arc_res_str(r->arc.result));
	if (r->arc.n > 0) {
		logline_int(lp, "arc_len", r->arc.n);
		logline_str(lp, "arc_sealers", r->arc.sealers[0] ?
		    r->arc.sealers : "-");
	}
	if (r->arc.override && r->dmarc.result == DMARC_RES_FAIL)
		logline_str(lp, "dmarc_override", "arc");
	if (r->arc.n > 0 && r->arc.reason[0] != '\0')
		logline_str(lp, "arc_why", r->arc.reason);
	if (msg_arc_seal_log(c, m, seal, sizeof(seal))) {	/* sealing.c */
		logline_str(lp, "arc_seal", seal);
		if (m->seal.i == 0 && m->seal.note[0] != '\0')
			logline_str(lp, "arc_seal_why", m->seal.note);
	}
	logline_str(lp, "action", verdict_str(d->would));
	logline_str(lp, "rule", d->rule ? d->rule : "-");
	logline_int(lp, "rcpts", m->nrcpt);
	if (msg_log_rcpts(m, s->rcpts, sizeof(s->rcpts)))
		logline_raw(lp, "rcpt", s->rcpts);	/* escaped each */
	if (client_log(c, cl)) {	/* zone names: conf-checked, no escape */
		logline_str(lp, "iprev", cl->iprev);
		logline_raw(lp, "dnsbl", cl->dnsbl);
		logline_raw(lp, "helo_bad", cl->helo_bad);
	}
	if (d->would == VERDICT_REJECT && d->verdict != VERDICT_REJECT)
		logline_note(lp, "monitor mode: would reject");
	if (m->failed)
		logline_note(lp, "internal error");
	log_info("%s", logline_end(lp));
}

/*
 * log_summary - the one line per message: its scratch on the heap
 *
 * 20 KiB on the stack here, at the deepest point of a milter thread,
 * kept that much of every thread's stack resident for the thread's
 * life (peak RSS at c=512: README, Reliability).
 */
static void
log_summary(const struct conn *c, const struct msg *m)
{
	struct summary *s;

	if ((s = malloc(sizeof(*s))) == NULL) {
		log_err("%s: log: out of memory for the summary line", m->qid);
		return;
	}
	log_summary_line(c, m, s);
	free(s);
}

/* eval_metrics - count the message and its results (util/metrics) */
static void
eval_metrics(const struct msg *m)
{
	const struct auth_results *r = &m->res;
	int	 i;

	metrics_inc(MC_MESSAGES, verdict_str(m->out.d.verdict), NULL);
	metrics_observe(MH_MESSAGE, metrics_usec_since(&m->t0));
	if (m->failed)
		return;			/* the results are incomplete */
	if (r->mailfrom.checked)
		metrics_inc(MC_SPF, "mailfrom", spf_res_str(r->mailfrom.result));
	if (r->helo.checked)
		metrics_inc(MC_SPF, "helo", spf_res_str(r->helo.result));
	for (i = 0; i < r->dkim.nsigs; i++)
		metrics_inc(MC_DKIM, dkim_res_str(r->dkim.sigs[i].result),
		    NULL);
	if (r->dkim.nsigs == 0)
		metrics_inc(MC_DKIM, dkim_res_str(DKIM_RES_NONE), NULL);
	metrics_inc(MC_DMARC, dmarc_res_str(r->dmarc.result), NULL);
}

/* msg_end - evaluate, decide, prepare edits, log */
int
msg_end(struct conn *c, const char *qid)
{
	struct msg *m = c->msg;
	const struct conf *cf = c->snap->cf;
	struct rule_input in;

	if (m == NULL)
		return (AM_TEMP);
	if (qid != NULL && qid[0] != '\0')
		snprintf(m->qid, sizeof(m->qid), "%s", qid);
	if (m->skip)
		return (msg_out_end(c, m));	/* signing.c */
	dns_budget_bind(&m->budget);	/* all DNS waits below share it */
	client_resolve(c);		/* iprev, DNSBL, HELO: started at connect */
	if (!m->failed && eval_results(c, m) == AM_OK) {
		conn_rule_input(c, RIN_ALL, m->nrcpt > 0 ? m->rcpt1 : NULL,
		    &in);
		policy_evaluate(c->snap->rules, &in, cf, &m->out.d);
	}
	dns_budget_bind(NULL);
	if (m->budget.spent)
		log_warn("%s: dns: message budget of %dms spent; undecided "
		    "checks are temperror", m->qid, m->budget.total_ms);
	if (!m->failed && msg_field_verdict(c, m) != AM_OK) {
		buf_setf(c->why, "out of memory");
		msg_fail(c, "header-bytes");
	}
	if (!m->failed && eval_edits(c, m) != AM_OK) {
		buf_setf(c->why, "header too long");
		msg_fail(c, "edits");
	}
	if (!m->failed)
		msg_arc_seal(c, m);	/* sealing.c: delivered mail only */
	if (m->failed) {
		policy_error(cf, m->fail_why, &m->out.d);
		buf_reset(m->out.authres);
		buf_reset(m->out.rspf);
		buf_reset(m->out.tag);
		buf_reset(m->out.subject);
		buf_free(&m->out.warn);
		m->out.ndel = 0;
	}
	log_summary(c, m);
	msg_record(c, m);
	eval_metrics(m);
	return (AM_OK);
}
