/*
 * NAME
 *	dmarcpub - the domain's published DMARC policy, audited
 * DESCRIPTION
 *	ck_dmarc() counts the records at _dmarc.<domain> (several count as
 *	none, RFC 9989), finds the applicable record with the receiver's
 *	own evaluator (auth/dmarc.c: the RFC 9989 tree walk), says where
 *	it was found, validates every tag (p, sp, np, adkim, aspf, fo, rua,
 *	ruf, t, psd; pct, rf and ri are RFC 7489 tags RFC 9989 dropped),
 *	judges the policy that applies to the domain (p=none: monitoring
 *	only; t=y: the next weaker policy), and checks that each external
 *	report destination (another organizational domain) authorizes the
 *	reports with <policy-domain>._report._dmarc.<dest> (RFC 9990 3).
 *	It also sets the summary: would a spoof of the domain be rejected
 *	by a receiver that enforces DMARC.
 * SEE ALSO
 *	RFC 9989 4.7, 4.8, 4.10; RFC 9990 3 (external destinations)
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/dmarcrec.h"
#include "check/ck.h"
#include "util/am.h"
#include "util/taglist.h"

/* val_in - the tag's value is one of the |-separated words */
static bool
val_in(const struct tag *t, const char *words)
{
	char	 w[32];
	const char *p = words, *q;

	while (*p != '\0') {
		q = strchr(p, '|');
		snprintf(w, sizeof(w), "%.*s", (int)(q ? (size_t)(q - p) :
		    strlen(p)), p);
		if (tag_value_is(t, w))
			return (true);
		p = q ? q + 1 : p + strlen(p);
	}
	return (false);
}

/* fo_ok - fo= is a colon list of 0, 1, d, s */
static bool
fo_ok(const struct tag *t)
{
	size_t	 i;
	bool	 want_opt = true;

	for (i = 0; i < t->vlen; i++) {
		if (t->value[i] == ' ' || t->value[i] == '\t')
			continue;
		if (want_opt && strchr("01dsDS", t->value[i]) != NULL &&
		    t->value[i] != '\0')
			want_opt = false;
		else if (!want_opt && t->value[i] == ':')
			want_opt = true;
		else
			return (false);
	}
	return (!want_opt);
}

/* org_of - organizational domain of d (PSL), or d itself */
static void
org_of(struct ck *c, const char *d, char *dst, size_t len)
{
	if (dmarc_org_domain(c->dmarc, d, dst, len) != AM_OK)
		snprintf(dst, len, "%s", d);
}

/* external - is dest authorized to get reports about pdom? */
static void
external(struct ck *c, const char *pdom, const char *dest, const char *tag)
{
	struct dns_answer *ans = NULL;
	char	 name[LIM_DOMAIN * 3], o1[LIM_DOMAIN], o2[LIM_DOMAIN];
	size_t	 i;
	bool	 ok = false;
	int	 st;

	org_of(c, pdom, o1, sizeof(o1));
	org_of(c, dest, o2, sizeof(o2));
	if (strcasecmp(o1, o2) == 0)
		return;			/* same organization */
	snprintf(name, sizeof(name), "%s._report._dmarc.%s", pdom, dest);
	st = ck_query(c, name, DNS_T_TXT, &ans);
	for (i = 0; st == DNS_OK && i < ans->nrr; i++)
		if (dmarcrec_is_record((const char *)ans->rr[i].data,
		    ans->rr[i].len))
			ok = true;
	dns_answer_free(&ans);
	if (st == DNS_TEMP)
		ck_missing(c, "dmarc.external");
	else if (ok)
		ck_add(c, "dmarc.external_authorized", CK_OK, "", "%s= "
		    "destination %s authorizes reports for %s", tag, dest,
		    pdom);
	else
		ck_add(c, "dmarc.external_unauthorized", CK_WARN, "ask the "
		    "destination to publish \"v=DMARC1\" at the name shown, "
		    "or report to an address of your own",
		    "%s= destination %s is another organization and %s has "
		    "no record: receivers will not send those reports", tag,
		    dest, name);
}

/* uris - check each URI of rua= or ruf= */
static void
uris(struct ck *c, const char *pdom, const struct tag *t, const char *tag)
{
	char	 uri[LIM_ADDRESS], dom[LIM_DOMAIN];
	const char *p = t->value, *end = t->value + t->vlen, *q, *at;
	size_t	 n;

	while (p < end) {
		q = memchr(p, ',', (size_t)(end - p));
		n = (size_t)((q ? q : end) - p);
		snprintf(uri, sizeof(uri), "%.*s", (int)n, p);
		p = q ? q + 1 : end;
		if (strncasecmp(uri, "mailto:", 7) != 0 ||
		    (at = strrchr(uri, '@')) == NULL || at[1] == '\0') {
			ck_add(c, "dmarc.bad_uri", CK_WARN, "use "
			    "mailto:address (RFC 9989 4.7)", "%s= URI \"%s\" "
			    "is not a mailto: address", tag, uri);
			continue;
		}
		snprintf(dom, sizeof(dom), "%.*s", (int)strcspn(at + 1, "!"),
		    at + 1);
		external(c, pdom, dom, tag);
	}
}

/* tag_check - one tag of the record */
static void
tag_check(struct ck *c, const char *pdom, const struct tag *t, bool *rua)
{
	static const struct {
		const char *name, *words;
	} enums[] = {
		{"p", "none|quarantine|reject"},
		{"sp", "none|quarantine|reject"},
		{"np", "none|quarantine|reject"},
		{"adkim", "r|s"}, {"aspf", "r|s"}, {"t", "y|n"},
		{"psd", "y|n|u"},
	};
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(enums); i++) {
		if (!tag_is(t, enums[i].name))
			continue;
		if (!val_in(t, enums[i].words))
			ck_add(c, "dmarc.bad_tag", CK_FAIL, "use one of the "
			    "values RFC 9989 4.7 lists", "%s=%.*s is not "
			    "valid", enums[i].name, (int)t->vlen, t->value);
		return;
	}
	if (tag_is(t, "v"))
		return;
	if (tag_is(t, "fo")) {
		if (!fo_ok(t))
			ck_add(c, "dmarc.bad_tag", CK_WARN, "fo= is a colon "
			    "list of 0, 1, d, s", "fo=%.*s is not valid",
			    (int)t->vlen, t->value);
	} else if (tag_is(t, "rua") || tag_is(t, "ruf")) {
		*rua |= tag_is(t, "rua");
		uris(c, pdom, t, tag_is(t, "rua") ? "rua" : "ruf");
	} else if (tag_is(t, "pct") || tag_is(t, "rf") || tag_is(t, "ri")) {
		ck_add(c, "dmarc.obsolete_tag", CK_INFO, "remove it (t=y "
		    "replaces pct=0)", "%.*s= is an RFC 7489 tag that RFC "
		    "9989 removed", (int)t->nlen, t->name);
	} else {
		ck_add(c, "dmarc.unknown_tag", CK_INFO, "check the spelling",
		    "unknown tag %.*s= is ignored", (int)t->nlen, t->name);
	}
}

/* tags - validate every tag of the record text */
static void
tags(struct ck *c, const char *pdom, const char *txt)
{
	const char *p = txt, *end = txt + strlen(txt);
	struct tag t;
	bool	 rua = false;
	int	 st;

	while ((st = taglist_next(&p, end, &t)) == 1)
		tag_check(c, pdom, &t, &rua);
	if (st < 0)
		ck_add(c, "dmarc.syntax", CK_FAIL, "write tag=value pairs "
		    "separated by \";\"", "the record's tag list does not "
		    "parse");
	if (!rua)
		ck_add(c, "dmarc.no_rua", CK_INFO, "add rua=mailto:... to "
		    "learn who sends as the domain", "no rua=: no aggregate "
		    "reports");
}

/* count_records - DMARC records at _dmarc.<d>; -1 on DNS trouble */
static int
count_records(struct ck *c, const char *d, char *first, size_t len)
{
	struct dns_answer *ans = NULL;
	char	 name[LIM_DOMAIN + 8];
	size_t	 i;
	int	 n = 0, st;

	snprintf(name, sizeof(name), "_dmarc.%s", d);
	st = ck_query(c, name, DNS_T_TXT, &ans);
	for (i = 0; st == DNS_OK && i < ans->nrr; i++)
		if (dmarcrec_is_record((const char *)ans->rr[i].data,
		    ans->rr[i].len) && n++ == 0)
			snprintf(first, len, "%s", (char *)ans->rr[i].data);
	dns_answer_free(&ans);
	return (st == DNS_TEMP ? -1 : n);
}

/* judge - the policy that applies to the domain, and the summary */
static void
judge(struct ck *c, const struct dmarc_result *res)
{
	const char *pw = dmarc_policy_str(res->policy);

	if (res->policy == DMARC_P_NONE)
		ck_add(c, "dmarc.p_none", CK_WARN, "move to p=quarantine, "
		    "then p=reject, once reports show every sender aligned",
		    "p=none: monitoring only, spoofs are delivered");
	else if (res->policy == DMARC_P_QUARANTINE)
		ck_add(c, "dmarc.p_quarantine", CK_INFO, "move to p=reject "
		    "when reports allow", "p=quarantine: spoofs go to spam");
	else
		ck_add(c, "dmarc.p_reject", CK_OK, "", "p=reject: spoofs are "
		    "refused");
	if (res->testing)
		ck_add(c, "dmarc.testing", CK_WARN, "remove t=y (or pct=0) "
		    "when ready", "t=y: receivers apply the next weaker "
		    "policy");
	c->spoof_rejected = res->policy == DMARC_P_REJECT && !res->testing;
	snprintf(c->spoof_why, sizeof(c->spoof_why), "policy %s (record "
	    "at _dmarc.%s)%s", pw, res->policy_domain,
	    res->testing ? ", in test mode (t=y)" : "");
}

/* ck_dmarc - record(s), tags, policy, report destinations */
void
ck_dmarc(struct ck *c)
{
	struct spf_result mf;
	struct dkim_result dk;
	struct dmarc_result res;
	struct buf *why;
	char	 txt[LIM_DNS_TXT];
	int	 n, st;

	snprintf(c->spoof_why, sizeof(c->spoof_why), "DMARC not checked");
	if ((n = count_records(c, c->domain, txt, sizeof(txt))) < 0) {
		ck_missing(c, "dmarc");
		return;
	}
	if (n > 1) {
		ck_add(c, "dmarc.multiple", CK_FAIL, "publish exactly one "
		    "record", "%d records at _dmarc.%s: receivers treat them "
		    "as none", n, c->domain);
		snprintf(c->spoof_why, sizeof(c->spoof_why), "several DMARC "
		    "records count as none");
		return;
	}
	memset(&mf, 0, sizeof(mf));
	memset(&dk, 0, sizeof(dk));
	memset(&res, 0, sizeof(res));
	why = buf_new(LIM_REASON);
	st = dmarc_evaluate(c->dmarc, c->domain, &mf, &dk, &res, why);
	buf_free(&why);
	if (st != AM_OK || res.result == DMARC_RES_TEMPERROR) {
		ck_missing(c, "dmarc");
		return;
	}
	if (res.result == DMARC_RES_NONE || res.result == DMARC_RES_PERMERROR) {
		ck_add(c, "dmarc.none", CK_FAIL, "publish \"v=DMARC1; "
		    "p=none; rua=mailto:...\" at _dmarc, then tighten",
		    "no DMARC record applies to %s", c->domain);
		snprintf(c->spoof_why, sizeof(c->spoof_why), "no DMARC "
		    "record");
		return;
	}
	if (strcasecmp(res.policy_domain, c->domain) != 0) {
		ck_add(c, "dmarc.found_at_parent", CK_INFO, "", "no record at "
		    "_dmarc.%s; the tree walk found _dmarc.%s", c->domain,
		    res.policy_domain);
		if (count_records(c, res.policy_domain, txt, sizeof(txt)) < 1) {
			ck_missing(c, "dmarc");
			return;
		}
	} else
		ck_add(c, "dmarc.record", CK_OK, "", "one record at _dmarc.%s",
		    c->domain);
	tags(c, res.policy_domain, txt);
	judge(c, &res);
}
