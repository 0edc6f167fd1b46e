/*
 * NAME
 *	helo - HELO/EHLO name hygiene of the SMTP client
 * DESCRIPTION
 *	See helo.h. Pure: no DNS of its own; the verified PTR name comes
 *	from iprev.
 * SEE ALSO
 *	RFC 5321 2.3.5, 4.1.3
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/helo.h"
#include "util/am.h"

/* helo_name_eq - equal without case and one trailing dot each */
static bool
helo_name_eq(const char *a, const char *b)
{
	size_t	 na = strlen(a), nb = strlen(b);

	if (na > 0 && a[na - 1] == '.')
		na--;
	if (nb > 0 && b[nb - 1] == '.')
		nb--;
	return (na == nb && na > 0 && strncasecmp(a, b, na) == 0);
}

/* helo_addr_ours - 1 if a is one of our addresses */
static bool
helo_addr_ours(const struct addr *a, const struct helo_ours *ours)
{
	size_t	 i;

	for (i = 0; ours != NULL && i < ours->naddrs; i++)
		if (ours->addrs[i].family == a->family &&
		    memcmp(ours->addrs[i].bytes, a->bytes, 16) == 0)
			return (true);
	return (false);
}

/* helo_is_fqdn - dotted labels of letters, digits, - and _ */
static bool
helo_is_fqdn(const char *s)
{
	size_t	 n = strlen(s), run = 0, i, labels = 1;
	bool	 numeric = true;	/* of the last label */

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return (false);
	for (i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (run == 0)
				return (false);
			run = 0;
			numeric = true;
			labels++;
			continue;
		}
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		    s[i] == '_'))
			return (false);
		if (s[i] < '0' || s[i] > '9')
			numeric = false;
		if (++run > 63)
			return (false);
	}
	return (run > 0 && labels >= 2 && !numeric);
}

/* helo_is_localhost - localhost, *.localhost, localhost.localdomain */
static bool
helo_is_localhost(const char *s)
{
	size_t	 n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 9 && strncasecmp(s, "localhost", 9) == 0)
		return (true);
	if (n > 10 && strncasecmp(s + n - 10, ".localhost", 10) == 0)
		return (true);
	return (n == 21 && strncasecmp(s, "localhost.localdomain", 21) == 0);
}

/* helo_literal - bits for an address literal or a bare address */
static unsigned
helo_literal(const char *helo, const struct addr *client,
    const struct helo_ours *ours)
{
	struct addr a;
	unsigned bits = 0;

	if (addr_parse(helo, &a) != AM_OK)
		return (HELO_NOT_FQDN);		/* "[junk]" */
	if (helo[0] != '[')
		bits |= HELO_NOT_FQDN;		/* a bare address */
	else if (client == NULL || a.family != client->family ||
	    memcmp(a.bytes, client->bytes, 16) != 0)
		bits |= HELO_LITERAL_MISMATCH;
	if (helo_addr_ours(&a, ours))
		bits |= HELO_OURS;
	return (bits);
}

/* helo_hygiene - the HELO_* defects of one HELO name */
unsigned
helo_hygiene(const char *helo, const struct addr *client,
    const struct helo_ours *ours, const struct iprev_result *iprev)
{
	struct addr a;
	unsigned bits = 0;
	size_t	 i;

	if (helo == NULL || helo[0] == '\0')
		return (HELO_NOT_FQDN);
	if (helo[0] == '[' || addr_parse(helo, &a) == AM_OK)
		return (helo_literal(helo, client, ours));
	if (helo_is_localhost(helo))
		bits |= HELO_LOCALHOST;
	if (!helo_is_fqdn(helo))
		bits |= HELO_NOT_FQDN;
	for (i = 0; ours != NULL && i < AM_ARRAY_LEN(ours->names); i++)
		if (ours->names[i] != NULL &&
		    helo_name_eq(helo, ours->names[i]))
			bits |= HELO_OURS;
	if (iprev != NULL && iprev->checked &&
	    ((iprev->result == IPREV_RES_PASS &&
	    !helo_name_eq(helo, iprev->name)) ||
	    iprev->result == IPREV_RES_FAIL ||
	    iprev->result == IPREV_RES_PERMERROR))
		bits |= HELO_PTR_MISMATCH;
	return (bits);
}

/* helo_bad_str - "not_fqdn,localhost,..." or "-" */
void
helo_bad_str(unsigned bits, char *dst, size_t len)
{
	static const struct {
		unsigned bit;
		const char *word;
	} tab[] = {
		{HELO_NOT_FQDN, "not_fqdn"},
		{HELO_LOCALHOST, "localhost"},
		{HELO_LITERAL_MISMATCH, "literal_mismatch"},
		{HELO_OURS, "ours"},
		{HELO_PTR_MISMATCH, "ptr_mismatch"},
	};
	size_t	 i, o = 0;
	int	 n;

	if (len == 0)
		return;
	dst[0] = '\0';
	for (i = 0; i < AM_ARRAY_LEN(tab); i++) {
		if (!(bits & tab[i].bit))
			continue;
		n = snprintf(dst + o, len - o, "%s%s", o ? "," : "",
		    tab[i].word);
		if (n < 0 || (size_t)n >= len - o) {
			dst[o] = '\0';		/* no half word */
			break;
		}
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(dst, len, "-");
}
