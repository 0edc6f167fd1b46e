/*
 * NAME
 *	dmarcrec - one DMARC policy record: recognise and read its tags
 * SYNOPSIS
 *	#include "auth/dmarcrec.h"
 * DESCRIPTION
 *	See dmarcrec.h. Our strict reading decides. libopendmarc parses the
 *	record too, and a disagreement is logged at debug level; it never
 *	decides, because it is lenient where it must not be (p=r, p=re ject
 *	and any prefix of "reject" become p=reject; pct=50abc is 50; pct=abc
 *	is 0; the last of two p= wins) and strict where RFC 9989 4.8 says
 *	defaults (one bad fo=, rf=, ri=, adkim= or pct= fails the whole
 *	record).
 *
 *	The tag list is split at ";" and each part at its first "="; a part
 *	without "=" is a syntax error and ignored. Tag names and the values
 *	of p, sp, np, adkim, aspf, t and psd compare without case (RFC 5234
 *	strings); a tag given twice keeps its first value, except p=, sp=
 *	and np=, which become invalid (a record that says two things says
 *	nothing).
 * THREADS
 *	libopendmarc's library_init (global state) runs once per process,
 *	without a PSL and without its DNS code; a context per check.
 * SEE ALSO
 *	RFC 9989 4.7, 4.8, 4.10.1, A.6; RFC 7489 6.3, 6.4
 */
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <opendmarc/dmarc.h>

#include "auth/dmarcrec.h"
#include "auth/result.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/log.h"

struct span {
	const char *s;
	size_t	 n;
};

static pthread_once_t dmarcrec_lib_once = PTHREAD_ONCE_INIT;

/* dmarcrec_lib_init - libopendmarc's one-time setup: no PSL, no DNS */
static void
dmarcrec_lib_init(void)
{
	OPENDMARC_LIB_T lib;

	memset(&lib, 0, sizeof(lib));	/* OPENDMARC_TLD_TYPE_NONE */
	(void)opendmarc_policy_library_init(&lib);
}

/* dmarcrec_init - run the library setup once per process */
void
dmarcrec_init(void)
{
	pthread_once(&dmarcrec_lib_once, dmarcrec_lib_init);
}

/* dmarcrec_is_record - RFC 9989 4.7: begins with "v=DMARC1" */
bool
dmarcrec_is_record(const char *s, size_t n)
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

/* rec_is_wsp - white space around tags and values */
static bool
rec_is_wsp(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* rec_trim - a span without surrounding white space */
static struct span
rec_trim(const char *s, size_t n)
{
	struct span sp;

	while (n > 0 && rec_is_wsp(*s)) {
		s++;
		n--;
	}
	while (n > 0 && rec_is_wsp(s[n - 1]))
		n--;
	sp.s = s;
	sp.n = n;
	return (sp);
}

/* rec_pct_value - 1*3DIGIT from 0 to 100, else -1 */
static int
rec_pct_value(struct span v)
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

/* rec_is - a span equals a literal, ignoring case (ABNF strings) */
static bool
rec_is(struct span v, const char *lit)
{
	return (v.n == strlen(lit) && strncasecmp(v.s, lit, v.n) == 0);
}

/* rec_policy_value - none/quarantine/reject exactly, else UNSET */
static enum dmarc_policy
rec_policy_value(struct span v)
{
	if (rec_is(v, "none"))
		return (DMARC_P_NONE);
	if (rec_is(v, "quarantine"))
		return (DMARC_P_QUARANTINE);
	if (rec_is(v, "reject"))
		return (DMARC_P_REJECT);
	return (DMARC_P_UNSET);
}

/* rec_uri_ok - RFC 9989 4.8 dmarc-uri, or obs: URI ["!" 1*DIGIT [unit]] */
static bool
rec_uri_ok(struct span u)
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

/* rec_rua_ok - a rua= list holds at least one valid URI */
static bool
rec_rua_ok(struct span v)
{
	const char *p = v.s, *end = v.s + v.n, *comma;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if (rec_uri_ok(rec_trim(p, (size_t)(comma - p))))
			return (true);
		p = comma + 1;
	}
	return (false);
}

/* rec_copy - a tag's value as text, for reports; cut if too long */
static void
rec_copy(char *dst, size_t len, struct span v)
{
	size_t	 n = v.n < len - 1 ? v.n : len - 1;

	memcpy(dst, v.s, n);
	dst[n] = '\0';
}

/* rec_tag_policy - p=, sp= or np=: a duplicate makes the tag invalid */
static void
rec_tag_policy(struct dmarc_rec *r, unsigned bit, struct span v)
{
	enum dmarc_policy pol = rec_policy_value(v);

	if (r->seen & bit)
		pol = DMARC_P_UNSET;
	r->seen |= bit;
	switch (bit) {
	case DMARCREC_TAG_P:
		r->p = pol;
		r->p_ok = pol != DMARC_P_UNSET;
		break;
	case DMARCREC_TAG_SP:
		r->sp = pol;
		r->sp_ok = pol != DMARC_P_UNSET;
		break;
	default:
		r->np = pol;
		r->np_ok = pol != DMARC_P_UNSET;
		break;
	}
}

/* rec_tag_letter - a one-letter tag value among choices, once */
static void
rec_tag_letter(struct dmarc_rec *r, unsigned bit, struct span v,
    const char *choices, char *dst)
{
	if (r->seen & bit)
		return;
	r->seen |= bit;
	if (v.n == 1 && strchr(choices, v.s[0] | 0x20) != NULL)
		*dst = (char)(v.s[0] | 0x20);
}

/* rec_tag - one tag=value; bad values keep the default (4.8) */
static void
rec_tag(struct dmarc_rec *r, struct span tag, struct span v)
{
	char	 t;

	if (rec_is(tag, "p"))
		rec_tag_policy(r, DMARCREC_TAG_P, v);
	else if (rec_is(tag, "sp"))
		rec_tag_policy(r, DMARCREC_TAG_SP, v);
	else if (rec_is(tag, "np"))
		rec_tag_policy(r, DMARCREC_TAG_NP, v);
	else if (rec_is(tag, "adkim"))
		rec_tag_letter(r, DMARCREC_TAG_ADKIM, v, "rs", &r->adkim);
	else if (rec_is(tag, "aspf"))
		rec_tag_letter(r, DMARCREC_TAG_ASPF, v, "rs", &r->aspf);
	else if (rec_is(tag, "psd"))
		rec_tag_letter(r, DMARCREC_TAG_PSD, v, "ynu", &r->psd);
	else if (rec_is(tag, "t") && !(r->seen & DMARCREC_TAG_T)) {
		t = 'n';
		rec_tag_letter(r, DMARCREC_TAG_T, v, "yn", &t);
		r->t = t == 'y';
	} else if (rec_is(tag, "pct") && !(r->seen & DMARCREC_TAG_PCT)) {
		r->seen |= DMARCREC_TAG_PCT;
		if (rec_pct_value(v) >= 0)
			r->pct = rec_pct_value(v);
	} else if (rec_is(tag, "rua") && !(r->seen & DMARCREC_TAG_RUA)) {
		r->seen |= DMARCREC_TAG_RUA;
		r->rua_ok = rec_rua_ok(v);
		rec_copy(r->rua, sizeof(r->rua), v);
	} else if (rec_is(tag, "ruf") && r->ruf[0] == '\0')
		rec_copy(r->ruf, sizeof(r->ruf), v);
	else if (rec_is(tag, "fo") && r->fo[0] == '\0')
		rec_copy(r->fo, sizeof(r->fo), v);
}

/* dmarcrec_parse - the tag list after "v=DMARC1" (RFC 9989 4.8) */
void
dmarcrec_parse(const char *txt, struct dmarc_rec *r_r)
{
	const char *p, *end, *eq;

	memset(r_r, 0, sizeof(*r_r));
	r_r->p = r_r->sp = r_r->np = DMARC_P_UNSET;
	r_r->sp_ok = r_r->np_ok = true;
	r_r->adkim = r_r->aspf = 'r';
	r_r->psd = 'u';
	r_r->pct = 100;
	p = strchr(txt, ';');		/* v=DMARC1 was checked */
	while (p != NULL && *p != '\0') {
		p++;
		if ((end = strchr(p, ';')) == NULL)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (eq != NULL)		/* else a syntax error: ignored */
			rec_tag(r_r, rec_trim(p, (size_t)(eq - p)),
			    rec_trim(eq + 1, (size_t)(end - eq - 1)));
		p = end;
	}
}

/* dmarcrec_defect - why 4.10.1 applies to the record, or NULL */
const char *
dmarcrec_defect(const struct dmarc_rec *r)
{
	if (!r->p_ok)
		return ("no valid p=");
	if (!r->sp_ok)
		return ("invalid sp=");
	if (!r->np_ok)
		return ("invalid np=");
	return (NULL);
}

/* dmarcrec_testing - t= if given, else pct=0 (RFC 9989 A.6) */
bool
dmarcrec_testing(const struct dmarc_rec *r)
{
	if (r->seen & DMARCREC_TAG_T)
		return (r->t);
	return ((r->seen & DMARCREC_TAG_PCT) && r->pct == 0);
}

/* rec_lib_policy - libopendmarc's p/sp letter as ours */
static enum dmarc_policy
rec_lib_policy(int c)
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

/* dmarcrec_lib_check - libopendmarc's reading, compared with ours */
int
dmarcrec_lib_check(const char *domain, const char *txt,
    const struct dmarc_rec *r, struct buf *why)
{
	DMARC_POLICY_T *pctx;
	int	 rc, p = 0, sp = 0, adkim = 0, aspf = 0, pct = 0;

	if (!log_debugging())
		return (AM_OK);		/* its only output is a debug line */
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
		    "(%s); p=%s by RFC 9989 4.8", domain,
		    opendmarc_policy_status_to_str(rc),
		    r->p_ok ? dmarc_policy_str(r->p) : "invalid");
	else if (rec_lib_policy(p) != r->p || rec_lib_policy(sp) != r->sp ||
	    adkim != r->adkim || aspf != r->aspf || pct != r->pct)
		log_debug("dmarc: _dmarc.%s: libopendmarc reads p=%s sp=%s "
		    "adkim=%c aspf=%c pct=%d; strict reading p=%s sp=%s "
		    "adkim=%c aspf=%c pct=%d", domain,
		    dmarc_policy_str(rec_lib_policy(p)),
		    dmarc_policy_str(rec_lib_policy(sp)), adkim ? adkim : '-',
		    aspf ? aspf : '-', pct, dmarc_policy_str(r->p),
		    dmarc_policy_str(r->sp), r->adkim, r->aspf, r->pct);
	return (AM_OK);
}
