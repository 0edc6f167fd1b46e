/*
 * NAME
 *	metrics_http - serve /metrics (Prometheus text format) with
 *	libmicrohttpd
 * SYNOPSIS
 *	#include "milter/metrics_http.h"
 *
 *	int metrics_http_start(const char *listen, const char *version,
 *	    struct buf *why);
 *	void metrics_http_stop(void);
 * DESCRIPTION
 *	metrics_http_start() does nothing for an empty listen. Otherwise
 *	it makes the label values of the verdict, SPF, DKIM, DMARC and
 *	reload series visible at 0 (so rate() sees the first event),
 *	sets the build info and starts libmicrohttpd on listen ("ADDR:PORT"
 *	or "[V6ADDR]:PORT", checked by conf_load()). GET or HEAD /metrics
 *	answers 200 with util/metrics' text; any other path 404, any other
 *	method 405. No HTTP parsing is ours.
 *
 *	metrics_http_stop() stops the server and joins its thread.
 * DIAGNOSTICS
 *	AM_PERM with the reason in why when the address cannot be bound.
 * THREADS
 *	libmicrohttpd runs one polling thread of its own, started after the
 *	signal mask is set (it inherits every blocked signal); it only
 *	reads the atomics of util/metrics. This file is the only includer
 *	of microhttpd.h.
 * SEE ALSO
 *	https://prometheus.io/docs/instrumenting/exposition_formats/,
 *	libmicrohttpd manual
 */
#include <sys/socket.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

#include "auth/result.h"
#include "milter/metrics_http.h"
#include "policy/verdict.h"
#include "util/addr.h"
#include "util/am.h"
#include "util/log.h"
#include "util/metrics.h"

#define METRICS_BODY_MAX	(1024 * 1024)	/* bytes of one scrape */
#define METRICS_CTYPE		"text/plain; version=0.0.4; charset=utf-8"

static struct MHD_Daemon *metrics_mhd;

#if MHD_VERSION < 0x00097002
typedef int MHD_RESULT;
#else
typedef enum MHD_Result MHD_RESULT;
#endif

/* answer - a response with a body we own */
static MHD_RESULT
answer(struct MHD_Connection *conn, unsigned code, char *body, size_t len,
    const char *ctype)
{
	struct MHD_Response *r;
	MHD_RESULT rc;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return (MHD_NO);
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	rc = MHD_queue_response(conn, code, r);
	MHD_destroy_response(r);
	return (rc);
}

/* answer_text - a short fixed reply */
static MHD_RESULT
answer_text(struct MHD_Connection *conn, unsigned code, const char *text)
{
	char	*body = strdup(text);

	if (body == NULL)
		return (MHD_NO);
	return (answer(conn, code, body, strlen(body), "text/plain"));
}

/* metrics_handler - one request: GET /metrics */
static MHD_RESULT
metrics_handler(void *cls, struct MHD_Connection *conn, const char *url,
    const char *method, const char *version, const char *upload_data,
    size_t *upload_data_size, void **req_cls)
{
	struct buf *out;
	char	*body;
	size_t	 len;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return (answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method not allowed\n"));
	if (strcmp(url, "/metrics") != 0)
		return (answer_text(conn, MHD_HTTP_NOT_FOUND,
		    "not found; try /metrics\n"));
	if ((out = buf_new(METRICS_BODY_MAX)) == NULL)
		return (MHD_NO);
	if (metrics_write(out) != AM_OK) {
		buf_free(&out);
		log_err("metrics: scrape over %d bytes or out of memory",
		    METRICS_BODY_MAX);
		return (answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "cannot format metrics\n"));
	}
	len = out->len;
	body = out->data;		/* take the bytes, drop the buf */
	out->data = NULL;
	buf_free(&out);
	if (body == NULL && (body = strdup("")) == NULL)
		return (MHD_NO);
	return (answer(conn, MHD_HTTP_OK, body, len, METRICS_CTYPE));
}

/* preset - the series every dashboard wants, at zero */
static void
preset(void)
{
	static const char *const ids[] = {"mailfrom", "helo"};
	int	 i, k;

	for (i = VERDICT_ACCEPT; i <= VERDICT_REJECT; i++)
		metrics_add(MC_MESSAGES, verdict_str(i), NULL, 0);
	for (k = 0; k < 2; k++)
		for (i = SPF_RES_NONE; i <= SPF_RES_PERMERROR; i++)
			metrics_add(MC_SPF, ids[k], spf_res_str(i), 0);
	for (i = DKIM_RES_NONE; i <= DKIM_RES_PERMERROR; i++)
		metrics_add(MC_DKIM, dkim_res_str(i), NULL, 0);
	for (i = DMARC_RES_NONE; i <= DMARC_RES_PERMERROR; i++)
		metrics_add(MC_DMARC, dmarc_res_str(i), NULL, 0);
	metrics_add(MC_RELOADS, "ok", NULL, 0);
	metrics_add(MC_RELOADS, "failed", NULL, 0);
}

/* metrics_http_start - serve /metrics on listen, unless it is empty */
int
metrics_http_start(const char *listen, const char *version,
    struct buf *why)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	struct addr a;
	/* epoll or poll, never select(): milter connections push fds past
	 * FD_SETSIZE on a busy server */
	unsigned port, flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO;

	if (listen == NULL || listen[0] == '\0')
		return (AM_OK);
	if (addr_hostport_parse(listen, &a, &port) != AM_OK)
		return (buf_why(why, AM_PERM, "metrics.listen: bad address "
		    "\"%s\"", listen));
	memset(&ss, 0, sizeof(ss));
	if (a.family == AF_INET) {
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		memcpy(&in->sin_addr, a.bytes, 4);
	} else {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		memcpy(&in6->sin6_addr, a.bytes, 16);
		flags |= MHD_USE_IPv6;
	}
	preset();
	metrics_set_build(version);
	metrics_mhd = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL,
	    metrics_handler, NULL, MHD_OPTION_SOCK_ADDR, &ss,
	    MHD_OPTION_CONNECTION_LIMIT, 16U,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10U, MHD_OPTION_END);
	if (metrics_mhd == NULL)
		return (buf_why(why, AM_PERM, "metrics.listen: cannot serve "
		    "on %s", listen));
	log_info("metrics: serving /metrics on %s", listen);
	return (AM_OK);
}

/* metrics_http_stop - stop serving; joins libmicrohttpd's thread */
void
metrics_http_stop(void)
{
	if (metrics_mhd != NULL)
		MHD_stop_daemon(metrics_mhd);
	metrics_mhd = NULL;
}
