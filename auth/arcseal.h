/*
 * NAME
 *	arcseal - add our ARC set to a message we pass on (RFC 8617)
 * SYNOPSIS
 *	#include "auth/arcseal.h"
 *
 *	struct arcseal *arcseal_new(const char *domain, const char *selector,
 *	    const char *key, bool require_safe, struct buf *why);
 *	void arcseal_free(struct arcseal **sp);
 *	int arcseal_seal(const struct arcseal *s, const struct arc_msg *a,
 *	    const struct arc_result *r, const struct arcseal_in *in,
 *	    struct arcseal_set *set_r, struct buf *why);
 *	void arcseal_set_clear(struct arcseal_set *set);
 * DESCRIPTION
 *	arcseal_new() reads the sealing key (arc.seal_key: a PEM RSA key of
 *	1024 bits or more, or Ed25519, through signkey_load(), so the same
 *	checks as DKIM signing keys) for the domain (d=) and selector (s=)
 *	given. NULL with the reason in why.
 *
 *	arcseal_seal() makes the next ARC set of a message whose chain a
 *	(auth/arc.c, with arc_seal_want() asked before arc_eoh()) gave r:
 *
 *	- no chain (r->result none): i=1, cv=none;
 *	- a passing chain of n < 50 sets: i=n+1, cv=pass, the ARC-Seal over
 *	  every set (RFC 8617 5.1.1);
 *	- a failing chain: i=n+1, cv=fail, the ARC-Seal over our set only
 *	  (RFC 8617 5.1.2), unless the chain already holds a cv=fail seal
 *	  (it is marked failed once; we add nothing), its structure is
 *	  broken (no sure n), or n+1 would exceed 50;
 *	- a temporary error, or a header over the caps: nothing added.
 *
 *	The set is the ARC-Authentication-Results "i=N; " + in->authres
 *	(our Authentication-Results value), the ARC-Message-Signature
 *	(relaxed/relaxed, rsa-sha256 or ed25519-sha256 after the key, t=,
 *	h= the fields of RFC 6376 5.4.1 and the MIME fields that are
 *	present, bh= over the whole body), and the ARC-Seal. in->subject,
 *	when not NULL, is the Subject value the message will leave with
 *	(the tag verdict changes it, or adds one when in->subject_add): the
 *	ARC-Message-Signature covers that one. The values go to set_r
 *	(folded with LF and TAB, without the field name); set_r->i is 0
 *	when nothing is added, with the reason in set_r->note.
 * DIAGNOSTICS
 *	AM_TEMP (why set) when signing fails or memory runs out; the
 *	caller passes the message on unsealed.
 * THREADS
 *	An arcseal is read-only once made and shared by every thread.
 * SEE ALSO
 *	RFC 8617 4.1, 5.1 (sealing), 5.1.2 (cv=fail); RFC 6376 3.4.2, 5.4;
 *	RFC 8463; auth/signkey.c, auth/signed.c
 */
#ifndef AM_ARCSEAL_H
#define AM_ARCSEAL_H

#include <stdbool.h>

#include "auth/arc.h"
#include "auth/result.h"
#include "util/buf.h"
#include "util/limits.h"

struct arcseal;

/* what the message leaves with, beyond its header as received */
struct arcseal_in {
	const char *authres;		/* our Authentication-Results value */
	const char *subject;		/* new Subject value, or NULL */
	bool	 subject_add;		/* it is added, not changed */
};

/* the set we add */
struct arcseal_set {
	int	 i;			/* its instance; 0: nothing added */
	const char *cv;			/* "none", "pass" or "fail" */
	struct buf *aar;		/* ARC-Authentication-Results value */
	struct buf *ams;		/* ARC-Message-Signature value */
	struct buf *as;			/* ARC-Seal value */
	char	 note[LIM_REASON];	/* why nothing was added */
};

struct arcseal *arcseal_new(const char *domain, const char *selector,
	    const char *key, bool require_safe, struct buf *why);
void	arcseal_free(struct arcseal **sp);
int	arcseal_seal(const struct arcseal *s, const struct arc_msg *a,
	    const struct arc_result *r, const struct arcseal_in *in,
	    struct arcseal_set *set_r, struct buf *why);
void	arcseal_set_clear(struct arcseal_set *set);

#endif
