/*
 * NAME
 *	params - the one table of configuration keys
 * DESCRIPTION
 *	Every key authmilter reads is here, with its type, default, bounds
 *	and a one-line description. conf.c applies and checks it; -n prints
 *	it; `make lint' checks that man/authmilter.conf.5 documents every
 *	key with this default. Add a key here and in the man page, nowhere
 *	else.
 */
#include <stddef.h>

#include "conf/conf.h"

static const char *const mode_choices[] = {"enforce", "monitor", NULL};
static const char *const onerr_choices[] = {"tempfail", "accept", NULL};
static const char *const badfrom_choices[] = {"reject", "accept", NULL};
static const char *const rejact_choices[] = {
	"reject", "quarantine", "tag", NULL
};
static const char *const quaract_choices[] = {"quarantine", "tag", NULL};
static const char *const orgdom_choices[] = {"treewalk", "psl", NULL};
static const char *const logfmt_choices[] = {"text", "json", NULL};
static const char *const hdrbytes_choices[] = {"reject", "tag", NULL};
static const char *const signerr_choices[] = {"tempfail", "unsigned", NULL};

#define O(f)	offsetof(struct conf, f)

const struct param conf_params[] = {
	{"socket", PT_STR, "inet:8893@127.0.0.1", 0, 0, NULL, O(socket),
	    false, "milter socket: inet:PORT@ADDR, inet6:PORT@ADDR, unix:PATH"},
	{"user", PT_STR, "", 0, 0, NULL, O(user), false,
	    "user to run as after opening the socket; empty: no change"},
	{"pidfile", PT_STR, "", 0, 0, NULL, O(pidfile), false,
	    "file to write the process id to; empty: none"},
	{"syslog_facility", PT_STR, "mail", 0, 0, NULL, O(syslog_facility),
	    false, "syslog facility when not running with -f"},
	{"debug", PT_BOOL, "false", 0, 0, NULL, O(debug), true,
	    "log debug lines (DNS queries, each check)"},
	{"authserv_id", PT_STR, "", 0, 0, NULL, O(authserv_id), true,
	    "authserv-id of our Authentication-Results; empty: the MTA's {j}"},
	{"mode", PT_ENUM, "enforce", 0, 0, mode_choices, O(mode), true,
	    "enforce: act on verdicts; monitor: log and tag only"},
	{"trusted_networks", PT_CIDRS, "127.0.0.0/8 ::1/128", 0, 0, NULL,
	    O(trusted_networks), true,
	    "clients whose mail is not evaluated (list of CIDR)"},
	{"skip_authenticated", PT_BOOL, "true", 0, 0, NULL,
	    O(skip_authenticated), true,
	    "do not evaluate mail from SASL-authenticated clients"},
	{"received_spf", PT_BOOL, "true", 0, 0, NULL, O(received_spf), true,
	    "add a Received-SPF header for the MAIL FROM identity"},
	{"on_dns_error", PT_ENUM, "tempfail", 0, 0, onerr_choices,
	    O(on_dns_error), true,
	    "verdict when a temporary DNS failure leaves DMARC undecided"},
	{"on_error", PT_ENUM, "tempfail", 0, 0, onerr_choices, O(on_error),
	    true, "verdict on internal errors (out of memory, library)"},
	{"on_bad_from", PT_ENUM, "reject", 0, 0, badfrom_choices,
	    O(on_bad_from), true,
	    "verdict without exactly one From: with one author domain"},
	{"dns.nameservers", PT_STR, "", 0, 0, NULL, O(dns_nameservers), false,
	    "resolvers, \"ADDR[@PORT] ...\"; empty: /etc/resolv.conf"},
	{"dns.timeout", PT_INT, "5000", 100, 60000, NULL, O(dns_timeout),
	    false, "milliseconds to wait for one DNS answer"},
	{"spf.timeout", PT_INT, "20000", 0, 300000, NULL, O(spf_timeout),
	    true, "milliseconds one SPF check may take in all; 0: no limit"},
	{"dkim.max_signatures", PT_INT, "10", 1, 50, NULL,
	    O(dkim_max_signatures), true,
	    "DKIM signatures verified per message; the rest are ignored"},
	{"dkim.min_key_bits", PT_INT, "1024", 1024, 16384, NULL,
	    O(dkim_min_key_bits), true,
	    "shorter RSA keys never give dkim=pass"},
	{"dmarc.org_domain", PT_ENUM, "treewalk", 0, 0, orgdom_choices,
	    O(dmarc_org_domain), true,
	    "organizational domains: treewalk (RFC 9989) or psl (the list)"},
	{"dmarc.max_queries", PT_INT, "20", 8, 100, NULL,
	    O(dmarc_max_queries), true,
	    "_dmarc lookups per author domain, after the cache"},
	{"dmarc.public_suffix_list", PT_STR,
	    "/usr/share/publicsuffix/public_suffix_list.dat", 0, 0, NULL,
	    O(dmarc_public_suffix_list), true,
	    "public suffix list: required with org_domain = psl"},
	{"dmarc.reject_action", PT_ENUM, "reject", 0, 0, rejact_choices,
	    O(dmarc_reject_action), true,
	    "DMARC fail under p=reject: reject, quarantine or tag"},
	{"dmarc.quarantine_action", PT_ENUM, "quarantine", 0, 0,
	    quaract_choices, O(dmarc_quarantine_action), true,
	    "DMARC fail under p=quarantine: quarantine or tag"},
	/* DMARC reporting (report/) */
	{"report.store", PT_STR, "", 0, 0, NULL, O(report_store), false,
	    "rows for DMARC reports: sqlite:PATH or postgresql://...; "
	    "empty: none"},
	{"report.queue_size", PT_INT, "2000", 10, 1000000, NULL,
	    O(report_queue_size), false,
	    "rows waiting for the store; more are dropped and counted"},
	{"report.host", PT_STR, "", 0, 0, NULL, O(report_host), true,
	    "our name in reports; empty: authserv_id, else the host name"},
	{"report.org_name", PT_STR, "", 0, 0, NULL, O(report_org_name), true,
	    "org_name of aggregate reports; empty: report.host"},
	{"report.email", PT_STR, "", 0, 0, NULL, O(report_email), true,
	    "contact address in reports, and their From: by default"},
	{"report.from", PT_STR, "", 0, 0, NULL, O(report_from), true,
	    "From: of report messages; empty: report.email"},
	{"report.envelope_from", PT_STR, "", 0, 0, NULL,
	    O(report_envelope_from), true,
	    "envelope sender of report messages (-f); empty: the command's"},
	{"report.send_command", PT_STR, "/usr/sbin/sendmail -i -t", 0, 0,
	    NULL, O(report_send_command), true,
	    "command that submits a report message read on its input"},
	{"report.keep_days", PT_INT, "30", 1, 3650, NULL,
	    O(report_keep_days), true,
	    "rows and sent-report records older than this are purged"},
	{"report.exclude_domains", PT_STR, "", 0, 0, NULL,
	    O(report_exclude_domains), true,
	    "domains never reported on or to (\".sub\" covers subdomains)"},
	{"report.failure", PT_BOOL, "false", 0, 0, NULL, O(report_failure),
	    false, "send RFC 9991 failure reports to ruf= destinations"},
	{"report.failure_rate", PT_INT, "10", 0, 10000, NULL,
	    O(report_failure_rate), true,
	    "failure reports per destination and hour, at most"},
	{"report.failure_redact", PT_BOOL, "true", 0, 0, NULL,
	    O(report_failure_redact), true,
	    "replace the local parts of addresses in failure reports"},
	/* metrics and JSON logs (issue 12, operations) */
	{"metrics.listen", PT_STR, "", 0, 0, NULL, O(metrics_listen), false,
	    "serve Prometheus /metrics on ADDR:PORT or [ADDR]:PORT; empty: off"},
	{"log.format", PT_ENUM, "text", 0, 0, logfmt_choices, O(log_format),
	    true, "per-message summary line: text (key=value) or json"},
	/* local policy (issue 7); the rules are the "policy" section */
	{"spf.reject_fail_without_dmarc", PT_BOOL, "true", 0, 0, NULL,
	    O(spf_reject_fail_without_dmarc), true,
	    "SPF fail of a domain without DMARC policy: reject 550 5.7.23"},
	{"tag.header", PT_STR, "X-Authmilter-Verdict", 0, 0, NULL,
	    O(tag_header), true,
	    "header the tag verdict adds; incoming copies are removed"},
	{"tag.subject_prefix", PT_STR, "", 0, 0, NULL,
	    O(tag_subject_prefix), true,
	    "prefix the tag verdict puts on the Subject; empty: none"},
	/* client reputation (issue 7): iprev, DNSBL/DNSWL */
	{"iprev", PT_BOOL, "true", 0, 0, NULL, O(iprev), true,
	    "forward-confirmed reverse DNS of each client (RFC 8601 3)"},
	{"dnsbl", PT_DNSBL, "()", 0, 0, NULL, O(dnsbl), true,
	    "DNSBL/DNSWL zones asked about each client at connect (RFC 5782)"},
	/* hardening (issue 14): DNS budget, milter I/O, header bytes */
	{"dns.message_budget", PT_INT, "15000", 0, 300000, NULL,
	    O(dns_message_budget), true,
	    "milliseconds all DNS waits of one message may take; 0: no limit"},
	{"milter.timeout", PT_INT, "300", 1, 7210, NULL, O(milter_timeout),
	    false, "seconds to wait for the MTA on a connection, then drop it"},
	{"milter.max_connections", PT_INT, "1024", 1, 65536, NULL,
	    O(milter_max_connections), true,
	    "connections served at once; more are tempfailed at connect"},
	{"milter.thread_stack", PT_INT, "256", 128, 8192, NULL,
	    O(milter_thread_stack), false,
	    "KiB of stack for each connection's thread"},
	{"on_bad_header_bytes", PT_ENUM, "reject", 0, 0, hdrbytes_choices,
	    O(on_bad_header_bytes), true,
	    "header field with a bare CR, bare LF or NUL: reject or tag"},
	/* operations (issue 12): the unix socket's permissions */
	{"socket_mode", PT_STR, "0660", 0, 0, NULL, O(socket_mode), false,
	    "permissions of a unix socket, octal (a string: \"0660\")"},
	{"socket_group", PT_STR, "", 0, 0, NULL, O(socket_group), false,
	    "group of a unix socket (e.g. postfix); empty: the user's group"},
	/* DKIM signing of outbound mail (issue 10) */
	{"sign.key_table", PT_STR, "", 0, 0, NULL, O(sign_key_table), true,
	    "KeyTable file: NAME DOMAIN:SELECTOR:KEYFILE; empty: no signing"},
	{"sign.signing_table", PT_STR, "", 0, 0, NULL,
	    O(sign_signing_table), true,
	    "SigningTable file: PATTERN KEYNAME...; empty: the From: domain"},
	{"sign.on_error", PT_ENUM, "tempfail", 0, 0, signerr_choices,
	    O(sign_on_error), true,
	    "a message that cannot be signed: tempfail or send unsigned"},
	{"sign.expire", PT_INT, "0", 0, 315360000, NULL, O(sign_expire),
	    true, "seconds from t= to x= in our signatures; 0: no x="},
	{"sign.require_safe_keys", PT_BOOL, "true", 0, 0, NULL,
	    O(sign_require_safe_keys), true,
	    "refuse key files other users may read or write"},
	/* ARC (issue 9, RFC 8617) */
	{"arc.trusted_sealers", PT_STR, "", 0, 0, NULL,
	    O(arc_trusted_sealers), true,
	    "sealers whose ARC results may override a DMARC fail: domains, "
	    "or file:PATH"},
	/* ARC sealing (issue 9 "Seal"): off while arc.seal_key is empty */
	{"arc.seal_domain", PT_STR, "", 0, 0, NULL, O(arc_seal_domain), true,
	    "d= of the ARC sets we add (with arc.seal_key)"},
	{"arc.seal_selector", PT_STR, "", 0, 0, NULL, O(arc_seal_selector),
	    true, "s= of the ARC sets we add (with arc.seal_key)"},
	{"arc.seal_key", PT_STR, "", 0, 0, NULL, O(arc_seal_key), true,
	    "private key file (PEM RSA or Ed25519) to seal with; empty: "
	    "no sealing"},
};

const size_t conf_nparams = sizeof(conf_params) / sizeof(conf_params[0]);
