/*
 * unixdir.c: the per-VP unix domain sockets in the -U directory.
 *
 * Naming follows the reference daemon so that existing clients find
 * their sockets; creation is tighter: the socket never exists with
 * permissions wider than asked for, an existing file is never replaced,
 * and sockets left by a crashed run can be cleared at startup.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "unixdir.h"

int
unixdir_peername(char *dst, size_t size, const struct sockaddr *sa,
    socklen_t salen)
{
	const struct sockaddr_in	*sin;
	const struct sockaddr_in6	*sin6;
	char				 addr[INET6_ADDRSTRLEN];
	int				 n;

	if (sa->sa_family == AF_INET && salen >= sizeof(*sin)) {
		sin = (const struct sockaddr_in *)(const void *)sa;
		if (inet_ntop(AF_INET, &sin->sin_addr, addr,
		    sizeof(addr)) == NULL)
			return (-1);
		n = snprintf(dst, size, "%s:%u", addr,
		    (unsigned)ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6 && salen >= sizeof(*sin6)) {
		sin6 = (const struct sockaddr_in6 *)(const void *)sa;
		if (inet_ntop(AF_INET6, &sin6->sin6_addr, addr,
		    sizeof(addr)) == NULL)
			return (-1);
		/* A dot, not a colon: an IPv6 text already has colons. */
		n = snprintf(dst, size, "%s.%u", addr,
		    (unsigned)ntohs(sin6->sin6_port));
	} else {
		errno = EAFNOSUPPORT;
		return (-1);
	}
	if (n < 0 || (size_t)n >= size) {
		errno = ENOSPC;
		return (-1);
	}
	return (0);
}

int
unixdir_vpname(char *dst, size_t size, const char *monitor,
    const char *peer)
{
	int	n;

	if (monitor != NULL)
		n = snprintf(dst, size, "%s-%s", monitor, peer);
	else
		n = snprintf(dst, size, "%s", peer);
	if (n < 0 || (size_t)n >= size) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	return (0);
}

/* dir/name into sun; -1 with ENAMETOOLONG if it does not fit. */
static int
unixdir_addr(struct sockaddr_un *sun, const char *dir, const char *name)
{
	int	n;

	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	n = snprintf(sun->sun_path, sizeof(sun->sun_path), "%s/%s", dir,
	    name);
	if (n < 0 || (size_t)n >= sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	return (0);
}

static int	unixdir_probe(const struct sockaddr_un *);

/* A unix stream socket, non-blocking and close-on-exec. */
static int
unixdir_socket(void)
{
#if defined(SOCK_NONBLOCK) && defined(SOCK_CLOEXEC)
	/* Atomic where available: no window for a fork to inherit it. */
	return (socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0));
#else
	int	fd, fl, saved;

	if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1)
		return (-1);
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    (fl = fcntl(fd, F_GETFD)) == -1 ||
	    fcntl(fd, F_SETFD, fl | FD_CLOEXEC) == -1) {
		saved = errno;
		close(fd);
		errno = saved;
		return (-1);
	}
	return (fd);
#endif
}

/* Bind, chmod and listen a socket at sun. */
static int
unixdir_listen_at(const struct sockaddr_un *sun, mode_t mode)
{
	mode_t			 omask;
	int			 fd, rc, saved;

	if ((fd = unixdir_socket()) == -1)
		return (-1);

	/*
	 * bind creates the file with a mode from the umask; hold the
	 * umask at owner-only until chmod has set the mode we want, so
	 * no one else can connect in between.  The daemon has a single
	 * thread, so changing the process umask here is safe.
	 */
	omask = umask(0077);
	rc = bind(fd, (const struct sockaddr *)sun, sizeof(*sun));
	saved = errno;
	umask(omask);
	if (rc != 0) {
		close(fd);
		/* Something is already there; it is not ours to remove. */
		errno = saved == EADDRINUSE ? EEXIST : saved;
		return (-1);
	}

	/* Only permission bits: a socket has no use for the others. */
	if (chmod(sun->sun_path, mode & 0777) != 0 ||
	    listen(fd, SOMAXCONN) != 0) {
		saved = errno;
		unlink(sun->sun_path);
		close(fd);
		errno = saved;
		return (-1);
	}
	return (fd);
}

int
unixdir_listen(const char *dir, const char *name, mode_t mode)
{
	struct sockaddr_un	 sun;

	if (unixdir_addr(&sun, dir, name) != 0)
		return (-1);
	return (unixdir_listen_at(&sun, mode));
}

int
unixdir_listen_path(const char *path, mode_t mode)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	memcpy(sun.sun_path, path, strlen(path));
	if ((fd = unixdir_listen_at(&sun, mode)) != -1 || errno != EEXIST)
		return (fd);
	/* A socket left by a crash that nobody listens on may go. */
	if (lstat(path, &st) != 0 || !S_ISSOCK(st.st_mode) ||
	    unixdir_probe(&sun) != 0) {
		errno = EEXIST;
		return (-1);
	}
	log_info("removed stale socket %s", path);
	if (unlink(path) != 0)
		return (-1);
	return (unixdir_listen_at(&sun, mode));
}

void
unixdir_unlink(const char *dir, const char *name)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 saved = errno;

	/* lstat: never follow a link, never remove anything but a socket */
	if (unixdir_addr(&sun, dir, name) == 0 &&
	    lstat(sun.sun_path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(sun.sun_path);
	errno = saved;
}

int
unixdir_check(const char *dir)
{
	struct stat	st;

	if (stat(dir, &st) != 0)
		return (-1);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		return (-1);
	}
	return (0);
}

/*
 * 1 if someone listens on the socket at sun, 0 if nobody does, -1 if
 * that cannot be told (errno set).  A non-blocking connect answers
 * without waiting: a full backlog (EAGAIN) still means a listener.
 */
static int
unixdir_probe(const struct sockaddr_un *sun)
{
	int	fd, rc, saved;

	if ((fd = unixdir_socket()) == -1)
		return (-1);
	if (connect(fd, (const struct sockaddr *)sun, sizeof(*sun)) == 0)
		rc = 1;
	else if (errno == EINPROGRESS || errno == EAGAIN ||
	    errno == EWOULDBLOCK)
		rc = 1;
	else if (errno == ECONNREFUSED || errno == ENOENT)
		rc = 0;
	else
		rc = -1;
	saved = errno;
	close(fd);
	errno = saved;
	return (rc);
}

int
unixdir_is_vpname(const char *name)
{
	size_t	 len = strlen(name), i, digits = 0;

	/* "<peer>" ends in ":port" (IPv4) or ".port" (IPv6). */
	for (i = len; i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9'; i--)
		digits++;
	if (digits == 0 || digits > 5 || i < 2)
		return (0);
	return (name[i - 1] == ':' || name[i - 1] == '.');
}

int
unixdir_clean(const char *dir)
{
	struct sockaddr_un	 sun;
	struct dirent		*de;
	struct stat		 st;
	DIR			*d;
	char			 name[256 * 4 + 1];
	int			 removed = 0, saved;

	if ((d = opendir(dir)) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		/* Only names we could have made: others' are not ours. */
		if (!unixdir_is_vpname(de->d_name))
			continue;
		/* Too long for sun_path: no VP can ever collide with it. */
		if (unixdir_addr(&sun, dir, de->d_name) != 0)
			continue;
		if (lstat(sun.sun_path, &st) != 0 || !S_ISSOCK(st.st_mode))
			continue;
		/* File names are not ours: escape them for the log. */
		log_escape(name, sizeof(name), de->d_name,
		    strlen(de->d_name));
		switch (unixdir_probe(&sun)) {
		case 0:
			if (unlink(sun.sun_path) == 0) {
				log_info("removed stale socket %s", name);
				removed++;
			} else
				log_err("cannot remove stale socket %s", name);
			break;
		case 1:
			log_info("left live socket %s alone", name);
			break;
		default:
			log_err("cannot probe socket %s, left alone", name);
			break;
		}
	}
	saved = errno;
	closedir(d);
	errno = saved;
	return (removed);
}
