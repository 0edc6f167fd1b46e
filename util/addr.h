/*
 * NAME
 *	addr - IP address and CIDR parse and match
 * SYNOPSIS
 *	#include "util/addr.h"
 *
 *	int addr_parse(const char *s, struct addr *a_r);
 *	int addr_format(const struct addr *a, char *dst, size_t len);
 *	int cidr_parse(const char *s, struct cidr *c_r);
 *	int cidr_match(const struct cidr *c, const struct addr *a);
 *	int addr_from_sockaddr(const void *sa, struct addr *a_r);
 * DESCRIPTION
 *	IPv4 addresses are kept as such; an IPv4-mapped IPv6 address
 *	(::ffff:192.0.2.1) is converted to IPv4 on parse, so that SPF and
 *	trusted-network checks see the address the client really has.
 *	addr_parse and cidr_parse return AM_OK or AM_PERM.
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

int	addr_parse(const char *s, struct addr *a_r);
int	addr_from_sockaddr(const void *sa, struct addr *a_r);
int	addr_format(const struct addr *a, char *dst, size_t len);
int	cidr_parse(const char *s, struct cidr *c_r);
int	cidr_match(const struct cidr *c, const struct addr *a);

#endif
