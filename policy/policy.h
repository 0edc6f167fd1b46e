/*
 * NAME
 *	policy - from authentication results to a verdict
 * SYNOPSIS
 *	#include "policy/policy.h"
 *
 *	void policy_decide(const struct auth_results *r,
 *	    const struct conf *cf, struct decision *d_r);
 *	void policy_error(const struct conf *cf, const char *why,
 *	    struct decision *d_r);
 * DESCRIPTION
 *	policy_decide() is pure: no I/O, no clock, no randomness. RFC 9989
 *	removed pct sampling: t=y (or pct=0 in an old record, see dmarc.c)
 *	applies the next weaker policy, any other pct the policy itself.
 *
 *	In order:
 *	1. From: not exactly one field with one author domain (missing,
 *	   several fields, unparseable, several mailboxes of different
 *	   domains) and on_bad_from = reject: reject 550 5.7.1.
 *	2. DMARC temperror, or DMARC fail under p=quarantine/reject while an
 *	   input that could have passed (SPF, a DKIM signature) had a
 *	   temporary error, and on_dns_error = tempfail: tempfail 451 4.7.5.
 *	3. DMARC fail with arc.override (auth/arc.h arc_trust_judge: a
	   passing chain whose trusted newest sealer recorded a pass for the
	   From: domain): accept, why "arc-override" (RFC 9989 override).
	   DMARC fail otherwise: p=reject gives dmarc.reject_action (reject 550
 *	   5.7.26 naming the domain), p=quarantine gives
 *	   dmarc.quarantine_action, p=none gives tag.
 *	4. Anything else: accept.
 *	In monitor mode the verdict is at most tag, and would keeps what
 *	enforce mode would have done.
 *
 *	policy_error() is the verdict for an internal error (on_error).
 * SEE ALSO
 *	RFC 7489 6.6.4, 6.7; RFC 7372 (enhanced status codes)
 */
#ifndef AM_POLICY_H
#define AM_POLICY_H

#include "auth/result.h"
#include "conf/conf.h"
#include "policy/verdict.h"

void	policy_decide(const struct auth_results *r, const struct conf *cf,
	    struct decision *d_r);
void	policy_error(const struct conf *cf, const char *why,
	    struct decision *d_r);

#endif
