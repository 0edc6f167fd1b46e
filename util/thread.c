/*
 * NAME
 *	thread - start a worker thread that never takes a signal
 * DESCRIPTION
 *	See thread.h.
 */
#include <signal.h>

#include "util/thread.h"

/* thread_start - fn(arg) on a new thread with every signal blocked */
int
thread_start(pthread_t *t_r, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int	 rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(t_r, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return (rc);
}
