/*
 * NAME
 *	test_dmarc - unit tests for DMARC discovery, alignment and the PSL
 * DESCRIPTION
 *	Organizational domains against the installed public suffix list
 *	(and a small list in data/ for the file format's corners), then a
 *	table of evaluations: each row a zone for dns_mock, a From: domain,
 *	the MAIL FROM SPF result and DKIM signatures, and the result wanted.
 *	Run from the repository root (data/ paths are relative).
 * SEE ALSO
 *	auth/dmarc.c, auth/psl.c, RFC 7489 3.1, 3.2, 6.6.3
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "auth/dmarc.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"

#define PSL_FILE	"/usr/share/publicsuffix/public_suffix_list.dat"
#define PSL_SMALL	"test-harness/unit/data/psl_small.dat"

#define TEMP		(-DNS_TEMP)	/* zone row: fail with DNS_TEMP */
#define NXD		(-DNS_NOTFOUND)
#define DPERM		(-DNS_PERM)

/* --- organizational domains ------------------------------------------- */

struct org_case {
	const char *domain;
	const char *want;		/* NULL: no org domain (AM_PERM) */
};

static const struct org_case org_cases[] = {
	{"www.example.com", "example.com"},
	{"example.com", "example.com"},
	{"a.b.example.co.uk", "example.co.uk"},
	{"example.co.uk", "example.co.uk"},
	{"co.uk", NULL},
	{"uk", NULL},
	{"com", NULL},
	{"ck", NULL},			/* *.ck needs a label left of ck */
	{"foo.ck", NULL},		/* *.ck: foo.ck is a suffix */
	{"bar.foo.ck", "bar.foo.ck"},
	{"a.bar.foo.ck", "bar.foo.ck"},
	{"www.ck", "www.ck"},		/* !www.ck */
	{"a.www.ck", "www.ck"},
	{"y.kawasaki.jp", NULL},
	{"x.y.kawasaki.jp", "x.y.kawasaki.jp"},
	{"city.kawasaki.jp", "city.kawasaki.jp"},
	{"a.city.kawasaki.jp", "city.kawasaki.jp"},
	{"example", NULL},		/* unknown TLD: default rule "*" */
	{"a.b.example", "b.example"},
	{"foo.unknowntld", "foo.unknowntld"},
	{"WWW.Example.COM.", "example.com"},
	{"xn--55qx5d.cn", NULL},	/* U-label rule 公司.cn */
	{"a.xn--55qx5d.cn", "a.xn--55qx5d.cn"},
	{"b.a.xn--55qx5d.cn", "a.xn--55qx5d.cn"},
	{"foo.blogspot.com", "foo.blogspot.com"},	/* PRIVATE section */
	{"blogspot.com", NULL},
	{"user.github.io", "user.github.io"},
	{"a.b.compute.amazonaws.com", "a.b.compute.amazonaws.com"},
	{"", NULL},
	{".", NULL},
	{"a..example.com", NULL},
	{".example.com", NULL},
	{"exa mple.com", NULL},
};

static const struct org_case org_small_cases[] = {
	{"www.example.com", "example.com"},
	{"a.b.example.co.uk", "example.co.uk"},
	{"a.www.ck", "www.ck"},
	{"foo.ck", NULL},
	{"a.city.kawasaki.jp", "city.kawasaki.jp"},
	{"q.y.kawasaki.jp", "q.y.kawasaki.jp"},
	{"x.xn--55qx5d.cn", "x.xn--55qx5d.cn"},
	{"example.test", NULL},		/* rule text ends at white space */
	{"a.example.test", "a.example.test"},
	{"trailing", NULL},
	{"words.are", "words.are"},	/* not rules: default "*" */
	{"x.a.stack.example", "x.a.stack.example"},	/* case folded */
	{"a.stack.example", NULL},
	{"foo.blogspot.com", "foo.blogspot.com"},
	{"a.b.bad.c", "bad.c"},		/* *.bad.* skipped */
};

/* org_table_ok - one list of org-domain cases; count of failures */
static int
org_table_ok(const struct dmarc *dm, const struct org_case *c, size_t n)
{
	char	 org[256];
	size_t	 i;
	int	 st, bad = 0;

	for (i = 0; i < n; i++) {
		st = dmarc_org_domain(dm, c[i].domain, org, sizeof(org));
		if (c[i].want == NULL && st == AM_PERM && org[0] == '\0')
			continue;
		if (c[i].want != NULL && st == AM_OK &&
		    strcmp(org, c[i].want) == 0)
			continue;
		print_error("org(%s) = %d \"%s\", want %s\n", c[i].domain, st,
		    org, c[i].want != NULL ? c[i].want : "none");
		bad++;
	}
	return (bad);
}

/* test_org_domain - the installed list */
static void
test_org_domain(void **state)
{
	struct dns *dns = dns_mock_new();
	struct buf *why = buf_new(256);
	struct dmarc *dm;
	char	 org[8];

	(void)state;
	dm = dmarc_new(dns, PSL_FILE, why);
	assert_non_null(dm);
	assert_int_equal(org_table_ok(dm, org_cases, AM_ARRAY_LEN(org_cases)),
	    0);
	assert_int_equal(dmarc_org_domain(dm, "www.example.com", org,
	    sizeof(org)), AM_PERM);		/* does not fit */
	assert_int_equal(dns_mock_queries(dns), 0);
	dmarc_free(&dm);
	assert_null(dm);
	dmarc_free(&dm);
	dns_free(&dns);
	buf_free(&why);
}

/* test_org_small - our file-format corners */
static void
test_org_small(void **state)
{
	struct dns *dns = dns_mock_new();
	struct buf *why = buf_new(256);
	struct dmarc *dm;

	(void)state;
	dm = dmarc_new(dns, PSL_SMALL, why);
	assert_non_null(dm);
	assert_int_equal(org_table_ok(dm, org_small_cases,
	    AM_ARRAY_LEN(org_small_cases)), 0);
	dmarc_free(&dm);
	dns_free(&dns);
	buf_free(&why);
}

/* test_psl_load_errors - missing and empty files fail with a reason */
static void
test_psl_load_errors(void **state)
{
	struct dns *dns = dns_mock_new();
	struct buf *why = buf_new(256);
	char	 path[] = "/tmp/test_dmarc_psl_XXXXXX";
	FILE	*fp;
	int	 fd;

	(void)state;
	assert_null(dmarc_new(dns, "/nonexistent/psl.dat", why));
	assert_non_null(strstr(buf_str(why), "/nonexistent/psl.dat"));
	assert_null(dmarc_new(dns, NULL, why));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("// only comments\n\n// here\n", fp);
	fclose(fp);
	assert_null(dmarc_new(dns, path, why));
	assert_non_null(strstr(buf_str(why), "no rules"));
	unlink(path);
	dns_free(&dns);
	buf_free(&why);
}

/* --- evaluation ------------------------------------------------------- */

struct zone_row {
	const char *name;
	const char *txt;		/* TXT text; NULL: fail with -status */
	int	 fail;
};

struct sig_row {
	enum dkim_res result;
	const char *d;
	bool	 partial;
};

struct eval_case {
	const char *label;
	struct zone_row zone[4];
	const char *from;
	bool	 mf_checked;
	enum spf_res mf_result;
	const char *mf_domain;
	struct sig_row sigs[3];
	/* wanted */
	enum dmarc_res want;
	enum dmarc_policy want_policy;
	const char *want_policy_domain;	/* NULL: "" */
	bool	 want_spf;
	bool	 want_dkim;
	const char *want_reason;	/* substring, or NULL */
};

#define REC(n, t)	{n, t, 0}
#define FAIL(n, s)	{n, NULL, s}
#define NO_SPF		false, SPF_RES_NONE, ""
#define SPF(r, d)	true, r, d
#define PASS		DKIM_RES_PASS

#define RES_NONE	DMARC_RES_NONE
#define RES_PASS	DMARC_RES_PASS
#define RES_FAIL	DMARC_RES_FAIL
#define P_UNSET		DMARC_P_UNSET
#define P_NONE		DMARC_P_NONE
#define P_QUAR		DMARC_P_QUARANTINE
#define P_REJECT	DMARC_P_REJECT

static const struct eval_case eval_cases[] = {
	/* alignment */
	{"pass via SPF only",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "example.com", SPF(SPF_RES_PASS, "example.com"), {{0}},
	    RES_PASS, P_REJECT, "example.com", true, false, "spf aligned"},
	{"pass via DKIM only",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "example.com", SPF(SPF_RES_FAIL, "example.com"),
	    {{PASS, "example.com", false}},
	    RES_PASS, P_REJECT, "example.com", false, true, "dkim aligned"},
	{"pass via both", {REC("_dmarc.example.com", "v=DMARC1; p=none")},
	    "example.com", SPF(SPF_RES_PASS, "example.com"),
	    {{PASS, "example.com", false}},
	    RES_PASS, P_NONE, "example.com", true, true, "spf and dkim"},
	{"relaxed SPF subdomain", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject")}, "example.com",
	    SPF(SPF_RES_PASS, "bounce.mail.example.com"), {{0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL},
	{"relaxed DKIM sibling via org record",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "news.example.com", NO_SPF, {{PASS, "mail.example.com", false}},
	    RES_PASS, P_REJECT, "example.com", false, true, NULL},
	{"strict SPF mismatch", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; aspf=s; adkim=s")}, "example.com",
	    SPF(SPF_RES_PASS, "bounce.example.com"),
	    {{PASS, "sub.example.com", false}},
	    RES_FAIL, P_REJECT, "example.com", false, false,
	    "no aligned pass"},
	{"strict exact match", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; aspf=s; adkim=s")}, "example.com",
	    SPF(SPF_RES_PASS, "EXAMPLE.com."), {{PASS, "Example.COM", false}},
	    RES_PASS, P_REJECT, "example.com", true, true, NULL},
	{"strict dkim, relaxed spf", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; adkim=s")}, "example.com",
	    SPF(SPF_RES_PASS, "b.example.com"), {{PASS, "b.example.com", 0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL},
	{"d=example not aligned with victim.example",
	    {REC("_dmarc.victim.example", "v=DMARC1; p=reject")},
	    "victim.example", SPF(SPF_RES_PASS, "example"),
	    {{PASS, "example", false}},
	    RES_FAIL, P_REJECT, "victim.example", false, false, NULL},
	{"d=co.uk not aligned with victim.co.uk",
	    {REC("_dmarc.victim.co.uk", "v=DMARC1; p=reject")},
	    "victim.co.uk", SPF(SPF_RES_PASS, "co.uk"),
	    {{PASS, "co.uk", false}},
	    RES_FAIL, P_REJECT, "victim.co.uk", false, false, NULL},
	{"suffix trick evilexample.com", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject")}, "example.com",
	    SPF(SPF_RES_PASS, "evilexample.com"),
	    {{PASS, "xexample.com", false}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL},
	{"wildcard suffix siblings not aligned",
	    {REC("_dmarc.shop.foo.ck", "v=DMARC1; p=reject")},
	    "shop.foo.ck", SPF(SPF_RES_PASS, "other.foo.ck"),
	    {{PASS, "a.other.foo.ck", false}},
	    RES_FAIL, P_REJECT, "shop.foo.ck", false, false, NULL},
	{"wildcard suffix child aligned",
	    {REC("_dmarc.shop.foo.ck", "v=DMARC1; p=reject")},
	    "shop.foo.ck", NO_SPF, {{PASS, "a.shop.foo.ck", false}},
	    RES_PASS, P_REJECT, "shop.foo.ck", false, true, NULL},
	{"From is a public suffix: exact only",
	    {REC("_dmarc.example", "v=DMARC1; p=reject")}, "example",
	    SPF(SPF_RES_PASS, "example"), {{PASS, "sub.example", false}},
	    RES_PASS, P_REJECT, "example", true, false, NULL},
	{"From public suffix, no exact",
	    {REC("_dmarc.example", "v=DMARC1; p=reject")}, "example",
	    SPF(SPF_RES_PASS, "a.example"), {{PASS, "sub.example", false}},
	    RES_FAIL, P_REJECT, "example", false, false, NULL},
	{"HELO-only SPF pass does not align",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    false, SPF_RES_PASS, "example.com", {{0}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL},
	{"SPF softfail does not align",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    SPF(SPF_RES_SOFTFAIL, "example.com"), {{0}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL},
	{"partial_body signature not counted",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    NO_SPF, {{PASS, "example.com", true}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL},
	{"DKIM policy result not counted",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    NO_SPF, {{DKIM_RES_POLICY, "example.com", false},
	    {DKIM_RES_FAIL, "example.com", false}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL},
	{"third signature aligns",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    NO_SPF, {{DKIM_RES_FAIL, "example.com", false},
	    {PASS, "other.example", false}, {PASS, "s.example.com", false}},
	    RES_PASS, P_REJECT, "example.com", false, true, NULL},

	/* discovery and sp= */
	{"sp applied for subdomain", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=quarantine")}, "sub.example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_QUAR, "example.com", false, false,
	    NULL},
	{"sp not applied at the From domain", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=none")}, "example.com", NO_SPF, {{0}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL},
	{"no sp: p for subdomain", {REC("_dmarc.example.com",
	    "v=DMARC1; p=quarantine")}, "a.b.example.com", NO_SPF, {{0}},
	    RES_FAIL, P_QUAR, "example.com", false, false, NULL},
	{"subdomain's own record wins", {REC("_dmarc.sub.example.com",
	    "v=DMARC1; p=none"), REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=reject")}, "sub.example.com", NO_SPF,
	    {{0}}, RES_FAIL, P_NONE, "sub.example.com", false, false, NULL},
	{"multiple records -> none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject"), REC("_dmarc.example.com",
	    "v=DMARC1; p=none")}, "example.com",
	    SPF(SPF_RES_PASS, "example.com"), {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false,
	    "multiple DMARC records"},
	{"multiple at From: no org fallback", {REC("_dmarc.sub.example.com",
	    "v=DMARC1; p=reject"), REC("_dmarc.sub.example.com",
	    "v=DMARC1; p=reject"), REC("_dmarc.example.com",
	    "v=DMARC1; p=reject")}, "sub.example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "sub.example.com", false, false,
	    "multiple DMARC records"},
	{"one DMARC among other TXT", {REC("_dmarc.example.com",
	    "v=spf1 -all"), REC("_dmarc.example.com", "hello"),
	    REC("_dmarc.example.com", "v=DMARC1; p=quarantine")},
	    "example.com", NO_SPF, {{0}}, RES_FAIL, P_QUAR, "example.com",
	    false, false, NULL},
	{"no record -> none", {REC("example.com", "v=spf1 -all")},
	    "example.com", SPF(SPF_RES_PASS, "example.com"), {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, "no DMARC record"},
	{"NXDOMAIN both -> none", {FAIL("_dmarc.sub.example.com", NXD),
	    FAIL("_dmarc.example.com", NXD)}, "sub.example.com", NO_SPF,
	    {{0}}, RES_NONE, P_UNSET, NULL, false, false, "no DMARC record"},
	{"DNS PERM -> none", {FAIL("_dmarc.example.com", DPERM)},
	    "example.com", NO_SPF, {{0}}, RES_NONE, P_UNSET, NULL, false,
	    false, NULL},
	{"TEMP at From -> temperror", {FAIL("_dmarc.example.com", TEMP)},
	    "example.com", SPF(SPF_RES_PASS, "example.com"), {{0}},
	    DMARC_RES_TEMPERROR, P_UNSET, NULL, false, false, "temporary"},
	{"TEMP at From, record at org -> temperror",
	    {FAIL("_dmarc.sub.example.com", TEMP), REC("_dmarc.example.com",
	    "v=DMARC1; p=reject")}, "sub.example.com", NO_SPF, {{0}},
	    DMARC_RES_TEMPERROR, P_UNSET, NULL, false, false, "temporary"},
	{"TEMP at org -> temperror", {FAIL("_dmarc.example.com", TEMP)},
	    "sub.example.com", NO_SPF, {{0}}, DMARC_RES_TEMPERROR, P_UNSET,
	    NULL, false, false, "_dmarc.example.com"},

	/* the record itself */
	{"garbage p=r is not reject", {REC("_dmarc.example.com",
	    "v=DMARC1; p=r")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false, "no valid p="},
	{"garbage p=re ject", {REC("_dmarc.example.com",
	    "v=DMARC1; p=re ject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false, "no valid p="},
	{"garbage p=rejected", {REC("_dmarc.example.com",
	    "v=DMARC1; p=rejected")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false, NULL},
	{"no p, no rua", {REC("_dmarc.example.com", "v=DMARC1")},
	    "example.com", NO_SPF, {{0}}, RES_NONE, P_UNSET, "example.com",
	    false, false, "no valid p="},
	{"bad p, valid rua -> p=none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=bogus; rua=mailto:d@example.com")}, "example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_NONE, "example.com", false, false,
	    "as p=none"},
	{"no p, valid rua -> p=none, pass", {REC("_dmarc.example.com",
	    "v=DMARC1; rua=bogus, mailto:d@example.com!10m")}, "example.com",
	    SPF(SPF_RES_PASS, "example.com"), {{0}}, RES_PASS, P_NONE,
	    "example.com", true, false, "as p=none"},
	{"bad p, invalid rua -> none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=rej; rua=nourl, :x, mailto:, a b:c")},
	    "example.com", NO_SPF, {{0}}, RES_NONE, P_UNSET, "example.com",
	    false, false, "no valid rua="},
	{"bad sp, no rua -> none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=bogus")}, "sub.example.com", NO_SPF,
	    {{0}}, RES_NONE, P_UNSET, "example.com", false, false,
	    "invalid sp="},
	{"bad sp, valid rua -> p=none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=r; rua=mailto:x@example.com")},
	    "sub.example.com", NO_SPF, {{0}}, RES_FAIL, P_NONE,
	    "example.com", false, false, "invalid sp="},
	{"duplicate p -> invalid", {REC("_dmarc.example.com",
	    "v=DMARC1; p=none; p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false, NULL},
	{"other bad tags take defaults", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; fo=x; rf=bogus; ri=x; adkim=x; aspf=")},
	    "example.com", SPF(SPF_RES_PASS, "a.example.com"), {{0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL},
	{"case and spaces", {REC("_dmarc.example.com",
	    "V = DMARC1 ; P = Reject ; SP=None;")}, "sub.example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_NONE, "example.com", false, false,
	    NULL},
	{"unknown tags and empty parts", {REC("_dmarc.example.com",
	    "v=DMARC1;; x=y ; junk ;p=quarantine;")}, "example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_QUAR, "example.com", false, false,
	    NULL},
	{"v=DMARC2 is no record", {REC("_dmarc.example.com",
	    "v=DMARC2; p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, "no DMARC record"},
	{"v=dmarc1 is no record", {REC("_dmarc.example.com",
	    "v=dmarc1; p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, NULL},
	{"v=DMARC1p is no record", {REC("_dmarc.example.com",
	    "v=DMARC1p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, NULL},
	{"leading space is no record", {REC("_dmarc.example.com",
	    " v=DMARC1; p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, NULL},
	{"p not first after v: accepted", {REC("_dmarc.example.com",
	    "v=DMARC1; rua=mailto:a@example.com; p=reject")}, "example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_REJECT, "example.com", false, false,
	    NULL},
	{"non-DMARC record at From, DMARC at org",
	    {REC("_dmarc.sub.example.com", "v=spf1 -all"),
	    REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "sub.example.com", NO_SPF, {{0}}, RES_FAIL, P_REJECT,
	    "example.com", false, false, NULL},
	{"From normalised", {REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "Example.COM.", SPF(SPF_RES_PASS, "example.com"), {{0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL},
	{"empty From domain", {{0}}, "", NO_SPF, {{0}},
	    DMARC_RES_PERMERROR, P_UNSET, NULL, false, false, "From:"},
	{"From domain with space", {{0}}, "exa mple.com", NO_SPF, {{0}},
	    DMARC_RES_PERMERROR, P_UNSET, NULL, false, false, NULL},
};

/* eval_zone - a mock zone from the case's rows */
static struct dns *
eval_zone(const struct eval_case *c)
{
	struct dns *dns = dns_mock_new();
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(c->zone) && c->zone[i].name != NULL; i++)
		if (c->zone[i].txt != NULL)
			dns_mock_add(dns, c->zone[i].name, DNS_T_TXT,
			    c->zone[i].txt);
		else
			dns_mock_fail(dns, c->zone[i].name, DNS_T_TXT,
			    -c->zone[i].fail);
	return (dns);
}

/* eval_inputs - the SPF and DKIM results a case describes */
static void
eval_inputs(const struct eval_case *c, struct spf_result *mf,
    struct dkim_result *dk)
{
	size_t	 i;

	memset(mf, 0, sizeof(*mf));
	memset(dk, 0, sizeof(*dk));
	mf->checked = c->mf_checked;
	mf->result = c->mf_result;
	snprintf(mf->domain, sizeof(mf->domain), "%s", c->mf_domain);
	for (i = 0; i < AM_ARRAY_LEN(c->sigs) && c->sigs[i].d != NULL; i++) {
		dk->sigs[i].result = c->sigs[i].result;
		snprintf(dk->sigs[i].d, sizeof(dk->sigs[i].d), "%s",
		    c->sigs[i].d);
		dk->sigs[i].partial_body = c->sigs[i].partial;
		dk->nsigs++;
	}
}

/* eval_check - compare a result with the row; 1 if it matches */
static int
eval_check(const struct eval_case *c, const struct dmarc_result *r)
{
	const char *pd = c->want_policy_domain ? c->want_policy_domain : "";

	if (r->result == c->want && r->policy == c->want_policy &&
	    strcmp(r->policy_domain, pd) == 0 &&
	    r->spf_aligned == c->want_spf && r->dkim_aligned == c->want_dkim &&
	    (c->want_reason == NULL || strstr(r->reason, c->want_reason)))
		return (1);
	print_error("%s: dmarc=%s policy=%s at \"%s\" spf=%d dkim=%d (%s); "
	    "want dmarc=%s policy=%s at \"%s\" spf=%d dkim=%d (%s)\n",
	    c->label, dmarc_res_str(r->result), dmarc_policy_str(r->policy),
	    r->policy_domain, r->spf_aligned, r->dkim_aligned, r->reason,
	    dmarc_res_str(c->want), dmarc_policy_str(c->want_policy), pd,
	    c->want_spf, c->want_dkim, c->want_reason ? c->want_reason : "");
	return (0);
}

/* test_eval_table - every evaluation row, each with its own zone */
static void
test_eval_table(void **state)
{
	struct buf *why = buf_new(256);
	struct spf_result mf;
	struct dkim_result *dk = malloc(sizeof(*dk));
	struct dmarc_result r;
	struct dmarc *dm;
	struct dns *dns;
	size_t	 i;
	int	 bad = 0;

	(void)state;
	assert_non_null(dk);
	for (i = 0; i < AM_ARRAY_LEN(eval_cases); i++) {
		dns = eval_zone(&eval_cases[i]);
		dm = dmarc_new(dns, PSL_FILE, why);
		assert_non_null(dm);
		eval_inputs(&eval_cases[i], &mf, dk);
		assert_int_equal(dmarc_evaluate(dm, eval_cases[i].from, &mf,
		    dk, &r, why), AM_OK);
		bad += !eval_check(&eval_cases[i], &r);
		dmarc_free(&dm);
		dns_free(&dns);
	}
	free(dk);
	buf_free(&why);
	assert_int_equal(bad, 0);
}

/* eval_one - evaluate from against a one-record zone */
static void
eval_one(const char *name, const char *txt, const char *from,
    const struct spf_result *mf, const struct dkim_result *dk,
    struct dmarc_result *r, unsigned *queries_r)
{
	struct dns *dns = dns_mock_new();
	struct buf *why = buf_new(256);
	struct dmarc *dm;

	if (name != NULL)
		dns_mock_add(dns, name, DNS_T_TXT, txt);
	dm = dmarc_new(dns, PSL_FILE, why);
	assert_non_null(dm);
	assert_int_equal(dmarc_evaluate(dm, from, mf, dk, r, why), AM_OK);
	if (queries_r != NULL)
		*queries_r = dns_mock_queries(dns);
	dmarc_free(&dm);
	dns_free(&dns);
	buf_free(&why);
}

/* test_fields - every field of the result is filled */
static void
test_fields(void **state)
{
	struct dmarc_result r;
	unsigned q;

	(void)state;
	eval_one("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine; "
	    "adkim=s; aspf=r; pct=50", "www.example.com", NULL, NULL, &r, &q);
	assert_int_equal(q, 2);
	assert_int_equal(r.result, DMARC_RES_FAIL);
	assert_string_equal(r.from_domain, "www.example.com");
	assert_string_equal(r.policy_domain, "example.com");
	assert_string_equal(r.org_domain, "example.com");
	assert_int_equal(r.policy, DMARC_P_QUARANTINE);
	assert_int_equal(r.p, DMARC_P_REJECT);
	assert_int_equal(r.sp, DMARC_P_QUARANTINE);
	assert_int_equal(r.adkim, 's');
	assert_int_equal(r.aspf, 'r');
	assert_int_equal(r.pct, 50);
	assert_true(r.testing);

	eval_one("_dmarc.example.com", "v=DMARC1; p=none", "example.com",
	    NULL, NULL, &r, &q);
	assert_int_equal(q, 1);			/* From is the org domain */
	assert_int_equal(r.p, DMARC_P_NONE);
	assert_int_equal(r.sp, DMARC_P_UNSET);
	assert_int_equal(r.adkim, 'r');
	assert_int_equal(r.aspf, 'r');
	assert_int_equal(r.pct, 100);
	assert_false(r.testing);

	eval_one("_dmarc.example.com", "v=DMARC1; p=reject; t=y",
	    "example.com", NULL, NULL, &r, NULL);
	assert_int_equal(r.pct, 100);
	assert_true(r.testing);

	eval_one("_dmarc.example.com", "v=DMARC1; p=reject; pct=abc",
	    "example.com", NULL, NULL, &r, NULL);
	assert_int_equal(r.pct, 100);		/* libopendmarc: 0 */
	assert_false(r.testing);
	assert_int_equal(r.policy, DMARC_P_REJECT);

	eval_one("_dmarc.example.com", "v=DMARC1; p=reject; pct=50abc",
	    "example.com", NULL, NULL, &r, NULL);
	assert_int_equal(r.pct, 100);		/* libopendmarc: 50 */

	eval_one("_dmarc.example.com", "v=DMARC1; p=reject; pct=0",
	    "example.com", NULL, NULL, &r, NULL);
	assert_int_equal(r.pct, 0);
	assert_true(r.testing);

	eval_one(NULL, NULL, "com", NULL, NULL, &r, &q);
	assert_int_equal(q, 1);			/* a suffix: no org query */
	assert_string_equal(r.org_domain, "");
	assert_int_equal(r.result, DMARC_RES_NONE);
	assert_int_equal(r.pct, 100);
	assert_int_equal(r.adkim, 'r');
}

/* test_long_record - a record near the TXT cap is handled */
static void
test_long_record(void **state)
{
	struct dmarc_result r;
	char	*txt;
	size_t	 n = 8000;

	(void)state;
	txt = malloc(n + 1);
	assert_non_null(txt);
	memset(txt, 'x', n);
	memcpy(txt, "v=DMARC1; p=reject; rua=mailto:", 31);
	txt[n] = '\0';
	eval_one("_dmarc.example.com", txt, "example.com", NULL, NULL, &r,
	    NULL);
	assert_int_equal(r.policy, DMARC_P_REJECT);
	free(txt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_org_domain),
		cmocka_unit_test(test_org_small),
		cmocka_unit_test(test_psl_load_errors),
		cmocka_unit_test(test_eval_table),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_long_record),
	};

	fprintf(stderr, "test_dmarc: %zu org, %zu small-list, %zu eval cases\n",
	    AM_ARRAY_LEN(org_cases), AM_ARRAY_LEN(org_small_cases),
	    AM_ARRAY_LEN(eval_cases));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
