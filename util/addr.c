/*
 * NAME
 *	addr - IP address and CIDR parse and match
 * DESCRIPTION
 *	See addr.h.
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/am.h"
#include "util/addr.h"

static const uint8_t v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* addr_unmap - turn ::ffff:a.b.c.d into a.b.c.d */
static void
addr_unmap(struct addr *a)
{
	if (a->family == AF_INET6 && memcmp(a->bytes, v4mapped, 12) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
}

/* addr_parse - text address (optionally in [brackets]) to struct addr */
int
addr_parse(const char *s, struct addr *a_r)
{
	char	 tmp[ADDR_STRLEN + 8];
	size_t	 n = strlen(s);

	memset(a_r, 0, sizeof(*a_r));
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n >= 5 && strncasecmp(s, "IPv6:", 5) == 0) {
		s += 5;
		n -= 5;
	}
	if (n == 0 || n >= sizeof(tmp))
		return (AM_PERM);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (inet_pton(AF_INET, tmp, a_r->bytes) == 1) {
		a_r->family = AF_INET;
		return (AM_OK);
	}
	if (inet_pton(AF_INET6, tmp, a_r->bytes) == 1) {
		a_r->family = AF_INET6;
		addr_unmap(a_r);
		return (AM_OK);
	}
	return (AM_PERM);
}

/* addr_hostport_parse - "ADDR:PORT" or "[V6ADDR]:PORT" */
int
addr_hostport_parse(const char *s, struct addr *a_r, unsigned *port_r)
{
	char	 host[ADDR_STRLEN + 8], *end;
	const char *colon = strrchr(s, ':');
	unsigned long port;
	size_t	 n;

	memset(a_r, 0, sizeof(*a_r));
	*port_r = 0;
	if (colon == NULL || (n = (size_t)(colon - s)) == 0 ||
	    n >= sizeof(host))
		return (AM_PERM);
	memcpy(host, s, n);
	host[n] = '\0';
	/* a bare IPv6 address would leave the port ambiguous */
	if (host[0] == '[' ? host[n - 1] != ']' : strchr(host, ':') != NULL)
		return (AM_PERM);
	if (colon[1] < '0' || colon[1] > '9')
		return (AM_PERM);
	port = strtoul(colon + 1, &end, 10);
	if (*end != '\0' || port == 0 || port > 65535)
		return (AM_PERM);
	if (addr_parse(host, a_r) != AM_OK)
		return (AM_PERM);
	*port_r = (unsigned)port;
	return (AM_OK);
}

/* addr_from_sockaddr - the address of a struct sockaddr_in{,6} */
int
addr_from_sockaddr(const void *sa, struct addr *a_r)
{
	const struct sockaddr *s = sa;

	memset(a_r, 0, sizeof(*a_r));
	if (s == NULL)
		return (AM_PERM);
	if (s->sa_family == AF_INET) {
		const struct sockaddr_in *in = sa;

		a_r->family = AF_INET;
		memcpy(a_r->bytes, &in->sin_addr, 4);
		return (AM_OK);
	}
	if (s->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = sa;

		a_r->family = AF_INET6;
		memcpy(a_r->bytes, &in6->sin6_addr, 16);
		addr_unmap(a_r);
		return (AM_OK);
	}
	return (AM_PERM);
}

/* addr_format - text form of an address */
int
addr_format(const struct addr *a, char *dst, size_t len)
{
	if (inet_ntop(a->family, a->bytes, dst, (socklen_t)len) == NULL) {
		if (len > 0)
			dst[0] = '\0';
		return (AM_PERM);
	}
	return (AM_OK);
}

/* cidr_parse - "addr" or "addr/bits" */
int
cidr_parse(const char *s, struct cidr *c_r)
{
	char	 tmp[ADDR_STRLEN + 8], *slash, *end;
	long	 bits;
	int	 max;

	size_t	 n = strlen(s);

	if (n >= sizeof(tmp))
		return (AM_PERM);
	memcpy(tmp, s, n + 1);
	slash = strchr(tmp, '/');
	if (slash != NULL)
		*slash++ = '\0';
	if (addr_parse(tmp, &c_r->net) != AM_OK)
		return (AM_PERM);
	max = c_r->net.family == AF_INET ? 32 : 128;
	if (slash == NULL) {
		c_r->bits = max;
		return (AM_OK);
	}
	bits = strtol(slash, &end, 10);
	if (*slash == '\0' || *end != '\0' || bits < 0)
		return (AM_PERM);
	/* ::ffff:0:0/96 style masks on a mapped address shrink with it */
	if (c_r->net.family == AF_INET && strchr(tmp, ':') != NULL)
		bits -= 96;
	if (bits < 0 || bits > max)
		return (AM_PERM);
	c_r->bits = (int)bits;
	return (AM_OK);
}

/* cidr_match - 1 if a lies in c */
int
cidr_match(const struct cidr *c, const struct addr *a)
{
	int	 full, rest;

	if (c->net.family != a->family)
		return (0);
	full = c->bits / 8;
	rest = c->bits % 8;
	if (memcmp(c->net.bytes, a->bytes, (size_t)full) != 0)
		return (0);
	if (rest == 0)
		return (1);
	return ((c->net.bytes[full] ^ a->bytes[full]) >> (8 - rest) == 0);
}

/* addr_range_parse - "addr", "addr/bits" or "lo-hi" */
int
addr_range_parse(const char *s, struct addr_range *r_r)
{
	char	 tmp[2 * ADDR_STRLEN + 8], *dash;
	struct cidr c;
	size_t	 n = strlen(s), i, full;
	uint8_t	 mask;
	int	 keep;

	memset(r_r, 0, sizeof(*r_r));
	if (n >= sizeof(tmp))
		return (AM_PERM);
	memcpy(tmp, s, n + 1);
	if ((dash = strchr(tmp, '-')) != NULL) {
		*dash++ = '\0';
		if (addr_parse(tmp, &r_r->lo) != AM_OK ||
		    addr_parse(dash, &r_r->hi) != AM_OK ||
		    r_r->lo.family != r_r->hi.family ||
		    memcmp(r_r->lo.bytes, r_r->hi.bytes, 16) > 0)
			return (AM_PERM);
		return (AM_OK);
	}
	if (cidr_parse(tmp, &c) != AM_OK)
		return (AM_PERM);
	r_r->lo = r_r->hi = c.net;
	full = c.net.family == AF_INET ? 4 : 16;
	for (i = 0; i < full; i++) {		/* clear / set the host bits */
		keep = c.bits - (int)i * 8;
		mask = keep >= 8 ? 0xff : keep <= 0 ? 0 :
		    (uint8_t)(0xff << (8 - keep));
		r_r->lo.bytes[i] &= mask;
		r_r->hi.bytes[i] |= (uint8_t)~mask;
	}
	return (AM_OK);
}

/* addr_range_match - 1 if a lies in r */
int
addr_range_match(const struct addr_range *r, const struct addr *a)
{
	if (r->lo.family != a->family)
		return (0);
	return (memcmp(r->lo.bytes, a->bytes, 16) <= 0 &&
	    memcmp(a->bytes, r->hi.bytes, 16) <= 0);
}

/* addr_reverse - reversed octets (IPv4) or nibbles (IPv6), no suffix */
int
addr_reverse(const struct addr *a, char *dst, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t	 o = 0;
	int	 i, n;

	if (a->family == AF_INET) {
		n = snprintf(dst, len, "%u.%u.%u.%u", a->bytes[3], a->bytes[2],
		    a->bytes[1], a->bytes[0]);
		return (n < 0 || (size_t)n >= len ? AM_PERM : AM_OK);
	}
	if (a->family != AF_INET6 || len < 64)
		return (AM_PERM);
	for (i = 15; i >= 0; i--) {
		dst[o++] = hex[a->bytes[i] & 0x0f];
		dst[o++] = '.';
		dst[o++] = hex[a->bytes[i] >> 4];
		dst[o++] = i > 0 ? '.' : '\0';
	}
	return (AM_OK);
}
