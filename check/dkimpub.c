/*
 * NAME
 *	dkimpub - the domain's published DKIM keys, audited
 * DESCRIPTION
 *	ck_dkim() looks up selector._domainkey.<domain> for the selectors
 *	given (--selector s1,s2; each must exist) or, without them, a short
 *	list of common ones (absent ones are not reported). Each key found
 *	is read by auth/dkimkey.c: RSA under 1024 bits fail (RFC 8301),
 *	under 2048 warn; Ed25519 ok (RFC 8463); t=y (testing) warn; h=
 *	without sha256 fail (sha1 only); an empty p= is a revoked key.
 * SEE ALSO
 *	RFC 6376 3.6.1, RFC 8301 3.1 and 3.2, RFC 8463
 */
#include <stdio.h>
#include <string.h>

#include "auth/dkimkey.h"
#include "check/ck.h"
#include "util/am.h"

/* common selectors tried when none is given */
static const char *const common_selectors[] = {
	"default", "dkim", "mail", "selector1", "selector2", "google", "k1",
	"s1", "s2", NULL,
};

/* judge_key - findings for one key */
static void
judge_key(struct ck *c, const char *sel, const struct dkim_key *k)
{
	if (k->revoked) {
		ck_add(c, "dkim.revoked", CK_INFO, "", "%s: key revoked (empty "
		    "p=)", sel);
		return;
	}
	if (k->h_given && !k->sha256)
		ck_add(c, "dkim.sha1_only", CK_FAIL, "allow sha256 (or drop "
		    "h=)", "%s: h= allows only sha1, which RFC 8301 forbids",
		    sel);
	if (k->testing)
		ck_add(c, "dkim.testing", CK_WARN, "remove t=y once signing "
		    "works", "%s: t=y, receivers may treat signatures as "
		    "unsigned", sel);
	if (k->type == DKIM_KEY_ED25519)
		ck_add(c, "dkim.key", CK_OK, "", "%s: Ed25519 key", sel);
	else if (k->bits < 1024)
		ck_add(c, "dkim.rsa_too_short", CK_FAIL, "publish a 2048-bit "
		    "key (authmilter genkey)", "%s: RSA %u bits; receivers "
		    "refuse keys under 1024 (RFC 8301)", sel, k->bits);
	else if (k->bits < 2048)
		ck_add(c, "dkim.rsa_short", CK_WARN, "move to a 2048-bit key",
		    "%s: RSA %u bits", sel, k->bits);
	else
		ck_add(c, "dkim.key", CK_OK, "", "%s: RSA %u bits", sel,
		    k->bits);
}

/* one_selector - look up and judge one selector; true if found */
static bool
one_selector(struct ck *c, const char *sel, bool given)
{
	struct dns_answer *ans = NULL;
	struct dkim_key k;
	char	 name[LIM_DOMAIN * 2];
	int	 st;

	snprintf(name, sizeof(name), "%s._domainkey.%s", sel, c->domain);
	st = ck_query(c, name, DNS_T_TXT, &ans);
	if (st == DNS_TEMP) {
		ck_missing(c, "dkim");
		dns_answer_free(&ans);
		return (false);
	}
	if (st != DNS_OK) {
		if (given)
			ck_add(c, "dkim.missing", CK_FAIL, "publish the key "
			    "(authmilter genkey prints the record)",
			    "%s: no key at %s", sel, name);
		dns_answer_free(&ans);
		return (false);
	}
	if (ans->nrr > 1)
		ck_add(c, "dkim.multiple", CK_FAIL, "publish one record per "
		    "selector", "%s: %zu TXT records at %s", sel, ans->nrr,
		    name);
	else if (dkimkey_parse((const char *)ans->rr[0].data, ans->rr[0].len,
	    &k) != AM_OK)
		ck_add(c, "dkim.bad_record", CK_FAIL, "fix the record (RFC "
		    "6376 3.6.1)", "%s: %s", sel, k.reason);
	else
		judge_key(c, sel, &k);
	dns_answer_free(&ans);
	return (true);
}

/* ck_dkim - keys at the given or common selectors */
void
ck_dkim(struct ck *c)
{
	char	 sel[64];
	const char *p;
	size_t	 n;
	int	 i, found = 0;

	if (c->selectors != NULL) {
		for (p = c->selectors; *p != '\0'; p += n + (p[n] == ',')) {
			n = strcspn(p, ",");
			if (n == 0 || n >= sizeof(sel))
				continue;
			snprintf(sel, sizeof(sel), "%.*s", (int)n, p);
			found += one_selector(c, sel, true);
		}
		return;
	}
	for (i = 0; common_selectors[i] != NULL; i++)
		found += one_selector(c, common_selectors[i], false);
	if (found == 0 && !c->incomplete)
		ck_add(c, "dkim.none_found", CK_WARN, "name your selectors "
		    "with --selector", "no key at the common selectors (%s, "
		    "...)", common_selectors[0]);
}
