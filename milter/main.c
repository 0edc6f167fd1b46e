/*
 * NAME
 *	main - options, configuration check, privilege drop, smfi_main
 * SYNOPSIS
 *	authmilter [-f] [-c FILE]
 *	authmilter -n [-p] [-c FILE]
 *	authmilter -t FILE.eml --client-ip IP --helo NAME --mail-from ADDR
 *	    [--rcpt ADDR ...] [--client-name NAME] [-v] [-c FILE]
 *	authmilter check DOMAIN [--selector LIST] [--json]
 *	    [--nameserver ADDR[@PORT]] [-c FILE]
 *	authmilter report send|show|digest [...] [-c FILE]
 *	authmilter genkey DOMAIN SELECTOR [--type rsa|ed25519] [--bits N]
 *	    [--dir D]
 *	authmilter testkey [-c FILE] [KEYNAME ...]
 *	authmilter testkey [-c FILE] --domain D --selector S --key FILE
 *	(subcommands: the subcmds[] table)
 * DESCRIPTION
 *	Start-up order matters: the configuration and every handle are
 *	built and checked once before daemonising, so errors reach the
 *	terminal; then fork (no threads exist yet), open the socket and
 *	start the metrics server (metrics.listen) as root, drop
 *	privileges, build the resolver and the live snapshot,
 *	start the signal thread and hand over to libmilter.
 *
 *	Signals: every thread blocks them but the main thread, whose
 *	handlers write them to a pipe it reads while a second thread runs
 *	smfi_main(). A signal sent to the process goes to a thread that does
 *	not block it, so libmilter's own sigwait thread, which would stop on
 *	SIGHUP, does not see them (the milter thread starts smfi_main() only
 *	after the main thread has unblocked them).
 *	SIGHUP and SIGUSR1 reload the configuration (on the reload thread,
 *	so the main thread is back at its pipe at once); SIGTERM and SIGINT
 *	stop: STOPPING=1, new connections are tempfailed at connect, the
 *	connections in flight get STOP_GRACE_MS to finish their messages
 *	(libmilter still serving them), then smfi_stop() and a connection
 *	to our own socket wake libmilter's accept loop, and the process
 *	exits.
 *
 *	Under systemd (Type=notify) READY=1 follows the listening socket,
 *	RELOADING=1 and READY=1 bracket a reload (notify.c).
 * SEE ALSO
 *	authmilter(8), authmilter.conf(5)
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <malloc.h>
#include <pthread.h>
#include <poll.h>
#include <pwd.h>
#include <semaphore.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check/check.h"
#include "report/failure.h"
#include "report/queue.h"
#include "report/report.h"
#include "milter/callbacks.h"
#include "milter/metrics_http.h"
#include "milter/connlimit.h"
#include "milter/notify.h"
#include "milter/keycmd.h"
#include "milter/snap.h"
#include "milter/sock.h"
#include "milter/tryout.h"
#include "util/am.h"
#include "util/log.h"
#include "util/metrics.h"

#define DEF_CONF	"/etc/authmilter/authmilter.conf"
#define AM_VERSION	"0.1.0"
#define STOP_GRACE_MS	10000	/* in-flight messages at SIGTERM */

/* the reload thread's inbox: a count of requests, under reload_mu */
static pthread_mutex_t reload_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t reload_cv = PTHREAD_COND_INITIALIZER;
static int reload_pending;

/*
 * Signals: the main thread alone leaves them unblocked, with handlers
 * that write the signal number here; a process-directed signal goes to
 * a thread that does not block it, so libmilter's sigwait thread (which
 * stops on SIGHUP) never sees one.
 */
static int sig_pipe[2];

/* report_cmd - "authmilter report ...", with the default configuration */
static int
report_cmd(int argc, char **argv)
{
	return (report_main(argc, argv, DEF_CONF));
}

/* subcommands: "authmilter NAME ARGS..."; each returns the exit status */
static const struct subcmd {
	const char *name;
	int	(*run)(int argc, char **argv);
} subcmds[] = {
	{"check", check_main},
	{"report", report_cmd},
	{"genkey", keycmd_genkey},
	{"testkey", keycmd_testkey},
};

struct opts {
	const char *conf;
	bool	 foreground, check, print;
	struct tryout t;
};

/* usage - the synopsis, on stderr */
static _Noreturn void
usage(int status)
{
	fprintf(stderr, "usage: authmilter [-f] [-c FILE]\n"
	    "       authmilter -n [-p] [-c FILE]\n"
	    "       authmilter -t FILE.eml --client-ip IP --helo NAME "
	    "--mail-from ADDR\n"
	    "           [--rcpt ADDR ...] [--client-name NAME] [-v] "
	    "[-c FILE]\n"
	    "       authmilter check DOMAIN [--selector LIST] [--json] "
	    "[--nameserver ADDR[@PORT]] [-c FILE]\n"
	    "       authmilter report send|show|digest [...] [-c FILE]\n"
	    "       authmilter genkey DOMAIN SELECTOR [--type rsa|ed25519] "
	    "[--bits N] [--dir D]\n"
	    "       authmilter testkey [-c FILE] [KEYNAME...]\n"
	    "       authmilter testkey [-c FILE] --domain D --selector S "
	    "--key FILE\n"
	    "       authmilter -V\n");
	exit(status);
}

/* usage_arg - a usage error naming the argument, then the synopsis */
static _Noreturn void
usage_arg(const char *arg, const char *why)
{
	fprintf(stderr, "authmilter: %s: %s\n", arg, why);
	usage(1);
}

/* parse_opts - the command line */
static void
parse_opts(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{"client-ip", required_argument, NULL, 'I'},
		{"helo", required_argument, NULL, 'H'},
		{"mail-from", required_argument, NULL, 'M'},
		{"rcpt", required_argument, NULL, 'R'},
		{"client-name", required_argument, NULL, 'N'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct addr a;
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->conf = DEF_CONF;
	while ((ch = getopt_long(argc, argv, "c:fnpt:vVh", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'f': o->foreground = true; break;
		case 'n': o->check = true; break;
		case 'p': o->print = true; break;
		case 't': o->t.eml = optarg; break;
		case 'I': o->t.client_ip = optarg; break;
		case 'H': o->t.helo = optarg; break;
		case 'M': o->t.mail_from = optarg; break;
		case 'R':
			if (o->t.nrcpt == TRYOUT_RCPTS)
				usage_arg("--rcpt", "given too often");
			o->t.rcpt[o->t.nrcpt++] = optarg;
			break;
		case 'N': o->t.client_name = optarg; break;
		case 'v': o->t.verbose = 1; break;
		case 'V': printf("authmilter %s\n", AM_VERSION); exit(0);
		case 'h': usage(0);
		default: usage(1);
		}
	}
	if (optind != argc)
		usage_arg(argv[optind], "unexpected argument");
	if (o->t.eml == NULL) {
		if (o->t.client_ip || o->t.helo || o->t.mail_from ||
		    o->t.nrcpt || o->t.client_name || o->t.verbose)
			usage_arg(o->t.client_ip ? "--client-ip" : o->t.helo ?
			    "--helo" : o->t.mail_from ? "--mail-from" :
			    o->t.nrcpt ? "--rcpt" : o->t.client_name ?
			    "--client-name" : "-v", "only with -t");
		return;
	}
	if (o->t.client_ip == NULL)
		usage_arg("--client-ip", "missing (-t needs it)");
	if (o->t.helo == NULL)
		usage_arg("--helo", "missing (-t needs it)");
	if (o->t.mail_from == NULL)
		usage_arg("--mail-from", "missing (-t needs it)");
	if (addr_parse(o->t.client_ip, &a) != AM_OK)
		usage_arg("--client-ip", "not an IP address");
}

/* check_all - load conf and build every handle once; 0 or exit(1) */
static struct conf *
check_all(const char *path, struct buf *why)
{
	struct conf *cf, *cf2;
	struct dns *dns;
	struct snap *sp;

	if (conf_load(path, &cf, why) != AM_OK ||
	    conf_load(path, &cf2, why) != AM_OK ||
	    report_spec_check(cf->report_store, why) != AM_OK) {
		fprintf(stderr, "authmilter: %s\n", buf_str(why));
		exit(1);
	}
	if ((dns = dns_new(cf->dns_nameservers, cf->dns_timeout, why)) ==
	    NULL || snap_build(cf2, dns, &sp, why) != AM_OK) {
		if (strncmp(buf_str(why), path, strlen(path)) == 0)
			fprintf(stderr, "authmilter: %s\n", buf_str(why));	/* file:line: */
		else
			fprintf(stderr, "authmilter: %s: %s\n", path,
			    buf_str(why));
		exit(1);
	}
	snap_release(&sp);
	dns_free(&dns);
	if (getuid() == 0 && cf->user[0] == '\0')
		fprintf(stderr, "authmilter: warning: %s: no user set: the "
		    "daemon would parse mail as root (set user = "
		    "\"authmilter\";)\n", path);
	return (cf);
}

/* drop_privileges - become cf->user, if set */
static int
drop_privileges(const char *user, struct buf *why)
{
	struct passwd *pw;

	if (user[0] == '\0')
		return (AM_OK);
	if ((pw = getpwnam(user)) == NULL)
		return (buf_why(why, AM_PERM, "user %s: unknown", user));
	if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
		return (AM_OK);		/* started as that user (systemd) */
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		return (buf_why(why, AM_PERM, "cannot become %s: %s", user,
		    strerror(errno)));
	return (AM_OK);
}

/* daemonize - detach from the terminal; before any thread exists */
static void
daemonize(bool keep_stderr)
{
	int	 fd;

	switch (fork()) {
	case -1:
		fprintf(stderr, "authmilter: fork: %s\n", strerror(errno));
		exit(1);
	case 0:
		break;
	default:
		_exit(0);
	}
	setsid();
	if (chdir("/") != 0)
		exit(1);
	if ((fd = open("/dev/null", O_RDWR)) >= 0) {
		dup2(fd, 0);
		dup2(fd, 1);
		if (!keep_stderr)
			dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
}

/* write_pidfile - our pid, if configured */
static void
write_pidfile(const char *path)
{
	FILE	*fp;

	if (path[0] == '\0')
		return;
	if ((fp = fopen(path, "w")) == NULL) {
		log_warn("pidfile %s: %s", path, strerror(errno));
		return;
	}
	fprintf(fp, "%ld\n", (long)getpid());
	fclose(fp);
}

/* reload_thread - one reload per request, RELOADING=1 .. READY=1 */
static void *
reload_thread(void *arg)
{
	const char *path = arg;
	struct buf *why = buf_new(LIM_REASON);
	int	 st;

	for (;;) {
		pthread_mutex_lock(&reload_mu);
		while (reload_pending == 0)
			pthread_cond_wait(&reload_cv, &reload_mu);
		reload_pending = 0;
		pthread_mutex_unlock(&reload_mu);
		notify_reloading();
		st = snap_reload(path, why);
		metrics_inc(MC_RELOADS, st == AM_OK ? "ok" : "failed", NULL);
		if (st == AM_OK)
			log_info("reload: %s loaded", path);
		else
			log_err("reload: %s; keeping the running "
			    "configuration", buf_str(why));
		notify_ready();
	}
	return (NULL);
}

/* reload_request - wake the reload thread; never blocks for long */
static void
reload_request(void)
{
	pthread_mutex_lock(&reload_mu);
	reload_pending++;
	pthread_cond_signal(&reload_cv);
	pthread_mutex_unlock(&reload_mu);
}

/* sig_handler - main thread only: hand the signal to wait_signals */
static void
sig_handler(int sig)
{
	int	 saved = errno;
	char	 c = (char)sig;

	if (write(sig_pipe[1], &c, 1) < 0) {
		/* pipe full: a signal is pending there already */
	}
	errno = saved;
}

/* sig_setup - handlers for the signals we serve; blocked until serve() */
static void
sig_setup(sigset_t *set)
{
	struct sigaction sa;

	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
		fprintf(stderr, "authmilter: pipe: %s\n", strerror(errno));
		exit(1);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = sig_handler;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(set);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pthread_sigmask(SIG_BLOCK, set, NULL);
}

/* milter_thread - smfi_main() once the main thread takes signals */
static void *
milter_thread(void *arg)
{
	sem_t	*gate = arg;
	intptr_t rc;

	while (sem_wait(gate) != 0 && errno == EINTR)
		;
	rc = smfi_main() == MI_SUCCESS ? 0 : 1;
	sig_handler(0);			/* wake the main thread */
	return ((void *)rc);
}

/* wait_signals - serve signals until SIGTERM, SIGINT or libmilter stops */
static void
wait_signals(void)
{
	struct pollfd pfd = {.fd = sig_pipe[0], .events = POLLIN};
	char	 c;

	for (;;) {
		if (read(sig_pipe[0], &c, 1) != 1) {
			poll(&pfd, 1, -1);
			continue;
		}
		if (c == SIGHUP || c == SIGUSR1) {
			reload_request();
			continue;
		}
		if (c == 0)
			log_info("authmilter stopping (libmilter stopped)");
		else
			log_info("authmilter stopping (signal %d)", c);
		return;
	}
}

/*
 * listen_nodelay - TCP_NODELAY on libmilter's listening TCP socket
 *
 * libmilter writes a reply as a header and a body in two send() calls;
 * with Nagle's algorithm the second waits for the MTA's delayed ACK
 * (~40 ms) on TCP. Accepted sockets inherit TCP_NODELAY from the
 * listener on Linux, and libmilter does not expose its socket, so find
 * it: the one listening stream socket of ours that is TCP.
 */
static void
listen_nodelay(void)
{
	struct sockaddr_storage ss;
	socklen_t len;
	struct dirent *de;
	DIR	*d;
	int	 fd, on = 1, acc;

	if ((d = opendir("/proc/self/fd")) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		fd = atoi(de->d_name);
		len = sizeof(acc);
		if (de->d_name[0] == '.' || fd == dirfd(d) ||
		    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &len) != 0 ||
		    !acc)
			continue;
		len = sizeof(ss);
		if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0 ||
		    (ss.ss_family != AF_INET && ss.ss_family != AF_INET6))
			continue;
		if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on,
		    sizeof(on)) != 0)
			log_warn("TCP_NODELAY on the milter socket: %s",
			    strerror(errno));
	}
	closedir(d);
}

/* report_start - the report queue and writer, when a store is set */
static int
report_start(const struct conf *cf, struct buf *why)
{
	char	 host[256];

	if (cf->report_store[0] == '\0')
		return (AM_OK);
	if (cf->report_host[0] != '\0')
		snprintf(host, sizeof(host), "%s", cf->report_host);
	else if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	return (report_queue_start(cf->report_store, host,
	    (size_t)cf->report_queue_size, why));
}

/* open_socket - the milter socket: stale file, umask, mode, group */
static int
open_socket(const struct conf *cf, struct buf *why)
{
	mode_t	 old;
	int	 ok;

	if (sock_prepare(cf->socket, why) != AM_OK)
		return (AM_PERM);
	old = umask(0177);
	ok = smfi_setconn(cf->socket) == MI_SUCCESS &&
	    smfi_register(callbacks_desc) == MI_SUCCESS &&
	    smfi_opensocket(false) == MI_SUCCESS;
	umask(old);
	if (!ok)
		return (buf_why(why, AM_PERM, "cannot listen on %s",
		    cf->socket));
	return (sock_apply(cf->socket, conf_socket_mode(cf), cf->socket_group,
	    why));
}

/* serve - run the milter until a stop signal */
static int
serve(const struct opts *o, struct conf *cf, const sigset_t *set,
    struct buf *why)
{
	struct dns *dns;
	struct snap *sp;
	pthread_t tid, mtid;
	sem_t	 gate;
	char	 spec[1024];
	void	*res;
	int	 left;

	callbacks_setup(cf->socket);
	if (open_socket(cf, why) != AM_OK) {
		log_err("%s", buf_str(why));
		return (1);
	}
	snprintf(spec, sizeof(spec), "%s", cf->socket);
	listen_nodelay();
	if (connlimit_setup(cf->milter_timeout, cf->milter_thread_stack,
	    why) != AM_OK) {
		log_err("start: %s", buf_str(why));
		return (1);
	}
	if (metrics_http_start(cf->metrics_listen, AM_VERSION, why) != AM_OK) {
		log_err("%s", buf_str(why));
		return (1);
	}
	/* before the drop: the snapshot reads the private key files */
	if ((dns = dns_new(cf->dns_nameservers, cf->dns_timeout, why)) ==
	    NULL || snap_build(cf, dns, &sp, why) != AM_OK) {
		log_err("start: %s", buf_str(why));
		metrics_http_stop();
		return (1);
	}
	if (drop_privileges(cf->user, why) != AM_OK) {
		log_err("%s", buf_str(why));
		metrics_http_stop();
		return (1);
	}
	snap_install(sp);
	if (report_start(cf, why) != AM_OK || (cf->report_failure &&
	    failure_start(dns, cf->dmarc_public_suffix_list, why) != AM_OK)) {
		log_err("start: %s", buf_str(why));
		return (1);
	}
	pthread_create(&tid, NULL, reload_thread, (void *)o->conf);
	pthread_detach(tid);
	sem_init(&gate, 0, 0);
	pthread_create(&mtid, NULL, milter_thread, &gate);
	pthread_sigmask(SIG_UNBLOCK, set, NULL);	/* main thread only */
	sem_post(&gate);
	log_info("authmilter %s listening on %s (%s mode)", AM_VERSION,
	    cf->socket, conf_enum_str("mode", cf->mode));
	notify_ready();
	notify_watchdog_start();
	wait_signals();
	notify_stopping();
	log_info("authmilter stopping");
	/*
	 * Drain while libmilter still serves: after smfi_stop() its worker
	 * pool no longer reads the open connections, so a message in flight
	 * would never get its end-of-message reply. Without a live snapshot
	 * a new connection is tempfailed at connect.
	 */
	snap_shutdown();
	left = snap_drain(STOP_GRACE_MS);
	smfi_stop();
	sock_wake(spec);
	pthread_join(mtid, &res);
	sem_destroy(&gate);
	report_queue_stop();
	failure_stop();
	metrics_http_stop();
	if (left > 0) {
		log_warn("stop: %d configuration snapshot(s) still in use "
		    "after %d ms; exiting", left, STOP_GRACE_MS);
		return (1);
	}
	dns_free(&dns);
	return ((int)(intptr_t)res);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct conf *cf;
	struct buf *why = buf_new(LIM_REASON);
	sigset_t set;
	char	 pidfile[1024];
	int	 rc, fac, stderr_log;
	size_t	 i;

	for (i = 0; argc > 1 && i < sizeof(subcmds) / sizeof(subcmds[0]); i++)
		if (strcmp(argv[1], subcmds[i].name) == 0) {
			buf_free(&why);
			return (subcmds[i].run(argc - 1, argv + 1));
		}
	parse_opts(argc, argv, &o);
	if (o.t.eml != NULL) {
		buf_free(&why);
		return (tryout_run(o.conf, &o.t));
	}
	cf = check_all(o.conf, why);
	if (o.check) {
		if (o.print)
			conf_dump(cf, stdout);
		conf_free(&cf);
		buf_free(&why);
		return (0);
	}
	fac = log_facility_parse(cf->syslog_facility);	/* checked by conf */
	snprintf(pidfile, sizeof(pidfile), "%s", cf->pidfile);
	/*
	 * glibc gives each thread that allocates its own arena (8 per
	 * core), so per-connection memory spreads over many half-empty
	 * arenas: two hold peak RSS down and cost less CPU (measured with
	 * test-harness/bench at c=128).
	 */
	mallopt(M_ARENA_MAX, 2);
	/*
	 * A struct msg is about 66 KiB, most of it room for the results of
	 * 50 DKIM signatures that a message rarely has. Blocks this large
	 * come from mmap, whose zero pages cost memory only once touched
	 * (peak RSS at c=512 with the bench set: README, Reliability).
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Blocked in every thread (they inherit the mask) but the main
	 * thread once serve() has started the others (see sig_pipe).
	 */
	sig_setup(&set);
	stderr_log = log_open("authmilter", o.foreground, fac);
	if (!o.foreground)
		daemonize(stderr_log);
	log_set_debug(cf->debug);
	if (getuid() == 0 && cf->user[0] == '\0')
		log_warn("running as root: no user set in %s; set user = "
		    "\"authmilter\";", o.conf);
	write_pidfile(pidfile);
	rc = serve(&o, cf, &set, why);		/* cf now belongs to the snapshot */
	if (pidfile[0] != '\0' && unlink(pidfile) != 0 && errno != ENOENT)
		log_warn("pidfile %s: %s (its directory must be writable by "
		    "user)", pidfile, strerror(errno));
	buf_free(&why);
	return (rc);
}
