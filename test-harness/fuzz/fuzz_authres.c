/*
 * NAME
 *	fuzz_authres - libFuzzer target: Authentication-Results in and out
 * DESCRIPTION
 *	The input, split at NUL bytes and read byte by byte (fuzz.h): our
 *	authserv-id, a foreign A-R or Received-SPF value for
 *	authres_is_ours() and authres_rspf_is_ours(), then every
 *	result that authres_format() and authres_received_spf() write:
 *	result codes, the number of DKIM signatures, and each peer string
 *	(domains, selectors, identities, reasons) as arbitrary bytes.
 *
 *	The two parsers get the foreign value in a buffer of exactly its
 *	length. The fields we write must be valid RFC 8601 / RFC 7208 9.1
 *	whatever the peer strings: after unfolding, no CR, LF, NUL, CTL or
 *	8-bit byte; quoted-strings and comments closed; exactly one ";" per
 *	method (per key=value pair in Received-SPF; the HELO name is the
 *	SPF HELO identity) outside them, so no peer string adds a result;
 *	the field claims our authserv-id (a Received-SPF our receiver, when
 *	it is a host name). Last, an iprev result (RFC 8601 3: result,
 *	verified name, reason, client address as arbitrary bytes) appended
 *	by authres_iprev() must add exactly one method.
 * SEE ALSO
 *	auth/authres.c, RFC 8601 2.2, RFC 7208 9.1
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth/authres.h"
#include "auth/result.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "test-harness/fuzz/fuzz.h"

#define FZ_STR(f, field)	fz_str((f), (field), sizeof(field))

static struct auth_results res;	/* big: not on the stack */

/* count_semis - ";" outside quoted-strings and comments; -1 if the
 * field is not well formed (see DESCRIPTION) */
static int
count_semis(const char *s, size_t len)
{
	int	 depth = 0, semis = 0;
	bool	 quoted = false;
	size_t	 i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n' && i + 1 < len && s[i + 1] == '\t') {
			i++;		/* our fold: LF, TAB */
			continue;
		}
		if (c < ' ' || c >= 0x7f)
			return (-1);
		if ((quoted || depth > 0) && c == '\\') {
			if (++i >= len || (unsigned char)s[i] < ' ' ||
			    (unsigned char)s[i] >= 0x7f)
				return (-1);
		} else if (quoted)
			quoted = c != '"';
		else if (c == '(')
			depth++;
		else if (depth > 0)
			depth -= c == ')';
		else if (c == ')')
			return (-1);
		else if (c == '"')
			quoted = true;
		else if (c == ';')
			semis++;
	}
	return (quoted || depth != 0 ? -1 : semis);
}

/* printable - every byte printable ASCII: such an id must read back
 * (but "", or "." which is "" without its trailing dot) */
static bool
printable(const char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s >= 0x7f)
			return (false);
	return (true);
}

/* fill_spf - one SPF result from the input */
static void
fill_spf(struct fz *f, struct spf_result *r)
{
	unsigned b = fz_byte(f);

	r->checked = (b & 0x80) != 0;
	r->result = (enum spf_res)((b & 0x7f) % (SPF_RES_PERMERROR + 1));
	FZ_STR(f, r->domain);
	FZ_STR(f, r->identity);
	FZ_STR(f, r->reason);
}

/* fill_dkim - the DKIM signatures; returns the count authres writes */
static int
fill_dkim(struct fz *f, struct dkim_result *d)
{
	unsigned b = fz_byte(f);
	int	 i;

	d->nsigs = (b & 0x80) != 0 ? LIM_DKIM_SIGS + (int)(b & 7) :
	    (int)(b % 6);
	for (i = 0; i < d->nsigs && i < LIM_DKIM_SIGS && f->n > 0; i++) {
		struct dkim_sig_result *s = &d->sigs[i];

		b = fz_byte(f);
		s->result = (enum dkim_res)((b & 0x1f) %
		    (DKIM_RES_PERMERROR + 1));
		s->partial_body = (b & 0x20) != 0;
		s->extra_header = (b & 0x40) != 0;
		FZ_STR(f, s->d);
		FZ_STR(f, s->s);
		FZ_STR(f, s->a);
		FZ_STR(f, s->b);
		FZ_STR(f, s->i);
		FZ_STR(f, s->reason);
	}
	return (d->nsigs <= 0 ? 1 : d->nsigs > LIM_DKIM_SIGS ?
	    LIM_DKIM_SIGS : d->nsigs);
}

/* fill_dmarc - From: and DMARC results */
static void
fill_dmarc(struct fz *f, struct from_result *from, struct dmarc_result *d)
{
	unsigned b = fz_byte(f);
	int	 i;

	from->status = (enum from_status)(b % (FROM_UNPARSEABLE + 1));
	from->ndomains = (int)((b >> 4) % (LIM_FROM_MAILBOXES + 1));
	for (i = 0; i < from->ndomains; i++)
		FZ_STR(f, from->domains[i]);
	FZ_STR(f, from->reason);
	b = fz_byte(f);
	d->result = (enum dmarc_res)(b % (DMARC_RES_PERMERROR + 1));
	d->p = (enum dmarc_policy)((b >> 3) % (DMARC_P_REJECT + 1));
	d->sp = (enum dmarc_policy)((b >> 5) % (DMARC_P_REJECT + 1));
	d->policy = d->p;
	b = fz_byte(f);
	d->pct = (int)(b % 101);
	d->testing = (b & 0x80) != 0;
	d->adkim = (b & 1) ? 's' : 'r';
	d->aspf = (b & 2) ? 's' : 'r';
	FZ_STR(f, d->from_domain);
	FZ_STR(f, d->policy_domain);
	FZ_STR(f, d->org_domain);
	FZ_STR(f, d->reason);
}

/* check_is_ours - a foreign value, exactly its length, as an A-R and
 * as a Received-SPF field */
static void
check_is_ours(const char *v, size_t n, const char *id)
{
	char	*copy = malloc(n > 0 ? n : 1);
	int	 r;

	fz_check(copy != NULL, "malloc");
	if (n > 0)
		memcpy(copy, v, n);
	r = authres_is_ours(copy, n, id);
	fz_check(r == 0 || r == 1, "is_ours is 0 or 1");
	r = authres_rspf_is_ours(copy, n, id);
	fz_check(r == 0 || r == 1, "rspf_is_ours is 0 or 1");
	free(copy);
}

/* hostname - letters, digits, dots and hyphens: how a receiver looks */
static bool
hostname(const char *s)
{
	if (*s == '\0')
		return (false);
	for (; *s != '\0'; s++)
		if (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "0123456789.-", *s) == NULL)
			return (false);
	return (true);
}

/* check_rspf - Received-SPF: pairs only, no peer text outside quotes;
 * ours is recognized as ours, so a forged one would be too */
static void
check_rspf(struct fz *f, struct buf *out)
{
	const char *helo = res.helo.identity;
	char	 rcv[LIM_DOMAIN], ip[64];
	int	 pairs = 1;		/* identity=mailfrom */

	FZ_STR(f, rcv);
	FZ_STR(f, ip);
	pairs += *rcv != '\0';
	pairs += *ip != '\0';
	pairs += *helo != '\0';
	pairs += *res.mailfrom.identity != '\0';
	buf_reset(out);
	if (authres_received_spf(rcv, ip, helo, &res.mailfrom, out) != AM_OK)
		return;
	fz_check(out->len == strlen(out->data), "Received-SPF: no NUL");
	fz_check(count_semis(out->data, out->len) == pairs,
	    "Received-SPF: well formed, one ; per pair");
	if (hostname(rcv))
		fz_check(authres_rspf_is_ours(out->data, out->len, rcv) == 1,
		    "Received-SPF: names our receiver");
}

/* check_iprev - the iprev resinfo appended to our A-R: one more method */
static void
check_iprev(struct fz *f, const char *id, int methods, struct buf *out)
{
	struct iprev_result ip;
	char	 addr[64];
	unsigned b = fz_byte(f);

	memset(&ip, 0, sizeof(ip));
	ip.checked = (b & 0x80) != 0;
	ip.result = (enum iprev_res)((b & 0x7f) % (IPREV_RES_PERMERROR + 1));
	FZ_STR(f, ip.name);
	FZ_STR(f, ip.reason);
	FZ_STR(f, addr);
	buf_reset(out);
	if (authres_format(id, &res, out) != AM_OK ||
	    authres_iprev(&ip, addr, out) != AM_OK)
		return;
	fz_check(out->len == strlen(out->data), "A-R iprev: no NUL");
	fz_check(count_semis(out->data, out->len) == methods + ip.checked,
	    "A-R iprev: well formed, one ; per method");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fz f = {data, size};
	struct buf *out = buf_new(LIM_AUTHRES);
	char	 id[LIM_DOMAIN], foreign[1024];
	size_t	 n;
	int	 methods;

	memset(&res, 0, sizeof(res));
	FZ_STR(&f, id);
	n = FZ_STR(&f, foreign);
	check_is_ours(foreign, n, id);
	check_is_ours(foreign, n, "mx.example.net");
	fill_spf(&f, &res.mailfrom);
	fill_spf(&f, &res.helo);
	methods = fill_dkim(&f, &res.dkim) + 1 + res.mailfrom.checked +
	    res.helo.checked;
	fill_dmarc(&f, &res.from, &res.dmarc);
	if (authres_format(id, &res, out) == AM_OK) {
		fz_check(out->len == strlen(out->data), "A-R: no NUL");
		fz_check(count_semis(out->data, out->len) == methods,
		    "A-R: well formed, one ; per method");
		if (*id != '\0' && strcmp(id, ".") != 0 && printable(id))
			fz_check(authres_is_ours(out->data, out->len, id) == 1,
			    "A-R: claims our authserv-id");
	}
	check_rspf(&f, out);
	check_iprev(&f, id, methods, out);
	buf_free(&out);
	return (0);
}
