/*
 * NAME
 *	session - one SMTP connection and its messages, without libmilter
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	struct conn *conn_new(struct snap *sp, const struct addr *client,
 *	    const char *mta_host);
 *	void conn_free(struct conn **cp);
 *	void conn_helo(struct conn *c, const char *helo);
 *	int msg_begin(struct conn *c, const char *mailfrom,
 *	    const char *auth_authen);
 *	void msg_rcpt(struct conn *c, const char *rcpt);
 *	int msg_header(struct conn *c, const char *name, const char *value);
 *	int msg_eoh(struct conn *c);
 *	int msg_body(struct conn *c, const unsigned char *p, size_t n);
 *	int msg_end(struct conn *c, const char *qid);
 *	void msg_reset(struct conn *c);
 *	void conn_log_accept(const struct conn *c, const char *qid,
 *	    const char *why, const char *note);
 * DESCRIPTION
 *	The daemon's callbacks (callbacks.c) and the -t command (tryout.c)
 *	drive the same stages, so an operator's "why was this rejected?"
 *	runs exactly the daemon's code.
 *
 *	conn_new() pins the snapshot sp (ownership passes to the conn).
 *	client NULL means no network client (local submission): trusted.
 *	msg_begin() starts a message and the lookups of the SPF records of
 *	the MAIL FROM and HELO identities. A message of a trusted or
 *	authenticated client is marked skip and evaluated no further.
 *	msg_header() tracks From: fields and our Authentication-Results,
 *	and feeds DKIM. msg_end() runs SPF (HELO once per name, MAIL FROM),
 *	DKIM, the From: parse, DMARC and the policy, and leaves in c->msg->out the decision and the header edits.
 *	msg_rcpt() counts one recipient (for the summary line) and keeps
 *	the first (for report rows).
 *	conn_log_accept() logs the summary of a message or connection
 *	accepted without evaluation (trusted, authenticated), in the
 *	configured log.format.
 *	A stage that fails (out of memory, library) marks the message failed;
 *	msg_end() then gives the on_error verdict. Stages return AM_OK, or
 *	AM_TEMP when the message is already failed.
 * THREADS
 *	A conn belongs to one callback at a time (libmilter serialises a
 *	connection's callbacks).
 */
#ifndef AM_SESSION_H
#define AM_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "auth/result.h"
#include "milter/snap.h"
#include "policy/verdict.h"
#include "util/addr.h"
#include "util/buf.h"

/* one header deletion: name and 1-based index among fields of that name */
struct hdr_del {
	const char *name;
	int	 idx;
};

/* what msg_end() concluded: the verdict and the header edits */
struct outcome {
	struct decision d;
	int	 ndel;			/* deletions, highest index first */
	struct hdr_del *del;
	struct buf *authres;		/* our A-R value, or empty */
	struct buf *rspf;		/* Received-SPF value, or empty */
};

struct msg {
	char	 qid[32];
	bool	 skip;			/* authenticated: not evaluated */
	bool	 failed;		/* a stage failed: on_error */
	const char *fail_why;
	char	 mailfrom[LIM_ADDRESS];
	struct auth_results res;
	struct dkimv_msg *dkim;
	int	 nheaders;
	int	 nfrom;
	struct buf *from;		/* value of the first From: */
	char	 subject[128];		/* start of the first Subject: */
	char	 rcpt[LIM_ADDRESS];	/* the first recipient */
	struct buf *hdrs;		/* the header block, for failure
					 * reports (report.failure) */
	int	 nauthres;		/* Authentication-Results seen */
	int	 nrspf;			/* Received-SPF seen */
	int	 nforged;		/* of those, claiming to be ours */
	struct hdr_del *forged;		/* which, in arrival order */
	struct outcome out;
	int	 nrcpt;			/* RCPT TO seen */
	struct timespec t0;		/* MAIL FROM, for the latency metric */
	struct arc_msg *arc;		/* ARC chain (auth/arc.c) */
};

struct conn {
	struct snap *snap;
	bool	 have_client;
	bool	 trusted;
	struct addr client;
	char	 ip[ADDR_STRLEN];
	char	 helo[LIM_DOMAIN];
	bool	 helo_checked;
	struct spf_result helo_spf;
	char	 authserv_id[LIM_DOMAIN];
	struct msg *msg;
	struct buf *why;
};

struct conn *conn_new(struct snap *sp, const struct addr *client,
	    const char *mta_host);
void	conn_free(struct conn **cp);
void	conn_helo(struct conn *c, const char *helo);
int	msg_begin(struct conn *c, const char *mailfrom, const char *auth_authen);
void	msg_rcpt(struct conn *c, const char *rcpt);
int	msg_header(struct conn *c, const char *name, const char *value);
int	msg_eoh(struct conn *c);
int	msg_body(struct conn *c, const unsigned char *p, size_t n);
int	msg_end(struct conn *c, const char *qid);
void	msg_reset(struct conn *c);
int	msg_fail(struct conn *c, const char *stage);
int	msg_spf(struct conn *c, struct msg *m);
bool	msg_wants_body(const struct conn *c);
void	msg_record(const struct conn *c, const struct msg *m);
void	conn_log_accept(const struct conn *c, const char *qid,
	    const char *why, const char *note);

#endif
