/*
 * NAME
 *	dmarc - DMARC policy discovery, alignment and result
 * SYNOPSIS
 *	#include "auth/dmarc.h"
 *
 *	struct dmarc *dmarc_new(struct dns *dns, const char *psl_path,
 *	    struct buf *why);
 *	void dmarc_free(struct dmarc **dp);
 *	int dmarc_evaluate(struct dmarc *dm, const char *from_domain,
 *	    const struct spf_result *mailfrom, const struct dkim_result *dkim,
 *	    struct dmarc_result *res_r, struct buf *why);
 *	int dmarc_org_domain(const struct dmarc *dm, const char *domain,
 *	    char *dst, size_t len);
 * DESCRIPTION
 *	dmarc_new() loads the public suffix list (psl_path) for the
 *	organizational domain (RFC 7489 3.2).
 *
 *	dmarc_evaluate() finds the policy record for from_domain
 *	(_dmarc.<from>, then _dmarc.<org domain>; RFC 7489 6.6.3), parses it
 *	(libopendmarc), and decides alignment itself: the MAIL FROM domain
 *	counts only if its SPF result is pass (never the HELO identity);
 *	each DKIM signature counts only if its result is pass. Relaxed
 *	alignment compares organizational domains, strict compares the
 *	domains. Result:
 *	none		no record (or several: no policy)
 *	pass		an aligned pass
 *	fail		no aligned pass; res_r->policy says p or sp
 *	temperror	the record lookup failed temporarily
 *	permerror	the record is unusable
 *	Returns AM_OK; the result is data.
 * THREADS
 *	One struct dmarc serves all threads; the PSL is read-only.
 * SEE ALSO
 *	RFC 7489 3.1 (alignment), 6.3 (tags), 6.6 (policy discovery)
 */
#ifndef AM_DMARC_H
#define AM_DMARC_H

#include <stddef.h>

#include "auth/result.h"
#include "dns/dns.h"
#include "util/buf.h"

struct dmarc;

struct dmarc *dmarc_new(struct dns *dns, const char *psl_path,
	    struct buf *why);
void	dmarc_free(struct dmarc **dp);
int	dmarc_evaluate(struct dmarc *dm, const char *from_domain,
	    const struct spf_result *mailfrom, const struct dkim_result *dkim,
	    struct dmarc_result *res_r, struct buf *why);
int	dmarc_org_domain(const struct dmarc *dm, const char *domain,
	    char *dst, size_t len);

#endif
