/*
 * NAME
 *	dkimkey - a published DKIM key record, read and judged
 * DESCRIPTION
 *	See dkimkey.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "auth/dkimkey.h"
#include "util/am.h"
#include "util/taglist.h"

#define KEY_B64_MAX	8192		/* a 16384-bit RSA key is ~2.8 KiB */

/* list_has - a colon-separated list holds word (any case) */
static bool
list_has(const char *v, size_t n, const char *word)
{
	const char *p = v, *end = v + n, *c;
	size_t	 wl = strlen(word), l;

	while (p < end) {
		c = memchr(p, ':', (size_t)(end - p));
		if (c == NULL)
			c = end;
		while (p < c && (*p == ' ' || *p == '\t'))
			p++;
		l = (size_t)(c - p);
		while (l > 0 && (p[l - 1] == ' ' || p[l - 1] == '\t'))
			l--;
		if (l == wl && strncasecmp(p, word, wl) == 0)
			return (true);
		p = c + 1;
	}
	return (false);
}

/* key_bits - size of the key in p= (base64), 0 if it is not one */
static unsigned
key_bits(const char *v, size_t n, enum dkim_key_type type)
{
	unsigned char b64[KEY_B64_MAX + 4], der[KEY_B64_MAX];
	const unsigned char *dp;
	EVP_PKEY *pk;
	size_t	 i, m = 0;
	int	 len, pad = 0;
	unsigned bits = 0;

	for (i = 0; i < n; i++) {
		if (v[i] == ' ' || v[i] == '\t' || v[i] == '\r' || v[i] == '\n')
			continue;
		if (m >= KEY_B64_MAX)
			return (0);
		b64[m++] = (unsigned char)v[i];
	}
	if (m == 0 || m % 4 != 0)
		return (0);
	b64[m] = '\0';
	pad = (b64[m - 1] == '=') + (b64[m - 2] == '=');
	if ((len = EVP_DecodeBlock(der, b64, (int)m)) < 0)
		return (0);
	len -= pad;
	if (type == DKIM_KEY_ED25519)
		return (len == 32 ? 256 : 0);
	dp = der;
	if ((pk = d2i_PUBKEY(NULL, &dp, len)) == NULL) {
		dp = der;
		pk = d2i_PublicKey(EVP_PKEY_RSA, NULL, &dp, len);
	}
	if (pk == NULL)
		return (0);
	if (EVP_PKEY_get_base_id(pk) == EVP_PKEY_RSA)
		bits = (unsigned)EVP_PKEY_get_bits(pk);
	EVP_PKEY_free(pk);
	return (bits);
}

/* dkimkey_parse - read one key record */
int
dkimkey_parse(const char *txt, size_t len, struct dkim_key *k_r)
{
	const char *p = txt, *end = txt + len, *pv = NULL;
	struct tag t;
	size_t	 pn = 0;
	bool	 have_p = false;
	int	 st;

	memset(k_r, 0, sizeof(*k_r));
	snprintf(k_r->k, sizeof(k_r->k), "rsa");
	k_r->sha256 = true;
	while ((st = taglist_next(&p, end, &t)) == 1) {
		if (tag_is(&t, "v") && !tag_value_is(&t, "DKIM1")) {
			snprintf(k_r->reason, sizeof(k_r->reason),
			    "v= is not DKIM1");
			return (AM_PERM);
		} else if (tag_is(&t, "k")) {
			snprintf(k_r->k, sizeof(k_r->k), "%.*s",
			    (int)(t.vlen < 15 ? t.vlen : 15), t.value);
		} else if (tag_is(&t, "h")) {
			k_r->h_given = true;
			k_r->sha256 = list_has(t.value, t.vlen, "sha256");
		} else if (tag_is(&t, "t")) {
			k_r->testing = list_has(t.value, t.vlen, "y");
		} else if (tag_is(&t, "p")) {
			have_p = true;
			pv = t.value;
			pn = t.vlen;
		}
	}
	if (st < 0) {
		snprintf(k_r->reason, sizeof(k_r->reason), "tag syntax error");
		return (AM_PERM);
	}
	if (!have_p) {
		snprintf(k_r->reason, sizeof(k_r->reason), "no p= tag");
		return (AM_PERM);
	}
	k_r->type = strcasecmp(k_r->k, "rsa") == 0 ? DKIM_KEY_RSA :
	    strcasecmp(k_r->k, "ed25519") == 0 ? DKIM_KEY_ED25519 :
	    DKIM_KEY_OTHER;
	if (pn == 0) {
		k_r->revoked = true;
		return (AM_OK);
	}
	if (k_r->type == DKIM_KEY_OTHER) {
		snprintf(k_r->reason, sizeof(k_r->reason), "unknown key type "
		    "k=%s", k_r->k);
		return (AM_PERM);
	}
	if ((k_r->bits = key_bits(pv, pn, k_r->type)) == 0) {
		snprintf(k_r->reason, sizeof(k_r->reason), "p= is not a %s "
		    "public key", k_r->type == DKIM_KEY_RSA ? "RSA" :
		    "Ed25519");
		return (AM_PERM);
	}
	return (AM_OK);
}
