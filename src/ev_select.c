/*
 * ev_select.c: the select(2) backend of the event loop.
 *
 * Works everywhere, and is the fallback and the -O select choice.  It
 * cannot watch a descriptor >= FD_SETSIZE: maxfd says so, and ev.c
 * refuses such descriptors in ev_io_new() rather than let FD_SET write
 * past the end of a set.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/select.h>
#include <sys/time.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ev.h"

struct ev_select {
	fd_set	rset;		/* the interest; select() gets copies */
	fd_set	wset;
	int	maxfd;		/* highest fd in either set, or -1 */
	int	dirty;		/* maxfd was removed: recompute it */
	fd_set	rready;
	fd_set	wready;
};

static void	*ev_select_init(void);
static void	 ev_select_free(void *);
static int	 ev_select_change(void *, int, int, int);
static int	 ev_select_poll(void *, struct ev_loop *, int);

const struct ev_ops ev_select_ops = {
	"select",
	ev_select_init,
	ev_select_free,
	ev_select_change,
	ev_select_poll,
	FD_SETSIZE - 1
};

static void *
ev_select_init(void)
{
	struct ev_select *sel;

	if ((sel = malloc(sizeof(*sel))) == NULL)
		return (NULL);
	FD_ZERO(&sel->rset);
	FD_ZERO(&sel->wset);
	sel->maxfd = -1;
	sel->dirty = 0;
	return (sel);
}

static void
ev_select_free(void *state)
{
	free(state);
}

static int
ev_select_change(void *state, int fd, int old, int new)
{
	struct ev_select *sel = state;

	(void)old;
	/* ev.c checks maxfd; this is the last line before memory. */
	if (fd < 0 || fd >= FD_SETSIZE) {
		errno = EMFILE;
		return (-1);
	}
	if (new & EV_READ)
		FD_SET(fd, &sel->rset);
	else
		FD_CLR(fd, &sel->rset);
	if (new & EV_WRITE)
		FD_SET(fd, &sel->wset);
	else
		FD_CLR(fd, &sel->wset);
	if (new != 0 && fd > sel->maxfd)
		sel->maxfd = fd;
	else if (new == 0 && fd == sel->maxfd)
		sel->dirty = 1;
	return (0);
}

static int
ev_select_poll(void *state, struct ev_loop *loop, int timeout)
{
	struct ev_select *sel = state;
	struct timeval tv, *tvp = NULL;
	int fd, n, what, maxfd;

	/* Only walk down from the old maximum when it has gone. */
	if (sel->dirty) {
		while (sel->maxfd >= 0 && !FD_ISSET(sel->maxfd, &sel->rset) &&
		    !FD_ISSET(sel->maxfd, &sel->wset))
			sel->maxfd--;
		sel->dirty = 0;
	}
	if (timeout >= 0) {
		tv.tv_sec = timeout / 1000;
		tv.tv_usec = (timeout % 1000) * 1000;
		tvp = &tv;
	}
	sel->rready = sel->rset;
	sel->wready = sel->wset;
	maxfd = sel->maxfd;
	n = select(maxfd + 1, &sel->rready, &sel->wready, NULL, tvp);
	if (n <= 0)
		return (n);
	/* The callbacks run later, from ev.c, so the sets stay as read. */
	n = 0;
	for (fd = 0; fd <= maxfd; fd++) {
		what = 0;
		if (FD_ISSET(fd, &sel->rready))
			what |= EV_READ;
		if (FD_ISSET(fd, &sel->wready))
			what |= EV_WRITE;
		if (what != 0) {
			ev_fired(loop, fd, what);
			n++;
		}
	}
	return (n);
}
