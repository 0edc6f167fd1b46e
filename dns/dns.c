/*
 * NAME
 *	dns - the one libunbound resolver: cache, timeout, status
 * SYNOPSIS
 *	#include "dns/dns.h"
 * DESCRIPTION
 *	See dns.h for the contract. One struct ub_ctx per struct dns holds
 *	the cache every SPF, DKIM and DMARC lookup shares. It forwards to
 *	the configured nameservers ("addr" or "addr@port", which may be on
 *	127.0.0.1: do-not-query-localhost is off) or to those of
 *	/etc/resolv.conf.
 *
 *	A name is checked before it is asked: empty, longer than 253
 *	octets, an empty label or a label over 63 octets is DNS_PERM. Other
 *	bytes are allowed (RFC 2181 11) and passed to libunbound as \DDD
 *	escapes where presentation format gives them a meaning.
 *
 *	Answers are converted from RDATA with bounds checked on every
 *	byte: A/AAAA must have 4/16 bytes; TXT character-strings must fit
 *	their RDATA and are joined, cut at LIM_DNS_TXT; names in MX, PTR,
 *	CNAME and NS RDATA (uncompressed wire form) become text without
 *	the trailing dot, and a label holding NUL or '.' drops the RR. At
 *	most LIM_DNS_RRS RRs are kept. An answer whose RRs were all
 *	malformed is DNS_NOTFOUND.
 * DIAGNOSTICS
 *	dns_new() returns NULL with the reason in why. dns_query() puts
 *	a short reason in why for every status but DNS_OK, and logs
 *	"dns: name/type status" at debug level.
 * THREADS
 *	dns_query() runs from any number of threads at once. Each call
 *	starts one ub_resolve_async() and sleeps on its own condition
 *	variable, with a deadline of timeout_ms on CLOCK_MONOTONIC. One
 *	thread per struct dns polls ub_fd() and a wake-up pipe and calls
 *	ub_process(), which runs the callbacks; a callback fills in the
 *	query record and signals its waiter. No lock is held while
 *	libunbound runs: d->mu guards only the small query records.
 *
 *	A query record has two references, the caller's and the
 *	callback's. On timeout the caller calls ub_cancel(): if that
 *	succeeds the callback will never run and the caller drops both
 *	references; if it fails the answer is being delivered right now
 *	and the callback drops its own. Whoever drops the last frees the
 *	record and any ub_result in it, so a late answer never touches
 *	freed memory.
 *
 *	Metrics (util/metrics): every dns_query() counts one
 *	authmilter_dns_queries_total{type,outcome} (ok, nxdomain, nodata,
 *	servfail, timeout, error, badname) and, when it was asked, its time
 *	in authmilter_dns_query_duration_seconds. libunbound does not say
 *	whether an answer came from its cache, so the cache is not
 *	measured as such: authmilter_dns_prefetch_hits_total counts the
 *	queries for a name and type that one of the last DNS_PF_KEYS
 *	prefetches had asked (each prefetch is counted at most once), i.e.
 *	the answers our prefetching made cached or in flight.
 *
 *	dns_free() must only be called when no dns_query() is running: it
 *	wakes and joins the poll thread, then deletes the context, which
 *	drops cancelled queries still in flight.
 * SEE ALSO
 *	RFC 1035 3.1, 3.3; RFC 7208 4.4; libunbound(3)
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <unbound.h>

#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/metrics.h"
#include "util/thread.h"
#include "dns/dns.h"

#define DNS_NAME_MAX	253		/* RFC 1035 2.3.4, as text */
#define DNS_LABEL_MAX	63
#define DNS_RCODE_SERVFAIL 2
#define DNS_RCODE_NXDOMAIN 3
#define DNS_RCODE_REFUSED 5
#define DNS_PF_KEYS	256		/* prefetches remembered for metrics */

struct dns {
	struct ub_ctx	*ctx;
	int		 timeout_ms;
	pthread_mutex_t	 mu;		/* guards every struct dns_q */
	pthread_t	 thread;
	int		 running;	/* thread was started */
	int		 wake[2];	/* write a byte to stop the thread */
	struct dns_q	*prefetching;	/* prefetches in flight, under mu */
	uint64_t	 pf_keys[DNS_PF_KEYS];	/* recent prefetches, under mu */
	unsigned	 pf_next;
	int		 fails;		/* queries in a row unanswered, mu */
	struct dns_seen	*seen;		/* DNS_SEEN_SLOTS answers, mu */
	int		 down;		/* logged as down, under mu */
	struct timespec	 down_since;	/* monotonic, under mu */
};

/*
 * an answer libunbound has in its cache, as far as we can tell: the
 * hash of name and type, and when its TTL runs out (monotonic seconds)
 */
#define DNS_SEEN_SLOTS	4096
struct dns_seen {
	uint64_t hash;
	time_t	 until;
};

/* one query in flight; refs and the fields below under d->mu */
struct dns_q {
	struct dns	*d;
	pthread_cond_t	 cv;
	int		 refs;		/* caller + callback */
	int		 done;
	int		 err;		/* libunbound error code */
	struct ub_result *res;
	int		 prefetch;	/* on d->prefetching; no waiter */
	struct dns_q	*next, *prev;
};

static struct dns_q *dns_q_new(struct dns *);


/* dns_type_str - mnemonic of the types we ask for, else the number */
static const char *
dns_type_str(int type, char *tmp, size_t len)
{
	switch (type) {
	case DNS_T_A:		return ("A");
	case DNS_T_NS:		return ("NS");
	case DNS_T_CNAME:	return ("CNAME");
	case DNS_T_PTR:		return ("PTR");
	case DNS_T_MX:		return ("MX");
	case DNS_T_TXT:		return ("TXT");
	case DNS_T_AAAA:	return ("AAAA");
	}
	snprintf(tmp, len, "TYPE%d", type);
	return (tmp);
}

/*
 * dns_name_check - name in libunbound's text form, or DNS_PERM
 *
 * Any byte but NUL may stand in a label (RFC 2181 11), and SPF macro
 * expansion makes such names (RFC 7208 7.3): bytes that are special in
 * presentation format are written as \DDD escapes. out needs 4 bytes
 * per byte of name.
 */
static int
dns_name_check(const char *name, char *out, size_t outlen, struct buf *why)
{
	size_t	 n, i, o = 0, label = 0;
	unsigned char c;

	n = strnlen(name, DNS_NAME_MAX + 2);
	if (n > 0 && name[n - 1] == '.')
		n--;
	if (n == 0)
		return (buf_why(why, DNS_PERM, "empty name"));
	if (n > DNS_NAME_MAX || 4 * n >= outlen)
		return (buf_why(why, DNS_PERM, "name too long"));
	for (i = 0; i < n; i++) {
		c = (unsigned char)name[i];
		if (c == '.') {
			if (label == 0)
				return (buf_why(why, DNS_PERM, "empty label"));
			label = 0;
			out[o++] = '.';
			continue;
		}
		if (++label > DNS_LABEL_MAX)
			return (buf_why(why, DNS_PERM, "label too long"));
		if (c <= ' ' || c >= 0x7f || strchr("\\\"();$@", c) != NULL)
			o += (size_t)snprintf(out + o, outlen - o, "\\%03u", c);
		else
			out[o++] = (char)c;
	}
	if (label == 0)
		return (buf_why(why, DNS_PERM, "empty label"));
	out[o] = '\0';
	return (DNS_OK);
}

/* dns_wire_name - uncompressed wire name to text; length or -1 */
static int
dns_wire_name(const unsigned char *p, size_t len, char *out, size_t outlen)
{
	size_t	 i = 0, o = 0, l, k;

	for (;;) {
		if (i >= len)
			return (-1);
		if ((l = p[i++]) == 0)
			break;
		if (l > DNS_LABEL_MAX || l > len - i)
			return (-1);	/* also rejects compression */
		if (o != 0)
			out[o++] = '.';
		if (l + 1 >= outlen - o)
			return (-1);
		for (k = 0; k < l; k++) {
			if (p[i + k] == '\0' || p[i + k] == '.')
				return (-1);
			out[o++] = (char)p[i + k];
		}
		i += l;
	}
	out[o] = '\0';
	return ((int)o);
}

/* dns_txt_len - joined length of TXT character-strings, or -1 */
static long
dns_txt_len(const unsigned char *p, size_t len)
{
	size_t	 i = 0, total = 0;

	if (len == 0)
		return (-1);
	while (i < len) {
		if (p[i] > len - i - 1)
			return (-1);
		total += p[i];
		i += 1 + (size_t)p[i];
	}
	return ((long)total);
}

/* dns_rr_txt - join the character-strings of one TXT RR */
static int
dns_rr_txt(struct dns_rr *rr, const unsigned char *p, size_t len)
{
	size_t	 i = 0, o = 0, n, cap;
	long	 total;

	if ((total = dns_txt_len(p, len)) < 0)
		return (-1);
	cap = (size_t)total > LIM_DNS_TXT ? LIM_DNS_TXT : (size_t)total;
	if ((rr->data = malloc(cap + 1)) == NULL)
		return (-2);
	while (i < len && o < cap) {
		n = p[i];
		if (n > cap - o)
			n = cap - o;
		memcpy(rr->data + o, p + i + 1, n);
		o += n;
		i += 1 + (size_t)p[i];
	}
	rr->data[o] = '\0';
	rr->len = o;
	return (0);
}

/* dns_rr_name - an RR whose data is a name: text copy */
static int
dns_rr_name(struct dns_rr *rr, const unsigned char *p, size_t len)
{
	char	 name[LIM_DOMAIN];
	int	 n;

	if ((n = dns_wire_name(p, len, name, sizeof(name))) < 0)
		return (-1);
	if ((rr->data = malloc((size_t)n + 1)) == NULL)
		return (-2);
	memcpy(rr->data, name, (size_t)n + 1);
	rr->len = (size_t)n;
	return (0);
}

/* dns_rr_raw - an RR kept as bytes, NUL-terminated for safety */
static int
dns_rr_raw(struct dns_rr *rr, const unsigned char *p, size_t len)
{
	if ((rr->data = malloc(len + 1)) == NULL)
		return (-2);
	if (len > 0)
		memcpy(rr->data, p, len);
	rr->data[len] = '\0';
	rr->len = len;
	return (0);
}

/* dns_rr_set - convert one RDATA; 0 ok, -1 malformed, -2 no memory */
static int
dns_rr_set(struct dns_rr *rr, int type, const unsigned char *p, size_t len)
{
	rr->type = type;
	switch (type) {
	case DNS_T_A:
		return (len == 4 ? dns_rr_raw(rr, p, len) : -1);
	case DNS_T_AAAA:
		return (len == 16 ? dns_rr_raw(rr, p, len) : -1);
	case DNS_T_TXT:
		return (dns_rr_txt(rr, p, len));
	case DNS_T_MX:
		if (len < 3)
			return (-1);
		rr->pref = (uint16_t)(p[0] << 8 | p[1]);
		return (dns_rr_name(rr, p + 2, len - 2));
	case DNS_T_PTR:
	case DNS_T_CNAME:
	case DNS_T_NS:
		return (dns_rr_name(rr, p, len));
	default:
		return (dns_rr_raw(rr, p, len));
	}
}

/* dns_convert - status and RRs of a libunbound result */
static int
dns_convert(const struct ub_result *res, int type, struct dns_answer *a,
    struct buf *why)
{
	uint32_t ttl;
	size_t	 n, i;
	int	 rc;

	if (res->rcode == DNS_RCODE_NXDOMAIN) {
		a->nxdomain = 1;
		return (buf_why(why, DNS_NOTFOUND, "nxdomain"));
	}
	if (res->rcode == DNS_RCODE_SERVFAIL)
		return (buf_why(why, DNS_TEMP, "servfail"));
	if (res->rcode == DNS_RCODE_REFUSED)
		return (buf_why(why, DNS_TEMP, "refused"));
	if (res->rcode != 0)
		return (buf_why(why, DNS_TEMP, "rcode %d", res->rcode));
	if (!res->havedata || res->data == NULL || res->data[0] == NULL)
		return (buf_why(why, DNS_NOTFOUND, "no data"));
	for (n = 0; n < LIM_DNS_RRS && res->data[n] != NULL; n++)
		;
	if ((a->rr = calloc(n, sizeof(*a->rr))) == NULL)
		return (buf_why(why, DNS_TEMP, "out of memory"));
	ttl = res->ttl < 0 ? 0 : (uint32_t)res->ttl;
	for (i = 0; i < n; i++) {
		if (res->len[i] < 0)
			continue;
		rc = dns_rr_set(&a->rr[a->nrr], type,
		    (const unsigned char *)res->data[i], (size_t)res->len[i]);
		if (rc == -2)
			return (buf_why(why, DNS_TEMP, "out of memory"));
		if (rc == 0)
			a->rr[a->nrr++].ttl = ttl;
	}
	if (a->nrr == 0)
		return (buf_why(why, DNS_NOTFOUND, "malformed data"));
	return (DNS_OK);
}

/* dns_q_release - drop one reference; the last frees the record */
static void
dns_q_release(struct dns *d, struct dns_q *q)
{
	int	 last;

	pthread_mutex_lock(&d->mu);
	last = --q->refs == 0;
	pthread_mutex_unlock(&d->mu);
	if (!last)
		return;
	if (q->res != NULL)
		ub_resolve_free(q->res);
	pthread_cond_destroy(&q->cv);
	free(q);
}

/* dns_done - libunbound callback (poll thread): wake the caller */
static void
dns_done(void *arg, int err, struct ub_result *res)
{
	struct dns_q *q = arg;
	struct dns *d = q->d;

	pthread_mutex_lock(&d->mu);
	q->err = err;
	q->res = res;
	q->done = 1;
	if (q->prefetch) {
		if (q->prev != NULL)
			q->prev->next = q->next;
		else
			d->prefetching = q->next;
		if (q->next != NULL)
			q->next->prev = q->prev;
	}
	pthread_cond_signal(&q->cv);
	pthread_mutex_unlock(&d->mu);
	dns_q_release(d, q);
}

/* dns_key - hash of a normalised name (any case) and type; never 0 */
static uint64_t
dns_key(const char *norm, int type)
{
	uint64_t h = 14695981039346656037ULL;	/* FNV-1a */
	unsigned char c;

	for (; *norm != '\0'; norm++) {
		c = (unsigned char)*norm;
		h = (h ^ (c >= 'A' && c <= 'Z' ? c + 32 : c)) *
		    1099511628211ULL;
	}
	h = (h ^ (uint64_t)type) * 1099511628211ULL;
	return (h != 0 ? h : 1);
}

/* dns_prefetched - 1 (once) if a recent prefetch asked for norm/type */
static int
dns_prefetched(struct dns *d, const char *norm, int type)
{
	uint64_t k = dns_key(norm, type);
	unsigned i;
	int	 hit = 0;

	pthread_mutex_lock(&d->mu);
	for (i = 0; i < DNS_PF_KEYS && !hit; i++)
		if (d->pf_keys[i] == k) {
			d->pf_keys[i] = 0;
			hit = 1;
		}
	pthread_mutex_unlock(&d->mu);
	return (hit);
}

/*
 * dns_prefetch - start a query whose answer only warms the cache
 *
 * Lookups whose names are known early (MAIL FROM, From:, a
 * DKIM-Signature) start at once and run in parallel; the dns_query()
 * that needs the answer later finds it cached, or joins the query that
 * libunbound still has in flight for the same name and type.
 */
void
dns_prefetch(struct dns *d, const char *name, int type)
{
	char	 norm[LIM_DOMAIN * 4];
	struct dns_q *q;
	int	 id;

	if (dns_name_check(name, norm, sizeof(norm), NULL) != DNS_OK ||
	    (q = dns_q_new(d)) == NULL)
		return;
	q->refs = 1;			/* the callback's only */
	q->prefetch = 1;
	pthread_mutex_lock(&d->mu);
	d->pf_keys[d->pf_next++ % DNS_PF_KEYS] = dns_key(norm, type);
	q->next = d->prefetching;
	if (q->next != NULL)
		q->next->prev = q;
	d->prefetching = q;
	pthread_mutex_unlock(&d->mu);
	if (ub_resolve_async(d->ctx, norm, type, 1, q, dns_done, &id) != 0)
		dns_done(q, 0, NULL);	/* unlink and free */
}

/* dns_q_new - a query record with the caller's and callback's refs */
static struct dns_q *
dns_q_new(struct dns *d)
{
	pthread_condattr_t attr;
	struct dns_q *q;

	if ((q = calloc(1, sizeof(*q))) == NULL)
		return (NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (pthread_cond_init(&q->cv, &attr) != 0) {
		pthread_condattr_destroy(&attr);
		free(q);
		return (NULL);
	}
	pthread_condattr_destroy(&attr);
	q->d = d;
	q->refs = 2;
	return (q);
}

/* dns_deadline - now + ms on the monotonic clock */
static void
dns_deadline(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* dns_ms_since - milliseconds from t0 to now, monotonic */
static long
dns_ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((long)(now.tv_sec - t0->tv_sec) * 1000L +
	    (now.tv_nsec - t0->tv_nsec) / 1000000L);
}

/* dns_seen_hash - FNV-1a of name and type */
static uint64_t
dns_seen_hash(const char *name, int type)
{
	uint64_t h = 1469598103934665603ULL;
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p != '\0'; p++)
		h = (h ^ (*p | 0x20)) * 1099511628211ULL;
	return ((h ^ (uint64_t)type) * 1099511628211ULL);
}

/*
 * dns_health - count queries without an answer; log down and back
 *
 * One err line when DNS_DOWN_AFTER queries in a row got none, one when
 * the first answer comes after that: the operator sees an outage and
 * its end, not a line per query. An answer libunbound had in its cache
 * says nothing about the resolver, so an answer to a name and type
 * answered before within its TTL (a small table of hashes, under d->mu)
 * neither resets the count nor ends an outage.
 */
static void
dns_health(struct dns *d, const char *name, int type,
    const struct ub_result *res, const char *why)
{
	struct dns_seen *slot = NULL;
	struct timespec now;
	uint64_t h;
	long	 secs = 0;
	int	 went_down = 0, came_back = 0, answered, cached = 0;

	answered = res != NULL && res->rcode != DNS_RCODE_SERVFAIL;
	clock_gettime(CLOCK_MONOTONIC, &now);
	pthread_mutex_lock(&d->mu);
	if (answered && d->seen != NULL) {
		h = dns_seen_hash(name, type);
		slot = &d->seen[h % DNS_SEEN_SLOTS];
		cached = slot->hash == h && slot->until > now.tv_sec;
		if (!cached) {
			slot->hash = h;
			slot->until = now.tv_sec + (res->ttl > 0 ?
			    res->ttl : 0);
		}
	}
	if (answered && !cached) {
		d->fails = 0;
		if (d->down) {
			d->down = 0;
			came_back = 1;
			secs = (long)(now.tv_sec - d->down_since.tv_sec);
		}
	} else if (!answered && ++d->fails >= DNS_DOWN_AFTER && !d->down) {
		d->down = 1;
		d->down_since = now;
		went_down = 1;
	}
	pthread_mutex_unlock(&d->mu);
	if (went_down)
		log_err("dns: resolver down: %d queries in a row got no "
		    "answer (last: %s); checks that need DNS are temperror "
		    "until it answers", DNS_DOWN_AFTER, why);
	if (came_back)
		log_err("dns: resolver back: answering again after %lds "
		    "without answers", secs);
}

/*
 * dns_resolve - one asynchronous query, waited for up to the timeout
 *
 * The wait is also capped by the calling thread's message budget
 * (budget.c); a query with no budget left is not sent.
 */
static int
dns_resolve(struct dns *d, const char *name, int type,
    struct ub_result **res_r, int *timedout_r, struct buf *why)
{
	struct timespec until, t0;
	struct dns_q *q;
	int	 id = 0, rc, done, err = 0, wait_ms;

	*res_r = NULL;
	if ((wait_ms = dns_budget_wait(d->timeout_ms)) == 0)
		return (buf_why(why, DNS_TEMP, "message DNS budget spent"));
	if ((q = dns_q_new(d)) == NULL)
		return (buf_why(why, DNS_TEMP, "out of memory"));
	rc = ub_resolve_async(d->ctx, name, type, 1, q, dns_done, &id);
	if (rc != 0) {
		q->refs = 1;		/* no callback will come */
		dns_q_release(d, q);
		return (buf_why(why, DNS_TEMP, "%s", ub_strerror(rc)));
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	dns_deadline(&until, wait_ms);
	pthread_mutex_lock(&d->mu);
	while (!q->done && rc == 0)
		rc = pthread_cond_timedwait(&q->cv, &d->mu, &until);
	if ((done = q->done) != 0) {
		*res_r = q->res;
		q->res = NULL;
		err = q->err;
	}
	pthread_mutex_unlock(&d->mu);
	if (!done && ub_cancel(d->ctx, id) == 0)
		dns_q_release(d, q);	/* the callback's: it will not run */
	dns_q_release(d, q);
	dns_budget_charge(dns_ms_since(&t0), !done && wait_ms < d->timeout_ms);
	*timedout_r = !done;
	if (!done) {
		if (wait_ms < d->timeout_ms)
			return (buf_why(why, DNS_TEMP, "timeout (message DNS "
			    "budget spent)"));
		dns_health(d, name, type, NULL, "timeout");
		return (buf_why(why, DNS_TEMP, "timeout"));
	}
	if (err != 0 || *res_r == NULL) {
		dns_health(d, name, type, NULL, ub_strerror(err));
		return (buf_why(why, DNS_TEMP, "%s", ub_strerror(err)));
	}
	dns_health(d, name, type, *res_r, "servfail");
	return (DNS_OK);
}

/* dns_outcome - the outcome label of a query, for metrics */
static const char *
dns_outcome(int st, int nxdomain, int rcode, int timedout)
{
	switch (st) {
	case DNS_OK:
		return ("ok");
	case DNS_NOTFOUND:
		return (nxdomain ? "nxdomain" : "nodata");
	case DNS_PERM:
		return ("badname");
	}
	if (timedout)
		return ("timeout");
	return (rcode == DNS_RCODE_SERVFAIL ? "servfail" : "error");
}

/* dns_query - resolve name/type; always stores an answer in *ans_r */
int
dns_query(struct dns *d, const char *name, int type,
    struct dns_answer **ans_r, struct buf *why)
{
	char	 norm[LIM_DOMAIN * 4], esc[LIM_DOMAIN * 4], tmp[16];
	struct ub_result *res;
	struct dns_answer *a;
	struct timespec t0;
	int	 st, rcode = 0, timedout = 0;

	if ((a = calloc(1, sizeof(*a))) == NULL) {
		*ans_r = dns_answer_oom();
		return (buf_why(why, DNS_TEMP, "out of memory"));
	}
	st = dns_name_check(name, norm, sizeof(norm), why);
	if (st == DNS_OK) {
		if (dns_prefetched(d, norm, type))
			metrics_inc(MC_DNS_PREFETCH_HITS, NULL, NULL);
		metrics_now(&t0);
		st = dns_resolve(d, norm, type, &res, &timedout, why);
		metrics_observe(MH_DNS, metrics_usec_since(&t0));
	}
	if (st == DNS_OK) {
		rcode = res->rcode;
		st = dns_convert(res, type, a, why);
		ub_resolve_free(res);
	}
	a->status = st;
	metrics_inc(MC_DNS_QUERIES, dns_type_str(type, tmp, sizeof(tmp)),
	    dns_outcome(st, a->nxdomain, rcode, timedout));
	*ans_r = a;
	log_debug("dns: %s/%s %s",
	    log_escape(esc, sizeof(esc), name, strnlen(name, LIM_DOMAIN)),
	    dns_type_str(type, tmp, sizeof(tmp)), dns_status_str(st));
	return (st);
}

/* dns_loop - the poll thread: run callbacks as answers arrive */
static void *
dns_loop(void *arg)
{
	const struct timespec pause = { 0, 100 * 1000000L };
	struct dns *d = arg;
	struct pollfd pfd[2];
	int	 rc;

	pfd[0].fd = ub_fd(d->ctx);
	pfd[0].events = POLLIN;
	pfd[1].fd = d->wake[0];
	pfd[1].events = POLLIN;
	for (;;) {
		if (poll(pfd, 2, -1) < 0) {
			if (errno != EINTR) {
				log_err("dns: poll: %m");
				nanosleep(&pause, NULL);
			}
			continue;
		}
		if (pfd[1].revents != 0)
			break;
		if (pfd[0].revents != 0 && (rc = ub_process(d->ctx)) != 0) {
			log_err("dns: ub_process: %s", ub_strerror(rc));
			nanosleep(&pause, NULL);	/* do not spin */
		}
	}
	return (NULL);
}

/* dns_set_fwd - forward to each of "addr[@port] ..." */
static int
dns_set_fwd(struct ub_ctx *ctx, const char *list, struct buf *why)
{
	char	 tok[128];
	size_t	 n;
	int	 count = 0, rc;

	while (*list != '\0') {
		list += strspn(list, " \t,");
		if ((n = strcspn(list, " \t,")) == 0)
			break;
		if (n >= sizeof(tok))
			return (buf_why(why, AM_PERM, "nameserver too long"));
		memcpy(tok, list, n);
		tok[n] = '\0';
		list += n;
		if ((rc = ub_ctx_set_fwd(ctx, tok)) != 0)
			return (buf_why(why, AM_PERM, "nameserver %s: %s",
			    tok, ub_strerror(rc)));
		count++;
	}
	if (count == 0)
		return (buf_why(why, AM_PERM, "no nameserver"));
	return (AM_OK);
}

/*
 * dns_reverse_zones - let the site's resolver answer private reverse zones
 *
 * libunbound answers some reverse zones itself (RFC 6303: RFC 1918 and
 * the documentation ranges) with NXDOMAIN. We are a stub that forwards
 * to the site's resolver, which is the one that knows the PTR records
 * of its own and its lab's networks (iprev, MX audits), so those
 * questions go to it.
 */
static int
dns_reverse_zones(struct ub_ctx *ctx, struct buf *why)
{
	static const char *const zones[] = {
		"2.0.192.in-addr.arpa. nodefault",	/* 192.0.2.0/24 */
		"100.51.198.in-addr.arpa. nodefault",	/* 198.51.100.0/24 */
		"113.0.203.in-addr.arpa. nodefault",	/* 203.0.113.0/24 */
		"8.b.d.0.1.0.0.2.ip6.arpa. nodefault",	/* 2001:db8::/32 */
	};
	size_t	 i;
	int	 rc;

	if ((rc = ub_ctx_set_option(ctx, "unblock-lan-zones:", "yes")) != 0)
		return (buf_why(why, AM_PERM, "unblock-lan-zones: %s",
		    ub_strerror(rc)));
	for (i = 0; i < sizeof(zones) / sizeof(zones[0]); i++)
		if ((rc = ub_ctx_set_option(ctx, "local-zone:", zones[i])) != 0)
			return (buf_why(why, AM_PERM, "local-zone %s: %s",
			    zones[i], ub_strerror(rc)));
	return (AM_OK);
}

/*
 * dns_infra_opts - recover from a resolver outage in seconds
 *
 * libunbound remembers each server's round-trip time and whether it
 * answers in its infra cache. After an outage the server's entry says
 * "down" and its timeout has backed off to infra-cache-max-rtt (2 min
 * by default); without probing it is asked again only when the entry
 * expires after infra-host-ttl (15 min): mail tempfailed for minutes
 * after the resolver was back. So: keep probing a server that is down,
 * cap the backed-off timeout, and forget a server's state quickly.
 */
static const char *const dns_infra_opts[][2] = {
	{"infra-keep-probing:", "yes"},
	{"infra-host-ttl:", "5"},
	{"infra-cache-max-rtt:", "3000"},
};

/* dns_ctx_setup - threads, forwarders, localhost allowed, infra */
static int
dns_ctx_setup(struct ub_ctx *ctx, const char *nameservers, struct buf *why)
{
	size_t	 i;
	int	 rc;

	if ((rc = ub_ctx_async(ctx, 1)) != 0)
		return (buf_why(why, AM_PERM, "ub_ctx_async: %s",
		    ub_strerror(rc)));
	rc = ub_ctx_set_option(ctx, "do-not-query-localhost:", "no");
	if (rc != 0)
		return (buf_why(why, AM_PERM, "do-not-query-localhost: %s",
		    ub_strerror(rc)));
	if (dns_reverse_zones(ctx, why) != AM_OK)
		return (AM_PERM);
	for (i = 0; i < AM_ARRAY_LEN(dns_infra_opts); i++)
		if ((rc = ub_ctx_set_option(ctx, dns_infra_opts[i][0],
		    dns_infra_opts[i][1])) != 0)
			return (buf_why(why, AM_PERM, "%s %s: %s",
			    dns_infra_opts[i][0], dns_infra_opts[i][1],
			    ub_strerror(rc)));
	if (nameservers != NULL && *nameservers != '\0')
		return (dns_set_fwd(ctx, nameservers, why));
	if ((rc = ub_ctx_resolvconf(ctx, NULL)) != 0)
		return (buf_why(why, AM_PERM, "resolv.conf: %s",
		    ub_strerror(rc)));
	return (AM_OK);
}

/* dns_thread_start - start the poll thread with every signal blocked */
static int
dns_thread_start(struct dns *d)
{
	int	 rc;

	rc = thread_start(&d->thread, dns_loop, d);
	if (rc == 0)
		d->running = 1;
	return (rc);
}

/* dns_new - the process-wide resolver */
struct dns *
dns_new(const char *nameservers, int timeout_ms, struct buf *why)
{
	struct dns *d;

	if (timeout_ms <= 0) {
		buf_why(why, AM_PERM, "dns timeout must be positive");
		return (NULL);
	}
	if ((d = calloc(1, sizeof(*d))) == NULL) {
		buf_why(why, AM_TEMP, "out of memory");
		return (NULL);
	}
	d->timeout_ms = timeout_ms;
	d->wake[0] = d->wake[1] = -1;
	d->seen = calloc(DNS_SEEN_SLOTS, sizeof(*d->seen));	/* or none */
	pthread_mutex_init(&d->mu, NULL);
	if ((d->ctx = ub_ctx_create()) == NULL) {
		buf_why(why, AM_TEMP, "ub_ctx_create failed");
		goto fail;
	}
	if (dns_ctx_setup(d->ctx, nameservers, why) != AM_OK)
		goto fail;
	if (pipe2(d->wake, O_CLOEXEC) != 0) {
		buf_why(why, AM_TEMP, "pipe: %m");
		goto fail;
	}
	if (dns_thread_start(d) != 0) {
		buf_why(why, AM_TEMP, "cannot start the resolver thread");
		goto fail;
	}
	return (d);
fail:
	dns_free(&d);
	return (NULL);
}

/* dns_free - stop the poll thread, drop the cache, clear the pointer */
void
dns_free(struct dns **dp)
{
	struct dns *d;
	struct dns_q *q;
	ssize_t	 n;

	if (dp == NULL || (d = *dp) == NULL)
		return;
	*dp = NULL;
	if (d->running) {
		do
			n = write(d->wake[1], "x", 1);
		while (n < 0 && errno == EINTR);
		pthread_join(d->thread, NULL);
	}
	if (d->ctx != NULL)
		ub_ctx_delete(d->ctx);	/* drops queries in flight */
	while ((q = d->prefetching) != NULL) {
		d->prefetching = q->next;
		if (q->res != NULL)
			ub_resolve_free(q->res);
		pthread_cond_destroy(&q->cv);
		free(q);
	}
	if (d->wake[0] >= 0)
		close(d->wake[0]);
	if (d->wake[1] >= 0)
		close(d->wake[1]);
	pthread_mutex_destroy(&d->mu);
	free(d->seen);
	free(d);
}
