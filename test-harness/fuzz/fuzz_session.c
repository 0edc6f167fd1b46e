/*
 * NAME
 *	fuzz_session - libFuzzer target: the whole message path in session.c
 * DESCRIPTION
 *	The input is a message as in fuzz_dkim: header lines (LF or CRLF; a
 *	line starting with a blank continues the field, joined by LF as
 *	Postfix hands it over), an empty line, the body. It goes through
 *	the daemon's own stages, as the milter callbacks drive them without
 *	libmilter: conn_new, conn_helo, msg_begin, msg_header (one call per
 *	field, the value with its leading space as SMFIP_HDR_LEADSPC gives
 *	it; a NUL byte cuts the field there, as libmilter's C strings
 *	would), msg_eoh, msg_body in chunks whose size depends on the input
 *	(only while msg_wants_body()), msg_end: SPF, DKIM, the From: parse,
 *	DMARC, the policy and the header edits, including the removal of
 *	forged Authentication-Results and Received-SPF fields. An input of
 *	odd length is sent twice on the same connection (msg_reset, HELO
 *	checked once).
 *
 *	Configuration: our defaults (conf_load(NULL)) with authserv_id
 *	mx.fuzz.example. The envelope depends on the input's length: client
 *	192.0.2.1 (in fuzz.example's SPF record) or 198.51.100.7 (not),
 *	MAIL FROM <a@fuzz.example>, <> or <b@tmp.fuzz.example> (SERVFAIL).
 *	dns_mock holds the DKIM keys of fuzz_dkim (the seeds of
 *	corpus/fuzz_dkim verify here too), SPF and DMARC p=reject for
 *	fuzz.example, p=none for none.example, SERVFAIL for tmp.fuzz.example.
 *
 *	Invariants after msg_end():
 *	- it returns AM_OK with a verdict in range;
 *	- a message given a delivering verdict (accept, tag, quarantine)
 *	  carries our Authentication-Results, starting with our authserv-id,
 *	  without NUL or bare CR, and the edits delete exactly the incoming
 *	  fields that claim our authserv-id and every incoming copy of the
 *	  tag header, listed in arrival order (applied last first),
 *	  each index within the count of that field; a field whose value
 *	  is " mx.fuzz.example;" + anything is always among them;
 *	- a refused or tempfailed message has no edits;
 *	- never an accept of a DMARC fail (the policy tags, quarantines or
 *	  rejects it), never a DMARC pass without an SPF or DKIM pass, never
 *	  a reject that is not a DMARC reject, a bad From:, an SPF fail
 *	  of a domain without DMARC (spf.reject_fail_without_dmarc) or a
 *	  field with bad bytes (on_bad_header_bytes).
 *	The milter's info line per message would flood the log:
 *	LLVMFuzzerInitialize adds -close_fd_mask=2 unless FUZZ_VERBOSE is
 *	set (libFuzzer keeps its own and the sanitizers' reports).
 * SEE ALSO
 *	milter/session.c, milter/eval.c, fuzz_dkim.c,
 *	test-harness/suites/authmilter/authmilter_suite.c, RFC 8601 5
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "auth/authres.h"
#include "auth/result.h"
#include "conf/conf.h"
#include "dns/dns.h"
#include "milter/session.h"
#include "milter/snap.h"
#include "policy/verdict.h"
#include "util/addr.h"
#include "util/am.h"
#include "util/buf.h"
#include "util/limits.h"
#include "test-harness/fuzz/fuzz.h"
#include "test-harness/fuzz/fuzz_dkim_keys.h"

#define FZ_AUTHSERV	"mx.fuzz.example"
#define FZ_FIELDS	LIM_HEADERS	/* fields we keep track of */

static struct snap *fz_snap;
static struct addr fz_ip[2];

/* what the target expects the edits to delete */
static struct hdr_del fz_want[FZ_FIELDS];
static int fz_nwant;
static int fz_nar, fz_nrspf, fz_ntag, fz_nwarn; /* fields of each name seen */
static bool fz_overflow;		/* more than we track: skip checks */

/* fuzz_args - add -close_fd_mask=2 to libFuzzer's arguments */
static void
fuzz_args(int *argc, char ***argv)
{
	static char mask[] = "-close_fd_mask=2";
	static char *args[256];
	int	 i;

	if (getenv("FUZZ_VERBOSE") != NULL || *argc + 2 > 256)
		return;
	for (i = 0; i < *argc; i++)
		args[i] = (*argv)[i];
	args[i++] = mask;
	args[i] = NULL;
	*argc = i;
	*argv = args;
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct buf *why = buf_new(LIM_REASON);
	struct conf *cf;
	struct dns *d;

	fuzz_args(argc, argv);
	d = dns_mock_new();
	dns_mock_add(d, "rsa._domainkey.fuzz.example", DNS_T_TXT,
	    FUZZ_KEY_RSA);
	dns_mock_add(d, "ed._domainkey.fuzz.example", DNS_T_TXT, FUZZ_KEY_ED);
	dns_mock_fail(d, "tmp._domainkey.fuzz.example", DNS_T_TXT, DNS_TEMP);
	dns_mock_add(d, "fuzz.example", DNS_T_TXT,
	    "v=spf1 ip4:192.0.2.0/24 -all");
	dns_mock_add(d, "mail.fuzz.example", DNS_T_TXT,
	    "v=spf1 ip4:192.0.2.1 -all");
	dns_mock_add(d, "_dmarc.fuzz.example", DNS_T_TXT,
	    "v=DMARC1; p=reject; sp=quarantine");
	dns_mock_add(d, "_dmarc.none.example", DNS_T_TXT, "v=DMARC1; p=none");
	dns_mock_fail(d, "tmp.fuzz.example", DNS_T_TXT, DNS_TEMP);
	dns_mock_fail(d, "_dmarc.tmp.fuzz.example", DNS_T_TXT, DNS_TEMP);
	fz_check(conf_load(NULL, &cf, why) == AM_OK, "conf_load");
	free(cf->authserv_id);
	cf->authserv_id = strdup(FZ_AUTHSERV);
	fz_check(cf->authserv_id != NULL, "strdup");
	fz_check(snap_build(cf, d, &fz_snap, why) == AM_OK, "snap_build");
	fz_check(addr_parse("192.0.2.1", &fz_ip[0]) == AM_OK &&
	    addr_parse("198.51.100.7", &fz_ip[1]) == AM_OK, "addr_parse");
	buf_free(&why);
	return (0);
}

/* want_field - what the edits must do with this field */
static void
want_field(const char *name, const char *value)
{
	const char *field;
	int	 idx;
	bool	 ours;

	if (strcasecmp(name, "Authentication-Results") == 0) {
		field = "Authentication-Results";
		idx = ++fz_nar;
		ours = authres_is_ours(value, strlen(value), FZ_AUTHSERV);
		/* the plainest claim of all must be recognised */
		if (strncmp(value, " " FZ_AUTHSERV ";",
		    sizeof(FZ_AUTHSERV) + 1) == 0)
			fz_check(ours, "plain forged A-R recognised");
	} else if (strcasecmp(name, "Received-SPF") == 0) {
		field = "Received-SPF";
		idx = ++fz_nrspf;
		ours = authres_rspf_is_ours(value, strlen(value), FZ_AUTHSERV);
	} else if (strcasecmp(name, fz_snap->cf->tag_header) == 0) {
		field = fz_snap->cf->tag_header;	/* every copy goes */
		idx = ++fz_ntag;
		ours = true;
	} else if (strcasecmp(name, WARN_HEADER) == 0) {
		field = WARN_HEADER;			/* every copy goes */
		idx = ++fz_nwarn;
		ours = true;
	} else
		return;
	if (!ours)
		return;
	if (fz_nwant == FZ_FIELDS) {
		fz_overflow = true;
		return;
	}
	fz_want[fz_nwant].name = field;
	fz_want[fz_nwant++].idx = idx;
}

/* field_end - hand the field collected so far to the session */
static void
field_end(struct conn *c, struct buf *name, struct buf *val)
{
	if (name->len > 0) {
		want_field(buf_str(name), buf_str(val));
		(void)msg_header(c, buf_str(name), buf_str(val));
	}
	buf_reset(name);
	buf_reset(val);
}

/* feed_header - header lines up to the empty one; returns body offset */
static size_t
feed_header(struct conn *c, const uint8_t *p, size_t n)
{
	struct buf *name = buf_new(LIM_HEADER), *val = buf_new(LIM_HEADER);
	const uint8_t *nl, *colon;
	size_t	 off = 0, len;

	while (off < n) {
		nl = memchr(p + off, '\n', n - off);
		len = (nl != NULL ? (size_t)(nl - p) : n) - off;
		if (len > 0 && p[off + len - 1] == '\r')
			len--;
		if (len == 0) {
			off = nl != NULL ? (size_t)(nl - p) + 1 : n;
			break;
		}
		if ((p[off] == ' ' || p[off] == '\t') && name->len > 0) {
			(void)buf_putc(val, '\n');
			(void)buf_append(val, p + off, len);
		} else if ((colon = memchr(p + off, ':', len)) != NULL) {
			field_end(c, name, val);
			(void)buf_append(name, p + off,
			    (size_t)(colon - p) - off);
			(void)buf_append(val, colon + 1,
			    len - ((size_t)(colon - p) - off) - 1);
		} else
			break;		/* not a field: the body starts */
		off = nl != NULL ? (size_t)(nl - p) + 1 : n;
	}
	field_end(c, name, val);
	buf_free(&name);
	buf_free(&val);
	return (off);
}

/*
 * check_edits - the deletions are exactly the forged fields (ours and
 * incoming copies of the tag header), in arrival order
 */
static void
check_edits(const struct msg *m)
{
	const struct outcome *o = &m->out;
	int	 i, max;

	fz_check(o->ndel == fz_nwant, "every forged field deleted, no other");
	for (i = 0; i < o->ndel; i++) {
		fz_check(strcasecmp(o->del[i].name, fz_want[i].name) == 0,
		    "deletion names the forged field");
		fz_check(o->del[i].idx == fz_want[i].idx,
		    "deletion index is the forged field's");
		max = strcmp(o->del[i].name, "Received-SPF") == 0 ? fz_nrspf :
		    strcmp(o->del[i].name, "Authentication-Results") == 0 ?
		    fz_nar : strcmp(o->del[i].name, WARN_HEADER) == 0 ?
		    fz_nwarn : fz_ntag;
		fz_check(o->del[i].idx >= 1 && o->del[i].idx <= max,
		    "deletion index within the field count");
	}
}

/* check_outcome - what msg_end() may conclude */
static void
check_outcome(const struct conn *c)
{
	const struct msg *m = c->msg;
	const struct auth_results *r = &m->res;
	const struct outcome *o = &m->out;
	bool	 spf_pass = r->mailfrom.result == SPF_RES_PASS, dkim_pass = false;
	int	 i;

	fz_check(o->d.verdict >= VERDICT_ACCEPT &&
	    o->d.verdict <= VERDICT_REJECT, "verdict in range");
	if (o->d.verdict == VERDICT_REJECT || o->d.verdict == VERDICT_TEMPFAIL) {
		fz_check(o->ndel == 0, "no edits on a refusal");
	} else if (!m->failed) {
		fz_check(o->authres->len > strlen(FZ_AUTHSERV) &&
		    strncmp(o->authres->data, FZ_AUTHSERV,
		    strlen(FZ_AUTHSERV)) == 0, "our A-R names us");
		fz_check(memchr(o->authres->data, '\0', o->authres->len) ==
		    NULL, "no NUL in our A-R");
		for (i = 0; i < (int)o->authres->len; i++)
			fz_check(o->authres->data[i] != '\r' &&
			    (o->authres->data[i] != '\n' ||
			    (i + 1 < (int)o->authres->len &&
			    (o->authres->data[i + 1] == '\t' ||
			    o->authres->data[i + 1] == ' '))),
			    "our A-R: only folds, no bare CR/LF");
		if (!fz_overflow)
			check_edits(m);
	}
	if (m->failed)
		return;
	for (i = 0; i < r->dkim.nsigs; i++)
		if (r->dkim.sigs[i].result == DKIM_RES_PASS)
			dkim_pass = true;
	fz_check(r->dmarc.result != DMARC_RES_PASS || spf_pass || dkim_pass,
	    "DMARC pass needs an SPF or DKIM pass");
	fz_check(r->dmarc.result != DMARC_RES_FAIL ||
	    o->d.verdict != VERDICT_ACCEPT, "never accept a DMARC fail");
	fz_check(o->d.verdict != VERDICT_REJECT ||
	    r->dmarc.result == DMARC_RES_FAIL || r->from.status != FROM_OK ||
	    (r->mailfrom.result == SPF_RES_FAIL && r->dmarc.result ==
	    DMARC_RES_NONE && strcmp(o->d.why, "spf-fail") == 0) ||
	    strcmp(o->d.why, "header-bytes") == 0,
	    "a reject is a DMARC reject, a bad From:, an SPF fail without "
	    "DMARC or a field with bad bytes");
}

/* one_message - msg_begin .. msg_end on c */
static void
one_message(struct conn *c, const char *mailfrom, const uint8_t *data,
    size_t size)
{
	size_t	 off, chunk, k;

	fz_nwant = fz_nar = fz_nrspf = fz_ntag = fz_nwarn = 0;
	fz_overflow = false;
	if (msg_begin(c, mailfrom, NULL) != AM_OK)
		return;
	off = feed_header(c, data, size);
	(void)msg_eoh(c);
	chunk = size % 4093 + 1;
	for (; off < size && msg_wants_body(c); off += k) {
		k = size - off < chunk ? size - off : chunk;
		(void)msg_body(c, data + off, k);
	}
	fz_check(msg_end(c, "FUZZ") == AM_OK, "msg_end returns AM_OK");
	check_outcome(c);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const mailfrom[] = {"<a@fuzz.example>", "<>",
	    "<b@tmp.fuzz.example>"};
	struct snap *sp = fz_snap;
	struct conn *c;

	atomic_fetch_add(&sp->refs, 1);	/* conn_new takes this one */
	if ((c = conn_new(sp, &fz_ip[size % 2], "mx.fuzz.example")) ==
	    NULL) {
		snap_release(&sp);
		return (0);
	}
	conn_helo(c, size % 5 == 0 ? "mail.fuzz.example" : "[192.0.2.1]");
	one_message(c, mailfrom[size % 3], data, size);
	if (size % 2 == 1)
		one_message(c, mailfrom[(size + 1) % 3], data, size);
	conn_free(&c);
	return (0);
}
