/*
 * NAME
 *	taglist - walk a "tag=value; tag=value" list
 * DESCRIPTION
 *	See taglist.h.
 */
#include <string.h>
#include <strings.h>

#include "util/taglist.h"

/* is_ws - white space of a tag list (FWS unfolded or not) */
static bool
is_ws(char c)
{
	return (c == ' ' || c == '\t' || c == '\r' || c == '\n');
}

/* trim - [*s, *e) without white space at both ends */
static void
trim(const char **s, const char **e)
{
	while (*s < *e && is_ws(**s))
		(*s)++;
	while (*e > *s && is_ws((*e)[-1]))
		(*e)--;
}

/* taglist_next - the next tag of the list */
int
taglist_next(const char **pp, const char *end, struct tag *t_r)
{
	const char *p = *pp, *semi, *eq, *ns, *ne, *vs, *ve;

	for (;;) {
		if (p >= end) {
			*pp = end;
			return (0);
		}
		semi = memchr(p, ';', (size_t)(end - p));
		if (semi == NULL)
			semi = end;
		ns = p;
		ne = semi;
		trim(&ns, &ne);
		if (ns < ne)
			break;
		p = semi < end ? semi + 1 : end;	/* empty element */
	}
	*pp = semi < end ? semi + 1 : end;
	if ((eq = memchr(ns, '=', (size_t)(ne - ns))) == NULL)
		return (-1);
	vs = eq + 1;
	ve = ne;
	ne = eq;
	trim(&ns, &ne);
	trim(&vs, &ve);
	if (ns == ne)
		return (-1);
	t_r->name = ns;
	t_r->nlen = (size_t)(ne - ns);
	t_r->value = vs;
	t_r->vlen = (size_t)(ve - vs);
	return (1);
}

/* tag_is - the tag's name is name (any case) */
bool
tag_is(const struct tag *t, const char *name)
{
	return (strlen(name) == t->nlen &&
	    strncasecmp(t->name, name, t->nlen) == 0);
}

/* tag_value_is - the tag's value is value (any case) */
bool
tag_value_is(const struct tag *t, const char *value)
{
	return (strlen(value) == t->vlen &&
	    strncasecmp(t->value, value, t->vlen) == 0);
}
