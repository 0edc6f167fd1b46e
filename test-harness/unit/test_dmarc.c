/*
 * NAME
 *	test_dmarc - unit tests for DMARC discovery, alignment and the PSL
 * DESCRIPTION
 *	Organizational domains against the installed public suffix list
 *	(and a small list in data/ for the file format's corners), then a
 *	table of evaluations: each row a zone for dns_mock, a From: domain,
 *	the MAIL FROM SPF result and DKIM signatures, the result wanted,
 *	and the modes it runs in (both unless marked: the RFC 9989 tree
 *	walk, the RFC 7489 public suffix list). Then the record's fields,
 *	the query cap, and tree-walk query counts.
 *	Run from the repository root (data/ paths are relative).
 * SEE ALSO
 *	auth/dmarc.c, auth/dmarcrec.c, auth/psl.c, RFC 9989 4.7, 4.10,
 *	B.4; RFC 7489 3.1, 3.2, 6.6.3
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

#define M_BOTH		0		/* eval row: run in both modes */
#define M_TW		1		/* tree walk only */
#define M_PSL		2		/* public suffix list only */

/* dm_new - an evaluator in mode with the installed list */
static struct dmarc *
dm_new(struct dns *dns, enum dmarc_org_mode mode, const char *psl,
    struct buf *why)
{
	return (dmarc_new(dns, mode, psl, 20, why));
}

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
	dm = dm_new(dns, DMARC_ORG_PSL, PSL_FILE, why);
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
	dm = dm_new(dns, DMARC_ORG_PSL, PSL_SMALL, why);
	assert_non_null(dm);
	assert_int_equal(org_table_ok(dm, org_small_cases,
	    AM_ARRAY_LEN(org_small_cases)), 0);
	dmarc_free(&dm);
	dns_free(&dns);
	buf_free(&why);
}

/* test_psl_optional - tree walk mode needs no list, uses one if given */
static void
test_psl_optional(struct dns *dns, const char *bad, struct buf *why)
{
	const char *paths[] = {"/nonexistent/psl.dat", bad, "", NULL};
	struct dmarc *dm;
	char	 org[64];
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(paths); i++) {
		dm = dm_new(dns, DMARC_ORG_TREEWALK, paths[i], why);
		assert_non_null(dm);
		assert_int_equal(dmarc_org_domain(dm, "www.example.com", org,
		    sizeof(org)), AM_TEMP);
		assert_string_equal(org, "");
		dmarc_free(&dm);
	}
	dm = dm_new(dns, DMARC_ORG_TREEWALK, PSL_FILE, why);
	assert_non_null(dm);			/* loaded, for other checks */
	assert_int_equal(dmarc_org_domain(dm, "www.example.co.uk", org,
	    sizeof(org)), AM_OK);
	assert_string_equal(org, "example.co.uk");
	dmarc_free(&dm);
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
	assert_null(dm_new(dns, DMARC_ORG_PSL, "/nonexistent/psl.dat", why));
	assert_non_null(strstr(buf_str(why), "/nonexistent/psl.dat"));
	assert_null(dm_new(dns, DMARC_ORG_PSL, NULL, why));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	fp = fdopen(fd, "w");
	assert_non_null(fp);
	fputs("// only comments\n\n// here\n", fp);
	fclose(fp);
	assert_null(dm_new(dns, DMARC_ORG_PSL, path, why));
	assert_non_null(strstr(buf_str(why), "no rules"));
	test_psl_optional(dns, path, why);
	unlink(path);
	dns_free(&dns);
	buf_free(&why);
}

/* --- evaluation ------------------------------------------------------- */

struct zone_row {
	const char *name;
	const char *txt;		/* RR text; NULL: fail with -status */
	int	 fail;
	int	 type;			/* 0: TXT */
};

struct sig_row {
	enum dkim_res result;
	const char *d;
	bool	 partial;
};

struct eval_case {
	const char *label;
	struct zone_row zone[8];
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
	int	 modes;			/* M_BOTH, M_TW, M_PSL */
	unsigned want_queries;		/* DNS queries; 0: not checked */
};

#define REC(n, t)	{n, t, 0, 0}
#define FAIL(n, s)	{n, NULL, s, 0}
#define HOST(n)		{n, "192.0.2.1", 0, DNS_T_A}
#define HOSTFAIL(n, s)	{n, NULL, s, DNS_T_A}
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
	    RES_PASS, P_REJECT, "example.com", true, false, "spf aligned",
	    M_BOTH, 0},
	{"pass via DKIM only",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "example.com", SPF(SPF_RES_FAIL, "example.com"),
	    {{PASS, "example.com", false}},
	    RES_PASS, P_REJECT, "example.com", false, true, "dkim aligned",
	    M_BOTH, 0},
	{"pass via both", {REC("_dmarc.example.com", "v=DMARC1; p=none")},
	    "example.com", SPF(SPF_RES_PASS, "example.com"),
	    {{PASS, "example.com", false}},
	    RES_PASS, P_NONE, "example.com", true, true, "spf and dkim",
	    M_BOTH, 0},
	{"relaxed SPF subdomain", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject")}, "example.com",
	    SPF(SPF_RES_PASS, "bounce.mail.example.com"), {{0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL, M_BOTH, 0},
	{"relaxed DKIM sibling via org record",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "news.example.com", NO_SPF, {{PASS, "mail.example.com", false}},
	    RES_PASS, P_REJECT, "example.com", false, true, NULL, M_BOTH, 0},
	{"strict SPF mismatch", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; aspf=s; adkim=s")}, "example.com",
	    SPF(SPF_RES_PASS, "bounce.example.com"),
	    {{PASS, "sub.example.com", false}},
	    RES_FAIL, P_REJECT, "example.com", false, false,
	    "no aligned pass", M_BOTH, 0},
	{"strict exact match", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; aspf=s; adkim=s")}, "example.com",
	    SPF(SPF_RES_PASS, "EXAMPLE.com."), {{PASS, "Example.COM", false}},
	    RES_PASS, P_REJECT, "example.com", true, true, NULL, M_BOTH, 0},
	{"strict dkim, relaxed spf", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; adkim=s")}, "example.com",
	    SPF(SPF_RES_PASS, "b.example.com"), {{PASS, "b.example.com", 0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL, M_BOTH, 0},
	{"d=example not aligned with victim.example",
	    {REC("_dmarc.victim.example", "v=DMARC1; p=reject")},
	    "victim.example", SPF(SPF_RES_PASS, "example"),
	    {{PASS, "example", false}},
	    RES_FAIL, P_REJECT, "victim.example", false, false, NULL,
	    M_BOTH, 0},
	{"d=co.uk not aligned with victim.co.uk",
	    {REC("_dmarc.victim.co.uk", "v=DMARC1; p=reject")},
	    "victim.co.uk", SPF(SPF_RES_PASS, "co.uk"),
	    {{PASS, "co.uk", false}},
	    RES_FAIL, P_REJECT, "victim.co.uk", false, false, NULL, M_BOTH, 0},
	{"suffix trick evilexample.com", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject")}, "example.com",
	    SPF(SPF_RES_PASS, "evilexample.com"),
	    {{PASS, "xexample.com", false}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL, M_BOTH, 0},
	{"wildcard suffix siblings not aligned",
	    {REC("_dmarc.shop.foo.ck", "v=DMARC1; p=reject")},
	    "shop.foo.ck", SPF(SPF_RES_PASS, "other.foo.ck"),
	    {{PASS, "a.other.foo.ck", false}},
	    RES_FAIL, P_REJECT, "shop.foo.ck", false, false, NULL, M_BOTH, 0},
	{"wildcard suffix child aligned",
	    {REC("_dmarc.shop.foo.ck", "v=DMARC1; p=reject")},
	    "shop.foo.ck", NO_SPF, {{PASS, "a.shop.foo.ck", false}},
	    RES_PASS, P_REJECT, "shop.foo.ck", false, true, NULL, M_BOTH, 0},
	{"From is a public suffix: exact only",
	    {REC("_dmarc.example", "v=DMARC1; p=reject")}, "example",
	    SPF(SPF_RES_PASS, "example"), {{PASS, "sub.example", false}},
	    RES_PASS, P_REJECT, "example", true, false, NULL, M_PSL, 0},
	{"From public suffix, no exact",
	    {REC("_dmarc.example", "v=DMARC1; p=reject")}, "example",
	    SPF(SPF_RES_PASS, "a.example"), {{PASS, "sub.example", false}},
	    RES_FAIL, P_REJECT, "example", false, false, NULL, M_PSL, 0},
	/* the same zone walked: "example" is its own org domain (no psd=) */
	{"walk: a record without psd= makes one organization",
	    {REC("_dmarc.example", "v=DMARC1; p=reject")}, "example",
	    SPF(SPF_RES_PASS, "a.example"), {{PASS, "sub.example", false}},
	    RES_PASS, P_REJECT, "example", true, true, NULL, M_TW, 0},
	{"walk: psd=y at the From domain: subdomains are others",
	    {REC("_dmarc.example", "v=DMARC1; p=reject; psd=y")}, "example",
	    SPF(SPF_RES_PASS, "a.example"), {{PASS, "sub.example", false}},
	    RES_FAIL, P_REJECT, "example", false, false, NULL, M_TW, 0},
	{"HELO-only SPF pass does not align",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    false, SPF_RES_PASS, "example.com", {{0}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL, M_BOTH, 0},
	{"SPF softfail does not align",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    SPF(SPF_RES_SOFTFAIL, "example.com"), {{0}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL, M_BOTH, 0},
	{"partial_body signature not counted",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    NO_SPF, {{PASS, "example.com", true}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL, M_BOTH, 0},
	{"DKIM policy result not counted",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    NO_SPF, {{DKIM_RES_POLICY, "example.com", false},
	    {DKIM_RES_FAIL, "example.com", false}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL, M_BOTH, 0},
	{"third signature aligns",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    NO_SPF, {{DKIM_RES_FAIL, "example.com", false},
	    {PASS, "other.example", false}, {PASS, "s.example.com", false}},
	    RES_PASS, P_REJECT, "example.com", false, true, NULL, M_BOTH, 0},

	/* discovery and sp= */
	{"sp applied for subdomain", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=quarantine")}, "sub.example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_QUAR, "example.com", false, false,
	    NULL, M_BOTH, 0},
	{"sp not applied at the From domain", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=none")}, "example.com", NO_SPF, {{0}},
	    RES_FAIL, P_REJECT, "example.com", false, false, NULL, M_BOTH, 0},
	{"no sp: p for subdomain", {REC("_dmarc.example.com",
	    "v=DMARC1; p=quarantine")}, "a.b.example.com", NO_SPF, {{0}},
	    RES_FAIL, P_QUAR, "example.com", false, false, NULL, M_BOTH, 0},
	{"subdomain's own record wins", {REC("_dmarc.sub.example.com",
	    "v=DMARC1; p=none"), REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=reject")}, "sub.example.com", NO_SPF,
	    {{0}}, RES_FAIL, P_NONE, "sub.example.com", false, false, NULL,
	    M_BOTH, 0},
	{"multiple records -> none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject"), REC("_dmarc.example.com",
	    "v=DMARC1; p=none")}, "example.com",
	    SPF(SPF_RES_PASS, "example.com"), {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false,
	    "multiple DMARC records", M_BOTH, 0},
	{"multiple at From: no org fallback", {REC("_dmarc.sub.example.com",
	    "v=DMARC1; p=reject"), REC("_dmarc.sub.example.com",
	    "v=DMARC1; p=reject"), REC("_dmarc.example.com",
	    "v=DMARC1; p=reject")}, "sub.example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "sub.example.com", false, false,
	    "multiple DMARC records", M_PSL, 0},
	/* RFC 9989 4.10 step 2: discarded, and the walk goes on */
	{"walk: multiple at From are discarded, org applies",
	    {REC("_dmarc.sub.example.com", "v=DMARC1; p=none"),
	    REC("_dmarc.sub.example.com", "v=DMARC1; p=none"),
	    REC("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine")},
	    "sub.example.com", NO_SPF, {{0}}, RES_FAIL, P_QUAR,
	    "example.com", false, false,
	    "multiple DMARC records at _dmarc.sub.example.com (ignored)",
	    M_TW, 0},
	{"walk: multiple at the org domain, none above",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject"),
	    REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "a.example.com", SPF(SPF_RES_PASS, "a.example.com"), {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false,
	    "multiple DMARC records", M_TW, 3},
	{"one DMARC among other TXT", {REC("_dmarc.example.com",
	    "v=spf1 -all"), REC("_dmarc.example.com", "hello"),
	    REC("_dmarc.example.com", "v=DMARC1; p=quarantine")},
	    "example.com", NO_SPF, {{0}}, RES_FAIL, P_QUAR, "example.com",
	    false, false, NULL, M_BOTH, 0},
	{"no record -> none", {REC("example.com", "v=spf1 -all")},
	    "example.com", SPF(SPF_RES_PASS, "example.com"), {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, "no DMARC record",
	    M_BOTH, 0},
	{"NXDOMAIN both -> none", {FAIL("_dmarc.sub.example.com", NXD),
	    FAIL("_dmarc.example.com", NXD)}, "sub.example.com", NO_SPF,
	    {{0}}, RES_NONE, P_UNSET, NULL, false, false, "no DMARC record",
	    M_BOTH, 0},
	{"DNS PERM -> none", {FAIL("_dmarc.example.com", DPERM)},
	    "example.com", NO_SPF, {{0}}, RES_NONE, P_UNSET, NULL, false,
	    false, NULL, M_BOTH, 0},
	{"TEMP at From -> temperror", {FAIL("_dmarc.example.com", TEMP)},
	    "example.com", SPF(SPF_RES_PASS, "example.com"), {{0}},
	    DMARC_RES_TEMPERROR, P_UNSET, NULL, false, false, "temporary",
	    M_BOTH, 0},
	{"TEMP at From, record at org -> temperror",
	    {FAIL("_dmarc.sub.example.com", TEMP), REC("_dmarc.example.com",
	    "v=DMARC1; p=reject")}, "sub.example.com", NO_SPF, {{0}},
	    DMARC_RES_TEMPERROR, P_UNSET, NULL, false, false, "temporary",
	    M_BOTH, 0},
	{"TEMP at org -> temperror", {FAIL("_dmarc.example.com", TEMP)},
	    "sub.example.com", NO_SPF, {{0}}, DMARC_RES_TEMPERROR, P_UNSET,
	    NULL, false, false, "_dmarc.example.com", M_BOTH, 0},

	/* the record itself */
	{"garbage p=r is not reject", {REC("_dmarc.example.com",
	    "v=DMARC1; p=r")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false, "no valid p=",
	    M_BOTH, 0},
	{"garbage p=re ject", {REC("_dmarc.example.com",
	    "v=DMARC1; p=re ject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false, "no valid p=",
	    M_BOTH, 0},
	{"garbage p=rejected", {REC("_dmarc.example.com",
	    "v=DMARC1; p=rejected")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false, NULL, M_BOTH, 0},
	{"no p, no rua", {REC("_dmarc.example.com", "v=DMARC1")},
	    "example.com", NO_SPF, {{0}}, RES_NONE, P_UNSET, "example.com",
	    false, false, "no valid p=", M_BOTH, 0},
	{"bad p, valid rua -> p=none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=bogus; rua=mailto:d@example.com")}, "example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_NONE, "example.com", false, false,
	    "as p=none", M_BOTH, 0},
	{"no p, valid rua -> p=none, pass", {REC("_dmarc.example.com",
	    "v=DMARC1; rua=bogus, mailto:d@example.com!10m")}, "example.com",
	    SPF(SPF_RES_PASS, "example.com"), {{0}}, RES_PASS, P_NONE,
	    "example.com", true, false, "as p=none", M_BOTH, 0},
	{"bad p, invalid rua -> none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=rej; rua=nourl, :x, mailto:, a b:c")},
	    "example.com", NO_SPF, {{0}}, RES_NONE, P_UNSET, "example.com",
	    false, false, "no valid rua=", M_BOTH, 0},
	{"bad sp, no rua -> none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=bogus")}, "sub.example.com", NO_SPF,
	    {{0}}, RES_NONE, P_UNSET, "example.com", false, false,
	    "invalid sp=", M_BOTH, 0},
	{"bad sp, valid rua -> p=none", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=r; rua=mailto:x@example.com")},
	    "sub.example.com", NO_SPF, {{0}}, RES_FAIL, P_NONE,
	    "example.com", false, false, "invalid sp=", M_BOTH, 0},
	{"duplicate p -> invalid", {REC("_dmarc.example.com",
	    "v=DMARC1; p=none; p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, "example.com", false, false, NULL, M_BOTH, 0},
	{"other bad tags take defaults", {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; fo=x; rf=bogus; ri=x; adkim=x; aspf=")},
	    "example.com", SPF(SPF_RES_PASS, "a.example.com"), {{0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL, M_BOTH, 0},
	{"case and spaces", {REC("_dmarc.example.com",
	    "V = DMARC1 ; P = Reject ; SP=None;")}, "sub.example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_NONE, "example.com", false, false,
	    NULL, M_BOTH, 0},
	{"unknown tags and empty parts", {REC("_dmarc.example.com",
	    "v=DMARC1;; x=y ; junk ;p=quarantine;")}, "example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_QUAR, "example.com", false, false,
	    NULL, M_BOTH, 0},
	{"v=DMARC2 is no record", {REC("_dmarc.example.com",
	    "v=DMARC2; p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, "no DMARC record",
	    M_BOTH, 0},
	{"v=dmarc1 is no record", {REC("_dmarc.example.com",
	    "v=dmarc1; p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, NULL, M_BOTH, 0},
	{"v=DMARC1p is no record", {REC("_dmarc.example.com",
	    "v=DMARC1p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, NULL, M_BOTH, 0},
	{"leading space is no record", {REC("_dmarc.example.com",
	    " v=DMARC1; p=reject")}, "example.com", NO_SPF, {{0}},
	    RES_NONE, P_UNSET, NULL, false, false, NULL, M_BOTH, 0},
	{"p not first after v: accepted", {REC("_dmarc.example.com",
	    "v=DMARC1; rua=mailto:a@example.com; p=reject")}, "example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_REJECT, "example.com", false, false,
	    NULL, M_BOTH, 0},
	{"non-DMARC record at From, DMARC at org",
	    {REC("_dmarc.sub.example.com", "v=spf1 -all"),
	    REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "sub.example.com", NO_SPF, {{0}}, RES_FAIL, P_REJECT,
	    "example.com", false, false, NULL, M_BOTH, 0},
	{"From normalised", {REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "Example.COM.", SPF(SPF_RES_PASS, "example.com"), {{0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL, M_BOTH, 0},
	{"empty From domain", {{0}}, "", NO_SPF, {{0}},
	    DMARC_RES_PERMERROR, P_UNSET, NULL, false, false, "From:",
	    M_BOTH, 0},
	{"From domain with space", {{0}}, "exa mple.com", NO_SPF, {{0}},
	    DMARC_RES_PERMERROR, P_UNSET, NULL, false, false, NULL, M_BOTH, 0},

	/* RFC 9989 4.10: the tree walk */
	{"walk: 10 labels, at most 8 lookups",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine")},
	    "a.b.c.d.e.f.g.h.example.com", NO_SPF, {{0}}, RES_FAIL, P_QUAR,
	    "example.com", false, false, NULL, M_TW, 8},
	{"walk: 9 labels, record in the skipped part not seen",
	    {REC("_dmarc.b.c.d.e.f.g.h.example", "v=DMARC1; p=none"),
	    REC("_dmarc.h.example", "v=DMARC1; p=reject")},
	    "a.b.c.d.e.f.g.h.example", NO_SPF, {{0}}, RES_FAIL, P_REJECT,
	    "h.example", false, false, NULL, M_TW, 8},
	{"walk: 8 labels go to the parent",
	    {REC("_dmarc.b.c.d.e.f.g.example", "v=DMARC1; p=none")},
	    "a.b.c.d.e.f.g.example", NO_SPF, {{0}}, RES_FAIL, P_NONE,
	    "b.c.d.e.f.g.example", false, false, NULL, M_TW, 8},
	{"walk: record at the From wins, 1 lookup",
	    {REC("_dmarc.a.b.c.d.e.f.g.h.example", "v=DMARC1; p=none"),
	    REC("_dmarc.example", "v=DMARC1; p=reject")},
	    "a.b.c.d.e.f.g.h.example", NO_SPF, {{0}}, RES_FAIL, P_NONE,
	    "a.b.c.d.e.f.g.h.example", false, false, NULL, M_TW, 1},
	{"walk: records at two levels: the org domain's applies",
	    {REC("_dmarc.mail.example.com", "v=DMARC1; p=none"),
	    REC("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine")},
	    "x.mail.example.com", NO_SPF, {{0}}, RES_FAIL, P_QUAR,
	    "example.com", false, false, NULL, M_TW, 4},
	{"walk: psd=n stops the walk: its own org domain",
	    {REC("_dmarc.mail.example.com", "v=DMARC1; p=none; psd=n"),
	    REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "x.mail.example.com", SPF(SPF_RES_PASS, "example.com"), {{0}},
	    RES_FAIL, P_NONE, "mail.example.com", false, false, NULL, M_TW,
	    2},
	{"walk: under psd=n, siblings do not align",
	    {REC("_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n")},
	    "mail.example.com", SPF(SPF_RES_PASS, "example.com"),
	    {{PASS, "news.example.com", false}}, RES_FAIL, P_REJECT,
	    "mail.example.com", false, false, NULL, M_TW, 0},
	{"walk: under psd=n, children align",
	    {REC("_dmarc.mail.example.com", "v=DMARC1; p=reject; psd=n")},
	    "mail.example.com", NO_SPF, {{PASS, "a.b.mail.example.com", 0}},
	    RES_PASS, P_REJECT, "mail.example.com", false, true, NULL, M_TW, 0},
	{"walk: B.4.3 PSD, SPF child aligned, DKIM cousin not",
	    {REC("_dmarc.giant.bank.example", "v=DMARC1; p=reject"),
	    REC("_dmarc.bank.example", "v=DMARC1; p=none; psd=y")},
	    "giant.bank.example", SPF(SPF_RES_PASS, "mail.giant.bank.example"),
	    {{PASS, "mail.mega.bank.example", false}}, RES_PASS, P_REJECT,
	    "giant.bank.example", true, false, NULL, M_TW, 0},
	{"walk: B.4.3 PSD, DKIM cousin alone fails",
	    {REC("_dmarc.giant.bank.example", "v=DMARC1; p=reject"),
	    REC("_dmarc.bank.example", "v=DMARC1; p=none; psd=y")},
	    "giant.bank.example", SPF(SPF_RES_FAIL, "giant.bank.example"),
	    {{PASS, "mail.mega.bank.example", false}}, RES_FAIL, P_REJECT,
	    "giant.bank.example", false, false, NULL, M_TW, 0},
	{"walk: psd=y record applies to an unregistered org",
	    {REC("_dmarc.bank.example",
	    "v=DMARC1; p=none; sp=quarantine; psd=y"),
	    HOST("shop.bank.example")},
	    "a.shop.bank.example", NO_SPF, {{PASS, "shop.bank.example", 0}},
	    RES_PASS, P_QUAR, "bank.example", false, true, NULL, M_TW, 0},
	{"walk: psd=y sibling org does not align",
	    {REC("_dmarc.bank.example", "v=DMARC1; p=reject; psd=y")},
	    "shop.bank.example", SPF(SPF_RES_PASS, "evil.bank.example"),
	    {{PASS, "bank.example", false}}, RES_FAIL, P_REJECT,
	    "bank.example", false, false, NULL, M_TW, 0},
	{"walk: org record beats the PSD record",
	    {REC("_dmarc.shop.bank.example", "v=DMARC1; p=none"),
	    REC("_dmarc.bank.example", "v=DMARC1; p=reject; psd=y")},
	    "www.shop.bank.example", NO_SPF, {{0}}, RES_FAIL, P_NONE,
	    "shop.bank.example", false, false, NULL, M_TW, 3},
	{"walk: TEMP between From and record -> temperror",
	    {FAIL("_dmarc.b.example.com", TEMP),
	    REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "a.b.example.com", SPF(SPF_RES_PASS, "a.b.example.com"), {{0}},
	    DMARC_RES_TEMPERROR, P_UNSET, NULL, false, false,
	    "_dmarc.b.example.com", M_TW, 0},
	{"walk: TEMP above the org record -> temperror",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject"),
	    FAIL("_dmarc.com", TEMP)}, "a.example.com", NO_SPF, {{0}},
	    DMARC_RES_TEMPERROR, P_UNSET, NULL, false, false, "_dmarc.com",
	    M_TW, 0},
	{"walk: TEMP above, exact alignment needs no walk",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject"),
	    FAIL("_dmarc.com", TEMP)}, "example.com",
	    SPF(SPF_RES_PASS, "bounce.example.com"),
	    {{PASS, "example.com", false}}, RES_PASS, P_REJECT,
	    "example.com", false, true, NULL, M_TW, 0},
	{"walk: TEMP above, relaxed alignment undecided -> temperror",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject"),
	    FAIL("_dmarc.com", TEMP)}, "example.com",
	    SPF(SPF_RES_PASS, "bounce.example.com"), {{0}},
	    DMARC_RES_TEMPERROR, P_REJECT, "example.com", false, false,
	    "while aligning", M_TW, 0},
	{"walk: TEMP walking d=, SPF aligned anyway",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject"),
	    FAIL("_dmarc.s.example.com", TEMP)}, "example.com",
	    SPF(SPF_RES_PASS, "example.com"), {{PASS, "s.example.com", 0}},
	    RES_PASS, P_REJECT, "example.com", true, false, NULL, M_TW, 0},
	{"walk: unrelated d= costs no lookup",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")}, "example.com",
	    SPF(SPF_RES_PASS, "a.b.c.d.evil.example"),
	    {{PASS, "x.y.z.example.net", false},
	    {PASS, "evilexample.com", false}}, RES_FAIL, P_REJECT,
	    "example.com", false, false, NULL, M_TW, 2},
	{"walk: one name asked once",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject")},
	    "a.example.com", SPF(SPF_RES_PASS, "b.example.com"),
	    {{PASS, "c.b.example.com", false}, {PASS, "b.example.com", 0}},
	    RES_PASS, P_REJECT, "example.com", true, true, NULL, M_TW, 5},

	/* RFC 9989 4.7: np= for non-existent subdomains */
	{"np: NXDOMAIN From takes np",
	    {REC("_dmarc.example.com", "v=DMARC1; p=quarantine; np=reject")},
	    "nx.example.com", NO_SPF, {{0}}, RES_FAIL, P_REJECT,
	    "example.com", false, false, "does not exist: np=reject",
	    M_BOTH, 0},
	{"np: existing From takes sp",
	    {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; sp=none; np=reject"), HOST("www.example.com")},
	    "www.example.com", NO_SPF, {{0}}, RES_FAIL, P_NONE,
	    "example.com", false, false, NULL, M_BOTH, 0},
	{"np: existing From, no sp: p",
	    {REC("_dmarc.example.com", "v=DMARC1; p=quarantine; np=reject"),
	    REC("www.example.com", "v=spf1 -all")}, "www.example.com", NO_SPF,
	    {{0}}, RES_FAIL, P_QUAR, "example.com", false, false, NULL,
	    M_BOTH, 0},
	{"np: not for the domain with the record",
	    {REC("_dmarc.example.com", "v=DMARC1; p=none; np=reject")},
	    "example.com", NO_SPF, {{0}}, RES_FAIL, P_NONE, "example.com",
	    false, false, NULL, M_BOTH, 0},
	{"np: pass needs no existence test",
	    {REC("_dmarc.example.com", "v=DMARC1; p=quarantine; np=reject")},
	    "nx.example.com", SPF(SPF_RES_PASS, "nx.example.com"), {{0}},
	    RES_PASS, P_QUAR, "example.com", true, false, NULL, M_TW, 3},
	{"np: same as sp: no existence test",
	    {REC("_dmarc.example.com",
	    "v=DMARC1; p=none; sp=reject; np=reject")}, "nx.example.com",
	    NO_SPF, {{0}}, RES_FAIL, P_REJECT, "example.com", false, false,
	    NULL, M_TW, 3},
	{"np: absent: NXDOMAIN From takes sp",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject; sp=quarantine")},
	    "nx.example.com", NO_SPF, {{0}}, RES_FAIL, P_QUAR, "example.com",
	    false, false, NULL, M_TW, 3},
	{"np: TEMP on the existence test -> temperror",
	    {REC("_dmarc.example.com", "v=DMARC1; p=quarantine; np=reject"),
	    HOSTFAIL("www.example.com", TEMP)}, "www.example.com", NO_SPF,
	    {{0}}, DMARC_RES_TEMPERROR, P_QUAR, "example.com", false, false,
	    "exists", M_BOTH, 0},
	{"np: from a PSD record for an unregistered name",
	    {REC("_dmarc.bank.example", "v=DMARC1; p=none; np=reject; psd=y")},
	    "nx.bank.example", NO_SPF, {{0}}, RES_FAIL, P_REJECT,
	    "bank.example", false, false, "does not exist", M_TW, 0},
	{"np: invalid np, no rua -> none",
	    {REC("_dmarc.example.com", "v=DMARC1; p=reject; np=bogus")},
	    "nx.example.com", NO_SPF, {{0}}, RES_NONE, P_UNSET,
	    "example.com", false, false, "invalid np=", M_BOTH, 0},
	{"np: invalid np, valid rua -> p=none",
	    {REC("_dmarc.example.com",
	    "v=DMARC1; p=reject; np=rej; rua=mailto:a@example.com")},
	    "nx.example.com", NO_SPF, {{0}}, RES_FAIL, P_NONE,
	    "example.com", false, false, "as p=none", M_BOTH, 0},
	{"np: two np= are invalid",
	    {REC("_dmarc.example.com", "v=DMARC1; p=none; np=reject; np=none")},
	    "nx.example.com", NO_SPF, {{0}}, RES_NONE, P_UNSET,
	    "example.com", false, false, "invalid np=", M_BOTH, 0},
};

/* eval_zone - a mock zone from the case's rows */
static struct dns *
eval_zone(const struct eval_case *c)
{
	struct dns *dns = dns_mock_new();
	const struct zone_row *z;
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(c->zone) && c->zone[i].name != NULL;
	    i++) {
		z = &c->zone[i];
		if (z->txt != NULL)
			dns_mock_add(dns, z->name, z->type ? z->type :
			    DNS_T_TXT, z->txt);
		else
			dns_mock_fail(dns, z->name, z->type ? z->type :
			    DNS_T_TXT, -z->fail);
	}
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
eval_check(const struct eval_case *c, enum dmarc_org_mode mode,
    const struct dmarc_result *r, unsigned queries)
{
	const char *pd = c->want_policy_domain ? c->want_policy_domain : "";

	if (r->result == c->want && r->policy == c->want_policy &&
	    strcmp(r->policy_domain, pd) == 0 &&
	    r->spf_aligned == c->want_spf && r->dkim_aligned == c->want_dkim &&
	    (c->want_reason == NULL || strstr(r->reason, c->want_reason)) &&
	    (c->want_queries == 0 || queries == c->want_queries))
		return (1);
	print_error("%s [%s]: dmarc=%s policy=%s at \"%s\" spf=%d dkim=%d "
	    "(%s) %u queries; want dmarc=%s policy=%s at \"%s\" spf=%d "
	    "dkim=%d (%s) %u queries\n", c->label,
	    mode == DMARC_ORG_PSL ? "psl" : "treewalk",
	    dmarc_res_str(r->result), dmarc_policy_str(r->policy),
	    r->policy_domain, r->spf_aligned, r->dkim_aligned, r->reason,
	    queries, dmarc_res_str(c->want), dmarc_policy_str(c->want_policy),
	    pd, c->want_spf, c->want_dkim,
	    c->want_reason ? c->want_reason : "", c->want_queries);
	return (0);
}

/* eval_row - one row in one mode, with its own zone; 1 if it matches */
static int
eval_row(const struct eval_case *c, enum dmarc_org_mode mode,
    struct dkim_result *dk, struct buf *why)
{
	struct dns *dns = eval_zone(c);
	struct spf_result mf;
	struct dmarc_result r;
	struct dmarc *dm;
	int	 ok;

	dm = dm_new(dns, mode, PSL_FILE, why);
	assert_non_null(dm);
	eval_inputs(c, &mf, dk);
	assert_int_equal(dmarc_evaluate(dm, c->from, &mf, dk, &r, why), AM_OK);
	ok = eval_check(c, mode, &r, dns_mock_queries(dns));
	dmarc_free(&dm);
	dns_free(&dns);
	return (ok);
}

/* test_eval_table - every evaluation row in each of its modes */
static void
test_eval_table(void **state)
{
	struct buf *why = buf_new(256);
	struct dkim_result *dk = malloc(sizeof(*dk));
	const struct eval_case *c;
	size_t	 i;
	int	 bad = 0;

	(void)state;
	assert_non_null(dk);
	for (i = 0; i < AM_ARRAY_LEN(eval_cases); i++) {
		c = &eval_cases[i];
		if (c->modes != M_PSL)
			bad += !eval_row(c, DMARC_ORG_TREEWALK, dk, why);
		if (c->modes != M_TW)
			bad += !eval_row(c, DMARC_ORG_PSL, dk, why);
	}
	free(dk);
	buf_free(&why);
	assert_int_equal(bad, 0);
}

/* eval_one - evaluate from against a one-record zone, psl mode */
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
	dm = dm_new(dns, DMARC_ORG_PSL, PSL_FILE, why);
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
	assert_false(r.testing);		/* RFC 9989: pct ignored */

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

/* walk_one - evaluate from in tree walk mode over a zone of TXT pairs */
static void
walk_one(const char *const *zone, const char *from, int max_queries,
    const struct spf_result *mf, const struct dkim_result *dk,
    struct dmarc_result *r, unsigned *queries_r)
{
	struct dns *dns = dns_mock_new();
	struct buf *why = buf_new(256);
	struct dmarc *dm;

	for (; zone != NULL && zone[0] != NULL; zone += 2)
		dns_mock_add(dns, zone[0], DNS_T_TXT, zone[1]);
	dm = dmarc_new(dns, DMARC_ORG_TREEWALK, "", max_queries, why);
	assert_non_null(dm);
	assert_int_equal(dmarc_evaluate(dm, from, mf, dk, r, why), AM_OK);
	if (queries_r != NULL)
		*queries_r = dns_mock_queries(dns);
	dmarc_free(&dm);
	dns_free(&dns);
	buf_free(&why);
}

/* test_testing - t= decides; pct=0 alone is t=y; other pct ignored */
static void
test_testing(void **state)
{
	static const struct {
		const char *rec;
		bool	 testing;
		int	 pct;
	} c[] = {
		{"v=DMARC1; p=reject; t=y", true, 100},
		{"v=DMARC1; p=reject; t=Y", true, 100},
		{"v=DMARC1; p=reject; t=n", false, 100},
		{"v=DMARC1; p=reject; t=yes", false, 100},
		{"v=DMARC1; p=reject; t=y; t=n", true, 100},
		{"v=DMARC1; p=reject; pct=0", true, 0},
		{"v=DMARC1; p=reject; pct=0; t=n", false, 0},
		{"v=DMARC1; p=reject; pct=100; t=y", true, 100},
		{"v=DMARC1; p=reject; pct=1", false, 1},
		{"v=DMARC1; p=reject; pct=99", false, 99},
		{"v=DMARC1; p=reject; pct=00", true, 0},
		{"v=DMARC1; p=reject; pct=-0", false, 100},
		{"v=DMARC1; p=reject", false, 100},
	};
	const char *zone[3] = {"_dmarc.example.com", NULL, NULL};
	struct dmarc_result r;
	size_t	 i;

	(void)state;
	for (i = 0; i < AM_ARRAY_LEN(c); i++) {
		zone[1] = c[i].rec;
		walk_one(zone, "example.com", 20, NULL, NULL, &r, NULL);
		if (r.testing != c[i].testing || r.pct != c[i].pct ||
		    r.policy != DMARC_P_REJECT)
			fail_msg("%s: testing=%d pct=%d policy=%s", c[i].rec,
			    r.testing, r.pct, dmarc_policy_str(r.policy));
	}
}

/* test_walk_fields - org domain, np, nonexistent after a walk */
static void
test_walk_fields(void **state)
{
	const char *zone[] = {
		"_dmarc.example.com", "v=DMARC1; p=reject; np=quarantine",
		"_dmarc.psd.example", "v=DMARC1; p=reject; psd=y", NULL,
	};
	struct dmarc_result r;
	unsigned q;

	(void)state;
	walk_one(zone, "a.b.example.com", 20, NULL, NULL, &r, &q);
	assert_int_equal(q, 5);		/* 4 _dmarc lookups, 1 existence */
	assert_int_equal(r.result, DMARC_RES_FAIL);
	assert_string_equal(r.org_domain, "example.com");
	assert_string_equal(r.policy_domain, "example.com");
	assert_int_equal(r.p, DMARC_P_REJECT);
	assert_int_equal(r.np, DMARC_P_QUARANTINE);
	assert_true(r.nonexistent);
	assert_int_equal(r.policy, DMARC_P_QUARANTINE);

	walk_one(zone, "example.com", 20, NULL, NULL, &r, &q);
	assert_int_equal(q, 1);		/* the record; no org needed */
	assert_string_equal(r.org_domain, "");
	assert_false(r.nonexistent);
	assert_int_equal(r.policy, DMARC_P_REJECT);

	walk_one(zone, "x.y.psd.example", 20, NULL, NULL, &r, &q);
	assert_string_equal(r.org_domain, "y.psd.example");
	assert_string_equal(r.policy_domain, "psd.example");
	assert_int_equal(q, 3);

	walk_one(zone, "nothing.example.net", 20, NULL, NULL, &r, &q);
	assert_int_equal(r.result, DMARC_RES_NONE);
	assert_string_equal(r.org_domain, "nothing.example.net");
	assert_int_equal(q, 3);
}

/* test_budget - the query cap ends alignment walks, never discovery */
static void
test_budget(void **state)
{
	const char *zone[] = {
		"_dmarc.example.com", "v=DMARC1; p=reject", NULL,
	};
	struct dkim_result *dk = calloc(1, sizeof(*dk));
	struct dmarc_result r;
	unsigned q;

	(void)state;
	assert_non_null(dk);
	dk->nsigs = 1;
	dk->sigs[0].result = DKIM_RES_PASS;
	snprintf(dk->sigs[0].d, sizeof(dk->sigs[0].d),
	    "a.b.c.d.e.f.example.com");
	/* 3 lookups for the From, 6 new ones for d= */
	walk_one(zone, "x.example.com", 20, NULL, dk, &r, &q);
	assert_int_equal(r.result, DMARC_RES_PASS);
	assert_int_equal(q, 9);
	walk_one(zone, "x.example.com", 8, NULL, dk, &r, &q);
	assert_int_equal(r.result, DMARC_RES_FAIL);
	assert_non_null(strstr(r.reason, "budget"));
	assert_int_equal(q, 8);
	walk_one(zone, "x.example.com", 1, NULL, dk, &r, &q);
	assert_int_equal(q, 8);		/* clamped to the minimum */
	walk_one(zone, "a.b.c.d.e.f.g.h.i.j.example.com", 8, NULL, NULL, &r,
	    &q);
	assert_int_equal(r.result, DMARC_RES_FAIL);	/* discovery done */
	assert_int_equal(q, 8);
	free(dk);
}

/* test_suffix_signer - a d= that is a public suffix never aligns */
static void
test_suffix_signer(void **state)
{
	struct dkim_result *dk = calloc(1, sizeof(*dk));
	struct buf *why = buf_new(256);
	struct dmarc_result r;
	struct dns *dns = dns_mock_new();
	struct dmarc *dm;

	(void)state;
	assert_non_null(dk);
	dns_mock_add(dns, "_dmarc.co.uk", DNS_T_TXT, "v=DMARC1; p=reject");
	dns_mock_add(dns, "_dmarc.shop.example", DNS_T_TXT,
	    "v=DMARC1; p=reject");
	dk->nsigs = 1;
	dk->sigs[0].result = DKIM_RES_PASS;
	snprintf(dk->sigs[0].d, sizeof(dk->sigs[0].d), "co.uk");
	dm = dm_new(dns, DMARC_ORG_TREEWALK,
	    "/usr/share/publicsuffix/public_suffix_list.dat", why);
	assert_non_null(dm);
	memset(&r, 0, sizeof(r));
	assert_int_equal(dmarc_evaluate(dm, "co.uk", NULL, dk, &r, why),
	    AM_OK);
	assert_int_equal(r.result, DMARC_RES_FAIL);
	assert_false(r.dkim_aligned);
	/* the same signature shape by an ordinary domain does align */
	snprintf(dk->sigs[0].d, sizeof(dk->sigs[0].d), "shop.example");
	memset(&r, 0, sizeof(r));
	assert_int_equal(dmarc_evaluate(dm, "shop.example", NULL, dk, &r,
	    why), AM_OK);
	assert_int_equal(r.result, DMARC_RES_PASS);
	dmarc_free(&dm);
	dns_free(&dns);
	buf_free(&why);
	free(dk);
}

/* test_prefetch - every name a walk may ask is started at once */
static void
test_prefetch(void **state)
{
	static const struct {
		enum dmarc_org_mode mode;
		const char *from;
		unsigned want;
	} rows[] = {
		{DMARC_ORG_TREEWALK, "x.example.com", 3},
		{DMARC_ORG_TREEWALK, "example", 1},
		{DMARC_ORG_TREEWALK, "a.b.c.d.e.f.g.h.i.j.example.com", 8},
		{DMARC_ORG_TREEWALK, "bad..name", 0},
		{DMARC_ORG_PSL, "x.example.com", 2},
		{DMARC_ORG_PSL, "example.com", 1},
	};
	struct buf *why = buf_new(256);
	struct dmarc *dm;
	struct dns *dns;
	size_t	 i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		dns = dns_mock_new();
		dm = dm_new(dns, rows[i].mode,
		    "/usr/share/publicsuffix/public_suffix_list.dat", why);
		assert_non_null(dm);
		dmarc_prefetch(dm, rows[i].from);
		if (dns_mock_prefetches(dns) != rows[i].want)
			fail_msg("%s: %u prefetches, want %u", rows[i].from,
			    dns_mock_prefetches(dns), rows[i].want);
		assert_int_equal(dns_mock_queries(dns), 0);
		dmarc_free(&dm);
		dns_free(&dns);
	}
	buf_free(&why);
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
		cmocka_unit_test(test_testing),
		cmocka_unit_test(test_walk_fields),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_prefetch),
		cmocka_unit_test(test_suffix_signer),
	};

	fprintf(stderr, "test_dmarc: %zu org, %zu small-list, %zu eval cases\n",
	    AM_ARRAY_LEN(org_cases), AM_ARRAY_LEN(org_small_cases),
	    AM_ARRAY_LEN(eval_cases));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
