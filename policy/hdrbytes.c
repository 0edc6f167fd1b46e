/*
 * NAME
 *	hdrbytes - the verdict for header fields with bare CR, LF or NUL
 * SYNOPSIS
 *	#include "policy/policy.h"
 *
 *	void policy_header_bytes(const struct conf *cf, const char *field,
 *	    const char *what, struct decision *d_r);
 * DESCRIPTION
 *	Called with the decision policy_decide() made for a message one of
 *	whose header fields holds a byte RFC 5322 2.2 forbids there; field
 *	is the field name (already reduced to letters, digits and '-' by
 *	the caller: it goes into the SMTP reply), what the offence
 *	("bare-cr", "bare-lf", "nul").
 *
 *	on_bad_header_bytes = reject: reject 550 5.6.0, whatever the
 *	authentication results; a mail reader may show such a field as two,
 *	the second one (a From:, say) seen by no check. tag: the message is
 *	delivered with at least the verdict tag; a worse verdict (reject,
 *	tempfail, quarantine) stands. Monitor mode caps the verdict at tag
 *	and keeps in would what enforce mode would do, as policy_decide()
 *	does. Pure: no I/O.
 * SEE ALSO
 *	RFC 5322 2.2; RFC 3463 3.7 (X.6.0); policy(3)
 */
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"

/* policy_header_bytes - refuse or tag a field with a forbidden byte */
void
policy_header_bytes(const struct conf *cf, const char *field,
    const char *what, struct decision *d_r)
{
	if (cf->on_bad_header_bytes == CONF_HDRBYTES_TAG) {
		if (d_r->verdict < VERDICT_TAG) {
			d_r->verdict = VERDICT_TAG;
			d_r->why = "header-bytes";
		}
		if (d_r->would < VERDICT_TAG)
			d_r->would = VERDICT_TAG;
		return;
	}
	d_r->verdict = d_r->would = VERDICT_REJECT;
	d_r->why = "header-bytes";
	snprintf(d_r->code, sizeof(d_r->code), "550");
	snprintf(d_r->xcode, sizeof(d_r->xcode), "5.6.0");
	snprintf(d_r->text, sizeof(d_r->text), "Header field %s contains a "
	    "%s (RFC 5322 2.2 allows CR and LF only together, as a line "
	    "end)", field, strcmp(what, "nul") == 0 ? "NUL" :
	    strcmp(what, "bare-cr") == 0 ? "bare CR" : "bare LF");
	if (cf->mode == CONF_MODE_MONITOR) {
		d_r->verdict = VERDICT_TAG;
		d_r->code[0] = d_r->xcode[0] = '\0';
	}
}
