/*
 * NAME
 *	policy - from authentication results to a verdict
 * DESCRIPTION
 *	See policy.h.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "policy/policy.h"
#include "policy/rules.h"

/* verdict_str - the word in log lines */
const char *
verdict_str(enum verdict v)
{
	static const char *tab[] = {
		"accept", "tag", "quarantine", "tempfail", "reject",
	};

	return ((unsigned)v < sizeof(tab) / sizeof(tab[0]) ? tab[v] : "?");
}

/* policy_safe_domain - domain for reply text: letters, digits, . - _ */
const char *
policy_safe_domain(const char *dom, char *dst, size_t len)
{
	size_t	 i, o = 0;
	unsigned char c;

	for (i = 0; dom[i] != '\0' && o + 1 < len; i++) {
		c = (unsigned char)dom[i];
		dst[o++] = (c < 0x80 && (isalnum(c) || c == '.' || c == '-' ||
		    c == '_')) ? (char)c : '?';
	}
	dst[o] = '\0';
	return (o ? dst : "the sender");
}

/* set_reply - fill the verdict and its SMTP reply */
static void
set_reply(struct decision *d, enum verdict v, const char *code,
    const char *xcode, const char *why)
{
	d->verdict = v;
	d->why = why;
	snprintf(d->code, sizeof(d->code), "%s", code);
	snprintf(d->xcode, sizeof(d->xcode), "%s", xcode);
}

/* bad_from - 1 if the From: field gives no single author domain */
static int
bad_from(const struct from_result *f)
{
	if (f->status == FROM_MULTIPLE_MAILBOXES)
		return (f->ndomains != 1);
	return (f->status != FROM_OK);
}

/* temp_inputs - 1 if an input that might have passed failed temporarily */
static int
temp_inputs(const struct auth_results *r)
{
	int	 i;

	if (r->mailfrom.checked && r->mailfrom.result == SPF_RES_TEMPERROR)
		return (1);
	for (i = 0; i < r->dkim.nsigs; i++)
		if (r->dkim.sigs[i].result == DKIM_RES_TEMPERROR)
			return (1);
	return (0);
}

/* weaker - the policy t=y asks for: one step below (RFC 9989 4.7) */
static enum dmarc_policy
weaker(enum dmarc_policy p)
{
	return (p == DMARC_P_REJECT ? DMARC_P_QUARANTINE : DMARC_P_NONE);
}

/* dmarc_fail - the verdict for a DMARC fail under policy p */
static void
dmarc_fail(const struct conf *cf, const struct dmarc_result *dm,
    enum dmarc_policy p, struct decision *d)
{
	char	 dom[LIM_DOMAIN];

	if (p == DMARC_P_REJECT && cf->dmarc_reject_action == CONF_REJACT_REJECT) {
		set_reply(d, VERDICT_REJECT, "550", "5.7.26", "dmarc-fail");
		snprintf(d->text, sizeof(d->text), "Unauthenticated email "
		    "from %s is not accepted due to the domain's DMARC "
		    "policy", policy_safe_domain(dm->from_domain, dom, sizeof(dom)));
		return;
	}
	if (p == DMARC_P_REJECT ?
	    cf->dmarc_reject_action == CONF_REJACT_QUARANTINE :
	    p == DMARC_P_QUARANTINE &&
	    cf->dmarc_quarantine_action == CONF_QUARACT_QUARANTINE) {
		set_reply(d, VERDICT_QUARANTINE, "", "", "dmarc-fail");
		snprintf(d->text, sizeof(d->text), "DMARC policy of %s: "
		    "quarantine", policy_safe_domain(dm->from_domain, dom, sizeof(dom)));
		return;
	}
	set_reply(d, VERDICT_TAG, "", "", "dmarc-fail");
}

/* enforce - the verdict enforce mode gives */
static void
enforce(const struct auth_results *r, const struct conf *cf,
    struct decision *d)
{
	const struct dmarc_result *dm = &r->dmarc;
	enum dmarc_policy p = dm->policy;
	char	 dom[LIM_DOMAIN];

	if (bad_from(&r->from) && cf->on_bad_from == CONF_BADFROM_REJECT) {
		set_reply(d, VERDICT_REJECT, "550", "5.7.1", "bad-from");
		snprintf(d->text, sizeof(d->text), "Message must have exactly "
		    "one From: header field with one author domain (%s)",
		    from_status_str(r->from.status));
		return;
	}
	if (cf->on_dns_error == CONF_ONERR_TEMPFAIL &&
	    (dm->result == DMARC_RES_TEMPERROR ||
	    (dm->result == DMARC_RES_FAIL && p != DMARC_P_NONE &&
	    p != DMARC_P_UNSET && temp_inputs(r)))) {
		set_reply(d, VERDICT_TEMPFAIL, "451", "4.7.5", "dns-temp");
		snprintf(d->text, sizeof(d->text), "Temporary DNS failure "
		    "while authenticating %s; try again later",
		    policy_safe_domain(dm->from_domain, dom, sizeof(dom)));
		return;
	}
	if (dm->result == DMARC_RES_NONE && cf->spf_reject_fail_without_dmarc &&
	    r->mailfrom.checked && r->mailfrom.result == SPF_RES_FAIL) {
		/* RFC 7208 8.4; with a DMARC record, DMARC decides */
		set_reply(d, VERDICT_REJECT, "550", "5.7.23", "spf-fail");
		snprintf(d->text, sizeof(d->text), "SPF check of %s failed "
		    "and it publishes no DMARC policy",
		    policy_safe_domain(r->mailfrom.domain, dom, sizeof(dom)));
		return;
	}
	if (dm->result != DMARC_RES_FAIL) {
		set_reply(d, VERDICT_ACCEPT, "", "", dmarc_res_str(dm->result));
		return;
	}
	/*
	 * ARC (issue 9): RFC 9989 local-policy override. auth/arctrust.c
	 * sets arc.override only when the chain passes, its newest sealer
	 * is trusted and that sealer's own AAR recorded a pass for this
	 * From: domain; the disposition becomes none.
	 */
	if (r->arc.override) {
		set_reply(d, VERDICT_ACCEPT, "", "", "arc-override");
		return;
	}
	/*
	 * t=y (or pct=0 without t=): always the weaker policy. RFC 9989
	 * removed pct; other values are ignored.
	 */
	if (dm->testing)
		p = weaker(p);
	dmarc_fail(cf, dm, p, d);
}

/* monitor - in monitor mode the verdict is at most tag */
static void
monitor(const struct conf *cf, struct decision *d)
{
	d->would = d->verdict;
	if (cf->mode == CONF_MODE_MONITOR && d->verdict > VERDICT_TAG) {
		d->verdict = VERDICT_TAG;
		d->code[0] = d->xcode[0] = '\0';
	}
}

/* policy_decide - the verdict for one message */
void
policy_decide(const struct auth_results *r, const struct conf *cf,
    struct decision *d_r)
{
	memset(d_r, 0, sizeof(*d_r));
	enforce(r, cf, d_r);
	monitor(cf, d_r);
}

/* rule_decision - the verdict of a rule that decided */
static void
rule_decision(const struct rule_outcome *o, const struct rule_input *in,
    struct decision *d)
{
	static const enum verdict tab[] = {
		[RA_ACCEPT] = VERDICT_ACCEPT, [RA_REJECT] = VERDICT_REJECT,
		[RA_TEMPFAIL] = VERDICT_TEMPFAIL,
		[RA_QUARANTINE] = VERDICT_QUARANTINE, [RA_TAG] = VERDICT_TAG,
	};

	d->verdict = tab[o->rule->action];
	d->why = "rule";
	d->rule = o->rule->name;
	if (d->verdict == VERDICT_REJECT || d->verdict == VERDICT_TEMPFAIL)
		rules_reply(o, in, d->verdict, d);
	else if (d->verdict == VERDICT_QUARANTINE)
		snprintf(d->text, sizeof(d->text), "local policy rule %s",
		    o->rule->name);
}

/* policy_evaluate - the rules first, then the built-in verdict */
void
policy_evaluate(const struct rules *rs, const struct rule_input *in,
    const struct conf *cf, struct decision *d_r)
{
	struct rule_outcome o;

	rules_walk(rs, in, &o, NULL);
	if (o.state != RULES_MATCH) {
		policy_decide(in->res, cf, d_r);
	} else {
		memset(d_r, 0, sizeof(*d_r));
		rule_decision(&o, in, d_r);
		monitor(cf, d_r);
	}
	d_r->tag = o.tag;
}

/* policy_early - 1 and the refusal if a rule refuses before the data */
int
policy_early(const struct rules *rs, const struct rule_input *in,
    const struct conf *cf, struct decision *d_r)
{
	struct rule_outcome o;

	memset(d_r, 0, sizeof(*d_r));
	rules_walk(rs, in, &o, NULL);
	if (o.state != RULES_MATCH || (o.rule->action != RA_REJECT &&
	    o.rule->action != RA_TEMPFAIL))
		return (0);
	rule_decision(&o, in, d_r);
	monitor(cf, d_r);
	return (d_r->verdict == VERDICT_REJECT ||
	    d_r->verdict == VERDICT_TEMPFAIL);
}

/* policy_error - the verdict for an internal error */
void
policy_error(const struct conf *cf, const char *why, struct decision *d_r)
{
	memset(d_r, 0, sizeof(*d_r));
	if (cf->on_error == CONF_ONERR_ACCEPT) {
		set_reply(d_r, VERDICT_ACCEPT, "", "", why);
	} else {
		set_reply(d_r, VERDICT_TEMPFAIL, "451", "4.3.0", why);
		snprintf(d_r->text, sizeof(d_r->text), "Temporary local "
		    "problem; try again later");
	}
	d_r->would = d_r->verdict;
}
