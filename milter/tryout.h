/*
 * NAME
 *	tryout - evaluate one stored message as the daemon would (-t)
 * SYNOPSIS
 *	#include "milter/tryout.h"
 *
 *	int tryout_run(const char *conf, const struct tryout *t);
 * DESCRIPTION
 *	Reads t->eml, plays it through the stages of session.c with the
 *	given client address, HELO and MAIL FROM (the daemon's own code,
 *	with the configured resolver), and prints what the daemon would do:
 *	the header deletions, the headers it would add, and the action with
 *	its SMTP reply. Returns the exit status: 0, or 1 when the message
 *	or configuration cannot be read.
 *
 *	Header values are given to the stages as Postfix gives them to a
 *	milter: leading space kept, folded lines joined by LF; body lines
 *	end in CRLF.
 */
#ifndef AM_TRYOUT_H
#define AM_TRYOUT_H

struct tryout {
	const char *eml;
	const char *client_ip;
	const char *helo;
	const char *mail_from;
	const char *rcpt;
};

int	tryout_run(const char *conf, const struct tryout *t);

#endif
