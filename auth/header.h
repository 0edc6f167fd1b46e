/*
 * NAME
 *	header - the RFC 5322 From: field: author domains
 * SYNOPSIS
 *	#include "auth/header.h"
 *
 *	void header_from_parse(const char *value, size_t len,
 *	    struct from_result *res_r);
 *	void header_from_count(struct from_result *res_r, int nfields);
 * DESCRIPTION
 *	header_from_parse() parses one From: field value (as the milter
 *	gives it, possibly folded) as an RFC 5322 3.6.2 mailbox-list:
 *	display names (RFC 2047 encoded-words included), comments, quoted
 *	strings, angle addresses, routes, groups, the obsolete syntax. It
 *	fills res_r->domains with the distinct lower-cased domains, U-labels
 *	converted to A-labels, and sets status FROM_OK (one mailbox),
 *	FROM_MULTIPLE_MAILBOXES, or FROM_UNPARSEABLE (syntax error, NUL,
 *	bare CR, invalid IDN, no domain) with a reason. Addresses inside
 *	comments, display names and encoded-words are never taken.
 *
 *	header_from_count() applies the field count: 0 gives
 *	FROM_MISSING, more than 1 FROM_MULTIPLE_FIELDS.
 * SEE ALSO
 *	RFC 5322 3.4, 3.6.2, 4.4; RFC 2047; RFC 9989 5.3.1
 */
#ifndef AM_HEADER_H
#define AM_HEADER_H

#include <stddef.h>

#include "auth/result.h"

void	header_from_parse(const char *value, size_t len,
	    struct from_result *res_r);
void	header_from_count(struct from_result *res_r, int nfields);

#endif
