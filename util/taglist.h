/*
 * NAME
 *	taglist - walk a "tag=value; tag=value" list
 * SYNOPSIS
 *	#include "util/taglist.h"
 *
 *	int taglist_next(const char **pp, const char *end, struct tag *t_r);
 *	bool tag_is(const struct tag *t, const char *name);
 *	bool tag_value_is(const struct tag *t, const char *value);
 * DESCRIPTION
 *	The tag-list of DKIM signatures and keys (RFC 6376 3.2), DMARC
 *	records (RFC 9989 4.7), MTA-STS and TLS-RPT records: tags
 *	separated by ";", white space around names, "=" and values ignored.
 *
 *	taglist_next() reads the next tag from *pp (up to end), stores
 *	pointers into the input in t_r (not NUL-terminated: name/nlen,
 *	value/vlen) and advances *pp. Returns 1 for a tag, 0 at the end of
 *	the list, -1 for a syntax error (a tag without "=", an empty name);
 *	an empty element (";;", a trailing ";") is skipped.
 *	tag_is() compares the name, tag_value_is() the value, both without
 *	regard to case.
 * SEE ALSO
 *	RFC 6376 3.2
 */
#ifndef AM_TAGLIST_H
#define AM_TAGLIST_H

#include <stdbool.h>
#include <stddef.h>

struct tag {
	const char *name;
	size_t	 nlen;
	const char *value;
	size_t	 vlen;
};

int	taglist_next(const char **pp, const char *end, struct tag *t_r);
bool	tag_is(const struct tag *t, const char *name);
bool	tag_value_is(const struct tag *t, const char *value);

#endif
