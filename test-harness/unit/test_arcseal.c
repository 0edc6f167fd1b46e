/*
 * NAME
 *	test_arcseal - unit tests for ARC sealing, checked by python3-dkim
 * DESCRIPTION
 *	A message is fed as the milter delivers it (fields with LF folds,
 *	body in chunks) to an arc_msg that was asked to seal; arcseal_seal()
 *	adds our set (d=fwd.example, RSA from data/arc/keys or a fresh
 *	Ed25519 key). The message with the set on top is then verified by
 *	python3-dkim's arc_verify (data/arc/arcverify.py, its DNS function
 *	answering from the test's key records only: no resolver) and by our
 *	own verifier. Cases: no chain (cv=none), a passing chain (cv=pass),
 *	a changed Subject (the tag verdict), a chain that fails (cv=fail,
 *	sealing our set only), a chain already marked cv=fail (nothing
 *	added), a temporary error (nothing added).
 * SEE ALSO
 *	auth/arcseal.c, auth/arc.c, RFC 8617 5.1
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/arc.h"
#include "auth/arcseal.h"
#include "auth/result.h"
#include "auth/signkey.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"

#define DIR	"test-harness/unit/data/arc/"
#define AUTHRES	" mx.fwd.example; spf=pass smtp.mailfrom=a.example;\n" \
		"\tdkim=pass header.d=a.example; dmarc=pass header.from=a.example"

static char	 tmpdir[64], edkey[128], edtxt[128], rsatxt[128];

/* slurp - a whole file, NUL-terminated */
static char *
slurp(const char *path)
{
	FILE	*fp = fopen(path, "rb");
	char	*p;
	long	 n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, fp), (size_t)n);
	p[n] = '\0';
	fclose(fp);
	return (p);
}

/* spill - text to a file */
static void
spill(const char *path, const char *text)
{
	FILE	*fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	fclose(fp);
}

static int
setup(void **state)
{
	struct signkey k;
	struct buf *why = buf_new(256), *txt = buf_new(1024);
	char	*t;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_arcseal.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return (-1);
	snprintf(edkey, sizeof(edkey), "%s/ed.key", tmpdir);
	snprintf(edtxt, sizeof(edtxt), "%s/ed.txt", tmpdir);
	snprintf(rsatxt, sizeof(rsatxt), DIR "keys/rsa.txt");
	if (signkey_generate(SIGNKEY_ED25519, 0, edkey, why) != AM_OK ||
	    signkey_load(edkey, true, &k, why) != AM_OK ||
	    signkey_record(&k, txt, why) != AM_OK)
		return (-1);
	t = strdup(buf_str(txt));
	spill(edtxt, t);
	free(t);
	signkey_clear(&k);
	buf_free(&why);
	buf_free(&txt);
	return (0);
}

static int
teardown(void **state)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
	return (system(cmd) == 0 ? 0 : -1);
}

/* zone - the key records of the fixture sealer and of ours */
static void
zone(struct dns *d, int fail)
{
	static const char *const names[] = {
		"rsa._domainkey.lists.example", "rsa._domainkey.fwd.example",
		"ed._domainkey.fwd.example",
	};
	const char *paths[] = { rsatxt, rsatxt, edtxt };
	size_t	 i, n;
	char	*t;

	for (i = 0; i < 3; i++) {
		if (fail != 0 && i == 0) {
			dns_mock_fail(d, names[i], DNS_T_TXT, fail);
			continue;
		}
		t = slurp(paths[i]);
		n = strlen(t);
		while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r'))
			t[--n] = '\0';
		dns_mock_add_txt(d, names[i], t, n);
		free(t);
	}
}

/* feed - a CRLF message through a, fields with LF folds, 7-byte chunks */
static void
feed(struct arc_msg *a, const char *msg)
{
	const char *p = msg, *eol, *end, *colon, *body;
	char	 name[128], *value, *b;
	size_t	 vl, k, bl;

	while (*p != '\0' && strncmp(p, "\r\n", 2) != 0) {
		colon = strchr(p, ':');
		assert_non_null(colon);
		for (end = p;;) {
			eol = strstr(end, "\r\n");
			assert_non_null(eol);
			end = eol + 2;
			if (*end != ' ' && *end != '\t')
				break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(colon - p), p);
		vl = (size_t)(eol - colon - 1);
		assert_non_null(value = malloc(vl + 1));
		for (k = 0, b = value; k < vl; k++)
			if (colon[1 + k] != '\r')
				*b++ = colon[1 + k];
		*b = '\0';
		assert_int_equal(arc_header(a, name, value), AM_OK);
		free(value);
		p = end;
	}
	assert_int_equal(arc_eoh(a), AM_OK);
	body = *p != '\0' ? p + 2 : p;
	bl = strlen(body);
	for (k = 0; k < bl; k += 7)
		assert_int_equal(arc_body(a, (const unsigned char *)body + k,
		    bl - k < 7 ? bl - k : 7), AM_OK);
}

/* put_field - "Name: value" with LF folds made CRLF */
static void
put_field(struct buf *out, const char *name, const char *value)
{
	const char *p;

	assert_int_equal(buf_printf(out, "%s:%s", name, value[0] == ' ' ?
	    "" : " "), AM_OK);
	for (p = value; *p != '\0'; p++) {
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			assert_int_equal(buf_putc(out, '\r'), AM_OK);
		assert_int_equal(buf_putc(out, *p), AM_OK);
	}
	assert_int_equal(buf_puts(out, "\r\n"), AM_OK);
}

/* sealed - our set on top of msg, the Subject changed if asked */
static char *
sealed(const struct arcseal_set *set, const char *msg, const char *subj)
{
	struct buf *out = buf_new(1024 * 1024);
	const char *s, *e;
	char	*r;

	put_field(out, "ARC-Seal", buf_str(set->as));
	put_field(out, "ARC-Message-Signature", buf_str(set->ams));
	put_field(out, "ARC-Authentication-Results", buf_str(set->aar));
	if (subj != NULL && (s = strstr(msg, "\r\nSubject:")) != NULL) {
		e = strstr(s + 2, "\r\n");
		assert_int_equal(buf_append(out, msg, (size_t)(s + 2 - msg)),
		    AM_OK);
		assert_int_equal(buf_printf(out, "Subject:%s", subj), AM_OK);
		assert_int_equal(buf_puts(out, e), AM_OK);
	} else
		assert_int_equal(buf_puts(out, msg), AM_OK);
	r = strdup(buf_str(out));
	buf_free(&out);
	return (r);
}

/* python_cv - python3-dkim's arc_verify says cv=want */
static bool
python_cv(const char *msg, const char *want)
{
	char	 path[128], cmd[1024];

	snprintf(path, sizeof(path), "%s/msg.eml", tmpdir);
	spill(path, msg);
	snprintf(cmd, sizeof(cmd), "/usr/bin/python3 " DIR "arcverify.py "
	    "%s %s rsa._domainkey.lists.example=%s "
	    "rsa._domainkey.fwd.example=%s ed._domainkey.fwd.example=%s",
	    path, want, rsatxt, rsatxt, edtxt);
	return (system(cmd) == 0);
}

/* reseal - a chain we marked cv=fail gets nothing more (5.1.2) */
static void
reseal(struct dns *d, const struct arcseal *s, const char *msg,
    struct buf *why)
{
	struct arc_msg *a = arc_msg_new(d, "t");
	struct arcseal_set set;
	struct arcseal_in in = { AUTHRES, NULL, false };
	struct arc_result r;

	memset(&set, 0, sizeof(set));
	assert_non_null(a);
	arc_seal_want(a);
	feed(a, msg);
	assert_int_equal(arc_eom(a, &r), AM_OK);
	assert_int_equal(r.result, ARC_RES_FAIL);
	assert_non_null(strstr(r.reason, "cv=fail (i=2)"));
	assert_int_equal(arcseal_seal(s, a, &r, &in, &set, why), AM_OK);
	assert_int_equal(set.i, 0);
	assert_string_equal(set.note, "chain broken or already cv=fail");
	arcseal_set_clear(&set);
	arc_msg_free(&a);
}

/* verify - our verifier on msg */
static void
verify(struct dns *d, const char *msg, struct arc_result *r)
{
	struct arc_msg *a = arc_msg_new(d, "t");

	assert_non_null(a);
	feed(a, msg);
	assert_int_equal(arc_eom(a, r), AM_OK);
	arc_msg_free(&a);
}

struct scase {
	const char *label;
	const char *file;		/* under DIR; NULL: no chain */
	bool	 ed;			/* Ed25519 seal key */
	const char *bfrom, *bto;	/* body edit before sealing */
	const char *subject;		/* changed Subject */
	int	 dnsfail;		/* the fixture sealer's key */
	int	 want_i;		/* 0: nothing added */
	const char *cv;			/* ours */
	const char *pycv;		/* python3-dkim's verdict after;
					 * NULL: it cannot tell (Ed25519) */
	enum arc_res ours;		/* our verifier's after */
	int	 oldest;		/* its header.oldest-pass (5.2) */
	const char *note;
};

static const char plain[] =
    "From: Alice <alice@a.example>\r\nTo: <fwd@fwd.example>\r\n"
    "Subject: hello\r\nDate: Sun, 22 Nov 2026 10:00:00 +0000\r\n"
    "Message-ID: <seal@a.example>\r\n\r\nHello,\r\n\r\n  the  usual.\r\n";

static const struct scase scases[] = {
	{"no chain: i=1 cv=none", NULL, false, NULL, NULL, NULL, 0, 1,
	    "none", "pass", ARC_RES_PASS, 1, NULL},
	/* python3-dkim's ARC knows rsa-sha256 only: ours checks these */
	{"no chain, Ed25519", NULL, true, NULL, NULL, NULL, 0, 1, "none",
	    NULL, ARC_RES_PASS, 1, NULL},
	{"passing chain: i=2 cv=pass", "rsa1.eml", false, NULL, NULL, NULL,
	    0, 2, "pass", "pass", ARC_RES_PASS, 1, NULL},
	{"three sets, Ed25519: i=4", "rsa3.eml", true, NULL, NULL, NULL, 0,
	    4, "pass", NULL, ARC_RES_PASS, 1, NULL},
	{"three sets: i=4", "rsa3.eml", false, NULL, NULL, NULL, 0, 4,
	    "pass", "pass", ARC_RES_PASS, 1, NULL},
	/* the Subject changed after i=1: its AMS no longer holds, ours does */
	{"Subject changed by the tag verdict", "rsa1.eml", false, NULL,
	    NULL, " [SUSPICIOUS] [members] hello", 0, 2, "pass", "pass",
	    ARC_RES_PASS, 2, NULL},
	/* python3-dkim: our AMS holds, our cv=fail ends the chain */
	{"failing chain: cv=fail over our set", "rsa1.eml", false, "usual",
	    "Usual", NULL, 0, 2, "fail", "terminated", ARC_RES_FAIL, 0, NULL},
	{"temperror: nothing added", "rsa1.eml", false, NULL, NULL, NULL,
	    DNS_TEMP, 0, NULL, NULL, 0, 0, "chain temperror"},
};

/* test_seal - seal, then both verifiers */
static void
test_seal(void **state)
{
	struct dns *d;
	struct arcseal *s;
	struct arc_msg *a;
	struct arc_result r, r2;
	struct arcseal_set set;
	struct arcseal_in in;
	struct buf *why = buf_new(512);
	char	*msg, *out, *hit;
	size_t	 i;

	memset(&set, 0, sizeof(set));
	for (i = 0; i < AM_ARRAY_LEN(scases); i++) {
		const struct scase *c = &scases[i];

		d = dns_mock_new();
		assert_non_null(d);
		zone(d, c->dnsfail);
		s = arcseal_new("fwd.example", c->ed ? "ed" : "rsa", c->ed ?
		    edkey : DIR "keys/rsa.key", false, why);
		if (s == NULL)
			fail_msg("%s: %s", c->label, buf_str(why));
		msg = c->file != NULL ? NULL : strdup(plain);
		if (c->file != NULL) {
			char	 p[256];

			snprintf(p, sizeof(p), DIR "%s", c->file);
			msg = slurp(p);
		}
		if (c->bfrom != NULL) {
			assert_non_null(hit = strstr(strstr(msg, "\r\n\r\n"),
			    c->bfrom));
			memcpy(hit, c->bto, strlen(c->bto));
		}
		a = arc_msg_new(d, "t");
		assert_non_null(a);
		arc_seal_want(a);
		feed(a, msg);
		assert_int_equal(arc_eom(a, &r), AM_OK);
		in.authres = AUTHRES;
		in.subject = c->subject;
		in.subject_add = false;
		if (arcseal_seal(s, a, &r, &in, &set, why) != AM_OK)
			fail_msg("%s: %s", c->label, buf_str(why));
		if (set.i != c->want_i)
			fail_msg("%s: i=%d (%s)", c->label, set.i, set.note);
		if (c->want_i == 0) {
			assert_string_equal(set.note, c->note);
			goto next;
		}
		assert_string_equal(set.cv, c->cv);
		assert_non_null(strstr(buf_str(set.aar), "mx.fwd.example;"));
		assert_non_null(strstr(buf_str(set.as), c->ed ?
		    "a=ed25519-sha256" : "a=rsa-sha256"));
		out = sealed(&set, msg, c->subject);
		if (c->pycv != NULL && !python_cv(out, c->pycv))
			fail_msg("%s: python3-dkim does not say cv=%s",
			    c->label, c->pycv);
		verify(d, out, &r2);
		if (r2.result != c->ours || r2.n != c->want_i ||
		    r2.oldest_pass != c->oldest)
			fail_msg("%s: ours %s n=%d oldest-pass=%d (%s)",
			    c->label, arc_res_str(r2.result), r2.n,
			    r2.oldest_pass, r2.reason);
		if (strcmp(c->cv, "fail") == 0)	/* marked once only */
			reseal(d, s, out, why);
		free(out);
next:
		arcseal_set_clear(&set);
		arc_msg_free(&a);
		arcseal_free(&s);
		free(msg);
		dns_free(&d);
	}
	buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
