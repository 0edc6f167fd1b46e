/*
 * NAME
 *	dest - report destinations: parse, authorize, submit
 * SYNOPSIS
 *	#include "report/dest.h"
 *
 *	bool dest_in_list(const char *list, const char *domain);
 *	bool dest_parse(const char *uri, size_t n, struct dest *d);
 *	int dest_list(const char *uris, struct dest *d, int max);
 *	int dest_authorized(struct dns *dns, struct dmarc *dm,
 *	    const char *domain, const struct dest *d, struct buf *why);
 *	int dest_submit(const char *command, const char *envelope_from,
 *	    const struct buf *m, struct buf *why);
 * DESCRIPTION
 *	Shared by aggregate (send.c) and failure (failure.c) reports.
 *	dest_in_list() says whether domain is in a space/comma list (an
 *	entry ".x" covers the domains under x). dest_parse() reads one
 *	"mailto:addr[!size[kmgt]]" URI (addresses of plain characters
 *	only: they reach a shell and a header); dest_list() reads a rua= or
 *	ruf= list into at most max distinct destinations, logging the URIs
 *	it does not use. dest_authorized() is RFC 9990 4: AM_OK for a
 *	destination in the policy domain's organizational domain (public
 *	suffix list) or one whose <domain>._report._dmarc.<dest> has a
 *	"v=DMARC1" record; AM_PERM if not; AM_TEMP on a DNS failure.
 *	dest_submit() pipes a message to command (through /bin/sh), with
 *	"-f envelope_from" when that is set; AM_OK when it exits 0, AM_PERM
 *	without running it for an envelope_from conf_envelope_ok() refuses
 *	(conf_load() lets none through).
 * SEE ALSO
 *	RFC 9990 4, RFC 9991
 */
#ifndef AM_REPORT_DEST_H
#define AM_REPORT_DEST_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/dmarc.h"
#include "dns/dns.h"
#include "util/buf.h"
#include "util/limits.h"

struct dest {
	char	 addr[LIM_ADDRESS];
	char	 domain[LIM_DOMAIN];
	unsigned long long limit;	/* !size in bytes; 0: none */
};

bool	dest_in_list(const char *list, const char *domain);
bool	dest_parse(const char *uri, size_t n, struct dest *d);
int	dest_list(const char *uris, struct dest *d, int max);
int	dest_authorized(struct dns *dns, struct dmarc *dm, const char *domain,
	    const struct dest *d, struct buf *why);
int	dest_submit(const char *command, const char *envelope_from,
	    const struct buf *m, struct buf *why);

#endif
