/*
 * NAME
 *	log - one-line logging to syslog or stderr
 * SYNOPSIS
 *	#include "util/log.h"
 *
 *	int log_open(const char *ident, int to_stderr, int facility);
 *	void log_set_debug(int on);
 *	int log_facility_parse(const char *name);
 *	void log_err(const char *fmt, ...);	operator must act
 *	void log_warn(const char *fmt, ...);	peer misbehaved
 *	void log_info(const char *fmt, ...);	one summary per message
 *	void log_debug(const char *fmt, ...);	only with log_level debug
 *	int log_debugging(void);	is log_level debug on?
 *	const char *log_escape(char *dst, size_t dstlen, const char *s,
 *	    size_t n);
 *	const char *log_escape_value(char *dst, size_t dstlen,
 *	    const char *s, size_t n);
 * DESCRIPTION
 *	Lines are "qid: component: key=value ..." by convention; callers
 *	format them. Peer strings go through log_escape(), which keeps
 *	printable ASCII and writes every other byte as \xNN, so no peer can
 *	forge a log line. log_escape_value() also escapes space , : ; and =,
 *	for values of key=value fields, so no peer can forge a field. With
 *	to_stderr each line carries a timestamp and the level, for -f and
 *	for the test harness.
 *
 *	log_open() without to_stderr checks that the syslog socket
 *	(LOG_SOCKET, /dev/log) accepts a datagram; if not (containers,
 *	early boot) it says so in one line on stderr and logs to stderr
 *	instead, and returns 1 (the caller keeps stderr open); else 0.
 * THREADS
 *	Safe: syslog(3) and one fprintf per line.
 */
#ifndef AM_LOG_H
#define AM_LOG_H

#include <stddef.h>
#include <syslog.h>

#define LOG_FMT(a, b)	__attribute__((format(printf, a, b)))

#define LOG_SOCKET	"/dev/log"

int	log_open(const char *ident, int to_stderr, int facility);
void	log_set_debug(int on);
int	log_debugging(void);
int	log_facility_parse(const char *name);
void	log_err(const char *fmt, ...) LOG_FMT(1, 2);
void	log_warn(const char *fmt, ...) LOG_FMT(1, 2);
void	log_info(const char *fmt, ...) LOG_FMT(1, 2);
void	log_debug(const char *fmt, ...) LOG_FMT(1, 2);
const char *log_escape(char *dst, size_t dstlen, const char *s, size_t n);
const char *log_escape_value(char *dst, size_t dstlen, const char *s,
	    size_t n);

#endif
