/*
 * NAME
 *	dest - report destinations: parse, authorize, submit
 * DESCRIPTION
 *	See dest.h.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

#include "auth/dmarcrec.h"
#include "conf/conf.h"
#include "report/dest.h"
#include "util/am.h"
#include "util/log.h"

/* dest_in_list - domain is in the space/comma list, or under a ".x" entry */
bool
dest_in_list(const char *list, const char *domain)
{
	char	 w[LIM_DOMAIN];
	size_t	 n, dl = strlen(domain), wl;

	while (list != NULL && *list != '\0') {
		list += strspn(list, " ,\t");
		n = strcspn(list, " ,\t");
		if (n == 0 || n >= sizeof(w)) {
			list += n;
			continue;
		}
		snprintf(w, sizeof(w), "%.*s", (int)n, list);
		list += n;
		wl = strlen(w);
		if (strcasecmp(w, domain) == 0 || (w[0] == '.' && dl > wl &&
		    strcasecmp(domain + dl - wl, w) == 0))
			return (true);
	}
	return (false);
}

/* dest_parse - one rua URI: mailto:addr[!size[kmgt]]; false if not one */
bool
dest_parse(const char *uri, size_t n, struct dest *d)
{
	char	 u[LIM_ADDRESS], *bang, *at, *end;
	unsigned long long mult = 1;
	size_t	 i;

	memset(d, 0, sizeof(*d));
	while (n > 0 && isspace((unsigned char)*uri))
		uri++, n--;
	while (n > 0 && isspace((unsigned char)uri[n - 1]))
		n--;
	if (n <= 7 || n >= sizeof(u) || strncasecmp(uri, "mailto:", 7) != 0)
		return (false);
	snprintf(u, sizeof(u), "%.*s", (int)(n - 7), uri + 7);
	if ((bang = strchr(u, '!')) != NULL) {
		*bang++ = '\0';
		d->limit = strtoull(bang, &end, 10);
		switch (tolower((unsigned char)*end)) {
		case 'k': mult = 1ULL << 10; end++; break;
		case 'm': mult = 1ULL << 20; end++; break;
		case 'g': mult = 1ULL << 30; end++; break;
		case 't': mult = 1ULL << 40; end++; break;
		}
		if (*end != '\0' || end == bang)
			return (false);
		d->limit *= mult;
	}
	for (i = 0; u[i] != '\0'; i++)	/* what reaches a shell or header */
		if (!isalnum((unsigned char)u[i]) && strchr(".@_+-=", u[i]) ==
		    NULL)
			return (false);
	if ((at = strrchr(u, '@')) == NULL || at == u || at[1] == '\0')
		return (false);
	snprintf(d->addr, sizeof(d->addr), "%s", u);
	for (i = 0; at[1 + i] != '\0' && i + 1 < sizeof(d->domain); i++)
		d->domain[i] = (char)tolower((unsigned char)at[1 + i]);
	return (true);
}

/* dest_authorized - may dest get reports about domain? (RFC 9990 4) */
int
dest_authorized(struct dns *dns, struct dmarc *dm, const char *domain,
    const struct dest *d, struct buf *why)
{
	char	 o1[LIM_DOMAIN], o2[LIM_DOMAIN], name[LIM_DOMAIN * 2 + 20];
	struct dns_answer *ans = NULL;
	size_t	 i;
	int	 st, ok = AM_PERM;

	if (dmarc_org_domain(dm, domain, o1, sizeof(o1)) != AM_OK)
		snprintf(o1, sizeof(o1), "%s", domain);
	if (dmarc_org_domain(dm, d->domain, o2, sizeof(o2)) != AM_OK)
		snprintf(o2, sizeof(o2), "%s", d->domain);
	if (strcasecmp(o1, o2) == 0)
		return (AM_OK);
	if ((size_t)snprintf(name, sizeof(name), "%s._report._dmarc.%s",
	    domain, d->domain) >= sizeof(name) || strlen(name) > 253)
		return (buf_why(why, AM_PERM, "%s: name too long", name));
	st = dns_query(dns, name, DNS_T_TXT, &ans, why);
	for (i = 0; st == DNS_OK && i < ans->nrr; i++)
		if (dmarcrec_is_record((const char *)ans->rr[i].data,
		    ans->rr[i].len))
			ok = AM_OK;
	dns_answer_free(&ans);
	if (st == DNS_TEMP)
		return (buf_why(why, AM_TEMP, "%s: DNS temporary failure",
		    name));
	if (ok != AM_OK)
		buf_setf(why, "external destination not authorized (no "
		    "v=DMARC1 at %s)", name);
	return (ok);
}

/* dest_list - the distinct mailto: destinations of a rua= list */
int
dest_list(const char *rua, struct dest *d, int max)
{
	const char *p = rua, *c;
	int	 n = 0, i;
	bool	 dup;

	while (*p != '\0' && n < max) {
		c = strchr(p, ',');
		if (dest_parse(p, c ? (size_t)(c - p) : strlen(p), &d[n])) {
			for (dup = false, i = 0; i < n; i++)
				dup |= strcasecmp(d[i].addr, d[n].addr) == 0;
			if (!dup)
				n++;
		} else
			log_info("report: rua URI not used: %.*s",
			    (int)(c ? (size_t)(c - p) : strlen(p)), p);
		p = c ? c + 1 : p + strlen(p);
	}
	return (n);
}

/* dest_submit - pipe the message to the configured command */
int
dest_submit(const char *command, const char *envelope_from,
    const struct buf *m, struct buf *why)
{
	char	 cmd[2048];
	FILE	*fp;
	int	 rc;

	if (!conf_envelope_ok(envelope_from))	/* conf_load refuses it */
		return (buf_why(why, AM_PERM, "envelope sender \"%s\" not "
		    "usable as -f", envelope_from));
	if (envelope_from[0] != '\0')
		snprintf(cmd, sizeof(cmd), "%s -f '%s'", command, envelope_from);
	else
		snprintf(cmd, sizeof(cmd), "%s", command);
	if ((fp = popen(cmd, "w")) == NULL)
		return (buf_why(why, AM_TEMP, "%s: %s", cmd, strerror(errno)));
	fwrite(m->data, 1, m->len, fp);
	rc = pclose(fp);
	if (rc != 0)
		return (buf_why(why, AM_TEMP, "%s: exit status %d", cmd,
		    WIFEXITED(rc) ? WEXITSTATUS(rc) : -1));
	return (AM_OK);
}

