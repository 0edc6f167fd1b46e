/*
 * NAME
 *	test_report - report rows, the SQLite store and the aggregate XML
 * DESCRIPTION
 *	Which messages yield a row and with what disposition and override
 *	reason (table-driven); rows through an in-memory SQLite store into
 *	an aggregate report: grouping and counts, and hostile strings
 *	escaped in the XML. The schema check and delivery are in
 *	test-harness/suites/report.sh.
 * SEE ALSO
 *	RFC 9990 2.1
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "report/aggregate.h"
#include "report/row.h"
#include "report/store.h"
#include "util/am.h"

struct row_case {
	const char *label;
	enum dmarc_res dmarc;
	enum dmarc_policy policy;
	bool	 testing, monitor;
	enum verdict verdict;
	const char *subject;
	bool	 want;			/* a row */
	const char *evaluated, *disposition, *reason;
};

static const struct row_case rows[] = {
	{"pass", DMARC_RES_PASS, DMARC_P_REJECT, false, false, VERDICT_ACCEPT,
	    NULL, true, "pass", "pass", ""},
	{"fail reject", DMARC_RES_FAIL, DMARC_P_REJECT, false, false,
	    VERDICT_REJECT, NULL, true, "reject", "reject", ""},
	{"fail quarantine held", DMARC_RES_FAIL, DMARC_P_QUARANTINE, false,
	    false, VERDICT_QUARANTINE, NULL, true, "quarantine", "quarantine",
	    ""},
	{"reject only tagged: local policy", DMARC_RES_FAIL, DMARC_P_REJECT,
	    false, false, VERDICT_TAG, NULL, true, "reject", "none",
	    "local_policy"},
	{"monitor mode", DMARC_RES_FAIL, DMARC_P_REJECT, false, true,
	    VERDICT_TAG, NULL, true, "reject", "none", "local_policy"},
	{"t=y", DMARC_RES_FAIL, DMARC_P_REJECT, true, false,
	    VERDICT_QUARANTINE, NULL, true, "quarantine", "quarantine",
	    "policy_test_mode"},
	{"tempfail: comes again", DMARC_RES_FAIL, DMARC_P_REJECT, false,
	    false, VERDICT_TEMPFAIL, NULL, false, NULL, NULL, NULL},
	{"no record", DMARC_RES_NONE, DMARC_P_UNSET, false, false,
	    VERDICT_ACCEPT, NULL, false, NULL, NULL, NULL},
	{"a report: not about reports", DMARC_RES_PASS, DMARC_P_NONE, false,
	    false, VERDICT_ACCEPT, " Report Domain: a.example Submitter: b",
	    false, NULL, NULL, NULL},
};

/* results - a message of a.example with one DKIM signature */
static void
results(struct auth_results *r, enum dmarc_res res, enum dmarc_policy p,
    bool testing)
{
	memset(r, 0, sizeof(*r));
	r->dmarc.result = res;
	r->dmarc.policy = r->dmarc.p = p;
	r->dmarc.testing = testing;
	r->dmarc.adkim = r->dmarc.aspf = 'r';
	snprintf(r->dmarc.from_domain, LIM_DOMAIN, "a.example");
	if (res != DMARC_RES_NONE)
		snprintf(r->dmarc.policy_domain, LIM_DOMAIN, "a.example");
	snprintf(r->dmarc.rua, LIM_DMARC_URIS, "mailto:agg@a.example");
	r->dkim.nsigs = 1;
	r->dkim.sigs[0].result = DKIM_RES_FAIL;
	snprintf(r->dkim.sigs[0].d, LIM_DOMAIN, "a.example");
	snprintf(r->dkim.sigs[0].s, 64, "s1");
	r->mailfrom.checked = true;
	r->mailfrom.result = SPF_RES_FAIL;
	snprintf(r->mailfrom.domain, LIM_DOMAIN, "a.example");
}

static void
test_rows(void **state)
{
	struct auth_results r;
	struct decision d;
	struct report_input in;
	struct report_row row;
	size_t	 i;
	bool	 got;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		results(&r, rows[i].dmarc, rows[i].policy, rows[i].testing);
		memset(&d, 0, sizeof(d));
		d.verdict = rows[i].verdict;
		d.why = "rule-x";
		memset(&in, 0, sizeof(in));
		in.t = 1000;
		in.qid = "Q1";
		in.ip = "192.0.2.1";
		in.mailfrom = "<a@a.example>";
		in.rcpt = "<u@rcpt.example>";
		in.nrcpt = 1;
		in.subject = rows[i].subject;
		in.res = &r;
		in.d = &d;
		in.monitor = rows[i].monitor;
		got = report_row_fill(&row, &in);
		if (got != rows[i].want)
			fail_msg("%s: row %d, want %d", rows[i].label, got,
			    rows[i].want);
		if (!got)
			continue;
		if (strcmp(row.evaluated, rows[i].evaluated) != 0 ||
		    strcmp(row.disposition, rows[i].disposition) != 0 ||
		    strcmp(row.reason, rows[i].reason) != 0)
			fail_msg("%s: evaluated %s disposition %s reason %s",
			    rows[i].label, row.evaluated, row.disposition,
			    row.reason);
		assert_string_equal(row.envelope_from, "a.example");
		assert_string_equal(row.envelope_to, "rcpt.example");
	}
}

static void
test_store_aggregate(void **state)
{
	struct auth_results r;
	struct decision d = {.verdict = VERDICT_REJECT};
	struct report_input in = {.t = 1000, .qid = "Q", .ip = "192.0.2.1",
	    .mailfrom = "", .res = &r, .d = &d};
	struct report_row a, b, c, *v[3] = {&a, &b, &c};
	struct agg_meta m = {"Org <&>", "x@y.example", "id1", "gen", 0, 2000};
	struct agg_info info;
	struct buf *why = buf_new(LIM_REASON), *xml = buf_new(1 << 20);
	struct store *st;
	char	**doms;
	size_t	 n;

	(void)state;
	results(&r, DMARC_RES_FAIL, DMARC_P_REJECT, false);
	snprintf(r.dkim.sigs[0].reason, LIM_REASON, "bad <sig> & \"x\"");
	assert_true(report_row_fill(&a, &in));
	assert_true(report_row_fill(&b, &in));
	in.ip = "198.51.100.7";
	assert_true(report_row_fill(&c, &in));
	st = store_open("sqlite::memory:", why);
	assert_non_null(st);
	assert_int_equal(store_insert(st, "mx1", v, 3, why), AM_OK);
	assert_int_equal(report_domains(st, 0, 2000, &doms, &n, why), AM_OK);
	assert_int_equal(n, 1);
	assert_string_equal(doms[0], "a.example");
	report_domains_free(doms, n);
	assert_int_equal(report_aggregate(st, "a.example", &m, xml, &info,
	    why), AM_OK);
	assert_int_equal(info.messages, 3);
	assert_int_equal(info.records, 2);
	assert_non_null(strstr(xml->data, "<source_ip>192.0.2.1</source_ip>"
	    "<count>2</count>"));
	assert_non_null(strstr(xml->data, "<org_name>Org &lt;&amp;&gt;"
	    "</org_name>"));
	assert_non_null(strstr(xml->data, "<human_result>bad &lt;sig&gt; "
	    "&amp; &quot;x&quot;</human_result>"));
	assert_non_null(strstr(xml->data, "<p>reject</p>"));
	assert_int_equal(report_aggregate(st, "b.example", &m, xml, &info,
	    why), AM_PERM);		/* no rows */
	store_free(&st);
	assert_null(store_open("mysql://x", why));
	buf_free(&xml);
	buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows),
		cmocka_unit_test(test_store_aggregate),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
