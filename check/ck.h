/*
 * NAME
 *	ck - one domain audit: context, findings, bounded queries
 * SYNOPSIS
 *	#include "check/ck.h"
 *
 *	int ck_query(struct ck *c, const char *name, int type,
 *	    struct dns_answer **ans_r);
 *	void ck_add(struct ck *c, const char *id, enum ck_level level,
 *	    const char *fix, const char *fmt, ...);
 *	bool ck_budget_left(struct ck *c);
 *	void ck_missing(struct ck *c, const char *what);
 *	void ck_tree(struct ck *c, int depth, const char *fmt, ...);
 *	void ck_mx(struct ck *c);
 *	void ck_spf(struct ck *c);
 *	void ck_dmarc(struct ck *c);
 *	void ck_dkim(struct ck *c);
 *	void ck_transport(struct ck *c);
 *	void ck_print_text(const struct ck *c, FILE *fp, bool colour);
 *	void ck_print_json(const struct ck *c, FILE *fp);
 *	const char *ck_level_str(enum ck_level l);
 *	int ck_worst(const struct ck *c);
 * DESCRIPTION
 *	The parts of the audit (mx.c, spftree.c, dmarcpub.c, dkimpub.c,
 *	transport.c) share one struct ck. Every DNS question of their own
 *	goes through ck_query(), which counts it against max_queries and
 *	the deadline: past either it answers DNS_TEMP without asking, and
 *	the part that asked records what it could not check with
 *	ck_missing(). The SPF evaluation (MX authorization) and the DMARC
 *	tree walk use the auth/ evaluators, bounded by their own limits
 *	(10 SPF lookups and spf timeout, 8 _dmarc lookups per walk).
 *
 *	ck_add() appends a finding: a stable id ("spf.softfail"), a level,
 *	one line of why and one of how to fix (empty for ok). Finding ids
 *	are documented in authmilter(8).
 */
#ifndef AM_CK_H
#define AM_CK_H

#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "auth/dmarc.h"
#include "auth/spf.h"
#include "dns/dns.h"
#include "util/addr.h"
#include "util/buf.h"
#include "util/limits.h"

enum ck_level { CK_OK = 0, CK_INFO, CK_WARN, CK_FAIL };

#define CK_MAX_MXADDR	32		/* MX addresses checked */
#define CK_MAX_FINDINGS	256
#define CK_MAX_TREE	128		/* lines of the SPF tree */
#define CK_TEXT		320

struct ck_finding {
	char	 id[48];
	enum ck_level level;
	char	 why[CK_TEXT];
	char	 fix[CK_TEXT];
};

struct ck_line {
	int	 depth;
	char	 text[CK_TEXT];
};

struct ck_mxaddr {
	char	 host[LIM_DOMAIN];
	struct addr a;
};

struct ck {
	struct dns *dns;
	struct spf *spf;
	struct dmarc *dmarc;
	char	 domain[LIM_DOMAIN];
	const char *selectors;		/* "s1,s2" or NULL: built-in list */
	int	 max_queries;
	int	 nqueries;
	struct timespec deadline;
	bool	 incomplete;		/* something could not be checked */
	char	 missing[1024];		/* what, comma-separated */
	int	 nfind;
	struct ck_finding find[CK_MAX_FINDINGS];
	int	 ntree;
	struct ck_line tree[CK_MAX_TREE];
	int	 nmx;			/* MX addresses found */
	struct ck_mxaddr mx[CK_MAX_MXADDR];
	bool	 null_mx;
	bool	 spoof_rejected;
	char	 spoof_why[CK_TEXT];
};

int	ck_query(struct ck *c, const char *name, int type,
	    struct dns_answer **ans_r);
void	ck_add(struct ck *c, const char *id, enum ck_level level,
	    const char *fix, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
bool	ck_budget_left(struct ck *c);
void	ck_missing(struct ck *c, const char *what);
void	ck_tree(struct ck *c, int depth, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
const char *ck_level_str(enum ck_level l);
int	ck_worst(const struct ck *c);

void	ck_mx(struct ck *c);
void	ck_spf(struct ck *c);
void	ck_dmarc(struct ck *c);
void	ck_dkim(struct ck *c);
void	ck_transport(struct ck *c);

void	ck_print_text(const struct ck *c, FILE *fp, bool colour);
void	ck_print_json(const struct ck *c, FILE *fp);

#endif
