/*
 * NAME
 *	failure - RFC 9991 failure reports, sent asynchronously
 * SYNOPSIS
 *	#include "report/failure.h"
 *
 *	bool failure_wanted(const struct auth_results *r);
 *	struct failure_job *failure_job_new(const struct report_input *in,
 *	    const struct conf *cf, const struct buf *headers);
 *	int failure_start(struct dns *dns, const char *psl, struct buf *why);
 *	bool failure_push(struct failure_job *job);
 *	void failure_stop(void);
 *	void failure_job_free(struct failure_job* *jp);
 * DESCRIPTION
 *	Off unless report.failure is set. failure_wanted() says whether a
 *	message's DMARC result asks for a failure report: a DMARC fail of
 *	a record with ruf= whose fo= options match (RFC 9989 4.7: 0, the
 *	default, when no mechanism gave an aligned pass; 1 when any did
 *	not; d when a DKIM signature failed; s when SPF failed).
 *
 *	failure_job_new() copies what the report needs: the envelope, the
 *	results, the header block (never the body) with local parts of
 *	addresses redacted when report.failure_redact is set, and the
 *	settings of the snapshot the message saw. failure_push() hands it to
 *	one sender thread through a bounded queue (full: dropped, counted);
 *	the thread writes an AFRF message (RFC 5965, RFC 6591: multipart/
 *	report with a text part, message/feedback-report with Feedback-Type
 *	auth-failure, and text/rfc822-headers) to each ruf= mailto:
 *	destination that passes the external-destination check, at most
 *	report.failure_rate reports per destination per hour, through
 *	report.send_command. Nothing of it runs on a milter thread.
 * SEE ALSO
 *	RFC 9991, RFC 5965, RFC 6591, RFC 6590 (redaction)
 */
#ifndef AM_REPORT_FAILURE_H
#define AM_REPORT_FAILURE_H

#include <stdbool.h>

#include "conf/conf.h"
#include "dns/dns.h"
#include "report/row.h"
#include "util/buf.h"

struct failure_job;

bool	failure_wanted(const struct auth_results *r);
struct failure_job *failure_job_new(const struct report_input *in,
	    const struct conf *cf, const struct buf *headers);
void	failure_job_free(struct failure_job **jp);
int	failure_start(struct dns *dns, const char *psl, struct buf *why);
bool	failure_push(struct failure_job *job);
void	failure_stop(void);

#endif
