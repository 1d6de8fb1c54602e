/*
 * ev.c: the event loop proper, written once for every backend.
 *
 * A backend (ev_epoll.c, ev_kqueue.c, ev_select.c) only turns kernel
 * readiness into ev_fired() calls.  Everything with rules attached lives
 * here: the descriptor table, collecting and then dispatching the ready
 * descriptors so that a callback freeing any ev_io is safe, the timer
 * heap and the clock, and turning signals into ordinary events through
 * a self-pipe.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ev.h"

#define EV_MASK		(EV_READ | EV_WRITE)
#define EV_NOTFIRED	((size_t)-1)	/* ev_io.fired: not in this round */
#define EV_SIGMAX	32		/* signals ev_signal_add can hold */

struct ev_io {
	struct ev_loop	*loop;
	int		 fd;
	int		 events;	/* current interest */
	int		 dead;		/* freed during dispatch */
	size_t		 fired;		/* index in loop->fired, or NOTFIRED */
	ev_io_cb	*cb;
	void		*arg;
	struct ev_io	*next_dead;
};

/* One ready descriptor of the current round. */
struct ev_fire {
	struct ev_io	*io;
	int		 what;
};

struct ev_loop {
	const struct ev_ops	*ops;
	void			*state;

	/* fd -> ev_io, NULL where nothing is registered. */
	struct ev_io		**fds;
	size_t			 nfds;

	/*
	 * The ready descriptors of this round.  An ev_io appears at most
	 * once, so fired never needs more room than fds has slots: it is
	 * grown together with fds and ev_fired() never allocates.
	 */
	struct ev_fire		*fired;
	size_t			 nfired;
	size_t			 firedcap;

	/*
	 * While dispatching, a freed ev_io is only marked dead and kept
	 * here, so that pointers still in fired stay valid; the list is
	 * freed once the round is over.
	 */
	int			 dispatching;
	struct ev_io		*dead;

	/* Called once per iteration, just before waiting. */
	ev_prepare_cb		*prepare;
	void			*prepare_arg;

	/* The timer heap: heap[0] is the earliest. */
	struct ev_timer		**heap;
	size_t			 nheap;
	size_t			 heapcap;

	uint64_t		 now;
	int			 brk;
	struct ev_io		*sigio;
};

/* The backends compiled in, best first. */
static const struct ev_ops *const ev_backend_table[] = {
#ifdef HAVE_EPOLL
	&ev_epoll_ops,
#endif
#ifdef HAVE_KQUEUE
	&ev_kqueue_ops,
#endif
	&ev_select_ops,
};
#define EV_NBACKENDS	(sizeof(ev_backend_table) / sizeof(ev_backend_table[0]))

static const char ev_backend_names[] =
#ifdef HAVE_EPOLL
	"epoll,"
#endif
#ifdef HAVE_KQUEUE
	"kqueue,"
#endif
	"select";

/*
 * Signal state.  A handler can only find its pipe through a static, so
 * only one loop at a time handles signals: the one that first called
 * ev_signal_add, until it is freed.
 */
struct ev_sig {
	int			 signo;
	ev_signal_cb		*cb;
	void			*arg;
	struct sigaction	 old;	/* restored when the loop goes */
};
static struct ev_sig	 ev_sigs[EV_SIGMAX];
static size_t		 ev_nsigs;
static int		 ev_sigpipe[2] = { -1, -1 };
static struct ev_loop	*ev_sigloop;

static void	ev_signal_handler(int);
static void	ev_signal_read(struct ev_io *, int, int, void *);
static int	ev_signal_pipe(struct ev_loop *);
static void	ev_signal_cleanup(struct ev_loop *);
static int	ev_grow(struct ev_loop *, int);
static void	ev_dispatch(struct ev_loop *);
static void	ev_fired_reset(struct ev_loop *);
static void	ev_free_dead(struct ev_loop *);
static void	ev_timer_run(struct ev_loop *);
static int	ev_timer_timeout(const struct ev_loop *);
static void	ev_heap_up(struct ev_loop *, size_t);
static void	ev_heap_down(struct ev_loop *, size_t);
static void	ev_heap_fix(struct ev_loop *, size_t);

const char *
ev_backends(void)
{
	return (ev_backend_names);
}

struct ev_loop *
ev_loop_new(const char *name)
{
	struct ev_loop *loop;
	size_t i;
	int saved;

	if ((loop = calloc(1, sizeof(*loop))) == NULL)
		return (NULL);
	errno = ENOENT;
	for (i = 0; i < EV_NBACKENDS; i++) {
		if (name != NULL && strcmp(name, ev_backend_table[i]->name))
			continue;
		if ((loop->state = ev_backend_table[i]->init()) != NULL) {
			loop->ops = ev_backend_table[i];
			break;
		}
		/* A named backend that fails is not replaced by another. */
		if (name != NULL)
			break;
	}
	if (loop->ops == NULL) {
		saved = errno;
		free(loop);
		errno = saved;
		return (NULL);
	}
	ev_update_now(loop);
	return (loop);
}

/*
 * Free the loop and whatever ev_io are still registered with it, so that
 * a daemon tearing down does not leak them; owners must not touch their
 * ev_io afterwards.  Timers belong to their owners and are only dropped.
 */
void
ev_loop_free(struct ev_loop *loop)
{
	size_t i;

	if (loop == NULL)
		return;
	if (ev_sigloop == loop)
		ev_signal_cleanup(loop);
	for (i = 0; i < loop->nheap; i++)
		loop->heap[i]->slot = EV_NOSLOT;
	free(loop->heap);
	for (i = 0; i < loop->nfds; i++) {
		if (loop->fds[i] != NULL)
			ev_io_free(loop->fds[i]);
	}
	ev_free_dead(loop);
	loop->ops->free(loop->state);
	free(loop->fds);
	free(loop->fired);
	free(loop);
}

const char *
ev_loop_backend(const struct ev_loop *loop)
{
	return (loop->ops->name);
}

uint64_t
ev_now(const struct ev_loop *loop)
{
	return (loop->now);
}

void
ev_update_now(struct ev_loop *loop)
{
	struct timespec ts;

	/*
	 * Truncating to whole milliseconds is what makes the poll timeout
	 * exact: after waiting when - now ms the truncated clock has
	 * reached when, so a timer is never found a millisecond early.
	 */
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == 0)
		loop->now = (uint64_t)ts.tv_sec * 1000 +
		    (uint64_t)ts.tv_nsec / 1000000;
}

void
ev_loop_break(struct ev_loop *loop)
{
	loop->brk = 1;
}

/*
 * A break only ends the run it was made in: one left over from callbacks
 * run by ev_loop_once() outside a run does not end the next run at once.
 */
int
ev_loop_run(struct ev_loop *loop)
{
	loop->brk = 0;
	while (!loop->brk) {
		if (ev_loop_once(loop, -1) == -1)
			return (-1);
	}
	loop->brk = 0;
	return (0);
}

/*
 * One round: run the timers already due, wait for the earlier of the
 * caller's timeout and the first timer left, dispatch what the backend
 * reported, and run the timers that came due meanwhile.  That last step
 * is why a single call with a timer pending always runs it.
 */
int
ev_loop_once(struct ev_loop *loop, int timeout)
{
	int t, rc, brk = loop->brk;

	ev_update_now(loop);
	ev_timer_run(loop);
	if (loop->prepare != NULL)
		loop->prepare(loop->prepare_arg);
	t = ev_timer_timeout(loop);
	if (timeout >= 0 && (t < 0 || timeout < t))
		t = timeout;
	/* A timer that just broke the loop must not be followed by a wait. */
	if (loop->brk && !brk)
		t = 0;

	rc = loop->ops->poll(loop->state, loop, t);
	if (rc == -1 && errno != EINTR) {
		ev_fired_reset(loop);
		return (-1);
	}
	ev_update_now(loop);
	ev_dispatch(loop);
	ev_timer_run(loop);
	return (0);
}

int
ev_loop_maxfd(const struct ev_loop *loop)
{
	return (loop->ops->maxfd);
}

void
ev_loop_set_prepare(struct ev_loop *loop, ev_prepare_cb *cb, void *arg)
{
	loop->prepare = cb;
	loop->prepare_arg = arg;
}

/* Make room for fd in fds, and for as many entries in fired. */
static int
ev_grow(struct ev_loop *loop, int fd)
{
	struct ev_fire *fired;
	struct ev_io **fds;
	size_t n;

	if ((size_t)fd < loop->nfds)
		return (0);
	n = loop->nfds ? loop->nfds : 64;
	while (n <= (size_t)fd)
		n *= 2;
	/*
	 * fired first: it must never be smaller than fds, and a failure
	 * after it leaves only some unused room behind.  fired is indexed
	 * afresh for each entry during dispatch, so moving it is safe even
	 * when a callback registers a new descriptor.
	 */
	if (n > loop->firedcap) {
		if ((fired = realloc(loop->fired, n * sizeof(*fired))) == NULL)
			return (-1);
		loop->fired = fired;
		loop->firedcap = n;
	}
	if ((fds = realloc(loop->fds, n * sizeof(*fds))) == NULL)
		return (-1);
	memset(fds + loop->nfds, 0, (n - loop->nfds) * sizeof(*fds));
	loop->fds = fds;
	loop->nfds = n;
	return (0);
}

struct ev_io *
ev_io_new(struct ev_loop *loop, int fd, ev_io_cb *cb, void *arg)
{
	struct ev_io *io;

	if (fd < 0) {
		errno = EBADF;
		return (NULL);
	}
	/* select cannot watch fd >= FD_SETSIZE: refuse, do not overrun. */
	if (loop->ops->maxfd >= 0 && fd > loop->ops->maxfd) {
		errno = EMFILE;
		return (NULL);
	}
	if (ev_grow(loop, fd) == -1)
		return (NULL);
	if (loop->fds[fd] != NULL) {
		errno = EEXIST;
		return (NULL);
	}
	if ((io = calloc(1, sizeof(*io))) == NULL)
		return (NULL);
	io->loop = loop;
	io->fd = fd;
	io->fired = EV_NOTFIRED;
	io->cb = cb;
	io->arg = arg;
	loop->fds[fd] = io;
	return (io);
}

int
ev_io_set(struct ev_io *io, int events)
{
	struct ev_loop *loop = io->loop;

	events &= EV_MASK;
	if (events == io->events)
		return (0);
	if (loop->ops->change(loop->state, io->fd, io->events, events) == -1)
		return (-1);
	io->events = events;
	return (0);
}

int
ev_io_events(const struct ev_io *io)
{
	return (io->events);
}

int
ev_io_fd(const struct ev_io *io)
{
	return (io->fd);
}

void
ev_io_free(struct ev_io *io)
{
	struct ev_loop *loop;
	int saved;

	if (io == NULL)
		return;
	loop = io->loop;
	saved = errno;
	/*
	 * The interest goes now, not later, so that a new ev_io on the
	 * same fd starts from nothing.  Failure is ignored: the owner may
	 * well have closed fd already, which removes it by itself.
	 */
	if (io->events != 0)
		(void)loop->ops->change(loop->state, io->fd, io->events, 0);
	io->events = 0;
	if (loop->fds[io->fd] == io)
		loop->fds[io->fd] = NULL;
	if (loop->dispatching) {
		io->dead = 1;
		io->next_dead = loop->dead;
		loop->dead = io;
	} else
		free(io);
	errno = saved;
}

void
ev_fired(struct ev_loop *loop, int fd, int what)
{
	struct ev_io *io;

	what &= EV_MASK;
	if (fd < 0 || (size_t)fd >= loop->nfds || what == 0)
		return;
	if ((io = loop->fds[fd]) == NULL)
		return;
	/* kqueue reports read and write apart: one call per fd anyway. */
	if (io->fired != EV_NOTFIRED) {
		loop->fired[io->fired].what |= what;
		return;
	}
	if (loop->nfired >= loop->firedcap)
		return;		/* cannot happen: see struct ev_loop */
	io->fired = loop->nfired;
	loop->fired[loop->nfired].io = io;
	loop->fired[loop->nfired].what = what;
	loop->nfired++;
}

/*
 * Call back every descriptor reported by the backend.  Reporting and
 * calling are separate steps so that nothing a callback does (freeing
 * any ev_io, reusing its fd, changing interest) can disturb the
 * backend's walk; and here each entry is checked again just before its
 * call.  This is what keeps a read handler that frees an object from
 * having that object's write handler run on freed memory.
 */
static void
ev_dispatch(struct ev_loop *loop)
{
	struct ev_io *io;
	size_t i, n;
	int what;

	n = loop->nfired;
	loop->dispatching = 1;
	for (i = 0; i < n; i++) {
		io = loop->fired[i].io;
		what = loop->fired[i].what;
		io->fired = EV_NOTFIRED;
		/* Freed this round, or its fd now belongs to a newer one. */
		if (io->dead || loop->fds[io->fd] != io)
			continue;
		/*
		 * Backends only report what was asked for, except that an
		 * error or hang-up comes as both: that is always passed on
		 * whole.  What remains to filter is interest dropped by an
		 * earlier callback of this round; none at all means the
		 * owner wants no call.
		 */
		if (io->events == 0)
			continue;
		if (what != EV_MASK && (what &= io->events) == 0)
			continue;
		io->cb(io, io->fd, what, io->arg);
	}
	loop->nfired = 0;
	loop->dispatching = 0;
	ev_free_dead(loop);
}

/* Forget whatever a failed poll may have reported before failing. */
static void
ev_fired_reset(struct ev_loop *loop)
{
	size_t i;

	for (i = 0; i < loop->nfired; i++)
		loop->fired[i].io->fired = EV_NOTFIRED;
	loop->nfired = 0;
}

static void
ev_free_dead(struct ev_loop *loop)
{
	struct ev_io *io;

	while ((io = loop->dead) != NULL) {
		loop->dead = io->next_dead;
		free(io);
	}
}

/* Timers. */

void
ev_timer_init(struct ev_timer *t, ev_timer_cb *cb, void *arg)
{
	t->when = 0;
	t->slot = EV_NOSLOT;
	t->cb = cb;
	t->arg = arg;
}

int
ev_timer_pending(const struct ev_timer *t)
{
	return (t->slot != EV_NOSLOT);
}

size_t
ev_timer_count(const struct ev_loop *loop)
{
	return (loop->nheap);
}

static void
ev_heap_up(struct ev_loop *loop, size_t i)
{
	struct ev_timer **h = loop->heap, *t = h[i];
	size_t parent;

	while (i > 0) {
		parent = (i - 1) / 2;
		if (h[parent]->when <= t->when)
			break;
		h[i] = h[parent];
		h[i]->slot = i;
		i = parent;
	}
	h[i] = t;
	t->slot = i;
}

static void
ev_heap_down(struct ev_loop *loop, size_t i)
{
	struct ev_timer **h = loop->heap, *t = h[i];
	size_t n = loop->nheap, c;

	for (;;) {
		c = 2 * i + 1;
		if (c >= n)
			break;
		if (c + 1 < n && h[c + 1]->when < h[c]->when)
			c++;
		if (t->when <= h[c]->when)
			break;
		h[i] = h[c];
		h[i]->slot = i;
		i = c;
	}
	h[i] = t;
	t->slot = i;
}

/* Restore the heap after the entry at i changed its deadline. */
static void
ev_heap_fix(struct ev_loop *loop, size_t i)
{
	if (i > 0 && loop->heap[(i - 1) / 2]->when > loop->heap[i]->when)
		ev_heap_up(loop, i);
	else
		ev_heap_down(loop, i);
}

void
ev_timer_set(struct ev_loop *loop, struct ev_timer *t, uint64_t when)
{
	struct ev_timer **h;
	size_t n;

	t->when = when;
	if (t->slot != EV_NOSLOT) {
		ev_heap_fix(loop, t->slot);
		return;
	}
	if (loop->nheap == loop->heapcap) {
		n = loop->heapcap ? loop->heapcap * 2 : 64;
		/*
		 * The interface cannot report failure, and a timer that is
		 * silently not armed would leave its owner waiting forever:
		 * running out of memory for a few pointers is fatal.
		 */
		if ((h = realloc(loop->heap, n * sizeof(*h))) == NULL) {
			fputs("ev_timer_set: out of memory\n", stderr);
			abort();
		}
		loop->heap = h;
		loop->heapcap = n;
	}
	loop->heap[loop->nheap] = t;
	ev_heap_up(loop, loop->nheap++);
}

void
ev_timer_clear(struct ev_loop *loop, struct ev_timer *t)
{
	size_t i = t->slot;

	if (i == EV_NOSLOT)
		return;
	t->slot = EV_NOSLOT;
	if (i != --loop->nheap) {
		loop->heap[i] = loop->heap[loop->nheap];
		loop->heap[i]->slot = i;
		ev_heap_fix(loop, i);
	}
}

/*
 * Run the timers that are due, earliest first.  At most as many calls
 * as there were timers to begin with: a callback that re-arms a timer
 * for now would otherwise keep this loop going and starve descriptors.
 * Whatever is still due then makes the next poll not wait.
 */
static void
ev_timer_run(struct ev_loop *loop)
{
	struct ev_timer *t;
	size_t budget = loop->nheap;

	while (budget-- > 0 && loop->nheap > 0 &&
	    loop->heap[0]->when <= loop->now) {
		t = loop->heap[0];
		ev_timer_clear(loop, t);
		t->cb(t->arg);
	}
}

/* Milliseconds until the first timer, -1 when none is armed. */
static int
ev_timer_timeout(const struct ev_loop *loop)
{
	uint64_t d;

	if (loop->nheap == 0)
		return (-1);
	if (loop->heap[0]->when <= loop->now)
		return (0);
	d = loop->heap[0]->when - loop->now;
	return (d > INT_MAX ? INT_MAX : (int)d);
}

/* Signals. */

static void
ev_signal_handler(int signo)
{
	unsigned char b = (unsigned char)signo;
	int saved = errno;

	/* A full pipe already holds a wake-up: losing this byte is fine. */
	(void)write(ev_sigpipe[1], &b, 1);
	errno = saved;
}

static void
ev_signal_read(struct ev_io *io, int fd, int what, void *arg)
{
	unsigned char buf[64];
	ssize_t n, i;
	size_t j;

	(void)io;
	(void)what;
	(void)arg;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		for (i = 0; i < n; i++) {
			/* Looked up per byte: a callback may add signals. */
			for (j = 0; j < ev_nsigs; j++) {
				if (ev_sigs[j].signo == buf[i]) {
					ev_sigs[j].cb(buf[i], ev_sigs[j].arg);
					break;
				}
			}
		}
	}
}

static int
ev_signal_pipe(struct ev_loop *loop)
{
	int i, saved;

	if (pipe(ev_sigpipe) == -1)
		return (-1);
	for (i = 0; i < 2; i++) {
		if (fcntl(ev_sigpipe[i], F_SETFL,
		    fcntl(ev_sigpipe[i], F_GETFL) | O_NONBLOCK) == -1 ||
		    fcntl(ev_sigpipe[i], F_SETFD, FD_CLOEXEC) == -1)
			goto fail;
	}
	if ((loop->sigio = ev_io_new(loop, ev_sigpipe[0], ev_signal_read,
	    NULL)) == NULL)
		goto fail;
	if (ev_io_set(loop->sigio, EV_READ) == -1)
		goto fail;
	ev_sigloop = loop;
	return (0);

fail:
	saved = errno;
	ev_io_free(loop->sigio);
	loop->sigio = NULL;
	close(ev_sigpipe[0]);
	close(ev_sigpipe[1]);
	ev_sigpipe[0] = ev_sigpipe[1] = -1;
	errno = saved;
	return (-1);
}

/* Put back the handlers found before, then drop the pipe. */
static void
ev_signal_cleanup(struct ev_loop *loop)
{
	size_t i;

	for (i = 0; i < ev_nsigs; i++)
		(void)sigaction(ev_sigs[i].signo, &ev_sigs[i].old, NULL);
	ev_nsigs = 0;
	ev_io_free(loop->sigio);
	loop->sigio = NULL;
	close(ev_sigpipe[0]);
	close(ev_sigpipe[1]);
	ev_sigpipe[0] = ev_sigpipe[1] = -1;
	ev_sigloop = NULL;
}

int
ev_signal_add(struct ev_loop *loop, int signo, ev_signal_cb *cb, void *arg)
{
	struct sigaction sa;
	size_t i;

	if (signo <= 0 || signo > UCHAR_MAX) {
		errno = EINVAL;
		return (-1);
	}
	if (ev_sigloop != NULL && ev_sigloop != loop) {
		errno = EBUSY;
		return (-1);
	}
	for (i = 0; i < ev_nsigs; i++) {
		if (ev_sigs[i].signo == signo) {
			ev_sigs[i].cb = cb;
			ev_sigs[i].arg = arg;
			return (0);
		}
	}
	if (ev_nsigs == EV_SIGMAX) {
		errno = ENOSPC;
		return (-1);
	}
	if (ev_sigloop == NULL && ev_signal_pipe(loop) == -1)
		return (-1);

	/* The entry exists before the handler can write its byte. */
	ev_sigs[ev_nsigs].signo = signo;
	ev_sigs[ev_nsigs].cb = cb;
	ev_sigs[ev_nsigs].arg = arg;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = ev_signal_handler;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a signal should cut a wait short. */
	sa.sa_flags = 0;
	if (sigaction(signo, &sa, &ev_sigs[ev_nsigs].old) == -1)
		return (-1);
	ev_nsigs++;
	return (0);
}
