/*
 * NAME
 *	spfrec - an SPF record checked against the RFC 7208 grammar
 * SYNOPSIS
 *	#include "auth/spfrec.h"
 * DESCRIPTION
 *	See spfrec.h. A hand-written recursive descent over RFC 7208
 *	section 12, one function per rule that matters:
 *
 *	record	 "v=spf1" *( 1*SP term ) *SP, printable ASCII only
 *	term	 modifier if it starts with name "=", else directive
 *	directive [qualifier] mechanism [":" arg] [cidr]
 *	domain-spec macro-string domain-end (spec_check)
 *	macro-string *( macro-expand / macro-literal ) (macro_scan)
 *
 *	The grammar is ambiguous where a domain-spec may hold "/" and is
 *	followed by a CIDR length: a trailing "/N" or "//N" of digits is
 *	taken as the length, as every implementation does; when it is
 *	malformed the term is an error either way (the digits would have
 *	to be a top label, which "/" cannot be part of).
 *
 *	While it scans a macro-string it adds up the bytes libspf2's
 *	compiler will use for it (4 per macro, 4 plus the literal's length,
 *	rounded up to 4, per literal run; "%-" is 3 bytes) to enforce
 *	LIM_SPF_TERM_BYTES.
 * SEE ALSO
 *	RFC 7208 4.5, 4.6.1, 5, 6, 7.1-7.3, 12; libspf2 spf_compile.c
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "auth/spfrec.h"

#define SPFREC_VERSION	"v=spf1"
#define SPFREC_DIGITS_MAX 128		/* libspf2 refuses more */

/* what macro_scan() learnt of one macro-string */
struct mscan {
	size_t	 tail;			/* start of the trailing literal run */
	bool	 expand_last;		/* ends in a macro-expand */
	size_t	 bytes;			/* libspf2's compiled size */
};

static const struct {
	const char *name;
	enum spfrec_kind kind;
} mechs[] = {
	{"all", SPFREC_ALL}, {"include", SPFREC_INCLUDE}, {"a", SPFREC_A},
	{"mx", SPFREC_MX}, {"ptr", SPFREC_PTR}, {"ip4", SPFREC_IP4},
	{"ip6", SPFREC_IP6}, {"exists", SPFREC_EXISTS},
};

/* spfrec_select - is this TXT string an SPF record (RFC 7208 4.5) */
bool
spfrec_select(const char *txt, size_t len)
{
	size_t	 n = sizeof(SPFREC_VERSION) - 1;

	if (txt == NULL || len < n || strncasecmp(txt, SPFREC_VERSION, n) != 0)
		return (false);
	return (len == n || txt[n] == ' ');
}

/* align4 - libspf2's _align_sz() */
static size_t
align4(size_t n)
{
	return ((n + 3) & ~(size_t)3);
}

/* macro_var - "%{" letter *DIGIT ["r"] *delim "}" at s[i]; the index
 * after it, or 0 with *why set */
static size_t
macro_var(const char *s, size_t n, size_t i, bool exp, const char **why)
{
	unsigned val = 0, ndig = 0;
	int	 c;

	i += 2;
	c = i < n ? tolower((unsigned char)s[i]) : 0;
	if (c == 0 || strchr("slodiphcrtv", c) == NULL) {
		*why = "unknown macro letter";
		return (0);
	}
	if (!exp && strchr("crt", c) != NULL) {
		*why = "macro letter c, r or t outside explanation text";
		return (0);
	}
	for (i++; i < n && isdigit((unsigned char)s[i]); i++, ndig++)
		if (val < 1000)
			val = val * 10 + (unsigned)(s[i] - '0');
	if (ndig > 0 && val == 0) {
		*why = "macro transformer of zero labels";
		return (0);
	}
	if (i < n && (s[i] == 'r' || s[i] == 'R'))
		i++;
	while (i < n && strchr(".-+,/_=", s[i]) != NULL)
		i++;
	if (i >= n || s[i] != '}') {
		*why = "malformed macro";
		return (0);
	}
	return (i + 1);
}

/* macro_scan - check a macro-string (RFC 7208 7.1) and measure it */
static int
macro_scan(const char *s, size_t n, bool exp, struct mscan *ms,
    const char **why)
{
	size_t	 i = 0, lit = 0;

	memset(ms, 0, sizeof(*ms));
	while (i < n) {
		if (s[i] != '%') {
			lit++;
			i++;
			ms->expand_last = false;
			continue;
		}
		if (i + 1 < n && (s[i + 1] == '%' || s[i + 1] == '_' ||
		    s[i + 1] == '-')) {
			lit += s[i + 1] == '-' ? 3 : 1;
			i += 2;
		} else if (i + 1 < n && s[i + 1] == '{') {
			ms->bytes += (lit > 0 ? align4(4 + lit) : 0) + 4;
			lit = 0;
			if ((i = macro_var(s, n, i, exp, why)) == 0)
				return (-1);
		} else {
			*why = "'%' not followed by '{', '%', '_' or '-'";
			return (-1);
		}
		ms->expand_last = true;
		ms->tail = i;
	}
	ms->bytes += lit > 0 ? align4(4 + lit) : 0;
	return (0);
}

/* toplabel_ok - RFC 7208 7.1 toplabel: LDH, ends alnum, not all digits */
static bool
toplabel_ok(const char *s, size_t n)
{
	bool	 alpha = false, dash = false;
	size_t	 i;

	if (n == 0 || !isalnum((unsigned char)s[0]) ||
	    !isalnum((unsigned char)s[n - 1]))
		return (false);
	for (i = 0; i < n; i++) {
		if (s[i] == '-')
			dash = true;
		else if (isalpha((unsigned char)s[i]))
			alpha = true;
		else if (!isdigit((unsigned char)s[i]))
			return (false);
	}
	return (alpha || dash);
}

/* spec_check - domain-spec = macro-string domain-end (RFC 7208 7.1) */
static int
spec_check(const char *s, size_t n, size_t extra, const char **why)
{
	struct mscan ms;
	const char *lit, *dot;
	size_t	 len;

	if (n == 0) {
		*why = "empty domain-spec";
		return (-1);
	}
	if (macro_scan(s, n, false, &ms, why) != 0)
		return (-1);
	if (ms.bytes + extra > LIM_SPF_TERM_BYTES) {
		*why = "term too long";
		return (-1);
	}
	if (ms.expand_last)
		return (0);
	lit = s + ms.tail;
	len = n - ms.tail;
	if (len > 0 && lit[len - 1] == '.')
		len--;
	if ((dot = memrchr(lit, '.', len)) == NULL ||
	    !toplabel_ok(dot + 1, len - (size_t)(dot + 1 - lit))) {
		*why = "domain-spec does not end in a valid top label";
		return (-1);
	}
	return (0);
}

/* cidr_num - "0" or a number without leading zero, at most max; or -1 */
static int
cidr_num(const char *s, size_t n, int max)
{
	int	 v = 0;
	size_t	 i;

	if (n == 0 || n > 3 || (n > 1 && s[0] == '0'))
		return (-1);
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return (-1);
		v = v * 10 + (s[i] - '0');
	}
	return (v <= max ? v : -1);
}

/* digits_back - start of the run of digits that ends at s[end] */
static size_t
digits_back(const char *s, size_t end)
{
	while (end > 0 && isdigit((unsigned char)s[end - 1]))
		end--;
	return (end);
}

/* dual_cidr - strip [ "/" N ] [ "//" N ] off the end of s; new length,
 * or (size_t)-1 with *why set */
static size_t
dual_cidr(const char *s, size_t n, struct spfrec_term *t, const char **why)
{
	size_t	 j;

	j = digits_back(s, n);
	if (j < n && j >= 2 && s[j - 1] == '/' && s[j - 2] == '/') {
		if ((t->cidr6 = (short)cidr_num(s + j, n - j, 128)) < 0)
			goto bad;
		n = j - 2;
		j = digits_back(s, n);
	}
	if (j < n && j >= 1 && s[j - 1] == '/' && (j < 2 || s[j - 2] != '/')) {
		if ((t->cidr4 = (short)cidr_num(s + j, n - j, 32)) < 0)
			goto bad;
		n = j - 1;
	}
	return (n);
bad:
	*why = "bad CIDR length";
	return ((size_t)-1);
}

/* ip4_ok - dotted quad of RFC 7208 12 qnum: no leading zeros */
static bool
ip4_ok(const char *s, size_t n)
{
	size_t	 i = 0, start;
	int	 parts;

	for (parts = 0; parts < 4; parts++) {
		if (parts > 0 && (i >= n || s[i++] != '.'))
			return (false);
		start = i;
		while (i < n && isdigit((unsigned char)s[i]))
			i++;
		if (cidr_num(s + start, i - start, 255) < 0)
			return (false);
	}
	return (i == n);
}

/* ip6_ok - an RFC 4291 2.2 text address */
static bool
ip6_ok(const char *s, size_t n)
{
	unsigned char bin[16];
	char	 tmp[64];

	if (n == 0 || n >= sizeof(tmp) || memchr(s, '%', n) != NULL)
		return (false);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	return (inet_pton(AF_INET6, tmp, bin) == 1);
}

/* ip_arg - ip4/ip6: ":" network [ "/" N ] */
static int
ip_arg(const char *s, size_t n, struct spfrec_term *t, const char **why)
{
	const char *slash;
	size_t	 alen;
	int	 v6 = t->kind == SPFREC_IP6, c;

	if (n < 2 || s[0] != ':') {
		*why = "ip4 or ip6 without an address";
		return (-1);
	}
	s++;
	n--;
	slash = memchr(s, '/', n);
	alen = slash != NULL ? (size_t)(slash - s) : n;
	if (!(v6 ? ip6_ok(s, alen) : ip4_ok(s, alen))) {
		*why = v6 ? "bad IPv6 address" : "bad IPv4 address";
		return (-1);
	}
	if (slash != NULL) {
		c = cidr_num(slash + 1, n - alen - 1, v6 ? 128 : 32);
		if (c < 0) {
			*why = "bad CIDR length";
			return (-1);
		}
		*(v6 ? &t->cidr6 : &t->cidr4) = (short)c;
	}
	t->arg = s;
	t->arglen = alen;
	return (0);
}

/* mech_arg - the part of a directive after its name */
static int
mech_arg(const char *s, size_t n, struct spfrec_term *t, const char **why)
{
	enum spfrec_kind k = t->kind;
	bool	 spec_opt = k == SPFREC_A || k == SPFREC_MX || k == SPFREC_PTR;

	if (k == SPFREC_IP4 || k == SPFREC_IP6)
		return (ip_arg(s, n, t, why));
	if ((k == SPFREC_A || k == SPFREC_MX) &&
	    (n = dual_cidr(s, n, t, why)) == (size_t)-1)
		return (-1);
	if (n == 0 && (k == SPFREC_ALL || spec_opt))
		return (0);
	if (k == SPFREC_ALL || n == 0 || s[0] != ':') {
		*why = n == 0 ? "mechanism needs a domain" :
		    "bad character after mechanism";
		return (-1);
	}
	t->arg = s + 1;
	t->arglen = n - 1;
	return (spec_check(t->arg, t->arglen, t->cidr4 >= 0 ||
	    t->cidr6 >= 0 ? 4 : 0, why));
}

/* mech_kind - the mechanism named s[0..n), or -1 */
static int
mech_kind(const char *s, size_t n)
{
	size_t	 m;

	for (m = 0; m < AM_ARRAY_LEN(mechs); m++)
		if (strlen(mechs[m].name) == n &&
		    strncasecmp(mechs[m].name, s, n) == 0)
			return ((int)mechs[m].kind);
	return (-1);
}

/* directive - [qualifier] mechanism */
static int
directive(const char *s, size_t n, struct spfrec_term *t, const char **why)
{
	size_t	 i = 0, j;
	int	 k;

	t->qual = '+';
	if (n > 0 && strchr("+-~?", s[0]) != NULL)
		t->qual = s[i++];
	for (j = i; j < n && isalnum((unsigned char)s[j]); j++)
		;
	if ((k = mech_kind(s + i, j - i)) < 0) {
		*why = "unknown mechanism";
		return (-1);
	}
	t->kind = (enum spfrec_kind)k;
	return (mech_arg(s + j, n - j, t, why));
}

/* modifier - name "=" value; 0 not a modifier, 1 one, -1 bad */
static int
modifier(const char *s, size_t n, struct spfrec_term *t, const char **why)
{
	struct mscan ms;
	size_t	 j;

	if (n == 0 || !isalpha((unsigned char)s[0]))
		return (0);
	for (j = 1; j < n && (isalnum((unsigned char)s[j]) ||
	    strchr("-_.", s[j]) != NULL); j++)
		;
	if (j == n || s[j] != '=')
		return (0);
	t->arg = s + j + 1;
	t->arglen = n - j - 1;
	if (j == 8 && strncasecmp(s, "redirect", 8) == 0)
		t->kind = SPFREC_REDIRECT;
	else if (j == 3 && strncasecmp(s, "exp", 3) == 0)
		t->kind = SPFREC_EXP;
	else {
		t->kind = SPFREC_MODIFIER;
		if (macro_scan(t->arg, t->arglen, true, &ms, why) != 0)
			return (-1);
		if (ms.bytes > LIM_SPF_TERM_BYTES) {
			*why = "term too long";
			return (-1);
		}
		return (1);
	}
	return (spec_check(t->arg, t->arglen, 0, why) == 0 ? 1 : -1);
}

/* term - one term into r; 0 or -1 with *why set */
static int
term(const char *s, size_t n, struct spfrec *r, const char **why)
{
	struct spfrec_term *t;
	int	 m;

	if (r->nterms >= LIM_SPF_TERMS) {
		*why = "too many terms";
		return (-1);
	}
	t = &r->term[r->nterms];
	memset(t, 0, sizeof(*t));
	t->cidr4 = t->cidr6 = -1;
	if ((m = modifier(s, n, t, why)) < 0 ||
	    (m == 0 && directive(s, n, t, why) != 0))
		return (-1);
	if ((t->kind == SPFREC_REDIRECT && r->redirect >= 0) ||
	    (t->kind == SPFREC_EXP && r->exp >= 0)) {
		*why = "redirect= or exp= given twice";
		return (-1);
	}
	if (t->kind == SPFREC_REDIRECT)
		r->redirect = r->nterms;
	else if (t->kind == SPFREC_EXP)
		r->exp = r->nterms;
	else if (t->kind == SPFREC_ALL && r->all < 0)
		r->all = r->nterms;
	r->nterms++;
	return (0);
}

/* spfrec_parse - check rec against RFC 7208 12, split into terms */
int
spfrec_parse(const char *rec, size_t len, struct spfrec *r_out,
    struct buf *why)
{
	const char *w = NULL;
	size_t	 i, end;
	unsigned char c;

	r_out->nterms = 0;
	r_out->all = r_out->redirect = r_out->exp = -1;
	if (!spfrec_select(rec, len))
		return (buf_why(why, AM_PERM, "not an SPF record"));
	for (i = 0; i < len; i++)
		if ((c = (unsigned char)rec[i]) < 0x20 || c > 0x7e)
			return (buf_why(why, AM_PERM, "byte 0x%02x in record",
			    c));
	for (i = sizeof(SPFREC_VERSION) - 1; i < len; i = end) {
		while (i < len && rec[i] == ' ')
			i++;
		for (end = i; end < len && rec[end] != ' '; end++)
			;
		if (end > i && term(rec + i, end - i, r_out, &w) != 0)
			return (buf_why(why, AM_PERM, "%s in term %d", w,
			    r_out->nterms + 1));
	}
	return (AM_OK);
}

/* spfrec_spec_norm - a checked domain-spec, macros in canonical form */
int
spfrec_spec_norm(const char *spec, size_t len, struct buf *out)
{
	unsigned val;
	size_t	 i = 0, start;
	int	 st = AM_OK;

	while (i < len && st == AM_OK) {
		if (spec[i] != '%' || i + 1 >= len || spec[i + 1] != '{') {
			start = i;
			i += spec[i] == '%' ? 2 : 1;
			st = buf_append(out, spec + start, i - start);
			continue;
		}
		st = buf_append(out, spec + i, 3);	/* "%{" letter */
		for (i += 3, val = 0; i < len &&
		    isdigit((unsigned char)spec[i]); i++)
			if (val < 1000)
				val = val * 10 + (unsigned)(spec[i] - '0');
		if (val > 0 && st == AM_OK)
			st = buf_printf(out, "%u", val > SPFREC_DIGITS_MAX ?
			    SPFREC_DIGITS_MAX : val);
		if (i < len && (spec[i] == 'r' || spec[i] == 'R')) {
			i++;
			if (st == AM_OK)
				st = buf_putc(out, 'r');
		}
		for (start = i; i < len && spec[i] != '}'; i++)
			;
		if (st == AM_OK)
			st = buf_append(out, spec + start, i + 1 - start);
		i++;
	}
	return (st);
}
