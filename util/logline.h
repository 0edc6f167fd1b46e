/*
 * NAME
 *	logline - one log line of key/value fields, as text or JSON
 * SYNOPSIS
 *	#include "util/logline.h"
 *
 *	void logline_begin(struct logline *l, bool json, const char *qid);
 *	void logline_str(struct logline *l, const char *key, const char *v);
 *	void logline_raw(struct logline *l, const char *key, const char *v);
 *	void logline_int(struct logline *l, const char *key, long v);
 *	void logline_note(struct logline *l, const char *note);
 *	const char *logline_end(struct logline *l);
 * DESCRIPTION
 *	A caller lists the fields of a line once; the format is chosen at
 *	logline_begin(). Adding a field is adding one call.
 *
 *	Text: "qid: key=value key=value (note)". logline_str() escapes the
 *	value with log_escape_value() (no peer byte can add a field) and
 *	writes an empty value as "-"; logline_raw() takes a value the
 *	caller has escaped already; logline_int() writes a decimal number.
 *
 *	JSON: one object {"qid":"...","key":value,...,"note":"..."}.
 *	String values are JSON strings: '"' and '\' escaped, control bytes
 *	as \u00XX, valid UTF-8 kept as is and every other byte >= 0x80 as
 *	\u00XX (its Latin-1 reading), so any peer bytes give valid JSON.
 *	logline_int() values are JSON numbers. logline_note() is the
 *	"note" string (at most one note per line).
 *
 *	Every line fits LIM_LOGLINE: a field that would not fit is left
 *	out, and so is every later one, and the line ends with
 *	" truncated=yes" (text) or ,"truncated":true (JSON).
 *
 *	logline_end() closes the line and returns it; it lives in l.
 * THREADS
 *	A struct logline belongs to one thread; it is plain data.
 */
#ifndef AM_LOGLINE_H
#define AM_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/limits.h"

struct logline {
	char	 buf[LIM_LOGLINE];
	size_t	 len;
	bool	 json;
	bool	 cut;			/* a field did not fit */
	bool	 first;			/* no field yet (text) */
};

void	logline_begin(struct logline *l, bool json, const char *qid);
void	logline_str(struct logline *l, const char *key, const char *v);
void	logline_raw(struct logline *l, const char *key, const char *v);
void	logline_int(struct logline *l, const char *key, long v);
void	logline_note(struct logline *l, const char *note);
const char *logline_end(struct logline *l);

#endif
