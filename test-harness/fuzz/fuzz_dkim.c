/*
 * NAME
 *	fuzz_dkim - libFuzzer target: DKIM-Signature handling
 * DESCRIPTION
 *	The input is a message: header lines (LF or CRLF; a line starting
 *	with blank continues the field, joined by LF as Postfix hands it
 *	over), an empty line, the body. Each header field goes to
 *	dkimv_header() (a NUL byte cuts the field there, as libmilter's C
 *	strings would), the body to dkimv_body() in chunks whose size
 *	depends on the input, then dkimv_eom(). dns_mock answers the two
 *	keys of fuzz.example (fuzz_dkim_keys.h; seeds in
 *	corpus/fuzz_dkim are signed with them), NXDOMAIN for the rest,
 *	SERVFAIL for selector "tmp". The results then go through
 *	authres_format(), so peer d=, s=, i= meet the A-R writer.
 *
 *	Invariants: at most max_sigs results; a pass is rsa-sha256 with at
 *	least min_key_bits or ed25519-sha256, from a non-empty d=, and has
 *	no extra_header; every string of a result is NUL-terminated.
 * SEE ALSO
 *	auth/dkim.c, auth/dkimcov.c, make-dkim-seeds.sh
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authres.h"
#include "auth/dkim.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "test-harness/fuzz/fuzz.h"
#include "test-harness/fuzz/fuzz_dkim_keys.h"

#define FZ_MAXSIGS	5
#define FZ_MINBITS	1024

static struct dns *fz_dns;
static struct dkimv *fz_v;
static struct auth_results fz_res;	/* big: not on the stack */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf *why = buf_new(LIM_REASON);

	fz_dns = dns_mock_new();
	dns_mock_add(fz_dns, "rsa._domainkey.fuzz.example", DNS_T_TXT,
	    FUZZ_KEY_RSA);
	dns_mock_add(fz_dns, "ed._domainkey.fuzz.example", DNS_T_TXT,
	    FUZZ_KEY_ED);
	dns_mock_fail(fz_dns, "tmp._domainkey.fuzz.example", DNS_T_TXT,
	    DNS_TEMP);
	fz_v = dkimv_new(fz_dns, FZ_MAXSIGS, FZ_MINBITS, why);
	fz_check(fz_v != NULL, "dkimv_new");
	buf_free(&why);
	return (0);
}

/* field_end - hand the field collected so far to the verifier */
static void
field_end(struct dkimv_msg *m, struct buf *name, struct buf *val,
    struct buf *why)
{
	if (name->len > 0)
		(void)dkimv_header(m, buf_str(name), buf_str(val), why);
	buf_reset(name);
	buf_reset(val);
}

/* feed_header - header lines up to the empty one; returns body offset */
static size_t
feed_header(struct dkimv_msg *m, const uint8_t *p, size_t n,
    struct buf *why)
{
	struct buf *name = buf_new(LIM_HEADER), *val = buf_new(LIM_HEADER);
	const uint8_t *nl, *colon;
	size_t	 off = 0, len;

	while (off < n) {
		nl = memchr(p + off, '\n', n - off);
		len = (nl != NULL ? (size_t)(nl - p) : n) - off;
		if (len > 0 && p[off + len - 1] == '\r')
			len--;
		if (len == 0) {
			off = nl != NULL ? (size_t)(nl - p) + 1 : n;
			break;
		}
		if ((p[off] == ' ' || p[off] == '\t') && name->len > 0) {
			(void)buf_putc(val, '\n');
			(void)buf_append(val, p + off, len);
		} else if ((colon = memchr(p + off, ':', len)) != NULL) {
			field_end(m, name, val, why);
			(void)buf_append(name, p + off,
			    (size_t)(colon - p) - off);
			(void)buf_append(val, colon + 1,
			    len - ((size_t)(colon - p) - off) - 1);
		} else
			break;		/* not a field: the body starts */
		off = nl != NULL ? (size_t)(nl - p) + 1 : n;
	}
	field_end(m, name, val, why);
	buf_free(&name);
	buf_free(&val);
	return (off);
}

/* check_sig - what a result may say */
static void
check_sig(const struct dkim_sig_result *s)
{
	fz_check(memchr(s->d, '\0', sizeof(s->d)) != NULL &&
	    memchr(s->s, '\0', sizeof(s->s)) != NULL &&
	    memchr(s->a, '\0', sizeof(s->a)) != NULL &&
	    memchr(s->b, '\0', sizeof(s->b)) != NULL &&
	    memchr(s->i, '\0', sizeof(s->i)) != NULL &&
	    memchr(s->reason, '\0', sizeof(s->reason)) != NULL &&
	    memchr(s->extra_name, '\0', sizeof(s->extra_name)) != NULL,
	    "result strings terminated");
	if (s->result != DKIM_RES_PASS)
		return;
	fz_check(s->d[0] != '\0', "pass has d=");
	fz_check(!s->extra_header, "pass has no extra header");
	fz_check(strcmp(s->a, "ed25519-sha256") == 0 ||
	    (strcmp(s->a, "rsa-sha256") == 0 && s->keybits >= FZ_MINBITS),
	    "pass is rsa-sha256 >= min bits or ed25519-sha256");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf *why = buf_new(LIM_REASON), *ar = buf_new(LIM_AUTHRES);
	struct dkimv_msg *m;
	size_t	 off, chunk, k;
	int	 i;

	memset(&fz_res, 0, sizeof(fz_res));
	if ((m = dkimv_msg_new(fz_v, "FUZZ", why)) == NULL)
		goto out;
	off = feed_header(m, data, size, why);
	if (size % 2 == 0)		/* else dkimv_body() starts the body */
		(void)dkimv_eoh(m, why);
	chunk = size % 13 + 1;
	for (; off < size; off += k) {
		k = size - off < chunk ? size - off : chunk;
		if (dkimv_body(m, data + off, k, why) != AM_OK)
			break;
	}
	if (dkimv_eom(m, &fz_res.dkim, why) == AM_OK) {
		fz_check(fz_res.dkim.nsigs >= 0 &&
		    fz_res.dkim.nsigs <= FZ_MAXSIGS, "nsigs <= max_sigs");
		for (i = 0; i < fz_res.dkim.nsigs; i++)
			check_sig(&fz_res.dkim.sigs[i]);
		(void)authres_format("mx.example.net", &fz_res, ar);
	}
	dkimv_msg_free(&m);
out:
	buf_free(&ar);
	buf_free(&why);
	return (0);
}
