/*
 * NAME
 *	test_arc - unit tests for the ARC verifier and the trust decision
 * DESCRIPTION
 *	Messages sealed by python3-dkim's arc_sign (data/arc, made by
 *	make-fixtures.sh and checked there by its arc_verify) are fed as a
 *	milter delivers them: one call per header field (value as sent,
 *	folds joined by LF as Postfix does, or by CRLF), then the body in
 *	chunks, with the sealer's key in the mock zone. Then the failures:
 *	body changed, a header changed, no key, a temporary DNS failure, and
 *	the structural errors of RFC 8617 5.1.1. Then the AAR reader, the
 *	trusted-sealer list and the override decision.
 * SEE ALSO
 *	auth/arc.c, auth/arctrust.c, RFC 8617
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
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"

#define DIR	"test-harness/unit/data/arc/"
#define KEYNAME	"rsa._domainkey.lists.example"

/* read_file - a whole file, NUL-terminated */
static char *
read_file(const char *path, size_t *len_r)
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
	*len_r = (size_t)n;
	return (p);
}

/* zone_key - the fixture key's TXT record in the mock zone */
static void
zone_key(struct dns *d)
{
	size_t	 n;
	char	*t = read_file(DIR "keys/rsa.txt", &n);

	while (n > 0 && (t[n - 1] == '\n' || t[n - 1] == '\r'))
		t[--n] = '\0';
	dns_mock_add_txt(d, KEYNAME, t, n);
	free(t);
}

/*
 * feed - a message (CRLF) through the verifier: fields as the milter
 * gives them (folds by LF unless crlf), body in chunks of chunk bytes;
 * edit, if not NULL, replaces the first "from" by "to" in the body
 */
static void
feed(struct arc_msg *a, const char *msg, bool crlf, size_t chunk,
    const char *from, const char *to)
{
	const char *p = msg, *eol, *body;
	char	 name[128], *value, *b, *hit;
	size_t	 vl, bl, k;

	while (*p != '\0' && strncmp(p, "\r\n", 2) != 0) {
		const char *colon = strchr(p, ':');
		const char *end = p;

		assert_non_null(colon);
		/* the field ends at a CRLF not followed by WSP */
		for (;;) {
			eol = strstr(end, "\r\n");
			assert_non_null(eol);
			end = eol + 2;
			if (*end != ' ' && *end != '\t')
				break;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(colon - p), p);
		vl = (size_t)(eol - colon - 1);
		value = malloc(vl + 1);
		assert_non_null(value);
		for (k = 0, b = value; k < vl; k++) {
			if (!crlf && colon[1 + k] == '\r')
				continue;	/* Postfix: folds by LF */
			*b++ = colon[1 + k];
		}
		*b = '\0';
		assert_int_equal(arc_header(a, name, value), AM_OK);
		free(value);
		p = end;
	}
	assert_int_equal(arc_eoh(a), AM_OK);
	body = *p != '\0' ? p + 2 : p;
	bl = strlen(body);
	b = strdup(body);
	assert_non_null(b);
	if (from != NULL) {
		hit = strstr(b, from);
		assert_non_null(hit);
		memcpy(hit, to, strlen(to));	/* same length */
	}
	for (k = 0; k < bl; k += chunk)
		assert_int_equal(arc_body(a, (unsigned char *)b + k,
		    bl - k < chunk ? bl - k : chunk), AM_OK);
	free(b);
}

struct vcase {
	const char *label;
	const char *file;
	bool	 crlf;
	size_t	 chunk;
	const char *from, *to;		/* body edit */
	const char *hfrom, *hto;	/* header edit (whole message) */
	int	 dnsfail;		/* DNS_* for the key; 0: published */
	enum arc_res want;
	int	 n;
	const char *why;		/* substring of the reason */
};

static const struct vcase vcases[] = {
	{"one set", "rsa1.eml", false, 65536, NULL, NULL, NULL, NULL, 0,
	    ARC_RES_PASS, 1, ""},
	{"one set, CRLF folds, 1-byte chunks", "rsa1.eml", true, 1, NULL,
	    NULL, NULL, NULL, 0, ARC_RES_PASS, 1, ""},
	{"three sets", "rsa3.eml", false, 7, NULL, NULL, NULL, NULL, 0,
	    ARC_RES_PASS, 3, ""},
	{"last line without CRLF", "nocrlf.eml", false, 3, NULL, NULL, NULL,
	    NULL, 0, ARC_RES_PASS, 1, ""},
	{"empty body", "empty.eml", false, 5, NULL, NULL, NULL, NULL, 0,
	    ARC_RES_PASS, 1, ""},
	{"relaxed body: white space runs", "rsa1.eml", false, 2,
	    "the  usual", "the usual ", NULL, NULL, 0, ARC_RES_PASS, 1, ""},
	{"body changed", "rsa1.eml", false, 64, "usual", "Usual", NULL,
	    NULL, 0, ARC_RES_FAIL, 1, "body hash"},
	{"signed header changed", "rsa3.eml", false, 64, NULL, NULL,
	    "Subject: [members] hello", "Subject: [members] HELLO", 0,
	    ARC_RES_FAIL, 3, "does not verify"},
	{"AAR of i=1 changed: the seals fail", "rsa3.eml", false, 64, NULL,
	    NULL, "dmarc=pass header.from=a.example",
	    "dmarc=pass header.from=b.example", 0, ARC_RES_FAIL, 3,
	    "does not verify"},
	{"no key", "rsa1.eml", false, 64, NULL, NULL, NULL, NULL,
	    DNS_NOTFOUND, ARC_RES_FAIL, 1, "no key record"},
	{"key lookup fails temporarily", "rsa1.eml", false, 64, NULL, NULL,
	    NULL, NULL, DNS_TEMP, ARC_RES_TEMPERROR, 1, "temporary"},
};

/* test_verify - python3-dkim's chains, and what breaks them */
static void
test_verify(void **state)
{
	const struct vcase *c;
	struct arc_result r;
	struct arc_msg *a;
	struct dns *d;
	size_t	 i, len;
	char	*msg, *hit, path[256];

	(void)state;
	for (i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++) {
		c = &vcases[i];
		print_message("%s\n", c->label);
		d = dns_mock_new();
		if (c->dnsfail)
			dns_mock_fail(d, KEYNAME, DNS_T_TXT, c->dnsfail);
		else
			zone_key(d);
		snprintf(path, sizeof(path), DIR "%s", c->file);
		msg = read_file(path, &len);
		if (c->hfrom != NULL) {
			hit = strstr(msg, c->hfrom);
			assert_non_null(hit);
			memcpy(hit, c->hto, strlen(c->hto));
		}
		a = arc_msg_new(d, "test");
		assert_non_null(a);
		feed(a, msg, c->crlf, c->chunk, c->from, c->to);
		assert_int_equal(arc_eom(a, &r), AM_OK);
		if (r.result != c->want || strstr(r.reason, c->why) == NULL)
			fail_msg("%s: %s (%s), want %s (%s)", c->label,
			    arc_res_str(r.result), r.reason,
			    arc_res_str(c->want), c->why);
		assert_int_equal(r.n, c->n);
		if (c->want == ARC_RES_PASS) {
			assert_string_equal(r.sealer, "lists.example");
			assert_string_equal(r.aar_id, "mx.lists.example");
			/* nothing changed since i=1: every AMS holds */
			assert_int_equal(r.oldest_pass, 1);
		} else
			assert_int_equal(r.oldest_pass, 0);
		arc_msg_free(&a);
		assert_null(a);
		free(msg);
		dns_free(&d);
	}
}

struct scase {
	const char *label;
	const char *fields[8];		/* "Name:value" */
	int	 n;
	const char *why;
};

#define AS(i, cv)	"ARC-Seal: i=" i "; cv=" cv "; a=rsa-sha256; " \
			"d=lists.example; s=rsa; b=AAAA"
#define AMS(i)		"ARC-Message-Signature: i=" i "; a=rsa-sha256; " \
			"d=lists.example; s=rsa; h=from; bh=AAAA; b=AAAA"
#define AAR(i)		"ARC-Authentication-Results: i=" i "; " \
			"mx.lists.example; dmarc=pass header.from=a.example"

static const struct scase scases[] = {
	{"missing ARC-Seal", {AMS("1"), AAR("1")}, 1, "missing ARC-Seal"},
	{"missing AAR", {AS("1", "none"), AMS("1")}, 1,
	    "missing ARC-Authentication-Results"},
	{"duplicate instance", {AS("1", "none"), AS("1", "none"), AMS("1"),
	    AAR("1")}, 1, "duplicate instance"},
	{"gap", {AS("1", "none"), AMS("1"), AAR("1"), AS("3", "pass"),
	    AMS("3"), AAR("3")}, 3, "missing ARC-Seal (i=2)"},
	{"cv=pass at i=1", {AS("1", "pass"), AMS("1"), AAR("1")}, 1,
	    "cv is not none at i=1"},
	{"cv=none at i=2", {AS("1", "none"), AMS("1"), AAR("1"),
	    AS("2", "none"), AMS("2"), AAR("2")}, 2, "cv is not pass"},
	{"cv=fail", {AS("1", "none"), AMS("1"), AAR("1"), AS("2", "fail"),
	    AMS("2"), AAR("2")}, 2, "cv=fail (i=2)"},
	{"i=0", {AS("0", "none"), AMS("1"), AAR("1")}, 1,
	    "instance out of range"},
	{"i=51", {AS("51", "pass"), AMS("51"), AAR("51")}, 51,
	    "more than 50 ARC sets"},
	{"i=9999", {AS("9999", "pass")}, 0, "unparseable i="},
	{"i= twice", {"ARC-Seal: i=1; i=2; cv=none; b=AA", AMS("1"),
	    AAR("1")}, 1, "unparseable i="},
	{"no i=", {"ARC-Seal: cv=none; b=AA", AMS("1"), AAR("1")}, 1,
	    "unparseable i="},
	{"AAR without ;", {AS("1", "none"), AMS("1"),
	    "ARC-Authentication-Results: i=1"}, 1, "unparseable i="},
};

/* test_structure - RFC 8617 5.1.1 errors: fail with a reason */
static void
test_structure(void **state)
{
	const struct scase *c;
	struct arc_result r;
	struct arc_msg *a;
	char	 name[64];
	const char *colon;
	size_t	 i, k;

	(void)state;
	for (i = 0; i < sizeof(scases) / sizeof(scases[0]); i++) {
		c = &scases[i];
		print_message("%s\n", c->label);
		a = arc_msg_new(NULL, "test");	/* never gets to DNS */
		assert_non_null(a);
		for (k = 0; k < 8 && c->fields[k] != NULL; k++) {
			colon = strchr(c->fields[k], ':');
			snprintf(name, sizeof(name), "%.*s",
			    (int)(colon - c->fields[k]), c->fields[k]);
			assert_int_equal(arc_header(a, name, colon + 1), AM_OK);
		}
		assert_int_equal(arc_header(a, "From", " a@a.example"), AM_OK);
		assert_int_equal(arc_eoh(a), AM_OK);
		assert_int_equal(arc_body(a, (const unsigned char *)"x\r\n",
		    3), AM_OK);
		assert_int_equal(arc_eom(a, &r), AM_OK);
		if (r.result != ARC_RES_FAIL || strstr(r.reason, c->why) ==
		    NULL)
			fail_msg("%s: %s (%s), want fail (%s)", c->label,
			    arc_res_str(r.result), r.reason, c->why);
		if (c->n > 0)
			assert_int_equal(r.n, c->n);
		arc_msg_free(&a);
	}
}

/* test_none - no ARC field: none, nothing hashed or looked up */
static void
test_none(void **state)
{
	struct arc_result r;
	struct arc_msg *a = arc_msg_new(NULL, "test");

	(void)state;
	assert_int_equal(arc_header(a, "From", " a@a.example"), AM_OK);
	assert_int_equal(arc_eoh(a), AM_OK);
	assert_int_equal(arc_body(a, (const unsigned char *)"x", 1), AM_OK);
	assert_int_equal(arc_eom(a, &r), AM_OK);
	assert_int_equal(r.result, ARC_RES_NONE);
	assert_int_equal(r.n, 0);
	arc_msg_free(&a);
	arc_msg_free(&a);		/* NULL is fine */
}

/* test_aar - the AAR reader */
static void
test_aar(void **state)
{
	struct arc_result r;
	const char *v = " i=2; MX.Lists.Example (comment; with=stuff);\n"
	    "\tarc=pass (as.1=pass) smtp.remote-ip=192.0.2.10;\n"
	    "\tspf=pass smtp.mailfrom=\"bounce@A.Example\";\n"
	    "\tdkim=pass header.d=a.example header.s=s1;\n"
	    "\tdmarc=pass (p=reject) header.from=a.example";

	(void)state;
	memset(&r, 0, sizeof(r));
	assert_int_equal(arc_aar_parse(v, strlen(v), &r), AM_OK);
	assert_string_equal(r.aar_id, "mx.lists.example");
	assert_string_equal(r.remote_ip, "192.0.2.10");
	assert_int_equal(r.naar, 4);
	assert_string_equal(r.aar[1].method, "spf");
	assert_string_equal(r.aar[1].domain, "a.example");
	assert_string_equal(r.aar[3].method, "dmarc");
	assert_string_equal(r.aar[3].result, "pass");
	assert_int_equal(arc_aar_parse(" i=1", 4, &r), AM_PERM);
	assert_int_equal(arc_aar_parse(" i=1; ", 6, &r), AM_PERM);
}

struct jcase {
	const char *label;
	enum arc_res res;
	const char *sealer;
	const char *aar;		/* AAR value */
	const char *from;
	bool	 trusted, override;
};

static const struct jcase jcases[] = {
	{"dmarc pass recorded", ARC_RES_PASS, "lists.example",
	    " i=1; mx.lists.example; dmarc=pass header.from=a.example",
	    "a.example", true, true},
	{"aligned dkim pass", ARC_RES_PASS, "lists.example",
	    " i=1; lists.example; dkim=pass header.d=mail.a.example",
	    "a.example", true, true},
	{"aligned spf pass", ARC_RES_PASS, "lists.example",
	    " i=1; lists.example; spf=pass smtp.mailfrom=x@a.example",
	    "a.example", true, true},
	{"chain fails", ARC_RES_FAIL, "lists.example",
	    " i=1; mx.lists.example; dmarc=pass header.from=a.example",
	    "a.example", false, false},
	{"temperror", ARC_RES_TEMPERROR, "lists.example",
	    " i=1; mx.lists.example; dmarc=pass header.from=a.example",
	    "a.example", false, false},
	{"untrusted sealer", ARC_RES_PASS, "other.example",
	    " i=1; mx.other.example; dmarc=pass header.from=a.example",
	    "a.example", false, false},
	{"authserv-id not the sealer's", ARC_RES_PASS, "lists.example",
	    " i=1; mx.attacker.example; dmarc=pass header.from=a.example",
	    "a.example", true, false},
	{"authserv-id merely ends like it", ARC_RES_PASS, "lists.example",
	    " i=1; badlists.example; dmarc=pass header.from=a.example",
	    "a.example", true, false},
	{"recorded a dmarc failure", ARC_RES_PASS, "lists.example",
	    " i=1; lists.example; dkim=pass header.d=a.example; dmarc=fail "
	    "header.from=a.example", "a.example", true, false},
	{"another From: domain", ARC_RES_PASS, "lists.example",
	    " i=1; lists.example; dmarc=pass header.from=b.example",
	    "a.example", true, false},
	{"dkim pass of another org", ARC_RES_PASS, "lists.example",
	    " i=1; lists.example; dkim=pass header.d=aa.example",
	    "a.example", true, false},
	{"nothing recorded", ARC_RES_PASS, "lists.example",
	    " i=1; lists.example; none", "a.example", true, false},
};

/* test_judge - trust and the RFC 9989 override */
static void
test_judge(void **state)
{
	const struct jcase *c;
	struct arc_trust *t;
	struct arc_result r;
	struct buf *why = buf_new(256);
	size_t	 i;

	(void)state;
	t = arc_trust_new("Lists.Example., third.example", why);
	assert_non_null(t);
	for (i = 0; i < sizeof(jcases) / sizeof(jcases[0]); i++) {
		c = &jcases[i];
		print_message("%s\n", c->label);
		memset(&r, 0, sizeof(r));
		r.result = c->res;
		r.n = 1;
		snprintf(r.sealer, sizeof(r.sealer), "%s", c->sealer);
		(void)arc_aar_parse(c->aar, strlen(c->aar), &r);
		arc_trust_judge(t, c->from, "a.example", &r);
		if (r.trusted != c->trusted || r.override != c->override)
			fail_msg("%s: trusted %d override %d (%s)", c->label,
			    r.trusted, r.override, r.reason);
		assert_int_equal(arc_sealer_trusted_pass(&r), c->trusted);
	}
	arc_trust_free(&t);
	assert_null(t);
	buf_free(&why);
}

/* test_trust_list - the key's value, a file, and errors */
static void
test_trust_list(void **state)
{
	struct buf *why = buf_new(256);
	struct arc_trust *t;
	char	 path[] = "/tmp/test_arc_XXXXXX";
	char	 long_name[300];
	FILE	*fp;
	int	 fd;

	(void)state;
	t = arc_trust_new("", why);
	assert_non_null(t);
	assert_false(arc_trust_has(t, "lists.example"));
	arc_trust_free(&t);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	fputs("# trusted lists\nlists.example\n\n  fwd.example # ours\n", fp);
	fclose(fp);
	snprintf(long_name, sizeof(long_name), "file:%s", path);
	t = arc_trust_new(long_name, why);
	assert_non_null(t);
	assert_true(arc_trust_has(t, "LISTS.example"));
	assert_true(arc_trust_has(t, "fwd.example"));
	assert_false(arc_trust_has(t, "ours"));
	assert_false(arc_trust_has(t, "example"));
	arc_trust_free(&t);
	unlink(path);
	assert_null(arc_trust_new("file:/nonexistent/arc-sealers", why));
	assert_non_null(strstr(buf_str(why), "cannot open"));
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	assert_null(arc_trust_new(long_name, why));
	buf_free(&why);
}

/* test_instance - i= of each kind of field */
static void
test_instance(void **state)
{
	int	 i;

	(void)state;
	assert_int_equal(arc_parse_instance("ARC-Seal", " i=7; cv=pass", 13,
	    &i), AM_OK);
	assert_int_equal(i, 7);
	assert_int_equal(arc_parse_instance("arc-authentication-results",
	    " i = 12 ; x", 11, &i), AM_OK);
	assert_int_equal(i, 12);
	assert_int_equal(arc_parse_instance("ARC-Seal", " i=x", 4, &i),
	    AM_PERM);
	assert_int_equal(arc_parse_instance("ARC-Seal", " i", 2, &i),
	    AM_PERM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_verify),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_aar),
		cmocka_unit_test(test_judge),
		cmocka_unit_test(test_trust_list),
		cmocka_unit_test(test_instance),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
