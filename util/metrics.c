/*
 * NAME
 *	metrics - process-wide counters, gauges and histograms
 * DESCRIPTION
 *	See metrics.h. A family's slots are filled in order under its
 *	mutex; the number of filled slots is published with a release
 *	store after the slot's label values are written, so a reader that
 *	loads it with acquire sees complete labels and never locks.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "util/am.h"
#include "util/metrics.h"

#define METRICS_OTHER	"(other)"

struct mslot {
	char	 v[2][METRICS_LABEL];
	atomic_uint_least64_t n;
};

struct mfam {
	const char *name;
	const char *help;
	const char *lab[2];		/* label names; NULL: fewer labels */
	pthread_mutex_t mu;		/* guards making a slot */
	atomic_int used;		/* published slots */
	struct mslot slot[METRICS_SLOTS];
};

#define MFAM(nm, hp, a, b) { .name = nm, .help = hp, .lab = {a, b}, \
	.mu = PTHREAD_MUTEX_INITIALIZER }

static struct mfam fams[MC_N] = {
	[MC_MESSAGES] = MFAM("authmilter_messages_total",
	    "Messages evaluated to the end, by the verdict applied.",
	    "verdict", NULL),
	[MC_SPF] = MFAM("authmilter_spf_results_total",
	    "SPF results of evaluated messages, by identity (mailfrom, helo).",
	    "identity", "result"),
	[MC_DKIM] = MFAM("authmilter_dkim_results_total",
	    "DKIM results, one per signature evaluated; none: a message "
	    "without any.", "result", NULL),
	[MC_DMARC] = MFAM("authmilter_dmarc_results_total",
	    "DMARC results of evaluated messages.", "result", NULL),
	[MC_RULE_HITS] = MFAM("authmilter_rule_hits_total",
	    "Messages a policy rule matched, by rule name.", "rule", NULL),
	[MC_DNS_QUERIES] = MFAM("authmilter_dns_queries_total",
	    "DNS queries that waited for an answer, by type and outcome.",
	    "type", "outcome"),
	[MC_DNS_PREFETCH_HITS] = MFAM("authmilter_dns_prefetch_hits_total",
	    "DNS queries for a name and type a prefetch had already asked: "
	    "answered from the resolver cache or joined to the prefetch in "
	    "flight.", NULL, NULL),
	[MC_RELOADS] = MFAM("authmilter_reloads_total",
	    "Configuration reloads, by result (ok, failed).", "result", NULL),
	[MC_REPORT_ROWS] = MFAM("authmilter_report_rows_total",
	    "DMARC report rows: queued, written to the store, or dropped "
	    "(queue full, store failing).", "outcome", NULL),
};

static atomic_long gauges[MG_N];
static const struct {
	const char *name, *help;
} gauge_def[MG_N] = {
	[MG_SESSIONS] = {"authmilter_sessions_active",
	    "SMTP connections being evaluated now."},
};

/* histogram buckets, upper bounds in microseconds */
static const uint64_t msg_bounds[] = {
	5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000,
	2500000, 5000000, 10000000, 30000000,
};
static const uint64_t dns_bounds[] = {
	1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 500000,
	1000000, 2500000, 5000000,
};

#define HIST_MAXB	16

struct mhist {
	const char *name, *help;
	const uint64_t *bounds;
	size_t	 nb;			/* finite buckets; +Inf is bucket nb */
	atomic_uint_least64_t b[HIST_MAXB + 1];	/* not cumulative */
	atomic_uint_least64_t sum_us;
};

static struct mhist hists[MH_N] = {
	[MH_MESSAGE] = {"authmilter_message_duration_seconds",
	    "Time from MAIL FROM to the end-of-message verdict, per "
	    "evaluated message.", msg_bounds, AM_ARRAY_LEN(msg_bounds),
	    {0}, 0},
	[MH_DNS] = {"authmilter_dns_query_duration_seconds",
	    "Time from asking a DNS query to its answer, error or timeout.",
	    dns_bounds, AM_ARRAY_LEN(dns_bounds), {0}, 0},
};

static pthread_mutex_t build_mu = PTHREAD_MUTEX_INITIALIZER;
static char build_version[METRICS_LABEL] = "unknown";

/* slot_match - 1 if slot s has label values a, b */
static bool
slot_match(const struct mslot *s, const char *a, const char *b)
{
	return (strncmp(s->v[0], a, METRICS_LABEL - 1) == 0 &&
	    strncmp(s->v[1], b, METRICS_LABEL - 1) == 0);
}

/* slot_find - the published slot for a, b, or NULL */
static struct mslot *
slot_find(struct mfam *f, const char *a, const char *b)
{
	int	 i, n = atomic_load_explicit(&f->used, memory_order_acquire);

	for (i = 0; i < n; i++)
		if (slot_match(&f->slot[i], a, b))
			return (&f->slot[i]);
	return (NULL);
}

/*
 * label_copy - a label value as stored: cut to METRICS_LABEL - 1 bytes,
 * bytes that are not printable ASCII as '?' (a scrape must be UTF-8)
 */
static void
label_copy(char *dst, const char *src)
{
	size_t	 i;

	for (i = 0; i < METRICS_LABEL - 1 && src[i] != '\0'; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? src[i] : '?';
	dst[i] = '\0';
}

/* slot_make - find or make the slot for a, b; "(other)" when full */
static struct mslot *
slot_make(struct mfam *f, const char *a, const char *b)
{
	struct mslot *s;
	int	 n;

	pthread_mutex_lock(&f->mu);
	if ((s = slot_find(f, a, b)) != NULL)
		goto out;
	n = atomic_load_explicit(&f->used, memory_order_relaxed);
	if (n >= METRICS_SLOTS - 1) {
		a = f->lab[0] ? METRICS_OTHER : "";
		b = f->lab[1] ? METRICS_OTHER : "";
		if ((s = slot_find(f, a, b)) != NULL || n >= METRICS_SLOTS)
			goto out;
	}
	s = &f->slot[n];
	snprintf(s->v[0], sizeof(s->v[0]), "%s", a);	/* label_copy()'d */
	snprintf(s->v[1], sizeof(s->v[1]), "%s", b);
	atomic_store_explicit(&f->used, n + 1, memory_order_release);
out:
	pthread_mutex_unlock(&f->mu);
	return (s);
}

/* metrics_add - add n to one series of a labelled counter */
void
metrics_add(enum metrics_ctr c, const char *l1, const char *l2, uint64_t n)
{
	char	 a[METRICS_LABEL], b[METRICS_LABEL];
	struct mfam *f;
	struct mslot *s;

	if ((unsigned)c >= MC_N)
		return;
	f = &fams[c];
	label_copy(a, f->lab[0] && l1 ? l1 : "");
	label_copy(b, f->lab[1] && l2 ? l2 : "");
	if ((s = slot_find(f, a, b)) == NULL &&
	    (s = slot_make(f, a, b)) == NULL)
		return;
	atomic_fetch_add_explicit(&s->n, n, memory_order_relaxed);
}

/* metrics_inc - add one */
void
metrics_inc(enum metrics_ctr c, const char *l1, const char *l2)
{
	metrics_add(c, l1, l2, 1);
}

/* metrics_rule_hit - one message matched the policy rule name */
void
metrics_rule_hit(const char *name)
{
	metrics_add(MC_RULE_HITS, name, NULL, 1);
}

/* metrics_gauge_add - move a gauge */
void
metrics_gauge_add(enum metrics_gauge g, long delta)
{
	if ((unsigned)g < MG_N)
		atomic_fetch_add(&gauges[g], delta);
}

/* metrics_observe - one duration into a histogram */
void
metrics_observe(enum metrics_hist h, uint64_t usec)
{
	struct mhist *hp;
	size_t	 i;

	if ((unsigned)h >= MH_N)
		return;
	hp = &hists[h];
	for (i = 0; i < hp->nb && usec > hp->bounds[i]; i++)
		;
	atomic_fetch_add_explicit(&hp->b[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&hp->sum_us, usec, memory_order_relaxed);
}

/* metrics_set_build - the version label of authmilter_build_info */
void
metrics_set_build(const char *version)
{
	pthread_mutex_lock(&build_mu);
	snprintf(build_version, sizeof(build_version), "%s", version);
	pthread_mutex_unlock(&build_mu);
}

/* metrics_get - the value of one series; 0 if it does not exist */
uint64_t
metrics_get(enum metrics_ctr c, const char *l1, const char *l2)
{
	char	 a[METRICS_LABEL], b[METRICS_LABEL];
	struct mfam *f;
	struct mslot *s;

	if ((unsigned)c >= MC_N)
		return (0);
	f = &fams[c];
	label_copy(a, f->lab[0] && l1 ? l1 : "");
	label_copy(b, f->lab[1] && l2 ? l2 : "");
	s = slot_find(f, a, b);
	return (s ? atomic_load(&s->n) : 0);
}

/* metrics_gauge_get - the value of a gauge */
long
metrics_gauge_get(enum metrics_gauge g)
{
	return ((unsigned)g < MG_N ? atomic_load(&gauges[g]) : 0);
}

/* metrics_hist_count - observations in a histogram */
uint64_t
metrics_hist_count(enum metrics_hist h)
{
	uint64_t n = 0;
	size_t	 i;

	if ((unsigned)h >= MH_N)
		return (0);
	for (i = 0; i <= hists[h].nb; i++)
		n += atomic_load(&hists[h].b[i]);
	return (n);
}

/* metrics_now - the monotonic clock, for durations */
void
metrics_now(struct timespec *t)
{
	clock_gettime(CLOCK_MONOTONIC, t);
}

/* metrics_usec_since - microseconds from t0 to now; 0 if t0 is unset */
uint64_t
metrics_usec_since(const struct timespec *t0)
{
	struct timespec now;
	int64_t	 us;

	if (t0->tv_sec == 0 && t0->tv_nsec == 0)
		return (0);
	metrics_now(&now);
	us = (int64_t)(now.tv_sec - t0->tv_sec) * 1000000 +
	    (now.tv_nsec - t0->tv_nsec) / 1000;
	return (us > 0 ? (uint64_t)us : 0);
}

/* put_label - one label value, escaped as the text format asks */
static int
put_label(struct buf *out, const char *name, const char *v)
{
	int	 st;

	if ((st = buf_printf(out, "%s=\"", name)) != AM_OK)
		return (st);
	for (; *v != '\0'; v++) {
		if (*v == '\\' || *v == '"')
			st = buf_printf(out, "\\%c", *v);
		else if (*v == '\n')
			st = buf_puts(out, "\\n");
		else
			st = buf_putc(out, *v);
		if (st != AM_OK)
			return (st);
	}
	return (buf_putc(out, '"'));
}

/* write_fam - one labelled counter family */
static int
write_fam(struct buf *out, struct mfam *f)
{
	const struct mslot *s;
	int	 i, j, n, st;

	if ((st = buf_printf(out, "# HELP %s %s\n# TYPE %s counter\n",
	    f->name, f->help, f->name)) != AM_OK)
		return (st);
	n = atomic_load_explicit(&f->used, memory_order_acquire);
	if (f->lab[0] == NULL && n == 0)	/* no label: always shown */
		return (buf_printf(out, "%s 0\n", f->name));
	for (i = 0; i < n; i++) {
		s = &f->slot[i];
		if ((st = buf_puts(out, f->name)) != AM_OK)
			return (st);
		for (j = 0; j < 2 && f->lab[j] != NULL; j++)
			if ((st = buf_putc(out, j ? ',' : '{')) != AM_OK ||
			    (st = put_label(out, f->lab[j], s->v[j])) != AM_OK)
				return (st);
		if ((st = buf_printf(out, "%s %llu\n", f->lab[0] ? "}" : "",
		    (unsigned long long)atomic_load(&s->n))) != AM_OK)
			return (st);
	}
	return (AM_OK);
}

/* write_hist - one histogram: cumulative buckets, sum, count */
static int
write_hist(struct buf *out, struct mhist *h)
{
	uint64_t cum = 0, sum;
	size_t	 i;
	int	 st;

	if ((st = buf_printf(out, "# HELP %s %s\n# TYPE %s histogram\n",
	    h->name, h->help, h->name)) != AM_OK)
		return (st);
	sum = atomic_load(&h->sum_us);
	for (i = 0; i <= h->nb; i++) {
		cum += atomic_load(&h->b[i]);
		if (i < h->nb)
			st = buf_printf(out, "%s_bucket{le=\"%g\"} %llu\n",
			    h->name, (double)h->bounds[i] / 1e6,
			    (unsigned long long)cum);
		else
			st = buf_printf(out, "%s_bucket{le=\"+Inf\"} %llu\n",
			    h->name, (unsigned long long)cum);
		if (st != AM_OK)
			return (st);
	}
	return (buf_printf(out, "%s_sum %llu.%06llu\n%s_count %llu\n",
	    h->name, (unsigned long long)(sum / 1000000),
	    (unsigned long long)(sum % 1000000), h->name,
	    (unsigned long long)cum));
}

/* metrics_write - every family in the Prometheus text format */
int
metrics_write(struct buf *out)
{
	char	 ver[METRICS_LABEL];
	size_t	 i;
	int	 st;

	for (i = 0; i < MC_N; i++)
		if ((st = write_fam(out, &fams[i])) != AM_OK)
			return (st);
	for (i = 0; i < MG_N; i++)
		if ((st = buf_printf(out, "# HELP %s %s\n# TYPE %s gauge\n"
		    "%s %ld\n", gauge_def[i].name, gauge_def[i].help,
		    gauge_def[i].name, gauge_def[i].name,
		    atomic_load(&gauges[i]))) != AM_OK)
			return (st);
	for (i = 0; i < MH_N; i++)
		if ((st = write_hist(out, &hists[i])) != AM_OK)
			return (st);
	pthread_mutex_lock(&build_mu);
	snprintf(ver, sizeof(ver), "%s", build_version);
	pthread_mutex_unlock(&build_mu);
	if ((st = buf_puts(out, "# HELP authmilter_build_info The running "
	    "build; always 1.\n# TYPE authmilter_build_info gauge\n"
	    "authmilter_build_info{")) != AM_OK ||
	    (st = put_label(out, "version", ver)) != AM_OK)
		return (st);
	return (buf_puts(out, "} 1\n"));
}
