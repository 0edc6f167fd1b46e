/*
 * NAME
 *	notify - tell systemd (sd_notify) where the daemon is in its life
 * SYNOPSIS
 *	#include "milter/notify.h"
 *
 *	void notify_ready(void);
 *	void notify_reloading(void);
 *	void notify_stopping(void);
 *	void notify_watchdog_start(void);
 * DESCRIPTION
 *	Each is a no-op without $NOTIFY_SOCKET (not started by systemd
 *	with Type=notify).
 *
 *	notify_ready() sends READY=1 once the milter socket listens and
 *	again after a reload; notify_reloading() sends RELOADING=1 (with
 *	MONOTONIC_USEC, as systemd wants for Type=notify-reload) before one;
 *	notify_stopping() sends STOPPING=1.
 *
 *	notify_watchdog_start() starts a thread sending WATCHDOG=1 at half
 *	the interval in $WATCHDOG_USEC, if systemd set one (WatchdogSec=).
 * THREADS
 *	Any thread; sd_notify() is safe to call concurrently.
 * SEE ALSO
 *	sd_notify(3), systemd.service(5)
 */
#ifndef AM_NOTIFY_H
#define AM_NOTIFY_H

void	notify_ready(void);
void	notify_reloading(void);
void	notify_stopping(void);
void	notify_watchdog_start(void);

#endif
