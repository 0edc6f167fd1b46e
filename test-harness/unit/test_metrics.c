/*
 * NAME
 *	test_metrics - counters, histograms and their text format
 * DESCRIPTION
 *	The metrics are process-wide, so each test uses its own families
 *	or label values, or compares before and after. Histogram buckets
 *	(bounds inclusive, cumulative, +Inf, _sum, _count), label escaping,
 *	the bounded label table and its "(other)" series, exact counts
 *	under threads, the shape of every line of a scrape, and the
 *	metrics.listen address forms.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/socket.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/addr.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/metrics.h"

/* scrape - the whole text; caller frees */
static struct buf *
scrape(void)
{
	struct buf *b = buf_new(1024 * 1024);

	assert_int_equal(metrics_write(b), AM_OK);
	return (b);
}

/* has_line - 1 if the scrape holds this exact line */
static int
has_line(const struct buf *b, const char *line)
{
	const char *p = buf_str(b);
	size_t	 n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == buf_str(b) || p[-1] == '\n') && p[n] == '\n')
			return (1);
		p += n;
	}
	return (0);
}

/* test_histogram - bounds are inclusive; buckets cumulative */
static void
test_histogram(void **state)
{
	struct buf *b;

	(void)state;
	/* MH_MESSAGE is used by nothing else in this binary */
	metrics_observe(MH_MESSAGE, 5000);	/* le 0.005 */
	metrics_observe(MH_MESSAGE, 5001);	/* le 0.01 */
	metrics_observe(MH_MESSAGE, 250000);	/* le 0.25 */
	metrics_observe(MH_MESSAGE, 99000000);	/* only +Inf */
	assert_int_equal(metrics_hist_count(MH_MESSAGE), 4);
	b = scrape();
	assert_true(has_line(b, "# TYPE authmilter_message_duration_seconds "
	    "histogram"));
	assert_true(has_line(b,
	    "authmilter_message_duration_seconds_bucket{le=\"0.005\"} 1"));
	assert_true(has_line(b,
	    "authmilter_message_duration_seconds_bucket{le=\"0.01\"} 2"));
	assert_true(has_line(b,
	    "authmilter_message_duration_seconds_bucket{le=\"0.1\"} 2"));
	assert_true(has_line(b,
	    "authmilter_message_duration_seconds_bucket{le=\"0.25\"} 3"));
	assert_true(has_line(b,
	    "authmilter_message_duration_seconds_bucket{le=\"30\"} 3"));
	assert_true(has_line(b,
	    "authmilter_message_duration_seconds_bucket{le=\"+Inf\"} 4"));
	assert_true(has_line(b,
	    "authmilter_message_duration_seconds_sum 99.260001"));
	assert_true(has_line(b, "authmilter_message_duration_seconds_count 4"));
	buf_free(&b);
}

/* test_counter_labels - two labels, zero series, escaping */
static void
test_counter_labels(void **state)
{
	struct buf *b;

	(void)state;
	metrics_add(MC_DNS_QUERIES, "TXT", "ok", 0);
	metrics_inc(MC_DNS_QUERIES, "TXT", "nxdomain");
	metrics_inc(MC_DNS_QUERIES, "TXT", "nxdomain");
	assert_int_equal(metrics_get(MC_DNS_QUERIES, "TXT", "nxdomain"), 2);
	assert_int_equal(metrics_get(MC_DNS_QUERIES, "TXT", "ok"), 0);
	assert_int_equal(metrics_get(MC_DNS_QUERIES, "A", "ok"), 0);
	metrics_rule_hit("say \"hi\"\\\nbye");
	b = scrape();
	assert_true(has_line(b, "authmilter_dns_queries_total{type=\"TXT\","
	    "outcome=\"ok\"} 0"));
	assert_true(has_line(b, "authmilter_dns_queries_total{type=\"TXT\","
	    "outcome=\"nxdomain\"} 2"));
	assert_true(has_line(b, "authmilter_rule_hits_total{rule="
	    "\"say \\\"hi\\\"\\\\?bye\"} 1"));
	/* not printable ASCII: '?', so a scrape stays UTF-8 */
	metrics_rule_hit("caf\xc3\xa9\x01");
	metrics_rule_hit("caf\xc3\xa9\x01");		/* the same series */
	assert_int_equal(metrics_get(MC_RULE_HITS, "caf???", NULL), 2);
	assert_int_equal(metrics_get(MC_RULE_HITS, "caf\xc3\xa9\x01", NULL),
	    2);
	/* a family without labels shows one plain series */
	assert_true(has_line(b, "authmilter_dns_prefetch_hits_total 0"));
	metrics_inc(MC_DNS_PREFETCH_HITS, "ignored", NULL);
	buf_free(&b);
	b = scrape();
	assert_true(has_line(b, "authmilter_dns_prefetch_hits_total 1"));
	buf_free(&b);
}

/* test_bounded - label combinations stop at METRICS_SLOTS */
static void
test_bounded(void **state)
{
	char	 name[32], longname[METRICS_LABEL * 2];
	struct buf *b;
	const char *p;
	int	 i, series = 0;

	(void)state;
	for (i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "rule%d", i);
		metrics_rule_hit(name);
	}
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	metrics_rule_hit(longname);
	b = scrape();
	for (p = buf_str(b); (p = strstr(p, "\nauthmilter_rule_hits_total{"))
	    != NULL; p++)
		series++;
	assert_int_equal(series, METRICS_SLOTS);
	/* two from test_counter_labels, 61 of ours, the rest as (other) */
	assert_int_equal(metrics_get(MC_RULE_HITS, "rule0", NULL), 1);
	assert_int_equal(metrics_get(MC_RULE_HITS, "rule60", NULL), 1);
	assert_int_equal(metrics_get(MC_RULE_HITS, "rule61", NULL), 0);
	assert_int_equal(metrics_get(MC_RULE_HITS, "(other)", NULL),
	    200 - 61 + 1);
	assert_true(has_line(b, "authmilter_rule_hits_total{rule=\"(other)\"} "
	    "140"));
	/* an existing series still counts once the table is full */
	metrics_rule_hit("rule0");
	assert_int_equal(metrics_get(MC_RULE_HITS, "rule0", NULL), 2);
	buf_free(&b);
}

#define NTHREADS 4
#define NLOOPS	 20000

/* bump - one thread's share of the concurrent counting */
static void *
bump(void *arg)
{
	char	 label[16];
	int	 i;

	(void)arg;
	for (i = 0; i < NLOOPS; i++) {
		snprintf(label, sizeof(label), "r%d", i % 3);
		metrics_inc(MC_RELOADS, label, NULL);
		metrics_observe(MH_DNS, (uint64_t)i);
		metrics_gauge_add(MG_SESSIONS, 1);
		metrics_gauge_add(MG_SESSIONS, -1);
	}
	return (NULL);
}

/* test_threads - no count is lost, no slot made twice */
static void
test_threads(void **state)
{
	pthread_t t[NTHREADS];
	uint64_t total;
	int	 i;

	(void)state;
	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, bump, NULL), 0);
	for (i = 0; i < NTHREADS; i++)
		pthread_join(t[i], NULL);
	total = metrics_get(MC_RELOADS, "r0", NULL) +
	    metrics_get(MC_RELOADS, "r1", NULL) +
	    metrics_get(MC_RELOADS, "r2", NULL);
	assert_int_equal(total, NTHREADS * NLOOPS);
	assert_int_equal(metrics_get(MC_RELOADS, "r0", NULL),
	    NTHREADS * ((NLOOPS + 2) / 3));
	assert_int_equal(metrics_hist_count(MH_DNS), NTHREADS * NLOOPS);
	assert_int_equal(metrics_gauge_get(MG_SESSIONS), 0);
}

/* test_format - every line is a comment or NAME{LABELS} VALUE */
static void
test_format(void **state)
{
	static const char *sample = "^[a-z_:][a-z0-9_:]*"
	    "(\\{([a-z_]+=\"([^\"\\\\]|\\\\.)*\",?)+\\})? [0-9]+(\\.[0-9]+)?$";
	static const char *meta = "^# (HELP|TYPE) [a-z_]+ .+$";
	struct buf *b;
	regex_t	 rs, rm;
	char	*copy, *line, *save = NULL;
	int	 nl = 0;

	(void)state;
	metrics_set_build("1.2.3");
	assert_int_equal(regcomp(&rs, sample, REG_EXTENDED | REG_NOSUB), 0);
	assert_int_equal(regcomp(&rm, meta, REG_EXTENDED | REG_NOSUB), 0);
	b = scrape();
	assert_true(has_line(b, "authmilter_build_info{version=\"1.2.3\"} 1"));
	assert_true(has_line(b, "# TYPE authmilter_sessions_active gauge"));
	assert_int_equal(b->data[b->len - 1], '\n');
	copy = strdup(buf_str(b));
	for (line = strtok_r(copy, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save), nl++)
		if (regexec(line[0] == '#' ? &rm : &rs, line, 0, NULL, 0) != 0)
			fail_msg("bad line: %s", line);
	assert_true(nl > 50);
	free(copy);
	regfree(&rs);
	regfree(&rm);
	buf_free(&b);
}

/* test_listen - metrics.listen forms */
static void
test_listen(void **state)
{
	static const struct {
		const char *in;
		int	 ok, family;
		unsigned port;
	} t[] = {
		{"127.0.0.1:9895", 1, 4, 9895},
		{"[::1]:9895", 1, 6, 9895},
		{"[2001:db8::1]:1", 1, 6, 1},
		{"0.0.0.0:65535", 1, 4, 65535},
		{"::1:9895", 0, 0, 0},		/* v6 needs brackets */
		{"127.0.0.1", 0, 0, 0},
		{"127.0.0.1:", 0, 0, 0},
		{"127.0.0.1:0", 0, 0, 0},
		{"127.0.0.1:65536", 0, 0, 0},
		{"127.0.0.1:-1", 0, 0, 0},
		{"127.0.0.1:99x", 0, 0, 0},
		{"localhost:9895", 0, 0, 0},
		{":9895", 0, 0, 0},
		{"[::1:9895", 0, 0, 0},
		{"", 0, 0, 0},
	};
	struct addr a;
	unsigned port;
	size_t	 i;

	(void)state;
	for (i = 0; i < AM_ARRAY_LEN(t); i++) {
		int st = addr_hostport_parse(t[i].in, &a, &port);

		if (t[i].ok != (st == AM_OK))
			fail_msg("%s: status %d", t[i].in, st);
		if (!t[i].ok)
			continue;
		assert_int_equal(port, t[i].port);
		assert_int_equal(a.family == AF_INET ? 4 : 6, t[i].family);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_histogram),
		cmocka_unit_test(test_counter_labels),
		cmocka_unit_test(test_bounded),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_listen),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
