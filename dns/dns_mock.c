/*
 * NAME
 *	dns_mock - the dns.h API over an in-memory zone, for unit tests
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	struct dns *dns_mock_new(void);
 *	void dns_mock_add(struct dns *d, const char *name, int type,
 *	    const char *text);
 *	void dns_mock_fail(struct dns *d, const char *name, int type,
 *	    int status);
 *	unsigned dns_mock_queries(const struct dns *d);
 *	void dns_mock_add_txt(struct dns *d, const char *name,
 *	    const void *data, size_t len);
 *	void dns_mock_delay(struct dns *d, const char *name, unsigned ms);
 * DESCRIPTION
 *	Linked into unit tests instead of dns.c. dns_mock_add() appends one
 *	RR; its text is "192.0.2.1" for A, "2001:db8::1" for AAAA,
 *	"10 mx.example" for MX, the joined string for TXT, a name for PTR,
 *	CNAME and NS. Names compare without case and without a trailing
 *	dot.
 *
 *	dns_query() answers like a server would: the RRs of the type
 *	(following CNAMEs, at most 8), else NODATA (DNS_NOTFOUND,
 *	nxdomain 0) if the name has RRs of another type, else NXDOMAIN.
 *	Names are checked as dns.c does (DNS_PERM). dns_mock_fail() makes
 *	name/type answer with a status instead; DNS_NOTFOUND there means
 *	NXDOMAIN. dns_mock_queries() counts every dns_query() call,
 *	dns_mock_prefetches() every dns_prefetch() call (a no-op here).
 *
 *	dns_mock_add_txt() appends a TXT RR given as bytes, which may hold
 *	NUL as a real answer may. dns_mock_delay() makes every query for a
 *	name sleep first, for time budgets. A message budget bound to the
 *	thread (dns_budget_bind) caps the sleep as it caps dns.c's wait:
 *	past it the query is DNS_TEMP.
 * DIAGNOSTICS
 *	A malformed dns_mock_add() text is a broken test: am_panic().
 * THREADS
 *	One mutex guards the zone; dns_query() is safe from any thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"
#include "dns/dns.h"

#define MOCK_CNAME_MAX	8
#define MOCK_T_DELAY	0		/* not a DNS type: a delay entry */

struct mock_rr {
	char	 name[LIM_DOMAIN];
	int	 type;
	int	 fail;			/* status, or -1 for an RR */
	uint16_t pref;
	unsigned delay;			/* MOCK_T_DELAY: milliseconds */
	size_t	 len;
	unsigned char *data;		/* NUL-terminated */
};

struct dns {
	pthread_mutex_t	 mu;
	struct mock_rr	*rrs;
	size_t		 nrrs;
	size_t		 cap;
	atomic_uint	 queries;
	atomic_uint	 prefetches;
};

/* mock_name - copy a name without its trailing dot, or -1 */
static int
mock_name(const char *name, char *out, size_t outlen)
{
	size_t	 n = strnlen(name, outlen);

	if (n == outlen)
		return (-1);
	if (n > 0 && name[n - 1] == '.')
		n--;
	memcpy(out, name, n);
	out[n] = '\0';
	return (0);
}

/* mock_name_check - the rules of dns.c: DNS_OK or DNS_PERM */
static int
mock_name_check(const char *name, char *out, size_t outlen, struct buf *why)
{
	size_t	 i, label = 0;
	unsigned char c;

	if (mock_name(name, out, outlen) != 0 || strlen(out) > 253)
		return (buf_why(why, DNS_PERM, "name too long"));
	if (*out == '\0')
		return (buf_why(why, DNS_PERM, "empty name"));
	for (i = 0; out[i] != '\0'; i++) {
		c = (unsigned char)out[i];
		if (c == '.') {
			if (label == 0)
				return (buf_why(why, DNS_PERM, "empty label"));
			label = 0;
		} else if (++label > 63)
			return (buf_why(why, DNS_PERM, "label too long"));
	}
	if (label == 0)
		return (buf_why(why, DNS_PERM, "empty label"));
	return (DNS_OK);
}

/* dns_mock_new - an empty zone */
struct dns *
dns_mock_new(void)
{
	struct dns *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		am_panic("dns_mock_new: out of memory");
	pthread_mutex_init(&d->mu, NULL);
	return (d);
}

/* dns_new - unit tests never reach the real resolver: a mock */
struct dns *
dns_new(const char *nameservers, int timeout_ms, struct buf *why)
{
	return (dns_mock_new());
}

/* dns_free - release the zone and clear the caller's pointer */
void
dns_free(struct dns **dp)
{
	struct dns *d;
	size_t	 i;

	if (dp == NULL || (d = *dp) == NULL)
		return;
	*dp = NULL;
	for (i = 0; i < d->nrrs; i++)
		free(d->rrs[i].data);
	free(d->rrs);
	pthread_mutex_destroy(&d->mu);
	free(d);
}

/* mock_push - append one zone entry, under the lock */
static void
mock_push(struct dns *d, const struct mock_rr *rr)
{
	struct mock_rr *n;
	size_t	 cap;

	pthread_mutex_lock(&d->mu);
	if (d->nrrs == d->cap) {
		cap = d->cap == 0 ? 16 : d->cap * 2;
		if ((n = realloc(d->rrs, cap * sizeof(*n))) == NULL)
			am_panic("dns_mock: out of memory");
		d->rrs = n;
		d->cap = cap;
	}
	d->rrs[d->nrrs++] = *rr;
	pthread_mutex_unlock(&d->mu);
}

/* mock_data - RR data from its text form */
static void
mock_data(struct mock_rr *rr, const char *text)
{
	unsigned char bin[16];
	char	*end;
	long	 pref;

	if (rr->type == DNS_T_A || rr->type == DNS_T_AAAA) {
		rr->len = rr->type == DNS_T_A ? 4 : 16;
		if (inet_pton(rr->type == DNS_T_A ? AF_INET : AF_INET6, text,
		    bin) != 1)
			am_panic("dns_mock_add: bad address %s", text);
		text = (const char *)bin;
	} else if (rr->type == DNS_T_MX) {
		pref = strtol(text, &end, 10);
		if (end == text || *end != ' ' || pref < 0 || pref > 65535)
			am_panic("dns_mock_add: bad MX %s", text);
		rr->pref = (uint16_t)pref;
		text = end + 1;
	}
	if (rr->type != DNS_T_A && rr->type != DNS_T_AAAA) {
		rr->len = strlen(text);
		if (rr->type != DNS_T_TXT && rr->len > 0 &&
		    text[rr->len - 1] == '.')
			rr->len--;	/* names lose the trailing dot */
	}
	if ((rr->data = malloc(rr->len + 1)) == NULL)
		am_panic("dns_mock_add: out of memory");
	memcpy(rr->data, text, rr->len);
	rr->data[rr->len] = '\0';
}

/* mock_rr_init - an RR for name/type; fail -1 or the status to give */
static void
mock_rr_init(struct mock_rr *rr, const char *name, int type, int fail)
{
	memset(rr, 0, sizeof(*rr));
	if (mock_name(name, rr->name, sizeof(rr->name)) != 0)
		am_panic("dns_mock: name too long: %.64s", name);
	rr->type = type;
	rr->fail = fail;
}

/* dns_mock_add - append one RR to name/type */
void
dns_mock_add(struct dns *d, const char *name, int type, const char *text)
{
	struct mock_rr rr;

	mock_rr_init(&rr, name, type, -1);
	mock_data(&rr, text);
	mock_push(d, &rr);
}

/* dns_mock_fail - make name/type answer with status */
void
dns_mock_fail(struct dns *d, const char *name, int type, int status)
{
	struct mock_rr rr;

	mock_rr_init(&rr, name, type, status);
	mock_push(d, &rr);
}

/* dns_mock_add_txt - append one TXT RR of len bytes, NUL allowed */
void
dns_mock_add_txt(struct dns *d, const char *name, const void *data,
    size_t len)
{
	struct mock_rr rr;

	mock_rr_init(&rr, name, DNS_T_TXT, -1);
	rr.len = len;
	if ((rr.data = malloc(len + 1)) == NULL)
		am_panic("dns_mock_add_txt: out of memory");
	if (len > 0)
		memcpy(rr.data, data, len);
	rr.data[len] = '\0';
	mock_push(d, &rr);
}

/* dns_mock_delay - every query for name sleeps ms first */
void
dns_mock_delay(struct dns *d, const char *name, unsigned ms)
{
	struct mock_rr rr;

	mock_rr_init(&rr, name, MOCK_T_DELAY, -1);
	rr.delay = ms;
	mock_push(d, &rr);
}

/*
 * mock_sleep - the delay set for name, if any, within the message
 * budget bound to this thread (budget.c): DNS_TEMP when the budget ran
 * out before the answer, as dns.c says
 */
static int
mock_sleep(struct dns *d, const char *name, struct buf *why)
{
	struct timespec ts;
	unsigned ms = 0;
	size_t	 i;
	int	 allow, want, cut;

	pthread_mutex_lock(&d->mu);
	for (i = 0; i < d->nrrs; i++)
		if (d->rrs[i].type == MOCK_T_DELAY &&
		    strcasecmp(d->rrs[i].name, name) == 0)
			ms = d->rrs[i].delay;
	pthread_mutex_unlock(&d->mu);
	want = ms > 0 ? (int)ms : 1;
	if ((allow = dns_budget_wait(want)) == 0)
		return (buf_why(why, DNS_TEMP, "message DNS budget spent"));
	if ((cut = allow < want) != 0)
		ms = (unsigned)allow;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (long)(ms % 1000) * 1000000;
	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
	dns_budget_charge((long)ms, cut);
	if (cut)
		return (buf_why(why, DNS_TEMP, "timeout (message DNS budget "
		    "spent)"));
	return (DNS_OK);
}

/* dns_prefetch - nothing to warm in memory; counted for tests */
void
dns_prefetch(struct dns *d, const char *name, int type)
{
	atomic_fetch_add(&d->prefetches, 1);
}

/* dns_mock_prefetches - dns_prefetch() calls so far */
unsigned
dns_mock_prefetches(const struct dns *d)
{
	return (atomic_load(&d->prefetches));
}

/* dns_mock_queries - dns_query() calls so far */
unsigned
dns_mock_queries(const struct dns *d)
{
	return (atomic_load(&d->queries));
}

/* mock_copy - append one zone RR to an answer */
static int
mock_copy(struct dns_answer *a, const struct mock_rr *z)
{
	struct dns_rr *rr;

	if (a->nrr >= LIM_DNS_RRS)
		return (DNS_OK);
	if (a->rr == NULL &&
	    (a->rr = calloc(LIM_DNS_RRS, sizeof(*a->rr))) == NULL)
		return (DNS_TEMP);
	rr = &a->rr[a->nrr];
	if ((rr->data = malloc(z->len + 1)) == NULL)
		return (DNS_TEMP);
	memcpy(rr->data, z->data, z->len + 1);
	rr->len = z->len;
	rr->type = z->type;
	rr->pref = z->pref;
	rr->ttl = 300;
	a->nrr++;
	return (DNS_OK);
}

/* mock_cname - the CNAME target of name, if any; under the lock */
static const struct mock_rr *
mock_cname(const struct dns *d, const char *name)
{
	size_t	 i;

	for (i = 0; i < d->nrrs; i++)
		if (d->rrs[i].type == DNS_T_CNAME && d->rrs[i].fail < 0 &&
		    strcasecmp(d->rrs[i].name, name) == 0)
			return (&d->rrs[i]);
	return (NULL);
}

/* mock_lookup - answer name/type from the zone; under the lock */
static int
mock_lookup(const struct dns *d, const char *name, int type,
    struct dns_answer *a)
{
	const struct mock_rr *z, *cn;
	size_t	 i, hops;
	int	 seen, st;

	for (hops = 0; hops <= MOCK_CNAME_MAX; hops++) {
		seen = 0;
		for (i = 0; i < d->nrrs; i++) {
			z = &d->rrs[i];
			if (z->type == MOCK_T_DELAY ||
			    strcasecmp(z->name, name) != 0)
				continue;
			seen = 1;
			if (z->type != type)
				continue;
			if (z->fail >= 0) {
				a->nxdomain = z->fail == DNS_NOTFOUND;
				return (z->fail);
			}
			if ((st = mock_copy(a, z)) != DNS_OK)
				return (st);
		}
		if (a->nrr > 0)
			return (DNS_OK);
		if (type == DNS_T_CNAME || (cn = mock_cname(d, name)) == NULL)
			break;
		name = (const char *)cn->data;
	}
	a->nxdomain = !seen;
	return (DNS_NOTFOUND);
}

/* dns_query - answer name/type from the zone; always stores *ans_r */
int
dns_query(struct dns *d, const char *name, int type,
    struct dns_answer **ans_r, struct buf *why)
{
	char	 norm[LIM_DOMAIN] = "";
	struct dns_answer *a;
	int	 st;

	atomic_fetch_add(&d->queries, 1);
	if ((a = calloc(1, sizeof(*a))) == NULL)
		am_panic("dns_mock: out of memory");
	*ans_r = a;
	if ((st = mock_name_check(name, norm, sizeof(norm), why)) == DNS_OK) {
		if ((st = mock_sleep(d, norm, why)) == DNS_OK) {
			pthread_mutex_lock(&d->mu);
			st = mock_lookup(d, norm, type, a);
			pthread_mutex_unlock(&d->mu);
			if (st != DNS_OK)
				buf_why(why, st, "%s", a->nxdomain ?
				    "nxdomain" : st == DNS_NOTFOUND ?
				    "no data" : "mock failure");
		}
	}
	a->status = st;
	log_debug("dns: %s/%d %s", norm, type, dns_status_str(st));
	return (st);
}
