/*
 * NAME
 *	iprev - forward-confirmed reverse DNS of the SMTP client
 * SYNOPSIS
 *	#include "auth/iprev.h"
 *
 *	void iprev_prefetch(struct dns *d, const struct addr *client);
 *	int iprev_check(struct dns *d, const struct addr *client,
 *	    struct iprev_result *r, struct buf *why);
 *	int iprev_ptr_name(const struct addr *client, char *dst,
 *	    size_t len);
 * DESCRIPTION
 *	iprev_prefetch() starts the PTR lookup of the client address at
 *	connect, so that it runs while the SMTP dialogue goes on.
 *
 *	iprev_check() completes the evaluation of RFC 8601 3: the PTR names
 *	of the client (the first LIM_IPREV_NAMES), then the A (IPv4 client)
 *	or AAAA (IPv6 client) records of each, all started in parallel. It
 *	stores in r, with checked set:
 *	pass		a PTR name has an address equal to the client's; that
 *			name, lower case, in r->name
 *	fail		PTR names were found, but none maps back to the client
 *			(their lookups answered: other addresses, NXDOMAIN or
 *			no data)
 *	temperror	the PTR lookup, or a forward lookup when no name
 *			passed, failed for now (SERVFAIL, timeout)
 *	permerror	no PTR record: NXDOMAIN or no data (or an unusable
 *			reverse name)
 *	Whenever a PTR name was found (pass, fail, or a temperror of the
 *	forward half), r->ptr holds the first one, unverified: for reports
 *	that name it (authmilter check), never for policy, which matches
 *	r->name only. It returns AM_OK; a DNS problem is a result, not a
 *	failed call. It blocks for at most the resolver's timeout per
 *	round: callers outside the milter (check/mx.c) use it as is.
 *
 *	iprev_ptr_name() writes the PTR query name of an address
 *	("5.113.0.203.in-addr.arpa", 32 nibbles and "ip6.arpa"); AM_PERM if
 *	it does not fit.
 * THREADS
 *	Reentrant; the resolver is shared.
 * SEE ALSO
 *	RFC 8601 2.7.3 and 3 (iprev), RFC 1035 3.5, RFC 3596 2.5
 */
#ifndef AM_IPREV_H
#define AM_IPREV_H

#include "auth/result.h"
#include "dns/dns.h"
#include "util/addr.h"
#include "util/buf.h"

void	iprev_prefetch(struct dns *d, const struct addr *client);
int	iprev_check(struct dns *d, const struct addr *client,
	    struct iprev_result *r, struct buf *why);
int	iprev_ptr_name(const struct addr *client, char *dst, size_t len);

#endif
