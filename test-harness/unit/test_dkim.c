/*
 * NAME
 *	test_dkim - unit tests for the DKIM verifier
 * DESCRIPTION
 *	Table-driven: each case is a message file, the key records the mock
 *	zone holds (literal, from a key file, from a zone.txt line, or a
 *	DNS failure), and the results wanted per signature, in header
 *	order. A message is fed as a milter delivers it: one call per
 *	header field, name without the colon, value as sent (leading space
 *	kept, folded lines joined by LF as Postfix does, or by CRLF), then
 *	the body with CRLF line ends, in chunks.
 *
 *	Vectors: ../shared/testsuites/dkim-dkimpy-vectors (dkimpy's test
 *	data and the RFC 8463 example, see its NOTICE), and our own
 *	fixtures in test-harness/unit/data/dkim (make-fixtures.sh). Paths
 *	are relative to the repository root, the tests' working directory.
 *
 *	Then the calls out of order, the caps, and the argument checks.
 * SEE ALSO
 *	auth/dkim.c, RFC 6376, RFC 8301, RFC 8463, RFC 8601 2.7.1
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "auth/dkim.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"

#define VEC	"../shared/testsuites/dkim-dkimpy-vectors/"
#define FIX	"test-harness/unit/data/dkim/"
#define ZONE	VEC "zone.txt"

#define FB	"football.example.com"
#define BRIS	"brisbane._domainkey." FB
#define TEST	"test._domainkey." FB
#define S2048	"s2048._domainkey.sender.example"
#define KEY2048	FIX "keys/s2048.sender.example.txt"

#define MAXZ	4		/* zone records per case */
#define MAXW	3		/* signatures checked per case */
#define MAXF	64		/* header fields per test message */

/* how folded header lines are joined, and how body lines end */
enum fold {
	FOLD_LF = 0,			/* LF folds (Postfix), CRLF body */
	FOLD_CRLF,			/* CRLF folds, CRLF body */
	FOLD_BARE_LF,			/* LF folds, bare LF body */
};

/* one zone entry: txt, or the first line of file, or name's line in a
 * zone.txt, or a failure status */
struct zrec {
	const char *name;
	const char *txt;
	const char *file;
	const char *zone;
	int	 fail;			/* DNS_* status, or 0 */
};

struct want {
	enum dkim_res res;
	const char *d;
	const char *s;
	const char *a;
	const char *reason;		/* substring; "" for none */
	unsigned keybits;		/* 0: not checked */
	int	 partial;		/* 0 false, 1 true, -1 not checked */
};

struct eml_case {
	const char *label;
	const char *file;
	struct zrec zone[MAXZ];
	int	 max_sigs;		/* 0: 10 */
	unsigned min_bits;		/* 0: 1024 */
	enum fold fold;
	size_t	 chunk;			/* body chunk size; 0: 65536 */
	bool	 lazy_eoh;		/* no dkimv_eoh(): body starts it */
	unsigned queries;		/* DNS queries wanted; 0: not checked */
	int	 nsigs;
	int	 nskipped;
	struct want w[MAXW];
};

#define PASS(d, s, a, bits)	{DKIM_RES_PASS, d, s, a, "", bits, -1}
#define RES(r, d, s, why)	{r, d, s, NULL, why, 0, -1}
#define BRIS_OK	{BRIS, NULL, NULL, ZONE, 0}
#define TEST_OK	{TEST, NULL, NULL, ZONE, 0}
#define KEY_OK	{S2048, NULL, KEY2048, NULL, 0}
#define SNDR	"sender.example"

static const struct eml_case cases[] = {
	/* dkimpy vectors */
	{"rfc8463 ed25519 and rsa pass", VEC "rfc8463-example.eml",
	    {BRIS_OK, TEST_OK}, 0, 0, FOLD_LF, 0, false, 2, 2, 0,
	    {PASS(FB, "brisbane", "ed25519-sha256", 256),
	    PASS(FB, "test", "rsa-sha256", 1024)}},
	{"rfc8463 folded with CRLF", VEC "rfc8463-example.eml",
	    {BRIS_OK, TEST_OK}, 0, 0, FOLD_CRLF, 0, false, 0, 2, 0,
	    {PASS(FB, "brisbane", NULL, 0), PASS(FB, "test", NULL, 0)}},
	{"rfc8463 body in 1-byte chunks", VEC "rfc8463-example.eml",
	    {BRIS_OK, TEST_OK}, 0, 0, FOLD_LF, 1, false, 0, 2, 0,
	    {PASS(FB, "brisbane", NULL, 0), PASS(FB, "test", NULL, 0)}},
	{"rfc8463 body with bare LF", VEC "rfc8463-example.eml",
	    {BRIS_OK, TEST_OK}, 0, 0, FOLD_BARE_LF, 5, false, 0, 2, 0,
	    {PASS(FB, "brisbane", NULL, 0), PASS(FB, "test", NULL, 0)}},
	{"rfc8463 no dkimv_eoh call", VEC "rfc8463-example.eml",
	    {BRIS_OK, TEST_OK}, 0, 0, FOLD_LF, 7, true, 0, 2, 0,
	    {PASS(FB, "brisbane", NULL, 0), PASS(FB, "test", NULL, 0)}},
	{"rfc8463 rsa only", VEC "rfc8463-example-rsa-only.eml",
	    {TEST_OK}, 0, 0, FOLD_LF, 0, false, 1, 1, 0,
	    {PASS(FB, "test", "rsa-sha256", 1024)}},
	{"exim ed25519", VEC "exim-ed25519.eml",
	    {{"sed._domainkey.test.ex", NULL, NULL, ZONE, 0}}, 0, 0, FOLD_LF,
	    0, false, 1, 1, 0, {PASS("test.ex", "sed", "ed25519-sha256", 256)}},
	{"gmail degenerate folding", VEC "gmail-degenerate-folding.eml",
	    {{"20120113._domainkey.gmail.com", NULL, NULL, ZONE, 0}}, 0, 0,
	    FOLD_LF, 0, false, 1, 1, 0,
	    {PASS("gmail.com", "20120113", "rsa-sha256", 2048)}},
	{"body tampered", VEC "rfc8463-example-body-tampered.eml",
	    {BRIS_OK, TEST_OK}, 0, 0, FOLD_LF, 0, false, 0, 2, 0,
	    {RES(DKIM_RES_FAIL, FB, "brisbane", "body hash mismatch"),
	    RES(DKIM_RES_FAIL, FB, "test", "body hash mismatch")}},
	{"subject tampered", VEC "rfc8463-example-subject-tampered.eml",
	    {BRIS_OK, TEST_OK}, 0, 0, FOLD_LF, 0, false, 0, 2, 0,
	    {RES(DKIM_RES_FAIL, FB, "brisbane", "signature did not verify"),
	    RES(DKIM_RES_FAIL, FB, "test", "signature did not verify")}},
	{"rsa 1024 under min_key_bits 2048", VEC "rfc8463-example.eml",
	    {BRIS_OK, TEST_OK}, 0, 2048, FOLD_LF, 0, false, 0, 2, 0,
	    {PASS(FB, "brisbane", NULL, 0),
	    {DKIM_RES_POLICY, FB, "test", NULL, "key too short (1024 bits)",
	    1024, -1}}},
	{"key lookup TEMP, one query each", VEC "rfc8463-example.eml",
	    {{BRIS, NULL, NULL, NULL, DNS_TEMP}, TEST_OK}, 0, 0, FOLD_LF, 0,
	    false, 2, 2, 0,
	    {RES(DKIM_RES_TEMPERROR, FB, "brisbane", "key lookup failed"),
	    PASS(FB, "test", NULL, 0)}},
	{"max_sigs 1 skips the rsa signature", VEC "rfc8463-example.eml",
	    {BRIS_OK, TEST_OK}, 1, 0, FOLD_LF, 0, false, 1, 1, 1,
	    {PASS(FB, "brisbane", NULL, 0)}},

	/* own fixtures: keys */
	{"rsa-sha256 2048 pass", FIX "pass.eml", {KEY_OK}, 0, 0, FOLD_LF, 0,
	    false, 1, 1, 0, {PASS(SNDR, "s2048", "rsa-sha256", 2048)}},
	{"rsa-sha1 is policy", FIX "rsa-sha1.eml", {KEY_OK}, 0, 0, FOLD_LF,
	    0, false, 0, 1, 0,
	    {{DKIM_RES_POLICY, SNDR, "s2048", "rsa-sha1",
	    "rsa-sha1 not accepted", 2048, -1}}},
	{"rsa 512 is policy", FIX "rsa512.eml",
	    {{"short._domainkey." SNDR, NULL, FIX "keys/short." SNDR ".txt",
	    NULL, 0}}, 0, 0, FOLD_LF, 0, false, 0, 1, 0,
	    {{DKIM_RES_POLICY, SNDR, "short", "rsa-sha256",
	    "key too short (512 bits)", 512, -1}}},
	{"revoked key", FIX "pass.eml", {{S2048, "v=DKIM1; k=rsa; p=", NULL,
	    NULL, 0}}, 0, 0, FOLD_LF, 0, false, 0, 1, 0,
	    {RES(DKIM_RES_FAIL, SNDR, "s2048", "key revoked")}},
	{"key NXDOMAIN", FIX "pass.eml", {{NULL, NULL, NULL, NULL, 0}}, 0, 0,
	    FOLD_LF, 0, false, 1, 1, 0,
	    {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key not found")}},
	{"key NODATA", FIX "pass.eml",
	    {{S2048, NULL, NULL, NULL, -1}}, 0, 0, FOLD_LF, 0, false, 0, 1, 0,
	    {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key not found")}},
	{"key DNS TEMP", FIX "pass.eml",
	    {{S2048, NULL, NULL, NULL, DNS_TEMP}}, 0, 0, FOLD_LF, 0, false, 1,
	    1, 0, {RES(DKIM_RES_TEMPERROR, SNDR, "s2048",
	    "key lookup failed")}},
	{"key DNS PERM", FIX "pass.eml",
	    {{S2048, NULL, NULL, NULL, DNS_PERM}}, 0, 0, FOLD_LF, 0, false, 0,
	    1, 0, {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key name")}},
	{"key record not a tag list", FIX "pass.eml",
	    {{S2048, "this is no key", NULL, NULL, 0}}, 0, 0, FOLD_LF, 0,
	    false, 0, 1, 0, {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key")}},
	{"key p= not base64", FIX "pass.eml",
	    {{S2048, "v=DKIM1; k=rsa; p=!!not-base64!!", NULL, NULL, 0}}, 0,
	    0, FOLD_LF, 0, false, 0, 1, 0,
	    {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key")}},
	{"key p= not a key", FIX "pass.eml",
	    {{S2048, "v=DKIM1; k=rsa; p=AAAAAAAA", NULL, NULL, 0}}, 0, 0,
	    FOLD_LF, 0, false, 0, 1, 0,
	    {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key unusable")}},
	{"key of another version", FIX "pass.eml",
	    {{S2048, "v=DKIM2; k=rsa; p=AAAA", NULL, NULL, 0}}, 0, 0,
	    FOLD_LF, 0, false, 0, 1, 0,
	    {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key unusable")}},
	{"ed25519 key for an rsa signature", FIX "pass.eml",
	    {{S2048, "v=DKIM1; k=ed25519; "
	    "p=11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=", NULL, NULL, 0}},
	    0, 0, FOLD_LF, 0, false, 0, 1, 0,
	    {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key unusable")}},
	{"two key records", FIX "pass.eml",
	    {KEY_OK, {S2048, "v=DKIM1; k=rsa; p=", NULL, NULL, 0}}, 0, 0,
	    FOLD_LF, 0, false, 0, 1, 0,
	    {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "multiple key records")}},
	{"key record too long", FIX "pass.eml",
	    {{S2048, NULL, NULL, NULL, -2}}, 0, 0, FOLD_LF, 0, false, 0, 1, 0,
	    {RES(DKIM_RES_PERMERROR, SNDR, "s2048", "key record too long")}},

	/* own fixtures: signatures */
	{"malformed signatures beside a valid one",
	    FIX "malformed-plus-valid.eml", {KEY_OK}, 0, 0, FOLD_LF, 0, false,
	    1, 3, 0,
	    {RES(DKIM_RES_NEUTRAL, SNDR, "s2048", ""),
	    RES(DKIM_RES_NEUTRAL, SNDR, "", ""),
	    PASS(SNDR, "s2048", "rsa-sha256", 2048)}},
	{"l= covers the relaxed body", FIX "len-relaxed.eml", {KEY_OK}, 0, 0,
	    FOLD_LF, 5, false, 0, 1, 0,
	    {{DKIM_RES_PASS, SNDR, "s2048", NULL, "", 0, 0}}},
	{"l= and a line appended, relaxed", FIX "len-relaxed-appended.eml",
	    {KEY_OK}, 0, 0, FOLD_LF, 3, false, 0, 1, 0,
	    {{DKIM_RES_PASS, SNDR, "s2048", NULL, "", 0, 1}}},
	{"l= and a line appended, bare LF body",
	    FIX "len-relaxed-appended.eml", {KEY_OK}, 0, 0, FOLD_BARE_LF, 4,
	    false, 0, 1, 0, {{DKIM_RES_PASS, SNDR, "s2048", NULL, "", 0, 1}}},
	{"l= covers the simple body, bare LF", FIX "len-simple.eml",
	    {KEY_OK}, 0, 0, FOLD_BARE_LF, 0, false, 0, 1, 0,
	    {{DKIM_RES_PASS, SNDR, "s2048", NULL, "", 0, 0}}},
	{"l= covers the simple body", FIX "len-simple.eml", {KEY_OK}, 0, 0,
	    FOLD_LF, 2, false, 0, 1, 0,
	    {{DKIM_RES_PASS, SNDR, "s2048", NULL, "", 0, 0}}},
	{"l= and a line appended, simple", FIX "len-simple-appended.eml",
	    {KEY_OK}, 0, 0, FOLD_LF, 0, false, 0, 1, 0,
	    {{DKIM_RES_PASS, SNDR, "s2048", NULL, "", 0, 1}}},
	{"two signatures in header order", FIX "two-sigs.eml",
	    {KEY_OK, {"relay._domainkey.relay.example", NULL,
	    FIX "keys/relay.relay.example.txt", NULL, 0}}, 0, 0, FOLD_LF, 0,
	    false, 2, 2, 0,
	    {PASS("relay.example", "relay", "rsa-sha256", 2048),
	    PASS(SNDR, "s2048", "rsa-sha256", 2048)}},
	{"max_sigs 1 of two signatures", FIX "two-sigs.eml",
	    {KEY_OK, {"relay._domainkey.relay.example", NULL,
	    FIX "keys/relay.relay.example.txt", NULL, 0}}, 1, 0, FOLD_LF, 0,
	    false, 1, 1, 1, {PASS("relay.example", "relay", NULL, 0)}},
};

/* slurp - a whole file, NUL-terminated */
static char *
slurp(const char *path, size_t *len_r)
{
	FILE	*fp;
	char	*p;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		fail_msg("cannot open %s (cwd must be the repo root)", path);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	rewind(fp);
	p = malloc((size_t)n + 1);
	assert_non_null(p);
	assert_int_equal(fread(p, 1, (size_t)n, fp), (size_t)n);
	p[n] = '\0';
	fclose(fp);
	if (len_r != NULL)
		*len_r = (size_t)n;
	return (p);
}

/* key_text - the record for name: a file's first line, or its zone line */
static char *
key_text(const struct zrec *z)
{
	char	*text, *line, *nl, *out = NULL;
	size_t	 nlen = strlen(z->name);

	text = slurp(z->file != NULL ? z->file : z->zone, NULL);
	for (line = text; line != NULL && *line != '\0'; line = nl) {
		if ((nl = strchr(line, '\n')) != NULL)
			*nl++ = '\0';
		if (z->file != NULL) {
			out = strdup(line);
			break;
		}
		if (strncmp(line, z->name, nlen) == 0 && line[nlen] == ' ') {
			out = strdup(line + nlen + 1);
			break;
		}
	}
	free(text);
	if (out == NULL)
		fail_msg("no key record for %s", z->name);
	return (out);
}

/* zone_load - the case's records into a fresh mock */
static struct dns *
zone_load(const struct zrec *zone)
{
	struct dns *d = dns_mock_new();
	char	*text, big[2000];
	int	 i;

	for (i = 0; i < MAXZ && zone[i].name != NULL; i++) {
		if (zone[i].fail == -1)		/* NODATA: another type */
			dns_mock_add(d, zone[i].name, DNS_T_A, "192.0.2.1");
		else if (zone[i].fail == -2) {	/* over the library's 1 KiB */
			memset(big, 'A', sizeof(big) - 1);
			big[sizeof(big) - 1] = '\0';
			memcpy(big, "v=DKIM1; k=rsa; p=", 18);
			dns_mock_add(d, zone[i].name, DNS_T_TXT, big);
		} else if (zone[i].fail != 0)
			dns_mock_fail(d, zone[i].name, DNS_T_TXT, zone[i].fail);
		else if (zone[i].txt != NULL)
			dns_mock_add(d, zone[i].name, DNS_T_TXT, zone[i].txt);
		else {
			text = key_text(&zone[i]);
			dns_mock_add(d, zone[i].name, DNS_T_TXT, text);
			free(text);
		}
	}
	return (d);
}

/* a message split the way a milter hands it over */
struct field {
	char	*name;
	char	*value;
};

struct eml {
	struct field f[MAXF];
	int	 nf;
	struct buf *body;		/* CRLF line ends */
};

/* eml_line - add one header line: a new field or a continuation */
static void
eml_line(struct eml *e, const char *line, size_t n, enum fold fold)
{
	const char *colon;
	struct buf *b;

	if ((line[0] == ' ' || line[0] == '\t') && e->nf > 0) {
		b = buf_new(LIM_HEADER);
		assert_int_equal(buf_printf(b, "%s%s%.*s",
		    e->f[e->nf - 1].value,
		    fold == FOLD_CRLF ? "\r\n" : "\n", (int)n, line), AM_OK);
		free(e->f[e->nf - 1].value);
		e->f[e->nf - 1].value = strdup(buf_str(b));
		buf_free(&b);
		return;
	}
	assert_true(e->nf < MAXF);
	colon = memchr(line, ':', n);
	assert_non_null(colon);
	e->f[e->nf].name = strndup(line, (size_t)(colon - line));
	e->f[e->nf].value = strndup(colon + 1, n - (size_t)(colon - line) - 1);
	e->nf++;
}

/* eml_load - header fields (value as sent, folds joined by fold) and a
 * CRLF body, from a file with LF or CRLF line ends */
static void
eml_load(const char *path, enum fold fold, struct eml *e)
{
	char	*text, *p, *nl;
	size_t	 len, n;
	bool	 inhdr = true;

	memset(e, 0, sizeof(*e));
	e->body = buf_new(1 << 20);
	text = slurp(path, &len);
	for (p = text; p < text + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(text + len - p))) == NULL) {
			assert_false(inhdr);	/* last line, no newline */
			assert_int_equal(buf_puts(e->body, p), AM_OK);
			break;
		}
		n = (size_t)(nl - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (inhdr && n == 0)
			inhdr = false;
		else if (inhdr)
			eml_line(e, p, n, fold);
		else {
			assert_int_equal(buf_append(e->body, p, n), AM_OK);
			assert_int_equal(fold == FOLD_BARE_LF ?
			    buf_putc(e->body, '\n') :
			    buf_append(e->body, "\r\n", 2), AM_OK);
		}
	}
	free(text);
}

/* eml_free - release a split message */
static void
eml_free(struct eml *e)
{
	int	 i;

	for (i = 0; i < e->nf; i++) {
		free(e->f[i].name);
		free(e->f[i].value);
	}
	buf_free(&e->body);
}

/* feed - one message through a dkimv_msg, every call AM_OK */
static void
feed(struct dkimv_msg *m, const struct eml *e, size_t chunk, bool lazy_eoh,
    struct buf *why)
{
	size_t	 off, n;
	int	 i;

	for (i = 0; i < e->nf; i++)
		assert_int_equal(dkimv_header(m, e->f[i].name, e->f[i].value,
		    why), AM_OK);
	if (!lazy_eoh)
		assert_int_equal(dkimv_eoh(m, why), AM_OK);
	if (chunk == 0)
		chunk = 65536;
	for (off = 0; off < e->body->len; off += n) {
		n = e->body->len - off < chunk ? e->body->len - off : chunk;
		assert_int_equal(dkimv_body(m, (const unsigned char *)
		    e->body->data + off, n, why), AM_OK);
	}
}

/* check_sig - one signature's result against the wanted one */
static void
check_sig(const char *label, int i, const struct dkim_sig_result *got,
    const struct want *w)
{
	if (got->result != w->res)
		fail_msg("%s: sig %d: %s (%s), want %s", label, i,
		    dkim_res_str(got->result), got->reason,
		    dkim_res_str(w->res));
	if (w->d != NULL && strcmp(got->d, w->d) != 0)
		fail_msg("%s: sig %d: d=%s, want %s", label, i, got->d, w->d);
	if (w->s != NULL && strcmp(got->s, w->s) != 0)
		fail_msg("%s: sig %d: s=%s, want %s", label, i, got->s, w->s);
	if (w->a != NULL && strcmp(got->a, w->a) != 0)
		fail_msg("%s: sig %d: a=%s, want %s", label, i, got->a, w->a);
	if (w->reason != NULL && (w->reason[0] == '\0' ?
	    w->res == DKIM_RES_PASS && got->reason[0] != '\0' :
	    strstr(got->reason, w->reason) == NULL))
		fail_msg("%s: sig %d: reason \"%s\", want \"%s\"", label, i,
		    got->reason, w->reason);
	if (w->keybits != 0 && got->keybits != w->keybits)
		fail_msg("%s: sig %d: %u bits, want %u", label, i, got->keybits,
		    w->keybits);
	if (w->partial >= 0 && got->partial_body != (w->partial != 0))
		fail_msg("%s: sig %d: partial_body %d, want %d", label, i,
		    got->partial_body, w->partial);
	if (got->result == DKIM_RES_PASS && strlen(got->b) != 8)
		fail_msg("%s: sig %d: header.b \"%s\"", label, i, got->b);
}

/* run_case - one table entry */
static void
run_case(void **state)
{
	const struct eml_case *c = *state;
	struct buf *why = buf_new(LIM_REASON);
	struct dkim_result res;
	struct dkimv_msg *m;
	struct dkimv *v;
	struct dns *d;
	struct eml e;
	int	 i;

	d = zone_load(c->zone);
	v = dkimv_new(d, c->max_sigs ? c->max_sigs : 10,
	    c->min_bits ? c->min_bits : 1024, why);
	assert_non_null(v);
	assert_non_null(m = dkimv_msg_new(v, "TESTQID", why));
	eml_load(c->file, c->fold, &e);
	feed(m, &e, c->chunk, c->lazy_eoh, why);
	if (dkimv_eom(m, &res, why) != AM_OK)
		fail_msg("%s: dkimv_eom: %s", c->label, buf_str(why));
	if (res.nsigs != c->nsigs || res.nskipped != c->nskipped)
		fail_msg("%s: %d signatures, %d skipped; want %d, %d", c->label,
		    res.nsigs, res.nskipped, c->nsigs, c->nskipped);
	for (i = 0; i < c->nsigs && i < MAXW; i++)
		check_sig(c->label, i, &res.sigs[i], &c->w[i]);
	if (c->queries != 0 && dns_mock_queries(d) != c->queries)
		fail_msg("%s: %u DNS queries, want %u", c->label,
		    dns_mock_queries(d), c->queries);
	eml_free(&e);
	dkimv_msg_free(&m);
	assert_null(m);
	dkimv_free(&v);
	assert_null(v);
	dns_free(&d);
	buf_free(&why);
}

/* one hand-made DKIM-Signature over a fixed message; no key published
 * unless the case's selector is s2048 */
struct sig_case {
	const char *label;
	const char *value;		/* DKIM-Signature value as sent */
	enum dkim_res want;
	const char *want_d;		/* NULL: not checked */
	const char *want_reason;	/* substring */
};

#define LONGLABEL "a123456789b123456789c123456789d123456789e123456789f1234"
#define LONGD	LONGLABEL "." LONGLABEL "." LONGLABEL "." LONGLABEL "." \
		LONGLABEL ".example"

static const struct sig_case sig_cases[] = {
	{"no key published", " v=1; a=rsa-sha256; d=Sender.EXAMPLE; s=sel;"
	    " h=from; bh=AAAA; b=BBBBBBBBBBBBBBBB", DKIM_RES_PERMERROR,
	    "sender.example", "key not found"},
	{"key name too long", " v=1; a=rsa-sha256; d=sender.example; s="
	    LONGD "; h=from; bh=AAAA; b=BBBB", DKIM_RES_PERMERROR,
	    "sender.example", "key name unusable"},
	{"d= too long (library: i= not in d=)", " v=1; a=rsa-sha256; d="
	    LONGD "; s=sel; h=from; bh=AAAA; b=BBBB", DKIM_RES_NEUTRAL, NULL,
	    ""},
	{"bad signature with a good key", " v=1; a=rsa-sha256; "
	    "d=sender.example; s=s2048; h=from; bh=AAAA; b=BBBBBBBB",
	    DKIM_RES_FAIL, "sender.example", "signature did not verify"},
	{"8-bit byte in value", " v=1; a=rsa-sha256; d=sender.example; "
	    "s=s\xc3\xa9l; h=from; bh=AAAA; b=BBBB", DKIM_RES_NEUTRAL, NULL,
	    ""},
	{"empty value", "", DKIM_RES_NEUTRAL, "", ""},
	{"only spaces", "  \n\t ", DKIM_RES_NEUTRAL, "", ""},
	{"unknown algorithm", " v=1; a=rsa-md5; d=sender.example; s=sel;"
	    " h=from; bh=AAAA; b=BBBB", DKIM_RES_NEUTRAL, "sender.example", ""},
	{"version 2", " v=2; a=rsa-sha256; d=sender.example; s=sel;"
	    " h=from; bh=AAAA; b=BBBB", DKIM_RES_NEUTRAL, NULL, ""},
	{"expired", " v=1; a=rsa-sha256; d=sender.example; s=sel; t=100;"
	    " x=200; h=from; bh=AAAA; b=BBBB", DKIM_RES_NEUTRAL, NULL, ""},
	{"From not signed", " v=1; a=rsa-sha256; d=sender.example; s=sel;"
	    " h=subject; bh=AAAA; b=BBBB", DKIM_RES_NEUTRAL, NULL, ""},
	{"i= outside d=", " v=1; a=rsa-sha256; d=sender.example; s=sel;"
	    " i=@other.example; h=from; bh=AAAA; b=BBBB", DKIM_RES_NEUTRAL,
	    NULL, ""},
	{"l= not a number", " v=1; a=rsa-sha256; d=sender.example; s=sel;"
	    " l=ten; h=from; bh=AAAA; b=BBBB", DKIM_RES_NEUTRAL, NULL, ""},
	{"duplicate tags", " v=1; a=rsa-sha256; d=sender.example; s=s2048;"
	    " d=sender.example; h=from; bh=AAAA; b=BBBB", DKIM_RES_FAIL, NULL,
	    ""},
	{"b= not base64 (library skips it)", " v=1; a=rsa-sha256; "
	    "d=sender.example; s=s2048; h=from; bh=AAAA; b=!!!!",
	    DKIM_RES_FAIL, NULL, ""},
};

/* run_sig_case - From:, a junk field name, the signature, a body */
static void
run_sig_case(void **state)
{
	const struct sig_case *c = *state;
	static const struct zrec zone[MAXZ] = {KEY_OK};
	struct buf *why = buf_new(LIM_REASON);
	struct dns *d = zone_load(zone);
	struct dkimv *v = dkimv_new(d, 5, 1024, why);
	struct dkimv_msg *m = dkimv_msg_new(v, "Q", why);
	struct dkim_result res;

	assert_non_null(m);
	assert_int_equal(dkimv_header(m, "X-\xff", " 8-bit name", why), AM_OK);
	assert_int_equal(dkimv_header(m, "DKIM-Signature", c->value, why),
	    AM_OK);
	assert_int_equal(dkimv_header(m, "From", " a@sender.example", why),
	    AM_OK);
	assert_int_equal(dkimv_body(m, (const unsigned char *)"x\r\n", 3,
	    why), AM_OK);
	assert_int_equal(dkimv_eom(m, &res, why), AM_OK);
	if (res.nsigs != 1)
		fail_msg("%s: %d signatures", c->label, res.nsigs);
	if (res.sigs[0].result != c->want ||
	    strstr(res.sigs[0].reason, c->want_reason) == NULL ||
	    (c->want_d != NULL && strcmp(res.sigs[0].d, c->want_d) != 0))
		fail_msg("%s: %s (%s) d=%s; want %s (%s)", c->label,
		    dkim_res_str(res.sigs[0].result), res.sigs[0].reason,
		    res.sigs[0].d, dkim_res_str(c->want), c->want_reason);
	dkimv_msg_free(&m);
	dkimv_free(&v);
	dns_free(&d);
	buf_free(&why);
}

/* test_many_sigs - 60 signatures, cap 50: 50 results; a failed key
 * lookup (NXDOMAIN, then TEMP) is not repeated for the copies */
static void
test_many_sigs(void **state)
{
	static const int fail[] = {0, DNS_TEMP};
	static const enum dkim_res want[] = {DKIM_RES_PERMERROR,
	    DKIM_RES_TEMPERROR};
	struct buf *why = buf_new(LIM_REASON);
	struct dkim_result res;
	struct dkimv_msg *m;
	struct dkimv *v;
	struct dns *d;
	size_t	 k;
	int	 i;

	for (k = 0; k < AM_ARRAY_LEN(fail); k++) {
		d = dns_mock_new();
		if (fail[k] != 0)
			dns_mock_fail(d, "sel._domainkey.sender.example",
			    DNS_T_TXT, fail[k]);
		assert_non_null(v = dkimv_new(d, LIM_DKIM_SIGS, 1024, why));
		assert_non_null(m = dkimv_msg_new(v, "Q", why));
		assert_int_equal(dkimv_header(m, "From", " a@sender.example",
		    why), AM_OK);
		for (i = 0; i < LIM_DKIM_SIGS + 10; i++)
			assert_int_equal(dkimv_header(m, "DKIM-Signature",
			    " v=1; a=rsa-sha256; d=sender.example; s=sel;"
			    "\n h=from; bh=AAAA; b=BBBB", why), AM_OK);
		assert_int_equal(dkimv_eom(m, &res, why), AM_OK);
		assert_int_equal(res.nsigs, LIM_DKIM_SIGS);
		assert_int_equal(res.nskipped, 10);
		for (i = 0; i < res.nsigs; i++)
			assert_int_equal(res.sigs[i].result, want[k]);
		assert_int_equal(dns_mock_queries(d), 1);
		dkimv_msg_free(&m);
		dkimv_free(&v);
		dns_free(&d);
	}
	buf_free(&why);
}

/* test_random_sigs - junk signatures never crash and never pass */
static void
test_random_sigs(void **state)
{
	static const char *tok[] = {
		"v=1", "v=", "a=rsa-sha256", "a=ed25519-sha256", "a=rsa-sha1",
		"d=sender.example", "d=", "s=s2048", "s=", "h=from", "h=",
		"h=from:from:to", "bh=AAAA", "bh=", "b=BBBB", "b=", "l=0",
		"l=99999999999999999999", "t=1", "x=1", "c=relaxed/relaxed",
		"c=bogus", "q=dns/txt", "q=x", "i=@sender.example", "=", ";",
		"\n ", "\r\n\t", "\x80", "\x01", " ", "z=From:a|To:b",
	};
	static const struct zrec zone[MAXZ] = {KEY_OK};
	struct buf *why = buf_new(LIM_REASON), *val = buf_new(4096);
	struct dns *d = zone_load(zone);
	struct dkimv *v = dkimv_new(d, 3, 1024, why);
	struct dkim_result res;
	struct dkimv_msg *m;
	unsigned long rnd = 12345;
	int	 round, i, j, n;

	for (round = 0; round < 300; round++) {
		assert_non_null(m = dkimv_msg_new(v, "Q", why));
		assert_int_equal(dkimv_header(m, "From", " a@sender.example",
		    why), AM_OK);
		for (j = 0; j < 2; j++) {
			buf_reset(val);
			rnd = rnd * 1103515245 + 12345;
			n = (int)(rnd >> 16) % 12;
			for (i = 0; i < n; i++) {
				rnd = rnd * 1103515245 + 12345;
				(void)buf_puts(val, tok[(rnd >> 16) %
				    AM_ARRAY_LEN(tok)]);
				(void)buf_puts(val, (rnd >> 8) & 1 ? "; " : "");
			}
			assert_int_equal(dkimv_header(m, "DKIM-Signature",
			    buf_str(val), why), AM_OK);
		}
		assert_int_equal(dkimv_body(m, (const unsigned char *)
		    "body\r\n", 6, why), AM_OK);
		assert_int_equal(dkimv_eom(m, &res, why), AM_OK);
		for (i = 0; i < res.nsigs; i++)
			assert_int_not_equal(res.sigs[i].result, DKIM_RES_PASS);
		dkimv_msg_free(&m);
	}
	dkimv_free(&v);
	dns_free(&d);
	buf_free(&val);
	buf_free(&why);
}

/* setup - a verifier over a zone with the fixture key */
struct fx {
	struct dns *d;
	struct dkimv *v;
	struct dkimv_msg *m;
	struct buf *why;
	struct dkim_result res;
};

static int
fx_setup(void **state)
{
	static const struct zrec zone[MAXZ] = {KEY_OK};
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->why = buf_new(LIM_REASON);
	f->d = zone_load(zone);
	assert_non_null(f->v = dkimv_new(f->d, 10, 1024, f->why));
	assert_non_null(f->m = dkimv_msg_new(f->v, "QID", f->why));
	*state = f;
	return (0);
}

static int
fx_teardown(void **state)
{
	struct fx *f = *state;

	dkimv_msg_free(&f->m);
	dkimv_free(&f->v);
	dns_free(&f->d);
	buf_free(&f->why);
	free(f);
	return (0);
}

/* test_unsigned - no DKIM-Signature: no results, no lookups */
static void
test_unsigned(void **state)
{
	struct fx *f = *state;

	assert_int_equal(dkimv_header(f->m, "From", " a@sender.example",
	    f->why), AM_OK);
	assert_int_equal(dkimv_header(f->m, "Subject", " hi\n there", f->why),
	    AM_OK);
	assert_int_equal(dkimv_eoh(f->m, f->why), AM_OK);
	assert_int_equal(dkimv_body(f->m, (const unsigned char *)"hi\r\n", 4,
	    f->why), AM_OK);
	/* an empty chunk (the milter may send one) is no bytes, no UB */
	assert_int_equal(dkimv_body(f->m, NULL, 0, f->why), AM_OK);
	assert_int_equal(dkimv_eom(f->m, &f->res, f->why), AM_OK);
	assert_int_equal(f->res.nsigs, 0);
	assert_int_equal(f->res.nskipped, 0);
	assert_int_equal(dns_mock_queries(f->d), 0);
}

/* test_prefetch - a key lookup starts when its signature arrives */
static void
test_prefetch(void **state)
{
	struct fx *f = *state;

	assert_int_equal(dkimv_header(f->m, "DKIM-Signature",
	    " v=1; a=rsa-sha256; c=relaxed/relaxed;\n\td = sender.example;"
	    " s=\n\t sel1; h=from; bh=AAAA; b=BBBB", f->why), AM_OK);
	assert_int_equal(dns_mock_prefetches(f->d), 1);
	/* no s= (malformed): nothing to look up */
	assert_int_equal(dkimv_header(f->m, "DKIM-Signature",
	    " v=1; a=rsa-sha256; d=sender.example; ss=x; h=from; b=B",
	    f->why), AM_OK);
	assert_int_equal(dns_mock_prefetches(f->d), 1);
	assert_int_equal(dns_mock_queries(f->d), 0);
}

/* test_empty - end of message straight away */
static void
test_empty(void **state)
{
	struct fx *f = *state;

	assert_int_equal(dkimv_eom(f->m, &f->res, f->why), AM_OK);
	assert_int_equal(f->res.nsigs, 0);
}

/* test_out_of_order - calls after their stage are AM_PERM, not a crash */
static void
test_out_of_order(void **state)
{
	struct fx *f = *state;
	const unsigned char *b = (const unsigned char *)"x\r\n";

	assert_int_equal(dkimv_header(f->m, "From", " a@sender.example",
	    f->why), AM_OK);
	assert_int_equal(dkimv_header(f->m, NULL, " x", f->why), AM_PERM);
	assert_int_equal(dkimv_body(f->m, b, 3, f->why), AM_OK);
	assert_int_equal(dkimv_eoh(f->m, f->why), AM_OK);	/* again */
	assert_int_equal(dkimv_header(f->m, "To", " b@rcpt.example", f->why),
	    AM_PERM);
	assert_non_null(strstr(buf_str(f->why), "order"));
	assert_int_equal(dkimv_eom(f->m, &f->res, f->why), AM_OK);
	assert_int_equal(f->res.nsigs, 0);
	assert_int_equal(dkimv_eom(f->m, &f->res, f->why), AM_PERM);
	assert_int_equal(dkimv_body(f->m, b, 3, f->why), AM_PERM);
	assert_int_equal(dkimv_eoh(f->m, f->why), AM_PERM);
	assert_int_equal(dkimv_header(f->m, "To", " b", f->why), AM_PERM);
}

/* test_abandoned - a message freed half-way leaks nothing (ASan) */
static void
test_abandoned(void **state)
{
	struct fx *f = *state;
	struct eml e;

	eml_load(FIX "pass.eml", FOLD_LF, &e);
	feed(f->m, &e, 10, false, f->why);
	eml_free(&e);
	dkimv_msg_free(&f->m);
	assert_null(f->m);
	dkimv_msg_free(&f->m);		/* NULL: no-op */
	dkimv_msg_free(NULL);
}

/* test_big_field - a field over LIM_HEADER is not fed; a signature not
 * covering it still passes */
static void
test_big_field(void **state)
{
	struct fx *f = *state;
	struct eml e;
	char	*big;

	big = malloc(LIM_HEADER + 2);
	assert_non_null(big);
	memset(big, 'x', LIM_HEADER + 1);
	big[0] = ' ';
	big[LIM_HEADER + 1] = '\0';
	assert_int_equal(dkimv_header(f->m, "X-Big", big, f->why), AM_OK);
	free(big);
	eml_load(FIX "pass.eml", FOLD_LF, &e);
	feed(f->m, &e, 0, false, f->why);
	eml_free(&e);
	assert_int_equal(dkimv_eom(f->m, &f->res, f->why), AM_OK);
	assert_int_equal(f->res.nsigs, 1);
	assert_int_equal(f->res.sigs[0].result, DKIM_RES_PASS);
}

/* test_many_fields - fields past LIM_HEADERS are not fed, a signature
 * among them neither */
static void
test_many_fields(void **state)
{
	struct fx *f = *state;
	struct eml e;
	int	 i;

	for (i = 0; i < LIM_HEADERS; i++)
		assert_int_equal(dkimv_header(f->m, "Received", " by x",
		    f->why), AM_OK);
	eml_load(FIX "pass.eml", FOLD_LF, &e);
	feed(f->m, &e, 0, false, f->why);
	eml_free(&e);
	assert_int_equal(dkimv_eom(f->m, &f->res, f->why), AM_OK);
	assert_int_equal(f->res.nsigs, 0);
	assert_int_equal(dns_mock_queries(f->d), 0);
}

/* test_new_args - dkimv_new() refuses a bad max_sigs or no resolver */
static void
test_new_args(void **state)
{
	struct buf *why = buf_new(LIM_REASON);
	struct dns *d = dns_mock_new();
	struct dkimv *v;

	assert_null(dkimv_new(d, 0, 1024, why));
	assert_non_null(strstr(buf_str(why), "max_sigs"));
	assert_null(dkimv_new(d, LIM_DKIM_SIGS + 1, 1024, why));
	assert_null(dkimv_new(NULL, 5, 1024, why));
	assert_non_null(v = dkimv_new(d, LIM_DKIM_SIGS, 0, why));
	dkimv_free(&v);
	assert_null(v);
	dkimv_free(&v);
	dkimv_free(NULL);
	dns_free(&d);
	buf_free(&why);
}

/* test_shared_verifier - several messages, one verifier, interleaved */
static void
test_shared_verifier(void **state)
{
	struct fx *f = *state;
	struct dkimv_msg *m2;
	struct dkim_result r2;
	struct eml e;

	eml_load(FIX "pass.eml", FOLD_LF, &e);
	assert_non_null(m2 = dkimv_msg_new(f->v, NULL, f->why));
	feed(f->m, &e, 0, false, f->why);
	feed(m2, &e, 3, true, f->why);
	assert_int_equal(dkimv_eom(m2, &r2, f->why), AM_OK);
	assert_int_equal(dkimv_eom(f->m, &f->res, f->why), AM_OK);
	assert_int_equal(r2.nsigs, 1);
	assert_int_equal(r2.sigs[0].result, DKIM_RES_PASS);
	assert_int_equal(f->res.nsigs, 1);
	assert_int_equal(f->res.sigs[0].result, DKIM_RES_PASS);
	dkimv_msg_free(&m2);
	eml_free(&e);
}

/* test_no_from - a signed message that lost its From: fails, calmly */
static void
test_no_from(void **state)
{
	struct fx *f = *state;
	struct eml e;
	int	 i;

	eml_load(FIX "pass.eml", FOLD_LF, &e);
	for (i = 0; i < e.nf; i++)
		if (strcmp(e.f[i].name, "From") != 0)
			assert_int_equal(dkimv_header(f->m, e.f[i].name,
			    e.f[i].value, f->why), AM_OK);
	assert_int_equal(dkimv_body(f->m, (const unsigned char *)
	    e.body->data, e.body->len, f->why), AM_OK);
	eml_free(&e);
	assert_int_equal(dkimv_eom(f->m, &f->res, f->why), AM_OK);
	assert_int_equal(f->res.nsigs, 1);
	assert_int_equal(f->res.sigs[0].result, DKIM_RES_FAIL);
}

/* one thread's share of test_threads: count results that are not pass */
struct thr {
	struct dkimv *v;
	const struct eml *e;
	int	 bad;
};

static void *
thr_run(void *arg)
{
	struct thr *t = arg;
	struct buf *why = buf_new(LIM_REASON);
	struct dkim_result res;
	struct dkimv_msg *m;
	size_t	 off;
	int	 round, i;

	for (round = 0; round < 25; round++) {
		if ((m = dkimv_msg_new(t->v, "T", why)) == NULL) {
			t->bad++;
			continue;
		}
		for (i = 0; i < t->e->nf; i++)
			(void)dkimv_header(m, t->e->f[i].name, t->e->f[i].value,
			    why);
		for (off = 0; off < t->e->body->len; off += 16)
			(void)dkimv_body(m, (const unsigned char *)
			    t->e->body->data + off, t->e->body->len - off < 16 ?
			    t->e->body->len - off : 16, why);
		if (dkimv_eom(m, &res, why) != AM_OK || res.nsigs != 1 ||
		    res.sigs[0].result != DKIM_RES_PASS)
			t->bad++;
		dkimv_msg_free(&m);
	}
	buf_free(&why);
	return (NULL);
}

/* test_threads - one verifier, messages on four threads at once */
static void
test_threads(void **state)
{
	struct fx *f = *state;
	struct thr t[4];
	pthread_t tid[4];
	struct eml e;
	int	 i;

	eml_load(FIX "pass.eml", FOLD_LF, &e);
	for (i = 0; i < 4; i++) {
		t[i].v = f->v;
		t[i].e = &e;
		t[i].bad = 0;
		assert_int_equal(pthread_create(&tid[i], NULL, thr_run, &t[i]),
		    0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(tid[i], NULL), 0);
		assert_int_equal(t[i].bad, 0);
	}
	eml_free(&e);
}

#define FX(t)	cmocka_unit_test_setup_teardown(t, fx_setup, fx_teardown)

int
main(void)
{
	static const struct CMUnitTest fixed[] = {
		FX(test_unsigned),
		FX(test_prefetch),
		FX(test_empty),
		FX(test_out_of_order),
		FX(test_abandoned),
		FX(test_big_field),
		FX(test_many_fields),
		cmocka_unit_test(test_new_args),
		cmocka_unit_test(test_many_sigs),
		cmocka_unit_test(test_random_sigs),
		FX(test_shared_verifier),
		FX(test_threads),
		FX(test_no_from),
	};
	struct CMUnitTest tests[AM_ARRAY_LEN(cases) + AM_ARRAY_LEN(sig_cases) +
	    AM_ARRAY_LEN(fixed)];
	size_t	 i, n = 0;

	for (i = 0; i < AM_ARRAY_LEN(cases); i++) {
		memset(&tests[n], 0, sizeof(tests[n]));
		tests[n].name = cases[i].label;
		tests[n].test_func = run_case;
		tests[n].initial_state = (void *)&cases[i];
		n++;
	}
	for (i = 0; i < AM_ARRAY_LEN(sig_cases); i++) {
		memset(&tests[n], 0, sizeof(tests[n]));
		tests[n].name = sig_cases[i].label;
		tests[n].test_func = run_sig_case;
		tests[n].initial_state = (void *)&sig_cases[i];
		n++;
	}
	for (i = 0; i < AM_ARRAY_LEN(fixed); i++)
		tests[n++] = fixed[i];
	return (_cmocka_run_group_tests("dkim", tests, n, NULL, NULL));
}
