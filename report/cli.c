/*
 * NAME
 *	cli - `authmilter report' send, show and digest
 * DESCRIPTION
 *	See report.h.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth/dmarc.h"
#include "conf/conf.h"
#include "report/report.h"
#include "report/send.h"
#include "util/am.h"
#include "util/limits.h"
#include "util/log.h"

struct rpt_opts {
	const char *cmd;		/* send, show, digest */
	const char *dry, *domain, *rcpt;
	int64_t	 begin, end;
	bool	 send;
};

/* rpt_usage - what is wrong, then the synopsis; exit 2 */
static _Noreturn void
rpt_usage(const char *what)
{
	if (what != NULL)
		fprintf(stderr, "authmilter report: %s\n", what);
	fprintf(stderr, "usage: authmilter report send [--period yesterday|"
	    "today | --from T --to T] [--dry-run DIR] [-c FILE]\n"
	    "       authmilter report show [--domain D] [period] [-c FILE]\n"
	    "       authmilter report digest --rcpt ADDR [period] [--send] "
	    "[-c FILE]\n");
	exit(2);
}

/* parse_time - epoch seconds or YYYY-MM-DD[THH:MM:SS], UTC */
static int64_t
parse_time(const char *opt, const char *s)
{
	struct tm tm;
	char	*end, msg[128];
	long long v;

	memset(&tm, 0, sizeof(tm));
	v = strtoll(s, &end, 10);
	if (*s != '\0' && *end == '\0' && v >= 0)
		return (v);
	end = strptime(s, "%Y-%m-%d", &tm);
	if (end != NULL && *end == 'T')
		end = strptime(end + 1, "%H:%M:%S", &tm);
	if (end == NULL || *end != '\0') {
		snprintf(msg, sizeof(msg), "%s: \"%.40s\" is not a time "
		    "(seconds, or YYYY-MM-DD[THH:MM:SS] UTC)", opt, s);
		rpt_usage(msg);
	}
	return ((int64_t)timegm(&tm));
}

/* period - [begin, end] of a named period */
static void
period(const char *name, struct rpt_opts *o)
{
	time_t	 now = time(NULL), midnight = now - now % 86400;

	if (strcmp(name, "yesterday") == 0) {
		o->begin = midnight - 86400;
		o->end = midnight - 1;
	} else if (strcmp(name, "today") == 0) {
		o->begin = midnight;
		o->end = midnight + 86399;
	} else
		rpt_usage("--period: want yesterday or today");
}

/* parse - the subcommand and its options */
static const char *
parse(int argc, char **argv, struct rpt_opts *o)
{
	static const struct option lo[] = {
		{"period", required_argument, NULL, 'P'},
		{"from", required_argument, NULL, 'F'},
		{"to", required_argument, NULL, 'T'},
		{"dry-run", required_argument, NULL, 'D'},
		{"domain", required_argument, NULL, 'd'},
		{"rcpt", required_argument, NULL, 'r'},
		{"send", no_argument, NULL, 's'},
		{NULL, 0, NULL, 0},
	};
	const char *conf = NULL;
	char	 msg[128];
	int	 ch, have_from = 0, have_to = 0;

	memset(o, 0, sizeof(*o));
	if (argc < 2)
		rpt_usage("no subcommand (send, show, digest)");
	o->cmd = argv[1];
	if (strcmp(o->cmd, "send") != 0 && strcmp(o->cmd, "show") != 0 &&
	    strcmp(o->cmd, "digest") != 0) {
		snprintf(msg, sizeof(msg), "unknown subcommand \"%.40s\"",
		    o->cmd);
		rpt_usage(msg);
	}
	period("yesterday", o);
	optind = 2;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "c:", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': conf = optarg; break;
		case 'P': period(optarg, o); break;
		case 'F': o->begin = parse_time("--from", optarg);
		    have_from = 1; break;
		case 'T': o->end = parse_time("--to", optarg); have_to = 1;
		    break;
		case 'D': o->dry = optarg; break;
		case 'd': o->domain = optarg; break;
		case 'r': o->rcpt = optarg; break;
		case 's': o->send = true; break;
		default:
			snprintf(msg, sizeof(msg), "unknown or incomplete "
			    "option %s", argv[optind - 1]);
			rpt_usage(msg);
		}
	}
	if (optind != argc)
		rpt_usage("unexpected argument");
	if (have_from != have_to)
		rpt_usage("--from and --to go together");
	if (o->end < o->begin)
		rpt_usage("--to is before --from");
	if (strcmp(o->cmd, "digest") == 0 && o->rcpt == NULL)
		rpt_usage("digest needs --rcpt");
	return (conf);
}

/* receiver_name - our name in reports */
static void
receiver_name(const struct conf *cf, char *dst, size_t len)
{
	if (cf->report_host[0] != '\0')
		snprintf(dst, len, "%s", cf->report_host);
	else if (cf->authserv_id[0] != '\0')
		snprintf(dst, len, "%s", cf->authserv_id);
	else if (gethostname(dst, len - 1) != 0)
		snprintf(dst, len, "localhost");
	dst[len - 1] = '\0';
}

/* print_row - one result row, tab-separated */
static int
print_row(void *arg, int ncol, const char *const *v)
{
	FILE	*fp = arg;
	int	 i;

	fputs("  ", fp);
	for (i = 0; i < ncol; i++)
		fprintf(fp, "%s%-*s", i ? "  " : "", i ? 12 : 40,
		    v[i] != NULL ? v[i] : "-");
	fputc('\n', fp);
	return (0);
}

/* the reports of `report show': $1 a domain or "", $2 begin, $3 end */
#define SHOW_WHERE "($1 = '' OR policy_domain = $1) AND t >= $2 AND t <= $3"
static const struct {
	const char *title, *sql;
} show_queries[] = {
	{"Messages by policy domain and disposition (domain, disposition, "
	    "count):", "SELECT policy_domain, disposition, COUNT(*) FROM msg "
	    "WHERE " SHOW_WHERE " GROUP BY policy_domain, disposition ORDER "
	    "BY policy_domain, disposition"},
	{"Messages by source (address, domain, count):", "SELECT source_ip, "
	    "policy_domain, COUNT(*) FROM msg WHERE " SHOW_WHERE " GROUP BY "
	    "source_ip, policy_domain ORDER BY COUNT(*) DESC, source_ip "
	    "LIMIT 20"},
	{"Top failing sources (address, domain, count):", "SELECT source_ip, "
	    "policy_domain, COUNT(*) FROM msg WHERE " SHOW_WHERE " AND "
	    "evaluated <> 'pass' GROUP BY source_ip, policy_domain ORDER BY "
	    "COUNT(*) DESC, source_ip LIMIT 10"},
	{"What p=reject would have refused (domain, messages failing DMARC, "
	    "of all):", "SELECT policy_domain, SUM(CASE WHEN evaluated <> "
	    "'pass' THEN 1 ELSE 0 END), COUNT(*) FROM msg WHERE " SHOW_WHERE
	    " GROUP BY policy_domain ORDER BY policy_domain"},
};

/* cmd_show - local visibility per policy domain */
static int
cmd_show(struct store *st, const struct rpt_opts *o, FILE *fp,
    struct buf *why)
{
	char	 b[24], e[24];
	const char *p[3] = {o->domain ? o->domain : "", b, e};
	size_t	 i;
	int	 rc = AM_OK;

	snprintf(b, sizeof(b), "%lld", (long long)o->begin);
	snprintf(e, sizeof(e), "%lld", (long long)o->end);
	fprintf(fp, "DMARC results from %lld to %lld\n", (long long)o->begin,
	    (long long)o->end);
	for (i = 0; i < AM_ARRAY_LEN(show_queries) && rc == AM_OK; i++) {
		fprintf(fp, "\n%s\n", show_queries[i].title);
		rc = store_exec(st, show_queries[i].sql, 3, p, print_row, fp,
		    why);
	}
	return (rc);
}

/*
 * digest_rcpt - ADDR as rows store it (bare, milter/stage.c): without
 * its angle brackets, split into "local@" (compared exactly) and the
 * domain, lower case (rows are matched on it case-insensitively)
 */
static void
digest_rcpt(const char *in, char *addr, size_t alen, char *local,
    size_t llen, char *domain, size_t dlen)
{
	const char *at;
	size_t	 n, i;

	in += strspn(in, " \t");
	if (*in == '<')
		in++;
	n = strcspn(in, ">");
	while (n > 0 && (in[n - 1] == ' ' || in[n - 1] == '\t'))
		n--;
	snprintf(addr, alen, "%.*s", (int)n, in);
	if ((at = strrchr(addr, '@')) == NULL) {
		snprintf(local, llen, "%s", addr);
		domain[0] = '\0';
		return;
	}
	snprintf(local, llen, "%.*s", (int)(at - addr + 1), addr);
	for (i = 0; at[1 + i] != '\0' && i + 1 < dlen; i++)
		domain[i] = (char)tolower((unsigned char)at[1 + i]);
	domain[i] = '\0';
}

/* cmd_digest - refused, held and tagged messages for one recipient */
static int
cmd_digest(struct store *st, const struct conf *cf, const struct rpt_opts *o,
    struct buf *why)
{
	char	 b[24], e[24], cmd[2048], addr[LIM_ADDRESS], local[LIM_ADDRESS];
	char	 domain[LIM_ADDRESS];
	const char *p[4] = {local, b, e, domain};
	FILE	*fp = stdout;
	int	 rc, st2 = 0;

	digest_rcpt(o->rcpt, addr, sizeof(addr), local, sizeof(local),
	    domain, sizeof(domain));
	if (addr[0] == '\0')
		rpt_usage("--rcpt: empty address");
	snprintf(b, sizeof(b), "%lld", (long long)o->begin);
	snprintf(e, sizeof(e), "%lld", (long long)o->end);
	if (o->send) {
		if (strpbrk(addr, "'\"\\\n\r `$;&|<>") != NULL)
			rpt_usage("--rcpt: not a plain address");
		snprintf(cmd, sizeof(cmd), "%s", cf->report_send_command);
		if ((fp = popen(cmd, "w")) == NULL)
			return (buf_why(why, AM_TEMP, "%s: cannot run", cmd));
		fprintf(fp, "From: %s\nTo: %s\nSubject: Mail refused, held or "
		    "tagged for you\nAuto-Submitted: auto-generated\n"
		    "MIME-Version: 1.0\nContent-Type: text/plain; "
		    "charset=us-ascii\n\n", cf->report_from[0] ?
		    cf->report_from : cf->report_email, addr);
	}
	fprintf(fp, "Messages for %s from %lld to %lld that were refused, "
	    "held or tagged\n(queue id, verdict, From: domain, client, DMARC "
	    "disposition):\n", addr, (long long)o->begin,
	    (long long)o->end);
	rc = store_exec(st, "SELECT qid, verdict, header_from, source_ip, "
	    "evaluated FROM msg WHERE substr(rcpt, 1, length(CAST($1 AS "
	    "TEXT))) = CAST($1 AS TEXT) AND lower(substr(rcpt, length(CAST("
	    "$1 AS TEXT)) + 1)) = CAST($4 AS TEXT) AND t >= $2 AND t <= $3 "
	    "ORDER BY t", 4, p, print_row, fp, why);
	if (o->send && (st2 = pclose(fp)) != 0)
		return (buf_why(why, AM_TEMP, "%s: exit status %d", cmd, st2));
	return (rc);
}

/* cmd_send - aggregate reports */
static int
cmd_send(struct store *st, const struct conf *cf, const struct rpt_opts *o,
    struct buf *why)
{
	struct send_ctx sc;
	char	 recv[256];
	int	 rc;

	memset(&sc, 0, sizeof(sc));
	receiver_name(cf, recv, sizeof(recv));
	sc.cf = cf;
	sc.st = st;
	sc.receiver = recv;
	sc.begin = o->begin;
	sc.end = o->end;
	sc.dry_dir = o->dry;
	if ((sc.dns = dns_new(cf->dns_nameservers, cf->dns_timeout,
	    why)) == NULL)
		return (AM_TEMP);
	if ((sc.dmarc = dmarc_new(sc.dns, DMARC_ORG_TREEWALK,
	    cf->dmarc_public_suffix_list, cf->dmarc_max_queries,
	    why)) == NULL) {
		dns_free(&sc.dns);
		return (AM_TEMP);
	}
	rc = report_send(&sc, why);
	log_info("report: %d report messages %s, %d destinations skipped",
	    sc.nsent, o->dry ? "written" : "sent", sc.nskipped);
	dmarc_free(&sc.dmarc);
	dns_free(&sc.dns);
	return (rc);
}

/* report_spec_check - report.store syntax, for -n */
int
report_spec_check(const char *spec, struct buf *why)
{
	if (spec[0] == '\0' || (strncmp(spec, "sqlite:", 7) == 0 &&
	    spec[7] != '\0') || strncmp(spec, "postgresql://", 13) == 0 ||
	    strncmp(spec, "postgres://", 11) == 0)
		return (AM_OK);
	return (buf_why(why, AM_PERM, "report.store: \"%s\": want "
	    "sqlite:PATH or postgresql://...", spec));
}

/* report_main - the subcommand; returns the exit status */
int
report_main(int argc, char **argv, const char *def_conf)
{
	struct rpt_opts o;
	struct conf *cf = NULL;
	struct store *st = NULL;
	struct buf *why = buf_new(LIM_REASON);
	const char *path;
	int	 rc = 2;

	path = parse(argc, argv, &o);
	log_open("authmilter", 1, 0);
	if (conf_load(path ? path : def_conf, &cf, why) != AM_OK) {
		fprintf(stderr, "authmilter report: %s\n", buf_str(why));
		goto out;
	}
	if (cf->report_store[0] == '\0') {
		fprintf(stderr, "authmilter report: report.store is not set "
		    "in %s\n", path ? path : def_conf);
		goto out;
	}
	rc = 1;
	if ((st = store_open(cf->report_store, why)) == NULL) {
		fprintf(stderr, "authmilter report: %s\n", buf_str(why));
		goto out;
	}
	if (strcmp(o.cmd, "send") == 0)
		rc = cmd_send(st, cf, &o, why);
	else if (strcmp(o.cmd, "show") == 0)
		rc = cmd_show(st, &o, stdout, why);
	else
		rc = cmd_digest(st, cf, &o, why);
	if (rc != AM_OK)
		fprintf(stderr, "authmilter report: %s\n", buf_str(why));
	rc = rc == AM_OK ? 0 : 1;
out:
	store_free(&st);
	conf_free(&cf);
	buf_free(&why);
	return (rc);
}
