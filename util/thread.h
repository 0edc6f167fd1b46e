/*
 * NAME
 *	thread - start a worker thread that never takes a signal
 * SYNOPSIS
 *	#include "util/thread.h"
 *
 *	int thread_start(pthread_t *t_r, void *(*fn)(void *), void *arg);
 * DESCRIPTION
 *	thread_start() starts fn(arg) with every signal blocked (the new
 *	thread inherits the mask), so signals reach only the threads meant
 *	for them (the daemon's signal handling, libmilter's). Returns 0 or
 *	pthread_create()'s error number.
 * THREADS
 *	Safe from any thread; the caller's own mask is restored.
 */
#ifndef AM_THREAD_H
#define AM_THREAD_H

#include <pthread.h>

int	thread_start(pthread_t *t_r, void *(*fn)(void *), void *arg);

#endif
