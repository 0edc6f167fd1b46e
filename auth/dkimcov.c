/*
 * NAME
 *	dkimcov - what a DKIM signature leaves uncovered
 * DESCRIPTION
 *	See dkimcov.h. Pure counting and tag reading, no library: dkim.c
 *	feeds it and asks it per signature. Kept apart so it can be tested
 *	and fuzzed on its own.
 *
 *	libopendkim's dkim_sig_getcanonlen() gives the raw body length, not
 *	the canonicalized one, so whether l= left bytes unsigned is counted
 *	here. Relaxed (RFC 6376 3.4.4): a WSP run is one SP, none at the
 *	end of a line; simple and relaxed alike drop trailing empty lines,
 *	and an empty body is CRLF under simple, nothing under relaxed.
 * SEE ALSO
 *	RFC 6376 3.4.3, 3.4.4, 3.5, 5.4.2, 8.15; RFC 5322 3.6
 */
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "auth/dkimcov.h"

/* RFC 5322 3.6: at most one of each; RFC 2045 5: one Content-Type */
static const char *const dkimcov_single[DKIMCOV_NSINGLE] = {
	"From", "Sender", "Reply-To", "To", "Cc", "Message-ID", "Subject",
	"Date", "Content-Type",
};

/* dkimcov_lookup - index of a singleton field name of n bytes, or -1 */
static int
dkimcov_lookup(const char *name, size_t n)
{
	size_t	 i;

	for (i = 0; i < DKIMCOV_NSINGLE; i++)
		if (strlen(dkimcov_single[i]) == n &&
		    strncasecmp(dkimcov_single[i], name, n) == 0)
			return ((int)i);
	return (-1);
}

/* dkimcov_wsp - FWS as it can appear in a tag value or before a colon */
static bool
dkimcov_wsp(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* dkimcov_field - count one header field by name */
void
dkimcov_field(struct dkimcov *c, const char *name)
{
	size_t	 n = strlen(name);
	int	 i;

	while (n > 0 && dkimcov_wsp(name[n - 1]))
		n--;
	if ((i = dkimcov_lookup(name, n)) >= 0 && c->nfield[i] < UINT_MAX)
		c->nfield[i]++;
}

/* dkimcov_item - the next item of a colon-separated tag value, FWS
 * trimmed; NULL at the end */
static const char *
dkimcov_item(const char **pp, size_t *len_r)
{
	const char *p = *pp, *e, *end;

	if (*p == '\0')
		return (NULL);
	if ((end = strchr(p, ':')) == NULL)
		end = p + strlen(p);
	*pp = *end == ':' ? end + 1 : end;
	for (e = end; e > p && dkimcov_wsp(e[-1]); e--)
		;
	while (p < e && dkimcov_wsp(*p))
		p++;
	*len_r = (size_t)(e - p);
	return (p);
}

/* dkimcov_query - q= absent, or naming dns/txt among methods we ignore */
bool
dkimcov_query(const char *q)
{
	const char *p;
	size_t	 n;

	if (q == NULL)
		return (true);
	while ((p = dkimcov_item(&q, &n)) != NULL)
		if (n == 7 && strncasecmp(p, "dns/txt", 7) == 0)
			return (true);
	return (false);
}

/* dkimcov_extra - a singleton h= names, more often in the message */
bool
dkimcov_extra(const struct dkimcov *c, const char *h,
    struct dkimcov_extra *x_r)
{
	unsigned nsig[DKIMCOV_NSINGLE] = {0};
	const char *p;
	size_t	 i, n;
	int	 k;

	memset(x_r, 0, sizeof(*x_r));
	if (h == NULL)
		return (false);
	while ((p = dkimcov_item(&h, &n)) != NULL)
		if ((k = dkimcov_lookup(p, n)) >= 0 && nsig[k] < UINT_MAX)
			nsig[k]++;
	for (i = 0; i < DKIMCOV_NSINGLE; i++) {
		if (nsig[i] == 0 || c->nfield[i] <= nsig[i])
			continue;
		x_r->name = dkimcov_single[i];
		x_r->nmsg = c->nfield[i];
		x_r->nsigned = nsig[i];
		return (true);
	}
	return (false);
}

/* dkimcov_char - one content byte of the current body line */
static void
dkimcov_char(struct dkimcov *c, unsigned char ch)
{
	c->s_line++;
	if (ch == ' ' || ch == '\t') {
		c->r_wsp = true;	/* one SP, unless at end of line */
		return;
	}
	if (c->r_wsp)
		c->r_line++;
	c->r_wsp = false;
	c->r_line++;
}

/* dkimcov_eol - end of a body line: empty lines only count if something
 * follows them */
static void
dkimcov_eol(struct dkimcov *c)
{
	c->s_total += c->s_line + 2;
	if (c->s_line > 0)
		c->s_commit = c->s_total;
	c->r_total += c->r_line + 2;
	if (c->r_line > 0)
		c->r_commit = c->r_total;
	c->s_line = 0;
	c->r_line = 0;
	c->r_wsp = false;
	c->cr = false;
}

/* dkimcov_body - count a body chunk; a bare CR or LF ends a line */
void
dkimcov_body(struct dkimcov *c, const unsigned char *p, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\n' || c->cr)
			dkimcov_eol(c);
		if (p[i] == '\r')
			c->cr = true;
		else if (p[i] != '\n')
			dkimcov_char(c, p[i]);
	}
}

/* dkimcov_bodylen - canonicalized length of the whole body */
unsigned long long
dkimcov_bodylen(const struct dkimcov *c, bool relaxed)
{
	struct dkimcov t = *c;

	if (t.cr || t.s_line > 0)	/* last line lacks CRLF: one is added */
		dkimcov_eol(&t);
	if (relaxed)
		return (t.r_commit);
	return (t.s_commit > 0 ? t.s_commit : 2);	/* empty: CRLF */
}
