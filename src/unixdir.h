/*
 * unixdir.h: the directory of per-VP unix domain sockets (-U).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef UNIXDIR_H
#define UNIXDIR_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/socket.h>

/*
 * The peer text of a link, as MASTER_ID carries it: "a.b.c.d:port" for
 * IPv4, "<inet_ntop>.port" for IPv6.  0 on success, -1 if the address
 * family is unknown or dst is too small.
 */
int	unixdir_peername(char *dst, size_t size, const struct sockaddr *sa,
	    socklen_t salen);

/*
 * The socket name for a VP: "<monitor>-<peer>" or "<peer>" when monitor
 * is NULL.  0 on success, -1 if it does not fit.
 */
int	unixdir_vpname(char *dst, size_t size, const char *monitor,
	    const char *peer);

/*
 * Create, bind, chmod and listen a unix socket at dir/name, non-blocking
 * and close-on-exec.  mode is the full permission mode (0700 plus group
 * and other bits as configured); a restrictive umask is held around
 * bind so the socket never exists with wider permissions.  An existing
 * file at the path is left alone and is an error (EEXIST).  Returns the
 * descriptor or -1 with errno set (ENAMETOOLONG when the path does not
 * fit in sun_path).  Does not log.
 */
int	unixdir_listen(const char *dir, const char *name, mode_t mode);

/*
 * As unixdir_listen, at a full path (the -M socket).  An existing
 * socket that nobody listens on is a leftover of a crash and is
 * replaced (and logged); anything else there is EEXIST.
 */
int	unixdir_listen_path(const char *path, mode_t mode);

/* Remove dir/name if it is a socket; errors are ignored. */
void	unixdir_unlink(const char *dir, const char *name);

/*
 * At start-up: check that dir is a directory (not merely anything that
 * stat succeeds on).  0 or -1 with errno set (ENOTDIR).
 */
int	unixdir_check(const char *dir);

/*
 * Whether name has the shape of a VP socket name (it ends in ":port"
 * or ".port"), so that start-up cleaning leaves other files alone.
 */
int	unixdir_is_vpname(const char *name);

/*
 * At start-up: remove VP-shaped socket files in dir that nobody listens on (a
 * connect is refused), left by a crashed run.  Live sockets are left
 * alone.  Logs each name it removes or skips.  Returns the number of
 * files removed.
 */
int	unixdir_clean(const char *dir);

#endif /* UNIXDIR_H */
