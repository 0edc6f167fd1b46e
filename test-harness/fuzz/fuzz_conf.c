/*
 * NAME
 *	fuzz_conf - libFuzzer target: loading the configuration file
 * DESCRIPTION
 *	The input is the text of an authmilter.conf. It is written to an
 *	anonymous memory file and loaded with conf_load() through
 *	/proc/self/fd/N, so no temporary file is left behind. A file that
 *	loads is dumped (conf_dump(), as -n does) and conf_is_trusted() is
 *	asked about two addresses; a refusal must say why.
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
	d1 = dump(cf, &n1);
	fz_check(n1 > 0 && strlen(d1) == n1, "dump: text, no NUL");
	free(d1);
	conf_free(&cf);
	buf_free(&why);
	return (0);
}
