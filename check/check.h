/*
 * NAME
 *	check - `authmilter check DOMAIN': the sending side's posture
 * SYNOPSIS
 *	#include "check/check.h"
 *
 *	int check_main(int argc, char **argv);
 * DESCRIPTION
 *	check_main() runs the subcommand: argv[0] is "check", then the
 *	options and the domain (see authmilter(8)). It audits the domain's
 *	MX, SPF, DMARC, DKIM keys and transport records with the resolver
 *	and the record parsers that judge inbound mail, prints the findings
 *	(text, or JSON with --json) and returns the exit status: 0 when no
 *	finding is a fail, 1 when one is, 2 on a usage error or when the
 *	resolver failed (the report then says what it could not check).
 *
 *	It never sends mail and never connects to port 25: everything is
 *	DNS, bounded by a query count and a total time limit.
 * SEE ALSO
 *	authmilter(8); RFC 7208, RFC 9989, RFC 6376, RFC 7505, RFC 8461,
 *	RFC 8460
 */
#ifndef AM_CHECK_H
#define AM_CHECK_H

int	check_main(int argc, char **argv);

#endif
