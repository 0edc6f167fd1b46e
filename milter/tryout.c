/*
 * NAME
 *	tryout - evaluate one stored message as the daemon would (-t)
 * DESCRIPTION
 *	See tryout.h. Output, on stdout:
 *	  delete: Authentication-Results #N	(one per forged header)
 *	  add: Authentication-Results: ...	(top of the header block)
 *	  add: Received-SPF: ...
 *	  rcpt: ADDR: 452 4.5.3 text		(a refused or deferred --rcpt)
 *	  rule: NAME				(or "none (built-in verdict)")
 *	  add: DKIM-Signature: ...		(a trusted client's mail, signed)
 *	  add: ARC-Seal: ...			(arc.seal_key: our ARC set,
 *	  add: ARC-Message-Signature: ...	 top down)
 *	  add: ARC-Authentication-Results: ...
 *	  action: reject 550 5.7.26 text	(or accept, tag, quarantine,
 *						tempfail 451 ...)
 *	With -v, before "rule:", one line per rule passed over:
 *	  rule NAME (line N): no match: spf is fail example.org
 *	The summary log line goes to stderr as with -f.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "milter/client.h"
#include "milter/session.h"
#include "milter/tryout.h"
#include "policy/policy.h"
#include "util/am.h"
#include "util/log.h"

#define TRYOUT_MAX	(64 * 1024 * 1024)	/* bytes of message read */

/* read_file - whole file into a buf */
static struct buf *
read_file(const char *path)
{
	struct buf *b = buf_new(TRYOUT_MAX);
	char	 chunk[65536];
	size_t	 n;
	FILE	*fp;

	if ((fp = fopen(path, "rb")) == NULL) {
		buf_free(&b);
		return (NULL);
	}
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		if (buf_append(b, chunk, n) != AM_OK)
			break;
	fclose(fp);
	return (b);
}

/* next_line - [p, eol) is the line; returns the start of the next one */
static const char *
next_line(const char *p, const char *end, const char **eol_r)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	const char *eol = nl != NULL ? nl : end;

	if (eol > p && eol[-1] == '\r')
		eol--;
	*eol_r = eol;
	return (nl != NULL ? nl + 1 : end);
}

/* feed_header - one unfolded-by-LF field to the session */
static void
feed_header(struct conn *c, struct buf *field)
{
	char	*colon = memchr(field->data, ':', field->len), *end;

	if (colon == NULL)
		return;
	*colon = '\0';
	for (end = colon; end > field->data && (end[-1] == ' ' ||
	    end[-1] == '\t'); end--)
		end[-1] = '\0';	/* "From :" is From, as Postfix passes it */
	msg_header(c, field->data, colon + 1);
}

/* feed_message - headers as Postfix gives them, then the body in CRLF */
static void
feed_message(struct conn *c, const struct buf *msg)
{
	const char *p = msg->data, *end = msg->data + msg->len, *eol;
	const char *next = end;
	struct buf *field = buf_new(LIM_HEADER * 4);
	struct buf *body = buf_new(TRYOUT_MAX + TRYOUT_MAX / 2);

	for (; p < end; p = next) {
		next = next_line(p, end, &eol);
		if (eol == p)			/* empty line: end of header */
			break;
		if (*p == ' ' || *p == '\t') {	/* continuation */
			buf_putc(field, '\n');
			buf_append(field, p, (size_t)(eol - p));
			continue;
		}
		if (field->len > 0)
			feed_header(c, field);
		buf_reset(field);
		buf_append(field, p, (size_t)(eol - p));
	}
	if (field->len > 0)
		feed_header(c, field);
	msg_eoh(c);
	for (p = next; p < end; p = next) {
		next = next_line(p, end, &eol);
		buf_append(body, p, (size_t)(eol - p));
		buf_append(body, "\r\n", 2);
	}
	msg_body(c, (const unsigned char *)body->data, body->len);
	buf_free(&field);
	buf_free(&body);
}

/* print_outcome - what the daemon would do */
static void
print_outcome(const struct outcome *o)
{
	int	 i;

	for (i = o->ndel - 1; i >= 0; i--)	/* as action_apply() */
		printf("delete: %s #%d\n", o->del[i].name, o->del[i].idx);
	if (o->authres->len > 0)
		printf("add: Authentication-Results:%s%s\n",
		    o->authres->data[0] == ' ' ? "" : " ", o->authres->data);
	if (o->rspf->len > 0)
		printf("add: Received-SPF:%s%s\n",
		    o->rspf->data[0] == ' ' ? "" : " ", o->rspf->data);
	if (o->tag->len > 0)
		printf("add: %s: %s\n", o->tag_name, o->tag->data);
	if (o->subject->len > 0)
		printf("%s: Subject:%s\n", o->subject_add ? "add" : "change",
		    o->subject->data);
	printf("rule: %s\n", o->d.rule != NULL ? o->d.rule :
	    "none (built-in verdict)");
	for (i = 0; i < sign_count(o->sign); i++)
		printf("add: DKIM-Signature: %s\n", sign_value(o->sign, i));
	if (o->arc != NULL) {		/* top down, as they will stand */
		printf("add: ARC-Seal: %s\n", buf_str(o->arc->as));
		printf("add: ARC-Message-Signature: %s\n",
		    buf_str(o->arc->ams));
		printf("add: ARC-Authentication-Results: %s\n",
		    buf_str(o->arc->aar));
	}
	printf("action: %s", verdict_str(o->d.verdict));
	if (o->d.code[0] != '\0')
		printf(" %s %s %s", o->d.code, o->d.xcode, o->d.text);
	else if (o->d.verdict == VERDICT_QUARANTINE)
		printf(" (%s)", o->d.text);
	if (o->d.would != o->d.verdict)
		printf(" (enforce mode would: %s)", verdict_str(o->d.would));
	printf("\n");
}

/* print_refusal - a refusal before the message was sent */
static void
print_refusal(const struct decision *d)
{
	printf("rule: %s\n", d->rule != NULL ? d->rule : "-");
	printf("action: %s %s %s %s (before the message)\n",
	    verdict_str(d->verdict), d->code, d->xcode, d->text);
}

/*
 * early_stages - connect, HELO, MAIL, each RCPT; 0 if refused before
 * the message (then c->msg->out.d holds the refusal)
 */
static int
early_stages(struct conn *c, const struct tryout *t)
{
	struct decision d;
	int	 i, ok = 0;

	if (conn_policy_connect(c, &d)) {
		msg_begin(c, t->mail_from, NULL);	/* holds the answer */
		c->msg->out.d = d;
		return (0);
	}
	conn_helo(c, t->helo);
	msg_begin(c, t->mail_from, NULL);
	if (msg_policy_mail(c, "tryout", &d)) {
		c->msg->out.d = d;
		return (0);
	}
	for (i = 0; i < t->nrcpt; i++) {
		if (msg_rcpt(c, t->rcpt[i], "tryout", &d))
			printf("rcpt: %s: %s %s %s\n", t->rcpt[i], d.code,
			    d.xcode, d.text);
		else
			ok++;
	}
	if (t->nrcpt > 0 && ok == 0) {
		c->msg->out.d = d;
		return (0);
	}
	return (1);
}

/* explain - -v: why each rule before the deciding one did not match */
static void
explain(const struct conn *c, const struct tryout *t)
{
	struct rule_outcome o;
	struct rule_input in;
	struct buf *b;

	if (!t->verbose || c->msg->skip)
		return;
	b = buf_new(1024 * 1024);
	conn_rule_input(c, RIN_ALL, c->msg->nrcpt > 0 ? c->msg->rcpt1 : NULL,
	    &in);
	rules_walk(c->snap->rules, &in, &o, b);
	if (b->len > 0)
		fputs(b->data, stdout);
	buf_free(&b);
}

/* tryout_run - -t: one message through the daemon's stages */
int
tryout_run(const char *path, const struct tryout *t)
{
	struct buf *why = buf_new(LIM_REASON), *msg;
	struct conf *cf;
	struct dns *dns;
	struct snap *sp;
	struct conn *c;
	struct addr a;

	log_open("authmilter", 1, 0);
	if (conf_load(path, &cf, why) != AM_OK ||
	    (dns = dns_new(cf->dns_nameservers, cf->dns_timeout, why)) ==
	    NULL || snap_build(cf, dns, &sp, why) != AM_OK) {
		fprintf(stderr, "authmilter: %s\n", buf_str(why));
		return (1);
	}
	log_set_debug(cf->debug);
	if (addr_parse(t->client_ip, &a) != AM_OK ||
	    (msg = read_file(t->eml)) == NULL) {
		fprintf(stderr, "authmilter: bad --client-ip or cannot read "
		    "%s\n", t->eml);
		return (1);
	}
	if ((c = conn_new(sp, &a, NULL)) == NULL)
		am_panic("tryout: out of memory");
	client_start(c, NULL, NULL);		/* iprev, DNSBL */
	if (t->client_name != NULL) {		/* instead of the PTR's */
		client_resolve(c);
		c->rep.iprev.result = IPREV_RES_PASS;
		c->rep.iprev.checked = true;
		snprintf(c->rep.iprev.name, sizeof(c->rep.iprev.name), "%s",
		    t->client_name);
	}
	if (!early_stages(c, t))
		print_refusal(&c->msg->out.d);
	else {
		feed_message(c, msg);	/* a trusted client's mail is signed */
		msg_end(c, "tryout");
		explain(c, t);
		print_outcome(&c->msg->out);
	}
	conn_free(&c);
	dns_free(&dns);
	buf_free(&msg);
	buf_free(&why);
	return (0);
}
