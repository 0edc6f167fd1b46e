/*
 * NAME
 *	psl - the public suffix list: organizational domains
 * DESCRIPTION
 *	See psl.h. The rules live in one open-addressing hash set keyed by
 *	the rule without its "*." or "!" prefix, with a flag byte saying
 *	which kinds of rule that name carries ("kawasaki.jp" may be both a
 *	wildcard base and a plain rule). A lookup walks the suffixes of the
 *	domain, shortest first: one probe per label, no scan of the list.
 *
 *	The list is a few thousand rules (about 10k lines), loaded once per
 *	configuration; a power-of-two table at most half full keeps probes
 *	short.
 * DIAGNOSTICS
 *	psl_load() fails with a reason on a read error or an empty list;
 *	rules libidn2 refuses are counted and skipped (log_warn once).
 * THREADS
 *	Read-only after psl_load().
 * SEE ALSO
 *	https://publicsuffix.org/list/ (format and algorithm), RFC 7489 3.2
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <idn2.h>

#include "auth/psl.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"

#define PSL_NORMAL	0x01		/* "co.uk" */
#define PSL_WILD	0x02		/* "*.ck": key "ck" */
#define PSL_EXCEPT	0x04		/* "!www.ck": key "www.ck" */

#define PSL_MAX_LABELS	128		/* 253 octets: at most 127 labels */

struct psl_ent {
	char	*key;			/* NULL: empty slot */
	unsigned char flags;
};

struct psl {
	struct psl_ent *tab;
	size_t	 cap;			/* a power of two */
	size_t	 used;			/* distinct keys */
	size_t	 nrules;		/* rules loaded */
};

/* psl_hash - FNV-1a over a key */
static uint32_t
psl_hash(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 16777619u;
	}
	return (h);
}

/* psl_slot - the slot holding key, or the empty slot where it goes */
static struct psl_ent *
psl_slot(const struct psl_ent *tab, size_t cap, const char *key)
{
	size_t	 i = psl_hash(key) & (cap - 1);

	while (tab[i].key != NULL && strcmp(tab[i].key, key) != 0)
		i = (i + 1) & (cap - 1);
	return ((struct psl_ent *)&tab[i]);
}

/* psl_grow - double the table, rehashing every key */
static int
psl_grow(struct psl *psl)
{
	struct psl_ent *tab, *e;
	size_t	 cap, i;

	cap = psl->cap == 0 ? 1024 : psl->cap * 2;
	if ((tab = calloc(cap, sizeof(*tab))) == NULL)
		return (AM_TEMP);
	for (i = 0; i < psl->cap; i++) {
		if (psl->tab[i].key == NULL)
			continue;
		e = psl_slot(tab, cap, psl->tab[i].key);
		*e = psl->tab[i];
	}
	free(psl->tab);
	psl->tab = tab;
	psl->cap = cap;
	return (AM_OK);
}

/* psl_insert - add one rule of a kind under key */
static int
psl_insert(struct psl *psl, const char *key, unsigned char flag)
{
	struct psl_ent *e;

	if (2 * (psl->used + 1) > psl->cap && psl_grow(psl) != AM_OK)
		return (AM_TEMP);
	e = psl_slot(psl->tab, psl->cap, key);
	if (e->key == NULL) {
		if ((e->key = strdup(key)) == NULL)
			return (AM_TEMP);
		psl->used++;
	}
	e->flags |= flag;
	psl->nrules++;
	return (AM_OK);
}

/* psl_lower - lower-case ASCII letters in place */
static void
psl_lower(char *s)
{
	for (; *s != '\0'; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s + 32);
}

/* psl_rule - one line of the file: skip, or add its rule */
static int
psl_rule(struct psl *psl, char *line, size_t *skipped)
{
	unsigned char flag = PSL_NORMAL;
	char	*name, *ace = NULL;
	size_t	 i;
	int	 st;

	name = line + strspn(line, " \t");
	name[strcspn(name, " \t\r\n")] = '\0';	/* the rule ends at WSP */
	if (*name == '\0' || strncmp(name, "//", 2) == 0)
		return (AM_OK);
	if (name[0] == '!') {
		flag = PSL_EXCEPT;
		name++;
	} else if (name[0] == '*' && name[1] == '.') {
		flag = PSL_WILD;
		name += 2;
	}
	for (i = 0; name[i] != '\0' && (unsigned char)name[i] < 0x80; i++)
		continue;
	if (name[i] != '\0') {			/* U-labels: to A-labels */
		if (idn2_to_ascii_8z(name, &ace,
		    IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) != IDN2_OK) {
			(*skipped)++;
			return (AM_OK);
		}
		name = ace;
	}
	psl_lower(name);
	if (*name == '\0' || strchr(name, '*') != NULL) {
		(*skipped)++;		/* "*" alone, "a.*.b": not in use */
		st = AM_OK;
	} else
		st = psl_insert(psl, name, flag);
	idn2_free(ace);
	return (st);
}

/* psl_read - every rule of an open file */
static int
psl_read(struct psl *psl, FILE *fp, const char *path, struct buf *why)
{
	char	*line = NULL;
	size_t	 linecap = 0, skipped = 0;
	int	 st = AM_OK;

	errno = 0;
	while (getline(&line, &linecap, fp) != -1)
		if ((st = psl_rule(psl, line, &skipped)) != AM_OK)
			break;
	free(line);
	if (st != AM_OK)
		return (buf_why(why, st, "%s: out of memory", path));
	if (ferror(fp))
		return (buf_why(why, AM_PERM, "%s: %s", path,
		    strerror(errno)));
	if (psl->nrules == 0)
		return (buf_why(why, AM_PERM, "%s: no rules", path));
	if (skipped > 0)
		log_warn("psl: %s: %zu rules skipped (inner wildcard, or "
		    "not IDNA2008)", path, skipped);
	return (AM_OK);
}

/* psl_load - read a public suffix list file */
struct psl *
psl_load(const char *path, struct buf *why)
{
	struct psl *psl;
	FILE	*fp;
	int	 st;

	if (path == NULL || *path == '\0') {
		buf_why(why, AM_PERM, "no public suffix list file");
		return (NULL);
	}
	if ((fp = fopen(path, "r")) == NULL) {
		buf_why(why, AM_PERM, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	if ((psl = calloc(1, sizeof(*psl))) == NULL) {
		fclose(fp);
		buf_why(why, AM_TEMP, "psl: out of memory");
		return (NULL);
	}
	st = psl_read(psl, fp, path, why);
	fclose(fp);
	if (st != AM_OK)
		psl_free(&psl);
	return (psl);
}

/* psl_free - release the list and clear the caller's pointer */
void
psl_free(struct psl **pp)
{
	struct psl *psl;
	size_t	 i;

	if (pp == NULL || (psl = *pp) == NULL)
		return;
	*pp = NULL;
	for (i = 0; i < psl->cap; i++)
		free(psl->tab[i].key);
	free(psl->tab);
	free(psl);
}

/* psl_nrules - how many rules were loaded */
size_t
psl_nrules(const struct psl *psl)
{
	return (psl->nrules);
}

/* psl_flags - the kinds of rule stored under a name */
static unsigned char
psl_flags(const struct psl *psl, const char *name)
{
	const struct psl_ent *e;

	e = psl_slot(psl->tab, psl->cap, name);
	return (e->key != NULL ? e->flags : 0);
}

/* psl_labels - normalise domain into dom; label offsets; count or -1 */
static int
psl_labels(const char *domain, char *dom, size_t off[PSL_MAX_LABELS])
{
	size_t	 len, i, label = 0;
	int	 n = 0;

	len = strnlen(domain, LIM_DOMAIN);
	if (len > 0 && domain[len - 1] == '.')
		len--;
	if (len == 0 || len > 253)
		return (-1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)domain[i];

		if (c <= ' ' || c >= 0x7f)
			return (-1);
		if (c == '.') {
			if (label == 0)
				return (-1);
			label = 0;
		} else if (label++ == 0)
			off[n++] = i;
		if (label > 63)
			return (-1);
		dom[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	dom[len] = '\0';
	return (n);
}

/* psl_suffix_labels - labels in the public suffix of a domain */
static int
psl_suffix_labels(const struct psl *psl, const char *dom,
    const size_t off[], int n)
{
	unsigned char f;
	int	 k, best = 1, except = 0;	/* default rule "*" */

	for (k = 1; k <= n; k++) {
		f = psl_flags(psl, dom + off[n - k]);
		if (f & PSL_EXCEPT)
			except = k;
		if ((f & PSL_NORMAL) && k > best)
			best = k;
		if ((f & PSL_WILD) && k < n && k + 1 > best)
			best = k + 1;
	}
	return (except > 0 ? except - 1 : best);	/* exceptions prevail */
}

/* psl_org_domain - public suffix plus one label */
int
psl_org_domain(const struct psl *psl, const char *domain, char *dst,
    size_t len)
{
	char	 dom[LIM_DOMAIN];
	size_t	 off[PSL_MAX_LABELS], n;
	int	 nlabels, ps;
	const char *org;

	if (len > 0)
		dst[0] = '\0';
	if (psl == NULL || domain == NULL ||
	    (nlabels = psl_labels(domain, dom, off)) <= 0)
		return (AM_PERM);
	ps = psl_suffix_labels(psl, dom, off, nlabels);
	if (ps >= nlabels)
		return (AM_PERM);		/* a public suffix itself */
	org = dom + off[nlabels - ps - 1];
	n = strlen(org);
	if (n >= len)
		return (AM_PERM);
	memcpy(dst, org, n + 1);
	return (AM_OK);
}
