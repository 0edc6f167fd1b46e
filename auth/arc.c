/*
 * NAME
 *	arc - verify the ARC chain of one message (RFC 8617)
 * DESCRIPTION
 *	See arc.h. The body hash of the newest ARC-Message-Signature is
 *	computed by auth/bodyhash.c, the engine DKIM uses. The trust side (AAR, trusted sealers, the override) is in
 *	arctrust.c.
 * DIAGNOSTICS
 *	None here: the verdict and its reason go into struct arc_result,
 *	which the caller logs once.
 * SEE ALSO
 *	RFC 8617 5.1 (validation), RFC 6376 3.4 (canonicalization), 3.7
 *	(hash computation), RFC 8463 (Ed25519)
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "auth/arc.h"
#include "auth/bodyhash.h"
#include "util/am.h"
#include "util/taglist.h"

#define ARC_B64_MAX	8192		/* a b= or p= of a 16384-bit key */
#define ARC_KEY_BITS_MIN 1024		/* RFC 8301 */

enum arc_kind { ARC_AS = 0, ARC_AMS, ARC_AAR };

struct arc_field {
	char	*name;
	char	*value;
};

/* why_set - the reason of a failure, cut to fit */
static void __attribute__((format(printf, 3, 4)))
why_set(char *why, size_t wlen, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(why, wlen, fmt, ap);
	va_end(ap);
}

struct arc_msg {
	struct dns *dns;
	char	 id[32];
	struct arc_field *f;
	int	 nf;
	int	 fcap;			/* room in f, grown to LIM_HEADERS */
	size_t	 bytes;
	bool	 over;			/* the header caps were reached */
	bool	 any;			/* an ARC field was seen */
	int	 n;			/* highest instance, 1..50 */
	int	 seen;			/* highest i= seen (51..999 too) */
	int	 set[LIM_ARC_SETS + 1][3];	/* field index + 1, by i, kind */
	bool	 broken;		/* structure: fail */
	char	 reason[LIM_REASON];
	struct bodyhash *bh;		/* the newest AMS's body hash */
	int	 bhi;			/* its index in bh */
	int	 abhi[LIM_ARC_SETS + 1];	/* each AMS's, for oldest-pass;
					 * -1: none */
	bool	 seal;			/* we may seal: relaxed body hash */
	int	 sbhi;			/* its index in bh */
};

/* --- parsing ------------------------------------------------------ */

/* arc_kind_of - which ARC field name is, or -1 */
static int
arc_kind_of(const char *name)
{
	if (strcasecmp(name, "ARC-Seal") == 0)
		return (ARC_AS);
	if (strcasecmp(name, "ARC-Message-Signature") == 0)
		return (ARC_AMS);
	if (strcasecmp(name, "ARC-Authentication-Results") == 0)
		return (ARC_AAR);
	return (-1);
}

/* parse_int - a decimal value of at most 3 digits, or -1 */
static int
parse_int(const char *s, size_t n)
{
	int	 v = 0;
	size_t	 i;

	if (n == 0 || n > 3)
		return (-1);
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v);
}

/* arc_parse_instance - i= of an ARC field (the AAR: its first element) */
int
arc_parse_instance(const char *name, const char *value, size_t len,
    int *i_r)
{
	const char *p = value, *end = value + len, *semi;
	struct tag t;
	int	 r, kind = arc_kind_of(name);

	*i_r = -1;
	if (kind == ARC_AAR) {
		if ((semi = memchr(value, ';', len)) == NULL)
			return (AM_PERM);
		end = semi;
		if (taglist_next(&p, end, &t) != 1 || !tag_is(&t, "i"))
			return (AM_PERM);
		*i_r = parse_int(t.value, t.vlen);
		return (*i_r < 0 ? AM_PERM : AM_OK);
	}
	while ((r = taglist_next(&p, end, &t)) == 1)
		if (tag_is(&t, "i")) {
			if (*i_r != -1)
				return (AM_PERM);	/* twice */
			if ((*i_r = parse_int(t.value, t.vlen)) < 0)
				return (AM_PERM);
		}
	return (r == 0 && *i_r >= 0 ? AM_OK : AM_PERM);
}

/* get_tag - the value of tag name in value, or NULL */
static const char *
get_tag(const char *value, const char *name, size_t *len_r)
{
	const char *p = value, *end = value + strlen(value);
	struct tag t;

	while (taglist_next(&p, end, &t) == 1)
		if (tag_is(&t, name)) {
			*len_r = t.vlen;
			return (t.value);
		}
	return (NULL);
}

/* tag_eq - tag name of value is word (any case) */
static bool
tag_eq(const char *value, const char *name, const char *word)
{
	size_t	 n;
	const char *v = get_tag(value, name, &n);

	return (v != NULL && n == strlen(word) && strncasecmp(v, word, n) == 0);
}

/* tag_copy - tag name into dst (bounded), false if absent or too long */
static bool
tag_copy(const char *value, const char *name, char *dst, size_t len)
{
	size_t	 n;
	const char *v = get_tag(value, name, &n);

	if (v == NULL || n == 0 || n >= len)
		return (false);
	memcpy(dst, v, n);
	dst[n] = '\0';
	return (true);
}

/* b64_decode - base64 with folding white space; length or -1 */
static int
b64_decode(const char *v, size_t n, unsigned char *out, size_t outlen)
{
	unsigned char b64[ARC_B64_MAX + 4];
	size_t	 i, m = 0;
	int	 len, pad;

	for (i = 0; i < n; i++) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')
			continue;
		if (m >= ARC_B64_MAX)
			return (-1);
		b64[m++] = (unsigned char)v[i];
	}
	if (m == 0 || m % 4 != 0 || m / 4 * 3 > outlen)
		return (-1);
	b64[m] = '\0';
	pad = (b64[m - 1] == '=') + (b64[m - 2] == '=');
	if ((len = EVP_DecodeBlock(out, b64, (int)m)) < 0)
		return (-1);
	return (len - pad);
}

/* --- header canonicalization (RFC 6376 3.4.1, 3.4.2) --------------- */

/* canon_field - one field into out, CRLF after unless last */
static int
canon_field(struct buf *out, const char *name, const char *value,
    bool relaxed, bool crlf)
{
	const char *p;
	bool	 wsp = false, lead = true;

	if (!relaxed) {
		if (buf_printf(out, "%s:", name) != AM_OK)
			return (AM_PERM);
		for (p = value; *p != '\0'; p++) {
			if (*p == '\n' && (p == value || p[-1] != '\r') &&
			    buf_putc(out, '\r') != AM_OK)
				return (AM_PERM);
			if (buf_putc(out, *p) != AM_OK)
				return (AM_PERM);
		}
	} else {
		for (p = name; *p != '\0'; p++)
			if (buf_putc(out, tolower((unsigned char)*p)) != AM_OK)
				return (AM_PERM);
		if (buf_putc(out, ':') != AM_OK)
			return (AM_PERM);
		for (p = value; *p != '\0'; p++) {
			if (*p == '\r' || *p == '\n')
				continue;	/* unfold */
			if (*p == ' ' || *p == '\t') {
				wsp = true;
				continue;
			}
			if (wsp && !lead && buf_putc(out, ' ') != AM_OK)
				return (AM_PERM);
			wsp = lead = false;
			if (buf_putc(out, *p) != AM_OK)
				return (AM_PERM);
		}
	}
	if (crlf && buf_puts(out, "\r\n") != AM_OK)
		return (AM_PERM);
	return (AM_OK);
}

/* strip_b - value without the value of its b= tag (RFC 6376 3.7) */
static int
strip_b(const char *value, struct buf *out)
{
	const char *p = value, *semi, *eq, *s, *e;

	while (*p != '\0') {
		semi = strchr(p, ';');
		if (semi == NULL)
			semi = p + strlen(p);
		eq = memchr(p, '=', (size_t)(semi - p));
		s = p;
		e = eq != NULL ? eq : semi;
		while (s < e && isspace((unsigned char)*s))
			s++;
		while (e > s && isspace((unsigned char)e[-1]))
			e--;
		if (eq != NULL && e - s == 1 && (*s == 'b' || *s == 'B')) {
			if (buf_append(out, p, (size_t)(eq + 1 - p)) != AM_OK)
				return (AM_PERM);
		} else if (buf_append(out, p, (size_t)(semi - p)) != AM_OK)
			return (AM_PERM);
		if (*semi == '\0')
			break;
		if (buf_putc(out, ';') != AM_OK)
			return (AM_PERM);
		p = semi + 1;
	}
	return (AM_OK);
}

/* --- keys and signatures ------------------------------------------ */

/* arc_key - fetch and read s._domainkey.d: AM_OK, AM_TEMP, AM_PERM */
static int
arc_key(struct arc_msg *a, const char *d, const char *s, bool ed,
    EVP_PKEY **k_r, char *why, size_t wlen)
{
	struct dns_answer *ans = NULL;
	char	 name[LIM_DOMAIN * 2];
	unsigned char der[ARC_B64_MAX];
	const unsigned char *dp;
	const char *txt, *end, *p;
	struct tag t;
	size_t	 pl = 0, i;
	const char *pv = NULL;
	int	 st, len, r;
	bool	 ked = false;

	*k_r = NULL;
	if ((size_t)snprintf(name, sizeof(name), "%s._domainkey.%s", s, d) >=
	    sizeof(name)) {
		why_set(why, wlen, "key name too long");
		return (AM_PERM);
	}
	st = dns_query(a->dns, name, DNS_T_TXT, &ans, NULL);
	if (st == DNS_TEMP || st != DNS_OK) {
		why_set(why, wlen, "key %s: %s", name, st == DNS_TEMP ?
		    "temporary DNS failure" : "no key record");
		dns_answer_free(&ans);
		return (st == DNS_TEMP ? AM_TEMP : AM_PERM);
	}
	st = AM_PERM;
	why_set(why, wlen, "key %s: unusable", name);
	for (i = 0; i < ans->nrr && *k_r == NULL; i++) {
		txt = (const char *)ans->rr[i].data;
		p = txt;
		end = txt + ans->rr[i].len;
		pv = NULL;
		ked = false;
		while ((r = taglist_next(&p, end, &t)) == 1) {
			if (tag_is(&t, "p")) {
				pv = t.value;
				pl = t.vlen;
			} else if (tag_is(&t, "k"))
				ked = tag_value_is(&t, "ed25519");
		}
		if (r != 0 || pv == NULL || pl == 0 || ked != ed)
			continue;
		if ((len = b64_decode(pv, pl, der, sizeof(der))) <= 0)
			continue;
		dp = der;
		if (ed)
			*k_r = len == 32 ? EVP_PKEY_new_raw_public_key(
			    EVP_PKEY_ED25519, NULL, der, 32) : NULL;
		else if ((*k_r = d2i_PUBKEY(NULL, &dp, len)) == NULL) {
			dp = der;
			*k_r = d2i_PublicKey(EVP_PKEY_RSA, NULL, &dp, len);
		}
		if (*k_r != NULL && !ed && (EVP_PKEY_get_base_id(*k_r) !=
		    EVP_PKEY_RSA || EVP_PKEY_get_bits(*k_r) <
		    ARC_KEY_BITS_MIN)) {
			EVP_PKEY_free(*k_r);
			*k_r = NULL;
			why_set(why, wlen, "key %s: not an RSA key of %d bits "
			    "or more", name, ARC_KEY_BITS_MIN);
		}
	}
	if (*k_r != NULL)
		st = AM_OK;
	dns_answer_free(&ans);
	return (st);
}

/*
 * arc_check_sig - verify b= of field value over data with the key of
 * its d= and s=: AM_OK pass, AM_PERM fail, AM_TEMP key temperror
 */
static int
arc_check_sig(struct arc_msg *a, const char *value, const struct buf *data,
    char *why, size_t wlen)
{
	char	 d[LIM_DOMAIN], s[64];
	unsigned char sig[ARC_B64_MAX], h[EVP_MAX_MD_SIZE];
	const unsigned char *in = (const unsigned char *)data->data;
	size_t	 bl, inl = data->len;
	const char *bv;
	unsigned hl;
	EVP_PKEY *k = NULL;
	EVP_MD_CTX *md;
	bool	 ed;
	int	 st, sl, ok = 0;

	ed = tag_eq(value, "a", "ed25519-sha256");
	if (!ed && !tag_eq(value, "a", "rsa-sha256")) {
		why_set(why, wlen, "a= not rsa-sha256 or ed25519-sha256");
		return (AM_PERM);
	}
	if (!tag_copy(value, "d", d, sizeof(d)) ||
	    !tag_copy(value, "s", s, sizeof(s)) ||
	    (bv = get_tag(value, "b", &bl)) == NULL ||
	    (sl = b64_decode(bv, bl, sig, sizeof(sig))) <= 0) {
		why_set(why, wlen, "d=, s= or b= missing or unusable");
		return (AM_PERM);
	}
	if ((st = arc_key(a, d, s, ed, &k, why, wlen)) != AM_OK)
		return (st);
	if (ed) {			/* RFC 8463 3: sign the SHA-256 */
		if (EVP_Digest(in, inl, h, &hl, EVP_sha256(), NULL) != 1)
			hl = 0;
		in = h;
		inl = hl;
	}
	if ((md = EVP_MD_CTX_new()) != NULL &&
	    EVP_DigestVerifyInit(md, NULL, ed ? NULL : EVP_sha256(), NULL,
	    k) == 1)
		ok = EVP_DigestVerify(md, sig, (size_t)sl, in, inl) == 1;
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(k);
	if (!ok) {
		why_set(why, wlen, "signature of d=%s s=%s does not verify",
		    d, s);
		return (AM_PERM);
	}
	return (AM_OK);
}

/* --- the message -------------------------------------------------- */

/* arc_msg_new - per-message state */
struct arc_msg *
arc_msg_new(struct dns *dns, const char *id)
{
	struct arc_msg *a;

	if ((a = calloc(1, sizeof(*a))) == NULL)
		return (NULL);
	a->dns = dns;
	a->bhi = a->sbhi = -1;
	memset(a->abhi, 0xff, sizeof(a->abhi));		/* all -1 */
	snprintf(a->id, sizeof(a->id), "%s", id != NULL ? id : "");
	return (a);
}

/* arc_msg_free - release a message's state */
void
arc_msg_free(struct arc_msg **ap)
{
	struct arc_msg *a;
	int	 i;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	for (i = 0; i < a->nf; i++) {
		free(a->f[i].name);
		free(a->f[i].value);
	}
	free(a->f);
	bodyhash_free(&a->bh);
	free(a);
	*ap = NULL;
}

/* arc_break - the chain fails for a structural reason (first one kept) */
static void
arc_break(struct arc_msg *a, const char *why, int i)
{
	if (a->broken)
		return;
	a->broken = true;
	snprintf(a->reason, sizeof(a->reason), "%s (i=%d)", why, i);
}

/*
 * arc_grow - room for more fields, doubling up to LIM_HEADERS
 *
 * Room for all LIM_HEADERS at once was 16 KiB per message in flight,
 * for the 10 to 30 fields most messages have.
 */
static int
arc_grow(struct arc_msg *a)
{
	struct arc_field *f;
	int	 cap = a->fcap == 0 ? 32 : a->fcap * 2;

	if (cap > LIM_HEADERS)
		cap = LIM_HEADERS;
	if ((f = realloc(a->f, (size_t)cap * sizeof(*f))) == NULL)
		return (AM_TEMP);
	a->f = f;
	a->fcap = cap;
	return (AM_OK);
}

/* arc_header - keep one field; note the ARC ones by instance */
int
arc_header(struct arc_msg *a, const char *name, const char *value)
{
	struct arc_field *f;
	size_t	 n = strlen(name) + strlen(value);
	int	 kind = arc_kind_of(name), i;

	if (kind >= 0)
		a->any = true;
	if (a->over || a->nf >= LIM_HEADERS || a->bytes + n >
	    LIM_ARC_HDR_BYTES) {
		a->over = true;
		return (AM_OK);
	}
	if (a->nf == a->fcap && arc_grow(a) != AM_OK)
		return (AM_TEMP);
	f = &a->f[a->nf];
	if ((f->name = strdup(name)) == NULL ||
	    (f->value = strdup(value)) == NULL) {
		free(f->name);
		f->name = NULL;
		return (AM_TEMP);
	}
	a->nf++;
	a->bytes += n;
	if (kind < 0)
		return (AM_OK);
	if (arc_parse_instance(name, value, strlen(value), &i) != AM_OK) {
		arc_break(a, "unparseable i=", 0);
		return (AM_OK);
	}
	if (i > a->seen)
		a->seen = i;
	if (i < 1 || i > LIM_ARC_SETS) {
		arc_break(a, i > LIM_ARC_SETS ? "more than 50 ARC sets" :
		    "instance out of range", i);
		return (AM_OK);
	}
	if (a->set[i][kind] != 0)
		arc_break(a, "duplicate instance", i);
	a->set[i][kind] = a->nf;
	if (i > a->n)
		a->n = i;
	return (AM_OK);
}

/* arc_field - the field of kind at instance i */
static const struct arc_field *
arc_field(const struct arc_msg *a, int i, int kind)
{
	return (&a->f[a->set[i][kind] - 1]);
}

/* arc_structure - RFC 8617 5.1.1 steps 1-3 */
static void
arc_structure(struct arc_msg *a)
{
	const char *v;
	int	 i, k;

	if (a->over)
		arc_break(a, "header too large", 0);
	for (i = 1; i <= a->n && !a->broken; i++) {
		for (k = 0; k < 3; k++)
			if (a->set[i][k] == 0) {
				arc_break(a, k == ARC_AS ? "missing ARC-Seal" :
				    k == ARC_AMS ? "missing "
				    "ARC-Message-Signature" : "missing "
				    "ARC-Authentication-Results", i);
				return;
			}
		v = arc_field(a, i, ARC_AS)->value;
		if (tag_eq(v, "cv", "fail"))
			arc_break(a, "cv=fail", i);
		else if (i == 1 && !tag_eq(v, "cv", "none"))
			arc_break(a, "cv is not none at i=1", i);
		else if (i > 1 && !tag_eq(v, "cv", "pass"))
			arc_break(a, "cv is not pass", i);
	}
}

/* arc_eoh - check the structure, start the newest AMS's body hash */
int
arc_eoh(struct arc_msg *a)
{
	const char *v;
	char	 c[32], *sl;
	int	 i;

	if (a->any)
		arc_structure(a);
	if (((a->any && !a->broken) || a->seal) &&
	    (a->bh = bodyhash_new()) == NULL)
		return (AM_TEMP);
	if (a->seal && (a->sbhi = bodyhash_want(a->bh, BODYHASH_RELAXED,
	    BODYHASH_SHA256, -1, NULL)) < 0)
		return (AM_TEMP);
	if (!a->any || a->broken)
		return (AM_OK);
	for (i = a->n; i >= 1; i--) {	/* older ones: oldest-pass */
		v = arc_field(a, i, ARC_AMS)->value;
		snprintf(c, sizeof(c), "simple");
		if (get_tag(v, "c", &(size_t){0}) != NULL &&
		    !tag_copy(v, "c", c, sizeof(c))) {
			if (i == a->n)
				arc_break(a, "unusable c= in "
				    "ARC-Message-Signature", a->n);
			a->abhi[i] = -1;
			continue;
		}
		sl = strchr(c, '/');
		a->abhi[i] = bodyhash_want(a->bh, sl != NULL &&
		    strcasecmp(sl + 1, "relaxed") == 0 ? BODYHASH_RELAXED :
		    BODYHASH_SIMPLE, BODYHASH_SHA256, -1, NULL);
	}
	a->bhi = a->abhi[a->n];
	return (a->bhi < 0 && !a->broken ? AM_TEMP : AM_OK);
}

/* arc_body - a chunk of the body */
int
arc_body(struct arc_msg *a, const unsigned char *p, size_t n)
{
	if (a->bh != NULL)
		return (bodyhash_update(a->bh, p, n));
	return (AM_OK);
}

/* arc_ams_data - the header hash input of the AMS at instance i */
static int
arc_ams_data(const struct arc_msg *a, int i, struct buf *out)
{
	const struct arc_field *ams = arc_field(a, i, ARC_AMS);
	bool	 used[LIM_HEADERS] = {false};
	char	 c[32], hname[128], *hl = NULL, *p, *tok, *save;
	size_t	 hn;
	const char *hv;
	bool	 relaxed;
	int	 j, st = AM_PERM;
	struct buf *stripped;

	snprintf(c, sizeof(c), "simple");
	(void)tag_copy(ams->value, "c", c, sizeof(c));
	relaxed = strncasecmp(c, "relaxed", 7) == 0;
	if ((hv = get_tag(ams->value, "h", &hn)) == NULL ||
	    (hl = strndup(hv, hn)) == NULL ||
	    (stripped = buf_new(LIM_HEADER)) == NULL) {
		free(hl);
		return (AM_PERM);
	}
	for (tok = strtok_r(hl, ":", &save); tok != NULL;
	    tok = strtok_r(NULL, ":", &save)) {
		for (p = tok; isspace((unsigned char)*p); p++)
			;
		snprintf(hname, sizeof(hname), "%.*s", (int)strcspn(p,
		    " \t\r\n"), p);
		for (j = a->nf - 1; j >= 0; j--)	/* bottom up */
			if (!used[j] && strcasecmp(a->f[j].name, hname) == 0)
				break;
		if (j < 0)
			continue;	/* absent: the null string */
		used[j] = true;
		if (canon_field(out, a->f[j].name, a->f[j].value, relaxed,
		    true) != AM_OK)
			goto out;
	}
	if (strip_b(ams->value, stripped) == AM_OK &&
	    canon_field(out, ams->name, buf_str(stripped), relaxed,
	    false) == AM_OK)
		st = AM_OK;
out:
	buf_free(&stripped);
	free(hl);
	return (st);
}

/* arc_as_data - the signing input of the AS at instance i (5.1.1) */
static int
arc_as_data(const struct arc_msg *a, int i, struct buf *out)
{
	static const int order[] = {ARC_AAR, ARC_AMS, ARC_AS};
	const struct arc_field *f;
	struct buf *stripped;
	int	 j, k, st = AM_OK;

	if ((stripped = buf_new(LIM_HEADER)) == NULL)
		return (AM_PERM);
	for (j = 1; j <= i && st == AM_OK; j++)
		for (k = 0; k < 3 && st == AM_OK; k++) {
			f = arc_field(a, j, order[k]);
			if (j < i || order[k] != ARC_AS) {
				st = canon_field(out, f->name, f->value, true,
				    true);
				continue;
			}
			st = strip_b(f->value, stripped);
			if (st == AM_OK)
				st = canon_field(out, f->name,
				    buf_str(stripped), true, false);
		}
	buf_free(&stripped);
	return (st);
}

/* arc_check_bh - the bh= of the AMS at instance i against the body */
static bool
arc_check_bh(struct arc_msg *a, int i, char *why, size_t wlen)
{
	const char *v = arc_field(a, i, ARC_AMS)->value, *bh;
	char	 b64[ARC_B64_MAX];
	size_t	 bl;

	b64[0] = '\0';
	if ((bh = get_tag(v, "bh", &bl)) != NULL && bl < sizeof(b64)) {
		memcpy(b64, bh, bl);
		b64[bl] = '\0';
	}
	if (a->bh == NULL || bodyhash_final(a->bh, NULL) != AM_OK ||
	    b64[0] == '\0' || !bodyhash_b64eq(a->bh, a->abhi[i], b64)) {
		why_set(why, wlen, "body hash of ARC-Message-Signature "
		    "does not match (i=%d)", i);
		return (false);
	}
	return (true);
}

/* arc_sealers - d= of every AS, newest first */
static void
arc_sealers(const struct arc_msg *a, struct arc_result *r)
{
	char	 d[LIM_DOMAIN];
	size_t	 o = 0;
	int	 i, n;

	for (i = a->n; i >= 1; i--) {
		if (a->set[i][ARC_AS] == 0)
			continue;	/* structure broken: what there is */
		if (!tag_copy(arc_field(a, i, ARC_AS)->value, "d", d,
		    sizeof(d)))
			snprintf(d, sizeof(d), "?");
		if (r->sealer[0] == '\0')
			snprintf(r->sealer, sizeof(r->sealer), "%s", d);
		n = snprintf(r->sealers + o, sizeof(r->sealers) - o, "%s%s",
		    o ? "," : "", d);
		if (n < 0 || (size_t)n >= sizeof(r->sealers) - o)
			break;
		o += (size_t)n;
	}
}

/* arc_validate - AMS(N), then each AS newest first: AM_OK pass */
static int
arc_validate(struct arc_msg *a, char *why, size_t wlen)
{
	struct buf *data;
	int	 i, st;

	if (!arc_check_bh(a, a->n, why, wlen))
		return (AM_PERM);
	if ((data = buf_new(LIM_ARC_HDR_BYTES)) == NULL)
		return (AM_PERM);
	st = arc_ams_data(a, a->n, data);
	if (st == AM_OK)
		st = arc_check_sig(a, arc_field(a, a->n, ARC_AMS)->value, data,
		    why, wlen);
	else
		why_set(why, wlen, "ARC-Message-Signature unusable (i=%d)",
		    a->n);
	for (i = a->n; i >= 1 && st == AM_OK; i--) {
		buf_reset(data);
		if ((st = arc_as_data(a, i, data)) != AM_OK) {
			why_set(why, wlen, "ARC-Seal input too long");
			break;
		}
		st = arc_check_sig(a, arc_field(a, i, ARC_AS)->value, data,
		    why, wlen);
	}
	buf_free(&data);
	return (st);
}

/*
 * arc_oldest_pass - RFC 8617 5.2: going down from the newest, the lowest
 * instance whose AMS still validates, as far as each one does (a
 * passing chain's newest AMS did)
 */
static int
arc_oldest_pass(struct arc_msg *a)
{
	struct buf *data;
	char	 why[LIM_REASON];
	int	 i, op = a->n;

	if ((data = buf_new(LIM_ARC_HDR_BYTES)) == NULL)
		return (0);
	for (i = a->n - 1; i >= 1; i--) {
		buf_reset(data);
		if (a->abhi[i] < 0 || !arc_check_bh(a, i, why, sizeof(why)) ||
		    arc_ams_data(a, i, data) != AM_OK ||
		    arc_check_sig(a, arc_field(a, i, ARC_AMS)->value, data,
		    why, sizeof(why)) != AM_OK)
			break;
		op = i;
	}
	buf_free(&data);
	return (op);
}

/* arc_eom - the chain's result */
int
arc_eom(struct arc_msg *a, struct arc_result *r_r)
{
	const struct arc_field *aar;
	char	 why[LIM_REASON];
	int	 st;

	memset(r_r, 0, sizeof(*r_r));
	if (a->bh != NULL)
		(void)bodyhash_final(a->bh, NULL);	/* checked by its use */
	if (!a->any)
		return (AM_OK);
	r_r->n = a->seen > a->n ? a->seen : a->n;
	arc_sealers(a, r_r);
	if (a->broken) {
		r_r->result = ARC_RES_FAIL;
		snprintf(r_r->reason, sizeof(r_r->reason), "%s", a->reason);
		return (AM_OK);
	}
	aar = arc_field(a, a->n, ARC_AAR);
	(void)arc_aar_parse(aar->value, strlen(aar->value), r_r);
	why[0] = '\0';
	st = arc_validate(a, why, sizeof(why));
	r_r->result = st == AM_OK ? ARC_RES_PASS : st == AM_TEMP ?
	    ARC_RES_TEMPERROR : ARC_RES_FAIL;
	if (st == AM_OK)
		r_r->oldest_pass = arc_oldest_pass(a);
	snprintf(r_r->reason, sizeof(r_r->reason), "%s", st == AM_OK ? "" :
	    why);
	return (AM_OK);
}

/* --- what a sealer needs (auth/arcseal.c) --------------------------- */

/* arc_seal_want - hash the body relaxed too: we may add a set */
void
arc_seal_want(struct arc_msg *a)
{
	a->seal = true;
}

/* arc_seal_bh - base64 of the relaxed SHA-256 body hash */
int
arc_seal_bh(const struct arc_msg *a, char *b64, size_t len)
{
	unsigned char md[BODYHASH_MDMAX];
	size_t	 n;

	if (a->bh == NULL || a->sbhi < 0 ||
	    (n = bodyhash_digest(a->bh, a->sbhi, md, sizeof(md))) == 0 ||
	    len < 4 * (n / 3 + 1) + 1)
		return (AM_PERM);
	EVP_EncodeBlock((unsigned char *)b64, md, (int)n);
	return (AM_OK);
}

/* arc_nfields - fields kept, or -1 when the header caps were reached */
int
arc_nfields(const struct arc_msg *a)
{
	return (a->over ? -1 : a->nf);
}

/* arc_field_at - field j, top down */
void
arc_field_at(const struct arc_msg *a, int j, const char **name_r,
    const char **value_r)
{
	*name_r = a->f[j].name;
	*value_r = a->f[j].value;
}

/* arc_canon_relaxed - a field in relaxed form (RFC 6376 3.4.2) */
int
arc_canon_relaxed(struct buf *out, const char *name, const char *value,
    bool crlf)
{
	return (canon_field(out, name, value, true, crlf));
}

/* arc_chain_canon - sets 1..n in seal order (AAR, AMS, AS), relaxed */
int
arc_chain_canon(const struct arc_msg *a, struct buf *out)
{
	static const int order[] = {ARC_AAR, ARC_AMS, ARC_AS};
	const struct arc_field *f;
	int	 j, k;

	if (a->broken)
		return (AM_PERM);
	for (j = 1; j <= a->n; j++)
		for (k = 0; k < 3; k++) {
			f = arc_field(a, j, order[k]);
			if (canon_field(out, f->name, f->value, true, true) !=
			    AM_OK)
				return (AM_PERM);
		}
	return (AM_OK);
}
