/*
 * NAME
 *	dkimsig - one libopendkim signature as an RFC 8601 result
 * SYNOPSIS
 *	#include "auth/dkimsig.h"
 *
 *	bool dkimsig_tags(DKIM_SIGINFO *sig, struct dkim_sig_result *r);
 *	unsigned dkimsig_keybits(DKIM_SIGINFO *sig);
 *	void dkimsig_judge(DKIM_SIGINFO *sig, int bh, unsigned min_key_bits,
 *	    struct dkim_sig_result *r);
 *	void dkimsig_set(struct dkim_sig_result *r, enum dkim_res res,
 *	    const char *fmt, ...);
 *	const unsigned char *dkimsig_tag(DKIM_SIGINFO *sig, const char *tag);
 * DESCRIPTION
 *	For auth/dkim.c only (it includes the library header).
 *	dkimsig_tags() copies d= (lower case), s=, a=, i= and the first 8
 *	characters of b= into r, bounded; false if d= did not fit.
 *	dkimsig_keybits() is the key size, 256 for an applied Ed25519 key.
 *	dkimsig_judge() sets r->result and r->reason from the library's
 *	state of sig after dkim_eom() and bh, the body hash as authmilter
 *	computed it (DKIM_SIGBH_MATCH, _MISMATCH or _UNTESTED; the
 *	library's own, over the body it was fed or none, is not used):
 *	pass only for a verified rsa-sha256 signature with a key of at
 *	least min_key_bits, or ed25519-sha256.
 *	dkimsig_set() stores a result and a formatted reason;
 *	dkimsig_tag() is a tag's value, or NULL.
 * SEE ALSO
 *	auth/dkim.h for what each result means
 */
#ifndef AM_DKIMSIG_H
#define AM_DKIMSIG_H

#include <stdbool.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

#include "auth/result.h"

bool	dkimsig_tags(DKIM_SIGINFO *sig, struct dkim_sig_result *r);
unsigned dkimsig_keybits(DKIM_SIGINFO *sig);
void	dkimsig_judge(DKIM_SIGINFO *sig, int bh, unsigned min_key_bits,
	    struct dkim_sig_result *r);
void	dkimsig_set(struct dkim_sig_result *r, enum dkim_res res,
	    const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const unsigned char *dkimsig_tag(DKIM_SIGINFO *sig, const char *tag);

#endif
