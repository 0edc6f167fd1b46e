/*
 * NAME
 *	aggregate - one RFC 9990 aggregate report from the store
 * DESCRIPTION
 *	See aggregate.h. The XML is written by hand: a fixed structure of
 *	elements whose text is escaped here (xml_text); the tests validate
 *	every report against the RFC's schema with xmllint.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/aggregate.h"
#include "util/am.h"

struct agg_ctx {
	struct buf *xml;
	struct agg_info *info;
	int	 st;			/* AM_OK or AM_TEMP (buffer full) */
};

/* xml_text - s with &, <, >, " and control bytes escaped */
static void
xml_text(struct agg_ctx *c, const char *s)
{
	unsigned char ch;

	for (; s != NULL && (ch = (unsigned char)*s) != '\0'; s++) {
		if (ch == '&')
			c->st |= buf_puts(c->xml, "&amp;");
		else if (ch == '<')
			c->st |= buf_puts(c->xml, "&lt;");
		else if (ch == '>')
			c->st |= buf_puts(c->xml, "&gt;");
		else if (ch == '"')
			c->st |= buf_puts(c->xml, "&quot;");
		else if (ch < 0x20 || ch == 0x7f)
			c->st |= buf_putc(c->xml, '?');
		else
			c->st |= buf_putc(c->xml, ch);
	}
}

/* el - <name>text</name>, skipped when text is empty and optional */
static void
el(struct agg_ctx *c, const char *name, const char *text, bool optional)
{
	if (optional && (text == NULL || text[0] == '\0'))
		return;
	c->st |= buf_printf(c->xml, "<%s>", name);
	xml_text(c, text);
	c->st |= buf_printf(c->xml, "</%s>", name);
}

/* dkim_els - the <dkim> results of a record, passes first */
static void
dkim_els(struct agg_ctx *c, const char *list)
{
	char	 line[LIM_DOMAIN + 256], *f[4], *p;
	const char *s, *nl;
	int	 pass, k;

	for (pass = 1; pass >= 0; pass--) {
		for (s = list; s != NULL && *s != '\0'; s = nl ? nl + 1 : NULL) {
			nl = strchr(s, '\n');
			snprintf(line, sizeof(line), "%.*s", (int)(nl ?
			    (size_t)(nl - s) : strlen(s)), s);
			for (k = 0, p = line; k < 4; k++) {
				f[k] = p;
				if (p != NULL && (p = strchr(p, '\t')) != NULL)
					*p++ = '\0';
			}
			if (f[2] == NULL || (strcmp(f[2], "pass") == 0) != pass)
				continue;
			c->st |= buf_puts(c->xml, "<dkim>");
			el(c, "domain", f[0], false);
			el(c, "selector", f[1], false);
			el(c, "result", f[2], false);
			el(c, "human_result", f[3], true);
			c->st |= buf_puts(c->xml, "</dkim>");
		}
	}
}

/*
 * record - one grouped row: 0 source_ip, 1 disposition, 2 dkim_aligned,
 * 3 spf_aligned, 4 reason, 5 reason_comment, 6 header_from,
 * 7 envelope_from, 8 envelope_to, 9 dkim, 10 spf_domain, 11 spf_result,
 * 12 count
 */
static int
record(void *arg, int ncol, const char *const *v)
{
	struct agg_ctx *c = arg;

	if (ncol < 13)
		return (1);
	c->st |= buf_puts(c->xml, "<record><row>");
	el(c, "source_ip", v[0], false);
	el(c, "count", v[12], false);
	c->st |= buf_puts(c->xml, "<policy_evaluated>");
	el(c, "disposition", v[1], false);
	el(c, "dkim", v[2] && strcmp(v[2], "1") == 0 ? "pass" : "fail", false);
	el(c, "spf", v[3] && strcmp(v[3], "1") == 0 ? "pass" : "fail", false);
	if (v[4] != NULL && v[4][0] != '\0') {
		c->st |= buf_puts(c->xml, "<reason>");
		el(c, "type", v[4], false);
		el(c, "comment", v[5], true);
		c->st |= buf_puts(c->xml, "</reason>");
	}
	c->st |= buf_puts(c->xml, "</policy_evaluated></row><identifiers>");
	el(c, "header_from", v[6], false);
	el(c, "envelope_from", v[7], true);
	el(c, "envelope_to", v[8], true);
	c->st |= buf_puts(c->xml, "</identifiers><auth_results>");
	dkim_els(c, v[9]);
	if (v[10] != NULL && v[10][0] != '\0') {
		c->st |= buf_puts(c->xml, "<spf>");
		el(c, "domain", v[10], false);
		el(c, "scope", "mfrom", false);
		el(c, "result", v[11], false);
		c->st |= buf_puts(c->xml, "</spf>");
	}
	c->st |= buf_puts(c->xml, "</auth_results></record>\n");
	c->info->records++;
	c->info->messages += v[12] ? atol(v[12]) : 0;
	return (c->st != AM_OK);
}

/*
 * published - the newest row's policy: 0 p, 1 sp, 2 np, 3 adkim,
 * 4 aspf, 5 testing, 6 fo, 7 discovery, 8 rua
 */
static int
published(void *arg, int ncol, const char *const *v)
{
	struct agg_ctx *c = arg;

	if (ncol < 9)
		return (1);
	el(c, "p", v[0], false);
	el(c, "sp", v[1], true);
	el(c, "np", v[2], true);
	el(c, "adkim", v[3], true);
	el(c, "aspf", v[4], true);
	el(c, "discovery_method", v[7], true);
	el(c, "fo", v[6], true);
	el(c, "testing", v[5], true);
	snprintf(c->info->rua, sizeof(c->info->rua), "%s", v[8] ? v[8] : "");
	return (1);
}

/* report_aggregate - the XML report of one domain and period */
int
report_aggregate(struct store *st, const char *domain,
    const struct agg_meta *m, struct buf *xml, struct agg_info *i_r,
    struct buf *why)
{
	struct agg_ctx c = {xml, i_r, AM_OK};
	char	 b[24], e[24];
	const char *p[3] = {domain, b, e};
	int	 rc;

	memset(i_r, 0, sizeof(*i_r));
	snprintf(b, sizeof(b), "%lld", (long long)m->begin);
	snprintf(e, sizeof(e), "%lld", (long long)m->end);
	buf_reset(xml);
	c.st |= buf_puts(xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	    "<feedback xmlns=\"urn:ietf:params:xml:ns:dmarc-2.0\">\n"
	    "<version>1.0</version>\n<report_metadata>");
	el(&c, "org_name", m->org_name, false);
	el(&c, "email", m->email, false);
	el(&c, "report_id", m->report_id, false);
	c.st |= buf_printf(xml, "<date_range><begin>%s</begin><end>%s</end>"
	    "</date_range>", b, e);
	el(&c, "generator", m->generator, true);
	c.st |= buf_puts(xml, "</report_metadata>\n<policy_published>");
	el(&c, "domain", domain, false);
	rc = store_exec(st, "SELECT p, sp, np, adkim, aspf, testing, fo, "
	    "discovery, rua FROM msg WHERE policy_domain = $1 AND t >= $2 AND "
	    "t <= $3 ORDER BY t DESC, id DESC LIMIT 1", 3, p, published, &c,
	    why);
	c.st |= buf_puts(xml, "</policy_published>\n");
	if (rc == AM_OK)
		rc = store_exec(st, "SELECT source_ip, disposition, "
		    "dkim_aligned, spf_aligned, reason, reason_comment, "
		    "header_from, envelope_from, envelope_to, dkim, spf_domain, "
		    "spf_result, COUNT(*) FROM msg WHERE policy_domain = $1 AND "
		    "t >= $2 AND t <= $3 GROUP BY source_ip, disposition, "
		    "dkim_aligned, spf_aligned, reason, reason_comment, "
		    "header_from, envelope_from, envelope_to, dkim, spf_domain, "
		    "spf_result ORDER BY COUNT(*) DESC, source_ip", 3, p, record,
		    &c, why);
	c.st |= buf_puts(xml, "</feedback>\n");
	if (rc != AM_OK)
		return (rc);
	if (c.st != AM_OK)
		return (buf_why(why, AM_PERM, "report for %s too large", domain));
	if (i_r->records == 0)
		return (buf_why(why, AM_PERM, "no rows for %s", domain));
	return (AM_OK);
}

struct dom_list {
	char	**v;
	size_t	 n, cap;
};

/* add_domain - collect one policy domain */
static int
add_domain(void *arg, int ncol, const char *const *v)
{
	struct dom_list *l = arg;
	char	**nv;

	if (ncol < 1 || v[0] == NULL)
		return (0);
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((nv = realloc(l->v, l->cap * sizeof(*nv))) == NULL)
			return (1);
		l->v = nv;
	}
	if ((l->v[l->n] = strdup(v[0])) == NULL)
		return (1);
	l->n++;
	return (0);
}

/* report_domains - policy domains with rows and rua= in the period */
int
report_domains(struct store *st, int64_t begin, int64_t end,
    char ***domains_r, size_t *n_r, struct buf *why)
{
	struct dom_list l = {NULL, 0, 0};
	char	 b[24], e[24];
	const char *p[2] = {b, e};
	int	 rc;

	snprintf(b, sizeof(b), "%lld", (long long)begin);
	snprintf(e, sizeof(e), "%lld", (long long)end);
	rc = store_exec(st, "SELECT DISTINCT policy_domain FROM msg WHERE "
	    "t >= $1 AND t <= $2 AND rua <> '' ORDER BY policy_domain", 2, p,
	    add_domain, &l, why);
	*domains_r = l.v;
	*n_r = l.n;
	return (rc);
}

/* report_domains_free - the list from report_domains() */
void
report_domains_free(char **domains, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(domains[i]);
	free(domains);
}
