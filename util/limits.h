/*
 * NAME
 *	limits - every cap on hostile input, with its reason
 * DESCRIPTION
 *	Peer data (SMTP envelope, headers, DNS answers) is bounded here and
 *	nowhere else, like SQLite's sqliteLimit.h. A value over a cap gets a
 *	defined verdict, never a crash or an unbounded allocation.
 */
#ifndef AM_LIMITS_H
#define AM_LIMITS_H

/* RFC 1035 2.3.4: 255 octets in a name; +1 for NUL. */
#define LIM_DOMAIN		256

/* RFC 5321 4.5.3.1.3: a path is at most 256 octets; we allow a little
 * slack for broken clients before calling it unparseable. */
#define LIM_ADDRESS		512

/* One header field, name and value folded together. RFC 5322 sets no
 * limit on a folded field; 64 KiB is far above any legitimate one
 * (long DKIM-Signature or ARC sets are ~2 KiB) and bounds our copies. */
#define LIM_HEADER		65536

/* Header fields per message we keep for analysis. Postfix caps the
 * header block at header_size_limit (100 KiB) anyway. */
#define LIM_HEADERS		1000

/* DKIM signatures verified per message (configurable below this);
 * every one costs a DNS query and a public-key operation. */
#define LIM_DKIM_SIGS		50

/* Mailboxes in one From: field considered for DMARC (RFC 7489 6.6.1). */
#define LIM_FROM_MAILBOXES	16

/* DNS: answers kept per query and bytes per TXT record. SPF records
 * over 4 KiB are not seen in practice; DKIM keys are ~800 bytes. */
#define LIM_DNS_RRS		64
#define LIM_DNS_TXT		8192

/* Authentication-Results we write; the header is one line of results. */
#define LIM_AUTHRES		8192

/* Reason / diagnostic text carried in results and log lines. */
#define LIM_REASON		256

/* Terms in one SPF record. libspf2 keeps a record's mechanisms in 511
 * bytes, 4 at least each, so it cannot hold more than 127 anyway. */
#define LIM_SPF_TERMS		128

/* Bytes one SPF term may take in libspf2's compiled form (its own cap
 * is 511). Above about 508, libspf2 1.2.10 miscounts the room left for
 * a literal and overruns its stack buffer (CVE-2023-42118). */
#define LIM_SPF_TERM_BYTES	400

/* A DMARC record's rua= or ruf= list kept for reporting (RFC 9989 4.7);
 * a few mailto: URIs. Longer lists are cut, and a cut URI is not used. */
#define LIM_DMARC_URIS		512

/* DNSBL/DNSWL zones queried per client (RFC 5782); each is one query at
 * connect, in parallel. */
#define LIM_DNSBL_ZONES		16

/* One log line: the per-message summary, in text or JSON, with every
 * peer string escaped (JSON: up to 6 bytes per byte). A summary that
 * would pass it drops its last fields and says so. */
#define LIM_LOGLINE		8192
/* Local policy (policy/rules.c): rules in the policy section, and the
 * entries of one matcher list, "file:" lists included. A longer list
 * belongs in a DNSBL/DNSWL zone or the MTA's own maps. */
#define LIM_POLICY_RULES	1024
#define LIM_POLICY_ENTRIES	100000

/* Recipients named in the per-message log line (the count is always
 * logged). */
#define LIM_LOG_RCPTS		3

/* PTR names of one client address whose A/AAAA iprev looks up (RFC
 * 8601 3 sets none; RFC 7208 5.5 stops at 10 for the same walk). Each
 * is one forward query; more names are ignored. */
#define LIM_IPREV_NAMES		10
/* DKIM signing (issue 10): keys in the key table, lines of the key and
 * signing tables, signatures added to one message (dual signing needs
 * 2), and bytes of one private key file (an RSA-8192 PEM is ~6.3 KiB). */
#define LIM_SIGN_KEYS		1024
#define LIM_SIGN_LINE		1024
#define LIM_SIGN_PER_MSG	4
#define LIM_SIGN_KEYFILE	16384

/* ARC (RFC 8617 4.2.1): at most 50 ARC sets; more is a fail. The header
 * fields an ARC-Message-Signature may cover are kept for the end of the
 * message: at most LIM_HEADERS fields and this many bytes in all. */
#define LIM_ARC_SETS		50
#define LIM_ARC_HDR_BYTES	(1024 * 1024)
/* results of the newest ARC-Authentication-Results kept for the trust
 * decision (dmarc, dkim, spf ...) */
#define LIM_ARC_AAR_RES		16

#endif
