/*
 * NAME
 *	test_bodyhash - our body hash against libopendkim's, byte for byte
 * DESCRIPTION
 *	A differential test: every body is hashed by auth/bodyhash.c (fed
 *	in chunks of varying size, 1 byte up) and by libopendkim (signing
 *	mode, the whole body at once; its bh= read from the signature it
 *	makes), simple and relaxed, sha256 and sha1, without l= and with
 *	l= at 0, 1, 7, half the body and past its end. The two must agree.
 *
 *	The library is fed the body as bodyhash reads it (its reference
 *	form, made here byte by byte): a bare CR or LF becomes CRLF, and a
 *	last line without CRLF gets one, as RFC 6376 3.4.3 and 3.4.4 say
 *	(libopendkim without DKIM_LIBFLAGS_FIXCRLF refuses such a body).
 *
 *	Bodies: the bodies of the DKIM suites' messages
 *	(../shared/testsuites/dkim-*, as test-harness/suites/dkim.sh reads
 *	them; missing suites fail the test), the generated ones (empty,
 *	only CRLFs, trailing WSP, WSP-only lines, long lines, 8-bit, NUL,
 *	bare CR, bare LF, no final CRLF, 1 MB), 200 pseudo-random
 *	bodies over an alphabet of the bytes that matter, and 300 of
 *	pseudo-random prose (words, CRLFs, now and then a blank or an
 *	empty line at a line end: the SSE2 scan's CRLF passing).
 *
 *	Then the verifier (auth/dkim.c) on a body the milter may be handed
 *	without its last CRLF (issue 14 item 4): "hello world", signed by
 *	the library over "hello world" CRLF, simple and relaxed: pass as
 *	is, and as "hello world" CR; fail, not temperror, once changed.
 * SEE ALSO
 *	auth/bodyhash.c, test-harness/fuzz/fuzz_bodyhash.c
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <cmocka.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <opendkim/dkim.h>

#include "auth/bodyhash.h"
#include "auth/dkim.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"

#define SUITES	"../shared/testsuites/"
#define MB	(1024 * 1024)

static DKIM_LIB *lib;
static char *pem;			/* RSA key for the library to sign */
static char *pubtxt;			/* its DNS record, v=DKIM1; p=... */
static uint32_t rnd_state = 12345;
static int ncompared;

/* rnd - a small deterministic generator: runs are reproducible */
static uint32_t
rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return (rnd_state);
}

/* key_txt - the DKIM key record of k */
static char *
key_txt(EVP_PKEY *k)
{
	unsigned char *der = NULL;
	char	*txt;
	int	 n;

	n = i2d_PUBKEY(k, &der);
	assert_true(n > 0);
	txt = calloc(1, 4 * ((size_t)n / 3 + 1) + 32);
	assert_non_null(txt);
	memcpy(txt, "v=DKIM1; k=rsa; p=", 18);
	(void)EVP_EncodeBlock((unsigned char *)txt + 18, der, n);
	OPENSSL_free(der);
	return (txt);
}

/* key_make - a fresh RSA-1024 key, PEM, for dkim_sign() */
static char *
key_make(void)
{
	EVP_PKEY *k = EVP_RSA_gen(1024);
	BIO	*b = BIO_new(BIO_s_mem());
	char	*data, *out;
	long	 n;

	assert_non_null(k);
	assert_non_null(b);
	assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL,
	    NULL), 1);
	n = BIO_get_mem_data(b, &data);
	out = calloc(1, (size_t)n + 1);
	assert_non_null(out);
	memcpy(out, data, (size_t)n);
	BIO_free(b);
	pubtxt = key_txt(k);
	EVP_PKEY_free(k);
	return (out);
}

/* ref_form - the body as bodyhash reads it: CRLF line ends, last CRLF */
static unsigned char *
ref_form(const unsigned char *p, size_t n, size_t *len_r)
{
	unsigned char *o = malloc(2 * n + 2);
	size_t	 i, k = 0;

	assert_non_null(o);
	for (i = 0; i < n; i++) {
		if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n') {
			o[k++] = '\r';
			o[k++] = '\n';
			i++;
		} else if (p[i] == '\r' || p[i] == '\n') {
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

/* lib_bh - libopendkim's bh= for the body, from a signature it makes */
static void
lib_bh(const unsigned char *body, size_t n, dkim_canon_t c, dkim_alg_t a,
    ssize_t l, char *bh, size_t bhlen)
{
	static const char from[] = "From: a@bodyhash.example";
	DKIM_STAT st;
	DKIM	*d;
	u_char	 hdr[4096];
	unsigned char *ref;
	char	*p, *e;
	size_t	 rlen;

	d = dkim_sign(lib, (const u_char *)"t", NULL, (dkim_sigkey_t)pem,
	    (const u_char *)"s", (const u_char *)"bodyhash.example",
	    DKIM_CANON_SIMPLE, c, a, l, &st);
	assert_non_null(d);
	assert_int_equal(dkim_header(d, (u_char *)from, sizeof(from) - 1),
	    DKIM_STAT_OK);
	assert_int_equal(dkim_eoh(d), DKIM_STAT_OK);
	ref = ref_form(body, n, &rlen);
	if (rlen > 0)
		assert_int_equal(dkim_body(d, ref, rlen), DKIM_STAT_OK);
	free(ref);
	assert_int_equal(dkim_eom(d, NULL), DKIM_STAT_OK);
	assert_int_equal(dkim_getsighdr(d, hdr, sizeof(hdr), 0),
	    DKIM_STAT_OK);
	p = strstr((char *)hdr, "bh=");
	assert_non_null(p);
	p += 3;
	e = p + strcspn(p, ";");
	assert_true((size_t)(e - p) < bhlen);
	memcpy(bh, p, (size_t)(e - p));
	bh[e - p] = '\0';
	(void)dkim_free(d);
}

/* our_check - our hash, fed in chunks, against the library's bh= */
static void
our_check(const char *label, const unsigned char *body, size_t n,
    enum bodyhash_canon c, enum bodyhash_alg a, long long l,
    const char *want)
{
	struct bodyhash *bh = bodyhash_new();
	struct buf *why = buf_new(LIM_REASON);
	size_t	 off = 0, k;
	int	 idx, idx2;

	assert_non_null(bh);
	idx = bodyhash_want(bh, c, a, l, why);
	assert_true(idx >= 0);
	idx2 = bodyhash_want(bh, c, a, l, why);
	assert_int_equal(idx, idx2);	/* shared */
	while (off < n) {
		k = (rnd() % 4 == 0) ? 1 + rnd() % 3 : 1 + rnd() % 8192;
		if (k > n - off)
			k = n - off;
		assert_int_equal(bodyhash_update(bh, body + off, k), AM_OK);
		off += k;
	}
	assert_int_equal(bodyhash_final(bh, why), AM_OK);
	if (!bodyhash_b64eq(bh, idx, want))
		fail_msg("%s: canon %s alg %s l=%lld: library bh=%s, ours "
		    "differs", label, c == BODYHASH_SIMPLE ? "simple" :
		    "relaxed", a == BODYHASH_SHA1 ? "sha1" : "sha256", l,
		    want);
	ncompared++;
	bodyhash_free(&bh);
	assert_null(bh);
	buf_free(&why);
}

/* compare - one body, every canonicalization, algorithm and l= */
static void
compare(const char *label, const unsigned char *body, size_t n)
{
	long long ls[] = {-1, 0, 1, 7, (long long)n / 2, (long long)n + 5};
	char	 want[128];
	size_t	 i;
	int	 c, a;

	for (c = 0; c < 2; c++) {
		for (a = 0; a < 2; a++) {
			for (i = 0; i < AM_ARRAY_LEN(ls); i++) {
				if (n > 65536 && (i == 1 || i == 2 ||
				    i == 3 || (a == 1 && i > 0)))
					continue;	/* time: big bodies */
				lib_bh(body, n, c == 0 ? DKIM_CANON_SIMPLE :
				    DKIM_CANON_RELAXED, a == 0 ?
				    DKIM_SIGN_RSASHA256 : DKIM_SIGN_RSASHA1,
				    (ssize_t)ls[i], want, sizeof(want));
				our_check(label, body, n, c == 0 ?
				    BODYHASH_SIMPLE : BODYHASH_RELAXED, a == 0 ?
				    BODYHASH_SHA256 : BODYHASH_SHA1, ls[i],
				    want);
			}
		}
	}
}

/* compare_str - a generated body given as a C string */
static void
compare_str(const char *label, const char *s)
{
	compare(label, (const unsigned char *)s, strlen(s));
}

static const struct {
	const char *label;
	const char *body;
} gen_cases[] = {
	{"empty", ""},
	{"one CRLF", "\r\n"},
	{"only CRLFs", "\r\n\r\n\r\n\r\n"},
	{"hello world, no CRLF", "hello world"},
	{"hello world", "hello world\r\n"},
	{"trailing WSP, no CRLF", "hello world \t "},
	{"trailing WSP", "a \r\nb\t\r\nc \t \r\n"},
	{"WSP-only lines at end", "text\r\n \r\n\t\r\n  \t\r\n"},
	{"WSP-only line, no CRLF", "text\r\n   "},
	{"WSP-only body", "  \t "},
	{"WSP runs", "a  b\t\tc \t d\r\n  lead\r\n\tlead2\r\n"},
	{"empty lines inside", "a\r\n\r\n\r\nb\r\n\r\n"},
	{"bare LF", "a\nb\n\nc\n\n\n"},
	{"bare CR", "a\rb\r\rc\r"},
	{"CR before CRLF", "a\r\r\nb\r\n"},
	{"LF CR", "a\n\rb\n\r"},
	{"only bare LFs", "\n\n\n"},
	{"only bare CRs", "\r\r\r"},
	{"single SP", " "},
	{"SP before CR", "x \r"},
	{"8-bit", "gr\xc3\xbc\xc3\x9f \xff\xfe\x80 \xa0\r\n\xe2\x80\x8b\r\n"},
	{"dot lines", ".\r\n..\r\n.\r\n"},
};

/* test_generated - the bodies that matter, named */
static void
test_generated(void **state)
{
	unsigned char nul[] = "a\0b \0\r\n\0\r\n";
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(gen_cases); i++)
		compare_str(gen_cases[i].label, gen_cases[i].body);
	compare("NUL bytes", nul, sizeof(nul) - 1);
}

/* test_long_lines - lines of 100 000 bytes, words and WSP runs */
static void
test_long_lines(void **state)
{
	size_t	 n = 300000, i;
	unsigned char *b = malloc(n);

	assert_non_null(b);
	for (i = 0; i < n; i++)
		b[i] = (unsigned char)(i % 100000 == 99999 ? '\n' :
		    i % 11 == 0 ? ' ' : i % 37 == 0 ? '\t' : 'a' + i % 26);
	compare("long lines", b, n);
	compare("long lines, no CRLF", b, n - 1);
	free(b);
}

/* test_megabyte - 1 MB of text, CRLF, some trailing blanks */
static void
test_megabyte(void **state)
{
	size_t	 n = MB, i;
	unsigned char *b = malloc(n);

	assert_non_null(b);
	for (i = 0; i < n; i++) {
		uint32_t r = rnd() % 100;

		b[i] = (unsigned char)(r < 15 ? ' ' : r < 16 ? '\t' :
		    'a' + r % 26);
		if (i % 72 == 70 && i + 1 < n) {
			b[i++] = '\r';
			b[i] = '\n';
		}
	}
	compare("1 MB", b, n);
	free(b);
}

/* test_random - pseudo-random bodies over the bytes that matter */
static void
test_random(void **state)
{
	static const unsigned char alpha[] = {'a', 'b', ' ', ' ', '\t', '\r',
	    '\n', '\r', '\n', 0, 0xff, '.'};
	unsigned char b[600];
	char	 label[32];
	size_t	 n, i;
	int	 r;

	for (r = 0; r < 200; r++) {
		n = rnd() % sizeof(b);
		for (i = 0; i < n; i++)
			b[i] = alpha[rnd() % sizeof(alpha)];
		(void)snprintf(label, sizeof(label), "random %d", r);
		compare(label, b, n);
	}
}

/*
 * test_prose - text as mail carries it: words and single SPs, CRLF, now
 * and then an empty line, a line that starts or ends with a blank, a
 * bare LF or CR, a line end that splits a CRLF and a following CR or
 * blank across the 16-byte windows of the SSE2 scan (which passes the
 * CRLFs between lines with content): every line end lands on every
 * offset; a third of them end in empty and blank lines
 */
static void
test_prose(void **state)
{
	static const char *odd[] = {"\r\n\r\n", "\r\n ", "\r\n\t",
	    " \r\n", "\t\r\n", "\n", "\r", "\r\n  ", "\r\n \r\n", "  "};
	unsigned char b[4096];
	char	 label[32];
	size_t	 n, i, w, lim;		/* b: lim, a word, odd[], a tail */
	int	 r;

	for (r = 0; r < 300; r++) {
		lim = 1 + rnd() % (sizeof(b) - 16);
		for (n = 0; n < lim;) {
			w = 1 + rnd() % 9;	/* a word */
			for (i = 0; i < w && n < lim; i++)
				b[n++] = (unsigned char)('a' + rnd() % 26);
			if (rnd() % 12 == 0) {
				const char *o = odd[rnd() % AM_ARRAY_LEN(odd)];

				memcpy(b + n, o, strlen(o));
				n += strlen(o);
			} else if (rnd() % 5 == 0) {
				b[n++] = '\r';
				b[n++] = '\n';
			} else
				b[n++] = ' ';
		}
		if (r % 3 == 0) {	/* empty and blank lines at the end */
			memcpy(b + n, "\r\n\r\n \r\n\r\n", 9);
			n += 9 - rnd() % 8;
		}
		(void)snprintf(label, sizeof(label), "prose %d", r);
		compare(label, b, n);
	}
}

/* body_of - the body of a message file: after the first empty line */
static unsigned char *
body_of(const char *path, size_t *len_r)
{
	FILE	*f = fopen(path, "rb");
	unsigned char *all;
	char	*p;
	size_t	 n;

	assert_non_null(f);
	all = malloc(4 * MB);
	assert_non_null(all);
	n = fread(all, 1, 4 * MB - 1, f);
	fclose(f);
	all[n] = '\0';
	if ((p = strstr((char *)all, "\r\n\r\n")) != NULL &&
	    (strstr((char *)all, "\n\n") == NULL ||
	    p < strstr((char *)all, "\n\n")))
		p += 4;
	else if ((p = strstr((char *)all, "\n\n")) != NULL)
		p += 2;
	else
		p = (char *)all + n;
	*len_r = n - (size_t)(p - (char *)all);
	memmove(all, p, *len_r);
	return (all);
}

/* suite_dir - compare the body of every message in one suite dir */
static int
suite_dir(const char *dir, const char *ext)
{
	DIR	*d = opendir(dir);
	struct dirent *e;
	char	 path[1024];
	unsigned char *b;
	size_t	 n, el = strlen(ext), nl;
	int	 count = 0;

	if (d == NULL)
		fail_msg("%s: cannot open (the DKIM suites are needed)", dir);
	while ((e = readdir(d)) != NULL) {
		nl = strlen(e->d_name);
		if (nl <= el || strcmp(e->d_name + nl - el, ext) != 0)
			continue;
		(void)snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		b = body_of(path, &n);
		compare(e->d_name, b, n);
		free(b);
		count++;
	}
	closedir(d);
	return (count);
}

/* test_suites - the bodies of the DKIM suites' messages */
static void
test_suites(void **state)
{
	assert_true(suite_dir(SUITES "dkim-dkimpy-vectors", ".eml") >= 6);
	assert_true(suite_dir(SUITES "dkim-mail-dkim-corpus/corpus", ".txt") >=
	    50);
}

/* test_api - limits, sharing, order, digest lengths */
static void
test_api(void **state)
{
	struct bodyhash *bh = bodyhash_new();
	struct buf *why = buf_new(LIM_REASON);
	unsigned char md[BODYHASH_MDMAX];
	int	 i;

	assert_non_null(bh);
	for (i = 0; i < BODYHASH_MAX; i++)
		assert_int_equal(bodyhash_want(bh, BODYHASH_SIMPLE,
		    BODYHASH_SHA256, i, why), i);
	assert_int_equal(bodyhash_want(bh, BODYHASH_SIMPLE, BODYHASH_SHA256,
	    -1, why), -1);
	assert_int_equal(bodyhash_want(bh, BODYHASH_SIMPLE, BODYHASH_SHA256,
	    3, why), 3);		/* the same one: shared */
	assert_int_equal(bodyhash_digest(bh, 0, md, sizeof(md)), 0);
	assert_int_equal(bodyhash_update(bh, (const unsigned char *)"x", 1),
	    AM_OK);
	assert_int_equal(bodyhash_update(bh, NULL, 0), AM_OK);
	assert_int_equal(bodyhash_final(bh, why), AM_OK);
	assert_int_equal(bodyhash_update(bh, (const unsigned char *)"x", 1),
	    AM_PERM);
	assert_int_equal(bodyhash_digest(bh, 0, md, sizeof(md)), 32);
	assert_int_equal(bodyhash_digest(bh, BODYHASH_MAX, md, sizeof(md)),
	    0);
	assert_int_equal(bodyhash_canonlen(bh, 5), 3);	/* "x" CRLF */
	assert_false(bodyhash_b64eq(bh, 0, NULL));
	bodyhash_free(&bh);
	bodyhash_free(&bh);		/* NULL is fine */
	buf_free(&why);
}

/* sign_hello - a DKIM-Signature value over From: and "hello world" */
static void
sign_hello(dkim_canon_t c, char *sig, size_t siglen)
{
	static const char from[] = "From: a@bodyhash.example";
	DKIM_STAT st;
	DKIM	*d;
	const char *v;

	d = dkim_sign(lib, (const u_char *)"t", NULL, (dkim_sigkey_t)pem,
	    (const u_char *)"s", (const u_char *)"bodyhash.example", c, c,
	    DKIM_SIGN_RSASHA256, -1, &st);
	assert_non_null(d);
	assert_int_equal(dkim_header(d, (u_char *)from, sizeof(from) - 1),
	    DKIM_STAT_OK);
	assert_int_equal(dkim_eoh(d), DKIM_STAT_OK);
	assert_int_equal(dkim_body(d, (u_char *)"hello world\r\n", 13),
	    DKIM_STAT_OK);
	assert_int_equal(dkim_eom(d, NULL), DKIM_STAT_OK);
	assert_int_equal(dkim_getsighdr(d, (u_char *)sig, siglen,
	    sizeof("DKIM-Signature: ") - 1), DKIM_STAT_OK);
	if (strncasecmp(sig, "DKIM-Signature:", 15) == 0) {
		v = sig + 15 + strspn(sig + 15, " ");
		memmove(sig, v, strlen(v) + 1);
	}
	(void)dkim_free(d);
}

/* verify_body - the verifier's result for the signed header and body */
static enum dkim_res
verify_body(struct dkimv *v, const char *sig, const char *body,
    char *reason, size_t rlen)
{
	struct buf *why = buf_new(LIM_REASON);
	struct dkimv_msg *m;
	struct dkim_result *res = calloc(1, sizeof(*res));
	char	 val[4096];
	enum dkim_res r;

	assert_non_null(res);
	(void)snprintf(val, sizeof(val), " %s", sig);
	m = dkimv_msg_new(v, "partial", why);
	assert_non_null(m);
	assert_int_equal(dkimv_header(m, "DKIM-Signature", val, why), AM_OK);
	assert_int_equal(dkimv_header(m, "From", " a@bodyhash.example", why),
	    AM_OK);
	assert_int_equal(dkimv_eoh(m, why), AM_OK);
	assert_int_equal(dkimv_body(m, (const unsigned char *)body,
	    strlen(body), why), AM_OK);
	assert_int_equal(dkimv_eom(m, res, why), AM_OK);
	assert_int_equal(res->nsigs, 1);
	r = res->sigs[0].result;
	(void)snprintf(reason, rlen, "%s", res->sigs[0].reason);
	dkimv_msg_free(&m);
	free(res);
	buf_free(&why);
	return (r);
}

/* test_partial_line_verify - issue 14 item 4 through the verifier */
static void
test_partial_line_verify(void **state)
{
	struct buf *why = buf_new(LIM_REASON);
	struct dns *dns = dns_mock_new();
	struct dkimv *v;
	char	 sig[4096], reason[LIM_REASON];
	int	 c;

	dns_mock_add(dns, "s._domainkey.bodyhash.example", DNS_T_TXT, pubtxt);
	v = dkimv_new(dns, 5, 1024, why);
	assert_non_null(v);
	for (c = 0; c < 2; c++) {
		sign_hello(c == 0 ? DKIM_CANON_SIMPLE : DKIM_CANON_RELAXED,
		    sig, sizeof(sig));
		assert_int_equal(verify_body(v, sig, "hello world\r\n", reason,
		    sizeof(reason)), DKIM_RES_PASS);
		assert_int_equal(verify_body(v, sig, "hello world", reason,
		    sizeof(reason)), DKIM_RES_PASS);
		assert_int_equal(verify_body(v, sig, "hello world\r", reason,
		    sizeof(reason)), DKIM_RES_PASS);
		assert_int_equal(verify_body(v, sig, "jello world", reason,
		    sizeof(reason)), DKIM_RES_FAIL);
		assert_string_equal(reason, "body hash mismatch");
		assert_int_equal(verify_body(v, sig, "hello world\r\n\r\nX",
		    reason, sizeof(reason)), DKIM_RES_FAIL);
	}
	dkimv_free(&v);
	dns_free(&dns);
	buf_free(&why);
}

/* setup - the library and a signing key, once */
static int
setup(void **state)
{
	lib = dkim_init(NULL, NULL);
	if (lib == NULL)
		return (-1);
	pem = key_make();
	return (0);
}

/* teardown - release them, and say how many hashes were compared */
static int
teardown(void **state)
{
	printf("# test_bodyhash: %d hashes compared with libopendkim\n",
	    ncompared);
	dkim_close(lib);
	free(pem);
	free(pubtxt);
	return (0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_partial_line_verify),
		cmocka_unit_test(test_generated),
		cmocka_unit_test(test_long_lines),
		cmocka_unit_test(test_megabyte),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_prose),
		cmocka_unit_test(test_suites),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
