/*
 * NAME
 *	dnsbl - the "dnsbl" list of the configuration
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	int conf_dnsbl_set(struct dnsbl_list *l, void *setting,
 *	    unsigned *line_r, struct buf *why);
 *	void conf_dnsbl_free(struct dnsbl_list *l);
 *	void conf_dnsbl_dump(const struct dnsbl_list *l, FILE *fp);
 * DESCRIPTION
 *	The DNSBL/DNSWL zones, a libconfig list of groups:
 *
 *	  dnsbl = (
 *	    { zone = "bl.example"; codes = [ "127.0.0.2-127.0.0.11" ]; },
 *	    { zone = "wl.example"; codes = [ "127.0.0.0/24" ]; allow = true; }
 *	  );
 *
 *	zone is required: a domain name of letters, digits, "-", "_" and
 *	dots, short enough that an IPv6 query name (64 bytes of nibbles)
 *	still fits 253 bytes. codes (optional; default: 127.0.0.0/8) are
 *	IPv4 addresses, CIDR networks or "lo-hi" ranges. allow (default
 *	false) makes it a DNSWL. At most LIM_DNSBL_ZONES zones, no zone
 *	twice, no other key.
 *
 *	conf_dnsbl_set() replaces *l with the setting's zones; on error it
 *	returns AM_PERM with the reason in why and the line of the bad
 *	entry in *line_r. conf_dnsbl_dump() writes the list in libconfig
 *	syntax, codes as "lo-hi" or one address.
 * SEE ALSO
 *	authmilter.conf(5), RFC 5782
 */
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf/conf.h"
#include "util/am.h"
#include "util/limits.h"

/* 253 - 64 (32 nibbles and their dots) */
#define DNSBL_ZONE_MAX	189

/* zone_ok - a domain name we can append an address to */
static int
zone_ok(const char *z)
{
	size_t	 i, run = 0, n = strlen(z);

	if (n == 0 || n > DNSBL_ZONE_MAX)
		return (0);
	for (i = 0; i < n; i++) {
		if (z[i] == '.') {
			if (run == 0)
				return (0);
			run = 0;
			continue;
		}
		if (!((z[i] >= 'a' && z[i] <= 'z') ||
		    (z[i] >= 'A' && z[i] <= 'Z') ||
		    (z[i] >= '0' && z[i] <= '9') || z[i] == '-' ||
		    z[i] == '_') || ++run > 63)
			return (0);
	}
	return (run > 0);
}

/* dnsbl_codes - the codes array of one entry */
static int
dnsbl_codes(struct dnsbl_zone_conf *z, config_setting_t *s, struct buf *why)
{
	const char *str;
	int	 i, n = config_setting_length(s);

	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST)
		return (buf_why(why, AM_PERM,
		    "dnsbl: codes: want a list of strings"));
	if (n > 0 && (z->codes = calloc((size_t)n, sizeof(*z->codes))) ==
	    NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	for (i = 0; i < n; i++) {
		if ((str = config_setting_get_string_elem(s, i)) == NULL)
			return (buf_why(why, AM_PERM,
			    "dnsbl: codes: want a list of strings"));
		if (addr_range_parse(str, &z->codes[i]) != AM_OK ||
		    z->codes[i].lo.family != AF_INET)
			return (buf_why(why, AM_PERM, "dnsbl: codes: \"%s\" "
			    "is not an IPv4 address, network or lo-hi range",
			    str));
		z->ncodes++;
	}
	return (AM_OK);
}

/* dnsbl_member - one key of an entry */
static int
dnsbl_member(struct dnsbl_zone_conf *z, config_setting_t *m,
    struct buf *why)
{
	const char *name = config_setting_name(m), *str;

	if (name != NULL && strcmp(name, "zone") == 0) {
		if ((str = config_setting_get_string(m)) == NULL)
			return (buf_why(why, AM_PERM,
			    "dnsbl: zone: want a string"));
		if (!zone_ok(str))
			return (buf_why(why, AM_PERM, "dnsbl: zone \"%s\" is "
			    "not a domain name of at most %d bytes", str,
			    DNSBL_ZONE_MAX));
		if ((z->zone = strdup(str)) == NULL)
			return (buf_why(why, AM_TEMP, "out of memory"));
		return (AM_OK);
	}
	if (name != NULL && strcmp(name, "codes") == 0)
		return (dnsbl_codes(z, m, why));
	if (name != NULL && strcmp(name, "allow") == 0) {
		if (config_setting_type(m) != CONFIG_TYPE_BOOL)
			return (buf_why(why, AM_PERM,
			    "dnsbl: allow: want true or false"));
		z->allow = config_setting_get_bool(m) != 0;
		return (AM_OK);
	}
	return (buf_why(why, AM_PERM, "dnsbl: unknown key \"%s\" (zone, "
	    "codes, allow)", name != NULL ? name : "?"));
}

/* dnsbl_entry - one { zone = ...; } group */
static int
dnsbl_entry(struct dnsbl_list *l, config_setting_t *e, unsigned *line_r,
    struct buf *why)
{
	struct dnsbl_zone_conf *z = &l->v[l->n];
	config_setting_t *m;
	size_t	 i;
	int	 j, st;

	*line_r = (unsigned)config_setting_source_line(e);
	if (!config_setting_is_group(e))
		return (buf_why(why, AM_PERM,
		    "dnsbl: want { zone = \"...\"; ... } entries"));
	l->n++;				/* freed with the list from here */
	for (j = 0; (m = config_setting_get_elem(e, (unsigned)j)) != NULL;
	    j++) {
		*line_r = (unsigned)config_setting_source_line(m);
		if ((st = dnsbl_member(z, m, why)) != AM_OK)
			return (st);
	}
	*line_r = (unsigned)config_setting_source_line(e);
	if (z->zone == NULL)
		return (buf_why(why, AM_PERM, "dnsbl: an entry without zone"));
	for (i = 0; i + 1 < l->n; i++)
		if (strcasecmp(l->v[i].zone, z->zone) == 0)
			return (buf_why(why, AM_PERM,
			    "dnsbl: zone \"%s\" given twice", z->zone));
	return (AM_OK);
}

/* conf_dnsbl_set - parse the list, replacing *l */
int
conf_dnsbl_set(struct dnsbl_list *l, void *setting, unsigned *line_r,
    struct buf *why)
{
	config_setting_t *s = setting;
	int	 i, n, st;

	conf_dnsbl_free(l);
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(s) == CONFIG_TYPE_ARRAY &&
	    config_setting_length(s) == 0))
		return (buf_why(why, AM_PERM, "dnsbl: want a list: "
		    "( { zone = \"...\"; }, ... )"));
	if ((n = config_setting_length(s)) > LIM_DNSBL_ZONES)
		return (buf_why(why, AM_PERM, "dnsbl: %d zones, at most %d",
		    n, LIM_DNSBL_ZONES));
	if (n > 0 && (l->v = calloc((size_t)n, sizeof(*l->v))) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	for (i = 0; i < n; i++)
		if ((st = dnsbl_entry(l, config_setting_get_elem(s,
		    (unsigned)i), line_r, why)) != AM_OK)
			return (st);
	return (AM_OK);
}

/* conf_dnsbl_free - release the zones; the list is empty after */
void
conf_dnsbl_free(struct dnsbl_list *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].zone);
		free(l->v[i].codes);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* conf_dnsbl_dump - the list in libconfig syntax */
void
conf_dnsbl_dump(const struct dnsbl_list *l, FILE *fp)
{
	const struct dnsbl_zone_conf *z;
	char	 lo[ADDR_STRLEN], hi[ADDR_STRLEN];
	size_t	 i, j;

	fputs("(", fp);
	for (i = 0; i < l->n; i++) {
		z = &l->v[i];
		fprintf(fp, "%s\n\t{ zone = \"%s\"; codes = [", i ? "," : "",
		    z->zone);		/* zone_ok: nothing to escape */
		for (j = 0; j < z->ncodes; j++) {
			addr_format(&z->codes[j].lo, lo, sizeof(lo));
			addr_format(&z->codes[j].hi, hi, sizeof(hi));
			if (strcmp(lo, hi) == 0)
				fprintf(fp, "%s\"%s\"", j ? ", " : " ", lo);
			else
				fprintf(fp, "%s\"%s-%s\"", j ? ", " : " ", lo,
				    hi);
		}
		fprintf(fp, " ]; allow = %s; }", z->allow ? "true" : "false");
	}
	fputs(l->n > 0 ? "\n)" : ")", fp);
}
