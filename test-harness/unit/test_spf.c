/*
 * NAME
 *	test_spf - check_host() for HELO and MAIL FROM over dns_mock
 * DESCRIPTION
 *	Table-driven: each row is one check against a shared zone, with
 *	the result, whether it ran, and the domain and identity it names.
 *	Then: HELO and MAIL FROM are separate checks, the obsolete SPF RR
 *	type is never asked for, and one struct spf serves many threads.
 *	The limits of 4.6.4 across include and redirect (10 terms, 2 void
 *	lookups, 10 PTR names) and the time budget; records libspf2 gets
 *	wrong or cannot take (/0, the CVE-2023-42118 record). Hostile HELO
 *	and MAIL FROM strings: test_spf_peer.c.
 * SEE ALSO
 *	RFC 7208 2.3, 2.4, 4.3, 4.5, 4.6.4, 5, 6, 12
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "util/am.h"
#include "util/addr.h"
#include "util/buf.h"
#include "dns/dns.h"
#include "auth/result.h"
#include "auth/spf.h"

enum ident { HELO, MAILFROM };

struct spf_case {
	const char *label;
	enum ident ident;
	const char *client;
	const char *helo;
	const char *mailfrom;
	enum spf_res want;
	bool	 checked;
	const char *domain;		/* NULL: not checked */
	const char *identity;		/* NULL: not checked */
};

#define OK	true
#define SKIP	false

static const struct spf_case cases[] = {
	{"pass", MAILFROM, "192.0.2.10", "mx.client.example",
	    "user@pass.example", SPF_RES_PASS, OK, "pass.example",
	    "user@pass.example"},
	{"fail", MAILFROM, "198.51.100.1", "mx.client.example",
	    "user@pass.example", SPF_RES_FAIL, OK, "pass.example", NULL},
	{"softfail", MAILFROM, "192.0.2.99", NULL, "user@soft.example",
	    SPF_RES_SOFTFAIL, OK, "soft.example", NULL},
	{"neutral ?all", MAILFROM, "192.0.2.99", NULL, "u@neutral.example",
	    SPF_RES_NEUTRAL, OK, NULL, NULL},
	{"neutral, no match", MAILFROM, "192.0.2.99", NULL,
	    "u@default.example", SPF_RES_NEUTRAL, OK, NULL, NULL},
	{"none: TXT but no SPF", MAILFROM, "192.0.2.10", NULL,
	    "u@notspf.example", SPF_RES_NONE, OK, "notspf.example", NULL},
	{"none: NXDOMAIN", MAILFROM, "192.0.2.10", NULL, "u@none.example",
	    SPF_RES_NONE, OK, "none.example", NULL},
	{"none: NODATA", MAILFROM, "192.0.2.10", NULL, "u@nodata.example",
	    SPF_RES_NONE, OK, NULL, NULL},
	{"permerror: two records", MAILFROM, "192.0.2.10", NULL,
	    "u@two.example", SPF_RES_PERMERROR, OK, "two.example", NULL},
	{"permerror: bad ip4", MAILFROM, "192.0.2.10", NULL,
	    "u@syntax.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"permerror: unknown mechanism", MAILFROM, "192.0.2.10", NULL,
	    "u@unknown.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"temperror: TXT TEMP", MAILFROM, "192.0.2.10", NULL,
	    "u@temp.example", SPF_RES_TEMPERROR, OK, "temp.example", NULL},
	{"include: pass", MAILFROM, "198.51.100.7", NULL, "u@inc.example",
	    SPF_RES_PASS, OK, "inc.example", NULL},
	{"include: no match", MAILFROM, "192.0.2.10", NULL, "u@inc.example",
	    SPF_RES_FAIL, OK, NULL, NULL},
	{"include: target missing", MAILFROM, "192.0.2.10", NULL,
	    "u@incnone.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"include: target TEMP", MAILFROM, "192.0.2.10", NULL,
	    "u@inctemp.example", SPF_RES_TEMPERROR, OK, NULL, NULL},
	{"include: loop", MAILFROM, "192.0.2.10", NULL, "u@loop.example",
	    SPF_RES_PERMERROR, OK, NULL, NULL},
	{"a: pass", MAILFROM, "192.0.2.20", NULL, "u@a.example",
	    SPF_RES_PASS, OK, NULL, NULL},
	{"a: fail", MAILFROM, "192.0.2.21", NULL, "u@a.example",
	    SPF_RES_FAIL, OK, NULL, NULL},
	{"a:/24", MAILFROM, "192.0.2.77", NULL, "u@acidr.example",
	    SPF_RES_PASS, OK, NULL, NULL},
	{"mx: pass v4", MAILFROM, "192.0.2.30", NULL, "u@mx.example",
	    SPF_RES_PASS, OK, NULL, NULL},
	{"mx: pass v6", MAILFROM, "2001:db8::30", NULL, "u@mx.example",
	    SPF_RES_PASS, OK, NULL, NULL},
	{"mx: fail", MAILFROM, "192.0.2.31", NULL, "u@mx.example",
	    SPF_RES_FAIL, OK, NULL, NULL},
	{"mx: v6 client, v4-only hosts", MAILFROM, "2001:db8::99", NULL,
	    "u@mxv4.example", SPF_RES_FAIL, OK, NULL, NULL},
	{"ip6: pass", MAILFROM, "2001:db8::1", NULL, "u@v6.example",
	    SPF_RES_PASS, OK, NULL, NULL},
	{"ip6: v4 client fails", MAILFROM, "192.0.2.10", NULL,
	    "u@v6.example", SPF_RES_FAIL, OK, NULL, NULL},
	{"redirect: pass", MAILFROM, "192.0.2.10", NULL, "u@redir.example",
	    SPF_RES_PASS, OK, "redir.example", NULL},
	{"redirect: target missing", MAILFROM, "192.0.2.10", NULL,
	    "u@redirnone.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"exists with %{i}", MAILFROM, "192.0.2.10", NULL, "u@ex.example",
	    SPF_RES_PASS, OK, NULL, NULL},
	{"void: two are fine", MAILFROM, "192.0.2.10", NULL,
	    "u@void2.example", SPF_RES_PASS, OK, NULL, NULL},
	{"void: three is permerror", MAILFROM, "192.0.2.10", NULL,
	    "u@void.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"too many lookups", MAILFROM, "192.0.2.10", NULL, "u@many.example",
	    SPF_RES_PERMERROR, OK, NULL, NULL},
	{"IPv4-mapped client", MAILFROM, "::ffff:192.0.2.10", NULL,
	    "user@pass.example", SPF_RES_PASS, OK, NULL, NULL},
	{"loopback is evaluated", MAILFROM, "127.0.0.1", NULL,
	    "user@pass.example", SPF_RES_FAIL, OK, NULL, NULL},
	{"brackets stripped", MAILFROM, "192.0.2.10", NULL,
	    "<user@pass.example>", SPF_RES_PASS, OK, "pass.example",
	    "user@pass.example"},
	{"null sender via HELO", MAILFROM, "192.0.2.10", "pass.example", "",
	    SPF_RES_PASS, OK, "pass.example", "postmaster@pass.example"},
	{"null sender <> via HELO", MAILFROM, "198.51.100.1", "pass.example",
	    "<>", SPF_RES_FAIL, OK, "pass.example", "postmaster@pass.example"},
	{"null sender, NULL", MAILFROM, "192.0.2.10", "pass.example", NULL,
	    SPF_RES_PASS, OK, "pass.example", "postmaster@pass.example"},
	{"null sender, literal HELO", MAILFROM, "192.0.2.10", "[192.0.2.10]",
	    "<>", SPF_RES_NONE, SKIP, NULL, NULL},
	{"no local part", MAILFROM, "192.0.2.10", NULL, "@pass.example",
	    SPF_RES_PASS, OK, "pass.example", "postmaster@pass.example"},
	{"no @", MAILFROM, "192.0.2.10", NULL, "user", SPF_RES_NONE, OK, "",
	    "user"},
	{"empty domain", MAILFROM, "192.0.2.10", NULL, "user@",
	    SPF_RES_NONE, OK, "", "user@"},
	{"single-label domain", MAILFROM, "192.0.2.10", NULL,
	    "user@localhost", SPF_RES_NONE, OK, "localhost", NULL},
	{"HELO pass", HELO, "203.0.113.5", "mail.helo.example", NULL,
	    SPF_RES_PASS, OK, "mail.helo.example", "mail.helo.example"},
	{"HELO fail", HELO, "203.0.113.6", "mail.helo.example", NULL,
	    SPF_RES_FAIL, OK, "mail.helo.example", NULL},
	{"HELO none", HELO, "203.0.113.6", "mx.nohelo.example", NULL,
	    SPF_RES_NONE, OK, NULL, NULL},
	{"HELO empty", HELO, "203.0.113.5", "", NULL, SPF_RES_NONE, SKIP,
	    "", NULL},
	{"HELO NULL", HELO, "203.0.113.5", NULL, NULL, SPF_RES_NONE, SKIP,
	    "", NULL},
	{"HELO literal", HELO, "203.0.113.5", "[203.0.113.5]", NULL,
	    SPF_RES_NONE, SKIP, "", NULL},
	{"HELO bare address", HELO, "203.0.113.5", "203.0.113.5", NULL,
	    SPF_RES_NONE, SKIP, "", NULL},
	{"HELO no dot", HELO, "203.0.113.5", "localhost", NULL,
	    SPF_RES_NONE, SKIP, "", "localhost"},
	{"include chain of 10", MAILFROM, "192.0.2.10", NULL,
	    "u@c0.chain10.example", SPF_RES_PASS, OK, NULL, NULL},
	{"include chain of 11", MAILFROM, "192.0.2.10", NULL,
	    "u@c0.chain11.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"10 mixed terms", MAILFROM, "192.0.2.10", NULL, "u@mix10.example",
	    SPF_RES_PASS, OK, NULL, NULL},
	{"11 mixed terms", MAILFROM, "192.0.2.10", NULL, "u@mix11.example",
	    SPF_RES_PERMERROR, OK, NULL, NULL},
	{"match before the 11th term", MAILFROM, "198.51.100.9", NULL,
	    "u@mix11.example", SPF_RES_PASS, OK, NULL, NULL},
	{"void: exists and mx count", MAILFROM, "192.0.2.10", NULL,
	    "u@voidmix.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"void: MX hosts without address are not", MAILFROM, "192.0.2.10",
	    NULL, "u@mxnoaddr.example", SPF_RES_FAIL, OK, NULL, NULL},
	{"void: across include", MAILFROM, "192.0.2.10", NULL,
	    "u@voidinc.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"PTR: 11 names, 11th ignored", MAILFROM, "192.0.2.66", NULL,
	    "u@ptr.example", SPF_RES_FAIL, OK, NULL, NULL},
	{"PTR: match in the first 10", MAILFROM, "192.0.2.65", NULL,
	    "u@ptr.example", SPF_RES_PASS, OK, NULL, NULL},
	{"ip4 /0", MAILFROM, "203.0.113.77", NULL, "u@any4.example",
	    SPF_RES_PASS, OK, NULL, NULL},
	{"ip4 /0, v6 client", MAILFROM, "2001:db8::77", NULL,
	    "u@any4.example", SPF_RES_FAIL, OK, NULL, NULL},
	{"a /0 with an address", MAILFROM, "203.0.113.77", NULL,
	    "u@anya.example", SPF_RES_PASS, OK, NULL, NULL},
	{"a //0, v6 client, no AAAA", MAILFROM, "2001:db8::77", NULL,
	    "u@anya.example", SPF_RES_FAIL, OK, NULL, NULL},
	{"mx //0, v6 client", MAILFROM, "2001:db8::77", NULL,
	    "u@anymx.example", SPF_RES_PASS, OK, NULL, NULL},
	{"long IPv6 text", MAILFROM, "2a01:111:f403:c0ff::1", NULL,
	    "u@longv6.example", SPF_RES_PASS, OK, NULL, NULL},
	{"long IPv6 text, outside", MAILFROM, "2a01:111:f403:e000::1", NULL,
	    "u@longv6.example", SPF_RES_FAIL, OK, NULL, NULL},
	{"empty record", MAILFROM, "192.0.2.10", NULL, "u@empty.example",
	    SPF_RES_NEUTRAL, OK, NULL, NULL},
	{"unknown modifier ignored", MAILFROM, "192.0.2.10", NULL,
	    "u@unkmod.example", SPF_RES_PASS, OK, NULL, NULL},
	{"redirect ignored beside all", MAILFROM, "192.0.2.10", NULL,
	    "u@redirall.example", SPF_RES_SOFTFAIL, OK, NULL, NULL},
	{"redirect taken after mechanisms", MAILFROM, "192.0.2.10", NULL,
	    "u@redirlast.example", SPF_RES_PASS, OK, NULL, NULL},
	{"two redirect= is permerror", MAILFROM, "192.0.2.10", NULL,
	    "u@redir2.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"NUL in record", MAILFROM, "192.0.2.10", NULL, "u@nul.example",
	    SPF_RES_PERMERROR, OK, NULL, NULL},
	{"8-bit byte in record", MAILFROM, "192.0.2.10", NULL,
	    "u@8bit.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"macro letter c outside exp", MAILFROM, "192.0.2.10", NULL,
	    "u@macc.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"bad top label", MAILFROM, "192.0.2.10", NULL, "u@toplab.example",
	    SPF_RES_PERMERROR, OK, NULL, NULL},
	{"syntax error in included record", MAILFROM, "192.0.2.10", NULL,
	    "u@incbad.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"syntax error after the match", MAILFROM, "192.0.2.10", NULL,
	    "u@late.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"too large for libspf2: not neutral", MAILFROM, "192.0.2.10", NULL,
	    "u@big.example", SPF_RES_PERMERROR, OK, NULL, NULL},
	{"matched ip4 ends the text", MAILFROM, "192.0.2.10", NULL,
	    "u@bigmatch.example", SPF_RES_PASS, OK, NULL, NULL},
	{"101 ip4 then -all (libspf2: neutral)", MAILFROM, "203.0.113.5",
	    NULL, "u@bigmatch.example", SPF_RES_FAIL, OK, NULL, NULL},
};

/* zone_add_many - "v=spf1 include:l1.many.example ... -all" */
static void
zone_add_many(struct dns *d)
{
	char	 rec[512], name[64];
	size_t	 o;
	int	 i;

	o = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
	for (i = 1; i <= 11; i++) {
		snprintf(name, sizeof(name), "l%d.many.example", i);
		dns_mock_add(d, name, DNS_T_TXT, "v=spf1 -all");
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, " include:%s",
		    name);
	}
	snprintf(rec + o, sizeof(rec) - o, " ip4:192.0.2.0/24 -all");
	dns_mock_add(d, "many.example", DNS_T_TXT, rec);
}

/* zone_base - results and errors of the record itself, include */
static struct dns *
zone_base(void)
{
	struct dns *d = dns_mock_new();

	dns_mock_add(d, "pass.example", DNS_T_TXT,
	    "v=spf1 ip4:192.0.2.0/24 -all");
	dns_mock_add(d, "pass.example", DNS_T_TXT, "some other text");
	dns_mock_add(d, "soft.example", DNS_T_TXT, "v=spf1 ip4:192.0.2.1 ~all");
	dns_mock_add(d, "neutral.example", DNS_T_TXT, "v=spf1 ?all");
	dns_mock_add(d, "default.example", DNS_T_TXT, "v=spf1 ip4:192.0.2.1");
	dns_mock_add(d, "notspf.example", DNS_T_TXT, "verification=abc");
	dns_mock_add(d, "nodata.example", DNS_T_A, "192.0.2.1");
	dns_mock_add(d, "two.example", DNS_T_TXT, "v=spf1 -all");
	dns_mock_add(d, "two.example", DNS_T_TXT, "v=spf1 +all");
	dns_mock_add(d, "syntax.example", DNS_T_TXT,
	    "v=spf1 ip4:192.0.2.300 -all");
	dns_mock_add(d, "unknown.example", DNS_T_TXT, "v=spf1 foo:bar -all");
	dns_mock_fail(d, "temp.example", DNS_T_TXT, DNS_TEMP);
	dns_mock_add(d, "inc.example", DNS_T_TXT,
	    "v=spf1 include:_spf.inc.example -all");
	dns_mock_add(d, "_spf.inc.example", DNS_T_TXT,
	    "v=spf1 ip4:198.51.100.0/24 -all");
	dns_mock_add(d, "incnone.example", DNS_T_TXT,
	    "v=spf1 include:missing.example -all");
	dns_mock_add(d, "inctemp.example", DNS_T_TXT,
	    "v=spf1 include:temp.example -all");
	dns_mock_add(d, "loop.example", DNS_T_TXT,
	    "v=spf1 include:loop2.example -all");
	dns_mock_add(d, "loop2.example", DNS_T_TXT,
	    "v=spf1 include:loop.example -all");
	return (d);
}

/* zone_mech - the domains for a, mx, ip6, redirect, exists, void */
static void
zone_mech(struct dns *d)
{
	dns_mock_add(d, "a.example", DNS_T_TXT, "v=spf1 a -all");
	dns_mock_add(d, "a.example", DNS_T_A, "192.0.2.20");
	dns_mock_add(d, "acidr.example", DNS_T_TXT,
	    "v=spf1 a:host.acidr.example/24 -all");
	dns_mock_add(d, "host.acidr.example", DNS_T_A, "192.0.2.1");
	dns_mock_add(d, "mx.example", DNS_T_TXT, "v=spf1 mx -all");
	dns_mock_add(d, "mx.example", DNS_T_MX, "10 mail.mx.example");
	dns_mock_add(d, "mail.mx.example", DNS_T_A, "192.0.2.30");
	dns_mock_add(d, "mail.mx.example", DNS_T_AAAA, "2001:db8::30");
	dns_mock_add(d, "mxv4.example", DNS_T_TXT, "v=spf1 mx -all");
	dns_mock_add(d, "mxv4.example", DNS_T_MX, "10 m1.mxv4.example");
	dns_mock_add(d, "mxv4.example", DNS_T_MX, "20 m2.mxv4.example");
	dns_mock_add(d, "mxv4.example", DNS_T_MX, "30 m3.mxv4.example");
	dns_mock_add(d, "m1.mxv4.example", DNS_T_A, "192.0.2.41");
	dns_mock_add(d, "m2.mxv4.example", DNS_T_A, "192.0.2.42");
	dns_mock_add(d, "m3.mxv4.example", DNS_T_A, "192.0.2.43");
	dns_mock_add(d, "v6.example", DNS_T_TXT,
	    "v=spf1 ip6:2001:db8::/32 -all");
	dns_mock_add(d, "redir.example", DNS_T_TXT,
	    "v=spf1 redirect=pass.example");
	dns_mock_add(d, "redirnone.example", DNS_T_TXT,
	    "v=spf1 redirect=missing.example");
	dns_mock_add(d, "ex.example", DNS_T_TXT,
	    "v=spf1 exists:%{i}.list.example -all");
	dns_mock_add(d, "192.0.2.10.list.example", DNS_T_A, "127.0.0.2");
	dns_mock_add(d, "void2.example", DNS_T_TXT, "v=spf1 a:nx1.void.example "
	    "a:nx2.void.example ip4:192.0.2.0/24 -all");
	dns_mock_add(d, "void.example", DNS_T_TXT, "v=spf1 a:nx1.void.example "
	    "a:nx2.void.example mx:nx3.void.example ip4:192.0.2.0/24 -all");
	dns_mock_add(d, "mail.helo.example", DNS_T_TXT, "v=spf1 a -all");
	dns_mock_add(d, "mail.helo.example", DNS_T_A, "203.0.113.5");
}

/* zone_chain - c0.<suffix> includes c1 ... includes c<n>: n terms */
static void
zone_chain(struct dns *d, const char *suffix, int n)
{
	char	 name[64], rec[128];
	int	 i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "c%d.%s", i, suffix);
		snprintf(rec, sizeof(rec), "v=spf1 include:c%d.%s -all", i + 1,
		    suffix);
		dns_mock_add(d, name, DNS_T_TXT, rec);
	}
	snprintf(name, sizeof(name), "c%d.%s", n, suffix);
	dns_mock_add(d, name, DNS_T_TXT, "v=spf1 ip4:192.0.2.0/24 -all");
}

/* zone_limits - term, void and PTR limits across include/redirect */
static void
zone_limits(struct dns *d)
{
	int	 i;
	char	 name[64];

	zone_chain(d, "chain10.example", 10);
	zone_chain(d, "chain11.example", 11);
	dns_mock_add(d, "h.mix.example", DNS_T_A, "198.51.100.9");
	dns_mock_add(d, "h.mix.example", DNS_T_MX, "10 h.mix.example");
	dns_mock_add(d, "mix10.example", DNS_T_TXT, "v=spf1 a:h.mix.example "
	    "mx:h.mix.example exists:x.mix.example include:i.mix.example "
	    "a:h.mix.example mx:h.mix.example ptr:mix.example "
	    "redirect=r.mix.example");
	dns_mock_add(d, "i.mix.example", DNS_T_TXT, "v=spf1 a:h.mix.example "
	    "-all");
	dns_mock_add(d, "r.mix.example", DNS_T_TXT, "v=spf1 "
	    "a:h.mix.example ip4:192.0.2.10");
	dns_mock_add(d, "mix11.example", DNS_T_TXT, "v=spf1 a:h.mix.example "
	    "mx:h.mix.example exists:x.mix.example include:i.mix.example "
	    "a:h.mix.example mx:h.mix.example ptr:mix.example "
	    "redirect=r11.mix.example");
	dns_mock_add(d, "r11.mix.example", DNS_T_TXT, "v=spf1 "
	    "a:h.mix.example a:h.mix.example ip4:192.0.2.10");
	dns_mock_add(d, "voidmix.example", DNS_T_TXT, "v=spf1 "
	    "exists:nx1.void.example mx:nx2.void.example "
	    "exists:nx3.void.example ip4:192.0.2.0/24");
	dns_mock_add(d, "mxnoaddr.example", DNS_T_TXT, "v=spf1 mx -all");
	for (i = 1; i <= 3; i++) {
		snprintf(name, sizeof(name), "%d mx%d.nx.example", i, i);
		dns_mock_add(d, "mxnoaddr.example", DNS_T_MX, name);
	}
	dns_mock_add(d, "voidinc.example", DNS_T_TXT, "v=spf1 "
	    "a:nx1.void.example include:vi.void.example ip4:192.0.2.0/24");
	dns_mock_add(d, "vi.void.example", DNS_T_TXT, "v=spf1 "
	    "a:nx2.void.example a:nx3.void.example -all");
	dns_mock_add(d, "ptr.example", DNS_T_TXT, "v=spf1 ptr -all");
	for (i = 1; i <= 11; i++) {
		snprintf(name, sizeof(name), "h%d.ptr.example", i);
		dns_mock_add(d, "66.2.0.192.in-addr.arpa", DNS_T_PTR, name);
		dns_mock_add(d, "65.2.0.192.in-addr.arpa", DNS_T_PTR, name);
	}
	dns_mock_add(d, "h11.ptr.example", DNS_T_A, "192.0.2.66");
	dns_mock_add(d, "h3.ptr.example", DNS_T_A, "192.0.2.65");
}

/* zone_big - 9 includes of long names: past libspf2's 511 bytes,
 * where it would drop the rest ("-all") without a word */
static void
zone_big(struct dns *d)
{
	char	 rec[2048], name[80];
	size_t	 o;
	int	 i;

	o = (size_t)snprintf(rec, sizeof(rec), "v=spf1");
	for (i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "i%d.a-rather-long-label-for-"
		    "an-spf-include.big.example", i);
		dns_mock_add(d, name, DNS_T_TXT, "v=spf1 -all");
		o += (size_t)snprintf(rec + o, sizeof(rec) - o, " include:%s",
		    name);
	}
	snprintf(rec + o, sizeof(rec) - o, " -all");
	dns_mock_add(d, "big.example", DNS_T_TXT, rec);
	o = (size_t)snprintf(rec, sizeof(rec), "v=spf1 ip4:192.0.2.10");
	for (i = 0; i < 100; i++)
		o += (size_t)snprintf(rec + o, sizeof(rec) - o,
		    " ip4:198.51.100.%d", i);
	snprintf(rec + o, sizeof(rec) - o, " -all");
	dns_mock_add(d, "bigmatch.example", DNS_T_TXT, rec);
}

/* zone_quirks - records libspf2 alone gets wrong */
static void
zone_quirks(struct dns *d)
{
	static const char nul[] = "v=spf1 ip4:192.0.2.10\0 -all";

	dns_mock_add(d, "any4.example", DNS_T_TXT, "v=spf1 ip4:1.1.1.1/0 -all");
	dns_mock_add(d, "anya.example", DNS_T_TXT, "v=spf1 a/0//0 -all");
	dns_mock_add(d, "anya.example", DNS_T_A, "10.0.0.1");
	dns_mock_add(d, "anymx.example", DNS_T_TXT, "v=spf1 mx//0 -all");
	dns_mock_add(d, "anymx.example", DNS_T_MX, "10 m.anymx.example");
	dns_mock_add(d, "m.anymx.example", DNS_T_AAAA, "fd00::1");
	dns_mock_add(d, "longv6.example", DNS_T_TXT,
	    "v=spf1 ip6:2a01:111:f403:c000::/51 -all");
	dns_mock_add(d, "empty.example", DNS_T_TXT, "v=spf1");
	dns_mock_add(d, "unkmod.example", DNS_T_TXT,
	    "v=spf1 moo.cow-far_out=man:dog/cat ip4:192.0.2.10 -all");
	dns_mock_add(d, "redirall.example", DNS_T_TXT,
	    "v=spf1 redirect=pass.example ~all");
	dns_mock_add(d, "redirlast.example", DNS_T_TXT,
	    "v=spf1 redirect=pass.example ip4:203.0.113.1");
	dns_mock_add(d, "redir2.example", DNS_T_TXT,
	    "v=spf1 redirect=pass.example redirect=pass.example");
	dns_mock_add_txt(d, "nul.example", nul, sizeof(nul) - 1);
	dns_mock_add(d, "8bit.example", DNS_T_TXT,
	    "v=spf1 ip4:192.0.2.10 \x96" "all");
	dns_mock_add(d, "macc.example", DNS_T_TXT,
	    "v=spf1 exists:%{c}.example.com -all");
	dns_mock_add(d, "toplab.example", DNS_T_TXT, "v=spf1 a:host.123 -all");
	dns_mock_add(d, "incbad.example", DNS_T_TXT,
	    "v=spf1 include:bad.inc.example ip4:192.0.2.10");
	dns_mock_add(d, "bad.inc.example", DNS_T_TXT, "v=spf1 ip4:1.2.3.4/33");
	dns_mock_add(d, "late.example", DNS_T_TXT,
	    "v=spf1 ip4:192.0.2.10 moo -all");
}

/* zone - every domain the rows name */
static struct dns *
zone(void)
{
	struct dns *d = zone_base();

	zone_mech(d);
	zone_add_many(d);
	zone_limits(d);
	zone_quirks(d);
	zone_big(d);
	return (d);
}

/* check - run one row */
static void
check(struct spf *sp, const struct spf_case *c, struct spf_result *res)
{
	struct buf *why = buf_new(256);
	struct addr client;

	assert_int_equal(addr_parse(c->client, &client), AM_OK);
	if (c->ident == HELO)
		assert_int_equal(spf_check_helo(sp, &client, c->helo, res, why),
		    AM_OK);
	else
		assert_int_equal(spf_check_mailfrom(sp, &client, c->helo,
		    c->mailfrom, res, why), AM_OK);
	buf_free(&why);
}

/* test_table - every row against the shared zone */
static void
test_table(void **state)
{
	struct dns *d = zone();
	struct spf *sp = spf_new(d, "mx.receiver.example", NULL);
	struct spf_result res;
	size_t	 i;

	assert_non_null(sp);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct spf_case *c = &cases[i];

		check(sp, c, &res);
		print_message("  %-32s %-9s %s\n", c->label,
		    spf_res_str(res.result), res.reason);
		assert_string_equal(spf_res_str(res.result),
		    spf_res_str(c->want));
		assert_int_equal(res.checked, c->checked);
		assert_true(res.reason[0] != '\0');
		if (c->domain != NULL)
			assert_string_equal(res.domain, c->domain);
		if (c->identity != NULL)
			assert_string_equal(res.identity, c->identity);
	}
	spf_free(&sp);
	assert_null(sp);
	dns_free(&d);
}

/* test_helo_separate - HELO and MAIL FROM each check their own domain */
static void
test_helo_separate(void **state)
{
	struct dns *d = zone();
	struct spf *sp = spf_new(d, "mx.receiver.example", NULL);
	struct spf_result helo, from;
	struct addr client;

	assert_int_equal(addr_parse("203.0.113.5", &client), AM_OK);
	assert_int_equal(spf_check_helo(sp, &client, "mail.helo.example",
	    &helo, NULL), AM_OK);
	assert_int_equal(spf_check_mailfrom(sp, &client, "mail.helo.example",
	    "user@pass.example", &from, NULL), AM_OK);
	assert_int_equal(helo.result, SPF_RES_PASS);
	assert_string_equal(helo.domain, "mail.helo.example");
	assert_int_equal(from.result, SPF_RES_FAIL);
	assert_string_equal(from.domain, "pass.example");
	spf_free(&sp);
	dns_free(&d);
}

/* test_queries - one TXT query for ip4 records: no SPF (99) RR asked */
static void
test_queries(void **state)
{
	struct dns *d = zone();
	struct spf *sp = spf_new(d, NULL, NULL);
	struct spf_result res;
	struct addr client;

	assert_int_equal(addr_parse("192.0.2.10", &client), AM_OK);
	assert_int_equal(spf_check_mailfrom(sp, &client, NULL,
	    "user@pass.example", &res, NULL), AM_OK);
	assert_int_equal(res.result, SPF_RES_PASS);
	assert_int_equal(dns_mock_queries(d), 1);
	/* the third void lookup stops the evaluation: no more queries */
	assert_int_equal(spf_check_mailfrom(sp, &client, NULL,
	    "user@void.example", &res, NULL), AM_OK);
	assert_int_equal(res.result, SPF_RES_PERMERROR);
	assert_int_equal(dns_mock_queries(d), 1 + 4);
	spf_free(&sp);
	spf_free(&sp);
	dns_free(&d);
}

/* mailfrom - one MAIL FROM check of client; the result */
static enum spf_res
mailfrom(struct spf *sp, const char *client, const char *helo,
    const char *from, struct spf_result *res)
{
	struct addr a;

	assert_int_equal(addr_parse(client, &a), AM_OK);
	assert_int_equal(spf_check_mailfrom(sp, &a, helo, from, res, NULL),
	    AM_OK);
	return (res->result);
}

/* test_budget - the time budget stops the check with temperror */
static void
test_budget(void **state)
{
	struct dns *d = dns_mock_new();
	struct spf *sp = spf_new(d, NULL, NULL);
	struct spf_result res;
	struct timespec t0, t1;
	char	 name[64];
	int	 i;
	long	 ms;

	dns_mock_add(d, "slow.example", DNS_T_TXT, "v=spf1 a:s1.slow.example "
	    "a:s2.slow.example a:s3.slow.example a:s4.slow.example -all");
	for (i = 1; i <= 4; i++) {
		snprintf(name, sizeof(name), "s%d.slow.example", i);
		dns_mock_add(d, name, DNS_T_A, "10.0.0.1");
		dns_mock_delay(d, name, 80);
	}
	spf_set_timeout(sp, 150);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(mailfrom(sp, "192.0.2.1", NULL, "u@slow.example",
	    &res), SPF_RES_TEMPERROR);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) /
	    1000000;
	assert_in_range(ms, 150, 300);		/* 2 lookups, not 4 */
	assert_non_null(strstr(res.reason, "time budget"));
	assert_int_equal(dns_mock_queries(d), 3);	/* TXT and 2 A */
	spf_set_timeout(sp, 0);				/* no budget */
	assert_int_equal(mailfrom(sp, "192.0.2.1", NULL, "u@slow.example",
	    &res), SPF_RES_FAIL);
	spf_free(&sp);
	dns_free(&d);
}

/* cve_zone - the record that smashes libspf2 1.2.10's stack through its
 * macro compiler (CVE-2023-42118): 127 macros then a 3700-byte literal */
static void
cve_zone(struct dns *d)
{
	char	*rec;
	size_t	 o = 0, size = 8192;
	int	 i;

	assert_non_null(rec = malloc(size));
	o = (size_t)snprintf(rec, size, "v=spf1 a:");
	for (i = 0; i < 127; i++)
		o += (size_t)snprintf(rec + o, size - o, "%%{d}");
	memset(rec + o, 'A', 3700);
	o += 3700;
	snprintf(rec + o, size - o, ".example.com ip4:192.0.2.0/24 -all");
	dns_mock_add(d, "cve.example", DNS_T_TXT, rec);
	snprintf(rec, size, "v=spf1 include:cve.example -all");
	dns_mock_add(d, "inccve.example", DNS_T_TXT, rec);
	snprintf(rec, size, "v=spf1 -all exp=%s", "e.cve.example");
	dns_mock_add(d, "expcve.example", DNS_T_TXT, rec);
	o = (size_t)snprintf(rec, size, "%s", "explanation ");
	for (i = 0; i < 127; i++)
		o += (size_t)snprintf(rec + o, size - o, "%%{d}");
	memset(rec + o, 'A', 3700);
	rec[o + 3700] = '\0';
	dns_mock_add(d, "e.cve.example", DNS_T_TXT, rec);
	free(rec);
}

/* test_cve_2023_42118 - the crafted record never reaches libspf2 (it
 * would abort this test with "stack smashing detected"), directly, by
 * include, or as explanation text */
static void
test_cve_2023_42118(void **state)
{
	struct dns *d = dns_mock_new();
	struct spf *sp = spf_new(d, NULL, NULL);
	struct spf_result res;

	cve_zone(d);
	assert_int_equal(mailfrom(sp, "192.0.2.1", NULL, "u@cve.example",
	    &res), SPF_RES_PERMERROR);
	assert_non_null(strstr(res.reason, "too long"));
	assert_int_equal(mailfrom(sp, "192.0.2.1", NULL, "u@inccve.example",
	    &res), SPF_RES_PERMERROR);
	assert_int_equal(mailfrom(sp, "192.0.2.1", NULL, "u@expcve.example",
	    &res), SPF_RES_FAIL);
	assert_int_equal(dns_mock_queries(d), 4);	/* TXT only: no exp */
	spf_free(&sp);
	dns_free(&d);
}

/* test_mapped - a client given as ::ffff:a.b.c.d in a struct addr is
 * checked as IPv4, whoever built the struct */
static void
test_mapped(void **state)
{
	struct dns *d = zone();
	struct spf *sp = spf_new(d, NULL, NULL);
	struct spf_result res;
	struct addr a;

	memset(&a, 0, sizeof(a));
	a.family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, "::ffff:192.0.2.10", a.bytes),
	    1);
	assert_int_equal(spf_check_mailfrom(sp, &a, NULL, "u@pass.example",
	    &res, NULL), AM_OK);
	assert_int_equal(res.result, SPF_RES_PASS);
	assert_int_equal(inet_pton(AF_INET6, "::ffff:198.51.100.1", a.bytes),
	    1);
	assert_int_equal(spf_check_mailfrom(sp, &a, NULL, "u@pass.example",
	    &res, NULL), AM_OK);
	assert_int_equal(res.result, SPF_RES_FAIL);
	spf_free(&sp);
	dns_free(&d);
}

#define NTHREADS	8
#define NLOOPS		40

/* hammer - one thread's checks over the shared struct spf */
static void *
hammer(void *arg)
{
	struct spf *sp = arg;
	struct spf_result res;
	struct addr pass, fail;
	int	 i, bad = 0;

	addr_parse("192.0.2.30", &pass);
	addr_parse("2001:db8::77", &fail);
	for (i = 0; i < NLOOPS; i++) {
		if (spf_check_mailfrom(sp, &pass, "h.example", "u@mx.example",
		    &res, NULL) != AM_OK || res.result != SPF_RES_PASS)
			bad++;
		if (spf_check_mailfrom(sp, &fail, "h.example", "u@inc.example",
		    &res, NULL) != AM_OK || res.result != SPF_RES_FAIL)
			bad++;
	}
	return ((void *)(intptr_t)bad);
}

/* test_threads - one struct spf, many threads */
static void
test_threads(void **state)
{
	struct dns *d = zone();
	struct spf *sp = spf_new(d, "mx.receiver.example", NULL);
	pthread_t t[NTHREADS];
	void	*ret;
	int	 i;

	for (i = 0; i < NTHREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, hammer, sp), 0);
	for (i = 0; i < NTHREADS; i++) {
		pthread_join(t[i], &ret);
		assert_int_equal((intptr_t)ret, 0);
	}
	spf_free(&sp);
	dns_free(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_helo_separate),
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_budget),
		cmocka_unit_test(test_cve_2023_42118),
		cmocka_unit_test(test_mapped),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
