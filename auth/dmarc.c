/*
 * NAME
 *	dmarc - DMARC policy discovery, alignment and result
 * SYNOPSIS
 *	#include "auth/dmarc.h"
 * DESCRIPTION
 *	See dmarc.h. One evaluation is a struct dm_eval: the result being
 *	filled, and a cache of the _dmarc lookups made so far, so that no
 *	name is asked twice (the walks of the From domain, the MAIL FROM
 *	domain and each d= share their upper levels). The steps:
 *
 *	lookup		dm_lookup(): TXT _dmarc.<name>. A string counts as a
 *			record only if dmarcrec_is_record(); one record is
 *			read (dmarcrec.h); several are all discarded (RFC
 *			9989 4.10 steps 2 and 6: no record at that name); a
 *			temporary DNS failure is cached as such; NXDOMAIN
 *			and DNS_PERM mean no record.
 *	tree walk	dm_walk(), RFC 9989 4.10: the name itself, then its
 *			ancestor of at most 7 labels, then one label less
 *			each time up to the top-level domain: at most 8
 *			lookups. It stops at a record with psd=y or psd=n,
 *			or at a temporary failure (which leaves the walk
 *			undecided). Its organizational domain (4.10.2,
 *			dm_walk_org()): the domain below a psd=y record
 *			that is not the start; else the record found with
 *			the fewest labels (the last; psd=n stops there);
 *			else the start itself.
 *	discovery	treewalk mode (4.10.1): the record at the From
 *			domain; else the walk from the From domain, and the
 *			record at its organizational domain, else the
 *			psd=y record. psl mode (RFC 7489 6.6.3): _dmarc.<From>,
 *			then _dmarc.<PSL org domain> if the first had no
 *			record at all; several records at the From domain
 *			end discovery there (result none).
 *	policy		dm_record(): p= for a record at the From domain;
 *			for a record at a parent sp=, else p=; if the From
 *			domain does not exist (NXDOMAIN for its A query,
 *			RFC 9989 3.2.13 and RFC 8020), np= if given. The
 *			existence query is made only for a fail, and only
 *			when np= differs from what would apply anyway.
 *			dmarcrec_defect() records count as p=none with a
 *			valid rua=, else DMARC does not apply (none).
 *	alignment	dm_align(): strict is equality of the domains.
 *			Relaxed is equality, or equality of organizational
 *			domains: never a suffix test on raw names. In
 *			treewalk mode an identifier is walked only if it is
 *			the From's organizational domain or below it,
 *			because its own organizational domain is always an
 *			ancestor-or-self of it; in psl mode the list gives
 *			them, and a public suffix aligns only exactly.
 *	result		pass if anything aligned; else temperror if an
 *			identifier could not be walked (DNS); else fail.
 *			t=y (or pct=0 without t=) is reported as testing.
 * DIAGNOSTICS
 *	Results are data. dmarc_evaluate() returns AM_TEMP only when memory
 *	ran out; permerror is for a From: domain that is not a domain name.
 * THREADS
 *	The PSL is read-only; the cache lives in one call.
 * SEE ALSO
 *	RFC 9989 3.2.13, 4.7, 4.10, 4.10.1, 4.10.2, B.4; RFC 8020;
 *	RFC 7489 3.2, 6.6.3
 */
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/dmarc.h"
#include "auth/dmarcrec.h"
#include "auth/psl.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"

#define DM_WALK_KEEP	7		/* 4.10 step 4: labels after a jump */
#define DM_WALK_MAX	8		/* lookups in one walk */

struct dmarc {
	struct dns *dns;		/* borrowed */
	struct psl *psl;		/* NULL: none loaded (treewalk) */
	enum dmarc_org_mode mode;
	int	 max_queries;
};

/* what one lookup, or one walk, came to */
enum dmarc_disc {
	DISC_FOUND,			/* one record; a walk: complete */
	DISC_NONE,			/* no record */
	DISC_MULTI,			/* several records: discarded */
	DISC_TEMP,			/* DNS failed temporarily */
	DISC_BUDGET,			/* max_queries spent: not asked */
};

/* one _dmarc lookup, cached for one evaluation */
struct dm_ent {
	char	 name[LIM_DOMAIN];	/* the domain, without "_dmarc." */
	enum dmarc_disc d;
	struct dmarc_rec rec;		/* DISC_FOUND */
};

/* one tree walk */
struct dm_walk {
	const char *start;
	const struct dm_ent *found[DM_WALK_MAX];	/* longest first */
	int	 nfound;
	enum dmarc_disc st;		/* FOUND: complete; TEMP, BUDGET */
	const char *multi;		/* first name with several records */
};

/* one evaluation */
struct dm_eval {
	struct dmarc *dm;
	struct dmarc_result *res;
	struct buf *why;
	struct dm_ent *ent;		/* max_queries of them */
	int	 nent;
	int	 st;			/* AM_TEMP: out of memory */
	bool	 budget;		/* the cap ended a walk */
	const char *temp;		/* first name that failed (TEMP) */
	const char *multi;		/* several records at this name */
	const struct dm_ent *pol;	/* the policy record */
	bool	 sub;			/* From is below the policy domain */
	bool	 org_done;		/* From's org domain walked */
	enum dmarc_disc org_st;
	const char *org;		/* From's org domain, in from_domain */
};

/* alignment of one identifier */
enum dm_align { AL_NO, AL_YES, AL_TEMP };

/* dmarc_new - the evaluator; the public suffix list if mode needs it */
struct dmarc *
dmarc_new(struct dns *dns, enum dmarc_org_mode mode, const char *psl_path,
    int max_queries, struct buf *why)
{
	struct dmarc *dm;
	struct buf *w;

	if ((dm = calloc(1, sizeof(*dm))) == NULL) {
		buf_why(why, AM_TEMP, "dmarc: out of memory");
		return (NULL);
	}
	dm->dns = dns;
	dm->mode = mode;
	dm->max_queries = max_queries < DMARC_QUERIES_MIN ? DMARC_QUERIES_MIN :
	    max_queries > DMARC_QUERIES_MAX ? DMARC_QUERIES_MAX : max_queries;
	if (mode == DMARC_ORG_PSL) {
		if ((dm->psl = psl_load(psl_path, why)) == NULL) {
			free(dm);
			return (NULL);
		}
	} else if (psl_path != NULL && *psl_path != '\0') {
		w = buf_new(LIM_REASON);
		if ((dm->psl = psl_load(psl_path, w)) == NULL)
			log_info("dmarc: %s; not needed for organizational "
			    "domains (tree walk)", buf_str(w));
		buf_free(&w);
	}
	dmarcrec_init();
	return (dm);
}

/* dmarc_free - release and clear the caller's pointer */
void
dmarc_free(struct dmarc **dp)
{
	if (dp == NULL || *dp == NULL)
		return;
	psl_free(&(*dp)->psl);
	free(*dp);
	*dp = NULL;
}

/* dmarc_org_domain - RFC 7489 3.2 by the list: public suffix + 1 label */
int
dmarc_org_domain(const struct dmarc *dm, const char *domain, char *dst,
    size_t len)
{
	if (dm->psl == NULL) {
		if (len > 0)
			dst[0] = '\0';
		return (AM_TEMP);
	}
	return (psl_org_domain(dm->psl, domain, dst, len));
}

/* dm_norm - a domain lower-cased, without trailing dot; 0 or -1 */
static int
dm_norm(const char *domain, char dst[LIM_DOMAIN])
{
	size_t	 n, i;

	if (domain == NULL)
		return (-1);
	n = strnlen(domain, LIM_DOMAIN);
	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return (-1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)domain[i];

		if (c <= ' ' || c >= 0x7f || c == ';' || c == '\\' ||
		    (c == '.' && (i == 0 || domain[i - 1] == '.')))
			return (-1);
		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	dst[n] = '\0';
	return (0);
}

/* dm_reason - append a phrase to the result's reason */
static void
dm_reason(struct dmarc_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
dm_reason(struct dmarc_result *res, const char *fmt, ...)
{
	size_t	 n = strlen(res->reason);
	va_list	 ap;

	if (n > 0 && n + 2 < sizeof(res->reason)) {
		memcpy(res->reason + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	(void)vsnprintf(res->reason + n, sizeof(res->reason) - n, fmt, ap);
	va_end(ap);
}

/* --- names ------------------------------------------------------------ */

/* dm_labels - the number of labels of a normalised domain */
static int
dm_labels(const char *d)
{
	int	 n = 1;

	for (; *d != '\0'; d++)
		n += *d == '.';
	return (n);
}

/* dm_suffix - the last k labels of d (d itself if it has no more) */
static const char *
dm_suffix(const char *d, int k)
{
	int	 skip = dm_labels(d) - k;

	while (skip-- > 0)
		d = strchr(d, '.') + 1;
	return (d);
}

/* dm_under - d is org, or a name below it (label boundary) */
static bool
dm_under(const char *d, const char *org)
{
	size_t	 ld = strlen(d), lo = strlen(org);

	if (ld == lo)
		return (strcmp(d, org) == 0);
	return (ld > lo && d[ld - lo - 1] == '.' &&
	    strcmp(d + ld - lo, org) == 0);
}

/*
 * dm_is_suffix - d is a public suffix (when a list is loaded): a
 * signature by a whole suffix ("d=co.uk") never vouches for an author
 */
static bool
dm_is_suffix(const struct dmarc *dm, const char *d)
{
	char	 org[LIM_DOMAIN];

	return (dm->psl != NULL && *d != '\0' &&
	    psl_org_domain(dm->psl, d, org, sizeof(org)) == AM_PERM);
}

/* --- lookups and the tree walk ---------------------------------------- */

/* dm_fetch - the DMARC records at _dmarc.<domain>; keep the first */
static enum dmarc_disc
dm_fetch(struct dmarc *dm, const char *domain, char *rec, size_t reclen,
    struct buf *why)
{
	char	 name[LIM_DOMAIN + 8];
	struct dns_answer *ans = NULL;
	const struct dns_rr *rr;
	size_t	 i, found = 0;
	int	 st;

	if ((size_t)snprintf(name, sizeof(name), "_dmarc.%s", domain) >=
	    sizeof(name))
		return (DISC_NONE);
	st = dns_query(dm->dns, name, DNS_T_TXT, &ans, why);
	if (st == DNS_TEMP) {
		dns_answer_free(&ans);
		return (DISC_TEMP);
	}
	for (i = 0; st == DNS_OK && ans != NULL && i < ans->nrr; i++) {
		rr = &ans->rr[i];
		if (rr->type != DNS_T_TXT || rr->data == NULL ||
		    rr->len >= reclen ||	/* over dns.c's cap: never */
		    memchr(rr->data, '\0', rr->len) != NULL ||
		    !dmarcrec_is_record((const char *)rr->data, rr->len))
			continue;
		if (found++ == 0) {
			memcpy(rec, rr->data, rr->len);
			rec[rr->len] = '\0';
		}
	}
	dns_answer_free(&ans);		/* NOTFOUND, PERM: no record here */
	return (found == 0 ? DISC_NONE : found == 1 ? DISC_FOUND : DISC_MULTI);
}

/*
 * dm_lookup - _dmarc.<name> once per evaluation; *ep the cache entry
 *
 * The record's 8 KiB of room is malloc'd: on the stack, under which
 * the DNS lookup and libopendmarc's parse run, it kept that much more
 * of every milter thread's stack resident (README, Reliability).
 */
static enum dmarc_disc
dm_lookup(struct dm_eval *ev, const char *name, const struct dm_ent **ep)
{
	char	*rec;
	struct dm_ent *e;
	int	 i;

	*ep = NULL;
	for (i = 0; i < ev->nent; i++)
		if (strcmp(ev->ent[i].name, name) == 0) {
			*ep = &ev->ent[i];
			return (ev->ent[i].d);
		}
	if (ev->nent >= ev->dm->max_queries) {
		ev->budget = true;
		return (DISC_BUDGET);
	}
	e = &ev->ent[ev->nent++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	if ((rec = malloc(LIM_DNS_TXT + 1)) == NULL) {
		buf_why(ev->why, AM_TEMP, "dmarc: out of memory");
		e->d = DISC_TEMP;
	} else
		e->d = dm_fetch(ev->dm, name, rec, LIM_DNS_TXT + 1, ev->why);
	if (e->d == DISC_FOUND) {
		dmarcrec_parse(rec, &e->rec);
		if (dmarcrec_lib_check(name, rec, &e->rec, ev->why) != AM_OK)
			ev->st = AM_TEMP;
	} else if (e->d == DISC_TEMP && ev->temp == NULL)
		ev->temp = e->name;
	free(rec);
	*ep = e;
	return (e->d);
}

/* dm_walk_next - the next name a walk from t asks, or NULL */
static const char *
dm_walk_next(const char *t)
{
	int	 n = dm_labels(t);

	return (n <= 1 ? NULL :
	    dm_suffix(t, n - 1 < DM_WALK_KEEP ? n - 1 : DM_WALK_KEEP));
}

/* dm_walk - RFC 9989 4.10: start, then up to 7 labels, then one less */
static void
dm_walk(struct dm_eval *ev, const char *start, struct dm_walk *w)
{
	const struct dm_ent *e;
	const char *t = start;
	enum dmarc_disc d;

	memset(w, 0, sizeof(*w));
	w->start = start;
	w->st = DISC_FOUND;
	while (t != NULL && w->nfound < DM_WALK_MAX) {
		switch ((d = dm_lookup(ev, t, &e))) {
		case DISC_TEMP:
		case DISC_BUDGET:
			w->st = d;
			return;
		case DISC_MULTI:
			if (w->multi == NULL)
				w->multi = e->name;
			break;
		case DISC_FOUND:
			w->found[w->nfound++] = e;
			if (e->rec.psd != 'u')	/* psd=y or psd=n: stop */
				return;
			break;
		case DISC_NONE:
			break;
		}
		t = dm_walk_next(t);
	}
}

/*
 * dmarc_prefetch - start every lookup a walk from domain may make
 *
 * The walk asks its names one after the other; started together as
 * soon as the From: field is seen, they cost one round trip instead of
 * one each, and dmarc_evaluate() later finds them cached.
 */
void
dmarc_prefetch(struct dmarc *dm, const char *from_domain)
{
	char	 d[LIM_DOMAIN], org[LIM_DOMAIN], name[LIM_DOMAIN + 8];
	const char *t;
	int	 i;

	if (dm_norm(from_domain, d) != 0)
		return;
	for (t = d, i = 0; t != NULL && i < DM_WALK_MAX; i++) {
		if ((size_t)snprintf(name, sizeof(name), "_dmarc.%s", t) <
		    sizeof(name))
			dns_prefetch(dm->dns, name, DNS_T_TXT);
		if (dm->mode == DMARC_ORG_PSL) {
			if (dmarc_org_domain(dm, d, org, sizeof(org)) !=
			    AM_OK || strcmp(org, t) == 0)
				return;
			t = org;	/* then the organizational domain */
			continue;
		}
		t = dm_walk_next(t);
	}
}

/* dm_walk_org - RFC 9989 4.10.2: the organizational domain of a walk */
static const char *
dm_walk_org(const struct dm_walk *w)
{
	const struct dm_ent *last;
	int	 k;

	if (w->nfound == 0)
		return (w->start);
	last = w->found[w->nfound - 1];
	k = dm_labels(last->name);
	if (last->rec.psd == 'y' && strcmp(last->name, w->start) != 0)
		k++;			/* the domain below the PSD */
	return (dm_suffix(w->start, k));
}

/* dm_from_org - the From domain's organizational domain, walked once */
static enum dmarc_disc
dm_from_org(struct dm_eval *ev, const struct dm_walk *done)
{
	struct dm_walk w;

	if (ev->org_done)
		return (ev->org_st);
	if (done == NULL) {
		dm_walk(ev, ev->res->from_domain, &w);
		done = &w;
	}
	ev->org_done = true;
	ev->org_st = done->st;
	if (done->st == DISC_FOUND) {
		ev->org = dm_walk_org(done);
		snprintf(ev->res->org_domain, sizeof(ev->res->org_domain),
		    "%s", ev->org);
	}
	return (ev->org_st);
}

/* --- discovery -------------------------------------------------------- */

/* dm_discover_walk - RFC 9989 4.10.1: the policy record by tree walk */
static enum dmarc_disc
dm_discover_walk(struct dm_eval *ev)
{
	const char *from = ev->res->from_domain;
	const struct dm_ent *e;
	struct dm_walk w;
	enum dmarc_disc d;
	int	 i;

	if ((d = dm_lookup(ev, from, &e)) == DISC_FOUND) {
		ev->pol = e;		/* at the From domain: p= */
		return (DISC_FOUND);
	}
	if (d == DISC_TEMP || d == DISC_BUDGET)
		return (d);
	dm_walk(ev, from, &w);		/* its first lookup is cached */
	if (dm_from_org(ev, &w) != DISC_FOUND)
		return (w.st);
	ev->multi = w.multi;
	for (i = 0; i < w.nfound; i++)	/* the org domain's record */
		if (strcmp(w.found[i]->name, ev->org) == 0)
			ev->pol = w.found[i];
	if (ev->pol == NULL && w.nfound > 0 &&
	    w.found[w.nfound - 1]->rec.psd == 'y')
		ev->pol = w.found[w.nfound - 1];	/* the PSD's record */
	if (ev->pol == NULL)
		return (w.multi != NULL ? DISC_MULTI : DISC_NONE);
	ev->sub = true;
	return (DISC_FOUND);
}

/* dm_discover_psl - RFC 7489 6.6.3: From, then the PSL org domain */
static enum dmarc_disc
dm_discover_psl(struct dm_eval *ev)
{
	struct dmarc_result *res = ev->res;
	const struct dm_ent *e;
	enum dmarc_disc d;

	d = dm_lookup(ev, res->from_domain, &e);
	if (d == DISC_NONE && res->org_domain[0] != '\0' &&
	    strcmp(res->org_domain, res->from_domain) != 0) {
		d = dm_lookup(ev, res->org_domain, &e);
		ev->sub = true;
	}
	if (d == DISC_FOUND)
		ev->pol = e;
	else if (d == DISC_MULTI)
		ev->multi = e->name;	/* no fallback: 6.6.3 step 5 */
	return (d);
}

/* dm_record - read the policy record into res; false: not applicable */
static bool
dm_record(struct dm_eval *ev, struct dmarc_rec *r)
{
	struct dmarc_result *res = ev->res;
	const char *defect;

	*r = ev->pol->rec;
	if ((defect = dmarcrec_defect(r)) != NULL) {	/* 4.10.1 */
		if (!r->rua_ok) {
			dm_reason(res, "%s at _dmarc.%s and no valid rua=",
			    defect, res->policy_domain);
			return (false);
		}
		dm_reason(res, "%s, valid rua=: as p=none", defect);
		dmarcrec_parse("v=DMARC1; p=none", r);
		memcpy(r->rua, ev->pol->rec.rua, sizeof(r->rua));	/* kept */
	}
	res->p = r->p;
	res->sp = r->sp;
	res->np = r->np;
	res->policy = ev->sub && r->sp != DMARC_P_UNSET ? r->sp : r->p;
	res->adkim = r->adkim;
	res->aspf = r->aspf;
	res->pct = r->pct;
	res->testing = dmarcrec_testing(r);
	res->psd = r->psd;
	memcpy(res->fo, r->fo, sizeof(res->fo));
	memcpy(res->rua, r->rua, sizeof(res->rua));
	memcpy(res->ruf, r->ruf, sizeof(res->ruf));
	res->psl = ev->dm->mode == DMARC_ORG_PSL;
	return (true);
}

/* --- alignment -------------------------------------------------------- */

/* dm_aligned_psl - relaxed alignment by the public suffix list */
static enum dm_align
dm_aligned_psl(struct dm_eval *ev, const char *d)
{
	char	 org[LIM_DOMAIN];

	if (ev->res->org_domain[0] == '\0')
		return (AL_NO);		/* From is a public suffix */
	if (psl_org_domain(ev->dm->psl, d, org, sizeof(org)) != AM_OK)
		return (AL_NO);
	return (strcmp(org, ev->res->org_domain) == 0 ? AL_YES : AL_NO);
}

/* dm_aligned_walk - relaxed alignment by tree walks (RFC 9989 4.10.2) */
static enum dm_align
dm_aligned_walk(struct dm_eval *ev, const char *d)
{
	struct dm_walk w;

	switch (dm_from_org(ev, NULL)) {
	case DISC_FOUND:
		break;
	case DISC_TEMP:
		return (AL_TEMP);
	default:
		return (AL_NO);
	}
	if (!dm_under(d, ev->org))	/* its org domain cannot be ours */
		return (AL_NO);
	dm_walk(ev, d, &w);
	if (w.st == DISC_TEMP)
		return (AL_TEMP);
	if (w.st != DISC_FOUND)
		return (AL_NO);
	return (strcmp(dm_walk_org(&w), ev->org) == 0 ? AL_YES : AL_NO);
}

/* dm_aligned - one authenticated domain against the From domain */
static enum dm_align
dm_aligned(struct dm_eval *ev, const char *domain, char mode)
{
	char	 d[LIM_DOMAIN];

	if (dm_norm(domain, d) != 0)
		return (AL_NO);
	if (strcmp(d, ev->res->from_domain) == 0)
		return (AL_YES);
	if (mode == 's')
		return (AL_NO);
	if (ev->dm->mode == DMARC_ORG_PSL)
		return (dm_aligned_psl(ev, d));
	return (dm_aligned_walk(ev, d));
}

/* dm_align - aligned passes; the result pass, fail or temperror */
static void
dm_align(struct dm_eval *ev, const struct spf_result *mailfrom,
    const struct dkim_result *dkim)
{
	struct dmarc_result *res = ev->res;
	const struct dkim_sig_result *sig;
	enum dm_align a;
	bool	 temp = false;
	int	 i, n;

	if (mailfrom != NULL && mailfrom->checked &&
	    mailfrom->result == SPF_RES_PASS) {
		a = dm_aligned(ev, mailfrom->domain, res->aspf);
		res->spf_aligned = a == AL_YES;
		temp = a == AL_TEMP;
	}
	n = dkim == NULL ? 0 : dkim->nsigs;
	if (n > LIM_DKIM_SIGS)
		n = LIM_DKIM_SIGS;
	for (i = 0; i < n && !res->dkim_aligned; i++) {
		sig = &dkim->sigs[i];
		if (sig->result != DKIM_RES_PASS || sig->partial_body ||
		    sig->extra_header || dm_is_suffix(ev->dm, sig->d))
			continue;
		a = dm_aligned(ev, sig->d, res->adkim);
		res->dkim_aligned = a == AL_YES;
		temp = temp || a == AL_TEMP;
	}
	if (res->spf_aligned || res->dkim_aligned) {
		res->result = DMARC_RES_PASS;
		dm_reason(res, "%s%s%s aligned", res->spf_aligned ? "spf" : "",
		    res->spf_aligned && res->dkim_aligned ? " and " : "",
		    res->dkim_aligned ? "dkim" : "");
	} else if (temp) {
		res->result = DMARC_RES_TEMPERROR;
		dm_reason(res, "DNS temporary failure at _dmarc.%s while "
		    "aligning", ev->temp != NULL ? ev->temp : "?");
	} else {
		res->result = DMARC_RES_FAIL;
		dm_reason(res, "no aligned pass%s", ev->budget ?
		    " (DNS query budget spent)" : "");
	}
}

/* dm_np - a fail for a From domain that does not exist takes np= */
static void
dm_np(struct dm_eval *ev, const struct dmarc_rec *r)
{
	struct dmarc_result *res = ev->res;
	struct dns_answer *ans = NULL;
	int	 st;

	if (res->result != DMARC_RES_FAIL || !ev->sub ||
	    r->np == DMARC_P_UNSET || r->np == res->policy)
		return;			/* the answer would not matter */
	st = dns_query(ev->dm->dns, res->from_domain, DNS_T_A, &ans, ev->why);
	if (st == DNS_TEMP) {
		res->result = DMARC_RES_TEMPERROR;
		dm_reason(res, "DNS temporary failure testing whether %s "
		    "exists (np=)", res->from_domain);
	} else if (st == DNS_NOTFOUND && ans != NULL && ans->nxdomain) {
		res->nonexistent = true;
		res->policy = r->np;
		dm_reason(res, "%s does not exist: np=%s", res->from_domain,
		    dmarc_policy_str(r->np));
	}
	dns_answer_free(&ans);
}

/* --- the whole -------------------------------------------------------- */

/* dm_decide - after discovery: the record, alignment and np= */
static void
dm_decide(struct dm_eval *ev, enum dmarc_disc d,
    const struct spf_result *mailfrom, const struct dkim_result *dkim)
{
	struct dmarc_result *res = ev->res;
	struct dmarc_rec r;

	if (ev->multi != NULL)
		dm_reason(res, "multiple DMARC records at _dmarc.%s%s",
		    ev->multi, d == DISC_FOUND ? " (ignored)" : "");
	switch (d) {
	case DISC_FOUND:
		snprintf(res->policy_domain, sizeof(res->policy_domain), "%s",
		    ev->pol->name);
		if (!dm_record(ev, &r))
			return;		/* result none */
		dm_align(ev, mailfrom, dkim);
		dm_np(ev, &r);
		return;
	case DISC_MULTI:
		snprintf(res->policy_domain, sizeof(res->policy_domain), "%s",
		    ev->multi);
		return;
	case DISC_NONE:
		dm_reason(res, "no DMARC record");
		return;
	case DISC_TEMP:
	case DISC_BUDGET:		/* the cap allows one whole walk */
		res->result = DMARC_RES_TEMPERROR;
		dm_reason(res, "DNS temporary failure at _dmarc.%s",
		    ev->temp != NULL ? ev->temp : "?");
		return;
	}
}

/* dmarc_evaluate - policy record, alignment and result for a From: */
int
dmarc_evaluate(struct dmarc *dm, const char *from_domain,
    const struct spf_result *mailfrom, const struct dkim_result *dkim,
    struct dmarc_result *res_r, struct buf *why)
{
	struct dm_eval ev;
	enum dmarc_disc d;

	memset(res_r, 0, sizeof(*res_r));
	res_r->adkim = res_r->aspf = 'r';
	res_r->pct = 100;
	if (dm_norm(from_domain, res_r->from_domain) != 0) {
		res_r->from_domain[0] = '\0';
		res_r->result = DMARC_RES_PERMERROR;
		dm_reason(res_r, "no usable From: domain");
		return (AM_OK);
	}
	memset(&ev, 0, sizeof(ev));
	ev.dm = dm;
	ev.res = res_r;
	ev.why = why;
	if ((ev.ent = calloc((size_t)dm->max_queries, sizeof(*ev.ent))) ==
	    NULL)
		return (buf_why(why, AM_TEMP, "dmarc: out of memory"));
	if (dm->mode == DMARC_ORG_PSL) {
		(void)psl_org_domain(dm->psl, res_r->from_domain,
		    res_r->org_domain, sizeof(res_r->org_domain));
		d = dm_discover_psl(&ev);
	} else
		d = dm_discover_walk(&ev);
	if (ev.st == AM_OK)
		dm_decide(&ev, d, mailfrom, dkim);
	free(ev.ent);
	if (ev.st != AM_OK)
		return (buf_why(why, AM_TEMP, "dmarc: out of memory"));
	return (AM_OK);
}

/* dmarc_rank - how bad a result is, for combining author domains */
static int
dmarc_rank(enum dmarc_res r)
{
	static const int rank[] = {
		[DMARC_RES_PASS] = 0, [DMARC_RES_NONE] = 1,
		[DMARC_RES_PERMERROR] = 2, [DMARC_RES_FAIL] = 3,
		[DMARC_RES_TEMPERROR] = 4,
	};

	return (rank[r]);
}

/* dmarc_evaluate_from - every author domain; the worst result wins */
int
dmarc_evaluate_from(struct dmarc *dm, const struct from_result *from,
    bool any_authors, const struct spf_result *mailfrom,
    const struct dkim_result *dkim, struct dmarc_result *res_r,
    struct buf *why)
{
	struct dmarc_result one;
	int	 i;

	if (from->status != FROM_OK &&
	    !(from->status == FROM_MULTIPLE_MAILBOXES &&
	    (from->ndomains == 1 || any_authors))) {
		res_r->result = DMARC_RES_PERMERROR;
		snprintf(res_r->reason, sizeof(res_r->reason), "From: %s",
		    from_status_str(from->status));
		return (AM_OK);
	}
	for (i = 0; i < from->ndomains; i++) {
		memset(&one, 0, sizeof(one));
		if (dmarc_evaluate(dm, from->domains[i], mailfrom, dkim, &one,
		    why) != AM_OK)
			return (AM_TEMP);
		if (i == 0 || dmarc_rank(one.result) >
		    dmarc_rank(res_r->result) ||
		    (one.result == res_r->result &&
		    one.policy > res_r->policy))
			*res_r = one;
	}
	return (AM_OK);
}
