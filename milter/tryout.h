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
 *	Each --rcpt goes through the RCPT stage as the daemon's would: a
 *	refused or deferred one is printed ("rcpt: ADDR: 452 4.5.3 ...").
 *	--client-name stands for the verified reverse DNS name (iprev=pass)
 *	that the daemon would look up. The output then names the rule that
 *	decided ("rule: NAME", or "rule: none (built-in verdict)") and with
 *	-v, for each rule looked at before it, the matcher that failed.
 *
 *	Header values are given to the stages as Postfix gives them to a
 *	milter: leading space kept, folded lines joined by LF; body lines
 *	end in CRLF.
 */
#ifndef AM_TRYOUT_H
#define AM_TRYOUT_H

#define TRYOUT_RCPTS	32		/* --rcpt given at most */

struct tryout {
	const char *eml;
	const char *client_ip;
	const char *helo;
	const char *mail_from;
	const char *rcpt[TRYOUT_RCPTS];
	int	 nrcpt;
	const char *client_name;	/* taken as verified (iprev=pass) */
	int	 verbose;		/* -v: why earlier rules did not match */
};

int	tryout_run(const char *conf, const struct tryout *t);

#endif
