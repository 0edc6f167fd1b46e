/*
 * NAME
 *	signing - the messages of trusted and authenticated clients
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	int msg_out_begin(struct conn *c, struct msg *m);
 *	void msg_out_header(struct conn *c, struct msg *m, const char *name,
 *	    const char *value);
 *	void msg_out_eoh(struct conn *c, struct msg *m);
 *	void msg_out_body(struct conn *c, struct msg *m,
 *	    const unsigned char *p, size_t n);
 *	int msg_out_end(struct conn *c, struct msg *m);
 * DESCRIPTION
 *	A message marked skip (trusted network, local submission, or a
 *	SASL-authenticated client with skip_authenticated) is our users'
 *	own mail: it gets no SPF, DKIM verification or DMARC, and no
 *	Authentication-Results. Two things still happen to it:
 *
 *	- every Authentication-Results or Received-SPF field claiming our
 *	  authserv-id is removed (a user's client must not plant results
 *	  that downstream trusts: RFC 8601 5);
 *	- when sign.key_table is set and a key applies to the From:
 *	  author, the message is DKIM-signed (auth/sign.c) and the
 *	  DKIM-Signature fields go on top of the header block, RSA first.
 *
 *	A message without exactly one From: mailbox, or whose author has no
 *	key, goes out unsigned (logged). When signing itself fails (library,
 *	memory, a header over the caps), sign.on_error decides: tempfail
 *	(the default: nothing leaves unsigned by surprise) or unsigned.
 * DIAGNOSTICS
 *	One line per message: "qid: verdict=accept why=trusted ip=...
 *	sign=DOMAIN/SELECTOR/ALG,..." or "sign=none (reason)"; a signing
 *	failure adds "sign_error=..." and, with on_error tempfail,
 *	verdict=tempfail.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/header.h"
#include "auth/sign.h"
#include "milter/session.h"
#include "util/am.h"
#include "util/log.h"
#include "util/logline.h"

/* out_fail - signing failed; remember why, stop feeding */
static void
out_fail(struct conn *c, struct msg *m)
{
	if (m->sign_failed)
		return;
	m->sign_failed = true;
	snprintf(m->sign_err, sizeof(m->sign_err), "%s", buf_str(c->why));
	sign_msg_free(&m->sign);
}

/* msg_out_begin - a skipped message: start a signer if keys exist */
int
msg_out_begin(struct conn *c, struct msg *m)
{
	if (c->snap->sign == NULL)
		return (AM_OK);
	if ((m->sign = sign_msg_new(c->snap->sign, c->why)) == NULL ||
	    (m->from = buf_new(LIM_HEADER)) == NULL) {
		buf_setf(c->why, "out of memory");
		out_fail(c, m);
	}
	return (AM_OK);
}

/* msg_out_header - forged results, From: tracking, the signer */
void
msg_out_header(struct conn *c, struct msg *m, const char *name,
    const char *value)
{
	if (strcasecmp(name, "From") == 0 && ++m->nfrom == 1 &&
	    m->from != NULL && buf_puts(m->from, value) != AM_OK)
		buf_reset(m->from);		/* too long: unparseable */
	msg_forged(c, m, name, value);
	if (m->sign != NULL && sign_header(m->sign, name, value, c->why) !=
	    AM_OK)
		out_fail(c, m);
}

/* msg_out_eoh - the author is known: pick keys, start signing */
void
msg_out_eoh(struct conn *c, struct msg *m)
{
	struct from_result *f = &m->res.from;

	if (m->sign == NULL || m->from == NULL)
		return;
	if (m->nfrom >= 1)
		header_from_parse(m->from->data, m->from->len, f);
	header_from_count(f, m->nfrom);
	if (sign_eoh(m->sign, buf_str(m->from), f, c->why) != AM_OK)
		out_fail(c, m);
}

/* msg_out_body - body bytes to the signers */
void
msg_out_body(struct conn *c, struct msg *m, const unsigned char *p,
    size_t n)
{
	if (sign_active(m->sign) && sign_body(m->sign, p, n, c->why) != AM_OK)
		out_fail(c, m);
}


/* out_tempfail - the sign.on_error = tempfail reply */
static void
out_tempfail(struct decision *d)
{
	memset(d, 0, sizeof(*d));
	d->verdict = d->would = VERDICT_TEMPFAIL;
	snprintf(d->code, sizeof(d->code), "451");
	snprintf(d->xcode, sizeof(d->xcode), "4.3.0");
	snprintf(d->text, sizeof(d->text), "Temporary local problem; try "
	    "again later");
	d->why = "sign-error";
}

/* msg_out_end - sign, prepare the edits, log the one line */
int
msg_out_end(struct conn *c, struct msg *m)
{
	const struct conf *cf = c->snap->cf;
	struct decision *d = &m->out.d;
	struct logline l;
	const char *sum;
	char	 err[LIM_REASON * 4], why[LIM_REASON] = "";

	memset(d, 0, sizeof(*d));
	d->verdict = d->would = VERDICT_ACCEPT;
	d->why = c->trusted ? "trusted" : "authenticated";
	if (sign_active(m->sign) && !m->sign_failed &&
	    sign_eom(m->sign, c->why) != AM_OK)
		out_fail(c, m);
	if (m->sign_failed && cf->sign_on_error == CONF_SIGNERR_TEMPFAIL)
		out_tempfail(d);
	if (d->verdict == VERDICT_ACCEPT) {	/* forged results, signatures */
		m->out.del = m->forged;
		m->out.ndel = m->nforged;
		m->out.sign = m->sign;
	}
	logline_begin(&l, conn_log_json(c), m->qid);
	logline_str(&l, "verdict", verdict_str(d->verdict));
	logline_str(&l, "why", c->trusted ? "trusted" : "authenticated");
	logline_raw(&l, "ip", c->ip);		/* ours: an address */
	sum = m->sign_failed ? "failed" : c->snap->sign == NULL ? "off" :
	    sign_summary(m->sign);
	if (strncmp(sum, "none (", 6) == 0) {	/* "none (why)": why a note */
		snprintf(why, sizeof(why), "%.*s", (int)strcspn(sum + 6, ")"),
		    sum + 6);
		logline_raw(&l, "sign", "none");
	} else	/* DOMAIN/SELECTOR/ALG,...: names from the key table */
		logline_raw(&l, "sign", sum);
	if (m->nforged > 0)
		logline_int(&l, "forged_removed", m->nforged);
	if (why[0] != '\0')
		logline_note(&l, why);
	log_info("%s", logline_end(&l));
	if (m->sign_failed) {
		log_escape(err, sizeof(err), m->sign_err,
		    strlen(m->sign_err));
		log_err("%s: sign: %s (sign.on_error=%s)", m->qid, err,
		    conf_enum_str("sign.on_error", cf->sign_on_error));
	}
	return (AM_OK);
}
