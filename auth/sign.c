/*
 * NAME
 *	sign - DKIM signing of outbound mail
 * DESCRIPTION
 *	See sign.h. libopendkim signs (dkim_sign); this file owns the
 *	tables, picks the keys for a message, and feeds the library the
 *	message as the milter sees it. Facts about libopendkim 2.11.0~beta2
 *	(Debian 12) that shape the code:
 *
 *	- dkim_header() must get CRLF between the lines of a folded field
 *	  (see dkim.c: FIXCRLF keeps the old length), so sign_header()
 *	  writes CRLF itself.
 *	- DKIM_OPTS_SIGNHDRS names the fields to sign; the library puts in
 *	  h= those present. DKIM_OPTS_OVERSIGNHDRS lists From once more.
 *	- t= is always set; DKIM_OPTS_SIGNATURETTL adds x=.
 *	- Ed25519 signing works, but dkim_free() leaks the key it loaded
 *	  for it on every message: Ed25519 signatures come from signed.c.
 *
 *	The From: is known only when the header ends, and the key (hence
 *	the library handle) depends on it: fields are kept until
 *	sign_eoh() and replayed into each signer.
 * SEE ALSO
 *	RFC 6376 5.4.1, 5.4.2; RFC 8463
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/types.h>

#include <opendkim/dkim.h>

#include "auth/sign.h"
#include "auth/signed.h"
#include "util/am.h"
#include "util/limits.h"

#define SIGN_HDRS_MAX	(1024 * 1024)	/* header bytes kept per message */
#define SIGN_SIGHDR_MAX	8192		/* one DKIM-Signature value */

/* RFC 6376 5.4.1, plus Message-ID and the MIME fields */
static const char *sign_fields[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc",
	"Resent-Date", "Resent-From", "Resent-Sender", "Resent-To",
	"Resent-Cc", "In-Reply-To", "References", "List-Id", "List-Help",
	"List-Unsubscribe", "List-Subscribe", "List-Post", "List-Owner",
	"List-Archive", "Message-ID", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", NULL,
};
static const char *sign_oversign[] = { "From", NULL };

struct sign_rule {
	char	 local[128];		/* "" or "*": any */
	char	 domain[LIM_DOMAIN];	/* "*": any */
	bool	 sub;			/* *.domain */
	int	 keys[LIM_SIGN_PER_MSG];
	int	 nkeys;
};

struct signer {
	DKIM_LIB *lib;
	int	 expire;
	char	 key_table[1024];
	struct signer_key *keys;
	int	 nkeys;
	struct sign_rule *rules;	/* NULL: sign for the From: domain */
	int	 nrules;
};

struct sign_msg {
	struct signer *s;
	char	 id[16];
	struct buf *hdrs;		/* fields, each NUL-terminated */
	size_t	 off[LIM_HEADERS];
	int	 nhdrs;
	DKIM	*dkim[LIM_SIGN_PER_MSG];	/* RSA: libopendkim */
	struct signed_ctx *ed[LIM_SIGN_PER_MSG];	/* Ed25519 */
	int	 key[LIM_SIGN_PER_MSG];
	int	 ndkim;
	struct buf *sig[LIM_SIGN_PER_MSG];
	int	 nsig;
	char	 summary[512];
};

/* table_line - next significant line: words split, comment cut */
static int
table_line(FILE *fp, char *line, size_t len, int *lineno, char **w,
    int maxw, int *nw_r)
{
	char	*save, *t;

	while (fgets(line, (int)len, fp) != NULL) {
		(*lineno)++;
		if (strchr(line, '\n') == NULL && !feof(fp))
			return (AM_PERM);	/* over LIM_SIGN_LINE */
		line[strcspn(line, "#\r\n")] = '\0';
		*nw_r = 0;
		for (t = strtok_r(line, " \t", &save); t != NULL;
		    t = strtok_r(NULL, " \t", &save)) {
			if (*nw_r == maxw)
				return (AM_PERM);
			w[(*nw_r)++] = t;
		}
		if (*nw_r > 0)
			return (AM_OK);
	}
	return (AM_TEMP);			/* end of file */
}

/* lower - lower-case a word in place */
static void
lower(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)tolower((unsigned char)*s);
}

/* key_parse - one key table line: NAME DOMAIN:SELECTOR:PATH */
static int
key_parse(struct signer *s, char **w, int nw, bool require_safe,
    struct buf *why)
{
	struct signer_key *k = &s->keys[s->nkeys];
	char	*sel, *path;
	int	 i;

	if (nw != 2 || (sel = strchr(w[1], ':')) == NULL ||
	    (path = strchr(sel + 1, ':')) == NULL)
		return (buf_why(why, AM_PERM, "want \"NAME DOMAIN:SELECTOR:"
		    "PATH\""));
	*sel++ = '\0';
	*path++ = '\0';
	if (strcmp(w[1], "%") == 0 || w[1][0] == '\0' || *sel == '\0' ||
	    *path != '/')
		return (buf_why(why, AM_PERM, "want a domain, a selector and "
		    "an absolute key file path (%% is not supported)"));
	for (i = 0; i < s->nkeys; i++)
		if (strcmp(s->keys[i].name, w[0]) == 0)
			return (buf_why(why, AM_PERM, "key %s defined twice",
			    w[0]));
	if ((size_t)snprintf(k->name, sizeof(k->name), "%s", w[0]) >=
	    sizeof(k->name) || (size_t)snprintf(k->domain,
	    sizeof(k->domain), "%s", w[1]) >= sizeof(k->domain) ||
	    (size_t)snprintf(k->selector, sizeof(k->selector), "%s", sel) >=
	    sizeof(k->selector) || (size_t)snprintf(k->path,
	    sizeof(k->path), "%s", path) >= sizeof(k->path))
		return (buf_why(why, AM_PERM, "name, domain, selector or "
		    "path too long"));
	lower(k->domain);
	if (signkey_load(k->path, require_safe, &k->key, why) != AM_OK)
		return (AM_PERM);
	s->nkeys++;
	return (AM_OK);
}

/* read_keys - the key table and every key file */
static int
read_keys(struct signer *s, const char *path, bool require_safe,
    struct buf *why)
{
	char	 line[LIM_SIGN_LINE], *w[4];
	int	 lineno = 0, nw, st;
	FILE	*fp;

	if ((fp = fopen(path, "r")) == NULL)
		return (buf_why(why, AM_PERM, "%s: cannot read: %m", path));
	while ((st = table_line(fp, line, sizeof(line), &lineno, w, 4,
	    &nw)) != AM_TEMP) {
		if (st == AM_OK && s->nkeys == LIM_SIGN_KEYS)
			st = buf_why(why, AM_PERM, "over %d keys",
			    LIM_SIGN_KEYS);
		else if (st == AM_OK)
			st = key_parse(s, w, nw, require_safe, why);
		else
			buf_setf(why, "line too long or too many words");
		if (st != AM_OK) {
			buf_setf(why, "%s:%d: %s", path, lineno, buf_str(why));
			fclose(fp);
			return (AM_PERM);
		}
		s->keys[s->nkeys - 1].line = lineno;
	}
	fclose(fp);
	if (s->nkeys == 0)
		return (buf_why(why, AM_PERM, "%s: no keys", path));
	return (AM_OK);
}

/* rule_parse - one signing table line: PATTERN NAME [NAME...] */
static int
rule_parse(struct signer *s, char **w, int nw, struct buf *why)
{
	struct sign_rule *r = &s->rules[s->nrules];
	char	*at, *dom;
	int	 i, j;

	if (nw < 2)
		return (buf_why(why, AM_PERM, "want \"PATTERN KEYNAME...\""));
	if (nw - 1 > LIM_SIGN_PER_MSG)
		return (buf_why(why, AM_PERM, "over %d keys on a line",
		    LIM_SIGN_PER_MSG));
	lower(w[0]);
	dom = w[0];
	if ((at = strrchr(w[0], '@')) != NULL) {
		*at = '\0';
		snprintf(r->local, sizeof(r->local), "%s", w[0]);
		dom = at + 1;
	}
	if (strncmp(dom, "*.", 2) == 0) {
		r->sub = true;
		dom += 2;
	}
	if (*dom == '\0' || (strchr(dom, '*') != NULL && strcmp(dom, "*")) ||
	    (strchr(r->local, '*') != NULL && strcmp(r->local, "*")))
		return (buf_why(why, AM_PERM, "pattern: want *, DOMAIN, "
		    "*.DOMAIN, *@DOMAIN or LOCAL@DOMAIN"));
	snprintf(r->domain, sizeof(r->domain), "%s", dom);
	for (i = 1; i < nw; i++) {
		for (j = 0; j < s->nkeys; j++)
			if (strcmp(s->keys[j].name, w[i]) == 0)
				break;
		if (j == s->nkeys)
			return (buf_why(why, AM_PERM, "no key %s in %s", w[i],
			    s->key_table));
		r->keys[r->nkeys++] = j;
	}
	s->nrules++;
	return (AM_OK);
}

/* read_rules - the signing table */
static int
read_rules(struct signer *s, const char *path, struct buf *why)
{
	char	 line[LIM_SIGN_LINE], *w[LIM_SIGN_PER_MSG + 2];
	int	 lineno = 0, nw, st;
	FILE	*fp;

	if ((fp = fopen(path, "r")) == NULL)
		return (buf_why(why, AM_PERM, "%s: cannot read: %m", path));
	if ((s->rules = calloc(LIM_SIGN_KEYS, sizeof(*s->rules))) == NULL) {
		fclose(fp);
		return (buf_why(why, AM_TEMP, "out of memory"));
	}
	while ((st = table_line(fp, line, sizeof(line), &lineno, w,
	    LIM_SIGN_PER_MSG + 2, &nw)) != AM_TEMP) {
		if (st == AM_OK && s->nrules == LIM_SIGN_KEYS)
			st = buf_why(why, AM_PERM, "over %d lines",
			    LIM_SIGN_KEYS);
		else if (st == AM_OK)
			st = rule_parse(s, w, nw, why);
		else
			buf_setf(why, "line too long or too many keys");
		if (st != AM_OK) {
			buf_setf(why, "%s:%d: %s", path, lineno, buf_str(why));
			fclose(fp);
			return (AM_PERM);
		}
	}
	fclose(fp);
	return (AM_OK);
}

/* lib_setup - the signing library: fields, over-signing, x= */
static int
lib_setup(struct signer *s, int expire, struct buf *why)
{
	uint64_t ttl = (uint64_t)expire;

	if ((s->lib = dkim_init(NULL, NULL)) == NULL)
		return (buf_why(why, AM_TEMP, "dkim_init failed"));
	if (dkim_options(s->lib, DKIM_OP_SETOPT, DKIM_OPTS_SIGNHDRS,
	    sign_fields, sizeof(char **)) != DKIM_STAT_OK ||
	    dkim_options(s->lib, DKIM_OP_SETOPT, DKIM_OPTS_OVERSIGNHDRS,
	    sign_oversign, sizeof(char **)) != DKIM_STAT_OK ||
	    (expire > 0 && dkim_options(s->lib, DKIM_OP_SETOPT,
	    DKIM_OPTS_SIGNATURETTL, &ttl, sizeof(ttl)) != DKIM_STAT_OK))
		return (buf_why(why, AM_TEMP, "dkim_options failed"));
	return (AM_OK);
}

/* signer_new - key table, key files, signing table */
struct signer *
signer_new(const char *key_table, const char *signing_table,
    bool require_safe, int expire, struct buf *why)
{
	struct signer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL ||
	    (s->keys = calloc(LIM_SIGN_KEYS, sizeof(*s->keys))) == NULL) {
		free(s);
		buf_why(why, AM_TEMP, "out of memory");
		return (NULL);
	}
	snprintf(s->key_table, sizeof(s->key_table), "%s", key_table);
	s->expire = expire;
	if (read_keys(s, key_table, require_safe, why) != AM_OK ||
	    (signing_table != NULL && signing_table[0] != '\0' &&
	    read_rules(s, signing_table, why) != AM_OK) ||
	    lib_setup(s, expire, why) != AM_OK)
		signer_free(&s);
	return (s);
}

/* signer_free - wipe the keys, close the library */
void
signer_free(struct signer **sp)
{
	struct signer *s;
	int	 i;

	if (sp == NULL || (s = *sp) == NULL)
		return;
	for (i = 0; i < s->nkeys; i++)
		signkey_clear(&s->keys[i].key);
	if (s->lib != NULL)
		dkim_close(s->lib);
	free(s->keys);
	free(s->rules);
	free(s);
	*sp = NULL;
}

/* signer_nkeys - keys in the key table */
int
signer_nkeys(const struct signer *s)
{
	return (s->nkeys);
}

/* signer_key - the i-th key of the key table */
const struct signer_key *
signer_key(const struct signer *s, int i)
{
	return (i >= 0 && i < s->nkeys ? &s->keys[i] : NULL);
}

/* signer_key_table - the key table's path */
const char *
signer_key_table(const struct signer *s)
{
	return (s->key_table);
}

/* sign_msg_new - a message that may be signed */
struct sign_msg *
sign_msg_new(struct signer *s, struct buf *why)
{
	struct sign_msg *m;

	if ((m = calloc(1, sizeof(*m))) == NULL ||
	    (m->hdrs = buf_new(SIGN_HDRS_MAX)) == NULL) {
		free(m);
		buf_why(why, AM_TEMP, "out of memory");
		return (NULL);
	}
	m->s = s;
	snprintf(m->id, sizeof(m->id), "sign");
	snprintf(m->summary, sizeof(m->summary), "none");
	return (m);
}

/* sign_header - keep one field as "Name:value", folds in CRLF */
int
sign_header(struct sign_msg *m, const char *name, const char *value,
    struct buf *why)
{
	size_t	 start = m->hdrs->len;
	const char *p;
	int	 st;

	if (m->nhdrs == LIM_HEADERS)
		return (buf_why(why, AM_TEMP, "over %d header fields",
		    LIM_HEADERS));
	st = buf_puts(m->hdrs, name);
	if (st == AM_OK)
		st = buf_putc(m->hdrs, ':');
	for (p = value; st == AM_OK && *p != '\0'; p++) {
		if (*p == '\n' && (p == value || p[-1] != '\r'))
			st = buf_putc(m->hdrs, '\r');
		if (st == AM_OK)
			st = buf_putc(m->hdrs, *p);
	}
	if (st == AM_OK)
		st = buf_putc(m->hdrs, '\0');
	if (st != AM_OK)
		return (buf_why(why, AM_TEMP, "header over %d bytes",
		    SIGN_HDRS_MAX));
	m->off[m->nhdrs++] = start;
	return (AM_OK);
}

/* author_address - the addr-spec of a one-mailbox From:, lower case */
static void
author_address(const char *v, const char *domain, char *dst, size_t len)
{
	const char *lt = strrchr(v, '<'), *p = v, *e;
	size_t	 n;

	if (lt != NULL && strchr(lt, '>') != NULL)
		p = lt + 1;
	p += strspn(p, " \t\r\n");
	e = p + strcspn(p, lt != NULL ? ">" : " \t\r\n(");
	n = (size_t)(e - p);
	snprintf(dst, len, "%.*s", (int)(n < len ? n : len - 1), p);
	lower(dst);
	/* only a local part in front of the domain the parser found */
	if ((p = strrchr(dst, '@')) == NULL || strcmp(p + 1, domain) != 0)
		dst[0] = '\0';
}

/* rule_match - does a signing table pattern take this author? */
static bool
rule_match(const struct sign_rule *r, const char *addr, const char *dom)
{
	size_t	 dl = strlen(dom), rl = strlen(r->domain);
	const char *at = strrchr(addr, '@');

	if (strcmp(r->domain, "*") != 0) {
		if (r->sub) {
			if (dl <= rl + 1 || dom[dl - rl - 1] != '.' ||
			    strcmp(dom + dl - rl, r->domain) != 0)
				return (false);
		} else if (strcmp(dom, r->domain) != 0)
			return (false);
	}
	if (r->local[0] == '\0' || strcmp(r->local, "*") == 0)
		return (true);
	return (at != NULL && (size_t)(at - addr) == strlen(r->local) &&
	    strncmp(addr, r->local, strlen(r->local)) == 0);
}

/* pick_keys - the keys for an author, RSA first */
static int
pick_keys(const struct signer *s, const char *addr, const char *dom,
    int *keys)
{
	int	 cand[LIM_SIGN_PER_MSG], n = 0, i, k = 0, pass;

	if (s->rules != NULL) {
		for (i = 0; i < s->nrules; i++)
			if (rule_match(&s->rules[i], addr, dom)) {
				memcpy(cand, s->rules[i].keys,
				    sizeof(int) * (size_t)s->rules[i].nkeys);
				n = s->rules[i].nkeys;
				break;
			}
	} else
		for (i = 0; i < s->nkeys && n < LIM_SIGN_PER_MSG; i++)
			if (strcmp(s->keys[i].domain, dom) == 0)
				cand[n++] = i;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++)
			if ((s->keys[cand[i]].key.type == SIGNKEY_RSA) ==
			    (pass == 0))
				keys[k++] = cand[i];
	return (k);
}

/* start_one - a library signer for one key, fed the kept fields */
static int
start_one(struct sign_msg *m, int key, struct buf *why)
{
	const struct signer_key *k = &m->s->keys[key];
	DKIM_STAT st;
	DKIM	*d;
	int	 i;

	if (k->key.type == SIGNKEY_ED25519) {
		m->key[m->ndkim] = key;
		m->ed[m->ndkim] = signed_new(&k->key, k->domain, k->selector,
		    m->s->expire, why);
		return (m->ed[m->ndkim++] != NULL ? AM_OK : AM_TEMP);
	}
	d = dkim_sign(m->s->lib, (const unsigned char *)m->id, NULL,
	    k->key.pem, (const unsigned char *)k->selector,
	    (const unsigned char *)k->domain, DKIM_CANON_RELAXED,
	    DKIM_CANON_RELAXED, k->key.type == SIGNKEY_ED25519 ?
	    DKIM_SIGN_ED25519SHA256 : DKIM_SIGN_RSASHA256, -1, &st);
	if (d == NULL)
		return (buf_why(why, AM_TEMP, "key %s: dkim_sign: %s", k->name,
		    dkim_getresultstr(st)));
	m->key[m->ndkim] = key;
	m->dkim[m->ndkim++] = d;
	for (i = 0; i < m->nhdrs; i++) {
		const char *f = m->hdrs->data + m->off[i];

		if (dkim_header(d, (unsigned char *)f, strlen(f)) !=
		    DKIM_STAT_OK)
			return (buf_why(why, AM_TEMP, "key %s: dkim_header: "
			    "%s", k->name, dkim_geterror(d)));
	}
	if (dkim_eoh(d) != DKIM_STAT_OK)
		return (buf_why(why, AM_TEMP, "key %s: dkim_eoh: %s", k->name,
		    dkim_geterror(d) ? dkim_geterror(d) : "failed"));
	return (AM_OK);
}

/* sign_eoh - pick the keys for the author and start signing */
int
sign_eoh(struct sign_msg *m, const char *from_value,
    const struct from_result *from, struct buf *why)
{
	char	 addr[LIM_ADDRESS];
	int	 keys[LIM_SIGN_PER_MSG], n, i;

	if (from->status != FROM_OK || from->ndomains != 1) {
		snprintf(m->summary, sizeof(m->summary), "none (From: %s)",
		    from_status_str(from->status));
		return (AM_OK);
	}
	author_address(from_value != NULL ? from_value : "",
	    from->domains[0], addr, sizeof(addr));
	if ((n = pick_keys(m->s, addr, from->domains[0], keys)) == 0) {
		snprintf(m->summary, sizeof(m->summary), "none (no key for "
		    "%s)", from->domains[0]);
		return (AM_OK);
	}
	for (i = 0; i < n; i++)
		if (start_one(m, keys[i], why) != AM_OK)
			return (AM_TEMP);
	return (AM_OK);
}

/* sign_active - 1 if the message is being signed */
bool
sign_active(const struct sign_msg *m)
{
	return (m != NULL && m->ndkim > 0);
}

/* sign_body - body bytes to every signer */
int
sign_body(struct sign_msg *m, const unsigned char *p, size_t n,
    struct buf *why)
{
	int	 i;

	for (i = 0; i < m->ndkim; i++)
		if (m->ed[i] != NULL) {
			if (signed_body(m->ed[i], p, n) != AM_OK)
				return (buf_why(why, AM_TEMP, "Ed25519 body "
				    "hash failed"));
		} else if (dkim_body(m->dkim[i], (unsigned char *)p, n) !=
		    DKIM_STAT_OK)
			return (buf_why(why, AM_TEMP, "dkim_body: %s",
			    dkim_geterror(m->dkim[i]) ?
			    dkim_geterror(m->dkim[i]) : "failed"));
	return (AM_OK);
}

/* eom_rsa - libopendkim's signature into sig */
static int
eom_rsa(struct sign_msg *m, int i, struct buf *sig, struct buf *why)
{
	unsigned char *hdr;
	size_t	 len;

	if (dkim_eom(m->dkim[i], NULL) != DKIM_STAT_OK ||
	    dkim_getsighdr_d(m->dkim[i], strlen("DKIM-Signature: "), &hdr,
	    &len) != DKIM_STAT_OK)
		return (buf_why(why, AM_TEMP, "key %s: %s",
		    m->s->keys[m->key[i]].name, dkim_geterror(m->dkim[i]) ?
		    dkim_geterror(m->dkim[i]) : "signing failed"));
	return (buf_append(sig, hdr, len));
}

/* eom_ed - our Ed25519 signature into sig */
static int
eom_ed(struct sign_msg *m, int i, struct buf *sig, struct buf *why)
{
	const char *fields[LIM_HEADERS];
	int	 j;

	for (j = 0; j < m->nhdrs; j++)
		fields[j] = m->hdrs->data + m->off[j];
	return (signed_eom(m->ed[i], fields, m->nhdrs, sign_fields, sig,
	    why));
}

/* sign_eom - compute the signatures and the summary */
int
sign_eom(struct sign_msg *m, struct buf *why)
{
	const struct signer_key *k;
	size_t	 o = 0;
	int	 i, st;

	for (i = 0; i < m->ndkim; i++) {
		k = &m->s->keys[m->key[i]];
		if ((m->sig[m->nsig] = buf_new(SIGN_SIGHDR_MAX)) == NULL)
			return (buf_why(why, AM_TEMP, "out of memory"));
		st = m->ed[i] != NULL ? eom_ed(m, i, m->sig[m->nsig], why) :
		    eom_rsa(m, i, m->sig[m->nsig], why);
		m->nsig++;
		if (st != AM_OK)
			return (buf_why(why, AM_TEMP, "key %s: %s", k->name,
			    buf_str(why)));
		o += (size_t)snprintf(m->summary + o, o < sizeof(m->summary) ?
		    sizeof(m->summary) - o : 0, "%s%s/%s/%s", i ? "," : "",
		    k->domain, k->selector, signkey_type_str(k->key.type));
		if (o >= sizeof(m->summary))
			o = sizeof(m->summary);
	}
	return (AM_OK);
}

/* sign_count - signatures ready */
int
sign_count(const struct sign_msg *m)
{
	return (m != NULL ? m->nsig : 0);
}

/* sign_value - the i-th DKIM-Signature value */
const char *
sign_value(const struct sign_msg *m, int i)
{
	return (i >= 0 && i < m->nsig ? buf_str(m->sig[i]) : NULL);
}

/* sign_summary - what was signed, or why not, for the log */
const char *
sign_summary(const struct sign_msg *m)
{
	return (m != NULL ? m->summary : "none");
}

/* sign_msg_free - end of message */
void
sign_msg_free(struct sign_msg **mp)
{
	struct sign_msg *m;
	int	 i;

	if (mp == NULL || (m = *mp) == NULL)
		return;
	for (i = 0; i < m->ndkim; i++) {
		if (m->dkim[i] != NULL)
			dkim_free(m->dkim[i]);
		signed_free(&m->ed[i]);
	}
	for (i = 0; i < m->nsig; i++)
		buf_free(&m->sig[i]);
	buf_free(&m->hdrs);
	free(m);
	*mp = NULL;
}
