/*
 * NAME
 *	connlimit - a cap on the connections served at once
 * SYNOPSIS
 *	#include "milter/connlimit.h"
 *
 *	bool connlimit_enter(int max, const struct addr *client);
 *	void connlimit_leave(void);
 *	int connlimit_open(void);
 *	int connlimit_setup(int timeout_s, int stack_kib, struct buf *why);
 * DESCRIPTION
 *	libmilter gives every MTA connection a thread of its own and never
 *	refuses one, so a peer that opens connections and stalls could tie
 *	up threads and memory without end. Two bounds:
 *
 *	connlimit_setup(), once before smfi_main(): libmilter's I/O timeout
 *	(smfi_settimeout: a connection on which the MTA sends nothing for
 *	timeout_s seconds is dropped and its thread ends; libmilter's own
 *	default is 7210 s) and the stack size of the threads created from
 *	then on (pthread_setattr_default_np; libmilter creates its threads
 *	with default attributes).
 *
 *	connlimit_enter() at connect counts the connection, or, when max
 *	are open already, refuses it: the caller tempfails it (the MTA
 *	says 451 to its client) and the refusal is logged, at most one line
 *	a second with the number refused since the last line.
 *	connlimit_leave() at close uncounts an entered connection.
 * DIAGNOSTICS
 *	warn "NOQUEUE: connect: refused ip=IP open=N max=M refused=K
 *	(milter.max_connections)".
 * THREADS
 *	Atomic counters; safe from any callback.
 * SEE ALSO
 *	smfi_settimeout(3), authmilter.conf(5) milter.timeout,
 *	milter.max_connections, milter.thread_stack
 */
#ifndef AM_CONNLIMIT_H
#define AM_CONNLIMIT_H

#include <stdbool.h>

#include "util/addr.h"
#include "util/buf.h"

bool	connlimit_enter(int max, const struct addr *client);
void	connlimit_leave(void);
int	connlimit_open(void);
int	connlimit_setup(int timeout_s, int stack_kib, struct buf *why);

#endif
