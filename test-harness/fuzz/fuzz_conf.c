/*
 * NAME
 *	fuzz_conf - libFuzzer target: loading the configuration file
 * DESCRIPTION
 *	The input is the text of an authmilter.conf. It is written to an
 *	anonymous memory file and loaded with conf_load() through
 *	/proc/self/fd/N, so no temporary file is left behind. A file that
 *	loads is dumped (conf_dump(), as -n does) and conf_is_trusted() is
 *	asked about two addresses; a refusal must say why. The policy
 *	section is compiled (rules_compile(), file: lists included, as the
 *	snapshot does) and walked at each stage over one fixed message and
 *	client, with the -t -v explanation, the recipient split and the
 *	reply of a deciding rule; a refusal of the rules must say why too.
 *
 *	Not checked yet: that the dump loads again (-n output as a
 *	configuration file). conf_dump() writes dotted names ("dns.timeout
 *	= 5000;"), which libconfig refuses, and strings without escaping
 *	'"' or '\'; see the report to the lead.
 * SEE ALSO
 *	conf/conf.c, conf/params.c, authmilter.conf(5)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conf/conf.h"
#include "policy/policy.h"
#include "policy/rules.h"
#include "util/addr.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "test-harness/fuzz/fuzz.h"

/* memfile - a memory file holding n bytes; its /proc path in path */
static int
memfile(const void *p, size_t n, char *path, size_t pathlen)
{
	int	 fd = memfd_create("fuzz_conf", 0);

	fz_check(fd >= 0, "memfd_create");
	fz_check(n == 0 || write(fd, p, n) == (ssize_t)n, "write");
	(void)snprintf(path, pathlen, "/proc/self/fd/%d", fd);
	return (fd);
}

/* dump - conf_dump() into a malloc'd string */
static char *
dump(const struct conf *cf, size_t *len_r)
{
	char	*s = NULL;
	FILE	*fp = open_memstream(&s, len_r);

	fz_check(fp != NULL, "open_memstream");
	conf_dump(cf, fp);
	fz_check(fclose(fp) == 0, "fclose");
	return (s);
}

/* check_trusted - the trusted-networks lookup on two addresses */
static void
check_trusted(const struct conf *cf)
{
	static const char *ips[] = {"192.0.2.1", "2001:db8::1"};
	struct addr a;
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(ips); i++)
		if (addr_parse(ips[i], &a) == AM_OK)
			(void)conf_is_trusted(cf, &a);
}

/* check_rules - compile the policy section and walk it at every stage */
static void
check_rules(const struct conf *cf)
{
	static const unsigned stages[] = {
		RIN_CLIENT, RIN_CLIENT | RIN_REP, RIN_CLIENT | RIN_HELO |
		RIN_MAIL, RIN_CLIENT | RIN_HELO | RIN_MAIL | RIN_RCPT | RIN_REP,
		RIN_ALL,
	};
	struct buf *why = buf_new(LIM_REASON), *warn = buf_new(1 << 20);
	struct buf *ex = buf_new(1 << 20);
	struct client_results rep;
	struct auth_results res;
	struct rule_outcome o;
	struct rule_input in;
	struct decision d;
	struct rules *rs = NULL;
	struct addr a;
	const char *rule;
	size_t	 i;

	if (rules_compile(cf, &rs, warn, why) != AM_OK) {
		fz_check(rs == NULL && why->len > 0, "rules refusal says why");
		goto out;
	}
	memset(&rep, 0, sizeof(rep));
	memset(&res, 0, sizeof(res));
	rep.iprev.result = IPREV_RES_PASS;
	snprintf(rep.iprev.name, sizeof(rep.iprev.name), "mx.a.example");
	rep.dnsbl.nzones = 1;
	rep.dnsbl.z[0].result = DNSBL_RES_LISTED;
	snprintf(rep.dnsbl.z[0].zone, sizeof(rep.dnsbl.z[0].zone),
	    "bl.example");
	res.mailfrom.result = SPF_RES_FAIL;
	snprintf(res.mailfrom.domain, sizeof(res.mailfrom.domain), "a.example");
	res.dkim.nsigs = 1;
	res.dkim.sigs[0].result = DKIM_RES_PASS;
	snprintf(res.dkim.sigs[0].d, sizeof(res.dkim.sigs[0].d), "a.example");
	res.from.ndomains = 1;
	snprintf(res.from.domains[0], sizeof(res.from.domains[0]),
	    "a.example");
	fz_check(addr_parse("192.0.2.1", &a) == AM_OK, "addr");
	memset(&in, 0, sizeof(in));
	in.client = &a;
	in.rep = &rep;
	in.helo = "mx.a.example";
	in.mail_from = "<x@a.example>";
	in.rcpt = "<postmaster@b.example>";
	in.res = &res;
	for (i = 0; i < AM_ARRAY_LEN(stages); i++) {
		in.known = stages[i];
		buf_reset(ex);
		rules_walk(rs, &in, &o, ex);
		fz_check(o.state != RULES_MATCH || o.rule != NULL, "rule");
		if (in.known != RIN_ALL)
			(void)policy_early(rs, &in, cf, &d);
		else
			policy_evaluate(rs, &in, cf, &d);
		fz_check(strpbrk(d.text, "\r\n") == NULL, "reply: one line");
	}
	(void)rules_rcpt_differs(rs, "<a@b.example>", "<postmaster@b.example>",
	    &rule);
	rules_free(&rs);
	fz_check(rs == NULL, "rules_free clears");
out:
	buf_free(&ex);
	buf_free(&warn);
	buf_free(&why);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf *why = buf_new(LIM_REASON);
	struct conf *cf = NULL;
	char	 path[64], *d1;
	size_t	 n1;
	int	 fd, st;

	fd = memfile(data, size, path, sizeof(path));
	st = conf_load(path, &cf, why);
	(void)close(fd);
	if (st != AM_OK) {
		fz_check(cf == NULL && why->len > 0, "refusal says why");
		buf_free(&why);
		return (0);
	}
	fz_check(cf != NULL, "loaded");
	check_trusted(cf);
	check_rules(cf);
	d1 = dump(cf, &n1);
	fz_check(n1 > 0 && strlen(d1) == n1, "dump: text, no NUL");
	free(d1);
	conf_free(&cf);
	buf_free(&why);
	return (0);
}
