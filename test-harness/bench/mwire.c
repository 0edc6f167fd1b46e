/*
 * NAME
 *	mwire - the MTA side of the milter protocol, for mload
 * DESCRIPTION
 *	Framing (4-byte length, command, data), the negotiation, and one
 *	message through a chain of milters as Postfix's milter8 client
 *	sends it: every event's SMFIC_MACRO packet (even for a step the
 *	milter skips) in the same write as its command, no wait for a reply
 *	under SMFIP_NR_*, header values without their leading space unless
 *	SMFIP_HDR_LEADSPC, and at end of message the modification actions,
 *	tallied and, between chained milters, applied to the header list.
 *	See mload.c for the whole program.
 * THREADS
 *	A struct session belongs to one thread; the options are read-only
 *	once sessions run.
 * SEE ALSO
 *	/usr/include/libmilter/mfdef.h; Postfix src/milter/milter8.c.
 */
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "mload.h"

static atomic_uint qid_seq;		/* queue ids: "i" macro */

/* ------------------------------------------------------- wire: output */

/* ob_put - append bytes */
static void
ob_put(struct obuf *b, const void *p, size_t n)
{
	if (b->len + n > b->cap) {
		b->cap = (b->len + n) * 2 + 1024;
		b->p = xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->len, p, n);
	b->len += n;
}

/* ob_u32 - append a network-order 32-bit integer */
static void
ob_u32(struct obuf *b, uint32_t v)
{
	uint32_t n = htonl(v);

	ob_put(b, &n, 4);
}

/* ob_str - append a string with its NUL */
static void
ob_str(struct obuf *b, const char *s)
{
	ob_put(b, s, strlen(s) + 1);
}

/* mc_flush - write out what is buffered */
static int
mc_flush(struct mconn *m)
{
	size_t	 off = 0;
	ssize_t	 n;

	while (off < m->out.len) {
		n = write(m->fd, m->out.p + off, m->out.len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		off += n;
	}
	m->out.len = 0;
	return (0);
}

/*
 * pkt_begin / pkt_end - frame one packet in m->out: length, command,
 * data. pkt_end fills in the length and, in postfix mode, writes.
 */
static size_t
pkt_begin(struct mconn *m, int cmd)
{
	size_t	 at = m->out.len;
	unsigned char c = (unsigned char)cmd;

	ob_u32(&m->out, 0);
	ob_put(&m->out, &c, 1);
	return (at);
}

static int
pkt_end(struct mconn *m, size_t at)
{
	uint32_t n = htonl((uint32_t)(m->out.len - at - 4));

	memcpy(m->out.p + at, &n, 4);
	if (wmode == W_PACKET)
		return (mc_flush(m));
	return (0);
}

/*
 * send_macros - one SMFIC_MACRO packet for command cmd: NULL-ended pairs.
 * Postfix sends one for every event, empty or not, skipped or not.
 */
static int
send_macros(struct mconn *m, int cmd, const char *const *kv)
{
	size_t	 at;
	unsigned char c = (unsigned char)cmd;

	at = pkt_begin(m, SMFIC_MACRO);
	ob_put(&m->out, &c, 1);
	for (; kv != NULL && kv[0] != NULL; kv += 2) {
		ob_str(&m->out, kv[0]);
		ob_str(&m->out, kv[1]);
	}
	return (pkt_end(m, at));
}

/* cmd_done - a command is framed: write it unless corked */
static int
cmd_done(struct mconn *m, bool reply_due)
{
	if (wmode == W_CORK && !reply_due)
		return (0);
	return (mc_flush(m));
}

/* -------------------------------------------------------- wire: input */

/* mc_fill - read more into rbuf; 0, or -1 on EOF/error/timeout */
static int
mc_fill(struct mconn *m, size_t want)
{
	ssize_t	 n;

	if (m->roff > 0 && m->roff == m->rlen)
		m->roff = m->rlen = 0;
	if (m->rlen + want > m->rcap) {
		if (m->roff > 0) {
			memmove(m->rbuf, m->rbuf + m->roff, m->rlen - m->roff);
			m->rlen -= m->roff;
			m->roff = 0;
		}
		if (m->rlen + want > m->rcap) {
			m->rcap = m->rlen + want + 65536;
			m->rbuf = xrealloc(m->rbuf, m->rcap);
		}
	}
	for (;;) {
		n = read(m->fd, m->rbuf + m->rlen, m->rcap - m->rlen);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (-1);
		m->rlen += n;
		if (quickack) {
			int	 one = 1;

			setsockopt(m->fd, IPPROTO_TCP, TCP_QUICKACK, &one,
			    sizeof(one));
		}
		return (0);
	}
}

/* mc_read_pkt - next packet: returns the command, data in m->pkt */
static int
mc_read_pkt(struct mconn *m)
{
	uint32_t len;
	int	 cmd;

	while (m->rlen - m->roff < 5)
		if (mc_fill(m, 5) != 0)
			return (-1);
	memcpy(&len, m->rbuf + m->roff, 4);
	len = ntohl(len);
	if (len < 1 || len > MAX_REPLY)
		return (-1);
	while (m->rlen - m->roff < 4 + (size_t)len)
		if (mc_fill(m, 4 + len) != 0)
			return (-1);
	cmd = m->rbuf[m->roff + 4];
	m->pktlen = len - 1;
	if (m->pktlen + 1 > m->pktcap) {
		m->pktcap = m->pktlen + 1;
		m->pkt = xrealloc(m->pkt, m->pktcap);
	}
	memcpy(m->pkt, m->rbuf + m->roff + 5, m->pktlen);
	m->pkt[m->pktlen] = '\0';
	m->roff += 4 + len;
	return (cmd);
}

/* ------------------------------------------------------------ session */

/* seterr - first error of this message, for the summary */
static void
seterr(struct session *s, const char *fmt, ...)
{
	va_list	 ap;

	if (s->err[0] != '\0')
		return;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
}

/* reply_code - map an SMFIR_REPLYCODE text to reject or tempfail */
static enum step_res
reply_code(const struct mconn *m)
{
	if (m->pktlen > 0 && m->pkt[0] == '4')
		return (S_TEMPFAIL);
	if (m->pktlen > 0 && m->pkt[0] == '5')
		return (S_REJECT);
	return (S_ERROR);
}

/* hl_find - index of the idx-th (1-based) field called name, or -1 */
static int
hl_find(const struct hlist *hl, const char *name, uint32_t idx)
{
	int	 i;
	uint32_t seen = 0;

	for (i = 0; i < hl->n; i++)
		if (strcasecmp(hl->h[i].name, name) == 0 && ++seen == idx)
			return (i);
	return (-1);
}

/* hl_insert - put a field at position pos (clamped) */
static void
hl_insert(struct hlist *hl, int pos, const char *name, const char *val,
    bool leadspc)
{
	struct hdr h;
	size_t	 vl = strlen(val);

	if (hl->n == hl->cap) {
		hl->cap = hl->cap ? 2 * hl->cap : 32;
		hl->h = xrealloc(hl->h, hl->cap * sizeof(*hl->h));
	}
	if (pos < 0 || pos > hl->n)
		pos = hl->n;
	h.name = xstrndup(name, strlen(name));
	h.value = xmalloc(vl + 2);
	h.vlen = 0;
	if (!leadspc)			/* Postfix adds the space itself */
		h.value[h.vlen++] = ' ';
	memcpy(h.value + h.vlen, val, vl + 1);
	h.vlen += vl;
	h.owned = true;
	memmove(hl->h + pos + 1, hl->h + pos, (hl->n - pos) * sizeof(*hl->h));
	hl->h[pos] = h;
	hl->n++;
}

/* hl_reset - drop edits; point at the message's own fields */
static void
hl_reset(struct hlist *hl, const struct msgfile *mf)
{
	int	 i;

	for (i = 0; i < hl->n; i++)
		if (hl->h[i].owned) {
			free(hl->h[i].name);
			free(hl->h[i].value);
		}
	if (hl->cap < mf->nh) {
		hl->cap = mf->nh + 8;
		hl->h = xrealloc(hl->h, hl->cap * sizeof(*hl->h));
	}
	memcpy(hl->h, mf->h, mf->nh * sizeof(*mf->h));
	hl->n = mf->nh;
}

/* apply_edit - one modification action at end of message */
static void
apply_edit(struct session *s, struct mconn *m, int cmd, bool apply)
{
	const char *name, *val;
	uint32_t idx = 0;
	size_t	 off = 0, nl;
	int	 i;
	bool	 lead = (m->proto & SMFIP_HDR_LEADSPC) != 0;

	switch (cmd) {
	case SMFIR_ADDHEADER:
	case SMFIR_INSHEADER:
	case SMFIR_CHGHEADER:
		if (cmd != SMFIR_ADDHEADER) {
			if (m->pktlen < 4)
				return;
			memcpy(&idx, m->pkt, 4);
			idx = ntohl(idx);
			off = 4;
		}
		name = (const char *)m->pkt + off;
		nl = strnlen(name, m->pktlen - off);
		if (off + nl + 1 > m->pktlen)
			return;
		val = name + nl + 1;	/* pkt is NUL-terminated by us */
		if (verbose > 1)
			fprintf(stderr, "%s: %s: '%c' %u %s:%s\n", s->qid,
			    m->t->spec, cmd, idx, name, val);
		if (grep_str != NULL && strstr(val, grep_str) != NULL)
			s->st.grep++;
		if (cmd == SMFIR_ADDHEADER) {
			s->st.edits[E_ADD]++;
			if (apply)
				hl_insert(&s->hl, -1, name, val, lead);
		} else if (cmd == SMFIR_INSHEADER) {
			s->st.edits[E_INSERT]++;
			if (apply)
				hl_insert(&s->hl, (int)idx, name, val, lead);
		} else if (*val == '\0') {
			s->st.edits[E_DELETE]++;
			if (apply && (i = hl_find(&s->hl, name, idx)) >= 0) {
				if (s->hl.h[i].owned) {
					free(s->hl.h[i].name);
					free(s->hl.h[i].value);
				}
				memmove(s->hl.h + i, s->hl.h + i + 1,
				    (s->hl.n - i - 1) * sizeof(*s->hl.h));
				s->hl.n--;
			}
		} else {
			s->st.edits[E_CHANGE]++;
			if (apply) {
				i = hl_find(&s->hl, name, idx);
				hl_insert(&s->hl, i, name, val, lead);
				if (i >= 0) {	/* drop the old one after it */
					struct hdr *o = &s->hl.h[i + 1];

					if (o->owned) {
						free(o->name);
						free(o->value);
					}
					memmove(o, o + 1, (s->hl.n - i - 2) *
					    sizeof(*o));
					s->hl.n--;
				}
			}
		}
		break;
	case SMFIR_QUARANTINE:
		s->quarantined = true;
		break;
	case SMFIR_CHGFROM:
		s->st.edits[E_CHGFROM]++;
		break;
	case SMFIR_ADDRCPT:
	case SMFIR_ADDRCPT_PAR:
	case SMFIR_DELRCPT:
		s->st.edits[E_RCPT]++;
		break;
	case SMFIR_REPLBODY:
		s->st.edits[E_BODY]++;
		break;
	}
}

/*
 * read_reply - read until the reply that ends this step. At end of
 * message (eom) modification actions come first and are tallied (and
 * applied to the header list when apply).
 */
static enum step_res
read_reply(struct session *s, struct mconn *m, bool eom, bool apply)
{
	int	 cmd;

	if (mc_flush(m) != 0) {
		seterr(s, "%s: write: %s", m->t->spec, strerror(errno));
		return (S_ERROR);
	}
	for (;;) {
		if ((cmd = mc_read_pkt(m)) < 0) {
			seterr(s, "%s: read: %s", m->t->spec,
			    errno ? strerror(errno) : "EOF or bad packet");
			return (S_ERROR);
		}
		if (verbose > 2)
			fprintf(stderr, "%s: %s: reply '%c' %.*s\n", s->qid,
			    m->t->spec, cmd, (int)m->pktlen, (char *)m->pkt);
		switch (cmd) {
		case SMFIR_CONTINUE:	return (S_CONTINUE);
		case SMFIR_ACCEPT:	return (S_ACCEPT);
		case SMFIR_REJECT:	return (S_REJECT);
		case SMFIR_TEMPFAIL:	return (S_TEMPFAIL);
		case SMFIR_DISCARD:	return (S_DISCARD);
		case SMFIR_SKIP:	return (S_SKIP);
		case SMFIR_SHUTDOWN:
		case SMFIR_CONN_FAIL:	return (S_TEMPFAIL);
		case SMFIR_REPLYCODE:	return (reply_code(m));
		case SMFIR_PROGRESS:	continue;
		default:
			if (!eom) {
				seterr(s, "%s: action '%c' before end of "
				    "message", m->t->spec, cmd);
				return (S_ERROR);
			}
			apply_edit(s, m, cmd, apply);
		}
	}
}

/*
 * step - send the macros, then the command unless skipped, and read the
 * reply unless no-reply was negotiated. Like Postfix, the macros go out
 * even for a skipped event, in the same write as the command.
 * S_CONTINUE when skipped or not answered.
 */
static enum step_res
step(struct session *s, struct mconn *m, int cmd, const char *const *mac,
    const void *data, size_t len, uint32_t no, uint32_t nr)
{
	size_t	 at;
	bool	 reply = (m->proto & nr) == 0;

	if (send_macros(m, cmd, mac) != 0)
		goto werr;
	if (no != 0 && (m->proto & no) != 0) {
		if (cmd_done(m, false) != 0)
			goto werr;
		return (S_CONTINUE);
	}
	at = pkt_begin(m, cmd);
	if (len > 0)
		ob_put(&m->out, data, len);
	if (pkt_end(m, at) != 0 || cmd_done(m, reply) != 0)
		goto werr;
	if (!reply)
		return (S_CONTINUE);
	return (read_reply(s, m, false, false));
werr:
	seterr(s, "%s: write: %s", m->t->spec, strerror(errno));
	return (S_ERROR);
}

/* mc_close - QUIT and close */
void
mc_close(struct mconn *m, bool quit)
{
	size_t	 at;

	if (m->fd < 0)
		return;
	if (quit) {
		at = pkt_begin(m, SMFIC_QUIT);
		pkt_end(m, at);
		mc_flush(m);
	}
	close(m->fd);
	m->fd = -1;
	m->out.len = 0;
	m->rlen = m->roff = 0;
}

/* mc_abort - end the transaction; the connection goes on */
void
mc_abort(struct mconn *m)
{
	size_t	 at;

	at = pkt_begin(m, SMFIC_ABORT);
	pkt_end(m, at);
	cmd_done(m, false);
}

/* mc_open - connect and negotiate */
int
mc_open(struct session *s, struct mconn *m, const struct target *t)
{
	struct timeval tv;
	uint32_t v[3];
	size_t	 at;
	int	 one = 1, cmd;

	m->t = t;
	m->done = false;
	m->out.len = 0;
	m->rlen = m->roff = 0;
	if ((m->fd = socket(t->family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		seterr(s, "socket: %s", strerror(errno));
		return (-1);
	}
	tv.tv_sec = timeout_ms / 1000;
	tv.tv_usec = (timeout_ms % 1000) * 1000;
	setsockopt(m->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(m->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (t->family != AF_UNIX && nodelay)
		setsockopt(m->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(m->fd, (const struct sockaddr *)&t->sa, t->salen) != 0) {
		seterr(s, "%s: connect: %s", t->spec, strerror(errno));
		mc_close(m, false);
		return (-1);
	}
	at = pkt_begin(m, SMFIC_OPTNEG);
	ob_u32(&m->out, SMFI_PROT_VERSION);
	ob_u32(&m->out, SMFI_CURR_ACTS);
	ob_u32(&m->out, SMFI_CURR_PROT);
	pkt_end(m, at);
	if (mc_flush(m) != 0 || (cmd = mc_read_pkt(m)) < 0) {
		seterr(s, "%s: negotiate: %s", t->spec, strerror(errno));
		mc_close(m, false);
		return (-1);
	}
	if (cmd != SMFIC_OPTNEG || m->pktlen < 12) {
		seterr(s, "%s: negotiate: reply '%c'", t->spec, cmd);
		mc_close(m, false);
		return (-1);
	}
	memcpy(v, m->pkt, 12);		/* macro lists after it: ignored */
	m->acts = ntohl(v[1]);
	m->proto = ntohl(v[2]);
	if (verbose > 2)
		fprintf(stderr, "%s: negotiated actions 0x%x protocol 0x%x\n",
		    t->spec, m->acts, m->proto);
	return (0);
}

/* res_verdict - a step's result as the message's verdict */
enum verdict
res_verdict(enum step_res r)
{
	switch (r) {
	case S_REJECT:		return (V_REJECT);
	case S_TEMPFAIL:	return (V_TEMPFAIL);
	case S_DISCARD:		return (V_DISCARD);
	case S_ERROR:		return (V_ERROR);
	default:		return (V_ACCEPT);
	}
}

/*
 * conn_events - connect and HELO to every milter of the chain. A
 * milter that accepts here is done for the whole connection. Returns
 * S_CONTINUE, or the refusal that ends the connection.
 */
enum step_res
conn_events(struct session *s, const struct msgfile *mf, unsigned port)
{
	unsigned char cbuf[600];
	size_t	 cl = 0, hl;
	char	 under[200];
	const char *cmac[] = {
		"j", MTA_NAME, "{daemon_name}", MTA_NAME,
		"{daemon_addr}", "127.0.0.1", "v", "Postfix 3.7.11",
		"_", under, "{client_addr}", mf->ip, NULL,
	};
	enum step_res r;
	uint16_t np = htons((uint16_t)port);
	int	 i;

	snprintf(under, sizeof(under), "unknown [%s]", mf->ip);
	hl = snprintf((char *)cbuf, 200, "[%s]", mf->ip) + 1;
	cl = hl;
	cbuf[cl++] = strchr(mf->ip, ':') ? '6' : '4';
	memcpy(cbuf + cl, &np, 2);
	cl += 2;
	memcpy(cbuf + cl, mf->ip, strlen(mf->ip) + 1);
	cl += strlen(mf->ip) + 1;
	for (i = 0; i < ntargets; i++) {
		struct mconn *m = &s->mc[i];

		r = step(s, m, SMFIC_CONNECT, cmac, cbuf, cl, SMFIP_NOCONNECT,
		    SMFIP_NR_CONN);
		if (r == S_ACCEPT)
			m->done = true;
		else if (r != S_CONTINUE)
			return (r);
	}
	for (i = 0; i < ntargets; i++) {
		struct mconn *m = &s->mc[i];

		if (m->done)
			continue;
		r = step(s, m, SMFIC_HELO, NULL, mf->helo,
		    strlen(mf->helo) + 1, SMFIP_NOHELO, SMFIP_NR_HELO);
		if (r == S_ACCEPT)
			m->done = true;
		else if (r != S_CONTINUE)
			return (r);
	}
	return (S_CONTINUE);
}

/* addr_domain - the part after the last '@' */
static const char *
addr_domain(const char *a)
{
	const char *at = strrchr(a, '@');

	return (at ? at + 1 : "");
}

/*
 * envelope - MAIL, RCPT, DATA to every milter still in. *skip[i] is
 * set for milters that accepted the message. Returns S_CONTINUE or
 * the refusal that ends the message.
 */
static enum step_res
envelope(struct session *s, const struct msgfile *mf, bool *skip)
{
	char	 from[600], rcpt[600];
	const char *mmac[] = {
		"i", s->qid, "{mail_addr}", mf->from,
		"{mail_host}", addr_domain(mf->from), "{mail_mailer}", "smtp",
		NULL,
	};
	const char *rmac[] = {
		"i", s->qid, "{rcpt_addr}", mf->rcpt,
		"{rcpt_host}", addr_domain(mf->rcpt), "{rcpt_mailer}", "smtp",
		NULL,
	};
	const char *imac[] = { "i", s->qid, NULL };
	struct {
		int	 cmd;
		const char *const *mac;
		const char *arg;
		uint32_t no, nr;
	} ev[3] = {
		{ SMFIC_MAIL, mmac, from, SMFIP_NOMAIL, SMFIP_NR_MAIL },
		{ SMFIC_RCPT, rmac, rcpt, SMFIP_NORCPT, SMFIP_NR_RCPT },
		{ SMFIC_DATA, imac, NULL, SMFIP_NODATA, SMFIP_NR_DATA },
	};
	enum step_res r;
	int	 e, i;

	snprintf(from, sizeof(from), "<%s>", mf->from);
	snprintf(rcpt, sizeof(rcpt), "<%s>", mf->rcpt);
	for (e = 0; e < 3; e++)
		for (i = 0; i < ntargets; i++) {
			if (s->mc[i].done || skip[i])
				continue;
			r = step(s, &s->mc[i], ev[e].cmd, ev[e].mac, ev[e].arg,
			    ev[e].arg ? strlen(ev[e].arg) + 1 : 0, ev[e].no,
			    ev[e].nr);
			if (r == S_ACCEPT)
				skip[i] = true;
			else if (r != S_CONTINUE)
				return (r);
		}
	return (S_CONTINUE);
}

/* content - header fields, EOH, body, EOB to one milter; the verdict */
static enum step_res
content(struct session *s, struct mconn *m, const struct msgfile *mf,
    bool apply)
{
	const char *imac[] = { "i", s->qid, NULL };
	struct obuf hb = { NULL, 0, 0 };
	enum step_res r;
	size_t	 off, n;
	int	 i;
	bool	 lead = (m->proto & SMFIP_HDR_LEADSPC) != 0;

	for (i = 0; i < s->hl.n; i++) {
		const struct hdr *h = &s->hl.h[i];
		const char *v = h->value;

		if (!lead)
			while (*v == ' ' || *v == '\t')
				v++;
		hb.len = 0;
		ob_str(&hb, h->name);
		ob_str(&hb, v);
		r = step(s, m, SMFIC_HEADER, imac, hb.p, hb.len, SMFIP_NOHDRS,
		    SMFIP_NR_HDR);
		if (r != S_CONTINUE) {
			free(hb.p);
			return (r);
		}
	}
	free(hb.p);
	r = step(s, m, SMFIC_EOH, imac, NULL, 0, SMFIP_NOEOH, SMFIP_NR_EOH);
	if (r != S_CONTINUE)
		return (r);
	for (off = 0; off < mf->bodylen; off += n) {
		n = mf->bodylen - off;
		if (n > MILTER_CHUNK_SIZE)
			n = MILTER_CHUNK_SIZE;
		r = step(s, m, SMFIC_BODY, imac, mf->body + off, n,
		    SMFIP_NOBODY, SMFIP_NR_BODY);
		if (r == S_SKIP)
			break;
		if (r != S_CONTINUE)
			return (r);
	}
	if (send_macros(m, SMFIC_BODYEOB, imac) != 0)
		return (S_ERROR);
	off = pkt_begin(m, SMFIC_BODYEOB);
	if (pkt_end(m, off) != 0)
		return (S_ERROR);
	return (read_reply(s, m, true, apply));
}

/* one_message - MAIL .. EOM through the chain; the verdict */
enum verdict
one_message(struct session *s, const struct msgfile *mf)
{
	bool	 skip[MAX_MILTERS] = { false };
	enum step_res r;
	int	 i;

	snprintf(s->qid, sizeof(s->qid), "4B%08X",
	    atomic_fetch_add(&qid_seq, 1));
	s->quarantined = false;
	if ((r = envelope(s, mf, skip)) != S_CONTINUE)
		return (res_verdict(r));
	hl_reset(&s->hl, mf);
	for (i = 0; i < ntargets; i++) {
		if (s->mc[i].done || skip[i])
			continue;
		r = content(s, &s->mc[i], mf, i + 1 < ntargets);
		if (r != S_CONTINUE && r != S_ACCEPT)
			return (res_verdict(r));
	}
	return (V_ACCEPT);
}
