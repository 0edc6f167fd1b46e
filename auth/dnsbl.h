/*
 * NAME
 *	dnsbl - RFC 5782 DNS blocklists and allowlists for the SMTP client
 * SYNOPSIS
 *	#include "auth/dnsbl.h"
 *
 *	int dnsbl_query_name(const struct addr *client, const char *zone,
 *	    char *dst, size_t len);
 *	void dnsbl_prefetch(struct dns *d, const struct addr *client,
 *	    const char *zone);
 *	int dnsbl_check(struct dns *d, const struct addr *client,
 *	    const struct dnsbl_zone_spec *z, struct dnsbl_zone_result *r,
 *	    struct buf *why);
 * DESCRIPTION
 *	dnsbl_query_name() writes the name to ask: the reversed octets of
 *	an IPv4 address, or the 32 reversed nibbles of an IPv6 address,
 *	then the zone (RFC 5782 2.1, 2.4). AM_PERM if it does not fit a
 *	domain name.
 *
 *	dnsbl_prefetch() starts that A lookup at connect; the resolver
 *	caches the answer.
 *
 *	dnsbl_check() reads the A answer for one zone into r:
 *	listed		an A record lies in one of z->codes (z->ncodes 0:
 *			anywhere in 127.0.0.0/8); the first such answer in
 *			r->code
 *	temperror	SERVFAIL or timeout, or an answer in 127.255.255.0/24:
 *			the list's own error replies (e.g. 127.255.255.254:
 *			"query refused", 127.255.255.255: "rate limited").
 *			Never counts as listed.
 *	none		NXDOMAIN, no data, or answers outside the codes
 *	r->allow is z->allow (a DNSWL: listed means known good). It
 *	returns AM_OK.
 * THREADS
 *	Reentrant; the resolver is shared.
 * SEE ALSO
 *	RFC 5782 2.1, 2.3, 2.4, 5 (test entries)
 */
#ifndef AM_DNSBL_H
#define AM_DNSBL_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/result.h"
#include "dns/dns.h"
#include "util/addr.h"
#include "util/buf.h"

/* one configured zone, borrowed from the caller */
struct dnsbl_zone_spec {
	const char *zone;		/* "bl.example" */
	bool	 allow;			/* a DNSWL */
	const struct addr_range *codes;	/* answers that count */
	size_t	 ncodes;		/* 0: 127.0.0.0/8 */
};

int	dnsbl_query_name(const struct addr *client, const char *zone,
	    char *dst, size_t len);
void	dnsbl_prefetch(struct dns *d, const struct addr *client,
	    const char *zone);
int	dnsbl_check(struct dns *d, const struct addr *client,
	    const struct dnsbl_zone_spec *z, struct dnsbl_zone_result *r,
	    struct buf *why);

#endif
