/*
 * NAME
 *	authres - Authentication-Results and Received-SPF fields
 * SYNOPSIS
 *	#include "auth/authres.h"
 *
 *	int authres_is_ours(const char *value, size_t len,
 *	    const char *authserv_id);
 *	int authres_format(const char *authserv_id,
 *	    const struct auth_results *r, struct buf *out);
 *	int authres_rspf_is_ours(const char *value, size_t len,
 *	    const char *receiver);
 *	int authres_received_spf(const char *receiver, const char *client_ip,
 *	    const char *helo, const struct spf_result *r, struct buf *out);
 *	int authres_iprev(const struct iprev_result *r,
 *	    const char *client_ip, struct buf *out);
 * DESCRIPTION
 *	authres_is_ours() is 1 when an Authentication-Results (or
 *	Received-SPF: see below) value claims our authserv-id: the first
 *	token after any CFWS equals authserv_id, case-insensitively,
 *	whatever comments, version or results follow.
 *
 *	authres_format() writes the value (without "Authentication-Results:")
 *	of our header: "<id>; spf=... smtp.mailfrom=...; spf=...
 *	smtp.helo=...; dkim=... header.d=... header.s=... header.a=...
 *	header.b=...; dmarc=... header.from=...". Values that are not RFC
 *	2045 tokens are quoted; peer strings cannot add a ";" or a comment.
 *
 *	authres_rspf_is_ours() is 1 when a Received-SPF value names our
 *	receiver: the key receiver= or the start of the comment
 *	"(receiver: ...)", case-insensitively.
 *
 *	authres_received_spf() writes a Received-SPF value (RFC 7208 9.1)
 *	for the MAIL FROM result, with key=value pairs only and no peer
 *	explanation text.
 *	Both return AM_OK, or AM_PERM if out's cap was reached.
 *
 *	authres_iprev() appends to a value authres_format() wrote the
 *	resinfo "iprev=RESULT (reason) smtp.remote-ip=IP policy.iprev=NAME"
 *	(RFC 8601 3: the verified name, as policy.iprev, only on pass; the
 *	reason comment only otherwise). Nothing if iprev was not checked
 *	or out is empty (a refused message has no field). AM_OK, or AM_PERM
 *	if out's cap was reached.
 * SEE ALSO
 *	RFC 8601 2.2, 2.5, 2.7.3, 3, 5; RFC 7208 9.1
 */
#ifndef AM_AUTHRES_H
#define AM_AUTHRES_H

#include <stddef.h>

#include "auth/result.h"
#include "util/buf.h"

int	authres_is_ours(const char *value, size_t len, const char *authserv_id);
int	authres_format(const char *authserv_id, const struct auth_results *r,
	    struct buf *out);
int	authres_rspf_is_ours(const char *value, size_t len,
	    const char *receiver);
int	authres_received_spf(const char *receiver, const char *client_ip,
	    const char *helo, const struct spf_result *r, struct buf *out);
int	authres_iprev(const struct iprev_result *r, const char *client_ip,
	    struct buf *out);

#endif
