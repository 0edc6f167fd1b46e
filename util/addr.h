/*
 * NAME
 *	addr - IP address and CIDR parse and match
 * SYNOPSIS
 *	#include "util/addr.h"
 *
 *	int addr_parse(const char *s, struct addr *a_r);
 *	int addr_hostport_parse(const char *s, struct addr *a_r,
 *	    unsigned *port_r);
 *	int addr_format(const struct addr *a, char *dst, size_t len);
 *	int cidr_parse(const char *s, struct cidr *c_r);
 *	int cidr_match(const struct cidr *c, const struct addr *a);
 *	int addr_range_parse(const char *s, struct addr_range *r_r);
 *	int addr_range_match(const struct addr_range *r,
 *	    const struct addr *a);
 *	int addr_reverse(const struct addr *a, char *dst, size_t len);
 *	int addr_from_sockaddr(const void *sa, struct addr *a_r);
 * DESCRIPTION
 *	IPv4 addresses are kept as such; an IPv4-mapped IPv6 address
 *	(::ffff:192.0.2.1) is converted to IPv4 on parse, so that SPF and
 *	trusted-network checks see the address the client really has.
 *	addr_parse and cidr_parse return AM_OK or AM_PERM.
 *	addr_hostport_parse() takes "ADDR:PORT" or "[V6ADDR]:PORT" (a
 *	listening address; port 1 to 65535) and returns AM_OK or AM_PERM.
 *
 *	addr_range_parse() takes "addr", "addr/bits" or "lo-hi" (one
 *	family, lo <= hi); addr_range_match() is 1 if a lies in it.
 *
 *	addr_reverse() writes the labels of a reverse lookup without a
 *	suffix: reversed octets for IPv4 ("5.113.0.203"), reversed nibbles
 *	for IPv6 (32 labels), as RFC 1035 3.5, RFC 3596 2.5 and RFC 5782
 *	2.1, 2.4 use them; AM_PERM if dst is too short.
 */
#ifndef AM_ADDR_H
#define AM_ADDR_H

#include <stddef.h>
#include <stdint.h>

#define ADDR_STRLEN	46		/* INET6_ADDRSTRLEN */

struct addr {
	int	 family;		/* AF_INET or AF_INET6 */
	uint8_t	 bytes[16];		/* network order; 4 used for v4 */
};

struct cidr {
	struct addr net;
	int	 bits;
};

/* an inclusive range of addresses of one family */
struct addr_range {
	struct addr lo, hi;
};

int	addr_parse(const char *s, struct addr *a_r);
int	addr_hostport_parse(const char *s, struct addr *a_r, unsigned *port_r);
int	addr_from_sockaddr(const void *sa, struct addr *a_r);
int	addr_format(const struct addr *a, char *dst, size_t len);
int	cidr_parse(const char *s, struct cidr *c_r);
int	cidr_match(const struct cidr *c, const struct addr *a);
int	addr_range_parse(const char *s, struct addr_range *r_r);
int	addr_range_match(const struct addr_range *r, const struct addr *a);
int	addr_reverse(const struct addr *a, char *dst, size_t len);

#endif
