/*
 * NAME
 *	test_dnsbl - RFC 5782 lists against dns_mock, and their config
 * DESCRIPTION
 *	Table-driven: each row gives the A answer (or failure) of one
 *	zone for a client and states the zone's result and the code that
 *	counted. Then the query names (octets, nibbles), the prefetch, and
 *	the "dnsbl" configuration list: what loads, what -n refuses with
 *	the line of the bad entry.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/dnsbl.h"
#include "conf/conf.h"
#include "dns/dns.h"
#include "util/am.h"

#define Q4	"5.113.0.203.bl.example"

struct bl_case {
	const char *label;
	const char *answers[3];		/* A records; NULL-terminated */
	int	 fail;			/* DNS_TEMP etc. instead */
	const char *codes[2];		/* NULL: default (127/8) */
	enum dnsbl_res want;
	const char *code;
};

static const struct bl_case cases[] = {
	{"listed: in the range", {"127.0.0.2"}, 0,
	    {"127.0.0.2-127.0.0.11"}, DNSBL_RES_LISTED, "127.0.0.2"},
	{"listed: top of the range", {"127.0.0.11"}, 0,
	    {"127.0.0.2-127.0.0.11"}, DNSBL_RES_LISTED, "127.0.0.11"},
	{"not listed: outside the codes", {"127.0.0.12"}, 0,
	    {"127.0.0.2-127.0.0.11"}, DNSBL_RES_NONE, ""},
	{"listed: a CIDR code", {"127.0.1.7"}, 0,
	    {"127.0.0.2", "127.0.1.0/24"}, DNSBL_RES_LISTED, "127.0.1.7"},
	{"listed: one of two answers counts", {"127.0.0.99", "127.0.0.4"}, 0,
	    {"127.0.0.2-127.0.0.11"}, DNSBL_RES_LISTED, "127.0.0.4"},
	{"default codes: 127/8", {"127.0.0.2"}, 0, {NULL},
	    DNSBL_RES_LISTED, "127.0.0.2"},
	{"default codes: not outside 127/8", {"192.0.2.1"}, 0, {NULL},
	    DNSBL_RES_NONE, ""},
	{"error answer 127.255.255.254", {"127.255.255.254"}, 0, {NULL},
	    DNSBL_RES_TEMPERROR, "127.255.255.254"},
	{"error answer even inside the codes", {"127.255.255.255"}, 0,
	    {"127.0.0.0/8"}, DNSBL_RES_TEMPERROR, "127.255.255.255"},
	{"error answer wins over a listing", {"127.0.0.2", "127.255.255.252"},
	    0, {NULL}, DNSBL_RES_TEMPERROR, "127.255.255.252"},
	{"timeout: temperror", {NULL}, DNS_TEMP, {NULL},
	    DNSBL_RES_TEMPERROR, ""},
	{"NXDOMAIN: not listed", {NULL}, 0, {NULL}, DNSBL_RES_NONE, ""},
};

static void
test_table(void **state)
{
	struct buf *why = buf_new(256);
	struct addr_range codes[2];
	struct dnsbl_zone_spec z;
	struct dnsbl_zone_result r;
	struct dns *d;
	struct addr a;
	size_t	 i, j;

	assert_int_equal(addr_parse("203.0.113.5", &a), AM_OK);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct bl_case *c = &cases[i];

		d = dns_mock_new();
		for (j = 0; j < 3 && c->answers[j] != NULL; j++)
			dns_mock_add(d, Q4, DNS_T_A, c->answers[j]);
		if (c->fail != 0)
			dns_mock_fail(d, Q4, DNS_T_A, c->fail);
		memset(&z, 0, sizeof(z));
		z.zone = "bl.example";
		z.codes = codes;
		for (j = 0; j < 2 && c->codes[j] != NULL; j++)
			assert_int_equal(addr_range_parse(c->codes[j],
			    &codes[z.ncodes++]), AM_OK);
		assert_int_equal(dnsbl_check(d, &a, &z, &r, why), AM_OK);
		if (r.result != c->want || strcmp(r.code, c->code) != 0)
			fail_msg("%s: got %s %s, want %s %s", c->label,
			    dnsbl_res_str(r.result), r.code,
			    dnsbl_res_str(c->want), c->code);
		assert_string_equal(r.zone, "bl.example");
		assert_false(r.allow);
		dns_free(&d);
	}
	buf_free(&why);
}

/* an allowlist says so in its result */
static void
test_allow(void **state)
{
	struct buf *why = buf_new(256);
	struct dns *d = dns_mock_new();
	struct dnsbl_zone_spec z = {"wl.example", true, NULL, 0};
	struct dnsbl_zone_result r;
	struct addr a;

	dns_mock_add(d, "5.113.0.203.wl.example", DNS_T_A, "127.0.0.15");
	assert_int_equal(addr_parse("203.0.113.5", &a), AM_OK);
	assert_int_equal(dnsbl_check(d, &a, &z, &r, why), AM_OK);
	assert_int_equal(r.result, DNSBL_RES_LISTED);
	assert_true(r.allow);
	dns_free(&d);
	buf_free(&why);
}

/* RFC 5782 2.1 and 2.4 query names */
static void
test_query_names(void **state)
{
	char	 q[256];
	struct addr a;

	assert_int_equal(addr_parse("192.0.2.99", &a), AM_OK);
	assert_int_equal(dnsbl_query_name(&a, "bl.example", q, sizeof(q)),
	    AM_OK);
	assert_string_equal(q, "99.2.0.192.bl.example");
	/* RFC 5782 2.4's example, under our zone */
	assert_int_equal(addr_parse("2001:db8:1:2:3:4:567:89ab", &a), AM_OK);
	assert_int_equal(dnsbl_query_name(&a, "bl.example", q, sizeof(q)),
	    AM_OK);
	assert_string_equal(q, "b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0."
	    "0.8.b.d.0.1.0.0.2.bl.example");
	assert_int_equal(dnsbl_query_name(&a, "bl.example", q, 20), AM_PERM);
}

/* the lookup starts at connect */
static void
test_prefetch(void **state)
{
	struct dns *d = dns_mock_new();
	struct addr a;

	assert_int_equal(addr_parse("203.0.113.5", &a), AM_OK);
	dnsbl_prefetch(d, &a, "bl.example");
	dnsbl_prefetch(d, &a, "wl.example");
	assert_int_equal(dns_mock_prefetches(d), 2);
	dns_free(&d);
}

/* write_tmp - a config file with text; returns its path (static) */
static const char *
write_tmp(const char *text)
{
	static char path[64];
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/test_dnsbl.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return (path);
}

static void
test_conf_ok(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf;
	struct addr a;
	const char *p = write_tmp(
	    "dnsbl = (\n"
	    "  { zone = \"bl.example\"; codes = [ \"127.0.0.2-127.0.0.11\" ]; },\n"
	    "  { zone = \"wl.example\"; codes = [ \"127.0.0.0/24\" ];\n"
	    "    allow = true; },\n"
	    "  { zone = \"any.example\"; }\n"
	    ");\n");

	assert_int_equal(conf_load(NULL, &cf, why), AM_OK);
	assert_int_equal(cf->dnsbl.n, 0);		/* default: none */
	assert_true(cf->iprev);
	conf_free(&cf);

	assert_int_equal(conf_load(p, &cf, why), AM_OK);
	unlink(p);
	assert_int_equal(cf->dnsbl.n, 3);
	assert_string_equal(cf->dnsbl.v[0].zone, "bl.example");
	assert_false(cf->dnsbl.v[0].allow);
	assert_int_equal(cf->dnsbl.v[0].ncodes, 1);
	assert_int_equal(addr_parse("127.0.0.11", &a), AM_OK);
	assert_true(addr_range_match(&cf->dnsbl.v[0].codes[0], &a));
	assert_int_equal(addr_parse("127.0.0.12", &a), AM_OK);
	assert_false(addr_range_match(&cf->dnsbl.v[0].codes[0], &a));
	assert_true(cf->dnsbl.v[1].allow);
	assert_int_equal(addr_parse("127.0.0.255", &a), AM_OK);
	assert_true(addr_range_match(&cf->dnsbl.v[1].codes[0], &a));
	assert_int_equal(cf->dnsbl.v[2].ncodes, 0);
	conf_free(&cf);
	buf_free(&why);
}

struct bad_case {
	const char *text;
	const char *want;		/* in why, after "file:" */
};

static const struct bad_case bad[] = {
	{"dnsbl = \"bl.example\";\n", ":1: dnsbl: want a list"},
	{"dnsbl = (\n { zone = \"bl.example\"; },\n { codes = [] ; }\n);\n",
	    ":3: dnsbl: an entry without zone"},
	{"dnsbl = (\n { zone = \"bl.example\";\n   colour = 1; }\n);\n",
	    ":3: dnsbl: unknown key \"colour\""},
	{"dnsbl = (\n { zone = \"bl.example\";\n"
	    "   codes = [ \"127.0.0.11-127.0.0.2\" ]; }\n);\n",
	    ":3: dnsbl: codes: \"127.0.0.11-127.0.0.2\""},
	{"dnsbl = ( { zone = \"bl.example\"; codes = [ \"::1\" ]; } );\n",
	    ":1: dnsbl: codes: \"::1\""},
	{"dnsbl = ( { zone = \"bl..example\"; } );\n",
	    ":1: dnsbl: zone \"bl..example\""},
	{"dnsbl = ( { zone = \"bl example\"; } );\n",
	    ":1: dnsbl: zone \"bl example\""},
	{"dnsbl = ( { zone = \"bl.example\"; allow = \"yes\"; } );\n",
	    ":1: dnsbl: allow: want true or false"},
	{"dnsbl = ( { zone = \"bl.example\"; }, { zone = \"BL.example\"; } );\n",
	    ":1: dnsbl: zone \"BL.example\" given twice"},
	{"dnsbl = ( \"bl.example\" );\n", ":1: dnsbl: want {"},
};

static void
test_conf_bad(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf;
	const char *p;
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = write_tmp(bad[i].text);
		assert_int_equal(conf_load(p, &cf, why), AM_PERM);
		unlink(p);
		assert_null(cf);
		if (strstr(buf_str(why), bad[i].want) == NULL)
			fail_msg("case %zu: got \"%s\", want \"%s\"", i,
			    buf_str(why), bad[i].want);
	}
	buf_free(&why);
}

/* more zones than LIM_DNSBL_ZONES */
static void
test_conf_too_many(void **state)
{
	struct buf *why = buf_new(256);
	char	 text[4096];
	struct conf *cf;
	const char *p;
	size_t	 o;
	int	 i;

	o = (size_t)snprintf(text, sizeof(text), "dnsbl = (");
	for (i = 0; i <= LIM_DNSBL_ZONES; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o,
		    "%s{ zone = \"z%d.example\"; }", i ? ", " : "", i);
	snprintf(text + o, sizeof(text) - o, ");\n");
	p = write_tmp(text);
	assert_int_equal(conf_load(p, &cf, why), AM_PERM);
	unlink(p);
	assert_non_null(strstr(buf_str(why), "at most"));
	buf_free(&why);
}

/* -n prints a list that loads back to the same zones */
static void
test_conf_dump(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf, *cf2;
	char	 path[64];
	const char *p = write_tmp(
	    "dnsbl = ( { zone = \"bl.example\"; codes = [ \"127.0.0.2\", "
	    "\"127.0.1.0/24\" ]; }, { zone = \"wl.example\"; allow = true; } );\n");
	FILE	*fp;
	int	 fd;

	assert_int_equal(conf_load(p, &cf, why), AM_OK);
	unlink(p);
	snprintf(path, sizeof(path), "/tmp/test_dnsbl_dump.XXXXXX");
	assert_true((fd = mkstemp(path)) >= 0);
	assert_non_null(fp = fdopen(fd, "w"));
	conf_dump(cf, fp);
	fclose(fp);
	assert_int_equal(conf_load(path, &cf2, why), AM_OK);
	unlink(path);
	assert_int_equal(cf2->dnsbl.n, 2);
	assert_int_equal(cf2->dnsbl.v[0].ncodes, 2);
	assert_memory_equal(cf2->dnsbl.v[0].codes, cf->dnsbl.v[0].codes,
	    2 * sizeof(struct addr_range));
	assert_true(cf2->dnsbl.v[1].allow);
	conf_free(&cf);
	conf_free(&cf2);
	buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_query_names),
		cmocka_unit_test(test_prefetch),
		cmocka_unit_test(test_conf_ok),
		cmocka_unit_test(test_conf_bad),
		cmocka_unit_test(test_conf_too_many),
		cmocka_unit_test(test_conf_dump),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
