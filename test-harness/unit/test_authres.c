/*
 * NAME
 *	test_authres - unit tests for Authentication-Results and Received-SPF
 * DESCRIPTION
 *	authres_is_ours() against a table of field values; authres_format()
 *	and authres_received_spf() against expected text (compared with the
 *	folds undone) and against hostile peer strings, checked with a small
 *	RFC 8601 lexer: every ";" outside quotes and comments starts a
 *	resinfo, comments balance, and no raw CR, LF (but folds), NUL, CTL
 *	or 8-bit byte appears.
 * SEE ALSO
 *	auth/authres.c, RFC 8601 2.2, RFC 7208 9.1
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/authres.h"
#include "auth/result.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"

#define ID	"mx.example.net"

/* --- authres_is_ours -------------------------------------------------- */

struct ours_case {
	const char *label;
	const char *value;
	int	 want;
};

static const struct ours_case ours_cases[] = {
	{"plain", "mx.example.net; spf=pass smtp.mailfrom=a.example", 1},
	{"case", "MX.Example.NET; none", 1},
	{"leading space", " mx.example.net; none", 1},
	{"leading fold", "\r\n\tmx.example.net; none", 1},
	{"comment first", "(c) MX.Example.Net ; spf=pass", 1},
	{"nested comment", "(a (b) c)mx.example.net 1; spf=pass", 1},
	{"quoted-pair in comment", "(a \\) b) mx.example.net; none", 1},
	{"comment right after", "mx.example.net(x); none", 1},
	{"version after", "mx.example.net 1; none", 1},
	{"no semicolon", "mx.example.net", 1},
	{"fold after", "mx.example.net\n\t; spf=pass", 1},
	{"trailing dot", "mx.example.net.; none", 1},
	{"quoted id", "\"mx.example.net\"; none", 1},
	{"quoted id with pair", "\"mx.exam\\ple.net\" ; none", 1},
	{"prefix trick", "mx.example.net.evil; spf=pass", 0},
	{"suffix trick", "evil.mx.example.net; spf=pass", 0},
	{"longer", "mx.example.netx; none", 0},
	{"shorter", "mx.example.ne; none", 0},
	{"slash", "mx.example.net/x; none", 0},
	{"quote after", "mx.example.net\"x\"; none", 0},
	{"quoted then junk", "\"mx.example.net\"x; none", 0},
	{"unclosed quote", "\"mx.example.net; none", 0},
	{"id in comment only", "(mx.example.net) other.example; none", 0},
	{"unclosed comment", "(oops mx.example.net; spf=pass", 0},
	{"empty", "", 0},
	{"cfws only", " (c) ", 0},
	{"other", "other.example; spf=pass", 0},
	{"semicolon first", "; mx.example.net", 0},
};

/* test_is_ours - the table, then NUL and length corner cases */
static void
test_is_ours(void **state)
{
	static const char nul[] = "mx.example.net\0; none";
	static const char nul2[] = "mx.exa\0mple.net; none";
	size_t	 i;
	int	 bad = 0, got;

	(void)state;
	for (i = 0; i < AM_ARRAY_LEN(ours_cases); i++) {
		got = authres_is_ours(ours_cases[i].value,
		    strlen(ours_cases[i].value), ID);
		if (got != ours_cases[i].want) {
			print_error("%s: \"%s\" is_ours %d, want %d\n",
			    ours_cases[i].label, ours_cases[i].value, got,
			    ours_cases[i].want);
			bad++;
		}
	}
	assert_int_equal(bad, 0);
	assert_int_equal(authres_is_ours(nul, sizeof(nul) - 1, ID), 0);
	assert_int_equal(authres_is_ours(nul2, sizeof(nul2) - 1, ID), 0);
	/* only len bytes count: the id is cut short */
	assert_int_equal(authres_is_ours("mx.example.net", 10, ID), 0);
	assert_int_equal(authres_is_ours("mx.example.netXX", 14, ID), 1);
	assert_int_equal(authres_is_ours("mx.example.net", 14, ""), 0);
	assert_int_equal(authres_is_ours(NULL, 0, ID), 0);
	assert_int_equal(authres_is_ours("a.example.", 10, "A.example"), 1);
}

/* --- a small RFC 8601 lexer for the output ---------------------------- */

/* unfold - copy s with every "\n\t" fold turned into one space */
static void
unfold(const char *s, char *dst, size_t len)
{
	size_t	 n = 0;

	for (; *s != '\0' && n + 1 < len; s++) {
		if (s[0] == '\n' && s[1] == '\t') {
			dst[n++] = ' ';
			s++;
		} else
			dst[n++] = *s;
	}
	dst[n] = '\0';
}

/* lex_ok - 1 if s is clean; *nres_r counts top-level ";" */
static int
lex_ok(const char *s, int *nres_r, size_t *maxline_r)
{
	int	 depth = 0, nres = 0;
	bool	 quoted = false;
	size_t	 col = 0, maxline = 0;
	unsigned char c;

	for (; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (c == '\n') {
			if (s[1] != '\t')
				return (print_error("LF without TAB\n"), 0);
			maxline = col > maxline ? col : maxline;
			col = 0;
			continue;
		}
		col++;
		if ((c < ' ' && c != '\t') || c >= 0x7f)
			return (print_error("raw byte 0x%02x\n", c), 0);
		if (c == '\\' && (quoted || depth > 0)) {
			if (*++s == '\0' || *s == '\n')
				return (print_error("dangling \\\n"), 0);
			col++;
		} else if (quoted)
			quoted = c != '"';
		else if (c == '"' && depth == 0)
			quoted = true;
		else if (c == '(')
			depth++;
		else if (c == ')' && --depth < 0)
			return (print_error("unbalanced )\n"), 0);
		else if (c == ';' && depth == 0)
			nres++;
	}
	if (quoted || depth != 0)
		return (print_error("unclosed quote or comment\n"), 0);
	*nres_r = nres;
	if (maxline_r != NULL)
		*maxline_r = col > maxline ? col : maxline;
	return (1);
}

/* --- authres_format --------------------------------------------------- */

/* ar_example - the results of the brief's example */
static void
ar_example(struct auth_results *r)
{
	memset(r, 0, sizeof(*r));
	r->mailfrom.checked = true;
	r->mailfrom.result = SPF_RES_PASS;
	snprintf(r->mailfrom.domain, sizeof(r->mailfrom.domain), "a.example");
	snprintf(r->mailfrom.identity, sizeof(r->mailfrom.identity),
	    "user@a.example");
	r->helo.checked = true;
	r->helo.result = SPF_RES_PASS;
	snprintf(r->helo.domain, sizeof(r->helo.domain), "mail.a.example");
	snprintf(r->helo.identity, sizeof(r->helo.identity),
	    "mail.a.example");
	r->dkim.nsigs = 1;
	r->dkim.sigs[0].result = DKIM_RES_PASS;
	snprintf(r->dkim.sigs[0].d, sizeof(r->dkim.sigs[0].d), "a.example");
	snprintf(r->dkim.sigs[0].s, sizeof(r->dkim.sigs[0].s), "s1");
	snprintf(r->dkim.sigs[0].a, sizeof(r->dkim.sigs[0].a), "rsa-sha256");
	snprintf(r->dkim.sigs[0].b, sizeof(r->dkim.sigs[0].b), "AbCdEfGh");
	r->from.status = FROM_OK;
	r->from.ndomains = 1;
	snprintf(r->from.domains[0], sizeof(r->from.domains[0]), "a.example");
	r->dmarc.result = DMARC_RES_PASS;
	r->dmarc.policy = r->dmarc.p = DMARC_P_REJECT;
	r->dmarc.pct = 100;
	snprintf(r->dmarc.from_domain, sizeof(r->dmarc.from_domain),
	    "a.example");
}

/* format_ok - format r; check syntax; return the unfolded text */
static const char *
format_ok(const struct auth_results *r, int want_nres, char *flat,
    size_t len)
{
	struct buf *out = buf_new(LIM_AUTHRES);
	size_t	 maxline;
	int	 nres;

	assert_int_equal(authres_format(ID, r, out), AM_OK);
	if (!lex_ok(buf_str(out), &nres, &maxline) || nres != want_nres) {
		print_error("bad output (%d resinfo, want %d):\n%s\n", nres,
		    want_nres, buf_str(out));
		fail();
	}
	unfold(buf_str(out), flat, len);
	buf_free(&out);
	return (flat);
}

/* test_format_example - the reference line, folded at 78 columns */
static void
test_format_example(void **state)
{
	struct auth_results r;
	struct buf *out = buf_new(LIM_AUTHRES);
	char	 flat[LIM_AUTHRES];
	size_t	 maxline;
	int	 nres;

	(void)state;
	ar_example(&r);
	assert_int_equal(authres_format(ID, &r, out), AM_OK);
	assert_true(lex_ok(buf_str(out), &nres, &maxline));
	assert_int_equal(nres, 4);
	/* the first line carries "Authentication-Results: " (24) */
	assert_true(strchr(buf_str(out), '\n') - buf_str(out) + 24 <= 78);
	assert_true(maxline + 8 <= 78);
	assert_non_null(strstr(buf_str(out), ";\n\t"));
	unfold(buf_str(out), flat, sizeof(flat));
	assert_string_equal(flat, "mx.example.net; spf=pass "
	    "smtp.mailfrom=a.example; spf=pass smtp.helo=mail.a.example; "
	    "dkim=pass header.d=a.example header.s=s1 header.a=rsa-sha256 "
	    "header.b=AbCdEfGh; dmarc=pass (p=reject) header.from=a.example");
	buf_free(&out);
}

/* test_format_np - np= and a non-existent From: domain are shown */
static void
test_format_np(void **state)
{
	struct auth_results r;
	struct buf *out = buf_new(LIM_AUTHRES);
	char	 flat[LIM_AUTHRES];

	(void)state;
	ar_example(&r);
	r.dmarc.result = DMARC_RES_FAIL;
	r.dmarc.p = DMARC_P_NONE;
	r.dmarc.np = DMARC_P_REJECT;
	r.dmarc.policy = DMARC_P_REJECT;
	r.dmarc.nonexistent = true;
	assert_int_equal(authres_format(ID, &r, out), AM_OK);
	unfold(buf_str(out), flat, sizeof(flat));
	assert_non_null(strstr(flat,
	    "dmarc=fail (p=none np=reject nxdomain) header.from=a.example"));
	buf_free(&out);
}

/* test_format_variants - none, null sender, failures, policy comment */
static void
test_format_variants(void **state)
{
	struct auth_results r;
	char	 flat[LIM_AUTHRES];

	(void)state;
	memset(&r, 0, sizeof(r));		/* nothing checked */
	assert_string_equal(format_ok(&r, 2, flat, sizeof(flat)),
	    ID "; dkim=none; dmarc=none");

	ar_example(&r);				/* null sender */
	snprintf(r.mailfrom.domain, sizeof(r.mailfrom.domain),
	    "mail.a.example");
	snprintf(r.mailfrom.identity, sizeof(r.mailfrom.identity),
	    "postmaster@mail.a.example");
	r.helo.checked = false;
	r.dkim.nsigs = 0;
	assert_non_null(strstr(format_ok(&r, 3, flat, sizeof(flat)),
	    "; spf=pass smtp.mailfrom=\"postmaster@mail.a.example\"; "
	    "dkim=none; dmarc=pass"));

	ar_example(&r);				/* failures with reasons */
	r.mailfrom.result = SPF_RES_FAIL;
	snprintf(r.mailfrom.reason, sizeof(r.mailfrom.reason), "not listed");
	r.dkim.nsigs = 2;
	r.dkim.sigs[0].partial_body = true;
	r.dkim.sigs[1] = r.dkim.sigs[0];
	r.dkim.sigs[1].partial_body = false;
	r.dkim.sigs[1].result = DKIM_RES_POLICY;
	snprintf(r.dkim.sigs[1].reason, sizeof(r.dkim.sigs[1].reason),
	    "rsa-sha1");
	snprintf(r.dkim.sigs[1].i, sizeof(r.dkim.sigs[1].i), "@a.example");
	r.dmarc.result = DMARC_RES_FAIL;
	r.dmarc.policy = r.dmarc.sp = DMARC_P_QUARANTINE;
	r.dmarc.pct = 50;
	r.dmarc.testing = true;
	format_ok(&r, 5, flat, sizeof(flat));
	assert_non_null(strstr(flat, "spf=fail (not listed) "
	    "smtp.mailfrom=a.example;"));
	assert_non_null(strstr(flat, "dkim=pass (partial body signed) "
	    "header.d=a.example"));
	assert_non_null(strstr(flat, "dkim=policy (rsa-sha1) "
	    "header.d=a.example header.i=\"@a.example\" header.s=s1"));
	assert_non_null(strstr(flat, "; dmarc=fail (p=reject sp=quarantine "
	    "pct=50 testing) header.from=a.example"));

	ar_example(&r);				/* DMARC temperror */
	memset(&r.dmarc, 0, sizeof(r.dmarc));
	r.dmarc.result = DMARC_RES_TEMPERROR;
	snprintf(r.dmarc.from_domain, sizeof(r.dmarc.from_domain),
	    "a.example");
	snprintf(r.dmarc.reason, sizeof(r.dmarc.reason),
	    "DNS temporary failure at _dmarc.a.example");
	assert_non_null(strstr(format_ok(&r, 4, flat, sizeof(flat)),
	    "; dmarc=temperror (DNS temporary failure at _dmarc.a.example) "
	    "header.from=a.example"));
}

/* test_format_bad_from - no DMARC evaluation: permerror and why */
static void
test_format_bad_from(void **state)
{
	struct auth_results r;
	char	 flat[LIM_AUTHRES];

	(void)state;
	ar_example(&r);
	memset(&r.dmarc, 0, sizeof(r.dmarc));
	r.from.status = FROM_MULTIPLE_FIELDS;
	snprintf(r.from.reason, sizeof(r.from.reason), "2 From: fields");
	assert_non_null(strstr(format_ok(&r, 4, flat, sizeof(flat)),
	    "; dmarc=permerror (From: multiple-fields: 2 From: fields) "
	    "header.from=a.example"));

	memset(&r.from, 0, sizeof(r.from));
	r.from.status = FROM_MISSING;
	snprintf(r.from.reason, sizeof(r.from.reason), "no From: field");
	format_ok(&r, 4, flat, sizeof(flat));
	assert_non_null(strstr(flat,
	    "; dmarc=permerror (From: missing: no From: field)"));
	assert_null(strstr(flat, "header.from"));

	memset(&r.from, 0, sizeof(r.from));	/* a hostile reason */
	r.from.status = FROM_UNPARSEABLE;
	snprintf(r.from.reason, sizeof(r.from.reason),
	    "x) ; dmarc=pass (\\");
	format_ok(&r, 4, flat, sizeof(flat));
	assert_non_null(strstr(flat, "(From: unparseable: x\\) , "
	    "dmarc=pass \\(\\\\)"));
}

/* test_format_injection - hostile d=, s=, b=, i= cannot add anything */
static void
test_format_injection(void **state)
{
	static const char *evil[] = {
		"a.example; dkim=pass header.d=victim.example",
		"a.example (dkim=pass)",
		"a.example)",
		"a.example\r\nX-Injected: yes",
		"a.example\nX-Injected: yes",
		"a\"b\\\"; dkim=pass",
		"\xc3\xa9vil.example",
		"a\x01\x7f" "b",
		"\\",
		"\"",
		"(",
	};
	struct auth_results r;
	char	 flat[LIM_AUTHRES];
	size_t	 i;

	(void)state;
	for (i = 0; i < AM_ARRAY_LEN(evil); i++) {
		ar_example(&r);
		snprintf(r.dkim.sigs[0].d, sizeof(r.dkim.sigs[0].d), "%s",
		    evil[i]);
		snprintf(r.dkim.sigs[0].s, sizeof(r.dkim.sigs[0].s), "%s",
		    evil[i]);
		snprintf(r.dkim.sigs[0].b, sizeof(r.dkim.sigs[0].b), "%.15s",
		    evil[i]);
		snprintf(r.dkim.sigs[0].i, sizeof(r.dkim.sigs[0].i), "%s",
		    evil[i]);
		r.dkim.sigs[0].result = DKIM_RES_FAIL;
		snprintf(r.dkim.sigs[0].reason, sizeof(r.dkim.sigs[0].reason),
		    "%s", evil[i]);
		snprintf(r.mailfrom.domain, sizeof(r.mailfrom.domain), "%s",
		    evil[i]);
		snprintf(r.helo.domain, sizeof(r.helo.domain), "%s", evil[i]);
		format_ok(&r, 4, flat, sizeof(flat));
		assert_null(strstr(flat, "X-Injected: yes\n"));
	}
	ar_example(&r);
	snprintf(r.dkim.sigs[0].d, sizeof(r.dkim.sigs[0].d), "a;b");
	format_ok(&r, 4, flat, sizeof(flat));
	assert_non_null(strstr(flat, "header.d=\"a;b\""));
	snprintf(r.dkim.sigs[0].d, sizeof(r.dkim.sigs[0].d), "a\"b\\c\r\n");
	format_ok(&r, 4, flat, sizeof(flat));
	assert_non_null(strstr(flat, "header.d=\"a\\\"b\\\\c??\""));
	snprintf(r.dkim.sigs[0].b, sizeof(r.dkim.sigs[0].b), "ab/+=");
	format_ok(&r, 4, flat, sizeof(flat));
	assert_non_null(strstr(flat, "header.b=\"ab/+=\""));
}

/* test_format_many - many signatures fold; each line fits */
static void
test_format_many(void **state)
{
	struct auth_results *r = calloc(1, sizeof(*r));
	struct buf *out = buf_new(LIM_AUTHRES);
	size_t	 maxline;
	int	 i, nres;

	(void)state;
	assert_non_null(r);
	ar_example(r);
	r->dkim.nsigs = LIM_DKIM_SIGS + 5;	/* over the array: capped */
	for (i = 0; i < LIM_DKIM_SIGS; i++)
		r->dkim.sigs[i] = r->dkim.sigs[0];
	assert_int_equal(authres_format(ID, r, out), AM_OK);
	assert_true(lex_ok(buf_str(out), &nres, &maxline));
	assert_int_equal(nres, 2 + LIM_DKIM_SIGS + 1);
	assert_true(maxline + 8 <= 78);

	buf_free(&out);			/* over the cap: AM_PERM */
	out = buf_new(60);
	assert_int_equal(authres_format(ID, r, out), AM_PERM);
	buf_free(&out);
	free(r);
}

/* --- Received-SPF ----------------------------------------------------- */

/* rspf_helo - a Received-SPF value with a HELO, checked and unfolded */
static const char *
rspf_helo(const char *ip, const char *helo, const struct spf_result *r,
    char *flat, size_t len)
{
	struct buf *out = buf_new(LIM_AUTHRES);
	int	 n;

	assert_int_equal(authres_received_spf(ID, ip, helo, r, out), AM_OK);
	if (!lex_ok(buf_str(out), &n, NULL) || n != 5) {
		print_error("bad Received-SPF (%d pairs):\n%s\n", n,
		    buf_str(out));
		fail();
	}
	unfold(buf_str(out), flat, len);
	buf_free(&out);
	return (flat);
}

/* rspf - a Received-SPF value, HELO mail.a.example */
static const char *
rspf(const char *ip, const struct spf_result *r, char *flat, size_t len)
{
	return (rspf_helo(ip, "mail.a.example", r, flat, len));
}

/* test_rspf_is_ours - Received-SPF naming our receiver */
static void
test_rspf_is_ours(void **state)
{
	static const struct {
		const char *value;
		int	 want;
	} rows[] = {
		{" pass (mx.example.net: domain of a.example designates "
		    "192.0.2.1 as permitted sender) receiver=mx.example.net;", 1},
		{" pass receiver=MX.Example.NET; identity=mailfrom", 1},
		{" pass client-ip=192.0.2.1;receiver = \"mx.example.net\";", 1},
		{" pass ( mx.example.net : forged comment only)", 1},
		{" pass (mx.example.net.evil: no) receiver=mx.example.net.evil",
		    0},
		{" pass (other.example: yes) receiver=other.example;", 0},
		{" pass envelope-from=receiver@mx.example.net;", 0},
		{" pass xreceiver=mx.example.net;", 0},
		{"", 0},
	};
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (authres_rspf_is_ours(rows[i].value, strlen(rows[i].value),
		    ID) != rows[i].want)
			fail_msg("row %zu: %s", i, rows[i].value);
}

/* test_received_spf - RFC 7208 9.1 text; peer strings escaped */
static void
test_received_spf(void **state)
{
	struct spf_result r;
	char	 flat[LIM_AUTHRES];

	(void)state;
	memset(&r, 0, sizeof(r));
	r.checked = true;
	r.result = SPF_RES_PASS;
	snprintf(r.domain, sizeof(r.domain), "a.example");
	snprintf(r.identity, sizeof(r.identity), "user@a.example");
	snprintf(r.reason, sizeof(r.reason), "EXPLANATION exp= text");
	assert_string_equal(rspf("192.0.2.1", &r, flat, sizeof(flat)),
	    "pass (mx.example.net: domain of a.example designates 192.0.2.1 "
	    "as permitted sender) client-ip=192.0.2.1; "
	    "envelope-from=\"user@a.example\"; helo=mail.a.example; "
	    "receiver=mx.example.net; identity=mailfrom;");
	assert_null(strstr(flat, "EXPLANATION"));
	/* a hostile HELO is one quoted value, not more pairs */
	rspf_helo("192.0.2.1", "x; receiver=mx.example.net; (evil", &r, flat,
	    sizeof(flat));
	assert_non_null(strstr(flat,
	    "helo=\"x; receiver=mx.example.net; (evil\";"));

	assert_non_null(strstr(rspf("2001:db8::1", &r, flat, sizeof(flat)),
	    "client-ip=\"2001:db8::1\";"));

	r.result = SPF_RES_FAIL;
	assert_non_null(strstr(rspf("192.0.2.1", &r, flat, sizeof(flat)),
	    "fail (mx.example.net: domain of a.example does not designate"));
	r.result = SPF_RES_SOFTFAIL;
	assert_non_null(strstr(rspf("192.0.2.1", &r, flat, sizeof(flat)),
	    "softfail (mx.example.net: domain of transitioning a.example"));
	r.result = SPF_RES_NEUTRAL;
	assert_non_null(strstr(rspf("192.0.2.1", &r, flat, sizeof(flat)),
	    "neutral (mx.example.net: 192.0.2.1 is neither"));
	r.result = SPF_RES_TEMPERROR;
	assert_non_null(strstr(rspf("192.0.2.1", &r, flat, sizeof(flat)),
	    "temperror ("));
	r.result = SPF_RES_PERMERROR;
	assert_non_null(strstr(rspf("192.0.2.1", &r, flat, sizeof(flat)),
	    "permerror ("));
	r.result = SPF_RES_NONE;
	assert_non_null(strstr(rspf("192.0.2.1", &r, flat, sizeof(flat)),
	    "none (mx.example.net: no SPF record for a.example)"));

	r.result = SPF_RES_PASS;		/* hostile MAIL FROM */
	snprintf(r.domain, sizeof(r.domain), "x) ; receiver=evil (\r\n");
	snprintf(r.identity, sizeof(r.identity), "a\"b\\c;d\r\ne@x\x80");
	rspf("192.0.2.1", &r, flat, sizeof(flat));
	assert_non_null(strstr(flat, "domain of x\\) , receiver=evil \\(?? "
	    "designates"));
	assert_non_null(strstr(flat,
	    "envelope-from=\"a\\\"b\\\\c;d??e@x?\";"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_is_ours),
		cmocka_unit_test(test_format_example),
		cmocka_unit_test(test_format_np),
		cmocka_unit_test(test_format_variants),
		cmocka_unit_test(test_format_bad_from),
		cmocka_unit_test(test_format_injection),
		cmocka_unit_test(test_format_many),
		cmocka_unit_test(test_received_spf),
		cmocka_unit_test(test_rspf_is_ours),
	};

	fprintf(stderr, "test_authres: %zu is_ours cases\n",
	    AM_ARRAY_LEN(ours_cases));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
