/*
 * NAME
 *	test_header - unit tests for the From: field parser
 * DESCRIPTION
 *	Table-driven: each case is a field value (as the milter hands it
 *	over, possibly folded) and the status and author domains wanted.
 *	For an unparseable field, want_reason is a substring the reason
 *	must contain, when it matters.
 * SEE ALSO
 *	auth/header.c, RFC 5322 3.4, 3.6.2, 4.4
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/header.h"
#include "auth/result.h"

#define UNP	FROM_UNPARSEABLE
#define MULTI	FROM_MULTIPLE_MAILBOXES

struct from_case {
	const char *label;
	const char *input;
	enum from_status want;
	const char *want_domains[3];	/* in order of appearance */
	const char *want_reason;	/* substring, or NULL */
};

static const struct from_case cases[] = {
	/* plain forms */
	{"plain", "user@example.com", FROM_OK, {"example.com"}, NULL},
	{"leading space", " user@example.com", FROM_OK, {"example.com"}, NULL},
	{"angle only", "<user@example.com>", FROM_OK, {"example.com"}, NULL},
	{"display name", "John Smith <john@example.com>", FROM_OK,
	    {"example.com"}, NULL},
	{"quoted display name", "\"Smith, John\" <john@example.com>",
	    FROM_OK, {"example.com"}, NULL},
	{"quoted name with <> and @",
	    "\"evil@attacker.example <x@attacker.example>\" <a@example.com>",
	    FROM_OK, {"example.com"}, NULL},
	{"quoted name with quoted-pair",
	    "\"J\\\"o\\\\e\" <joe@example.com>", FROM_OK, {"example.com"},
	    NULL},
	{"quoted local part with @",
	    "\"user@attacker.example\"@example.com", FROM_OK,
	    {"example.com"}, NULL},
	{"quoted local part in angle",
	    "Name <\"a b@c\"@example.com>", FROM_OK, {"example.com"}, NULL},
	{"dotted local part", "first.last@example.com", FROM_OK,
	    {"example.com"}, NULL},
	{"obs-phrase with dot", "John Q. Public <jqp@example.com>",
	    FROM_OK, {"example.com"}, NULL},
	{"encoded-word display name",
	    "=?UTF-8?B?SsO2cmc=?= <joerg@example.de>", FROM_OK,
	    {"example.de"}, NULL},
	{"encoded-word q", "=?iso-8859-1?q?J=F6rg?= <j@example.de>",
	    FROM_OK, {"example.de"}, NULL},
	{"8-bit display name", "J\xc3\xb6rg <j@example.de>", FROM_OK,
	    {"example.de"}, NULL},

	/* comments */
	{"comment with address",
	    "(evil@attacker.example) user@example.com", FROM_OK,
	    {"example.com"}, NULL},
	{"comment with angle address",
	    "user@example.com (<evil@attacker.example>)", FROM_OK,
	    {"example.com"}, NULL},
	{"comment only", "(<evil@attacker.example>)", UNP, {NULL},
	    "no mailbox"},
	{"nested comments",
	    "(a (b <evil@attacker.example>) c) <user@example.com> (d(e)f)",
	    FROM_OK, {"example.com"}, NULL},
	{"comment with quoted-pair paren",
	    "(a \\) <evil@attacker.example>) user@example.com", FROM_OK,
	    {"example.com"}, NULL},
	{"comment inside angle", "< (x@attacker.example) user@example.com >",
	    FROM_OK, {"example.com"}, NULL},
	{"comment between local and @",
	    "user(c)@(c)example.com", FROM_OK, {"example.com"}, NULL},
	{"unbalanced comment", "(oops user@example.com", UNP, {NULL},
	    "unbalanced comment"},
	{"stray close paren", "user@example.com)", UNP, {NULL},
	    "unbalanced comment"},

	/* groups */
	{"group with one mailbox", "friends: user@example.com;", FROM_OK,
	    {"example.com"}, NULL},
	{"group with two", "Team: a@one.example, b@two.example;", MULTI,
	    {"one.example", "two.example"}, NULL},
	{"empty group", "undisclosed-recipients:;", UNP, {NULL},
	    "no mailbox"},
	{"empty group with cfws", "undisclosed: (none) ;", UNP, {NULL},
	    "no mailbox"},
	{"group plus mailbox", "g:;, user@example.com", FROM_OK,
	    {"example.com"}, NULL},
	{"unterminated group", "g: user@example.com", UNP, {NULL},
	    "unterminated group"},
	{"nested group", "g: h: a@example.com;;", UNP, {NULL}, "group"},

	/* several mailboxes */
	{"two mailboxes same domain", "a@example.com, b@example.com", MULTI,
	    {"example.com"}, NULL},
	{"two mailboxes same domain, case",
	    "a@Example.COM, Bee <b@example.com.>", MULTI, {"example.com"},
	    NULL},
	{"two domains", "a@one.example, Bee <b@two.example>", MULTI,
	    {"one.example", "two.example"}, NULL},
	{"obs empty list elements", ", ,a@example.com, ,", FROM_OK,
	    {"example.com"}, NULL},

	/* obsolete route */
	{"obs-route", "<@relay.example,@other.example:user@example.com>",
	    FROM_OK, {"example.com"}, NULL},
	{"obs-route leading commas",
	    "Name <,@relay.example,,@[192.0.2.1]:user@example.com>",
	    FROM_OK, {"example.com"}, NULL},
	{"bad route", "<@relay.example user@example.com>", UNP, {NULL},
	    "route"},

	/* domains */
	{"upper case", "USER@EXAMPLE.COM", FROM_OK, {"example.com"}, NULL},
	{"trailing dot", "user@example.com.", FROM_OK, {"example.com"},
	    NULL},
	{"trailing dot in angle", "<user@example.com.>", FROM_OK,
	    {"example.com"}, NULL},
	{"obs domain with cfws", "user@example . com", FROM_OK,
	    {"example.com"}, NULL},
	{"underscore and hyphen", "u@mail-1_x.example", FROM_OK,
	    {"mail-1_x.example"}, NULL},
	{"missing domain", "user", UNP, {NULL}, "domain"},
	{"missing domain angle", "Name <user>", UNP, {NULL}, "domain"},
	{"empty domain", "user@", UNP, {NULL}, "domain"},
	{"only a dot", "user@.", UNP, {NULL}, "domain"},
	{"domain literal", "user@[192.0.2.1]", UNP, {NULL},
	    "domain literal"},
	{"domain literal in angle", "N <user@[IPv6:2001:db8::1]>", UNP,
	    {NULL}, "domain literal"},
	{"IDN U-label domain", "user@b\xc3\xbc" "cher.example", FROM_OK,
	    {"xn--bcher-kva.example"}, NULL},
	{"invalid domain char", "user@exa$mple.com", UNP, {NULL},
	    "invalid character"},
	{"empty label", "user@a..example", UNP, {NULL}, NULL},
	{"long label", "u@aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaa.example", UNP, {NULL}, "label"},

	/* folding and bytes */
	{"folded CRLF", "John Smith\r\n <john@example.com>", FROM_OK,
	    {"example.com"}, NULL},
	{"folded LF", "John\n\tSmith <john@\n example.com>", FROM_OK,
	    {"example.com"}, NULL},
	{"folded in quoted string", "\"John\r\n Smith\" <j@example.com>",
	    FROM_OK, {"example.com"}, NULL},
	{"bare CR", "John\rSmith <john@example.com>", UNP, {NULL},
	    "bare CR"},
	{"CRLF without WSP", "a@example.com\r\nb@evil.example", UNP, {NULL},
	    "line break"},
	{"control character", "a\x01" "b@example.com", UNP, {NULL},
	    "control"},

	/* IDN: U-labels become A-labels (RFC 9989 5.3.1) */
	{"IDN upper-case U-label", "u@B\xc3\x9c" "CHER.Example", FROM_OK,
	    {"xn--bcher-kva.example"}, NULL},
	{"IDN in angle, 8-bit display name",
	    "J\xc3\xb6rg <j@m\xc3\xbc" "nchen.example>", FROM_OK,
	    {"xn--mnchen-3ya.example"}, NULL},
	{"IDN ideographic full stop is a dot", "u@example\xe3\x80\x82" "com",
	    FROM_OK, {"example.com"}, NULL},
	{"IDN fullwidth letter maps to ASCII", "u@\xef\xbd\x85xample.com",
	    FROM_OK, {"example.com"}, NULL},
	{"IDN Cyrillic look-alike stays apart", "u@\xd0\xb0pple.example",
	    FROM_OK, {"xn--pple-43d.example"}, NULL},
	{"IDN and ASCII same domain, one author domain",
	    "a@xn--bcher-kva.example, b@b\xc3\xbc" "cher.example", MULTI,
	    {"xn--bcher-kva.example"}, NULL},
	{"invalid UTF-8 in domain", "u@b\xfc" "cher.example", UNP, {NULL},
	    "IDN"},
	{"IDN disallowed code point", "u@a\xe2\x98\x83.example", UNP,
	    {NULL}, "IDN"},
	{"IDN bad punycode with a U-label", "u@xn--zz.b\xc3\xbc" "cher.example",
	    UNP, {NULL}, "IDN"},
	{"IDN empty label after mapping", "u@a\xe3\x80\x82\xe3\x80\x82" "b",
	    UNP, {NULL}, NULL},

	/* encoded-words: display names only, never an address */
	{"encoded-word with a fake address",
	    "=?utf-8?q?ceo@bank.example?= <evil@evil.example>", FROM_OK,
	    {"evil.example"}, NULL},
	{"encoded-word with fake addresses and comma",
	    "=?utf-8?q?a@bank.example,_b@bank.example?= <x@evil.example>",
	    FROM_OK, {"evil.example"}, NULL},
	{"encoded-word fake address alone",
	    "=?utf-8?q?ceo@bank.example?=", UNP, {NULL}, NULL},
	{"encoded-word fake address, then angle-less address",
	    "=?utf-8?q?ceo@bank.example?= x@evil.example", UNP, {NULL}, NULL},
	{"encoded-word as local part",
	    "=?utf-8?q?a@bank.example?=@evil.example",
	    UNP, {NULL}, "encoded-word"},
	{"encoded-word as domain", "u@=?utf-8?q?bank.example?=", UNP, {NULL},
	    "domain"},
	{"encoded-word with <> inside is not one token",
	    "=?utf-8?q?<ceo@bank.example>?= <x@evil.example>", UNP, {NULL},
	    NULL},
	{"encoded-word with quote inside is not one token",
	    "=?utf-8?q?a\"<ceo@bank.example>?= <x@evil.example>", UNP, {NULL},
	    NULL},
	{"encoded-word glued to atext is atoms",
	    "=?utf-8?q?a@bank.example?=x <y@evil.example>", UNP, {NULL},
	    NULL},
	{"encoded-word B with fake address encoded",
	    "=?utf-8?b?Y2VvQGJhbmsuZXhhbXBsZQ==?= <x@evil.example>", FROM_OK,
	    {"evil.example"}, NULL},
	{"encoded-word with language, fake address",
	    "=?utf-8*en?Q?a@b.example?= <x@good.example>", FROM_OK,
	    {"good.example"}, NULL},
	{"encoded-words twice, then angle",
	    "=?utf-8?q?a@b.example?= =?utf-8?q?c@d.example?= <x@good.example>",
	    FROM_OK, {"good.example"}, NULL},
	{"encoded-word as group name",
	    "=?utf-8?q?a:b@c.example?=: x@good.example;",
	    FROM_OK, {"good.example"}, NULL},
	{"broken encoded-word (no encoding)",
	    "=?utf-8?x?a@b.example?= <x@good.example>", UNP, {NULL}, NULL},
	{"encoded-word in quoted display name",
	    "\"=?utf-8?q?ceo@bank.example?=\" <x@evil.example>", FROM_OK,
	    {"evil.example"}, NULL},

	/* quoted-pair tricks */
	{"quoted-pair quote in local part",
	    "\"a\\\"@evil.example\"@good.example",
	    FROM_OK, {"good.example"}, NULL},
	{"escaped backslash ends the quoted string",
	    "\"a\\\\\"@evil.example", FROM_OK, {"evil.example"}, NULL},
	{"quoted-pair in display name hides a fake angle",
	    "\"x\\\" <ceo@bank.example>\" <y@evil.example>", FROM_OK,
	    {"evil.example"}, NULL},
	{"quoted-pair paren in comment",
	    "(\\(<ceo@bank.example>) y@evil.example",
	    FROM_OK, {"evil.example"}, NULL},
	{"quoted-pair at the end of a quoted string",
	    "\"abc\\\" <u@good.example>",
	    UNP, {NULL}, "unbalanced quote"},

	/* CFWS everywhere, routes */
	{"CFWS everywhere",
	    "(a) \"N\" (b) < (c) @ (d) r.example (e) , (f) @s.example (g) "
	    ": (h) u (i) . (j) v (k) @ (l) good (m) . (n) example (o) > (p)",
	    FROM_OK, {"good.example"}, NULL},
	{"CFWS folded everywhere",
	    "\r\n (a)\r\n <\r\n\tu\r\n @\r\n good.example\r\n >\r\n (z)",
	    FROM_OK, {"good.example"}, NULL},
	{"obs-route domain is not the author",
	    "<@evil.example:u@good.example>", FROM_OK, {"good.example"}, NULL},
	{"obs-route with comments",
	    "<(c)@evil.example(c),(c)@x.example(c):u@good.example>", FROM_OK,
	    {"good.example"}, NULL},
	{"route without address", "<@evil.example:>", UNP, {NULL}, NULL},
	{"bare CR in quoted string", "\"a\rb\" <u@good.example>", UNP, {NULL},
	    "bare CR"},
	{"CR at the end", "u@good.example\r", UNP, {NULL}, "bare CR"},
	{"Sender-like text is just a phrase",
	    "Sender: ceo@bank.example <u@good.example>", UNP, {NULL}, NULL},

	/* garbage */
	{"empty", "", UNP, {NULL}, "empty"},
	{"only spaces", "   ", UNP, {NULL}, "no mailbox"},
	{"addr-spec then angle", "a@b.example <c@d.example>", UNP, {NULL},
	    "text after"},
	{"two angles", "Name <a@b.example> <c@d.example>", UNP, {NULL},
	    "text after"},
	{"unbalanced quote", "\"John <john@example.com>", UNP, {NULL},
	    "unbalanced quote"},
	{"unbalanced angle open", "John <john@example.com", UNP, {NULL},
	    "angle"},
	{"unbalanced angle close", "john@example.com>", UNP, {NULL},
	    "angle"},
	{"nested angle", "<<a@example.com>>", UNP, {NULL}, NULL},
	{"empty angle", "Name <>", UNP, {NULL}, "empty address"},
	{"two @", "a@b@example.com", UNP, {NULL}, NULL},
	{"space in local part", "john smith@example.com", UNP, {NULL},
	    NULL},
	{"leading dot local", ".a@example.com", UNP, {NULL}, NULL},
	{"backslash outside quotes", "a\\@evil.example@example.com", UNP,
	    {NULL}, NULL},
	{"semicolon outside group", "a@example.com; b@evil.example", UNP,
	    {NULL}, NULL},
	{"unclosed domain literal", "a@[1.2.3.4", UNP, {NULL},
	    "unbalanced bracket"},
	{"text after address", "a@example.com b", UNP, {NULL},
	    "text after"},
};

/* from_case_ok - run one table row; 0 and a message if it fails */
static int
from_case_ok(const struct from_case *c)
{
	struct from_result res;
	int	 i, n;

	header_from_parse(c->input, strlen(c->input), &res);
	if (res.status != c->want) {
		print_error("%s: status %s (%s), want %s\n", c->label,
		    from_status_str(res.status), res.reason,
		    from_status_str(c->want));
		return (0);
	}
	for (n = 0; n < 3 && c->want_domains[n] != NULL; n++)
		continue;
	if (res.ndomains != n) {
		print_error("%s: %d domains, want %d\n", c->label,
		    res.ndomains, n);
		return (0);
	}
	for (i = 0; i < n; i++)
		if (strcmp(res.domains[i], c->want_domains[i]) != 0) {
			print_error("%s: domain %d %s, want %s\n", c->label,
			    i, res.domains[i], c->want_domains[i]);
			return (0);
		}
	if (c->want_reason != NULL &&
	    strstr(res.reason, c->want_reason) == NULL) {
		print_error("%s: reason \"%s\", want \"%s\"\n", c->label,
		    res.reason, c->want_reason);
		return (0);
	}
	return (1);
}

/* test_table - every row of the table; reports all failures */
static void
test_table(void **state)
{
	size_t	 i;
	int	 bad = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (!from_case_ok(&cases[i]))
			bad++;
	assert_int_equal(bad, 0);
}

/* test_nul_byte - a NUL inside the value, which strlen() would hide */
static void
test_nul_byte(void **state)
{
	static const char v[] = "user@example.com\0<evil@attacker.example>";
	static const char w[] = "a@evil\0.example";
	struct from_result res;

	(void)state;
	header_from_parse(v, sizeof(v) - 1, &res);
	assert_int_equal(res.status, FROM_UNPARSEABLE);
	assert_int_equal(res.ndomains, 0);
	assert_non_null(strstr(res.reason, "NUL"));
	header_from_parse(w, sizeof(w) - 1, &res);
	assert_int_equal(res.status, FROM_UNPARSEABLE);
}

/* test_length_bound - only len bytes are read, no NUL needed */
static void
test_length_bound(void **state)
{
	char	*v;
	struct from_result res;

	(void)state;
	v = malloc(16);
	assert_non_null(v);
	memcpy(v, "a@example.comXYZ", 16);	/* no terminator */
	header_from_parse(v, 13, &res);
	assert_int_equal(res.status, FROM_OK);
	assert_string_equal(res.domains[0], "example.com");
	free(v);
}

/* test_long_input - a huge display name and a huge comment parse */
static void
test_long_input(void **state)
{
	size_t	 n = 60000, i;
	char	*v;
	struct from_result res;

	(void)state;
	v = malloc(n + 64);
	assert_non_null(v);
	for (i = 0; i < n; i++)
		v[i] = i % 10 == 9 ? ' ' : 'x';
	memcpy(v + n, "<a@example.com>", 16);
	header_from_parse(v, strlen(v), &res);
	assert_int_equal(res.status, FROM_OK);
	assert_string_equal(res.domains[0], "example.com");

	for (i = 0; i < n; i++)		/* deeply nested comment */
		v[i] = i < n / 2 ? '(' : ')';
	memcpy(v + n, "<a@example.com>", 16);
	header_from_parse(v, strlen(v), &res);
	assert_int_equal(res.status, FROM_OK);

	v[n - 1] = 'x';			/* one close paren short */
	header_from_parse(v, strlen(v), &res);
	assert_int_equal(res.status, FROM_UNPARSEABLE);
	free(v);

	v = malloc(LIM_HEADER + 2);	/* over the field cap */
	assert_non_null(v);
	memset(v, 'x', LIM_HEADER + 1);
	v[LIM_HEADER + 1] = '\0';
	header_from_parse(v, LIM_HEADER + 1, &res);
	assert_int_equal(res.status, FROM_UNPARSEABLE);
	assert_non_null(strstr(res.reason, "too long"));
	free(v);
}

/* test_long_domain - a domain over 253 octets is refused */
static void
test_long_domain(void **state)
{
	char	 v[600];
	size_t	 i, n = 0;
	struct from_result res;

	(void)state;
	n += (size_t)snprintf(v, sizeof(v), "a@");
	for (i = 0; i < 30; i++)
		n += (size_t)snprintf(v + n, sizeof(v) - n, "abcdefghi.");
	snprintf(v + n, sizeof(v) - n, "example");
	header_from_parse(v, strlen(v), &res);
	assert_int_equal(res.status, FROM_UNPARSEABLE);
	assert_non_null(strstr(res.reason, "too long"));
}

/* test_many_mailboxes - distinct domains over the cap */
static void
test_many_mailboxes(void **state)
{
	char	 v[2048];
	size_t	 n = 0;
	int	 i;
	struct from_result res;

	(void)state;
	for (i = 0; i < LIM_FROM_MAILBOXES; i++)
		n += (size_t)snprintf(v + n, sizeof(v) - n, "%su@d%d.example",
		    i ? ", " : "", i);
	header_from_parse(v, n, &res);
	assert_int_equal(res.status, FROM_MULTIPLE_MAILBOXES);
	assert_int_equal(res.ndomains, LIM_FROM_MAILBOXES);

	snprintf(v + n, sizeof(v) - n, ", u@one-more.example");
	header_from_parse(v, strlen(v), &res);
	assert_int_equal(res.status, FROM_UNPARSEABLE);
	assert_string_equal(res.reason, "too many mailboxes");
	assert_int_equal(res.ndomains, 0);

	n = 0;				/* many mailboxes, one domain: fine */
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(v + n, sizeof(v) - n, "%su%d@example.com",
		    i ? ", " : "", i);
	header_from_parse(v, n, &res);
	assert_int_equal(res.status, FROM_MULTIPLE_MAILBOXES);
	assert_int_equal(res.ndomains, 1);
}

/* test_count - header_from_count for 0, 1 and 2 fields */
static void
test_count(void **state)
{
	struct from_result res;

	(void)state;
	header_from_parse("a@example.com", 13, &res);
	header_from_count(&res, 1);
	assert_int_equal(res.status, FROM_OK);
	assert_string_equal(res.domains[0], "example.com");

	header_from_count(&res, 2);
	assert_int_equal(res.status, FROM_MULTIPLE_FIELDS);
	assert_non_null(strstr(res.reason, "2 From"));

	header_from_count(&res, 0);
	assert_int_equal(res.status, FROM_MISSING);
	assert_int_equal(res.ndomains, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_length_bound),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_long_domain),
		cmocka_unit_test(test_many_mailboxes),
		cmocka_unit_test(test_count),
	};

	fprintf(stderr, "test_header: %zu table cases\n",
	    sizeof(cases) / sizeof(cases[0]));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
