/*
 * ev.h: the event loop.  One small interface over several kernel
 * readiness mechanisms (epoll, kqueue, select), plus timers and signals.
 *
 * A backend only turns kernel readiness into (fd, mask) pairs; ordering,
 * timers, signal delivery and safe freeing during dispatch are written
 * once, in ev.c.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef EV_H
#define EV_H

#include <stddef.h>
#include <stdint.h>

#define EV_READ		0x01
#define EV_WRITE	0x02

struct ev_loop;
struct ev_io;

/*
 * Called when fd is ready.  what is a mask of EV_READ and EV_WRITE; an
 * error or hang-up condition is reported as both, so that the owner's
 * read or write attempt finds out what happened.  The callback may free
 * any ev_io, including its own: a freed ev_io is never called again.
 */
typedef void ev_io_cb(struct ev_io *io, int fd, int what, void *arg);
typedef void ev_timer_cb(void *arg);
typedef void ev_signal_cb(int signo, void *arg);
typedef void ev_prepare_cb(void *arg);

/*
 * A timer is embedded in its owner's structure, so arming one never
 * allocates.  Timers live in a binary heap: arming, moving and clearing
 * are O(log n), and the loop only looks at the earliest.
 */
struct ev_timer {
	uint64_t	 when;		/* absolute, ev_now() milliseconds */
	size_t		 slot;		/* index in the heap, or EV_NOSLOT */
	ev_timer_cb	*cb;
	void		*arg;
};
#define EV_NOSLOT	((size_t)-1)

/*
 * Backend operations.  Every field is filled by every backend.
 *   init:   create the backend state; NULL on failure, errno set.
 *   free:   release it.
 *   change: the interest for fd goes from old to new (masks of EV_READ
 *           and EV_WRITE; new may be 0 to stop watching).  0 or -1 with
 *           errno set.
 *   poll:   wait at most timeout milliseconds (-1 = forever) and call
 *           ev_fired() for every ready descriptor.  Returns the number
 *           of descriptors reported, or -1 with errno set; EINTR is not
 *           an error worth reporting to the user.
 *   maxfd:  the largest descriptor the backend can watch, or -1 for no
 *           limit of its own.
 */
struct ev_ops {
	const char	*name;
	void		*(*init)(void);
	void		 (*free)(void *state);
	int		 (*change)(void *state, int fd, int old, int new);
	int		 (*poll)(void *state, struct ev_loop *loop,
			    int timeout);
	int		 maxfd;
};

/* The backends compiled in, each defined in its own ev_<name>.c. */
extern const struct ev_ops ev_epoll_ops;
extern const struct ev_ops ev_kqueue_ops;
extern const struct ev_ops ev_select_ops;

/* Used by backends from poll(): fd is ready for what. */
void		 ev_fired(struct ev_loop *loop, int fd, int what);

/*
 * Create a loop with the named backend, or with the best one compiled
 * in when name is NULL.  NULL on failure, errno set (ENOENT for a name
 * that is not compiled in).
 */
struct ev_loop	*ev_loop_new(const char *name);
void		 ev_loop_free(struct ev_loop *loop);
const char	*ev_loop_backend(const struct ev_loop *loop);

/* The largest descriptor the loop's backend can watch, or -1: no limit. */
int		 ev_loop_maxfd(const struct ev_loop *loop);

/* Comma-separated names of the backends compiled in, best first. */
const char	*ev_backends(void);

/*
 * Run until ev_loop_break() is called.  0 after a break, -1 with errno
 * set when the backend fails.
 */
int		 ev_loop_run(struct ev_loop *loop);
/* One iteration waiting at most timeout ms (-1: until something). */
int		 ev_loop_once(struct ev_loop *loop, int timeout);
void		 ev_loop_break(struct ev_loop *loop);
/*
 * cb runs once per iteration, after timers and before the wait: the
 * place to flush output gathered while handling a round of events, so
 * that it leaves in one write instead of waiting for writability.
 */
void		 ev_loop_set_prepare(struct ev_loop *loop, ev_prepare_cb *cb,
		    void *arg);

/* The loop's clock: monotonic milliseconds, updated once per wake-up. */
uint64_t	 ev_now(const struct ev_loop *loop);
/* Refresh the cached clock (after a long piece of work). */
void		 ev_update_now(struct ev_loop *loop);

/*
 * Descriptors.  ev_io_new registers fd with no interest; ev_io_set
 * changes the interest.  ev_io_new fails with EMFILE when the backend
 * cannot watch fd (select and FD_SETSIZE).  ev_io_free stops watching
 * and frees; it does not close fd.
 */
struct ev_io	*ev_io_new(struct ev_loop *loop, int fd, ev_io_cb *cb,
		    void *arg);
int		 ev_io_set(struct ev_io *io, int events);
int		 ev_io_events(const struct ev_io *io);
int		 ev_io_fd(const struct ev_io *io);
void		 ev_io_free(struct ev_io *io);

/* Timers: when is absolute in ev_now() milliseconds. */
void		 ev_timer_init(struct ev_timer *t, ev_timer_cb *cb, void *arg);
void		 ev_timer_set(struct ev_loop *loop, struct ev_timer *t,
		    uint64_t when);
void		 ev_timer_clear(struct ev_loop *loop, struct ev_timer *t);
int		 ev_timer_pending(const struct ev_timer *t);
size_t		 ev_timer_count(const struct ev_loop *loop);

/*
 * Signals are caught by a handler that only writes to a pipe; cb runs
 * from the loop like any other event, so it may do anything.
 */
int		 ev_signal_add(struct ev_loop *loop, int signo,
		    ev_signal_cb *cb, void *arg);

#endif /* EV_H */
