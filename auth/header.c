/*
 * NAME
 *	header - the RFC 5322 From: field: author domains
 * SYNOPSIS
 *	#include "auth/header.h"
 *
 *	void header_from_parse(const char *value, size_t len,
 *	    struct from_result *res_r);
 *	void header_from_count(struct from_result *res_r, int nfields);
 * DESCRIPTION
 *	Our own parser for the From: field, not libopendmarc's extractor
 *	(which takes the last <...> and reads addresses out of comments).
 *
 *	A lexer turns the value into tokens (atom, quoted-string,
 *	domain-literal, encoded-word, and the specials < > @ , ; : .),
 *	skipping CFWS: white space, folding, and nested comments with
 *	quoted-pairs. A comment is never looked into, so it can never
 *	supply an address.
 *
 *	An RFC 2047 encoded-word ("=?charset?Q?text?=", B or Q, RFC 2231
 *	language allowed) that starts a token and is followed by no atext
 *	is one token even when its text holds "@", ",", ";", ":" or ".",
 *	which a Q-encoded display name may (RFC 2047 5 forbids it, senders
 *	do it anyway). Such a token is a word of a display name only: the
 *	address inside is never taken, and as a local part or domain it is
 *	a syntax error. Its text may not hold ( ) < > [ ] " \ or white
 *	space; then it is lexed as ordinary atoms and specials, and one
 *	meaning for all readers is kept. An encoded-word of atext only is
 *	simply an atom.
 *	Because CFWS may sit between any two tokens, the token grammar is
 *	the obsolete syntax of RFC 5322 section 4, which is a superset of
 *	section 3:
 *
 *	address-list	*("," / address) (empty elements: obs-addr-list)
 *	address		mailbox / group
 *	group		phrase ":" *("," / mailbox) ";"
 *	mailbox		phrase angle-addr / angle-addr / addr-spec
 *	angle-addr	"<" [obs-route] addr-spec ">"
 *	obs-route	*"," "@" domain *("," ["@" domain]) ":"
 *	addr-spec	word *("." word) "@" domain
 *	domain		atom *("." atom) ["."] / domain-literal
 *	phrase		word *(word / ".")
 *
 *	Groups are accepted although From: is a mailbox-list (3.6.2): the
 *	mailboxes inside count, an empty group counts none. A field with no
 *	mailbox at all is unparseable.
 *
 *	The domains (author domains, RFC 9989 5.3.1) are lower-cased with
 *	a trailing dot removed. A domain with 8-bit bytes must be UTF-8
 *	U-labels: it is converted to A-labels (libidn2, IDNA2008 with the
 *	UTS #46 non-transitional mapping, as psl.c does); one libidn2
 *	refuses makes the field unparseable. The result must be a host
 *	name: letters, digits, "-" and "_" in labels of 1 to 63 octets,
 *	at most 253 in all. A domain-literal or any other character leaves
 *	the mailbox without a domain that DMARC can use, which makes the
 *	field unparseable. 8-bit bytes are tolerated in display names and
 *	local parts (RFC 6532).
 * DIAGNOSTICS
 *	res_r->reason holds a short phrase for anything but one mailbox.
 *	NUL and bare CR anywhere, or a line break not followed by white
 *	space, make the field unparseable before any parsing.
 * THREADS
 *	Reentrant: no state outside the caller's structures.
 * SEE ALSO
 *	RFC 5322 3.2.2 (CFWS), 3.2.4 (quoted strings), 3.4 (addresses),
 *	3.6.2 (From:), 4.4 (obsolete addressing); RFC 2047 2, 5; RFC 2231
 *	5; RFC 5890 2.3 (A-labels); RFC 9989 5.3.1
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "auth/header.h"
#include "auth/result.h"
#include "util/am.h"
#include "util/limits.h"

/* token types beyond single special characters */
#define T_EOF	256
#define T_ATOM	257
#define T_QSTR	258
#define T_DLIT	259
#define T_ERR	260
#define T_EWORD	261			/* encoded-word with specials in it */

struct tok {
	int	 type;			/* T_* or one of < > @ , ; : . */
	const unsigned char *s;		/* T_ATOM: its bytes */
	size_t	 n;
};

struct fparse {
	const unsigned char *p;		/* next byte to lex */
	const unsigned char *end;
	const char *err;		/* first error, a static phrase */
	int	 nmbox;			/* mailboxes seen */
	struct from_result *res;
};

static int fp_address(struct fparse *, bool);

/* fp_fail - record the first error; returns -1 for tail calls */
static int
fp_fail(struct fparse *fp, const char *why)
{
	if (fp->err == NULL)
		fp->err = why;
	return (-1);
}

/* fp_is_word - a word: atom, quoted-string (RFC 5322 3.2.5), eword */
static bool
fp_is_word(int type)
{
	return (type == T_ATOM || type == T_QSTR || type == T_EWORD);
}

/* fp_is_atext - RFC 5322 3.2.3 atext, plus 8-bit bytes (RFC 6532) */
static bool
fp_is_atext(unsigned char c)
{
	if (c >= 0x80)
		return (true);
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return (true);
	return (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* fp_prescan - reject NUL, bare CR and broken folding up front */
static const char *
fp_prescan(const unsigned char *s, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] == '\0')
			return ("NUL byte");
		if (s[i] == '\r') {
			if (i + 1 >= len || s[i + 1] != '\n')
				return ("bare CR");
			continue;		/* the LF is checked next */
		}
		if (s[i] == '\n' && i + 1 < len &&
		    s[i + 1] != ' ' && s[i + 1] != '\t')
			return ("line break without folding white space");
	}
	return (NULL);
}

/* fp_ew_token - RFC 2047 token (charset, encoding): length, or 0 */
static size_t
fp_ew_token(const unsigned char *p, const unsigned char *end)
{
	const unsigned char *s = p;

	while (p < end && *p > ' ' && *p < 0x7f &&
	    strchr("()<>@,;:\"/[]?.=", *p) == NULL)
		p++;
	return ((size_t)(p - s));
}

/* fp_eword - an encoded-word at p: its length, or 0 if there is none */
static size_t
fp_eword(const unsigned char *p, const unsigned char *end, bool *special_r)
{
	const unsigned char *s = p, *t;
	size_t	 n;

	*special_r = false;
	if (end - p < 2 || p[0] != '=' || p[1] != '?')
		return (0);
	p += 2;				/* charset, "*language" included */
	if ((n = fp_ew_token(p, end)) == 0 || (p += n) >= end)
		return (0);
	if (*p++ != '?' || end - p < 2 || *p == '\0' ||
	    strchr("BbQq", *p) == NULL || p[1] != '?')
		return (0);
	p += 2;				/* encoded-text up to "?=" */
	for (t = p; p < end && *p != '?'; p++) {
		if (*p <= ' ' || *p >= 0x7f || strchr("()<>[]\"\\", *p))
			return (0);
		*special_r = *special_r || !fp_is_atext(*p);
	}
	if (p == t || end - p < 2 || p[1] != '=' ||
	    (p + 2 < end && fp_is_atext(p[2])))
		return (0);
	return ((size_t)(p + 2 - s));
}

/* fp_skip_comment - skip one (possibly nested) comment at fp->p */
static int
fp_skip_comment(struct fparse *fp)
{
	size_t	 depth = 0;

	do {
		switch (*fp->p++) {
		case '\\':			/* quoted-pair */
			if (fp->p >= fp->end)
				return (fp_fail(fp, "unbalanced comment"));
			fp->p++;
			break;
		case '(':
			depth++;
			break;
		case ')':
			depth--;
			break;
		}
	} while (depth > 0 && fp->p < fp->end);
	if (depth > 0)
		return (fp_fail(fp, "unbalanced comment"));
	return (0);
}

/* fp_skip_cfws - skip white space, folding and comments */
static int
fp_skip_cfws(struct fparse *fp)
{
	while (fp->p < fp->end) {
		switch (*fp->p) {
		case ' ':
		case '\t':
		case '\r':
		case '\n':
			fp->p++;
			break;
		case '(':
			if (fp_skip_comment(fp) < 0)
				return (-1);
			break;
		default:
			return (0);
		}
	}
	return (0);
}

/* fp_delimited - skip a quoted-string or domain-literal up to close */
static int
fp_delimited(struct fparse *fp, int close, const char *unbalanced)
{
	int	 c;

	fp->p++;			/* the opening quote or bracket */
	while (fp->p < fp->end) {
		c = *fp->p++;
		if (c == close)
			return (0);
		if (c == '\\') {	/* quoted-pair, obs-qp */
			if (fp->p >= fp->end)
				break;
			fp->p++;
		} else if (close == ']' && c == '[')
			return (fp_fail(fp, "syntax error in domain literal"));
	}
	return (fp_fail(fp, unbalanced));
}

/* fp_next - the next token after any CFWS */
static int
fp_next(struct fparse *fp, struct tok *t)
{
	unsigned char c;
	bool	 special;

	t->s = NULL;
	t->n = 0;
	if (fp->err != NULL || fp_skip_cfws(fp) < 0)
		return (t->type = T_ERR);
	if (fp->p >= fp->end)
		return (t->type = T_EOF);
	c = *fp->p;
	if (c == '"') {
		t->type = fp_delimited(fp, '"', "unbalanced quote") < 0 ?
		    T_ERR : T_QSTR;
	} else if (c == '[') {
		t->type = fp_delimited(fp, ']', "unbalanced bracket") < 0 ?
		    T_ERR : T_DLIT;
	} else if (fp_is_atext(c)) {
		t->s = fp->p;
		t->type = T_ATOM;
		if ((t->n = fp_eword(fp->p, fp->end, &special)) > 0) {
			fp->p += t->n;
			if (special)
				t->type = T_EWORD;
			return (t->type);
		}
		while (fp->p < fp->end && fp_is_atext(*fp->p))
			fp->p++;
		t->n = (size_t)(fp->p - t->s);
	} else if (strchr("<>@,;:.", c) != NULL) {
		fp->p++;
		t->type = c;
	} else {
		fp_fail(fp, c == ')' ? "unbalanced comment" :
		    c < 0x20 || c == 0x7f ? "control character" :
		    "syntax error");
		t->type = T_ERR;
	}
	return (t->type);
}

/* fp_peek - the type of the next token, without consuming it */
static int
fp_peek(struct fparse *fp)
{
	const unsigned char *save = fp->p;
	struct tok t;

	fp_next(fp, &t);
	fp->p = save;
	return (t.type);
}

/* fp_classify - what follows a run of words and dots: @ < : or other */
static int
fp_classify(struct fparse *fp)
{
	const unsigned char *save = fp->p;
	struct tok t;

	while (fp_is_word(fp_next(fp, &t)) || t.type == '.')
		continue;
	fp->p = save;
	return (t.type);
}

/* fp_keep_domain - check one A-label author domain and keep it if new */
static int
fp_keep_domain(struct fparse *fp, const char *dom, size_t len)
{
	struct from_result *res = fp->res;
	size_t	 i, label = 0;
	int	 k;

	if (len == 0)
		return (fp_fail(fp, "no domain"));
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)dom[i];

		if (c == '.') {
			if (label == 0)
				return (fp_fail(fp, "empty label in domain"));
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return (fp_fail(fp, "invalid character in domain"));
		if (++label > 63)
			return (fp_fail(fp, "label too long in domain"));
	}
	if (label == 0)
		return (fp_fail(fp, "empty label in domain"));
	if (len > 253)
		return (fp_fail(fp, "domain too long"));
	for (k = 0; k < res->ndomains; k++)
		if (strcmp(res->domains[k], dom) == 0)
			return (0);
	if (res->ndomains >= LIM_FROM_MAILBOXES)
		return (fp_fail(fp, "too many mailboxes"));
	memcpy(res->domains[res->ndomains], dom, len);
	res->domains[res->ndomains][len] = '\0';
	res->ndomains++;
	return (0);
}

/* fp_add_domain - U-labels to A-labels (RFC 9989 5.3.1), then keep */
static int
fp_add_domain(struct fparse *fp, const char *dom, size_t len)
{
	char	*ace = NULL;
	size_t	 i;
	int	 st;

	for (i = 0; i < len && (unsigned char)dom[i] < 0x80; i++)
		continue;
	if (i == len)
		return (fp_keep_domain(fp, dom, len));
	if (idn2_to_ascii_8z(dom, &ace, IDN2_NFC_INPUT |
	    IDN2_NONTRANSITIONAL) != IDN2_OK || ace == NULL) {
		idn2_free(ace);
		return (fp_fail(fp, "invalid IDN in domain"));
	}
	for (i = 0; ace[i] != '\0'; i++)
		if (ace[i] >= 'A' && ace[i] <= 'Z')
			ace[i] = (char)(ace[i] + 32);
	st = fp_keep_domain(fp, ace, i);
	idn2_free(ace);
	return (st);
}

/* fp_domain_append - add an atom, lower-cased, to the domain text */
static int
fp_domain_append(struct fparse *fp, char *dom, size_t *lenp,
    const struct tok *t, bool dot)
{
	size_t	 i;

	if (*lenp + t->n + (dot ? 1 : 0) >= LIM_DOMAIN)
		return (fp_fail(fp, "domain too long"));
	if (dot)
		dom[(*lenp)++] = '.';
	for (i = 0; i < t->n; i++) {
		unsigned char c = t->s[i];

		dom[(*lenp)++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	dom[*lenp] = '\0';
	return (0);
}

/* fp_domain - domain after "@": atoms and dots, one trailing dot */
static int
fp_domain(struct fparse *fp, bool keep)
{
	char	 dom[LIM_DOMAIN];
	size_t	 len = 0;
	struct tok t;

	fp_next(fp, &t);
	if (t.type == T_DLIT)
		return (keep ? fp_fail(fp, "domain literal") : 0);
	if (t.type != T_ATOM)
		return (fp_fail(fp, "missing domain"));
	dom[0] = '\0';
	if (fp_domain_append(fp, dom, &len, &t, false) < 0)
		return (-1);
	while (fp_peek(fp) == '.') {
		fp_next(fp, &t);
		if (fp_peek(fp) != T_ATOM)
			break;			/* trailing dot: dropped */
		fp_next(fp, &t);
		if (fp_domain_append(fp, dom, &len, &t, true) < 0)
			return (-1);
	}
	if (fp->err != NULL)
		return (-1);
	return (keep ? fp_add_domain(fp, dom, len) : 0);
}

/* fp_addr_spec - local-part "@" domain; counts one mailbox */
static int
fp_addr_spec(struct fparse *fp)
{
	struct tok t;

	if (!fp_is_word(fp_next(fp, &t)) || t.type == T_EWORD)
		return (fp_fail(fp, t.type == T_EWORD ?
		    "encoded-word in address" : "bad local part"));
	while (fp_peek(fp) == '.') {
		fp_next(fp, &t);
		if (!fp_is_word(fp_next(fp, &t)) || t.type == T_EWORD)
			return (fp_fail(fp, t.type == T_EWORD ?
			    "encoded-word in address" : "bad local part"));
	}
	if (fp_next(fp, &t) != '@')
		return (fp_fail(fp, t.type == T_ERR ? "syntax error" :
		    "missing domain"));
	if (fp_domain(fp, true) < 0)
		return (-1);
	fp->nmbox++;
	return (0);
}

/* fp_route - obs-route before an addr-spec: "@a,@b:"; ignored */
static int
fp_route(struct fparse *fp)
{
	struct tok t;

	while (fp_peek(fp) == ',')
		fp_next(fp, &t);
	if (fp_next(fp, &t) != '@' || fp_domain(fp, false) < 0)
		return (fp_fail(fp, "bad route"));
	for (;;) {
		switch (fp_next(fp, &t)) {
		case ':':
			return (0);
		case ',':
			if (fp_peek(fp) != '@')
				continue;
			fp_next(fp, &t);
			if (fp_domain(fp, false) < 0)
				return (fp_fail(fp, "bad route"));
			continue;
		default:
			return (fp_fail(fp, "bad route"));
		}
	}
}

/* fp_angle_addr - "<" [obs-route] addr-spec ">" */
static int
fp_angle_addr(struct fparse *fp)
{
	struct tok t;
	int	 type;

	fp_next(fp, &t);		/* the "<" */
	type = fp_peek(fp);
	if (type == '>')
		return (fp_fail(fp, "empty address"));
	if ((type == '@' || type == ',') && fp_route(fp) < 0)
		return (-1);
	if (fp_addr_spec(fp) < 0)
		return (-1);
	if (fp_next(fp, &t) != '>')
		return (fp_fail(fp, t.type == T_EOF ?
		    "unbalanced angle bracket" : "text after address"));
	return (0);
}

/* fp_phrase - skip a display name: words and (obsolete) dots */
static void
fp_phrase(struct fparse *fp)
{
	struct tok t;
	int	 type;

	while (fp_is_word(type = fp_peek(fp)) || type == '.')
		fp_next(fp, &t);
}

/* fp_group - the rest of a group after its ":" */
static int
fp_group(struct fparse *fp)
{
	struct tok t;

	for (;;) {
		switch (fp_peek(fp)) {
		case ';':
			fp_next(fp, &t);
			return (0);
		case ',':
			fp_next(fp, &t);
			continue;
		case T_EOF:
			return (fp_fail(fp, "unterminated group"));
		case T_ERR:
			return (-1);
		}
		if (fp_address(fp, true) < 0)
			return (-1);
		switch (fp_peek(fp)) {
		case ',':
		case ';':
			continue;
		case '>':
			return (fp_fail(fp, "unbalanced angle bracket"));
		case T_EOF:
			return (fp_fail(fp, "unterminated group"));
		case T_ERR:
			return (-1);
		default:
			return (fp_fail(fp, "text after address"));
		}
	}
}

/* fp_address - one mailbox, or a group when not inside one */
static int
fp_address(struct fparse *fp, bool in_group)
{
	struct tok t;
	int	 type;

	type = fp_peek(fp);
	if (type == '<')
		return (fp_angle_addr(fp));
	if (!fp_is_word(type))
		return (fp_fail(fp, type == ':' ? "group without name" :
		    type == '>' ? "unbalanced angle bracket" :
		    "syntax error"));
	switch (fp_classify(fp)) {
	case '@':
		return (fp_addr_spec(fp));
	case '<':
		fp_phrase(fp);
		return (fp_angle_addr(fp));
	case ':':
		if (in_group)
			return (fp_fail(fp, "group inside group"));
		fp_phrase(fp);
		fp_next(fp, &t);		/* the ":" */
		return (fp_group(fp));
	case T_ERR:
		return (-1);
	default:
		return (fp_fail(fp, "missing domain"));
	}
}

/* fp_address_list - addresses separated by (possibly empty) commas */
static int
fp_address_list(struct fparse *fp)
{
	struct tok t;

	for (;;) {
		switch (fp_peek(fp)) {
		case T_EOF:
			return (0);
		case T_ERR:
			return (-1);
		case ',':
			fp_next(fp, &t);
			continue;
		}
		if (fp_address(fp, false) < 0)
			return (-1);
		switch (fp_next(fp, &t)) {
		case T_EOF:
			return (0);
		case ',':
			continue;
		case '>':
			return (fp_fail(fp, "unbalanced angle bracket"));
		case T_ERR:
			return (-1);
		default:
			return (fp_fail(fp, "text after address"));
		}
	}
}

/* header_from_syntax - parse; NULL, or why the field is unusable */
static const char *
header_from_syntax(const char *value, size_t len, struct from_result *res,
    int *nmbox_r)
{
	struct fparse fp;
	const char *why;

	if (value == NULL || len == 0)
		return ("empty field");
	if (len > LIM_HEADER)
		return ("field too long");
	if ((why = fp_prescan((const unsigned char *)value, len)) != NULL)
		return (why);
	memset(&fp, 0, sizeof(fp));
	fp.p = (const unsigned char *)value;
	fp.end = fp.p + len;
	fp.res = res;
	if (fp_address_list(&fp) < 0)
		return (fp.err != NULL ? fp.err : "syntax error");
	if (fp.nmbox == 0)
		return ("no mailbox");
	*nmbox_r = fp.nmbox;
	return (NULL);
}

/* header_from_parse - author domains of one From: field value */
void
header_from_parse(const char *value, size_t len, struct from_result *res_r)
{
	const char *why;
	int	 nmbox = 0;

	memset(res_r, 0, sizeof(*res_r));
	if ((why = header_from_syntax(value, len, res_r, &nmbox)) != NULL) {
		res_r->status = FROM_UNPARSEABLE;
		res_r->ndomains = 0;		/* never a partial list */
		memset(res_r->domains, 0, sizeof(res_r->domains));
		snprintf(res_r->reason, sizeof(res_r->reason), "%s", why);
	} else if (nmbox == 1) {
		res_r->status = FROM_OK;
	} else {
		res_r->status = FROM_MULTIPLE_MAILBOXES;
		snprintf(res_r->reason, sizeof(res_r->reason),
		    "%d mailboxes, %d domain%s", nmbox, res_r->ndomains,
		    res_r->ndomains == 1 ? "" : "s");
	}
}

/* header_from_count - apply the number of From: fields seen */
void
header_from_count(struct from_result *res_r, int nfields)
{
	if (nfields == 1)
		return;
	if (nfields <= 0) {
		memset(res_r, 0, sizeof(*res_r));
		res_r->status = FROM_MISSING;
		snprintf(res_r->reason, sizeof(res_r->reason),
		    "no From: field");
		return;
	}
	res_r->status = FROM_MULTIPLE_FIELDS;
	snprintf(res_r->reason, sizeof(res_r->reason), "%d From: fields",
	    nfields);
}
