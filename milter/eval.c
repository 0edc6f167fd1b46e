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
 *	exactly one summary line.
 *
 *	Several author mailboxes with different domains are refused as a
 *	bad From: by default (on_bad_from = reject); with on_bad_from =
 *	accept every author domain is evaluated and the worst result wins,
 *	so the message passes only if every author domain passes.
 * SEE ALSO
 *	RFC 7489 6.6.1 (several authors), RFC 8601 5 (removing forged
 *	results)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authres.h"
#include "auth/header.h"
#include "milter/session.h"
#include "policy/policy.h"
#include "util/am.h"
#include "util/log.h"

/* dmarc_rank - how bad a result is, for combining author domains */
static int
dmarc_rank(enum dmarc_res r)
{
	static const int rank[] = {
		[DMARC_RES_PASS] = 0, [DMARC_RES_NONE] = 1,
		[DMARC_RES_PERMERROR] = 2, [DMARC_RES_FAIL] = 3,
		[DMARC_RES_TEMPERROR] = 4,
	};

	return (rank[r]);
}

/* eval_dmarc - DMARC for every author domain; the worst result wins */
static int
eval_dmarc(struct conn *c, struct msg *m)
{
	const struct conf *cf = c->snap->cf;
	struct auth_results *r = &m->res;
	struct dmarc_result one;
	int	 i;

	if (r->from.status != FROM_OK &&
	    !(r->from.status == FROM_MULTIPLE_MAILBOXES &&
	    (r->from.ndomains == 1 || cf->on_bad_from == CONF_BADFROM_ACCEPT))) {
		r->dmarc.result = DMARC_RES_PERMERROR;
		snprintf(r->dmarc.reason, sizeof(r->dmarc.reason),
		    "From: %s", from_status_str(r->from.status));
		return (AM_OK);
	}
	for (i = 0; i < r->from.ndomains; i++) {
		memset(&one, 0, sizeof(one));
		if (dmarc_evaluate(c->snap->dmarc, r->from.domains[i],
		    &r->mailfrom, &r->dkim, &one, c->why) != AM_OK)
			return (AM_TEMP);
		if (i == 0 || dmarc_rank(one.result) >
		    dmarc_rank(r->dmarc.result) ||
		    (one.result == r->dmarc.result &&
		    one.policy > r->dmarc.policy))
			r->dmarc = one;
	}
	return (AM_OK);
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
	return (AM_OK);
}

/* eval_edits - header edits for a message that will be delivered */
static int
eval_edits(struct conn *c, struct msg *m)
{
	struct outcome *o = &m->out;
	int	 i;

	if (o->d.verdict == VERDICT_REJECT || o->d.verdict == VERDICT_TEMPFAIL)
		return (AM_OK);
	if (m->nforged > 0) {
		if ((o->del = calloc((size_t)m->nforged, sizeof(*o->del))) ==
		    NULL)
			return (AM_TEMP);
		for (i = m->nforged - 1; i >= 0; i--)	/* highest index first */
			o->del[o->ndel++] = m->forged[i];
	}
	if (authres_format(c->authserv_id, &m->res, o->authres) != AM_OK)
		return (AM_TEMP);
	if (c->snap->cf->received_spf && m->res.mailfrom.checked &&
	    authres_received_spf(c->authserv_id, c->ip,
	    m->res.helo.checked ? c->helo : NULL,	/* a domain, or none */
	    &m->res.mailfrom, o->rspf) != AM_OK)
		return (AM_TEMP);
	return (AM_OK);
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

/* log_summary - the one line per message */
static void
log_summary(const struct conn *c, const struct msg *m)
{
	const struct auth_results *r = &m->res;
	const struct decision *d = &m->out.d;
	char	 helo[LIM_DOMAIN * 4], mf[LIM_DOMAIN * 4];
	char	 from[LIM_DOMAIN * 4], dk[1024], would[32] = "";

	log_escape_value(helo, sizeof(helo), c->helo, strlen(c->helo));
	log_escape_value(mf, sizeof(mf), r->mailfrom.domain,
	    strlen(r->mailfrom.domain));
	log_escape_value(from, sizeof(from), r->dmarc.from_domain,
	    strlen(r->dmarc.from_domain));
	log_dkim(&r->dkim, dk, sizeof(dk));
	if (d->would != d->verdict)
		snprintf(would, sizeof(would), " would=%s",
		    verdict_str(d->would));
	log_info("%s: verdict=%s%s why=%s ip=%s helo=%s mailfrom=%s "
	    "from=%s spf=%s spf_helo=%s dkim=%s dmarc=%s policy=%s%s%s",
	    m->qid, verdict_str(d->verdict), would, d->why ? d->why : "-",
	    c->ip, helo[0] ? helo : "-", mf[0] ? mf : "-",
	    from[0] ? from : from_status_str(r->from.status),
	    spf_res_str(r->mailfrom.result), spf_res_str(r->helo.result), dk,
	    dmarc_res_str(r->dmarc.result), dmarc_policy_str(r->dmarc.policy),
	    d->would == VERDICT_REJECT && d->verdict != VERDICT_REJECT ?
	    " (monitor mode: would reject)" : "",
	    m->failed ? " (internal error)" : "");
}

/* msg_end - evaluate, decide, prepare edits, log */
int
msg_end(struct conn *c, const char *qid)
{
	struct msg *m = c->msg;
	const struct conf *cf = c->snap->cf;

	if (m == NULL)
		return (AM_TEMP);
	if (qid != NULL && qid[0] != '\0')
		snprintf(m->qid, sizeof(m->qid), "%s", qid);
	if (m->skip)
		return (msg_out_end(c, m));	/* signing.c */
	if (!m->failed && eval_results(c, m) == AM_OK)
		policy_decide(&m->res, cf, &m->out.d);
	if (!m->failed && eval_edits(c, m) != AM_OK) {
		buf_setf(c->why, "header too long");
		msg_fail(c, "edits");
	}
	if (m->failed) {
		policy_error(cf, m->fail_why, &m->out.d);
		buf_reset(m->out.authres);
		buf_reset(m->out.rspf);
		m->out.ndel = 0;
	}
	log_summary(c, m);
	return (AM_OK);
}
