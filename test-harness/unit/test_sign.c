/*
 * test_sign - DKIM signing: key and signing tables, key picking, the
 * Ed25519 body canonicalization against libopendkim's, the caps
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "auth/header.h"
#include "auth/sign.h"
#include "auth/signkey.h"
#include "util/am.h"

static char dir[64];
static char rsa[128], ed[128];

/* put - write a file under dir; returns its path (static) */
static const char *
put(const char *name, const char *text)
{
	static char path[256];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
	return (path);
}

static int
setup(void **state)
{
	struct buf *why = buf_new(256);

	snprintf(dir, sizeof(dir), "/tmp/test_sign.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return (-1);
	snprintf(rsa, sizeof(rsa), "%s/rsa.key", dir);
	snprintf(ed, sizeof(ed), "%s/ed.key", dir);
	if (signkey_generate(SIGNKEY_RSA, 1024, rsa, why) != AM_OK ||
	    signkey_generate(SIGNKEY_ED25519, 0, ed, why) != AM_OK)
		return (-1);
	buf_free(&why);
	return (0);
}

static int
teardown(void **state)
{
	char	 cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return (system(cmd) == 0 ? 0 : -1);
}

/* signer_for - a signer over a key table text (%s: rsa, ed paths) */
static struct signer *
signer_for(const char *kt, const char *st, struct buf *why)
{
	char	 text[1024], ktp[256], stp[256] = "";
	const char *paths[2] = { rsa, ed }, *p;
	size_t	 o = 0;
	int	 np = 0;

	/* kt: "%s" is the RSA, then the Ed25519 key path; "%%" is "%" */
	for (p = kt; *p != '\0' && o + 200 < sizeof(text); p++) {
		if (p[0] == '%' && p[1] == 's' && np < 2) {
			o += (size_t)snprintf(text + o, sizeof(text) - o, "%s",
			    paths[np++]);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			text[o++] = '%';
			p++;
		} else
			text[o++] = *p;
	}
	text[o] = '\0';
	snprintf(ktp, sizeof(ktp), "%s", put("kt", text));
	if (st != NULL)
		snprintf(stp, sizeof(stp), "%s", put("st", st));
	return (signer_new(ktp, stp, true, 0, why));
}

/* run - one message through a sign_msg; returns it (caller frees) */
static struct sign_msg *
run(struct signer *s, const char *const *hdrs, const char *body,
    struct buf *why)
{
	struct from_result f;
	struct sign_msg *m = sign_msg_new(s, why);
	const char *fromv = NULL;
	int	 i, nfrom = 0;

	assert_non_null(m);
	memset(&f, 0, sizeof(f));
	for (i = 0; hdrs[i] != NULL; i += 2) {
		assert_int_equal(sign_header(m, hdrs[i], hdrs[i + 1], why),
		    AM_OK);
		if (strcmp(hdrs[i], "From") == 0 && nfrom++ == 0)
			fromv = hdrs[i + 1];
	}
	if (fromv != NULL)
		header_from_parse(fromv, strlen(fromv), &f);
	header_from_count(&f, nfrom);
	assert_int_equal(sign_eoh(m, fromv, &f, why), AM_OK);
	if (sign_active(m)) {
		assert_int_equal(sign_body(m, (const unsigned char *)body,
		    strlen(body), why), AM_OK);
		if (sign_eom(m, why) != AM_OK)
			fail_msg("sign_eom: %s", buf_str(why));
	}
	return (m);
}

/* tag - the value of tag t in a signature, white space removed */
static void
tag(const char *sig, const char *t, char *dst, size_t len)
{
	const char *p = sig;
	size_t	 o = 0, n = strlen(t);

	for (; (p = strstr(p, t)) != NULL; p++)
		if (p[n] == '=' && (p == sig || strchr(" \t\n;", p[-1])))
			break;
	assert_non_null(p);
	for (p += n + 1; *p != ';' && *p != '\0' && o + 1 < len; p++)
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			dst[o++] = *p;
	dst[o] = '\0';
}

/*
 * the relaxed body hash of signed.c (auth/bodyhash.c's) agrees with
 * libopendkim's (a bare CR inside a line excepted: libopendkim's signer
 * drops it, bodyhash ends a line there as our verifier does, python3-dkim
 * hashes it as a line character; MTAs do not send one)
 */
static void
test_body_hash_agrees(void **state)
{
	static const char *bodies[] = {
		"hello\r\n", "", "\r\n", "\r\n\r\n\r\n",
		"a  b \t\r\n\r\n\r\n",
		" leading\r\n\r\n  middle  \r\n\r\ntrailing \t \r\n",
		"x \r\n \r\n\t\r\n", "tab\there\r\n",
		"a\r\n\r\nb \r\n", NULL,
	};
	static const char *hdrs[] = {
		"From", " A <a@d.example>", "Subject", " hi  there ",
		"To", " b@x.example,\n\tc@x.example", NULL,
	};
	struct buf *why = buf_new(256);
	struct signer *s = signer_for("r d.example:r:%s\ne d.example:e:%s\n",
	    NULL, why);
	struct sign_msg *m;
	char	 bh0[128], bh1[128], a0[32], a1[32];
	int	 i;

	assert_non_null(s);
	for (i = 0; bodies[i] != NULL; i++) {
		m = run(s, hdrs, bodies[i], why);
		assert_int_equal(sign_count(m), 2);
		tag(sign_value(m, 0), "a", a0, sizeof(a0));
		tag(sign_value(m, 1), "a", a1, sizeof(a1));
		assert_string_equal(a0, "rsa-sha256");	/* RSA first */
		assert_string_equal(a1, "ed25519-sha256");
		tag(sign_value(m, 0), "bh", bh0, sizeof(bh0));
		tag(sign_value(m, 1), "bh", bh1, sizeof(bh1));
		if (strcmp(bh0, bh1) != 0)
			fail_msg("body %d: libopendkim bh=%s, ours bh=%s", i,
			    bh0, bh1);
		sign_msg_free(&m);
	}
	signer_free(&s);
	buf_free(&why);
}

/*
 * a body without a final line end (libopendkim refuses to sign one; an
 * MTA never sends one): hashed as if it had one (RFC 6376 3.4.4)
 */
static void
test_body_no_final_crlf(void **state)
{
	static const char *hdrs[] = { "From", " a@d.example", NULL };
	struct buf *why = buf_new(256);
	struct signer *e;
	struct sign_msg *m1, *m2;
	char	 bh1[128], bh2[128], kt[300];

	snprintf(kt, sizeof(kt), "e d.example:e:%s\n", ed);	/* Ed25519 only */
	e = signer_new(put("kt2", kt), "", true, 0, why);
	assert_non_null(e);
	m1 = run(e, hdrs, "end  with space \t", why);
	m2 = run(e, hdrs, "end with space\r\n\r\n", why);
	tag(sign_value(m1, 0), "bh", bh1, sizeof(bh1));
	tag(sign_value(m2, 0), "bh", bh2, sizeof(bh2));
	assert_string_equal(bh1, bh2);
	sign_msg_free(&m1);
	sign_msg_free(&m2);
	signer_free(&e);
	buf_free(&why);
}

/* h= the recommended fields present, From over-signed; same in both */
static void
test_header_list(void **state)
{
	static const char *hdrs[] = {
		"Received", " from x", "From", " A <a@d.example>",
		"X-Mailer", " y", "Subject", " s", "Message-ID", " <1@d>",
		NULL,
	};
	struct buf *why = buf_new(256);
	struct signer *s = signer_for("r d.example:r:%s\ne d.example:e:%s\n",
	    NULL, why);
	struct sign_msg *m = run(s, hdrs, "x\r\n", why);
	char	 h[256];

	tag(sign_value(m, 0), "h", h, sizeof(h));
	assert_string_equal(h, "From:Subject:Message-ID:From");
	tag(sign_value(m, 1), "h", h, sizeof(h));
	assert_string_equal(h, "From:Subject:Message-ID:From");
	assert_null(strstr(sign_value(m, 0), " l="));
	tag(sign_value(m, 0), "t", h, sizeof(h));
	assert_true(h[0] >= '1' && h[0] <= '9');
	sign_msg_free(&m);
	signer_free(&s);
	buf_free(&why);
}

/* no key, no From:, two From: fields: not signed, and why */
static void
test_not_signed(void **state)
{
	static const char *nokey[] = { "From", " a@other.example", NULL };
	static const char *none[] = { "Subject", " s", NULL };
	static const char *two[] = {
		"From", " a@d.example", "From", " b@d.example", NULL,
	};
	struct buf *why = buf_new(256);
	struct signer *s = signer_for("r d.example:r:%s\n", NULL, why);
	struct sign_msg *m;

	m = run(s, nokey, "", why);
	assert_false(sign_active(m));
	assert_string_equal(sign_summary(m), "none (no key for other.example)");
	sign_msg_free(&m);
	m = run(s, none, "", why);
	assert_string_equal(sign_summary(m), "none (From: missing)");
	sign_msg_free(&m);
	m = run(s, two, "", why);
	assert_string_equal(sign_summary(m), "none (From: multiple-fields)");
	sign_msg_free(&m);
	signer_free(&s);
	buf_free(&why);
}

/* signing table patterns: first match wins */
static void
test_signing_table(void **state)
{
	static const struct {
		const char *from, *want;
	} t[] = {
		{ " ceo@d.example", "d.example/r/rsa" },
		{ " bob@d.example", "d.example/e/ed25519" },
		{ " x@eu.sub.example", "d.example/e/ed25519" },
		{ " x@sub.example", "none (no key for sub.example)" },
		{ " \"ceo@d.example\" <eve@d.example>",
		    "d.example/e/ed25519" },	/* eve@, not ceo@ */
		{ " any@any.example", "d.example/r/rsa,d.example/e/ed25519" },
	};
	struct buf *why = buf_new(256);
	struct signer *s = signer_for("r d.example:r:%s\ne d.example:e:%s\n",
	    "ceo@d.example r\n*@*.sub.example e\n*@d.example\te  # x\n"
	    "any.example e r\n", why);
	const char *hdrs[3] = { "From", NULL, NULL };
	struct sign_msg *m;
	size_t	 i;

	assert_non_null(s);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		hdrs[1] = t[i].from;
		m = run(s, hdrs, "x\r\n", why);
		assert_string_equal(sign_summary(m), t[i].want);
		sign_msg_free(&m);
	}
	signer_free(&s);
	buf_free(&why);
}

/* table errors name the file and line */
static void
test_table_errors(void **state)
{
	static const struct {
		const char *kt, *st, *want;
	} t[] = {
		{ "# c\nr d.example:r\n", NULL, "/kt:2: want" },
		{ "r d.example:r:%s\nr d.example:s:%s\n", NULL,
		    "/kt:2: key r defined twice" },
		{ "r %%:r:%s\n", NULL, "/kt:1: want a domain" },
		{ "r d.example:r:relative.key\n", NULL, "/kt:1: want a" },
		{ "\n\nr d.example:r:/nonexistent/k\n", NULL,
		    "/kt:3: key file /nonexistent/k: cannot read" },
		{ "", NULL, "/kt: no keys" },
		{ "r d.example:r:%s\n", "*@d.example nokey\n",
		    "/st:1: no key nokey" },
		{ "r d.example:r:%s\n", "a*b@d.example r\n", "/st:1: pattern" },
	};
	struct buf *why = buf_new(256);
	struct signer *s;
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		s = signer_for(t[i].kt, t[i].st, why);
		assert_null(s);
		if (strstr(buf_str(why), t[i].want) == NULL)
			fail_msg("case %zu: %s lacks %s", i, buf_str(why),
			    t[i].want);
	}
	buf_free(&why);
}

/* more fields than LIM_HEADERS: the caller's sign.on_error */
static void
test_header_cap(void **state)
{
	struct buf *why = buf_new(256);
	struct signer *s = signer_for("r d.example:r:%s\n", NULL, why);
	struct sign_msg *m = sign_msg_new(s, why);
	int	 i, st = AM_OK;

	for (i = 0; i <= LIM_HEADERS && st == AM_OK; i++)
		st = sign_header(m, "X-A", " 1", why);
	assert_int_equal(st, AM_TEMP);
	assert_int_equal(i, LIM_HEADERS + 1);
	sign_msg_free(&m);
	signer_free(&s);
	buf_free(&why);
}

/* a key others may read is refused; the public record matches */
static void
test_key_checks(void **state)
{
	struct buf *why = buf_new(256), *rec = buf_new(8192);
	struct signkey k;

	assert_int_equal(signkey_load(ed, true, &k, why), AM_OK);
	assert_int_equal(signkey_record(&k, rec, why), AM_OK);
	assert_int_equal(signkey_matches(&k, buf_str(rec), why), AM_OK);
	assert_int_equal(signkey_matches(&k, "v=DKIM1; k=ed25519; p=", why),
	    AM_PERM);
	assert_int_equal(signkey_matches(&k, "v=DKIM1; p=AAAA", why),
	    AM_PERM);			/* k= defaults to rsa */
	signkey_clear(&k);
	assert_int_equal(chmod(ed, 0604), 0);
	assert_int_equal(signkey_load(ed, true, &k, why), AM_PERM);
	assert_non_null(strstr(buf_str(why), "other users may read"));
	assert_int_equal(signkey_load(ed, false, &k, why), AM_OK);
	signkey_clear(&k);
	assert_int_equal(chmod(ed, 0600), 0);
	buf_free(&why);
	buf_free(&rec);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_body_hash_agrees),
		cmocka_unit_test(test_body_no_final_crlf),
		cmocka_unit_test(test_header_list),
		cmocka_unit_test(test_not_signed),
		cmocka_unit_test(test_signing_table),
		cmocka_unit_test(test_table_errors),
		cmocka_unit_test(test_header_cap),
		cmocka_unit_test(test_key_checks),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
