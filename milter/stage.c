/*
 * NAME
 *	stage - the local policy at each SMTP stage, and its header edits
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	int conn_policy_connect(struct conn *c, struct decision *d_r);
 *	int msg_policy_mail(struct conn *c, const char *qid,
 *	    struct decision *d_r);
 *	int msg_rcpt(struct conn *c, const char *rcpt, const char *qid,
 *	    struct decision *d_r);
 *	void msg_field(struct conn *c, const char *name, const char *value);
 *	int msg_tag_edits(struct conn *c);
 * DESCRIPTION
 *	Each stage asks the rules (policy/rules.h) with what is known by
 *	then, so a rule acts at the earliest stage its inputs allow and the
 *	message is never transferred: the client address at connect, its
 *	reputation (c->rep) from the stage c->rep_done is set on, HELO and
 *	MAIL FROM at MAIL, one recipient at RCPT. The reputation lookups
 *	(milter/client.c) start at connect and are read at MAIL, so a rule
 *	on the reputation is "undecided" at connect (later rules wait for
 *	it) and acts at MAIL at the earliest: connect is never held up by
 *	DNS, and the client sees the reply text (Postfix drops the text of
 *	a connect-time refusal). Only a refusal (reject, tempfail) acts early;
 *	every other decision is made again at end of message, the same way,
 *	since inputs only grow. Each returns 1 and the reply in d_r when
 *	refused.
 *
 *	msg_rcpt() refuses only that recipient. A message gets one verdict,
 *	so a recipient that some rule's rcpt matcher tells apart from the
 *	first accepted one is deferred with 452 4.5.3: the client sends it
 *	again in a transaction of its own (RFC 5321 4.5.3.1.10), where it
 *	gets its own verdict. The rules see the first accepted recipient.
 *
 *	msg_field() notes the incoming copies of the tag header and of
 *	WARN_HEADER (always deleted: only ours may be trusted) and the first
 *	Subject.
 *	msg_tag_edits() prepares the tag header (tag verdict, or a matching
 *	rule with a tag) and the Subject prefix (tag verdict). The tag
 *	header reads "WORD (why=...; rule=...; spf=...; dkim=...; dmarc=...)":
 *	WORD is the rule's tag, else "fail" for the tag verdict; dkim is
 *	pass when a signature passed, fail when none of several did.
 * DIAGNOSTICS
 *	One info line per early refusal ("qid: verdict=reject why=rule
 *	rule=NAME stage=connect|mail ip=... iprev=... dnsbl=... helo_bad=...",
 *	the last three once the lookups are in) and per refused or deferred
 *	recipient ("qid: policy: rcpt=... refused|deferred ...").
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "milter/client.h"
#include "milter/session.h"
#include "policy/policy.h"
#include "util/am.h"
#include "util/log.h"
#include "util/logline.h"

/* conn_rule_input - what the rules may look at, known bits set */
void
conn_rule_input(const struct conn *c, unsigned known, const char *rcpt,
    struct rule_input *in_r)
{
	memset(in_r, 0, sizeof(*in_r));
	in_r->known = known | (c->rep_done ? RIN_REP : 0);
	in_r->client = c->have_client ? &c->client : NULL;
	in_r->rep = &c->rep;
	in_r->helo = c->helo;
	if (c->msg != NULL) {
		in_r->mail_from = c->msg->mailfrom;
		in_r->res = &c->msg->res;
	}
	in_r->rcpt = rcpt;
}

/*
 * early_log - the line for a refusal, or for what monitor mode let by
 *
 * Apart from early() and never inlined: its 8 KiB line would otherwise
 * sit in early()'s frame, under which the rules run at every stage,
 * and keep that much more of every thread's stack resident.
 */
static __attribute__((noinline)) void
early_log(const struct conn *c, const char *qid, const char *stage,
    int refused, const struct decision *d)
{
	struct logline l;
	struct client_log cl;
	char	 reply[32];

	logline_begin(&l, conn_log_json(c), qid);
	if (refused) {
		snprintf(reply, sizeof(reply), "%s/%s", d->code, d->xcode);
		logline_str(&l, "verdict", verdict_str(d->verdict));
		logline_raw(&l, "why", "rule");
	} else {
		logline_raw(&l, "policy", "monitor");
		logline_str(&l, "would", verdict_str(d->would));
	}
	logline_str(&l, "rule", d->rule);
	logline_str(&l, "stage", stage);
	logline_raw(&l, "ip", c->ip);
	if (client_log(c, &cl)) {	/* as the summary line */
		logline_str(&l, "iprev", cl.iprev);
		logline_raw(&l, "dnsbl", cl.dnsbl);
		logline_raw(&l, "helo_bad", cl.helo_bad);
	}
	if (refused)
		logline_str(&l, "reply", reply);
	else
		logline_note(&l, "monitor mode");
	log_info("%s", logline_end(&l));
}

/* early - ask the rules; log a refusal (or what monitor mode let by) */
static int
early(struct conn *c, const char *qid, unsigned known, const char *rcpt,
    const char *stage, struct decision *d_r)
{
	struct rule_input in;
	int	 refused;

	conn_rule_input(c, known, rcpt, &in);
	refused = policy_early(c->snap->rules, &in, c->snap->cf, d_r);
	if (refused || (d_r->rule != NULL && d_r->would > VERDICT_TAG))
		early_log(c, qid, stage, refused, d_r);
	return (refused);
}

/* conn_policy_connect - rules that need only the client */
int
conn_policy_connect(struct conn *c, struct decision *d_r)
{
	memset(d_r, 0, sizeof(*d_r));
	if (c->trusted)
		return (0);
	return (early(c, "NOQUEUE", RIN_CLIENT, NULL, "connect", d_r));
}

/* msg_policy_mail - rules that need at most HELO and MAIL FROM */
int
msg_policy_mail(struct conn *c, const char *qid, struct decision *d_r)
{
	struct msg *m = c->msg;

	memset(d_r, 0, sizeof(*d_r));
	if (m == NULL || m->skip)
		return (0);
	if (qid != NULL && qid[0] != '\0')
		snprintf(m->qid, sizeof(m->qid), "%s", qid);
	/* wait for them only if a rule asks; else at end of message */
	if (c->snap->rules != NULL && c->snap->rules->need_rep) {
		dns_budget_bind(&m->budget);	/* iprev, DNSBL: the message's */
		client_resolve(c);	/* the lookups started at connect */
		dns_budget_bind(NULL);
	}
	return (early(c, m->qid, RIN_CLIENT | RIN_HELO | RIN_MAIL, NULL,
	    "mail", d_r));
}

/* rcpt_bare - a recipient without its angle brackets */
static void
rcpt_bare(const char *rcpt, char *dst, size_t len)
{
	size_t	 n;

	if (*rcpt == '<')
		rcpt++;
	n = strcspn(rcpt, ">");
	snprintf(dst, len, "%.*s", (int)n, rcpt);
}

/* rcpt_log - log one refused or deferred recipient */
static void
rcpt_log(const struct conn *c, const char *rcpt, const char *what,
    const char *rule, const struct decision *d)
{
	struct logline l;
	char	 a[LIM_ADDRESS], reply[32];

	rcpt_bare(rcpt, a, sizeof(a));
	snprintf(reply, sizeof(reply), "%s/%s", d->code, d->xcode);
	logline_begin(&l, conn_log_json(c), c->msg->qid);
	logline_raw(&l, "policy", "rcpt");
	logline_str(&l, "rcpt", a);
	logline_str(&l, "result", what);
	logline_str(&l, "rule", rule);
	logline_str(&l, "reply", reply);
	if (strcmp(what, "deferred") == 0)
		logline_note(&l, "differs from the first recipient");
	log_info("%s", logline_end(&l));
}

/* msg_rcpt - one recipient: refused, deferred (452) or taken */
int
msg_rcpt(struct conn *c, const char *rcpt, const char *qid,
    struct decision *d_r)
{
	struct msg *m = c->msg;
	const char *rule;

	memset(d_r, 0, sizeof(*d_r));
	if (m == NULL || m->skip || rcpt == NULL)
		return (0);
	if (qid != NULL && qid[0] != '\0')
		snprintf(m->qid, sizeof(m->qid), "%s", qid);
	if (early(c, m->qid, RIN_CLIENT | RIN_HELO | RIN_MAIL | RIN_RCPT, rcpt,
	    "rcpt", d_r)) {
		rcpt_log(c, rcpt, "refused", d_r->rule, d_r);
		return (1);
	}
	if (m->nrcpt > 0 && rules_rcpt_differs(c->snap->rules, m->rcpt1, rcpt,
	    &rule)) {
		memset(d_r, 0, sizeof(*d_r));
		d_r->verdict = d_r->would = VERDICT_TEMPFAIL;
		d_r->why = "rcpt-split";
		d_r->rule = rule;
		snprintf(d_r->code, sizeof(d_r->code), "452");
		snprintf(d_r->xcode, sizeof(d_r->xcode), "4.5.3");
		snprintf(d_r->text, sizeof(d_r->text), "This recipient has "
		    "a different local policy; send it in a separate "
		    "transaction");
		rcpt_log(c, rcpt, "deferred", rule, d_r);
		return (1);
	}
	if (m->nrcpt == 0)
		rcpt_bare(rcpt, m->rcpt1, sizeof(m->rcpt1));
	if (m->nrcpt < LIM_LOG_RCPTS)
		rcpt_bare(rcpt, m->rcpts[m->nrcpt], sizeof(m->rcpts[0]));
	m->nrcpt++;
	return (0);
}

/*
 * msg_field - incoming tag and warning headers (deleted) and the first
 * Subject
 */
void
msg_field(struct conn *c, const char *name, const char *value)
{
	struct msg *m = c->msg;
	const char *tag = c->snap->cf->tag_header;

	if (m == NULL || m->skip)
		return;
	if (strcasecmp(name, "Subject") == 0 && ++m->nsubject == 1 &&
	    (m->subject = buf_new(LIM_HEADER)) != NULL &&
	    buf_puts(m->subject, value) != AM_OK)
		buf_reset(m->subject);		/* over the cap: not prefixed */
	if (strcasecmp(name, tag) == 0)
		msg_del_field(c, m, tag, ++m->ntag, "tag-header");
	else if (strcasecmp(name, WARN_HEADER) == 0)
		msg_del_field(c, m, WARN_HEADER, ++m->nwarn, "warn-header");
}

/* msg_tag_edits - the tag header and the Subject prefix */
int
msg_tag_edits(struct conn *c)
{
	struct msg *m = c->msg;
	struct outcome *o = &m->out;
	const struct decision *d = &o->d;
	const char *prefix = c->snap->cf->tag_subject_prefix;
	const char *old;
	int	 i;

	o->tag_name = c->snap->cf->tag_header;
	if (d->verdict != VERDICT_TAG && d->tag == NULL)
		return (AM_OK);
	for (i = 0; i < m->res.dkim.nsigs && i < LIM_DKIM_SIGS; i++)
		if (m->res.dkim.sigs[i].result == DKIM_RES_PASS)
			break;
	if (buf_printf(o->tag, "%s (why=%s; rule=%s; spf=%s; dkim=%s; "
	    "dmarc=%s)", d->tag != NULL ? d->tag : d->verdict == VERDICT_TAG ?
	    "fail" : verdict_str(d->verdict), d->why ? d->why : "-",
	    d->rule ? d->rule : "-", spf_res_str(m->res.mailfrom.result),
	    m->res.dkim.nsigs == 0 ? "none" : i < m->res.dkim.nsigs ? "pass" :
	    "fail", dmarc_res_str(m->res.dmarc.result)) != AM_OK)
		return (AM_TEMP);
	if (d->verdict != VERDICT_TAG || prefix[0] == '\0')
		return (AM_OK);
	old = m->subject != NULL ? buf_str(m->subject) : "";
	o->subject_add = m->nsubject == 0;
	return (buf_printf(o->subject, " %s%s%s", prefix,
	    old[0] == ' ' || old[0] == '\0' ? "" : " ", old));
}

/*
 * msg_log_rcpts - the first few recipients, each escaped for the log,
 * comma-separated (a value for logline_raw()); 0: none
 */
int
msg_log_rcpts(const struct msg *m, char *dst, size_t len)
{
	char	 esc[LIM_ADDRESS * 4];
	size_t	 o = 0;
	int	 i, n;

	dst[0] = '\0';
	for (i = 0; i < m->nrcpt && i < LIM_LOG_RCPTS; i++) {
		log_escape_value(esc, sizeof(esc), m->rcpts[i],
		    strlen(m->rcpts[i]));
		n = snprintf(dst + o, len - o, "%s%s%s", i ? "," : "",
		    esc, i + 1 == LIM_LOG_RCPTS &&
		    m->nrcpt > LIM_LOG_RCPTS ? ",..." : "");
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	return (i > 0);
}
