/*
 * test_conf - params table, defaults, file loading and its errors
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

#include "conf/conf.h"
#include "util/am.h"

/* write_tmp - a config file with text; returns its path (static) */
static const char *
write_tmp(const char *text)
{
	static char path[64];
	int	 fd;

	snprintf(path, sizeof(path), "/tmp/test_conf.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return (path);
}

static void
test_defaults(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf;
	struct addr a;

	assert_int_equal(conf_load(NULL, &cf, why), AM_OK);
	assert_string_equal(cf->socket, "inet:8893@127.0.0.1");
	assert_int_equal(cf->mode, CONF_MODE_ENFORCE);
	assert_int_equal(cf->dns_timeout, 5000);
	assert_int_equal(cf->dkim_max_signatures, 10);
	assert_int_equal(cf->dkim_min_key_bits, 1024);
	assert_true(cf->skip_authenticated);
	assert_true(cf->received_spf);
	assert_int_equal(cf->on_bad_from, CONF_BADFROM_REJECT);
	assert_int_equal(addr_parse("127.0.0.5", &a), AM_OK);
	assert_true(conf_is_trusted(cf, &a));
	assert_int_equal(addr_parse("::1", &a), AM_OK);
	assert_true(conf_is_trusted(cf, &a));
	assert_int_equal(addr_parse("192.0.2.1", &a), AM_OK);
	assert_false(conf_is_trusted(cf, &a));
	conf_free(&cf);
	assert_null(cf);
	buf_free(&why);
}

static void
test_example_file(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf;

	assert_int_equal(conf_load("conf/authmilter.conf", &cf, why), AM_OK);
	assert_string_equal(cf->dmarc_public_suffix_list,
	    "/usr/share/publicsuffix/public_suffix_list.dat");
	conf_free(&cf);
	buf_free(&why);
}

static void
test_values(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf;
	struct addr a;
	const char *p = write_tmp(
	    "mode = \"monitor\";\n"
	    "trusted_networks = [ \"198.51.100.0/24\" ];\n"
	    "dns = { nameservers = \"127.0.0.1@5353\"; timeout = 250; };\n"
	    "dmarc = { reject_action = \"quarantine\"; };\n");

	assert_int_equal(conf_load(p, &cf, why), AM_OK);
	assert_int_equal(cf->mode, CONF_MODE_MONITOR);
	assert_string_equal(cf->dns_nameservers, "127.0.0.1@5353");
	assert_int_equal(cf->dns_timeout, 250);
	assert_int_equal(cf->dmarc_reject_action, CONF_REJACT_QUARANTINE);
	assert_int_equal(addr_parse("198.51.100.7", &a), AM_OK);
	assert_true(conf_is_trusted(cf, &a));
	assert_int_equal(addr_parse("127.0.0.1", &a), AM_OK);
	assert_false(conf_is_trusted(cf, &a));	/* list replaced */
	conf_free(&cf);
	unlink(p);
	buf_free(&why);
}

/* each bad file must fail with "path:line: <want>" */
static const struct {
	const char *label;
	const char *text;
	int	 line;
	const char *want;
} bad[] = {
	{"unknown key", "socket = \"unix:/x\";\nsockett = \"x\";\n", 2,
	    "unknown key \"sockett\""},
	{"unknown group key", "dns = {\n  server = \"x\";\n};\n", 2,
	    "unknown key \"dns.server\""},
	{"wrong type", "debug = \"yes\";\n", 1, "want true or false"},
	{"int below min", "dns = { timeout = 5; };\n", 1,
	    "is not a number from 100 to 60000"},
	{"int above max", "\n\ndkim = { max_signatures = 51; };\n", 3,
	    "from 1 to 50"},
	{"short rsa floor", "dkim = { min_key_bits = 512; };\n", 1,
	    "from 1024 to 16384"},
	{"bad enum", "mode = \"enforcing\";\n", 1, "not one of the allowed"},
	{"bad cidr", "trusted_networks = [\"10.0.0.0/33\"];\n", 1,
	    "bad network"},
	{"not a list", "trusted_networks = \"127.0.0.1\";\n", 1,
	    "want a list of strings"},
	{"syntax", "mode = \"enforce\"\nsocket = ;\n", 2, ""},
	{"dotted key after its group", "dns = { timeout = 300; };\n"
	    "dns.timeout = 400;\n", 2, "\"dns.timeout\": dotted keys cannot "
	    "be written in the file; put the key in its group: dns = { "
	    "timeout = ...; };"},
	{"dotted key alone", "debug = true;\n  dmarc.max_queries: 9;\n", 2,
	    "\"dmarc.max_queries\": dotted keys"},
};

static void
test_bad_files(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf = (struct conf *)1;
	char	 prefix[128];
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *p = write_tmp(bad[i].text);

		assert_int_equal(conf_load(p, &cf, why), AM_PERM);
		assert_null(cf);
		snprintf(prefix, sizeof(prefix), "%s:%d: ", p, bad[i].line);
		if (strncmp(buf_str(why), prefix, strlen(prefix)) != 0 ||
		    strstr(buf_str(why), bad[i].want) == NULL)
			fail_msg("%s: got \"%s\"", bad[i].label, buf_str(why));
		unlink(p);
	}
	buf_free(&why);
}

/* test_dump_loads - the dump is a configuration giving the same dump */
static void
test_dump_loads(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf, *cf2;
	char	*t1 = NULL, *t2 = NULL;
	size_t	 l1 = 0, l2 = 0;
	FILE	*fp;
	const char *p = write_tmp(
	    "authserv_id = \"q\\\"uote\\\\back\";\n"
	    "dmarc = { reject_action = \"tag\"; };\n");

	assert_int_equal(conf_load(p, &cf, why), AM_OK);
	assert_string_equal(cf->authserv_id, "q\"uote\\back");
	fp = open_memstream(&t1, &l1);
	conf_dump(cf, fp);
	fclose(fp);
	p = write_tmp(t1);
	if (conf_load(p, &cf2, why) != AM_OK)
		fail_msg("dump does not load: %s\n%s", buf_str(why), t1);
	fp = open_memstream(&t2, &l2);
	conf_dump(cf2, fp);
	fclose(fp);
	assert_string_equal(t1, t2);
	unlink(p);
	free(t1);
	free(t2);
	conf_free(&cf);
	conf_free(&cf2);
	buf_free(&why);
}

static void
test_missing_file(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf;

	assert_int_equal(conf_load("/nonexistent/authmilter.conf", &cf, why),
	    AM_PERM);
	assert_string_equal(buf_str(why),
	    "/nonexistent/authmilter.conf: No such file or directory");
	buf_free(&why);
}

/* test_socket_mode - octal text, at most 0777; checked at load */
static void
test_socket_mode(void **state)
{
	static const struct {
		const char *text;
		int	 mode;		/* -1: refused */
	} t[] = {
		{"socket_mode = \"0660\";\n", 0660},
		{"socket_mode = \"600\";\n", 0600},
		{"socket_mode = \"0777\";\n", 0777},
		{"socket_mode = \"0999\";\n", -1},
		{"socket_mode = \"01777\";\n", -1},
		{"socket_mode = \"\";\n", -1},
		{"socket_mode = \"rw\";\n", -1},
	};
	struct buf *why = buf_new(256);
	struct conf *cf;
	size_t	 i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		const char *p = write_tmp(t[i].text);
		int	 st = conf_load(p, &cf, why);

		if (t[i].mode < 0) {
			assert_int_equal(st, AM_PERM);
			assert_non_null(strstr(buf_str(why),
			    "socket_mode: "));
		} else {
			assert_int_equal(st, AM_OK);
			assert_int_equal(conf_socket_mode(cf), t[i].mode);
			conf_free(&cf);
		}
		unlink(p);
	}
	buf_free(&why);
}

/* test_key_keep - a reload keeps the running value of a restart key */
static void
test_key_keep(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *run, *cf;
	const struct param *to = NULL, *sock = NULL;
	size_t	 i;

	for (i = 0; i < conf_nparams; i++) {
		if (strcmp(conf_params[i].key, "dns.timeout") == 0)
			to = &conf_params[i];
		if (strcmp(conf_params[i].key, "socket") == 0)
			sock = &conf_params[i];
	}
	assert_non_null(to);
	assert_non_null(sock);
	assert_int_equal(conf_load(NULL, &run, why), AM_OK);
	const char *p = write_tmp("dns = { timeout = 400; };\n"
	    "socket = \"unix:/x\";\n");
	assert_int_equal(conf_load(p, &cf, why), AM_OK);
	assert_false(conf_key_same(run, cf, to));
	assert_false(conf_key_same(run, cf, sock));
	assert_int_equal(conf_key_keep(cf, run, to, why), AM_OK);
	assert_int_equal(conf_key_keep(cf, run, sock, why), AM_OK);
	assert_true(conf_key_same(run, cf, to));
	assert_true(conf_key_same(run, cf, sock));
	assert_int_equal(cf->dns_timeout, 5000);
	assert_string_equal(cf->socket, "inet:8893@127.0.0.1");
	unlink(p);
	conf_free(&run);
	conf_free(&cf);
	buf_free(&why);
}

static void
test_dump_roundtrip(void **state)
{
	struct buf *why = buf_new(256);
	struct conf *cf;
	char	*text = NULL;
	size_t	 len = 0;
	FILE	*fp = open_memstream(&text, &len);
	size_t	 i;

	assert_int_equal(conf_load(NULL, &cf, why), AM_OK);
	conf_dump(cf, fp);
	fclose(fp);
	for (i = 0; i < conf_nparams; i++) {	/* "dns.timeout": "timeout" */
		const char *dot = strchr(conf_params[i].key, '.');

		assert_non_null(strstr(text, dot ? dot + 1 :
		    conf_params[i].key));
	}
	assert_non_null(strstr(text, "mode = \"enforce\";"));
	assert_non_null(strstr(text, "dns = {\n\tnameservers = \"\";\n"));
	assert_non_null(strstr(text,
	    "trusted_networks = [ \"127.0.0.0/8\", \"::1/128\" ];"));
	free(text);
	conf_free(&cf);
	buf_free(&why);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_socket_mode),
		cmocka_unit_test(test_key_keep),
		cmocka_unit_test(test_dump_roundtrip),
		cmocka_unit_test(test_dump_loads),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
