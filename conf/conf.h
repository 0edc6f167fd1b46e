/*
 * NAME
 *	conf - the configuration: one immutable struct per load
 * SYNOPSIS
 *	#include "conf/conf.h"
 *
 *	int conf_load(const char *path, struct conf **cf_r, struct buf *why);
 *	void conf_free(struct conf **cfp);
 *	void conf_dump(const struct conf *cf, FILE *fp);
 *	void conf_dump_str(const char *s, FILE *fp);
 *	int conf_is_trusted(const struct conf *cf, const struct addr *a);
 *	const char *conf_enum_str(const char *key, int value);
 *	int conf_socket_mode(const struct conf *cf);
 *	bool conf_envelope_ok(const char *s);
 *	int conf_key_same(const struct conf *a, const struct conf *b,
 *	    const struct param *p);
 *	int conf_key_keep(struct conf *dst, const struct conf *src,
 *	    const struct param *p, struct buf *why);
 *	int conf_dnsbl_set(struct dnsbl_list *l, void *setting,
 *	    unsigned *line_r, struct buf *why);
 *	void conf_dnsbl_dump(const struct dnsbl_list *l, FILE *fp);
 *	void conf_dnsbl_free(struct dnsbl_list *l);
 * DESCRIPTION
 *	conf_load() reads a libconfig file, applies the defaults of the
 *	params table (params.c: the only list of keys), checks every value
 *	against its type and bounds, and refuses unknown keys. On error it
 *	returns AM_PERM with "file:line: reason" in why and stores nothing.
 *	A NULL path loads the defaults alone.
 *
 *	conf_socket_mode() is socket_mode as a number (checked by
 *	conf_load: octal, at most 0777).
 *
 *	conf_envelope_ok() says whether s can be the report command's -f
 *	argument as it is (report/dest.c): empty, or letters, digits and
 *	". @ _ + - =" only, not starting with "-". conf_load() refuses a
 *	report.envelope_from it does not take, with file:line.
 *
 *	conf_key_same() compares one key of two confs; conf_key_keep()
 *	copies one key's value (reload keeps the running value of a key
 *	that needs a restart, so the next reload compares against it).
 *
 *	conf_dump() prints every key with its effective value, in the
 *	table's order and in libconfig syntax (for -n); conf_dump_str()
 *	writes one string as a libconfig literal, escaped (also for the
 *	policy section's dump).
 * THREADS
 *	A loaded conf is never changed; reload builds a new one (snap.c).
 * SEE ALSO
 *	authmilter.conf(5)
 */
#ifndef AM_CONF_H
#define AM_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "util/addr.h"
#include "util/buf.h"

/* values of the enum-typed keys; order matches params.c choices */
enum conf_mode { CONF_MODE_ENFORCE, CONF_MODE_MONITOR };
enum conf_onerr { CONF_ONERR_TEMPFAIL, CONF_ONERR_ACCEPT };
enum conf_badfrom { CONF_BADFROM_REJECT, CONF_BADFROM_ACCEPT };
enum conf_rejact {
	CONF_REJACT_REJECT, CONF_REJACT_QUARANTINE, CONF_REJACT_TAG
};
enum conf_quaract { CONF_QUARACT_QUARANTINE, CONF_QUARACT_TAG };
enum conf_orgdom { CONF_ORGDOM_TREEWALK, CONF_ORGDOM_PSL };
enum conf_logfmt { CONF_LOGFMT_TEXT, CONF_LOGFMT_JSON };
enum conf_hdrbytes { CONF_HDRBYTES_REJECT, CONF_HDRBYTES_TAG };
enum conf_signerr { CONF_SIGNERR_TEMPFAIL, CONF_SIGNERR_UNSIGNED };

struct cidr_list {
	struct cidr *v;
	size_t	 n;
};

/* the policy section as written (conf/policyconf.c); policy/rules.c
 * compiles it */
struct conf_rule_item {
	char	*key;
	char	**v;			/* n strings */
	size_t	 n;
	bool	 list;			/* written as a list */
	int	 line;
};

struct conf_rule {
	int	 line;
	struct conf_rule_item *items;
	size_t	 nitems;
};

struct conf_rule_list {
	struct conf_rule *v;
	size_t	 n;
};

/* dnsbl: one configured DNSBL/DNSWL zone (conf/dnsbl.c) */
struct dnsbl_zone_conf {
	char	*zone;			/* no trailing dot */
	bool	 allow;			/* a DNSWL */
	struct addr_range *codes;	/* answers that count; none: 127/8 */
	size_t	 ncodes;
};

struct dnsbl_list {
	struct dnsbl_zone_conf *v;
	size_t	 n;
};

struct conf {
	char	*path;			/* NULL: defaults only */
	char	*socket;
	char	*user;
	char	*pidfile;
	char	*syslog_facility;
	bool	 debug;
	char	*authserv_id;		/* "" = MTA's {j} */
	int	 mode;			/* enum conf_mode */
	struct cidr_list trusted_networks;
	bool	 skip_authenticated;
	bool	 received_spf;
	int	 on_dns_error;		/* enum conf_onerr */
	int	 on_error;		/* enum conf_onerr */
	int	 on_bad_from;		/* enum conf_badfrom */
	char	*dns_nameservers;
	int	 dns_timeout;		/* milliseconds */
	int	 spf_timeout;		/* milliseconds per check, 0: none */
	int	 dkim_max_signatures;
	int	 dkim_min_key_bits;
	int	 dmarc_org_domain;	/* enum conf_orgdom */
	int	 dmarc_max_queries;
	char	*dmarc_public_suffix_list;
	int	 dmarc_reject_action;	/* enum conf_rejact */
	int	 dmarc_quarantine_action;	/* enum conf_quaract */
	/* DMARC reporting */
	char	*report_store;
	int	 report_queue_size;
	char	*report_host;
	char	*report_org_name;
	char	*report_email;
	char	*report_from;
	char	*report_envelope_from;
	char	*report_send_command;
	int	 report_keep_days;
	char	*report_exclude_domains;
	bool	 report_failure;
	int	 report_failure_rate;
	bool	 report_failure_redact;
	/* metrics and JSON logs (issue 12) */
	char	*metrics_listen;	/* "" = off; ADDR:PORT, [V6]:PORT */
	int	 log_format;		/* enum conf_logfmt */
	/* local policy (issue 7) */
	struct conf_rule_list policy;	/* the "policy" section */
	bool	 spf_reject_fail_without_dmarc;
	char	*tag_header;		/* header of the tag verdict */
	char	*tag_subject_prefix;	/* "": Subject unchanged */
	/* client reputation (issue 7): iprev, DNSBL/DNSWL */
	bool	 iprev;
	struct dnsbl_list dnsbl;
	/* hardening (issue 14) */
	int	 dns_message_budget;	/* milliseconds, 0: none */
	int	 milter_timeout;	/* seconds */
	int	 milter_max_connections;
	int	 milter_thread_stack;	/* KiB */
	int	 on_bad_header_bytes;	/* enum conf_hdrbytes */
	/* operations (issue 12) */
	char	*socket_mode;		/* octal text, checked: "0660" */
	char	*socket_group;		/* "": the user's group */
	/* DKIM signing (issue 10) */
	char	*sign_key_table;	/* "": no signing */
	char	*sign_signing_table;	/* "": the From: domain's keys */
	int	 sign_on_error;		/* enum conf_signerr */
	int	 sign_expire;		/* seconds, 0: no x= */
	bool	 sign_require_safe_keys;
	/* ARC (issue 9) */
	char	*arc_trusted_sealers;	/* domains, or "file:PATH"; "" none */
	/* ARC sealing (issue 9 "Seal") */
	char	*arc_seal_domain;	/* d= of our sets */
	char	*arc_seal_selector;	/* s= of our sets */
	char	*arc_seal_key;		/* key file; "": no sealing */
};

/* one key of the params table */
enum param_type { PT_STR, PT_BOOL, PT_INT, PT_ENUM, PT_CIDRS, PT_DNSBL };

struct param {
	const char *key;		/* dotted path, e.g. "dns.timeout" */
	enum param_type type;
	const char *def;		/* default, as the man page shows it */
	long	 min, max;		/* PT_INT bounds */
	const char *const *choices;	/* PT_ENUM, NULL-terminated */
	size_t	 off;			/* offsetof(struct conf, field) */
	bool	 reload;		/* takes effect on SIGUSR1 reload */
	const char *doc;		/* one line */
};

extern const struct param conf_params[];
extern const size_t conf_nparams;

int	conf_load(const char *path, struct conf **cf_r, struct buf *why);
void	conf_free(struct conf **cfp);
void	conf_dump(const struct conf *cf, FILE *fp);
void	conf_dump_str(const char *s, FILE *fp);
int	conf_is_trusted(const struct conf *cf, const struct addr *a);
const char *conf_enum_str(const char *key, int value);
int	conf_socket_mode(const struct conf *cf);
bool	conf_envelope_ok(const char *s);
int	conf_key_same(const struct conf *a, const struct conf *b,
	    const struct param *p);
int	conf_key_keep(struct conf *dst, const struct conf *src,
	    const struct param *p, struct buf *why);

/* conf/dnsbl.c: the dnsbl list (libconfig setting passed as void *) */
int	conf_dnsbl_set(struct dnsbl_list *l, void *setting, unsigned *line_r,
	    struct buf *why);
void	conf_dnsbl_free(struct dnsbl_list *l);
void	conf_dnsbl_dump(const struct dnsbl_list *l, FILE *fp);

#endif
