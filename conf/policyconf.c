/*
 * NAME
 *	policyconf - the policy section of the file, as written
 * DESCRIPTION
 *	See policyconf.h.
 * DIAGNOSTICS
 *	"file:line: policy: reason": not a list of groups, a value that is
 *	neither a string nor a list of strings, too many rules.
 */
#include <stdlib.h>
#include <string.h>

#include "conf/policyconf.h"
#include "util/am.h"
#include "util/limits.h"

/* item_load - one "key = value" of a rule */
static int
item_load(struct conf_rule_item *it, const config_setting_t *s,
    const char *path, struct buf *why)
{
	const config_setting_t *e;
	const char *str;
	int	 i, n, type = config_setting_type(s);

	it->line = (int)config_setting_source_line(s);
	if ((it->key = strdup(config_setting_name(s))) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	if (type == CONFIG_TYPE_STRING) {
		n = 1;
	} else if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST) {
		it->list = true;
		n = config_setting_length(s);
	} else
		return (buf_why(why, AM_PERM, "%s:%d: policy: %s: want a "
		    "string or a list of strings", path, it->line, it->key));
	if (n > LIM_POLICY_ENTRIES)
		return (buf_why(why, AM_PERM, "%s:%d: policy: %s: more than "
		    "%d entries", path, it->line, it->key, LIM_POLICY_ENTRIES));
	if (n > 0 && (it->v = calloc((size_t)n, sizeof(*it->v))) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	for (i = 0; i < n; i++) {
		e = it->list ? config_setting_get_elem(s, (unsigned)i) : s;
		str = e != NULL && config_setting_type(e) ==
		    CONFIG_TYPE_STRING ? config_setting_get_string(e) : NULL;
		if (str == NULL)
			return (buf_why(why, AM_PERM, "%s:%d: policy: %s: "
			    "want a string or a list of strings", path,
			    it->line, it->key));
		if ((it->v[i] = strdup(str)) == NULL)
			return (buf_why(why, AM_TEMP, "out of memory"));
		it->n++;
	}
	return (AM_OK);
}

/* rule_load - one group of the list */
static int
rule_load(struct conf_rule *r, const config_setting_t *g, const char *path,
    struct buf *why)
{
	const config_setting_t *s;
	int	 i, n, st;

	r->line = (int)config_setting_source_line(g);
	if (!config_setting_is_group(g))
		return (buf_why(why, AM_PERM, "%s:%d: policy: want a list of "
		    "rules, each { name = ...; action = ...; }", path,
		    r->line));
	n = config_setting_length(g);
	if (n > 0 && (r->items = calloc((size_t)n, sizeof(*r->items))) ==
	    NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	for (i = 0; i < n; i++) {
		s = config_setting_get_elem(g, (unsigned)i);
		st = item_load(&r->items[r->nitems++], s, path, why);
		if (st != AM_OK)
			return (st);
	}
	return (AM_OK);
}

/* policyconf_load - the section as text, shape checked */
int
policyconf_load(struct conf_rule_list *l, const config_setting_t *s,
    const char *path, struct buf *why)
{
	int	 i, n, st;

	policyconf_free(l);
	if (config_setting_type(s) != CONFIG_TYPE_LIST &&
	    !(config_setting_type(s) == CONFIG_TYPE_ARRAY &&
	    config_setting_length(s) == 0))
		return (buf_why(why, AM_PERM, "%s:%u: policy: want a list of "
		    "rules: policy = ( { ... }, { ... } );", path,
		    config_setting_source_line(s)));
	n = config_setting_length(s);
	if (n > LIM_POLICY_RULES)
		return (buf_why(why, AM_PERM, "%s:%u: policy: more than %d "
		    "rules", path, config_setting_source_line(s),
		    LIM_POLICY_RULES));
	if (n > 0 && (l->v = calloc((size_t)n, sizeof(*l->v))) == NULL)
		return (buf_why(why, AM_TEMP, "out of memory"));
	for (i = 0; i < n; i++) {
		st = rule_load(&l->v[l->n++],
		    config_setting_get_elem(s, (unsigned)i), path, why);
		if (st != AM_OK)
			return (st);
	}
	return (AM_OK);
}

/* policyconf_free - release the section; l itself stays */
void
policyconf_free(struct conf_rule_list *l)
{
	size_t	 i, j, k;

	for (i = 0; i < l->n; i++) {
		for (j = 0; j < l->v[i].nitems; j++) {
			for (k = 0; k < l->v[i].items[j].n; k++)
				free(l->v[i].items[j].v[k]);
			free(l->v[i].items[j].v);
			free(l->v[i].items[j].key);
		}
		free(l->v[i].items);
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

/* policyconf_dump - the section in libconfig syntax */
void
policyconf_dump(const struct conf_rule_list *l, FILE *fp)
{
	const struct conf_rule_item *it;
	size_t	 i, j, k;

	fputs("policy = (", fp);
	for (i = 0; i < l->n; i++) {
		fprintf(fp, "%s\n\t{", i ? "," : "");
		for (j = 0; j < l->v[i].nitems; j++) {
			it = &l->v[i].items[j];
			fprintf(fp, " %s = ", it->key);
			if (it->list)
				fputs("[", fp);
			for (k = 0; k < it->n; k++) {
				fputs(k ? ", " : "", fp);
				conf_dump_str(it->v[k], fp);
			}
			fputs(it->list ? "];" : ";", fp);
		}
		fputs(" }", fp);
	}
	fputs(l->n ? "\n);\n" : " );\n", fp);
}
