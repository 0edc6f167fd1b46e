/*
 * NAME
 *	dkim - verify every DKIM-Signature of one message
 * SYNOPSIS
 *	#include "auth/dkim.h"
 *
 *	struct dkimv *dkimv_new(struct dns *dns, int max_sigs,
 *	    unsigned min_key_bits, struct buf *why);
 *	void dkimv_free(struct dkimv **vp);
 *
 *	struct dkimv_msg *dkimv_msg_new(struct dkimv *v, const char *id,
 *	    struct buf *why);
 *	int dkimv_header(struct dkimv_msg *m, const char *name,
 *	    const char *value, struct buf *why);
 *	int dkimv_eoh(struct dkimv_msg *m, struct buf *why);
 *	int dkimv_body(struct dkimv_msg *m, const unsigned char *p,
 *	    size_t n, struct buf *why);
 *	int dkimv_eom(struct dkimv_msg *m, struct dkim_result *res_r,
 *	    struct buf *why);
 *	void dkimv_msg_free(struct dkimv_msg **mp);
 * DESCRIPTION
 *	libopendkim verifies; keys are fetched through our dns_query() (the
 *	library's key-lookup hook), so DKIM shares resolver and cache.
 *
 *	dkimv_header() takes one field as the milter delivers it: name
 *	without the colon, value as sent (leading space kept, folded lines
 *	joined by LF or CRLF). dkimv_body() takes body bytes as sent (CRLF).
 *	dkimv_eom() fills *res_r with one entry per signature, in header
 *	order, up to max_sigs (the rest counted in nskipped; the entries
 *	past nsigs are left as they were):
 *	pass		signature and body hash verify, key acceptable
 *	fail		signature or body hash does not verify, or key revoked
 *	policy		verifies, but rsa-sha1 (RFC 8301), or RSA key shorter
 *			than min_key_bits, or a signed singleton field (From,
 *			Subject, ...) occurs more often than h= names it
 *			(extra_header, RFC 6376 8.15): never counts as a pass
 *	neutral		signature malformed (syntax, missing tags)
 *	temperror	key lookup failed temporarily (DNS)
 *	permerror	key record missing or unusable
 *	With no signature, nsigs is 0 (dkim=none). Returns AM_OK, or
 *	AM_TEMP when the library itself failed.
 * THREADS
 *	One struct dkimv serves all threads; a dkimv_msg is per message.
 * SEE ALSO
 *	RFC 6376 6, 8.15; RFC 8301 (rsa-sha1, key sizes); RFC 8463
 *	(Ed25519); auth/dkimcov.h
 */
#ifndef AM_DKIM_H
#define AM_DKIM_H

#include <stddef.h>

#include "auth/result.h"
#include "dns/dns.h"
#include "util/buf.h"

struct dkimv;
struct dkimv_msg;

struct dkimv *dkimv_new(struct dns *dns, int max_sigs, unsigned min_key_bits,
	    struct buf *why);
void	dkimv_free(struct dkimv **vp);
struct dkimv_msg *dkimv_msg_new(struct dkimv *v, const char *id,
	    struct buf *why);
int	dkimv_header(struct dkimv_msg *m, const char *name, const char *value,
	    struct buf *why);
int	dkimv_eoh(struct dkimv_msg *m, struct buf *why);
int	dkimv_body(struct dkimv_msg *m, const unsigned char *p, size_t n,
	    struct buf *why);
int	dkimv_eom(struct dkimv_msg *m, struct dkim_result *res_r,
	    struct buf *why);
void	dkimv_msg_free(struct dkimv_msg **mp);

#endif
