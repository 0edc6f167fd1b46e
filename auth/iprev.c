/*
 * NAME
 *	iprev - forward-confirmed reverse DNS of the SMTP client
 * DESCRIPTION
 *	See iprev.h. The forward lookups of all PTR names are started
 *	together (dns_prefetch), then read one by one: the first name that
 *	maps back to the client decides, in the order the PTR RRs came.
 *	PTR names are compared and stored without a trailing dot, lower
 *	case; names longer than a domain can be are skipped.
 * DIAGNOSTICS
 *	r->reason says which lookup gave the result, in our own words.
 * SEE ALSO
 *	RFC 8601 2.7.3, 3
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "auth/iprev.h"
#include "util/am.h"
#include "util/limits.h"

/* iprev_ptr_name - the PTR query name of an address */
int
iprev_ptr_name(const struct addr *client, char *dst, size_t len)
{
	char	 rev[80];
	int	 n;

	if (addr_reverse(client, rev, sizeof(rev)) != AM_OK)
		return (AM_PERM);
	n = snprintf(dst, len, "%s.%s", rev,
	    client->family == AF_INET ? "in-addr.arpa" : "ip6.arpa");
	return (n < 0 || (size_t)n >= len ? AM_PERM : AM_OK);
}

/* iprev_prefetch - start the PTR lookup at connect */
void
iprev_prefetch(struct dns *d, const struct addr *client)
{
	char	 q[LIM_DOMAIN];

	if (iprev_ptr_name(client, q, sizeof(q)) == AM_OK)
		dns_prefetch(d, q, DNS_T_PTR);
}

/* iprev_names - the usable PTR names of an answer, lower case */
static int
iprev_names(const struct dns_answer *a, char names[][LIM_DOMAIN])
{
	size_t	 i, j, n;
	int	 k = 0;

	for (i = 0; i < a->nrr && k < LIM_IPREV_NAMES; i++) {
		if (a->rr[i].type != DNS_T_PTR ||
		    (n = strlen((const char *)a->rr[i].data)) == 0 ||
		    n >= LIM_DOMAIN)
			continue;
		for (j = 0; j < n; j++)
			names[k][j] = (char)tolower(a->rr[i].data[j]);
		names[k][n] = '\0';
		if (names[k][n - 1] == '.')
			names[k][n - 1] = '\0';
		k++;
	}
	return (k);
}

/* iprev_maps_back - DNS_OK if name has the client's address */
static int
iprev_maps_back(struct dns *d, const char *name, const struct addr *client,
    struct buf *why)
{
	struct dns_answer *a = NULL;
	size_t	 i, len = client->family == AF_INET ? 4 : 16;
	int	 st, type = client->family == AF_INET ? DNS_T_A : DNS_T_AAAA;

	st = dns_query(d, name, type, &a, why);
	if (st == DNS_OK) {
		st = DNS_NOTFOUND;
		for (i = 0; i < a->nrr; i++)
			if (a->rr[i].type == type && a->rr[i].len == len &&
			    memcmp(a->rr[i].data, client->bytes, len) == 0)
				st = DNS_OK;
	}
	dns_answer_free(&a);
	return (st);
}

/* iprev_forward - the forward half: which PTR name maps back */
static void
iprev_forward(struct dns *d, const struct addr *client,
    char names[][LIM_DOMAIN], int n, struct iprev_result *r,
    struct buf *why)
{
	int	 i, st, type = client->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
	bool	 temp = false;

	for (i = 1; i < n; i++)		/* the first is asked at once below */
		dns_prefetch(d, names[i], type);
	for (i = 0; i < n; i++) {
		st = iprev_maps_back(d, names[i], client, why);
		if (st == DNS_OK) {
			r->result = IPREV_RES_PASS;
			memcpy(r->name, names[i], sizeof(r->name));
			return;
		}
		if (st == DNS_TEMP)
			temp = true;
	}
	if (temp) {
		r->result = IPREV_RES_TEMPERROR;
		snprintf(r->reason, sizeof(r->reason),
		    "forward lookup of a PTR name failed");
	} else {
		r->result = IPREV_RES_FAIL;
		snprintf(r->reason, sizeof(r->reason),
		    "no PTR name maps back to the client");
	}
}

/* iprev_check - RFC 8601 3 for one client address */
int
iprev_check(struct dns *d, const struct addr *client,
    struct iprev_result *r, struct buf *why)
{
	char	 q[LIM_DOMAIN], names[LIM_IPREV_NAMES][LIM_DOMAIN];
	struct dns_answer *a = NULL;
	int	 st, n = 0;

	memset(r, 0, sizeof(*r));
	r->checked = true;
	if (iprev_ptr_name(client, q, sizeof(q)) != AM_OK) {
		r->result = IPREV_RES_PERMERROR;
		snprintf(r->reason, sizeof(r->reason), "no reverse name");
		return (AM_OK);
	}
	st = dns_query(d, q, DNS_T_PTR, &a, why);
	if (st == DNS_OK)
		n = iprev_names(a, names);
	dns_answer_free(&a);
	if (st == DNS_TEMP) {
		r->result = IPREV_RES_TEMPERROR;
		snprintf(r->reason, sizeof(r->reason), "PTR lookup failed");
		return (AM_OK);
	}
	if (n > 0)
		memcpy(r->ptr, names[0], sizeof(r->ptr));
	if (n == 0) {
		r->result = IPREV_RES_PERMERROR;
		snprintf(r->reason, sizeof(r->reason), "no PTR record");
		return (AM_OK);
	}
	iprev_forward(d, client, names, n, r, why);
	return (AM_OK);
}
