/*
 * NAME
 *	fuzz_bodyhash - libFuzzer target: our body hash against libopendkim's
 * DESCRIPTION
 *	The input: one byte picking the chunk sizes, two bytes of l= (a
 *	value of 0xffff means no l=), then the body. The body goes to
 *	auth/bodyhash.c in chunks (1 to 64 bytes, from the first byte) for
 *	simple and relaxed at once, and to libopendkim (signing mode, whole,
 *	in the form bodyhash reads it: bare CR and LF made CRLF, a last CRLF
 *	added) once per canonicalization; the bh= of the library's
 *	signature must equal ours. A difference aborts (fz_check): the
 *	input is kept as a crash.
 * SEE ALSO
 *	auth/bodyhash.c, test-harness/unit/test_bodyhash.c
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <opendkim/dkim.h>

#include "auth/bodyhash.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "test-harness/fuzz/fuzz.h"

static DKIM_LIB *fz_lib;
static char *fz_pem;
static struct buf *fz_why;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	EVP_PKEY *k = EVP_RSA_gen(1024);
	BIO	*b = BIO_new(BIO_s_mem());
	char	*data;
	long	 n;

	fz_check(k != NULL && b != NULL, "key");
	fz_check(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL) ==
	    1, "pem");
	n = BIO_get_mem_data(b, &data);
	fz_pem = calloc(1, (size_t)n + 1);
	fz_check(fz_pem != NULL, "calloc");
	memcpy(fz_pem, data, (size_t)n);
	BIO_free(b);
	EVP_PKEY_free(k);
	fz_lib = dkim_init(NULL, NULL);
	fz_check(fz_lib != NULL, "dkim_init");
	fz_why = buf_new(LIM_REASON);
	return (0);
}

/* fz_ref - the body as bodyhash reads it */
static unsigned char *
fz_ref(const uint8_t *p, size_t n, size_t *len_r)
{
	unsigned char *o = malloc(2 * n + 2);
	size_t	 i, k = 0;

	fz_check(o != NULL, "malloc");
	for (i = 0; i < n; i++) {
		if (p[i] == '\r' || p[i] == '\n') {
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			o[k++] = '\r';
			o[k++] = '\n';
		} else
			o[k++] = p[i];
	}
	if (k > 0 && o[k - 1] != '\n') {
		o[k++] = '\r';
		o[k++] = '\n';
	}
	*len_r = k;
	return (o);
}

/* fz_lib_bh - libopendkim's bh= over the reference form, into bh */
static void
fz_lib_bh(const unsigned char *ref, size_t rlen, dkim_canon_t c, ssize_t l,
    char *bh, size_t bhlen)
{
	static const char from[] = "From: a@fuzz.example";
	DKIM_STAT st;
	DKIM	*d;
	u_char	 hdr[2048];
	char	*p;
	size_t	 k;

	d = dkim_sign(fz_lib, (const u_char *)"f", NULL, (dkim_sigkey_t)fz_pem,
	    (const u_char *)"s", (const u_char *)"fuzz.example",
	    DKIM_CANON_SIMPLE, c, DKIM_SIGN_RSASHA256, l, &st);
	fz_check(d != NULL, "dkim_sign");
	fz_check(dkim_header(d, (u_char *)from, sizeof(from) - 1) ==
	    DKIM_STAT_OK && dkim_eoh(d) == DKIM_STAT_OK, "library header");
	if (rlen > 0)
		fz_check(dkim_body(d, (u_char *)ref, rlen) == DKIM_STAT_OK,
		    "dkim_body");
	fz_check(dkim_eom(d, NULL) == DKIM_STAT_OK &&
	    dkim_getsighdr(d, hdr, sizeof(hdr), 0) == DKIM_STAT_OK,
	    "library signature");
	p = strstr((char *)hdr, "bh=");
	fz_check(p != NULL, "bh= in the library's signature");
	p += 3;
	k = strcspn(p, ";");
	fz_check(k < bhlen, "bh= length");
	memcpy(bh, p, k);
	bh[k] = '\0';
	(void)dkim_free(d);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct bodyhash *bh;
	unsigned char *ref;
	unsigned chunk = fz_byte(&f) % 64 + 1, lraw;
	long long l;
	size_t	 off, k, rlen;
	char	 want[128];
	int	 is, ir;

	lraw = fz_byte(&f) << 8;
	lraw |= fz_byte(&f);
	l = lraw == 0xffff ? -1 : (long long)lraw;
	bh = bodyhash_new();
	fz_check(bh != NULL, "bodyhash_new");
	is = bodyhash_want(bh, BODYHASH_SIMPLE, BODYHASH_SHA256, l, fz_why);
	ir = bodyhash_want(bh, BODYHASH_RELAXED, BODYHASH_SHA256, l, fz_why);
	fz_check(is == 0 && ir == 1, "bodyhash_want");
	for (off = 0; off < f.n; off += k) {
		k = f.n - off < chunk ? f.n - off : chunk;
		fz_check(bodyhash_update(bh, f.p + off, k) == AM_OK, "update");
	}
	fz_check(bodyhash_final(bh, fz_why) == AM_OK, "final");
	ref = fz_ref(f.p, f.n, &rlen);
	fz_lib_bh(ref, rlen, DKIM_CANON_SIMPLE, (ssize_t)l, want, sizeof(want));
	fz_check(bodyhash_b64eq(bh, is, want), "simple: ours != library's");
	fz_lib_bh(ref, rlen, DKIM_CANON_RELAXED, (ssize_t)l, want,
	    sizeof(want));
	fz_check(bodyhash_b64eq(bh, ir, want), "relaxed: ours != library's");
	free(ref);
	bodyhash_free(&bh);
	return (0);
}
