/*
 * NAME
 *	spf - SPF check_host() for the HELO and MAIL FROM identities
 * SYNOPSIS
 *	#include "auth/spf.h"
 *
 *	struct spf *spf_new(struct dns *dns, const char *receiver,
 *	    struct buf *why);
 *	void spf_free(struct spf **sp);
 *	void spf_set_timeout(struct spf *sp, int budget_ms);
 *	int spf_check_helo(struct spf *sp, const struct addr *client,
 *	    const char *helo, struct spf_result *res_r, struct buf *why);
 *	int spf_check_mailfrom(struct spf *sp, const struct addr *client,
 *	    const char *helo, const char *mailfrom,
 *	    struct spf_result *res_r, struct buf *why);
 *	void spf_prefetch(struct spf *sp, const char *helo,
 *	    int helo_checked, const char *mailfrom);
 * DESCRIPTION
 *	libspf2 evaluates; its DNS layer is ours (dns_query), so SPF shares
 *	the resolver, cache and timeout with DKIM and DMARC.
 *
 *	spf_check_helo() checks the HELO identity (RFC 7208 2.3); a HELO
 *	that is an address literal or not a domain gives none, not run.
 *	spf_check_mailfrom() checks the MAIL FROM identity (2.4); the null
 *	sender (mailfrom NULL or "") is checked as postmaster@helo. mailfrom
 *	may carry <brackets>. Both fill *res_r (result, domain, identity,
 *	reason) and return AM_OK; a temperror/permerror is a result, not a
 *	status. AM_TEMP only when the check could not be run (out of
 *	memory, library failure). res_r->domain is empty or a name of
 *	letters, digits, ".", "-", "_" and 8-bit bytes; res_r->identity is
 *	the peer's string with control bytes as '?'; both still need
 *	escaping where they are written.
 *
 *	spf_prefetch() starts the TXT lookups both checks will make first:
 *	the HELO name's (unless helo_checked) and the MAIL FROM domain's,
 *	read as spf_check_mailfrom() reads it; nothing for names a check
 *	would not look up. Called at MAIL FROM, so the answers arrive
 *	while the message does.
 *
 *	spf_set_timeout() sets the time budget of one check in
 *	milliseconds (default 20000, RFC 7208 4.6.4; <= 0: none): no lookup
 *	starts after it, and the result is temperror.
 * THREADS
 *	One struct spf serves all threads; call spf_set_timeout() before
 *	sharing it.
 * SEE ALSO
 *	RFC 7208 2.3, 2.4, 4, 4.6.4 (DNS lookup limits)
 */
#ifndef AM_SPF_H
#define AM_SPF_H

#include "auth/result.h"
#include "dns/dns.h"
#include "util/addr.h"
#include "util/buf.h"

struct spf;

struct spf *spf_new(struct dns *dns, const char *receiver, struct buf *why);
void	spf_free(struct spf **sp);
void	spf_set_timeout(struct spf *sp, int budget_ms);
int	spf_check_helo(struct spf *sp, const struct addr *client,
	    const char *helo, struct spf_result *res_r, struct buf *why);
int	spf_check_mailfrom(struct spf *sp, const struct addr *client,
	    const char *helo, const char *mailfrom,
	    struct spf_result *res_r, struct buf *why);
void	spf_prefetch(struct spf *sp, const char *helo, int helo_checked,
	    const char *mailfrom);

#endif
