/*
 * NAME
 *	helo - HELO/EHLO name hygiene of the SMTP client
 * SYNOPSIS
 *	#include "auth/helo.h"
 *
 *	unsigned helo_hygiene(const char *helo, const struct addr *client,
 *	    const struct helo_ours *ours, const struct iprev_result *iprev);
 *	void helo_bad_str(unsigned bits, char *dst, size_t len);
 * DESCRIPTION
 *	helo_hygiene() returns the HELO_* bits (auth/result.h) of the
 *	defects of a HELO name; 0 for none. They are observations for the
 *	log and for policy rules, never a verdict by themselves:
 *	HELO_NOT_FQDN		empty, a bare word, a bare address, an
 *				empty or over-long label, a byte outside
 *				letters, digits, "-" and "_", or a numeric
 *				top-level label; also a malformed [literal]
 *	HELO_LOCALHOST		"localhost", a name under it, or
 *				"localhost.localdomain"
 *	HELO_LITERAL_MISMATCH	an address literal ([192.0.2.1],
 *				[IPv6:2001:db8::1]) other than the client
 *	HELO_OURS		one of our own names (the MTA's {j}, our
 *				authserv-id) or addresses
 *	HELO_PTR_MISMATCH	a name, but not the one iprev verified; also
 *				when iprev failed or found no PTR (there is
 *				no verified name to match). Not set when
 *				iprev was not checked or had a temporary
 *				error.
 *	Names compare without case and without one trailing dot.
 *
 *	helo_bad_str() writes the bits as the words rules use
 *	("not_fqdn,ptr_mismatch"), or "-" for none.
 * SEE ALSO
 *	RFC 5321 4.1.1.1, 4.1.3 (address literals), 2.3.5 (FQDN)
 */
#ifndef AM_HELO_H
#define AM_HELO_H

#include <stddef.h>

#include "auth/result.h"
#include "util/addr.h"

/* what is ours: names (NULL entries skipped) and addresses */
struct helo_ours {
	const char *names[2];		/* {j}, authserv-id */
	const struct addr *addrs;
	size_t	 naddrs;
};

unsigned helo_hygiene(const char *helo, const struct addr *client,
	    const struct helo_ours *ours, const struct iprev_result *iprev);
void	helo_bad_str(unsigned bits, char *dst, size_t len);

#endif
