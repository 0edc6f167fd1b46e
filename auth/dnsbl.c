/*
 * NAME
 *	dnsbl - RFC 5782 DNS blocklists and allowlists for the SMTP client
 * DESCRIPTION
 *	See dnsbl.h. Only A records are asked: the TXT reason of a listing
 *	is peer text we would only have to escape, and the A code says
 *	which list matched. An error answer anywhere in the RRset wins over
 *	a listing code: a list that says "you may not ask" has not said
 *	anything about the client.
 * SEE ALSO
 *	RFC 5782 2.1, 2.3
 */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "auth/dnsbl.h"
#include "util/am.h"
#include "util/limits.h"

/* dnsbl_query_name - reversed address, then the zone */
int
dnsbl_query_name(const struct addr *client, const char *zone, char *dst,
    size_t len)
{
	char	 rev[80];
	int	 n;

	if (addr_reverse(client, rev, sizeof(rev)) != AM_OK)
		return (AM_PERM);
	n = snprintf(dst, len, "%s.%s", rev, zone);
	return (n < 0 || (size_t)n >= len || (size_t)n > 253 ?
	    AM_PERM : AM_OK);
}

/* dnsbl_prefetch - start one zone's lookup at connect */
void
dnsbl_prefetch(struct dns *d, const struct addr *client, const char *zone)
{
	char	 q[LIM_DOMAIN];

	if (dnsbl_query_name(client, zone, q, sizeof(q)) == AM_OK)
		dns_prefetch(d, q, DNS_T_A);
}

/* dnsbl_counts - 1 if answer a (IPv4) is among the zone's codes */
static int
dnsbl_counts(const struct dnsbl_zone_spec *z, const struct addr *a)
{
	size_t	 i;

	if (z->ncodes == 0)
		return (a->bytes[0] == 127);
	for (i = 0; i < z->ncodes; i++)
		if (addr_range_match(&z->codes[i], a))
			return (1);
	return (0);
}

/* dnsbl_read - classify the A records of one answer */
static void
dnsbl_read(const struct dnsbl_zone_spec *z, const struct dns_answer *ans,
    struct dnsbl_zone_result *r)
{
	struct addr a;
	size_t	 i;

	for (i = 0; i < ans->nrr; i++) {
		if (ans->rr[i].type != DNS_T_A || ans->rr[i].len != 4)
			continue;
		memset(&a, 0, sizeof(a));
		a.family = AF_INET;
		memcpy(a.bytes, ans->rr[i].data, 4);
		if (a.bytes[0] == 127 && a.bytes[1] == 255 &&
		    a.bytes[2] == 255) {
			r->result = DNSBL_RES_TEMPERROR;
			addr_format(&a, r->code, sizeof(r->code));
			return;		/* an error reply wins */
		}
		if (r->result == DNSBL_RES_NONE && dnsbl_counts(z, &a)) {
			r->result = DNSBL_RES_LISTED;
			addr_format(&a, r->code, sizeof(r->code));
		}
	}
}

/* dnsbl_check - one zone's verdict on the client */
int
dnsbl_check(struct dns *d, const struct addr *client,
    const struct dnsbl_zone_spec *z, struct dnsbl_zone_result *r,
    struct buf *why)
{
	struct dns_answer *ans = NULL;
	char	 q[LIM_DOMAIN];
	int	 st;

	memset(r, 0, sizeof(*r));
	r->allow = z->allow;
	snprintf(r->zone, sizeof(r->zone), "%s", z->zone);
	if (dnsbl_query_name(client, z->zone, q, sizeof(q)) != AM_OK)
		return (AM_OK);		/* conf checks the zone's length */
	st = dns_query(d, q, DNS_T_A, &ans, why);
	if (st == DNS_TEMP)
		r->result = DNSBL_RES_TEMPERROR;
	else if (st == DNS_OK)
		dnsbl_read(z, ans, r);
	dns_answer_free(&ans);
	return (AM_OK);
}
