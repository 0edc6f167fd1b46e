/*
 * NAME
 *	sealing - our ARC set on inbound mail we pass on (RFC 8617)
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	void msg_arc_seal(struct conn *c, struct msg *m);
 *	bool msg_arc_seal_log(const struct conn *c, const struct msg *m,
 *	    char *dst, size_t len);
 * DESCRIPTION
 *	With arc.seal_key set, msg_end() calls msg_arc_seal() once the
 *	verdict and our Authentication-Results are known. A message that
 *	will be delivered (accept, tag, quarantine; never reject or
 *	tempfail) gets the next ARC set (auth/arcseal.c): its
 *	ARC-Authentication-Results carries our Authentication-Results
 *	value, its ARC-Message-Signature covers the header as it leaves
 *	(the tag verdict's Subject included). m->out.arc then points at the
 *	set and action.c adds it on top of the header block.
 *
 *	A chain that failed gets cv=fail once; a chain in a temporary error,
 *	one already marked cv=fail, one with a broken structure or with 50
 *	sets, and a header over the caps get nothing (the reason is
 *	arc_seal_why= in the log line). Sealing never changes the verdict:
 *	when it fails (out of memory, OpenSSL) the message goes on unsealed
 *	and one warning is logged.
 *
 *	msg_arc_seal_log() writes the arc_seal= field of the summary line:
 *	"N/CV" (instance and cv= of the set added), "none" or "error"; it
 *	is false (no field) when sealing is off or the message is not
 *	delivered.
 * DIAGNOSTICS
 *	"qid: arc: seal failed: reason" (warning).
 * SEE ALSO
 *	RFC 8617 5.1, 5.1.2; authmilter.conf(5) ARC
 */
#include <stdio.h>
#include <string.h>

#include "auth/arcseal.h"
#include "milter/session.h"
#include "util/am.h"
#include "util/log.h"

/* delivered - the verdict lets the message through */
static bool
delivered(const struct msg *m)
{
	return (m->out.d.verdict != VERDICT_REJECT &&
	    m->out.d.verdict != VERDICT_TEMPFAIL);
}

/* msg_arc_seal - add our ARC set to a message that will be delivered */
void
msg_arc_seal(struct conn *c, struct msg *m)
{
	struct outcome *o = &m->out;
	struct arcseal_in in;

	m->out.arc = NULL;
	if (c->snap->arcseal == NULL || m->arc == NULL || !delivered(m))
		return;
	in.authres = buf_str(o->authres);
	in.subject = o->subject != NULL && o->subject->len > 0 ?
	    buf_str(o->subject) : NULL;
	in.subject_add = o->subject_add;
	if (arcseal_seal(c->snap->arcseal, m->arc, &m->res.arc, &in,
	    &m->seal, c->why) != AM_OK) {
		log_warn("%s: arc: seal failed: %s", m->qid, buf_str(c->why));
		snprintf(m->seal.note, sizeof(m->seal.note), "error");
		return;
	}
	if (m->seal.i > 0)
		o->arc = &m->seal;
}

/* msg_arc_seal_log - the arc_seal= log field; false: no field */
bool
msg_arc_seal_log(const struct conn *c, const struct msg *m, char *dst,
    size_t len)
{
	if (c->snap->arcseal == NULL || m->arc == NULL || !delivered(m) ||
	    m->failed)
		return (false);
	if (m->seal.i == 0)
		snprintf(dst, len, "%s", strcmp(m->seal.note, "error") == 0 ?
		    "error" : "none");
	else
		snprintf(dst, len, "%d/%s", m->seal.i, m->seal.cv);
	return (true);
}
