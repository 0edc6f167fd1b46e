/*
 * NAME
 *	buf - length-carrying byte buffer with a hard cap
 * SYNOPSIS
 *	#include "util/buf.h"
 *
 *	struct buf *buf_new(size_t max);
 *	void buf_free(struct buf **bp);
 *	int buf_append(struct buf *b, const void *p, size_t n);
 *	int buf_puts(struct buf *b, const char *s);
 *	int buf_printf(struct buf *b, const char *fmt, ...);
 *	void buf_setf(struct buf *b, const char *fmt, ...);
 *	const char *buf_str(const struct buf *b);
 *	int buf_putc(struct buf *b, int c);
 *	int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
 *	int buf_why(struct buf *why, int status, const char *fmt, ...);
 *	void buf_reset(struct buf *b);
 * DESCRIPTION
 *	A buf holds up to max bytes, may hold NUL, and is always
 *	NUL-terminated after its last byte so buf_str() is a C string for
 *	text. An append that would pass max appends nothing and returns
 *	AM_PERM; the buffer is unchanged. buf_setf() replaces the content and
 *	truncates silently (it is for reasons in `why' buffers).
 * DIAGNOSTICS
 *	buf_new() aborts on out of memory at start-up sizes only: it
 *	allocates lazily, and a failed growth returns AM_TEMP.
 * THREADS
 *	A buf belongs to one thread at a time.
 */
#ifndef AM_BUF_H
#define AM_BUF_H

#include <stddef.h>
#include <stdarg.h>

struct buf {
	char	*data;			/* NUL-terminated, len bytes used */
	size_t	 len;
	size_t	 cap;			/* allocated, excluding the NUL */
	size_t	 max;			/* hard cap on len */
};

struct buf *buf_new(size_t max);
void	buf_free(struct buf **bp);
void	buf_reset(struct buf *b);
int	buf_append(struct buf *b, const void *p, size_t n);
int	buf_puts(struct buf *b, const char *s);
int	buf_putc(struct buf *b, int c);
int	buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int	buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
void	buf_setf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *buf_str(const struct buf *b);

/* buf_why - set *why if it is not NULL; returns status for tail calls */
int	buf_why(struct buf *why, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
