/*
 * test_rules - the local policy rules: parser, warnings, matcher, stages,
 * recipient split, replies
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "policy/policy.h"
#include "policy/rules.h"
#include "util/am.h"

static char tmp_path[64];

/* write_tmp - a file holding text; its path in tmp_path */
static const char *
write_tmp(const char *text)
{
	int	 fd;

	snprintf(tmp_path, sizeof(tmp_path), "/tmp/test_rules.XXXXXX");
	fd = mkstemp(tmp_path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return (tmp_path);
}

/* load - conf and rules from text; the status of the first that failed */
static int
load(const char *text, struct conf **cf_r, struct rules **rs_r,
    struct buf *warn, struct buf *why)
{
	const char *path = write_tmp(text);
	int	 st;

	*rs_r = NULL;
	st = conf_load(path, cf_r, why);
	if (st == AM_OK && (st = rules_compile(*cf_r, rs_r, warn, why)) !=
	    AM_OK)
		conf_free(cf_r);
	unlink(path);
	return (st);
}

static const char example[] =
    "policy = (\n"
    "  { name = \"partner-allow\"; dkim_pass = [\"partner.example\"];\n"
    "    action = \"accept\"; },\n"
    "  { name = \"list-allow\"; client = [\"198.51.100.0/24\"];\n"
    "    action = \"accept\"; },\n"
    "  { name = \"deny-spammer\"; mail_from_domain = [\"spam.example\"];\n"
    "    action = \"reject\";\n"
    "    reply = \"550 5.7.1 Mail from %{domain} is refused here\"; },\n"
    "  { name = \"postmaster\"; rcpt = [\"postmaster@*\", \"abuse@*\"];\n"
    "    action = \"accept\"; },\n"
    "  { name = \"bl\"; dnsbl = [\"bl.example\"]; action = \"reject\"; },\n"
    "  { name = \"wl\"; dnswl = [\"wl.example\"]; action = \"accept\"; },\n"
    "  { name = \"rdns\"; iprev = [\"fail\", \"permerror\"];\n"
    "    action = \"tag\"; },\n"
    "  { name = \"host\"; client_name = [\".mail.partner.example\"];\n"
    "    action = \"accept\"; },\n"
    "  { name = \"helo\"; helo_bad = [\"not_fqdn\", \"localhost\",\n"
    "    \"literal_mismatch\", \"ours\", \"ptr_mismatch\"];\n"
    "    action = \"tag\"; },\n"
    "  { name = \"spf-fail-no-dmarc\"; spf = [\"fail\"];\n"
    "    dmarc = [\"none\"]; action = \"reject\"; }\n"
    ");\n";

static void
test_parse_example(void **state)
{
	struct buf *why = buf_new(512), *warn = buf_new(4096);
	struct conf *cf;
	struct rules *rs;

	assert_int_equal(load(example, &cf, &rs, warn, why), AM_OK);
	assert_int_equal(rs->n, 10);
	assert_true(rs->need_rcpt);
	assert_true(rs->need_rep);		/* dnsbl, iprev, ... */
	assert_string_equal(rs->v[2].name, "deny-spammer");
	assert_int_equal(rs->v[2].action, RA_REJECT);
	assert_string_equal(rs->v[2].code, "550");
	assert_string_equal(rs->v[2].xcode, "5.7.1");
	assert_int_equal(rs->v[2].line, 6);
	assert_int_equal(rs->v[8].m[RK_HELO_BAD].bits, 0x1f);
	assert_int_equal(warn->len, 0);
	rules_free(&rs);
	assert_null(rs);
	conf_free(&cf);
	buf_free(&why);
	buf_free(&warn);
}

/* need_rep only with an iprev, DNSBL/DNSWL, client_name or helo_bad
 * matcher: else MAIL FROM does not wait for the client's lookups */
static void
test_need_rep(void **state)
{
	struct buf *why = buf_new(512), *warn = buf_new(4096);
	struct conf *cf;
	struct rules *rs;

	assert_int_equal(load("policy = ( { name = \"a\"; client = "
	    "[\"192.0.2.0/24\"]; helo = [\"x.example\"]; spf = [\"fail\"]; "
	    "action = \"reject\"; } );\n", &cf, &rs, warn, why), AM_OK);
	assert_false(rs->need_rep);
	rules_free(&rs);
	conf_free(&cf);
	assert_int_equal(load("policy = ( { name = \"a\"; helo_bad = "
	    "[\"localhost\"]; action = \"reject\"; } );\n", &cf, &rs, warn,
	    why), AM_OK);
	assert_true(rs->need_rep);
	rules_free(&rs);
	conf_free(&cf);
	buf_free(&why);
	buf_free(&warn);
}

static const struct {
	const char *label;
	const char *text;
	const char *want;		/* in why, after the path */
} bad[] = {
	{"not a list", "policy = 3;\n", ":1: policy: want a list"},
	{"not groups", "policy = ( \"x\" );\n", ":1: policy: want a list"},
	{"number value", "policy = (\n{ name = \"a\"; client = 3; "
	    "action = \"accept\"; } );\n", ":2: policy: client: want a string"},
	{"no name", "policy = (\n{ action = \"accept\"; } );\n",
	    ":2: policy: want name"},
	{"bad name", "policy = ( { name = \"a b\"; action = \"tag\"; } );\n",
	    ":1: policy: name \"a b\""},
	{"duplicate name", "policy = ( { name = \"a\"; action = \"tag\"; },\n"
	    "{ name = \"a\"; action = \"tag\"; } );\n",
	    ":2: policy: name \"a\" also at line 1"},
	{"no action", "policy = (\n{ name = \"a\"; helo = \"x.example\"; } );\n",
	    ":2: policy: rule \"a\": want action"},
	{"bad action", "policy = (\n{ name = \"a\";\naction = \"drop\"; } );\n",
	    ":3: policy: rule \"a\": action: want accept"},
	{"unknown key", "policy = ( { name = \"a\"; action = \"tag\";\n"
	    "clinet = [\"192.0.2.1\"]; } );\n",
	    ":2: policy: rule \"a\": unknown key \"clinet\""},
	{"bad cidr", "policy = ( { name = \"a\"; action = \"tag\";\n"
	    "client = [\"192.0.2.300/24\"]; } );\n",
	    ":2: policy: rule \"a\": client: \"192.0.2.300/24\""},
	{"bad word", "policy = ( { name = \"a\"; action = \"tag\";\n"
	    "spf = [\"passed\"]; } );\n",
	    ":2: policy: rule \"a\": spf: \"passed\": not a known word"},
	{"bad domain", "policy = ( { name = \"a\"; action = \"tag\";\n"
	    "dkim_pass = [\"a example\"]; } );\n",
	    ":2: policy: rule \"a\": dkim_pass: \"a example\""},
	{"empty list", "policy = ( { name = \"a\"; action = \"tag\";\n"
	    "helo = []; } );\n", ":2: policy: rule \"a\": helo: empty list"},
	{"twice", "policy = ( { name = \"a\"; action = \"tag\";\n"
	    "helo = [\"x.example\"];\nhelo = [\"y.example\"]; } );\n",
	    ":3: duplicate setting name"},	/* libconfig's words */
	{"reply class", "policy = ( { name = \"a\"; action = \"reject\";\n"
	    "reply = \"550 4.7.1 no\"; } );\n",
	    ":2: policy: rule \"a\": reply: want"},
	{"reply crlf", "policy = ( { name = \"a\"; action = \"reject\";\n"
	    "reply = \"550 5.7.1 no\\r\\n250 ok\"; } );\n",
	    ":2: policy: rule \"a\": reply: only printable"},
	{"reply var", "policy = ( { name = \"a\"; action = \"reject\";\n"
	    "reply = \"550 5.7.1 %{from}\"; } );\n",
	    ":2: policy: rule \"a\": reply: unknown %{...}"},
	{"reply vs action", "policy = (\n{ name = \"a\"; action = "
	    "\"tempfail\"; reply = \"550 5.7.1 no\"; } );\n",
	    ":2: policy: rule \"a\": reply 550 does not fit action tempfail"},
	{"reply on accept", "policy = (\n{ name = \"a\"; action = "
	    "\"accept\"; reply = \"550 5.7.1 no\"; } );\n",
	    ":2: policy: rule \"a\": reply 550 does not fit action accept"},
	{"missing file", "policy = ( { name = \"a\"; action = \"tag\";\n"
	    "client = \"file:/nonexistent/allow.txt\"; } );\n",
	    ":2: policy: rule \"a\": client: cannot read /nonexistent"},
	{"bad tag header", "tag = { header = \"X-A: b\"; };\n",
	    ": tag.header: not a header field name"},
};

static void
test_parse_errors(void **state)
{
	struct buf *why = buf_new(512);
	struct conf *cf;
	struct rules *rs;
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(bad); i++) {
		buf_reset(why);
		if (load(bad[i].text, &cf, &rs, NULL, why) != AM_PERM)
			fail_msg("%s: loaded", bad[i].label);
		assert_null(rs);
		if (strncmp(buf_str(why), "/tmp/test_rules.", 16) != 0 ||
		    strstr(buf_str(why), bad[i].want) == NULL)
			fail_msg("%s: why %s, want %s", bad[i].label,
			    buf_str(why), bad[i].want);
	}
	buf_free(&why);
}

static void
test_warnings(void **state)
{
	struct buf *why = buf_new(512), *warn = buf_new(4096);
	struct conf *cf;
	struct rules *rs;

	assert_int_equal(load("policy = (\n"
	    "{ name = \"spoof\"; from_domain = [\"a.example\"];\n"
	    "  action = \"accept\"; },\n"
	    "{ name = \"spoof2\"; mail_from_domain = [\"b.example\"];\n"
	    "  action = \"accept\"; },\n"
	    "{ name = \"safe\"; from_domain = [\"a.example\"];\n"
	    "  dkim_pass = [\"a.example\"]; action = \"accept\"; },\n"
	    "{ name = \"safe2\"; from_domain = [\"a.example\"];\n"
	    "  dmarc = [\"pass\"]; action = \"accept\"; },\n"
	    "{ name = \"safe3\"; from_domain = [\"a.example\"];\n"
	    "  arc_sealer = [\"lists.example\"]; action = \"accept\"; },\n"
	    "{ name = \"deny\"; from_domain = [\"c.example\"];\n"
	    "  action = \"reject\"; },\n"
	    "{ name = \"note\"; tag = \"seen\"; action = \"continue\"; },\n"
	    "{ name = \"all\"; action = \"tag\"; },\n"
	    "{ name = \"late\"; helo = [\"x.example\"]; action = \"reject\"; }\n"
	    ");\n", &cf, &rs, warn, why), AM_OK);
	assert_non_null(strstr(buf_str(warn), ":2: warning: policy: rule "
	    "\"spoof\" accepts on from_domain"));
	assert_non_null(strstr(buf_str(warn), ":4: warning: policy: rule "
	    "\"spoof2\" accepts on the MAIL FROM"));
	assert_null(strstr(buf_str(warn), "\"safe"));
	assert_null(strstr(buf_str(warn), "\"deny\""));
	assert_null(strstr(buf_str(warn), "\"note\""));
	assert_non_null(strstr(buf_str(warn), ":16: warning: policy: rule "
	    "\"late\" is never reached: rule \"all\" (line 15)"));
	rules_free(&rs);
	conf_free(&cf);
	buf_free(&why);
	buf_free(&warn);
}

/* --- matching -------------------------------------------------------- */

static const char match_conf[] =
    "policy = (\n"
    "  { name = \"partner\"; dkim_pass = [\"partner.example\",\n"
    "    \".lists.example\"]; action = \"accept\"; },\n"
    "  { name = \"net\"; client = [\"198.51.100.0/24\", \"2001:db8::/32\"];\n"
    "    action = \"accept\"; },\n"
    "  { name = \"addr\"; mail_from = [\"bad@c.example\", \"<>\"];\n"
    "    helo = [\".c.example\"]; action = \"reject\"; },\n"
    "  { name = \"pm\"; rcpt = [\"postmaster@*\", \"*@abuse.example\",\n"
    "    \"x@rcpt.example\"]; action = \"accept\"; },\n"
    "  { name = \"bl\"; dnsbl = [\"bl.example\"]; action = \"reject\"; },\n"
    "  { name = \"wl\"; dnswl = [\"wl.example\"]; action = \"accept\"; },\n"
    "  { name = \"rdns\"; iprev = [\"fail\"]; action = \"tag\"; },\n"
    "  { name = \"host\"; client_name = [\".mail.partner.example\"];\n"
    "    action = \"accept\"; },\n"
    "  { name = \"hb\"; helo_bad = [\"localhost\"]; action = \"tag\"; },\n"
    "  { name = \"spfx\"; spf = [\"fail\"]; dmarc = [\"none\"];\n"
    "    action = \"reject\"; },\n"
    "  { name = \"spfp\"; spf_pass = [\"d.example\"]; from_domain =\n"
    "    [\"e.example\"]; action = \"quarantine\"; },\n"
    "  { name = \"pol\"; dmarc_policy = [\"reject\"]; helo_spf =\n"
    "    [\"pass\"]; dkim = [\"fail\"]; action = \"tempfail\"; },\n"
    "  { name = \"arcs\"; arc_sealer = [\"lists.example.org\",\n"
    "    \".fwd.example\"]; action = \"accept\"; }\n"
    ");\n";

enum setup {
	S_NONE, S_DKIM_PARTNER, S_DKIM_LIST, S_DKIM_FAIL_PARTNER, S_BL,
	S_BL_TEMP, S_WL_AS_BL, S_WL, S_IPREV_FAIL, S_HOST, S_HOST_FAIL,
	S_HELO_LOCAL, S_SPF_FAIL_NONE, S_SPF_FAIL_REJECT, S_SPFP, S_POL,
	S_ARC_PASS, S_ARC_SUB, S_ARC_FAIL, S_ARC_TEMP, S_ARC_OTHER
};

static const struct {
	const char *label;
	const char *ip, *helo, *mailfrom, *rcpt;
	enum setup setup;
	unsigned known;
	int	 want_state;
	const char *want;		/* rule name; NULL: none */
} mcases[] = {
	{"nothing matches", "192.0.2.1", "h.example", "a@a.example",
	    "u@rcpt.example", S_NONE, RIN_ALL, RULES_NONE, NULL},
	{"dkim_pass exact", "192.0.2.1", "h.example", "a@a.example", NULL,
	    S_DKIM_PARTNER, RIN_ALL, RULES_MATCH, "partner"},
	{"dkim_pass below .lists.example", "192.0.2.1", "h", "a@a.example",
	    NULL, S_DKIM_LIST, RIN_ALL, RULES_MATCH, "partner"},
	{"dkim fail of partner is no pass", "192.0.2.1", "h", "a@a.example",
	    NULL, S_DKIM_FAIL_PARTNER, RIN_ALL, RULES_NONE, NULL},
	{"client v4", "198.51.100.9", "h", "a@a.example", NULL, S_NONE,
	    RIN_ALL, RULES_MATCH, "net"},
	{"client v6", "2001:db8::5", "h", "a@a.example", NULL, S_NONE,
	    RIN_ALL, RULES_MATCH, "net"},
	{"client outside", "198.51.101.9", "h", "a@a.example", NULL,
	    S_NONE, RIN_ALL, RULES_NONE, NULL},
	{"mail_from address, case", "192.0.2.1", "mx.c.example",
	    "<BAD@C.example>", NULL, S_NONE, RIN_ALL, RULES_MATCH, "addr"},
	{"mail_from null sender", "192.0.2.1", "mx.c.example", "<>", NULL,
	    S_NONE, RIN_ALL, RULES_MATCH, "addr"},
	{"helo not below .c.example", "192.0.2.1", "c.example",
	    "bad@c.example", NULL, S_NONE, RIN_ALL, RULES_NONE, NULL},
	{"rcpt local@*", "192.0.2.1", "h", "a@a.example",
	    "<Postmaster@rcpt.example>", S_NONE, RIN_ALL, RULES_MATCH, "pm"},
	{"rcpt *@domain", "192.0.2.1", "h", "a@a.example",
	    "<info@abuse.example>", S_NONE, RIN_ALL, RULES_MATCH, "pm"},
	{"rcpt address", "192.0.2.1", "h", "a@a.example", "x@rcpt.example",
	    S_NONE, RIN_ALL, RULES_MATCH, "pm"},
	{"rcpt other", "192.0.2.1", "h", "a@a.example", "xy@rcpt.example",
	    S_NONE, RIN_ALL, RULES_NONE, NULL},
	{"dnsbl listed", "192.0.2.1", "h", "a@a.example", NULL, S_BL,
	    RIN_ALL, RULES_MATCH, "bl"},
	{"dnsbl temperror never counts", "192.0.2.1", "h", "a@a.example",
	    NULL, S_BL_TEMP, RIN_ALL, RULES_NONE, NULL},
	{"a dnswl zone is not a dnsbl", "192.0.2.1", "h", "a@a.example",
	    NULL, S_WL_AS_BL, RIN_ALL, RULES_NONE, NULL},
	{"dnswl listed", "192.0.2.1", "h", "a@a.example", NULL, S_WL,
	    RIN_ALL, RULES_MATCH, "wl"},
	{"iprev fail", "192.0.2.1", "h", "a@a.example", NULL, S_IPREV_FAIL,
	    RIN_ALL, RULES_MATCH, "rdns"},
	{"client_name verified", "192.0.2.1", "h", "a@a.example", NULL,
	    S_HOST, RIN_ALL, RULES_MATCH, "host"},
	{"client_name not verified", "192.0.2.1", "h", "a@a.example", NULL,
	    S_HOST_FAIL, RIN_ALL, RULES_NONE, NULL},
	{"helo_bad", "192.0.2.1", "h", "a@a.example", NULL, S_HELO_LOCAL,
	    RIN_ALL, RULES_MATCH, "hb"},
	{"spf fail, no dmarc", "192.0.2.1", "h", "a@a.example", NULL,
	    S_SPF_FAIL_NONE, RIN_ALL, RULES_MATCH, "spfx"},
	{"spf fail, dmarc record", "192.0.2.1", "h", "a@a.example", NULL,
	    S_SPF_FAIL_REJECT, RIN_ALL, RULES_NONE, NULL},
	{"spf_pass and from_domain", "192.0.2.1", "h", "a@d.example", NULL,
	    S_SPFP, RIN_ALL, RULES_MATCH, "spfp"},
	{"dmarc_policy, helo_spf, dkim", "192.0.2.1", "h", "a@a.example",
	    NULL, S_POL, RIN_ALL, RULES_MATCH, "pol"},
	{"arc_sealer: passing chain, listed sealer", "192.0.2.1", "h",
	    "a@a.example", NULL, S_ARC_PASS, RIN_ALL, RULES_MATCH, "arcs"},
	{"arc_sealer below .fwd.example", "192.0.2.1", "h", "a@a.example",
	    NULL, S_ARC_SUB, RIN_ALL, RULES_MATCH, "arcs"},
	{"arc_sealer: failing chain never", "192.0.2.1", "h", "a@a.example",
	    NULL, S_ARC_FAIL, RIN_ALL, RULES_NONE, NULL},
	{"arc_sealer: temperror never", "192.0.2.1", "h", "a@a.example",
	    NULL, S_ARC_TEMP, RIN_ALL, RULES_NONE, NULL},
	{"arc_sealer: sealer not listed", "192.0.2.1", "h", "a@a.example",
	    NULL, S_ARC_OTHER, RIN_ALL, RULES_NONE, NULL},
	/* stages: an earlier rule that needs results holds the walk */
	{"connect: partner undecided", "198.51.100.9", "h", "a@a.example",
	    NULL, S_NONE, RIN_CLIENT, RULES_UNDECIDED, "partner"},
	{"mail: undecided too", "192.0.2.1", "mx.c.example", "bad@c.example",
	    NULL, S_NONE, RIN_CLIENT | RIN_HELO | RIN_MAIL, RULES_UNDECIDED,
	    "partner"},
	/* a reputation matcher waits for the lookups (RIN_REP) */
	{"dnsbl before the lookups", "192.0.2.1", "h", "a@a.example", NULL,
	    S_BL, RIN_ALL & ~RIN_REP, RULES_UNDECIDED, "bl"},
};

/* setup_results - the results of one matcher case */
static void
setup_results(enum setup s, struct auth_results *r, struct client_results *c)
{
	memset(r, 0, sizeof(*r));
	memset(c, 0, sizeof(*c));
	r->dmarc.result = DMARC_RES_PASS;	/* "spfx" needs none */
	switch (s) {
	case S_DKIM_PARTNER: case S_DKIM_LIST: case S_DKIM_FAIL_PARTNER:
		r->dkim.nsigs = 1;
		r->dkim.sigs[0].result = s == S_DKIM_FAIL_PARTNER ?
		    DKIM_RES_FAIL : DKIM_RES_PASS;
		snprintf(r->dkim.sigs[0].d, sizeof(r->dkim.sigs[0].d), "%s",
		    s == S_DKIM_LIST ? "x.lists.example" : "partner.example");
		break;
	case S_BL: case S_BL_TEMP: case S_WL_AS_BL: case S_WL:
		c->dnsbl.nzones = 2;
		snprintf(c->dnsbl.z[0].zone, sizeof(c->dnsbl.z[0].zone),
		    "other.example");
		c->dnsbl.z[0].result = DNSBL_RES_LISTED;
		snprintf(c->dnsbl.z[1].zone, sizeof(c->dnsbl.z[1].zone),
		    s == S_WL ? "wl.example" : "bl.example");
		c->dnsbl.z[1].result = s == S_BL_TEMP ? DNSBL_RES_TEMPERROR :
		    DNSBL_RES_LISTED;
		c->dnsbl.z[1].allow = s == S_WL || s == S_WL_AS_BL;
		break;
	case S_IPREV_FAIL:
		c->iprev.result = IPREV_RES_FAIL;
		break;
	case S_HOST: case S_HOST_FAIL:
		c->iprev.result = s == S_HOST ? IPREV_RES_PASS :
		    IPREV_RES_TEMPERROR;
		snprintf(c->iprev.name, sizeof(c->iprev.name),
		    "out1.mail.partner.example");
		break;
	case S_HELO_LOCAL:
		c->helo_bad = HELO_LOCALHOST | HELO_NOT_FQDN;
		break;
	case S_SPF_FAIL_NONE: case S_SPF_FAIL_REJECT:
		r->mailfrom.result = SPF_RES_FAIL;
		r->dmarc.result = s == S_SPF_FAIL_NONE ? DMARC_RES_NONE :
		    DMARC_RES_FAIL;
		break;
	case S_SPFP:
		r->mailfrom.result = SPF_RES_PASS;
		snprintf(r->mailfrom.domain, sizeof(r->mailfrom.domain),
		    "d.example");
		r->from.ndomains = 1;
		snprintf(r->from.domains[0], sizeof(r->from.domains[0]),
		    "e.example");
		break;
	case S_POL:
		r->dmarc.policy = DMARC_P_REJECT;
		r->helo.result = SPF_RES_PASS;
		r->dkim.nsigs = 2;
		r->dkim.sigs[0].result = DKIM_RES_NEUTRAL;
		r->dkim.sigs[1].result = DKIM_RES_FAIL;
		break;
	case S_ARC_PASS: case S_ARC_SUB: case S_ARC_FAIL: case S_ARC_TEMP:
	case S_ARC_OTHER:
		r->arc.n = 2;
		r->arc.result = s == S_ARC_FAIL ? ARC_RES_FAIL :
		    s == S_ARC_TEMP ? ARC_RES_TEMPERROR : ARC_RES_PASS;
		snprintf(r->arc.sealer, sizeof(r->arc.sealer), "%s",
		    s == S_ARC_SUB ? "mx.fwd.example" : s == S_ARC_OTHER ?
		    "lists.example.com" : "lists.example.org");
		break;
	default:
		break;
	}
}

static void
test_match(void **state)
{
	struct buf *why = buf_new(512);
	struct client_results rep;
	struct auth_results res;
	struct rule_outcome o;
	struct rule_input in;
	struct addr a;
	struct conf *cf;
	struct rules *rs;
	size_t	 i;

	assert_int_equal(load(match_conf, &cf, &rs, NULL, why), AM_OK);
	for (i = 0; i < AM_ARRAY_LEN(mcases); i++) {
		setup_results(mcases[i].setup, &res, &rep);
		assert_int_equal(addr_parse(mcases[i].ip, &a), AM_OK);
		memset(&in, 0, sizeof(in));
		in.known = mcases[i].known;
		in.client = &a;
		in.rep = &rep;
		in.helo = mcases[i].helo;
		in.mail_from = mcases[i].mailfrom;
		in.rcpt = mcases[i].rcpt;
		in.res = &res;
		rules_walk(rs, &in, &o, NULL);
		if (o.state != mcases[i].want_state ||
		    (mcases[i].want == NULL) != (o.rule == NULL) ||
		    (o.rule != NULL &&
		    strcmp(o.rule->name, mcases[i].want) != 0))
			fail_msg("%s: state %d rule %s", mcases[i].label,
			    o.state, o.rule ? o.rule->name : "-");
	}
	rules_free(&rs);
	conf_free(&cf);
	buf_free(&why);
}

static void
test_continue_and_explain(void **state)
{
	struct buf *why = buf_new(512), *ex = buf_new(4096);
	struct auth_results res;
	struct rule_outcome o;
	struct rule_input in;
	struct conf *cf;
	struct rules *rs;

	assert_int_equal(load("policy = (\n"
	    "{ name = \"r1\"; spf = [\"pass\"]; action = \"accept\"; },\n"
	    "{ name = \"note\"; helo = [\"h.example\"]; tag = \"list\";\n"
	    "  reply = \"550 5.7.1 go away %{rule}\"; action = \"continue\"; },\n"
	    "{ name = \"deny\"; dmarc = [\"fail\"]; action = \"reject\"; }\n"
	    ");\n", &cf, &rs, NULL, why), AM_OK);
	memset(&res, 0, sizeof(res));
	res.mailfrom.result = SPF_RES_SOFTFAIL;
	res.dmarc.result = DMARC_RES_FAIL;
	memset(&in, 0, sizeof(in));
	in.known = RIN_ALL;
	in.helo = "h.example";
	in.res = &res;
	rules_walk(rs, &in, &o, ex);
	assert_int_equal(o.state, RULES_MATCH);
	assert_string_equal(o.rule->name, "deny");
	assert_string_equal(o.tag, "list");
	assert_string_equal(o.reply->name, "note");
	assert_non_null(strstr(buf_str(ex), "rule r1 (line 2): no match: "
	    "spf is softfail"));
	assert_non_null(strstr(buf_str(ex), "rule note (line 3): matched, "
	    "continue"));
	rules_free(&rs);
	conf_free(&cf);
	buf_free(&why);
	buf_free(&ex);
}

static void
test_rcpt_differs(void **state)
{
	struct buf *why = buf_new(512);
	struct conf *cf;
	struct rules *rs;
	const char *rule = NULL;

	assert_int_equal(load(example, &cf, &rs, NULL, why), AM_OK);
	assert_int_equal(rules_rcpt_differs(rs, "<u@rcpt.example>",
	    "<v@rcpt.example>", &rule), 0);
	assert_int_equal(rules_rcpt_differs(rs, "<abuse@rcpt.example>",
	    "<postmaster@rcpt.example>", &rule), 0);
	assert_int_equal(rules_rcpt_differs(rs, "<u@rcpt.example>",
	    "<postmaster@rcpt.example>", &rule), 1);
	assert_string_equal(rule, "postmaster");
	rules_free(&rs);
	conf_free(&cf);
	buf_free(&why);
}

static void
test_replies(void **state)
{
	struct buf *why = buf_new(512);
	struct client_results rep;
	struct auth_results res;
	struct decision d;
	struct rule_input in;
	struct addr a;
	struct conf *cf;
	struct rules *rs;

	assert_int_equal(load("policy = (\n"
	    "{ name = \"tpl\"; mail_from_domain = [\".spam.example\"];\n"
	    "  reply = \"550 5.7.1 %{domain} from %{ip} (%{rule}) 100%\";\n"
	    "  action = \"reject\"; },\n"
	    "{ name = \"bl\"; dnsbl = [\"bl.example\"]; action = \"reject\"; },\n"
	    "{ name = \"spf\"; spf = [\"fail\"]; action = \"reject\"; },\n"
	    "{ name = \"tf\"; helo = [\"t.example\"]; action = \"tempfail\"; }\n"
	    ");\n", &cf, &rs, NULL, why), AM_OK);
	memset(&res, 0, sizeof(res));
	memset(&rep, 0, sizeof(rep));
	assert_int_equal(addr_parse("192.0.2.7", &a), AM_OK);
	memset(&in, 0, sizeof(in));
	in.known = RIN_ALL;
	in.client = &a;
	in.rep = &rep;
	in.res = &res;
	in.helo = "h.example";
	/* hostile domain: no CR, LF, space or '%' from the peer */
	in.mail_from = "<x@a\r\n250%s.spam.example>";
	policy_evaluate(rs, &in, cf, &d);
	assert_int_equal(d.verdict, VERDICT_REJECT);
	assert_string_equal(d.rule, "tpl");
	assert_string_equal(d.code, "550");
	assert_string_equal(d.xcode, "5.7.1");
	assert_string_equal(d.text, "a??250?s.spam.example from 192.0.2.7 "
	    "(tpl) 100%%");
	/* early: the same rule refuses at MAIL */
	in.known = RIN_CLIENT | RIN_HELO | RIN_MAIL;
	assert_int_equal(policy_early(rs, &in, cf, &d), 1);
	assert_string_equal(d.rule, "tpl");
	/* defaults: DNSBL names the zone with 554 5.7.1 */
	in.known = RIN_ALL;
	in.mail_from = "<x@b.example>";
	rep.dnsbl.nzones = 1;
	rep.dnsbl.z[0].result = DNSBL_RES_LISTED;
	snprintf(rep.dnsbl.z[0].zone, sizeof(rep.dnsbl.z[0].zone),
	    "bl.example");
	policy_evaluate(rs, &in, cf, &d);
	assert_string_equal(d.code, "554");
	assert_string_equal(d.xcode, "5.7.1");
	assert_non_null(strstr(d.text, "bl.example"));
	/* not at connect: rule tpl, before it, waits for MAIL FROM */
	in.known = RIN_CLIENT | RIN_REP;
	assert_int_equal(policy_early(rs, &in, cf, &d), 0);
	/* nor before the reputation lookups are complete */
	in.known = RIN_CLIENT | RIN_HELO | RIN_MAIL;
	assert_int_equal(policy_early(rs, &in, cf, &d), 0);
	in.known = RIN_CLIENT | RIN_HELO | RIN_MAIL | RIN_REP;
	assert_int_equal(policy_early(rs, &in, cf, &d), 1);
	assert_string_equal(d.code, "554");
	rep.dnsbl.nzones = 0;
	/* SPF fail: 550 5.7.23 */
	in.known = RIN_ALL;
	res.mailfrom.result = SPF_RES_FAIL;
	policy_evaluate(rs, &in, cf, &d);
	assert_string_equal(d.xcode, "5.7.23");
	res.mailfrom.result = SPF_RES_NONE;
	/* tempfail: 451 4.7.1 */
	in.helo = "t.example";
	policy_evaluate(rs, &in, cf, &d);
	assert_int_equal(d.verdict, VERDICT_TEMPFAIL);
	assert_string_equal(d.code, "451");
	assert_string_equal(d.xcode, "4.7.1");
	/* monitor mode: no early refusal; at most tag, would reject */
	cf->mode = CONF_MODE_MONITOR;
	in.helo = "h.example";
	in.mail_from = "<x@y.spam.example>";
	in.known = RIN_CLIENT | RIN_HELO | RIN_MAIL;
	assert_int_equal(policy_early(rs, &in, cf, &d), 0);
	in.known = RIN_ALL;
	policy_evaluate(rs, &in, cf, &d);
	assert_int_equal(d.verdict, VERDICT_TAG);
	assert_int_equal(d.would, VERDICT_REJECT);
	rules_free(&rs);
	conf_free(&cf);
	buf_free(&why);
}

static void
test_file_list(void **state)
{
	struct buf *why = buf_new(512);
	struct rule_outcome o;
	struct rule_input in;
	struct addr a;
	struct conf *cf;
	struct rules *rs;
	char	 list[64], text[256];

	snprintf(list, sizeof(list), "%s", write_tmp("# allowed\n"
	    "192.0.2.0/28\n\n  203.0.113.5   # one host\n"));
	snprintf(text, sizeof(text), "policy = ( { name = \"f\"; client = "
	    "[\"198.51.100.1\", \"file:%s\"]; action = \"accept\"; } );\n",
	    list);
	assert_int_equal(load(text, &cf, &rs, NULL, why), AM_OK);
	assert_int_equal(rs->v[0].m[RK_CLIENT].n, 3);
	memset(&in, 0, sizeof(in));
	in.known = RIN_ALL;
	in.client = &a;
	assert_int_equal(addr_parse("203.0.113.5", &a), AM_OK);
	rules_walk(rs, &in, &o, NULL);
	assert_int_equal(o.state, RULES_MATCH);
	assert_int_equal(addr_parse("192.0.2.16", &a), AM_OK);
	rules_walk(rs, &in, &o, NULL);
	assert_int_equal(o.state, RULES_NONE);
	rules_free(&rs);
	conf_free(&cf);
	/* a bad line names the list file and its line */
	write_tmp("192.0.2.1\nnot-an-address\n");
	snprintf(list, sizeof(list), "%s", tmp_path);
	snprintf(text, sizeof(text), "policy = ( { name = \"f\"; client = "
	    "\"file:%s\"; action = \"accept\"; } );\n", list);
	assert_int_equal(load(text, &cf, &rs, NULL, why), AM_PERM);
	snprintf(text, sizeof(text), "%s:2: policy: client: "
	    "\"not-an-address\"", list);
	if (strstr(buf_str(why), text) == NULL)
		fail_msg("why: %s", buf_str(why));
	unlink(list);
	buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_example),
		cmocka_unit_test(test_need_rep),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_continue_and_explain),
		cmocka_unit_test(test_rcpt_differs),
		cmocka_unit_test(test_replies),
		cmocka_unit_test(test_file_list),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
