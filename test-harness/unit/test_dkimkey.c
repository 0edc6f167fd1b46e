/*
 * NAME
 *	test_dkimkey - DKIM key records and tag lists, read and judged
 * DESCRIPTION
 *	Table-driven: key records (RFC 6376 3.6.1) with RSA keys in
 *	SubjectPublicKeyInfo and PKCS#1 form, Ed25519 (RFC 8463), revoked,
 *	testing, h= lists, broken p= and tags; then the tag-list walker
 *	(util/taglist.c) on empty elements, white space and syntax errors.
 * SEE ALSO
 *	RFC 6376 3.2, 3.6.1; RFC 8463
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "auth/dkimkey.h"
#include "util/am.h"
#include "util/taglist.h"

#define RSA2048_SPKI "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA5ahVoPWopN7pVjFCv2lek3BU74HM06n6nLzCbyF9CzxfndbC43v0sXE+RdASLI4I8o/aDW2fWFcTuUMG5mZ5K9Vac7TSTzu96XhGg6xrGossfnFokOjGlBj160RU8MNqIGQ5i9C3Euvn4ccXBNuHZwnz02FnOj9mQqwFfhRwyZ5axrATHDfWaUUdBQG7aqw009OLT3jDMKN/S0Yz7vB6pIp1dOwVkQEHuD2Svd8FAlaeQGr+KAI8JjmJkOBFRqPSbL+KBzG4In5HkC+/+xG9EZGnO4O91OxnQjPtMkUWuQ+QtPEzNpjjtxUpaVr7FZ0MkblkQp7u+wlnwuCtyJtcNwIDAQAB"
#define RSA1024_PKCS1 "MIGJAoGBAMaYru+vwIUenOi7AZWItwAFoBHzybib4VqniB+BAVEkPWiIoYERstKT5GrbyHUJ6FgrNoWNSAhVvlHTVA0kh4UnvSg6A1p2XIAXpFE9JGRLqMNbyPDtP5x1h1U+K9aQMhJrKHzlgHufRsUmZ+66pB1mLiHld+FKcfayX+FMhgSrAgMBAAE="
#define ED25519 "11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo="

struct key_case {
	const char *label;
	const char *rec;
	int	 want;
	enum dkim_key_type type;
	unsigned bits;
	bool	 revoked, testing, sha256;
};

static const struct key_case keys[] = {
	{"rsa 2048 spki", "v=DKIM1; k=rsa; p=" RSA2048_SPKI, AM_OK,
	    DKIM_KEY_RSA, 2048, false, false, true},
	{"rsa default k=", "p=" RSA2048_SPKI, AM_OK, DKIM_KEY_RSA, 2048,
	    false, false, true},
	{"rsa 1024 pkcs1", "v=DKIM1; p=" RSA1024_PKCS1, AM_OK, DKIM_KEY_RSA,
	    1024, false, false, true},
	{"ed25519", "v=DKIM1; k=ed25519; p=" ED25519, AM_OK, DKIM_KEY_ED25519,
	    256, false, false, true},
	{"folded p= with spaces", "k=ed25519; p=11qYAYKxCrfVS/7Ty WQHOg7hcv"
	    "PapiMlrwIaaPcHURo=", AM_OK, DKIM_KEY_ED25519, 256, false, false,
	    true},
	{"revoked", "v=DKIM1; p=", AM_OK, DKIM_KEY_RSA, 0, true, false, true},
	{"testing", "v=DKIM1; t=s:y; k=ed25519; p=" ED25519, AM_OK,
	    DKIM_KEY_ED25519, 256, false, true, true},
	{"sha1 only", "h=sha1; k=ed25519; p=" ED25519, AM_OK,
	    DKIM_KEY_ED25519, 256, false, false, false},
	{"sha1 and sha256", "h=sha1 : sha256; k=ed25519; p=" ED25519, AM_OK,
	    DKIM_KEY_ED25519, 256, false, false, true},
	{"wrong version", "v=DKIM2; p=" ED25519, AM_PERM, 0, 0, false, false,
	    true},
	{"no p=", "v=DKIM1; k=rsa", AM_PERM, 0, 0, false, false, true},
	{"p= not a key", "v=DKIM1; p=bm90IGEga2V5", AM_PERM, 0, 0, false,
	    false, true},
	{"p= not base64", "v=DKIM1; p=!!!!", AM_PERM, 0, 0, false, false,
	    true},
	{"ed25519 of 31 bytes", "k=ed25519; p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiM"
	    "lrwIaaPcHUQ==", AM_PERM, 0, 0, false, false, true},
	{"unknown k=", "k=dsa; p=" ED25519, AM_PERM, 0, 0, false, false, true},
	{"tag without =", "v=DKIM1; junk; p=" ED25519, AM_PERM, 0, 0, false,
	    false, true},
};

static void
test_keys(void **state)
{
	struct dkim_key k;
	size_t	 i;
	int	 st;

	(void)state;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		st = dkimkey_parse(keys[i].rec, strlen(keys[i].rec), &k);
		if (st != keys[i].want)
			fail_msg("%s: status %d, want %d (%s)", keys[i].label,
			    st, keys[i].want, k.reason);
		if (st != AM_OK)
			continue;
		if (k.type != keys[i].type || k.bits != keys[i].bits ||
		    k.revoked != keys[i].revoked ||
		    k.testing != keys[i].testing || k.sha256 != keys[i].sha256)
			fail_msg("%s: type %d bits %u revoked %d testing %d "
			    "sha256 %d", keys[i].label, k.type, k.bits,
			    k.revoked, k.testing, k.sha256);
	}
}

static void
test_taglist(void **state)
{
	const char *s = " ; a = 1 ;; b=two words ;c= ; ", *p = s;
	const char *end = s + strlen(s);
	struct tag t;

	(void)state;
	assert_int_equal(taglist_next(&p, end, &t), 1);
	assert_true(tag_is(&t, "A") && tag_value_is(&t, "1"));
	assert_int_equal(taglist_next(&p, end, &t), 1);
	assert_true(tag_is(&t, "b") && tag_value_is(&t, "two words"));
	assert_int_equal(taglist_next(&p, end, &t), 1);
	assert_true(tag_is(&t, "c") && t.vlen == 0);
	assert_int_equal(taglist_next(&p, end, &t), 0);
	p = "=x";
	assert_int_equal(taglist_next(&p, p + 2, &t), -1);
	p = "novalue";
	assert_int_equal(taglist_next(&p, p + 7, &t), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_taglist),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
