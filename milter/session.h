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
 *	int msg_header(struct conn *c, const char *name, const char *value);
 *	int msg_eoh(struct conn *c);
 *	int msg_body(struct conn *c, const unsigned char *p, size_t n);
 *	int msg_end(struct conn *c, const char *qid);
 *	void msg_reset(struct conn *c);
 *	bool msg_wants_body(const struct conn *c);
 *	int msg_fail(struct conn *c, const char *stage);
 *	int msg_spf(struct conn *c, struct msg *m);
 *	void msg_arc_seal(struct conn *c, struct msg *m);
 *	bool msg_arc_seal_log(const struct conn *c, const struct msg *m,
 *	    char *dst, size_t len);
 *	bool conn_log_json(const struct conn *c);
 *	int conn_policy_connect(struct conn *c, struct decision *d_r);
 *	int msg_field_verdict(struct conn *c, struct msg *m);
 *	int msg_log_rcpts(const struct msg *m, char *dst, size_t len);
 *	int msg_out_begin(struct conn *c, struct msg *m);
 *	int msg_out_end(struct conn *c, struct msg *m);
 *	int msg_policy_mail(struct conn *c, const char *qid,
 *	    struct decision *d_r);
 *	int msg_rcpt(struct conn *c, const char *rcpt, const char *qid,
 *	    struct decision *d_r);
 *	int msg_tag_edits(struct conn *c);
 *	void conn_rule_input(const struct conn *c, unsigned known,
 *	    const char *rcpt, struct rule_input *in_r);
 *	void msg_del_field(struct conn *c, struct msg *m, const char *name,
 *	    int idx, const char *what);
 *	void msg_field(struct conn *c, const char *name,
 *	    const char *value);
 *	void msg_field_bytes(struct msg *m, const char *name,
 *	    const char *value);
 *	void msg_forged(struct conn *c, struct msg *m, const char *name,
 *	    const char *value);
 *	void msg_out_body(struct conn *c, struct msg *m,
 *	    const unsigned char *p, size_t n);
 *	void msg_out_eoh(struct conn *c, struct msg *m);
 *	void msg_out_header(struct conn *c, struct msg *m,
 *	    const char *name, const char *value);
 *	void msg_record(const struct conn *c, const struct msg *m);
 * DESCRIPTION
 *	The daemon's callbacks (callbacks.c) and the -t command (tryout.c)
 *	drive the same stages, so an operator's "why was this rejected?"
 *	runs exactly the daemon's code.
 *
 *	conn_new() pins the snapshot sp (ownership passes to the conn).
 *	client NULL means no network client (local submission): trusted.
 *	msg_begin() starts a message and the lookups of the SPF records of
 *	the MAIL FROM and HELO identities. A message of a trusted or
 *	authenticated client is marked skip: it is not evaluated as inbound
 *	mail, but forged Authentication-Results are still removed from it
 *	and it is DKIM-signed when a key applies (signing.c).
 *	msg_header() tracks From: fields and our Authentication-Results,
 *	and feeds DKIM. msg_end() runs SPF (HELO once per name, MAIL FROM),
 *	DKIM, the From: parse, DMARC and the policy, and leaves in c->msg->out the decision and the header edits.
 *	msg_begin() also starts the message's DNS time budget
 *	(dns.message_budget); msg_end() binds it around its checks, so
 *	all their DNS waits together stay within it. msg_header() notes
 *	the first field holding a bare CR, bare LF or NUL (hdrguard.c);
 *	msg_end() gives such a message on_bad_header_bytes.
 *	With arc.seal_key, msg_arc_seal() (sealing.c) adds our ARC set to
 *	a message that will be delivered; msg_arc_seal_log() is its log
 *	field ("2/pass", "none" or "error"; false when sealing is off).
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

#include "auth/arcseal.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "auth/sign.h"
#include "milter/snap.h"
#include "policy/verdict.h"
#include "util/addr.h"
#include "util/buf.h"

/* on_bad_header_bytes = tag adds it; incoming copies are deleted */
#define WARN_HEADER	"X-Authmilter-Warning"

/* one header deletion: name and 1-based index among fields of that name */
struct hdr_del {
	const char *name;
	int	 idx;
};

/* what msg_end() concluded: the verdict and the header edits */
struct outcome {
	struct decision d;
	int	 ndel;			/* deletions, in arrival order: */
	const struct hdr_del *del;	/* apply the last first (borrowed) */
	struct buf *authres;		/* our A-R value, or empty */
	struct buf *rspf;		/* Received-SPF value, or empty */
	const char *tag_name;		/* the tag header's name (tag.header) */
	struct buf *tag;		/* tag header value, or empty */
	struct buf *subject;		/* new Subject value, or empty */
	bool	 subject_add;		/* no Subject: add, do not change */
	struct buf *warn;		/* X-Authmilter-Warning, or NULL */
	const struct sign_msg *sign;	/* DKIM-Signatures to add, or NULL */
	const struct arcseal_set *arc;	/* our ARC set to add, or NULL */
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
	struct buf *hdrs;		/* the header block, for failure
					 * reports (report.failure) */
	int	 nauthres;		/* Authentication-Results seen */
	int	 nrspf;			/* Received-SPF seen */
	int	 nforged;		/* of those, claiming to be ours */
	struct hdr_del *forged;		/* which, in arrival order */
	struct outcome out;
	struct timespec t0;		/* MAIL FROM, for the latency metric */
	/* local policy (stage.c) */
	int	 nrcpt;			/* recipients accepted */
	char	 rcpt1[LIM_ADDRESS];	/* the first: rules see this one */
	char	 rcpts[LIM_LOG_RCPTS][LIM_ADDRESS];	/* for the log */
	struct buf *subject;		/* first Subject: value, or NULL */
	int	 nsubject;
	int	 ntag;			/* incoming tag headers */
	int	 nwarn;			/* incoming WARN_HEADER fields */
	struct dns_budget budget;	/* DNS waits of this message */
	int	 badbytes;		/* enum field_bytes of the first */
	char	 badfield[64];		/* its field name, sanitised */
	struct sign_msg *sign;		/* outbound: DKIM signing, or NULL */
	struct buf *from;		/* outbound: first From: value, for
					 * the signing table; or NULL */
	bool	 sign_failed;		/* signing failed: sign.on_error */
	char	 sign_err[LIM_REASON];
	struct arc_msg *arc;		/* ARC chain (auth/arc.c) */
	struct arcseal_set seal;	/* our ARC set (sealing.c) */
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
	/* client reputation (issue 7; milter/client.c) */
	struct client_results rep;
	bool	 rep_started;		/* lookups started at connect */
	bool	 rep_done;		/* answers in rep: rules may use it */
	char	 rep_helo[LIM_DOMAIN];	/* the HELO rep.helo_bad is for */
	char	 mta_host[LIM_DOMAIN];	/* {j} */
	struct addr daemon_addr;	/* {daemon_addr}; family 0: unknown */
};

struct conn *conn_new(struct snap *sp, const struct addr *client,
	    const char *mta_host);
void	conn_free(struct conn **cp);
void	conn_helo(struct conn *c, const char *helo);
int	msg_begin(struct conn *c, const char *mailfrom, const char *auth_authen);
int	msg_header(struct conn *c, const char *name, const char *value);
int	msg_eoh(struct conn *c);
int	msg_body(struct conn *c, const unsigned char *p, size_t n);
int	msg_end(struct conn *c, const char *qid);
void	msg_reset(struct conn *c);
int	msg_fail(struct conn *c, const char *stage);
int	msg_spf(struct conn *c, struct msg *m);
bool	msg_wants_body(const struct conn *c);
void	msg_record(const struct conn *c, const struct msg *m);
bool	conn_log_json(const struct conn *c);

/* local policy stages (stage.c) */
struct rule_input;
void	conn_rule_input(const struct conn *c, unsigned known,
	    const char *rcpt, struct rule_input *in_r);
int	conn_policy_connect(struct conn *c, struct decision *d_r);
int	msg_policy_mail(struct conn *c, const char *qid, struct decision *d_r);
int	msg_rcpt(struct conn *c, const char *rcpt, const char *qid,
	    struct decision *d_r);
void	msg_field(struct conn *c, const char *name, const char *value);
int	msg_tag_edits(struct conn *c);
int	msg_log_rcpts(const struct msg *m, char *dst, size_t len);
/* hdrguard.c: fields with a bare CR, bare LF or NUL */
void	msg_field_bytes(struct msg *m, const char *name, const char *value);
int	msg_field_verdict(struct conn *c, struct msg *m);

/* signing.c: messages of trusted and authenticated clients */
int	msg_out_begin(struct conn *c, struct msg *m);
void	msg_out_header(struct conn *c, struct msg *m, const char *name,
	    const char *value);
void	msg_out_eoh(struct conn *c, struct msg *m);
void	msg_out_body(struct conn *c, struct msg *m, const unsigned char *p,
	    size_t n);
int	msg_out_end(struct conn *c, struct msg *m);
void	msg_forged(struct conn *c, struct msg *m, const char *name,
	    const char *value);
void	msg_del_field(struct conn *c, struct msg *m, const char *name,
	    int idx, const char *what);

/* sealing.c: our ARC set on mail we pass on */
void	msg_arc_seal(struct conn *c, struct msg *m);
bool	msg_arc_seal_log(const struct conn *c, const struct msg *m,
	    char *dst, size_t len);

#endif
