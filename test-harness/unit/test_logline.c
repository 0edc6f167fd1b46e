/*
 * NAME
 *	test_logline - the summary line as text and as JSON
 * DESCRIPTION
 *	Table-driven: one string field through both formats, with the
 *	escaping each must do (quotes, backslash, control bytes, field
 *	separators, valid and invalid UTF-8). Then numbers and notes, and
 *	a line too long: fields are dropped whole and the line still ends
 *	as it must (text " truncated=yes", JSON ,"truncated":true}).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/am.h"
#include "util/logline.h"

struct ll_case {
	const char *label;
	const char *value;
	const char *text;		/* the whole text line */
	const char *json;		/* the whole JSON line */
};

static const struct ll_case cases[] = {
	{"plain", "a.example", "Q1: k=a.example",
	    "{\"qid\":\"Q1\",\"k\":\"a.example\"}"},
	{"empty", "", "Q1: k=-", "{\"qid\":\"Q1\",\"k\":\"\"}"},
	{"quote-backslash", "a\"b\\c", "Q1: k=a\"b\\x5cc",
	    "{\"qid\":\"Q1\",\"k\":\"a\\\"b\\\\c\"}"},
	{"separators", "a b=c,d:e;f", "Q1: k=a\\x20b\\x3dc\\x2cd\\x3ae\\x3bf",
	    "{\"qid\":\"Q1\",\"k\":\"a b=c,d:e;f\"}"},
	{"control", "a\r\n\t\x01\x7f", "Q1: k=a\\x0d\\x0a\\x09\\x01\\x7f",
	    "{\"qid\":\"Q1\",\"k\":\"a\\u000d\\u000a\\u0009\\u0001\\u007f\"}"},
	{"utf8", "b\xc3\xbcro.example", "Q1: k=b\\xc3\\xbcro.example",
	    "{\"qid\":\"Q1\",\"k\":\"b\xc3\xbcro.example\"}"},
	{"utf8-4", "\xf0\x9f\x93\xa7", "Q1: k=\\xf0\\x9f\\x93\\xa7",
	    "{\"qid\":\"Q1\",\"k\":\"\xf0\x9f\x93\xa7\"}"},
	{"latin1", "\xe9t\xe9", "Q1: k=\\xe9t\\xe9",
	    "{\"qid\":\"Q1\",\"k\":\"\\u00e9t\\u00e9\"}"},
	{"overlong", "\xc0\xaf", "Q1: k=\\xc0\\xaf",
	    "{\"qid\":\"Q1\",\"k\":\"\\u00c0\\u00af\"}"},
	{"surrogate", "\xed\xa0\x80", "Q1: k=\\xed\\xa0\\x80",
	    "{\"qid\":\"Q1\",\"k\":\"\\u00ed\\u00a0\\u0080\"}"},
	{"cut-sequence", "x\xe2\x82", "Q1: k=x\\xe2\\x82",
	    "{\"qid\":\"Q1\",\"k\":\"x\\u00e2\\u0082\"}"},
	{"too-big", "\xf4\x90\x80\x80", "Q1: k=\\xf4\\x90\\x80\\x80",
	    "{\"qid\":\"Q1\",\"k\":\"\\u00f4\\u0090\\u0080\\u0080\"}"},
};

/* test_table - each value through both formats */
static void
test_table(void **state)
{
	struct logline l;
	size_t	 i;

	(void)state;
	for (i = 0; i < AM_ARRAY_LEN(cases); i++) {
		logline_begin(&l, false, "Q1");
		logline_str(&l, "k", cases[i].value);
		if (strcmp(logline_end(&l), cases[i].text) != 0)
			fail_msg("%s: text %s", cases[i].label, l.buf);
		logline_begin(&l, true, "Q1");
		logline_str(&l, "k", cases[i].value);
		if (strcmp(logline_end(&l), cases[i].json) != 0)
			fail_msg("%s: json %s", cases[i].label, l.buf);
	}
}

/* test_kinds - raw, numbers, notes, order */
static void
test_kinds(void **state)
{
	struct logline l;

	(void)state;
	logline_begin(&l, false, "Q2");
	logline_str(&l, "verdict", "reject");
	logline_raw(&l, "dkim", "a.example:pass,b\\x2cc:fail");
	logline_int(&l, "rcpts", 3);
	logline_note(&l, "monitor mode: would reject");
	assert_string_equal(logline_end(&l), "Q2: verdict=reject "
	    "dkim=a.example:pass,b\\x2cc:fail rcpts=3 "
	    "(monitor mode: would reject)");
	logline_begin(&l, true, "Q\"2");
	logline_str(&l, "verdict", "reject");
	logline_raw(&l, "dkim", "a.example:pass,b\\x2cc:fail");
	logline_int(&l, "rcpts", -1);
	logline_note(&l, "internal error");
	assert_string_equal(logline_end(&l), "{\"qid\":\"Q\\\"2\","
	    "\"verdict\":\"reject\",\"dkim\":\"a.example:pass,b\\\\x2cc:fail\","
	    "\"rcpts\":-1,\"note\":\"internal error\"}");
}

/* test_truncated - a line over the cap drops whole fields */
static void
test_truncated(void **state)
{
	static char big[3000];
	struct logline l;
	const char *s;
	int	 i;

	(void)state;
	memset(big, '\x01', sizeof(big) - 1);	/* 6 bytes each in JSON */
	logline_begin(&l, true, "Q3");
	logline_str(&l, "a", "first");
	for (i = 0; i < 4; i++)
		logline_str(&l, "big", big);
	logline_int(&l, "n", 7);		/* after a cut: left out */
	s = logline_end(&l);
	assert_true(strlen(s) < LIM_LOGLINE);
	assert_non_null(strstr(s, "{\"qid\":\"Q3\",\"a\":\"first\","));
	assert_null(strstr(s, "\"n\":"));
	assert_int_equal(strlen(s) - strlen(",\"truncated\":true}"),
	    (size_t)(strstr(s, ",\"truncated\":true}") - s));
	/* text: 4 bytes each; 1500 fit once, not twice */
	big[1500] = '\0';
	logline_begin(&l, false, "Q3");
	for (i = 0; i < 4; i++)
		logline_str(&l, "big", big);
	s = logline_end(&l);
	assert_true(strlen(s) < LIM_LOGLINE);
	assert_int_equal(strlen(s) - strlen(" truncated=yes"),
	    (size_t)(strstr(s, " truncated=yes") - s));
	assert_non_null(strstr(s, "Q3: big=\\x01"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_truncated),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
