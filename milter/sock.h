/*
 * NAME
 *	sock - the unix milter socket: stale file, permissions, group
 * SYNOPSIS
 *	#include "milter/sock.h"
 *
 *	int sock_prepare(const char *spec, struct buf *why);
 *	int sock_apply(const char *spec, int mode, const char *group,
 *	    struct buf *why);
 *	const char *sock_unix_path(const char *spec);
 *	int sock_wake(const char *spec);
 * DESCRIPTION
 *	sock_unix_path() is the file of a "unix:PATH", "local:PATH" or
 *	"/PATH" socket spec, NULL for a TCP one.
 *
 *	sock_prepare() runs before the socket is created. A leftover
 *	socket file is removed when nothing listens on it; a listening one
 *	(another authmilter) or a file that is not a socket is refused,
 *	never removed. A TCP spec is left alone.
 *
 *	sock_apply() gives a new unix socket its mode (socket_mode) and
 *	group (socket_group; "" leaves the group); the socket is created
 *	under umask 0177 so it is never wider than that in between.
 *
 *	sock_wake() connects to our own listening socket once, so that
 *	libmilter's accept loop sees a stop at once instead of at its next
 *	poll timeout. It returns 0 on success, -1 if it could not.
 * DIAGNOSTICS
 *	AM_PERM with the path and the reason in why.
 * THREADS
 *	sock_prepare() and sock_apply() at start-up, as root if needed.
 */
#ifndef AM_SOCK_H
#define AM_SOCK_H

#include "util/buf.h"

int	sock_prepare(const char *spec, struct buf *why);
int	sock_apply(const char *spec, int mode, const char *group,
	    struct buf *why);
const char *sock_unix_path(const char *spec);
int	sock_wake(const char *spec);

#endif
