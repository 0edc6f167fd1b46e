/*
 * NAME
 *	test_iprev - forward-confirmed reverse DNS against dns_mock
 * DESCRIPTION
 *	Table-driven: each row sets up PTR and A/AAAA records (or failures)
 *	for one client and states the iprev result and verified name (RFC
 *	8601 2.7.3). Then the PTR name forms, the cap on PTR names, the
 *	unverified first PTR name kept for reports, the prefetch at connect, and the iprev resinfo authres_iprev() appends.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth/authres.h"
#include "auth/iprev.h"
#include "dns/dns.h"
#include "util/am.h"

#define R4	"5.113.0.203.in-addr.arpa"
#define R6	"5.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.7.0.0.0.8.b.d.0.1.0.0.2" \
		".ip6.arpa"

struct rr {
	const char *name;
	int	 type;
	const char *text;		/* NULL: fail with status */
	int	 status;
};

struct iprev_case {
	const char *label;
	const char *client;
	struct rr rrs[6];
	enum iprev_res want;
	const char *name;		/* verified name, pass only */
};

static const struct iprev_case cases[] = {
	{"pass: PTR and matching A", "203.0.113.5", {
	    {R4, DNS_T_PTR, "mail.example", 0},
	    {"mail.example", DNS_T_A, "203.0.113.5", 0}},
	    IPREV_RES_PASS, "mail.example"},
	{"pass: name lower-cased, trailing dot dropped", "203.0.113.5", {
	    {R4, DNS_T_PTR, "Mail.Example.", 0},
	    {"mail.example", DNS_T_A, "203.0.113.5", 0}},
	    IPREV_RES_PASS, "mail.example"},
	{"pass: among several A records", "203.0.113.5", {
	    {R4, DNS_T_PTR, "mail.example", 0},
	    {"mail.example", DNS_T_A, "192.0.2.1", 0},
	    {"mail.example", DNS_T_A, "203.0.113.5", 0}},
	    IPREV_RES_PASS, "mail.example"},
	{"pass: the second PTR name maps back", "203.0.113.5", {
	    {R4, DNS_T_PTR, "other.example", 0},
	    {R4, DNS_T_PTR, "mail.example", 0},
	    {"other.example", DNS_T_A, "192.0.2.9", 0},
	    {"mail.example", DNS_T_A, "203.0.113.5", 0}},
	    IPREV_RES_PASS, "mail.example"},
	{"pass: IPv6, AAAA", "2001:db8:7::5", {
	    {R6, DNS_T_PTR, "mail6.example", 0},
	    {"mail6.example", DNS_T_AAAA, "2001:db8:7::5", 0}},
	    IPREV_RES_PASS, "mail6.example"},
	{"fail: A elsewhere", "203.0.113.5", {
	    {R4, DNS_T_PTR, "mail.example", 0},
	    {"mail.example", DNS_T_A, "192.0.2.5", 0}},
	    IPREV_RES_FAIL, ""},
	{"fail: PTR name NXDOMAIN", "203.0.113.5", {
	    {R4, DNS_T_PTR, "gone.example", 0}},
	    IPREV_RES_FAIL, ""},
	{"fail: IPv6 client, name has only A", "2001:db8:7::5", {
	    {R6, DNS_T_PTR, "mail6.example", 0},
	    {"mail6.example", DNS_T_A, "203.0.113.5", 0}},
	    IPREV_RES_FAIL, ""},
	{"temperror: forward lookup SERVFAIL, no pass", "203.0.113.5", {
	    {R4, DNS_T_PTR, "mail.example", 0},
	    {"mail.example", DNS_T_A, NULL, DNS_TEMP}},
	    IPREV_RES_TEMPERROR, ""},
	{"pass wins over another name's temperror", "203.0.113.5", {
	    {R4, DNS_T_PTR, "slow.example", 0},
	    {R4, DNS_T_PTR, "mail.example", 0},
	    {"slow.example", DNS_T_A, NULL, DNS_TEMP},
	    {"mail.example", DNS_T_A, "203.0.113.5", 0}},
	    IPREV_RES_PASS, "mail.example"},
	{"temperror: PTR lookup timeout", "203.0.113.5", {
	    {R4, DNS_T_PTR, NULL, DNS_TEMP}},
	    IPREV_RES_TEMPERROR, ""},
	{"permerror: no PTR (NXDOMAIN)", "203.0.113.5", {{NULL, 0, NULL, 0}},
	    IPREV_RES_PERMERROR, ""},
	{"permerror: PTR NODATA", "203.0.113.5", {
	    {R4, DNS_T_TXT, "not a PTR", 0}},
	    IPREV_RES_PERMERROR, ""},
};

static void
test_table(void **state)
{
	struct buf *why = buf_new(256);
	struct iprev_result r;
	struct dns *d;
	struct addr a;
	size_t	 i, j;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct iprev_case *c = &cases[i];

		d = dns_mock_new();
		for (j = 0; j < 6 && c->rrs[j].name != NULL; j++) {
			if (c->rrs[j].text != NULL)
				dns_mock_add(d, c->rrs[j].name, c->rrs[j].type,
				    c->rrs[j].text);
			else
				dns_mock_fail(d, c->rrs[j].name,
				    c->rrs[j].type, c->rrs[j].status);
		}
		assert_int_equal(addr_parse(c->client, &a), AM_OK);
		assert_int_equal(iprev_check(d, &a, &r, why), AM_OK);
		if (r.result != c->want || strcmp(r.name, c->name) != 0)
			fail_msg("%s: got %s \"%s\", want %s \"%s\"", c->label,
			    iprev_res_str(r.result), r.name,
			    iprev_res_str(c->want), c->name);
		assert_true(r.checked);
		if (r.result != IPREV_RES_PASS)
			assert_true(r.reason[0] != '\0');
		dns_free(&d);
	}
	buf_free(&why);
}

/* the names asked: octets for IPv4, 32 nibbles for IPv6 */
static void
test_ptr_names(void **state)
{
	char	 q[256];
	struct addr a;

	assert_int_equal(addr_parse("203.0.113.5", &a), AM_OK);
	assert_int_equal(iprev_ptr_name(&a, q, sizeof(q)), AM_OK);
	assert_string_equal(q, R4);
	assert_int_equal(addr_parse("2001:db8:7::5", &a), AM_OK);
	assert_int_equal(iprev_ptr_name(&a, q, sizeof(q)), AM_OK);
	assert_string_equal(q, R6);
	/* a mapped address is the IPv4 client it is */
	assert_int_equal(addr_parse("::ffff:203.0.113.5", &a), AM_OK);
	assert_int_equal(iprev_ptr_name(&a, q, sizeof(q)), AM_OK);
	assert_string_equal(q, R4);
	assert_int_equal(iprev_ptr_name(&a, q, 10), AM_PERM);
}

/* no more than LIM_IPREV_NAMES forward lookups, whatever the PTR RRset */
static void
test_name_cap(void **state)
{
	struct buf *why = buf_new(256);
	struct dns *d = dns_mock_new();
	struct iprev_result r;
	struct addr a;
	char	 name[64];
	unsigned before;
	int	 i;

	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "h%d.example", i);
		dns_mock_add(d, R4, DNS_T_PTR, name);
		dns_mock_add(d, name, DNS_T_A, "192.0.2.1");
	}
	dns_mock_add(d, "h39.example", DNS_T_A, "203.0.113.5");
	assert_int_equal(addr_parse("203.0.113.5", &a), AM_OK);
	before = dns_mock_queries(d);
	assert_int_equal(iprev_check(d, &a, &r, why), AM_OK);
	assert_int_equal(r.result, IPREV_RES_FAIL);	/* h39 is past the cap */
	assert_true(dns_mock_queries(d) - before <= 1 + LIM_IPREV_NAMES);
	dns_free(&d);
	buf_free(&why);
}

/* r->ptr: the first PTR name, unverified, for reports; r->name stays empty */
static void
test_ptr_kept(void **state)
{
	struct buf *why = buf_new(256);
	struct dns *d = dns_mock_new();
	struct iprev_result r;
	struct addr a;

	dns_mock_add(d, R4, DNS_T_PTR, "MailHost.");
	dns_mock_add(d, R4, DNS_T_PTR, "other.example");
	assert_int_equal(addr_parse("203.0.113.5", &a), AM_OK);
	assert_int_equal(iprev_check(d, &a, &r, why), AM_OK);
	assert_int_equal(r.result, IPREV_RES_FAIL);
	assert_string_equal(r.ptr, "mailhost");
	assert_string_equal(r.name, "");
	dns_free(&d);

	d = dns_mock_new();			/* no PTR: nothing kept */
	assert_int_equal(iprev_check(d, &a, &r, why), AM_OK);
	assert_int_equal(r.result, IPREV_RES_PERMERROR);
	assert_string_equal(r.ptr, "");
	dns_free(&d);
	buf_free(&why);
}

/* the PTR lookup starts at connect, as a prefetch */
static void
test_prefetch(void **state)
{
	struct dns *d = dns_mock_new();
	struct addr a;

	assert_int_equal(addr_parse("203.0.113.5", &a), AM_OK);
	iprev_prefetch(d, &a);
	assert_int_equal(dns_mock_prefetches(d), 1);
	dns_free(&d);
}

/* unfold - the value with its folds ("\n\t") as single spaces */
static const char *
unfold(const struct buf *b)
{
	static char u[LIM_AUTHRES];
	size_t	 i, o = 0;

	for (i = 0; i < b->len && o + 1 < sizeof(u); i++) {
		if (b->data[i] == '\n')
			continue;
		u[o++] = b->data[i] == '\t' ? ' ' : b->data[i];
	}
	u[o] = '\0';
	return (u);
}

/* the resinfo: policy.iprev only on pass, peer names never raw */
static void
test_authres(void **state)
{
	struct buf *out = buf_new(LIM_AUTHRES);
	struct iprev_result r;

	memset(&r, 0, sizeof(r));
	buf_puts(out, "mx.example; dmarc=pass header.from=a.example");
	assert_int_equal(authres_iprev(&r, "203.0.113.5", out), AM_OK);
	assert_string_equal(out->data,
	    "mx.example; dmarc=pass header.from=a.example");	/* unchecked */

	r.checked = true;
	r.result = IPREV_RES_PASS;
	snprintf(r.name, sizeof(r.name), "mail.example");
	assert_int_equal(authres_iprev(&r, "203.0.113.5", out), AM_OK);
	assert_non_null(strstr(unfold(out), "; iprev=pass smtp.remote-ip="
	    "203.0.113.5 policy.iprev=mail.example"));

	buf_reset(out);
	buf_puts(out, "mx.example; dkim=none");
	r.result = IPREV_RES_FAIL;
	snprintf(r.reason, sizeof(r.reason), "no PTR name maps back");
	assert_int_equal(authres_iprev(&r, "2001:db8::5", out), AM_OK);
	assert_non_null(strstr(unfold(out), "iprev=fail"));
	assert_non_null(strstr(unfold(out), "smtp.remote-ip=\"2001:db8::5\""));
	assert_null(strstr(unfold(out), "policy.iprev"));

	buf_reset(out);
	buf_puts(out, "mx.example; dkim=none");
	r.result = IPREV_RES_PASS;
	snprintf(r.name, sizeof(r.name), "evil.example; dmarc=pass");
	assert_int_equal(authres_iprev(&r, "203.0.113.5", out), AM_OK);
	assert_non_null(strstr(unfold(out),
	    "policy.iprev=\"evil.example; dmarc=pass\""));
	buf_free(&out);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_ptr_names),
		cmocka_unit_test(test_name_cap),
		cmocka_unit_test(test_ptr_kept),
		cmocka_unit_test(test_prefetch),
		cmocka_unit_test(test_authres),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
