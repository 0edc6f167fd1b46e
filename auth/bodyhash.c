/*
 * NAME
 *	bodyhash - streaming DKIM body canonicalization and hash
 * DESCRIPTION
 *	See bodyhash.h. Two layers, one pass over the bytes:
 *
 *	- bodyhash_update() makes line ends CRLF: it finds CR and LF with
 *	  memchr() (each position cached until passed, so a body of bare
 *	  LFs is not rescanned), hands the runs between odd line ends on
 *	  as they lie, and "\r\n" in place of a bare CR or LF. A CR at the
 *	  end of a chunk is held until the next byte is known. Every run a
 *	  canonicalizer sees is therefore CRLF-clean: each CR is followed
 *	  by LF, each LF preceded by CR, and no run ends inside a CRLF.
 *	- simple: the bytes themselves, less the empty lines at the end of
 *	  the body. A run's trailing empty lines are counted, not hashed,
 *	  and hashed (from a constant) only when content follows them; the
 *	  rest of the run is hashed in one call.
 *	- relaxed: a run is hashed as it lies up to the first place where
 *	  canonical and raw bytes differ: a tab, two blanks in a row, blank
 *	  before CRLF, a CRLF before an empty line or a blank. With SSE2
 *	  those places are found sixteen bytes at a time and a CRLF between
 *	  two lines with content does not end the run, so a text body is
 *	  hashed where it lies, a chunk a call; the portable path looks
 *	  eight bytes at a time (a word with no HT, no CR and no SP followed
 *	  by a blank is skipped whole) and stops at each CRLF, so prose
 *	  hashes a line per call. A WSP run becomes one pending SP, written
 *	  only when content follows on the line; a line with no content is
 *	  an empty line, counted like simple's.
 *
 *	l= counts canonical bytes: bh_out() hashes the part below l and
 *	counts every byte, so canonlen past l says bytes went unsigned.
 *	Runs under BH_DIRECT bytes are gathered in a BH_STAGE buffer per
 *	hash and digested together (see bh_out()); longer ones are digested
 *	where they lie, so the body itself is never copied.
 * DIAGNOSTICS
 *	An OpenSSL failure marks the hash failed; bodyhash_final() then
 *	returns AM_TEMP.
 * THREADS
 *	A struct bodyhash belongs to one message; OpenSSL's digests are
 *	reentrant.
 * SEE ALSO
 *	RFC 6376 3.4.3, 3.4.4, 3.4.5 (l=), 3.7
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "auth/bodyhash.h"
#include "util/am.h"
#include "util/buf.h"

#define BH_CRLFS	64		/* empty lines per hash call */
#define BH_STAGE	4096		/* short runs gathered per hash */
#define BH_DIRECT	512		/* runs this long are hashed as they lie */

struct bh_canon {
	enum bodyhash_canon canon;
	enum bodyhash_alg alg;
	long long limit;		/* canonical bytes hashed, -1: all */
	EVP_MD_CTX *ctx;
	unsigned long long len;		/* canonical bytes, all */
	unsigned long long blank;	/* empty lines held back */
	bool	 bol;			/* simple: at the start of a line */
	bool	 line;			/* relaxed: the line has content */
	bool	 wsp;			/* relaxed: a WSP run pending */
	bool	 failed;
	size_t	 nstage;
	unsigned char *stage;		/* BH_STAGE bytes */
	unsigned mdlen;
	unsigned char md[BODYHASH_MDMAX];
};

struct bodyhash {
	int	 n;
	bool	 last_cr;		/* a CR held back, LF may follow */
	bool	 done;
	struct bh_canon c[BODYHASH_MAX];
};

static const unsigned char bh_crlfs[2 * BH_CRLFS + 1] =
	"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
	"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
	"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n"
	"\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n\r\n";

/* bodyhash_new - an empty set of hashes for one message */
struct bodyhash *
bodyhash_new(void)
{
	return (calloc(1, sizeof(struct bodyhash)));
}

/* bodyhash_free - release the hashes */
void
bodyhash_free(struct bodyhash **bhp)
{
	int	 i;

	if (bhp == NULL || *bhp == NULL)
		return;
	for (i = 0; i < (*bhp)->n; i++) {
		EVP_MD_CTX_free((*bhp)->c[i].ctx);
		free((*bhp)->c[i].stage);
	}
	free(*bhp);
	*bhp = NULL;
}

/* bodyhash_want - one more hash, or the index of the same one */
int
bodyhash_want(struct bodyhash *bh, enum bodyhash_canon c,
    enum bodyhash_alg a, long long l, struct buf *why)
{
	struct bh_canon *k;
	int	 i;

	if (l < 0)
		l = -1;
	for (i = 0; i < bh->n; i++)
		if (bh->c[i].canon == c && bh->c[i].alg == a &&
		    bh->c[i].limit == l)
			return (i);
	if (bh->n == BODYHASH_MAX) {
		(void)buf_why(why, AM_PERM, "bodyhash: over %d body hashes",
		    BODYHASH_MAX);
		return (-1);
	}
	k = &bh->c[bh->n];
	memset(k, 0, sizeof(*k));
	k->canon = c;
	k->alg = a;
	k->limit = l;
	k->bol = true;
	if ((k->stage = malloc(BH_STAGE)) == NULL ||
	    (k->ctx = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(k->ctx, a == BODYHASH_SHA1 ? EVP_sha1() :
	    EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(k->ctx);
		free(k->stage);
		(void)buf_why(why, AM_TEMP, "bodyhash: cannot start digest");
		return (-1);
	}
	return (bh->n++);
}

/* bh_flush - hash the gathered short runs */
static void
bh_flush(struct bh_canon *k)
{
	if (k->nstage > 0 && EVP_DigestUpdate(k->ctx, k->stage, k->nstage) !=
	    1)
		k->failed = true;
	k->nstage = 0;
}

/*
 * bh_out - hash canonical bytes, up to the limit; count them all. A
 * short run (a relaxed line, a CRLF) is gathered first: one digest call
 * costs more than hashing a 70-byte line (OpenSSL's dispatch, a block
 * function call per partial block); a long run is hashed where it lies.
 */
static void
bh_out(struct bh_canon *k, const unsigned char *p, size_t n)
{
	size_t	 take = n;

	if (k->limit >= 0) {
		if (k->len >= (unsigned long long)k->limit)
			take = 0;
		else if ((unsigned long long)k->limit - k->len < n)
			take = (size_t)((unsigned long long)k->limit - k->len);
	}
	k->len += n;
	if (take == 0)
		return;
	if (take >= BH_DIRECT) {
		bh_flush(k);
		if (EVP_DigestUpdate(k->ctx, p, take) != 1)
			k->failed = true;
		return;
	}
	if (k->nstage + take > BH_STAGE)
		bh_flush(k);
	memcpy(k->stage + k->nstage, p, take);
	k->nstage += take;
}

/* bh_blanks - hash the empty lines held back: content follows them */
static void
bh_blanks(struct bh_canon *k)
{
	size_t	 n;

	while (k->blank > 0) {
		n = k->blank > BH_CRLFS ? BH_CRLFS : (size_t)k->blank;
		bh_out(k, bh_crlfs, 2 * n);
		k->blank -= n;
	}
}

/* bh_simple - one CRLF-clean run, simple canonicalization */
static void
bh_simple(struct bh_canon *k, const unsigned char *p, size_t n)
{
	const unsigned char *e = p + n;
	unsigned long long nblank = 0;

	while (e - p >= 2 && e[-2] == '\r' && e[-1] == '\n' &&
	    (e - 2 == p ? k->bol : e[-3] == '\n')) {
		e -= 2;
		nblank++;
	}
	if (e == p) {
		k->blank += nblank;
		return;
	}
	bh_blanks(k);
	bh_out(k, p, (size_t)(e - p));
	k->bol = e[-1] == '\n';
	k->blank = nblank;
}

#define BH_ONES		0x0101010101010101ULL
#define BH_HIGHS	0x8080808080808080ULL
#define BH_HASZERO(v)	(((v) - BH_ONES) & ~(v) & BH_HIGHS)

/* bh_odd - does relaxed change the byte at s: HT, CR, SP before WSP or CR */
static inline bool
bh_odd(const unsigned char *s, const unsigned char *end)
{
	if (*s == '\t' || *s == '\r')
		return (true);
	return (*s == ' ' && (s + 1 == end || s[1] == ' ' || s[1] == '\t' ||
	    s[1] == '\r'));
}

/*
 * bh_word_odd - may one of the 8 bytes at s be odd? No false negatives:
 * HT or CR anywhere, two SPs in a row, an SP last and a WSP or CR after
 * it (s[8] must exist). False positives only cost the byte loop.
 */
static inline bool
bh_word_odd(const unsigned char *s)
{
	uint64_t w, sp;

	memcpy(&w, s, 8);
	if (BH_HASZERO(w ^ (BH_ONES * '\t')) != 0 ||
	    BH_HASZERO(w ^ (BH_ONES * '\r')) != 0)
		return (true);
	sp = BH_HASZERO(w ^ (BH_ONES * ' '));
	if (sp == 0)
		return (false);
	return ((sp & (sp >> 8)) != 0 || (s[7] == ' ' && (s[8] == ' ' ||
	    s[8] == '\t' || s[8] == '\r')));
}

#ifdef __SSE2__
/*
 * bh_sse2_odd - the first odd byte among 16 at s, exactly, or NULL
 * (s[17] must exist): HT; SP with a blank or CR after it; CR, unless it
 * is a CRLF between two lines with content, with neither a blank nor CR
 * after it (relaxed leaves such a line end as it is: the line before
 * has content and no trailing blank, the next one starts with content),
 * so a text body is one run, hashed where it lies.
 */
static inline const unsigned char *
bh_sse2_odd(const unsigned char *s)
{
	__m128i	 v = _mm_loadu_si128((const __m128i *)(const void *)s);
	__m128i	 n = _mm_loadu_si128((const __m128i *)(const void *)(s + 1));
	__m128i	 n2 = _mm_loadu_si128((const __m128i *)(const void *)(s + 2));
	__m128i	 sp = _mm_set1_epi8(' '), ht = _mm_set1_epi8('\t');
	__m128i	 cr = _mm_set1_epi8('\r'), lf = _mm_set1_epi8('\n');
	__m128i	 odd, next, crlf;
	int	 m;

	next = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(n, sp),
	    _mm_cmpeq_epi8(n, ht)), _mm_cmpeq_epi8(n, cr));
	odd = _mm_or_si128(_mm_cmpeq_epi8(v, ht),
	    _mm_and_si128(_mm_cmpeq_epi8(v, sp), next));
	/* a CR passes when LF follows it and content follows the LF */
	crlf = _mm_andnot_si128(_mm_or_si128(_mm_or_si128(
	    _mm_cmpeq_epi8(n2, sp), _mm_cmpeq_epi8(n2, ht)),
	    _mm_cmpeq_epi8(n2, cr)), _mm_cmpeq_epi8(n, lf));
	odd = _mm_or_si128(odd, _mm_andnot_si128(crlf,
	    _mm_cmpeq_epi8(v, cr)));
	if ((m = _mm_movemask_epi8(odd)) == 0)
		return (NULL);
	return (s + __builtin_ctz((unsigned)m));
}
#endif

/*
 * bh_relaxed_run - the end of the run, from content at p, that relaxed
 * leaves as it is: up to the first odd byte, 16 bytes at a time with
 * SSE2 (which also passes the CRLFs between lines with content), else 8
 * at a time. Stopping early is always exact: bh_relaxed() goes on from
 * there.
 */
static const unsigned char *
bh_relaxed_run(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *s = p, *lim;

#ifdef __SSE2__
	for (; end - s >= 18; s += 16)
		if ((lim = bh_sse2_odd(s)) != NULL)
			return (lim);
#endif
	for (;;) {
		while (end - s >= 9 && !bh_word_odd(s))
			s += 8;
		lim = end - s >= 9 ? s + 8 : end;
		for (; s < lim; s++)
			if (bh_odd(s, end))
				return (s);
		if (s == end)
			return (end);
	}
}

/* bh_relaxed - one CRLF-clean run, relaxed canonicalization */
static void
bh_relaxed(struct bh_canon *k, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n, *s;

	while (p < end) {
		if (*p == ' ' || *p == '\t') {
			k->wsp = true;
			while (++p < end && (*p == ' ' || *p == '\t'))
				;
			continue;
		}
		if (*p == '\r') {	/* CRLF: the run is clean */
			k->wsp = false;
			if (k->line)
				bh_out(k, bh_crlfs, 2);
			else
				k->blank++;
			k->line = false;
			p += 2;
			continue;
		}
		s = bh_relaxed_run(p, end);
		bh_blanks(k);
		if (k->wsp)
			bh_out(k, (const unsigned char *)" ", 1);
		k->wsp = false;
		bh_out(k, p, (size_t)(s - p));
		k->line = true;
		p = s;
	}
}

/* bh_run - one CRLF-clean run to every hash */
static void
bh_run(struct bodyhash *bh, const unsigned char *p, size_t n)
{
	int	 i;

	if (n == 0)
		return;
	for (i = 0; i < bh->n; i++) {
		if (bh->c[i].canon == BODYHASH_SIMPLE)
			bh_simple(&bh->c[i], p, n);
		else
			bh_relaxed(&bh->c[i], p, n);
	}
}

/* bodyhash_update - body bytes as sent; odd line ends made CRLF */
int
bodyhash_update(struct bodyhash *bh, const unsigned char *p, size_t n)
{
	const unsigned char *end = p + n, *run, *e, *cr, *lf;

	if (n == 0 || bh->done)
		return (bh->done ? AM_PERM : AM_OK);	/* p may be NULL */
	if (bh->last_cr) {
		bh->last_cr = false;
		bh_run(bh, bh_crlfs, 2);	/* the CR, and its LF */
		if (*p == '\n')
			p++;
	}
	cr = memchr(p, '\r', (size_t)(end - p));
	lf = memchr(p, '\n', (size_t)(end - p));
	for (run = p;;) {
		if (cr != NULL && cr < run)
			cr = memchr(run, '\r', (size_t)(end - run));
		if (lf != NULL && lf < run)
			lf = memchr(run, '\n', (size_t)(end - run));
		if (cr == NULL && lf == NULL)
			break;
		if (lf != NULL && (cr == NULL || lf < cr)) {
			e = lf;		/* a bare LF: a CR before it is paired */
		} else if (cr + 1 == end) {
			bh_run(bh, run, (size_t)(cr - run));
			bh->last_cr = true;
			return (AM_OK);
		} else if (cr[1] == '\n') {
			if (lf == cr + 1)
				lf = memchr(cr + 2, '\n',
				    (size_t)(end - cr - 2));
			cr = memchr(cr + 2, '\r', (size_t)(end - cr - 2));
			continue;	/* CRLF: part of the run */
		} else
			e = cr;		/* a bare CR */
		bh_run(bh, run, (size_t)(e - run));
		bh_run(bh, bh_crlfs, 2);
		run = e + 1;
	}
	bh_run(bh, run, (size_t)(end - run));
	return (AM_OK);
}

/* bodyhash_final - end of body: last line, empty lines, digests */
int
bodyhash_final(struct bodyhash *bh, struct buf *why)
{
	struct bh_canon *k;
	int	 i, rc = AM_OK;

	if (bh->done)
		return (AM_OK);
	if (bh->last_cr) {
		bh->last_cr = false;
		bh_run(bh, bh_crlfs, 2);
	}
	bh->done = true;
	for (i = 0; i < bh->n; i++) {
		k = &bh->c[i];
		if (k->canon == BODYHASH_SIMPLE ? !k->bol || k->len == 0 :
		    k->line)
			bh_out(k, bh_crlfs, 2);	/* RFC 6376 3.4.3, 3.4.4 */
		bh_flush(k);
		if (EVP_DigestFinal_ex(k->ctx, k->md, &k->mdlen) != 1)
			k->failed = true;
		if (k->failed) {
			k->mdlen = 0;
			rc = buf_why(why, AM_TEMP, "bodyhash: digest failed");
		}
	}
	return (rc);
}

/* bodyhash_digest - a final hash into md; its length, 0 if none */
size_t
bodyhash_digest(const struct bodyhash *bh, int idx, unsigned char *md,
    size_t mdlen)
{
	const struct bh_canon *k;

	if (bh == NULL || !bh->done || idx < 0 || idx >= bh->n)
		return (0);
	k = &bh->c[idx];
	if (k->mdlen == 0 || k->mdlen > mdlen)
		return (0);
	memcpy(md, k->md, k->mdlen);
	return (k->mdlen);
}

/* bodyhash_b64eq - does a bh= value (white space ignored) name our hash */
bool
bodyhash_b64eq(const struct bodyhash *bh, int idx, const char *b64)
{
	unsigned char md[BODYHASH_MDMAX], enc[4 * (BODYHASH_MDMAX / 3 + 1) +
	    1];
	size_t	 mdlen, i, o = 0;
	int	 elen;

	if (b64 == NULL || (mdlen = bodyhash_digest(bh, idx, md,
	    sizeof(md))) == 0)
		return (false);
	elen = EVP_EncodeBlock(enc, md, (int)mdlen);
	for (i = 0; b64[i] != '\0'; i++) {
		if (b64[i] == ' ' || b64[i] == '\t' || b64[i] == '\r' ||
		    b64[i] == '\n')
			continue;
		if ((int)o >= elen || b64[i] != (char)enc[o])
			return (false);
		o++;
	}
	return ((int)o == elen);
}

/* bodyhash_canonlen - length of the whole canonical body */
unsigned long long
bodyhash_canonlen(const struct bodyhash *bh, int idx)
{
	if (bh == NULL || idx < 0 || idx >= bh->n)
		return (0);
	return (bh->c[idx].len);
}
