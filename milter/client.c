/*
 * NAME
 *	client - what is known of the SMTP client: iprev, DNSBL, HELO
 * DESCRIPTION
 *	See client.h. The lookups start at connect and are read at the
 *	first client_resolve(): by the end of the first message they have
 *	long been answered, so they add no wait to the MTA's.
 * DIAGNOSTICS
 *	Nothing of its own: the per-message summary line carries the
 *	results (eval.c), and -d logs each one at debug level.
 */
#include <stdio.h>
#include <string.h>

#include "auth/authres.h"
#include "auth/dnsbl.h"
#include "auth/helo.h"
#include "auth/iprev.h"
#include "milter/client.h"
#include "util/am.h"
#include "util/log.h"

/* client_spec - the borrowed zone spec of configured zone i */
static void
client_spec(const struct conf *cf, size_t i, struct dnsbl_zone_spec *z)
{
	z->zone = cf->dnsbl.v[i].zone;
	z->allow = cf->dnsbl.v[i].allow;
	z->codes = cf->dnsbl.v[i].codes;
	z->ncodes = cf->dnsbl.v[i].ncodes;
}

/* client_start - our name and address; start the lookups */
void
client_start(struct conn *c, const char *mta_host, const char *daemon_addr)
{
	const struct conf *cf = c->snap->cf;
	size_t	 i, n;

	if (!c->have_client || c->trusted)
		return;
	c->rep_started = true;
	snprintf(c->mta_host, sizeof(c->mta_host), "%s",
	    mta_host != NULL ? mta_host : "");
	if (daemon_addr == NULL ||
	    addr_parse(daemon_addr, &c->daemon_addr) != AM_OK)
		memset(&c->daemon_addr, 0, sizeof(c->daemon_addr));
	if (cf->iprev)
		iprev_prefetch(c->snap->dns, &c->client);
	n = cf->dnsbl.n < LIM_DNSBL_ZONES ? cf->dnsbl.n : LIM_DNSBL_ZONES;
	for (i = 0; i < n; i++)
		dnsbl_prefetch(c->snap->dns, &c->client, cf->dnsbl.v[i].zone);
}

/* client_lookups - read the iprev and DNSBL answers, once */
static void
client_lookups(struct conn *c)
{
	const struct conf *cf = c->snap->cf;
	struct dnsbl_result *bl = &c->rep.dnsbl;
	struct dnsbl_zone_spec z;
	size_t	 i, n;

	if (cf->iprev)
		(void)iprev_check(c->snap->dns, &c->client, &c->rep.iprev,
		    c->why);
	n = cf->dnsbl.n < LIM_DNSBL_ZONES ? cf->dnsbl.n : LIM_DNSBL_ZONES;
	for (i = 0; i < n; i++) {
		client_spec(cf, i, &z);
		(void)dnsbl_check(c->snap->dns, &c->client, &z, &bl->z[i],
		    c->why);
		log_debug("NOQUEUE: client: ip=%s dnsbl=%s result=%s code=%s",
		    c->ip, bl->z[i].zone, dnsbl_res_str(bl->z[i].result),
		    bl->z[i].code[0] ? bl->z[i].code : "-");
	}
	bl->nzones = (int)n;
	c->rep_done = true;
}

/* client_resolve - results of connect and HELO, waiting if need be */
void
client_resolve(struct conn *c)
{
	struct helo_ours ours;

	if (!c->rep_started)
		return;
	if (!c->rep_done)
		client_lookups(c);
	if (c->helo[0] == '\0' || (c->rep.helo_checked &&
	    strcmp(c->rep_helo, c->helo) == 0))
		return;
	memset(&ours, 0, sizeof(ours));
	ours.names[0] = c->mta_host[0] != '\0' ? c->mta_host : NULL;
	ours.names[1] = c->authserv_id[0] != '\0' ? c->authserv_id : NULL;
	ours.addrs = &c->daemon_addr;
	ours.naddrs = c->daemon_addr.family != 0 ? 1 : 0;
	c->rep.helo_bad = helo_hygiene(c->helo, &c->client, &ours,
	    &c->rep.iprev);
	c->rep.helo_checked = true;
	snprintf(c->rep_helo, sizeof(c->rep_helo), "%s", c->helo);
}

/* client_log - the iprev=, dnsbl= and helo_bad= values; false: none */
bool
client_log(const struct conn *c, struct client_log *l)
{
	const struct dnsbl_result *bl = &c->rep.dnsbl;
	size_t	 o = 0;
	int	 i, n;

	if (!c->rep_started)
		return (false);
	snprintf(l->iprev, sizeof(l->iprev), "%s", c->rep.iprev.checked ?
	    iprev_res_str(c->rep.iprev.result) : "-");
	l->dnsbl[0] = '\0';
	for (i = 0; i < bl->nzones; i++) {
		if (bl->z[i].result == DNSBL_RES_NONE)
			continue;
		n = snprintf(l->dnsbl + o, sizeof(l->dnsbl) - o, "%s%s:%s",
		    o ? "," : "", bl->z[i].zone,
		    dnsbl_res_str(bl->z[i].result));
		if (n < 0 || (size_t)n >= sizeof(l->dnsbl) - o) {
			l->dnsbl[o] = '\0';
			break;
		}
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(l->dnsbl, sizeof(l->dnsbl), "-");
	if (c->rep.helo_checked)
		helo_bad_str(c->rep.helo_bad, l->helo_bad,
		    sizeof(l->helo_bad));
	else
		snprintf(l->helo_bad, sizeof(l->helo_bad), "-");
	return (true);
}

/* client_authres - the iprev resinfo of our Authentication-Results */
int
client_authres(const struct conn *c, struct buf *out)
{
	return (authres_iprev(&c->rep.iprev, c->ip, out));
}
