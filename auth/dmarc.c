/*
 * NAME
 *	dmarc - DMARC policy discovery, alignment and result
 * SYNOPSIS
 *	#include "auth/dmarc.h"
 * DESCRIPTION
 *	See dmarc.h. Four steps, each its own function:
 *
 *	discovery	dmarc_discover(): TXT _dmarc.<From domain>, then
 *			_dmarc.<organizational domain> if the first had no
 *			record (RFC 7489 6.6.3). A TXT string counts as a
 *			record only if it starts with "v=DMARC1" (WSP allowed
 *			around "=", then ";" or the end). One record at a
 *			name is used; several mean no policy ("multiple DMARC
 *			records"); a temporary DNS failure at either name is
 *			temperror, never none. Kept apart so that the RFC
 *			9989 tree walk can replace it.
 *	record		dmarc_record(): our strict reading of the tag list
 *			(RFC 7489 6.3, 6.4) decides. p= and sp= must be
 *			exactly none, quarantine or reject, given once; if
 *			either is missing or invalid, the record counts as
 *			p=none only when rua= holds a syntactically valid URI,
 *			and is ignored (result none) otherwise (6.6.3). Other
 *			tags with syntax errors take their defaults (6.3).
 *			libopendmarc parses the record too, and a disagreement
 *			is logged at debug level; it never decides, because
 *			it is lenient where it must not be (p=r, p=re ject and
 *			any prefix of "reject" become p=reject; pct=50abc is
 *			50; pct=abc is 0; the last of two p= wins) and strict
 *			where RFC 7489 6.3 says defaults (one bad fo=, rf=,
 *			ri=, adkim= or pct= fails the whole record).
 *	alignment	dmarc_align(): ours, not libopendmarc's (its 1.4.2
 *			suffix test aligns d=example with victim.example).
 *			Strict: the domains are equal. Relaxed: equal, or
 *			both have an organizational domain and those are
 *			equal. The MAIL FROM identity counts only if checked
 *			with result pass; a DKIM signature only with result
 *			pass and no l= (partial body).
 *	result		pass if anything aligned, else fail; the policy to
 *			apply is sp= when the record came from the
 *			organizational domain and sp= is present, else p=.
 *			pct= and t=y are reported (testing); no sampling.
 * DIAGNOSTICS
 *	Results are data. dmarc_evaluate() returns AM_TEMP only when memory
 *	ran out (libopendmarc context); permerror is for a From: domain
 *	that is not a domain name.
 * THREADS
 *	The PSL is read-only; libopendmarc is used through one context per
 *	call, and its library_init (global state) runs once per process.
 *	The library's own DNS and PSL code is never called.
 * SEE ALSO
 *	RFC 7489 3.1, 3.2, 6.3, 6.4, 6.6.3; RFC 9989 (DMARCbis: t=)
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <opendmarc/dmarc.h>

#include "auth/dmarc.h"
#include "auth/psl.h"
#include "auth/result.h"
#include "dns/dns.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"

struct dmarc {
	struct dns *dns;		/* borrowed */
	struct psl *psl;
};

/* one policy record as we read it */
struct dmarc_rec {
	enum dmarc_policy p;
	enum dmarc_policy sp;		/* DMARC_P_UNSET when absent */
	bool	 p_ok;			/* p= once, valid */
	bool	 sp_ok;			/* sp= absent, or once and valid */
	bool	 rua_ok;		/* rua= with a valid URI */
	char	 adkim;			/* 'r' or 's' */
	char	 aspf;
	int	 pct;
	bool	 t;			/* t=y */
	unsigned seen;			/* DMARC_TAG_* bits */
};

#define DMARC_TAG_P	0x01
#define DMARC_TAG_SP	0x02
#define DMARC_TAG_ADKIM	0x04
#define DMARC_TAG_ASPF	0x08
#define DMARC_TAG_PCT	0x10
#define DMARC_TAG_T	0x20
#define DMARC_TAG_RUA	0x40

/* discovery outcome */
enum dmarc_disc {
	DISC_FOUND,			/* one record */
	DISC_NONE,			/* no record at either name */
	DISC_MULTI,			/* several records at one name */
	DISC_TEMP,			/* DNS failed temporarily */
};

struct span {
	const char *s;
	size_t	 n;
};

static pthread_once_t dmarc_lib_once = PTHREAD_ONCE_INIT;

/* dmarc_lib_init - libopendmarc's one-time setup: no PSL, no DNS */
static void
dmarc_lib_init(void)
{
	OPENDMARC_LIB_T lib;

	memset(&lib, 0, sizeof(lib));	/* OPENDMARC_TLD_TYPE_NONE */
	(void)opendmarc_policy_library_init(&lib);
}

/* dmarc_new - load the public suffix list; share the resolver */
struct dmarc *
dmarc_new(struct dns *dns, const char *psl_path, struct buf *why)
{
	struct dmarc *dm;

	if ((dm = calloc(1, sizeof(*dm))) == NULL) {
		buf_why(why, AM_TEMP, "dmarc: out of memory");
		return (NULL);
	}
	dm->dns = dns;
	if ((dm->psl = psl_load(psl_path, why)) == NULL) {
		free(dm);
		return (NULL);
	}
	pthread_once(&dmarc_lib_once, dmarc_lib_init);
	return (dm);
}

/* dmarc_free - release and clear the caller's pointer */
void
dmarc_free(struct dmarc **dp)
{
	if (dp == NULL || *dp == NULL)
		return;
	psl_free(&(*dp)->psl);
	free(*dp);
	*dp = NULL;
}

/* dmarc_org_domain - RFC 7489 3.2: public suffix plus one label */
int
dmarc_org_domain(const struct dmarc *dm, const char *domain, char *dst,
    size_t len)
{
	return (psl_org_domain(dm->psl, domain, dst, len));
}

/* dmarc_norm - a domain lower-cased, without trailing dot; 0 or -1 */
static int
dmarc_norm(const char *domain, char dst[LIM_DOMAIN])
{
	size_t	 n, i;

	if (domain == NULL)
		return (-1);
	n = strnlen(domain, LIM_DOMAIN);
	if (n > 0 && domain[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return (-1);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)domain[i];

		if (c <= ' ' || c >= 0x7f || c == ';' || c == '\\')
			return (-1);
		dst[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	dst[n] = '\0';
	return (0);
}

/* dmarc_reason - append a phrase to the result's reason */
static void
dmarc_reason(struct dmarc_result *res, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
dmarc_reason(struct dmarc_result *res, const char *fmt, ...)
{
	size_t	 n = strlen(res->reason);
	va_list	 ap;

	if (n > 0 && n + 2 < sizeof(res->reason)) {
		memcpy(res->reason + n, "; ", 3);
		n += 2;
	}
	va_start(ap, fmt);
	(void)vsnprintf(res->reason + n, sizeof(res->reason) - n, fmt, ap);
	va_end(ap);
}

/* --- discovery ---------------------------------------------------------- */

/* dmarc_is_record - RFC 7489 6.6.3 step 3: begins with "v=DMARC1" */
static bool
dmarc_is_record(const char *s, size_t n)
{
	size_t	 i = 1;

	if (n == 0 || (s[0] != 'v' && s[0] != 'V'))
		return (false);
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (i >= n || s[i++] != '=')
		return (false);
	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	if (n - i < 6 || memcmp(s + i, "DMARC1", 6) != 0)
		return (false);
	for (i += 6; i < n && (s[i] == ' ' || s[i] == '\t'); i++)
		continue;
	return (i == n || s[i] == ';');
}

/* dmarc_fetch - the DMARC records at _dmarc.<domain>; keep the first */
static enum dmarc_disc
dmarc_fetch(struct dmarc *dm, const char *domain, char *rec, size_t reclen,
    struct buf *why)
{
	char	 name[LIM_DOMAIN + 8];
	struct dns_answer *ans = NULL;
	const struct dns_rr *rr;
	size_t	 i, found = 0;
	int	 st;

	if ((size_t)snprintf(name, sizeof(name), "_dmarc.%s", domain) >=
	    sizeof(name))
		return (DISC_NONE);
	st = dns_query(dm->dns, name, DNS_T_TXT, &ans, why);
	if (st == DNS_TEMP) {
		dns_answer_free(&ans);
		return (DISC_TEMP);
	}
	for (i = 0; st == DNS_OK && ans != NULL && i < ans->nrr; i++) {
		rr = &ans->rr[i];
		if (rr->type != DNS_T_TXT || rr->data == NULL ||
		    rr->len >= reclen ||	/* over dns.c's cap: never */
		    memchr(rr->data, '\0', rr->len) != NULL ||
		    !dmarc_is_record((const char *)rr->data, rr->len))
			continue;
		if (found++ == 0) {
			memcpy(rec, rr->data, rr->len);
			rec[rr->len] = '\0';
		}
	}
	dns_answer_free(&ans);		/* NOTFOUND, PERM: no record here */
	return (found == 0 ? DISC_NONE : found == 1 ? DISC_FOUND : DISC_MULTI);
}

/* dmarc_discover - RFC 7489 6.6.3 steps 1-5: the one policy record */
static enum dmarc_disc
dmarc_discover(struct dmarc *dm, struct dmarc_result *res, char *rec,
    size_t reclen, bool *from_org_r, struct buf *why)
{
	enum dmarc_disc d;
	const char *at = res->from_domain;

	*from_org_r = false;
	d = dmarc_fetch(dm, at, rec, reclen, why);
	if (d == DISC_NONE && res->org_domain[0] != '\0' &&
	    strcmp(res->org_domain, res->from_domain) != 0) {
		at = res->org_domain;
		d = dmarc_fetch(dm, at, rec, reclen, why);
		*from_org_r = true;
	}
	switch (d) {
	case DISC_FOUND:
		snprintf(res->policy_domain, sizeof(res->policy_domain), "%s",
		    at);
		break;
	case DISC_MULTI:
		snprintf(res->policy_domain, sizeof(res->policy_domain), "%s",
		    at);
		dmarc_reason(res, "multiple DMARC records at _dmarc.%s", at);
		break;
	case DISC_TEMP:
		dmarc_reason(res, "DNS temporary failure at _dmarc.%s", at);
		break;
	case DISC_NONE:
		dmarc_reason(res, "no DMARC record");
		break;
	}
	return (d);
}

/* --- the record ------------------------------------------------------- */

/* dmarc_is_wsp - white space around tags and values */
static bool
dmarc_is_wsp(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* dmarc_trim - a span without surrounding white space */
static struct span
dmarc_trim(const char *s, size_t n)
{
	struct span sp;

	while (n > 0 && dmarc_is_wsp(*s)) {
		s++;
		n--;
	}
	while (n > 0 && dmarc_is_wsp(s[n - 1]))
		n--;
	sp.s = s;
	sp.n = n;
	return (sp);
}

/* dmarc_pct_value - 1*3DIGIT from 0 to 100, else -1 */
static int
dmarc_pct_value(struct span v)
{
	size_t	 i;
	int	 pct = 0;

	if (v.n < 1 || v.n > 3)
		return (-1);
	for (i = 0; i < v.n; i++) {
		if (v.s[i] < '0' || v.s[i] > '9')
			return (-1);
		pct = pct * 10 + (v.s[i] - '0');
	}
	return (pct <= 100 ? pct : -1);
}

/* dmarc_is - a span equals a literal, ignoring case (ABNF strings) */
static bool
dmarc_is(struct span v, const char *lit)
{
	return (v.n == strlen(lit) && strncasecmp(v.s, lit, v.n) == 0);
}

/* dmarc_policy_value - none/quarantine/reject exactly, else UNSET */
static enum dmarc_policy
dmarc_policy_value(struct span v)
{
	if (dmarc_is(v, "none"))
		return (DMARC_P_NONE);
	if (dmarc_is(v, "quarantine"))
		return (DMARC_P_QUARANTINE);
	if (dmarc_is(v, "reject"))
		return (DMARC_P_REJECT);
	return (DMARC_P_UNSET);
}

/* dmarc_uri_ok - RFC 7489 6.4 dmarc-uri: URI ["!" 1*DIGIT [unit]] */
static bool
dmarc_uri_ok(struct span u)
{
	size_t	 i, end = u.n, bang;

	for (bang = 0; bang < u.n && u.s[bang] != '!'; bang++)
		continue;
	if (bang < u.n) {		/* size limit: digits, one unit */
		end = bang;
		for (i = bang + 1; i < u.n && u.s[i] >= '0' && u.s[i] <= '9';
		    i++)
			continue;
		if (i == bang + 1 || (i < u.n && (i + 1 != u.n ||
		    strchr("kmgtKMGT", u.s[i]) == NULL)))
			return (false);
	}
	if (end == 0 || !((u.s[0] | 0x20) >= 'a' && (u.s[0] | 0x20) <= 'z'))
		return (false);
	for (i = 1; i < end && u.s[i] != ':'; i++)
		if (strchr("+-.", u.s[i]) == NULL &&
		    !((u.s[i] | 0x20) >= 'a' && (u.s[i] | 0x20) <= 'z') &&
		    !(u.s[i] >= '0' && u.s[i] <= '9'))
			return (false);
	if (i >= end || i + 1 >= end)	/* no ":" or nothing after it */
		return (false);
	for (i++; i < end; i++)
		if ((unsigned char)u.s[i] <= ' ' ||
		    (unsigned char)u.s[i] >= 0x7f || u.s[i] == ',')
			return (false);
	return (true);
}

/* dmarc_rua_ok - a rua= list holds at least one valid URI */
static bool
dmarc_rua_ok(struct span v)
{
	const char *p = v.s, *end = v.s + v.n, *comma;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if (dmarc_uri_ok(dmarc_trim(p, (size_t)(comma - p))))
			return (true);
		p = comma + 1;
	}
	return (false);
}

/* dmarc_tag_policy - p= or sp=: a duplicate makes the tag invalid */
static void
dmarc_tag_policy(struct dmarc_rec *r, bool sub, struct span v)
{
	unsigned bit = sub ? DMARC_TAG_SP : DMARC_TAG_P;
	enum dmarc_policy pol = dmarc_policy_value(v);

	if (r->seen & bit)
		pol = DMARC_P_UNSET;
	r->seen |= bit;
	if (sub) {
		r->sp = pol;
		r->sp_ok = pol != DMARC_P_UNSET;
	} else {
		r->p = pol;
		r->p_ok = pol != DMARC_P_UNSET;
	}
}

/* dmarc_tag - one tag=value; bad values keep the default (6.3) */
static void
dmarc_tag(struct dmarc_rec *r, struct span tag, struct span v)
{
	if (dmarc_is(tag, "p") || dmarc_is(tag, "sp"))
		dmarc_tag_policy(r, tag.n == 2, v);
	else if (dmarc_is(tag, "adkim") && !(r->seen & DMARC_TAG_ADKIM)) {
		r->seen |= DMARC_TAG_ADKIM;
		if (dmarc_is(v, "r") || dmarc_is(v, "s"))
			r->adkim = (char)(v.s[0] | 0x20);
	} else if (dmarc_is(tag, "aspf") && !(r->seen & DMARC_TAG_ASPF)) {
		r->seen |= DMARC_TAG_ASPF;
		if (dmarc_is(v, "r") || dmarc_is(v, "s"))
			r->aspf = (char)(v.s[0] | 0x20);
	} else if (dmarc_is(tag, "pct") && !(r->seen & DMARC_TAG_PCT)) {
		r->seen |= DMARC_TAG_PCT;
		if (dmarc_pct_value(v) >= 0)
			r->pct = dmarc_pct_value(v);
	} else if (dmarc_is(tag, "t") && !(r->seen & DMARC_TAG_T)) {
		r->seen |= DMARC_TAG_T;
		r->t = dmarc_is(v, "y");
	} else if (dmarc_is(tag, "rua") && !(r->seen & DMARC_TAG_RUA)) {
		r->seen |= DMARC_TAG_RUA;
		r->rua_ok = dmarc_rua_ok(v);
	}
}

/* dmarc_rec_parse - the tag list after "v=DMARC1" (RFC 7489 6.4) */
static void
dmarc_rec_parse(const char *txt, struct dmarc_rec *r)
{
	const char *p, *end, *eq;

	memset(r, 0, sizeof(*r));
	r->p = r->sp = DMARC_P_UNSET;
	r->sp_ok = true;
	r->adkim = r->aspf = 'r';
	r->pct = 100;
	p = strchr(txt, ';');		/* v=DMARC1 was checked */
	while (p != NULL && *p != '\0') {
		p++;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL)		/* else a syntax error: ignored */
			dmarc_tag(r, dmarc_trim(p, (size_t)(eq - p)),
			    dmarc_trim(eq + 1, (size_t)(end - eq - 1)));
		p = end;
	}
}

/* dmarc_lib_policy - libopendmarc's p/sp letter as ours */
static enum dmarc_policy
dmarc_lib_policy(int c)
{
	switch (c) {
	case DMARC_RECORD_P_NONE:
		return (DMARC_P_NONE);
	case DMARC_RECORD_P_QUARANTINE:
		return (DMARC_P_QUARANTINE);
	case DMARC_RECORD_P_REJECT:
		return (DMARC_P_REJECT);
	default:
		return (DMARC_P_UNSET);
	}
}

/* dmarc_lib_check - libopendmarc's reading, compared with ours */
static int
dmarc_lib_check(const char *domain, const char *txt,
    const struct dmarc_rec *r, struct buf *why)
{
	DMARC_POLICY_T *pctx;
	int	 rc, p = 0, sp = 0, adkim = 0, aspf = 0, pct = 0;

	/* the address feeds only reports, which we do not send */
	pctx = opendmarc_policy_connect_init((u_char *)"0.0.0.0",
	    DMARC_POLICY_IP_TYPE_IPV4);
	if (pctx == NULL)
		return (buf_why(why, AM_TEMP, "libopendmarc: out of memory"));
	rc = opendmarc_policy_parse_dmarc(pctx, (u_char *)domain,
	    (u_char *)txt);
	if (rc == DMARC_PARSE_OKAY) {	/* fetch only after success */
		(void)opendmarc_policy_fetch_p(pctx, &p);
		(void)opendmarc_policy_fetch_sp(pctx, &sp);
		(void)opendmarc_policy_fetch_adkim(pctx, &adkim);
		(void)opendmarc_policy_fetch_aspf(pctx, &aspf);
		(void)opendmarc_policy_fetch_pct(pctx, &pct);
	}
	(void)opendmarc_policy_connect_shutdown(pctx);
	if (rc == DMARC_PARSE_ERROR_NO_ALLOC)
		return (buf_why(why, AM_TEMP, "libopendmarc: out of memory"));
	if (rc != DMARC_PARSE_OKAY)
		log_debug("dmarc: _dmarc.%s: libopendmarc refuses the record "
		    "(%s); p=%s by RFC 7489 6.3", domain,
		    opendmarc_policy_status_to_str(rc),
		    r->p_ok ? dmarc_policy_str(r->p) : "invalid");
	else if (dmarc_lib_policy(p) != r->p || dmarc_lib_policy(sp) != r->sp ||
	    adkim != r->adkim || aspf != r->aspf || pct != r->pct)
		log_debug("dmarc: _dmarc.%s: libopendmarc reads p=%s sp=%s "
		    "adkim=%c aspf=%c pct=%d; strict reading p=%s sp=%s "
		    "adkim=%c aspf=%c pct=%d", domain,
		    dmarc_policy_str(dmarc_lib_policy(p)),
		    dmarc_policy_str(dmarc_lib_policy(sp)), adkim ? adkim : '-',
		    aspf ? aspf : '-', pct, dmarc_policy_str(r->p),
		    dmarc_policy_str(r->sp), r->adkim, r->aspf, r->pct);
	return (AM_OK);
}

/* dmarc_record - read the record into res; *usable_r: apply it */
static int
dmarc_record(const char *txt, bool from_org, struct dmarc_result *res,
    bool *usable_r, struct buf *why)
{
	struct dmarc_rec r;
	int	 st;

	*usable_r = false;
	dmarc_rec_parse(txt, &r);
	if ((st = dmarc_lib_check(res->policy_domain, txt, &r, why)) != AM_OK)
		return (st);
	if (!r.p_ok || !r.sp_ok) {	/* RFC 7489 6.6.3 step 6 */
		if (!r.rua_ok) {
			dmarc_reason(res, "%s at _dmarc.%s and no valid rua=",
			    r.p_ok ? "invalid sp=" : "no valid p=",
			    res->policy_domain);
			return (AM_OK);
		}
		dmarc_reason(res, "%s, valid rua=: as p=none",
		    r.p_ok ? "invalid sp=" : "no valid p=");
		dmarc_rec_parse("v=DMARC1; p=none", &r);
	}
	res->p = r.p;
	res->sp = r.sp;
	res->policy = from_org && r.sp != DMARC_P_UNSET ? r.sp : r.p;
	res->adkim = r.adkim;
	res->aspf = r.aspf;
	res->pct = r.pct;
	res->testing = r.pct < 100 || r.t;
	*usable_r = true;
	return (AM_OK);
}

/* --- alignment -------------------------------------------------------- */

/* dmarc_aligned - RFC 7489 3.1: domain aligned with the From: domain */
static bool
dmarc_aligned(const struct dmarc *dm, const char *domain,
    const struct dmarc_result *res, char mode)
{
	char	 d[LIM_DOMAIN], org[LIM_DOMAIN];

	if (dmarc_norm(domain, d) != 0)
		return (false);
	if (strcmp(d, res->from_domain) == 0)
		return (true);
	if (mode == 's' || res->org_domain[0] == '\0')
		return (false);		/* a public suffix: exact only */
	if (psl_org_domain(dm->psl, d, org, sizeof(org)) != AM_OK)
		return (false);
	return (strcmp(org, res->org_domain) == 0);
}

/* dmarc_align - aligned passes; the result pass or fail */
static void
dmarc_align(const struct dmarc *dm, struct dmarc_result *res,
    const struct spf_result *mailfrom, const struct dkim_result *dkim)
{
	const struct dkim_sig_result *sig;
	int	 i, n;

	if (mailfrom != NULL && mailfrom->checked &&
	    mailfrom->result == SPF_RES_PASS)
		res->spf_aligned = dmarc_aligned(dm, mailfrom->domain, res,
		    res->aspf);
	n = dkim == NULL ? 0 : dkim->nsigs;
	if (n > LIM_DKIM_SIGS)
		n = LIM_DKIM_SIGS;
	for (i = 0; i < n && !res->dkim_aligned; i++) {
		sig = &dkim->sigs[i];
		if (sig->result == DKIM_RES_PASS && !sig->partial_body)
			res->dkim_aligned = dmarc_aligned(dm, sig->d, res,
			    res->adkim);
	}
	res->result = res->spf_aligned || res->dkim_aligned ?
	    DMARC_RES_PASS : DMARC_RES_FAIL;
	if (res->result == DMARC_RES_FAIL)
		dmarc_reason(res, "no aligned pass");
	else
		dmarc_reason(res, "%s%s%s aligned",
		    res->spf_aligned ? "spf" : "",
		    res->spf_aligned && res->dkim_aligned ? " and " : "",
		    res->dkim_aligned ? "dkim" : "");
}

/* --- the whole ---------------------------------------------------------- */

/* dmarc_evaluate - policy record, alignment and result for a From: */
int
dmarc_evaluate(struct dmarc *dm, const char *from_domain,
    const struct spf_result *mailfrom, const struct dkim_result *dkim,
    struct dmarc_result *res_r, struct buf *why)
{
	char	 rec[LIM_DNS_TXT + 1];
	bool	 from_org, usable;
	int	 st;

	memset(res_r, 0, sizeof(*res_r));
	res_r->adkim = res_r->aspf = 'r';
	res_r->pct = 100;
	if (dmarc_norm(from_domain, res_r->from_domain) != 0) {
		res_r->from_domain[0] = '\0';
		res_r->result = DMARC_RES_PERMERROR;
		dmarc_reason(res_r, "no usable From: domain");
		return (AM_OK);
	}
	(void)psl_org_domain(dm->psl, res_r->from_domain, res_r->org_domain,
	    sizeof(res_r->org_domain));
	switch (dmarc_discover(dm, res_r, rec, sizeof(rec), &from_org, why)) {
	case DISC_TEMP:
		res_r->result = DMARC_RES_TEMPERROR;
		return (AM_OK);
	case DISC_NONE:
	case DISC_MULTI:
		res_r->result = DMARC_RES_NONE;
		return (AM_OK);
	case DISC_FOUND:
		break;
	}
	if ((st = dmarc_record(rec, from_org, res_r, &usable, why)) != AM_OK)
		return (st);
	if (usable)
		dmarc_align(dm, res_r, mailfrom, dkim);
	return (AM_OK);
}
