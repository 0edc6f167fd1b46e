/*
 * NAME
 *	test_helo - HELO hygiene bits
 * DESCRIPTION
 *	Table-driven: each row is a HELO name from a client, with our own
 *	name and address and an iprev result, and the HELO_* bits wanted.
 *	Then the words of helo_bad_str().
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "auth/helo.h"
#include "util/am.h"

struct helo_case {
	const char *label;
	const char *helo;
	const char *client;
	enum iprev_res iprev;		/* IPREV_RES_NONE: not checked */
	const char *ptr;		/* verified name on pass */
	unsigned want;
};

#define C	"203.0.113.5"

static const struct helo_case cases[] = {
	{"clean, matches PTR", "mail.example", C, IPREV_RES_PASS,
	    "mail.example", 0},
	{"clean, case and trailing dot", "MAIL.Example.", C, IPREV_RES_PASS,
	    "mail.example", 0},
	{"clean, iprev not checked", "mail.example", C, IPREV_RES_NONE, "", 0},
	{"clean, iprev temperror", "mail.example", C, IPREV_RES_TEMPERROR, "",
	    0},
	{"not the PTR name", "other.example", C, IPREV_RES_PASS,
	    "mail.example", HELO_PTR_MISMATCH},
	{"no verified name: iprev fail", "mail.example", C, IPREV_RES_FAIL,
	    "", HELO_PTR_MISMATCH},
	{"no verified name: no PTR", "mail.example", C, IPREV_RES_PERMERROR,
	    "", HELO_PTR_MISMATCH},
	{"bare word", "mailhost", C, IPREV_RES_NONE, "", HELO_NOT_FQDN},
	{"empty", "", C, IPREV_RES_NONE, "", HELO_NOT_FQDN},
	{"empty label", "mail..example", C, IPREV_RES_NONE, "",
	    HELO_NOT_FQDN},
	{"leading dot", ".example", C, IPREV_RES_NONE, "", HELO_NOT_FQDN},
	{"space in name", "mail example.com", C, IPREV_RES_NONE, "",
	    HELO_NOT_FQDN},
	{"8-bit byte", "m\xe4il.example", C, IPREV_RES_NONE, "",
	    HELO_NOT_FQDN},
	{"numeric top label", "1.2.3.4.5", C, IPREV_RES_NONE, "",
	    HELO_NOT_FQDN},
	{"label over 63", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaa.example", C, IPREV_RES_NONE, "", HELO_NOT_FQDN},
	{"localhost", "localhost", C, IPREV_RES_NONE, "",
	    HELO_LOCALHOST | HELO_NOT_FQDN},
	{"under localhost", "a.localhost", C, IPREV_RES_NONE, "",
	    HELO_LOCALHOST},
	{"localhost.localdomain", "LOCALHOST.localdomain", C, IPREV_RES_NONE,
	    "", HELO_LOCALHOST},
	{"not under localhost", "notlocalhost.example", C, IPREV_RES_NONE, "",
	    0},
	{"literal of the client", "[203.0.113.5]", C, IPREV_RES_PASS,
	    "mail.example", 0},
	{"literal of another", "[192.0.2.1]", C, IPREV_RES_PASS,
	    "mail.example", HELO_LITERAL_MISMATCH},
	{"IPv6 literal of the client", "[IPv6:2001:db8::5]", "2001:db8::5",
	    IPREV_RES_NONE, "", 0},
	{"IPv6 literal of another", "[IPv6:2001:db8::6]", "2001:db8::5",
	    IPREV_RES_NONE, "", HELO_LITERAL_MISMATCH},
	{"IPv4 literal, IPv6 client", "[203.0.113.5]", "2001:db8::5",
	    IPREV_RES_NONE, "", HELO_LITERAL_MISMATCH},
	{"malformed literal", "[not.an.address]", C, IPREV_RES_NONE, "",
	    HELO_NOT_FQDN},
	{"bare address", "203.0.113.5", C, IPREV_RES_NONE, "", HELO_NOT_FQDN},
	{"our name", "mx.test.example", C, IPREV_RES_NONE, "", HELO_OURS},
	{"our authserv-id", "Auth.Test.Example", C, IPREV_RES_NONE, "",
	    HELO_OURS},
	{"our address as literal", "[192.0.2.25]", C, IPREV_RES_NONE, "",
	    HELO_LITERAL_MISMATCH | HELO_OURS},
	{"our address bare", "192.0.2.25", C, IPREV_RES_NONE, "",
	    HELO_NOT_FQDN | HELO_OURS},
};

static void
test_table(void **state)
{
	struct addr client, us;
	struct iprev_result ip;
	struct helo_ours ours;
	unsigned got;
	size_t	 i;

	assert_int_equal(addr_parse("192.0.2.25", &us), AM_OK);
	memset(&ours, 0, sizeof(ours));
	ours.names[0] = "mx.test.example";
	ours.names[1] = "auth.test.example";
	ours.addrs = &us;
	ours.naddrs = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct helo_case *c = &cases[i];

		assert_int_equal(addr_parse(c->client, &client), AM_OK);
		memset(&ip, 0, sizeof(ip));
		ip.checked = c->iprev != IPREV_RES_NONE;
		ip.result = c->iprev;
		snprintf(ip.name, sizeof(ip.name), "%s", c->ptr);
		got = helo_hygiene(c->helo, &client, &ours, &ip);
		if (got != c->want)
			fail_msg("%s: got 0x%x, want 0x%x", c->label, got,
			    c->want);
	}
	/* nothing known of us, no iprev: only the name itself counts */
	assert_int_equal(helo_hygiene("mx.test.example", &client, NULL, NULL),
	    0);
	assert_int_equal(helo_hygiene(NULL, NULL, NULL, NULL), HELO_NOT_FQDN);
	assert_int_equal(helo_hygiene("[192.0.2.1]", NULL, NULL, NULL),
	    HELO_LITERAL_MISMATCH);
}

static void
test_words(void **state)
{
	char	 s[128];

	helo_bad_str(0, s, sizeof(s));
	assert_string_equal(s, "-");
	helo_bad_str(HELO_NOT_FQDN | HELO_LOCALHOST | HELO_PTR_MISMATCH, s,
	    sizeof(s));
	assert_string_equal(s, "not_fqdn,localhost,ptr_mismatch");
	helo_bad_str(HELO_LITERAL_MISMATCH | HELO_OURS, s, sizeof(s));
	assert_string_equal(s, "literal_mismatch,ours");
	helo_bad_str(HELO_NOT_FQDN | HELO_LOCALHOST, s, 12);	/* cut */
	assert_string_equal(s, "not_fqdn");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_words),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
