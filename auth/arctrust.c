/*
 * NAME
 *	arctrust - trusted ARC sealers, their AAR, and the DMARC override
 * DESCRIPTION
 *	See arc.h: arc_aar_parse(), arc_trust_new(), arc_trust_has(),
 *	arc_trust_judge(), arc_sealer_trusted_pass(). The AAR is read with
 *	a small RFC 8601 reader: comments dropped, ";"-separated resinfos,
 *	"method=result" and "ptype.property=value" words; what it cannot
 *	read is ignored (it can only withhold an override, never grant one).
 * SEE ALSO
 *	RFC 8617 4.1.3, 7.2 (trust in sealers); RFC 8601 2.2; RFC 9989
 *	(local policy overrides); RFC 7489 3.1 (alignment)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/arc.h"
#include "util/am.h"

#define ARC_TRUST_MAX	10000		/* domains in a trust list */

struct arc_trust {
	char	**v;
	size_t	 n;
};

/* lower_copy - bounded lower-case copy of s[0..n) into dst */
static void
lower_copy(char *dst, size_t len, const char *s, size_t n)
{
	size_t	 i;

	if (n >= len)
		n = len - 1;
	for (i = 0; i < n; i++)
		dst[i] = (char)tolower((unsigned char)s[i]);
	dst[n] = '\0';
}

/* aar_uncomment - the value without comments and quotes around words */
static size_t
aar_uncomment(const char *v, size_t len, char *out, size_t outlen)
{
	size_t	 i, o = 0;
	int	 depth = 0;
	bool	 q = false;

	for (i = 0; i < len && o + 1 < outlen; i++) {
		if (q) {
			if (v[i] == '\\' && i + 1 < len)
				out[o++] = v[++i];
			else if (v[i] == '"')
				q = false;
			else
				out[o++] = v[i];
		} else if (depth > 0) {
			if (v[i] == '\\')
				i++;
			else if (v[i] == '(')
				depth++;
			else if (v[i] == ')')
				depth--;
		} else if (v[i] == '(') {
			depth++;
			out[o++] = ' ';
		} else if (v[i] == '"')
			q = true;
		else
			out[o++] = v[i] == '\r' || v[i] == '\n' || v[i] == '\t' ?
			    ' ' : v[i];
	}
	out[o] = '\0';
	return (o);
}

/* aar_resinfo - one "method=result prop=value ..." element */
static void
aar_resinfo(char *s, struct arc_result *r)
{
	struct arc_aar_res *x;
	char	*w, *save, *eq, *at;

	if (r->naar >= LIM_ARC_AAR_RES)
		return;
	x = &r->aar[r->naar];
	memset(x, 0, sizeof(*x));
	for (w = strtok_r(s, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save)) {
		if ((eq = strchr(w, '=')) == NULL)
			continue;
		*eq++ = '\0';
		if (x->method[0] == '\0') {
			if (strchr(w, '.') != NULL)
				return;		/* no method first */
			lower_copy(x->method, sizeof(x->method), w, strlen(w));
			lower_copy(x->result, sizeof(x->result), eq,
			    strlen(eq));
			continue;
		}
		if (strcasecmp(w, "smtp.remote-ip") == 0 &&
		    r->remote_ip[0] == '\0')
			snprintf(r->remote_ip, sizeof(r->remote_ip), "%s", eq);
		if (strcasecmp(w, "header.from") == 0 ||
		    strcasecmp(w, "header.d") == 0 ||
		    strcasecmp(w, "smtp.mailfrom") == 0) {
			if ((at = strrchr(eq, '@')) != NULL)
				eq = at + 1;
			lower_copy(x->domain, sizeof(x->domain), eq,
			    strcspn(eq, ">"));
		}
	}
	if (x->method[0] != '\0')
		r->naar++;
}

/* arc_aar_parse - authserv-id, results and remote-ip of an AAR value */
int
arc_aar_parse(const char *value, size_t len, struct arc_result *r)
{
	char	 buf[LIM_AUTHRES], *p, *semi, *s;
	size_t	 n;
	bool	 first = true;

	r->naar = 0;
	r->aar_id[0] = r->remote_ip[0] = '\0';
	aar_uncomment(value, len, buf, sizeof(buf));
	if ((p = strchr(buf, ';')) == NULL)	/* past "i=N;" */
		return (AM_PERM);
	for (p++; p != NULL; p = semi) {
		if ((semi = strchr(p, ';')) != NULL)
			*semi++ = '\0';
		for (s = p; *s == ' '; s++)
			;
		if (first) {
			first = false;
			n = strcspn(s, " ");
			lower_copy(r->aar_id, sizeof(r->aar_id), s, n);
			continue;	/* a version or "none" may follow */
		}
		aar_resinfo(s, r);
	}
	return (r->aar_id[0] != '\0' ? AM_OK : AM_PERM);
}

/* trust_add - one domain into the list */
static int
trust_add(struct arc_trust *t, const char *s, size_t n, size_t *cap)
{
	char	**nv;

	if (n == 0)
		return (AM_OK);
	if (n >= LIM_DOMAIN || t->n >= ARC_TRUST_MAX)
		return (AM_PERM);
	if (t->n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		if ((nv = realloc(t->v, *cap * sizeof(*nv))) == NULL)
			return (AM_TEMP);
		t->v = nv;
	}
	if ((t->v[t->n] = malloc(n + 1)) == NULL)
		return (AM_TEMP);
	lower_copy(t->v[t->n], n + 1, s, n);
	if (n > 0 && t->v[t->n][n - 1] == '.')
		t->v[t->n][n - 1] = '\0';
	t->n++;
	return (AM_OK);
}

/* trust_words - the domains of one text (a line, or the key's value) */
static int
trust_words(struct arc_trust *t, const char *s, size_t *cap)
{
	size_t	 n;
	int	 st;

	for (;;) {
		s += strspn(s, " \t,\r\n");
		if (*s == '\0' || *s == '#')
			return (AM_OK);
		n = strcspn(s, " \t,\r\n#");
		if ((st = trust_add(t, s, n, cap)) != AM_OK)
			return (st);
		s += n;
	}
}

/* arc_trust_new - the trusted sealers of arc.trusted_sealers */
struct arc_trust *
arc_trust_new(const char *spec, struct buf *why)
{
	struct arc_trust *t;
	size_t	 cap = 0;
	char	 line[1024];
	FILE	*fp = NULL;
	int	 st = AM_OK, ln = 0;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		buf_setf(why, "out of memory");
		return (NULL);
	}
	if (spec == NULL)
		return (t);
	if (strncmp(spec, "file:", 5) != 0) {
		if ((st = trust_words(t, spec, &cap)) != AM_OK)
			buf_setf(why, "arc.trusted_sealers: a domain is too "
			    "long, or too many");
	} else if ((fp = fopen(spec + 5, "r")) == NULL) {
		buf_setf(why, "arc.trusted_sealers: %s: cannot open",
		    spec + 5);
		st = AM_PERM;
	} else {
		while (st == AM_OK && fgets(line, sizeof(line), fp) != NULL) {
			ln++;
			if ((st = trust_words(t, line, &cap)) != AM_OK)
				buf_setf(why, "%s:%d: domain too long, or too "
				    "many", spec + 5, ln);
		}
		fclose(fp);
	}
	if (st != AM_OK)
		arc_trust_free(&t);
	return (t);
}

/* arc_trust_free - release a trust list */
void
arc_trust_free(struct arc_trust **tp)
{
	struct arc_trust *t;
	size_t	 i;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	for (i = 0; i < t->n; i++)
		free(t->v[i]);
	free(t->v);
	free(t);
	*tp = NULL;
}

/* arc_trust_has - domain is a trusted sealer */
bool
arc_trust_has(const struct arc_trust *t, const char *domain)
{
	size_t	 i;

	if (t == NULL || domain == NULL || domain[0] == '\0')
		return (false);
	for (i = 0; i < t->n; i++)
		if (strcasecmp(t->v[i], domain) == 0)
			return (true);
	return (false);
}

/* under - dom is base or a name under it */
static bool
under(const char *dom, const char *base)
{
	size_t	 dl = strlen(dom), bl = strlen(base);

	if (bl == 0 || dl < bl || strcasecmp(dom + dl - bl, base) != 0)
		return (false);
	return (dl == bl || dom[dl - bl - 1] == '.');
}

/* aar_aligned - x (a dkim or spf pass domain) aligns with the From: */
static bool
aar_aligned(const char *x, const char *from, const char *org)
{
	return (strcasecmp(x, from) == 0 || (org[0] != '\0' &&
	    under(x, org)));
}

/* arc_trust_judge - trusted newest sealer, and the RFC 9989 override */
void
arc_trust_judge(const struct arc_trust *t, const char *from_domain,
    const char *from_org, struct arc_result *r)
{
	const struct arc_aar_res *x;
	bool	 good = false;
	int	 i;

	r->trusted = r->result == ARC_RES_PASS &&
	    arc_trust_has(t, r->sealer);
	r->override = false;
	if (!r->trusted || from_domain == NULL || from_domain[0] == '\0')
		return;
	if (!under(r->aar_id, r->sealer)) {
		snprintf(r->reason, sizeof(r->reason), "no override: AAR "
		    "authserv-id is not the sealer's");
		return;
	}
	for (i = 0; i < r->naar; i++) {
		x = &r->aar[i];
		if (strcmp(x->method, "dmarc") == 0 &&
		    strcmp(x->result, "pass") != 0) {
			snprintf(r->reason, sizeof(r->reason), "no override: "
			    "AAR recorded dmarc=%s", x->result);
			return;
		}
		if (strcmp(x->result, "pass") != 0)
			continue;
		if (strcmp(x->method, "dmarc") == 0)
			good |= strcasecmp(x->domain, from_domain) == 0;
		else if (strcmp(x->method, "dkim") == 0 ||
		    strcmp(x->method, "spf") == 0)
			good |= x->domain[0] != '\0' && aar_aligned(x->domain,
			    from_domain, from_org);
	}
	r->override = good;
	/* %.100s: the reason is a log field, not a record of names */
	if (good)
		snprintf(r->reason, sizeof(r->reason), "override: trusted "
		    "sealer %.100s recorded a pass for %.100s", r->sealer,
		    from_domain);
	else
		snprintf(r->reason, sizeof(r->reason), "no override: AAR "
		    "records no pass for %.100s", from_domain);
}

/* arc_sealer_trusted_pass - the chain passes, its newest sealer trusted */
bool
arc_sealer_trusted_pass(const struct arc_result *r)
{
	return (r->result == ARC_RES_PASS && r->trusted);
}
