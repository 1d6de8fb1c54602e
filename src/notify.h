/*
 * notify.h: readiness notification to a service manager.
 *
 * systemd (Type=notify) and compatible managers pass the path of a unix
 * datagram socket in NOTIFY_SOCKET and wait for "READY=1" on it before
 * they consider the service started.  Without NOTIFY_SOCKET all of this
 * does nothing.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef NOTIFY_H
#define NOTIFY_H

/*
 * Connect to $NOTIFY_SOCKET, if set, and take it out of the
 * environment.  Call before chroot: the connected socket keeps working
 * inside the root, where the path may not exist.  0 when there is
 * nothing to do or the socket is ready; -1 (logged) otherwise.
 */
int	notify_open(void);

/* Send one state line such as "READY=1"; errors are logged, no more. */
void	notify_send(const char *state);

void	notify_close(void);

#endif /* NOTIFY_H */
