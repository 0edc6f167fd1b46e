/*
 * NAME
 *	cli - the `authmilter check' command line
 * SYNOPSIS
 *	authmilter check DOMAIN [--selector LIST] [--json]
 *	    [--nameserver ADDR[@PORT]] [-c FILE] [--max-queries N]
 *	    [--time-limit SECONDS]
 * DESCRIPTION
 *	See check.h and authmilter(8). The resolver is, in order: the
 *	--nameserver given, the dns.nameservers of the configuration given
 *	with -c, the system's (/etc/resolv.conf).
 * DIAGNOSTICS
 *	Usage errors name the argument and exit 2.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "check/ck.h"
#include "conf/conf.h"
#include "util/am.h"

#define CK_DEF_QUERIES	300
#define CK_DEF_SECONDS	60
#define CK_DNS_TIMEOUT	3000		/* ms per query without -c */

struct ck_opts {
	const char *domain, *selectors, *nameserver, *conf;
	bool	 json;
	long	 max_queries, seconds;
};

/* ck_usage - say what is wrong and how it is used; exit 2 */
static _Noreturn void
ck_usage(const char *what)
{
	if (what != NULL)
		fprintf(stderr, "authmilter check: %s\n", what);
	fprintf(stderr, "usage: authmilter check DOMAIN [--selector LIST] "
	    "[--json] [--nameserver ADDR[@PORT]]\n"
	    "           [-c FILE] [--max-queries N] [--time-limit SECONDS]\n");
	exit(2);
}

/* number - a positive option value, or a usage error naming it */
static long
number(const char *opt, const char *s, long max)
{
	char	*end;
	long	 v = strtol(s, &end, 10);
	char	 msg[128];

	if (*s == '\0' || *end != '\0' || v < 1 || v > max) {
		snprintf(msg, sizeof(msg), "%s: \"%.40s\" is not a number "
		    "from 1 to %ld", opt, s, max);
		ck_usage(msg);
	}
	return (v);
}

/* norm_domain - lower case, no trailing dot; false if not a domain */
static bool
norm_domain(const char *s, char *dst, size_t len)
{
	size_t	 i, n = strlen(s);

	if (n > 0 && s[n - 1] == '.')
		n--;
	if (n == 0 || n >= len || n > 253)
		return (false);
	for (i = 0; i < n; i++) {
		if (!isalnum((unsigned char)s[i]) && s[i] != '-' &&
		    s[i] != '.' && s[i] != '_')
			return (false);
		dst[i] = (char)tolower((unsigned char)s[i]);
	}
	dst[n] = '\0';
	return (strstr(dst, "..") == NULL && dst[0] != '.');
}

/* parse - the options after "check" */
static void
parse(int argc, char **argv, struct ck_opts *o)
{
	static const struct option lo[] = {
		{"selector", required_argument, NULL, 's'},
		{"json", no_argument, NULL, 'j'},
		{"nameserver", required_argument, NULL, 'N'},
		{"max-queries", required_argument, NULL, 'q'},
		{"time-limit", required_argument, NULL, 'T'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	char	 msg[128];
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->max_queries = CK_DEF_QUERIES;
	o->seconds = CK_DEF_SECONDS;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "c:h", lo, NULL)) != -1) {
		switch (ch) {
		case 's': o->selectors = optarg; break;
		case 'j': o->json = true; break;
		case 'N': o->nameserver = optarg; break;
		case 'c': o->conf = optarg; break;
		case 'q': o->max_queries = number("--max-queries", optarg,
		    10000); break;
		case 'T': o->seconds = number("--time-limit", optarg, 3600);
		    break;
		case 'h': ck_usage(NULL);
		default:
			snprintf(msg, sizeof(msg), "unknown or incomplete "
			    "option %s", argv[optind - 1]);
			ck_usage(msg);
		}
	}
	if (optind >= argc)
		ck_usage("no DOMAIN given");
	if (optind + 1 < argc) {
		snprintf(msg, sizeof(msg), "unexpected argument \"%.60s\"",
		    argv[optind + 1]);
		ck_usage(msg);
	}
	o->domain = argv[optind];
}

/* resolver - the struct dns the options ask for; NULL: message, exit 2 */
static struct dns *
resolver(const struct ck_opts *o, struct buf *why)
{
	struct conf *cf = NULL;
	struct dns *d;
	char	 ns[1024] = "";
	int	 timeout = CK_DNS_TIMEOUT;

	if (o->conf != NULL) {
		if (conf_load(o->conf, &cf, why) != AM_OK)
			return (NULL);
		snprintf(ns, sizeof(ns), "%s", cf->dns_nameservers);
		timeout = cf->dns_timeout;
		conf_free(&cf);
	}
	if (o->nameserver != NULL)
		snprintf(ns, sizeof(ns), "%s", o->nameserver);
	d = dns_new(ns, timeout, why);
	return (d);
}

/* check_main - the subcommand; returns the exit status */
int
check_main(int argc, char **argv)
{
	static struct ck c;		/* ~200 KiB of findings and tree */
	struct ck_opts o;
	struct buf *why = buf_new(LIM_REASON);
	int	 rc;

	parse(argc, argv, &o);
	memset(&c, 0, sizeof(c));
	if (!norm_domain(o.domain, c.domain, sizeof(c.domain)))
		ck_usage("DOMAIN is not a domain name (give the A-label form)");
	c.selectors = o.selectors;
	c.max_queries = (int)o.max_queries;
	clock_gettime(CLOCK_MONOTONIC, &c.deadline);
	c.deadline.tv_sec += o.seconds;
	if ((c.dns = resolver(&o, why)) == NULL ||
	    (c.spf = spf_new(c.dns, "authmilter-check", why)) == NULL ||
	    (c.dmarc = dmarc_new(c.dns, DMARC_ORG_TREEWALK,
	    "/usr/share/publicsuffix/public_suffix_list.dat", 20,
	    why)) == NULL) {
		fprintf(stderr, "authmilter check: %s\n", buf_str(why));
		rc = 2;
		goto out;
	}
	spf_set_timeout(c.spf, (int)(o.seconds * 1000 / 4));
	ck_mx(&c);
	ck_spf(&c);
	ck_dmarc(&c);
	ck_dkim(&c);
	ck_transport(&c);
	if (o.json)
		ck_print_json(&c, stdout);
	else
		ck_print_text(&c, stdout, isatty(STDOUT_FILENO) &&
		    getenv("NO_COLOR") == NULL);
	rc = c.incomplete ? 2 : ck_worst(&c) == CK_FAIL ? 1 : 0;
out:
	dmarc_free(&c.dmarc);
	spf_free(&c.spf);
	dns_free(&c.dns);
	buf_free(&why);
	return (rc);
}
