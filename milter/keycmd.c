/*
 * NAME
 *	keycmd - the genkey and testkey subcommands
 * SYNOPSIS
 *	authmilter genkey DOMAIN SELECTOR [--type rsa|ed25519] [--bits N]
 *	    [--dir D]
 *	authmilter testkey [-c FILE] [KEYNAME...]
 *	authmilter testkey [-c FILE] --domain D --selector S --key FILE
 * DESCRIPTION
 *	genkey writes a new private key to D/DOMAIN.SELECTOR.key (mode
 *	0600, PKCS#8 PEM; never over an existing file) and prints on stdout
 *	the exact TXT record to publish, as one zone file line:
 *	  SELECTOR._domainkey.DOMAIN. IN TXT ( "v=DKIM1; k=rsa; " "p=..." )
 *	and on stderr the key table line for it. RSA keys have 2048 bits
 *	unless --bits says otherwise (1024 to 8192).
 *
 *	testkey looks up SELECTOR._domainkey.DOMAIN through the resolver
 *	of the configuration (dns.nameservers) and checks that the record
 *	holds the public half of the private key: every key of the key
 *	table (or the named ones), or the one key given by --domain,
 *	--selector and --key. One line per key, "NAME NAME._domainkey.D:
 *	ok (rsa 2048)" or the problem; exit status 1 if any key fails.
 * SEE ALSO
 *	authmilter(8), opendkim-genkey(8), opendkim-testkey(8)
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/sign.h"
#include "auth/signkey.h"
#include "conf/conf.h"
#include "dns/dns.h"
#include "milter/keycmd.h"
#include "util/am.h"
#include "util/limits.h"

#define DEF_CONF	"/etc/authmilter/authmilter.conf"

/* print_record - the TXT record as a zone file line, strings <= 255 */
static void
print_record(const char *domain, const char *selector, const char *rec)
{
	const char *p = strstr(rec, "p=");
	size_t	 n, len;

	printf("%s._domainkey.%s.\tIN\tTXT\t( \"%.*s\"", selector, domain,
	    (int)(p - rec), rec);
	for (len = strlen(p); len > 0; p += n, len -= n) {
		n = len > 250 ? 250 : len;
		printf(" \"%.*s\"", (int)n, p);
	}
	printf(" )\n");
}

/* keycmd_genkey - a new key and its TXT record */
int
keycmd_genkey(int argc, char **argv)
{
	static const struct option lo[] = {
		{"type", required_argument, NULL, 't'},
		{"bits", required_argument, NULL, 'b'},
		{"dir", required_argument, NULL, 'D'},
		{NULL, 0, NULL, 0},
	};
	enum signkey_type type = SIGNKEY_RSA;
	const char *dir = ".";
	char	 path[PATH_MAX], abs[PATH_MAX], *end;
	struct buf *why = buf_new(LIM_REASON), *rec = buf_new(LIM_DNS_TXT);
	struct signkey k;
	long	 bits = 2048;
	int	 ch;

	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 't':
			if (strcmp(optarg, "rsa") == 0)
				type = SIGNKEY_RSA;
			else if (strcmp(optarg, "ed25519") == 0)
				type = SIGNKEY_ED25519;
			else
				goto usage;
			break;
		case 'b':
			bits = strtol(optarg, &end, 10);
			if (*end != '\0' || bits < 1024 || bits > 8192)
				goto usage;
			break;
		case 'D': dir = optarg; break;
		default: goto usage;
		}
	}
	if (argc - optind != 2 || strchr(argv[optind], '/') != NULL ||
	    strchr(argv[optind + 1], '/') != NULL)
		goto usage;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s.%s.key", dir,
	    argv[optind], argv[optind + 1]) >= sizeof(path) ||
	    signkey_generate(type, (int)bits, path, why) != AM_OK ||
	    signkey_load(path, true, &k, why) != AM_OK)
		goto fail;
	if (signkey_record(&k, rec, why) != AM_OK) {
		signkey_clear(&k);
		goto fail;
	}
	print_record(argv[optind], argv[optind + 1], buf_str(rec));
	fprintf(stderr, "authmilter genkey: wrote %s; its key table line:\n"
	    "  %s.%s %s:%s:%s\n", path, argv[optind + 1], argv[optind],
	    argv[optind], argv[optind + 1],
	    realpath(path, abs) != NULL ? abs : path);
	signkey_clear(&k);
	buf_free(&why);
	buf_free(&rec);
	return (0);
fail:
	fprintf(stderr, "authmilter genkey: %s\n", buf_str(why));
	buf_free(&why);
	buf_free(&rec);
	return (1);
usage:
	fprintf(stderr, "usage: authmilter genkey DOMAIN SELECTOR "
	    "[--type rsa|ed25519] [--bits 1024..8192] [--dir D]\n");
	buf_free(&why);
	buf_free(&rec);
	return (1);
}

/* test_one - look up one key's record and compare */
static int
test_one(struct dns *dns, const char *label, const char *domain,
    const char *selector, const struct signkey *k, struct buf *why)
{
	struct dns_answer *ans = NULL;
	char	 name[LIM_DOMAIN * 2];
	size_t	 i, ntxt = 0;
	const char *rec = NULL;
	int	 st;

	snprintf(name, sizeof(name), "%s._domainkey.%s", selector, domain);
	st = dns_query(dns, name, DNS_T_TXT, &ans, why);
	for (i = 0; ans != NULL && i < ans->nrr; i++)
		if (ans->rr[i].type == DNS_T_TXT) {
			rec = (const char *)ans->rr[i].data;
			ntxt++;
		}
	if (st != DNS_OK || ntxt != 1) {
		printf("%s %s: %s\n", label, name, st == DNS_NOTFOUND ?
		    "no key record published" : st != DNS_OK ?
		    "DNS lookup failed (try again)" :
		    "several TXT records (RFC 6376 3.6.2.2)");
		dns_answer_free(&ans);
		return (1);
	}
	if ((st = signkey_matches(k, rec, why)) != AM_OK)
		printf("%s %s: mismatch: %s\n", label, name, buf_str(why));
	else
		printf("%s %s: ok (%s %d)\n", label, name,
		    signkey_type_str(k->type), k->bits);
	dns_answer_free(&ans);
	return (st == AM_OK ? 0 : 1);
}

/* test_table - every (or every named) key of the key table */
static int
test_table(struct dns *dns, const struct signer *s, char **names, int n,
    struct buf *why)
{
	const struct signer_key *k;
	int	 i, j, bad = 0, found;

	for (j = 0; j < n; j++) {
		for (i = 0, found = 0; (k = signer_key(s, i)) != NULL; i++)
			found |= strcmp(k->name, names[j]) == 0;
		if (!found) {
			printf("%s: not in %s\n", names[j],
			    signer_key_table(s));
			bad = 1;
		}
	}
	for (i = 0; (k = signer_key(s, i)) != NULL; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(k->name, names[j]) == 0)
				break;
		if (n > 0 && j == n)
			continue;
		bad |= test_one(dns, k->name, k->domain, k->selector,
		    &k->key, why);
	}
	return (bad);
}

/* keycmd_testkey - published records against private keys */
int
keycmd_testkey(int argc, char **argv)
{
	static const struct option lo[] = {
		{"domain", required_argument, NULL, 'd'},
		{"selector", required_argument, NULL, 's'},
		{"key", required_argument, NULL, 'k'},
		{NULL, 0, NULL, 0},
	};
	const char *path = DEF_CONF, *d = NULL, *sel = NULL, *kf = NULL;
	struct buf *why = buf_new(LIM_REASON);
	struct signer *s = NULL;
	struct signkey k;
	struct conf *cf;
	struct dns *dns;
	int	 ch, rc;

	while ((ch = getopt_long(argc, argv, "c:", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': path = optarg; break;
		case 'd': d = optarg; break;
		case 's': sel = optarg; break;
		case 'k': kf = optarg; break;
		default: goto usage;
		}
	}
	if ((d != NULL || sel != NULL || kf != NULL) && (d == NULL ||
	    sel == NULL || kf == NULL || optind != argc))
		goto usage;
	if (conf_load(path, &cf, why) != AM_OK) {
		fprintf(stderr, "authmilter testkey: %s\n", buf_str(why));
		buf_free(&why);
		return (1);
	}
	if ((dns = dns_new(cf->dns_nameservers, cf->dns_timeout, why)) ==
	    NULL) {
		fprintf(stderr, "authmilter testkey: %s\n", buf_str(why));
		conf_free(&cf);
		buf_free(&why);
		return (1);
	}
	if (kf != NULL) {
		rc = signkey_load(kf, cf->sign_require_safe_keys, &k, why);
		if (rc == AM_OK) {
			rc = test_one(dns, kf, d, sel, &k, why);
			signkey_clear(&k);
		} else
			fprintf(stderr, "authmilter testkey: %s\n",
			    buf_str(why));
	} else if (cf->sign_key_table[0] == '\0') {
		fprintf(stderr, "authmilter testkey: %s: no sign.key_table\n",
		    path);
		rc = 1;
	} else if ((s = signer_new(cf->sign_key_table, cf->sign_signing_table,
	    cf->sign_require_safe_keys, 0, why)) == NULL) {
		fprintf(stderr, "authmilter testkey: %s\n", buf_str(why));
		rc = 1;
	} else
		rc = test_table(dns, s, argv + optind, argc - optind, why);
	signer_free(&s);
	dns_free(&dns);
	conf_free(&cf);
	buf_free(&why);
	return (rc != 0 ? 1 : 0);
usage:
	buf_free(&why);
	fprintf(stderr, "usage: authmilter testkey [-c FILE] [KEYNAME...]\n"
	    "       authmilter testkey [-c FILE] --domain D --selector S "
	    "--key FILE\n");
	return (1);
}
