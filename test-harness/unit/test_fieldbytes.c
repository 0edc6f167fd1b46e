/*
 * NAME
 *	test_fieldbytes - unit tests for bare CR, bare LF and NUL in fields
 * DESCRIPTION
 *	Table-driven: a field value as the milter hands it over (folds as
 *	LF or CRLF then a space or a tab) and the offence wanted.
 * SEE ALSO
 *	auth/fieldbytes.c, RFC 5322 2.2
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "auth/fieldbytes.h"

struct fb_case {
	const char *label;
	const char *input;
	size_t	 len;			/* 0: strlen(input) */
	enum field_bytes want;
};

static const struct fb_case cases[] = {
	{"plain", " hello world", 0, FIELD_BYTES_OK},
	{"empty", "", 0, FIELD_BYTES_OK},
	{"LF fold, tab", " a\n\tb", 0, FIELD_BYTES_OK},
	{"LF fold, space", " a\n b", 0, FIELD_BYTES_OK},
	{"CRLF fold", " a\r\n b", 0, FIELD_BYTES_OK},
	{"two folds", " a\n b\r\n\tc", 0, FIELD_BYTES_OK},
	{"8-bit bytes", " caf\xc3\xa9", 0, FIELD_BYTES_OK},
	{"bare CR, injected From", " x\rFrom: <ceo@victim.example>", 0,
	    FIELD_BYTES_CR},
	{"bare CR at the end", " x\r", 0, FIELD_BYTES_CR},
	{"CR CR LF", " x\r\r\n y", 0, FIELD_BYTES_CR},
	{"CR then space", " x\r y", 0, FIELD_BYTES_CR},
	{"bare LF, injected From", " x\nFrom: <ceo@victim.example>", 0,
	    FIELD_BYTES_LF},
	{"CRLF without fold", " x\r\nFrom: <ceo@victim.example>", 0,
	    FIELD_BYTES_LF},
	{"LF at the end", " x\n", 0, FIELD_BYTES_LF},
	{"CRLF at the end", " x\r\n", 0, FIELD_BYTES_LF},
	{"LF LF space", " x\n\n y", 0, FIELD_BYTES_LF},
	{"NUL inside", " x\0From: <ceo@victim.example>", 29, FIELD_BYTES_NUL},
	{"NUL first", "\0", 1, FIELD_BYTES_NUL},
	{"fold then bare CR", " a\n b\rc", 0, FIELD_BYTES_CR},
};

/* test_table - every case gives its offence */
static void
test_table(void **state)
{
	const struct fb_case *tc;
	size_t	 i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tc = &cases[i];
		n = tc->len != 0 ? tc->len : strlen(tc->input);
		if (field_bytes_check(tc->input, n) != tc->want)
			fail_msg("%s: got %s, want %s", tc->label,
			    field_bytes_str(field_bytes_check(tc->input, n)),
			    field_bytes_str(tc->want));
	}
}

/* test_names - the names used in logs and replies */
static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(field_bytes_str(FIELD_BYTES_OK), "ok");
	assert_string_equal(field_bytes_str(FIELD_BYTES_NUL), "nul");
	assert_string_equal(field_bytes_str(FIELD_BYTES_CR), "bare-cr");
	assert_string_equal(field_bytes_str(FIELD_BYTES_LF), "bare-lf");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_names),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
