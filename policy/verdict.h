/*
 * NAME
 *	verdict - what happens to a message, and the SMTP reply it gets
 * DESCRIPTION
 *	A decision is what policy_decide() concludes from the results and
 *	the configuration. verdict is what authmilter does; would is what
 *	enforce mode would have done (differs only in monitor mode). code,
 *	xcode and text are the SMTP reply for reject and tempfail.
 */
#ifndef AM_VERDICT_H
#define AM_VERDICT_H

enum verdict {
	VERDICT_ACCEPT = 0,		/* deliver; results in headers */
	VERDICT_TAG,			/* deliver, marked as failing */
	VERDICT_QUARANTINE,		/* milter quarantine: Postfix hold */
	VERDICT_TEMPFAIL,		/* 4xx */
	VERDICT_REJECT,			/* 5xx */
};

struct decision {
	enum verdict verdict;
	enum verdict would;
	char	 code[4];		/* "550" */
	char	 xcode[10];		/* "5.7.26" */
	char	 text[320];		/* reply text, no peer bytes */
	const char *why;		/* short reason token for the log */
	const char *rule;		/* the policy rule that decided, or NULL */
	const char *tag;		/* a rule's tag text, or NULL */
};

const char *verdict_str(enum verdict v);

#endif
