/*
 * NAME
 *	aggregate - one RFC 9990 aggregate report from the store
 * SYNOPSIS
 *	#include "report/aggregate.h"
 *
 *	int report_domains(struct store *st, int64_t begin, int64_t end,
 *	    char ***domains_r, size_t *n_r, struct buf *why);
 *	int report_aggregate(struct store *st, const char *domain,
 *	    const struct agg_meta *m, struct buf *xml, struct agg_info *i_r,
 *	    struct buf *why);
 *	void report_domains_free(char **domains, size_t n);
 * DESCRIPTION
 *	report_domains() lists the policy domains that have rows in
 *	[begin, end] and asked for aggregate reports (rua=).
 *
 *	report_aggregate() writes the report of one policy domain for the
 *	period into xml: the RFC 9990 namespace, report_metadata (org_name,
 *	email, report_id, date_range, generator), policy_published (from
 *	the newest row of the period), and one record per distinct
 *	(source IP, disposition, alignment, override reason, identifiers,
 *	DKIM results, SPF result) with its count. Passing DKIM signatures
 *	come first in a record (RFC 9990 2.1.5). i_r gets the number of
 *	messages and records and the rua= list as published.
 * SEE ALSO
 *	RFC 9990 2 and Appendix A (the schema)
 */
#ifndef AM_REPORT_AGGREGATE_H
#define AM_REPORT_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

#include "report/store.h"
#include "util/buf.h"

struct agg_meta {
	const char *org_name;
	const char *email;
	const char *report_id;
	const char *generator;
	int64_t	 begin, end;		/* inclusive, seconds */
};

struct agg_info {
	long	 messages;
	long	 records;
	char	 rua[LIM_DMARC_URIS];
};

int	report_domains(struct store *st, int64_t begin, int64_t end,
	    char ***domains_r, size_t *n_r, struct buf *why);
void	report_domains_free(char **domains, size_t n);
int	report_aggregate(struct store *st, const char *domain,
	    const struct agg_meta *m, struct buf *xml, struct agg_info *i_r,
	    struct buf *why);

#endif
