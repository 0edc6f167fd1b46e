/*
 * NAME
 *	send - aggregate reports to their destinations
 * SYNOPSIS
 *	#include "report/send.h"
 *
 *	int report_send(struct send_ctx *sc, struct buf *why);
 * DESCRIPTION
 *	report_send() makes one report per policy domain with rows in the
 *	period (aggregate.h), gzips it, and sends it to each mailto: URI of
 *	the domain's rua= once (duplicates removed), as a MIME message
 *	(RFC 9990 2.2: text part, application/gzip attachment named
 *	receiver!domain!begin!end!id.xml.gz, Subject "Report Domain: ...
 *	Submitter: ... Report-ID: ...") piped to the configured command.
 *	A destination is skipped, and the skip logged, when:
 *	- its URI is not mailto:, or a report would pass its "!size";
 *	- its domain, or the policy domain, is in report.exclude_domains;
 *	- it is another organizational domain than the policy domain's and
 *	  <policy-domain>._report._dmarc.<dest-domain> has no "v=DMARC1"
 *	  record (RFC 9990 4); a DNS failure there skips it for this run;
 *	- the store records it as sent for this domain and period already.
 *	A report sent is recorded, so a rerun never sends twice. With a
 *	dry-run directory the .xml.gz files and the messages (.eml) are
 *	written there instead, and nothing is recorded.
 *	Rows and records older than report.keep_days are purged first.
 * SEE ALSO
 *	RFC 9990 2.2, 4; RFC 6713 (application/gzip)
 */
#ifndef AM_REPORT_SEND_H
#define AM_REPORT_SEND_H

#include <stdint.h>

#include "auth/dmarc.h"
#include "conf/conf.h"
#include "dns/dns.h"
#include "report/store.h"
#include "util/buf.h"

struct send_ctx {
	const struct conf *cf;
	struct store *st;
	struct dns *dns;
	struct dmarc *dmarc;		/* organizational domains (PSL) */
	const char *receiver;		/* our name: filename, Submitter */
	int64_t	 begin, end;		/* the period, inclusive */
	const char *dry_dir;		/* NULL: send */
	int	 nsent, nskipped;	/* out */
};

int	report_send(struct send_ctx *sc, struct buf *why);

#endif
