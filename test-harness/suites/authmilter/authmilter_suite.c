/*
 * NAME
 *	authmilter_suite - the authentication_milter corpus through our stages
 * SYNOPSIS
 *	authmilter_suite [-v] [corpus-dir]
 * DESCRIPTION
 *	Runs the 33 scenarios of milter-scenarios.tsv in corpus-dir (default
 *	../shared/testsuites/authmilter-corpus, relative to the repository
 *	root) through the daemon's own stages, milter/session.c and
 *	milter/eval.c: conn_new, conn_helo, msg_begin, msg_header (one call
 *	per field, the value with its leading space, folds joined by LF, as
 *	Postfix sends it with SMFIP_HDR_LEADSPC), msg_eoh, msg_body (CRLF), msg_end. DNS is
 *	dns_mock loaded from the corpus zonefile (Net::DNS::Resolver::Mock
 *	text; ";ERROR,name,TYPE,RCODE" lines become dns_mock_fail). The
 *	configuration is our defaults (conf_load(NULL)) with authserv_id
 *	"test.module" and trusted_networks emptied, so that every corpus
 *	client address is evaluated. MAIL FROM is handed over in <brackets>,
 *	as libmilter delivers it.
 *
 *	Compared per scenario: spf= (the MAIL FROM result), dkim= (the set of
 *	per-signature results, "none" without a signature), dmarc=, and
 *	iprev= where the corpus has one (client_start() runs as at connect,
 *	so iprev asks the corpus zone; the corpus's fail for a client without
 *	PTR record is our permerror, RFC 8601 2.7.3, noted as a divergence
 *	and not counted against us). Where the corpus has no spf, dkim or
 *	dmarc token:
 *	- config/hide_none hides "none" results: the want is "none";
 *	- no Authentication-Results at all: a hard DMARC reject
 *	  (config/dmarc_reject) must be our reject verdict; dryrun and
 *	  TestTimeout runs have nothing to compare (SKIP);
 *	- otherwise the corpus's handler did not run for that client
 *	  (LocalIP, TrustedIP): the token is not compared (a "#" line says so).
 *	Several dmarc= tokens (one per author domain) are met by the worst of
 *	them in eval.c's order (pass, none, permerror, fail, temperror).
 *
 *	Prints one TAP line per scenario, "ok - amcorpus/<dest>" (dest: the
 *	expected-output file without .eml) or "not ok - amcorpus/<dest>: got
 *	spf=X dkim=Y dmarc=Z want ...", and "# amcorpus: N/33 agree". A
 *	disagreement listed in divergences[] (and in DIVERGENCES.md beside
 *	this file) prints "ok - amcorpus/<dest> # SKIP <reason>".
 *	-v adds the reasons of our results as TAP comments.
 * DIAGNOSTICS
 *	Exit 0 when no line is "not ok", 1 otherwise, 2 on a usage or I/O
 *	error.
 * SEE ALSO
 *	test-harness/suites/authmilter.sh, DIVERGENCES.md, RFC 8601 2.7,
 *	RFC 7208 2.4, RFC 8301 3.1, RFC 9989
 */
#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "test-harness/suites/suite_io.h"
#include "auth/result.h"
#include "conf/conf.h"
#include "dns/dns.h"
#include "milter/client.h"
#include "milter/session.h"
#include "milter/snap.h"
#include "policy/verdict.h"
#include "util/addr.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"

#define AM_AUTHSERV	"test.module"
#define AM_TOKENS	32		/* tokens of one zone line */
#define AM_COLS		16		/* columns of the scenario table */
#define AM_MSG_MAX	(4 * 1024 * 1024)

/* a disagreement we read as principled; see DIVERGENCES.md */
struct divergence {
	const char *dest;
	const char *reason;
};

static const struct divergence divergences[] = {
	{"google_apps_good_map",
	    "config ip_map: the corpus evaluates 4.3.2.1 as 74.125.82.171"},
	{"google_apps_good_map_cidr",
	    "config ip_map: the corpus evaluates 5.4.3.2 as 74.125.82.171"},
	{"google_apps_bad_space",
	    "RFC 7208 4.3: MAIL FROM <marc@ marcbradshaw.net> has no usable "
	    "domain, spf=none (the corpus strips the blank), so dmarc=fail"},
	{"dmarc_reject_wl",
	    "RFC 8301 3.1: the rsa-sha1 signature verifies, never a pass"},
	{"dmarc_multi",
	    "two From: fields (one \"From :\"): permerror, not one dmarc= "
	    "per author (RFC 5322 3.6, issue 3)"},
	{"dmarc_multi_2",
	    "two From: fields: permerror (as dmarc_multi); MAIL FROM of two "
	    "addresses: we check the domain after the last @, the corpus "
	    "gives none"},
};

/* one scenario, the cells of its row */
struct scenario {
	const char *desc, *config, *source, *dest, *ip, *helo, *from, *to;
	const char *spf, *dkim, *dmarc, *iprev, *ar;
};

/* what we concluded, as tokens */
struct got {
	char	 spf[16];
	char	 dkim[128];
	char	 dmarc[16];
	char	 iprev[16];		/* "" when not checked */
	enum verdict verdict;
	char	 why[2048];
	char	 sigs[1024];		/* -v: one line per signature */
};

static bool verbose;

/*
 * zone_tokens - split a zone line in place: blanks separate, "quoted"
 * strings are one token (quotes dropped), parentheses are dropped
 */
static int
zone_tokens(char *s, char **tok, int max)
{
	int	 n = 0;

	while (*s != '\0' && n < max) {
		s += strspn(s, " \t()");
		if (*s == '\0')
			break;
		if (*s == '"') {
			tok[n++] = ++s;
			s += strcspn(s, "\"");
		} else {
			tok[n++] = s;
			s += strcspn(s, " \t()");
		}
		if (*s != '\0')
			*s++ = '\0';
	}
	return (n);
}

/* zone_type - DNS_T_* of a type name, or -1 */
static int
zone_type(const char *s)
{
	static const struct {
		const char *name;
		int	 type;
	} tab[] = {
		{"A", DNS_T_A}, {"NS", DNS_T_NS}, {"CNAME", DNS_T_CNAME},
		{"PTR", DNS_T_PTR}, {"MX", DNS_T_MX}, {"TXT", DNS_T_TXT},
		{"AAAA", DNS_T_AAAA},
	};
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(tab); i++)
		if (strcasecmp(s, tab[i].name) == 0)
			return (tab[i].type);
	return (-1);
}

/*
 * zone_error - ";ERROR,name,TYPE,RCODE": Net::DNS::Resolver::Mock turns a
 * PTR query for an address into its in-addr.arpa name, so do we
 */
static void
zone_error(struct dns *d, char *line)
{
	char	*f[4], *save = NULL, rev[LIM_DOMAIN];
	unsigned char a4[4];
	int	 n = 0, type;

	for (char *t = strtok_r(line, ",", &save); t != NULL && n < 4;
	    t = strtok_r(NULL, ",", &save))
		f[n++] = t;
	if (n != 4 || (type = zone_type(f[2])) < 0)
		return;
	if (type == DNS_T_PTR && inet_pton(AF_INET, f[1], a4) == 1) {
		snprintf(rev, sizeof(rev), "%u.%u.%u.%u.in-addr.arpa",
		    a4[3], a4[2], a4[1], a4[0]);
		f[1] = rev;
	}
	dns_mock_fail(d, f[1], type, strcmp(f[3], "NXDOMAIN") == 0 ?
	    DNS_NOTFOUND : DNS_TEMP);
}

/* zone_rr - "name [ttl] [IN] TYPE rdata..." into the mock */
static void
zone_rr(struct dns *d, char *line)
{
	char	*tok[AM_TOKENS], txt[4096], mx[LIM_DOMAIN + 8];
	int	 n, i = 1, type;
	size_t	 o = 0, l;

	if ((n = zone_tokens(line, tok, AM_TOKENS)) < 2)
		return;
	if (i < n && strspn(tok[i], "0123456789") == strlen(tok[i]))
		i++;				/* TTL */
	if (i < n && strcasecmp(tok[i], "IN") == 0)
		i++;
	if (i >= n || (type = zone_type(tok[i++])) < 0)
		return;
	if (type == DNS_T_TXT) {		/* strings concatenated */
		txt[0] = '\0';
		for (; i < n; i++) {
			l = strlen(tok[i]);
			if (o + l >= sizeof(txt))
				break;
			memcpy(txt + o, tok[i], l + 1);
			o += l;
		}
		dns_mock_add(d, tok[0], type, txt);
	} else if (type == DNS_T_MX && i + 1 < n) {
		snprintf(mx, sizeof(mx), "%s %s", tok[i], tok[i + 1]);
		dns_mock_add(d, tok[0], type, mx);
	} else if (i < n)
		dns_mock_add(d, tok[0], type, tok[i]);
}

/* zone_load - the corpus zonefile into a mock */
static struct dns *
zone_load(const char *path)
{
	struct dns *d;
	char	*text, *p, *line;
	size_t	 len;

	if ((text = suite_slurp(path, &len)) == NULL)
		return (NULL);
	d = dns_mock_new();
	for (p = text; (line = suite_next_line(&p, text + len)) != NULL;) {
		if (strncmp(line, ";ERROR,", 7) == 0)
			zone_error(d, line + 7);
		else if (*line != ';' && *line != '\0' && *line != '#')
			zone_rr(d, line);
	}
	free(text);
	return (d);
}

/*
 * feed_field - one field "Name: value" (folds joined by LF); blanks
 * between the name and the colon (RFC 5322 4.5.1 obs-optional, "From :")
 * are cut off the name, as Postfix's milter8_header() does
 */
static void
feed_field(struct conn *c, struct buf *field)
{
	char	*colon = memchr(field->data, ':', field->len), *e;

	if (colon == NULL)
		return;
	*colon = '\0';
	for (e = colon; e > field->data && (e[-1] == ' ' || e[-1] == '\t');)
		*--e = '\0';
	(void)msg_header(c, field->data, colon + 1);
}

/*
 * feed_message - the message as libmilter hands it over (the way -t in
 * milter/tryout.c does): fields, end of header, the body in CRLF
 */
static void
feed_message(struct conn *c, char *text, size_t len)
{
	struct buf *field = buf_new(LIM_HEADER * 4);
	struct buf *body = buf_new(AM_MSG_MAX * 2);
	char	*p = text, *end = text + len, *line;

	while ((line = suite_next_line(&p, end)) != NULL) {
		if (*line == '\0')		/* end of header */
			break;
		if (*line == ' ' || *line == '\t') {
			(void)buf_putc(field, '\n');
			(void)buf_puts(field, line);
			continue;
		}
		if (field->len > 0)
			feed_field(c, field);
		buf_reset(field);
		(void)buf_puts(field, line);
	}
	if (field->len > 0)
		feed_field(c, field);
	(void)msg_eoh(c);
	while ((line = suite_next_line(&p, end)) != NULL) {
		(void)buf_puts(body, line);
		(void)buf_append(body, "\r\n", 2);
	}
	(void)msg_body(c, (const unsigned char *)body->data, body->len);
	buf_free(&field);
	buf_free(&body);
}

/* tok_cmp - qsort order of token strings */
static int
tok_cmp(const void *a, const void *b)
{
	return (strcmp(*(const char *const *)a, *(const char *const *)b));
}

/* join_set - tokens sorted, without duplicates, joined by "," */
static void
join_set(const char **t, int n, char *dst, size_t len)
{
	size_t	 o = 0;
	int	 i;

	qsort(t, (size_t)n, sizeof(t[0]), tok_cmp);
	dst[0] = '\0';
	for (i = 0; i < n; i++) {
		if (i > 0 && strcmp(t[i], t[i - 1]) == 0)
			continue;
		o += (size_t)snprintf(dst + o, o < len ? len - o : 0, "%s%s",
		    o ? "," : "", t[i]);
		if (o >= len)
			break;
	}
}

/* dkim_tokens - the sorted set of per-signature results, or "none" */
static void
dkim_tokens(const struct dkim_result *r, char *dst, size_t len)
{
	const char *t[LIM_DKIM_SIGS];
	int	 i, n = 0;

	for (i = 0; i < r->nsigs && n < LIM_DKIM_SIGS; i++)
		t[n++] = dkim_res_str(r->sigs[i].result);
	if (n == 0) {
		snprintf(dst, len, "none");
		return;
	}
	join_set(t, n, dst, len);
}

/* set_norm - a comma list as a sorted set without duplicates */
static void
set_norm(const char *in, char *dst, size_t len)
{
	char	 copy[256], *save = NULL;
	const char *t[32];
	int	 n = 0;

	snprintf(copy, sizeof(copy), "%s", in);
	for (char *s = strtok_r(copy, ",", &save); s != NULL && n < 32;
	    s = strtok_r(NULL, ",", &save))
		t[n++] = s;
	join_set(t, n, dst, len);
}

/* dmarc_worst - the worst of several dmarc= tokens, in eval.c's order */
static void
dmarc_worst(const char *in, char *dst, size_t len)
{
	static const char *order[] = {"pass", "none", "permerror", "fail",
	    "temperror"};
	size_t	 i, best = 0;
	bool	 any = false;

	for (i = 0; i < AM_ARRAY_LEN(order); i++) {
		char	 pat[16];
		const char *p = in;
		size_t	 l = strlen(order[i]);

		snprintf(pat, sizeof(pat), "%s", order[i]);
		while ((p = strstr(p, pat)) != NULL) {
			if ((p == in || p[-1] == ',') &&
			    (p[l] == '\0' || p[l] == ',')) {
				best = i;
				any = true;
			}
			p += l;
		}
	}
	snprintf(dst, len, "%s", any ? order[best] : in);
}

/* evaluate - one scenario through conn_new .. msg_end */
static int
evaluate(struct dns *zone, const char *root, const struct scenario *s,
    struct got *g)
{
	char	 path[1024], mf[LIM_ADDRESS];
	struct buf *why = buf_new(LIM_REASON);
	struct conf *cf;
	struct snap *sp;
	struct conn *c;
	struct addr a;
	char	*text;
	size_t	 len;
	int	 st = AM_PERM;

	snprintf(path, sizeof(path), "%s/data/source/%s", root, s->source);
	if ((text = suite_slurp(path, &len)) == NULL) {
		snprintf(g->why, sizeof(g->why), "cannot read %s", path);
		buf_free(&why);
		return (AM_PERM);
	}
	if (conf_load(NULL, &cf, why) != AM_OK)
		goto out;
	free(cf->authserv_id);
	cf->authserv_id = strdup(AM_AUTHSERV);
	free(cf->trusted_networks.v);
	cf->trusted_networks.v = NULL;
	cf->trusted_networks.n = 0;
	if (cf->authserv_id == NULL || snap_build(cf, zone, &sp, why) !=
	    AM_OK) {
		conf_free(&cf);
		goto out;
	}
	if (addr_parse(s->ip, &a) != AM_OK ||
	    (c = conn_new(sp, &a, "mx.test")) == NULL) {
		buf_setf(why, "bad client %s", s->ip);
		snap_release(&sp);
		goto out;
	}
	client_start(c, "mx.test", NULL);
	conn_helo(c, s->helo);
	if (s->from[0] == '<')
		snprintf(mf, sizeof(mf), "%s", s->from);
	else
		snprintf(mf, sizeof(mf), "<%s>", s->from);
	(void)msg_begin(c, mf, NULL);
	if (!c->msg->skip)
		feed_message(c, text, len);
	(void)msg_end(c, "amcorpus");
	snprintf(g->spf, sizeof(g->spf), "%s",
	    spf_res_str(c->msg->res.mailfrom.result));
	dkim_tokens(&c->msg->res.dkim, g->dkim, sizeof(g->dkim));
	snprintf(g->dmarc, sizeof(g->dmarc), "%s",
	    dmarc_res_str(c->msg->res.dmarc.result));
	snprintf(g->iprev, sizeof(g->iprev), "%s", c->rep.iprev.checked ?
	    iprev_res_str(c->rep.iprev.result) : "");
	g->verdict = c->msg->out.d.verdict;
	snprintf(g->why, sizeof(g->why), "spf: %s; dmarc: %s; verdict %s%s",
	    c->msg->res.mailfrom.reason, c->msg->res.dmarc.reason,
	    verdict_str(g->verdict), c->msg->failed ? " (stage failed)" : "");
	for (int i = 0; i < c->msg->res.dkim.nsigs; i++) {
		const struct dkim_sig_result *sr = &c->msg->res.dkim.sigs[i];
		size_t	 o = strlen(g->sigs);

		snprintf(g->sigs + o, sizeof(g->sigs) - o,
		    "#   dkim d=%.64s a=%.16s: %s (%.80s)\n", sr->d, sr->a,
		    dkim_res_str(sr->result), sr->reason);
	}
	conn_free(&c);
	st = AM_OK;
out:
	if (st != AM_OK && g->why[0] == '\0')
		snprintf(g->why, sizeof(g->why), "%s", buf_str(why));
	free(text);
	buf_free(&why);
	return (st);
}

/* divergence_of - the listed reason for a scenario, or NULL */
static const char *
divergence_of(const char *dest)
{
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(divergences); i++)
		if (strcmp(divergences[i].dest, dest) == 0)
			return (divergences[i].reason);
	return (NULL);
}

/* want_token - the expectation for one token, or NULL: not compared */
static const char *
want_token(const struct scenario *s, const char *cell, const char *what,
    char *note, size_t notelen)
{
	size_t	 o;

	if (cell[0] != '\0')
		return (cell);
	if (strstr(s->config, "hide_none") != NULL)
		return ("none");		/* hide_none hides none */
	o = strlen(note);
	snprintf(note + o, notelen - o, "%s%s", o ? "," : "", what);
	return (NULL);
}

/*
 * run_one - evaluate and compare one scenario, print its TAP line;
 * returns 1 when it agrees (or a listed divergence), 0 when it does not
 */
static int
run_one(struct dns *zone, const char *root, const struct scenario *s,
    int *agree)
{
	char	 id[256], note[64] = "", wdkim[128], wdmarc[64], gdkim[128];
	const char *wspf, *wdk, *wdm, *reason;
	struct got g;
	bool	 ok = true, ipdiv;

	memset(&g, 0, sizeof(g));
	snprintf(id, sizeof(id), "%s", s->dest);
	if (strlen(id) > 4 && strcmp(id + strlen(id) - 4, ".eml") == 0)
		id[strlen(id) - 4] = '\0';
	if (evaluate(zone, root, s, &g) != AM_OK) {
		printf("not ok - amcorpus/%s: %s\n", id, g.why);
		return (0);
	}
	if (s->spf[0] == '\0' && s->dkim[0] == '\0' && s->dmarc[0] == '\0' &&
	    s->ar[0] == '\0') {			/* no A-R was added */
		if (strstr(s->config, "dmarc_reject") != NULL) {
			ok = g.verdict == VERDICT_REJECT;
			printf("%s - amcorpus/%s%s%s (hard reject: verdict %s)\n",
			    ok ? "ok" : "not ok", id, ok ? "" : ": ",
			    ok ? "" : "want reject", verdict_str(g.verdict));
		} else {
			printf("ok - amcorpus/%s # SKIP %s: the corpus milter "
			    "adds no Authentication-Results\n", id,
			    strstr(s->config, "timeout") != NULL ?
			    "config TestTimeout handler only" : "config dryrun");
			ok = true;
		}
		*agree += ok && strstr(s->config, "dmarc_reject") != NULL;
		return (ok);
	}
	wspf = want_token(s, s->spf, "spf", note, sizeof(note));
	wdk = want_token(s, s->dkim, "dkim", note, sizeof(note));
	wdm = want_token(s, s->dmarc, "dmarc", note, sizeof(note));
	snprintf(gdkim, sizeof(gdkim), "%s", g.dkim);
	if (wdk != NULL)
		set_norm(wdk, wdkim, sizeof(wdkim));
	if (wdm != NULL)
		dmarc_worst(wdm, wdmarc, sizeof(wdmarc));
	if (wspf != NULL && strcmp(wspf, g.spf) != 0)
		ok = false;
	if (wdk != NULL && strcmp(wdkim, gdkim) != 0)
		ok = false;
	if (wdm != NULL && strcmp(wdmarc, g.dmarc) != 0)
		ok = false;
	/* the corpus says fail for a PTR NXDOMAIN; RFC 8601 2.7.3 permerror */
	ipdiv = strcmp(s->iprev, "fail") == 0 &&
	    strcmp(g.iprev, "permerror") == 0;
	if (s->iprev[0] != '\0' && strcmp(s->iprev, g.iprev) != 0 && !ipdiv)
		ok = false;
	reason = divergence_of(id);
	if (ok) {
		printf("ok - amcorpus/%s\n", id);
		(*agree)++;
	} else if (reason != NULL)
		printf("ok - amcorpus/%s # SKIP %s\n", id, reason);
	else
		printf("not ok - amcorpus/%s: got spf=%s dkim=%s dmarc=%s "
		    "iprev=%s want spf=%s dkim=%s dmarc=%s iprev=%s\n", id,
		    g.spf, gdkim, g.dmarc, g.iprev[0] ? g.iprev : "-",
		    wspf ? wspf : "-", wdk ? wdkim : "-", wdm ? wdm : "-",
		    s->iprev[0] ? s->iprev : "-");
	if (!ok && reason != NULL)
		printf("#   got spf=%s dkim=%s dmarc=%s want spf=%s dkim=%s "
		    "dmarc=%s\n", g.spf, gdkim, g.dmarc, wspf ? wspf : "-",
		    wdk ? wdkim : "-", wdm ? wdm : "-");
	if (ok && reason != NULL)
		printf("# amcorpus/%s: listed divergence no longer differs\n",
		    id);
	if (ipdiv)
		printf("# amcorpus/%s: iprev=permerror where the corpus says "
		    "fail: no PTR record is permerror (RFC 8601 2.7.3)\n", id);
	if (note[0] != '\0')
		printf("# amcorpus/%s: %s not compared: absent from the "
		    "corpus's A-R for this client (%s)\n", id, note, s->desc);
	if (verbose)
		printf("#   %s\n%s", g.why, g.sigs);
	return (ok || reason != NULL);
}

/* tsv_cols - split a TSV line in place */
static int
tsv_cols(char *line, char **cell)
{
	int	 n = 0;

	cell[n++] = line;
	for (char *p = line; *p != '\0' && n < AM_COLS; p++)
		if (*p == '\t') {
			*p = '\0';
			cell[n++] = p + 1;
		}
	return (n);
}

/* tsv_col - the index of column name in the header row, or -1 */
static int
tsv_col(char **hdr, int n, const char *name)
{
	int	 i;

	for (i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return (i);
	return (-1);
}

/* run_table - every scenario of the TSV */
static int
run_table(struct dns *zone, const char *root, char *text, size_t len)
{
	static const char *names[] = {"desc", "running_config", "source",
	    "dest", "ip", "name", "from", "to", "spf", "dkim", "dmarc",
	    "iprev", "authentication_results"};
	char	*hdr[AM_COLS], *cell[AM_COLS], *p = text, *line;
	int	 col[AM_ARRAY_LEN(names)], nh, nc, total = 0, agree = 0, bad = 0;
	size_t	 i;

	if ((line = suite_next_line(&p, text + len)) == NULL)
		return (-1);
	nh = tsv_cols(line, hdr);
	for (i = 0; i < AM_ARRAY_LEN(names); i++)
		if ((col[i] = tsv_col(hdr, nh, names[i])) < 0)
			return (-1);
	while ((line = suite_next_line(&p, text + len)) != NULL) {
		struct scenario s;
		const char **f = &s.desc;

		if (*line == '\0')
			continue;
		nc = tsv_cols(line, cell);
		for (i = 0; i < AM_ARRAY_LEN(names); i++)
			f[i] = col[i] < nc ? cell[col[i]] : "";
		total++;
		bad += !run_one(zone, root, &s, &agree);
	}
	printf("# amcorpus: %d/%d agree (%d not ok)\n", agree, total, bad);
	return (bad);
}

int
main(int argc, char **argv)
{
	const char *root = "../shared/testsuites/authmilter-corpus";
	char	 path[1024], *text;
	struct dns *zone;
	size_t	 len;
	int	 bad;

	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		verbose = true;
		argc--;
		argv++;
	}
	if (argc > 1)
		root = argv[1];
	log_open("authmilter_suite", 1, 0);
	snprintf(path, sizeof(path), "%s/zonefile", root);
	if ((zone = zone_load(path)) == NULL) {
		printf("not ok - amcorpus/zonefile: cannot read %s\n", path);
		return (2);
	}
	snprintf(path, sizeof(path), "%s/milter-scenarios.tsv", root);
	if ((text = suite_slurp(path, &len)) == NULL) {
		printf("not ok - amcorpus/table: cannot read %s\n", path);
		dns_free(&zone);
		return (2);
	}
	bad = run_table(zone, root, text, len);
	free(text);
	dns_free(&zone);
	if (bad < 0) {
		printf("not ok - amcorpus/table: unexpected columns\n");
		return (2);
	}
	return (bad > 0);
}
