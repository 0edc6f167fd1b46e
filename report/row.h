/*
 * NAME
 *	row - one message as the DMARC reports record it
 * SYNOPSIS
 *	#include "report/row.h"
 *
 *	bool report_row_fill(struct report_row *row,
 *	    const struct report_input *in);
 *	void report_row_dkim_text(const struct report_row *row, char *dst,
 *	    size_t len);
 * DESCRIPTION
 *	report_row_fill() turns one evaluated message into a row: time,
 *	client address, identifiers, the disposition the DMARC policy asks
 *	for and the one applied (with the RFC 9990 override reason when
 *	they differ), alignment, every DKIM result (d=, selector, result,
 *	human result), SPF (domain, scope mfrom, result) and the policy as
 *	published (p, sp, np, adkim, aspf, fo, t, discovery method) with its
 *	rua/ruf destinations. Returns false when the message yields no row:
 *	no DMARC policy record applied (result none or permerror), or the
 *	verdict was tempfail (the sender retries: it is counted then).
 *	Recipients are kept only for refused, held or tagged messages
 *	(the per-user digest).
 *
 *	Peer strings are stored as received, with tabs and line ends
 *	replaced by '?', so the DKIM list (report_row_dkim_text: one
 *	signature a line, fields separated by tabs) stays parseable.
 * SEE ALSO
 *	RFC 9990 2.1 (the report's rows), 2.1.2 (override reasons)
 */
#ifndef AM_REPORT_ROW_H
#define AM_REPORT_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/result.h"
#include "policy/verdict.h"
#include "util/addr.h"

#define RPT_MAX_DKIM	8		/* signatures kept per row */
#define RPT_HUMAN	96		/* human_result text */

struct report_dkim {
	char	 d[LIM_DOMAIN];
	char	 s[64];
	char	 result[16];
	char	 human[RPT_HUMAN];
};

/* what the milter knows at end of message */
struct report_input {
	int64_t	 t;			/* seconds since the epoch */
	const char *qid;
	const char *ip;			/* client address, text */
	const char *mailfrom;		/* MAIL FROM address, may be "" */
	const char *rcpt;		/* first recipient, may be NULL */
	int	 nrcpt;
	const char *subject;		/* may be NULL */
	const struct auth_results *res;
	const struct decision *d;
	bool	 monitor;		/* mode = monitor */
};

struct report_row {
	int64_t	 t;
	char	 qid[32];
	char	 source_ip[ADDR_STRLEN];
	char	 header_from[LIM_DOMAIN];
	char	 envelope_from[LIM_DOMAIN];
	char	 envelope_to[LIM_DOMAIN];
	char	 policy_domain[LIM_DOMAIN];
	char	 evaluated[16];		/* none, pass, quarantine, reject */
	char	 disposition[16];	/* applied */
	char	 reason[24];		/* override type, or "" */
	char	 reason_comment[128];
	char	 verdict[16];		/* accept, tag, quarantine, reject */
	bool	 dkim_aligned;
	bool	 spf_aligned;
	int	 ndkim;
	struct report_dkim dkim[RPT_MAX_DKIM];
	char	 spf_domain[LIM_DOMAIN];
	char	 spf_result[16];
	char	 p[12], sp[12], np[12];
	char	 adkim, aspf, testing;
	char	 fo[16];
	char	 discovery[12];		/* treewalk, psl */
	char	 rua[LIM_DMARC_URIS];
	char	 ruf[LIM_DMARC_URIS];
	char	 rcpt[LIM_ADDRESS];	/* refused/held/tagged only */
	int	 nrcpt;
};

bool	report_row_fill(struct report_row *row, const struct report_input *in);
void	report_row_dkim_text(const struct report_row *row, char *dst,
	    size_t len);

#endif
