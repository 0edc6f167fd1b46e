/*
 * NAME
 *	send - aggregate reports to their destinations
 * DESCRIPTION
 *	See send.h.
 * DIAGNOSTICS
 *	One info line per report sent ("report: sent a.example to
 *	agg@b.example: 12 messages, 3 records, 1234 bytes") and one per
 *	destination skipped, with the reason.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "report/aggregate.h"
#include "report/dest.h"
#include "report/send.h"
#include "util/am.h"
#include "util/log.h"

#define RPT_MAX_BYTES	(64 * 1024 * 1024)	/* one report's XML */
#define RPT_MAX_DESTS	8			/* mailto: URIs used */
#define AM_GENERATOR	"authmilter 0.1.0"

/* one report being sent */
struct rpt {
	const char *domain;
	char	 id[LIM_DOMAIN * 2 + 32];
	char	 file[LIM_DOMAIN * 2 + 64];
	struct buf *xml, *gz, *msg;
	struct agg_info info;
};

/* fnv - FNV-1a, for the filename's unique-id */
static unsigned long long
fnv(const char *s)
{
	unsigned long long h = 1469598103934665603ULL;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h);
}

/* gzip - src gzipped into dst (RFC 1952) */
static int
gzip(const struct buf *src, struct buf *dst, struct buf *why)
{
	unsigned char out[65536];
	z_stream z;
	int	 zr;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8,
	    Z_DEFAULT_STRATEGY) != Z_OK)
		return (buf_why(why, AM_TEMP, "gzip: out of memory"));
	z.next_in = (unsigned char *)src->data;
	z.avail_in = (unsigned)src->len;
	buf_reset(dst);
	do {
		z.next_out = out;
		z.avail_out = sizeof(out);
		zr = deflate(&z, Z_FINISH);
		if (buf_append(dst, out, sizeof(out) - z.avail_out) != AM_OK) {
			deflateEnd(&z);
			return (buf_why(why, AM_PERM, "gzip: too large"));
		}
	} while (zr == Z_OK);
	deflateEnd(&z);
	return (zr == Z_STREAM_END ? AM_OK : buf_why(why, AM_TEMP, "gzip: "
	    "error %d", zr));
}

/* base64 - src in lines of 76 characters */
static int
base64(const struct buf *src, struct buf *dst)
{
	unsigned char line[80];
	size_t	 o, n;
	int	 st = AM_OK;

	for (o = 0; o < src->len; o += 57) {
		n = src->len - o < 57 ? src->len - o : 57;
		EVP_EncodeBlock(line, (const unsigned char *)src->data + o,
		    (int)n);
		st |= buf_printf(dst, "%s\n", line);
	}
	return (st);
}

/* build_msg - the MIME message for one destination */
static int
build_msg(const struct send_ctx *sc, const struct rpt *r, const char *to,
    struct buf *m)
{
	const struct conf *cf = sc->cf;
	char	 date[64], bound[64];
	time_t	 now = time(NULL);
	int	 st = AM_OK;

	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000",
	    gmtime(&now));
	snprintf(bound, sizeof(bound), "=_am_%016llx", fnv(r->id));
	buf_reset(m);
	st |= buf_printf(m, "From: %s\nTo: %s\nDate: %s\n"
	    "Subject: Report Domain: %s\n Submitter: %s\n Report-ID: <%s>\n"
	    "Message-ID: <%s>\nMIME-Version: 1.0\n"
	    "Auto-Submitted: auto-generated\n"
	    "Content-Type: multipart/mixed; boundary=\"%s\"\n\n"
	    "This is a DMARC aggregate report (RFC 9990) in MIME format.\n\n"
	    "--%s\nContent-Type: text/plain; charset=us-ascii\n\n"
	    "DMARC aggregate report for %s from %s\n"
	    "Period: %lld to %lld (UTC seconds); %ld messages, %ld records.\n"
	    "\n--%s\nContent-Type: application/gzip; name=\"%s\"\n"
	    "Content-Transfer-Encoding: base64\n"
	    "Content-Disposition: attachment; filename=\"%s\"\n\n",
	    cf->report_from[0] ? cf->report_from : cf->report_email, to, date,
	    r->domain, sc->receiver, r->id, r->id, bound, bound, r->domain,
	    sc->receiver, (long long)sc->begin, (long long)sc->end,
	    r->info.messages, r->info.records, bound, r->file, r->file);
	st |= base64(r->gz, m);
	st |= buf_printf(m, "\n--%s--\n", bound);
	return (st);
}

/* got_one - a query found a row */
static int
got_one(void *arg, int ncol, const char *const *v)
{
	*(bool *)arg = true;
	return (1);
}

/* sent_before - the store says this report went to dest */
static int
sent_before(struct send_ctx *sc, const char *domain, const char *dest,
    bool *yes, struct buf *why)
{
	char	 b[24], e[24];
	const char *p[4] = {domain, b, e, dest};

	*yes = false;
	snprintf(b, sizeof(b), "%lld", (long long)sc->begin);
	snprintf(e, sizeof(e), "%lld", (long long)sc->end);
	return (store_exec(sc->st, "SELECT 1 FROM sent WHERE policy_domain = "
	    "$1 AND begin_t = $2 AND end_t = $3 AND dest = $4", 4, p, got_one,
	    yes, why));
}

/* mark_sent - record a report sent */
static int
mark_sent(struct send_ctx *sc, const struct rpt *r, const char *dest,
    struct buf *why)
{
	char	 b[24], e[24], t[24];
	const char *p[6] = {r->domain, b, e, dest, r->id, t};

	snprintf(b, sizeof(b), "%lld", (long long)sc->begin);
	snprintf(e, sizeof(e), "%lld", (long long)sc->end);
	snprintf(t, sizeof(t), "%lld", (long long)time(NULL));
	return (store_exec(sc->st, "INSERT INTO sent (policy_domain, begin_t, "
	    "end_t, dest, report_id, t) VALUES ($1, $2, $3, $4, $5, $6)", 6, p,
	    NULL, NULL, why));
}

/* write_file - data into dir/name */
static int
write_file(const char *dir, const char *name, const struct buf *b,
    struct buf *why)
{
	char	 path[4096];
	FILE	*fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((fp = fopen(path, "wb")) == NULL ||
	    fwrite(b->data, 1, b->len, fp) != b->len) {
		if (fp != NULL)
			fclose(fp);
		return (buf_why(why, AM_PERM, "%s: %s", path, strerror(errno)));
	}
	if (fclose(fp) != 0)
		return (buf_why(why, AM_PERM, "%s: %s", path, strerror(errno)));
	return (AM_OK);
}

/* one_dest - send (or write) the report to one destination */
static void
one_dest(struct send_ctx *sc, struct rpt *r, const struct dest *d, int k,
    struct buf *why)
{
	char	 name[sizeof(r->file) + 16];
	bool	 done;

	if (dest_in_list(sc->cf->report_exclude_domains, d->domain)) {
		log_info("report: %s: not sent to %s: excluded", r->domain,
		    d->addr);
		sc->nskipped++;
		return;
	}
	if (dest_authorized(sc->dns, sc->dmarc, r->domain, d, why) != AM_OK ||
	    (sc->dry_dir == NULL && sent_before(sc, r->domain, d->addr, &done,
	    why) != AM_OK) || build_msg(sc, r, d->addr, r->msg) != AM_OK) {
		log_info("report: %s: not sent to %s: %s", r->domain, d->addr,
		    buf_str(why));
		sc->nskipped++;
		return;
	}
	if (sc->dry_dir == NULL && done) {
		log_info("report: %s: sent to %s before", r->domain, d->addr);
		return;
	}
	if (d->limit != 0 && r->msg->len > d->limit) {
		log_info("report: %s: not sent to %s: %zu bytes over its "
		    "limit of %llu", r->domain, d->addr, r->msg->len, d->limit);
		sc->nskipped++;
		return;
	}
	if (sc->dry_dir != NULL) {
		snprintf(name, sizeof(name), "%s.%d.eml", r->file, k);
		if (write_file(sc->dry_dir, name, r->msg, why) != AM_OK)
			log_err("report: %s", buf_str(why));
		else
			sc->nsent++;
		return;
	}
	if (dest_submit(sc->cf->report_send_command,
	    sc->cf->report_envelope_from, r->msg, why) != AM_OK ||
	    mark_sent(sc, r, d->addr, why) != AM_OK) {
		log_err("report: %s: to %s: %s", r->domain, d->addr,
		    buf_str(why));
		return;
	}
	sc->nsent++;
	log_info("report: sent %s to %s: %ld messages, %ld records, %zu "
	    "bytes", r->domain, d->addr, r->info.messages, r->info.records,
	    r->msg->len);
}

/* one_domain - the report of one policy domain */
static void
one_domain(struct send_ctx *sc, struct rpt *r, struct buf *why)
{
	const struct conf *cf = sc->cf;
	struct agg_meta m;
	struct dest d[RPT_MAX_DESTS];
	int	 i, n;

	snprintf(r->id, sizeof(r->id), "%lld.%s@%s", (long long)sc->begin,
	    r->domain, sc->receiver);
	snprintf(r->file, sizeof(r->file), "%s!%s!%lld!%lld!%016llx.xml.gz",
	    sc->receiver, r->domain, (long long)sc->begin, (long long)sc->end,
	    fnv(r->id));
	m.org_name = cf->report_org_name[0] ? cf->report_org_name :
	    sc->receiver;
	m.email = cf->report_email;
	m.report_id = r->id;
	m.generator = AM_GENERATOR;
	m.begin = sc->begin;
	m.end = sc->end;
	if (report_aggregate(sc->st, r->domain, &m, r->xml, &r->info,
	    why) != AM_OK || gzip(r->xml, r->gz, why) != AM_OK) {
		log_err("report: %s: %s", r->domain, buf_str(why));
		return;
	}
	if (sc->dry_dir != NULL && write_file(sc->dry_dir, r->file, r->gz,
	    why) != AM_OK) {
		log_err("report: %s", buf_str(why));
		return;
	}
	n = dest_list(r->info.rua, d, RPT_MAX_DESTS);
	for (i = 0; i < n; i++)
		one_dest(sc, r, &d[i], i, why);
}

/* purge - rows and sent records older than keep_days */
static int
purge(struct send_ctx *sc, struct buf *why)
{
	char	 t[24];
	const char *p[1] = {t};
	int	 rc;

	snprintf(t, sizeof(t), "%lld", (long long)time(NULL) -
	    (long long)sc->cf->report_keep_days * 86400);
	rc = store_exec(sc->st, "DELETE FROM msg WHERE t < $1", 1, p, NULL,
	    NULL, why);
	if (rc == AM_OK)
		rc = store_exec(sc->st, "DELETE FROM sent WHERE t < $1", 1, p,
		    NULL, NULL, why);
	return (rc);
}

/* report_send - every policy domain's report for the period */
int
report_send(struct send_ctx *sc, struct buf *why)
{
	struct rpt r;
	char	**doms = NULL;
	size_t	 i, n = 0;
	int	 rc;

	if ((rc = purge(sc, why)) != AM_OK ||
	    (rc = report_domains(sc->st, sc->begin, sc->end, &doms, &n,
	    why)) != AM_OK)
		return (rc);
	memset(&r, 0, sizeof(r));
	r.xml = buf_new(RPT_MAX_BYTES);
	r.gz = buf_new(RPT_MAX_BYTES);
	r.msg = buf_new(RPT_MAX_BYTES * 2);
	for (i = 0; i < n; i++) {
		if (dest_in_list(sc->cf->report_exclude_domains, doms[i])) {
			log_info("report: %s: excluded", doms[i]);
			continue;
		}
		r.domain = doms[i];
		one_domain(sc, &r, why);
	}
	buf_free(&r.xml);
	buf_free(&r.gz);
	buf_free(&r.msg);
	report_domains_free(doms, n);
	return (AM_OK);
}
