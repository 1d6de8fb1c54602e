/*
 * notify.c: readiness notification to a service manager (see notify.h).
 *
 * The protocol is one datagram per message, "VAR=value" lines, sent to
 * the socket named by NOTIFY_SOCKET: a path, or on Linux a name in the
 * abstract namespace when it starts with '@'.  Written here rather than
 * linking libsystemd: it is a dozen lines and keeps the daemon free of
 * a dependency that most of its platforms do not have.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <stddef.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "notify.h"

static int	 notify_fd = -1;

int
notify_open(void)
{
	struct sockaddr_un	 sa;
	const char		*path;
	size_t			 len;
	socklen_t		 slen;

	if ((path = getenv("NOTIFY_SOCKET")) == NULL || *path == '\0')
		return (0);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	len = strlen(path);
	if (len >= sizeof(sa.sun_path) ||
	    (path[0] != '/' && path[0] != '@')) {
		log_errx("NOTIFY_SOCKET=%s: not a socket path", path);
		return (-1);
	}
	memcpy(sa.sun_path, path, len);
	slen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
	if (path[0] == '@')
		sa.sun_path[0] = '\0';		/* abstract (Linux) */
	else
		slen++;				/* with its NUL */

	if ((notify_fd = socket(AF_UNIX, SOCK_DGRAM, 0)) == -1) {
		log_err("NOTIFY_SOCKET: socket");
		return (-1);
	}
	(void)fcntl(notify_fd, F_SETFD, FD_CLOEXEC);
	if (connect(notify_fd, (struct sockaddr *)&sa, slen) == -1) {
		log_err("NOTIFY_SOCKET=%s: connect", path);
		notify_close();
		return (-1);
	}
	/* Nothing we start should talk to the manager in our name. */
	(void)unsetenv("NOTIFY_SOCKET");
	return (0);
}

void
notify_send(const char *state)
{
	if (notify_fd == -1)
		return;
	if (send(notify_fd, state, strlen(state), 0) == -1)
		log_err("NOTIFY_SOCKET: sending %s", state);
}

void
notify_close(void)
{
	if (notify_fd != -1) {
		close(notify_fd);
		notify_fd = -1;
	}
}
