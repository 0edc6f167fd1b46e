/*
 * NAME
 *	nullmilter - a libmilter milter that does nothing
 * SYNOPSIS
 *	nullmilter -p SOCKET [-n] [-x] [-a] [-m] [-T SECONDS]
 * DESCRIPTION
 *	The floor of the benchmark: every callback is registered and
 *	returns at once; end of message accepts. It shows what libmilter
 *	and the protocol round trips cost by themselves.
 *
 *	-n	negotiate no-reply (SMFIP_NR_*) for every step the MTA
 *		offers; callbacks then return SMFIS_NOREPLY, and only end
 *		of message is answered.
 *	-x	also ask the MTA to skip every step it can (SMFIP_NO*).
 *	-a	add one header field at end of message (X-Null: 1), so the
 *		reply to end of message is two packets, as for a milter
 *		that adds Authentication-Results.
 *	-m	negotiate exactly what authmilter negotiates
 *		(milter/callbacks.c mlfi_negotiate): header values with
 *		their leading space, no UNKNOWN; on a unix socket also no
 *		RCPT and DATA steps and no reply at HELO, each header, end
 *		of headers and each body chunk; the same actions (add and
 *		change headers, quarantine). With -a, the floor authmilter
 *		is measured against: the same protocol steps and packets,
 *		no work.
 *	-T N	libmilter's I/O timeout (smfi_settimeout), default 60.
 *
 *	SOCKET is in libmilter syntax: inet:PORT@HOST or unix:/PATH.
 *	SIGTERM stops it.
 * BUILD
 *	cc -O2 -o nullmilter nullmilter.c -lmilter -lpthread
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmilter/mfapi.h>

static bool no_reply, skip_steps, add_header, mimic, mimic_quiet;

/* rc - the answer of every step but end of message */
static sfsistat
rc(void)
{
	return (no_reply ? SMFIS_NOREPLY : SMFIS_CONTINUE);
}

/* rc_quiet - the answer of a step authmilter negotiates no reply for */
static sfsistat
rc_quiet(void)
{
	return (mimic ? (mimic_quiet ? SMFIS_NOREPLY : SMFIS_CONTINUE) : rc());
}

/* null_negotiate - ask for no-reply and skipped steps as told */
static sfsistat
null_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
    unsigned long f2, unsigned long f3, unsigned long *pf0,
    unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	unsigned long want = 0;

	if (mimic) {			/* as milter/callbacks.c */
		want = SMFIP_NOUNKNOWN | SMFIP_HDR_LEADSPC;
		if (mimic_quiet)
			want |= SMFIP_NORCPT | SMFIP_NODATA | SMFIP_NR_HELO |
			    SMFIP_NR_HDR | SMFIP_NR_EOH | SMFIP_NR_BODY;
		*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE);
		*pf1 = f1 & want;
		*pf2 = *pf3 = 0;
		return (SMFIS_CONTINUE);
	}
	if (no_reply)
		want |= SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL |
		    SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NR_UNKN |
		    SMFIP_NR_EOH | SMFIP_NR_BODY | SMFIP_NR_HDR;
	if (skip_steps)
		want |= SMFIP_NOCONNECT | SMFIP_NOHELO | SMFIP_NOMAIL |
		    SMFIP_NORCPT | SMFIP_NOBODY | SMFIP_NOHDRS | SMFIP_NOEOH |
		    SMFIP_NOUNKNOWN | SMFIP_NODATA;
	*pf0 = add_header ? (f0 & SMFIF_ADDHDRS) : 0;
	*pf1 = f1 & want;
	*pf2 = *pf3 = 0;
	return (SMFIS_CONTINUE);
}

static sfsistat
null_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	return (rc());
}

static sfsistat
null_helo(SMFICTX *ctx, char *helo)
{
	return (rc_quiet());
}

static sfsistat
null_envfrom(SMFICTX *ctx, char **argv)
{
	return (rc());
}

static sfsistat
null_envrcpt(SMFICTX *ctx, char **argv)
{
	return (rc());
}

static sfsistat
null_data(SMFICTX *ctx)
{
	return (rc());
}

static sfsistat
null_unknown(SMFICTX *ctx, const char *cmd)
{
	return (rc());
}

static sfsistat
null_header(SMFICTX *ctx, char *name, char *value)
{
	return (rc_quiet());
}

static sfsistat
null_eoh(SMFICTX *ctx)
{
	return (rc_quiet());
}

static sfsistat
null_body(SMFICTX *ctx, unsigned char *p, size_t n)
{
	return (rc_quiet());
}

/* null_eom - accept, after one header field with -a */
static sfsistat
null_eom(SMFICTX *ctx)
{
	if (add_header)
		smfi_addheader(ctx, "X-Null", "1");
	return (SMFIS_ACCEPT);
}

static sfsistat
null_abort(SMFICTX *ctx)
{
	return (SMFIS_CONTINUE);
}

static sfsistat
null_close(SMFICTX *ctx)
{
	return (SMFIS_CONTINUE);
}

static struct smfiDesc desc = {
	.xxfi_name = "nullmilter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_QUARANTINE,
	.xxfi_connect = null_connect,
	.xxfi_helo = null_helo,
	.xxfi_envfrom = null_envfrom,
	.xxfi_envrcpt = null_envrcpt,
	.xxfi_header = null_header,
	.xxfi_eoh = null_eoh,
	.xxfi_body = null_body,
	.xxfi_eom = null_eom,
	.xxfi_abort = null_abort,
	.xxfi_close = null_close,
	.xxfi_unknown = null_unknown,
	.xxfi_data = null_data,
	.xxfi_negotiate = null_negotiate,
};

int
main(int argc, char **argv)
{
	const char *sock = NULL;
	int	 ch, timeout = 60;

	while ((ch = getopt(argc, argv, "p:nxamT:")) != -1) {
		switch (ch) {
		case 'p': sock = optarg; break;
		case 'n': no_reply = true; break;
		case 'x': skip_steps = true; break;
		case 'a': add_header = true; break;
		case 'm': mimic = true; break;
		case 'T': timeout = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: nullmilter -p SOCKET [-n] [-x] "
			    "[-a] [-m] [-T SECONDS]\n");
			return (2);
		}
	}
	if (sock == NULL) {
		fprintf(stderr, "nullmilter: -p SOCKET is required\n");
		return (2);
	}
	if (strncmp(sock, "unix:", 5) == 0 || strncmp(sock, "local:", 6) == 0) {
		unlink(strchr(sock, ':') + 1);
		mimic_quiet = true;	/* authmilter's rule for no-reply */
	}
	if (smfi_setconn((char *)sock) != MI_SUCCESS ||
	    smfi_settimeout(timeout) != MI_SUCCESS ||
	    smfi_register(desc) != MI_SUCCESS) {
		fprintf(stderr, "nullmilter: cannot set up %s\n", sock);
		return (1);
	}
	return (smfi_main() == MI_SUCCESS ? 0 : 1);
}
