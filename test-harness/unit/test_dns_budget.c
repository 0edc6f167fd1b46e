/*
 * NAME
 *	test_dns_budget - unit tests for the per-message DNS time budget
 * DESCRIPTION
 *	Over dns_mock with delayed names: a bound budget caps what queries
 *	may wait in all, cuts the query that would pass it (DNS_TEMP,
 *	spent), refuses the ones after it without waiting, and leaves
 *	queries alone when unbound or unlimited. Then a whole SPF check
 *	whose lookups are slow: past the budget it is temperror.
 *	Times are never asserted: only statuses and the budget's books.
 * SEE ALSO
 *	dns/budget.c, dns/dns_mock.c
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/result.h"
#include "auth/spf.h"
#include "dns/dns.h"
#include "util/addr.h"
#include "util/am.h"
#include "util/buf.h"

/* ask - status of one TXT query */
static int
ask(struct dns *d, const char *name)
{
	struct dns_answer *a;
	struct buf *why = buf_new(256);
	int	 st;

	st = dns_query(d, name, DNS_T_TXT, &a, why);
	dns_answer_free(&a);
	buf_free(&why);
	return (st);
}

/* test_cut_then_refused - the query past the budget is cut, the next refused */
static void
test_cut_then_refused(void **state)
{
	struct dns *d = dns_mock_new();
	struct dns_budget b;

	(void)state;
	dns_mock_add(d, "slow.example", DNS_T_TXT, "v=spf1 -all");
	dns_mock_delay(d, "slow.example", 200);
	dns_budget_start(&b, 300);
	dns_budget_bind(&b);
	assert_int_equal(ask(d, "slow.example"), DNS_OK);	/* 200 of 300 */
	assert_false(b.spent);
	assert_int_equal(ask(d, "slow.example"), DNS_TEMP);	/* cut at 100 */
	assert_true(b.spent);
	assert_true(b.used_ms >= 300);
	assert_int_equal(ask(d, "slow.example"), DNS_TEMP);	/* refused */
	assert_int_equal(dns_mock_queries(d), 3);
	dns_budget_bind(NULL);
	assert_int_equal(ask(d, "slow.example"), DNS_OK);	/* unbound */
	dns_free(&d);
}

/* test_unlimited - budget 0 never cuts */
static void
test_unlimited(void **state)
{
	struct dns *d = dns_mock_new();
	struct dns_budget b;
	int	 i;

	(void)state;
	dns_mock_add(d, "a.example", DNS_T_TXT, "x");
	dns_mock_delay(d, "a.example", 20);
	dns_budget_start(&b, 0);
	dns_budget_bind(&b);
	for (i = 0; i < 5; i++)
		assert_int_equal(ask(d, "a.example"), DNS_OK);
	assert_false(b.spent);
	dns_budget_bind(NULL);
	dns_free(&d);
}

/* test_fast_answers_fit - undelayed answers never spend the budget */
static void
test_fast_answers_fit(void **state)
{
	struct dns *d = dns_mock_new();
	struct dns_budget b;
	int	 i;

	(void)state;
	dns_mock_add(d, "a.example", DNS_T_TXT, "x");
	dns_budget_start(&b, 1000);
	dns_budget_bind(&b);
	for (i = 0; i < 50; i++)
		assert_int_equal(ask(d, "a.example"), DNS_OK);
	assert_false(b.spent);
	dns_budget_bind(NULL);
	dns_free(&d);
}

/* test_spf_past_budget - a slow include chain: SPF temperror */
static void
test_spf_past_budget(void **state)
{
	struct dns *d = dns_mock_new();
	struct buf *why = buf_new(256);
	struct spf_result r;
	struct dns_budget b;
	struct addr client;
	struct spf *sp;

	(void)state;
	dns_mock_add(d, "s.example", DNS_T_TXT,
	    "v=spf1 include:i1.s.example include:i2.s.example -all");
	dns_mock_add(d, "i1.s.example", DNS_T_TXT,
	    "v=spf1 ip4:198.51.100.1 -all");
	dns_mock_add(d, "i2.s.example", DNS_T_TXT, "v=spf1 ip4:192.0.2.1 -all");
	dns_mock_delay(d, "i1.s.example", 150);
	dns_mock_delay(d, "i2.s.example", 150);
	assert_int_equal(addr_parse("192.0.2.1", &client), AM_OK);
	assert_non_null(sp = spf_new(d, "mx.test.example", why));

	/* without a budget: pass, after both includes */
	memset(&r, 0, sizeof(r));
	assert_int_equal(spf_check_mailfrom(sp, &client, "h.s.example",
	    "u@s.example", &r, why), AM_OK);
	assert_int_equal(r.result, SPF_RES_PASS);

	/* a budget that ends inside the second include: temperror */
	dns_budget_start(&b, 200);
	dns_budget_bind(&b);
	memset(&r, 0, sizeof(r));
	assert_int_equal(spf_check_mailfrom(sp, &client, "h.s.example",
	    "u@s.example", &r, why), AM_OK);
	dns_budget_bind(NULL);
	assert_int_equal(r.result, SPF_RES_TEMPERROR);
	assert_true(b.spent);
	spf_free(&sp);
	buf_free(&why);
	dns_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cut_then_refused),
		cmocka_unit_test(test_unlimited),
		cmocka_unit_test(test_fast_answers_fit),
		cmocka_unit_test(test_spf_past_budget),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
