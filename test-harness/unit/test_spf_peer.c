/*
 * NAME
 *	test_spf_peer - hostile HELO and MAIL FROM strings through SPF
 * DESCRIPTION
 *	A HELO or MAIL FROM domain holding "(", '"', ";", CR, LF or NUL
 *	(cut there: libmilter hands C strings) gets a defined result, a
 *	bounded domain of letters, digits, ".", "-" and "_" (or none), a
 *	printable identity and a reason in our own words. Then the same
 *	results go through authres_format() and authres_received_spf():
 *	quotes and comments closed, exactly one spf= per identity outside
 *	them, no line break but a fold, no injected result.
 * SEE ALSO
 *	RFC 7208 4.3, 9.1; RFC 8601 2.2, 7.7
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/am.h"
#include "util/addr.h"
#include "util/buf.h"
#include "util/limits.h"
#include "dns/dns.h"
#include "auth/result.h"
#include "auth/authres.h"
#include "auth/spf.h"

/* the HELO strings; row PASS_ROW is cut at NUL to a good name */
static const char *const evil[] = {
	"pass.example (spf=pass)", "pass.example\";spf=pass",
	"pass.example;spf=pass", "pass.example\r\nX-Spf: pass",
	"pass.example\n", "(pass.example)", "\"pass.example\"",
	"pass.example\0(ignored)", "pass..example", ".pass.example",
	"[192.0.2.10]", "pass.example.\r", "pass.example\\", "p\x01.example",
	"pass.example; dkim=pass header.d=pass.example",
};
#define PASS_ROW	7

/* zone - pass.example lets 192.0.2.0/24 send */
static struct dns *
zone(void)
{
	struct dns *d = dns_mock_new();

	dns_mock_add(d, "pass.example", DNS_T_TXT,
	    "v=spf1 ip4:192.0.2.0/24 -all");
	return (d);
}

/* sane - bounded, no control byte */
static void
sane(const char *s, size_t size)
{
	size_t	 i, n = strnlen(s, size);

	assert_true(n < size);
	for (i = 0; i < n; i++)
		assert_true((unsigned char)s[i] >= 0x20 && s[i] != 0x7f);
}

/* domain_sane - empty, or letters, digits, ".", "-", "_" */
static void
domain_sane(const char *s)
{
	sane(s, LIM_DOMAIN);
	assert_true(strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRST"
	    "UVWXYZ0123456789.-_") == strlen(s));
}

/* bare - hay without its quoted-strings and comments (RFC 5322 3.2),
 * which must be closed; into out */
static void
bare(const char *hay, char *out, size_t outlen)
{
	size_t	 o = 0;
	int	 depth = 0, quoted = 0;

	for (; *hay != '\0' && o + 1 < outlen; hay++) {
		if ((quoted || depth > 0) && *hay == '\\' && hay[1] != '\0')
			hay++;
		else if (quoted)
			quoted = *hay != '"';
		else if (*hay == '"' && depth == 0)
			quoted = 1;
		else if (*hay == '(')
			depth++;
		else if (*hay == ')' && depth > 0)
			depth--;
		else if (depth == 0)
			out[o++] = *hay;
	}
	out[o] = '\0';
	assert_int_equal(quoted, 0);
	assert_int_equal(depth, 0);
}

/* count - occurrences of needle in hay outside quotes and comments */
static int
count(const char *hay, const char *needle)
{
	char	 b[LIM_AUTHRES];
	const char *p = b;
	int	 n = 0;

	bare(hay, b, sizeof(b));
	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	return (n);
}

/* header_sane - one field value: breaks only as folds, one spf= each */
static void
header_sane(const char *v, int nspf)
{
	const char *p;

	for (p = v; *p != '\0'; p++) {
		assert_true((unsigned char)*p >= 0x20 || *p == '\t' ||
		    (*p == '\n' && p[1] == '\t'));
		assert_true(*p != 0x7f);
	}
	assert_int_equal(count(v, "spf="), nspf);
	assert_int_equal(count(v, "dkim=pass"), 0);
	assert_int_equal(count(v, "dmarc=pass"), 0);
}

/* headers - our two fields for these results must stay well formed */
static void
headers(const struct spf_result *helo, const struct spf_result *from)
{
	struct auth_results *r = calloc(1, sizeof(*r));
	struct buf *out = buf_new(LIM_AUTHRES);

	assert_non_null(r);
	r->helo = *helo;
	r->mailfrom = *from;
	assert_int_equal(authres_format("mx.example", r, out), AM_OK);
	header_sane(buf_str(out), (helo->checked ? 1 : 0) +
	    (from->checked ? 1 : 0));
	buf_reset(out);
	assert_int_equal(authres_received_spf("mx.example", "192.0.2.10",
	    helo->identity, from, out), AM_OK);
	header_sane(buf_str(out), 0);
	buf_free(&out);
	free(r);
}

/* test_hostile_helo - every row as HELO and as MAIL FROM domain */
static void
test_hostile_helo(void **state)
{
	struct dns *d = zone();
	struct spf *sp = spf_new(d, NULL, NULL);
	struct spf_result helo, from;
	struct addr a;
	char	 mf[600];
	size_t	 i;
	enum spf_res want;

	assert_int_equal(addr_parse("192.0.2.10", &a), AM_OK);
	for (i = 0; i < AM_ARRAY_LEN(evil); i++) {
		want = i == PASS_ROW ? SPF_RES_PASS : SPF_RES_NONE;
		assert_int_equal(spf_check_helo(sp, &a, evil[i], &helo, NULL),
		    AM_OK);
		print_message("  %2zu: %s, %s\n", i, spf_res_str(helo.result),
		    helo.reason);
		assert_int_equal(helo.result, want);
		domain_sane(helo.domain);
		sane(helo.identity, sizeof(helo.identity));
		snprintf(mf, sizeof(mf), "user@%s", evil[i]);
		assert_int_equal(spf_check_mailfrom(sp, &a, evil[i], mf, &from,
		    NULL), AM_OK);
		assert_int_equal(from.result, want);
		assert_true(from.checked);
		domain_sane(from.domain);
		sane(from.identity, sizeof(from.identity));
		sane(from.reason, sizeof(from.reason));
		headers(&helo, &from);
	}
	spf_free(&sp);
	dns_free(&d);
}

/* test_hostile_local - a local-part is peer text too; the domain is
 * checked, the identity shows '?' for control bytes; overlong input */
static void
test_hostile_local(void **state)
{
	struct dns *d = zone();
	struct spf *sp = spf_new(d, NULL, NULL);
	struct spf_result helo, from;
	struct addr a;
	char	 mf[600];

	assert_int_equal(addr_parse("192.0.2.10", &a), AM_OK);
	memset(&helo, 0, sizeof(helo));
	assert_int_equal(spf_check_mailfrom(sp, &a, NULL,
	    "a\r\nb(\";)@pass.example", &from, NULL), AM_OK);
	assert_int_equal(from.result, SPF_RES_PASS);
	assert_string_equal(from.identity, "a??b(\";)@pass.example");
	assert_string_equal(from.domain, "pass.example");
	headers(&helo, &from);
	memset(mf, 'a', sizeof(mf) - 1);
	mf[sizeof(mf) - 1] = '\0';
	assert_int_equal(spf_check_mailfrom(sp, &a, "x\r\n", mf, &from,
	    NULL), AM_OK);
	assert_int_equal(from.result, SPF_RES_NONE);
	sane(from.identity, sizeof(from.identity));
	headers(&helo, &from);
	spf_free(&sp);
	dns_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_helo),
		cmocka_unit_test(test_hostile_local),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
