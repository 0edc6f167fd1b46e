/*
 * NAME
 *	metrics_http - serve /metrics (Prometheus text format)
 * SYNOPSIS
 *	#include "milter/metrics_http.h"
 *
 *	int metrics_http_start(const char *listen, const char *version,
 *	    struct buf *why);
 *	void metrics_http_stop(void);
 * DESCRIPTION
 *	See metrics_http.c. The metrics themselves are util/metrics.
 */
#ifndef AM_METRICS_HTTP_H
#define AM_METRICS_HTTP_H

#include "util/buf.h"

int	metrics_http_start(const char *listen, const char *version,
	    struct buf *why);
void	metrics_http_stop(void);

#endif
