/*
 * NAME
 *	signkey - DKIM private key files: load, check, publish, generate
 * DESCRIPTION
 *	See signkey.h. OpenSSL parses and generates; libopendkim only ever
 *	sees the PEM text we checked here, so a key it would choke on at
 *	the first message is refused at start instead. libopendkim
 *	2.11.0~beta2 (Debian 12) signs with Ed25519 given a PKCS#8 PEM key
 *	(PEM_read_bio_PrivateKey), which is what we generate; the bare
 *	base64 seed some tools write is not accepted.
 * SEE ALSO
 *	RFC 6376 3.6.1, RFC 8301 3.2, RFC 8463 4
 */
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "auth/signkey.h"
#include "util/am.h"
#include "util/limits.h"
#include "util/log.h"

#define ED25519_RAW	32

/* signkey_type_str - "rsa" or "ed25519", as in k= */
const char *
signkey_type_str(enum signkey_type t)
{
	return (t == SIGNKEY_ED25519 ? "ed25519" : "rsa");
}

/* read_capped - a whole file of at most LIM_SIGN_KEYFILE bytes */
static int
read_capped(int fd, struct signkey *k, struct buf *why)
{
	unsigned char *p;
	ssize_t	 n;
	size_t	 len = 0;

	if ((p = calloc(1, LIM_SIGN_KEYFILE + 1)) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	while ((n = read(fd, p + len, LIM_SIGN_KEYFILE + 1 - len)) > 0) {
		len += (size_t)n;
		if (len > LIM_SIGN_KEYFILE) {
			free(p);
			return (buf_why(why, AM_PERM, "over %d bytes: not a "
			    "key file", LIM_SIGN_KEYFILE));
		}
	}
	if (n < 0) {
		free(p);
		return (buf_why(why, AM_PERM, "cannot read: %s",
		    strerror(errno)));
	}
	p[len] = '\0';
	k->pem = p;
	k->len = len;
	return (AM_OK);
}

/* parse_pkey - the key k->pem holds, or NULL */
static EVP_PKEY *
parse_pkey(const struct signkey *k)
{
	EVP_PKEY *pk;
	BIO	*b;

	if ((b = BIO_new_mem_buf(k->pem, (int)k->len)) == NULL)
		return (NULL);
	pk = PEM_read_bio_PrivateKey(b, NULL, NULL, NULL);
	BIO_free(b);
	return (pk);
}

/* check_pkey - type and size of a parsed key */
static int
check_pkey(EVP_PKEY *pk, struct signkey *k, struct buf *why)
{
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		k->type = SIGNKEY_RSA;
		k->bits = EVP_PKEY_get_bits(pk);
		if (k->bits < 1024)
			return (buf_why(why, AM_PERM, "RSA key of %d bits: "
			    "at least 1024 needed (RFC 8301), 2048 "
			    "recommended", k->bits));
		return (AM_OK);
	case EVP_PKEY_ED25519:
		k->type = SIGNKEY_ED25519;
		k->bits = 256;
		return (AM_OK);
	default:
		return (buf_why(why, AM_PERM, "not an RSA or Ed25519 key"));
	}
}

/* signkey_load - read and check one private key file */
int
signkey_load(const char *path, bool require_safe, struct signkey *k_r,
    struct buf *why)
{
	struct stat sb;
	EVP_PKEY *pk;
	int	 fd, st;

	memset(k_r, 0, sizeof(*k_r));
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return (buf_why(why, AM_PERM, "key file %s: cannot read: %s",
		    path, strerror(errno)));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return (buf_why(why, AM_PERM, "key file %s: not a regular "
		    "file", path));
	}
	if ((sb.st_mode & (S_IROTH | S_IWOTH)) != 0) {
		if (require_safe) {
			close(fd);
			return (buf_why(why, AM_PERM, "key file %s: other "
			    "users may read or write it (mode %03o; chmod "
			    "600, or sign.require_safe_keys = false)", path,
			    (unsigned)(sb.st_mode & 0777)));
		}
		log_warn("key file %s: other users may read or write it "
		    "(mode %03o)", path, (unsigned)(sb.st_mode & 0777));
	}
	st = read_capped(fd, k_r, why);
	close(fd);
	if (st != AM_OK) {
		buf_setf(why, "key file %s: %s", path, buf_str(why));
		return (st);
	}
	if ((pk = parse_pkey(k_r)) == NULL) {
		signkey_clear(k_r);
		return (buf_why(why, AM_PERM, "key file %s: cannot parse: "
		    "not a PEM private key", path));
	}
	st = check_pkey(pk, k_r, why);
	k_r->pkey = pk;			/* freed by signkey_clear() */
	if (st != AM_OK) {
		buf_setf(why, "key file %s: %s", path, buf_str(why));
		signkey_clear(k_r);
	}
	return (st);
}

/* signkey_clear - wipe and free the key text */
void
signkey_clear(struct signkey *k)
{
	if (k->pem != NULL) {
		explicit_bzero(k->pem, k->len);
		free(k->pem);
	}
	EVP_PKEY_free(k->pkey);
	k->pkey = NULL;
	k->pem = NULL;
	k->len = 0;
}

/* pubkey_raw - the p= bytes of a key: SPKI DER (RSA), raw (Ed25519) */
static int
pubkey_raw(EVP_PKEY *pk, enum signkey_type type, unsigned char **p_r,
    size_t *len_r)
{
	unsigned char *der = NULL;
	int	 n;

	*p_r = NULL;
	if (type == SIGNKEY_ED25519) {
		*len_r = ED25519_RAW;
		if ((*p_r = malloc(ED25519_RAW)) == NULL ||
		    EVP_PKEY_get_raw_public_key(pk, *p_r, len_r) != 1) {
			free(*p_r);
			*p_r = NULL;
			return (AM_TEMP);
		}
		return (AM_OK);
	}
	if ((n = i2d_PUBKEY(pk, &der)) <= 0)
		return (AM_TEMP);
	*p_r = der;
	*len_r = (size_t)n;
	return (AM_OK);
}

/* signkey_record - the TXT data to publish for k */
int
signkey_record(const struct signkey *k, struct buf *txt_r, struct buf *why)
{
	unsigned char *raw, *b64;
	size_t	 len;
	EVP_PKEY *pk;
	int	 st;

	if ((pk = parse_pkey(k)) == NULL)
		return (buf_why(why, AM_PERM, "cannot parse the key"));
	st = pubkey_raw(pk, k->type, &raw, &len);
	EVP_PKEY_free(pk);
	if (st != AM_OK)
		return (buf_why(why, AM_TEMP, "cannot derive the public key"));
	if ((b64 = calloc(1, 4 * (len / 3 + 1) + 1)) == NULL) {
		OPENSSL_free(raw);
		return (buf_why(why, AM_TEMP, "out of memory"));
	}
	EVP_EncodeBlock(b64, raw, (int)len);
	if (k->type == SIGNKEY_ED25519)
		free(raw);
	else
		OPENSSL_free(raw);
	buf_reset(txt_r);
	st = buf_printf(txt_r, "v=DKIM1; k=%s; p=%s",
	    signkey_type_str(k->type), (char *)b64);
	free(b64);
	return (st == AM_OK ? AM_OK : buf_why(why, AM_TEMP, "record too long"));
}

/* record_p - the p= value of a key record, white space removed */
static int
record_p(const char *rec, char *dst, size_t len, char *k, size_t klen)
{
	const char *t = rec, *v, *end;
	size_t	 o = 0;

	snprintf(k, klen, "rsa");	/* RFC 6376 3.6.1: k= default */
	dst[0] = '\0';
	for (; t != NULL && *t != '\0'; t = *end ? end + 1 : NULL) {
		end = t + strcspn(t, ";");
		t += strspn(t, " \t\r\n");
		if ((v = memchr(t, '=', (size_t)(end - t))) == NULL)
			continue;
		if (t[0] == 'k' && strspn(t + 1, " \t") ==
		    (size_t)(v - t - 1)) {
			v += 1 + strspn(v + 1, " \t");
			snprintf(k, klen, "%.*s", (int)strcspn(v, " \t;"), v);
		} else if (t[0] == 'p' && strspn(t + 1, " \t") ==
		    (size_t)(v - t - 1)) {
			for (v++; v < end && o + 1 < len; v++)
				if (*v != ' ' && *v != '\t' && *v != '\r' &&
				    *v != '\n')
					dst[o++] = *v;
			dst[o] = '\0';
		}
	}
	return (AM_OK);
}

/* signkey_matches - does a published record hold k's public key? */
int
signkey_matches(const struct signkey *k, const char *record, struct buf *why)
{
	struct buf *mine;
	char	 p[LIM_DNS_TXT], kt[32];
	const char *mp;
	int	 st;

	record_p(record, p, sizeof(p), kt, sizeof(kt));
	if (p[0] == '\0')
		return (buf_why(why, AM_PERM, "the record has no key (p= "
		    "empty: revoked, or missing)"));
	if (strcmp(kt, signkey_type_str(k->type)) != 0)
		return (buf_why(why, AM_PERM, "the record says k=%s, the "
		    "private key is %s", kt, signkey_type_str(k->type)));
	if ((mine = buf_new(LIM_DNS_TXT)) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	if ((st = signkey_record(k, mine, why)) == AM_OK) {
		mp = strstr(buf_str(mine), "p=") + 2;
		if (strcmp(mp, p) != 0)
			st = buf_why(why, AM_PERM, "the published key is "
			    "not the public half of the private key");
	}
	buf_free(&mine);
	return (st);
}

/* signkey_generate - a new key, PKCS#8 PEM, mode 0600, never replacing */
int
signkey_generate(enum signkey_type type, int bits, const char *path,
    struct buf *why)
{
	EVP_PKEY_CTX *ctx;
	EVP_PKEY *pk = NULL;
	FILE	*fp;
	int	 fd, ok;

	ctx = EVP_PKEY_CTX_new_id(type == SIGNKEY_ED25519 ?
	    EVP_PKEY_ED25519 : EVP_PKEY_RSA, NULL);
	ok = ctx != NULL && EVP_PKEY_keygen_init(ctx) == 1 &&
	    (type == SIGNKEY_ED25519 ||
	    EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) == 1) &&
	    EVP_PKEY_keygen(ctx, &pk) == 1;
	EVP_PKEY_CTX_free(ctx);
	if (!ok)
		return (buf_why(why, AM_TEMP, "key generation failed"));
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
	    0600)) < 0) {
		EVP_PKEY_free(pk);
		return (buf_why(why, AM_PERM, "%s: %s", path,
		    strerror(errno)));
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		close(fd);
		EVP_PKEY_free(pk);
		return (buf_why(why, AM_TEMP, "%s: %s", path,
		    strerror(errno)));
	}
	ok = PEM_write_PKCS8PrivateKey(fp, pk, NULL, NULL, 0, NULL,
	    NULL) == 1;
	ok = fclose(fp) == 0 && ok;
	EVP_PKEY_free(pk);
	if (!ok) {
		unlink(path);
		return (buf_why(why, AM_PERM, "%s: cannot write the key",
		    path));
	}
	return (AM_OK);
}
