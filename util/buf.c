/*
 * NAME
 *	buf - length-carrying byte buffer with a hard cap
 * DESCRIPTION
 *	See buf.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/am.h"
#include "util/buf.h"

/* buf_new - empty buffer that will never hold more than max bytes */
struct buf *
buf_new(size_t max)
{
	struct buf *b;

	if ((b = calloc(1, sizeof(*b))) == NULL)
		am_panic("buf_new: out of memory");
	b->max = max;
	return (b);
}

/* buf_free - release a buffer and clear the caller's pointer */
void
buf_free(struct buf **bp)
{
	if (bp == NULL || *bp == NULL)
		return;
	free((*bp)->data);
	free(*bp);
	*bp = NULL;
}

/* buf_reset - forget the content, keep the memory */
void
buf_reset(struct buf *b)
{
	b->len = 0;
	if (b->data != NULL)
		b->data[0] = '\0';
}

/* buf_reserve - make room for n more bytes and the NUL */
static int
buf_reserve(struct buf *b, size_t n)
{
	size_t	 want, cap;
	char	*p;

	if (n > b->max - b->len)
		return (AM_PERM);
	want = b->len + n;
	if (b->data != NULL && want <= b->cap)
		return (AM_OK);
	cap = b->cap < 64 ? 64 : b->cap;
	while (cap < want)
		cap = cap > b->max / 2 ? b->max : cap * 2;
	if ((p = realloc(b->data, cap + 1)) == NULL)
		return (AM_TEMP);
	b->data = p;
	b->cap = cap;
	return (AM_OK);
}

/* buf_append - add n bytes, or nothing if that would pass the cap */
int
buf_append(struct buf *b, const void *p, size_t n)
{
	int	 st;

	if ((st = buf_reserve(b, n)) != AM_OK)
		return (st);
	if (n > 0)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return (AM_OK);
}

/* buf_puts - add a C string */
int
buf_puts(struct buf *b, const char *s)
{
	return (buf_append(b, s, strlen(s)));
}

/* buf_putc - add one byte */
int
buf_putc(struct buf *b, int c)
{
	unsigned char ch = (unsigned char)c;

	return (buf_append(b, &ch, 1));
}

/* buf_vprintf - add formatted text, all or nothing */
int
buf_vprintf(struct buf *b, const char *fmt, va_list ap)
{
	va_list	 aq;
	int	 n, st;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return (AM_PERM);
	if ((st = buf_reserve(b, (size_t)n)) != AM_OK)
		return (st);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return (AM_OK);
}

/* buf_printf - add formatted text, all or nothing */
int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 st;

	va_start(ap, fmt);
	st = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return (st);
}

static void buf_vsetf(struct buf *, const char *, va_list)
	    __attribute__((format(printf, 2, 0)));

/* buf_vsetf - replace the content, truncating at the cap */
static void
buf_vsetf(struct buf *b, const char *fmt, va_list ap)
{
	char	 tmp[1024];
	int	 n;

	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(tmp))
		n = sizeof(tmp) - 1;
	buf_reset(b);
	if ((size_t)n > b->max)
		n = (int)b->max;
	(void)buf_append(b, tmp, (size_t)n);
}

/* buf_setf - replace the content with a formatted reason */
void
buf_setf(struct buf *b, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	buf_vsetf(b, fmt, ap);
	va_end(ap);
}

/* buf_why - record a reason, if the caller wants one; return status */
int
buf_why(struct buf *why, int status, const char *fmt, ...)
{
	va_list	 ap;

	if (why != NULL) {
		va_start(ap, fmt);
		buf_vsetf(why, fmt, ap);
		va_end(ap);
	}
	return (status);
}

/* buf_str - the content as a C string ("" when empty) */
const char *
buf_str(const struct buf *b)
{
	return (b->data != NULL ? b->data : "");
}
