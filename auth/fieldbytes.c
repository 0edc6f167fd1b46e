/*
 * NAME
 *	fieldbytes - header field values with a bare CR, bare LF or NUL
 * DESCRIPTION
 *	See fieldbytes.h. One pass over the value, no allocation.
 * SEE ALSO
 *	RFC 5322 2.2, 2.2.3
 */
#include <stddef.h>

#include "auth/fieldbytes.h"

/* field_bytes_check - the first byte RFC 5322 2.2 does not allow */
enum field_bytes
field_bytes_check(const char *value, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		switch (value[i]) {
		case '\0':
			return (FIELD_BYTES_NUL);
		case '\r':
			if (i + 1 >= len || value[i + 1] != '\n')
				return (FIELD_BYTES_CR);
			i++;			/* CRLF: a line end */
			/* FALLTHROUGH */
		case '\n':
			/* a line end must fold: a space or a tab follows */
			if (i + 1 >= len ||
			    (value[i + 1] != ' ' && value[i + 1] != '\t'))
				return (FIELD_BYTES_LF);
			break;
		default:
			break;
		}
	}
	return (FIELD_BYTES_OK);
}

/* field_bytes_str - the name of an offence, for logs and replies */
const char *
field_bytes_str(enum field_bytes fb)
{
	switch (fb) {
	case FIELD_BYTES_NUL:	return ("nul");
	case FIELD_BYTES_CR:	return ("bare-cr");
	case FIELD_BYTES_LF:	return ("bare-lf");
	default:		return ("ok");
	}
}
