/*
 * NAME
 *	spfrec - an SPF record checked against the RFC 7208 grammar
 * SYNOPSIS
 *	#include "auth/spfrec.h"
 *
 *	bool spfrec_select(const char *txt, size_t len);
 *	int spfrec_parse(const char *rec, size_t len, struct spfrec *r_out,
 *	    struct buf *why);
 *	int spfrec_spec_norm(const char *spec, size_t len, struct buf *out);
 * DESCRIPTION
 *	spfrec_select() says whether one TXT string is an SPF record
 *	(RFC 7208 4.5): it begins with "v=spf1", in any case, followed by
 *	a space or the end. len counts every byte; a NUL is a byte.
 *
 *	spfrec_parse() checks a selected record against the ABNF of RFC
 *	7208 section 12 and the rules around it, and splits it into terms.
 *	It returns AM_PERM, with the reason in why, for anything a receiver
 *	must answer with permerror: a byte that is not printable ASCII or
 *	SP (NUL, TAB, CR, LF, 8-bit), an unknown mechanism, a missing or
 *	forbidden argument, a bad address, a CIDR length out of range or
 *	with a leading zero, a domain-spec that does not end in a macro or
 *	in "." and a valid top label (7.1), a bad macro or a macro letter
 *	c, r or t outside explanation text (7.2, 7.3), a zero DIGIT
 *	transformer, a repeated redirect= or exp= (6), an unknown modifier
 *	whose value is not a macro-string.
 *
 *	It also refuses (AM_PERM) what the RFC allows but libspf2 cannot
 *	compile safely: more than LIM_SPF_TERMS terms, and a term (unknown
 *	modifiers included) whose compiled form would pass
 *	LIM_SPF_TERM_BYTES, so that any record it accepts may be given to
 *	SPF_record_compile() as it is. The second is the
 *	guard for CVE-2023-42118: libspf2 1.2.10 as Debian builds it
 *	computes the room left for a literal after a macro as an unsigned
 *	difference that wraps when fewer than 4 bytes are left, and then
 *	copies the literal over its 4 KiB stack buffer. Such a term needs
 *	a compiled size near 508 bytes; we stop far below.
 *
 *	On AM_OK, r_out holds the terms in order; every arg points into
 *	rec (borrowed). A mechanism's arg is its domain-spec or address,
 *	a modifier's its value; cidr4 and cidr6 are -1 when not given.
 *
 *	spfrec_spec_norm() appends a checked domain-spec to out with every
 *	macro in canonical form, a DIGIT transformer over 128 written as
 *	128 (a name has fewer labels; libspf2 refuses more).
 * SEE ALSO
 *	RFC 7208 4.5, 4.6, 5, 6, 7, 12; CVE-2023-42118 (ZDI-23-1472)
 */
#ifndef AM_SPFREC_H
#define AM_SPFREC_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"
#include "util/limits.h"

enum spfrec_kind {
	SPFREC_ALL,
	SPFREC_INCLUDE,
	SPFREC_A,
	SPFREC_MX,
	SPFREC_PTR,
	SPFREC_IP4,
	SPFREC_IP6,
	SPFREC_EXISTS,
	SPFREC_REDIRECT,		/* modifiers from here */
	SPFREC_EXP,
	SPFREC_MODIFIER,		/* unknown: ignored */
};

struct spfrec_term {
	enum spfrec_kind kind;
	char	 qual;			/* '+', '-', '~', '?'; mechanisms */
	short	 cidr4, cidr6;		/* -1: not given */
	const char *arg;		/* into the record; NULL: none */
	size_t	 arglen;
};

struct spfrec {
	int	 nterms;
	int	 all;			/* first "all", or -1 */
	int	 redirect;		/* redirect=, or -1 */
	int	 exp;			/* exp=, or -1 */
	struct spfrec_term term[LIM_SPF_TERMS];
};

bool	spfrec_select(const char *txt, size_t len);
int	spfrec_parse(const char *rec, size_t len, struct spfrec *r_out,
	    struct buf *why);
int	spfrec_spec_norm(const char *spec, size_t len, struct buf *out);

#endif
