/*
 * NAME
 *	spf_suite - the openspf RFC 7208 test suite through auth/spf.c
 * SYNOPSIS
 *	spf_suite suite.tsv
 * DESCRIPTION
 *	Reads the suite as flattened by yaml2tsv.py (one record per line,
 *	TAB-separated, backslash escapes; see there) and runs every test
 *	through our code path: the scenario's zone is loaded into dns_mock,
 *	and the test's client, HELO and MAIL FROM go to spf_check_mailfrom()
 *	(an empty MAIL FROM is the null sender, checked as postmaster@HELO);
 *	for those, spf_check_helo() must agree. A test passes when our
 *	result is one of the results it accepts. Explanation strings are not
 *	compared: we never use exp= text (RFC 7208 6.2 makes it optional).
 *
 *	Every result must also carry a bounded reason, domain and identity
 *	without control bytes (they reach headers and logs).
 *
 *	Prints one TAP line per test,
 *	    ok - spf7208/<scenario>/<test>
 *	    not ok - spf7208/<scenario>/<test>: got <result> want <results>
 *	and "# spf7208: N/TOTAL pass" at the end.
 * DIAGNOSTICS
 *	Exit 0 when every test ran (pass or fail), 2 on a bad input file.
 * SEE ALSO
 *	../shared/testsuites/spf-openspf/rfc7208-tests.yml, RFC 7208
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/am.h"
#include "util/addr.h"
#include "util/buf.h"
#include "util/limits.h"
#include "dns/dns.h"
#include "auth/result.h"
#include "auth/spf.h"

#define FIELDS_MAX	8
#define RECEIVER	"receiver.example"

struct field {
	char	*s;			/* unescaped, NUL-terminated */
	size_t	 len;			/* may be less than strlen: NUL */
};

struct suite {
	char	 scenario[128];
	struct dns *dns;
	struct spf *spf;
	int	 ntests;
	int	 npass;
};

/* hexval - value of a hex digit, or -1 */
static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* unescape - undo yaml2tsv.py's escapes in place; the new length */
static size_t
unescape(char *s)
{
	size_t	 i, o = 0;
	int	 hi, lo;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] != '\\' || s[i + 1] == '\0') {
			s[o++] = s[i];
			continue;
		}
		switch (s[++i]) {
		case 't':
			s[o++] = '\t';
			break;
		case 'n':
			s[o++] = '\n';
			break;
		case 'r':
			s[o++] = '\r';
			break;
		case 'x':
			if ((hi = hexval(s[i + 1])) < 0 ||
			    (lo = hexval(s[i + 2])) < 0) {
				s[o++] = 'x';
				break;
			}
			s[o++] = (char)(hi << 4 | lo);
			i += 2;
			break;
		default:
			s[o++] = s[i];
			break;
		}
	}
	s[o] = '\0';
	return (o);
}

/* split - the TAB-separated fields of line, unescaped; their number */
static int
split(char *line, struct field *f)
{
	char	*p = line, *tab;
	int	 n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < FIELDS_MAX) {
		f[n].s = p;
		if ((tab = strchr(p, '\t')) != NULL)
			*tab = '\0';
		f[n].len = unescape(p);
		n++;
		if (tab == NULL)
			break;
		p = tab + 1;
	}
	return (n);
}

/* qtype - DNS_T_* of a type name, or -1 */
static int
qtype(const char *s)
{
	static const struct {
		const char *name;
		int	 type;
	} tab[] = {
		{"A", DNS_T_A}, {"AAAA", DNS_T_AAAA}, {"MX", DNS_T_MX},
		{"PTR", DNS_T_PTR}, {"CNAME", DNS_T_CNAME}, {"TXT", DNS_T_TXT},
	};
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(tab); i++)
		if (strcmp(s, tab[i].name) == 0)
			return (tab[i].type);
	return (-1);
}

/* zone_line - one "zone" or "fail" record into the mock */
static int
zone_line(struct suite *st, const struct field *f, int n, int fail)
{
	int	 t;

	if (n < (fail ? 3 : 4) || (t = qtype(f[2].s)) < 0 ||
	    f[1].len >= LIM_DOMAIN - 1)
		return (-1);
	if (fail)
		dns_mock_fail(st->dns, f[1].s, t, DNS_TEMP);
	else if (t == DNS_T_TXT)
		dns_mock_add_txt(st->dns, f[1].s, f[3].s, f[3].len);
	else
		dns_mock_add(st->dns, f[1].s, t, f[3].s);
	return (0);
}

/* accepts - is res one of the comma-separated results in want */
static int
accepts(const char *want, const char *res)
{
	size_t	 n = strlen(res);
	const char *p = want;

	while (*p != '\0') {
		if (strncmp(p, res, n) == 0 && (p[n] == ',' || p[n] == '\0'))
			return (1);
		p += strcspn(p, ",");
		p += *p == ',';
	}
	return (0);
}

/* sane - a result string is bounded and has no control byte */
static int
sane(const char *s, size_t size)
{
	size_t	 i, n = strnlen(s, size);

	if (n == size)
		return (0);
	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return (0);
	return (1);
}

/* check - run one test; NULL if it may be judged, else what went wrong */
static const char *
check(struct suite *st, const struct field *f, struct spf_result *res)
{
	struct spf_result helo;
	struct addr client;
	struct buf *why;
	int	 rc;

	if (addr_parse(f[2].s, &client) != AM_OK)
		return ("bad client address in suite");
	if ((why = buf_new(LIM_REASON)) == NULL)
		return ("out of memory");
	rc = spf_check_mailfrom(st->spf, &client, f[3].s, f[4].s, res, why);
	buf_free(&why);
	if (rc != AM_OK)
		return ("spf_check_mailfrom failed");
	if (!sane(res->reason, sizeof(res->reason)) || res->reason[0] == '\0' ||
	    !sane(res->domain, sizeof(res->domain)) ||
	    !sane(res->identity, sizeof(res->identity)))
		return ("result strings not sane");
	if (f[4].s[0] != '\0')
		return (NULL);
	if (spf_check_helo(st->spf, &client, f[3].s, &helo, NULL) != AM_OK)
		return ("spf_check_helo failed");
	if (helo.result != res->result)
		return ("spf_check_helo disagrees");
	return (NULL);
}

/* test_line - one "test" record: run it, print its TAP line */
static int
test_line(struct suite *st, const struct field *f, int n)
{
	struct spf_result res;
	const char *err, *got;

	if (n < 6 || st->spf == NULL)
		return (-1);
	st->ntests++;
	if ((err = check(st, f, &res)) != NULL) {
		printf("not ok - spf7208/%s/%s: %s\n", st->scenario, f[1].s,
		    err);
		return (0);
	}
	got = spf_res_str(res.result);
	if (accepts(f[5].s, got)) {
		st->npass++;
		printf("ok - spf7208/%s/%s\n", st->scenario, f[1].s);
	} else
		printf("not ok - spf7208/%s/%s: got %s want %s\n",
		    st->scenario, f[1].s, got, f[5].s);
	return (0);
}

/* scenario_begin - a fresh zone and checker */
static int
scenario_begin(struct suite *st, const struct field *f, int n)
{
	if (n < 2 || st->dns != NULL)
		return (-1);
	snprintf(st->scenario, sizeof(st->scenario), "%s", f[1].s);
	st->dns = dns_mock_new();
	if ((st->spf = spf_new(st->dns, RECEIVER, NULL)) == NULL)
		return (-1);
	return (0);
}

/* scenario_end - drop the zone */
static void
scenario_end(struct suite *st)
{
	spf_free(&st->spf);
	dns_free(&st->dns);
}

/* line - dispatch one record */
static int
line(struct suite *st, char *text)
{
	struct field f[FIELDS_MAX];
	int	 n;

	if ((n = split(text, f)) < 1 || f[0].s[0] == '\0')
		return (0);
	if (strcmp(f[0].s, "scenario") == 0)
		return (scenario_begin(st, f, n));
	if (st->dns == NULL)
		return (-1);
	if (strcmp(f[0].s, "zone") == 0 || strcmp(f[0].s, "fail") == 0)
		return (zone_line(st, f, n, f[0].s[0] == 'f'));
	if (strcmp(f[0].s, "test") == 0)
		return (test_line(st, f, n));
	if (strcmp(f[0].s, "end") == 0) {
		scenario_end(st);
		return (0);
	}
	return (-1);
}

int
main(int argc, char **argv)
{
	struct suite st;
	FILE	*fp;
	char	*text = NULL;
	size_t	 cap = 0;
	long	 lineno = 0;
	int	 rc = 0;

	if (argc != 2 || (fp = fopen(argv[1], "r")) == NULL) {
		fprintf(stderr, "usage: spf_suite suite.tsv\n");
		return (2);
	}
	memset(&st, 0, sizeof(st));
	while (getline(&text, &cap, fp) != -1) {
		lineno++;
		if (line(&st, text) != 0) {
			fprintf(stderr, "spf_suite: %s:%ld: bad record\n",
			    argv[1], lineno);
			rc = 2;
			break;
		}
	}
	free(text);
	fclose(fp);
	scenario_end(&st);
	printf("# spf7208: %d/%d pass\n", st.npass, st.ntests);
	return (rc);
}
