/*
 * NAME
 *	sign - DKIM signing of outbound mail: key table, signing table,
 *	per-message signer
 * SYNOPSIS
 *	#include "auth/sign.h"
 *
 *	struct signer *signer_new(const char *key_table,
 *	    const char *signing_table, bool require_safe, int expire,
 *	    struct buf *why);
 *	void signer_free(struct signer **sp);
 *	int signer_nkeys(const struct signer *s);
 *	const struct signer_key *signer_key(const struct signer *s, int i);
 *	const char *signer_key_table(const struct signer *s);
 *
 *	struct sign_msg *sign_msg_new(struct signer *s, struct buf *why);
 *	int sign_header(struct sign_msg *m, const char *name,
 *	    const char *value, struct buf *why);
 *	int sign_eoh(struct sign_msg *m, const char *from_value,
 *	    const struct from_result *from, struct buf *why);
 *	bool sign_active(const struct sign_msg *m);
 *	int sign_body(struct sign_msg *m, const unsigned char *p, size_t n,
 *	    struct buf *why);
 *	int sign_eom(struct sign_msg *m, struct buf *why);
 *	int sign_count(const struct sign_msg *m);
 *	const char *sign_value(const struct sign_msg *m, int i);
 *	const char *sign_summary(const struct sign_msg *m);
 *	void sign_msg_free(struct sign_msg **mp);
 * DESCRIPTION
 *	signer_new() reads the key table (OpenDKIM KeyTable form, one key a
 *	line: "NAME DOMAIN:SELECTOR:PATH"; "#" starts a comment) and every
 *	key file it names (signkey_load()), and the signing table if one is
 *	given (OpenDKIM SigningTable form with refile patterns: "PATTERN
 *	NAME [NAME...]"; PATTERN is "*", "DOMAIN", "*.DOMAIN", "*@DOMAIN",
 *	"*@*.DOMAIN", "LOCAL@DOMAIN"; the first line that matches the
 *	author gives the keys). Without a signing table a message is signed
 *	with every key whose DOMAIN is the From: domain. Errors are AM_PERM
 *	with "file:line: reason" in why. expire > 0 adds x= that many
 *	seconds after t=.
 *
 *	Per message: sign_header() keeps each field (the From: is known
 *	only at the end of the header); sign_eoh() picks the keys for the
 *	author (RSA first, at most LIM_SIGN_PER_MSG), starts one libopendkim
 *	signer per key and feeds it the fields. A message without exactly
 *	one From: with one mailbox, or whose author has no key, is not
 *	signed: sign_active() is false and sign_summary() says why.
 *	sign_body() feeds body bytes (CRLF, as the MTA sends them);
 *	sign_eom() computes the signatures; sign_value(m, i) is the i-th
 *	DKIM-Signature value, RSA first, folded with LF and TAB, without
 *	the field name.
 *
 *	Signatures are relaxed/relaxed, rsa-sha256 or ed25519-sha256, h=
 *	the fields of RFC 6376 5.4.1 that are present plus Message-ID and
 *	the MIME fields, From: signed once more than present (so a From:
 *	added later breaks the signature), t= set, no l=.
 * DIAGNOSTICS
 *	sign_eoh(), sign_body() and sign_eom() return AM_TEMP when the
 *	library fails or memory runs out; the caller applies sign.on_error.
 * THREADS
 *	A signer is read-only after signer_new() and shared by every
 *	thread; a sign_msg belongs to one message.
 * SEE ALSO
 *	RFC 6376 3.5, 5.4, 5.4.2 (over-signing), 8.15; RFC 8463; RFC 8301
 */
#ifndef AM_SIGN_H
#define AM_SIGN_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/result.h"
#include "auth/signkey.h"
#include "util/buf.h"

struct signer;
struct sign_msg;

struct signer_key {
	char	 name[128];
	char	 domain[LIM_DOMAIN];
	char	 selector[64];
	char	 path[1024];
	int	 line;			/* in the key table */
	struct signkey key;
};

struct signer *signer_new(const char *key_table, const char *signing_table,
	    bool require_safe, int expire, struct buf *why);
void	signer_free(struct signer **sp);
int	signer_nkeys(const struct signer *s);
const struct signer_key *signer_key(const struct signer *s, int i);
const char *signer_key_table(const struct signer *s);

struct sign_msg *sign_msg_new(struct signer *s, struct buf *why);
int	sign_header(struct sign_msg *m, const char *name, const char *value,
	    struct buf *why);
int	sign_eoh(struct sign_msg *m, const char *from_value,
	    const struct from_result *from, struct buf *why);
bool	sign_active(const struct sign_msg *m);
int	sign_body(struct sign_msg *m, const unsigned char *p, size_t n,
	    struct buf *why);
int	sign_eom(struct sign_msg *m, struct buf *why);
int	sign_count(const struct sign_msg *m);
const char *sign_value(const struct sign_msg *m, int i);
const char *sign_summary(const struct sign_msg *m);
void	sign_msg_free(struct sign_msg **mp);

#endif
