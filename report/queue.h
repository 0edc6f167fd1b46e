/*
 * NAME
 *	queue - bounded queue of report rows and the one writer thread
 * SYNOPSIS
 *	#include "report/queue.h"
 *
 *	int report_queue_start(const char *spec, const char *host,
 *	    size_t cap, struct buf *why);
 *	bool report_queue_push(const struct report_row *row);
 *	void report_queue_stop(void);
 *	void report_queue_stats(struct report_stats *s_r);
 * DESCRIPTION
 *	Nothing on the milter's threads waits for the store: at end of
 *	message report_queue_push() copies the row into a bounded queue
 *	(cap rows) and returns at once; false, and the row is counted as
 *	dropped, when the queue is full or not started. One writer thread
 *	takes up to 500 rows at a time and writes them to the store
 *	(store.h) in one transaction.
 *
 *	The store is opened by the writer, not by report_queue_start(), so
 *	a store that is down at start delays nothing: the writer tries
 *	again every 5 s while rows wait in the queue. A batch the store
 *	refuses for a passing reason (locked, unreachable, full, read-only)
 *	is retried 3 times, then dropped; one it refuses for good (an SQL
 *	error) is dropped at once. Dropped rows are counted; one error line
 *	says how many rows were dropped and why, at most once a minute.
 *
 *	report_queue_stop() lets the writer write what is queued for at
 *	most 2 s, then stops it.
 * THREADS
 *	report_queue_push() is safe from any thread: a mutex held for a
 *	pointer move, never across I/O.
 * SEE ALSO
 *	store.h, row.h
 */
#ifndef AM_REPORT_QUEUE_H
#define AM_REPORT_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report/row.h"
#include "util/buf.h"

struct report_stats {
	uint64_t queued;		/* rows pushed */
	uint64_t written;		/* rows in the store */
	uint64_t dropped;		/* queue full, or store refused */
	size_t	 depth;			/* rows waiting now */
};

int	report_queue_start(const char *spec, const char *host, size_t cap,
	    struct buf *why);
bool	report_queue_push(const struct report_row *row);
void	report_queue_stop(void);
void	report_queue_stats(struct report_stats *s_r);

#endif
