/*
 * NAME
 *	dkimcov - what a DKIM signature leaves uncovered, or cannot use
 * SYNOPSIS
 *	#include "auth/dkimcov.h"
 *
 *	void dkimcov_field(struct dkimcov *c, const char *name);
 *	void dkimcov_body(struct dkimcov *c, const unsigned char *p,
 *	    size_t n);
 *	unsigned long long dkimcov_bodylen(const struct dkimcov *c,
 *	    bool relaxed);
 *	bool dkimcov_extra(const struct dkimcov *c, const char *h,
 *	    struct dkimcov_extra *x_r);
 *	bool dkimcov_query(const char *q);
 * DESCRIPTION
 *	Counts, for one message, what libopendkim does not tell us: how
 *	long the canonicalized body is, and how often each singleton field
 *	occurs. A struct dkimcov starts zeroed (memset, or = {0}).
 *
 *	dkimcov_field() counts one header field by name (case-insensitive,
 *	trailing blanks ignored as the obsolete syntax allows them).
 *	dkimcov_body() counts body bytes as fed to the library; a bare CR or
 *	LF ends a line, as DKIM_LIBFLAGS_FIXCRLF makes it CRLF.
 *	dkimcov_bodylen() is the length of the whole body canonicalized
 *	simple (relaxed false) or relaxed: what l= must reach for the
 *	signature to cover every byte.
 *
 *	dkimcov_extra() takes the h= tag of a signature (colon-separated
 *	names, FWS anywhere) and returns true if a singleton field of RFC
 *	5322 3.6 (From, Sender, Reply-To, To, Cc, Message-ID, Subject,
 *	Date; and Content-Type, RFC 2045) that h= names at least once occurs
 *	in the message more often than h= names it. A verifier hashes the
 *	last instances (RFC 6376 5.4.2), so an instance added above them
 *	after signing is unsigned, yet a reader sees it (RFC 6376 8.15).
 *	*x_r gets the first such field: its name, its count in the message
 *	and in h=. A field h= does not name at all was not signed by
 *	choice and is not reported.
 *
 *	dkimcov_query() takes the q= tag of a signature (NULL if absent)
 *	and returns true if it allows the one key query method there is,
 *	dns/txt: q= absent, or dns/txt among the methods. Unknown methods
 *	are ignored (RFC 6376 3.5); with none left, the key cannot be
 *	fetched and the signature is a permerror.
 * THREADS
 *	A struct dkimcov belongs to one message.
 * SEE ALSO
 *	RFC 6376 3.4.3, 3.4.4 (body canonicalization), 3.5 (l=, h=, q=),
 *	5.4.2, 8.2, 8.15; RFC 5322 3.6
 */
#ifndef AM_DKIMCOV_H
#define AM_DKIMCOV_H

#include <stdbool.h>
#include <stddef.h>

#define DKIMCOV_NSINGLE	9		/* singleton fields watched */

struct dkimcov {
	unsigned long long s_total;	/* simple: every line so far */
	unsigned long long s_commit;	/* simple: up to last non-empty */
	unsigned long long r_total;	/* relaxed: the same */
	unsigned long long r_commit;
	size_t	 s_line;		/* current line, simple */
	size_t	 r_line;		/* current line, relaxed */
	bool	 r_wsp;			/* WSP run pending in the line */
	bool	 cr;			/* CR seen; LF may follow */
	unsigned nfield[DKIMCOV_NSINGLE];	/* occurrences, saturating */
};

struct dkimcov_extra {
	const char *name;		/* static: "Subject", ... */
	unsigned nmsg;			/* in the message */
	unsigned nsigned;		/* in h= */
};

void	dkimcov_field(struct dkimcov *c, const char *name);
void	dkimcov_body(struct dkimcov *c, const unsigned char *p, size_t n);
unsigned long long dkimcov_bodylen(const struct dkimcov *c, bool relaxed);
bool	dkimcov_extra(const struct dkimcov *c, const char *h,
	    struct dkimcov_extra *x_r);
bool	dkimcov_query(const char *q);

#endif
