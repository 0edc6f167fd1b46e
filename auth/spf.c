/*
 * NAME
 *	spf - SPF check_host() for the HELO and MAIL FROM identities
 * SYNOPSIS
 *	#include "auth/spf.h"
 * DESCRIPTION
 *	See spf.h. libspf2 compiles and interprets the record; every DNS
 *	lookup and every record fetch it makes goes through the layer of
 *	spfdns(3) to dns_query(), so SPF shares the resolver, cache and
 *	timeout with DKIM and DMARC. That layer also checks each record
 *	against the RFC 7208 grammar (spfrec(3)) before libspf2 compiles
 *	it and enforces the limits of 4.6.4 and the time budget; when it
 *	ends an evaluation, its result (permerror or temperror) replaces
 *	libspf2's.
 *
 *	We run check_host() ourselves (SPF_server_get_record() and
 *	SPF_record_interpret()) rather than SPF_request_query_mailfrom(),
 *	which passes any loopback client without looking at the record:
 *	a result must describe the record, and the test harness sends
 *	from 127.0.0.1. A client given as ::ffff:a.b.c.d is checked as
 *	IPv4.
 *
 *	A domain is checked only if it is made of letters, digits, "-",
 *	"_", "." or 8-bit bytes, with two labels or more of at most 63
 *	bytes, and is not an address (4.3: otherwise none); only such a
 *	domain is stored in the result. The identity is stored with
 *	control bytes as '?'. Reasons are our own short words; libspf2's
 *	texts and explanations (exp=, which may carry peer data) are
 *	never fetched or copied: its default explanation is set to "-".
 * DIAGNOSTICS
 *	libspf2's warning, info and debug output goes to log_debug; its
 *	error handler must not return, so it logs and aborts (am_panic):
 *	libspf2 calls it only on broken invariants and failed start-up.
 * THREADS
 *	One struct spf serves all threads; spf_set_timeout() is for set-up
 *	only. Each check builds its own SPF_server_t and DNS layer (a few
 *	microseconds), because the layer keeps the per-check counts and
 *	libspf2 hands a lookup nothing but the layer. The layer's destroy
 *	is NULL: libspf2 1.2.10 does not free a layer given to
 *	SPF_server_new_dns(), spfdns_free() does. libspf2's log hooks are
 *	set once (pthread_once).
 * SEE ALSO
 *	RFC 7208 2.3, 2.4, 3.1, 4.3, 4.4, 4.6.4, 5; spfdns(3), spfrec(3)
 */
#include <sys/types.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <spf2/spf.h>

#include "util/am.h"
#include "util/addr.h"
#include "util/buf.h"
#include "util/limits.h"
#include "util/log.h"
#include "dns/dns.h"
#include "auth/result.h"
#include "auth/spfdns.h"
#include "auth/spf.h"

#define SPF_BUDGET_MS	20000		/* RFC 7208 4.6.4: at least 20 s */

struct spf {
	struct dns	*dns;		/* borrowed */
	int		 budget_ms;
	char		 receiver[LIM_DOMAIN];
};

static pthread_once_t spf_once = PTHREAD_ONCE_INIT;

/* spf_log_msg - libspf2 warning, info and debug lines, escaped */
static void
spf_log_msg(const char *file, int line, const char *msg)
{
	char	 esc[512];

	if (msg == NULL)
		return;
	log_debug("spf: libspf2: %s",
	    log_escape(esc, sizeof(esc), msg, strlen(msg)));
}

/* spf_log_error - libspf2's fatal handler: it must not return */
static __attribute__((noreturn)) void
spf_log_error(const char *file, int line, const char *msg)
{
	char	 esc[512];

	am_panic("spf: libspf2 %s:%d: %s", file != NULL ? file : "?", line,
	    log_escape(esc, sizeof(esc), msg != NULL ? msg : "", msg != NULL ?
	    strlen(msg) : 0));
}

/* spf_log_init - route libspf2's output to our log, once */
static void
spf_log_init(void)
{
	SPF_error_handler = spf_log_error;
	SPF_warning_handler = spf_log_msg;
	SPF_info_handler = spf_log_msg;
	SPF_debug_handler = spf_log_msg;
}

/* spf_server_new - a libspf2 server whose DNS is run's, for one check */
static SPF_server_t *
spf_server_new(const struct spf *sp, struct spf_run *run)
{
	SPF_server_t *server;
	SPF_response_t *resp = NULL;
	SPF_errcode_t err;

	if ((server = SPF_server_new_dns(spfdns_layer(run), 0)) == NULL)
		return (NULL);
	err = SPF_server_set_rec_dom(server, sp->receiver);
	if (err == SPF_E_SUCCESS)	/* no macros: nothing of the peer's */
		err = SPF_server_set_explanation(server, "-", &resp);
	if (resp != NULL)
		SPF_response_free(resp);
	if (err != SPF_E_SUCCESS) {
		SPF_server_free(server);
		return (NULL);
	}
	return (server);
}

/* spf_new - SPF checks over dns, receiver naming us in macros */
struct spf *
spf_new(struct dns *dns, const char *receiver, struct buf *why)
{
	struct spf *sp;

	if (dns == NULL) {
		buf_why(why, AM_PERM, "spf: no resolver");
		return (NULL);
	}
	if ((sp = calloc(1, sizeof(*sp))) == NULL) {
		buf_why(why, AM_TEMP, "spf: out of memory");
		return (NULL);
	}
	sp->dns = dns;
	sp->budget_ms = SPF_BUDGET_MS;
	if (receiver == NULL || *receiver == '\0') {
		if (gethostname(sp->receiver, sizeof(sp->receiver) - 1) != 0)
			snprintf(sp->receiver, sizeof(sp->receiver), "%s",
			    "localhost");
	} else if ((size_t)snprintf(sp->receiver, sizeof(sp->receiver), "%s",
	    receiver) >= sizeof(sp->receiver)) {
		buf_why(why, AM_PERM, "spf: receiver name too long");
		free(sp);
		return (NULL);
	}
	pthread_once(&spf_once, spf_log_init);
	return (sp);
}

/* spf_set_timeout - the time budget of one check, ms; <= 0: none */
void
spf_set_timeout(struct spf *sp, int budget_ms)
{
	sp->budget_ms = budget_ms;
}

/* spf_free - release and clear the caller's pointer */
void
spf_free(struct spf **sp)
{
	if (sp == NULL || *sp == NULL)
		return;
	free(*sp);
	*sp = NULL;
}

/* spf_err_reason - our words for a permerror cause */
static const char *
spf_err_reason(SPF_errcode_t err)
{
	switch (err) {
	case SPF_E_MULTIPLE_RECORDS:
		return ("more than one SPF record");
	case SPF_E_BIG_DNS:
		return ("too many DNS lookups");
	case SPF_E_RECURSIVE:
		return ("include or redirect loop");
	case SPF_E_NOT_SPF:
	case SPF_E_INCLUDE_RETURNED_NONE:
		return ("include or redirect target has no usable record");
	case SPF_E_UNKNOWN_MECH:
		return ("unknown mechanism in SPF record");
	case SPF_E_INVALID_IP4:
	case SPF_E_INVALID_IP6:
	case SPF_E_INVALID_CIDR:
		return ("bad address or prefix in SPF record");
	case SPF_E_NOT_CONFIG:
		return ("check not configured");
	default:
		return ("syntax error in SPF record");
	}
}

/* spf_invalid - classify libspf2's "no result": none, temp or perm */
static enum spf_res
spf_invalid(SPF_response_t *resp, SPF_errcode_t err, const char **why_r)
{
	SPF_error_t *e;
	int	 i;

	for (i = 0; i < SPF_response_messages(resp); i++) {
		e = SPF_response_message(resp, i);
		if (e == NULL || !SPF_error_errorp(e))
			continue;
		if (SPF_error_code(e) == SPF_E_DNS_ERROR)
			err = SPF_E_DNS_ERROR;
		else if (SPF_error_code(e) != SPF_E_NOT_SPF &&
		    err != SPF_E_DNS_ERROR)
			err = SPF_error_code(e);
	}
	if (err == SPF_E_DNS_ERROR) {
		*why_r = "DNS error looking up the SPF record";
		return (SPF_RES_TEMPERROR);
	}
	if (err == SPF_E_NOT_SPF || err == SPF_E_SUCCESS) {
		*why_r = "no SPF record";
		return (SPF_RES_NONE);
	}
	*why_r = spf_err_reason(err);
	return (SPF_RES_PERMERROR);
}

/* spf_map - libspf2's answer to our result and reason */
static void
spf_map(SPF_response_t *resp, SPF_errcode_t err, const struct spf_run *run,
    struct spf_result *res)
{
	const char *why = "";

	switch (SPF_response_result(resp)) {
	case SPF_RESULT_PASS:
		res->result = SPF_RES_PASS;
		why = "client is permitted";
		break;
	case SPF_RESULT_FAIL:
		res->result = SPF_RES_FAIL;
		why = "client is not permitted";
		break;
	case SPF_RESULT_SOFTFAIL:
		res->result = SPF_RES_SOFTFAIL;
		why = "client is probably not permitted";
		break;
	case SPF_RESULT_NEUTRAL:
		res->result = SPF_RES_NEUTRAL;
		why = SPF_response_reason(resp) == SPF_REASON_DEFAULT ?
		    "no mechanism matched" : "neutral by the record";
		break;
	case SPF_RESULT_NONE:
		res->result = SPF_RES_NONE;
		why = "no SPF record";
		break;
	case SPF_RESULT_TEMPERROR:
		res->result = SPF_RES_TEMPERROR;
		why = "DNS error during evaluation";
		break;
	case SPF_RESULT_PERMERROR:
		res->result = SPF_RES_PERMERROR;
		why = spf_err_reason(SPF_response_errcode(resp));
		break;
	default:
		res->result = spf_invalid(resp, err, &why);
		break;
	}
	spfdns_stopped(run, &res->result, &why);
	snprintf(res->reason, sizeof(res->reason), "%s", why);
}

/* spf_request - a request for client and sender, HELO if any */
static SPF_request_t *
spf_request(SPF_server_t *server, const struct addr *client,
    const char *helo, const char *sender)
{
	SPF_request_t *req;
	struct in6_addr in6;
	struct in_addr in4;

	if ((req = SPF_request_new(server)) == NULL)
		return (NULL);
	if (client->family == AF_INET) {
		memcpy(&in4, client->bytes, sizeof(in4));
		SPF_request_set_ipv4(req, in4);
	} else {
		memcpy(&in6, client->bytes, sizeof(in6));
		SPF_request_set_ipv6(req, in6);
	}
	if (SPF_request_set_env_from(req, sender) != SPF_E_SUCCESS ||
	    (helo != NULL && *helo != '\0' &&
	    SPF_request_set_helo_dom(req, helo) != SPF_E_SUCCESS)) {
		SPF_request_free(req);
		return (NULL);
	}
	return (req);
}

/* spf_interpret - check_host() without libspf2's loopback shortcut */
static SPF_errcode_t
spf_interpret(SPF_server_t *server, SPF_request_t *req, SPF_response_t *resp)
{
	SPF_record_t *rec = NULL;
	SPF_errcode_t err;

	req->use_helo = 0;
	req->cur_dom = req->env_from_dp;
	err = SPF_server_get_record(server, req, resp, &rec);
	if (err != SPF_E_SUCCESS) {
		if (rec != NULL)
			SPF_record_free(rec);
		return (err);
	}
	resp->spf_record_exp = rec;
	err = SPF_record_interpret(rec, req, resp, 0);
	resp->spf_record_exp = NULL;
	SPF_record_free(rec);
	return (err);
}

/* spf_unmap - the client as libspf2 must see it: ::ffff:a.b.c.d is
 * IPv4 (RFC 7208 5: a mapped client is checked as IPv4) */
static void
spf_unmap(const struct addr *client, struct addr *ip)
{
	static const uint8_t mapped[12] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
	};

	*ip = *client;
	if (ip->family == AF_INET6 && memcmp(ip->bytes, mapped, 12) == 0) {
		memmove(ip->bytes, ip->bytes + 12, 4);
		memset(ip->bytes + 4, 0, 12);
		ip->family = AF_INET;
	}
}

/* spf_eval - run check_host() for sender (local@domain) */
static int
spf_eval(struct spf *sp, const struct addr *client, const char *helo,
    const char *sender, struct spf_result *res, struct buf *why)
{
	SPF_server_t *server;
	SPF_request_t *req = NULL;
	SPF_response_t *resp = NULL;
	SPF_errcode_t err;
	struct spf_run *run;
	struct addr ip;
	int	 st = AM_TEMP;

	if (client->family != AF_INET && client->family != AF_INET6)
		return (buf_why(why, AM_PERM, "spf: no client address"));
	spf_unmap(client, &ip);
	if ((run = spfdns_new(sp->dns, &ip, sp->budget_ms)) == NULL)
		return (buf_why(why, AM_TEMP, "spf: out of memory"));
	if ((server = spf_server_new(sp, run)) == NULL)
		goto out;
	if ((req = spf_request(server, &ip, helo, sender)) == NULL ||
	    (resp = SPF_response_new(req)) == NULL)
		goto out;
	err = spf_interpret(server, req, resp);
	if (err == SPF_E_NO_MEMORY)
		goto out;
	spf_map(resp, err, run, res);
	res->checked = true;
	st = AM_OK;
out:
	if (resp != NULL)
		SPF_response_free(resp);
	if (req != NULL)
		SPF_request_free(req);
	if (server != NULL)
		SPF_server_free(server);
	spfdns_free(&run);
	if (st != AM_OK)
		return (buf_why(why, st, "spf: out of memory in libspf2"));
	return (st);
}

/* spf_dom_bytes - at most 253 bytes (and a final dot) of letters,
 * digits, ".", "-", "_" or 8-bit (U-labels): safe to report */
static int
spf_dom_bytes(const char *dom)
{
	size_t	 i, n = strlen(dom);
	unsigned char c;

	if (n > 0 && dom[n - 1] == '.')
		n--;
	if (n == 0 || n > 253)
		return (0);
	for (i = 0; i < n; i++) {
		c = (unsigned char)dom[i];
		if (!isalnum(c) && c != '.' && c != '-' && c != '_' && c < 0x80)
			return (0);
	}
	return (1);
}

/* spf_plausible - a domain worth a check_host() (RFC 7208 4.3): safe
 * bytes, two labels or more of 1 to 63 bytes; not an address */
static int
spf_plausible(const char *dom)
{
	struct addr a;
	size_t	 i, n, label = 0, labels = 0;

	if (!spf_dom_bytes(dom) || addr_parse(dom, &a) == AM_OK)
		return (0);
	n = strlen(dom);
	if (dom[n - 1] == '.')
		n--;
	for (i = 0; i <= n; i++) {
		if (i < n && dom[i] != '.')
			label++;
		else if (label == 0 || label > 63)
			return (0);
		else {
			labels++;
			label = 0;
		}
	}
	return (labels >= 2);
}

/* spf_identity - the identity as received, control bytes as '?' */
static void
spf_identity(struct spf_result *res, const char *s)
{
	size_t	 i;

	snprintf(res->identity, sizeof(res->identity), "%s", s);
	for (i = 0; res->identity[i] != '\0'; i++)
		if ((unsigned char)res->identity[i] < 0x20 ||
		    res->identity[i] == 0x7f)
			res->identity[i] = '?';
}

/* spf_skip - a result that was not evaluated */
static int
spf_skip(struct spf_result *res, bool checked, const char *why)
{
	res->result = SPF_RES_NONE;
	res->checked = checked;
	snprintf(res->reason, sizeof(res->reason), "%s", why);
	return (AM_OK);
}

/* spf_check_helo - check_host() for the HELO identity (RFC 7208 2.3) */
int
spf_check_helo(struct spf *sp, const struct addr *client, const char *helo,
    struct spf_result *res_r, struct buf *why)
{
	char	 sender[LIM_ADDRESS];

	memset(res_r, 0, sizeof(*res_r));
	if (helo == NULL || *helo == '\0')
		return (spf_skip(res_r, false, "no HELO name"));
	spf_identity(res_r, helo);
	if (!spf_plausible(helo))
		return (spf_skip(res_r, false, "HELO name is not a domain"));
	snprintf(res_r->domain, sizeof(res_r->domain), "%s", helo);
	snprintf(sender, sizeof(sender), "postmaster@%s", helo);
	return (spf_eval(sp, client, helo, sender, res_r, why));
}

/* spf_unbracket - MAIL FROM without <>, into buf; -1 if too long */
static int
spf_unbracket(const char *mailfrom, char *out, size_t outlen)
{
	size_t	 n;

	if (mailfrom == NULL)
		mailfrom = "";
	n = strlen(mailfrom);
	if (n >= 2 && mailfrom[0] == '<' && mailfrom[n - 1] == '>') {
		mailfrom++;
		n -= 2;
	}
	if (n >= outlen) {
		snprintf(out, outlen, "%.*s", (int)(outlen - 1), mailfrom);
		return (-1);
	}
	memcpy(out, mailfrom, n);
	out[n] = '\0';
	return (0);
}

/* spf_prefix - put pre in front of s (RFC 7208 4.3: no local-part) */
static int
spf_prefix(char *s, size_t len, const char *pre)
{
	size_t	 n = strlen(s), p = strlen(pre);

	if (n + p >= len)
		return (-1);
	memmove(s + p, s, n + 1);
	memcpy(s, pre, p);
	return (0);
}

/*
 * spf_prefetch - start the SPF record lookups of the HELO name (unless
 * checked already) and of the MAIL FROM domain, read as
 * spf_check_mailfrom() reads it: the answers are cached or on their way
 * when the checks run at end of message
 */
void
spf_prefetch(struct spf *sp, const char *helo, int helo_checked,
    const char *mailfrom)
{
	char	 sender[LIM_ADDRESS];
	const char *at;

	if (!helo_checked && helo != NULL && spf_plausible(helo))
		dns_prefetch(sp->dns, helo, DNS_T_TXT);
	if (mailfrom == NULL || spf_unbracket(mailfrom, sender,
	    sizeof(sender)) != 0 || sender[0] == '\0')
		return;			/* too long, or the null sender */
	if ((at = strrchr(sender, '@')) != NULL && spf_plausible(at + 1))
		dns_prefetch(sp->dns, at + 1, DNS_T_TXT);
}

/* spf_check_mailfrom - check_host() for MAIL FROM (RFC 7208 2.4) */
int
spf_check_mailfrom(struct spf *sp, const struct addr *client,
    const char *helo, const char *mailfrom, struct spf_result *res_r,
    struct buf *why)
{
	char	 sender[LIM_ADDRESS];
	const char *at;

	memset(res_r, 0, sizeof(*res_r));
	if (spf_unbracket(mailfrom, sender, sizeof(sender)) != 0) {
		spf_identity(res_r, sender);
		return (spf_skip(res_r, true, "MAIL FROM too long"));
	}
	if (sender[0] == '\0') {
		if (helo == NULL || !spf_plausible(helo))
			return (spf_skip(res_r, false,
			    "null sender and no usable HELO name"));
		snprintf(sender, sizeof(sender), "postmaster@%s", helo);
	}
	if (sender[0] == '@' && spf_prefix(sender, sizeof(sender),
	    "postmaster") != 0)
		return (spf_skip(res_r, true, "MAIL FROM too long"));
	spf_identity(res_r, sender);
	if ((at = strrchr(sender, '@')) == NULL)
		return (spf_skip(res_r, true, "MAIL FROM has no domain"));
	if (at[1] == '\0')
		return (spf_skip(res_r, true, "MAIL FROM has no domain"));
	if (spf_dom_bytes(at + 1))
		snprintf(res_r->domain, sizeof(res_r->domain), "%s", at + 1);
	if (!spf_plausible(at + 1))
		return (spf_skip(res_r, true, "MAIL FROM domain is unusable"));
	return (spf_eval(sp, client, helo, sender, res_r, why));
}
