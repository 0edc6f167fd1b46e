/*
 * NAME
 *	callbacks - libmilter callbacks, in flow order, each a few lines
 * DESCRIPTION
 *	The map of the daemon: each callback fetches the connection from
 *	the private data, calls one stage of session.c, and maps the
 *	status. Nothing here decides anything.
 *
 *	negotiate asks for header values with their leading space
 *	(SMFIP_HDR_LEADSPC, so DKIM sees header bytes as sent). On a unix
 *	socket it also skips the step we do not use (DATA) and asks
 *	for no reply at HELO, each header, end of headers and each body
 *	chunk: those stages never decide, so the MTA need not wait for us;
 *	their callbacks then return SMFIS_NOREPLY. Over TCP it does
 *	neither: the MTA's writes that get no answer wait for our delayed
 *	ACK (Nagle's algorithm on the MTA side, ~40 ms a message), which
 *	costs far more than a reply does. A stage that fails marks the
 *	message failed; end of message gives the on_error reply.
 *	connect pins the configuration snapshot; close releases it.
 *	connect, envfrom and envrcpt ask the local policy rules that can
 *	decide by then (stage.c); RCPT is always requested, a refusal there
 *	refuses that recipient alone.
 *	A message of a trusted or authenticated client is not evaluated,
 *	but its headers and body still come here: forged results are
 *	removed from it and it is signed (signing.c).
 * THREADS
 *	libmilter runs a connection's callbacks one at a time; state lives
 *	only in smfi_setpriv data.
 */
#include <stdbool.h>
#include <string.h>

#include "milter/action.h"
#include "milter/callbacks.h"
#include "milter/client.h"
#include "milter/connlimit.h"
#include "milter/session.h"
#include "policy/policy.h"
#include "util/am.h"
#include "util/log.h"

static bool callbacks_quiet;		/* unix socket: no-reply steps */

/* callbacks_setup - choose the protocol steps for the socket kind */
void
callbacks_setup(const char *socket)
{
	callbacks_quiet = strncmp(socket, "unix:", 5) == 0 ||
	    strncmp(socket, "local:", 6) == 0 || socket[0] == '/';
}

/* step_reply - the status of a stage that never decides */
static sfsistat
step_reply(void)
{
	return (callbacks_quiet ? SMFIS_NOREPLY : SMFIS_CONTINUE);
}

/* conn_fail - a stage failed: the on_error reply */
static sfsistat
conn_fail(SMFICTX *ctx, struct conn *c, const char *stage)
{
	struct decision d;

	log_err("%s: %s: %s", c->msg ? c->msg->qid : "NOQUEUE", stage,
	    buf_str(c->why));
	policy_error(c->snap->cf, stage, &d);
	return (action_reply(ctx, &d));
}

/* mlfi_negotiate - ask for the steps and header form we need */
static sfsistat
mlfi_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	unsigned long want = SMFIP_NOUNKNOWN | SMFIP_HDR_LEADSPC;

	if (callbacks_quiet)
		want |= SMFIP_NODATA | SMFIP_NR_HELO |
		    SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;

	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
	*pf1 = f1 & want;
	*pf2 = *pf3 = 0;
	return (SMFIS_CONTINUE);
}

/* mlfi_connect - new connection: pin the snapshot */
static sfsistat
mlfi_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
	struct snap *sp = snap_acquire();
	struct decision d;
	struct addr a;
	struct conn *c;
	bool	 have = addr_from_sockaddr(hostaddr, &a) == AM_OK;

	if (sp == NULL)
		return (SMFIS_TEMPFAIL);
	if (!connlimit_enter(sp->cf->milter_max_connections,
	    have ? &a : NULL)) {
		snap_release(&sp);	/* logged; the MTA says 451 */
		return (SMFIS_TEMPFAIL);
	}
	if ((c = conn_new(sp, have ? &a : NULL, smfi_getsymval(ctx, "j"))) ==
	    NULL) {
		connlimit_leave();
		snap_release(&sp);
		log_err("connect: out of memory");
		return (SMFIS_TEMPFAIL);
	}
	smfi_setpriv(ctx, c);
	client_start(c, smfi_getsymval(ctx, "j"),
	    smfi_getsymval(ctx, "{daemon_addr}"));	/* iprev, DNSBL */
	if (conn_policy_connect(c, &d))
		return (action_reply(ctx, &d));		/* close frees c */
	return (SMFIS_CONTINUE);
}

/* mlfi_helo - remember the HELO name */
static sfsistat
mlfi_helo(SMFICTX *ctx, char *helo)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		conn_helo(c, helo);
	return (step_reply());
}

/* mlfi_envfrom - new message: SPF for HELO and MAIL FROM */
static sfsistat
mlfi_envfrom(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	struct decision d;

	if (c == NULL)
		return (SMFIS_TEMPFAIL);
	if (msg_begin(c, argv[0], smfi_getsymval(ctx, "{auth_authen}")) !=
	    AM_OK)
		return (conn_fail(ctx, c, "envfrom"));
	if (msg_policy_mail(c, smfi_getsymval(ctx, "i"), &d))
		return (action_reply(ctx, &d));
	return (SMFIS_CONTINUE);	/* skip too: signing, forged A-R */
}

/* mlfi_envrcpt - one recipient: the rules may refuse or defer it */
static sfsistat
mlfi_envrcpt(SMFICTX *ctx, char **argv)
{
	struct conn *c = smfi_getpriv(ctx);
	struct decision d;

	if (c != NULL && msg_rcpt(c, argv[0], smfi_getsymval(ctx, "i"), &d))
		return (action_reply(ctx, &d));	/* this recipient only */
	return (SMFIS_CONTINUE);
}

/* mlfi_header - feed one field to DKIM and From: tracking */
static sfsistat
mlfi_header(SMFICTX *ctx, char *name, char *value)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL)
		(void)msg_header(c, name, value);	/* failure acted on at eom */
	return (step_reply());
}

/* mlfi_eoh - end of headers */
static sfsistat
mlfi_eoh(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL)
		(void)msg_eoh(c);
	return (step_reply());
}

/* mlfi_body - a body chunk, for DKIM body hashes */
static sfsistat
mlfi_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL && c->msg != NULL)
		(void)msg_body(c, p, n);
	return (step_reply());
}

/* mlfi_eom - evaluate, decide, edit, reply */
static sfsistat
mlfi_eom(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);
	sfsistat st;

	if (c == NULL || c->msg == NULL)
		return (SMFIS_TEMPFAIL);
	if (msg_end(c, smfi_getsymval(ctx, "i")) != AM_OK)
		return (conn_fail(ctx, c, "eom"));
	st = action_apply(ctx, c->msg->qid, &c->msg->out);
	msg_reset(c);
	return (st);
}

/* mlfi_abort - the message ended early */
static sfsistat
mlfi_abort(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	if (c != NULL)
		msg_reset(c);
	return (SMFIS_CONTINUE);
}

/* mlfi_close - end of connection; only here is conn freed */
static sfsistat
mlfi_close(SMFICTX *ctx)
{
	struct conn *c = smfi_getpriv(ctx);

	smfi_setpriv(ctx, NULL);
	if (c != NULL)
		connlimit_leave();	/* entered at connect */
	conn_free(&c);
	return (SMFIS_CONTINUE);
}

struct smfiDesc callbacks_desc = {
	.xxfi_name = "authmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = mlfi_connect,
	.xxfi_helo = mlfi_helo,
	.xxfi_envfrom = mlfi_envfrom,
	.xxfi_envrcpt = mlfi_envrcpt,
	.xxfi_header = mlfi_header,
	.xxfi_eoh = mlfi_eoh,
	.xxfi_body = mlfi_body,
	.xxfi_eom = mlfi_eom,
	.xxfi_abort = mlfi_abort,
	.xxfi_close = mlfi_close,
	.xxfi_negotiate = mlfi_negotiate,
};
