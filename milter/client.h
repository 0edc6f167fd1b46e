/*
 * NAME
 *	client - what is known of the SMTP client: iprev, DNSBL, HELO
 * SYNOPSIS
 *	#include "milter/client.h"
 *
 *	void client_start(struct conn *c, const char *mta_host,
 *	    const char *daemon_addr);
 *	void client_resolve(struct conn *c);
 *	bool client_log(const struct conn *c, struct client_log *l);
 *	int client_authres(const struct conn *c, struct buf *out);
 * DESCRIPTION
 *	client_start() runs at connect, for a client that is evaluated: it
 *	remembers our own name ({j}) and address ({daemon_addr}) for the
 *	HELO check, and starts in parallel the PTR lookup of iprev (key
 *	iprev) and the A lookup of every DNSBL/DNSWL zone (key dnsbl).
 *
 *	client_resolve() fills c->rep: it waits for those answers (each
 *	query at most dns.timeout; iprev asks the PTR, then the forward
 *	names together) and reads them once per connection, and computes
 *	the HELO_* bits for the current HELO name (again after a new
 *	HELO). msg_end() calls it; a connect- or HELO-time rule may call
 *	it earlier. Without client_start() it does nothing: c->rep stays
 *	"not checked".
 *
 *	client_log() fills the values of the summary line's fields iprev=
 *	(RESULT), dnsbl= (ZONE:RESULT,... of the zones that answered listed
 *	or temperror, "-" for none) and helo_bad= (WORDS or "-"); false,
 *	and no fields, if the client was not checked.
 *
 *	client_authres() appends the iprev resinfo to our
 *	Authentication-Results value (authres_iprev()).
 * THREADS
 *	Called from the connection's callbacks only; no lock is held
 *	while waiting for DNS.
 * SEE ALSO
 *	RFC 8601 3, RFC 5782, RFC 5321 4.1.3
 */
#ifndef AM_CLIENT_H
#define AM_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "milter/session.h"
#include "util/buf.h"

/* the summary line's client fields */
struct client_log {
	char	 iprev[16];
	char	 dnsbl[LIM_DNSBL_ZONES * (LIM_DOMAIN + 16)];
	char	 helo_bad[128];
};

void	client_start(struct conn *c, const char *mta_host,
	    const char *daemon_addr);
void	client_resolve(struct conn *c);
bool	client_log(const struct conn *c, struct client_log *l);
int	client_authres(const struct conn *c, struct buf *out);

#endif
