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
 *	domain-literal, and the specials < > @ , ; : .), skipping CFWS:
 *	white space, folding, and nested comments with quoted-pairs. A
 *	comment is never looked into, so it can never supply an address.
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
 *	The domains (author domains, RFC 7489 6.6.1) are lower-cased with
 *	a trailing dot removed and must be host names: letters, digits,
 *	"-" and "_" in labels of 1 to 63 octets. A domain-literal, an 8-bit
 *	byte, or any other character leaves the mailbox without a domain
 *	that DMARC can use, which makes the field unparseable. 8-bit bytes
 *	are tolerated in display names and local parts (RFC 6532).
 * DIAGNOSTICS
 *	res_r->reason holds a short phrase for anything but one mailbox.
 *	NUL and bare CR anywhere, or a line break not followed by white
 *	space, make the field unparseable before any parsing.
 * THREADS
 *	Reentrant: no state outside the caller's structures.
 * SEE ALSO
 *	RFC 5322 3.2.2 (CFWS), 3.2.4 (quoted strings), 3.4 (addresses),
 *	3.6.2 (From:), 4.4 (obsolete addressing); RFC 7489 6.6.1
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

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

/* fp_is_word - a word: atom or quoted-string (RFC 5322 3.2.5) */
static bool
fp_is_word(int type)
{
	return (type == T_ATOM || type == T_QSTR);
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
		while (fp->p < fp->end && fp_is_atext(*fp->p))
			fp->p++;
		t->n = (size_t)(fp->p - t->s);
		t->type = T_ATOM;
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

/* fp_add_domain - check one author domain and keep it if new */
static int
fp_add_domain(struct fparse *fp, const char *dom, size_t len)
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
		if (c >= 0x80)
			return (fp_fail(fp, "8-bit byte in domain"));
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		    c == '-' || c == '_'))
			return (fp_fail(fp, "invalid character in domain"));
		if (++label > 63)
			return (fp_fail(fp, "label too long in domain"));
	}
	if (len > 253)
		return (fp_fail(fp, "domain too long"));
	for (k = 0; k < res->ndomains; k++)
		if (strcmp(res->domains[k], dom) == 0)
			return (0);
	if (res->ndomains >= LIM_FROM_MAILBOXES)
		return (fp_fail(fp, "too many mailboxes"));
	memcpy(res->domains[res->ndomains], dom, len + 1);
	res->ndomains++;
	return (0);
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

	if (!fp_is_word(fp_next(fp, &t)))
		return (fp_fail(fp, "bad local part"));
	while (fp_peek(fp) == '.') {
		fp_next(fp, &t);
		if (!fp_is_word(fp_next(fp, &t)))
			return (fp_fail(fp, "bad local part"));
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
