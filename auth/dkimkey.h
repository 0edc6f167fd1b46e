/*
 * NAME
 *	dkimkey - a published DKIM key record, read and judged
 * SYNOPSIS
 *	#include "auth/dkimkey.h"
 *
 *	int dkimkey_parse(const char *txt, size_t len, struct dkim_key *k_r);
 * DESCRIPTION
 *	dkimkey_parse() reads the tag list of one DKIM key record (the TXT
 *	at selector._domainkey.domain, RFC 6376 3.6.1) into k_r: its key
 *	type (k=, default rsa), whether p= is empty (the key is revoked),
 *	the test flag (t=y), whether h= allows sha256, and the key itself:
 *	p= is decoded (base64, white space allowed) and handed to OpenSSL,
 *	which gives the size of an RSA modulus; an Ed25519 key (RFC 8463)
 *	is 32 raw bytes. Returns AM_OK when the record is usable as a key
 *	(revoked counts as usable: it is a valid statement), AM_PERM with
 *	the reason in k_r->reason for a syntax error, an unknown v=, or a
 *	p= that is not a key of its type.
 *
 *	Used by `authmilter check' (the sending side's audit); the
 *	verifier reads keys through libopendkim.
 * SEE ALSO
 *	RFC 6376 3.6.1, RFC 8301 (key sizes, sha1), RFC 8463 (Ed25519)
 */
#ifndef AM_DKIMKEY_H
#define AM_DKIMKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/limits.h"

enum dkim_key_type {
	DKIM_KEY_RSA = 0,
	DKIM_KEY_ED25519,
	DKIM_KEY_OTHER,
};

struct dkim_key {
	enum dkim_key_type type;
	char	 k[16];			/* k= as published, "rsa" if absent */
	bool	 revoked;		/* p= empty */
	bool	 testing;		/* t= lists y */
	bool	 h_given;		/* h= present */
	bool	 sha256;		/* h= absent, or lists sha256 */
	unsigned bits;			/* RSA modulus; 256 for Ed25519 */
	char	 reason[LIM_REASON];
};

int	dkimkey_parse(const char *txt, size_t len, struct dkim_key *k_r);

#endif
