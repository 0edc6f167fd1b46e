/*
 * NAME
 *	answer - DNS answers: status names and freeing
 * DESCRIPTION
 *	Shared by the resolver (dns.c) and the in-memory zone of the unit
 *	tests (dns_mock.c), so both hand out answers freed the same way.
 *	dns_answer_oom() is the answer stored when not even an answer can
 *	be allocated: DNS_TEMP, never freed.
 */
#include <stdlib.h>

#include "dns/dns.h"
#include "util/am.h"

/* returned when even the answer cannot be allocated; never freed */
static struct dns_answer dns_oom = { DNS_TEMP, 0, 0, NULL };

/* dns_answer_oom - the shared out-of-memory answer */
struct dns_answer *
dns_answer_oom(void)
{
	return (&dns_oom);
}

/* dns_status_str - short name of a DNS_* status */
const char *
dns_status_str(int status)
{
	static const char *tab[] = {"ok", "notfound", "temperror", "permerror"};

	return ((unsigned)status < AM_ARRAY_LEN(tab) ? tab[status] : "?");
}

/* dns_answer_free - release an answer and clear the caller's pointer */
void
dns_answer_free(struct dns_answer **ap)
{
	struct dns_answer *a;
	size_t	 i;

	if (ap == NULL || (a = *ap) == NULL)
		return;
	*ap = NULL;
	if (a == &dns_oom)
		return;
	for (i = 0; i < a->nrr; i++)
		free(a->rr[i].data);
	free(a->rr);
	free(a);
}
