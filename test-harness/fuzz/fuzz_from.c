/*
 * NAME
 *	fuzz_from - libFuzzer target: the RFC 5322 From: parser
 * DESCRIPTION
 *	The input is one From: field value as the milter hands it over
 *	(any bytes, NUL and bare CR included), passed to
 *	header_from_parse() in a buffer of exactly its length, so a read
 *	past len is an ASan finding. Checks what DMARC relies on: a status
 *	in range; FROM_OK means one domain, FROM_UNPARSEABLE none; every
 *	domain non-empty, NUL-terminated, lower case, without a byte that
 *	cannot be in an A-label domain.
 * SEE ALSO
 *	auth/header.c, test-harness/fuzz/corpus/fuzz_from/
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/header.h"
#include "auth/result.h"
#include "test-harness/fuzz/fuzz.h"

/* domain_ok - what author domains handed to DMARC must look like */
static int
domain_ok(const char *d)
{
	size_t	 n = strnlen(d, LIM_DOMAIN);
	size_t	 i;

	if (n == 0 || n == LIM_DOMAIN)
		return (0);
	for (i = 0; i < n; i++)
		if ((d[i] >= 'A' && d[i] <= 'Z') ||
		    (unsigned char)d[i] <= ' ' || (unsigned char)d[i] >= 0x7f ||
		    strchr("@<>();\"\\,", d[i]) != NULL)
			return (0);
	return (1);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct from_result r;
	char	*v;
	int	 i;

	if ((v = malloc(size > 0 ? size : 1)) == NULL)
		return (0);
	if (size > 0)
		memcpy(v, data, size);
	header_from_parse(v, size, &r);
	fz_check(r.status >= FROM_OK && r.status <= FROM_UNPARSEABLE,
	    "status in range");
	fz_check(r.ndomains >= 0 && r.ndomains <= LIM_FROM_MAILBOXES,
	    "ndomains in range");
	fz_check(r.status != FROM_OK || r.ndomains == 1, "FROM_OK: 1 domain");
	fz_check(r.status != FROM_UNPARSEABLE || r.ndomains == 0,
	    "FROM_UNPARSEABLE: no domain");
	fz_check(memchr(r.reason, '\0', sizeof(r.reason)) != NULL,
	    "reason terminated");
	for (i = 0; i < r.ndomains; i++)
		fz_check(domain_ok(r.domains[i]), "author domain well formed");
	header_from_count(&r, 2);
	fz_check(r.status == FROM_MULTIPLE_FIELDS, "two fields");
	free(v);
	return (0);
}
