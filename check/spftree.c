/*
 * NAME
 *	spftree - the domain's SPF record, its include tree and limits
 * DESCRIPTION
 *	ck_spf() fetches the record (exactly one "v=spf1" TXT, RFC 7208
 *	4.5), checks it with the receiver's grammar check (auth/spfrec.c),
 *	follows include: and redirect= as a tree, counts the terms that
 *	cost a DNS lookup (include, a, mx, ptr, exists, redirect; limit 10)
 *	and the lookups that found nothing (limit 2, RFC 7208 4.6.4),
 *	judges the final "all" of the record and its redirect chain, flags
 *	ptr (deprecated, 5.5) and includes without a record (permerror at
 *	receivers), and evaluates the MX hosts' addresses against the
 *	record with the receiver's SPF evaluator. Terms with macros are
 *	counted but not followed (their target depends on the sender).
 * SEE ALSO
 *	RFC 7208 4.5, 4.6.4, 5.2, 5.5, 6.1
 */
#include <stdio.h>
#include <string.h>

#include "auth/spfrec.h"
#include "check/ck.h"
#include "util/am.h"

#define SPF_LOOKUPS	10		/* RFC 7208 4.6.4 */
#define SPF_VOIDS	2
#define SPF_DEPTH	10		/* include/redirect nesting followed */

struct spft {
	int	 lookups;
	int	 voids;
	char	 all;			/* qualifier of the final all, or 0 */
	bool	 ptr;
	bool	 bad;			/* a defect already reported */
};

static void walk(struct ck *c, const char *domain, int depth,
	    const char *via, bool top, struct spft *t);

/* fetch - the one SPF record of domain into rec; 0, or how many */
static int
fetch(struct ck *c, const char *domain, char *rec, size_t len, bool *temp,
    bool *nx)
{
	struct dns_answer *ans = NULL;
	size_t	 i;
	int	 n = 0, st;

	*temp = *nx = false;
	st = ck_query(c, domain, DNS_T_TXT, &ans);
	if (st == DNS_TEMP) {
		*temp = true;
		dns_answer_free(&ans);
		return (0);
	}
	*nx = st == DNS_NOTFOUND;
	for (i = 0; st == DNS_OK && i < ans->nrr; i++) {
		if (!spfrec_select((const char *)ans->rr[i].data,
		    ans->rr[i].len))
			continue;
		if (n++ == 0)
			snprintf(rec, len, "%s", (const char *)ans->rr[i].data);
	}
	dns_answer_free(&ans);
	return (n);
}

/* target - resolve an a or mx target; count it void if nothing */
static void
target(struct ck *c, const struct spfrec_term *tm, const char *domain,
    struct spft *t)
{
	struct dns_answer *ans = NULL;
	char	 name[LIM_DOMAIN];
	int	 st, st6;

	snprintf(name, sizeof(name), "%.*s", (int)(tm->arg ? tm->arglen :
	    strlen(domain)), tm->arg ? tm->arg : domain);
	if (strchr(name, '%') != NULL)
		return;			/* macro: depends on the sender */
	if (tm->kind == SPFREC_MX) {
		st = ck_query(c, name, DNS_T_MX, &ans);
		if (st == DNS_OK && ans->nrr > SPF_LOOKUPS) {
			ck_add(c, "spf.mx_too_many", CK_FAIL, "list fewer MX "
			    "hosts, or use ip4:/ip6:", "mx:%s has %zu hosts; "
			    "receivers stop at 10 (RFC 7208 4.6.4)", name,
			    ans->nrr);
			t->bad = true;
		}
	} else {
		st = ck_query(c, name, DNS_T_A, &ans);
		if (st == DNS_NOTFOUND) {
			dns_answer_free(&ans);
			st6 = ck_query(c, name, DNS_T_AAAA, &ans);
			st = st6;
		}
	}
	if (st == DNS_TEMP)
		ck_missing(c, "spf.targets");
	else if (st == DNS_NOTFOUND)
		t->voids++;
	dns_answer_free(&ans);
}

/* follow - walk an include: or redirect= target */
static void
follow(struct ck *c, const struct spfrec_term *tm, int depth,
    const char *via, bool top, struct spft *t)
{
	char	 name[LIM_DOMAIN];

	snprintf(name, sizeof(name), "%.*s", (int)tm->arglen, tm->arg);
	if (strchr(name, '%') != NULL) {
		ck_tree(c, depth + 1, "%s:%s (macro: not followed)", via, name);
		return;
	}
	walk(c, name, depth + 1, via, top, t);
}

/* terms - count and follow the terms of one parsed record */
static void
terms(struct ck *c, const struct spfrec *r, const char *domain, int depth,
    bool top, struct spft *t)
{
	const struct spfrec_term *tm;
	int	 i;

	for (i = 0; i < r->nterms; i++) {
		tm = &r->term[i];
		switch (tm->kind) {
		case SPFREC_INCLUDE:
			t->lookups++;
			follow(c, tm, depth, "include", false, t);
			break;
		case SPFREC_A:
		case SPFREC_MX:
			t->lookups++;
			target(c, tm, domain, t);
			break;
		case SPFREC_PTR:
			t->lookups++;
			t->ptr = true;
			break;
		case SPFREC_EXISTS:
			t->lookups++;
			break;
		case SPFREC_ALL:
			if (top && t->all == 0)
				t->all = tm->qual;
			break;
		default:
			break;
		}
	}
	if (r->redirect >= 0 && r->all < 0) {	/* redirect only without all */
		t->lookups++;
		follow(c, &r->term[r->redirect], depth, "redirect", top, t);
	}
}

/* walk - one record of the tree */
static void
walk(struct ck *c, const char *domain, int depth, const char *via, bool top,
    struct spft *t)
{
	struct spfrec r;		/* ~4 KiB a level, <= 11 levels */
	struct buf *why;
	char	 rec[LIM_DNS_TXT];
	bool	 temp, nx;
	int	 n;

	if (depth > SPF_DEPTH) {
		ck_add(c, "spf.loop", CK_FAIL, "remove the loop of includes",
		    "include/redirect nested deeper than %d at %s",
		    SPF_DEPTH, domain);
		t->bad = true;
		return;
	}
	n = fetch(c, domain, rec, sizeof(rec), &temp, &nx);
	if (temp) {
		ck_missing(c, "spf");
		return;
	}
	if (n == 0) {
		if (nx && depth > 0)
			t->voids++;
		if (depth == 0)
			ck_add(c, "spf.none", CK_FAIL, "publish one TXT "
			    "record \"v=spf1 <your senders> -all\"",
			    "no SPF record");
		else
			ck_add(c, "spf.include_missing", CK_FAIL, "fix or "
			    "remove the term: receivers answer permerror",
			    "%s:%s has no SPF record", via, domain);
		t->bad = true;
		return;
	}
	if (n > 1) {
		ck_add(c, "spf.multiple", CK_FAIL, "merge them into one "
		    "record", "%s has %d SPF records; receivers answer "
		    "permerror (RFC 7208 4.5)", domain, n);
		t->bad = true;
		return;
	}
	ck_tree(c, depth, "%s%s%s %s", depth ? via : "", depth ? ":" : "",
	    domain, rec);
	why = buf_new(LIM_REASON);
	if (spfrec_parse(rec, strlen(rec), &r, why) != AM_OK) {
		ck_add(c, "spf.syntax", CK_FAIL, "correct the record (RFC "
		    "7208 12)", "%s: %s", domain, buf_str(why));
		buf_free(&why);
		t->bad = true;
		return;
	}
	buf_free(&why);
	terms(c, &r, domain, depth, top, t);
}

/* mx_authorized - do the MX hosts pass SPF for the domain? */
static void
mx_authorized(struct ck *c)
{
	struct spf_result res;
	struct buf *why = buf_new(LIM_REASON);
	char	 mf[LIM_ADDRESS], ip[ADDR_STRLEN];
	int	 i, bad = 0;

	snprintf(mf, sizeof(mf), "postmaster@%s", c->domain);
	for (i = 0; i < c->nmx && ck_budget_left(c); i++) {
		memset(&res, 0, sizeof(res));
		if (spf_check_mailfrom(c->spf, &c->mx[i].a, c->mx[i].host, mf,
		    &res, why) != AM_OK || res.result == SPF_RES_TEMPERROR) {
			ck_missing(c, "spf.mx");
			continue;
		}
		if (res.result == SPF_RES_PASS)
			continue;
		bad++;
		addr_format(&c->mx[i].a, ip, sizeof(ip));
		ck_add(c, "spf.mx_not_authorized", CK_WARN, "add the MX "
		    "hosts' addresses if they send mail for the domain",
		    "MX %s (%s) gets SPF %s", c->mx[i].host, ip,
		    spf_res_str(res.result));
	}
	if (i < c->nmx)
		ck_missing(c, "spf.mx");
	if (bad == 0 && c->nmx > 0 && i == c->nmx)
		ck_add(c, "spf.mx_authorized", CK_OK, "", "every MX address "
		    "passes SPF");
	buf_free(&why);
}

/* judge_all - the final all of the record and its redirects */
static void
judge_all(struct ck *c, char all)
{
	switch (all) {
	case '-':
		ck_add(c, "spf.fail_all", CK_OK, "", "ends in -all: other "
		    "hosts fail");
		break;
	case '~':
		ck_add(c, "spf.softfail_all", CK_WARN, "use -all once every "
		    "sender is listed", "ends in ~all: other hosts only "
		    "softfail (not enforcing)");
		break;
	case '?':
		ck_add(c, "spf.neutral_all", CK_FAIL, "use -all (or ~all "
		    "while testing)", "ends in ?all: says nothing about "
		    "other hosts");
		break;
	case '+':
		ck_add(c, "spf.plus_all", CK_FAIL, "replace +all by -all",
		    "+all authorizes every host on the Internet");
		break;
	default:
		ck_add(c, "spf.no_all", CK_WARN, "end the record with -all",
		    "no all term: other hosts get neutral");
	}
}

/* ck_spf - record, tree, limits, all, MX authorization */
void
ck_spf(struct ck *c)
{
	struct spft t;

	memset(&t, 0, sizeof(t));
	walk(c, c->domain, 0, "", true, &t);
	if (c->ntree == 0)
		return;			/* no record, or not fetched */
	if (t.lookups > SPF_LOOKUPS)
		ck_add(c, "spf.too_many_lookups", CK_FAIL, "flatten includes "
		    "or use ip4:/ip6: terms", "needs %d DNS lookups; "
		    "receivers stop at %d and answer permerror", t.lookups,
		    SPF_LOOKUPS);
	else
		ck_add(c, "spf.lookups", CK_OK, "", "%d of %d DNS lookups",
		    t.lookups, SPF_LOOKUPS);
	if (t.voids > SPF_VOIDS)
		ck_add(c, "spf.void_lookups", CK_FAIL, "remove terms whose "
		    "names do not exist", "%d lookups find nothing; receivers "
		    "stop at %d (RFC 7208 4.6.4)", t.voids, SPF_VOIDS);
	if (t.ptr)
		ck_add(c, "spf.ptr", CK_WARN, "replace ptr by ip4:/ip6: or a",
		    "uses ptr, which RFC 7208 5.5 says not to use");
	if (!t.bad)
		judge_all(c, t.all);
	if (!t.bad && !c->null_mx)
		mx_authorized(c);
}
