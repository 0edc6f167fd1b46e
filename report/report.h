/*
 * NAME
 *	report - `authmilter report': send, show, digest
 * SYNOPSIS
 *	#include "report/report.h"
 *
 *	int report_main(int argc, char **argv, const char *conf_path);
 *	int report_spec_check(const char *spec, struct buf *why);
 * DESCRIPTION
 *	report_main() runs the subcommand (argv[0] is "report"):
 *
 *	report send [--period yesterday|today | --from T --to T]
 *	    [--dry-run DIR]		aggregate reports (send.h)
 *	report show [--domain D] [period]
 *					per policy domain: messages by
 *					disposition and source, the top
 *					failing sources, what p=reject
 *					would have refused
 *	report digest --rcpt ADDR [period] [--send]
 *					the messages refused, held or
 *					tagged for one recipient, as text
 *					or as a message sent to them
 *
 *	T is seconds since the epoch or YYYY-MM-DD[THH:MM:SS] (UTC); a
 *	period is inclusive. It returns the exit status: 0 done, 1 the
 *	store or a report failed, 2 a usage or configuration error.
 *
 *	report_spec_check() checks the syntax of report.store for -n.
 * SEE ALSO
 *	authmilter(8), RFC 9990
 */
#ifndef AM_REPORT_H
#define AM_REPORT_H

#include "util/buf.h"

int	report_main(int argc, char **argv, const char *conf_path);
int	report_spec_check(const char *spec, struct buf *why);

#endif
