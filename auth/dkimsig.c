/*
 * NAME
 *	dkimsig - one libopendkim signature as an RFC 8601 result
 * DESCRIPTION
 *	See dkimsig.h. The mapping from the library's signature state
 *	(flags, body hash, DKIM_SIGERROR_*) to pass, fail, policy, neutral,
 *	temperror and permerror, and the tags a result carries. Split from
 *	dkim.c, which owns the message, the key lookups and their notes.
 *
 *	Facts about libopendkim 2.11.0~beta2 behind the mapping: a
 *	signature the library never got to has neither PASSED nor
 *	PROCESSED; DKIM_SIGERROR_BADSIG covers a bad body hash too, and
 *	the library compares bh= with the hash of the body it was fed,
 *	usually none (auth/bodyhash.c hashes the body): BADSIG with
 *	DKIM_SIGFLAG_PASSED is that comparison, and our bh decides;
 *	dkim_sig_getkeysize() says 0 for Ed25519; DKIM_SIGERROR_SUBDOMAIN
 *	is a key with t=s refusing i= in a subdomain of d= (RFC 6376
 *	3.6.1): the key is unusable, permerror, not fail.
 * THREADS
 *	Reentrant.
 * SEE ALSO
 *	auth/dkim.c, RFC 6376 6.1; RFC 8301 3.1, 3.2; RFC 8463;
 *	RFC 8601 2.7.1
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

#include "auth/dkimsig.h"
#include "auth/result.h"
#include "util/am.h"

#define DKIMSIG_BPREFIX	8		/* RFC 6008: header.b prefix */

/* dkimsig_copy - bounded copy of peer text; false if it was cut */
static bool
dkimsig_copy(char *dst, size_t dstlen, const unsigned char *src)
{
	size_t	 n;

	n = src != NULL ? strlen((const char *)src) : 0;
	if (n >= dstlen) {
		memcpy(dst, src, dstlen - 1);
		dst[dstlen - 1] = '\0';
		return (false);
	}
	if (n > 0)
		memcpy(dst, src, n);
	dst[n] = '\0';
	return (true);
}

/* dkimsig_tag - a signature tag's value, or NULL */
const unsigned char *
dkimsig_tag(DKIM_SIGINFO *sig, const char *tag)
{
	return (dkim_sig_gettagvalue(sig, false, (u_char *)tag));
}

/* dkimsig_tags - d (lower case), s, a, b prefix, i; false if d was cut */
bool
dkimsig_tags(DKIM_SIGINFO *sig, struct dkim_sig_result *r)
{
	const unsigned char *b;
	bool	 dok;
	char	*p;

	dok = dkimsig_copy(r->d, sizeof(r->d), dkimsig_tag(sig, "d"));
	for (p = r->d; *p != '\0'; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	(void)dkimsig_copy(r->s, sizeof(r->s), dkimsig_tag(sig, "s"));
	(void)dkimsig_copy(r->a, sizeof(r->a), dkimsig_tag(sig, "a"));
	(void)dkimsig_copy(r->i, sizeof(r->i), dkimsig_tag(sig, "i"));
	if ((b = dkimsig_tag(sig, "b")) != NULL) {
		size_t	 n = strnlen((const char *)b, DKIMSIG_BPREFIX);

		memcpy(r->b, b, n);
		r->b[n] = '\0';
	}
	return (dok);
}

/* dkimsig_alg - the algorithm of a signature that got processed */
static dkim_alg_t
dkimsig_alg(DKIM_SIGINFO *sig)
{
	dkim_alg_t alg = DKIM_SIGN_UNKNOWN;

	if (dkim_sig_getsignalg(sig, &alg) != DKIM_STAT_OK)
		return (DKIM_SIGN_UNKNOWN);
	return (alg);
}

/* dkimsig_keybits - key size; the library says 0 for Ed25519 */
unsigned
dkimsig_keybits(DKIM_SIGINFO *sig)
{
	unsigned bits = 0;
	int	 err = dkim_sig_geterror(sig);

	if (dkim_sig_getkeysize(sig, &bits) != DKIM_STAT_OK)
		bits = 0;
	if (bits == 0 && dkimsig_alg(sig) == DKIM_SIGN_ED25519SHA256 &&
	    (dkim_sig_getflags(sig) & DKIM_SIGFLAG_PROCESSED) != 0 &&
	    (err == DKIM_SIGERROR_OK || err == DKIM_SIGERROR_UNKNOWN ||
	    err == DKIM_SIGERROR_BADSIG))
		bits = 256;		/* key was applied: RFC 8032 */
	return (bits);
}

/* dkimsig_set - store a result and its reason */
void
dkimsig_set(struct dkim_sig_result *r, enum dkim_res res, const char *fmt, ...)
{
	va_list	 ap;

	r->result = res;
	va_start(ap, fmt);
	(void)vsnprintf(r->reason, sizeof(r->reason), fmt, ap);
	va_end(ap);
}

/* dkimsig_verified - signature and body hash good: policy checks */
static void
dkimsig_verified(DKIM_SIGINFO *sig, unsigned min_key_bits,
    struct dkim_sig_result *r)
{
	dkim_alg_t alg = dkimsig_alg(sig);

	if (alg == DKIM_SIGN_RSASHA1) {
		dkimsig_set(r, DKIM_RES_POLICY, "rsa-sha1 not accepted");
		return;
	}
	if (alg == DKIM_SIGN_RSASHA256 && r->keybits < min_key_bits) {
		dkimsig_set(r, DKIM_RES_POLICY, "key too short (%u bits)",
		    r->keybits);
		return;
	}
	if (alg != DKIM_SIGN_RSASHA256 && alg != DKIM_SIGN_ED25519SHA256) {
		dkimsig_set(r, DKIM_RES_NEUTRAL, "unknown algorithm");
		return;
	}
	dkimsig_set(r, DKIM_RES_PASS, "%s", "");
}

/* dkimsig_clean - no error recorded: look at flags and body hash */
static void
dkimsig_clean(DKIM_SIGINFO *sig, int bh, unsigned min_key_bits,
    struct dkim_sig_result *r)
{
	unsigned flags = dkim_sig_getflags(sig);

	if ((flags & DKIM_SIGFLAG_PASSED) == 0) {
		if ((flags & DKIM_SIGFLAG_PROCESSED) != 0)
			dkimsig_set(r, DKIM_RES_FAIL,
			    "signature did not verify");
		else			/* library never got to it */
			dkimsig_set(r, DKIM_RES_TEMPERROR,
			    "signature not processed");
	} else if (bh == DKIM_SIGBH_MISMATCH)
		dkimsig_set(r, DKIM_RES_FAIL, "body hash mismatch");
	else if (bh != DKIM_SIGBH_MATCH)
		dkimsig_set(r, DKIM_RES_TEMPERROR, "body hash not checked");
	else
		dkimsig_verified(sig, min_key_bits, r);
}

/*
 * Library errors after a signature was parsed, and what they mean; a
 * prefix ending in ": " gets the library's text. Every other error is a
 * malformed signature (tags, syntax, version, times): neutral.
 */
static const struct {
	int	 err;
	enum dkim_res res;
	const char *why;
} dkimsig_errtab[] = {
	{DKIM_SIGERROR_KEYREVOKED, DKIM_RES_FAIL, "key revoked"},
	{DKIM_SIGERROR_TOOLARGE_L, DKIM_RES_FAIL, "body shorter than l="},
	{DKIM_SIGERROR_SUBDOMAIN, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_MBSFAILED, DKIM_RES_FAIL, "not acceptable: "},
	{DKIM_SIGERROR_NOKEY, DKIM_RES_PERMERROR, "key not found"},
	{DKIM_SIGERROR_KEYFAIL, DKIM_RES_TEMPERROR, "key lookup failed"},
	{DKIM_SIGERROR_DNSSYNTAX, DKIM_RES_PERMERROR, "key record syntax"},
	{DKIM_SIGERROR_MULTIREPLY, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_KEYVERSION, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_KEYUNKNOWNHASH, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_KEYHASHMISMATCH, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_NOTEMAILKEY, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_KEYTYPEMISSING, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_KEYTYPEUNKNOWN, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_KEYDECODE, DKIM_RES_PERMERROR, "key unusable: "},
	{DKIM_SIGERROR_KEYTOOSMALL, DKIM_RES_POLICY, "key too short"},
};

/* dkimsig_judge - RFC 8601 2.7.1 result of one signature the library
 * got a key for, or failed on by itself */
void
dkimsig_judge(DKIM_SIGINFO *sig, int bh, unsigned min_key_bits,
    struct dkim_sig_result *r)
{
	int	 err = dkim_sig_geterror(sig);
	const char *es = dkim_sig_geterrorstr(err), *why;
	size_t	 i, n;

	if (es == NULL)
		es = "unknown error";
	if (err == DKIM_SIGERROR_UNKNOWN || err == DKIM_SIGERROR_OK ||
	    (err == DKIM_SIGERROR_BADSIG &&
	    (dkim_sig_getflags(sig) & DKIM_SIGFLAG_PASSED) != 0)) {
		dkimsig_clean(sig, bh, min_key_bits, r);
		return;
	}
	if (err == DKIM_SIGERROR_BADSIG) {
		dkimsig_set(r, DKIM_RES_FAIL, "signature did not verify");
		return;
	}
	for (i = 0; i < AM_ARRAY_LEN(dkimsig_errtab); i++) {
		if (dkimsig_errtab[i].err != err)
			continue;
		why = dkimsig_errtab[i].why;
		n = strlen(why);
		dkimsig_set(r, dkimsig_errtab[i].res, "%s%s", why,
		    n > 2 && why[n - 2] == ':' ? es : "");
		return;
	}
	dkimsig_set(r, DKIM_RES_NEUTRAL, "%s", es);
}
