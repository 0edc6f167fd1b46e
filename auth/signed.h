/*
 * NAME
 *	signed - Ed25519 DKIM signatures (RFC 8463), without libopendkim
 * SYNOPSIS
 *	#include "auth/signed.h"
 *
 *	struct signed_ctx *signed_new(const struct signkey *k,
 *	    const char *domain, const char *selector, long expire,
 *	    struct buf *why);
 *	int signed_body(struct signed_ctx *e, const unsigned char *p,
 *	    size_t n);
 *	int signed_eom(struct signed_ctx *e, const char *const *fields,
 *	    int nfields, const char *const *sign, struct buf *value_r,
 *	    struct buf *why);
 *	void signed_free(struct signed_ctx **ep);
 *
 *	int signed_sign(const struct signkey *k, const unsigned char *in,
 *	    size_t n, struct buf *b64_r, struct buf *why);
 * DESCRIPTION
 *	libopendkim 2.11.0~beta2 signs with Ed25519 but dkim_free() never
 *	frees the key it loaded for it (the EVP_PKEY and the output
 *	buffer: about 1.2 KiB per signed message, found by LeakSanitizer).
 *	A daemon cannot lose that on every message, so Ed25519 signatures
 *	are made here, with OpenSSL: relaxed/relaxed canonicalization (RFC
 *	6376 3.4.2, 3.4.4), SHA-256, and Ed25519 over the SHA-256 digest
 *	of the header hash input (RFC 8463 3). RSA signatures still come
 *	from libopendkim (sign.c); both verifiers check both in the tests.
 *
 *	signed_body() streams body bytes (CRLF lines) to the relaxed
 *	SHA-256 body hash of auth/bodyhash.c, the one body canonicalizer
 *	of the tree (the verifier's and ARC's): a bare CR or LF ends a
 *	line there, as RFC 6376 5.3 asks of a signer and as our verifier
 *	reads it. signed_eom() takes the
 *	message's header fields ("Name:value", folds in CRLF, top down),
 *	signs those whose names are in sign (NULL-terminated), From once
 *	more than present, and writes the DKIM-Signature value (without
 *	the field name, folded with LF and TAB) to value_r.
 *
 *	signed_sign() signs a whole signing input with k, as RFC 6376 3.7
 *	and RFC 8463 3 say (rsa-sha256: RSASSA-PKCS1-v1_5 over SHA-256;
 *	ed25519-sha256: Ed25519 over the SHA-256 digest of the input), and
 *	appends the signature, base64, to b64_r. ARC sealing uses it
 *	(auth/arcseal.c). AM_TEMP when OpenSSL fails.
 * SEE ALSO
 *	RFC 6376 3.4, 3.5, 3.7, 5.3, 5.4.2; RFC 8463 3, 4; auth/bodyhash.h
 */
#ifndef AM_SIGNED_H
#define AM_SIGNED_H

#include <stddef.h>

#include "auth/signkey.h"
#include "util/buf.h"

struct signed_ctx;

struct signed_ctx *signed_new(const struct signkey *k, const char *domain,
	    const char *selector, long expire, struct buf *why);
int	signed_body(struct signed_ctx *e, const unsigned char *p, size_t n);
int	signed_eom(struct signed_ctx *e, const char *const *fields,
	    int nfields, const char *const *sign, struct buf *value_r,
	    struct buf *why);
void	signed_free(struct signed_ctx **ep);
int	signed_sign(const struct signkey *k, const unsigned char *in,
	    size_t n, struct buf *b64_r, struct buf *why);

#endif
