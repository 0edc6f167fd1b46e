/*
 * NAME
 *	fieldbytes - header field values with a bare CR, bare LF or NUL
 * SYNOPSIS
 *	#include "auth/fieldbytes.h"
 *
 *	enum field_bytes field_bytes_check(const char *value, size_t len);
 *	const char *field_bytes_str(enum field_bytes fb);
 * DESCRIPTION
 *	RFC 5322 2.2 allows CR and LF in a header field only together, as
 *	the line end of a fold (CRLF followed by a space or a tab). A lone
 *	CR, a lone LF, or a line end that does not continue the field can
 *	be shown by a mail reader as a new line, so a value such as
 *	"x<CR>From: <ceo@victim.example>" displays a From: field that no
 *	check looked at. NUL is not allowed at all.
 *
 *	field_bytes_check() looks at one value as the milter hands it over
 *	(a fold there is LF or CRLF, then a space or a tab) and returns the
 *	first offence: FIELD_BYTES_OK, FIELD_BYTES_NUL, FIELD_BYTES_CR (a
 *	CR not followed by LF), FIELD_BYTES_LF (a line end not followed by
 *	a space or a tab: an unfolded line break). field_bytes_str() names
 *	it for logs and replies: "ok", "nul", "bare-cr", "bare-lf".
 * SEE ALSO
 *	RFC 5322 2.2, 2.2.3, 3.2.2; authmilter.conf(5) on_bad_header_bytes
 */
#ifndef AM_FIELDBYTES_H
#define AM_FIELDBYTES_H

#include <stddef.h>

enum field_bytes {
	FIELD_BYTES_OK = 0,
	FIELD_BYTES_NUL,
	FIELD_BYTES_CR,
	FIELD_BYTES_LF,
};

enum field_bytes field_bytes_check(const char *value, size_t len);
const char *field_bytes_str(enum field_bytes fb);

#endif
