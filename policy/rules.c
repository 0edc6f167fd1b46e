/*
 * NAME
 *	rules - the local policy: ordered rules, first match wins
 * DESCRIPTION
 *	See rules.h. The keys table below is the one list of matchers: its
 *	kind says how an entry is read and matched, its known bit when the
 *	input is there (connect, HELO, MAIL, RCPT or end of message).
 * DIAGNOSTICS
 *	rules_compile(): "file:line: policy: rule NAME: reason".
 */
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "policy/policy.h"
#include "policy/rules.h"
#include "util/am.h"
#include "util/limits.h"

enum kind {
	K_CIDR,		/* client: CIDR */
	K_NAME,		/* a domain: exact, or ".parent" for names below */
	K_ADDR,		/* MAIL FROM: address, domain, ".parent", "<>" */
	K_RCPT,		/* address, "local@*", "*@domain", domain */
	K_WORD,		/* a result word */
};

struct key {
	const char *name;
	enum kind kind;
	unsigned known;			/* RIN_* bits, all needed */
	const char *const *words;	/* K_WORD, NULL-terminated */
};

static const char *const spf_words[] = {
	"none", "neutral", "pass", "fail", "softfail", "temperror",
	"permerror", NULL
};
static const char *const dkim_words[] = {
	"none", "pass", "fail", "neutral", "policy", "temperror",
	"permerror", NULL
};
static const char *const dmarc_words[] = {
	"none", "pass", "fail", "temperror", "permerror", NULL
};
static const char *const dmarcp_words[] = {
	"unset", "none", "quarantine", "reject", NULL
};
static const char *const iprev_words[] = {
	"none", "pass", "fail", "temperror", "permerror", NULL
};
/* bit i is 1 << i: the HELO_* bits of auth/result.h */
static const char *const helo_words[] = {
	"not_fqdn", "localhost", "literal_mismatch", "ours", "ptr_mismatch",
	NULL
};

static const struct key keys[RK_N] = {
	[RK_CLIENT] = {"client", K_CIDR, RIN_CLIENT, NULL},
	[RK_CLIENT_NAME] = {"client_name", K_NAME, RIN_REP, NULL},
	[RK_DNSBL] = {"dnsbl", K_NAME, RIN_REP, NULL},
	[RK_DNSWL] = {"dnswl", K_NAME, RIN_REP, NULL},
	[RK_IPREV] = {"iprev", K_WORD, RIN_REP, iprev_words},
	[RK_HELO] = {"helo", K_NAME, RIN_HELO, NULL},
	[RK_HELO_BAD] = {"helo_bad", K_WORD, RIN_HELO | RIN_REP, helo_words},
	[RK_MAIL_FROM] = {"mail_from", K_ADDR, RIN_MAIL, NULL},
	[RK_MAIL_FROM_DOMAIN] = {"mail_from_domain", K_NAME, RIN_MAIL, NULL},
	[RK_RCPT] = {"rcpt", K_RCPT, RIN_RCPT, NULL},
	[RK_FROM_DOMAIN] = {"from_domain", K_NAME, RIN_RESULTS, NULL},
	[RK_DKIM_PASS] = {"dkim_pass", K_NAME, RIN_RESULTS, NULL},
	[RK_SPF_PASS] = {"spf_pass", K_NAME, RIN_RESULTS, NULL},
	[RK_SPF] = {"spf", K_WORD, RIN_RESULTS, spf_words},
	[RK_HELO_SPF] = {"helo_spf", K_WORD, RIN_RESULTS, spf_words},
	[RK_DKIM] = {"dkim", K_WORD, RIN_RESULTS, dkim_words},
	[RK_DMARC] = {"dmarc", K_WORD, RIN_RESULTS, dmarc_words},
	[RK_DMARC_POLICY] = {"dmarc_policy", K_WORD, RIN_RESULTS,
	    dmarcp_words},
	[RK_ARC_SEALER] = {"arc_sealer", K_NAME, RIN_RESULTS, NULL},
};

static const char *const action_words[] = {
	"accept", "reject", "tempfail", "quarantine", "tag", "continue", NULL
};

/* rules_action_str - the word of an action */
const char *
rules_action_str(enum rule_action a)
{
	return ((unsigned)a < AM_ARRAY_LEN(action_words) - 1 ?
	    action_words[a] : "?");
}

/* rules_key_name - the configuration name of matcher k */
const char *
rules_key_name(enum rule_key k)
{
	return ((unsigned)k < RK_N ? keys[k].name : "?");
}

/* rules_key_known - the RIN_* bits matcher k needs to be asked */
unsigned
rules_key_known(enum rule_key k)
{
	return ((unsigned)k < RK_N ? keys[k].known : RIN_RESULTS);
}

/* word_find - index of w in a NULL-terminated list, or -1 */
static int
word_find(const char *const *words, const char *w)
{
	int	 i;

	for (i = 0; words[i] != NULL; i++)
		if (strcasecmp(words[i], w) == 0)
			return (i);
	return (-1);
}

/* --- compiling ----------------------------------------------------- */

/* where - "file:line: policy: rule NAME: " for messages */
struct where {
	const char *path;
	int	 line;
	const char *rule;
};

/* fail - an error at w */
static int
fail(struct buf *why, const struct where *w, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
fail(struct buf *why, const struct where *w, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (w->rule != NULL)
		return (buf_why(why, AM_PERM, "%s:%d: policy: rule \"%s\": %s",
		    w->path, w->line, w->rule, msg));
	return (buf_why(why, AM_PERM, "%s:%d: policy: %s", w->path, w->line,
	    msg));
}

/* name_ok - a domain entry: letters, digits, '-', '_', '.' */
static int
name_ok(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' &&
		    *s != '.')
			return (0);
	return (1);
}

/* addr_ok - an address entry: printable, no space, no angle brackets */
static int
addr_ok(const char *s)
{
	if (*s == '\0')
		return (0);
	for (; *s != '\0'; s++)
		if (*s <= ' ' || *s >= 0x7f || *s == '<' || *s == '>')
			return (0);
	return (1);
}

/* entry_check - is s a valid entry of key k; 1 or 0 with the reason */
static int
entry_check(const struct key *k, const char *s, const char **why_r)
{
	const char *at = strchr(s, '@');
	struct cidr c;

	switch (k->kind) {
	case K_CIDR:
		*why_r = "not an address or network";
		return (cidr_parse(s, &c) == AM_OK);
	case K_NAME:
		*why_r = "not a domain (or .parent)";
		return (name_ok(s[0] == '.' ? s + 1 : s));
	case K_ADDR:
		*why_r = "not an address, domain, .parent or <>";
		if (strcmp(s, "<>") == 0)
			return (1);
		return (at != NULL ? addr_ok(s) && at[1] != '\0' &&
		    strchr(at + 1, '@') == NULL :
		    name_ok(s[0] == '.' ? s + 1 : s));
	case K_RCPT:
		*why_r = "not an address, local@*, *@domain or domain";
		if (at == NULL)
			return (name_ok(s[0] == '.' ? s + 1 : s));
		return (addr_ok(s) && at != s && at[1] != '\0' &&
		    strchr(at + 1, '@') == NULL);
	case K_WORD:
		*why_r = "not a known word (see authmilter.conf(5))";
		return (word_find(k->words, s) >= 0);
	}
	return (0);
}

/* match_add - one checked entry into m */
static int
match_add(struct rule_match *m, const struct key *k, const char *s,
    const struct where *w, struct buf *why)
{
	const char *reason = "invalid";
	char	**v, *copy;
	struct cidr *c;
	size_t	 i;

	if (!entry_check(k, s, &reason))
		return (fail(why, w, "%s: \"%.200s\": %s", k->name, s, reason));
	if (m->n >= LIM_POLICY_ENTRIES)
		return (fail(why, w, "%s: more than %d entries", k->name,
		    LIM_POLICY_ENTRIES));
	if ((v = realloc(m->v, (m->n + 1) * sizeof(*v))) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	m->v = v;
	if ((copy = strdup(s)) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	for (i = 0; copy[i] != '\0'; i++)
		copy[i] = (char)tolower((unsigned char)copy[i]);
	if (k->kind == K_CIDR) {
		if ((c = realloc(m->cidr, (m->n + 1) * sizeof(*c))) == NULL) {
			free(copy);
			return (buf_why(why, AM_TEMP, "out of memory"));
		}
		m->cidr = c;
		(void)cidr_parse(s, &m->cidr[m->n]);
	}
	if (k->kind == K_WORD)
		m->bits |= 1u << word_find(k->words, s);
	m->v[m->n++] = copy;
	return (AM_OK);
}

/* file_add - the entries of a "file:/path" list, one a line */
static int
file_add(struct rule_match *m, const struct key *k, const char *path,
    const struct where *w, struct buf *why)
{
	struct where fw = {path, 0, NULL};
	struct stat sb;
	char	 line[1024], *p, *e;
	FILE	*fp;
	int	 st = AM_OK;

	if ((fp = fopen(path, "r")) == NULL)
		return (fail(why, w, "%s: cannot read %s: %s", k->name, path,
		    strerror(errno)));
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(fp);		/* a FIFO or /dev/zero would never end */
		return (fail(why, w, "%s: %s: not a regular file", k->name,
		    path));
	}
	while (st == AM_OK && fgets(line, sizeof(line), fp) != NULL) {
		if (++fw.line > LIM_POLICY_ENTRIES) {
			st = fail(why, &fw, "more than %d lines",
			    LIM_POLICY_ENTRIES);
			break;
		}
		if ((p = strchr(line, '#')) != NULL)
			*p = '\0';
		for (p = line; *p == ' ' || *p == '\t'; p++)
			;
		for (e = p + strlen(p); e > p && isspace((unsigned char)e[-1]);
		    e--)
			;
		*e = '\0';
		if (*p != '\0')
			st = match_add(m, k, p, &fw, why);
	}
	fclose(fp);
	if (st != AM_OK && why != NULL)
		buf_setf(why, "%s (in %s of rule \"%s\" at %s:%d)",
		    buf_str(why), k->name, w->rule, w->path, w->line);
	return (st);
}

/* reply_parse - "550 5.7.1 text": code, class-matching xcode, text */
static int
reply_parse(struct rule *r, const char *s, const struct where *w,
    struct buf *why)
{
	const char *p, *t;
	int	 a, b, c, n = 0;

	if (!(s[0] == '4' || s[0] == '5') || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[2]) || s[3] != ' ' ||
	    sscanf(s + 4, "%1d.%3d.%3d%n", &a, &b, &c, &n) != 3 ||
	    a != s[0] - '0' || s[4 + n] != ' ' || s[5 + n] == '\0')
		return (fail(why, w, "reply: want \"550 5.7.1 text\" (4xx "
		    "with 4.x.x, 5xx with 5.x.x)"));
	t = s + 5 + n;
	for (p = t; *p != '\0'; p++) {
		if (*p < ' ' || *p >= 0x7f)
			return (fail(why, w, "reply: only printable ASCII, "
			    "no CR or LF"));
		if (p[0] == '%' && p[1] == '{' && strncmp(p, "%{domain}", 9) &&
		    strncmp(p, "%{ip}", 5) && strncmp(p, "%{rule}", 7))
			return (fail(why, w, "reply: unknown %%{...}: use "
			    "%%{domain}, %%{ip} or %%{rule}"));
	}
	if (strlen(t) > 200)
		return (fail(why, w, "reply: text over 200 characters"));
	memcpy(r->code, s, 3);
	snprintf(r->xcode, sizeof(r->xcode), "%d.%d.%d", a, b, c);
	if ((r->reply = strdup(t)) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	r->has_reply = true;
	return (AM_OK);
}

/* one_string - the single string value of an item */
static const char *
one_string(const struct conf_rule_item *it)
{
	return (!it->list && it->n == 1 ? it->v[0] : NULL);
}

/* item_apply - one "key = value" of a rule */
static int
item_apply(struct rule *r, const struct conf_rule_item *it,
    const struct where *w, struct buf *why)
{
	const char *s = one_string(it);
	struct rule_match *m;
	size_t	 i;
	int	 k, st;

	if (strcmp(it->key, "name") == 0)
		return (AM_OK);			/* taken first */
	if (strcmp(it->key, "action") == 0) {
		if (s == NULL || (k = word_find(action_words, s)) < 0)
			return (fail(why, w, "action: want accept, reject, "
			    "tempfail, quarantine, tag or continue"));
		r->action = (enum rule_action)k;
		return (AM_OK);
	}
	if (strcmp(it->key, "reply") == 0)
		return (s == NULL ? fail(why, w, "reply: want a string") :
		    reply_parse(r, s, w, why));
	if (strcmp(it->key, "tag") == 0) {
		if (s == NULL || strlen(s) > 64 || !name_ok(s))
			return (fail(why, w, "tag: want one word of A-Z a-z "
			    "0-9 . _ -, at most 64"));
		free(r->tag);
		return ((r->tag = strdup(s)) == NULL ?
		    buf_why(why, AM_TEMP, "out of memory") : AM_OK);
	}
	for (k = 0; k < RK_N; k++)
		if (strcmp(it->key, keys[k].name) == 0)
			break;
	if (k == RK_N)
		return (fail(why, w, "unknown key \"%.64s\"", it->key));
	m = &r->m[k];
	if (m->given)
		return (fail(why, w, "%s given twice", it->key));
	m->given = true;
	if (it->n == 0)
		return (fail(why, w, "%s: empty list (it would match "
		    "nothing)", it->key));
	for (i = 0; i < it->n; i++) {
		if (strncmp(it->v[i], "file:", 5) == 0)
			st = file_add(m, &keys[k], it->v[i] + 5, w, why);
		else
			st = match_add(m, &keys[k], it->v[i], w, why);
		if (st != AM_OK)
			return (st);
	}
	return (AM_OK);
}

/* rule_name - the name item: required, a safe word, unique */
static int
rule_name(struct rule *r, const struct conf_rule *cr, const struct rules *rs,
    const struct where *w, struct buf *why)
{
	const char *s = NULL, *p;
	size_t	 i;

	for (i = 0; i < cr->nitems; i++)
		if (strcmp(cr->items[i].key, "name") == 0)
			s = one_string(&cr->items[i]);
	if (s == NULL || *s == '\0' || strlen(s) > 64)
		return (fail(why, w, "want name = \"...\" (at most 64 of "
		    "A-Z a-z 0-9 . _ -)"));
	for (p = s; *p != '\0'; p++)
		if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' &&
		    *p != '-')
			return (fail(why, w, "name \"%.64s\": use A-Z a-z 0-9 "
			    ". _ -", s));
	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].name, s) == 0)
			return (fail(why, w, "name \"%s\" also at line %d", s,
			    rs->v[i].line));
	return ((r->name = strdup(s)) == NULL ?
	    buf_why(why, AM_TEMP, "out of memory") : AM_OK);
}

/* rule_compile - one rule from its text */
static int
rule_compile(struct rules *rs, const struct conf_rule *cr, const char *path,
    struct buf *why)
{
	struct rule *r = &rs->v[rs->n];
	struct where w = {path, cr->line, NULL};
	size_t	 i;
	int	 st, have_action = 0;

	memset(r, 0, sizeof(*r));
	r->line = cr->line;
	if ((st = rule_name(r, cr, rs, &w, why)) != AM_OK)
		goto out;
	w.rule = r->name;
	for (i = 0; i < cr->nitems; i++) {
		w.line = cr->items[i].line;
		have_action |= strcmp(cr->items[i].key, "action") == 0;
		if ((st = item_apply(r, &cr->items[i], &w, why)) != AM_OK)
			goto out;
	}
	w.line = cr->line;
	if (!have_action)
		st = fail(why, &w, "want action = \"accept\", \"reject\", "
		    "\"tempfail\", \"quarantine\", \"tag\" or \"continue\"");
	else if (r->has_reply && !(r->action == RA_CONTINUE ||
	    (r->action == RA_REJECT && r->code[0] == '5') ||
	    (r->action == RA_TEMPFAIL && r->code[0] == '4')))
		st = fail(why, &w, "reply %s does not fit action %s (reject: "
		    "5xx, tempfail: 4xx, or continue)", r->code,
		    rules_action_str(r->action));
out:
	rs->n++;				/* freed with the rest */
	return (st);
}

/* authenticated - 1 if r names an identity nobody can spoof */
static int
authenticated(const struct rule *r)
{
	return (r->m[RK_CLIENT].given || r->m[RK_CLIENT_NAME].given ||
	    r->m[RK_DKIM_PASS].given || r->m[RK_SPF_PASS].given ||
	    r->m[RK_DNSWL].given || r->m[RK_ARC_SEALER].given ||
	    (r->m[RK_DMARC].given && r->m[RK_DMARC].bits ==
	    1u << DMARC_RES_PASS) ||
	    (r->m[RK_SPF].given && r->m[RK_SPF].bits == 1u << SPF_RES_PASS &&
	    !r->m[RK_FROM_DOMAIN].given));
}

/* catch_all - 1 if r has no matcher: it holds for every message */
static int
catch_all(const struct rule *r)
{
	int	 k;

	for (k = 0; k < RK_N; k++)
		if (r->m[k].given)
			return (0);
	return (r->action != RA_CONTINUE);
}

/* warnings - spoofable allow rules, unreachable rules */
static void
warnings(const struct rules *rs, const char *path, struct buf *warn)
{
	const struct rule *r, *all = NULL;
	size_t	 i;

	if (warn == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		r = &rs->v[i];
		if (all != NULL) {
			buf_printf(warn, "%s:%d: warning: policy: rule \"%s\" "
			    "is never reached: rule \"%s\" (line %d) matches "
			    "every message\n", path, r->line, r->name,
			    all->name, all->line);
			continue;
		}
		if (r->action == RA_ACCEPT && !authenticated(r) &&
		    (r->m[RK_FROM_DOMAIN].given ||
		    r->m[RK_MAIL_FROM_DOMAIN].given ||
		    r->m[RK_MAIL_FROM].given))
			buf_printf(warn, "%s:%d: warning: policy: rule \"%s\" "
			    "accepts on %s, which anyone can forge; add "
			    "dkim_pass, spf_pass or client\n", path, r->line,
			    r->name, r->m[RK_FROM_DOMAIN].given ?
			    "from_domain" : "the MAIL FROM address");
		if (catch_all(r))
			all = r;
	}
}

/* rules_compile - the policy section of cf, checked and compiled */
int
rules_compile(const struct conf *cf, struct rules **rs_r, struct buf *warn,
    struct buf *why)
{
	const char *path = cf->path != NULL ? cf->path : "(defaults)";
	struct rules *rs;
	const char *p;
	size_t	 i;
	int	 k, st = AM_OK;

	*rs_r = NULL;
	if (cf->tag_header[0] == '\0')
		return (buf_why(why, AM_PERM, "%s: tag.header: empty", path));
	for (p = cf->tag_header; *p != '\0'; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ':')
			return (buf_why(why, AM_PERM, "%s: tag.header: not a "
			    "header field name", path));
	for (p = cf->tag_subject_prefix; *p != '\0'; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return (buf_why(why, AM_PERM, "%s: tag.subject_prefix: "
			    "control character", path));
	if ((rs = calloc(1, sizeof(*rs))) == NULL ||
	    (cf->policy.n > 0 && (rs->v = calloc(cf->policy.n,
	    sizeof(*rs->v))) == NULL)) {
		free(rs);
		return (buf_why(why, AM_TEMP, "out of memory"));
	}
	for (i = 0; i < cf->policy.n && st == AM_OK; i++)
		st = rule_compile(rs, &cf->policy.v[i], path, why);
	if (st != AM_OK) {
		rules_free(&rs);
		return (st);
	}
	for (i = 0; i < rs->n; i++) {
		rs->need_rcpt |= rs->v[i].m[RK_RCPT].given;
		for (k = 0; k < RK_N; k++)
			rs->need_rep |= rs->v[i].m[k].given &&
			    (keys[k].known & RIN_REP) != 0;
	}
	warnings(rs, path, warn);
	*rs_r = rs;
	return (AM_OK);
}

/* rules_free - release the rules and clear the pointer */
void
rules_free(struct rules **rsp)
{
	struct rules *rs;
	size_t	 i, j;
	int	 k;

	if (rsp == NULL || (rs = *rsp) == NULL)
		return;
	for (i = 0; i < rs->n; i++) {
		for (k = 0; k < RK_N; k++) {
			for (j = 0; j < rs->v[i].m[k].n; j++)
				free(rs->v[i].m[k].v[j]);
			free(rs->v[i].m[k].v);
			free(rs->v[i].m[k].cidr);
		}
		free(rs->v[i].name);
		free(rs->v[i].reply);
		free(rs->v[i].tag);
	}
	free(rs->v);
	free(rs);
	*rsp = NULL;
}
