/*
 * NAME
 *	result - plain results of the SPF, DKIM, From: and DMARC checks
 * SYNOPSIS
 *	#include "auth/result.h"
 *	const char *arc_res_str(enum arc_res r);
 *	const char *dkim_res_str(enum dkim_res r);
 *	const char *dmarc_policy_str(enum dmarc_policy p);
 *	const char *dmarc_res_str(enum dmarc_res r);
 *	const char *dnsbl_res_str(enum dnsbl_res r);
 *	const char *from_status_str(enum from_status s);
 *	const char *iprev_res_str(enum iprev_res r);
 *	const char *spf_res_str(enum spf_res r);
 *	const char *arc_res_str(enum arc_res r);
 * DESCRIPTION
 *	Plain structs, no library headers: policy/ and milter/ read these
 *	and nothing of libspf2, libopendkim or libopendmarc. Every string is
 *	NUL-terminated and already bounded (util/limits.h); peer-supplied
 *	strings (domains, selectors) are stored as received and must be
 *	escaped by whoever writes them out (authres.c, log lines).
 * SEE ALSO
 *	RFC 8601 2.7 (result values), RFC 7208 2.6, RFC 6376, RFC 9989
 */
#ifndef AM_RESULT_H
#define AM_RESULT_H

#include <stdbool.h>

#include "util/limits.h"

/* RFC 7208 2.6 / RFC 8601 2.7.2 */
enum spf_res {
	SPF_RES_NONE = 0,
	SPF_RES_NEUTRAL,
	SPF_RES_PASS,
	SPF_RES_FAIL,
	SPF_RES_SOFTFAIL,
	SPF_RES_TEMPERROR,
	SPF_RES_PERMERROR,
};

/* one check_host() evaluation: HELO or MAIL FROM identity */
struct spf_result {
	enum spf_res result;
	bool	 checked;		/* false: identity absent, not run */
	char	 domain[LIM_DOMAIN];	/* the domain checked */
	char	 identity[LIM_ADDRESS];	/* helo name or MAIL FROM address */
	char	 reason[LIM_REASON];	/* short, our own words */
};

/* RFC 8601 2.7.1; POLICY: verified, but not acceptable (rsa-sha1, key
 * too short, a signed singleton field added), so it never counts as a
 * pass. */
enum dkim_res {
	DKIM_RES_NONE = 0,
	DKIM_RES_PASS,
	DKIM_RES_FAIL,
	DKIM_RES_NEUTRAL,
	DKIM_RES_POLICY,
	DKIM_RES_TEMPERROR,
	DKIM_RES_PERMERROR,
};

struct dkim_sig_result {
	enum dkim_res result;
	char	 d[LIM_DOMAIN];		/* signing domain, lower case */
	char	 s[64];			/* selector */
	char	 a[32];			/* a= as in the signature */
	char	 b[16];			/* first 8 chars of b= (header.b) */
	char	 i[LIM_ADDRESS];	/* i= if present */
	unsigned keybits;		/* 0 if unknown */
	bool	 partial_body;		/* l= left body bytes unsigned */
	bool	 extra_header;		/* a signed singleton field occurs
					 * more often than h= names it
					 * (RFC 6376 8.15); never a pass */
	char	 extra_name[32];	/* that field: "Subject", ... */
	char	 reason[LIM_REASON];
};

struct dkim_result {
	int	 nsigs;			/* signatures evaluated */
	int	 nskipped;		/* over the configured cap */
	struct dkim_sig_result sigs[LIM_DKIM_SIGS];
};

/* The RFC 5322 From: field as DMARC sees it */
enum from_status {
	FROM_OK = 0,
	FROM_MISSING,			/* no From: field */
	FROM_MULTIPLE_FIELDS,		/* more than one From: field */
	FROM_MULTIPLE_MAILBOXES,	/* one field, several mailboxes */
	FROM_UNPARSEABLE,		/* syntax error, or no domain */
};

struct from_result {
	enum from_status status;
	int	 ndomains;		/* distinct author domains */
	char	 domains[LIM_FROM_MAILBOXES][LIM_DOMAIN];	/* lower case */
	char	 reason[LIM_REASON];
};

/* RFC 9989 4.7 */
enum dmarc_policy {
	DMARC_P_UNSET = 0,
	DMARC_P_NONE,			/* p=none */
	DMARC_P_QUARANTINE,	/* p=quarantine */
	DMARC_P_REJECT,			/* p=reject */
};

enum dmarc_res {
	DMARC_RES_NONE = 0,		/* no policy record */
	DMARC_RES_PASS,
	DMARC_RES_FAIL,
	DMARC_RES_TEMPERROR,
	DMARC_RES_PERMERROR,
};

struct dmarc_result {
	enum dmarc_res result;
	enum dmarc_policy policy;	/* the one to apply: p, sp or np */
	enum dmarc_policy p;		/* as published */
	enum dmarc_policy sp;
	char	 from_domain[LIM_DOMAIN];
	char	 policy_domain[LIM_DOMAIN];	/* where the record was found */
	char	 org_domain[LIM_DOMAIN];	/* of from_domain */
	bool	 spf_aligned;
	bool	 dkim_aligned;
	char	 adkim;			/* 'r' or 's' */
	char	 aspf;
	int	 pct;			/* as published, 100 if absent; no
					 * sampling (RFC 9989 removed it) */
	bool	 testing;		/* t=y, or pct=0 without t= */
	char	 reason[LIM_REASON];
	enum dmarc_policy np;		/* as published (RFC 9989) */
	bool	 nonexistent;		/* From domain NXDOMAIN: np applied */
	char	 psd;			/* psd= as published: y, n, u */
	char	 fo[16];		/* as published, for reports */
	char	 rua[LIM_DMARC_URIS];
	char	 ruf[LIM_DMARC_URIS];
	bool	 psl;			/* found by the PSL, not the walk */
};

/* RFC 8601 3: iprev, forward-confirmed reverse DNS of the client */
enum iprev_res {
	IPREV_RES_NONE = 0,		/* not checked (no client address) */
	IPREV_RES_PASS,
	IPREV_RES_FAIL,
	IPREV_RES_TEMPERROR,
	IPREV_RES_PERMERROR,
};

struct iprev_result {
	enum iprev_res result;
	bool	 checked;
	char	 name[LIM_DOMAIN];	/* the verified PTR name (pass only) */
	char	 ptr[LIM_DOMAIN];	/* the first PTR name, unverified */
	char	 reason[LIM_REASON];
};

/* RFC 5782: one configured DNSBL or DNSWL zone, for one client */
enum dnsbl_res {
	DNSBL_RES_NONE = 0,		/* not listed (or not checked) */
	DNSBL_RES_LISTED,		/* an answer among the zone's codes */
	DNSBL_RES_TEMPERROR,		/* timeout, SERVFAIL, 127.255.255.x */
};

struct dnsbl_zone_result {
	enum dnsbl_res result;
	bool	 allow;			/* a DNSWL: listed means good */
	char	 zone[LIM_DOMAIN];
	char	 code[48];		/* the answer that counted, "127.0.0.2" */
};

struct dnsbl_result {
	int	 nzones;
	struct dnsbl_zone_result z[LIM_DNSBL_ZONES];
};

/* HELO hygiene: bits set for each defect found; 0: none */
#define HELO_NOT_FQDN		0x01	/* a bare word, not a domain */
#define HELO_LOCALHOST		0x02	/* "localhost" or under it */
#define HELO_LITERAL_MISMATCH	0x04	/* [addr] other than the client */
#define HELO_OURS		0x08	/* our own name ({j}) or address */
#define HELO_PTR_MISMATCH	0x10	/* not the verified PTR name */

/* what is known of the client before any message: connect and HELO */
struct client_results {
	struct iprev_result iprev;
	struct dnsbl_result dnsbl;
	unsigned helo_bad;		/* HELO_* bits */
	bool	 helo_checked;
};

/* RFC 8617 4.4 (cv) and 8601 2.7.x (arc=); NONE: no ARC set */
enum arc_res {
	ARC_RES_NONE = 0,
	ARC_RES_PASS,
	ARC_RES_FAIL,
	ARC_RES_TEMPERROR,
};

/* one result of the newest ARC-Authentication-Results */
struct arc_aar_res {
	char	 method[16];		/* "dmarc", "dkim", "spf", lower case */
	char	 result[16];		/* "pass", "fail", ... lower case */
	char	 domain[LIM_DOMAIN];	/* header.from, header.d or
					 * smtp.mailfrom (its domain) */
};

/* the ARC chain of a message (auth/arc.c) and what trust made of it */
struct arc_result {
	enum arc_res result;
	int	 n;			/* ARC sets (instances); 0: none */
	char	 sealers[512];		/* d= of each ARC-Seal, newest first,
					 * comma-separated, cut if long */
	char	 sealer[LIM_DOMAIN];	/* d= of the newest ARC-Seal */
	char	 remote_ip[64];		/* smtp.remote-ip of the newest AAR */
	int	 oldest_pass;		/* RFC 8617 5.2, 1..n on a pass;
					 * 0: not computed */
	char	 aar_id[LIM_DOMAIN];	/* authserv-id of the newest AAR */
	int	 naar;
	struct arc_aar_res aar[LIM_ARC_AAR_RES];
	bool	 trusted;		/* newest sealer in arc.trusted_sealers */
	bool	 override;		/* RFC 9989 local-policy override:
					 * policy_decide turns a DMARC fail
					 * into an accept (arc_trust_judge) */
	char	 reason[LIM_REASON];
};

/* everything one message's evaluation produced */
struct auth_results {
	struct spf_result helo;
	struct spf_result mailfrom;
	struct dkim_result dkim;
	struct from_result from;
	struct dmarc_result dmarc;
	struct arc_result arc;		/* ARC chain (RFC 8617) */
};

const char *spf_res_str(enum spf_res r);
const char *dkim_res_str(enum dkim_res r);
const char *dmarc_res_str(enum dmarc_res r);
const char *dmarc_policy_str(enum dmarc_policy p);
const char *from_status_str(enum from_status s);
const char *iprev_res_str(enum iprev_res r);
const char *dnsbl_res_str(enum dnsbl_res r);
const char *arc_res_str(enum arc_res r);

#endif
