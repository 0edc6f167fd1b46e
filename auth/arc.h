/*
 * NAME
 *	arc - verify the ARC chain of one message (RFC 8617)
 * SYNOPSIS
 *	#include "auth/arc.h"
 *
 *	struct arc_msg *arc_msg_new(struct dns *dns, const char *id);
 *	int arc_header(struct arc_msg *a, const char *name,
 *	    const char *value);
 *	int arc_eoh(struct arc_msg *a);
 *	int arc_body(struct arc_msg *a, const unsigned char *p, size_t n);
 *	int arc_eom(struct arc_msg *a, struct arc_result *r_r);
 *	void arc_msg_free(struct arc_msg **ap);
 *
 *	int arc_parse_instance(const char *name, const char *value,
 *	    size_t len, int *i_r);
 *	int arc_aar_parse(const char *value, size_t len,
 *	    struct arc_result *r);
 *
 *	struct arc_trust *arc_trust_new(const char *spec, struct buf *why);
 *	void arc_trust_free(struct arc_trust **tp);
 *	bool arc_trust_has(const struct arc_trust *t, const char *domain);
 *	void arc_trust_judge(const struct arc_trust *t,
 *	    const char *from_domain, const char *from_org,
 *	    struct arc_result *r);
 *	bool arc_sealer_trusted_pass(const struct arc_result *r);
 *
 *	void arc_seal_want(struct arc_msg *a);
 *	int arc_seal_bh(const struct arc_msg *a, char *b64, size_t len);
 *	int arc_nfields(const struct arc_msg *a);
 *	void arc_field_at(const struct arc_msg *a, int j,
 *	    const char **name_r, const char **value_r);
 *	int arc_canon_relaxed(struct buf *out, const char *name,
 *	    const char *value, bool crlf);
 *	int arc_chain_canon(const struct arc_msg *a, struct buf *out);
 * DESCRIPTION
 *	arc_header() takes every header field as the milter delivers it
 *	(name without the colon, value as sent, folds joined by LF or
 *	CRLF); the fields are kept, bounded (LIM_HEADERS fields,
 *	LIM_ARC_HDR_BYTES bytes), for the ARC-Message-Signature. arc_eoh()
 *	groups the ARC-Seal (AS), ARC-Message-Signature (AMS) and
 *	ARC-Authentication-Results (AAR) fields by i= and applies the
 *	structural rules of RFC 8617 5.1.1: 1 <= i <= 50, exactly one of
 *	each per instance, instances contiguous from 1, cv=none only at
 *	i=1, cv=pass above, no cv=fail. If the chain can still pass, it
 *	starts the body hash of the newest AMS (c= simple or relaxed).
 *	arc_body() feeds body bytes as sent (CRLF); the body is hashed as
 *	it streams, never copied.
 *
 *	arc_eom() fills r_r: none (no ARC field at all), fail with a reason
 *	(structure, body hash, a signature, a key missing or unusable),
 *	temperror (a key lookup failed temporarily), or pass: the newest
 *	AMS (5.1.2) and every AS (5.1.3) verify, rsa-sha256 (keys of 1024
 *	bits and more) or ed25519-sha256, keys at s._domainkey.d TXT through
 *	our resolver. Also the chain length, the sealers' d= (newest
 *	first), and from the newest AAR its authserv-id, smtp.remote-ip and
 *	up to LIM_ARC_AAR_RES method results. On a pass, oldest_pass is
 *	the oldest-pass of RFC 8617 5.2: going down from the newest set,
 *	the lowest instance whose ARC-Message-Signature still validates
 *	over the message as it is (each older one's body hash is computed
 *	alongside, by c=; the walk stops at the first that does not); 0
 *	when not computed (no pass). Returns AM_OK, or AM_TEMP out of memory.
 *
 *	arc_parse_instance() reads i= of an ARC field: AM_OK, or AM_PERM.
 *	arc_aar_parse() reads an AAR value (after "i=N;") into r.
 *
 *	arc_trust_new() reads arc.trusted_sealers: domains separated by
 *	white space or commas, or "file:/path" (one domain a line, "#"
 *	comments); NULL with the reason in why. arc_trust_has() compares
 *	without regard to case.
 *
 *	arc_trust_judge() sets r->trusted (the newest sealer is trusted)
 *	and r->override: the local-policy override of RFC 9989 applies
 *	when the chain passes, the newest sealer is trusted, the newest
 *	AAR's authserv-id is the sealer's d= or a name under it, that AAR
 *	records no dmarc result other than pass, and it records a pass for
 *	the From: domain: dmarc=pass header.from=<from_domain>, or
 *	dkim=pass with header.d, or spf=pass with smtp.mailfrom, aligned
 *	(relaxed: under from_org). The reason is in r->reason either way.
 *	arc_sealer_trusted_pass() is "the chain passes and its newest
 *	sealer is trusted" (for a policy rule).
 *
 *	For a sealer (auth/arcseal.c): arc_seal_want(), before arc_eoh(),
 *	asks for the relaxed SHA-256 hash of the whole body, which
 *	arc_seal_bh() gives in base64 after arc_eom() (AM_PERM if none).
 *	arc_nfields() and arc_field_at() are the header fields kept, top
 *	down (-1: the caps were reached, some are missing).
 *	arc_canon_relaxed() writes one field in relaxed form, CRLF after
 *	when crlf. arc_chain_canon() writes every ARC set of an intact
 *	chain, instance 1 up, AAR, AMS, AS each, relaxed, with CRLF: the
 *	start of the next ARC-Seal's input (RFC 8617 5.1.1); AM_PERM for a
 *	broken chain.
 * THREADS
 *	An arc_msg is per message; an arc_trust is read-only once made.
 * SEE ALSO
 *	RFC 8617 4, 5; RFC 6376 3.4 (canonicalization), 3.5, 3.7;
 *	RFC 8463; RFC 8601; RFC 9989 (local policy overrides)
 */
#ifndef AM_ARC_H
#define AM_ARC_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/result.h"
#include "dns/dns.h"
#include "util/buf.h"

struct arc_msg;
struct arc_trust;

struct arc_msg *arc_msg_new(struct dns *dns, const char *id);
int	arc_header(struct arc_msg *a, const char *name, const char *value);
int	arc_eoh(struct arc_msg *a);
int	arc_body(struct arc_msg *a, const unsigned char *p, size_t n);
int	arc_eom(struct arc_msg *a, struct arc_result *r_r);
void	arc_msg_free(struct arc_msg **ap);

int	arc_parse_instance(const char *name, const char *value, size_t len,
	    int *i_r);
int	arc_aar_parse(const char *value, size_t len, struct arc_result *r);

struct arc_trust *arc_trust_new(const char *spec, struct buf *why);
void	arc_trust_free(struct arc_trust **tp);
bool	arc_trust_has(const struct arc_trust *t, const char *domain);
void	arc_trust_judge(const struct arc_trust *t, const char *from_domain,
	    const char *from_org, struct arc_result *r);
bool	arc_sealer_trusted_pass(const struct arc_result *r);

void	arc_seal_want(struct arc_msg *a);
int	arc_seal_bh(const struct arc_msg *a, char *b64, size_t len);
int	arc_nfields(const struct arc_msg *a);
void	arc_field_at(const struct arc_msg *a, int j, const char **name_r,
	    const char **value_r);
int	arc_canon_relaxed(struct buf *out, const char *name,
	    const char *value, bool crlf);
int	arc_chain_canon(const struct arc_msg *a, struct buf *out);

#endif
