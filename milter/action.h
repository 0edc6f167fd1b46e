/*
 * NAME
 *	action - a decision and its header edits, applied through libmilter
 * SYNOPSIS
 *	#include "milter/action.h"
 *
 *	sfsistat action_apply(SMFICTX *ctx, const char *qid,
 *	    const struct outcome *o);
 *	sfsistat action_reply(SMFICTX *ctx, const struct decision *d);
 * DESCRIPTION
 *	action_apply() runs at end of message: deletes the forged
 *	Authentication-Results (highest index first), inserts Received-SPF
 *	and then our Authentication-Results at the top of the header block,
 *	then the DKIM-Signature fields of an outbound message (RSA on top),
 *	then our ARC set when we seal (ARC-Seal on top, then
 *	ARC-Message-Signature, then ARC-Authentication-Results), quarantines if the verdict says so, and returns the verdict with an
 *	explicit SMTP reply and enhanced status code for reject and
 *	tempfail. A failed edit is logged; the verdict still stands.
 *
 *	action_reply() maps a decision to a reply alone (errors in early
 *	stages).
 */
#ifndef AM_ACTION_H
#define AM_ACTION_H

#include <libmilter/mfapi.h>

#include "milter/session.h"

sfsistat action_apply(SMFICTX *ctx, const char *qid, const struct outcome *o);
sfsistat action_reply(SMFICTX *ctx, const struct decision *d);

#endif
