/*
 * NAME
 *	rules_match - walk the local policy over what is known (pure)
 * DESCRIPTION
 *	See rules.h: rules_walk(), rules_rcpt_differs(), rules_reply().
 *	Domains and addresses compare without regard to case; ".parent"
 *	matches the names below parent, not parent itself.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"
#include "policy/rules.h"
#include "util/am.h"
#include "util/limits.h"

/* name_match - s is an entry of m: exact, or below a ".parent" entry */
static int
name_match(const struct rule_match *m, const char *s)
{
	size_t	 i, n = strlen(s), e;

	if (n == 0)
		return (0);
	for (i = 0; i < m->n; i++) {
		e = strlen(m->v[i]);
		if (m->v[i][0] == '.' ? n > e &&
		    strcasecmp(s + n - e, m->v[i]) == 0 :
		    strcasecmp(s, m->v[i]) == 0)
			return (1);
	}
	return (0);
}

/* bare - an envelope address without its angle brackets */
static void
bare(const char *s, char *dst, size_t len)
{
	size_t	 n;

	if (s == NULL)
		s = "";
	while (*s == ' ')
		s++;
	if (*s == '<')
		s++;
	n = strcspn(s, ">");
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* addr_match - MAIL FROM: "<>", address, domain, ".parent" */
static int
addr_match(const struct rule_match *m, const char *mailfrom)
{
	char	 a[LIM_ADDRESS];
	const char *at;
	size_t	 i;

	bare(mailfrom, a, sizeof(a));
	at = strrchr(a, '@');
	for (i = 0; i < m->n; i++) {
		if (strcmp(m->v[i], "<>") == 0 ? a[0] == '\0' :
		    strchr(m->v[i], '@') != NULL && strcasecmp(a, m->v[i]) == 0)
			return (1);
	}
	return (at != NULL && name_match(m, at + 1));
}

/* rcpt_match - address, "local@*", "*@domain", domain, ".parent" */
static int
rcpt_match(const struct rule_match *m, const char *rcpt)
{
	char	 a[LIM_ADDRESS];
	const char *at, *eat;
	size_t	 i, ll;

	bare(rcpt, a, sizeof(a));
	if ((at = strrchr(a, '@')) == NULL)
		return (0);
	ll = (size_t)(at - a);
	for (i = 0; i < m->n; i++) {
		if ((eat = strrchr(m->v[i], '@')) == NULL)
			continue;
		if (strcmp(eat, "@*") == 0) {
			if ((size_t)(eat - m->v[i]) == ll &&
			    strncasecmp(a, m->v[i], ll) == 0)
				return (1);
		} else if (strncmp(m->v[i], "*@", 2) == 0) {
			if (strcasecmp(at + 1, m->v[i] + 2) == 0)
				return (1);
		} else if (strcasecmp(a, m->v[i]) == 0)
			return (1);
	}
	return (name_match(m, at + 1));
}

/* bit - 1 if result r is among the words of m */
static int
bit(const struct rule_match *m, unsigned r)
{
	return (r < 32 && (m->bits & (1u << r)) != 0);
}

/* zone_match - a listed zone of the kind (allow or not) in m */
static int
zone_match(const struct rule_match *m, const struct dnsbl_result *d,
    bool allow)
{
	int	 i;

	for (i = 0; i < d->nzones && i < LIM_DNSBL_ZONES; i++)
		if (d->z[i].allow == allow &&
		    d->z[i].result == DNSBL_RES_LISTED &&
		    name_match(m, d->z[i].zone))
			return (1);
	return (0);
}

/* dkim_match - dkim_pass (d= of a passing signature) or dkim (results) */
static int
dkim_match(const struct rule_match *m, const struct dkim_result *r,
    bool pass)
{
	int	 i;

	if (!pass && r->nsigs == 0)
		return (bit(m, DKIM_RES_NONE));
	for (i = 0; i < r->nsigs && i < LIM_DKIM_SIGS; i++)
		if (pass ? r->sigs[i].result == DKIM_RES_PASS &&
		    name_match(m, r->sigs[i].d) :
		    bit(m, r->sigs[i].result))
			return (1);
	return (0);
}

/* key_match - does matcher k of rule r hold for in (known) */
static int
key_match(const struct rule *r, enum rule_key k, const struct rule_input *in)
{
	const struct rule_match *m = &r->m[k];
	const struct client_results *rep = in->rep;
	const struct auth_results *res = in->res;
	char	 a[LIM_ADDRESS];
	const char *at;
	int	 i;

	switch (k) {
	case RK_CLIENT:
		for (i = 0; in->client != NULL && (size_t)i < m->n; i++)
			if (cidr_match(&m->cidr[i], in->client))
				return (1);
		return (0);
	case RK_CLIENT_NAME:
		return (rep != NULL && rep->iprev.result == IPREV_RES_PASS &&
		    name_match(m, rep->iprev.name));
	case RK_DNSBL:
	case RK_DNSWL:
		return (rep != NULL && zone_match(m, &rep->dnsbl,
		    k == RK_DNSWL));
	case RK_IPREV:
		return (bit(m, rep != NULL ? rep->iprev.result : 0));
	case RK_HELO:
		return (in->helo != NULL && name_match(m, in->helo));
	case RK_HELO_BAD:
		return (rep != NULL && (rep->helo_bad & m->bits) != 0);
	case RK_MAIL_FROM:
		return (addr_match(m, in->mail_from));
	case RK_MAIL_FROM_DOMAIN:
		bare(in->mail_from, a, sizeof(a));
		return ((at = strrchr(a, '@')) != NULL && name_match(m, at + 1));
	case RK_RCPT:
		return (in->rcpt != NULL && rcpt_match(m, in->rcpt));
	case RK_FROM_DOMAIN:
		for (i = 0; res != NULL && i < res->from.ndomains &&
		    i < LIM_FROM_MAILBOXES; i++)
			if (name_match(m, res->from.domains[i]))
				return (1);
		return (0);
	case RK_DKIM_PASS:
	case RK_DKIM:
		return (res != NULL && dkim_match(m, &res->dkim,
		    k == RK_DKIM_PASS));
	case RK_SPF_PASS:
		return (res != NULL && res->mailfrom.result == SPF_RES_PASS &&
		    name_match(m, res->mailfrom.domain));
	case RK_SPF:
		return (res != NULL && bit(m, res->mailfrom.result));
	case RK_HELO_SPF:
		return (res != NULL && bit(m, res->helo.result));
	case RK_DMARC:
		return (res != NULL && bit(m, res->dmarc.result));
	case RK_DMARC_POLICY:
		return (res != NULL && bit(m, res->dmarc.policy));
	case RK_ARC_SEALER:		/* RFC 8617: a passing chain only */
		return (res != NULL && res->arc.result == ARC_RES_PASS &&
		    name_match(m, res->arc.sealer));
	case RK_N:
		break;
	}
	return (0);
}

/* list_zones - "zone:result,..." of the client's DNS lists */
static void
list_zones(const struct client_results *rep, char *dst, size_t len)
{
	size_t	 o = 0;
	int	 i, n;

	dst[0] = '\0';
	for (i = 0; rep != NULL && i < rep->dnsbl.nzones &&
	    i < LIM_DNSBL_ZONES; i++) {
		n = snprintf(dst + o, len - o, "%s%s:%s", o ? "," : "",
		    rep->dnsbl.z[i].zone, dnsbl_res_str(rep->dnsbl.z[i].result));
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(dst, len, "no zone listed");
}

/* list_sigs - "d:result,..." of the DKIM signatures */
static void
list_sigs(const struct auth_results *res, char *dst, size_t len)
{
	size_t	 o = 0;
	int	 i, n;

	dst[0] = '\0';
	for (i = 0; res != NULL && i < res->dkim.nsigs && i < LIM_DKIM_SIGS;
	    i++) {
		n = snprintf(dst + o, len - o, "%s%s:%s", o ? "," : "",
		    res->dkim.sigs[i].d, dkim_res_str(res->dkim.sigs[i].result));
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(dst, len, "no signature");
}

/* describe_results - end-of-message inputs of matcher k */
static void
describe_results(enum rule_key k, const struct auth_results *res, char *dst,
    size_t len)
{
	size_t	 o = 0;
	int	 i, n;

	if (res == NULL)
		return;
	switch (k) {
	case RK_FROM_DOMAIN:
		for (i = 0; i < res->from.ndomains && i < LIM_FROM_MAILBOXES;
		    i++) {
			n = snprintf(dst + o, len - o, "%s%s", o ? "," : "",
			    res->from.domains[i]);
			if (n < 0 || (size_t)n >= len - o)
				break;
			o += (size_t)n;
		}
		return;
	case RK_DKIM_PASS:
	case RK_DKIM:
		list_sigs(res, dst, len);
		return;
	case RK_SPF_PASS:
	case RK_SPF:
		snprintf(dst, len, "%s %s", spf_res_str(res->mailfrom.result),
		    res->mailfrom.domain);
		return;
	case RK_HELO_SPF:
		snprintf(dst, len, "%s", spf_res_str(res->helo.result));
		return;
	case RK_DMARC:
		snprintf(dst, len, "%s", dmarc_res_str(res->dmarc.result));
		return;
	case RK_DMARC_POLICY:
		snprintf(dst, len, "%s", dmarc_policy_str(res->dmarc.policy));
		return;
	case RK_ARC_SEALER:
		if (res->arc.result == ARC_RES_NONE)
			snprintf(dst, len, "no ARC chain");
		else
			snprintf(dst, len, "%s %s", arc_res_str(
			    res->arc.result), res->arc.sealer);
		return;
	default:
		return;
	}
}

/* describe - what the input holds for matcher k, for -t -v */
static void
describe(enum rule_key k, const struct rule_input *in, char *dst, size_t len)
{
	const struct client_results *rep = in->rep;

	dst[0] = '\0';
	switch (k) {
	case RK_CLIENT:
		if (in->client == NULL)
			snprintf(dst, len, "no client address");
		else
			addr_format(in->client, dst, len);
		return;
	case RK_CLIENT_NAME:
		snprintf(dst, len, "iprev=%s name=%s", rep ?
		    iprev_res_str(rep->iprev.result) : "none",
		    rep && rep->iprev.name[0] ? rep->iprev.name : "-");
		return;
	case RK_IPREV:
		snprintf(dst, len, "%s", iprev_res_str(rep ?
		    rep->iprev.result : IPREV_RES_NONE));
		return;
	case RK_DNSBL:
	case RK_DNSWL:
		list_zones(rep, dst, len);
		return;
	case RK_HELO:
		snprintf(dst, len, "%s", in->helo ? in->helo : "");
		return;
	case RK_HELO_BAD:
		snprintf(dst, len, "0x%02x", rep ? rep->helo_bad : 0);
		return;
	case RK_MAIL_FROM:
	case RK_MAIL_FROM_DOMAIN:
		snprintf(dst, len, "%s", in->mail_from ? in->mail_from : "");
		return;
	case RK_RCPT:
		snprintf(dst, len, "%s", in->rcpt ? in->rcpt : "no recipient");
		return;
	default:
		describe_results(k, in->res, dst, len);
		return;
	}
}

/* rule_state - RULES_NONE (no), RULES_MATCH (yes) or RULES_UNDECIDED */
static int
rule_state(const struct rule *r, const struct rule_input *in,
    enum rule_key *failed_r)
{
	int	 k, maybe = 0;

	for (k = 0; k < RK_N; k++) {
		if (!r->m[k].given)
			continue;
		if ((in->known & rules_key_known(k)) != rules_key_known(k))
			maybe = 1;
		else if (!key_match(r, k, in)) {
			*failed_r = k;
			return (RULES_NONE);
		}
	}
	return (maybe ? RULES_UNDECIDED : RULES_MATCH);
}

/* rules_walk - the first rule that holds, as far as is known */
void
rules_walk(const struct rules *rs, const struct rule_input *in,
    struct rule_outcome *o_r, struct buf *explain)
{
	const struct rule *r;
	enum rule_key failed = RK_N;
	char	 val[512];
	size_t	 i;
	int	 st;

	memset(o_r, 0, sizeof(*o_r));
	for (i = 0; rs != NULL && i < rs->n; i++) {
		r = &rs->v[i];
		st = rule_state(r, in, &failed);
		if (st == RULES_NONE) {
			if (explain != NULL) {
				describe(failed, in, val, sizeof(val));
				buf_printf(explain, "rule %s (line %d): no "
				    "match: %s is %s\n", r->name, r->line,
				    rules_key_name(failed), val[0] ? val :
				    "(empty)");
			}
			continue;
		}
		if (st == RULES_UNDECIDED) {
			o_r->state = RULES_UNDECIDED;
			o_r->rule = r;
			return;
		}
		if (r->has_reply)
			o_r->reply = r;
		if (r->tag != NULL)
			o_r->tag = r->tag;
		if (r->action == RA_CONTINUE) {
			if (explain != NULL)
				buf_printf(explain, "rule %s (line %d): "
				    "matched, continue\n", r->name, r->line);
			continue;
		}
		o_r->state = RULES_MATCH;
		o_r->rule = r;
		return;
	}
	o_r->state = RULES_NONE;
}

/* rules_rcpt_differs - 1 if some rcpt matcher tells the two apart */
int
rules_rcpt_differs(const struct rules *rs, const char *rcpt1,
    const char *rcpt2, const char **rule_r)
{
	size_t	 i;

	for (i = 0; rs != NULL && i < rs->n; i++)
		if (rs->v[i].m[RK_RCPT].given &&
		    rcpt_match(&rs->v[i].m[RK_RCPT], rcpt1) !=
		    rcpt_match(&rs->v[i].m[RK_RCPT], rcpt2)) {
			*rule_r = rs->v[i].name;
			return (1);
		}
	return (0);
}

/* sender_domain - MAIL FROM domain, else the first author domain */
static const char *
sender_domain(const struct rule_input *in, char *tmp, size_t len)
{
	const char *at;

	bare(in->mail_from, tmp, len);
	if ((at = strrchr(tmp, '@')) != NULL && at[1] != '\0')
		return (at + 1);
	if (in->res != NULL && in->res->from.ndomains > 0)
		return (in->res->from.domains[0]);
	return ("");
}

/* expand - a reply template with sanitized values; '%' doubled */
static void
expand(const char *t, const struct rule *r, const struct rule_input *in,
    char *dst, size_t len)
{
	char	 val[LIM_DOMAIN], tmp[LIM_ADDRESS];
	const char *v;
	size_t	 o = 0, n;

	for (; *t != '\0' && o + 1 < len; t++) {
		v = NULL;
		if (strncmp(t, "%{domain}", 9) == 0) {
			v = policy_safe_domain(sender_domain(in, tmp,
			    sizeof(tmp)), val, sizeof(val));
			t += 8;
		} else if (strncmp(t, "%{ip}", 5) == 0) {
			if (in->client == NULL ||
			    addr_format(in->client, val, sizeof(val)) != AM_OK)
				snprintf(val, sizeof(val), "unknown");
			v = val;
			t += 4;
		} else if (strncmp(t, "%{rule}", 7) == 0) {
			v = r->name;
			t += 6;
		} else if (*t == '%') {
			v = "%%";		/* libmilter: % must be %% */
		}
		if (v == NULL) {
			dst[o++] = *t;
			continue;
		}
		n = strlen(v);
		if (o + n >= len)
			break;
		memcpy(dst + o, v, n);
		o += n;
	}
	dst[o] = '\0';
}

/* set - code, enhanced code and text of d */
static void
set(struct decision *d, const char *code, const char *xcode,
    const char *text)
{
	snprintf(d->code, sizeof(d->code), "%s", code);
	snprintf(d->xcode, sizeof(d->xcode), "%s", xcode);
	snprintf(d->text, sizeof(d->text), "%s", text);
}

/* listed_zone - the zone of rule r that lists the client */
static const char *
listed_zone(const struct rule *r, const struct rule_input *in)
{
	const struct dnsbl_result *d;
	int	 i;

	if (in->rep == NULL)
		return ("a DNS block list");
	d = &in->rep->dnsbl;
	for (i = 0; i < d->nzones && i < LIM_DNSBL_ZONES; i++)
		if (!d->z[i].allow && d->z[i].result == DNSBL_RES_LISTED &&
		    name_match(&r->m[RK_DNSBL], d->z[i].zone))
			return (d->z[i].zone);
	return ("a DNS block list");
}

/* default_reply - RFC 7372 code for what rule r matched */
static void
default_reply(const struct rule *r, const struct rule_input *in,
    bool temp, struct decision *d)
{
	const struct auth_results *res = in->res;
	char	 text[320], zone[LIM_DOMAIN], dom[LIM_DOMAIN], tmp[LIM_ADDRESS];
	enum spf_res spf = res ? res->mailfrom.result : SPF_RES_NONE;

	policy_safe_domain(sender_domain(in, tmp, sizeof(tmp)), dom,
	    sizeof(dom));
	if (temp) {
		snprintf(text, sizeof(text), "Temporary local policy "
		    "failure (rule %s); try again later", r->name);
		set(d, "451", r->m[RK_SPF].given && spf == SPF_RES_TEMPERROR ?
		    "4.7.24" : "4.7.1", text);
	} else if (r->m[RK_DNSBL].given) {
		snprintf(text, sizeof(text), "Client address is listed in "
		    "%s", policy_safe_domain(listed_zone(r, in), zone,
		    sizeof(zone)));
		set(d, "554", "5.7.1", text);
	} else if (r->m[RK_IPREV].given || r->m[RK_CLIENT_NAME].given) {
		set(d, "550", "5.7.25", "Reverse DNS of the client address "
		    "does not match its name");
	} else if (r->m[RK_SPF].given && (spf == SPF_RES_FAIL ||
	    spf == SPF_RES_PERMERROR)) {
		snprintf(text, sizeof(text), "SPF check of %s %s", dom,
		    spf == SPF_RES_FAIL ? "failed" : "has a permanent error");
		set(d, "550", spf == SPF_RES_FAIL ? "5.7.23" : "5.7.24", text);
	} else if (r->m[RK_DMARC].given || r->m[RK_DMARC_POLICY].given) {
		snprintf(text, sizeof(text), "DMARC check of %s refused by "
		    "local policy", dom);
		set(d, "550", "5.7.26", text);
	} else if (r->m[RK_DKIM].given || r->m[RK_DKIM_PASS].given) {
		set(d, "550", "5.7.20", "No acceptable DKIM signature");
	} else {
		snprintf(text, sizeof(text), "Message refused by local "
		    "policy (rule %s)", r->name);
		set(d, "550", "5.7.1", text);
	}
}

/* rules_reply - the SMTP reply of verdict v decided by o->rule */
void
rules_reply(const struct rule_outcome *o, const struct rule_input *in,
    enum verdict v, struct decision *d)
{
	const struct rule *rr = o->reply;
	bool	 temp = v == VERDICT_TEMPFAIL;
	char	 text[320];

	if (rr != NULL && rr->code[0] == (temp ? '4' : '5')) {
		expand(rr->reply, o->rule, in, text, sizeof(text));
		set(d, rr->code, rr->xcode, text);
		return;
	}
	default_reply(o->rule, in, temp, d);
}
