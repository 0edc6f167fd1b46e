/*
 * NAME
 *	fuzz_spfrec - libFuzzer target: SPF record validation
 * DESCRIPTION
 *	The input is one TXT string as DNS delivers it (any bytes, NUL
 *	included), in a buffer of exactly its length. spfrec_select() and
 *	spfrec_parse() read it; on AM_OK every term must lie inside the
 *	record, with sane indexes, qualifiers and CIDR lengths, and every
 *	domain-spec must normalize (spfrec_spec_norm()). A refusal must say
 *	why.
 *
 *	A record spfrec_parse() accepts is then compiled by libspf2
 *	(SPF_record_compile()), as the resolver layer does: this is the
 *	path of CVE-2023-42118, a stack overflow in libspf2's macro
 *	compiler that spfrec_parse() is our guard for. libspf2 is not
 *	built with ASan, but Debian builds it with -fstack-protector, so an
 *	overflow aborts and libFuzzer keeps the input.
 * SEE ALSO
 *	auth/spfrec.c, auth/spfdns.c, RFC 7208 12
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <spf2/spf.h>

#include "auth/spfrec.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "test-harness/fuzz/fuzz.h"

static SPF_server_t *fz_spf;
static struct spfrec fz_rec;		/* big: not on the stack */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fz_spf = SPF_server_new(SPF_DNS_CACHE, 0);
	fz_check(fz_spf != NULL, "SPF_server_new");
	return (0);
}

/* is_spec - a term whose arg is a domain-spec */
static bool
is_spec(enum spfrec_kind k)
{
	return (k == SPFREC_INCLUDE || k == SPFREC_A || k == SPFREC_MX ||
	    k == SPFREC_PTR || k == SPFREC_EXISTS || k == SPFREC_REDIRECT ||
	    k == SPFREC_EXP);
}

/* check_terms - what spfdns.c relies on after AM_OK */
static void
check_terms(const char *rec, size_t len, const struct spfrec *r)
{
	struct buf *out = buf_new(LIM_DNS_TXT);
	const struct spfrec_term *t;
	int	 i;

	fz_check(r->nterms >= 0 && r->nterms <= LIM_SPF_TERMS, "nterms");
	fz_check(r->all >= -1 && r->all < r->nterms, "all index");
	fz_check(r->redirect == -1 || (r->redirect < r->nterms &&
	    r->term[r->redirect].kind == SPFREC_REDIRECT), "redirect index");
	fz_check(r->exp == -1 || (r->exp < r->nterms &&
	    r->term[r->exp].kind == SPFREC_EXP), "exp index");
	for (i = 0; i < r->nterms; i++) {
		t = &r->term[i];
		fz_check(t->kind >= SPFREC_ALL && t->kind <= SPFREC_MODIFIER,
		    "kind");
		fz_check(t->kind >= SPFREC_REDIRECT || (t->qual != '\0' &&
		    strchr("+-~?", t->qual) != NULL), "qualifier");
		fz_check(t->cidr4 >= -1 && t->cidr4 <= 32 && t->cidr6 >= -1 &&
		    t->cidr6 <= 128, "cidr lengths");
		fz_check(t->arg == NULL || (t->arg >= rec &&
		    t->arglen <= len && t->arg + t->arglen <= rec + len),
		    "arg inside the record");
		if (t->arg == NULL || !is_spec(t->kind))
			continue;
		buf_reset(out);
		fz_check(spfrec_spec_norm(t->arg, t->arglen, out) == AM_OK,
		    "a checked domain-spec normalizes");
	}
	buf_free(&out);
}

/* compile - what libspf2 makes of an accepted record */
static void
compile(const char *rec, size_t len)
{
	SPF_response_t *resp = SPF_response_new(NULL);
	SPF_record_t *sr = NULL;
	char	*text = malloc(len + 1);

	fz_check(resp != NULL && text != NULL, "malloc");
	memcpy(text, rec, len);
	text[len] = '\0';
	(void)SPF_record_compile(fz_spf, resp, &sr, text);
	if (sr != NULL)
		SPF_record_free(sr);
	SPF_response_free(resp);
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf *why = buf_new(LIM_REASON);
	char	*rec = malloc(size > 0 ? size : 1);

	fz_check(rec != NULL, "malloc");
	if (size > 0)
		memcpy(rec, data, size);
	(void)spfrec_select(rec, size);
	if (spfrec_parse(rec, size, &fz_rec, why) == AM_OK) {
		fz_check(spfrec_select(rec, size), "accepted: selected");
		check_terms(rec, size, &fz_rec);
		compile(rec, size);
	} else
		fz_check(why->len > 0, "refusal says why");
	free(rec);
	buf_free(&why);
	return (0);
}
