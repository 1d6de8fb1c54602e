/*
 * ev_epoll.c: the epoll backend of the event loop (Linux).
 *
 * Level-triggered, one registration per descriptor.  ev.c tells us the
 * old and new interest, so no per-descriptor state is kept here: no old
 * interest means a new registration, no new interest means removal.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifdef HAVE_EPOLL

#include <sys/types.h>
#include <sys/epoll.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"

/* Events taken from the kernel per wait; more simply wait for the next. */
#define EV_EPOLL_BATCH	256

struct ev_epoll {
	int			epfd;
	struct epoll_event	events[EV_EPOLL_BATCH];
};

static void	*ev_epoll_init(void);
static void	 ev_epoll_free(void *);
static int	 ev_epoll_change(void *, int, int, int);
static int	 ev_epoll_poll(void *, struct ev_loop *, int);

const struct ev_ops ev_epoll_ops = {
	"epoll",
	ev_epoll_init,
	ev_epoll_free,
	ev_epoll_change,
	ev_epoll_poll,
	-1
};

static void *
ev_epoll_init(void)
{
	struct ev_epoll *ep;
	int saved;

	if ((ep = malloc(sizeof(*ep))) == NULL)
		return (NULL);
	if ((ep->epfd = epoll_create1(EPOLL_CLOEXEC)) == -1) {
		saved = errno;
		free(ep);
		errno = saved;
		return (NULL);
	}
	return (ep);
}

static void
ev_epoll_free(void *state)
{
	struct ev_epoll *ep = state;

	if (ep == NULL)
		return;
	close(ep->epfd);
	free(ep);
}

static int
ev_epoll_change(void *state, int fd, int old, int new)
{
	struct ev_epoll *ep = state;
	struct epoll_event ev;
	int op;

	if (old == new)
		return (0);
	/* Zeroed: valgrind, and kernels before 2.6.9 want an event on DEL. */
	memset(&ev, 0, sizeof(ev));
	if (new & EV_READ)
		ev.events |= EPOLLIN;
	if (new & EV_WRITE)
		ev.events |= EPOLLOUT;
	ev.data.fd = fd;
	if (new == 0)
		op = EPOLL_CTL_DEL;
	else if (old == 0)
		op = EPOLL_CTL_ADD;
	else
		op = EPOLL_CTL_MOD;
	return (epoll_ctl(ep->epfd, op, fd, &ev));
}

static int
ev_epoll_poll(void *state, struct ev_loop *loop, int timeout)
{
	struct ev_epoll *ep = state;
	uint32_t e;
	int i, n, what;

	n = epoll_wait(ep->epfd, ep->events, EV_EPOLL_BATCH, timeout);
	if (n == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		e = ep->events[i].events;
		what = 0;
		if (e & EPOLLIN)
			what |= EV_READ;
		if (e & EPOLLOUT)
			what |= EV_WRITE;
		/*
		 * Error and hang-up come whether asked for or not, and may
		 * come without EPOLLIN: passed on as nothing, they would
		 * wake every wait without anyone looking.  As both, the
		 * owner's next read or write meets the condition.
		 */
		if (e & (EPOLLERR | EPOLLHUP))
			what = EV_READ | EV_WRITE;
		ev_fired(loop, ep->events[i].data.fd, what);
	}
	return (n);
}

#endif /* HAVE_EPOLL */
