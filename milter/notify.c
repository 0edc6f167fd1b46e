/*
 * NAME
 *	notify - sd_notify() messages to systemd
 * DESCRIPTION
 *	See notify.h. The only includer of libsystemd.
 */
#include <systemd/sd-daemon.h>

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "milter/notify.h"
#include "util/log.h"

/* notify_send - one message; a failure is logged, never fatal */
static void
notify_send(const char *state)
{
	int	 rc;

	if ((rc = sd_notify(0, state)) < 0)
		log_warn("sd_notify %s: %s", state, strerror(-rc));
}

/* notify_ready - READY=1: the socket listens, the configuration is live */
void
notify_ready(void)
{
	notify_send("READY=1\nSTATUS=listening");
}

/* notify_reloading - RELOADING=1 before a reload */
void
notify_reloading(void)
{
	struct timespec ts;
	char	 msg[96];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(msg, sizeof(msg), "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_send(msg);
}

/* notify_stopping - STOPPING=1 when a stop begins */
void
notify_stopping(void)
{
	notify_send("STOPPING=1");
}

/* watchdog_thread - WATCHDOG=1 every usec/2 microseconds, forever */
static void *
watchdog_thread(void *arg)
{
	uint64_t usec = *(uint64_t *)arg / 2;
	struct timespec ts;

	ts.tv_sec = (time_t)(usec / 1000000);
	ts.tv_nsec = (long)(usec % 1000000) * 1000;
	for (;;) {
		notify_send("WATCHDOG=1");
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		ts.tv_sec = (time_t)(usec / 1000000);
		ts.tv_nsec = (long)(usec % 1000000) * 1000;
	}
	return (NULL);
}

/* notify_watchdog_start - keep systemd's watchdog fed, if it has one */
void
notify_watchdog_start(void)
{
	static uint64_t usec;		/* read by the thread, set once */
	pthread_t tid;

	if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
		return;
	if (pthread_create(&tid, NULL, watchdog_thread, &usec) != 0) {
		log_warn("watchdog thread: %s", strerror(errno));
		return;
	}
	pthread_detach(tid);
	log_info("systemd watchdog: WATCHDOG=1 every %llu ms",
	    (unsigned long long)(usec / 2000));
}
