/*
 * NAME
 *	rules - the local policy: ordered rules, first match wins
 * SYNOPSIS
 *	#include "policy/rules.h"
 *
 *	int rules_compile(const struct conf *cf, struct rules **rs_r,
 *	    struct buf *warn, struct buf *why);
 *	void rules_free(struct rules **rsp);
 *	void rules_walk(const struct rules *rs, const struct rule_input *in,
 *	    struct rule_outcome *o_r, struct buf *explain);
 *	int rules_rcpt_differs(const struct rules *rs, const char *rcpt1,
 *	    const char *rcpt2, const char **rule_r);
 *	void rules_reply(const struct rule_outcome *o,
 *	    const struct rule_input *in, enum verdict v, struct decision *d);
 *	const char *rules_action_str(enum rule_action a);
 *	const char *rules_key_name(enum rule_key k);
 *	unsigned rules_key_known(enum rule_key k);
 * DESCRIPTION
 *	rules_compile() gives meaning to the policy section that conf kept
 *	as text (conf->policy): matchers, actions, reply templates, and
 *	the "file:/path" lists, read now (so a reload reads them again).
 *	Errors are "file:line: policy: rule NAME: reason" in why; each
 *	warning (an allow rule only a spoofable identity decides, a rule
 *	after a catch-all) is one such line in warn.
 *
 *	A rule holds when every matcher it names holds; a matcher holds
 *	when one of its entries does. rules_walk() is pure: it looks at
 *	the rules in order with what in->known says is known so far. A
 *	rule is "no" when a known matcher fails, "yes" when every matcher
 *	is known and holds, "maybe" otherwise. The walk stops at the first
 *	"maybe" (undecided: ask again at a later stage) or at the first
 *	"yes" whose action is not continue (decided). A "yes" of a continue
 *	rule keeps its reply and tag for later and goes on. Because inputs
 *	only grow, a rule decided at an early stage is decided the same way
 *	at end of message. With explain, each rule passed over adds one
 *	line saying which matcher failed (for -t -v).
 *
 *	rules_rcpt_differs() is 1 when a rule's rcpt matcher holds for one
 *	of two recipients and not the other: they may get different
 *	verdicts, so the second must go in its own transaction.
 *
 *	rules_reply() fills the SMTP reply for verdict v decided by a rule:
 *	the rule's reply (or a continue rule's), templates expanded with
 *	sanitized values, else the RFC 7372 code of what the rule matched.
 *
 *	rules_action_str() and rules_key_name() are the configuration
 *	words of an action and a matcher; rules_key_known() is the RIN_*
 *	bits a matcher needs (arc_sealer, like dkim_pass: RIN_RESULTS).
 * SEE ALSO
 *	authmilter.conf(5) POLICY; RFC 7372; RFC 5782; RFC 8601 3
 */
#ifndef AM_RULES_H
#define AM_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "auth/result.h"
#include "conf/conf.h"
#include "policy/verdict.h"
#include "util/addr.h"
#include "util/buf.h"

/* the matchers; order matches the keys in rules.c */
enum rule_key {
	RK_CLIENT, RK_CLIENT_NAME, RK_DNSBL, RK_DNSWL, RK_IPREV,
	RK_HELO, RK_HELO_BAD, RK_MAIL_FROM, RK_MAIL_FROM_DOMAIN, RK_RCPT,
	RK_FROM_DOMAIN, RK_DKIM_PASS, RK_SPF_PASS, RK_SPF, RK_HELO_SPF,
	RK_DKIM, RK_DMARC, RK_DMARC_POLICY, RK_ARC_SEALER,
	RK_N
};

enum rule_action {
	RA_ACCEPT, RA_REJECT, RA_TEMPFAIL, RA_QUARANTINE, RA_TAG,
	RA_CONTINUE
};

/* what is known, bits of rule_input.known */
#define RIN_CLIENT	0x01		/* the client address */
#define RIN_HELO	0x02
#define RIN_MAIL	0x04
#define RIN_RCPT	0x08
#define RIN_RESULTS	0x10		/* end of message: auth results */
#define RIN_REP		0x20		/* reputation: iprev, DNSBL, HELO */
#define RIN_ALL		0x3f

struct rule_input {
	unsigned known;			/* RIN_* */
	const struct addr *client;	/* NULL: no network client */
	const struct client_results *rep;
	const char *helo;
	const char *mail_from;		/* as given, <> or not */
	const char *rcpt;		/* one recipient; NULL: none */
	const struct auth_results *res;
};

struct rule_match {
	bool	 given;
	char	**v;			/* entries, lower case */
	size_t	 n;
	struct cidr *cidr;		/* client */
	unsigned bits;			/* word matchers: 1 << value */
};

struct rule {
	char	*name;
	int	 line;
	enum rule_action action;
	struct rule_match m[RK_N];
	bool	 has_reply;
	char	 code[4], xcode[10];
	char	*reply;			/* the text template */
	char	*tag;			/* tag header comment; NULL: none */
};

struct rules {
	struct rule *v;
	size_t	 n;
	bool	 need_rcpt;		/* some rule has an rcpt matcher */
	bool	 need_rep;		/* some rule asks iprev, DNSBL, HELO */
};

struct rule_outcome {
	int	 state;			/* RULES_* */
	const struct rule *rule;	/* the deciding rule */
	const struct rule *reply;	/* rule whose reply applies, or NULL */
	const char *tag;		/* tag text of a matching rule */
};

#define RULES_NONE	0		/* no rule matched: built-in verdict */
#define RULES_MATCH	1		/* rule decided */
#define RULES_UNDECIDED	2		/* wait for a later stage */

int	rules_compile(const struct conf *cf, struct rules **rs_r,
	    struct buf *warn, struct buf *why);
void	rules_free(struct rules **rsp);
void	rules_walk(const struct rules *rs, const struct rule_input *in,
	    struct rule_outcome *o_r, struct buf *explain);
int	rules_rcpt_differs(const struct rules *rs, const char *rcpt1,
	    const char *rcpt2, const char **rule_r);
void	rules_reply(const struct rule_outcome *o, const struct rule_input *in,
	    enum verdict v, struct decision *d);
const char *rules_action_str(enum rule_action a);
const char *rules_key_name(enum rule_key k);
unsigned rules_key_known(enum rule_key k);

#endif
