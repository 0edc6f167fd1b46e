/*
 * NAME
 *	mx - the domain's MX hosts, their addresses and reverse DNS
 * DESCRIPTION
 *	ck_mx() checks that the domain receives mail (MX present, or a
 *	null MX that says it does not, RFC 7505), that each MX host is a
 *	name (not an address literal, not an alias: RFC 2181 10.3, RFC
 *	5321 5.1) with A/AAAA records, that a lone MX is not at priority 0,
 *	and for each address that a PTR exists, is an FQDN and resolves
 *	back to the address (FCrDNS): the name a receiving server checks
 *	when that host sends (auth/iprev, as the milter checks a client).
 *	The addresses are kept for the SPF part.
 * SEE ALSO
 *	RFC 5321 5.1, RFC 7505, RFC 2181 10.3, RFC 8601 3 (iprev)
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "auth/iprev.h"
#include "check/ck.h"
#include "util/am.h"

#define CK_MX_HOSTS	10		/* MX hosts looked at */
#define CK_IPREV_QUERIES 2		/* PTR and forward, against max_queries */

/* fcrdns - PTR of one MX address, and back (auth/iprev) */
static void
fcrdns(struct ck *c, const struct ck_mxaddr *m)
{
	struct iprev_result r;
	struct buf *why;
	char	 ip[ADDR_STRLEN];

	if (!ck_budget_left(c) || (why = buf_new(LIM_REASON)) == NULL) {
		ck_missing(c, "mx.ptr");
		return;
	}
	c->nqueries += CK_IPREV_QUERIES;
	(void)iprev_check(c->dns, &m->a, &r, why);
	buf_free(&why);
	addr_format(&m->a, ip, sizeof(ip));
	if (r.result != IPREV_RES_PASS && r.ptr[0] != '\0' &&
	    strchr(r.ptr, '.') == NULL) {	/* its forward lookup is moot */
		ck_add(c, "mx.ptr_not_fqdn", CK_WARN, "make the PTR a fully "
		    "qualified name", "PTR of %s is \"%s\", not an FQDN", ip,
		    r.ptr);
		return;
	}
	if (r.result == IPREV_RES_TEMPERROR)
		ck_missing(c, "mx.ptr");
	else if (r.result == IPREV_RES_PERMERROR)
		ck_add(c, "mx.ptr_missing", CK_WARN, "publish a PTR record "
		    "for the address naming the host (it is the name "
		    "receivers check when it sends)",
		    "%s (%s) has no PTR record", ip, m->host);
	else if (r.result == IPREV_RES_FAIL)
		ck_add(c, "mx.fcrdns_mismatch", CK_WARN, "make the PTR name "
		    "resolve to the address (forward-confirmed reverse DNS)",
		    "PTR of %s is %s, which does not resolve back to it", ip,
		    r.ptr);
}

/* host_addrs - A and AAAA of one MX host into c->mx; false if none */
static bool
host_addrs(struct ck *c, const char *host)
{
	static const int types[] = {DNS_T_A, DNS_T_AAAA};
	struct dns_answer *ans;
	struct ck_mxaddr *m;
	size_t	 i, t;
	bool	 found = false;

	for (t = 0; t < AM_ARRAY_LEN(types); t++) {
		ans = NULL;
		if (ck_query(c, host, types[t], &ans) == DNS_TEMP)
			ck_missing(c, "mx.address");
		for (i = 0; ans != NULL && ans->status == DNS_OK &&
		    i < ans->nrr; i++) {
			found = true;
			if (c->nmx >= CK_MAX_MXADDR)
				break;
			m = &c->mx[c->nmx++];
			snprintf(m->host, sizeof(m->host), "%s", host);
			m->a.family = types[t] == DNS_T_A ? AF_INET : AF_INET6;
			memcpy(m->a.bytes, ans->rr[i].data,
			    types[t] == DNS_T_A ? 4 : 16);
		}
		dns_answer_free(&ans);
	}
	return (found);
}

/* one_host - the checks of one MX host name; false if it has a defect */
static bool
one_host(struct ck *c, const char *host)
{
	struct dns_answer *ans = NULL;
	struct addr a;
	int	 st;

	if (addr_parse(host, &a) == AM_OK) {
		ck_add(c, "mx.ip_literal", CK_FAIL, "point the MX at a host "
		    "name that has A/AAAA records", "MX host %s is an "
		    "address, not a name (RFC 5321 5.1)", host);
		return (false);
	}
	st = ck_query(c, host, DNS_T_CNAME, &ans);
	dns_answer_free(&ans);
	if (st == DNS_OK) {
		ck_add(c, "mx.cname", CK_FAIL, "point the MX at the canonical "
		    "name", "MX host %s is an alias (CNAME); RFC 2181 10.3 "
		    "forbids it", host);
		return (false);
	}
	if (!host_addrs(c, host)) {
		if (!c->incomplete)
			ck_add(c, "mx.unresolved", CK_FAIL, "publish A or "
			    "AAAA records for the host, or remove the MX",
			    "MX host %s has no address", host);
		return (false);
	}
	return (true);
}

/* no_mx - the domain publishes no MX */
static void
no_mx(struct ck *c, const struct dns_answer *ans)
{
	struct dns_answer *a = NULL;
	int	 st;

	if (ans->nxdomain) {
		ck_add(c, "mx.nxdomain", CK_FAIL, "check the domain name",
		    "%s does not exist", c->domain);
		return;
	}
	st = ck_query(c, c->domain, DNS_T_A, &a);
	dns_answer_free(&a);
	if (st == DNS_OK)
		ck_add(c, "mx.implicit", CK_WARN, "publish an MX record (or "
		    "a null MX, RFC 7505, if the domain takes no mail)",
		    "no MX: mail goes to the domain's own address (implicit "
		    "MX)");
	else
		ck_add(c, "mx.none", CK_FAIL, "publish an MX record, or a "
		    "null MX (\"0 .\", RFC 7505) if the domain takes no "
		    "mail", "no MX and no address: bounces and reports to "
		    "this domain cannot be delivered");
}

/* ck_mx - MX hosts, addresses, reverse DNS */
void
ck_mx(struct ck *c)
{
	struct dns_answer *ans = NULL;
	const char *host;
	size_t	 i;
	int	 st, nbad = 0;

	st = ck_query(c, c->domain, DNS_T_MX, &ans);
	if (st == DNS_TEMP || ans == NULL) {
		ck_missing(c, "mx");
		dns_answer_free(&ans);
		return;
	}
	if (st != DNS_OK) {
		no_mx(c, ans);
		dns_answer_free(&ans);
		return;
	}
	for (i = 0; i < ans->nrr; i++) {
		host = (const char *)ans->rr[i].data;
		if (host[0] == '\0' || strcmp(host, ".") == 0)
			c->null_mx = true;
	}
	if (c->null_mx) {
		if (ans->nrr == 1)
			ck_add(c, "mx.null", CK_INFO, "", "null MX (RFC "
			    "7505): the domain accepts no mail");
		else
			ck_add(c, "mx.null_mixed", CK_FAIL, "a null MX must "
			    "be the only MX (RFC 7505 3)", "null MX beside "
			    "other MX records");
		dns_answer_free(&ans);
		return;
	}
	if (ans->nrr == 1 && ans->rr[0].pref == 0)
		ck_add(c, "mx.priority_zero", CK_WARN, "use spaced priorities "
		    "such as 10, 20", "a single MX at priority 0 leaves no "
		    "room to add a host in front of it");
	for (i = 0; i < ans->nrr && i < CK_MX_HOSTS; i++)
		if (!one_host(c, (const char *)ans->rr[i].data))
			nbad++;
	if (nbad == 0)
		ck_add(c, "mx.ok", CK_OK, "", "%zu MX host%s, each with an "
		    "address", ans->nrr, ans->nrr == 1 ? "" : "s");
	dns_answer_free(&ans);
	for (i = 0; i < (size_t)c->nmx; i++)
		fcrdns(c, &c->mx[i]);
}
