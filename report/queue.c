/*
 * NAME
 *	queue - bounded queue of report rows and the one writer thread
 * DESCRIPTION
 *	See queue.h.
 */
#include <stdio.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "report/queue.h"
#include "report/store.h"
#include "util/am.h"
#include "util/log.h"
#include "util/metrics.h"

#define BATCH		500		/* rows per transaction */
#define RETRY_SEC	5		/* store down: next try */
#define TRIES		3		/* per batch, passing errors */
#define STOP_SEC	2		/* flush at stop */

struct qent {
	struct qent *next;
	struct report_row row;
};

static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	bool	 running, stop;
	struct qent *head, *tail;
	size_t	 depth, cap;
	uint64_t queued, written, dropped;
	uint64_t full;			/* of dropped: the queue was full */
	char	 spec[1024];
	char	 host[256];
} q = {
	.mu = PTHREAD_MUTEX_INITIALIZER,
	.cv = PTHREAD_COND_INITIALIZER,
};

/* writer state: the writer thread alone touches it */
struct wstate {
	struct store *st;
	time_t	 next_open;
	uint64_t lost;			/* by the store, since the last line */
	uint64_t full_seen;		/* q.full at the last line */
	time_t	 last_line;
	time_t	 last_open_line;	/* "store down" */
	struct buf *why;
};

/* report_queue_push - copy a row into the queue; never waits for I/O */
bool
report_queue_push(const struct report_row *row)
{
	struct qent *e = malloc(sizeof(*e));

	pthread_mutex_lock(&q.mu);
	if (!q.running || q.stop || e == NULL || q.depth >= q.cap) {
		q.dropped++;
		q.full++;
		pthread_mutex_unlock(&q.mu);
		free(e);
		metrics_inc(MC_REPORT_ROWS, "dropped", NULL);
		return (false);
	}
	e->row = *row;
	e->next = NULL;
	if (q.tail != NULL)
		q.tail->next = e;
	else
		q.head = e;
	q.tail = e;
	q.depth++;
	q.queued++;
	pthread_cond_signal(&q.cv);
	pthread_mutex_unlock(&q.mu);
	metrics_inc(MC_REPORT_ROWS, "queued", NULL);
	return (true);
}

/* take - up to BATCH rows off the head (under q.mu) */
static size_t
take(struct qent **list_r)
{
	struct qent *e = q.head, *last = NULL;
	size_t	 n = 0;

	*list_r = q.head;
	while (e != NULL && n < BATCH) {
		last = e;
		e = e->next;
		n++;
	}
	if (last != NULL)
		last->next = NULL;
	q.head = e;
	if (e == NULL)
		q.tail = NULL;
	q.depth -= n;
	return (n);
}

/* free_list - rows done with */
static void
free_list(struct qent *e)
{
	struct qent *next;

	for (; e != NULL; e = next) {
		next = e->next;
		free(e);
	}
}

/* lost_line - one error line a minute about rows not recorded */
static void
lost_line(struct wstate *w)
{
	time_t	 now = time(NULL);
	uint64_t full;

	pthread_mutex_lock(&q.mu);
	full = q.full - w->full_seen;
	pthread_mutex_unlock(&q.mu);
	if ((w->lost == 0 && full == 0) || now - w->last_line < 60)
		return;
	log_err("report: %llu rows not recorded (%llu: queue full, %llu: "
	    "store: %s); mail is not affected",
	    (unsigned long long)(w->lost + full), (unsigned long long)full,
	    (unsigned long long)w->lost, w->lost ? buf_str(w->why) : "-");
	w->full_seen += full;
	w->lost = 0;
	w->last_line = now;
}

/* lost_rows - count rows the store did not take */
static void
lost_rows(struct wstate *w, size_t n)
{
	pthread_mutex_lock(&q.mu);
	q.dropped += n;
	pthread_mutex_unlock(&q.mu);
	metrics_add(MC_REPORT_ROWS, "dropped", NULL, n);
	w->lost += n;
	lost_line(w);
}

/* store_kind_of - the kind of a spec, for logs (never its password) */
static const char *
store_kind_of(const char *spec)
{
	return (strncmp(spec, "sqlite:", 7) == 0 ? "sqlite" : "postgresql");
}

/* store_ready - the store is open, or we tried; false if not open */
static bool
store_ready(struct wstate *w)
{
	time_t	 now = time(NULL);

	if (w->st != NULL)
		return (true);
	if (now < w->next_open)
		return (false);
	w->next_open = now + RETRY_SEC;
	if ((w->st = store_open(q.spec, w->why)) == NULL) {
		if (now - w->last_open_line >= 60) {
			log_err("report: store down: %s; rows wait in the "
			    "queue", buf_str(w->why));
			w->last_open_line = now;
		}
		return (false);
	}
	log_info("report: %s store open", store_kind_of(q.spec));
	return (true);
}

/* write_batch - one batch into the store, with retries */
static void
write_batch(struct wstate *w, struct qent *list, size_t n, int ntries)
{
	struct report_row *rows[BATCH];
	struct qent *e;
	size_t	 i = 0;
	int	 tries, rc = AM_TEMP;

	for (e = list; e != NULL && i < BATCH; e = e->next)
		rows[i++] = &e->row;
	for (tries = 0; tries < ntries; tries++) {
		if (!store_ready(w)) {
			if (tries + 1 < ntries)
				sleep(RETRY_SEC);
			continue;
		}
		rc = store_insert(w->st, q.host, rows, n, w->why);
		if (rc != AM_TEMP)
			break;
		store_free(&w->st);	/* reconnect next time */
		w->next_open = 0;
	}
	if (rc == AM_OK) {
		pthread_mutex_lock(&q.mu);
		q.written += n;
		pthread_mutex_unlock(&q.mu);
		metrics_add(MC_REPORT_ROWS, "written", NULL, n);
	} else
		lost_rows(w, n);
}

/* writer - the one thread that writes to the store */
static void *
writer(void *arg)
{
	struct wstate w = {0};
	struct timespec until;
	struct qent *list;
	time_t	 stop_by = 0;
	bool	 stop, empty;
	size_t	 n;

	(void)arg;
	w.why = buf_new(LIM_REASON);
	for (;;) {
		pthread_mutex_lock(&q.mu);
		while (q.head == NULL && !q.stop) {
			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += 1;
			pthread_cond_timedwait(&q.cv, &q.mu, &until);
		}
		stop = q.stop;
		empty = q.head == NULL;
		pthread_mutex_unlock(&q.mu);
		lost_line(&w);
		if (stop && stop_by == 0)
			stop_by = time(NULL) + STOP_SEC;
		if (stop && (empty || time(NULL) >= stop_by))
			break;
		if (!store_ready(&w)) {		/* rows wait in the queue */
			if (stop)
				break;
			sleep(1);
			continue;
		}
		pthread_mutex_lock(&q.mu);
		n = take(&list);
		pthread_mutex_unlock(&q.mu);
		write_batch(&w, list, n, stop ? 1 : TRIES);
		free_list(list);
	}
	pthread_mutex_lock(&q.mu);
	while ((n = take(&list)) > 0) {	/* not written in time */
		q.dropped += n;
		w.lost += n;
		free_list(list);
	}
	pthread_mutex_unlock(&q.mu);
	if (w.lost > 0)
		log_err("report: %llu rows not recorded at stop (store: %s)",
		    (unsigned long long)w.lost, buf_str(w.why));
	store_free(&w.st);
	buf_free(&w.why);
	return (NULL);
}

/* report_queue_start - the queue and its writer */
int
report_queue_start(const char *spec, const char *host, size_t cap,
    struct buf *why)
{
	sigset_t all, old;
	int	 rc;

	snprintf(q.spec, sizeof(q.spec), "%s", spec);
	snprintf(q.host, sizeof(q.host), "%s", host);
	q.cap = cap;
	q.running = true;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&q.thread, NULL, writer, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		q.running = false;
		return (buf_why(why, AM_TEMP, "report writer: %s",
		    strerror(rc)));
	}
	return (AM_OK);
}

/* report_queue_stop - flush for a bounded while, stop the writer */
void
report_queue_stop(void)
{
	pthread_mutex_lock(&q.mu);
	if (!q.running) {
		pthread_mutex_unlock(&q.mu);
		return;
	}
	q.stop = true;
	pthread_cond_signal(&q.cv);
	pthread_mutex_unlock(&q.mu);
	pthread_join(q.thread, NULL);
	pthread_mutex_lock(&q.mu);
	q.running = false;
	pthread_mutex_unlock(&q.mu);
}

/* report_queue_stats - the counters */
void
report_queue_stats(struct report_stats *s_r)
{
	pthread_mutex_lock(&q.mu);
	s_r->queued = q.queued;
	s_r->written = q.written;
	s_r->dropped = q.dropped;
	s_r->depth = q.depth;
	pthread_mutex_unlock(&q.mu);
}
