/*
 * NAME
 *	log - one-line logging to syslog or stderr
 * DESCRIPTION
 *	See log.h.
 */
#include <sys/socket.h>
#include <sys/un.h>
#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "util/am.h"
#include "util/limits.h"
#include "util/log.h"

static int log_stderr = 1;		/* before log_open: stderr */
static atomic_int log_debug_on;

/* syslog_reachable - 0 if the syslog socket takes datagrams, or errno */
static int
syslog_reachable(void)
{
	struct sockaddr_un sun;
	int	 fd, err = 0;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, LOG_SOCKET, sizeof(LOG_SOCKET));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return (errno);
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0)
		err = errno;
	close(fd);
	return (err);
}

/* log_open - choose syslog or stderr; 1 if syslog was wanted but absent */
int
log_open(const char *ident, int to_stderr, int facility)
{
	int	 err;

	log_stderr = to_stderr;
	if (to_stderr)
		return (0);
	if ((err = syslog_reachable()) != 0) {
		fprintf(stderr, "%s: no syslog socket (%s: %s); logging to "
		    "stderr\n", ident, LOG_SOCKET, strerror(err));
		log_stderr = 1;
		return (1);
	}
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
	return (0);
}

/* log_debugging - are debug lines on? (skip work done only for them) */
int
log_debugging(void)
{
	return (atomic_load(&log_debug_on));
}

/* log_set_debug - turn debug lines on or off */
void
log_set_debug(int on)
{
	atomic_store(&log_debug_on, on);
}

/* log_facility_parse - syslog facility by name, or -1 */
int
log_facility_parse(const char *name)
{
	static const struct {
		const char *name;
		int	 fac;
	} tab[] = {
		{"mail", LOG_MAIL}, {"daemon", LOG_DAEMON}, {"user", LOG_USER},
		{"local0", LOG_LOCAL0}, {"local1", LOG_LOCAL1},
		{"local2", LOG_LOCAL2}, {"local3", LOG_LOCAL3},
		{"local4", LOG_LOCAL4}, {"local5", LOG_LOCAL5},
		{"local6", LOG_LOCAL6}, {"local7", LOG_LOCAL7},
	};
	size_t	 i;

	for (i = 0; i < AM_ARRAY_LEN(tab); i++)
		if (strcmp(tab[i].name, name) == 0)
			return (tab[i].fac);
	return (-1);
}

static void log_vline(int, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* log_vline - emit one line at a level */
static void
log_vline(int pri, const char *fmt, va_list ap)
{
	static const char *names[] = {
		"emerg", "alert", "crit", "error", "warning", "notice", "info",
		"debug"
	};
	char	 line[LIM_LOGLINE], stamp[32];
	struct tm tm;
	time_t	 now;

	vsnprintf(line, sizeof(line), fmt, ap);
	if (!log_stderr) {
		syslog(pri, "%s", line);
		return;
	}
	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fprintf(stderr, "%s authmilter[%s]: %s\n", stamp, names[pri & 7], line);
}

#define LOG_FN(name, pri, guard) \
void \
name(const char *fmt, ...) \
{ \
	va_list	 ap; \
 \
	if (!(guard)) \
		return; \
	va_start(ap, fmt); \
	log_vline(pri, fmt, ap); \
	va_end(ap); \
}

LOG_FN(log_err, LOG_ERR, 1)
LOG_FN(log_warn, LOG_WARNING, 1)
LOG_FN(log_info, LOG_INFO, 1)
LOG_FN(log_debug, LOG_DEBUG, atomic_load(&log_debug_on))

/* log_escape_set - printable copy of s; bytes in also as \xNN too */
static const char *
log_escape_set(char *dst, size_t dstlen, const char *s, size_t n,
    const char *also)
{
	static const char hex[] = "0123456789abcdef";
	size_t	 i, o = 0;
	unsigned char c;

	if (dstlen == 0)
		return (dst);
	for (i = 0; i < n && s != NULL; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\' &&
		    strchr(also, c) == NULL) {
			if (o + 1 >= dstlen)
				break;
			dst[o++] = (char)c;
		} else {
			if (o + 4 >= dstlen)
				break;
			dst[o++] = '\\';
			dst[o++] = 'x';
			dst[o++] = hex[c >> 4];
			dst[o++] = hex[c & 15];
		}
	}
	dst[o] = '\0';
	return (dst);
}

/* log_escape - printable copy of a peer string; returns dst */
const char *
log_escape(char *dst, size_t dstlen, const char *s, size_t n)
{
	return (log_escape_set(dst, dstlen, s, n, ""));
}

/*
 * log_escape_value - log_escape() for a key=value field: space, ",",
 * ":", ";" and "=" are escaped too, so a peer string can neither add a
 * field nor split a list
 */
const char *
log_escape_value(char *dst, size_t dstlen, const char *s, size_t n)
{
	return (log_escape_set(dst, dstlen, s, n, " ,:;="));
}

/* am_panic - log a broken invariant and abort */
void
am_panic(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vline(LOG_CRIT, fmt, ap);
	va_end(ap);
	abort();
}
