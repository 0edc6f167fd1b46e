/*
 * NAME
 *	ck - one domain audit: context, findings, bounded queries, output
 * DESCRIPTION
 *	See ck.h. The text report is aligned columns, level, id, why, and
 *	an indented "fix:" line; colour only when asked (a terminal). The
 *	JSON report is one object:
 *
 *	{"domain": S, "complete": B, "queries": N, "missing": [S...],
 *	 "findings": [{"id": S, "area": S, "level": "ok|info|warn|fail",
 *	               "why": S, "fix": S}...],
 *	 "spf_tree": [{"depth": N, "text": S}...],
 *	 "summary": {"spoof_rejected": B, "why": S}}
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check/ck.h"

/* ts_after - a is at or after b */
static bool
ts_after(const struct timespec *a, const struct timespec *b)
{
	return (a->tv_sec > b->tv_sec ||
	    (a->tv_sec == b->tv_sec && a->tv_nsec >= b->tv_nsec));
}

/* ck_budget_left - queries and time remain */
bool
ck_budget_left(struct ck *c)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (c->nqueries < c->max_queries && !ts_after(&now, &c->deadline));
}

/* ck_missing - note something the audit could not check */
void
ck_missing(struct ck *c, const char *what)
{
	size_t	 o = strlen(c->missing);

	c->incomplete = true;
	if (strstr(c->missing, what) != NULL)
		return;
	snprintf(c->missing + o, sizeof(c->missing) - o, "%s%s",
	    o ? "," : "", what);
}

/* ck_query - one bounded DNS question; DNS_TEMP past the budget */
int
ck_query(struct ck *c, const char *name, int type, struct dns_answer **ans_r)
{
	struct buf *why;
	int	 st;

	if (!ck_budget_left(c)) {
		*ans_r = NULL;
		c->incomplete = true;
		return (DNS_TEMP);
	}
	c->nqueries++;
	if ((why = buf_new(LIM_REASON)) == NULL) {
		*ans_r = NULL;
		return (DNS_TEMP);
	}
	st = dns_query(c->dns, name, type, ans_r, why);
	buf_free(&why);
	return (st);
}

/* ck_add - append a finding */
void
ck_add(struct ck *c, const char *id, enum ck_level level, const char *fix,
    const char *fmt, ...)
{
	struct ck_finding *f;
	va_list	 ap;

	if (c->nfind >= CK_MAX_FINDINGS)
		return;
	f = &c->find[c->nfind++];
	snprintf(f->id, sizeof(f->id), "%s", id);
	f->level = level;
	snprintf(f->fix, sizeof(f->fix), "%s", fix != NULL ? fix : "");
	va_start(ap, fmt);
	vsnprintf(f->why, sizeof(f->why), fmt, ap);
	va_end(ap);
}

/* ck_tree - one line of the SPF tree */
void
ck_tree(struct ck *c, int depth, const char *fmt, ...)
{
	struct ck_line *l;
	va_list	 ap;

	if (c->ntree >= CK_MAX_TREE)
		return;
	l = &c->tree[c->ntree++];
	l->depth = depth;
	va_start(ap, fmt);
	vsnprintf(l->text, sizeof(l->text), fmt, ap);
	va_end(ap);
}

/* ck_level_str - the level's word */
const char *
ck_level_str(enum ck_level l)
{
	static const char *tab[] = {"ok", "info", "warn", "fail"};

	return ((unsigned)l < 4 ? tab[l] : "?");
}

/* ck_worst - the worst level among the findings */
int
ck_worst(const struct ck *c)
{
	int	 i, w = CK_OK;

	for (i = 0; i < c->nfind; i++)
		if ((int)c->find[i].level > w)
			w = (int)c->find[i].level;
	return (w);
}

/* put_text - a peer string with control bytes as '?' */
static void
put_text(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, fp);
}

/* ck_print_text - the human report */
void
ck_print_text(const struct ck *c, FILE *fp, bool colour)
{
	static const char *col[] = {"\033[32m", "\033[36m", "\033[33m",
	    "\033[31m"};
	const struct ck_finding *f;
	int	 i;

	fprintf(fp, "authmilter check ");
	put_text(fp, c->domain);
	fprintf(fp, "\n\n");
	for (i = 0; i < c->nfind; i++) {
		f = &c->find[i];
		fprintf(fp, "  %s%-4s%s  %-28s ", colour ? col[f->level] : "",
		    ck_level_str(f->level), colour ? "\033[0m" : "", f->id);
		put_text(fp, f->why);
		fputc('\n', fp);
		if (f->fix[0] != '\0') {
			fprintf(fp, "  %-4s  %-28s fix: ", "", "");
			put_text(fp, f->fix);
			fputc('\n', fp);
		}
	}
	if (c->ntree > 0) {
		fprintf(fp, "\nSPF tree (DNS lookups counted per RFC 7208 "
		    "4.6.4):\n");
		for (i = 0; i < c->ntree; i++) {
			fprintf(fp, "  %*s", c->tree[i].depth * 2, "");
			put_text(fp, c->tree[i].text);
			fputc('\n', fp);
		}
	}
	fprintf(fp, "\nWould a spoof of ");
	put_text(fp, c->domain);
	fprintf(fp, " be rejected by a DMARC-enforcing receiver? %s: ",
	    c->spoof_rejected ? "yes" : "no");
	put_text(fp, c->spoof_why);
	fputc('\n', fp);
	if (c->incomplete) {
		fprintf(fp, "Not checked (resolver failed or limits "
		    "reached): ");
		put_text(fp, c->missing[0] ? c->missing : "some lookups");
		fputc('\n', fp);
	}
}

/* json_str - s as a JSON string; bytes over 0x7f as \u00XX */
static void
json_str(FILE *fp, const char *s)
{
	unsigned char ch;

	fputc('"', fp);
	for (; (ch = (unsigned char)*s) != '\0'; s++) {
		if (ch == '"' || ch == '\\')
			fprintf(fp, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(fp, "\\u%04x", ch);
		else
			fputc(ch, fp);
	}
	fputc('"', fp);
}

/* json_missing - the "missing" array from the comma list */
static void
json_missing(const struct ck *c, FILE *fp)
{
	char	 item[sizeof(c->missing)];
	const char *p = c->missing, *q;
	bool	 first = true;

	fputc('[', fp);
	while (*p != '\0') {
		q = strchr(p, ',');
		snprintf(item, sizeof(item), "%.*s",
		    (int)(q ? (size_t)(q - p) : strlen(p)), p);
		fprintf(fp, "%s", first ? "" : ",");
		json_str(fp, item);
		first = false;
		p = q ? q + 1 : p + strlen(p);
	}
	fputc(']', fp);
}

/* ck_print_json - the machine report, one JSON object */
void
ck_print_json(const struct ck *c, FILE *fp)
{
	const struct ck_finding *f;
	char	 area[48];
	int	 i;

	fprintf(fp, "{\"domain\":");
	json_str(fp, c->domain);
	fprintf(fp, ",\"complete\":%s,\"queries\":%d,\"missing\":",
	    c->incomplete ? "false" : "true", c->nqueries);
	json_missing(c, fp);
	fprintf(fp, ",\"findings\":[");
	for (i = 0; i < c->nfind; i++) {
		f = &c->find[i];
		snprintf(area, sizeof(area), "%.*s",
		    (int)strcspn(f->id, "."), f->id);
		fprintf(fp, "%s{\"id\":", i ? "," : "");
		json_str(fp, f->id);
		fprintf(fp, ",\"area\":");
		json_str(fp, area);
		fprintf(fp, ",\"level\":\"%s\",\"why\":",
		    ck_level_str(f->level));
		json_str(fp, f->why);
		fprintf(fp, ",\"fix\":");
		json_str(fp, f->fix);
		fputc('}', fp);
	}
	fprintf(fp, "],\"spf_tree\":[");
	for (i = 0; i < c->ntree; i++) {
		fprintf(fp, "%s{\"depth\":%d,\"text\":", i ? "," : "",
		    c->tree[i].depth);
		json_str(fp, c->tree[i].text);
		fputc('}', fp);
	}
	fprintf(fp, "],\"summary\":{\"spoof_rejected\":%s,\"why\":",
	    c->spoof_rejected ? "true" : "false");
	json_str(fp, c->spoof_why);
	fprintf(fp, "}}\n");
}
