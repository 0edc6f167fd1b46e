/*
 * NAME
 *	policy - from authentication results to a verdict
 * SYNOPSIS
 *	#include "policy/policy.h"
 *
 *	void policy_decide(const struct auth_results *r,
 *	    const struct conf *cf, struct decision *d_r);
 *	void policy_header_bytes(const struct conf *cf, const char *field,
 *	    const char *what, struct decision *d_r);
 *	void policy_error(const struct conf *cf, const char *why,
 *	    struct decision *d_r);
 *	void policy_evaluate(const struct rules *rs,
 *	    const struct rule_input *in, const struct conf *cf,
 *	    struct decision *d_r);
 *	int policy_early(const struct rules *rs, const struct rule_input *in,
 *	    const struct conf *cf, struct decision *d_r);
 *	const char *policy_safe_domain(const char *dom, char *dst,
 *	    size_t len);
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
 *	3. No DMARC policy record and SPF fail of the MAIL FROM identity,
 *	   with spf.reject_fail_without_dmarc: reject 550 5.7.23 (RFC 7208
 *	   8.4). With a record DMARC decides, so that forwarded mail with
 *	   a valid author signature survives.
 *	4. DMARC fail with arc.override (auth/arc.h arc_trust_judge: a
 *	   passing chain whose trusted newest sealer recorded a pass for the
 *	   From: domain): accept, why "arc-override" (RFC 9989 override).
 *	   DMARC fail otherwise: p=reject gives dmarc.reject_action (reject 550
 *	   5.7.26 naming the domain), p=quarantine gives
 *	   dmarc.quarantine_action, p=none gives tag.
 *	5. Anything else: accept.
 *	In monitor mode the verdict is at most tag, and would keeps what
 *	enforce mode would have done.
 *
 *	policy_header_bytes() is the verdict for a message with a header
 *	field holding a bare CR, bare LF or NUL (hdrbytes.c), given the
 *	decision policy_decide() made: on_bad_header_bytes = reject gives
 *	reject 550 5.6.0 naming the field (RFC 3463 5.6.0: other or
 *	undefined media error); tag makes the verdict at least tag.
 *
 *	policy_error() is the verdict for an internal error (on_error).
 *
 *	policy_evaluate() asks the local policy rules (rules.h) first, at
 *	end of message with everything known: the first rule that holds
 *	decides (reason "rule", d_r->rule its name); when none does, the
 *	built-in verdict above. policy_early() is for the stages before the
 *	data (connect, MAIL, RCPT): 1 when a rule whose inputs are all
 *	known refuses (reject, tempfail), in enforce mode. d_r->tag is the
 *	tag text of a matching rule.
 *
 *	policy_safe_domain() keeps letters, digits, '.', '-', '_' of a
 *	domain for reply text ("the sender" if empty).
 * SEE ALSO
 *	RFC 7489 6.6.4, 6.7; RFC 7372 (enhanced status codes)
 */
#ifndef AM_POLICY_H
#define AM_POLICY_H

#include "auth/result.h"
#include "conf/conf.h"
#include "policy/rules.h"
#include "policy/verdict.h"

void	policy_decide(const struct auth_results *r, const struct conf *cf,
	    struct decision *d_r);
void	policy_header_bytes(const struct conf *cf, const char *field,
	    const char *what, struct decision *d_r);
void	policy_error(const struct conf *cf, const char *why,
	    struct decision *d_r);
void	policy_evaluate(const struct rules *rs, const struct rule_input *in,
	    const struct conf *cf, struct decision *d_r);
int	policy_early(const struct rules *rs, const struct rule_input *in,
	    const struct conf *cf, struct decision *d_r);
const char *policy_safe_domain(const char *dom, char *dst, size_t len);

#endif
