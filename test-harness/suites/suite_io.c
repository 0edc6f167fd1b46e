/*
 * NAME
 *	suite_io - reading suite data files, shared by the suite runners
 * DESCRIPTION
 *	See suite_io.h.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-harness/suites/suite_io.h"

/* suite_slurp - a whole file, NUL-terminated, or NULL */
char *
suite_slurp(const char *path, size_t *len_r)
{
	FILE	*fp;
	char	*p;
	long	 n;

	if ((fp = fopen(path, "rb")) == NULL)
		return (NULL);
	if (fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 || (p = malloc((size_t)n + 1)) ==
	    NULL) {
		fclose(fp);
		return (NULL);
	}
	if (fread(p, 1, (size_t)n, fp) != (size_t)n) {
		free(p);
		fclose(fp);
		return (NULL);
	}
	p[n] = '\0';
	fclose(fp);
	*len_r = (size_t)n;
	return (p);
}

/* suite_next_line - cut the line at *pp (LF or CRLF), advance; NULL at end */
char *
suite_next_line(char **pp, char *end)
{
	char	*p = *pp, *nl;

	if (p >= end)
		return (NULL);
	if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
		nl = end;
	*pp = nl < end ? nl + 1 : end;
	*nl = '\0';
	if (nl > p && nl[-1] == '\r')
		nl[-1] = '\0';
	return (p);
}
