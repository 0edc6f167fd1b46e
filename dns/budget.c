/*
 * NAME
 *	budget - one DNS time budget per message
 * SYNOPSIS
 *	#include "dns/dns.h"
 *
 *	void dns_budget_start(struct dns_budget *b, int ms);
 *	void dns_budget_bind(struct dns_budget *b);
 *	int dns_budget_wait(int timeout_ms);
 *	void dns_budget_charge(long waited_ms, int cut);
 * DESCRIPTION
 *	A message may spend at most ms milliseconds waiting for DNS
 *	answers, all its checks together (SPF, DKIM keys, the DMARC walk,
 *	and any later check that asks through dns_query()). The budget
 *	counts waiting, not wall time between callbacks, so a slow SMTP
 *	client does not use it up.
 *
 *	dns_budget_start() fills in a budget of ms (0: no limit).
 *	dns_budget_bind() makes b the budget of the calling thread's
 *	dns_query() calls until it is bound to NULL again; the owner
 *	(session.c) binds the message's budget for the span of one callback
 *	and unbinds before returning, so the binding never outlives the
 *	callback although libmilter may run the connection's next callback
 *	on another thread.
 *
 *	dns_budget_wait() is for dns_query(): how long the next query may
 *	wait, the smaller of timeout_ms and what is left; 0 means nothing
 *	is left and the query must not be sent (DNS_TEMP, and the budget
 *	is marked spent). dns_budget_charge() books the time a query
 *	waited; cut says it timed out on the budget's limit rather than its
 *	own timeout (the budget is then spent). Without a bound budget
 *	both do nothing but return timeout_ms.
 *
 *	After the message, b->spent says whether a check was left
 *	undecided for want of time: its DNS answer was DNS_TEMP, so the
 *	check is temperror, and the verdict is given on what is known.
 * THREADS
 *	The binding is per thread and the budget belongs to one message,
 *	whose callbacks libmilter runs one at a time.
 * SEE ALSO
 *	authmilter.conf(5) dns.message_budget
 */
#include <stddef.h>

#include "dns/dns.h"

/* the calling thread's budget, bound for the span of one callback */
static _Thread_local struct dns_budget *dns_budget_cur;

/* dns_budget_start - a fresh budget of ms milliseconds; 0: no limit */
void
dns_budget_start(struct dns_budget *b, int ms)
{
	b->total_ms = ms > 0 ? ms : 0;
	b->used_ms = 0;
	b->spent = 0;
}

/* dns_budget_bind - b governs this thread's queries; NULL: none */
void
dns_budget_bind(struct dns_budget *b)
{
	dns_budget_cur = b;
}

/* dns_budget_wait - milliseconds the next query may wait; 0: none */
int
dns_budget_wait(int timeout_ms)
{
	struct dns_budget *b = dns_budget_cur;
	long	 left;

	if (b == NULL || b->total_ms == 0)
		return (timeout_ms);
	left = (long)b->total_ms - b->used_ms;
	if (left <= 0) {
		b->spent = 1;
		return (0);
	}
	return (left < timeout_ms ? (int)left : timeout_ms);
}

/* dns_budget_charge - book waited_ms; cut: timed out on the budget */
void
dns_budget_charge(long waited_ms, int cut)
{
	struct dns_budget *b = dns_budget_cur;

	if (b == NULL || b->total_ms == 0)
		return;
	if (waited_ms > 0)
		b->used_ms += waited_ms;
	if (cut)
		b->spent = 1;
}
