/*
 * test_policy - policy_decide() from results and configuration
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "policy/policy.h"
#include "util/am.h"

enum knob { K_NONE, K_MONITOR, K_DNS_ACCEPT, K_BADFROM_ACCEPT,
	K_REJ_QUAR, K_REJ_TAG, K_QUAR_TAG, K_SPF_KEEP };

static const struct {
	const char *label;
	enum dmarc_res dmarc;
	enum dmarc_policy policy;
	enum from_status from;
	int	 ndomains;
	enum spf_res spf;
	enum dkim_res dkim;		/* one signature, or none */
	int	 pct;
	bool	 testing;
	enum knob knob;
	enum verdict want;
	enum verdict want_would;
	const char *want_code;
	const char *want_xcode;
} cases[] = {
	{"pass", DMARC_RES_PASS, DMARC_P_REJECT, FROM_OK, 1, SPF_RES_PASS,
	    DKIM_RES_NONE, 100, false, K_NONE, VERDICT_ACCEPT,
	    VERDICT_ACCEPT, "", ""},
	{"no policy", DMARC_RES_NONE, DMARC_P_UNSET, FROM_OK, 1,
	    SPF_RES_NEUTRAL, DKIM_RES_NONE, 100, false, K_NONE,
	    VERDICT_ACCEPT, VERDICT_ACCEPT, "", ""},
	{"fail reject", DMARC_RES_FAIL, DMARC_P_REJECT, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_NONE, 100, false, K_NONE,
	    VERDICT_REJECT, VERDICT_REJECT, "550", "5.7.26"},
	{"fail quarantine", DMARC_RES_FAIL, DMARC_P_QUARANTINE, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_FAIL, 100, false, K_NONE,
	    VERDICT_QUARANTINE, VERDICT_QUARANTINE, "", ""},
	{"fail none", DMARC_RES_FAIL, DMARC_P_NONE, FROM_OK, 1, SPF_RES_FAIL,
	    DKIM_RES_NONE, 100, false, K_NONE, VERDICT_TAG, VERDICT_TAG,
	    "", ""},
	{"reject as quarantine", DMARC_RES_FAIL, DMARC_P_REJECT, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_NONE, 100, false, K_REJ_QUAR,
	    VERDICT_QUARANTINE, VERDICT_QUARANTINE, "", ""},
	{"reject as tag", DMARC_RES_FAIL, DMARC_P_REJECT, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_NONE, 100, false, K_REJ_TAG,
	    VERDICT_TAG, VERDICT_TAG, "", ""},
	{"quarantine as tag", DMARC_RES_FAIL, DMARC_P_QUARANTINE, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_NONE, 100, false, K_QUAR_TAG,
	    VERDICT_TAG, VERDICT_TAG, "", ""},
	{"temperror", DMARC_RES_TEMPERROR, DMARC_P_UNSET, FROM_OK, 1,
	    SPF_RES_PASS, DKIM_RES_NONE, 100, false, K_NONE,
	    VERDICT_TEMPFAIL, VERDICT_TEMPFAIL, "451", "4.7.5"},
	{"temperror accepted", DMARC_RES_TEMPERROR, DMARC_P_UNSET, FROM_OK, 1,
	    SPF_RES_PASS, DKIM_RES_NONE, 100, false, K_DNS_ACCEPT,
	    VERDICT_ACCEPT, VERDICT_ACCEPT, "", ""},
	{"fail reject, spf temperror", DMARC_RES_FAIL, DMARC_P_REJECT,
	    FROM_OK, 1, SPF_RES_TEMPERROR, DKIM_RES_NONE, 100, false,
	    K_NONE, VERDICT_TEMPFAIL, VERDICT_TEMPFAIL, "451", "4.7.5"},
	{"fail reject, dkim temperror", DMARC_RES_FAIL, DMARC_P_REJECT,
	    FROM_OK, 1, SPF_RES_FAIL, DKIM_RES_TEMPERROR, 100, false,
	    K_NONE, VERDICT_TEMPFAIL, VERDICT_TEMPFAIL, "451", "4.7.5"},
	{"fail none, dkim temperror", DMARC_RES_FAIL, DMARC_P_NONE, FROM_OK,
	    1, SPF_RES_FAIL, DKIM_RES_TEMPERROR, 100, false, K_NONE,
	    VERDICT_TAG, VERDICT_TAG, "", ""},
	{"no From", DMARC_RES_PERMERROR, DMARC_P_UNSET, FROM_MISSING, 0,
	    SPF_RES_PASS, DKIM_RES_NONE, 100, false, K_NONE,
	    VERDICT_REJECT, VERDICT_REJECT, "550", "5.7.1"},
	{"two From", DMARC_RES_PERMERROR, DMARC_P_UNSET,
	    FROM_MULTIPLE_FIELDS, 2, SPF_RES_PASS, DKIM_RES_PASS, 100, false, K_NONE, VERDICT_REJECT, VERDICT_REJECT, "550", "5.7.1"},
	{"unparseable From", DMARC_RES_PERMERROR, DMARC_P_UNSET,
	    FROM_UNPARSEABLE, 0, SPF_RES_PASS, DKIM_RES_NONE, 100, false,
	    K_NONE, VERDICT_REJECT, VERDICT_REJECT, "550", "5.7.1"},
	{"two authors, two domains", DMARC_RES_PASS, DMARC_P_REJECT,
	    FROM_MULTIPLE_MAILBOXES, 2, SPF_RES_PASS, DKIM_RES_NONE, 100,
	    false, K_NONE, VERDICT_REJECT, VERDICT_REJECT, "550", "5.7.1"},
	{"two authors, one domain", DMARC_RES_PASS, DMARC_P_REJECT,
	    FROM_MULTIPLE_MAILBOXES, 1, SPF_RES_PASS, DKIM_RES_NONE, 100,
	    false, K_NONE, VERDICT_ACCEPT, VERDICT_ACCEPT, "", ""},
	{"no From, accepted", DMARC_RES_PERMERROR, DMARC_P_UNSET,
	    FROM_MISSING, 0, SPF_RES_PASS, DKIM_RES_NONE, 100, false,
	    K_BADFROM_ACCEPT, VERDICT_ACCEPT, VERDICT_ACCEPT, "", ""},
	{"monitor reject", DMARC_RES_FAIL, DMARC_P_REJECT, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_NONE, 100, false, K_MONITOR,
	    VERDICT_TAG, VERDICT_REJECT, "", ""},
	{"monitor pass", DMARC_RES_PASS, DMARC_P_REJECT, FROM_OK, 1,
	    SPF_RES_PASS, DKIM_RES_NONE, 100, false, K_MONITOR,
	    VERDICT_ACCEPT, VERDICT_ACCEPT, "", ""},
	/* RFC 9989: pct is gone; no sampling */
	{"pct=50, not testing", DMARC_RES_FAIL, DMARC_P_REJECT,
	    FROM_OK, 1, SPF_RES_FAIL, DKIM_RES_NONE, 50, false, K_NONE,
	    VERDICT_REJECT, VERDICT_REJECT, "550", "5.7.26"},
	{"t=y with pct=50", DMARC_RES_FAIL, DMARC_P_REJECT, FROM_OK,
	    1, SPF_RES_FAIL, DKIM_RES_NONE, 50, true, K_NONE,
	    VERDICT_QUARANTINE, VERDICT_QUARANTINE, "", ""},
	{"t=y, p=none stays none", DMARC_RES_FAIL, DMARC_P_NONE, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_NONE, 100, true, K_NONE, VERDICT_TAG,
	    VERDICT_TAG, "", ""},
	{"t=y, reject_action tag", DMARC_RES_FAIL, DMARC_P_REJECT, FROM_OK,
	    1, SPF_RES_FAIL, DKIM_RES_NONE, 100, true, K_QUAR_TAG,
	    VERDICT_TAG, VERDICT_TAG, "", ""},
	{"np=reject applied (policy carries it)", DMARC_RES_FAIL,
	    DMARC_P_REJECT, FROM_OK, 1, SPF_RES_NONE, DKIM_RES_NONE, 100,
	    false, K_NONE, VERDICT_REJECT, VERDICT_REJECT, "550",
	    "5.7.26"},
	{"np=reject under t=y", DMARC_RES_FAIL, DMARC_P_REJECT, FROM_OK, 1,
	    SPF_RES_NONE, DKIM_RES_NONE, 100, true, K_NONE,
	    VERDICT_QUARANTINE, VERDICT_QUARANTINE, "", ""},
	{"pct=0 quarantine", DMARC_RES_FAIL, DMARC_P_QUARANTINE, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_NONE, 0, true, K_NONE, VERDICT_TAG,
	    VERDICT_TAG, "", ""},
	{"t=y", DMARC_RES_FAIL, DMARC_P_REJECT, FROM_OK, 1, SPF_RES_FAIL,
	    DKIM_RES_NONE, 100, true, K_NONE, VERDICT_QUARANTINE,
	    VERDICT_QUARANTINE, "", ""},
	/* RFC 7208 8.4: SPF fail and no DMARC record */
	{"no policy, spf fail", DMARC_RES_NONE, DMARC_P_UNSET, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_NONE, 100, false, K_NONE,
	    VERDICT_REJECT, VERDICT_REJECT, "550", "5.7.23"},
	{"no policy, spf fail, key off", DMARC_RES_NONE, DMARC_P_UNSET,
	    FROM_OK, 1, SPF_RES_FAIL, DKIM_RES_NONE, 100, false, K_SPF_KEEP,
	    VERDICT_ACCEPT, VERDICT_ACCEPT, "", ""},
	{"no policy, spf fail, monitor", DMARC_RES_NONE, DMARC_P_UNSET,
	    FROM_OK, 1, SPF_RES_FAIL, DKIM_RES_NONE, 100, false, K_MONITOR,
	    VERDICT_TAG, VERDICT_REJECT, "", ""},
	{"no policy, spf softfail", DMARC_RES_NONE, DMARC_P_UNSET, FROM_OK,
	    1, SPF_RES_SOFTFAIL, DKIM_RES_NONE, 100, false, K_NONE,
	    VERDICT_ACCEPT, VERDICT_ACCEPT, "", ""},
	/* with a DMARC record, DMARC decides: a forward that keeps DKIM */
	{"dmarc pass, spf fail", DMARC_RES_PASS, DMARC_P_REJECT, FROM_OK, 1,
	    SPF_RES_FAIL, DKIM_RES_PASS, 100, false, K_NONE,
	    VERDICT_ACCEPT, VERDICT_ACCEPT, "", ""},
};

/* setup_results - auth_results for one case */
static void
setup_results(size_t i, struct auth_results *r)
{
	memset(r, 0, sizeof(*r));
	r->from.status = cases[i].from;
	r->from.ndomains = cases[i].ndomains;
	r->mailfrom.checked = true;
	r->mailfrom.result = cases[i].spf;
	if (cases[i].dkim != DKIM_RES_NONE) {
		r->dkim.nsigs = 1;
		r->dkim.sigs[0].result = cases[i].dkim;
	}
	r->dmarc.result = cases[i].dmarc;
	r->dmarc.policy = cases[i].policy;
	r->dmarc.pct = cases[i].pct;
	r->dmarc.testing = cases[i].testing;
	snprintf(r->dmarc.from_domain, sizeof(r->dmarc.from_domain),
	    "victim.example");
}

/* setup_conf - defaults with one knob turned */
static struct conf *
setup_conf(enum knob k)
{
	struct conf *cf;

	assert_int_equal(conf_load(NULL, &cf, NULL), AM_OK);
	switch (k) {
	case K_MONITOR: cf->mode = CONF_MODE_MONITOR; break;
	case K_DNS_ACCEPT: cf->on_dns_error = CONF_ONERR_ACCEPT; break;
	case K_BADFROM_ACCEPT: cf->on_bad_from = CONF_BADFROM_ACCEPT; break;
	case K_REJ_QUAR: cf->dmarc_reject_action = CONF_REJACT_QUARANTINE;
		break;
	case K_REJ_TAG: cf->dmarc_reject_action = CONF_REJACT_TAG; break;
	case K_QUAR_TAG: cf->dmarc_quarantine_action = CONF_QUARACT_TAG;
		break;
	case K_SPF_KEEP: cf->spf_reject_fail_without_dmarc = false; break;
	case K_NONE: break;
	}
	return (cf);
}

static void
test_table(void **state)
{
	struct auth_results r;
	struct decision d;
	struct conf *cf;
	size_t	 i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		setup_results(i, &r);
		cf = setup_conf(cases[i].knob);
		policy_decide(&r, cf, &d);
		if (d.verdict != cases[i].want ||
		    d.would != cases[i].want_would ||
		    strcmp(d.code, cases[i].want_code) != 0 ||
		    strcmp(d.xcode, cases[i].want_xcode) != 0)
			fail_msg("%s: got %s/%s %s %s", cases[i].label,
			    verdict_str(d.verdict), verdict_str(d.would),
			    d.code, d.xcode);
		conf_free(&cf);
	}
}

static void
test_reject_text_names_domain(void **state)
{
	struct auth_results r;
	struct decision d;
	struct conf *cf = setup_conf(K_NONE);

	setup_results(2, &r);
	policy_decide(&r, cf, &d);
	assert_non_null(strstr(d.text, "victim.example"));
	/* a hostile domain cannot put a line break or '%' in the reply */
	snprintf(r.dmarc.from_domain, sizeof(r.dmarc.from_domain),
	    "a.example\r\n250 ok%%s");
	policy_decide(&r, cf, &d);
	assert_null(strpbrk(d.text, "\r\n%"));
	conf_free(&cf);
}

static void
test_policy_error(void **state)
{
	struct decision d;
	struct conf *cf = setup_conf(K_NONE);

	policy_error(cf, "dkim-eom", &d);
	assert_int_equal(d.verdict, VERDICT_TEMPFAIL);
	assert_string_equal(d.code, "451");
	assert_string_equal(d.xcode, "4.3.0");
	cf->on_error = CONF_ONERR_ACCEPT;
	policy_error(cf, "dkim-eom", &d);
	assert_int_equal(d.verdict, VERDICT_ACCEPT);
	conf_free(&cf);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_reject_text_names_domain),
		cmocka_unit_test(test_policy_error),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
