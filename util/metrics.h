/*
 * NAME
 *	metrics - process-wide counters, gauges and histograms
 * SYNOPSIS
 *	#include "util/metrics.h"
 *
 *	void metrics_add(enum metrics_ctr c, const char *l1, const char *l2,
 *	    uint64_t n);
 *	void metrics_inc(enum metrics_ctr c, const char *l1, const char *l2);
 *	void metrics_rule_hit(const char *name);
 *	void metrics_gauge_add(enum metrics_gauge g, long delta);
 *	void metrics_observe(enum metrics_hist h, uint64_t usec);
 *	void metrics_set_build(const char *version);
 *	uint64_t metrics_get(enum metrics_ctr c, const char *l1,
 *	    const char *l2);
 *	long metrics_gauge_get(enum metrics_gauge g);
 *	uint64_t metrics_hist_count(enum metrics_hist h);
 *	void metrics_now(struct timespec *t);
 *	uint64_t metrics_usec_since(const struct timespec *t0);
 *	int metrics_write(struct buf *out);
 * DESCRIPTION
 *	One set of metrics per process, outside the configuration snapshot:
 *	a reload changes nothing here. The families are fixed (the enums
 *	below); each labelled family holds at most METRICS_SLOTS label
 *	combinations, made on first use. A label value is cut at
 *	METRICS_LABEL - 1 bytes, and a byte that is not printable ASCII is
 *	stored as '?' (a scrape stays valid UTF-8 whatever a rule is
 *	called); values are compared as stored, so two names that differ
 *	only there share a series. Once a family is full, new combinations
 *	are counted under the value "(other)" in every label. So a peer or
 *	a configuration can never grow the memory or the scrape.
 *
 *	metrics_add() adds n to the counter of family c with label values
 *	l1 and l2 (NULL for a family with fewer labels); n = 0 makes the
 *	series visible at zero. metrics_inc() adds 1.
 *
 *	metrics_rule_hit() counts one hit of the policy rule name
 *	(authmilter_rule_hits_total{rule="name"}): call it once per
 *	message and rule that matched. Rule names beyond the first
 *	METRICS_SLOTS - 1 distinct ones count as rule="(other)".
 *
 *	metrics_observe() puts one duration, in microseconds, in histogram
 *	h. metrics_set_build() sets the version label of
 *	authmilter_build_info.
 *
 *	metrics_get(), metrics_gauge_get() and metrics_hist_count() read
 *	values back (tests, diagnostics).
 *
 *	metrics_write() appends every family in the Prometheus text
 *	exposition format 0.0.4 to out: # HELP and # TYPE lines, label
 *	values escaped (backslash, double quote, newline), histogram
 *	buckets cumulative with le="+Inf", _sum in seconds and _count.
 *	It returns AM_OK, or the status of the append that failed.
 * THREADS
 *	Every call is safe from any thread. Counting an existing series is
 *	lock-free (an atomic add after a scan of the published slots); only
 *	making a new label combination takes the family's mutex. A scrape
 *	reads the atomics without stopping writers, so _count and _sum of a
 *	histogram may be one observation apart.
 * SEE ALSO
 *	https://prometheus.io/docs/instrumenting/exposition_formats/
 */
#ifndef AM_METRICS_H
#define AM_METRICS_H

#include <stdint.h>
#include <time.h>

#include "util/buf.h"

#define METRICS_SLOTS	64		/* label combinations per family */
#define METRICS_LABEL	64		/* bytes per label value, with NUL */

/* labelled counters; the labels of each are in metrics.c */
enum metrics_ctr {
	MC_MESSAGES,			/* {verdict} */
	MC_SPF,				/* {identity, result} */
	MC_DKIM,			/* {result} per signature */
	MC_DMARC,			/* {result} */
	MC_RULE_HITS,			/* {rule} */
	MC_DNS_QUERIES,			/* {type, outcome} */
	MC_DNS_PREFETCH_HITS,		/* no label */
	MC_RELOADS,			/* {result} */
	MC_REPORT_ROWS,			/* {outcome} */
	MC_N
};

enum metrics_gauge {
	MG_SESSIONS,			/* connections being evaluated */
	MG_N
};

enum metrics_hist {
	MH_MESSAGE,			/* MAIL FROM to end-of-message verdict */
	MH_DNS,				/* one DNS query, ask to answer */
	MH_N
};

void	metrics_add(enum metrics_ctr c, const char *l1, const char *l2,
	    uint64_t n);
void	metrics_inc(enum metrics_ctr c, const char *l1, const char *l2);
void	metrics_rule_hit(const char *name);
void	metrics_gauge_add(enum metrics_gauge g, long delta);
void	metrics_observe(enum metrics_hist h, uint64_t usec);
void	metrics_set_build(const char *version);
uint64_t metrics_get(enum metrics_ctr c, const char *l1, const char *l2);
long	metrics_gauge_get(enum metrics_gauge g);
uint64_t metrics_hist_count(enum metrics_hist h);
void	metrics_now(struct timespec *t);
uint64_t metrics_usec_since(const struct timespec *t0);
int	metrics_write(struct buf *out);

#endif
