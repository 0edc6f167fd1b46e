/*
 * NAME
 *	failure - RFC 9991 failure reports, sent asynchronously
 * DESCRIPTION
 *	See failure.h.
 * DIAGNOSTICS
 *	One info line per report sent or destination skipped (not
 *	authorized, excluded, over its rate).
 */
#include <ctype.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/dmarc.h"
#include "report/dest.h"
#include "report/failure.h"
#include "util/am.h"
#include "util/log.h"

#define FQ_CAP		256		/* jobs waiting */
#define FR_DESTS	4		/* ruf= destinations used */
#define FR_RATES	64		/* destinations rate-limited at once */
#define FR_HEADERS	(64 * 1024)

struct failure_job {
	struct failure_job *next;
	time_t	 t;
	char	 qid[32], ip[ADDR_STRLEN], mailfrom[LIM_ADDRESS];
	char	 policy_domain[LIM_DOMAIN], from_domain[LIM_DOMAIN];
	char	 ruf[LIM_DMARC_URIS];
	char	 delivery[16];		/* RFC 6591 Delivery-Result */
	char	 align[16];		/* Identity-Alignment */
	char	 results[LIM_DOMAIN * 2 + 64];	/* A-R body */
	char	 from[LIM_ADDRESS], envelope_from[LIM_ADDRESS];
	char	 command[1024], exclude[1024];
	int	 rate;
	struct buf *headers;
};

struct rate {
	char	 addr[LIM_ADDRESS];
	time_t	 window;
	int	 n;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool	 running, stop;
	struct failure_job *head, *tail;
	int	 depth;
	struct dns *dns;
	struct dmarc *dmarc;
	struct rate rates[FR_RATES];
} fq = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

/* failure_wanted - does this result ask for a failure report? (fo=) */
bool
failure_wanted(const struct auth_results *r)
{
	const struct dmarc_result *dm = &r->dmarc;
	const char *fo = dm->fo[0] ? dm->fo : "0";
	bool	 dkim_fail = false;
	int	 i;

	if (dm->result != DMARC_RES_FAIL || dm->ruf[0] == '\0')
		return (false);
	for (i = 0; i < r->dkim.nsigs; i++)
		dkim_fail |= r->dkim.sigs[i].result == DKIM_RES_FAIL;
	if (strchr(fo, '0') != NULL)	/* no aligned pass: a DMARC fail */
		return (true);
	if (strchr(fo, '1') != NULL && (!dm->spf_aligned || !dm->dkim_aligned))
		return (true);
	if (strchr(fo, 'd') != NULL && dkim_fail)
		return (true);
	return (strchr(fo, 's') != NULL && r->mailfrom.checked &&
	    r->mailfrom.result == SPF_RES_FAIL);
}

/* redact - local parts of addresses as "redacted" (RFC 6590) */
static void
redact(struct buf *b)
{
	static const char atext[] = "!#$%&'*+-/=?^_`{|}~.";
	struct buf *o = buf_new(FR_HEADERS + 4096);
	size_t	 i, start, copied = 0;

	if (o == NULL)
		return;
	for (i = 0; i < b->len; i++) {
		if (b->data[i] != '@')
			continue;
		start = i;
		while (start > copied && (isalnum((unsigned char)
		    b->data[start - 1]) || (b->data[start - 1] != '\0' &&
		    strchr(atext, b->data[start - 1]) != NULL)))
			start--;
		if (start == i)
			continue;
		buf_append(o, b->data + copied, start - copied);
		buf_puts(o, "redacted");
		copied = i;
	}
	buf_append(o, b->data + copied, b->len - copied);
	buf_reset(b);
	buf_append(b, o->data, o->len);
	buf_free(&o);
}

/* failure_job_new - what the report needs, copied */
struct failure_job *
failure_job_new(const struct report_input *in, const struct conf *cf,
    const struct buf *headers)
{
	const struct dmarc_result *dm = &in->res->dmarc;
	struct failure_job *j;

	if ((j = calloc(1, sizeof(*j))) == NULL ||
	    (j->headers = buf_new(FR_HEADERS)) == NULL) {
		free(j);
		return (NULL);
	}
	j->t = (time_t)in->t;
	snprintf(j->qid, sizeof(j->qid), "%s", in->qid);
	snprintf(j->ip, sizeof(j->ip), "%s", in->ip);
	snprintf(j->mailfrom, sizeof(j->mailfrom), "%s", in->mailfrom);
	snprintf(j->policy_domain, sizeof(j->policy_domain), "%s",
	    dm->policy_domain);
	snprintf(j->from_domain, sizeof(j->from_domain), "%s",
	    dm->from_domain);
	snprintf(j->ruf, sizeof(j->ruf), "%s", dm->ruf);
	snprintf(j->delivery, sizeof(j->delivery), "%s",
	    in->d->verdict == VERDICT_REJECT ? "reject" :
	    in->d->verdict == VERDICT_QUARANTINE ? "spam" : "delivered");
	snprintf(j->align, sizeof(j->align), "%s", dm->dkim_aligned ?
	    (dm->spf_aligned ? "dkim,spf" : "dkim") : dm->spf_aligned ?
	    "spf" : "none");
	snprintf(j->results, sizeof(j->results), "dmarc=fail "
	    "header.from=%s; spf=%s smtp.mailfrom=%s", dm->from_domain,
	    spf_res_str(in->res->mailfrom.result), in->res->mailfrom.domain);
	snprintf(j->from, sizeof(j->from), "%s", cf->report_from[0] ?
	    cf->report_from : cf->report_email);
	snprintf(j->envelope_from, sizeof(j->envelope_from), "%s",
	    cf->report_envelope_from);
	snprintf(j->command, sizeof(j->command), "%s",
	    cf->report_send_command);
	snprintf(j->exclude, sizeof(j->exclude), "%s",
	    cf->report_exclude_domains);
	j->rate = cf->report_failure_rate;
	if (headers != NULL)
		buf_append(j->headers, headers->data, headers->len);
	if (cf->report_failure_redact)
		redact(j->headers);
	return (j);
}

/* failure_job_free - drop a job */
void
failure_job_free(struct failure_job **jp)
{
	if (jp == NULL || *jp == NULL)
		return;
	buf_free(&(*jp)->headers);
	free(*jp);
	*jp = NULL;
}

/* rate_ok - one more report to addr this hour? */
static bool
rate_ok(const char *addr, int limit)
{
	time_t	 now = time(NULL), hour = now - now % 3600;
	struct rate *r, *oldest = &fq.rates[0];
	int	 i;

	for (i = 0; i < FR_RATES; i++) {
		r = &fq.rates[i];
		if (strcasecmp(r->addr, addr) == 0) {
			if (r->window != hour) {
				r->window = hour;
				r->n = 0;
			}
			return (r->n++ < limit);
		}
		if (r->window < oldest->window)
			oldest = r;
	}
	snprintf(oldest->addr, sizeof(oldest->addr), "%s", addr);
	oldest->window = hour;
	oldest->n = 1;
	return (limit > 0);
}

/* afrf - the report message for one destination */
static int
afrf(const struct failure_job *j, const char *to, struct buf *m)
{
	char	 date[64], bound[48];
	struct tm tm;
	int	 st = AM_OK;

	gmtime_r(&j->t, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	snprintf(bound, sizeof(bound), "=_amfr_%s_%lld", j->qid,
	    (long long)j->t);
	st |= buf_printf(m, "From: %s\nTo: %s\nDate: %s\n"
	    "Subject: DMARC failure report for %s from %s\n"
	    "MIME-Version: 1.0\nAuto-Submitted: auto-generated\n"
	    "Content-Type: multipart/report; report-type=feedback-report; "
	    "boundary=\"%s\"\n\n--%s\n"
	    "Content-Type: text/plain; charset=us-ascii\n\n"
	    "A message with From: domain %s from %s failed DMARC.\n"
	    "Only its header fields are included%s.\n\n--%s\n"
	    "Content-Type: message/feedback-report\n\n"
	    "Feedback-Type: auth-failure\nUser-Agent: authmilter/0.1.0\n"
	    "Version: 1\nOriginal-Envelope-Id: %s\n"
	    "Original-Mail-From: %s\nArrival-Date: %s\nSource-IP: %s\n"
	    "Reported-Domain: %s\nAuthentication-Results: %s\n"
	    "Auth-Failure: dmarc\nIdentity-Alignment: %s\n"
	    "Delivery-Result: %s\n\n--%s\n"
	    "Content-Type: text/rfc822-headers\n\n", j->from, to, date,
	    j->from_domain, j->ip, bound, bound, j->from_domain, j->ip,
	    "", bound, j->qid, j->mailfrom[0] ? j->mailfrom : "<>", date,
	    j->ip, j->policy_domain, j->results, j->align, j->delivery,
	    bound);
	st |= buf_append(m, j->headers->data, j->headers->len);
	st |= buf_printf(m, "\n--%s--\n", bound);
	return (st);
}

/* send_job - the report to every destination that may have it */
static void
send_job(const struct failure_job *j, struct buf *m, struct buf *why)
{
	struct dest d[FR_DESTS];
	int	 i, n;

	n = dest_list(j->ruf, d, FR_DESTS);
	for (i = 0; i < n; i++) {
		if (dest_in_list(j->exclude, d[i].domain) ||
		    dest_in_list(j->exclude, j->policy_domain)) {
			log_info("%s: failure report: not sent to %s: "
			    "excluded", j->qid, d[i].addr);
			continue;
		}
		if (dest_authorized(fq.dns, fq.dmarc, j->policy_domain, &d[i],
		    why) != AM_OK) {
			log_info("%s: failure report: not sent to %s: %s",
			    j->qid, d[i].addr, buf_str(why));
			continue;
		}
		if (!rate_ok(d[i].addr, j->rate)) {
			log_info("%s: failure report: not sent to %s: over "
			    "its rate of %d an hour", j->qid, d[i].addr,
			    j->rate);
			continue;
		}
		buf_reset(m);
		if (afrf(j, d[i].addr, m) != AM_OK ||
		    dest_submit(j->command, j->envelope_from, m, why) != AM_OK)
			log_err("%s: failure report to %s: %s", j->qid,
			    d[i].addr, buf_str(why));
		else
			log_info("%s: failure report for %s sent to %s",
			    j->qid, j->policy_domain, d[i].addr);
	}
}

/* sender - the one thread that sends failure reports */
static void *
sender(void *arg)
{
	struct failure_job *j;
	struct buf *m = buf_new(FR_HEADERS * 2), *why = buf_new(LIM_REASON);

	(void)arg;
	pthread_mutex_lock(&fq.mu);
	for (;;) {
		while (fq.head == NULL && !fq.stop)
			pthread_cond_wait(&fq.cv, &fq.mu);
		if ((j = fq.head) == NULL)
			break;			/* stop, nothing left */
		if ((fq.head = j->next) == NULL)
			fq.tail = NULL;
		fq.depth--;
		pthread_mutex_unlock(&fq.mu);
		if (!fq.stop)
			send_job(j, m, why);
		failure_job_free(&j);
		pthread_mutex_lock(&fq.mu);
	}
	pthread_mutex_unlock(&fq.mu);
	buf_free(&m);
	buf_free(&why);
	return (NULL);
}

/* failure_push - hand a job to the sender; false: dropped */
bool
failure_push(struct failure_job *job)
{
	pthread_mutex_lock(&fq.mu);
	if (!fq.running || fq.stop || fq.depth >= FQ_CAP) {
		pthread_mutex_unlock(&fq.mu);
		failure_job_free(&job);
		return (false);
	}
	job->next = NULL;
	if (fq.tail != NULL)
		fq.tail->next = job;
	else
		fq.head = job;
	fq.tail = job;
	fq.depth++;
	pthread_cond_signal(&fq.cv);
	pthread_mutex_unlock(&fq.mu);
	return (true);
}

/* failure_start - the sender thread; dns is borrowed */
int
failure_start(struct dns *dns, const char *psl, struct buf *why)
{
	sigset_t all, old;
	int	 rc;

	fq.dns = dns;
	if ((fq.dmarc = dmarc_new(dns, DMARC_ORG_TREEWALK, psl,
	    DMARC_QUERIES_MIN, why)) == NULL)
		return (AM_PERM);
	fq.running = true;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&fq.thread, NULL, sender, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		fq.running = false;
		dmarc_free(&fq.dmarc);
		return (buf_why(why, AM_TEMP, "failure reports: %s",
		    strerror(rc)));
	}
	return (AM_OK);
}

/* failure_stop - stop the sender; jobs not sent are dropped */
void
failure_stop(void)
{
	pthread_mutex_lock(&fq.mu);
	if (!fq.running) {
		pthread_mutex_unlock(&fq.mu);
		return;
	}
	fq.stop = true;
	pthread_cond_signal(&fq.cv);
	pthread_mutex_unlock(&fq.mu);
	pthread_join(fq.thread, NULL);
	fq.running = false;
	dmarc_free(&fq.dmarc);
}
