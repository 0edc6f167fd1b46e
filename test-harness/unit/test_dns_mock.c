/*
 * NAME
 *	test_dns_mock - the in-memory zone answers like a server
 * DESCRIPTION
 *	Table-driven: each row queries one name/type from a shared zone
 *	and states status, NXDOMAIN flag, RR count and first RR. Then the
 *	name rules, the RR cap, the query counter and concurrent use; TXT
 *	given as bytes (NUL kept) and a delayed name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/limits.h"
#include "dns/dns.h"

struct dns_case {
	const char *label;
	const char *name;
	int	 type;
	int	 status;
	int	 nxdomain;
	size_t	 nrr;
	const char *first;		/* rr[0] as text; NULL: unchecked */
	int	 pref;			/* MX only */
};

#define LABEL63	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" \
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

static const struct dns_case cases[] = {
	{"A, two RRs", "a.example", DNS_T_A, DNS_OK, 0, 2, "192.0.2.1", 0},
	{"case-insensitive", "A.Example", DNS_T_A, DNS_OK, 0, 2, "192.0.2.1",
	    0},
	{"trailing dot", "a.example.", DNS_T_A, DNS_OK, 0, 2, "192.0.2.1", 0},
	{"AAAA", "v6.example", DNS_T_AAAA, DNS_OK, 0, 1, "2001:db8::1", 0},
	{"TXT, two RRs", "txt.example", DNS_T_TXT, DNS_OK, 0, 2,
	    "v=spf1 -all", 0},
	{"MX pref and name", "mx.example", DNS_T_MX, DNS_OK, 0, 2,
	    "mail.mx.example", 10},
	{"PTR", "1.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_OK, 0, 1,
	    "host.example", 0},
	{"CNAME followed", "alias.example", DNS_T_A, DNS_OK, 0, 2,
	    "192.0.2.1", 0},
	{"CNAME asked for", "alias.example", DNS_T_CNAME, DNS_OK, 0, 1,
	    "a.example", 0},
	{"CNAME to nowhere", "dangling.example", DNS_T_A, DNS_NOTFOUND, 1, 0,
	    NULL, 0},
	{"CNAME loop", "loop1.example", DNS_T_A, DNS_NOTFOUND, 0, 0, NULL, 0},
	{"NODATA", "a.example", DNS_T_MX, DNS_NOTFOUND, 0, 0, NULL, 0},
	{"NXDOMAIN", "nope.example", DNS_T_A, DNS_NOTFOUND, 1, 0, NULL, 0},
	{"fail TEMP", "temp.example", DNS_T_TXT, DNS_TEMP, 0, 0, NULL, 0},
	{"fail PERM", "perm.example", DNS_T_TXT, DNS_PERM, 0, 0, NULL, 0},
	{"fail NOTFOUND is NXDOMAIN", "gone.example", DNS_T_A, DNS_NOTFOUND,
	    1, 0, NULL, 0},
	{"fail is per type", "temp.example", DNS_T_A, DNS_NOTFOUND, 0, 0,
	    NULL, 0},
	{"empty name", "", DNS_T_A, DNS_PERM, 0, 0, NULL, 0},
	{"root only", ".", DNS_T_A, DNS_PERM, 0, 0, NULL, 0},
	{"empty label", "a..example", DNS_T_A, DNS_PERM, 0, 0, NULL, 0},
	{"leading dot", ".a.example", DNS_T_A, DNS_PERM, 0, 0, NULL, 0},
	/* any byte may stand in a label (RFC 2181 11); SPF macros make them */
	{"space", "a b.example", DNS_T_A, DNS_NOTFOUND, 1, 0, NULL, 0},
	{"backslash", "a\\.b.example", DNS_T_A, DNS_NOTFOUND, 1, 0, NULL, 0},
	{"label of 63", LABEL63 ".example", DNS_T_A, DNS_NOTFOUND, 1, 0, NULL,
	    0},
	{"label of 64", LABEL63 "a.example", DNS_T_A, DNS_PERM, 0, 0, NULL, 0},
};

/* zone - the shared zone every row queries */
static struct dns *
zone(void)
{
	struct dns *d = dns_mock_new();

	dns_mock_add(d, "a.example", DNS_T_A, "192.0.2.1");
	dns_mock_add(d, "A.EXAMPLE.", DNS_T_A, "192.0.2.2");
	dns_mock_add(d, "v6.example", DNS_T_AAAA, "2001:db8::1");
	dns_mock_add(d, "txt.example", DNS_T_TXT, "v=spf1 -all");
	dns_mock_add(d, "txt.example", DNS_T_TXT, "hello world");
	dns_mock_add(d, "mx.example", DNS_T_MX, "10 mail.mx.example.");
	dns_mock_add(d, "mx.example", DNS_T_MX, "20 backup.mx.example");
	dns_mock_add(d, "1.2.0.192.in-addr.arpa", DNS_T_PTR, "host.example.");
	dns_mock_add(d, "alias.example", DNS_T_CNAME, "a.example");
	dns_mock_add(d, "dangling.example", DNS_T_CNAME, "nowhere.example");
	dns_mock_add(d, "loop1.example", DNS_T_CNAME, "loop2.example");
	dns_mock_add(d, "loop2.example", DNS_T_CNAME, "loop1.example");
	dns_mock_fail(d, "temp.example", DNS_T_TXT, DNS_TEMP);
	dns_mock_fail(d, "perm.example", DNS_T_TXT, DNS_PERM);
	dns_mock_fail(d, "gone.example", DNS_T_A, DNS_NOTFOUND);
	return (d);
}

/* rr_text - rr[0] as text, for comparison */
static void
rr_text(const struct dns_rr *rr, int type, char *out, size_t len)
{
	if (type == DNS_T_A || type == DNS_T_AAAA)
		inet_ntop(type == DNS_T_A ? AF_INET : AF_INET6, rr->data, out,
		    (socklen_t)len);
	else
		snprintf(out, len, "%s", (const char *)rr->data);
}

/* test_table - every row against the shared zone */
static void
test_table(void **state)
{
	struct dns *d = zone();
	struct dns_answer *a;
	char	 got[LIM_DOMAIN];
	size_t	 i;
	int	 st;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dns_case *c = &cases[i];

		print_message("  %s\n", c->label);
		st = dns_query(d, c->name, c->type, &a, NULL);
		assert_non_null(a);
		assert_int_equal(st, c->status);
		assert_int_equal(a->status, c->status);
		assert_int_equal(a->nxdomain, c->nxdomain);
		assert_int_equal(a->nrr, c->nrr);
		if (c->first != NULL) {
			rr_text(&a->rr[0], c->type, got, sizeof(got));
			assert_string_equal(got, c->first);
			assert_int_equal(a->rr[0].type, c->type);
		}
		if (c->type == DNS_T_MX && c->nrr > 0)
			assert_int_equal(a->rr[0].pref, c->pref);
		dns_answer_free(&a);
		assert_null(a);
	}
	assert_int_equal(dns_mock_queries(d), i);
	dns_free(&d);
	assert_null(d);
}

/* test_limits - long names, the RR cap, text lengths, NULL frees */
static void
test_limits(void **state)
{
	struct dns *d = dns_mock_new();
	struct dns_answer *a;
	char	 name[300], buf[LIM_DOMAIN];
	int	 i;

	for (i = 0; i < LIM_DNS_RRS + 6; i++) {
		snprintf(buf, sizeof(buf), "192.0.2.%d", i);
		dns_mock_add(d, "many.example", DNS_T_A, buf);
	}
	assert_int_equal(dns_query(d, "many.example", DNS_T_A, &a, NULL),
	    DNS_OK);
	assert_int_equal(a->nrr, LIM_DNS_RRS);
	dns_answer_free(&a);

	/* 4 * 63 + 3 dots = 255 > 253 */
	memset(name, 'a', sizeof(name));
	for (i = 63; i < 255; i += 64)
		name[i] = '.';
	name[255] = '\0';
	assert_int_equal(dns_query(d, name, DNS_T_A, &a, NULL), DNS_PERM);
	dns_answer_free(&a);
	name[251] = '\0';		/* 251: fine, NXDOMAIN */
	assert_int_equal(dns_query(d, name, DNS_T_A, &a, NULL), DNS_NOTFOUND);
	assert_int_equal(a->nxdomain, 1);
	dns_answer_free(&a);

	dns_mock_add(d, "txt.example", DNS_T_TXT, "");
	assert_int_equal(dns_query(d, "txt.example", DNS_T_TXT, &a, NULL),
	    DNS_OK);
	assert_int_equal(a->rr[0].len, 0);
	assert_string_equal((const char *)a->rr[0].data, "");
	dns_answer_free(&a);

	dns_answer_free(NULL);
	a = NULL;
	dns_answer_free(&a);
	dns_free(NULL);
	dns_free(&d);
}

/* test_status_str - the four names */
static void
test_status_str(void **state)
{
	assert_string_equal(dns_status_str(DNS_OK), "ok");
	assert_string_equal(dns_status_str(DNS_NOTFOUND), "notfound");
	assert_string_equal(dns_status_str(DNS_TEMP), "temperror");
	assert_string_equal(dns_status_str(DNS_PERM), "permerror");
	assert_string_equal(dns_status_str(42), "?");
}

/* test_txt_delay - dns_mock_add_txt() keeps NUL; dns_mock_delay()
 * waits and is no RR: the name is still NXDOMAIN */
static void
test_txt_delay(void **state)
{
	static const char txt[] = "v=spf1\0 -all";
	struct dns *d = dns_mock_new();
	struct dns_answer *a;
	struct timespec t0, t1;
	long	 ms;

	dns_mock_add_txt(d, "t.example", txt, sizeof(txt) - 1);
	assert_int_equal(dns_query(d, "t.example", DNS_T_TXT, &a, NULL),
	    DNS_OK);
	assert_int_equal(a->rr[0].len, sizeof(txt) - 1);
	assert_memory_equal(a->rr[0].data, txt, sizeof(txt));
	dns_answer_free(&a);
	dns_mock_delay(d, "slow.example", 50);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(dns_query(d, "Slow.Example", DNS_T_A, &a, NULL),
	    DNS_NOTFOUND);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	assert_int_equal(a->nxdomain, 1);
	dns_answer_free(&a);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	assert_true(ms >= 50);
	dns_free(&d);
}

#define NTHREADS	8
#define NLOOPS		200

/* hammer - one thread's queries */
static void *
hammer(void *arg)
{
	struct dns *d = arg;
	struct dns_answer *a;
	int	 i, bad = 0;

	for (i = 0; i < NLOOPS; i++) {
		if (dns_query(d, "a.example", DNS_T_A, &a, NULL) != DNS_OK ||
		    a->nrr != 2)
			bad++;
		dns_answer_free(&a);
	}
	return ((void *)(intptr_t)bad);
}

/* test_threads - concurrent queries see a consistent zone */
static void
test_threads(void **state)
{
	struct dns *d = zone();
	pthread_t t[NTHREADS];
	void	*ret;
	int	 i;

	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, d), 0);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &ret);
		assert_int_equal((intptr_t)ret, 0);
	}
	assert_int_equal(dns_mock_queries(d), NTHREADS * NLOOPS);
	dns_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_status_str),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_txt_delay),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
