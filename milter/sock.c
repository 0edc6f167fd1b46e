/*
 * NAME
 *	sock - the unix milter socket: stale file, permissions, group
 * DESCRIPTION
 *	See sock.h.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "milter/sock.h"
#include "util/am.h"

/* sock_unix_path - the file of a unix socket spec, or NULL */
const char *
sock_unix_path(const char *spec)
{
	if (strncmp(spec, "unix:", 5) == 0)
		return (spec + 5);
	if (strncmp(spec, "local:", 6) == 0)
		return (spec + 6);
	if (spec[0] == '/')
		return (spec);
	return (NULL);
}

/* unix_connect - 0 if something accepts connections on path */
static int
unix_connect(const char *path)
{
	struct sockaddr_un sun;
	int	 fd, rc;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path))
		return (-1);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return (-1);
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	return (rc == 0 ? 0 : -1);
}

/* sock_prepare - remove a stale unix socket; refuse anything else */
int
sock_prepare(const char *spec, struct buf *why)
{
	const char *path = sock_unix_path(spec);
	struct stat st;

	if (path == NULL)
		return (AM_OK);
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return (AM_OK);
		return (buf_why(why, AM_PERM, "socket %s: %s", path,
		    strerror(errno)));
	}
	if (!S_ISSOCK(st.st_mode))
		return (buf_why(why, AM_PERM, "socket %s: exists and is not "
		    "a socket; not removing it", path));
	if (unix_connect(path) == 0)
		return (buf_why(why, AM_PERM, "socket %s: another process "
		    "listens on it", path));
	if (unlink(path) != 0 && errno != ENOENT)
		return (buf_why(why, AM_PERM, "socket %s: cannot remove the "
		    "stale socket: %s", path, strerror(errno)));
	return (AM_OK);
}

/* sock_apply - mode and group of a new unix socket */
int
sock_apply(const char *spec, int mode, const char *group, struct buf *why)
{
	const char *path = sock_unix_path(spec);
	struct group *gr;
	gid_t	 gid = (gid_t)-1;

	if (path == NULL)
		return (AM_OK);
	if (group[0] != '\0') {
		if ((gr = getgrnam(group)) == NULL)
			return (buf_why(why, AM_PERM, "socket_group %s: "
			    "unknown group", group));
		gid = gr->gr_gid;
	}
	if (chown(path, (uid_t)-1, gid) != 0)
		return (buf_why(why, AM_PERM, "socket %s: group %s: %s", path,
		    group, strerror(errno)));
	if (chmod(path, (mode_t)mode) != 0)
		return (buf_why(why, AM_PERM, "socket %s: mode %04o: %s",
		    path, mode, strerror(errno)));
	return (AM_OK);
}

/* inet_wake - connect to "inet:PORT@ADDR" or "inet6:PORT@ADDR" */
static int
inet_wake(const char *spec)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
	const char *at;
	char	 host[128];
	int	 fd, rc, six, port;

	six = strncmp(spec, "inet6:", 6) == 0;
	if (!six && strncmp(spec, "inet:", 5) != 0)
		return (-1);
	port = atoi(spec + (six ? 6 : 5));
	at = strchr(spec, '@');
	snprintf(host, sizeof(host), "%s", at != NULL ? at + 1 :
	    six ? "::1" : "127.0.0.1");
	memset(&ss, 0, sizeof(ss));
	if (!six && (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "*") == 0))
		snprintf(host, sizeof(host), "127.0.0.1");
	if (six && strcmp(host, "::") == 0)
		snprintf(host, sizeof(host), "::1");
	if (six) {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host, &sin6->sin6_addr) != 1)
			return (-1);
	} else {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &sin->sin_addr) != 1)
			return (-1);
	}
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0)
		return (-1);
	rc = connect(fd, (struct sockaddr *)&ss, six ? sizeof(*sin6) :
	    sizeof(*sin));
	close(fd);
	return (rc == 0 ? 0 : -1);
}

/* sock_wake - one connection to our own socket, to end accept's wait */
int
sock_wake(const char *spec)
{
	const char *path = sock_unix_path(spec);

	if (path != NULL)
		return (unix_connect(path));
	return (inet_wake(spec));
}
