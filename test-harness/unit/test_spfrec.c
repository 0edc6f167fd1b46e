/*
 * NAME
 *	test_spfrec - SPF records against the RFC 7208 grammar
 * DESCRIPTION
 *	Table-driven: record selection (4.5), valid and invalid records
 *	(section 12 and the rules of 5, 6 and 7), macro edge cases, the
 *	terms a valid record splits into, canonical domain-specs, and the
 *	CVE-2023-42118 record: a term whose compiled form would overrun
 *	libspf2's buffer is refused here, before libspf2 sees it.
 * SEE ALSO
 *	RFC 7208 4.5, 5, 6, 7, 12; CVE-2023-42118
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
#include "util/buf.h"
#include "auth/spfrec.h"

struct rec_case {
	const char *label;
	const char *rec;
	int	 want;			/* AM_OK or AM_PERM */
	const char *why;		/* substring of the reason, or NULL */
};

#define OK	AM_OK
#define PERM	AM_PERM

static const struct rec_case recs[] = {
	/* valid */
	{"empty record", "v=spf1", OK, NULL},
	{"version in any case", "V=sPf1 -all", OK, NULL},
	{"all four qualifiers", "v=spf1 +a -mx ~ptr ?all", OK, NULL},
	{"two spaces, trailing space", "v=spf1  a  -all  ", OK, NULL},
	{"mechanism names in any case", "v=spf1 A MX:Example.COM -ALL", OK,
	    NULL},
	{"ip4 and cidr", "v=spf1 ip4:192.0.2.0/24 ip4:10.0.0.1 -all", OK,
	    NULL},
	{"ip4 /0 and /32", "v=spf1 ip4:0.0.0.0/0 ip4:1.2.3.4/32", OK, NULL},
	{"ip6 forms", "v=spf1 ip6:2001:db8::/32 ip6:::1 ip6:::1.2.3.4/128",
	    OK, NULL},
	{"long ip6 text", "v=spf1 ip6:2a01:111:f403:c000::/51 -all", OK,
	    NULL},
	{"a and mx dual cidr", "v=spf1 a/24//64 mx:mx.example.com//0 -all",
	    OK, NULL},
	{"a with colon and slash in name",
	    "v=spf1 a:foo:bar/baz.example.com", OK, NULL},
	{"dash in top label", "v=spf1 a:foo.co-uk", OK, NULL},
	{"digits and dash top label", "v=spf1 a:foo.123-4", OK, NULL},
	{"trailing dot", "v=spf1 a:example.com. -all", OK, NULL},
	{"domain-spec ends in macro", "v=spf1 exists:%{i}.%{d}", OK, NULL},
	{"every domain macro letter",
	    "v=spf1 exists:%{s}%{l}%{o}%{d}%{i}%{p}%{h}%{v}.example", OK,
	    NULL},
	{"upper-case macros (URL-encode)", "v=spf1 exists:%{L}.%{D2r}.x.org",
	    OK, NULL},
	{"transformers and delimiters",
	    "v=spf1 exists:%{l1r-+,/_=.}.%{d200}.example.com", OK, NULL},
	{"%% %_ %- escapes", "v=spf1 a:m%%p%_s%-u.example.com -all", OK,
	    NULL},
	{"ends in %%", "v=spf1 a:foo%%", OK, NULL},
	{"include and redirect", "v=spf1 include:_spf.example.com "
	    "redirect=_r.example.com", OK, NULL},
	{"redirect anywhere", "v=spf1 redirect=r.example.com a", OK, NULL},
	{"exp= ends in a label", "v=spf1 -all exp=%{d}.exp.example.com",
	    OK, NULL},
	{"unknown modifiers", "v=spf1 moo.cow-far_out=man:dog/cat "
	    "default=- x= foo=%{c}%{r}%{t} -all", OK, NULL},
	{"ip4= is a modifier", "v=spf1 ip4=1.2.3.4", OK, NULL},
	{"terms after all", "v=spf1 -all a:example.com", OK, NULL},

	/* selection and bytes */
	{"not selected: v=spf10", "v=spf10 -all", PERM, "not an SPF"},
	{"NUL byte", "v=spf1 a:foo.example.com\0", PERM, "0x00"},
	{"TAB", "v=spf1 a\t-all", PERM, "0x09"},
	{"TAB after version: not selected", "v=spf1\ta", PERM, "not an SPF"},
	{"LF", "v=spf1 ip4:192.0.2.5\n include:x.example.com", PERM, "0x0a"},
	{"CR", "v=spf1 a:ctrl.example.com\rptr -all", PERM, "0x0d"},
	{"8-bit", "v=spf1 a:\xef\xbb\xbfgarbage.example.net -all", PERM,
	    "0xef"},
	{"8-bit all", "v=spf1 a:example.net \x96" "all", PERM, "0x96"},

	/* mechanisms */
	{"unknown mechanism", "v=spf1 moo", PERM, "unknown mechanism"},
	{"redirect as mechanism", "v=spf1 redirect:t2.example.com", PERM,
	    "unknown mechanism"},
	{"qualified modifier", "v=spf1 -redirect=x.example.com", PERM,
	    "unknown mechanism"},
	{"bare qualifier", "v=spf1 +", PERM, "unknown mechanism"},
	{"all.", "v=spf1 -all.", PERM, "bad character"},
	{"all:arg", "v=spf1 -all:foobar", PERM, "bad character"},
	{"all/8", "v=spf1 -all/8", PERM, "bad character"},
	{"ptr/0", "v=spf1 ptr/0 -all", PERM, "bad character"},
	{"include without domain", "v=spf1 include", PERM, "needs a domain"},
	{"include:", "v=spf1 include: -all", PERM, "empty domain-spec"},
	{"exists without domain", "v=spf1 exists", PERM, "needs a domain"},
	{"a:", "v=spf1 a: -all", PERM, "empty domain-spec"},
	{"ptr:", "v=spf1 ptr:", PERM, "empty domain-spec"},
	{"moo.cow/far", "v=spf1 moo.cow/far_out=man:dog/cat", PERM,
	    "unknown mechanism"},
	{"empty modifier name", "v=spf1 =foo.example.com", PERM,
	    "unknown mechanism"},

	/* addresses and CIDR */
	{"ip4 without address", "v=spf1 ip4", PERM, "without an address"},
	{"bad ip4", "v=spf1 ip4:192.0.2.300 -all", PERM, "IPv4"},
	{"ip4 short", "v=spf1 ip4:1.2.3", PERM, "IPv4"},
	{"ip4 leading zero", "v=spf1 ip4:01.2.3.4", PERM, "IPv4"},
	{"ip4 with port", "v=spf1 ip4:1.2.3.4:8080", PERM, "IPv4"},
	{"ip4 /33", "v=spf1 ip4:1.2.3.4/33", PERM, "CIDR"},
	{"ip4 /032", "v=spf1 ip4:1.2.3.4/032", PERM, "CIDR"},
	{"ip4 dual cidr", "v=spf1 ip4:1.2.3.4/32//64", PERM, "CIDR"},
	{"ip4 empty cidr", "v=spf1 ip4:1.2.3.4/", PERM, "CIDR"},
	{"bad ip6", "v=spf1 ip6:1.2.3.4", PERM, "IPv6"},
	{"ip6 scope", "v=spf1 ip6:fe80::1%eth0", PERM, "IPv6"},
	{"ip6 /129", "v=spf1 ip6:::1/129", PERM, "CIDR"},
	{"a /33", "v=spf1 a/33 -all", PERM, "CIDR"},
	{"a //129", "v=spf1 a//129 -all", PERM, "CIDR"},
	{"a /33//64", "v=spf1 a/33//64", PERM, "CIDR"},
	{"mx /024", "v=spf1 mx/024", PERM, "CIDR"},

	/* domain-end (7.1) */
	{"no dot", "v=spf1 a:foo-bar -all", PERM, "top label"},
	{"numeric top label", "v=spf1 a:1.2.3.4", PERM, "top label"},
	{"numeric top label 2", "v=spf1 mx:example.123", PERM, "top label"},
	{"top label starts with dash", "v=spf1 a:foo.-bar", PERM,
	    "top label"},
	{"top label ends with dash", "v=spf1 a:foo.bar-", PERM, "top label"},
	{"only a top label", "v=spf1 a:museum", PERM, "top label"},
	{"only a top label and dot", "v=spf1 a:museum.", PERM, "top label"},
	{"two trailing dots", "v=spf1 a:example.com..", PERM, "top label"},
	{"macro then label without dot", "v=spf1 a:%{d}com", PERM,
	    "top label"},
	{"exists with cidr", "v=spf1 exists:mail.example.com/24", PERM,
	    "top label"},
	{"include with cidr", "v=spf1 include:example.com/24", PERM,
	    "top label"},

	/* macros (7.2, 7.3) */
	{"unknown macro letter", "v=spf1 a:%{x}.example.com", PERM,
	    "macro letter"},
	{"c only in exp", "v=spf1 a:%{c}.example.com", PERM, "c, r or t"},
	{"r only in exp", "v=spf1 exists:%{r}.example.com", PERM,
	    "c, r or t"},
	{"t only in exp", "v=spf1 redirect=%{t}.example.com", PERM,
	    "c, r or t"},
	{"zero labels", "v=spf1 a:%{d0}.example.com", PERM, "zero"},
	{"unterminated macro", "v=spf1 a:%{d.example.com", PERM,
	    "malformed macro"},
	{"bad delimiter", "v=spf1 a:%{l|}.example.com", PERM,
	    "malformed macro"},
	{"empty macro", "v=spf1 a:%{}.example.com", PERM, "macro letter"},
	{"bare %", "v=spf1 a:100%.example.com", PERM, "'%'"},
	{"% at end", "v=spf1 a:example.com%", PERM, "'%'"},
	{"%a", "v=spf1 exists:%a.example.com", PERM, "'%'"},
	{"bad macro in unknown modifier", "v=spf1 -all foo=%", PERM, "'%'"},
	{"unknown modifier too long", "v=spf1 -all foo="
	    "%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}"
	    "%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}"
	    "%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}"
	    "%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}"
	    "%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}"
	    "%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}%{d}"
	    "%{d}%{d}%{d}%{d}%{d}", PERM, "too long"},

	/* modifiers (6) */
	{"redirect twice", "v=spf1 redirect=a.example.com "
	    "redirect=b.example.com", PERM, "twice"},
	{"exp twice", "v=spf1 exp=a.example.com exp=b.example.com", PERM,
	    "twice"},
	{"redirect empty", "v=spf1 redirect=", PERM, "empty"},
	{"exp empty", "v=spf1 -all exp=", PERM, "empty"},
	{"exp bad domain", "v=spf1 -all exp=foo", PERM, "top label"},
	{"Redirect in any case", "v=spf1 Redirect=a.example.com "
	    "REDIRECT=b.example.com", PERM, "twice"},
};

/* test_records - every row: status and reason */
static void
test_records(void **state)
{
	struct spfrec *r = calloc(1, sizeof(*r));
	struct buf *why = buf_new(256);
	size_t	 i, len;
	int	 st;

	assert_non_null(r);
	for (i = 0; i < AM_ARRAY_LEN(recs); i++) {
		const struct rec_case *c = &recs[i];

		len = strlen(c->rec);
		if (strcmp(c->label, "NUL byte") == 0)
			len++;
		buf_reset(why);
		st = spfrec_parse(c->rec, len, r, why);
		print_message("  %-34s %s %s\n", c->label, st == AM_OK ?
		    "ok  " : "perm", buf_str(why));
		assert_int_equal(st, c->want);
		if (c->why != NULL)
			assert_non_null(strstr(buf_str(why), c->why));
	}
	buf_free(&why);
	free(r);
}

/* test_select - RFC 7208 4.5 */
static void
test_select(void **state)
{
	assert_true(spfrec_select("v=spf1", 6));
	assert_true(spfrec_select("v=spf1 -all", 11));
	assert_true(spfrec_select("V=SPF1 -all", 11));
	assert_false(spfrec_select("v=spf1mx", 8));
	assert_false(spfrec_select("v=spf10", 7));
	assert_false(spfrec_select("v=spf", 5));
	assert_false(spfrec_select(" v=spf1", 7));
	assert_false(spfrec_select("spf2.0/pra -all", 15));
	assert_false(spfrec_select("v=spf1 -all", 5));	/* len rules */
	assert_true(spfrec_select("v=spf1\0 -all", 12) == false);
	assert_false(spfrec_select(NULL, 0));
}

/* test_terms - what a valid record splits into */
static void
test_terms(void **state)
{
	static const char rec[] = "v=spf1 ?a:Example.com/24//64 mx//0 "
	    "ip4:192.0.2.1/16 -ip6:2001:db8::/32 exp=x.example "
	    "foo=bar redirect=r.example ~all ptr";
	struct spfrec *r = calloc(1, sizeof(*r));
	const struct spfrec_term *t;

	assert_non_null(r);
	assert_int_equal(spfrec_parse(rec, strlen(rec), r, NULL), AM_OK);
	assert_int_equal(r->nterms, 9);
	assert_int_equal(r->exp, 4);
	assert_int_equal(r->redirect, 6);
	assert_int_equal(r->all, 7);
	t = &r->term[0];
	assert_int_equal(t->kind, SPFREC_A);
	assert_int_equal(t->qual, '?');
	assert_int_equal(t->cidr4, 24);
	assert_int_equal(t->cidr6, 64);
	assert_int_equal(t->arglen, 11);
	assert_memory_equal(t->arg, "Example.com", 11);
	t = &r->term[1];
	assert_int_equal(t->kind, SPFREC_MX);
	assert_null(t->arg);
	assert_int_equal(t->cidr4, -1);
	assert_int_equal(t->cidr6, 0);
	t = &r->term[2];
	assert_int_equal(t->kind, SPFREC_IP4);
	assert_int_equal(t->cidr4, 16);
	assert_memory_equal(t->arg, "192.0.2.1", t->arglen);
	assert_int_equal(r->term[3].qual, '-');
	assert_int_equal(r->term[3].cidr6, 32);
	assert_int_equal(r->term[5].kind, SPFREC_MODIFIER);
	assert_memory_equal(r->term[5].arg, "bar", 3);
	assert_int_equal(r->term[7].qual, '~');
	assert_int_equal(r->term[8].kind, SPFREC_PTR);
	free(r);
}

/* norm - spfrec_spec_norm() of s */
static void
norm(const char *s, const char *want)
{
	struct buf *b = buf_new(1024);

	assert_int_equal(spfrec_spec_norm(s, strlen(s), b), AM_OK);
	assert_string_equal(buf_str(b), want);
	buf_free(&b);
}

/* test_norm - canonical macros: digits capped at 128, 'R' as 'r' */
static void
test_norm(void **state)
{
	norm("example.com", "example.com");
	norm("%{d}", "%{d}");
	norm("%{d200}.x.org", "%{d128}.x.org");
	norm("%{D0012R-.}.x.org", "%{D12r-.}.x.org");
	norm("%%%_%-%{l}.x.org", "%%%_%-%{l}.x.org");
	norm("%{ir}.%{v}._spf.%{d2}", "%{ir}.%{v}._spf.%{d2}");
}

/* cve_record - "v=spf1 a:" nmacro * "%{d}", nlit * 'A', ".example.com" */
static char *
cve_record(int nmacro, int nlit, size_t *len_r)
{
	size_t	 size = 64 + (size_t)nmacro * 4 + (size_t)nlit, o;
	char	*rec = malloc(size);
	int	 i;

	assert_non_null(rec);
	o = (size_t)snprintf(rec, size, "v=spf1 a:");
	for (i = 0; i < nmacro; i++)
		o += (size_t)snprintf(rec + o, size - o, "%%{d}");
	memset(rec + o, 'A', (size_t)nlit);
	o += (size_t)nlit;
	o += (size_t)snprintf(rec + o, size - o, ".example.com -all");
	*len_r = o;
	return (rec);
}

/* test_cve_2023_42118 - the records that smash libspf2 1.2.10's stack
 * (127 macros leave 3 bytes, the room for the literal wraps; measured:
 * "stack smashing detected" from a 3700-byte literal) are refused,
 * and so is everything near them; small macro records pass */
static void
test_cve_2023_42118(void **state)
{
	static const int rows[][3] = {	/* macros, literal, want */
		{127, 3700, PERM}, {127, 1, PERM}, {126, 5000, PERM},
		{96, 0, OK}, {97, 0, PERM}, {60, 100, OK}, {0, 380, OK},
		{0, 390, PERM}, {200, 0, PERM}, {4, 40, OK},
	};
	struct spfrec *r = calloc(1, sizeof(*r));
	struct buf *why = buf_new(256);
	size_t	 i, len;
	char	*rec;

	assert_non_null(r);
	for (i = 0; i < AM_ARRAY_LEN(rows); i++) {
		rec = cve_record(rows[i][0], rows[i][1], &len);
		buf_reset(why);
		assert_int_equal(spfrec_parse(rec, len, r, why), rows[i][2]);
		if (rows[i][2] == PERM)
			assert_non_null(strstr(buf_str(why), "too long"));
		free(rec);
	}
	buf_free(&why);
	free(r);
}

/* test_too_many_terms - LIM_SPF_TERMS */
static void
test_too_many_terms(void **state)
{
	struct spfrec *r = calloc(1, sizeof(*r));
	char	 rec[4096];
	size_t	 o;
	int	 i;

	assert_non_null(r);
	o = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
	for (i = 0; i < LIM_SPF_TERMS; i++)
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, " a");
	assert_int_equal(spfrec_parse(rec, o, r, NULL), AM_OK);
	assert_int_equal(r->nterms, LIM_SPF_TERMS);
	o += (size_t)snprintf(rec + o, sizeof(rec) - o, " -all");
	assert_int_equal(spfrec_parse(rec, o, r, NULL), AM_PERM);
	free(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records),
		cmocka_unit_test(test_select),
		cmocka_unit_test(test_terms),
		cmocka_unit_test(test_norm),
		cmocka_unit_test(test_cve_2023_42118),
		cmocka_unit_test(test_too_many_terms),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
