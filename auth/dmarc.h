/*
 * NAME
 *	dmarc - DMARC policy discovery, alignment and result
 * SYNOPSIS
 *	#include "auth/dmarc.h"
 *
 *	struct dmarc *dmarc_new(struct dns *dns, enum dmarc_org_mode mode,
 *	    const char *psl_path, int max_queries, struct buf *why);
 *	void dmarc_free(struct dmarc **dp);
 *	int dmarc_evaluate(struct dmarc *dm, const char *from_domain,
 *	    const struct spf_result *mailfrom, const struct dkim_result *dkim,
 *	    struct dmarc_result *res_r, struct buf *why);
 *	int dmarc_evaluate_from(struct dmarc *dm,
 *	    const struct from_result *from, bool any_authors,
 *	    const struct spf_result *mailfrom, const struct dkim_result *dkim,
 *	    struct dmarc_result *res_r, struct buf *why);
 *	int dmarc_org_domain(const struct dmarc *dm, const char *domain,
 *	    char *dst, size_t len);
 *	void dmarc_prefetch(struct dmarc *dm, const char *from_domain);
 * DESCRIPTION
 *	dmarc_prefetch() starts, in parallel, every _dmarc lookup that
 *	policy discovery for from_domain may make, so that
 *	dmarc_evaluate() finds the answers cached.
 *
 *	dmarc_new() makes the evaluator. mode says how organizational
 *	domains are found:
 *	DMARC_ORG_TREEWALK	the DNS tree walk of RFC 9989 4.10: policy
 *				discovery and the organizational domains
 *				for relaxed alignment come from _dmarc
 *				records (psd= included). The public suffix
 *				list at psl_path is loaded if it can be;
 *				if not, a warning, and dmarc_org_domain()
 *				answers AM_TEMP.
 *	DMARC_ORG_PSL		RFC 7489: _dmarc.<From>, then _dmarc.<org
 *				domain>, org domains by the public suffix
 *				list, which must load.
 *	max_queries caps the _dmarc lookups of one evaluation, counted
 *	after its cache (8 to 100; out of range is clamped). One tree walk
 *	is at most 8 lookups and policy discovery runs first, so the cap
 *	only ever ends alignment walks, whose identifiers then do not
 *	align. The one existence query for np= is not counted.
 *
 *	dmarc_evaluate() finds the policy record for from_domain (an
 *	A-label domain), reads it (dmarcrec.h), decides alignment and
 *	stores the result in res_r. The MAIL FROM identity counts only if
 *	checked with result pass (never the HELO identity); a DKIM
 *	signature only with result pass and no l= (partial body). Relaxed
 *	alignment compares organizational domains for equality, strict
 *	compares the domains. Result:
 *	none		no applicable record
 *	pass		an aligned pass
 *	fail		no aligned pass; res_r->policy is p, sp or np
 *	temperror	a _dmarc lookup the decision needed, or the np=
 *			existence test, failed temporarily
 *	permerror	from_domain is not a domain name
 *	Returns AM_OK, the result being data; AM_TEMP on out of memory.
 *
 *	dmarc_evaluate_from() is DMARC for a whole From: field: permerror
 *	(reason "From: <status>") when it has no usable author domain, else
 *	dmarc_evaluate() for every author domain, the worst result winning
 *	(temperror, fail, permerror, none, pass; then the stronger policy),
 *	so several authors pass only if every one passes (RFC 7489 6.6.1).
 *	Several mailboxes count only if they share one domain, or if
 *	any_authors is true (on_bad_from = accept).
 *
 *	dmarc_org_domain() is the public suffix list's organizational
 *	domain of a domain (RFC 7489 3.2; psl.h), without DNS: AM_PERM when
 *	domain is a public suffix or no domain, AM_TEMP when no list is
 *	loaded.
 * THREADS
 *	One struct dmarc serves all threads; the PSL is read-only, and each
 *	evaluation has its own lookup cache.
 * SEE ALSO
 *	RFC 9989 3.2.10 (alignment), 4.7 (tags), 4.10 (tree walk), A.6
 *	(pct); RFC 7489 3.2, 6.6.3 (the psl mode)
 */
#ifndef AM_DMARC_H
#define AM_DMARC_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/result.h"
#include "dns/dns.h"
#include "util/buf.h"

enum dmarc_org_mode {
	DMARC_ORG_TREEWALK = 0,
	DMARC_ORG_PSL,
};

#define DMARC_QUERIES_MIN	8	/* one full tree walk */
#define DMARC_QUERIES_MAX	100

struct dmarc;

struct dmarc *dmarc_new(struct dns *dns, enum dmarc_org_mode mode,
	    const char *psl_path, int max_queries, struct buf *why);
void	dmarc_free(struct dmarc **dp);
int	dmarc_evaluate(struct dmarc *dm, const char *from_domain,
	    const struct spf_result *mailfrom, const struct dkim_result *dkim,
	    struct dmarc_result *res_r, struct buf *why);
int	dmarc_evaluate_from(struct dmarc *dm, const struct from_result *from,
	    bool any_authors, const struct spf_result *mailfrom,
	    const struct dkim_result *dkim, struct dmarc_result *res_r,
	    struct buf *why);
void	dmarc_prefetch(struct dmarc *dm, const char *from_domain);
int	dmarc_org_domain(const struct dmarc *dm, const char *domain,
	    char *dst, size_t len);

#endif
