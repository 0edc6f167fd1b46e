/*
 * NAME
 *	connlimit - a cap on the connections served at once
 * DESCRIPTION
 *	See connlimit.h.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <libmilter/mfapi.h>

#include "milter/connlimit.h"
#include "util/am.h"
#include "util/log.h"

static atomic_int connlimit_n;		/* connections entered, not left */
static atomic_int connlimit_refused;	/* since the last log line */
static atomic_llong connlimit_logged;	/* monotonic second of that line */

/* connlimit_enter - count a new connection, or refuse it when full */
bool
connlimit_enter(int max, const struct addr *client)
{
	char	 ip[ADDR_STRLEN] = "unknown";
	struct timespec now;
	long long last;
	int	 open, refused;

	if ((open = atomic_fetch_add(&connlimit_n, 1)) < max)
		return (true);
	atomic_fetch_sub(&connlimit_n, 1);
	refused = atomic_fetch_add(&connlimit_refused, 1) + 1;
	clock_gettime(CLOCK_MONOTONIC, &now);
	last = atomic_load(&connlimit_logged);
	if ((long long)now.tv_sec > last &&
	    atomic_compare_exchange_strong(&connlimit_logged, &last,
	    (long long)now.tv_sec)) {
		atomic_fetch_sub(&connlimit_refused, refused);
		if (client != NULL)
			addr_format(client, ip, sizeof(ip));
		log_warn("NOQUEUE: connect: refused ip=%s open=%d max=%d "
		    "refused=%d (milter.max_connections)", ip, open, max,
		    refused);
	}
	return (false);
}

/* connlimit_leave - a counted connection closed */
void
connlimit_leave(void)
{
	atomic_fetch_sub(&connlimit_n, 1);
}

/* connlimit_open - connections counted now */
int
connlimit_open(void)
{
	return (atomic_load(&connlimit_n));
}

/* connlimit_setup - libmilter I/O timeout and thread stack size */
int
connlimit_setup(int timeout_s, int stack_kib, struct buf *why)
{
	pthread_attr_t attr;
	int	 rc;

	if (smfi_settimeout(timeout_s) != MI_SUCCESS)
		return (buf_why(why, AM_PERM, "smfi_settimeout %d failed",
		    timeout_s));
	if ((rc = pthread_attr_init(&attr)) != 0)
		return (buf_why(why, AM_TEMP, "pthread_attr_init: %s",
		    strerror(rc)));
	rc = pthread_attr_setstacksize(&attr, (size_t)stack_kib * 1024);
	if (rc == 0)
		rc = pthread_setattr_default_np(&attr);
	pthread_attr_destroy(&attr);
	if (rc != 0)
		return (buf_why(why, AM_PERM, "thread stack %d KiB: %s",
		    stack_kib, strerror(rc)));
	return (AM_OK);
}
