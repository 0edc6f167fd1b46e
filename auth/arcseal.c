/*
 * NAME
 *	arcseal - add our ARC set to a message we pass on (RFC 8617)
 * DESCRIPTION
 *	See arcseal.h. The header fields and the relaxed body hash come
 *	from the message's arc_msg (auth/arc.c), which verified the chain
 *	as the message streamed: nothing is read twice. The key is loaded
 *	by signkey_load() and the signatures made by signed_sign(), as for
 *	DKIM signing.
 * SEE ALSO
 *	RFC 8617 4.1.1 (AAR), 4.1.2 (AMS), 4.1.3 (AS), 5.1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "auth/arcseal.h"
#include "auth/signed.h"
#include "auth/signkey.h"
#include "util/am.h"

#define ARCSEAL_VALUE_MAX	8192	/* an AMS or AS value */

struct arcseal {
	char	 domain[LIM_DOMAIN];
	char	 selector[64];
	struct signkey key;
};

/* RFC 6376 5.4.1 (as auth/sign.c) and the MIME fields; no ARC fields */
static const char *const seal_fields[] = {
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "In-Reply-To",
	"References", "Message-ID", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", "List-Id", "List-Post",
	"List-Unsubscribe", NULL,
};

/* arcseal_new - the sealing domain, selector and key */
struct arcseal *
arcseal_new(const char *domain, const char *selector, const char *key,
    bool require_safe, struct buf *why)
{
	struct arcseal *s;

	if (domain[0] == '\0' || selector[0] == '\0' ||
	    strlen(domain) >= sizeof(s->domain) ||
	    strlen(selector) >= sizeof(s->selector) ||
	    strpbrk(domain, " \t;=") != NULL ||
	    strpbrk(selector, " \t;=") != NULL) {
		buf_setf(why, "arc.seal_key needs arc.seal_domain and "
		    "arc.seal_selector (a domain and a selector)");
		return (NULL);
	}
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		buf_setf(why, "out of memory");
		return (NULL);
	}
	snprintf(s->domain, sizeof(s->domain), "%s", domain);
	snprintf(s->selector, sizeof(s->selector), "%s", selector);
	if (signkey_load(key, require_safe, &s->key, why) != AM_OK) {
		buf_printf(why, " (arc.seal_key %s)", key);
		arcseal_free(&s);
		return (NULL);
	}
	return (s);
}

/* arcseal_free - release the key */
void
arcseal_free(struct arcseal **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	signkey_clear(&(*sp)->key);
	free(*sp);
	*sp = NULL;
}

/* arcseal_set_clear - forget a set */
void
arcseal_set_clear(struct arcseal_set *set)
{
	buf_free(&set->aar);
	buf_free(&set->ams);
	buf_free(&set->as);
	memset(set, 0, sizeof(*set));
}

/* not_sealed - nothing added, and why */
static int
not_sealed(struct arcseal_set *set, const char *note)
{
	set->i = 0;
	snprintf(set->note, sizeof(set->note), "%s", note);
	return (AM_OK);
}

/* in_list - is name one of the fields we sign? */
static bool
in_list(const char *name)
{
	const char *const *p;

	for (p = seal_fields; *p != NULL; p++)
		if (strcasecmp(name, *p) == 0)
			return (true);
	return (false);
}

/* first_subject - index of the first Subject field, or -1 */
static int
first_subject(const struct arc_msg *a, int nf)
{
	const char *n, *v;
	int	 j;

	for (j = 0; j < nf; j++) {
		arc_field_at(a, j, &n, &v);
		if (strcasecmp(n, "Subject") == 0)
			return (j);
	}
	return (-1);
}

/*
 * field - field j as the message leaves: the changed Subject (index subj)
 * has its new value, an added one is last (index nf)
 */
static void
field(const struct arc_msg *a, const struct arcseal_in *in, int j,
    int nf, int subj, const char **name_r, const char **value_r)
{
	if (j == nf) {			/* in->subject_add: the last one */
		*name_r = "Subject";
		*value_r = in->subject;
		return;
	}
	arc_field_at(a, j, name_r, value_r);
	if (j == subj)
		*value_r = in->subject;
}

/*
 * ams_make - the ARC-Message-Signature up to its empty b=, and its
 * signing input: for each h= name in order the lowest instance not yet
 * used (RFC 6376 5.4.2), relaxed, then the AMS itself
 */
static int
ams_make(const struct arcseal *s, const struct arc_msg *a,
    const struct arcseal_in *in, int i, const char *bh, struct buf *ams,
    struct buf *data)
{
	const char *n, *v, *hn, **names = NULL;
	bool	*used = NULL;
	int	 nf = arc_nfields(a), total, nn = 0, j, k, subj = -1;
	int	 st = AM_TEMP;

	total = nf + (in->subject != NULL && in->subject_add);
	if (in->subject != NULL && !in->subject_add)
		subj = first_subject(a, nf);
	if ((used = calloc((size_t)total + 1, sizeof(*used))) == NULL ||
	    (names = calloc((size_t)total + 1, sizeof(*names))) == NULL)
		goto out;
	st = buf_printf(ams, "i=%d; a=%s-sha256; c=relaxed/relaxed; d=%s;\n"
	    "\ts=%s; t=%lld;\n\th=", i, s->key.type == SIGNKEY_ED25519 ?
	    "ed25519" : "rsa", s->domain, s->selector, (long long)time(NULL));
	for (j = 0; j < total && st == AM_OK; j++) {
		field(a, in, j, nf, subj, &n, &v);
		if (in_list(n)) {
			st = buf_printf(ams, "%s%s", nn ? ":" : "", n);
			names[nn++] = n;
		}
	}
	if (st == AM_OK)
		st = buf_printf(ams, ";\n\tbh=%s;\n\tb=", bh);
	for (k = 0; k < nn && st == AM_OK; k++) {
		hn = names[k];
		for (j = total - 1; j >= 0; j--) {
			field(a, in, j, nf, subj, &n, &v);
			if (!used[j] && strcasecmp(n, hn) == 0)
				break;
		}
		if (j < 0)
			continue;
		used[j] = true;
		st = arc_canon_relaxed(data, n, v, true);
	}
	if (st == AM_OK)
		st = arc_canon_relaxed(data, "ARC-Message-Signature",
		    buf_str(ams), false);
out:
	free(used);
	free(names);
	return (st);
}

/* as_make - the ARC-Seal up to its empty b=, and its signing input */
static int
as_make(const struct arcseal *s, const struct arc_msg *a,
    const struct arcseal_set *set, struct buf *as, struct buf *data)
{
	int	 st = AM_OK;

	if (strcmp(set->cv, "pass") == 0)	/* 5.1.2: fail seals ours */
		st = arc_chain_canon(a, data);
	if (st == AM_OK)
		st = arc_canon_relaxed(data, "ARC-Authentication-Results",
		    buf_str(set->aar), true);
	if (st == AM_OK)
		st = arc_canon_relaxed(data, "ARC-Message-Signature",
		    buf_str(set->ams), true);
	if (st == AM_OK)
		st = buf_printf(as, "i=%d; a=%s-sha256; t=%lld; cv=%s;\n"
		    "\td=%s; s=%s;\n\tb=", set->i, s->key.type ==
		    SIGNKEY_ED25519 ? "ed25519" : "rsa", (long long)time(NULL),
		    set->cv, s->domain, s->selector);
	if (st == AM_OK)
		st = arc_canon_relaxed(data, "ARC-Seal", buf_str(as), false);
	return (st);
}

/* seal_cv - instance and cv= of our set, or why none (a note) */
static const char *
seal_cv(const struct arc_msg *a, const struct arc_result *r,
    struct arcseal_set *set, struct buf *tmp)
{
	set->i = r->n + 1;
	switch (r->result) {
	case ARC_RES_NONE:
		set->cv = "none";
		break;
	case ARC_RES_PASS:
		set->cv = "pass";
		break;
	case ARC_RES_FAIL:
		set->cv = "fail";
		if (arc_chain_canon(a, tmp) != AM_OK)
			return ("chain broken or already cv=fail");
		break;
	default:
		return ("chain temperror");
	}
	if (set->i > LIM_ARC_SETS)
		return ("chain has 50 sets");
	if (arc_nfields(a) < 0)
		return ("header too large");
	return (NULL);
}

/* arcseal_seal - our set: AAR, AMS, AS */
int
arcseal_seal(const struct arcseal *s, const struct arc_msg *a,
    const struct arc_result *r, const struct arcseal_in *in,
    struct arcseal_set *set_r, struct buf *why)
{
	struct buf *data = NULL;
	const char *note, *ar = in->authres;
	char	 bh[128];

	arcseal_set_clear(set_r);
	while (*ar == ' ' || *ar == '\t')
		ar++;
	if ((data = buf_new(LIM_ARC_HDR_BYTES + LIM_AUTHRES * 2)) == NULL ||
	    (set_r->aar = buf_new(LIM_AUTHRES)) == NULL ||
	    (set_r->ams = buf_new(ARCSEAL_VALUE_MAX)) == NULL ||
	    (set_r->as = buf_new(ARCSEAL_VALUE_MAX)) == NULL)
		goto out;
	if ((note = seal_cv(a, r, set_r, data)) == NULL && *ar == '\0')
		note = "no Authentication-Results";
	if (note == NULL && arc_seal_bh(a, bh, sizeof(bh)) != AM_OK)
		note = "no body hash";
	if (note != NULL) {
		buf_free(&data);
		arcseal_set_clear(set_r);
		return (not_sealed(set_r, note));
	}
	buf_reset(data);
	if (buf_printf(set_r->aar, "i=%d; %s", set_r->i, ar) != AM_OK ||
	    ams_make(s, a, in, set_r->i, bh, set_r->ams, data) != AM_OK)
		goto out;
	if (signed_sign(&s->key, (const unsigned char *)data->data,
	    data->len, set_r->ams, why) != AM_OK)
		goto fail;
	buf_reset(data);
	if (as_make(s, a, set_r, set_r->as, data) != AM_OK)
		goto out;
	if (signed_sign(&s->key, (const unsigned char *)data->data,
	    data->len, set_r->as, why) != AM_OK)
		goto fail;
	buf_free(&data);
	return (AM_OK);
out:
	buf_setf(why, "ARC set too long or out of memory");
fail:
	buf_free(&data);
	arcseal_set_clear(set_r);
	return (AM_TEMP);
}
