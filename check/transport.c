/*
 * NAME
 *	transport - MTA-STS and TLS reporting records
 * DESCRIPTION
 *	ck_transport() looks at _mta-sts.<domain> (RFC 8461 3.1: one TXT
 *	"v=STSv1; id=<1-32 alphanumerics>") and _smtp._tls.<domain> (RFC
 *	8460 3: "v=TLSRPTv1; rua=<mailto: or https: URIs>"). The MTA-STS
 *	policy file itself is not fetched: the audit makes no connection.
 *	Absent records are info; malformed ones warn.
 * SEE ALSO
 *	RFC 8461 3.1, RFC 8460 3
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "check/ck.h"
#include "util/taglist.h"

/* first_txt - the first TXT at name starting with prefix; -1 DNS trouble */
static int
first_txt(struct ck *c, const char *name, const char *prefix, char *dst,
    size_t len)
{
	struct dns_answer *ans = NULL;
	size_t	 i;
	int	 n = 0, st;

	st = ck_query(c, name, DNS_T_TXT, &ans);
	for (i = 0; st == DNS_OK && i < ans->nrr; i++)
		if (strncasecmp((const char *)ans->rr[i].data, prefix,
		    strlen(prefix)) == 0 && n++ == 0)
			snprintf(dst, len, "%s", (const char *)ans->rr[i].data);
	dns_answer_free(&ans);
	return (st == DNS_TEMP ? -1 : n);
}

/* sts_ok - v=STSv1 first, id= of 1-32 letters and digits */
static bool
sts_ok(const char *txt)
{
	const char *p = txt, *end = txt + strlen(txt);
	struct tag t;
	bool	 v = false, id = false;
	size_t	 i;
	int	 k = 0, st;

	while ((st = taglist_next(&p, end, &t)) == 1) {
		if (k++ == 0)
			v = tag_is(&t, "v") && tag_value_is(&t, "STSv1");
		else if (tag_is(&t, "id")) {
			id = t.vlen >= 1 && t.vlen <= 32;
			for (i = 0; i < t.vlen; i++)
				id &= isalnum((unsigned char)t.value[i]) != 0;
		}
	}
	return (st == 0 && v && id);
}

/* rpt_ok - v=TLSRPTv1 first, rua= of mailto: or https: URIs */
static bool
rpt_ok(const char *txt)
{
	const char *p = txt, *end = txt + strlen(txt);
	struct tag t;
	bool	 v = false, rua = false;
	int	 k = 0, st;

	while ((st = taglist_next(&p, end, &t)) == 1) {
		if (k++ == 0)
			v = tag_is(&t, "v") && tag_value_is(&t, "TLSRPTv1");
		else if (tag_is(&t, "rua"))
			rua = (t.vlen > 7 && strncasecmp(t.value, "mailto:",
			    7) == 0) || (t.vlen > 8 && strncasecmp(t.value,
			    "https://", 8) == 0);
	}
	return (st == 0 && v && rua);
}

/* one record kind: where, how it starts, how it is judged, what to say */
struct tport {
	const char *label, *prefix;	/* "_mta-sts", "v=STSv1" */
	const char *missing;		/* the part named when DNS fails */
	bool	(*ok)(const char *txt);
	const char *id_none, *fix_none, *why_none;
	const char *id_bad, *fix_bad, *why_bad;
	const char *id_ok, *why_ok;
};

static const struct tport tports[] = {
	{"_mta-sts", "v=STSv1", "mta-sts", sts_ok,
	    "tls.mta_sts_missing", "publish MTA-STS (RFC 8461) to have "
	    "senders require TLS", "no MTA-STS record",
	    "tls.mta_sts_bad", "one record: \"v=STSv1; id=<1-32 letters or "
	    "digits>\"", "MTA-STS record is malformed",
	    "tls.mta_sts", "MTA-STS record present (policy file not fetched)"},
	{"_smtp._tls", "v=TLSRPTv1", "tls-rpt", rpt_ok,
	    "tls.tlsrpt_missing", "publish \"v=TLSRPTv1; rua=mailto:...\" "
	    "(RFC 8460)", "no TLS reporting record",
	    "tls.tlsrpt_bad", "one record: \"v=TLSRPTv1; rua=mailto:...\"",
	    "TLS reporting record is malformed",
	    "tls.tlsrpt", "TLS reporting record present"},
};

/* ck_transport - MTA-STS and TLS-RPT */
void
ck_transport(struct ck *c)
{
	char	 name[LIM_DOMAIN + 16], txt[LIM_DNS_TXT];
	const struct tport *t;
	size_t	 i;
	int	 n;

	for (i = 0; i < sizeof(tports) / sizeof(tports[0]); i++) {
		t = &tports[i];
		snprintf(name, sizeof(name), "%s.%s", t->label, c->domain);
		if ((n = first_txt(c, name, t->prefix, txt, sizeof(txt))) < 0)
			ck_missing(c, t->missing);
		else if (n == 0)
			ck_add(c, t->id_none, CK_INFO, t->fix_none, "%s",
			    t->why_none);
		else if (n > 1 || !t->ok(txt))
			ck_add(c, t->id_bad, CK_WARN, t->fix_bad, "%s",
			    t->why_bad);
		else
			ck_add(c, t->id_ok, CK_OK, "", "%s", t->why_ok);
	}
}
