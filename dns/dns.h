/*
 * NAME
 *	dns - the one resolver for SPF, DKIM and DMARC
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	struct dns *dns_new(const char *nameservers, int timeout_ms,
 *	    struct buf *why);
 *	void dns_free(struct dns **dp);
 *	int dns_query(struct dns *d, const char *name, int type,
 *	    struct dns_answer **ans_r, struct buf *why);
 *	void dns_answer_free(struct dns_answer **ap);
 *	const char *dns_status_str(int status);
 *	struct dns *dns_mock_new(void);
 *	struct dns_answer *dns_answer_oom(void);
 *	unsigned dns_mock_prefetches(const struct dns *d);
 *	unsigned dns_mock_queries(const struct dns *d);
 *	void dns_mock_add(struct dns *d, const char *name, int type,
 *	    const char *text);
 *	void dns_mock_add_txt(struct dns *d, const char *name,
 *	    const void *data, size_t len);
 *	void dns_mock_delay(struct dns *d, const char *name, unsigned ms);
 *	void dns_mock_fail(struct dns *d, const char *name, int type,
 *	    int status);
 *	void dns_prefetch(struct dns *d, const char *name, int type);
 *	int dns_budget_wait(int timeout_ms);
 *	void dns_budget_bind(struct dns_budget *b);
 *	void dns_budget_charge(long waited_ms, int cut);
 *	void dns_budget_start(struct dns_budget *b, int ms);
 * DESCRIPTION
 *	dns_new() makes one process-wide resolver: libunbound, forwarding to
 *	nameservers (space-separated "addr" or "addr@port"; NULL or "" means
 *	the system's /etc/resolv.conf), with one cache and a timeout per
 *	query of timeout_ms. A query that has no answer by then is DNS_TEMP.
 *
 *	dns_query() resolves name/type (type: DNS_T_* below) and always
 *	stores an answer in *ans_r, which the caller frees, even when the
 *	status is not DNS_OK. Returns, and stores in ans->status:
 *	DNS_OK		at least one RR of the type (after CNAMEs)
 *	DNS_NOTFOUND	NXDOMAIN (ans->nxdomain set) or no RR of the type
 *	DNS_TEMP	SERVFAIL, timeout, network trouble
 *	DNS_PERM	the name itself is unusable (too long, bad label)
 *
 *	RR data: A 4 bytes, AAAA 16 bytes (network order); TXT the
 *	character-strings of one RR concatenated, NUL-terminated, len
 *	without the NUL; MX the exchange name (pref holds the preference);
 *	PTR/CNAME/NS the name. Names are text without the trailing dot.
 *
 *	dns_prefetch() starts a lookup and returns at once; the answer
 *	only fills the cache, so a later dns_query() for the same name and
 *	type does not wait a second round trip. Lookups whose names are
 *	known early are started in parallel this way.
 *
 *	dns_mock.c implements the same API over an in-memory zone, for unit
 *	tests only: dns_mock_new(), dns_mock_add(), dns_mock_fail().
 *
 *	A per-message time budget (budget.c, dns_budget_*()) caps the
 *	total time a message's dns_query() calls wait: a query past it is
 *	DNS_TEMP at once ("budget spent").
 *
 *	Resolver health: after DNS_DOWN_AFTER queries in a row that got
 *	no answer (timeout, SERVFAIL, network error) dns.c logs one err
 *	line "dns: resolver down: ..."; at the first answer after that, one
 *	err line "dns: resolver back: ...".
 * THREADS
 *	dns_query() is safe from any thread; one struct dns is shared.
 * SEE ALSO
 *	RFC 1035, RFC 7208 4.4 (DNS errors in SPF), libunbound(3)
 */
#ifndef AM_DNS_H
#define AM_DNS_H

#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

#define DNS_OK		0
#define DNS_NOTFOUND	1
#define DNS_TEMP	2
#define DNS_PERM	3

#define DNS_T_A		1
#define DNS_T_NS	2
#define DNS_T_CNAME	5
#define DNS_T_PTR	12
#define DNS_T_MX	15
#define DNS_T_TXT	16
#define DNS_T_AAAA	28

struct dns;

/* queries in a row without an answer before the resolver is "down" */
#define DNS_DOWN_AFTER	5

/* one message's DNS time budget (budget.c) */
struct dns_budget {
	int	 total_ms;		/* 0: no limit */
	long	 used_ms;		/* waited so far */
	int	 spent;			/* a query was cut short or refused */
};

struct dns_rr {
	int	 type;
	uint32_t ttl;
	uint16_t pref;			/* MX only */
	size_t	 len;
	unsigned char *data;		/* NUL-terminated for text types */
};

struct dns_answer {
	int	 status;		/* DNS_* */
	int	 nxdomain;		/* NXDOMAIN, as opposed to NODATA */
	size_t	 nrr;
	struct dns_rr *rr;
};

struct dns *dns_new(const char *nameservers, int timeout_ms, struct buf *why);
void	dns_free(struct dns **dp);
int	dns_query(struct dns *d, const char *name, int type,
	    struct dns_answer **ans_r, struct buf *why);
void	dns_answer_free(struct dns_answer **ap);
struct dns_answer *dns_answer_oom(void);
void	dns_prefetch(struct dns *d, const char *name, int type);
const char *dns_status_str(int status);

void	dns_budget_start(struct dns_budget *b, int ms);
void	dns_budget_bind(struct dns_budget *b);
int	dns_budget_wait(int timeout_ms);
void	dns_budget_charge(long waited_ms, int cut);

/* dns_mock.c only (unit tests): an in-memory zone */
struct dns *dns_mock_new(void);
/* text forms: A/AAAA "192.0.2.1", TXT the string, MX "10 mx.example" */
void	dns_mock_add(struct dns *d, const char *name, int type,
	    const char *text);
/* make name/type answer with status (DNS_TEMP, DNS_PERM, DNS_NOTFOUND) */
void	dns_mock_fail(struct dns *d, const char *name, int type, int status);
/* number of dns_query() calls so far */
unsigned dns_mock_queries(const struct dns *d);
/* one TXT RR of len bytes, which may hold NUL */
void	dns_mock_add_txt(struct dns *d, const char *name, const void *data,
	    size_t len);
/* make every query for name (any type) sleep ms milliseconds first */
void	dns_mock_delay(struct dns *d, const char *name, unsigned ms);
/* number of dns_prefetch() calls so far */
unsigned dns_mock_prefetches(const struct dns *d);

#endif
