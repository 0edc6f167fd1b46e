/*
 * NAME
 *	bodyhash - streaming DKIM body canonicalization and hash
 * SYNOPSIS
 *	#include "auth/bodyhash.h"
 *
 *	struct bodyhash *bodyhash_new(void);
 *	int bodyhash_want(struct bodyhash *bh, enum bodyhash_canon c,
 *	    enum bodyhash_alg a, long long l, struct buf *why);
 *	int bodyhash_update(struct bodyhash *bh, const unsigned char *p,
 *	    size_t n);
 *	int bodyhash_final(struct bodyhash *bh, struct buf *why);
 *	size_t bodyhash_digest(const struct bodyhash *bh, int idx,
 *	    unsigned char *md, size_t mdlen);
 *	bool bodyhash_b64eq(const struct bodyhash *bh, int idx,
 *	    const char *b64);
 *	unsigned long long bodyhash_canonlen(const struct bodyhash *bh,
 *	    int idx);
 *	void bodyhash_free(struct bodyhash **bhp);
 * DESCRIPTION
 *	The body hashes of one message (RFC 6376 3.4.3, 3.4.4, 3.7), for
 *	DKIM verification, ARC message signatures and signing alike.
 *	bodyhash_want() asks for one hash: canonicalization c, algorithm
 *	a, and l, the number of canonical bytes to hash (-1: all). It
 *	returns the hash's index, or -1 (why set) when BODYHASH_MAX are
 *	asked for; the same (c, a, l) twice gives the same index, so
 *	signatures that share a hash share the work. Ask before the body.
 *
 *	bodyhash_update() takes body bytes as they arrive, in SMTP form
 *	(CRLF); a bare CR or a bare LF ends a line as if it were CRLF, also
 *	across chunks. The bytes are hashed where they lie, in runs, never
 *	copied. bodyhash_final() ends the body: a last line without its
 *	CRLF gets one (RFC 6376 3.4.3, 3.4.4), trailing empty lines are
 *	dropped, and an empty body is CRLF (simple) or nothing (relaxed).
 *
 *	bodyhash_digest() copies a final hash to md and returns its length
 *	(0 if idx is unknown or the body not finished); bodyhash_b64eq()
 *	compares it, base64, with a bh= value (white space ignored).
 *	bodyhash_canonlen() is the length of the whole canonical body, not
 *	stopping at l: past l= it says bytes were left unsigned.
 * DIAGNOSTICS
 *	AM_TEMP when OpenSSL fails (out of memory); the hashes are then
 *	unusable and bodyhash_digest() returns 0.
 * THREADS
 *	A struct bodyhash belongs to one message.
 * SEE ALSO
 *	RFC 6376 3.4 (canonicalization), 3.5 (l=), 3.7 (body hash);
 *	auth/dkim.c
 */
#ifndef AM_BODYHASH_H
#define AM_BODYHASH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define BODYHASH_MAX	16		/* distinct (c, a, l) per message */
#define BODYHASH_MDMAX	64		/* digest bytes, any algorithm */

enum bodyhash_canon {
	BODYHASH_SIMPLE = 0,
	BODYHASH_RELAXED,
};

enum bodyhash_alg {
	BODYHASH_SHA256 = 0,
	BODYHASH_SHA1,
};

struct bodyhash;

struct bodyhash *bodyhash_new(void);
int	bodyhash_want(struct bodyhash *bh, enum bodyhash_canon c,
	    enum bodyhash_alg a, long long l, struct buf *why);
int	bodyhash_update(struct bodyhash *bh, const unsigned char *p,
	    size_t n);
int	bodyhash_final(struct bodyhash *bh, struct buf *why);
size_t	bodyhash_digest(const struct bodyhash *bh, int idx,
	    unsigned char *md, size_t mdlen);
bool	bodyhash_b64eq(const struct bodyhash *bh, int idx, const char *b64);
unsigned long long bodyhash_canonlen(const struct bodyhash *bh, int idx);
void	bodyhash_free(struct bodyhash **bhp);

#endif
