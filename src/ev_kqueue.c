/*
 * ev_kqueue.c: the kqueue backend of the event loop (the BSDs, macOS).
 *
 * kqueue keeps reading and writing as two separate filters; each is
 * added or deleted as its bit of the interest changes, and ev.c merges
 * the two reports for one descriptor into a single callback.  Changes
 * are applied at once, one kevent() call each, so that a failure is
 * reported by the ev_io_set() that caused it.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#ifdef HAVE_KQUEUE

#include <sys/types.h>
#include <sys/event.h>
#include <sys/time.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ev.h"

/* Events taken from the kernel per wait; more simply wait for the next. */
#define EV_KQUEUE_BATCH	256

struct ev_kqueue {
	int		kq;
	struct kevent	events[EV_KQUEUE_BATCH];
};

static void	*ev_kqueue_init(void);
static void	 ev_kqueue_free(void *);
static int	 ev_kqueue_filter(int, int, int, int);
static int	 ev_kqueue_change(void *, int, int, int);
static int	 ev_kqueue_poll(void *, struct ev_loop *, int);

const struct ev_ops ev_kqueue_ops = {
	"kqueue",
	ev_kqueue_init,
	ev_kqueue_free,
	ev_kqueue_change,
	ev_kqueue_poll,
	-1
};

static void *
ev_kqueue_init(void)
{
	struct ev_kqueue *kq;
	int saved;

	if ((kq = malloc(sizeof(*kq))) == NULL)
		return (NULL);
	if ((kq->kq = kqueue()) == -1) {
		saved = errno;
		free(kq);
		errno = saved;
		return (NULL);
	}
	/* Not every system has kqueue1(); the daemon does not exec anyway. */
	(void)fcntl(kq->kq, F_SETFD, FD_CLOEXEC);
	return (kq);
}

static void
ev_kqueue_free(void *state)
{
	struct ev_kqueue *kq = state;

	if (kq == NULL)
		return;
	close(kq->kq);
	free(kq);
}

/* Add (on) or delete (off) one filter for fd. */
static int
ev_kqueue_filter(int kq, int fd, int filter, int on)
{
	struct kevent kev;

	memset(&kev, 0, sizeof(kev));
	EV_SET(&kev, fd, filter, on ? EV_ADD : EV_DELETE, 0, 0, 0);
	return (kevent(kq, &kev, 1, NULL, 0, NULL));
}

static int
ev_kqueue_change(void *state, int fd, int old, int new)
{
	struct ev_kqueue *kq = state;
	int saved;

	if ((old ^ new) & EV_READ) {
		if (ev_kqueue_filter(kq->kq, fd, EVFILT_READ,
		    new & EV_READ) == -1)
			return (-1);
	}
	if ((old ^ new) & EV_WRITE) {
		if (ev_kqueue_filter(kq->kq, fd, EVFILT_WRITE,
		    new & EV_WRITE) == -1) {
			/*
			 * Undo the read half so that the kernel's interest
			 * stays what ev.c believes it to be: old.
			 */
			saved = errno;
			if ((old ^ new) & EV_READ)
				(void)ev_kqueue_filter(kq->kq, fd,
				    EVFILT_READ, old & EV_READ);
			errno = saved;
			return (-1);
		}
	}
	return (0);
}

static int
ev_kqueue_poll(void *state, struct ev_loop *loop, int timeout)
{
	struct ev_kqueue *kq = state;
	struct kevent *kev;
	struct timespec ts, *tsp = NULL;
	int i, n, what;

	if (timeout >= 0) {
		ts.tv_sec = timeout / 1000;
		ts.tv_nsec = (long)(timeout % 1000) * 1000000L;
		tsp = &ts;
	}
	n = kevent(kq->kq, NULL, 0, kq->events, EV_KQUEUE_BATCH, tsp);
	if (n == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		kev = &kq->events[i];
		what = 0;
		if (kev->filter == EVFILT_READ)
			what = EV_READ;
		else if (kev->filter == EVFILT_WRITE)
			what = EV_WRITE;
		/*
		 * End of file or an error: as both, so that whichever of
		 * read or write the owner tries meets the condition.
		 */
		if (kev->flags & (EV_EOF | EV_ERROR))
			what = EV_READ | EV_WRITE;
		ev_fired(loop, (int)kev->ident, what);
	}
	return (n);
}

#endif /* HAVE_KQUEUE */
