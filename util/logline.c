/*
 * NAME
 *	logline - one log line of key/value fields, as text or JSON
 * DESCRIPTION
 *	See logline.h. Each field is written whole or not at all: the
 *	length before it is kept and restored when it does not fit, with
 *	RESERVE bytes always left for the end of the line.
 * SEE ALSO
 *	RFC 8259 7 (strings), RFC 3629 4 (UTF-8 syntax)
 */
#include <stdio.h>
#include <string.h>

#include "util/log.h"
#include "util/logline.h"

#define RESERVE		32		/* ,"truncated":true} and NUL */

/* put - append n bytes; 0, or -1 if they would pass the reserve */
static int
put(struct logline *l, const char *s, size_t n)
{
	if (l->cut || n > sizeof(l->buf) - RESERVE - l->len)
		return (-1);
	memcpy(l->buf + l->len, s, n);
	l->len += n;
	l->buf[l->len] = '\0';
	return (0);
}

/* puts0 - append a C string */
static int
puts0(struct logline *l, const char *s)
{
	return (put(l, s, strlen(s)));
}

/* utf8_len - length of the valid UTF-8 sequence at p, or 0 */
static size_t
utf8_len(const unsigned char *p, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t	 len, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		len = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		len = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (p[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		len = 4;
		if (p[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (p[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return (0);
	if (len > n || p[1] < lo || p[1] > hi)
		return (0);
	for (i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return (0);
	return (len);
}

/* put_json_str - v as a JSON string */
static int
put_json_str(struct logline *l, const char *v)
{
	const unsigned char *p = (const unsigned char *)v;
	size_t	 n = strlen(v), i, k;
	char	 esc[8];

	if (put(l, "\"", 1) != 0)
		return (-1);
	for (i = 0; i < n; i += k) {
		k = 1;
		if (p[i] == '"' || p[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)p[i];
			if (put(l, esc, 2) != 0)
				return (-1);
		} else if (p[i] >= 0x20 && p[i] < 0x7f) {
			if (put(l, v + i, 1) != 0)
				return (-1);
		} else if (p[i] >= 0x80 && (k = utf8_len(p + i, n - i)) > 0) {
			if (put(l, v + i, k) != 0)
				return (-1);
		} else {
			k = 1;
			snprintf(esc, sizeof(esc), "\\u%04x", p[i]);
			if (put(l, esc, 6) != 0)
				return (-1);
		}
	}
	return (put(l, "\"", 1));
}

/* field_key - the separator and key of a field */
static int
field_key(struct logline *l, const char *key)
{
	if (l->json)
		return (put(l, ",", 1) != 0 || put_json_str(l, key) != 0 ||
		    put(l, ":", 1) != 0 ? -1 : 0);
	if (!l->first && put(l, " ", 1) != 0)
		return (-1);
	l->first = false;
	return (puts0(l, key) != 0 || put(l, "=", 1) != 0 ? -1 : 0);
}

/* field_done - keep the field, or drop it and mark the line cut */
static void
field_done(struct logline *l, int rc, size_t mark, bool first)
{
	if (rc == 0)
		return;
	l->len = mark;
	l->buf[mark] = '\0';
	l->first = first;
	l->cut = true;
}

/* logline_begin - start a line for queue id qid */
void
logline_begin(struct logline *l, bool json, const char *qid)
{
	l->len = 0;
	l->buf[0] = '\0';
	l->json = json;
	l->cut = false;
	l->first = true;
	if (json) {
		puts0(l, "{\"qid\":");
		put_json_str(l, qid);
	} else {
		puts0(l, qid);
		puts0(l, ": ");
	}
}

/* logline_text - one string field; escape: the text form escapes v */
static void
logline_text(struct logline *l, const char *key, const char *v, bool escape)
{
	char	 esc[LIM_LOGLINE];
	size_t	 mark = l->len;
	bool	 first = l->first;
	int	 rc;

	if (v == NULL)
		v = "";
	if ((rc = field_key(l, key)) == 0) {
		if (l->json)
			rc = put_json_str(l, v);
		else if (v[0] == '\0')
			rc = put(l, "-", 1);
		else
			rc = puts0(l, escape ? log_escape_value(esc,
			    sizeof(esc), v, strlen(v)) : v);
	}
	field_done(l, rc, mark, first);
}

/* logline_str - a string field; text escapes it */
void
logline_str(struct logline *l, const char *key, const char *v)
{
	logline_text(l, key, v, true);
}

/* logline_raw - a string field the caller has escaped for text */
void
logline_raw(struct logline *l, const char *key, const char *v)
{
	logline_text(l, key, v, false);
}

/* logline_int - a number field */
void
logline_int(struct logline *l, const char *key, long v)
{
	char	 num[32];
	size_t	 mark = l->len;
	bool	 first = l->first;
	int	 rc;

	snprintf(num, sizeof(num), "%ld", v);
	if ((rc = field_key(l, key)) == 0)
		rc = puts0(l, num);
	field_done(l, rc, mark, first);
}

/* logline_note - free text at the end: " (note)" or "note":"..." */
void
logline_note(struct logline *l, const char *note)
{
	size_t	 mark = l->len;
	bool	 first = l->first;
	int	 rc;

	if (l->json)
		rc = put(l, ",\"note\":", 8) != 0 || put_json_str(l, note) != 0;
	else
		rc = put(l, " (", 2) != 0 || puts0(l, note) != 0 ||
		    put(l, ")", 1) != 0;
	field_done(l, rc ? -1 : 0, mark, first);
}

/* logline_end - close the line; it stays in l */
const char *
logline_end(struct logline *l)
{
	const char *tail;

	if (l->json)
		tail = l->cut ? ",\"truncated\":true}" : "}";
	else
		tail = l->cut ? " truncated=yes" : "";
	/* len <= sizeof(buf) - RESERVE, and every tail is shorter */
	memcpy(l->buf + l->len, tail, strlen(tail) + 1);
	l->len += strlen(tail);
	return (l->buf);
}
