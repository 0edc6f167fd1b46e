/*
 * NAME
 *	mload - milter protocol (version 6) load generator
 * SYNOPSIS
 *	mload -s SOCKET [-s SOCKET2] [-c CONC] [-n COUNT | -d SECONDS]
 *	    [-k PER_CONN] [-w WARMUP] [-p PID]... [-W command|packet|cork]
 *	    [--ip IP] [--helo NAME] [--from ADDR] [--rcpt ADDR]
 *	    [--timeout MS] [--nodelay|--no-nodelay] [--quickack] [-e STR]
 *	    [--max-errors N] [--kv] [-v]... MSG.eml|DIR...
 * DESCRIPTION
 *	mload plays the MTA side of the milter protocol the way Postfix's
 *	milter8 client does, without libmilter: SMFIC_OPTNEG offering
 *	every protocol step, then per connection SMFIC_CONNECT (family
 *	'4', a documentation address), HELO, and per message MAIL, RCPT,
 *	DATA, one HEADER per field, EOH, BODY in chunks of at most 65535
 *	bytes and BODYEOB, each preceded by the SMFIC_MACRO packet Postfix
 *	sends with default milter_*_macros (and, as Postfix does, even for
 *	events the milter skips, and "i" before every header field and body
 *	chunk). The steps the milter asked to
 *	skip (SMFIP_NO*) are not sent; the steps it asked not to answer
 *	(SMFIP_NR_*) are not waited for; header values keep their leading
 *	space only under SMFIP_HDR_LEADSPC. At end of message it reads
 *	modification actions until a final reply. Between messages on one
 *	connection it sends ABORT, at the end QUIT.
 *
 *	Sockets: inet:HOST:PORT, inet:PORT@HOST (libmilter spelling),
 *	unix:/PATH or local:/PATH. Two -s options chain the milters as
 *	Postfix does: connection-level events go to each in turn, then the
 *	whole content goes to milter 1, its header edits are applied, and
 *	the edited content goes to milter 2, unless milter 1 ended the
 *	message (reject, tempfail, discard).
 *
 *	Messages are .eml files (a directory means every *.eml in it, in
 *	name order). Pseudo header fields, removed before sending, set the
 *	envelope per message: X-Bench-Client-IP, X-Bench-Helo,
 *	X-Bench-Mail-From, X-Bench-Rcpt, and X-Bench-Expect (accept, reject,
 *	tempfail, discard or quarantine: a different outcome counts as a
 *	mismatch). Message i of the run is file i modulo the file count.
 *	Line ends are sent as Postfix sends them: CRLF in the body, LF in
 *	folded header values.
 *
 *	N sessions run at once (one thread each). A session opens a
 *	connection, sends PER_CONN messages, and closes it. Latency is
 *	per message: from connect (first message of a connection) or from
 *	MAIL (later ones) to the final reply of the last milter.
 *
 *	-p PID (repeatable) samples utime+stime from /proc/PID/stat before
 *	and after the measured phase, resets VmHWM (clear_refs 5, when
 *	permitted) before it, and reads VmHWM after it.
 *
 *	Write modes (-W): "command" (default) writes an event's macros and
 *	command in one write(), as Postfix's milter8 does; "packet" writes
 *	every packet on its own; "cork" buffers until a reply is due.
 *	TCP_NODELAY is set on the client side by default; Postfix does not
 *	set it, so --no-nodelay reproduces what Postfix meets over TCP
 *	(Nagle's algorithm holding a write that follows one not answered,
 *	until the milter's delayed ACK).
 *	The run stops early after --max-errors messages (default 1000, 0 =
 *	never) got no final reply, e.g. because the milter died.
 *
 *	-e STR counts the header edits (add, insert, change) whose value
 *	holds STR (e.g. "dkim=pass"): KV key grep. -v prints each message's
 *	outcome, -vv also each header edit, -vvv every reply.
 * OUTPUT
 *	A human summary on stdout, and with --kv one line of key=value
 *	pairs starting with "KV " for scripts.
 * DIAGNOSTICS
 *	Exit 0 when every message got a final reply, 1 when some did not
 *	(counted as "error"), 2 on a usage or set-up error.
 * BUILD
 *	cc -O2 -std=c17 -D_GNU_SOURCE -o mload mload.c mwire.c -lpthread
 * SEE ALSO
 *	mwire.c (the protocol), run.sh; /usr/include/libmilter/mfdef.h;
 *	Postfix src/milter/milter8.c.
 */
#include <sys/socket.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "mload.h"

static const char *verdict_name[V_NUM] = {
	"accept", "reject", "tempfail", "discard", "quarantine", "error",
};
static const char *edit_name[E_NUM] = {
	"add", "insert", "change", "delete", "chgfrom", "rcpt", "body",
};

/* options */
struct target targets[MAX_MILTERS];
int	 ntargets;
int	 verbose, quickack = 0, nodelay = 1;
static int conc = 1, per_conn = 1, kv;
static long count = -1, warmup = 0;
static double duration = 0;
int	 timeout_ms = 30000;
enum wmode wmode = W_COMMAND;
static const char *def_ip = "192.0.2.1", *def_helo = "client.bench.example";
static const char *def_from = "sender@bench.example";
static const char *def_rcpt = "rcpt@rcpt.example";
const char *grep_str;
static pid_t pids[16];
static int npids;

static struct msgfile *msgs;
static int nmsgs;

/* run state */
static atomic_long next_seq;
static atomic_long nerrors;		/* messages that got no final reply */
static long max_errors = 1000;
static long run_count;
static double run_deadline;
static bool run_measured;

/* die - set-up error */
_Noreturn void
die(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	fprintf(stderr, "mload: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(2);
}

/* xmalloc - malloc or die */
void *
xmalloc(size_t n)
{
	void	*p = malloc(n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return (p);
}

/* xrealloc - realloc or die */
void *
xrealloc(void *o, size_t n)
{
	void	*p = realloc(o, n ? n : 1);

	if (p == NULL)
		die("out of memory");
	return (p);
}

/* xstrndup - strndup or die */
char *
xstrndup(const char *s, size_t n)
{
	char	*p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return (p);
}

/* now_ms - monotonic clock in milliseconds */
double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (ts.tv_sec * 1e3 + ts.tv_nsec / 1e6);
}

/* ----------------------------------------------------------- messages */

/* verdict_parse - a verdict word, or -1 */
static int
verdict_parse(const char *s)
{
	int	 i;

	for (i = 0; i < V_NUM; i++)
		if (strcasecmp(s, verdict_name[i]) == 0)
			return (i);
	return (-1);
}

/* trim - strip surrounding white space of a header value in place */
static char *
trim(char *s)
{
	char	*e;

	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n'))
		*--e = '\0';
	return (s);
}

/* msg_add_field - store one raw field (CR removed), or use a pseudo one */
static void
msg_add_field(struct msgfile *m, const char *f, size_t n)
{
	const char *colon = memchr(f, ':', n);
	char	*name, *val;

	if (colon == NULL)
		die("%s: header line without a colon", m->path);
	name = xstrndup(f, colon - f);
	val = xstrndup(colon + 1, n - (colon + 1 - f));
	if (strncasecmp(name, "X-Bench-", 8) == 0) {
		char	*v = xstrndup(trim(val), strlen(trim(val)));
		const char *k = name + 8;

		if (strcasecmp(k, "Client-IP") == 0)
			m->ip = v;
		else if (strcasecmp(k, "Helo") == 0)
			m->helo = v;
		else if (strcasecmp(k, "Mail-From") == 0)
			m->from = v;
		else if (strcasecmp(k, "Rcpt") == 0)
			m->rcpt = v;
		else if (strcasecmp(k, "Expect") == 0) {
			if ((m->expect = verdict_parse(v)) < 0)
				die("%s: bad X-Bench-Expect %s", m->path, v);
			free(v);
		} else
			die("%s: unknown pseudo header %s", m->path, name);
		free(name);
		free(val);
		return;
	}
	m->h = xrealloc(m->h, (m->nh + 1) * sizeof(*m->h));
	m->h[m->nh].name = name;
	m->h[m->nh].value = val;
	m->h[m->nh].vlen = strlen(val);
	m->h[m->nh].owned = false;
	m->nh++;
}

/* msg_load - read and parse one .eml */
static void
msg_load(const char *path, struct msgfile *m)
{
	FILE	*fp;
	char	*raw = NULL, *f = NULL;
	size_t	 rawlen = 0, flen = 0, i, ls, le, bl;
	long	 sz;

	memset(m, 0, sizeof(*m));
	m->path = xstrndup(path, strlen(path));
	m->expect = -1;
	if ((fp = fopen(path, "rb")) == NULL)
		die("%s: %s", path, strerror(errno));
	fseek(fp, 0, SEEK_END);
	sz = ftell(fp);
	rewind(fp);
	raw = xmalloc(sz + 1);
	rawlen = fread(raw, 1, sz, fp);
	fclose(fp);
	raw[rawlen] = '\0';

	/* header section: lines up to the first empty one */
	f = xmalloc(rawlen + 1);
	i = 0;
	for (;;) {
		if (i >= rawlen)
			break;
		ls = i;
		while (i < rawlen && raw[i] != '\n')
			i++;
		le = i;			/* line without LF */
		if (i < rawlen)
			i++;
		if (le > ls && raw[le - 1] == '\r')
			le--;
		if (le == ls)		/* empty line: end of header */
			break;
		if ((raw[ls] == ' ' || raw[ls] == '\t') && flen > 0) {
			f[flen++] = '\n';	/* folded, as Postfix sends */
		} else if (flen > 0) {
			msg_add_field(m, f, flen);
			flen = 0;
		}
		memcpy(f + flen, raw + ls, le - ls);
		flen += le - ls;
	}
	if (flen > 0)
		msg_add_field(m, f, flen);
	free(f);

	/* body: every line end becomes CRLF */
	m->body = xmalloc(2 * (rawlen - i) + 1);
	for (bl = 0; i < rawlen; i++) {
		if (raw[i] == '\n' && (bl == 0 || m->body[bl - 1] != '\r'))
			m->body[bl++] = '\r';
		m->body[bl++] = raw[i];
	}
	m->bodylen = bl;
	free(raw);
	if (m->ip == NULL)
		m->ip = (char *)def_ip;
	if (m->helo == NULL)
		m->helo = (char *)def_helo;
	if (m->from == NULL)
		m->from = (char *)def_from;
	if (m->rcpt == NULL)
		m->rcpt = (char *)def_rcpt;
}

/* cmp_str - qsort of strings */
static int
cmp_str(const void *a, const void *b)
{
	return (strcmp(*(char *const *)a, *(char *const *)b));
}

/* msgs_add_path - a file, or every *.eml of a directory */
static void
msgs_add_path(const char *path)
{
	struct stat st;
	DIR	*d;
	struct dirent *de;
	char	**names = NULL, buf[4096];
	int	 n = 0, i;
	size_t	 l;

	if (stat(path, &st) != 0)
		die("%s: %s", path, strerror(errno));
	if (!S_ISDIR(st.st_mode)) {
		msgs = xrealloc(msgs, (nmsgs + 1) * sizeof(*msgs));
		msg_load(path, &msgs[nmsgs++]);
		return;
	}
	if ((d = opendir(path)) == NULL)
		die("%s: %s", path, strerror(errno));
	while ((de = readdir(d)) != NULL) {
		l = strlen(de->d_name);
		if (l < 5 || strcmp(de->d_name + l - 4, ".eml") != 0)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrndup(de->d_name, l);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s/%s", path, names[i]);
		msgs = xrealloc(msgs, (nmsgs + 1) * sizeof(*msgs));
		msg_load(buf, &msgs[nmsgs++]);
		free(names[i]);
	}
	free(names);
}

/* ------------------------------------------------------------ sockets */

/* target_parse - inet:HOST:PORT, inet:PORT@HOST, unix:PATH, local:PATH */
static void
target_parse(const char *spec, struct target *t)
{
	char	 host[256], port[32];
	const char *p, *at, *colon;
	struct addrinfo hints, *res;
	struct sockaddr_un *un;

	memset(t, 0, sizeof(*t));
	snprintf(t->spec, sizeof(t->spec), "%s", spec);
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0 ||
	    spec[0] == '/') {
		p = spec[0] == '/' ? spec : strchr(spec, ':') + 1;
		un = (struct sockaddr_un *)&t->sa;
		if (strlen(p) >= sizeof(un->sun_path))
			die("%s: path too long", spec);
		un->sun_family = AF_UNIX;
		strcpy(un->sun_path, p);
		t->family = AF_UNIX;
		t->salen = sizeof(*un);
		return;
	}
	if (strncmp(spec, "inet:", 5) == 0)
		p = spec + 5;
	else if (strncmp(spec, "inet6:", 6) == 0)
		p = spec + 6;
	else
		die("%s: want inet:HOST:PORT or unix:PATH", spec);
	if ((at = strchr(p, '@')) != NULL) {		/* PORT@HOST */
		snprintf(port, sizeof(port), "%.*s", (int)(at - p), p);
		snprintf(host, sizeof(host), "%s", at + 1);
	} else if ((colon = strrchr(p, ':')) != NULL) {	/* HOST:PORT */
		snprintf(host, sizeof(host), "%.*s", (int)(colon - p), p);
		snprintf(port, sizeof(port), "%s", colon + 1);
	} else
		die("%s: no port", spec);
	if (host[0] == '[') {
		memmove(host, host + 1, strlen(host));
		host[strcspn(host, "]")] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	if (getaddrinfo(host, port, &hints, &res) != 0)
		die("%s: want a numeric address and port", spec);
	memcpy(&t->sa, res->ai_addr, res->ai_addrlen);
	t->salen = res->ai_addrlen;
	t->family = res->ai_family;
	freeaddrinfo(res);
}

/* tally - count one message's outcome */
static void
tally(struct session *s, const struct msgfile *mf, enum verdict v,
    double t0)
{
	double	 ms = now_ms() - t0;

	if (v == V_ACCEPT && s->quarantined)
		v = V_QUARANTINE;
	if (v == V_ERROR) {
		atomic_fetch_add(&nerrors, 1);
		usleep(1000);		/* a dead milter: do not spin */
	}
	if (!run_measured)
		return;
	s->st.verdicts[v]++;
	s->st.msgs++;
	if (mf->expect >= 0 && mf->expect != (int)v)
		s->st.mismatch++;
	if (v == V_ERROR && s->st.first_err[0] == '\0')
		snprintf(s->st.first_err, sizeof(s->st.first_err), "%s: %s",
		    mf->path, s->err);
	if (s->st.nlat == s->st.caplat) {
		s->st.caplat = s->st.caplat ? 2 * s->st.caplat : 4096;
		s->st.lat = xrealloc(s->st.lat, s->st.caplat * sizeof(double));
	}
	s->st.lat[s->st.nlat++] = ms;
	if (verbose)
		fprintf(stderr, "%s %s %.3f ms%s%s\n", mf->path,
		    verdict_name[v], ms, s->err[0] ? " " : "", s->err);
}

/* take_seq - next message number, or -1 when the run is over */
static long
take_seq(void)
{
	long	 n;

	if (run_deadline > 0 && now_ms() >= run_deadline)
		return (-1);
	if (max_errors > 0 && atomic_load(&nerrors) >= max_errors)
		return (-1);
	n = atomic_fetch_add(&next_seq, 1);
	if (run_count >= 0 && n >= run_count)
		return (-1);
	return (n);
}

/* session_run - thread body: connections until the run is over */
static void *
session_run(void *arg)
{
	struct session *s = arg;
	const struct msgfile *mf;
	enum step_res r;
	enum verdict v;
	long	 seq;
	double	 t0;
	int	 i, k;
	bool	 ok;

	while ((seq = take_seq()) >= 0) {
		mf = &msgs[seq % nmsgs];
		s->err[0] = '\0';
		s->quarantined = false;
		t0 = now_ms();
		ok = true;
		for (i = 0; i < ntargets && ok; i++)
			ok = mc_open(s, &s->mc[i], &targets[i]) == 0;
		if (!ok) {
			tally(s, mf, V_ERROR, t0);
			goto close;
		}
		r = conn_events(s, mf, 40000 + (unsigned)(seq % 20000));
		for (k = 0; k < per_conn; k++) {
			if (k > 0) {
				if ((seq = take_seq()) < 0)
					break;
				mf = &msgs[seq % nmsgs];
				s->err[0] = '\0';
				t0 = now_ms();
			}
			v = r != S_CONTINUE ? res_verdict(r) :
			    one_message(s, mf);
			tally(s, mf, v, t0);
			if (v == V_ERROR)
				break;
			for (i = 0; i < ntargets && k + 1 < per_conn; i++)
				if (!s->mc[i].done)
					mc_abort(&s->mc[i]);
		}
close:
		for (i = 0; i < ntargets; i++)
			mc_close(&s->mc[i], true);
	}
	return (NULL);
}

/* ------------------------------------------------------ process stats */

struct pstat {
	double	 cpu_ms;
	long	 hwm_kb, rss_kb;
	char	 comm[64];
};

/* pstat_read - utime+stime, VmHWM, VmRSS of a process */
static int
pstat_read(pid_t pid, struct pstat *ps)
{
	char	 path[64], buf[4096], *p;
	FILE	*fp;
	unsigned long ut, st;
	size_t	 n;

	memset(ps, 0, sizeof(*ps));
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	if ((p = strrchr(buf, ')')) == NULL)
		return (-1);
	/* fields after "(comm)": 3 state ... 14 utime 15 stime */
	if (sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu",
	    &ut, &st) != 2)
		return (-1);
	ps->cpu_ms = (ut + st) * 1000.0 / sysconf(_SC_CLK_TCK);
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((fp = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(buf, sizeof(buf), fp) != NULL) {
		if (strncmp(buf, "VmHWM:", 6) == 0)
			ps->hwm_kb = atol(buf + 6);
		else if (strncmp(buf, "VmRSS:", 6) == 0)
			ps->rss_kb = atol(buf + 6);
		else if (strncmp(buf, "Name:", 5) == 0) {
			snprintf(ps->comm, sizeof(ps->comm), "%s",
			    buf + 5 + strspn(buf + 5, " \t"));
			ps->comm[strcspn(ps->comm, "\n")] = '\0';
		}
	}
	fclose(fp);
	return (0);
}

/* hwm_reset - reset VmHWM to the current RSS (Linux clear_refs 5) */
static void
hwm_reset(pid_t pid)
{
	char	 path[64];
	FILE	*fp;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	if ((fp = fopen(path, "w")) != NULL) {
		fputs("5", fp);
		fclose(fp);
	}
}

/* ---------------------------------------------------------------- run */

/* cmp_dbl - qsort of doubles */
static int
cmp_dbl(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return (x < y ? -1 : x > y);
}

/* pct - the p-th percentile of a sorted array (nearest rank) */
static double
pct(const double *v, size_t n, double p)
{
	size_t	 i;

	if (n == 0)
		return (0);
	i = (size_t)(p / 100.0 * n + 0.999999);
	if (i < 1)
		i = 1;
	if (i > n)
		i = n;
	return (v[i - 1]);
}

/* run_phase - start conc sessions and wait for them */
static void
run_phase(struct session *ss, long n, double secs, bool measured)
{
	pthread_attr_t attr;
	pthread_t *tids = xmalloc(conc * sizeof(*tids));
	int	 i, rc;

	atomic_store(&next_seq, 0);
	run_count = n;
	run_measured = measured;
	run_deadline = secs > 0 ? now_ms() + secs * 1000 : 0;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	for (i = 0; i < conc; i++)
		if ((rc = pthread_create(&tids[i], &attr, session_run,
		    &ss[i])) != 0)
			die("pthread_create: %s", strerror(rc));
	for (i = 0; i < conc; i++)
		pthread_join(tids[i], NULL);
	pthread_attr_destroy(&attr);
	free(tids);
}

/* usage - the synopsis */
static _Noreturn void
usage(void)
{
	fprintf(stderr,
	    "usage: mload -s SOCKET [-s SOCKET2] [-c CONC] [-n COUNT | "
	    "-d SECONDS]\n"
	    "             [-k PER_CONN] [-w WARMUP] [-p PID]... "
	    "[-W command|packet|cork]\n"
	    "             [--ip IP] [--helo NAME] [--from ADDR] "
	    "[--rcpt ADDR] [--timeout MS]\n"
	    "             [--nodelay|--no-nodelay] [--quickack] [-e STR] "
	    "[--kv] [-v]\n             [--max-errors N] MSG.eml|DIR...\n");
	exit(2);
}

/* parse_opts - the command line */
static void
parse_opts(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "ip", required_argument, NULL, 'I' },
		{ "helo", required_argument, NULL, 'H' },
		{ "from", required_argument, NULL, 'F' },
		{ "rcpt", required_argument, NULL, 'R' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "nodelay", no_argument, &nodelay, 1 },
		{ "no-nodelay", no_argument, &nodelay, 0 },
		{ "quickack", no_argument, &quickack, 1 },
		{ "kv", no_argument, &kv, 1 },
		{ "grep", required_argument, NULL, 'e' },
		{ "max-errors", required_argument, NULL, 'E' },
		{ NULL, 0, NULL, 0 },
	};
	int	 ch;

	while ((ch = getopt_long(argc, argv, "s:c:n:d:k:w:p:W:ve:", lo,
	    NULL)) != -1) {
		switch (ch) {
		case 0:
			break;
		case 's':
			if (ntargets == MAX_MILTERS)
				die("at most %d milters", MAX_MILTERS);
			target_parse(optarg, &targets[ntargets++]);
			break;
		case 'c': conc = atoi(optarg); break;
		case 'n': count = atol(optarg); break;
		case 'd': duration = atof(optarg); break;
		case 'k': per_conn = atoi(optarg); break;
		case 'w': warmup = atol(optarg); break;
		case 'p':
			if (npids == (int)(sizeof(pids) / sizeof(pids[0])))
				die("too many -p");
			pids[npids++] = (pid_t)atol(optarg);
			break;
		case 'W':
			if (strcmp(optarg, "packet") == 0)
				wmode = W_PACKET;
			else if (strcmp(optarg, "command") == 0)
				wmode = W_COMMAND;
			else if (strcmp(optarg, "cork") == 0)
				wmode = W_CORK;
			else
				usage();
			break;
		case 'v': verbose++; break;
		case 'e': grep_str = optarg; break;
		case 'E': max_errors = atol(optarg); break;
		case 'I': def_ip = optarg; break;
		case 'H': def_helo = optarg; break;
		case 'F': def_from = optarg; break;
		case 'R': def_rcpt = optarg; break;
		case 'T': timeout_ms = atoi(optarg); break;
		default: usage();
		}
	}
	if (ntargets == 0 || optind == argc || conc < 1 || per_conn < 1 ||
	    timeout_ms < 1)
		usage();
	for (; optind < argc; optind++)
		msgs_add_path(argv[optind]);
	if (nmsgs == 0)
		die("no messages");
	if (count < 0 && duration <= 0)
		count = nmsgs;
}

int
main(int argc, char **argv)
{
	struct session *ss;
	struct stats tot;
	struct pstat before[16], after[16];
	struct rusage ru0, ru1;
	double	 t0, secs, cpu_sum = 0, self_ms;
	long	 hwm_sum = 0;
	size_t	 j;
	int	 i, v, e;

	signal(SIGPIPE, SIG_IGN);
	parse_opts(argc, argv);
	ss = calloc(conc, sizeof(*ss));
	if (ss == NULL)
		die("out of memory");
	for (i = 0; i < conc; i++)
		for (j = 0; j < MAX_MILTERS; j++)
			ss[i].mc[j].fd = -1;
	if (warmup > 0)
		run_phase(ss, warmup, 0, false);

	for (i = 0; i < npids; i++) {
		hwm_reset(pids[i]);
		if (pstat_read(pids[i], &before[i]) != 0)
			die("pid %d: cannot read /proc", (int)pids[i]);
	}
	getrusage(RUSAGE_SELF, &ru0);
	t0 = now_ms();
	run_phase(ss, duration > 0 ? -1 : count, duration, true);
	secs = (now_ms() - t0) / 1000.0;
	getrusage(RUSAGE_SELF, &ru1);
	for (i = 0; i < npids; i++)
		if (pstat_read(pids[i], &after[i]) != 0)
			memset(&after[i], 0, sizeof(after[i]));

	memset(&tot, 0, sizeof(tot));
	for (i = 0; i < conc; i++) {
		for (v = 0; v < V_NUM; v++)
			tot.verdicts[v] += ss[i].st.verdicts[v];
		for (e = 0; e < E_NUM; e++)
			tot.edits[e] += ss[i].st.edits[e];
		tot.mismatch += ss[i].st.mismatch;
		tot.grep += ss[i].st.grep;
		tot.msgs += ss[i].st.msgs;
		if (tot.first_err[0] == '\0')
			memcpy(tot.first_err, ss[i].st.first_err,
			    sizeof(tot.first_err));
		tot.lat = xrealloc(tot.lat, (tot.nlat + ss[i].st.nlat + 1) *
		    sizeof(double));
		memcpy(tot.lat + tot.nlat, ss[i].st.lat,
		    ss[i].st.nlat * sizeof(double));
		tot.nlat += ss[i].st.nlat;
	}
	qsort(tot.lat, tot.nlat, sizeof(double), cmp_dbl);
	self_ms = (ru1.ru_utime.tv_sec - ru0.ru_utime.tv_sec +
	    ru1.ru_stime.tv_sec - ru0.ru_stime.tv_sec) * 1e3 +
	    (ru1.ru_utime.tv_usec - ru0.ru_utime.tv_usec +
	    ru1.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e3;

	printf("mload: %llu messages in %.3f s, %.1f msg/s, c=%d, k=%d, "
	    "%d milter%s\n", (unsigned long long)tot.msgs, secs,
	    tot.msgs / secs, conc, per_conn, ntargets, ntargets > 1 ? "s" :
	    "");
	printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  max %.3f\n",
	    pct(tot.lat, tot.nlat, 50), pct(tot.lat, tot.nlat, 90),
	    pct(tot.lat, tot.nlat, 99), pct(tot.lat, tot.nlat, 100));
	printf("verdicts:");
	for (v = 0; v < V_NUM; v++)
		printf(" %s=%llu", verdict_name[v],
		    (unsigned long long)tot.verdicts[v]);
	printf("  expect-mismatch=%llu\nedits:",
	    (unsigned long long)tot.mismatch);
	for (e = 0; e < E_NUM; e++)
		printf(" %s=%llu", edit_name[e],
		    (unsigned long long)tot.edits[e]);
	printf("\n");
	for (i = 0; i < npids; i++) {
		double	 d = after[i].cpu_ms - before[i].cpu_ms;

		cpu_sum += d;
		hwm_sum += after[i].hwm_kb;
		printf("pid %d (%s): cpu %.0f ms (%.3f ms/msg), peak rss "
		    "%.1f MiB\n", (int)pids[i], before[i].comm, d,
		    tot.msgs ? d / tot.msgs : 0, after[i].hwm_kb / 1024.0);
	}
	printf("mload itself: cpu %.0f ms (%.3f ms/msg)\n", self_ms,
	    tot.msgs ? self_ms / tot.msgs : 0);
	if (tot.first_err[0] != '\0')
		printf("first error: %s\n", tot.first_err);
	if (max_errors > 0 && atomic_load(&nerrors) >= max_errors)
		printf("run stopped after %ld errors\n", atomic_load(&nerrors));
	if (kv) {
		printf("KV msgs=%llu secs=%.3f rate=%.1f p50=%.3f p90=%.3f "
		    "p99=%.3f max=%.3f", (unsigned long long)tot.msgs, secs,
		    tot.msgs / secs, pct(tot.lat, tot.nlat, 50),
		    pct(tot.lat, tot.nlat, 90), pct(tot.lat, tot.nlat, 99),
		    pct(tot.lat, tot.nlat, 100));
		for (v = 0; v < V_NUM; v++)
			printf(" %s=%llu", verdict_name[v],
			    (unsigned long long)tot.verdicts[v]);
		for (e = 0; e < E_NUM; e++)
			printf(" %s=%llu", edit_name[e],
			    (unsigned long long)tot.edits[e]);
		printf(" mismatch=%llu grep=%llu cpu_ms=%.0f cpu_ms_msg=%.4f "
		    "rss_kb=%ld self_cpu_ms=%.0f\n",
		    (unsigned long long)tot.mismatch,
		    (unsigned long long)tot.grep,
		    cpu_sum, tot.msgs ? cpu_sum / tot.msgs : 0, hwm_sum,
		    self_ms);
	}
	return (tot.verdicts[V_ERROR] ? 1 : 0);
}
