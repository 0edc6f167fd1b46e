/*
 * NAME
 *	spfdns - libspf2's DNS layer for one check_host() run
 * SYNOPSIS
 *	#include "auth/spfdns.h"
 * DESCRIPTION
 *	See spfdns.h. Status mapping for libspf2: DNS_TEMP is TRY_AGAIN
 *	(temperror), NXDOMAIN is HOST_NOT_FOUND, NODATA is NO_DATA, a
 *	malformed name (DNS_PERM) is NO_RECOVERY: no match, as for a name
 *	that does not exist. The obsolete SPF RR type (99) is answered
 *	NO_DATA without a query (RFC 7208 3.1).
 *
 *	A record fetch returns SPF_E_NOT_SPF when there is no SPF record
 *	(libspf2: none at the top, permerror for include and redirect),
 *	SPF_E_DNS_ERROR on a temporary failure (temperror), anything else
 *	after stopping the run with permerror.
 *
 *	The marker for "any address" is "%am" and 16 hex digits, fresh for
 *	each run (arc4random), as the last label: "%" cannot come out of a
 *	record's literal text except as our "%%", and a peer cannot guess
 *	the digits to fake one through a macro.
 * SEE ALSO
 *	RFC 7208 3.1, 4.3, 4.4, 4.5, 4.6.4, 5, 6
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <spf2/spf.h>

#include "util/am.h"
#include "util/addr.h"
#include "util/buf.h"
#include "util/limits.h"
#include "dns/dns.h"
#include "auth/result.h"
#include "auth/spfrec.h"
#include "auth/spfdns.h"

#define SPF_TERMS_MAX	10		/* RFC 7208 4.6.4 */
#define SPF_VOID_MAX	2		/* RFC 7208 4.6.4 */
#define SPF_FOLLOW_MAX	10		/* 4.6.4; libspf2 max_dns_mx, _ptr */
#define SPF_MARK_LEN	19		/* "%am" and 16 hex digits */
#define SPF_NAME_MAX	(LIM_DOMAIN + SPF_MARK_LEN + 1)
#define SPF_TEXT_MAX	(4 * LIM_DNS_TXT)

struct spf_run {
	SPF_dns_server_t layer;		/* hook points back here */
	struct dns	*dns;		/* borrowed */
	struct addr	 client;
	struct timespec	 deadline;	/* tv_sec 0: none */
	int		 terms;		/* DNS-querying terms so far */
	int		 voids;
	int		 records;	/* SPF records fetched */
	int		 nmech;		/* mechanisms in text */
	enum spf_res	 stop;		/* NONE: go on */
	char		 why[LIM_REASON];
	char		 mark[SPF_MARK_LEN + 1];	/* "%am<hex>" */
	int		 nfollow;	/* names of the last MX/PTR answer */
	int		 ifollow;	/* next one to be looked up */
	char		 follow[SPF_FOLLOW_MAX][LIM_DOMAIN];
	bool		 follow_any;	/* they were marked */
	struct buf	*text;		/* the record libspf2 gets */
	struct spfrec	 rec;
};

static const char *const spf_mech_names[] = {
	"all", "include", "a", "mx", "ptr", "ip4", "ip6", "exists",
};

/* spf_stop - end the evaluation with res; the first reason wins */
static void
spf_stop(struct spf_run *run, enum spf_res res, const char *why)
{
	if (run->stop != SPF_RES_NONE)
		return;
	run->stop = res;
	snprintf(run->why, sizeof(run->why), "%s", why);
}

/* spf_late - is the time budget spent (stops the run) */
static bool
spf_late(struct spf_run *run)
{
	struct timespec now;

	if (run->deadline.tv_sec == 0)
		return (false);
	clock_gettime(CLOCK_MONOTONIC, &now);
	if (now.tv_sec < run->deadline.tv_sec ||
	    (now.tv_sec == run->deadline.tv_sec &&
	    now.tv_nsec < run->deadline.tv_nsec))
		return (false);
	spf_stop(run, SPF_RES_TEMPERROR, "SPF time budget exhausted");
	return (true);
}

/* spf_term - count one DNS-querying term; false once over the limit */
static bool
spf_term(struct spf_run *run)
{
	if (++run->terms > SPF_TERMS_MAX)
		spf_stop(run, SPF_RES_PERMERROR, "too many DNS lookups");
	return (run->stop == SPF_RES_NONE && !spf_late(run));
}

/* spf_unmark - copy name without our marker; true if it had one */
static bool
spf_unmark(const struct spf_run *run, const char *name, char *out,
    size_t outlen)
{
	size_t	 n = strlen(name), m = strlen(run->mark);

	snprintf(out, outlen, "%s", name);
	if (n <= m + 1 || name[n - m - 1] != '.' ||
	    strcasecmp(name + n - m, run->mark) != 0)
		return (false);
	out[n - m - 1 < outlen ? n - m - 1 : outlen - 1] = '\0';
	return (true);
}

/* spf_is_follow - the next address lookup of the last MX/PTR answer */
static bool
spf_is_follow(struct spf_run *run, const char *name, int qtype)
{
	if ((qtype == DNS_T_A || qtype == DNS_T_AAAA) &&
	    run->ifollow < run->nfollow &&
	    strcasecmp(run->follow[run->ifollow], name) == 0) {
		run->ifollow++;
		return (true);
	}
	run->nfollow = run->ifollow = 0;
	return (false);
}

/* spf_note - after a term's lookup: void count, names to follow */
static void
spf_note(struct spf_run *run, int qtype, int st, const struct dns_answer *ans,
    bool any)
{
	size_t	 i;

	if (qtype == DNS_T_MX || qtype == DNS_T_PTR) {
		run->nfollow = run->ifollow = 0;
		run->follow_any = any;
		for (i = 0; st == DNS_OK && i < ans->nrr &&
		    run->nfollow < SPF_FOLLOW_MAX; i++)
			snprintf(run->follow[run->nfollow++], LIM_DOMAIN, "%s",
			    (const char *)ans->rr[i].data);
	}
	if (st == DNS_NOTFOUND && ++run->voids > SPF_VOID_MAX)
		spf_stop(run, SPF_RES_PERMERROR, "too many void DNS lookups");
}

/* spf_herrno - h_errno for libspf2 from our status */
static SPF_dns_stat_t
spf_herrno(int st, const struct dns_answer *ans)
{
	switch (st) {
	case DNS_OK:
		return (NETDB_SUCCESS);
	case DNS_NOTFOUND:
		return (ans->nxdomain ? HOST_NOT_FOUND : NO_DATA);
	case DNS_PERM:
		return (NO_RECOVERY);
	default:
		return (TRY_AGAIN);
	}
}

/* spf_rr_one - store one RR's data at rr->rr[n]; -1 on no memory */
static int
spf_rr_one(SPF_dns_rr_t *rr, int n, int qtype, const void *data, size_t len,
    const char *mark)
{
	size_t	 size = qtype == DNS_T_A || qtype == DNS_T_AAAA ? len :
		    len + (mark != NULL ? strlen(mark) + 1 : 0) + 1;

	if (SPF_dns_rr_buf_realloc(rr, n, size) != SPF_E_SUCCESS)
		return (-1);
	if (qtype == DNS_T_A)
		memcpy(&rr->rr[n]->a, data, 4);
	else if (qtype == DNS_T_AAAA)
		memcpy(&rr->rr[n]->aaaa, data, 16);
	else
		snprintf(rr->rr[n]->txt, size, "%s%s%s", (const char *)data,
		    mark != NULL ? "." : "", mark != NULL ? mark : "");
	rr->num_rr = n + 1;
	return (0);
}

/* spf_rr_fill - our RRs into libspf2's; "any": the client's address
 * for an address lookup, marked names for MX; -1 on no memory */
static int
spf_rr_fill(struct spf_run *run, SPF_dns_rr_t *rr,
    const struct dns_answer *ans, int qtype, bool any)
{
	const struct dns_rr *d;
	size_t	 i, want = qtype == DNS_T_A ? 4 : 16;
	int	 n = 0;

	for (i = 0; i < ans->nrr && n < LIM_DNS_RRS; i++) {
		d = &ans->rr[i];
		if ((qtype == DNS_T_A || qtype == DNS_T_AAAA) && d->len != want)
			continue;
		if (qtype == DNS_T_PTR && n >= SPF_FOLLOW_MAX)
			break;			/* 4.6.4: ignore the rest */
		if (any && (qtype == DNS_T_A || qtype == DNS_T_AAAA))
			return (spf_rr_one(rr, 0, qtype, run->client.bytes,
			    want, NULL));
		if (spf_rr_one(rr, n++, qtype, d->data, d->len,
		    any && qtype == DNS_T_MX ? run->mark : NULL) != 0)
			return (-1);
	}
	if (n == 0)
		rr->herrno = NO_DATA;
	return (0);
}

/* spf_dns_lookup - libspf2's DNS layer: one dns_query() */
static SPF_dns_rr_t *
spf_dns_lookup(SPF_dns_server_t *layer, const char *domain, ns_type type,
    int should_cache)
{
	struct spf_run *run = layer->hook;
	struct dns_answer *ans;
	SPF_dns_rr_t *rr;
	char	 name[SPF_NAME_MAX];
	int	 st, qtype = (int)type;
	bool	 any, follow;

	if (qtype != DNS_T_A && qtype != DNS_T_AAAA && qtype != DNS_T_MX &&
	    qtype != DNS_T_PTR)
		return (SPF_dns_rr_new_init(layer, domain, type, 0, NO_DATA));
	any = spf_unmark(run, domain != NULL ? domain : "", name, sizeof(name));
	follow = spf_is_follow(run, name, qtype);
	any = any || (follow && run->follow_any);
	if (run->stop != SPF_RES_NONE || (!follow && !spf_term(run)) ||
	    spf_late(run))
		return (SPF_dns_rr_new_init(layer, domain, type, 0, TRY_AGAIN));
	st = dns_query(run->dns, name, qtype, &ans, NULL);
	if (!follow)
		spf_note(run, qtype, st, ans, any);
	rr = SPF_dns_rr_new_init(layer, domain, type,
	    ans->nrr > 0 ? (int)ans->rr[0].ttl : 0,
	    run->stop != SPF_RES_NONE ? TRY_AGAIN : spf_herrno(st, ans));
	if (rr != NULL && rr->herrno == NETDB_SUCCESS &&
	    spf_rr_fill(run, rr, ans, qtype, any) != 0) {
		rr->num_rr = 0;
		rr->herrno = TRY_AGAIN;
	}
	dns_answer_free(&ans);
	return (rr);
}

/* spf_ip_match - does the client lie in an ip4/ip6 term's network */
static bool
spf_ip_match(const struct spf_run *run, const struct spfrec_term *t)
{
	struct cidr c;
	char	 tmp[64];
	int	 v6 = t->kind == SPFREC_IP6;

	if (run->client.family != (v6 ? AF_INET6 : AF_INET) ||
	    t->arglen >= sizeof(tmp))
		return (false);
	memset(&c, 0, sizeof(c));
	memcpy(tmp, t->arg, t->arglen);
	tmp[t->arglen] = '\0';
	if (inet_pton(v6 ? AF_INET6 : AF_INET, tmp, c.net.bytes) != 1)
		return (false);
	c.net.family = v6 ? AF_INET6 : AF_INET;
	c.bits = v6 ? (t->cidr6 >= 0 ? t->cidr6 : 128) :
	    (t->cidr4 >= 0 ? t->cidr4 : 32);
	return (cidr_match(&c, &run->client) != 0);
}

/* spf_text_ip - an ip4/ip6 term, matched here (libspf2 refuses /0):
 * a term that matches the client, or nothing */
static int
spf_text_ip(struct spf_run *run, const struct spfrec_term *t)
{
	char	 ip[ADDR_STRLEN];

	if (!spf_ip_match(run, t))
		return (AM_OK);
	if (run->client.family == AF_INET6) {
		run->nmech += 2;
		return (buf_printf(run->text, " %cip6:::/1 %cip6:8000::/1",
		    t->qual, t->qual));
	}
	addr_format(&run->client, ip, sizeof(ip));
	run->nmech++;
	return (buf_printf(run->text, " %cip4:%s", t->qual, ip));
}

/* spf_text_term - one mechanism as libspf2 gets it */
static int
spf_text_term(struct spf_run *run, const struct spfrec_term *t)
{
	int	 v6 = run->client.family == AF_INET6, cidr, st;

	if (t->kind == SPFREC_IP4 || t->kind == SPFREC_IP6)
		return (spf_text_ip(run, t));
	cidr = v6 ? t->cidr6 : t->cidr4;
	run->nmech++;
	st = buf_printf(run->text, " %c%s", t->qual,
	    spf_mech_names[t->kind]);
	if (t->kind != SPFREC_A && t->kind != SPFREC_MX)
		cidr = -1;
	if (st == AM_OK && (t->arg != NULL || cidr == 0)) {
		st = buf_putc(run->text, ':');
		if (st == AM_OK)
			st = t->arg != NULL ? spfrec_spec_norm(t->arg,
			    t->arglen, run->text) : buf_puts(run->text, "%{d}");
		if (st == AM_OK && cidr == 0)	/* "any address" */
			st = buf_printf(run->text, ".%%%s", run->mark);
	}
	if (st == AM_OK && cidr > 0)
		st = buf_printf(run->text, v6 ? "//%d" : "/%d", cidr);
	return (st);
}

/* spf_text - the checked record as libspf2 gets it (see spfdns.h) */
static int
spf_text(struct spf_run *run)
{
	const struct spfrec *r = &run->rec;
	const struct spfrec_term *t;
	int	 i, n, st;

	buf_reset(run->text);
	run->nmech = 0;
	st = buf_puts(run->text, "v=spf1");
	for (i = 0; i < r->nterms && st == AM_OK; i++) {
		t = &r->term[i];
		if (t->kind >= SPFREC_REDIRECT)
			continue;
		n = run->nmech;
		st = spf_text_term(run, t);
		if (t->kind == SPFREC_ALL || (run->nmech > n &&
		    (t->kind == SPFREC_IP4 || t->kind == SPFREC_IP6)))
			break;		/* it matches: the rest never runs */
	}
	if (st == AM_OK && r->all < 0 && r->redirect >= 0) {
		t = &r->term[r->redirect];
		run->nmech++;		/* libspf2 keeps it as a mechanism */
		st = buf_puts(run->text, " redirect=");
		if (st == AM_OK)
			st = spfrec_spec_norm(t->arg, t->arglen, run->text);
	}
	return (st);
}

/* spf_pick - the one SPF record of a TXT answer (RFC 7208 4.5) */
static SPF_errcode_t
spf_pick(struct spf_run *run, const struct dns_answer *ans,
    const struct dns_rr **rr_r)
{
	size_t	 i;
	int	 n = 0;

	for (i = 0; i < ans->nrr; i++)
		if (spfrec_select((const char *)ans->rr[i].data,
		    ans->rr[i].len) && n++ == 0)
			*rr_r = &ans->rr[i];
	if (n == 0)
		return (SPF_E_NOT_SPF);
	if (n > 1) {
		spf_stop(run, SPF_RES_PERMERROR, "more than one SPF record");
		return (SPF_E_MULTIPLE_RECORDS);
	}
	return (SPF_E_SUCCESS);
}

/* spf_check_record - RFC 7208 grammar, then our text of it */
static SPF_errcode_t
spf_check_record(struct spf_run *run, const struct dns_rr *rr)
{
	struct buf *why;
	int	 st;

	if ((why = buf_new(LIM_REASON)) == NULL)
		return (SPF_E_NO_MEMORY);
	st = spfrec_parse((const char *)rr->data, rr->len, &run->rec, why);
	if (st != AM_OK)
		spf_stop(run, SPF_RES_PERMERROR, buf_str(why));
	buf_free(&why);
	if (st != AM_OK)
		return (SPF_E_SYNTAX);
	if (spf_text(run) != AM_OK) {
		spf_stop(run, SPF_RES_PERMERROR, "SPF record too long");
		return (SPF_E_BIG_MECH);
	}
	return (SPF_E_SUCCESS);
}

/* spf_compile - libspf2's form of our text; all of it, or permerror:
 * libspf2 1.2.10 drops every mechanism past 511 bytes of compiled
 * mechanisms without a word (a lost "-all" would turn fail into
 * neutral), so count them */
static SPF_errcode_t
spf_compile(struct spf_run *run, SPF_server_t *server, SPF_response_t *resp,
    SPF_record_t **rec_r)
{
	SPF_errcode_t err;

	err = SPF_record_compile(server, resp, rec_r, buf_str(run->text));
	if (err != SPF_E_SUCCESS) {
		spf_stop(run, SPF_RES_PERMERROR,
		    "SPF record not accepted by libspf2");
		return (err);
	}
	if ((*rec_r)->num_mech != run->nmech) {
		spf_stop(run, SPF_RES_PERMERROR,
		    "SPF record too large for libspf2");
		return (SPF_E_BIG_MECH);
	}
	return (SPF_E_SUCCESS);
}

/* spf_get_spf - fetch, select, check and compile cur_dom's record */
static SPF_errcode_t
spf_get_spf(SPF_server_t *server, SPF_request_t *req, SPF_response_t *resp,
    SPF_record_t **rec_r)
{
	struct spf_run *run = server->resolver->hook;
	const struct dns_rr *rr = NULL;
	struct dns_answer *ans;
	SPF_errcode_t err;
	int	 st;

	*rec_r = NULL;
	if ((run->records++ > 0 && !spf_term(run)) ||
	    run->stop != SPF_RES_NONE || spf_late(run))
		return (SPF_E_DNS_ERROR);
	st = dns_query(run->dns, req->cur_dom != NULL ? req->cur_dom : "",
	    DNS_T_TXT, &ans, NULL);
	if (st == DNS_TEMP)
		err = SPF_E_DNS_ERROR;
	else if (st != DNS_OK)
		err = SPF_E_NOT_SPF;		/* 4.3: none */
	else if ((err = spf_pick(run, ans, &rr)) == SPF_E_SUCCESS &&
	    (err = spf_check_record(run, rr)) == SPF_E_SUCCESS)
		err = spf_compile(run, server, resp, rec_r);
	dns_answer_free(&ans);
	if (err != SPF_E_SUCCESS && *rec_r != NULL) {
		SPF_record_free(*rec_r);
		*rec_r = NULL;
	}
	return (err);
}

/* spf_get_exp - explanations are never fetched: a fixed word */
static SPF_errcode_t
spf_get_exp(SPF_server_t *server, const char *domain, char **buf,
    size_t *buflen)
{
	char	*n;

	if (*buf == NULL || *buflen < 2) {
		if ((n = realloc(*buf, 2)) == NULL)
			return (SPF_E_NO_MEMORY);
		*buf = n;
		*buflen = 2;
	}
	snprintf(*buf, *buflen, "%s", "-");
	return (SPF_E_SUCCESS);
}

/* spfdns_new - the layer for one check of client, budget_ms in all */
struct spf_run *
spfdns_new(struct dns *dns, const struct addr *client, int budget_ms)
{
	struct spf_run *run;

	if ((run = calloc(1, sizeof(*run))) == NULL)
		return (NULL);
	if ((run->text = buf_new(SPF_TEXT_MAX)) == NULL) {
		free(run);
		return (NULL);
	}
	run->dns = dns;
	run->client = *client;
	snprintf(run->mark, sizeof(run->mark), "%%am%08x%08x", arc4random(),
	    arc4random());
	if (budget_ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &run->deadline);
		run->deadline.tv_sec += budget_ms / 1000;
		run->deadline.tv_nsec += (long)(budget_ms % 1000) * 1000000;
		if (run->deadline.tv_nsec >= 1000000000) {
			run->deadline.tv_sec++;
			run->deadline.tv_nsec -= 1000000000;
		}
	}
	run->layer.destroy = NULL;	/* ours: libspf2 must not free it */
	run->layer.lookup = spf_dns_lookup;
	run->layer.get_spf = spf_get_spf;
	run->layer.get_exp = spf_get_exp;
	run->layer.name = "authmilter";
	run->layer.hook = run;
	return (run);
}

/* spfdns_free - release and clear the caller's pointer */
void
spfdns_free(struct spf_run **runp)
{
	if (runp == NULL || *runp == NULL)
		return;
	buf_free(&(*runp)->text);
	free(*runp);
	*runp = NULL;
}

/* spfdns_layer - the SPF_dns_server_t to give SPF_server_new_dns() */
SPF_dns_server_t *
spfdns_layer(struct spf_run *run)
{
	return (&run->layer);
}

/* spfdns_stopped - did the layer end the evaluation, with what */
bool
spfdns_stopped(const struct spf_run *run, enum spf_res *res_r,
    const char **why_r)
{
	if (run->stop == SPF_RES_NONE)
		return (false);
	*res_r = run->stop;
	*why_r = run->why;
	return (true);
}
