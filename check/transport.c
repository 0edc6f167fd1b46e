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

/* ck_transport - MTA-STS and TLS-RPT */
void
ck_transport(struct ck *c)
{
	char	 name[LIM_DOMAIN + 16], txt[LIM_DNS_TXT];
	int	 n;

	snprintf(name, sizeof(name), "_mta-sts.%s", c->domain);
	if ((n = first_txt(c, name, "v=STSv1", txt, sizeof(txt))) < 0)
		ck_missing(c, "mta-sts");
	else if (n == 0)
		ck_add(c, "tls.mta_sts_missing", CK_INFO, "publish MTA-STS "
		    "(RFC 8461) to have senders require TLS",
		    "no MTA-STS record");
	else if (n > 1 || !sts_ok(txt))
		ck_add(c, "tls.mta_sts_bad", CK_WARN, "one record: "
		    "\"v=STSv1; id=<1-32 letters or digits>\"",
		    "MTA-STS record is malformed");
	else
		ck_add(c, "tls.mta_sts", CK_OK, "", "MTA-STS record present "
		    "(policy file not fetched)");
	snprintf(name, sizeof(name), "_smtp._tls.%s", c->domain);
	if ((n = first_txt(c, name, "v=TLSRPTv1", txt, sizeof(txt))) < 0)
		ck_missing(c, "tls-rpt");
	else if (n == 0)
		ck_add(c, "tls.tlsrpt_missing", CK_INFO, "publish "
		    "\"v=TLSRPTv1; rua=mailto:...\" (RFC 8460)",
		    "no TLS reporting record");
	else if (n > 1 || !rpt_ok(txt))
		ck_add(c, "tls.tlsrpt_bad", CK_WARN, "one record: "
		    "\"v=TLSRPTv1; rua=mailto:...\"",
		    "TLS reporting record is malformed");
	else
		ck_add(c, "tls.tlsrpt", CK_OK, "", "TLS reporting record "
		    "present");
}
