/*
 * NAME
 *	authres - Authentication-Results and Received-SPF fields
 * SYNOPSIS
 *	#include "auth/authres.h"
 * DESCRIPTION
 *	See authres.h.
 *
 *	authres_is_ours() skips CFWS (nested comments with quoted-pairs)
 *	and takes the authserv-id: a quoted-string, or a run of bytes that
 *	must end at white space, "(", ";" or the end of the value. So
 *	"(c) MX.Example.Net ; ..." is ours and "mx.example.net.evil" is
 *	not. One trailing dot is ignored on both sides. A value that is
 *	all comment, or whose comment never closes, is not ours.
 *
 *	authres_format() writes, in this order: spf= for MAIL FROM
 *	(smtp.mailfrom: the domain checked; for the null sender,
 *	postmaster@<helo domain>), spf= for HELO (smtp.helo), one dkim= per
 *	signature (header.d, header.i, header.s, header.a, header.b) or
 *	dkim=none, and dmarc= (header.from) with the policy in a comment.
 *	When no DMARC evaluation ran because the From: field was bad, it
 *	writes dmarc=permerror with the From: status in a comment.
 *
 *	Peer strings are never written raw. A property value that is an
 *	RFC 2045 token (Received-SPF: an RFC 5322 dot-atom) is written
 *	as is; any other is a quoted-string in which \ and " are escaped
 *	and every byte outside printable ASCII (CR, LF, NUL, CTLs, 8-bit)
 *	becomes "?". Comments are ours; the text in them gets the same
 *	"?" treatment, "(", ")" and "\" are escaped as quoted-pairs, and
 *	";" becomes "," for readers that split on ";" before parsing.
 *
 *	Lines are folded with "\n\t" (the milter adds header values with
 *	LF-only line ends; the MTA converts) before any word that would
 *	take the line past 78 columns, counting the field name.
 * DIAGNOSTICS
 *	AM_PERM when out's cap is reached (out then holds a prefix), or
 *	when one word alone would pass AR_UNIT_MAX.
 * THREADS
 *	Reentrant.
 * SEE ALSO
 *	RFC 8601 2.2 (syntax), 2.5 (authserv-id), 2.7 (results), 5
 *	(removal of forged fields); RFC 2045 5.1 (token); RFC 5322 3.2;
 *	RFC 7208 9.1 (Received-SPF)
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "auth/authres.h"
#include "auth/result.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"

#define AR_FOLD_COL	78		/* fold before passing this */
#define AR_TAB_COL	8		/* a folded line starts here */
#define AR_UNIT_MAX	2048		/* one word: 2 * LIM_ADDRESS + key */
#define AR_COMMENT_MAX	160		/* bytes of text in one comment */
#define AR_NOT_OURS	SIZE_MAX

/* one word of output: a method=result, a comment, a property */
struct ar_unit {
	char	 s[AR_UNIT_MAX];
	size_t	 n;
	bool	 over;			/* did not fit */
};

/* the field being written, with the column for folding */
struct ar_out {
	struct buf *out;
	size_t	 col;
	int	 st;			/* first failure, or AM_OK */
};

typedef bool ar_plain_fn(const char *);

/* --- authres_is_ours -------------------------------------------------- */

/* ar_is_wsp - white space, folding included */
static bool
ar_is_wsp(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* ar_skip_cfws - index after CFWS from i; AR_NOT_OURS if unbalanced */
static size_t
ar_skip_cfws(const char *s, size_t len, size_t i)
{
	size_t	 depth;

	while (i < len) {
		if (ar_is_wsp(s[i])) {
			i++;
			continue;
		}
		if (s[i] != '(')
			return (i);
		for (depth = 0; i < len; i++) {
			if (s[i] == '\\')
				i++;			/* quoted-pair */
			else if (s[i] == '(')
				depth++;
			else if (s[i] == ')' && --depth == 0)
				break;
		}
		if (i >= len)
			return (AR_NOT_OURS);
		i++;
	}
	return (i);
}

/* ar_id_equal - an authserv-id equals ours, case and one dot aside */
static bool
ar_id_equal(const char *s, size_t n, const char *id)
{
	size_t	 idlen = strlen(id);

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (idlen > 0 && id[idlen - 1] == '.')
		idlen--;
	return (n > 0 && n == idlen && strncasecmp(s, id, n) == 0);
}

/* ar_quoted_id - unquote a quoted-string authserv-id at s[i] */
static size_t
ar_quoted_id(const char *s, size_t len, size_t i, char *dst, size_t dstlen,
    size_t *n_r)
{
	size_t	 n = 0;

	for (i++; i < len && s[i] != '"'; i++) {
		if (s[i] == '\\' && ++i >= len)
			break;
		if (n + 1 >= dstlen)
			return (AR_NOT_OURS);	/* longer than any id */
		dst[n++] = s[i];
	}
	if (i >= len)
		return (AR_NOT_OURS);
	*n_r = n;
	return (i + 1);
}

/* authres_is_ours - does the field claim our authserv-id */
int
authres_is_ours(const char *value, size_t len, const char *authserv_id)
{
	char	 q[LIM_DOMAIN];
	const char *tok;
	size_t	 i, n;

	if (value == NULL || authserv_id == NULL || *authserv_id == '\0')
		return (0);
	if ((i = ar_skip_cfws(value, len, 0)) == AR_NOT_OURS || i >= len)
		return (0);
	if (value[i] == '"') {
		if ((i = ar_quoted_id(value, len, i, q, sizeof(q), &n)) ==
		    AR_NOT_OURS)
			return (0);
		tok = q;
	} else {
		tok = value + i;
		for (n = 0; i < len && value[i] != '\0' &&
		    !ar_is_wsp(value[i]) && value[i] != '(' &&
		    value[i] != ';'; i++)
			n++;
	}
	if (i < len && !ar_is_wsp(value[i]) && value[i] != '(' &&
	    value[i] != ';')
		return (0);			/* the id runs into more */
	return (ar_id_equal(tok, n, authserv_id));
}

/* ar_names_at - id starts at s[i] and ends there: 1 */
static int
ar_names_at(const char *s, size_t len, size_t i, const char *id)
{
	size_t	 n = strlen(id);

	if (i + n > len || strncasecmp(s + i, id, n) != 0)
		return (0);
	i += n;
	return (i == len || s[i] == '\0' || s[i] == '"' || s[i] == ';' ||
	    s[i] == ':' || ar_is_wsp(s[i]));
}

/*
 * authres_rspf_is_ours - does a Received-SPF field claim our receiver
 *
 * RFC 7208 9.1 names the receiver in the key receiver= and, by
 * convention, at the start of the comment: "(receiver: ...)". Either
 * one, compared case-insensitively, makes the field ours to replace.
 */
int
authres_rspf_is_ours(const char *value, size_t len, const char *receiver)
{
	size_t	 i, j;

	if (value == NULL || receiver == NULL || *receiver == '\0')
		return (0);
	for (i = 0; i < len && value[i] != '\0'; i++) {
		if (value[i] == '(') {
			for (j = i + 1; j < len && ar_is_wsp(value[j]); j++)
				;
			if (ar_names_at(value, len, j, receiver))
				return (1);
			continue;
		}
		if ((i > 0 && value[i - 1] != ';' && !ar_is_wsp(value[i - 1])) ||
		    i + 8 > len || strncasecmp(value + i, "receiver", 8) != 0)
			continue;
		for (j = i + 8; j < len && ar_is_wsp(value[j]); j++)
			;
		if (j >= len || value[j] != '=')
			continue;
		for (j++; j < len && ar_is_wsp(value[j]); j++)
			;
		if (j < len && value[j] == '"')
			j++;
		if (ar_names_at(value, len, j, receiver))
			return (1);
	}
	return (0);
}

/* --- words ------------------------------------------------------------ */

/* ar_is_token - RFC 2045 5.1 token: no SPACE, CTLs or tspecials */
static bool
ar_is_token(const char *s)
{
	if (*s == '\0')
		return (false);
	for (; *s != '\0'; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f ||
		    strchr("()<>@,;:\\\"/[]?=", *s) != NULL)
			return (false);
	return (true);
}

/* ar_is_atext - RFC 5322 3.2.3 atext, ASCII only */
static bool
ar_is_atext(char c)
{
	return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL));
}

/* ar_is_dot_atom - RFC 5322 3.2.3 dot-atom-text (RFC 7208 9.1) */
static bool
ar_is_dot_atom(const char *s)
{
	size_t	 run = 0;

	for (; *s != '\0'; s++) {
		if (*s == '.') {
			if (run == 0)
				return (false);
			run = 0;
		} else if (!ar_is_atext(*s))
			return (false);
		else
			run++;
	}
	return (run > 0);
}

/* ar_cat - add bytes to a word, or mark it over */
static void
ar_cat(struct ar_unit *u, const char *s, size_t n)
{
	if (u->over || n >= sizeof(u->s) - u->n) {
		u->over = true;
		return;
	}
	memcpy(u->s + u->n, s, n);
	u->n += n;
	u->s[u->n] = '\0';
}

/* ar_cats - add a C string we wrote ourselves */
static void
ar_cats(struct ar_unit *u, const char *s)
{
	ar_cat(u, s, strlen(s));
}

/* ar_safe_byte - a peer byte as it may appear inside quotes or comment */
static char
ar_safe_byte(unsigned char c)
{
	return (c >= ' ' && c < 0x7f ? (char)c : '?');
}

/* ar_value - a property value: plain, or a quoted-string */
static void
ar_value(struct ar_unit *u, const char *v, ar_plain_fn *plain)
{
	char	 c;

	if (plain(v)) {
		ar_cats(u, v);
		return;
	}
	ar_cat(u, "\"", 1);
	for (; *v != '\0'; v++) {
		c = ar_safe_byte((unsigned char)*v);
		if (c == '"' || c == '\\')
			ar_cat(u, "\\", 1);
		ar_cat(u, &c, 1);
	}
	ar_cat(u, "\"", 1);
}

/* ar_comment_text - comment text: balanced, nothing that can close it */
static void
ar_comment_text(struct ar_unit *u, const char *text)
{
	size_t	 i;
	char	 c;

	ar_cat(u, "(", 1);
	for (i = 0; text[i] != '\0' && i < AR_COMMENT_MAX; i++) {
		c = ar_safe_byte((unsigned char)text[i]);
		if (c == '(' || c == ')' || c == '\\')
			ar_cat(u, "\\", 1);
		if (c == ';')
			c = ',';
		ar_cat(u, &c, 1);
	}
	ar_cat(u, ")", 1);
}

/* --- the field, folded -------------------------------------------------- */

/* ar_emit_bytes - write sep, then a space or a fold, then n bytes */
static void
ar_emit_bytes(struct ar_out *o, const char *s, size_t n, const char *sep)
{
	if (o->st != AM_OK)
		return;
	if ((o->st = buf_puts(o->out, sep)) != AM_OK)
		return;
	o->col += strlen(sep);
	if (o->col + 1 + n > AR_FOLD_COL && o->col > AR_TAB_COL) {
		o->st = buf_puts(o->out, "\n\t");
		o->col = AR_TAB_COL;
	} else {
		o->st = buf_putc(o->out, ' ');
		o->col++;
	}
	if (o->st == AM_OK)
		o->st = buf_append(o->out, s, n);
	o->col += n;
}

/* ar_emit - one word; AM_PERM if it did not fit its buffer */
static void
ar_emit(struct ar_out *o, const struct ar_unit *u, const char *sep)
{
	if (u->over && o->st == AM_OK)
		o->st = AM_PERM;
	ar_emit_bytes(o, u->s, u->n, sep);
}

/* ar_first - the first word of the field, after the field name */
static void
ar_first(struct ar_out *o, const char *field, struct buf *out,
    const struct ar_unit *u)
{
	o->out = out;
	o->col = strlen(field) + 2 + u->n;	/* "Name: word" */
	o->st = u->over ? AM_PERM : buf_append(out, u->s, u->n);
}

/* ar_word - emit a C string we wrote ourselves as one word */
static void
ar_word(struct ar_out *o, const char *sep, const char *s)
{
	struct ar_unit u;

	u.n = 0;
	u.over = false;
	ar_cats(&u, s);
	ar_emit(o, &u, sep);
}

/* ar_prop - emit key=value, value escaped; nothing if value is empty */
static void
ar_prop(struct ar_out *o, const char *sep, const char *key, const char *v,
    ar_plain_fn *plain)
{
	struct ar_unit u;

	if (v == NULL || *v == '\0')
		return;
	u.n = 0;
	u.over = false;
	ar_cats(&u, key);
	ar_cat(&u, "=", 1);
	ar_value(&u, v, plain);
	ar_emit(o, &u, sep);
}

/* ar_note - emit a comment, folding at its spaces; nothing if empty */
static void
ar_note(struct ar_out *o, const char *text)
{
	struct ar_unit u;
	const char *p, *sp;

	if (text == NULL || *text == '\0')
		return;
	u.n = 0;
	u.over = false;
	ar_comment_text(&u, text);
	if (u.over && o->st == AM_OK)
		o->st = AM_PERM;
	for (p = u.s; (sp = strchr(p, ' ')) != NULL; p = sp + 1)
		if (sp > p)		/* each piece may fold; no empty line */
			ar_emit_bytes(o, p, (size_t)(sp - p), "");
	ar_emit_bytes(o, p, strlen(p), "");
}

/* ar_method - emit "; method=result" */
static void
ar_method(struct ar_out *o, const char *method, const char *result)
{
	char	 w[64];

	snprintf(w, sizeof(w), "%s=%s", method, result);
	ar_word(o, ";", w);
}

/* --- Authentication-Results -------------------------------------------- */

/* ar_null_sender - was MAIL FROM checked as postmaster@<helo> */
static bool
ar_null_sender(const struct spf_result *r)
{
	const char *id = r->identity;

	if (*id == '\0' || strcmp(id, "<>") == 0)
		return (true);
	return (strncasecmp(id, "postmaster@", 11) == 0 &&
	    strcasecmp(id + 11, r->domain) == 0);
}

/* ar_spf - one spf= resinfo for MAIL FROM or HELO */
static void
ar_spf(struct ar_out *o, const struct spf_result *r, bool helo)
{
	char	 pm[LIM_DOMAIN + 16];

	if (!r->checked)
		return;
	ar_method(o, "spf", spf_res_str(r->result));
	if (r->result != SPF_RES_PASS)
		ar_note(o, r->reason);
	if (helo) {
		ar_prop(o, "", "smtp.helo",
		    *r->domain != '\0' ? r->domain : r->identity, ar_is_token);
	} else if (ar_null_sender(r) && *r->domain != '\0') {
		snprintf(pm, sizeof(pm), "postmaster@%s", r->domain);
		ar_prop(o, "", "smtp.mailfrom", pm, ar_is_token);
	} else
		ar_prop(o, "", "smtp.mailfrom", r->domain, ar_is_token);
}

/* ar_dkim - one dkim= resinfo per signature, or dkim=none */
static void
ar_dkim(struct ar_out *o, const struct dkim_result *r)
{
	const struct dkim_sig_result *sig;
	int	 i, n = r->nsigs;

	if (n > LIM_DKIM_SIGS)
		n = LIM_DKIM_SIGS;
	if (n <= 0) {
		ar_method(o, "dkim", "none");
		return;
	}
	for (i = 0; i < n; i++) {
		sig = &r->sigs[i];
		ar_method(o, "dkim", dkim_res_str(sig->result));
		if (sig->result == DKIM_RES_PASS && sig->partial_body)
			ar_note(o, "partial body signed");
		else if (sig->result != DKIM_RES_PASS)
			ar_note(o, sig->reason);
		ar_prop(o, "", "header.d", sig->d, ar_is_token);
		ar_prop(o, "", "header.i", sig->i, ar_is_token);
		ar_prop(o, "", "header.s", sig->s, ar_is_token);
		ar_prop(o, "", "header.a", sig->a, ar_is_token);
		ar_prop(o, "", "header.b", sig->b, ar_is_token);
	}
}

/* ar_dmarc_policy - the comment "(p=reject sp=none pct=50 testing)" */
static void
ar_dmarc_policy(struct ar_out *o, const struct dmarc_result *d)
{
	char	 c[128];
	int	 n;

	n = snprintf(c, sizeof(c), "p=%s", dmarc_policy_str(d->p));
	if (d->sp != DMARC_P_UNSET)
		n += snprintf(c + n, sizeof(c) - (size_t)n, " sp=%s",
		    dmarc_policy_str(d->sp));
	if (d->pct < 100)
		n += snprintf(c + n, sizeof(c) - (size_t)n, " pct=%d",
		    d->pct);
	if (d->np != DMARC_P_UNSET)
		n += snprintf(c + n, sizeof(c) - (size_t)n, " np=%s",
		    dmarc_policy_str(d->np));
	if (d->testing)
		n += snprintf(c + n, sizeof(c) - (size_t)n, " testing");
	if (d->nonexistent)	/* np= decided: the From: domain is NXDOMAIN */
		snprintf(c + n, sizeof(c) - (size_t)n, " nxdomain");
	ar_note(o, c);
}

/* ar_dmarc - the dmarc= resinfo */
static void
ar_dmarc(struct ar_out *o, const struct auth_results *r)
{
	const struct dmarc_result *d = &r->dmarc;
	const struct from_result *f = &r->from;
	char	 c[LIM_REASON + 32];

	if (*d->from_domain == '\0' && f->status != FROM_OK) {
		ar_method(o, "dmarc", "permerror");
		snprintf(c, sizeof(c), "From: %s%s%s",
		    from_status_str(f->status), *f->reason ? ": " : "",
		    f->reason);
		ar_note(o, c);
		ar_prop(o, "", "header.from",
		    f->ndomains > 0 ? f->domains[0] : "", ar_is_token);
		return;
	}
	ar_method(o, "dmarc", dmarc_res_str(d->result));
	if ((d->result == DMARC_RES_PASS || d->result == DMARC_RES_FAIL) &&
	    d->p != DMARC_P_UNSET)
		ar_dmarc_policy(o, d);
	else
		ar_note(o, d->reason);
	ar_prop(o, "", "header.from", *d->from_domain != '\0' ?
	    d->from_domain : f->ndomains > 0 ? f->domains[0] : "",
	    ar_is_token);
	/* ARC (issue 9): the RFC 9989 override policy_decide applied */
	if (d->result == DMARC_RES_FAIL && r->arc.override)
		ar_prop(o, "", "policy.dmarc-override", "arc", ar_is_token);
}

/*
 * ar_arc - "arc=RESULT (why) smtp.remote-ip=..." (RFC 8617 7.1); only
 * when the message carries ARC fields
 */
static void
ar_arc(struct ar_out *o, const struct arc_result *a)
{
	char	 c[LIM_REASON + 64];
	char	 n[16];

	if (a->result == ARC_RES_NONE)
		return;
	ar_method(o, "arc", arc_res_str(a->result));
	if (a->result == ARC_RES_PASS)
		snprintf(c, sizeof(c), "%d ARC set%s, sealed by %s", a->n,
		    a->n == 1 ? "" : "s", a->sealer);
	else
		snprintf(c, sizeof(c), "%s", a->reason);
	ar_note(o, c);
	if (a->remote_ip[0] != '\0' && a->result == ARC_RES_PASS)
		ar_prop(o, "", "smtp.remote-ip", a->remote_ip, ar_is_token);
	if (a->oldest_pass > 0) {
		snprintf(n, sizeof(n), "%d", a->oldest_pass);
		ar_prop(o, "", "header.oldest-pass", n, ar_is_token);
	}
}

/* authres_format - our Authentication-Results value */
int
authres_format(const char *authserv_id, const struct auth_results *r,
    struct buf *out)
{
	struct ar_out o;
	struct ar_unit u;

	u.n = 0;
	u.over = false;
	ar_value(&u, authserv_id != NULL ? authserv_id : "", ar_is_token);
	ar_first(&o, "Authentication-Results", out, &u);
	ar_spf(&o, &r->mailfrom, false);
	ar_spf(&o, &r->helo, true);
	ar_dkim(&o, &r->dkim);
	ar_dmarc(&o, r);
	ar_arc(&o, &r->arc);
	return (o.st);
}

/* --- Received-SPF ------------------------------------------------------ */

/* ar_spf_comment - RFC 7208 9.1 style explanation; our words only */
static void
ar_spf_comment(char *c, size_t len, const char *rcv, const char *ip,
    const struct spf_result *r)
{
	const char *dom = *r->domain != '\0' ? r->domain : "unknown";

	switch (r->checked ? r->result : SPF_RES_NONE) {
	case SPF_RES_PASS:
		snprintf(c, len, "%s: domain of %s designates %s as "
		    "permitted sender", rcv, dom, ip);
		break;
	case SPF_RES_FAIL:
		snprintf(c, len, "%s: domain of %s does not designate %s as "
		    "permitted sender", rcv, dom, ip);
		break;
	case SPF_RES_SOFTFAIL:
		snprintf(c, len, "%s: domain of transitioning %s does not "
		    "designate %s as permitted sender", rcv, dom, ip);
		break;
	case SPF_RES_NEUTRAL:
		snprintf(c, len, "%s: %s is neither permitted nor denied by "
		    "domain of %s", rcv, ip, dom);
		break;
	case SPF_RES_TEMPERROR:
		snprintf(c, len, "%s: temporary error checking %s", rcv, dom);
		break;
	case SPF_RES_PERMERROR:
		snprintf(c, len, "%s: permanent error in the SPF record of %s",
		    rcv, dom);
		break;
	default:
		if (r->checked)
			snprintf(c, len, "%s: no SPF record for %s", rcv, dom);
		else
			snprintf(c, len, "%s: MAIL FROM not checked", rcv);
		break;
	}
}

/* ar_pair - a Received-SPF key=value, ";" after the first */
static void
ar_pair(struct ar_out *o, int *npairs, const char *key, const char *v)
{
	if (v == NULL || *v == '\0')
		return;
	ar_prop(o, *npairs > 0 ? ";" : "", key, v, ar_is_dot_atom);
	(*npairs)++;
}

/* authres_received_spf - a Received-SPF value for MAIL FROM */
int
authres_received_spf(const char *receiver, const char *client_ip,
    const char *helo, const struct spf_result *r, struct buf *out)
{
	struct ar_out o;
	struct ar_unit u;
	char	 c[LIM_DOMAIN * 2 + 128];
	int	 npairs = 0;

	u.n = 0;
	u.over = false;
	ar_cats(&u, spf_res_str(r->checked ? r->result : SPF_RES_NONE));
	ar_first(&o, "Received-SPF", out, &u);
	ar_spf_comment(c, sizeof(c), receiver != NULL ? receiver : "",
	    client_ip != NULL ? client_ip : "", r);
	ar_note(&o, c);
	ar_pair(&o, &npairs, "client-ip", client_ip);
	ar_pair(&o, &npairs, "envelope-from", r->identity);
	ar_pair(&o, &npairs, "helo", helo);
	ar_pair(&o, &npairs, "receiver", receiver);
	ar_pair(&o, &npairs, "identity", "mailfrom");
	if (o.st == AM_OK)
		o.st = buf_putc(out, ';');
	return (o.st);
}

/* --- iprev ------------------------------------------------------------- */

/* authres_iprev - append "; iprev=... smtp.remote-ip=... policy.iprev=" */
int
authres_iprev(const struct iprev_result *r, const char *client_ip,
    struct buf *out)
{
	struct ar_out o;
	const char *nl;

	if (!r->checked || out->len == 0)
		return (AM_OK);
	o.out = out;
	o.st = AM_OK;
	nl = memrchr(out->data, '\n', out->len);
	o.col = nl != NULL ? AR_TAB_COL + out->len - (size_t)(nl + 2 -
	    out->data) : strlen("Authentication-Results: ") + out->len;
	ar_method(&o, "iprev", iprev_res_str(r->result));
	if (r->result != IPREV_RES_PASS)
		ar_note(&o, r->reason);
	ar_prop(&o, "", "smtp.remote-ip", client_ip, ar_is_token);
	if (r->result == IPREV_RES_PASS)
		ar_prop(&o, "", "policy.iprev", r->name, ar_is_token);
	return (o.st);
}
