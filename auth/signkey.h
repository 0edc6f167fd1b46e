/*
 * NAME
 *	signkey - DKIM private key files: load, check, publish, generate
 * SYNOPSIS
 *	#include "auth/signkey.h"
 *
 *	int signkey_load(const char *path, bool require_safe,
 *	    struct signkey *k_r, struct buf *why);
 *	void signkey_clear(struct signkey *k);
 *	int signkey_record(const struct signkey *k, struct buf *txt_r,
 *	    struct buf *why);
 *	int signkey_generate(enum signkey_type type, int bits,
 *	    const char *path, struct buf *why);
 *	int signkey_matches(const struct signkey *k, const char *record,
 *	    struct buf *why);
 *	const char *signkey_type_str(enum signkey_type t);
 * DESCRIPTION
 *	signkey_load() reads one private key file (PEM: PKCS#1 or PKCS#8
 *	RSA, PKCS#8 Ed25519) into k_r, as libopendkim's dkim_sign() wants
 *	it (the PEM text), and checks it: a regular file, at most
 *	LIM_SIGN_KEYFILE bytes, parseable, RSA of at least 1024 bits (RFC
 *	8301 3.2) or Ed25519 (RFC 8463). A file other users may read or
 *	write is refused when require_safe is set (as OpenDKIM's
 *	RequireSafeKeys), else logged as a warning.
 *
 *	signkey_record() writes the DKIM key record to publish (RFC 6376
 *	3.6.1): "v=DKIM1; k=rsa; p=..." (base64 of the DER
 *	SubjectPublicKeyInfo) or "v=DKIM1; k=ed25519; p=..." (base64 of the
 *	raw 32-byte public key, RFC 8463 4).
 *
 *	signkey_generate() makes a new key and writes it as PKCS#8 PEM to
 *	path, created with mode 0600; an existing file is never replaced.
 *
 *	signkey_matches() checks that a published record (TXT data) holds
 *	the public half of k: AM_OK, or AM_PERM with the difference in why.
 * DIAGNOSTICS
 *	AM_PERM with the reason in why (no file:line: the caller knows the
 *	line that named the file); AM_TEMP when out of memory.
 * SEE ALSO
 *	RFC 6376 3.6.1; RFC 8301 3.2; RFC 8463 4; opendkim-genkey(8)
 */
#ifndef AM_SIGNKEY_H
#define AM_SIGNKEY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

enum signkey_type { SIGNKEY_RSA = 0, SIGNKEY_ED25519 };

struct signkey {
	enum signkey_type type;
	int	 bits;			/* RSA modulus; 256 for Ed25519 */
	unsigned char *pem;		/* NUL-terminated PEM text */
	size_t	 len;
	void	*pkey;			/* parsed: EVP_PKEY (signed.c) */
};

int	signkey_load(const char *path, bool require_safe, struct signkey *k_r,
	    struct buf *why);
void	signkey_clear(struct signkey *k);
int	signkey_record(const struct signkey *k, struct buf *txt_r,
	    struct buf *why);
int	signkey_generate(enum signkey_type type, int bits, const char *path,
	    struct buf *why);
int	signkey_matches(const struct signkey *k, const char *record,
	    struct buf *why);
const char *signkey_type_str(enum signkey_type t);

#endif
