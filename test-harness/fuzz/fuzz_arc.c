/*
 * NAME
 *	fuzz_arc - libFuzzer target: the ARC parsers and verifier
 * DESCRIPTION
 *	The input is a message: header lines "Name:value" (a line starting
 *	with white space continues the field; LF or CRLF), an empty line,
 *	then the body. Every field goes to arc_header() as the milter
 *	delivers it, the body to arc_body() in two chunks, then arc_eom()
 *	(keys from a mock zone holding the key of the unit tests' fixtures
 *	at rsa._domainkey.lists.example, so seeds sealed by python3-dkim
 *	reach the signature checks). Each field is also given to
 *	arc_parse_instance() and, for ARC-Authentication-Results,
 *	arc_aar_parse() in a buffer of exactly its length, and the first
 *	line to arc_trust_new() as a list of domains. Asserted: a result
 *	of none, pass, fail or temperror, a chain length within 0..999,
 *	NUL-terminated strings, never pass with a structural error.
 * SEE ALSO
 *	auth/arc.c, auth/arctrust.c, RFC 8617 5.1
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/arc.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"
#include "test-harness/fuzz/fuzz.h"

static struct dns *zone;
static struct arc_result res;		/* big: not on the stack */

/* zone_init - the fixture key, once */
static void
zone_init(void)
{
	char	 txt[2048];
	size_t	 n;
	FILE	*fp;

	zone = dns_mock_new();
	if ((fp = fopen("test-harness/unit/data/arc/keys/rsa.txt", "r")) ==
	    NULL)
		return;
	n = fread(txt, 1, sizeof(txt) - 1, fp);
	fclose(fp);
	while (n > 0 && (txt[n - 1] == '\n' || txt[n - 1] == '\r'))
		n--;
	dns_mock_add_txt(zone, "rsa._domainkey.lists.example", txt, n);
}

/* one_field - a field to the verifier and the two parsers */
static void
one_field(struct arc_msg *a, const char *name, const char *value)
{
	size_t	 vl = strlen(value);
	char	*copy;
	int	 i;

	fz_check(arc_header(a, name, value) == AM_OK, "arc_header");
	if ((copy = malloc(vl ? vl : 1)) == NULL)
		return;
	memcpy(copy, value, vl);	/* exactly its length */
	if (arc_parse_instance(name, copy, vl, &i) == AM_OK)
		fz_check(i >= 0 && i <= 999, "instance range");
	if (strcasecmp(name, "ARC-Authentication-Results") == 0) {
		memset(&res, 0, sizeof(res));
		(void)arc_aar_parse(copy, vl, &res);
		fz_check(memchr(res.aar_id, '\0', sizeof(res.aar_id)) != NULL,
		    "aar_id terminated");
		fz_check(res.naar >= 0 && res.naar <= LIM_ARC_AAR_RES, "naar");
	}
	free(copy);
}

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arc_msg *a;
	struct arc_trust *t;
	struct buf *why;
	char	*msg, *p, *eol, *colon, *field, *body;
	size_t	 n, bl;

	if (zone == NULL)
		zone_init();
	if ((msg = malloc(size + 1)) == NULL)
		return (0);
	memcpy(msg, data, size);
	msg[size] = '\0';
	if ((why = buf_new(256)) != NULL) {
		n = strcspn(msg, "\r\n");
		if ((field = strndup(msg, n)) != NULL &&
		    strncmp(field, "file:", 5) != 0) {
			t = arc_trust_new(field, why);
			(void)arc_trust_has(t, "lists.example");
			arc_trust_free(&t);
		}
		free(field);
		buf_free(&why);
	}
	a = arc_msg_new(zone, "fuzz");
	p = msg;
	while (a != NULL && *p != '\0' && *p != '\n' && *p != '\r') {
		eol = p;			/* end of the field */
		for (;;) {
			eol = strchr(eol, '\n');
			if (eol == NULL || (eol[1] != ' ' && eol[1] != '\t'))
				break;
			eol++;
		}
		n = eol != NULL ? (size_t)(eol - p) : strlen(p);
		if ((field = strndup(p, n)) == NULL)
			break;
		if (n > 0 && field[n - 1] == '\r')
			field[n - 1] = '\0';
		if ((colon = strchr(field, ':')) != NULL) {
			*colon = '\0';
			one_field(a, field, colon + 1);
		}
		free(field);
		p = eol != NULL ? eol + 1 : p + n;
	}
	if (a != NULL) {
		body = p + strspn(p, "\r");
		body += *body == '\n';
		bl = strlen(body);
		fz_check(arc_eoh(a) == AM_OK, "arc_eoh");
		(void)arc_body(a, (const unsigned char *)body, bl / 2);
		(void)arc_body(a, (const unsigned char *)body + bl / 2,
		    bl - bl / 2);
		memset(&res, 0, sizeof(res));
		fz_check(arc_eom(a, &res) == AM_OK, "arc_eom");
		fz_check(res.result <= ARC_RES_TEMPERROR, "result");
		fz_check(res.n >= 0 && res.n <= 999, "chain length");
		fz_check(memchr(res.sealers, '\0', sizeof(res.sealers)) !=
		    NULL, "sealers terminated");
		fz_check(res.result != ARC_RES_PASS || res.n <= 50,
		    "pass beyond 50 sets");
		arc_msg_free(&a);
	}
	free(msg);
	return (0);
}
