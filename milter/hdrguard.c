/*
 * NAME
 *	hdrguard - header fields holding a bare CR, bare LF or NUL
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	void msg_field_bytes(struct msg *m, const char *name,
 *	    const char *value);
 *	int msg_field_verdict(struct conn *c, struct msg *m);
 * DESCRIPTION
 *	msg_field_bytes() runs for every header field (session.c,
 *	msg_header) and remembers the first field whose value holds a byte
 *	RFC 5322 2.2 forbids there (auth/fieldbytes.c): its name, reduced
 *	to letters, digits and '-' (at most 63), and the offence.
 *
 *	msg_field_verdict() runs at end of message after policy_decide()
 *	(eval.c): for such a message it logs one line naming the field and
 *	lets policy_header_bytes() change the decision; with the verdict
 *	tag it adds "X-Authmilter-Warning: FIELD has a bare CR" (or bare LF,
 *	NUL) to the delivered message. Returns AM_TEMP on out of memory.
 * DIAGNOSTICS
 *	"qid: header: field=NAME bytes=bare-cr|bare-lf|nul verdict=V"
 *	(warn: the peer sent it).
 * SEE ALSO
 *	RFC 5322 2.2; authmilter.conf(5) on_bad_header_bytes
 */
#include <stdio.h>
#include <string.h>

#include "auth/fieldbytes.h"
#include "milter/session.h"
#include "policy/policy.h"
#include "util/am.h"
#include "util/log.h"

/* msg_field_bytes - note the first field with a forbidden byte */
void
msg_field_bytes(struct msg *m, const char *name, const char *value)
{
	enum field_bytes fb;
	size_t	 i, n;
	char	 ch;

	if (m->badbytes != FIELD_BYTES_OK ||
	    (fb = field_bytes_check(value, strlen(value))) == FIELD_BYTES_OK)
		return;
	m->badbytes = fb;
	n = strnlen(name, sizeof(m->badfield) - 1);
	for (i = 0; i < n; i++) {
		ch = name[i];
		m->badfield[i] = (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
		    ch == '-' ? ch : '?';
	}
	m->badfield[n] = '\0';
}

/* msg_field_verdict - apply on_bad_header_bytes; one log line */
int
msg_field_verdict(struct conn *c, struct msg *m)
{
	const char *what;

	if (m->badbytes == FIELD_BYTES_OK)
		return (AM_OK);
	what = field_bytes_str(m->badbytes);
	policy_header_bytes(c->snap->cf, m->badfield, what, &m->out.d);
	log_warn("%s: header: field=%s bytes=%s verdict=%s", m->qid,
	    m->badfield[0] ? m->badfield : "-", what,
	    verdict_str(m->out.d.verdict));
	if (m->out.d.verdict != VERDICT_TAG)
		return (AM_OK);
	if (m->out.warn == NULL && (m->out.warn = buf_new(LIM_REASON)) == NULL)
		return (AM_TEMP);
	buf_setf(m->out.warn, "%s has a %s", m->badfield[0] ?
	    m->badfield : "a field", what);
	return (AM_OK);
}
