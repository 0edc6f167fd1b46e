/*
 * NAME
 *	main - options, configuration check, privilege drop, smfi_main
 * SYNOPSIS
 *	authmilter [-f] [-c FILE]
 *	authmilter -n [-p] [-c FILE]
 *	authmilter -t FILE.eml --client-ip IP --helo NAME --mail-from ADDR
 *	    [--rcpt ADDR] [-c FILE]
 *	authmilter SUBCOMMAND ARGS...	(genkey, testkey: see subcmds[])
 * DESCRIPTION
 *	Start-up order matters: the configuration and every handle are
 *	built and checked once before daemonising, so errors reach the
 *	terminal; then fork (no threads exist yet), open the socket as
 *	root, drop privileges, build the resolver and the live snapshot,
 *	start the signal thread and hand over to libmilter.
 *
 *	Signals: SIGUSR1 reloads the configuration (our sigwait thread);
 *	SIGTERM, SIGINT and SIGHUP stop (libmilter's own signal thread).
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
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter/callbacks.h"
#include "milter/keycmd.h"
#include "milter/snap.h"
#include "milter/tryout.h"
#include "util/am.h"
#include "util/log.h"

#define DEF_CONF	"/etc/authmilter/authmilter.conf"
#define AM_VERSION	"0.1.0"

/* subcommands: "authmilter NAME ARGS..."; each returns the exit status */
static const struct subcmd {
	const char *name;
	int	(*run)(int argc, char **argv);
} subcmds[] = {
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
	    "--mail-from ADDR [--rcpt ADDR] [-c FILE]\n"
	    "       authmilter genkey DOMAIN SELECTOR [--type rsa|ed25519] "
	    "[--bits N] [--dir D]\n"
	    "       authmilter testkey [-c FILE] [KEYNAME...]\n"
	    "       authmilter testkey [-c FILE] --domain D --selector S "
	    "--key FILE\n"
	    "       authmilter -V\n");
	exit(status);
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
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->conf = DEF_CONF;
	while ((ch = getopt_long(argc, argv, "c:fnpt:Vh", lo, NULL)) != -1) {
		switch (ch) {
		case 'c': o->conf = optarg; break;
		case 'f': o->foreground = true; break;
		case 'n': o->check = true; break;
		case 'p': o->print = true; break;
		case 't': o->t.eml = optarg; break;
		case 'I': o->t.client_ip = optarg; break;
		case 'H': o->t.helo = optarg; break;
		case 'M': o->t.mail_from = optarg; break;
		case 'R': o->t.rcpt = optarg; break;
		case 'V': printf("authmilter %s\n", AM_VERSION); exit(0);
		case 'h': usage(0);
		default: usage(1);
		}
	}
	if (optind != argc)
		usage(1);
	if (o->t.eml != NULL && (o->t.client_ip == NULL ||
	    o->t.helo == NULL || o->t.mail_from == NULL))
		usage(1);
}

/* check_all - load conf and build every handle once; 0 or exit(1) */
static struct conf *
check_all(const char *path, struct buf *why)
{
	struct conf *cf, *cf2;
	struct dns *dns;
	struct snap *sp;

	if (conf_load(path, &cf, why) != AM_OK ||
	    conf_load(path, &cf2, why) != AM_OK) {
		fprintf(stderr, "authmilter: %s\n", buf_str(why));
		exit(1);
	}
	if ((dns = dns_new(cf->dns_nameservers, cf->dns_timeout, why)) ==
	    NULL || snap_build(cf2, dns, &sp, why) != AM_OK) {
		fprintf(stderr, "authmilter: %s: %s\n", path, buf_str(why));
		exit(1);
	}
	snap_release(&sp);
	dns_free(&dns);
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
	if (initgroups(pw->pw_name, pw->pw_gid) != 0 ||
	    setgid(pw->pw_gid) != 0 || setuid(pw->pw_uid) != 0)
		return (buf_why(why, AM_PERM, "cannot become %s: %s", user,
		    strerror(errno)));
	return (AM_OK);
}

/* daemonize - detach from the terminal; before any thread exists */
static void
daemonize(void)
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

/* sig_thread - SIGUSR1: reload the configuration */
static void *
sig_thread(void *arg)
{
	const char *path = arg;
	struct buf *why = buf_new(LIM_REASON);
	sigset_t set;
	int	 sig;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	for (;;) {
		if (sigwait(&set, &sig) != 0)
			continue;
		if (snap_reload(path, why) == AM_OK)
			log_info("reload: %s loaded", path);
		else
			log_err("reload: %s; keeping the running "
			    "configuration", buf_str(why));
	}
	return (NULL);
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

/* serve - run the milter until libmilter stops */
static int
serve(const struct opts *o, struct conf *cf, struct buf *why)
{
	struct dns *dns;
	struct snap *sp;
	pthread_t tid;
	int	 rc;

	callbacks_setup(cf->socket);
	if (smfi_setconn(cf->socket) != MI_SUCCESS ||
	    smfi_register(callbacks_desc) != MI_SUCCESS ||
	    smfi_opensocket(true) != MI_SUCCESS) {
		log_err("cannot listen on %s", cf->socket);
		return (1);
	}
	listen_nodelay();
	/* before the drop: the snapshot reads the private key files */
	if ((dns = dns_new(cf->dns_nameservers, cf->dns_timeout, why)) ==
	    NULL || snap_build(cf, dns, &sp, why) != AM_OK) {
		log_err("start: %s", buf_str(why));
		return (1);
	}
	if (drop_privileges(cf->user, why) != AM_OK) {
		log_err("%s", buf_str(why));
		return (1);
	}
	snap_install(sp);
	pthread_create(&tid, NULL, sig_thread, (void *)o->conf);
	pthread_detach(tid);
	log_info("authmilter %s listening on %s (%s mode)", AM_VERSION,
	    cf->socket, conf_enum_str("mode", cf->mode));
	rc = smfi_main() == MI_SUCCESS ? 0 : 1;
	log_info("authmilter stopping");
	snap_shutdown();
	dns_free(&dns);
	return (rc);
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct conf *cf;
	struct buf *why = buf_new(LIM_REASON);
	sigset_t set;
	char	 pidfile[1024];
	int	 rc, fac;
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
	signal(SIGPIPE, SIG_IGN);
	/*
	 * Blocked in every thread (they inherit the mask): SIGUSR1 goes to
	 * our sigwait thread, SIGTERM, SIGINT and SIGHUP to libmilter's,
	 * which stops smfi_main() cleanly. Unblocked, they would kill
	 * whichever thread they land on.
	 */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (!o.foreground)
		daemonize();
	log_open("authmilter", o.foreground, fac);
	log_set_debug(cf->debug);
	write_pidfile(pidfile);
	rc = serve(&o, cf, why);		/* cf now belongs to the snapshot */
	if (pidfile[0] != '\0' && unlink(pidfile) != 0 && errno != ENOENT)
		log_warn("pidfile %s: %s (its directory must be writable by "
		    "user)", pidfile, strerror(errno));
	buf_free(&why);
	return (rc);
}
