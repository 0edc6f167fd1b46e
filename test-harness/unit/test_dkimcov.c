/*
 * NAME
 *	test_dkimcov - unit tests for what a DKIM signature leaves uncovered
 * DESCRIPTION
 *	dkimcov on its own (singleton fields against h=, canonicalized body
 *	length), then through the verifier: the signed fixture
 *	test-harness/unit/data/dkim/pass.eml (h=from:to:subject:date:
 *	message-id, each once) with one field added above or below the
 *	signed ones, as in the header-after-signing attacks of RFC 6376
 *	8.15. Paths are relative to the repository root.
 * SEE ALSO
 *	auth/dkimcov.c, auth/dkim.c, RFC 6376 5.4.2, 8.15
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/dkim.h"
#include "auth/dkimcov.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"

#define FIX	"test-harness/unit/data/dkim/"
#define S2048	"s2048._domainkey.sender.example"

static void key_load(struct dns *);

struct extra_case {
	const char *label;
	const char *fields;		/* names, comma-separated */
	const char *h;			/* h= as the library gives it */
	const char *want;		/* field reported, or NULL */
	unsigned nmsg, nsigned;
};

static const struct extra_case extra_cases[] = {
	{"one each", "From,Subject,To", "from:subject:to", NULL, 0, 0},
	{"Subject added", "Subject,From,Subject", "from:subject", "Subject",
	    2, 1},
	{"FWS and case in h=", "subject,SUBJECT,From",
	    " From :\r\n\tSubJect ", "Subject", 2, 1},
	{"oversigned", "From,Subject", "from:from:subject:subject", NULL, 0,
	    0},
	{"oversigned, then added", "From,From,From", "from:from", "From", 3,
	    2},
	{"not signed at all", "From,Reply-To,Reply-To", "from", NULL, 0, 0},
	{"not a singleton", "From,Received,Received", "from:received", NULL,
	    0, 0},
	{"blank after name", "Subject \t,Subject,From", "from:subject",
	    "Subject", 2, 1},
	{"Content-Type", "From,Content-Type,Content-Type",
	    "from:content-type", "Content-Type", 2, 1},
	{"Message-ID", "Message-ID,Message-Id,From", "message-id:from",
	    "Message-ID", 2, 1},
	{"prefix is not the name", "From,From", "fro:from-x:x-from", NULL, 0,
	    0},
	{"empty h=", "From,From", "", NULL, 0, 0},
	{"only colons", "From,From", ":::", NULL, 0, 0},
	{"no h=", "From,From", NULL, NULL, 0, 0},
	{"first in table order", "Subject,Subject,From,From",
	    "subject:from", "From", 2, 1},
};

/* test_extra - the table above */
static void
test_extra(void **state)
{
	struct dkimcov_extra x;
	char	 names[128], *p, *save;
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(extra_cases); i++) {
		const struct extra_case *c = &extra_cases[i];
		struct dkimcov cov;
		bool	 got;

		memset(&cov, 0, sizeof(cov));
		(void)snprintf(names, sizeof(names), "%s", c->fields);
		for (p = strtok_r(names, ",", &save); p != NULL;
		    p = strtok_r(NULL, ",", &save))
			dkimcov_field(&cov, p);
		got = dkimcov_extra(&cov, c->h, &x);
		if (got != (c->want != NULL))
			fail_msg("%s: extra %d", c->label, got);
		if (!got)
			continue;
		if (strcmp(x.name, c->want) != 0 || x.nmsg != c->nmsg ||
		    x.nsigned != c->nsigned)
			fail_msg("%s: %s %u/%u, want %s %u/%u", c->label,
			    x.name, x.nmsg, x.nsigned, c->want, c->nmsg,
			    c->nsigned);
	}
}

/* test_query - q= methods (RFC 6376 3.5) */
static void
test_query(void **state)
{
	static const struct {
		const char *q;
		bool	 ok;
	} tab[] = {
		{NULL, true}, {"dns/txt", true}, {"DNS/TXT", true},
		{" dns/txt ", true}, {"foo/bar:dns/txt:exam/ple", true},
		{"x\r\n\t: dns/txt", true}, {"", false}, {"dns", false},
		{"http", false}, {"dns/special", false}, {"dns/txtx", false},
		{":::", false}, {"dns/tx:t", false},
	};
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(tab); i++)
		if (dkimcov_query(tab[i].q) != tab[i].ok)
			fail_msg("q=%s: %d", tab[i].q != NULL ? tab[i].q :
			    "(absent)", !tab[i].ok);
}

/* test_query_sigs - q=http: permerror, no DNS query; a signature with
 * the same s= and d= and q=dns/txt after it still looks its key up */
static void
test_query_sigs(void **state)
{
	struct buf *why = buf_new(LIM_REASON);
	struct dns *d = dns_mock_new();
	struct dkim_result res;
	struct dkimv_msg *m;
	struct dkimv *v;

	assert_non_null(v = dkimv_new(d, 5, 1024, why));
	assert_non_null(m = dkimv_msg_new(v, "Q", why));
	assert_int_equal(dkimv_header(m, "DKIM-Signature", " v=1; "
	    "a=rsa-sha256; d=sender.example; s=sel; q=http; h=from; bh=AAAA;"
	    " b=BBBB", why), AM_OK);
	assert_int_equal(dkimv_header(m, "DKIM-Signature", " v=1; "
	    "a=rsa-sha256; d=sender.example; s=sel; q=dns/txt; h=from;"
	    " bh=AAAA; b=BBBB", why), AM_OK);
	assert_int_equal(dkimv_header(m, "From", " a@sender.example", why),
	    AM_OK);
	assert_int_equal(dkimv_eom(m, &res, why), AM_OK);
	assert_int_equal(res.nsigs, 2);
	assert_int_equal(res.sigs[0].result, DKIM_RES_PERMERROR);
	assert_non_null(strstr(res.sigs[0].reason, "query method"));
	assert_int_equal(res.sigs[1].result, DKIM_RES_PERMERROR);
	assert_non_null(strstr(res.sigs[1].reason, "key not found"));
	assert_int_equal(dns_mock_queries(d), 1);
	dkimv_msg_free(&m);
	dkimv_free(&v);
	dns_free(&d);
	buf_free(&why);
}

/*
 * test_hlist_overrun - h= naming every field of the message, then more:
 * libopendkim 2.11's dkim_canon_selecthdrs() wrote one pointer past its
 * array of fields (a heap overflow found by fuzz_dkim). dkim.c feeds a
 * guard field no h= can name. Many shapes, so that without the guard
 * the allocator's checks (ASan here, glibc in production) trip.
 */
static void
test_hlist_overrun(void **state)
{
	static const char *names[] = {"From", "To", "Subject", "Date",
	    "Message-ID", "Cc"};
	struct buf *why = buf_new(LIM_REASON), *sig = buf_new(1024);
	struct dns *d = dns_mock_new();
	struct dkim_result res;
	struct dkimv_msg *m;
	struct dkimv *v;
	int	 round, nf, i;

	key_load(d);
	assert_non_null(v = dkimv_new(d, 5, 1024, why));
	for (round = 0; round < 300; round++) {
		nf = round % 6;
		buf_reset(sig);
		(void)buf_puts(sig, " v=1; a=rsa-sha256; d=sender.example; "
		    "s=s2048; bh=AAAA; b=BBBB; h=dkim-signature");
		for (i = 0; i < nf + 1 + round % 3; i++)
			(void)buf_printf(sig, ":%s", names[i % 6]);
		assert_non_null(m = dkimv_msg_new(v, "Q", why));
		for (i = 0; i < nf; i++)
			assert_int_equal(dkimv_header(m, names[i], " x", why),
			    AM_OK);
		assert_int_equal(dkimv_header(m, "DKIM-Signature",
		    buf_str(sig), why), AM_OK);
		assert_int_equal(dkimv_eom(m, &res, why), AM_OK);
		assert_int_equal(res.nsigs, 1);
		assert_int_not_equal(res.sigs[0].result, DKIM_RES_PASS);
		dkimv_msg_free(&m);
	}
	dkimv_free(&v);
	dns_free(&d);
	buf_free(&sig);
	buf_free(&why);
}

struct len_case {
	const char *body;
	unsigned long long simple, relaxed;
};

static const struct len_case len_cases[] = {
	{"", 2, 0},
	{"\r\n\r\n\r\n", 2, 0},
	{"a  b \r\n\r\n", 7, 5},
	{"a\t\tb\t", 7, 5},		/* no final CRLF: one is added */
	{" \r\nx\r\n", 6, 5},		/* relaxed: " " line is empty */
	{"x\ny\rz", 9, 9},		/* bare LF and CR end lines */
	{"x\r\r\ny", 8, 8},
};

/* test_bodylen - canonicalized body lengths */
static void
test_bodylen(void **state)
{
	size_t	 i, k;

	for (i = 0; i < AM_ARRAY_LEN(len_cases); i++) {
		const struct len_case *c = &len_cases[i];
		const unsigned char *b = (const unsigned char *)c->body;
		struct dkimcov cov, one;

		memset(&cov, 0, sizeof(cov));
		memset(&one, 0, sizeof(one));
		dkimcov_body(&cov, b, strlen(c->body));
		for (k = 0; k < strlen(c->body); k++)
			dkimcov_body(&one, b + k, 1);
		if (dkimcov_bodylen(&cov, false) != c->simple ||
		    dkimcov_bodylen(&cov, true) != c->relaxed ||
		    dkimcov_bodylen(&one, false) != c->simple ||
		    dkimcov_bodylen(&one, true) != c->relaxed)
			fail_msg("case %zu: simple %llu relaxed %llu, want "
			    "%llu %llu", i, dkimcov_bodylen(&cov, false),
			    dkimcov_bodylen(&cov, true), c->simple,
			    c->relaxed);
	}
}

/* a field added to a signed fixture, above (before) or below the rest */
struct add_case {
	const char *label;
	const char *file;
	const char *name, *value;
	bool	 below;
	enum dkim_res want;
	const char *extra;		/* extra_name wanted, or NULL */
	const char *reason;		/* substring */
};

static const struct add_case add_cases[] = {
	{"nothing added", FIX "pass.eml", NULL, NULL, false, DKIM_RES_PASS,
	    NULL, ""},
	{"Subject above", FIX "pass.eml", "Subject", " URGENT: wire money",
	    false, DKIM_RES_POLICY, "Subject",
	    "Subject field not signed (2 in message, 1 signed)"},
	{"subject with blank before colon", FIX "pass.eml", "subject ",
	    " forged", false, DKIM_RES_POLICY, "Subject", "not signed"},
	{"From above", FIX "pass.eml", "From", " ceo@sender.example", false,
	    DKIM_RES_POLICY, "From", "From field not signed"},
	{"To above", FIX "pass.eml", "TO", " x@rcpt.example", false,
	    DKIM_RES_POLICY, "To", ""},
	{"Date below: the signed one is hidden", FIX "pass.eml", "Date",
	    " Mon, 1 Jan 2024 00:00:00 +0000", true, DKIM_RES_FAIL, "Date",
	    "did not verify"},
	{"Received above", FIX "pass.eml", "Received", " from x by y", false,
	    DKIM_RES_PASS, NULL, ""},
	{"Reply-To above: h= never named it", FIX "pass.eml", "Reply-To",
	    " evil@attacker.example", false, DKIM_RES_PASS, NULL, ""},
	{"rsa-sha1 keeps its reason", FIX "rsa-sha1.eml", "Subject", " x",
	    false, DKIM_RES_POLICY, "Subject", "rsa-sha1"},
};

/* feed_file - the header fields of path (LF folds joined by LF), with
 * one more field above or below them, then the body */
static void
feed_file(struct dkimv_msg *m, const struct add_case *c, struct buf *why)
{
	struct buf *val = buf_new(LIM_HEADER), *body = buf_new(1 << 16);
	char	 line[1024], name[128] = "";
	bool	 inhdr = true;
	FILE	*fp;
	size_t	 n;

	if ((fp = fopen(c->file, "r")) == NULL)
		fail_msg("cannot open %s (cwd must be the repo root)", c->file);
	if (c->name != NULL && !c->below)
		assert_int_equal(dkimv_header(m, c->name, c->value, why),
		    AM_OK);
	while (fgets(line, sizeof(line), fp) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (!inhdr) {
			assert_int_equal(buf_printf(body, "%s\r\n", line),
			    AM_OK);
			continue;
		}
		if (line[0] == ' ' || line[0] == '\t') {
			assert_int_equal(buf_printf(val, "\n%s", line), AM_OK);
			continue;
		}
		if (name[0] != '\0')
			assert_int_equal(dkimv_header(m, name, buf_str(val),
			    why), AM_OK);
		if (n == 0) {
			inhdr = false;
			continue;
		}
		assert_non_null(strchr(line, ':'));
		(void)snprintf(name, sizeof(name), "%.*s",
		    (int)(strchr(line, ':') - line), line);
		buf_reset(val);
		assert_int_equal(buf_puts(val, strchr(line, ':') + 1), AM_OK);
	}
	fclose(fp);
	if (c->name != NULL && c->below)
		assert_int_equal(dkimv_header(m, c->name, c->value, why),
		    AM_OK);
	assert_int_equal(dkimv_body(m, (const unsigned char *)body->data,
	    body->len, why), AM_OK);
	buf_free(&val);
	buf_free(&body);
}

/* key_load - the fixture's key record into the mock zone */
static void
key_load(struct dns *d)
{
	char	 rec[2048];
	FILE	*fp;

	fp = fopen(FIX "keys/s2048.sender.example.txt", "r");
	assert_non_null(fp);
	assert_non_null(fgets(rec, sizeof(rec), fp));
	fclose(fp);
	rec[strcspn(rec, "\r\n")] = '\0';
	dns_mock_add(d, S2048, DNS_T_TXT, rec);
}

/* test_added - the table above, through dkimv_* */
static void
test_added(void **state)
{
	struct buf *why = buf_new(LIM_REASON);
	struct dns *d = dns_mock_new();
	struct dkim_result res;
	struct dkimv_msg *m;
	struct dkimv *v;
	size_t	 i;

	key_load(d);
	assert_non_null(v = dkimv_new(d, 5, 1024, why));
	for (i = 0; i < AM_ARRAY_LEN(add_cases); i++) {
		const struct add_case *c = &add_cases[i];
		const struct dkim_sig_result *r = &res.sigs[0];
		const char *x;

		assert_non_null(m = dkimv_msg_new(v, "Q", why));
		feed_file(m, c, why);
		assert_int_equal(dkimv_eom(m, &res, why), AM_OK);
		dkimv_msg_free(&m);
		x = c->extra != NULL ? c->extra : "";
		if (res.nsigs != 1 || r->result != c->want ||
		    strstr(r->reason, c->reason) == NULL ||
		    r->extra_header != (c->extra != NULL) ||
		    strcmp(r->extra_name, x) != 0)
			fail_msg("%s: %d sigs, %s (%s) extra %d \"%s\"; "
			    "want %s (%s) \"%s\"", c->label, res.nsigs,
			    dkim_res_str(r->result), r->reason, r->extra_header,
			    r->extra_name, dkim_res_str(c->want), c->reason, x);
	}
	dkimv_free(&v);
	dns_free(&d);
	buf_free(&why);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_extra),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_query_sigs),
		cmocka_unit_test(test_hlist_overrun),
		cmocka_unit_test(test_bodylen),
		cmocka_unit_test(test_added),
	};

	return (cmocka_run_group_tests_name("dkimcov", tests, NULL, NULL));
}
