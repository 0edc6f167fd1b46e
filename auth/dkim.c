/*
 * NAME
 *	dkim - verify every DKIM-Signature of one message
 * DESCRIPTION
 *	See dkim.h. libopendkim canonicalizes and checks signatures; this
 *	file feeds it the message as the milter sees it, fetches keys
 *	through dns_query() (the library's key-lookup hook), and turns each
 *	signature's state into an RFC 8601 result (dkimsig.c maps the
 *	library's state; dkimcov.c counts what the library does not tell
 *	us). Facts about libopendkim
 *	2.11.0~beta2 (as shipped in Debian 12) that shape the code:
 *
 *	- With DKIM_LIBFLAGS_FIXCRLF, dkim_header() rewrites a bare LF as
 *	  CRLF but keeps the old length, so every LF-folded field loses its
 *	  tail (a DKIM-Signature then reads as "signature data corrupt").
 *	  Without the flag a bare LF is hashed as is and simple header
 *	  canonicalization fails. dkimv_header() therefore writes CRLF
 *	  itself.
 *	- The body is hashed by auth/bodyhash.c, once per distinct
 *	  (canonicalization, algorithm, l=), not by the library (half of
 *	  all instructions, byte by byte): the library gets no body, checks
 *	  the header signature (DKIM_SIGFLAG_PASSED), and compares bh= with
 *	  the hash of an empty body; dkimv_judge() puts our comparison in
 *	  its place. Except with l=: the library marks a signature whose l=
 *	  passes the body it saw DKIM_SIGERROR_TOOLARGE_L and then never
 *	  checks it, so when a signature has l= the library is fed the body
 *	  too (dkimv_crlf(): bare LF and CR made CRLF, found with memchr(),
 *	  as FIXCRLF would copy every chunk byte by byte).
 *	- Without FIXCRLF the library refuses a body whose last line has no
 *	  CRLF (dkim_eom() says "CRLF at end of body missing", the body
 *	  hash unchecked). RFC 6376 3.4.3 and 3.4.4 add the CRLF; bodyhash
 *	  does, and dkimv_eom() feeds it to the library when it is fed.
 *	- A key lookup answering DKIM_CBSTAT_TRYAGAIN (or ERROR) makes
 *	  dkim_eoh() stop at that signature; dkim_eom() then asks again
 *	  (two DNS timeouts) and reports plain DKIM_STAT_BADSIG, the
 *	  signature left unprocessed with no error code. The lookup hook
 *	  therefore always answers CONTINUE or NOTFOUND, and notes the real
 *	  DNS outcome per signature (struct dkimv_keynote) for dkimv_eom().
 *	- DKIM_OPTS_MINKEYBITS clears DKIM_SIGFLAG_PASSED on a short key,
 *	  hiding whether it verified. The library limit is 0; min_key_bits
 *	  is applied here so a short key is "policy", a bad signature "fail".
 *	- dkim_sig_getcanonlen() returns the raw body length, not the
 *	  canonicalized one, and the signed length stops at l=. Whether
 *	  l= left bytes unsigned needs the canonicalized length, counted
 *	  in dkimcov.c.
 *	- The library hashes the last instances of the fields h= names and
 *	  says nothing of instances above them. A singleton field (From,
 *	  Subject, ...) that occurs more often than h= names it was added
 *	  after signing or is ambiguous (RFC 6376 8.15): such a signature
 *	  verifies but is "policy" with extra_header set, never a pass that
 *	  would vouch for a field a reader sees and the signer never signed.
 *	- q= is ignored: q=http alone still gets a key from DNS. With no
 *	  dns/txt among its methods (RFC 6376 3.5) our lookup hook does not
 *	  query, and the signature is a permerror (dkimcov_query()).
 *	- dkim_canon_selecthdrs() writes a NULL one slot past its array of
 *	  fields when h= names every field of the message and then more: a
 *	  heap overflow any sender can trigger, which aborts the process
 *	  (found by fuzz_dkim). dkimv_eoh() first feeds DKIMV_GUARD, a field
 *	  no h= can name: the library strips white space from tag values,
 *	  and the guard's name holds a space. Never signed, it changes no
 *	  hash.
 *	- The signature list keeps header order; signatures past max_sigs
 *	  are flagged ignored in the prescreen hook, so they cost no lookup.
 *	- Ed25519 (RFC 8463) verifies; its key size reads as 0 (we say 256).
 * DIAGNOSTICS
 *	Out of memory or an internal library error is AM_TEMP, the text in
 *	why; calls out of order are AM_PERM. Results are data, not status.
 * THREADS
 *	One DKIM_LIB and its hooks serve every thread. Per-message state,
 *	including the key-lookup notes, is reached through the DKIM
 *	handle's user context, so a hook touches only its own message.
 * SEE ALSO
 *	auth/dkimsig.c, auth/dkimcov.c; RFC 6376 3.4 (canonicalization),
 *	3.5, 3.6.2 (key records), 6.1, 8.15; RFC 8301 3.1, 3.2; RFC 8463;
 *	RFC 8601 2.7.1
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

#include "auth/bodyhash.h"
#include "auth/dkim.h"
#include "auth/dkimcov.h"
#include "auth/dkimsig.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"

#define DKIMV_ID_MAX	64		/* queue ids are short */
#define DKIMV_GUARD	"Authmilter Guard:1"	/* see the head */

enum dkimv_state {
	DKIMV_HEADERS = 0,		/* taking header fields */
	DKIMV_BODY,			/* after end of header */
	DKIMV_DONE,			/* after end of message */
};

/* why a key lookup handed the library no record */
enum dkimv_keyerr {
	KEYERR_NONE = 0,
	KEYERR_NOTFOUND,		/* NXDOMAIN, or no TXT record */
	KEYERR_TEMP,			/* SERVFAIL, timeout */
	KEYERR_NAME,			/* selector and domain make no name */
	KEYERR_TOOLONG,			/* over the library's key buffer */
	KEYERR_MULTI,			/* several TXT records */
	KEYERR_QUERY,			/* q= allows no method we know */
};

struct dkimv_keynote {
	DKIM_SIGINFO *sig;
	enum dkimv_keyerr err;
	char	 dns[32];		/* dns_query()'s reason, if any */
};

struct dkimv {
	DKIM_LIB *lib;
	struct dns *dns;
	int	 max_sigs;
	unsigned min_key_bits;
};

struct dkimv_msg {
	struct dkimv *v;
	DKIM	*dkim;
	char	 id[DKIMV_ID_MAX];	/* the library keeps a pointer */
	enum dkimv_state state;
	bool	 failed;		/* library failed: AM_TEMP from now */
	char	 failwhy[LIM_REASON];
	int	 nheaders;
	int	 nsighdrs;		/* DKIM-Signature fields fed */
	struct buf *field;		/* "name:value" being fed */
	struct buf *dnswhy;		/* dns_query()'s reason */
	struct dkimcov cov;		/* body length, singleton fields */
	bool	 count_len;		/* a signature has l=: count body */
	bool	 last_cr;		/* the body so far ends in CR */
	bool	 last_lf;		/* ... in LF, or is empty */
	struct bodyhash *bh;		/* our body hashes */
	int	 nbh;
	DKIM_SIGINFO *bhsig[LIM_DKIM_SIGS];	/* signature ... */
	int	 bhidx[LIM_DKIM_SIGS];	/* ... and its body hash */
	int	 nnotes;
	struct dkimv_keynote notes[LIM_DKIM_SIGS];
};

/* dkimv_note - remember why a signature's key lookup gave no record */
static void
dkimv_note(struct dkimv_msg *m, DKIM_SIGINFO *sig, enum dkimv_keyerr e,
    const char *dns)
{
	struct dkimv_keynote *n;

	if (m->nnotes == LIM_DKIM_SIGS)
		return;			/* cannot happen: max_sigs caps it */
	n = &m->notes[m->nnotes++];
	n->sig = sig;
	n->err = e;
	(void)snprintf(n->dns, sizeof(n->dns), "%s", dns);
}

/*
 * dkimv_note_find - the note of sig; or, given s and d, of an earlier
 * lookup of the same record. The library reuses a key between
 * signatures with the same d= and s=, but not a failure: 50 copies of a
 * signature whose key lookup times out would wait 50 times.
 */
static const struct dkimv_keynote *
dkimv_note_find(const struct dkimv_msg *m, const DKIM_SIGINFO *sig,
    const unsigned char *s, const unsigned char *d)
{
	const unsigned char *ns, *nd;
	int	 i;

	for (i = 0; i < m->nnotes; i++) {
		if (s == NULL || d == NULL) {
			if (m->notes[i].sig == sig)
				return (&m->notes[i]);
			continue;
		}
		if (m->notes[i].err == KEYERR_QUERY)
			continue;	/* about that signature, not the key */
		ns = dkim_sig_getselector(m->notes[i].sig);
		nd = dkim_sig_getdomain(m->notes[i].sig);
		if (ns != NULL && nd != NULL &&
		    strcasecmp((const char *)ns, (const char *)s) == 0 &&
		    strcasecmp((const char *)nd, (const char *)d) == 0)
			return (&m->notes[i]);
	}
	return (NULL);
}

/* dkimv_key_copy - the one TXT record of an answer into the key buffer */
static enum dkimv_keyerr
dkimv_key_copy(const struct dns_answer *ans, unsigned char *buf,
    size_t buflen)
{
	const struct dns_rr *rr = NULL;
	size_t	 i, ntxt = 0;

	for (i = 0; i < ans->nrr; i++) {
		if (ans->rr[i].type == DNS_T_TXT) {
			rr = &ans->rr[i];
			ntxt++;
		}
	}
	if (rr == NULL)
		return (KEYERR_NOTFOUND);
	if (ntxt > 1)			/* RFC 6376 3.6.2.2: undefined */
		return (KEYERR_MULTI);
	if (rr->len >= buflen)
		return (KEYERR_TOOLONG);
	memcpy(buf, rr->data, rr->len);
	buf[rr->len] = '\0';
	return (KEYERR_NONE);
}

/*
 * dkimv_key_lookup - library hook: TXT <s>._domainkey.<d> via dns_query()
 *
 * Never TRYAGAIN or ERROR (see the head of this file): a failed lookup
 * is NOTFOUND to the library and noted for dkimv_eom().
 */
static DKIM_CBSTAT
dkimv_key_lookup(DKIM *dkim, DKIM_SIGINFO *sig, u_char *buf, size_t buflen)
{
	struct dkimv_msg *m = dkim_get_user_context(dkim);
	const struct dkimv_keynote *prev;
	struct dns_answer *ans = NULL;
	const unsigned char *s, *d;
	enum dkimv_keyerr e;
	char	 name[LIM_DOMAIN + 80];
	int	 n;

	if (m == NULL || buflen == 0)
		return (DKIM_CBSTAT_ERROR);	/* broken invariant */
	s = dkim_sig_getselector(sig);
	d = dkim_sig_getdomain(sig);
	n = snprintf(name, sizeof(name), "%s._domainkey.%s",
	    s != NULL ? (const char *)s : "", d != NULL ? (const char *)d : "");
	if (s == NULL || d == NULL || n < 0 || (size_t)n >= sizeof(name)) {
		dkimv_note(m, sig, KEYERR_NAME, "name too long");
		return (DKIM_CBSTAT_NOTFOUND);
	}
	if (!dkimcov_query((const char *)dkim_sig_gettagvalue(sig, false,
	    (u_char *)"q"))) {
		dkimv_note(m, sig, KEYERR_QUERY, "");
		return (DKIM_CBSTAT_NOTFOUND);	/* RFC 6376 3.5: no query */
	}
	if ((prev = dkimv_note_find(m, sig, s, d)) != NULL) {
		dkimv_note(m, sig, prev->err, prev->dns);
		return (DKIM_CBSTAT_NOTFOUND);
	}
	buf_reset(m->dnswhy);
	switch (dns_query(m->v->dns, name, DNS_T_TXT, &ans, m->dnswhy)) {
	case DNS_OK:
		e = dkimv_key_copy(ans, buf, buflen);
		break;
	case DNS_NOTFOUND:
		e = KEYERR_NOTFOUND;
		break;
	case DNS_TEMP:
		e = KEYERR_TEMP;
		break;
	default:
		e = KEYERR_NAME;
		break;
	}
	dns_answer_free(&ans);
	if (e == KEYERR_NONE)
		return (DKIM_CBSTAT_CONTINUE);
	dkimv_note(m, sig, e, buf_str(m->dnswhy));
	return (DKIM_CBSTAT_NOTFOUND);
}

/* dkimv_prescreen - library hook: ignore signatures past max_sigs */
static DKIM_CBSTAT
dkimv_prescreen(DKIM *dkim, DKIM_SIGINFO **sigs, int nsigs)
{
	struct dkimv_msg *m = dkim_get_user_context(dkim);
	int	 i;

	if (m == NULL)
		return (DKIM_CBSTAT_CONTINUE);
	for (i = m->v->max_sigs; i < nsigs; i++)
		dkim_sig_ignore(sigs[i]);
	return (DKIM_CBSTAT_CONTINUE);
}

/* dkimv_new - one verifier (library handle and hooks) for all threads */
struct dkimv *
dkimv_new(struct dns *dns, int max_sigs, unsigned min_key_bits,
    struct buf *why)
{
	struct dkimv *v;
	u_int	 flags = DKIM_LIBFLAGS_BADSIGHANDLES;
	u_int	 minbits = 0;		/* min_key_bits is applied here */

	if (dns == NULL || max_sigs < 1 || max_sigs > LIM_DKIM_SIGS) {
		buf_why(why, AM_PERM, "dkim: %s max_sigs %d (1..%d)",
		    dns == NULL ? "no resolver," : "bad", max_sigs,
		    LIM_DKIM_SIGS);
		return (NULL);
	}
	if ((v = calloc(1, sizeof(*v))) == NULL) {
		buf_why(why, AM_TEMP, "dkim: out of memory");
		return (NULL);
	}
	v->dns = dns;
	v->max_sigs = max_sigs;
	v->min_key_bits = min_key_bits;
	if ((v->lib = dkim_init(NULL, NULL)) == NULL ||
	    !dkim_libfeature(v->lib, DKIM_FEATURE_SHA256) ||
	    dkim_options(v->lib, DKIM_OP_SETOPT, DKIM_OPTS_FLAGS, &flags,
	    sizeof(flags)) != DKIM_STAT_OK ||
	    dkim_options(v->lib, DKIM_OP_SETOPT, DKIM_OPTS_MINKEYBITS,
	    &minbits, sizeof(minbits)) != DKIM_STAT_OK ||
	    dkim_set_key_lookup(v->lib, dkimv_key_lookup) != DKIM_STAT_OK ||
	    dkim_set_prescreen(v->lib, dkimv_prescreen) != DKIM_STAT_OK) {
		buf_why(why, AM_TEMP, "dkim: cannot set up libopendkim");
		dkimv_free(&v);
		return (NULL);
	}
	if (!dkim_libfeature(v->lib, DKIM_FEATURE_ED25519))
		log_warn("dkim: libopendkim lacks Ed25519; "
		    "ed25519-sha256 signatures will be neutral");
	return (v);
}

/* dkimv_free - release the verifier; no message may be open */
void
dkimv_free(struct dkimv **vp)
{
	if (vp == NULL || *vp == NULL)
		return;
	if ((*vp)->lib != NULL)
		dkim_close((*vp)->lib);
	free(*vp);
	*vp = NULL;
}

/* dkimv_msg_new - start one message; the library handle is made now */
struct dkimv_msg *
dkimv_msg_new(struct dkimv *v, const char *id, struct buf *why)
{
	struct dkimv_msg *m;
	DKIM_STAT st = DKIM_STAT_NORESOURCE;

	if ((m = calloc(1, sizeof(*m))) == NULL) {
		buf_why(why, AM_TEMP, "dkim: out of memory");
		return (NULL);
	}
	m->v = v;
	(void)snprintf(m->id, sizeof(m->id), "%s", id != NULL ? id : "");
	m->field = buf_new(LIM_HEADER);
	m->dnswhy = buf_new(LIM_REASON);
	m->last_lf = true;
	if ((m->bh = bodyhash_new()) == NULL) {
		buf_why(why, AM_TEMP, "dkim: out of memory");
		dkimv_msg_free(&m);
		return (NULL);
	}
	m->dkim = dkim_verify(v->lib, (const unsigned char *)m->id, NULL, &st);
	if (m->dkim == NULL) {
		buf_why(why, AM_TEMP, "dkim: dkim_verify: %s",
		    dkim_getresultstr(st) != NULL ? dkim_getresultstr(st) :
		    "failed");
		dkimv_msg_free(&m);
		return (NULL);
	}
	(void)dkim_set_user_context(m->dkim, m);
	return (m);
}

/* dkimv_msg_free - end one message, finished or not */
void
dkimv_msg_free(struct dkimv_msg **mp)
{
	struct dkimv_msg *m;

	if (mp == NULL || *mp == NULL)
		return;
	m = *mp;
	if (m->dkim != NULL)
		(void)dkim_free(m->dkim);
	buf_free(&m->field);
	buf_free(&m->dnswhy);
	bodyhash_free(&m->bh);
	free(m);
	*mp = NULL;
}

/*
 * dkimv_libstat - map a library status of a feeding call
 *
 * Only resource and internal errors stop the message: the rest (no
 * signature, syntax in one field) is sorted out per signature at eom.
 */
static int
dkimv_libstat(struct dkimv_msg *m, DKIM_STAT st, const char *what,
    struct buf *why)
{
	const char *err;

	if (st != DKIM_STAT_NORESOURCE && st != DKIM_STAT_INTERNAL)
		return (AM_OK);
	err = dkim_geterror(m->dkim);
	if (err == NULL || *err == '\0')
		err = dkim_getresultstr(st);
	(void)snprintf(m->failwhy, sizeof(m->failwhy), "dkim: %s: %s", what,
	    err != NULL ? err : "library error");
	m->failed = true;
	return (buf_why(why, AM_TEMP, "%s", m->failwhy));
}

/* dkimv_field - "name:value", every line break of value made CRLF */
static int
dkimv_field(struct buf *f, const char *name, const char *value)
{
	const char *p, *nl;
	size_t	 n;
	int	 st;

	buf_reset(f);
	if ((st = buf_puts(f, name)) != AM_OK ||
	    (st = buf_putc(f, ':')) != AM_OK)
		return (st);
	for (p = value; (nl = strchr(p, '\n')) != NULL; p = nl + 1) {
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if ((st = buf_append(f, p, n)) != AM_OK ||
		    (st = buf_append(f, "\r\n", 2)) != AM_OK)
			return (st);
	}
	return (buf_puts(f, p));
}

/* dkimv_tag - value of tag t in a tag-list, white space removed */
static bool
dkimv_tag(const char *list, const char *t, char *dst, size_t len)
{
	const char *p = list, *eq;
	size_t	 tl = strlen(t), o;

	for (; *p != '\0'; p = *p == ';' ? p + 1 : p) {
		while (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n')
			p++;
		eq = p + strcspn(p, "=;");
		if (*eq == '=' && (size_t)(eq - p) >= tl &&
		    strncmp(p, t, tl) == 0 &&
		    strspn(p + tl, " \t\r\n") == (size_t)(eq - p) - tl) {
			for (o = 0, p = eq + 1; *p != '\0' && *p != ';'; p++)
				if (strchr(" \t\r\n", *p) == NULL && o + 1 < len)
					dst[o++] = *p;
			dst[o] = '\0';
			return (o > 0);
		}
		p += strcspn(p, ";");
	}
	return (false);
}

/*
 * dkimv_prefetch - start the key lookup of a DKIM-Signature as soon as
 * the field arrives: by end of header, when the library asks for the
 * key, the answer is cached or on its way, in parallel with the other
 * keys, the DMARC and the SPF lookups
 */
static void
dkimv_prefetch(struct dkimv_msg *m, const char *value)
{
	char	 d[LIM_DOMAIN], s[64], name[LIM_DOMAIN + 80];

	if (m->nsighdrs > m->v->max_sigs || !dkimv_tag(value, "d", d,
	    sizeof(d)) || !dkimv_tag(value, "s", s, sizeof(s)))
		return;
	if ((size_t)snprintf(name, sizeof(name), "%s._domainkey.%s", s, d) <
	    sizeof(name))
		dns_prefetch(m->v->dns, name, DNS_T_TXT);
}

/* dkimv_header - feed one header field as the milter delivers it */
int
dkimv_header(struct dkimv_msg *m, const char *name, const char *value,
    struct buf *why)
{
	DKIM_STAT st;
	char	 esc[64];
	int	 rc;

	if (m->state != DKIMV_HEADERS || name == NULL || value == NULL)
		return (buf_why(why, AM_PERM,
		    "dkim: header field out of order"));
	if (m->failed)
		return (buf_why(why, AM_TEMP, "%s", m->failwhy));
	dkimcov_field(&m->cov, name);	/* fed or not, a reader sees it */
	if (++m->nheaders > LIM_HEADERS) {
		if (m->nheaders == LIM_HEADERS + 1)
			log_warn("%s: dkim: over %d header fields, rest not "
			    "verified", m->id, LIM_HEADERS);
		return (AM_OK);		/* not fed: signatures over it fail */
	}
	if ((rc = dkimv_field(m->field, name, value)) != AM_OK) {
		if (rc == AM_TEMP)
			return (buf_why(why, AM_TEMP, "dkim: out of memory"));
		log_warn("%s: dkim: header field %s over %d bytes, not "
		    "verified", m->id, log_escape(esc, sizeof(esc), name,
		    strlen(name)), LIM_HEADER);
		return (AM_OK);		/* not fed: signatures over it fail */
	}
	if (strcasecmp(name, "DKIM-Signature") == 0) {
		m->nsighdrs++;
		dkimv_prefetch(m, value);
	}
	/* a field the library refuses (DKIM_STAT_SYNTAX) is simply not
	 * covered; a malformed DKIM-Signature is kept as a bad signature */
	st = dkim_header(m->dkim, (u_char *)m->field->data, m->field->len);
	return (dkimv_libstat(m, st, "dkim_header", why));
}

/*
 * dkimv_any_l - does a signature carry l=? Only then is the body length
 * counted (for partial_body): a byte-by-byte pass we skip otherwise.
 * When the list is not available, count to be safe.
 */
static bool
dkimv_any_l(struct dkimv_msg *m, DKIM_STAT eoh)
{
	DKIM_SIGINFO **sigs;
	int	 i, n;

	if (eoh == DKIM_STAT_NOSIG)
		return (false);
	if (dkim_getsiglist(m->dkim, &sigs, &n) != DKIM_STAT_OK)
		return (true);
	for (i = 0; i < n; i++)
		if (dkim_sig_gettagvalue(sigs[i], false, (u_char *)"l") !=
		    NULL)
			return (true);
	return (false);
}

/*
 * dkimv_bh_want - ask bodyhash for the body hash of every signature the
 * library parsed: its body canonicalization, hash and l=
 */
static int
dkimv_bh_want(struct dkimv_msg *m, DKIM_STAT eoh, struct buf *why)
{
	DKIM_SIGINFO **sigs;
	dkim_canon_t bc;
	dkim_alg_t alg;
	ssize_t	 l;
	int	 i, n, idx;

	if (eoh == DKIM_STAT_NOSIG ||
	    dkim_getsiglist(m->dkim, &sigs, &n) != DKIM_STAT_OK)
		return (AM_OK);
	for (i = 0; i < n && m->nbh < LIM_DKIM_SIGS; i++) {
		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0 ||
		    dkim_sig_getcanonlen(m->dkim, sigs[i], NULL, NULL, &l) !=
		    DKIM_STAT_OK || dkim_sig_getcanons(sigs[i], NULL, &bc) !=
		    DKIM_STAT_OK || dkim_sig_getsignalg(sigs[i], &alg) !=
		    DKIM_STAT_OK)
			continue;	/* unparsed: judged without a hash */
		idx = bodyhash_want(m->bh, bc == DKIM_CANON_RELAXED ?
		    BODYHASH_RELAXED : BODYHASH_SIMPLE, alg ==
		    DKIM_SIGN_RSASHA1 ? BODYHASH_SHA1 : BODYHASH_SHA256, l,
		    why);
		if (idx < 0)
			return (AM_TEMP);
		m->bhsig[m->nbh] = sigs[i];
		m->bhidx[m->nbh++] = idx;
	}
	return (AM_OK);
}

/* dkimv_eoh - end of header: the library looks up keys now */
int
dkimv_eoh(struct dkimv_msg *m, struct buf *why)
{
	DKIM_STAT st;

	if (m->state == DKIMV_DONE)
		return (buf_why(why, AM_PERM,
		    "dkim: end of header out of order"));
	if (m->state == DKIMV_BODY)
		return (AM_OK);
	m->state = DKIMV_BODY;
	if (m->failed)
		return (buf_why(why, AM_TEMP, "%s", m->failwhy));
	buf_reset(m->field);		/* the library wants it writable */
	if (buf_puts(m->field, DKIMV_GUARD) != AM_OK ||
	    dkim_header(m->dkim, (u_char *)m->field->data, m->field->len) !=
	    DKIM_STAT_OK) {		/* never run dkim_eoh() unguarded */
		(void)snprintf(m->failwhy, sizeof(m->failwhy),
		    "dkim: guard field refused");
		m->failed = true;
		return (buf_why(why, AM_TEMP, "%s", m->failwhy));
	}
	st = dkim_eoh(m->dkim);
	m->count_len = dkimv_any_l(m, st);
	if (dkimv_bh_want(m, st, why) != AM_OK) {
		(void)snprintf(m->failwhy, sizeof(m->failwhy), "%s",
		    buf_str(why));
		m->failed = true;
		return (AM_TEMP);
	}
	return (dkimv_libstat(m, st, "dkim_eoh", why));
}

/* dkimv_feed - one run of body bytes to the library */
static int
dkimv_feed(struct dkimv_msg *m, const unsigned char *p, size_t n,
    struct buf *why)
{
	if (n == 0)
		return (AM_OK);
	if (m->count_len)
		dkimcov_body(&m->cov, p, n);
	return (dkimv_libstat(m, dkim_body(m->dkim, (u_char *)p, n),
	    "dkim_body", why));
}

/* dkimv_next_eol - the next CR or LF at or after p, or end */
static const unsigned char *
dkimv_next_eol(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *cr = memchr(p, '\r', (size_t)(end - p));
	const unsigned char *lf = memchr(p, '\n', (size_t)(end - p));

	if (cr == NULL)
		return (lf != NULL ? lf : end);
	return (lf != NULL && lf < cr ? lf : cr);
}

/*
 * dkimv_crlf - feed a chunk with every line ending made CRLF: a bare LF
 * gets its CR, a bare CR its LF (also across chunks: last_cr)
 */
static int
dkimv_crlf(struct dkimv_msg *m, const unsigned char *p, size_t n,
    struct buf *why)
{
	const unsigned char *end = p + n, *run = p, *e;
	int	 rc = AM_OK;

	if (n == 0)
		return (AM_OK);		/* p may be NULL */
	if (m->last_cr && *p != '\n')
		rc = dkimv_feed(m, (const unsigned char *)"\n", 1, why);
	for (e = dkimv_next_eol(p, end); rc == AM_OK && e < end;
	    e = dkimv_next_eol(e + 1, end)) {
		if (*e == '\n' && (e > p ? e[-1] != '\r' : !m->last_cr)) {
			if ((rc = dkimv_feed(m, run, (size_t)(e - run), why)) ==
			    AM_OK)
				rc = dkimv_feed(m, (const unsigned char *)"\r",
				    1, why);
			run = e;	/* the LF goes with the next run */
		} else if (*e == '\r' && e + 1 < end && e[1] != '\n') {
			if ((rc = dkimv_feed(m, run, (size_t)(e + 1 - run),
			    why)) == AM_OK)
				rc = dkimv_feed(m, (const unsigned char *)"\n",
				    1, why);
			run = e + 1;
		}
	}
	if (rc == AM_OK)
		rc = dkimv_feed(m, run, (size_t)(end - run), why);
	m->last_cr = end[-1] == '\r';
	m->last_lf = end[-1] == '\n';
	return (rc);
}

/* dkimv_body - feed body bytes as sent (CRLF) */
int
dkimv_body(struct dkimv_msg *m, const unsigned char *p, size_t n,
    struct buf *why)
{
	int	 rc;

	if (m->state == DKIMV_HEADERS && (rc = dkimv_eoh(m, why)) != AM_OK)
		return (rc);
	if (m->state != DKIMV_BODY)
		return (buf_why(why, AM_PERM, "dkim: body out of order"));
	if (m->failed)
		return (buf_why(why, AM_TEMP, "%s", m->failwhy));
	(void)bodyhash_update(m->bh, p, n);
	if (!m->count_len)
		return (AM_OK);		/* the library needs no body */
	return (dkimv_crlf(m, p, n, why));
}

/* dkimv_sig_partial - l= present and the body runs past it */
static bool
dkimv_sig_partial(struct dkimv_msg *m, DKIM_SIGINFO *sig)
{
	ssize_t	 signlen = -1;
	dkim_canon_t bc = DKIM_CANON_SIMPLE;

	if (dkim_sig_getcanonlen(m->dkim, sig, NULL, NULL, &signlen) !=
	    DKIM_STAT_OK || signlen < 0)
		return (false);
	if (dkim_sig_getcanons(sig, NULL, &bc) != DKIM_STAT_OK)
		return (false);
	return (dkimcov_bodylen(&m->cov, bc == DKIM_CANON_RELAXED) >
	    (unsigned long long)signlen);
}


/* dkimv_judge_note - a key lookup that gave the library no record */
static bool
dkimv_judge_note(const struct dkimv_keynote *n, struct dkim_sig_result *r)
{
	if (n == NULL)
		return (false);
	switch (n->err) {
	case KEYERR_TEMP:
		dkimsig_set(r, DKIM_RES_TEMPERROR, "key lookup failed (%s)",
		    n->dns[0] != '\0' ? n->dns : "DNS");
		break;
	case KEYERR_NOTFOUND:
		dkimsig_set(r, DKIM_RES_PERMERROR, "key not found");
		break;
	case KEYERR_TOOLONG:
		dkimsig_set(r, DKIM_RES_PERMERROR, "key record too long");
		break;
	case KEYERR_MULTI:
		dkimsig_set(r, DKIM_RES_PERMERROR, "multiple key records");
		break;
	case KEYERR_QUERY:
		dkimsig_set(r, DKIM_RES_PERMERROR, "no known key query method");
		break;
	default:
		dkimsig_set(r, DKIM_RES_PERMERROR, "key name unusable (%s)",
		    n->dns[0] != '\0' ? n->dns : "DNS");
		break;
	}
	return (true);
}

/* dkimv_bh - our body hash against the signature's bh= */
static int
dkimv_bh(struct dkimv_msg *m, DKIM_SIGINFO *sig)
{
	int	 i;

	for (i = 0; i < m->nbh; i++)
		if (m->bhsig[i] == sig)
			return (bodyhash_b64eq(m->bh, m->bhidx[i],
			    (const char *)dkimsig_tag(sig, "bh")) ?
			    DKIM_SIGBH_MATCH : DKIM_SIGBH_MISMATCH);
	return (DKIM_SIGBH_UNTESTED);
}

/* dkimv_judge - RFC 8601 2.7.1 result of one signature */
static void
dkimv_judge(struct dkimv_msg *m, DKIM_SIGINFO *sig, struct dkim_sig_result *r)
{
	if (!dkimv_judge_note(dkimv_note_find(m, sig, NULL, NULL), r))
		dkimsig_judge(sig, dkimv_bh(m, sig), m->v->min_key_bits, r);
}

/*
 * dkimv_sig_extra - a signed singleton field occurs more often than h=
 * names it: flag it, and a pass becomes policy (RFC 8601 2.7.1: verified,
 * but not acceptable), so nothing downstream takes it for a pass
 */
static void
dkimv_sig_extra(struct dkimv_msg *m, DKIM_SIGINFO *sig,
    struct dkim_sig_result *r)
{
	struct dkimcov_extra x;

	if (!dkimcov_extra(&m->cov, (const char *)dkimsig_tag(sig, "h"), &x))
		return;
	r->extra_header = true;
	(void)snprintf(r->extra_name, sizeof(r->extra_name), "%s", x.name);
	if (r->result == DKIM_RES_PASS)
		dkimsig_set(r, DKIM_RES_POLICY, "%s field not signed "
		    "(%u in message, %u signed)", x.name, x.nmsg, x.nsigned);
}

/* dkimv_sig_result - fill one result entry from a signature */
static void
dkimv_sig_result(struct dkimv_msg *m, DKIM_SIGINFO *sig,
    struct dkim_sig_result *r)
{
	bool	 dok;

	memset(r, 0, sizeof(*r));
	dok = dkimsig_tags(sig, r);
	r->keybits = dkimsig_keybits(sig);
	r->partial_body = dkimv_sig_partial(m, sig);
	dkimv_judge(m, sig, r);
	if (!dok && r->result == DKIM_RES_PASS)
		dkimsig_set(r, DKIM_RES_PERMERROR, "signing domain too long");
	dkimv_sig_extra(m, sig, r);
}

/* dkimv_eom - end of message: verify, one result per signature */
int
dkimv_eom(struct dkimv_msg *m, struct dkim_result *res_r, struct buf *why)
{
	DKIM_SIGINFO **sigs = NULL;
	DKIM_STAT st;
	int	 i, n = 0, rc;

	/*
	 * Not a memset of all LIM_DKIM_SIGS entries: that made 59 KiB of
	 * every message resident (struct msg is mapped, util/pages.h);
	 * dkimv_sig_result() clears each entry it fills, and nothing reads
	 * past nsigs.
	 */
	res_r->nsigs = 0;
	res_r->nskipped = 0;
	if (m->state == DKIMV_DONE)
		return (buf_why(why, AM_PERM, "dkim: end of message twice"));
	if (m->state == DKIMV_HEADERS && (rc = dkimv_eoh(m, why)) != AM_OK) {
		m->state = DKIMV_DONE;
		return (rc);
	}
	m->state = DKIMV_DONE;
	if (m->failed)
		return (buf_why(why, AM_TEMP, "%s", m->failwhy));
	if (m->count_len && m->last_cr && (rc = dkimv_feed(m,
	    (const unsigned char *)"\n", 1, why)) != AM_OK)
		return (rc);
	if (m->count_len && !m->last_cr && !m->last_lf && (rc = dkimv_feed(m,
	    (const unsigned char *)"\r\n", 2, why)) != AM_OK)
		return (rc);		/* RFC 6376 3.4.3: the last CRLF */
	if (bodyhash_final(m->bh, why) != AM_OK)
		return (AM_TEMP);
	st = dkim_eom(m->dkim, NULL);
	if ((rc = dkimv_libstat(m, st, "dkim_eom", why)) != AM_OK)
		return (rc);
	if (dkim_getsiglist(m->dkim, &sigs, &n) != DKIM_STAT_OK ||
	    sigs == NULL) {
		if (m->nsighdrs == 0)
			return (AM_OK);	/* unsigned */
		return (buf_why(why, AM_TEMP, "dkim: no signature list (%s)",
		    dkim_getresultstr(st) != NULL ? dkim_getresultstr(st) :
		    "library error"));
	}
	for (i = 0; i < n; i++) {
		if ((dkim_sig_getflags(sigs[i]) & DKIM_SIGFLAG_IGNORE) != 0 ||
		    res_r->nsigs >= LIM_DKIM_SIGS) {
			res_r->nskipped++;
			continue;
		}
		dkimv_sig_result(m, sigs[i], &res_r->sigs[res_r->nsigs++]);
	}
	return (AM_OK);
}
