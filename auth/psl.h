/*
 * NAME
 *	psl - the public suffix list: organizational domains
 * SYNOPSIS
 *	#include "auth/psl.h"
 *
 *	struct psl *psl_load(const char *path, struct buf *why);
 *	void psl_free(struct psl **pp);
 *	int psl_org_domain(const struct psl *psl, const char *domain,
 *	    char *dst, size_t len);
 *	size_t psl_nrules(const struct psl *psl);
 * DESCRIPTION
 *	psl_load() reads a public_suffix_list.dat file: one rule per line,
 *	"//" comments and blank lines skipped, the ICANN and PRIVATE
 *	sections alike. Rules are plain ("co.uk"), wildcard ("*.ck") or
 *	exception ("!www.ck"); U-labels are stored as A-labels (IDNA2008
 *	via libidn2), so lookups take the A-label domains of mail. A rule
 *	libidn2 refuses is skipped. Returns NULL with a reason if the file
 *	cannot be read or holds no rule.
 *
 *	psl_org_domain() writes the organizational domain of domain (RFC
 *	7489 3.2: the public suffix plus one label) to dst, lower-cased and
 *	without a trailing dot, following the algorithm of
 *	publicsuffix.org/list: an exception rule prevails, else the
 *	matching rule with the most labels, else the default rule "*".
 *	Returns AM_OK; AM_PERM when domain is itself a public suffix, is
 *	not a valid domain name, or does not fit in len ("" in dst).
 * THREADS
 *	A loaded list is read-only: any number of threads may look up.
 * SEE ALSO
 *	https://publicsuffix.org/list/, RFC 7489 3.2, RFC 5891 (A-labels)
 */
#ifndef AM_PSL_H
#define AM_PSL_H

#include <stddef.h>

#include "util/buf.h"

struct psl;

struct psl *psl_load(const char *path, struct buf *why);
void	psl_free(struct psl **pp);
int	psl_org_domain(const struct psl *psl, const char *domain, char *dst,
	    size_t len);
size_t	psl_nrules(const struct psl *psl);

#endif
