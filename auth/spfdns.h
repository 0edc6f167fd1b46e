/*
 * NAME
 *	spfdns - libspf2's DNS layer for one check_host() run
 * SYNOPSIS
 *	#include "auth/spfdns.h"
 *
 *	struct spf_run *spfdns_new(struct dns *dns, const struct addr *client,
 *	    int budget_ms);
 *	void spfdns_free(struct spf_run **runp);
 *	SPF_dns_server_t *spfdns_layer(struct spf_run *run);
 *	bool spfdns_stopped(const struct spf_run *run, enum spf_res *res_r,
 *	    const char **why_r);
 * DESCRIPTION
 *	spfdns_new() makes the state of one evaluation: the SPF_dns_server_t
 *	that libspf2 calls for every lookup and every SPF record, bound to
 *	one client address. Every lookup goes to dns_query(); around it the
 *	layer enforces RFC 7208 where libspf2 does not:
 *
 *	- Records (get_spf): the TXT RRs are selected as 4.5 says ("v=spf1"
 *	  and SP or end, any case); two or more is permerror; the one is
 *	  checked by spfrec_parse() (section 12; CVE-2023-42118 guard) and
 *	  only then handed to libspf2, rewritten in canonical form: one SP
 *	  between terms, macros normalised, unknown modifiers and exp=
 *	  dropped (6: ignored; we never use explanations), terms after the
 *	  first "all" dropped (5.1: never evaluated), redirect= moved to the
 *	  end or dropped when there is an "all" (6.1). ip4 and ip6 terms
 *	  need no DNS, so the layer matches them against the client itself
 *	  (util/addr.c) and writes a term libspf2 matches exactly when the
 *	  client does ("ip4:<client>", or "ip6:::/1 ip6:8000::/1"), or
 *	  nothing when it cannot match: libspf2 refuses a /0 length, which
 *	  the RFC allows. An "a" or "mx" term whose CIDR length for the
 *	  client's family is 0 (any address; libspf2 cannot express it)
 *	  gets a per-run marker label appended to its target; the layer
 *	  strips it and answers the address lookups of a marked name with
 *	  the client's own address when the name has any address of that
 *	  family.
 *	- The 10 DNS-querying terms of 4.6.4 across the whole evaluation,
 *	  include and redirect included (libspf2 counts per record): every
 *	  A, AAAA, MX or PTR lookup is one term, except the address lookups
 *	  of the names an MX or PTR answer just gave; every SPF record but
 *	  the first is one (include, redirect). The 11th is permerror.
 *	- The 2 void lookups of 4.6.4 (NXDOMAIN or no answer for a term's
 *	  lookup); the 3rd is permerror.
 *	- A PTR answer is cut to its first 10 names (4.6.4: ignore the
 *	  rest; libspf2 would give permerror).
 *	- The time budget (4.6.4: at least 20 s): a lookup that would start
 *	  after budget_ms since spfdns_new() is not made; the result is
 *	  temperror. A lookup already running ends at its own timeout
 *	  (dns.timeout), so a check may pass the budget by one of those.
 *	  budget_ms <= 0: no budget.
 *	- Explanations (get_exp) are never looked up.
 *
 *	When one of those ends the evaluation, every later lookup answers
 *	TRY_AGAIN without a query, so libspf2 unwinds at once, and
 *	spfdns_stopped() gives the result to report instead of libspf2's.
 * THREADS
 *	A run belongs to one check on one thread.
 * SEE ALSO
 *	RFC 7208 4.5, 4.6.4, 5, 6, 12; spfrec(3)
 */
#ifndef AM_SPFDNS_H
#define AM_SPFDNS_H

#include <stdbool.h>

#include <spf2/spf.h>

#include "util/addr.h"
#include "dns/dns.h"
#include "auth/result.h"

struct spf_run;

struct spf_run *spfdns_new(struct dns *dns, const struct addr *client,
	    int budget_ms);
void	spfdns_free(struct spf_run **runp);
SPF_dns_server_t *spfdns_layer(struct spf_run *run);
bool	spfdns_stopped(const struct spf_run *run, enum spf_res *res_r,
	    const char **why_r);

#endif
