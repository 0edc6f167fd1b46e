/*
 * NAME
 *	am - status codes and invariant checks shared by every module
 * SYNOPSIS
 *	#include "util/am.h"
 *	_Noreturn void am_panic(const char *fmt, ...);
 * DESCRIPTION
 *	Fallible calls return AM_OK, AM_TEMP or AM_PERM, with the reason in
 *	the caller's struct buf *why (STYLE.md 3.3). A result (SPF fail, DKIM
 *	fail) is data in a result struct, never a status.
 *
 *	am_panic() is for broken invariants only; it logs and aborts.
 */
#ifndef AM_H
#define AM_H

#define AM_OK	0		/* done */
#define AM_TEMP	1		/* try again later: DNS, OOM, library */
#define AM_PERM	2		/* will never work: bad input, config */

#define AM_ARRAY_LEN(a)	(sizeof(a) / sizeof((a)[0]))

/* am_panic - log a broken invariant and abort */
_Noreturn void am_panic(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

#endif
