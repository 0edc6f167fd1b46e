/*
 * NAME
 *	conf - libconfig file to an immutable struct conf
 * DESCRIPTION
 *	See conf.h. Defaults come from the params table as text and go
 *	through the same setters as file values, so a default can never be
 *	a value the file could not hold.
 * DIAGNOSTICS
 *	"file:line: reason" in why: syntax errors (from libconfig), unknown
 *	keys, wrong types, values out of bounds or not among the choices,
 *	strings their key's own test refuses (str_checks).
 */
#include <errno.h>
#include <libconfig.h>
#include <stdlib.h>
#include <string.h>

#include "conf/conf.h"
#include "conf/policyconf.h"
#include "util/am.h"
#include "util/log.h"

#define FIELD(cf, p, type)	((type *)((char *)(cf) + (p)->off))

/* param_find - the table entry for a dotted key, or NULL */
static const struct param *
param_find(const char *key)
{
	size_t	 i;

	for (i = 0; i < conf_nparams; i++)
		if (strcmp(conf_params[i].key, key) == 0)
			return (&conf_params[i]);
	return (NULL);
}

/* param_is_group - 1 if some key lives below this dotted prefix */
static int
param_is_group(const char *prefix)
{
	size_t	 i, n = strlen(prefix);

	for (i = 0; i < conf_nparams; i++)
		if (strncmp(conf_params[i].key, prefix, n) == 0 &&
		    conf_params[i].key[n] == '.')
			return (1);
	return (0);
}

/* conf_enum_str - text of an enum value of key */
const char *
conf_enum_str(const char *key, int value)
{
	const struct param *p = param_find(key);
	int	 i;

	if (p == NULL || p->type != PT_ENUM)
		return ("?");
	for (i = 0; p->choices[i] != NULL; i++)
		if (i == value)
			return (p->choices[i]);
	return ("?");
}

/* cidrs_add - parse one CIDR into the list */
static int
cidrs_add(struct cidr_list *l, const char *s, struct buf *why)
{
	struct cidr *v;

	if ((v = realloc(l->v, (l->n + 1) * sizeof(*v))) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	l->v = v;
	if (cidr_parse(s, &l->v[l->n]) != AM_OK)
		return (buf_why(why, AM_PERM, "bad network \"%s\"", s));
	l->n++;
	return (AM_OK);
}

/* conf_envelope_ok - s can go to the report command as -f, unquoted */
bool
conf_envelope_ok(const char *s)
{
	size_t	 i;

	if (s[0] == '-')
		return (false);
	for (i = 0; s[i] != '\0'; i++)	/* it reaches /bin/sh */
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' &&
		    s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		    strchr(".@_+-=", s[i]) != NULL))
			return (false);
	return (true);
}

/* string values with more to them than a type: key, test, what is wanted */
static const struct str_check {
	const char *key;
	bool	(*ok)(const char *);
	const char *want;
} str_checks[] = {
	{"report.envelope_from", conf_envelope_ok, "an address of letters, "
	    "digits and . @ _ + - = only, not starting with - (it is the "
	    "report command's -f)"},
};

/* check_str - a string key's own test, if it has one */
static int
check_str(const struct param *p, const char *s, struct buf *why)
{
	size_t	 i;

	for (i = 0; i < sizeof(str_checks) / sizeof(str_checks[0]); i++)
		if (strcmp(p->key, str_checks[i].key) == 0 &&
		    !str_checks[i].ok(s))
			return (buf_why(why, AM_PERM, "%s: \"%s\": want %s",
			    p->key, s, str_checks[i].want));
	return (AM_OK);
}

/* set_text - apply a value given as text (defaults, strings) */
static int
set_text(struct conf *cf, const struct param *p, const char *s,
    struct buf *why)
{
	char	*end, *copy, *tok, *save;
	long	 n;
	int	 i, st = AM_OK;

	switch (p->type) {
	case PT_STR:
		if (check_str(p, s, why) != AM_OK)
			return (AM_PERM);
		if ((copy = strdup(s)) == NULL)
			return (buf_why(why, AM_TEMP, "out of memory"));
		free(*FIELD(cf, p, char *));
		*FIELD(cf, p, char *) = copy;
		return (AM_OK);
	case PT_BOOL:
		*FIELD(cf, p, bool) = strcmp(s, "true") == 0;
		return (AM_OK);
	case PT_INT:
		n = strtol(s, &end, 10);
		if (*s == '\0' || *end != '\0' || n < p->min || n > p->max)
			return (buf_why(why, AM_PERM,
			    "%s: %s is not a number from %ld to %ld",
			    p->key, s, p->min, p->max));
		*FIELD(cf, p, int) = (int)n;
		return (AM_OK);
	case PT_ENUM:
		for (i = 0; p->choices[i] != NULL; i++)
			if (strcmp(p->choices[i], s) == 0) {
				*FIELD(cf, p, int) = i;
				return (AM_OK);
			}
		return (buf_why(why, AM_PERM, "%s: \"%s\" is not one of the "
		    "allowed values (see authmilter.conf(5))", p->key, s));
	case PT_DNSBL:			/* only the default: no zones */
		if (strcmp(s, "()") != 0)
			return (buf_why(why, AM_PERM, "%s: want a list",
			    p->key));
		return (AM_OK);
	case PT_CIDRS:
		if ((copy = strdup(s)) == NULL)
			return (buf_why(why, AM_TEMP, "out of memory"));
		for (tok = strtok_r(copy, " ", &save); tok != NULL &&
		    st == AM_OK; tok = strtok_r(NULL, " ", &save))
			st = cidrs_add(FIELD(cf, p, struct cidr_list), tok, why);
		free(copy);
		return (st);
	}
	am_panic("set_text: bad type %d", p->type);
}

/* set_setting - apply one libconfig setting, checking its type */
static int
set_setting(struct conf *cf, const struct param *p, config_setting_t *s,
    struct buf *why)
{
	struct cidr_list *l;
	const char *str;
	char	 num[32];
	int	 i, type = config_setting_type(s), st;

	switch (p->type) {
	case PT_STR:
	case PT_ENUM:
		if (type != CONFIG_TYPE_STRING)
			return (buf_why(why, AM_PERM, "%s: want a string",
			    p->key));
		return (set_text(cf, p, config_setting_get_string(s), why));
	case PT_BOOL:
		if (type != CONFIG_TYPE_BOOL)
			return (buf_why(why, AM_PERM,
			    "%s: want true or false", p->key));
		*FIELD(cf, p, bool) = config_setting_get_bool(s) != 0;
		return (AM_OK);
	case PT_INT:
		if (type != CONFIG_TYPE_INT && type != CONFIG_TYPE_INT64)
			return (buf_why(why, AM_PERM, "%s: want a number",
			    p->key));
		snprintf(num, sizeof(num), "%lld",
		    (long long)config_setting_get_int64(s));
		return (set_text(cf, p, num, why));
	case PT_CIDRS:
		if (type != CONFIG_TYPE_ARRAY && type != CONFIG_TYPE_LIST)
			return (buf_why(why, AM_PERM,
			    "%s: want a list of strings", p->key));
		l = FIELD(cf, p, struct cidr_list);
		free(l->v);
		l->v = NULL;
		l->n = 0;
		for (i = 0; i < config_setting_length(s); i++) {
			str = config_setting_get_string_elem(s, i);
			if (str == NULL)
				return (buf_why(why, AM_PERM,
				    "%s: want a list of strings", p->key));
			if ((st = cidrs_add(l, str, why)) != AM_OK)
				return (st);
		}
		return (AM_OK);
	case PT_DNSBL:			/* walk() calls conf_dnsbl_set() */
		break;
	}
	am_panic("set_setting: bad type %d", p->type);
}

/* walk - apply every setting below group, refusing unknown keys */
static int
walk(struct conf *cf, config_setting_t *group, const char *prefix,
    struct buf *why)
{
	config_setting_t *s;
	const struct param *p;
	char	 key[256];
	unsigned line;
	int	 i, st;

	for (i = 0; (s = config_setting_get_elem(group, i)) != NULL; i++) {
		line = (unsigned)config_setting_source_line(s);
		snprintf(key, sizeof(key), "%s%s%s", prefix,
		    *prefix ? "." : "", config_setting_name(s));
		if (config_setting_is_group(s) && param_is_group(key)) {
			if ((st = walk(cf, s, key, why)) != AM_OK)
				return (st);
			continue;
		}
		if (strcmp(key, "policy") == 0) {
			if ((st = policyconf_load(&cf->policy, s, cf->path,
			    why)) != AM_OK)
				return (st);	/* why has file:line */
			continue;
		}
		if ((p = param_find(key)) == NULL)
			st = buf_why(why, AM_PERM, "unknown key \"%s\"", key);
		else if (p->type == PT_DNSBL)	/* line: of the bad entry */
			st = conf_dnsbl_set(FIELD(cf, p, struct dnsbl_list), s,
			    &line, why);
		else
			st = set_setting(cf, p, s, why);
		if (st != AM_OK) {
			if (why != NULL)
				buf_setf(why, "%s:%u: %s", cf->path, line,
				    buf_str(why));
			return (st);
		}
	}
	return (AM_OK);
}

/*
 * dotted_key - the "group.key" a file line starts with, if any
 *
 * libconfig has no dotted names: "dns.timeout = 1;" is a syntax error,
 * or "duplicate setting name" after a "dns" group. Name the real cause.
 */
static int
dotted_key(const char *path, int line, char *key, size_t keylen)
{
	static const char namech[] = "abcdefghijklmnopqrstuvwxyz"
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.";
	char	 text[512], *k, *after;
	FILE	*fp;
	size_t	 n;
	int	 i;

	if (line <= 0 || (fp = fopen(path, "r")) == NULL)
		return (0);
	for (i = 0; i < line && fgets(text, sizeof(text), fp) != NULL; i++)
		;
	fclose(fp);
	if (i != line)
		return (0);
	k = text + strspn(text, " \t");
	n = strspn(k, namech);
	after = k + n + strspn(k + n, " \t");
	if (n == 0 || memchr(k, '.', n) == NULL || (*after != '=' &&
	    *after != ':'))
		return (0);
	snprintf(key, keylen, "%.*s", (int)n, k);
	return (strchr(key, '.') != NULL);
}

/* conf_read - parse path into lc; the errno when it cannot be read */
static int
conf_read(config_t *lc, const char *path, struct buf *why)
{
	char	 key[128];
	FILE	*fp;
	int	 ok, line;

	if ((fp = fopen(path, "r")) == NULL)
		return (buf_why(why, AM_PERM, "%s: %s", path,
		    strerror(errno)));
	ok = config_read(lc, fp);
	fclose(fp);
	if (ok)
		return (AM_OK);
	line = config_error_line(lc);
	if (dotted_key(path, line, key, sizeof(key)))
		return (buf_why(why, AM_PERM, "%s:%d: \"%s\": dotted keys "
		    "cannot be written in the file; put the key in its group: "
		    "%.*s = { %s = ...; };", path, line, key,
		    (int)strcspn(key, "."), key, strchr(key, '.') + 1));
	return (buf_why(why, AM_PERM, "%s:%d: %s", path, line,
	    config_error_text(lc)));
}

/* conf_socket_mode - socket_mode as a number, or -1 if not octal <= 0777 */
int
conf_socket_mode(const struct conf *cf)
{
	const char *s = cf->socket_mode;
	char	*end;
	long	 n;

	if (s[0] == '\0' || strspn(s, "01234567") != strlen(s) ||
	    strlen(s) > 4)
		return (-1);
	n = strtol(s, &end, 8);
	return (n > 0777 ? -1 : (int)n);
}

/* conf_defaults - a conf holding every default */
static int
conf_defaults(struct conf *cf, struct buf *why)
{
	size_t	 i;
	int	 st;

	for (i = 0; i < conf_nparams; i++)
		if ((st = set_text(cf, &conf_params[i], conf_params[i].def,
		    why)) != AM_OK)
			am_panic("default of %s: %s", conf_params[i].key,
			    why ? buf_str(why) : "");
	return (AM_OK);
}

/* conf_check_listen - metrics.listen is empty or ADDR:PORT */
static int
conf_check_listen(const struct conf *cf, const char *path, struct buf *why)
{
	struct addr a;
	unsigned port;

	if (cf->metrics_listen[0] == '\0' ||
	    addr_hostport_parse(cf->metrics_listen, &a, &port) == AM_OK)
		return (AM_OK);
	return (buf_why(why, AM_PERM, "%s: metrics.listen: \"%s\" is not "
	    "ADDR:PORT or [IPV6ADDR]:PORT", path ? path : "(defaults)",
	    cf->metrics_listen));
}

/* conf_load - defaults, then the file, all checked */
int
conf_load(const char *path, struct conf **cf_r, struct buf *why)
{
	config_t lc;
	struct conf *cf;
	int	 st = AM_OK;

	*cf_r = NULL;
	if ((cf = calloc(1, sizeof(*cf))) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	conf_defaults(cf, why);
	if (path != NULL) {
		if ((cf->path = strdup(path)) == NULL)
			st = buf_why(why, AM_TEMP, "out of memory");
		config_init(&lc);
		if (st == AM_OK)
			st = conf_read(&lc, path, why);
		if (st == AM_OK)
			st = walk(cf, config_root_setting(&lc), "", why);
		config_destroy(&lc);
	}
	if (st == AM_OK && conf_socket_mode(cf) < 0)
		st = buf_why(why, AM_PERM, "%s: socket_mode: \"%s\" is not "
		    "an octal mode from \"0000\" to \"0777\"",
		    path ? path : "(defaults)", cf->socket_mode);
	if (st == AM_OK && log_facility_parse(cf->syslog_facility) < 0)
		st = buf_why(why, AM_PERM, "%s: syslog_facility: unknown "
		    "facility \"%s\"", path ? path : "(defaults)",
		    cf->syslog_facility);
	if (st == AM_OK && conf_check_listen(cf, path, why) != AM_OK)
		st = AM_PERM;
	if (st != AM_OK) {
		conf_free(&cf);
		return (st);
	}
	*cf_r = cf;
	return (AM_OK);
}

/* conf_free - release a conf and clear the pointer */
void
conf_free(struct conf **cfp)
{
	struct conf *cf;
	size_t	 i;

	if (cfp == NULL || (cf = *cfp) == NULL)
		return;
	for (i = 0; i < conf_nparams; i++) {
		if (conf_params[i].type == PT_STR)
			free(*FIELD(cf, &conf_params[i], char *));
		if (conf_params[i].type == PT_CIDRS)
			free(FIELD(cf, &conf_params[i], struct cidr_list)->v);
		if (conf_params[i].type == PT_DNSBL)
			conf_dnsbl_free(FIELD(cf, &conf_params[i],
			    struct dnsbl_list));
	}
	policyconf_free(&cf->policy);
	free(cf->path);
	free(cf);
	*cfp = NULL;
}

/* conf_dump_str - a libconfig string literal, escaped */
void
conf_dump_str(const char *s, FILE *fp)
{
	fputc('"', fp);
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			fprintf(fp, "\\%c", *s);
		else if ((unsigned char)*s < ' ' || *s == 0x7f)
			fprintf(fp, "\\x%02x", (unsigned char)*s);
		else
			fputc(*s, fp);
	}
	fputc('"', fp);
}

/* dump_value - one value in libconfig syntax */
static void
dump_value(const struct conf *cf, const struct param *p, FILE *fp)
{
	const struct cidr_list *l;
	char	 a[ADDR_STRLEN];
	size_t	 i;

	switch (p->type) {
	case PT_STR:
		conf_dump_str(*FIELD(cf, p, char *), fp);
		break;
	case PT_BOOL:
		fputs(*FIELD(cf, p, bool) ? "true" : "false", fp);
		break;
	case PT_INT:
		fprintf(fp, "%d", *FIELD(cf, p, int));
		break;
	case PT_ENUM:
		fprintf(fp, "\"%s\"", p->choices[*FIELD(cf, p, int)]);
		break;
	case PT_CIDRS:
		l = FIELD(cf, p, struct cidr_list);
		fputs("[", fp);
		for (i = 0; i < l->n; i++) {
			addr_format(&l->v[i].net, a, sizeof(a));
			fprintf(fp, "%s\"%s/%d\"", i ? ", " : " ", a,
			    l->v[i].bits);
		}
		fputs(" ]", fp);
		break;
	case PT_DNSBL:
		conf_dnsbl_dump(FIELD(cf, p, struct dnsbl_list), fp);
		break;
	}
}

/* dump_key - one "name = value;" line */
static void
dump_key(const struct conf *cf, const struct param *p, const char *name,
    const char *indent, FILE *fp)
{
	fprintf(fp, "%s%s = ", indent, name);
	dump_value(cf, p, fp);
	fputs(";\n", fp);
}

/* conf_dump - every key and its effective value, one per line */
void
conf_dump(const struct conf *cf, FILE *fp)
{
	const char *key, *dot;
	size_t	 i, j, glen;

	for (i = 0; i < conf_nparams; i++) {
		key = conf_params[i].key;
		if ((dot = strchr(key, '.')) == NULL) {
			dump_key(cf, &conf_params[i], key, "", fp);
			continue;
		}
		glen = (size_t)(dot - key);
		for (j = 0; j < i; j++)		/* group already written */
			if (strncmp(conf_params[j].key, key, glen + 1) == 0)
				break;
		if (j < i)
			continue;
		fprintf(fp, "%.*s = {\n", (int)glen, key);
		for (j = i; j < conf_nparams; j++)
			if (strncmp(conf_params[j].key, key, glen + 1) == 0)
				dump_key(cf, &conf_params[j],
				    conf_params[j].key + glen + 1, "\t", fp);
		fputs("};\n", fp);
	}
	policyconf_dump(&cf->policy, fp);
}

/* conf_key_same - 1 if key p has the same value in a and b */
int
conf_key_same(const struct conf *a, const struct conf *b,
    const struct param *p)
{
	const struct cidr_list *la, *lb;

	switch (p->type) {
	case PT_STR:
		return (strcmp(*FIELD(a, p, char *), *FIELD(b, p, char *)) ==
		    0);
	case PT_BOOL:
		return (*FIELD(a, p, bool) == *FIELD(b, p, bool));
	case PT_INT:
	case PT_ENUM:
		return (*FIELD(a, p, int) == *FIELD(b, p, int));
	case PT_CIDRS:
		la = FIELD(a, p, struct cidr_list);
		lb = FIELD(b, p, struct cidr_list);
		return (la->n == lb->n && (la->n == 0 ||
		    memcmp(la->v, lb->v, la->n * sizeof(*la->v)) == 0));
	case PT_DNSBL:			/* reloadable: never asked */
		break;
	}
	am_panic("conf_key_same: bad type %d", p->type);
}

/*
 * conf_key_keep - give dst the value src has for key p (a reload keeps
 * the running value of a key that needs a restart)
 */
int
conf_key_keep(struct conf *dst, const struct conf *src,
    const struct param *p, struct buf *why)
{
	char	*copy;

	switch (p->type) {
	case PT_STR:
		if ((copy = strdup(*FIELD(src, p, char *))) == NULL)
			return (buf_why(why, AM_TEMP, "out of memory"));
		free(*FIELD(dst, p, char *));
		*FIELD(dst, p, char *) = copy;
		return (AM_OK);
	case PT_BOOL:
		*FIELD(dst, p, bool) = *FIELD(src, p, bool);
		return (AM_OK);
	case PT_INT:
	case PT_ENUM:
		*FIELD(dst, p, int) = *FIELD(src, p, int);
		return (AM_OK);
	case PT_CIDRS:
	case PT_DNSBL:
		break;
	}
	am_panic("conf_key_keep: %s cannot be kept", p->key);
}

/* conf_is_trusted - 1 if a lies in trusted_networks */
int
conf_is_trusted(const struct conf *cf, const struct addr *a)
{
	size_t	 i;

	for (i = 0; i < cf->trusted_networks.n; i++)
		if (cidr_match(&cf->trusted_networks.v[i], a))
			return (1);
	return (0);
}
