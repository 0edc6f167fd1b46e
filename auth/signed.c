/*
 * NAME
 *	signed - Ed25519 DKIM signatures (RFC 8463), without libopendkim
 * DESCRIPTION
 *	See signed.h for why this exists beside libopendkim.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>

#include "auth/bodyhash.h"
#include "auth/signed.h"
#include "util/am.h"
#include "util/limits.h"

struct signed_ctx {
	const struct signkey *k;
	char	 domain[LIM_DOMAIN];
	char	 selector[64];
	long	 expire;
	struct bodyhash *bh;		/* relaxed, SHA-256, whole body */
	int	 bhi;
};

/* signed_new - a signer for one message and one Ed25519 key */
struct signed_ctx *
signed_new(const struct signkey *k, const char *domain, const char *selector,
    long expire, struct buf *why)
{
	struct signed_ctx *e;

	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    (e->bh = bodyhash_new()) == NULL) {
		signed_free(&e);
		buf_why(why, AM_TEMP, "out of memory");
		return (NULL);
	}
	if ((e->bhi = bodyhash_want(e->bh, BODYHASH_RELAXED, BODYHASH_SHA256,
	    -1, why)) < 0) {
		signed_free(&e);
		return (NULL);
	}
	e->k = k;
	snprintf(e->domain, sizeof(e->domain), "%s", domain);
	snprintf(e->selector, sizeof(e->selector), "%s", selector);
	e->expire = expire;
	return (e);
}

/* signed_free - end of message */
void
signed_free(struct signed_ctx **ep)
{
	if (ep == NULL || *ep == NULL)
		return;
	bodyhash_free(&(*ep)->bh);
	free(*ep);
	*ep = NULL;
}

/* signed_body - body bytes to the relaxed body hash (auth/bodyhash.c) */
int
signed_body(struct signed_ctx *e, const unsigned char *p, size_t n)
{
	return (bodyhash_update(e->bh, p, n) == AM_OK ? AM_OK : AM_TEMP);
}

/* relax_field - "name:value" in relaxed header form, no CRLF */
static int
relax_field(const char *f, struct buf *dst)
{
	const char *colon = strchr(f, ':'), *p;
	bool	 wsp = false, started = false;
	int	 st = AM_OK;

	if (colon == NULL)
		return (AM_PERM);
	for (p = f; p < colon && st == AM_OK; p++)
		if (*p != ' ' && *p != '\t')
			st = buf_putc(dst, (unsigned char)*p >= 'A' &&
			    *p <= 'Z' ? *p + 32 : *p);
	if (st == AM_OK)
		st = buf_putc(dst, ':');
	for (p = colon + 1; *p != '\0' && st == AM_OK; p++) {
		if (*p == '\r' || *p == '\n')
			continue;	/* unfold */
		if (*p == ' ' || *p == '\t') {
			wsp = true;
			continue;
		}
		if (wsp && started)
			st = buf_putc(dst, ' ');
		if (st == AM_OK)
			st = buf_putc(dst, *p);
		wsp = false;
		started = true;
	}
	return (st);
}

/* field_name_is - does "Name:value" have this name? */
static bool
field_name_is(const char *f, const char *name)
{
	size_t	 n = strlen(name);

	return (strncasecmp(f, name, n) == 0 && (f[n] == ':' ||
	    f[n] == ' ' || f[n] == '\t'));
}

/* in_list - is the field's name in a NULL-terminated list? */
static const char *
in_list(const char *f, const char *const *list)
{
	for (; *list != NULL; list++)
		if (field_name_is(f, *list))
			return (*list);
	return (NULL);
}

/*
 * hash_headers - h= and the header hash input: for each name in h=,
 * the next instance from the bottom up (RFC 6376 5.4.2)
 */
static int
hash_headers(EVP_MD_CTX *hh, const char *const *fields, int nfields,
    const char *const *names, int nnames, struct buf *tmp)
{
	bool	 used[LIM_HEADERS] = { false };
	int	 i, j;

	for (i = 0; i < nnames; i++) {
		for (j = nfields - 1; j >= 0; j--)
			if (!used[j] && field_name_is(fields[j], names[i]))
				break;
		if (j < 0)
			continue;	/* over-signed: hashes nothing */
		used[j] = true;
		buf_reset(tmp);
		if (relax_field(fields[j], tmp) != AM_OK ||
		    buf_append(tmp, "\r\n", 2) != AM_OK ||
		    EVP_DigestUpdate(hh, tmp->data, tmp->len) != 1)
			return (AM_TEMP);
	}
	return (AM_OK);
}

/* b64 - base64 of n bytes into dst (at least 4 * (n / 3 + 1) + 1) */
static void
b64(char *dst, const unsigned char *p, size_t n)
{
	EVP_EncodeBlock((unsigned char *)dst, p, (int)n);
}

/* tags - the DKIM-Signature value up to "b=" */
static int
tags(struct signed_ctx *e, const char *const *names, int nnames,
    const char *bh, struct buf *v)
{
	time_t	 now = time(NULL);
	int	 i, st;

	st = buf_printf(v, "v=1; a=ed25519-sha256; c=relaxed/relaxed; "
	    "d=%s; s=%s;\n\tt=%lld;", e->domain, e->selector, (long long)now);
	if (st == AM_OK && e->expire > 0)
		st = buf_printf(v, " x=%lld;", (long long)now + e->expire);
	if (st == AM_OK)
		st = buf_printf(v, " bh=%s;\n\th=", bh);
	for (i = 0; i < nnames && st == AM_OK; i++)
		st = buf_printf(v, "%s%s", i ? ":" : "", names[i]);
	if (st == AM_OK)
		st = buf_puts(v, ";\n\tb=");
	return (st);
}

/* signed_eom - finish the body hash, hash the header, sign */
int
signed_eom(struct signed_ctx *e, const char *const *fields, int nfields,
    const char *const *sign, struct buf *value_r, struct buf *why)
{
	const char *names[LIM_HEADERS + 1];
	unsigned char dg[EVP_MAX_MD_SIZE], sig[64];
	char	 bh[64], bs[128];
	unsigned dl;
	size_t	 sl = sizeof(sig);
	int	 i, nnames = 0, st = AM_TEMP;
	EVP_MD_CTX *hh = NULL, *sc = NULL;
	struct buf *tmp = buf_new(LIM_HEADER * 2);

	if (tmp == NULL || bodyhash_final(e->bh, why) != AM_OK ||
	    (dl = (unsigned)bodyhash_digest(e->bh, e->bhi, dg,
	    sizeof(dg))) == 0)
		goto out;
	b64(bh, dg, dl);
	for (i = 0; i < nfields && nnames < LIM_HEADERS; i++)
		if ((names[nnames] = in_list(fields[i], sign)) != NULL)
			nnames++;
	names[nnames++] = "From";	/* over-signed: RFC 6376 8.15 */
	buf_reset(value_r);
	if (tags(e, names, nnames, bh, value_r) != AM_OK ||
	    (hh = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(hh, EVP_sha256(), NULL) != 1 ||
	    hash_headers(hh, fields, nfields, names, nnames, tmp) != AM_OK)
		goto out;
	buf_reset(tmp);
	if (buf_puts(tmp, "DKIM-Signature:") != AM_OK ||
	    buf_puts(tmp, buf_str(value_r)) != AM_OK)
		goto out;
	buf_reset(value_r);
	if (buf_puts(value_r, tmp->data + strlen("DKIM-Signature:")) !=
	    AM_OK)
		goto out;
	{
		struct buf *r = buf_new(LIM_HEADER * 2);

		if (r == NULL || relax_field(tmp->data, r) != AM_OK ||
		    EVP_DigestUpdate(hh, r->data, r->len) != 1) {
			buf_free(&r);
			goto out;
		}
		buf_free(&r);
	}
	if (EVP_DigestFinal_ex(hh, dg, &dl) != 1 ||
	    (sc = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(sc, NULL, NULL, NULL, e->k->pkey) != 1 ||
	    EVP_DigestSign(sc, sig, &sl, dg, dl) != 1)
		goto out;
	b64(bs, sig, sl);
	st = buf_puts(value_r, bs);
out:
	EVP_MD_CTX_free(hh);
	EVP_MD_CTX_free(sc);
	buf_free(&tmp);
	return (st == AM_OK ? AM_OK : buf_why(why, AM_TEMP, "Ed25519 "
	    "signing failed"));
}

/* signed_sign - rsa-sha256 or ed25519-sha256 signature of in, base64 */
int
signed_sign(const struct signkey *k, const unsigned char *in, size_t n,
    struct buf *b64_r, struct buf *why)
{
	unsigned char dg[EVP_MAX_MD_SIZE], *sig = NULL;
	char	*bs = NULL;
	unsigned dl;
	size_t	 sl = 0;
	bool	 ed = k->type == SIGNKEY_ED25519;
	int	 st = AM_TEMP;
	EVP_MD_CTX *sc = NULL;

	if (ed) {			/* RFC 8463 3: sign the SHA-256 */
		if (EVP_Digest(in, n, dg, &dl, EVP_sha256(), NULL) != 1)
			goto out;
		in = dg;
		n = dl;
	}
	if ((sc = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(sc, NULL, ed ? NULL : EVP_sha256(), NULL,
	    k->pkey) != 1 || EVP_DigestSign(sc, NULL, &sl, in, n) != 1 ||
	    (sig = malloc(sl)) == NULL ||
	    EVP_DigestSign(sc, sig, &sl, in, n) != 1 ||
	    (bs = malloc(4 * (sl / 3 + 1) + 1)) == NULL)
		goto out;
	b64(bs, sig, sl);
	st = buf_puts(b64_r, bs);
out:
	EVP_MD_CTX_free(sc);
	free(sig);
	free(bs);
	return (st == AM_OK ? AM_OK : buf_why(why, AM_TEMP, "%s signing "
	    "failed", ed ? "Ed25519" : "RSA"));
}
