/*
 * NAME
 *	row - one message as the DMARC reports record it
 * DESCRIPTION
 *	See row.h.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "report/row.h"

/* copy_clean - bounded copy; tab, CR, LF and other controls as '?' */
static void
copy_clean(char *dst, size_t len, const char *src)
{
	size_t	 i;

	for (i = 0; src != NULL && src[i] != '\0' && i + 1 < len; i++)
		dst[i] = (unsigned char)src[i] < 0x20 || src[i] == 0x7f ?
		    '?' : src[i];
	dst[i] = '\0';
}

/* addr_domain - the domain of an address, "<a@b>" or "a@b"; "" if none */
static void
addr_domain(const char *addr, char *dst, size_t len)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;
	size_t	 n, i;

	dst[0] = '\0';
	if (at == NULL)
		return;
	n = strcspn(at + 1, ">");
	if (n >= len)
		return;
	for (i = 0; i < n; i++)
		dst[i] = (char)((at[1 + i] >= 'A' && at[1 + i] <= 'Z') ?
		    at[1 + i] + 32 : at[1 + i]);
	dst[n] = '\0';
	copy_clean(dst, len, dst);
}

/* policy_word - RFC 9990 DispositionType of a policy */
static const char *
policy_word(enum dmarc_policy p)
{
	return (p == DMARC_P_REJECT ? "reject" : p == DMARC_P_QUARANTINE ?
	    "quarantine" : "none");
}

/* evaluated - what the published policy asks for this message */
static const char *
evaluated(const struct dmarc_result *dm)
{
	enum dmarc_policy p = dm->policy;

	if (dm->result == DMARC_RES_PASS)
		return ("pass");
	if (dm->testing)		/* t=y: the next weaker policy */
		p = p == DMARC_P_REJECT ? DMARC_P_QUARANTINE : DMARC_P_NONE;
	return (policy_word(p));
}

/* applied - what was done, as an RFC 9990 ActionDispositionType */
static const char *
applied(const struct report_input *in)
{
	if (in->d->verdict == VERDICT_REJECT)
		return ("reject");
	if (in->d->verdict == VERDICT_QUARANTINE)
		return ("quarantine");
	return (in->res->dmarc.result == DMARC_RES_PASS ? "pass" : "none");
}

/* override - the reason when applied differs from the policy's ask */
static void
override(struct report_row *row, const struct report_input *in)
{
	const char *why = in->d->why != NULL ? in->d->why : "";

	if (strcmp(row->evaluated, row->disposition) == 0 &&
	    !in->res->dmarc.testing)
		return;
	if (in->res->dmarc.testing && in->res->dmarc.result ==
	    DMARC_RES_FAIL) {
		snprintf(row->reason, sizeof(row->reason), "policy_test_mode");
		snprintf(row->reason_comment, sizeof(row->reason_comment),
		    "t=y: the next weaker policy");
		if (strcmp(row->evaluated, row->disposition) == 0)
			return;
	}
	if (strcmp(row->evaluated, row->disposition) == 0)
		return;
	snprintf(row->reason, sizeof(row->reason), "local_policy");
	if (in->monitor)
		snprintf(row->reason_comment, sizeof(row->reason_comment),
		    "monitor mode");
	else
		copy_clean(row->reason_comment, sizeof(row->reason_comment),
		    why);
}

/* fill_dkim - every signature's result */
static void
fill_dkim(struct report_row *row, const struct dkim_result *dk)
{
	const struct dkim_sig_result *s;
	int	 i;

	for (i = 0; i < dk->nsigs && row->ndkim < RPT_MAX_DKIM; i++) {
		s = &dk->sigs[i];
		if (s->d[0] == '\0')
			continue;	/* no d=: nothing to report on */
		copy_clean(row->dkim[row->ndkim].d,
		    sizeof(row->dkim[0].d), s->d);
		copy_clean(row->dkim[row->ndkim].s,
		    sizeof(row->dkim[0].s), s->s[0] ? s->s : "-");
		copy_clean(row->dkim[row->ndkim].result,
		    sizeof(row->dkim[0].result), dkim_res_str(s->result));
		copy_clean(row->dkim[row->ndkim].human,
		    sizeof(row->dkim[0].human), s->reason);
		row->ndkim++;
	}
}

/* fill_policy - the policy as published */
static void
fill_policy(struct report_row *row, const struct dmarc_result *dm)
{
	snprintf(row->p, sizeof(row->p), "%s", policy_word(dm->p));
	if (dm->sp != DMARC_P_UNSET)
		snprintf(row->sp, sizeof(row->sp), "%s", policy_word(dm->sp));
	if (dm->np != DMARC_P_UNSET)
		snprintf(row->np, sizeof(row->np), "%s", policy_word(dm->np));
	row->adkim = dm->adkim == 's' ? 's' : 'r';
	row->aspf = dm->aspf == 's' ? 's' : 'r';
	row->testing = dm->testing ? 'y' : 'n';
	copy_clean(row->fo, sizeof(row->fo), dm->fo);
	snprintf(row->discovery, sizeof(row->discovery), "%s",
	    dm->psl ? "psl" : "treewalk");
	copy_clean(row->rua, sizeof(row->rua), dm->rua);
	copy_clean(row->ruf, sizeof(row->ruf), dm->ruf);
}

/* report_row_fill - one message as a row; false: no row for it */
bool
report_row_fill(struct report_row *row, const struct report_input *in)
{
	const struct dmarc_result *dm = &in->res->dmarc;
	const struct spf_result *spf = &in->res->mailfrom;

	memset(row, 0, sizeof(*row));
	if ((dm->result != DMARC_RES_PASS && dm->result != DMARC_RES_FAIL) ||
	    dm->policy_domain[0] == '\0' ||
	    in->d->verdict == VERDICT_TEMPFAIL)
		return (false);
	if (in->subject != NULL &&
	    strncasecmp(in->subject + strspn(in->subject, " \t"),
	    "Report Domain:", 14) == 0)
		return (false);		/* a report: no report about reports */
	row->t = in->t;
	copy_clean(row->qid, sizeof(row->qid), in->qid);
	copy_clean(row->source_ip, sizeof(row->source_ip), in->ip);
	copy_clean(row->header_from, sizeof(row->header_from),
	    dm->from_domain);
	copy_clean(row->policy_domain, sizeof(row->policy_domain),
	    dm->policy_domain);
	addr_domain(in->mailfrom, row->envelope_from,
	    sizeof(row->envelope_from));
	addr_domain(in->rcpt, row->envelope_to, sizeof(row->envelope_to));
	snprintf(row->evaluated, sizeof(row->evaluated), "%s", evaluated(dm));
	snprintf(row->disposition, sizeof(row->disposition), "%s",
	    applied(in));
	snprintf(row->verdict, sizeof(row->verdict), "%s",
	    verdict_str(in->d->verdict));
	override(row, in);
	row->dkim_aligned = dm->dkim_aligned;
	row->spf_aligned = dm->spf_aligned;
	fill_dkim(row, &in->res->dkim);
	if (spf->checked) {
		copy_clean(row->spf_domain, sizeof(row->spf_domain),
		    spf->domain);
		snprintf(row->spf_result, sizeof(row->spf_result), "%s",
		    spf_res_str(spf->result));
	}
	fill_policy(row, dm);
	row->nrcpt = in->nrcpt;
	if (in->d->verdict != VERDICT_ACCEPT && in->rcpt != NULL)
		copy_clean(row->rcpt, sizeof(row->rcpt), in->rcpt);
	return (true);
}

/* report_row_dkim_text - "d\ts\tresult\thuman\n..." */
void
report_row_dkim_text(const struct report_row *row, char *dst, size_t len)
{
	size_t	 o = 0;
	int	 i, n;

	dst[0] = '\0';
	for (i = 0; i < row->ndkim && o < len; i++) {
		n = snprintf(dst + o, len - o, "%s\t%s\t%s\t%s\n",
		    row->dkim[i].d, row->dkim[i].s, row->dkim[i].result,
		    row->dkim[i].human);
		if (n < 0 || (size_t)n >= len - o) {
			dst[o] = '\0';
			return;
		}
		o += (size_t)n;
	}
}
