/*
 * NAME
 *	suite_io - reading suite data files, shared by the suite runners
 * SYNOPSIS
 *	#include "test-harness/suites/suite_io.h"
 *
 *	char *suite_slurp(const char *path, size_t *len_r);
 *	char *suite_next_line(char **pp, char *end);
 * DESCRIPTION
 *	suite_slurp() reads a whole file into a NUL-terminated buffer the
 *	caller frees, or returns NULL. suite_next_line() cuts the line at
 *	*pp (LF or CRLF) in place and advances *pp; NULL at end.
 */
#ifndef AM_SUITE_IO_H
#define AM_SUITE_IO_H

#include <stddef.h>

char	*suite_slurp(const char *path, size_t *len_r);
char	*suite_next_line(char **pp, char *end);

#endif
