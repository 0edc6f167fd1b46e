/*
 * NAME
 *	record - a message's row for the DMARC reports
 * SYNOPSIS
 *	#include "milter/session.h"
 *
 *	void msg_record(const struct conn *c, const struct msg *m);
 * DESCRIPTION
 *	At end of message, when report.store is set, the message's results
 *	and verdict become one row (report/row.h) pushed onto the report
 *	queue (report/queue.h): a copy and a pointer move, never I/O on
 *	the milter thread. A full queue drops the row (counted there); the
 *	mail is never affected. With report.failure, a DMARC fail that asks
 *	for a failure report (fo=, ruf=) becomes a job for the failure
 *	report sender (report/failure.h), with the header block.
 */
#include <stdlib.h>
#include <time.h>

#include "milter/session.h"
#include "report/failure.h"
#include "report/queue.h"
#include "report/row.h"

/* msg_record - queue the message's report row, if reports are kept */
void
msg_record(const struct conn *c, const struct msg *m)
{
	struct report_input in;
	struct report_row *row;

	const struct conf *cf = c->snap->cf;
	struct failure_job *job;

	if ((cf->report_store[0] == '\0' && !cf->report_failure) || m->skip ||
	    m->failed)
		return;
	in.t = (int64_t)time(NULL);
	in.qid = m->qid;
	in.ip = c->ip;
	in.mailfrom = m->mailfrom;
	in.rcpt = m->rcpt[0] != '\0' ? m->rcpt : NULL;
	in.nrcpt = m->nrcpt;
	in.subject = m->subject;
	in.res = &m->res;
	in.d = &m->out.d;
	in.monitor = cf->mode == CONF_MODE_MONITOR;
	if (cf->report_failure && in.d->verdict != VERDICT_TEMPFAIL &&
	    failure_wanted(&m->res) &&
	    (job = failure_job_new(&in, cf, m->hdrs)) != NULL)
		(void)failure_push(job);
	if (cf->report_store[0] == '\0' ||
	    (row = malloc(sizeof(*row))) == NULL)
		return;
	if (report_row_fill(row, &in))
		(void)report_queue_push(row);
	free(row);
}
