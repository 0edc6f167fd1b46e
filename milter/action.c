/*
 * NAME
 *	action - a decision and its header edits, applied through libmilter
 * DESCRIPTION
 *	See action.h.
 * SEE ALSO
 *	smfi_chgheader(3), smfi_insheader(3), smfi_quarantine(3),
 *	smfi_setreply(3); RFC 8601 5 (header position)
 */
#include <string.h>

#include "milter/action.h"
#include "util/log.h"

/* action_reply - the SMTP reply and milter status for a decision */
sfsistat
action_reply(SMFICTX *ctx, const struct decision *d)
{
	switch (d->verdict) {
	case VERDICT_REJECT:
	case VERDICT_TEMPFAIL:
		if (smfi_setreply(ctx, (char *)d->code, (char *)d->xcode,
		    (char *)d->text) != MI_SUCCESS)
			log_warn("setreply %s %s failed", d->code, d->xcode);
		return (d->verdict == VERDICT_REJECT ? SMFIS_REJECT :
		    SMFIS_TEMPFAIL);
	default:
		return (SMFIS_ACCEPT);
	}
}

/* action_insert_str - add a field given as a string at the top */
static void
action_insert_str(SMFICTX *ctx, const char *qid, const char *name,
    const char *value)
{
	char	 line[LIM_AUTHRES + 2];

	if ((size_t)snprintf(line, sizeof(line), " %s", value) >=
	    sizeof(line) || smfi_insheader(ctx, 0, (char *)name, line) !=
	    MI_SUCCESS)
		log_warn("%s: cannot add %s", qid, name);
}

/*
 * action_insert - add a field at the top of the header block
 *
 * We negotiate SMFIP_HDR_LEADSPC, so the MTA writes a value exactly as
 * given: the space after the colon is ours to send.
 */
static void
action_insert(SMFICTX *ctx, const char *qid, const char *name,
    const struct buf *value)
{
	if (value != NULL && value->len > 0)
		action_insert_str(ctx, qid, name, value->data);
}

/* action_subject - the Subject prefix of the tag verdict */
static void
action_subject(SMFICTX *ctx, const char *qid, const struct outcome *o)
{
	if (o->subject == NULL || o->subject->len == 0)
		return;
	if ((o->subject_add ? smfi_addheader(ctx, "Subject",
	    o->subject->data) : smfi_chgheader(ctx, "Subject", 1,
	    o->subject->data)) != MI_SUCCESS)
		log_warn("%s: cannot change Subject", qid);
}

/* action_apply - header edits, quarantine, reply */
sfsistat
action_apply(SMFICTX *ctx, const char *qid, const struct outcome *o)
{
	int	 i;

	for (i = o->ndel - 1; i >= 0; i--)	/* highest index first */
		if (smfi_chgheader(ctx, (char *)o->del[i].name, o->del[i].idx,
		    NULL) != MI_SUCCESS)
			log_warn("%s: cannot delete %s #%d", qid,
			    o->del[i].name, o->del[i].idx);
	action_insert(ctx, qid, "Received-SPF", o->rspf);
	action_insert(ctx, qid, "Authentication-Results", o->authres);
	if (o->tag_name != NULL)
		action_insert(ctx, qid, o->tag_name, o->tag);
	action_subject(ctx, qid, o);
	action_insert(ctx, qid, WARN_HEADER, o->warn);
	for (i = sign_count(o->sign) - 1; i >= 0; i--)	/* RSA ends on top */
		action_insert_str(ctx, qid, "DKIM-Signature",
		    sign_value(o->sign, i));
	if (o->arc != NULL) {		/* AS on top, AMS, AAR (RFC 8617) */
		action_insert(ctx, qid, "ARC-Authentication-Results",
		    o->arc->aar);
		action_insert(ctx, qid, "ARC-Message-Signature", o->arc->ams);
		action_insert(ctx, qid, "ARC-Seal", o->arc->as);
	}
	if (o->d.verdict == VERDICT_QUARANTINE &&
	    smfi_quarantine(ctx, (char *)o->d.text) != MI_SUCCESS)
		log_warn("%s: cannot quarantine", qid);
	return (action_reply(ctx, &o->d));
}
