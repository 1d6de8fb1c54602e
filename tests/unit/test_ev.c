/*
 * test_ev.c: unit tests for the event loop (src/ev.c and its backends).
 *
 * Every test runs once for each backend compiled in, as one cmocka
 * group per backend, since the point of the loop is that they behave
 * alike.  Nothing here depends on timing beyond generous bounds: waits
 * are for descriptors already ready or timers already due.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "ev.h"

/* Enough rounds for anything ready to be seen; never a time limit. */
#define TEST_ROUNDS	200

static const char *test_backend;	/* the group being run */

struct test_fixture {
	struct ev_loop	*loop;
	int		 p[2];		/* a pipe */
	int		 q[2];		/* another pipe */
	int		 sp[2];		/* a socket pair */
};

static int
test_setup(void **state)
{
	struct test_fixture *f;

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->loop = ev_loop_new(test_backend);
	assert_non_null(f->loop);
	assert_string_equal(ev_loop_backend(f->loop), test_backend);
	assert_int_equal(pipe(f->p), 0);
	assert_int_equal(pipe(f->q), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, f->sp), 0);
	*state = f;
	return 0;
}

static int
test_teardown(void **state)
{
	struct test_fixture *f = *state;
	int i;

	ev_loop_free(f->loop);
	for (i = 0; i < 2; i++) {
		close(f->p[i]);
		close(f->q[i]);
		close(f->sp[i]);
	}
	free(f);
	return 0;
}

static void
test_write_byte(int fd)
{
	assert_int_equal(write(fd, "x", 1), 1);
}

/* Descriptors. */

struct test_io {
	struct ev_io	*io;
	int		 calls;
	int		 what;		/* or of every mask received */
	int		 fd;
	int		 free_self;
	struct test_io	*other;		/* see test_free_other */
	struct ev_loop	*loop;
	struct test_io	*renew;		/* see test_free_other */
};

static void
test_io_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct test_io *t = arg;

	assert_ptr_equal(io, t->io);
	assert_int_equal(fd, t->fd);
	assert_int_equal(ev_io_fd(io), fd);
	t->calls++;
	t->what |= what;
	if (t->free_self) {
		ev_io_free(io);
		t->io = NULL;
	}
}

static void
test_pipe_read(void **state)
{
	struct test_fixture *f = *state;
	struct test_io t;

	memset(&t, 0, sizeof(t));
	t.fd = f->p[0];
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	assert_int_equal(ev_io_events(t.io), 0);
	assert_int_equal(ev_io_set(t.io, EV_READ), 0);
	assert_int_equal(ev_io_events(t.io), EV_READ);

	/* Nothing written yet: nothing to call. */
	assert_int_equal(ev_loop_once(f->loop, 0), 0);
	assert_int_equal(t.calls, 0);

	test_write_byte(f->p[1]);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 1);
	assert_int_equal(t.what, EV_READ);
	ev_io_free(t.io);
}

static void
test_socket_write(void **state)
{
	struct test_fixture *f = *state;
	struct test_io t;

	memset(&t, 0, sizeof(t));
	t.fd = f->sp[0];
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	assert_int_equal(ev_io_set(t.io, EV_WRITE), 0);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 1);
	assert_int_equal(t.what, EV_WRITE);

	/* Both wanted, both ready: one call with both. */
	test_write_byte(f->sp[1]);
	t.calls = t.what = 0;
	assert_int_equal(ev_io_set(t.io, EV_READ | EV_WRITE), 0);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 1);
	assert_int_equal(t.what, EV_READ | EV_WRITE);
	ev_io_free(t.io);
}

static void
test_interest_zero(void **state)
{
	struct test_fixture *f = *state;
	struct test_io t;
	int i;

	memset(&t, 0, sizeof(t));
	t.fd = f->p[0];
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	test_write_byte(f->p[1]);
	assert_int_equal(ev_io_set(t.io, EV_READ), 0);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 1);

	/* Still readable, but no longer wanted. */
	assert_int_equal(ev_io_set(t.io, 0), 0);
	assert_int_equal(ev_io_events(t.io), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(ev_loop_once(f->loop, 0), 0);
	assert_int_equal(t.calls, 1);

	/* Wanted again: seen again. */
	assert_int_equal(ev_io_set(t.io, EV_READ), 0);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 2);
	ev_io_free(t.io);
}

/*
 * Peer closed: a hang-up must be delivered, not left to wake the loop
 * forever with nobody called (the original daemon's busy loop).
 */
static void
test_hangup(void **state)
{
	struct test_fixture *f = *state;
	struct test_io t;

	memset(&t, 0, sizeof(t));
	t.fd = f->sp[0];
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	assert_int_equal(ev_io_set(t.io, EV_READ), 0);
	close(f->sp[1]);
	f->sp[1] = -1;
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 1);
	assert_true(t.what & EV_READ);
	ev_io_free(t.io);

	/* An empty pipe whose writer went: epoll says HUP without IN. */
	memset(&t, 0, sizeof(t));
	t.fd = f->p[0];
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	assert_int_equal(ev_io_set(t.io, EV_READ), 0);
	close(f->p[1]);
	f->p[1] = -1;
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 1);
	assert_true(t.what & EV_READ);
	ev_io_free(t.io);
}

/*
 * Interest dropped by an earlier callback of the same round: the other
 * descriptor was reported, but its owner no longer wants a call.
 */
static void
test_drop_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct test_io *t = arg;

	test_io_cb(io, fd, what, arg);
	if (t->other->calls == 0)
		assert_int_equal(ev_io_set(t->other->io, 0), 0);
}

static void
test_interest_drop(void **state)
{
	struct test_fixture *f = *state;
	struct test_io a, b;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.fd = f->p[0];
	b.fd = f->q[0];
	a.other = &b;
	b.other = &a;
	a.io = ev_io_new(f->loop, a.fd, test_drop_cb, &a);
	b.io = ev_io_new(f->loop, b.fd, test_drop_cb, &b);
	assert_non_null(a.io);
	assert_non_null(b.io);
	assert_int_equal(ev_io_set(a.io, EV_READ), 0);
	assert_int_equal(ev_io_set(b.io, EV_READ), 0);
	test_write_byte(f->p[1]);
	test_write_byte(f->q[1]);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(a.calls + b.calls, 1);
	assert_int_equal(ev_loop_once(f->loop, 0), 0);
	assert_int_equal(a.calls + b.calls, 2);
	ev_io_free(a.io);
	ev_io_free(b.io);
}

static void
test_free_self(void **state)
{
	struct test_fixture *f = *state;
	struct test_io t;
	int i;

	memset(&t, 0, sizeof(t));
	t.fd = f->sp[0];
	t.free_self = 1;
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	/* Ready for both at once, so a backend may report it twice. */
	test_write_byte(f->sp[1]);
	assert_int_equal(ev_io_set(t.io, EV_READ | EV_WRITE), 0);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 1);
	assert_null(t.io);
	for (i = 0; i < 3; i++)
		assert_int_equal(ev_loop_once(f->loop, 0), 0);
	assert_int_equal(t.calls, 1);

	/* The fd is free to be registered again. */
	t.free_self = 0;
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	assert_int_equal(ev_io_set(t.io, EV_READ), 0);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 2);
	ev_io_free(t.io);
}

/*
 * Whichever of the two is called first frees the other and, to catch a
 * stale report being delivered to a newcomer, registers a new ev_io on
 * the other's (still readable) fd.
 */
static void
test_free_other_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct test_io *t = arg, *o = t->other;

	test_io_cb(io, fd, what, arg);
	if (o->io == NULL || t->renew->io != NULL)
		return;
	ev_io_free(o->io);
	o->io = NULL;
	t->renew->fd = o->fd;
	t->renew->io = ev_io_new(t->loop, o->fd, test_io_cb, t->renew);
	assert_non_null(t->renew->io);
	assert_int_equal(ev_io_set(t->renew->io, EV_READ), 0);
}

static void
test_free_other(void **state)
{
	struct test_fixture *f = *state;
	struct test_io a, b, renew;
	int i;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&renew, 0, sizeof(renew));
	a.fd = f->p[0];
	b.fd = f->q[0];
	a.other = &b;
	b.other = &a;
	a.renew = b.renew = &renew;
	a.loop = b.loop = f->loop;
	a.io = ev_io_new(f->loop, a.fd, test_free_other_cb, &a);
	b.io = ev_io_new(f->loop, b.fd, test_free_other_cb, &b);
	assert_non_null(a.io);
	assert_non_null(b.io);
	assert_int_equal(ev_io_set(a.io, EV_READ), 0);
	assert_int_equal(ev_io_set(b.io, EV_READ), 0);

	/* Both ready before the loop looks. */
	test_write_byte(f->p[1]);
	test_write_byte(f->q[1]);
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(a.calls + b.calls, 1);
	assert_int_equal(renew.calls, 0);
	assert_non_null(renew.io);
	assert_true(a.io == NULL || b.io == NULL);

	/* Next round: the survivor and the newcomer, both still ready. */
	for (i = 0; i < TEST_ROUNDS && renew.calls == 0; i++)
		assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(renew.calls, 1);
	assert_int_equal(a.calls + b.calls, 2);
	ev_io_free(a.io != NULL ? a.io : b.io);
	ev_io_free(renew.io);
}

/*
 * kqueue reports reading and writing as separate events; the loop must
 * still make one call with both.  Neither epoll nor select does that,
 * so the two reports are made by hand, as a backend would from poll.
 */
static void
test_merge_reports(void **state)
{
	struct test_fixture *f = *state;
	struct test_io t;

	memset(&t, 0, sizeof(t));
	t.fd = f->p[0];
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	assert_int_equal(ev_io_set(t.io, EV_READ | EV_WRITE), 0);
	ev_fired(f->loop, t.fd, EV_READ);
	ev_fired(f->loop, t.fd, EV_WRITE);
	ev_fired(f->loop, t.fd, EV_READ);
	assert_int_equal(ev_loop_once(f->loop, 0), 0);
	assert_int_equal(t.calls, 1);
	assert_int_equal(t.what, EV_READ | EV_WRITE);

	/* Reports for unknown descriptors are dropped. */
	ev_fired(f->loop, f->q[0], EV_READ);
	ev_fired(f->loop, 100000, EV_READ);
	assert_int_equal(ev_loop_once(f->loop, 0), 0);
	assert_int_equal(t.calls, 1);
	ev_io_free(t.io);
}

static void
test_io_errors(void **state)
{
	struct test_fixture *f = *state;
	struct ev_io *io, *io2;
	struct rlimit rl;
	int hi = FD_SETSIZE + 5;

	errno = 0;
	assert_null(ev_io_new(f->loop, -1, test_io_cb, NULL));
	assert_int_equal(errno, EBADF);

	io = ev_io_new(f->loop, f->p[0], test_io_cb, NULL);
	assert_non_null(io);
	errno = 0;
	assert_null(ev_io_new(f->loop, f->p[0], test_io_cb, NULL));
	assert_int_equal(errno, EEXIST);
	ev_io_free(io);

	/* A descriptor past FD_SETSIZE: select refuses, others take it. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur <= (rlim_t)hi)
		return;		/* the rlimit does not allow the check */
	if (dup2(f->p[0], hi) != hi)
		return;
	errno = 0;
	io2 = ev_io_new(f->loop, hi, test_io_cb, NULL);
	if (strcmp(test_backend, "select") == 0) {
		assert_null(io2);
		assert_int_equal(errno, EMFILE);
	} else {
		assert_non_null(io2);
		assert_int_equal(ev_io_set(io2, EV_READ), 0);
		ev_io_free(io2);
	}
	close(hi);
}

/* Many descriptors, so that the tables grow while things are armed. */
static void
test_many_fds(void **state)
{
	struct test_fixture *f = *state;
	enum { N = 100 };
	struct test_io t[N];
	int fds[N][2], i, j, total;

	for (i = 0; i < N; i++) {
		assert_int_equal(pipe(fds[i]), 0);
		memset(&t[i], 0, sizeof(t[i]));
		t[i].fd = fds[i][0];
		t[i].io = ev_io_new(f->loop, t[i].fd, test_io_cb, &t[i]);
		assert_non_null(t[i].io);
		assert_int_equal(ev_io_set(t[i].io, EV_READ), 0);
		if (i % 2 == 0)
			test_write_byte(fds[i][1]);
	}
	total = 0;
	for (i = 0; i < TEST_ROUNDS && total < N / 2; i++) {
		assert_int_equal(ev_loop_once(f->loop, 5000), 0);
		total = 0;
		for (j = 0; j < N; j++)
			total += t[j].calls != 0;
	}
	for (i = 0; i < N; i++) {
		assert_int_equal(t[i].calls != 0, i % 2 == 0);
		ev_io_free(t[i].io);
		close(fds[i][0]);
		close(fds[i][1]);
	}
}

/* Timers. */

struct test_timer {
	struct ev_timer	 t;
	struct ev_loop	*loop;
	int		 id;
	int		 calls;
	int		*order;		/* ids appended here as they fire */
	int		*norder;
	uint64_t	*last;		/* the previous deadline fired */
	int		 sorted;	/* cleared if one fired out of order */
	struct test_timer *victim;
	int		 rearm;		/* times to re-arm itself */
};

static void
test_timer_cb(void *arg)
{
	struct test_timer *tt = arg;

	assert_false(ev_timer_pending(&tt->t));
	assert_true(tt->t.when <= ev_now(tt->loop));
	tt->calls++;
	if (tt->order != NULL)
		tt->order[(*tt->norder)++] = tt->id;
	if (tt->last != NULL) {
		if (tt->t.when < *tt->last)
			tt->sorted = 0;
		*tt->last = tt->t.when;
	}
	if (tt->victim != NULL)
		ev_timer_clear(tt->loop, &tt->victim->t);
	if (tt->rearm > 0) {
		tt->rearm--;
		ev_timer_set(tt->loop, &tt->t, ev_now(tt->loop));
	}
}

static void
test_timer_prep(struct test_timer *tt, struct ev_loop *loop, int id)
{
	memset(tt, 0, sizeof(*tt));
	tt->loop = loop;
	tt->id = id;
	tt->sorted = 1;
	ev_timer_init(&tt->t, test_timer_cb, tt);
}

/* Run until no timer is armed (each wait ends at the next deadline). */
static void
test_run_timers(struct ev_loop *loop)
{
	int i;

	for (i = 0; i < 10000 && ev_timer_count(loop) > 0; i++)
		assert_int_equal(ev_loop_once(loop, -1), 0);
	assert_int_equal(ev_timer_count(loop), 0);
}

static void
test_timer_order(void **state)
{
	struct test_fixture *f = *state;
	struct test_timer tt[4];
	int order[4], norder = 0, i;
	uint64_t now;

	ev_update_now(f->loop);
	now = ev_now(f->loop);
	for (i = 0; i < 4; i++) {
		test_timer_prep(&tt[i], f->loop, i);
		tt[i].order = order;
		tt[i].norder = &norder;
		assert_false(ev_timer_pending(&tt[i].t));
	}
	/* Armed in an order unlike the deadlines'. */
	ev_timer_set(f->loop, &tt[2].t, now + 30);
	ev_timer_set(f->loop, &tt[0].t, now + 10);
	ev_timer_set(f->loop, &tt[3].t, now + 40);
	ev_timer_set(f->loop, &tt[1].t, now + 20);
	assert_int_equal(ev_timer_count(f->loop), 4);
	for (i = 0; i < 4; i++)
		assert_true(ev_timer_pending(&tt[i].t));

	/* Not due yet: a zero wait runs none of them. */
	assert_int_equal(ev_loop_once(f->loop, 0), 0);
	if (ev_now(f->loop) < now + 10)
		assert_int_equal(norder, 0);

	test_run_timers(f->loop);
	assert_int_equal(norder, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(order[i], i);
		assert_int_equal(tt[i].calls, 1);
		assert_false(ev_timer_pending(&tt[i].t));
	}
	assert_true(ev_now(f->loop) >= now + 40);
}

static void
test_timer_move_clear(void **state)
{
	struct test_fixture *f = *state;
	struct test_timer a, b, c;
	int order[3], norder = 0;
	uint64_t now;

	ev_update_now(f->loop);
	now = ev_now(f->loop);
	test_timer_prep(&a, f->loop, 0);
	test_timer_prep(&b, f->loop, 1);
	test_timer_prep(&c, f->loop, 2);
	a.order = b.order = c.order = order;
	a.norder = b.norder = c.norder = &norder;

	ev_timer_set(f->loop, &a.t, now + 100000);
	ev_timer_set(f->loop, &b.t, now + 20);
	ev_timer_set(f->loop, &c.t, now + 100000);
	assert_int_equal(ev_timer_count(f->loop), 3);

	/* Move a ahead of b: set on an armed timer moves it. */
	ev_timer_set(f->loop, &a.t, now + 10);
	assert_int_equal(ev_timer_count(f->loop), 3);
	assert_true(ev_timer_pending(&a.t));

	/* Clear c; clearing again is harmless. */
	ev_timer_clear(f->loop, &c.t);
	ev_timer_clear(f->loop, &c.t);
	assert_false(ev_timer_pending(&c.t));
	assert_int_equal(ev_timer_count(f->loop), 2);

	test_run_timers(f->loop);
	assert_int_equal(norder, 2);
	assert_int_equal(order[0], 0);
	assert_int_equal(order[1], 1);
	assert_int_equal(c.calls, 0);

	/* Moving later works too. */
	norder = 0;
	ev_timer_set(f->loop, &a.t, ev_now(f->loop) + 5);
	ev_timer_set(f->loop, &b.t, ev_now(f->loop) + 10);
	ev_timer_set(f->loop, &a.t, ev_now(f->loop) + 15);
	test_run_timers(f->loop);
	assert_int_equal(norder, 2);
	assert_int_equal(order[0], 1);
	assert_int_equal(order[1], 0);
}

/* Two timers due together, the first to run clears the other. */
static void
test_timer_clear_in_cb(void **state)
{
	struct test_fixture *f = *state;
	struct test_timer a, b;

	ev_update_now(f->loop);
	test_timer_prep(&a, f->loop, 0);
	test_timer_prep(&b, f->loop, 1);
	a.victim = &b;
	b.victim = &a;
	ev_timer_set(f->loop, &a.t, ev_now(f->loop));
	ev_timer_set(f->loop, &b.t, ev_now(f->loop));
	assert_int_equal(ev_loop_once(f->loop, 0), 0);
	assert_int_equal(a.calls + b.calls, 1);
	assert_int_equal(ev_timer_count(f->loop), 0);
}

/* A timer re-arming itself for now neither hangs nor starves the loop. */
static void
test_timer_rearm(void **state)
{
	struct test_fixture *f = *state;
	struct test_timer a;
	struct test_io t;

	memset(&t, 0, sizeof(t));
	t.fd = f->p[0];
	t.io = ev_io_new(f->loop, t.fd, test_io_cb, &t);
	assert_non_null(t.io);
	assert_int_equal(ev_io_set(t.io, EV_READ), 0);
	test_write_byte(f->p[1]);

	ev_update_now(f->loop);
	test_timer_prep(&a, f->loop, 0);
	a.rearm = 1000000;
	ev_timer_set(f->loop, &a.t, ev_now(f->loop));
	assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(t.calls, 1);
	assert_true(a.calls >= 1);
	assert_true(a.calls < 1000);
	assert_true(ev_timer_pending(&a.t));
	ev_timer_clear(f->loop, &a.t);
	ev_io_free(t.io);
}

static void
test_timer_random(void **state)
{
	struct test_fixture *f = *state;
	enum { N = 1000 };
	struct test_timer *tt;
	uint64_t now, last = 0;
	size_t armed;
	int i, fired, cleared[N];

	tt = calloc(N, sizeof(*tt));
	assert_non_null(tt);
	srand(12345);
	ev_update_now(f->loop);
	now = ev_now(f->loop);
	for (i = 0; i < N; i++) {
		test_timer_prep(&tt[i], f->loop, i);
		tt[i].last = &last;
		ev_timer_set(f->loop, &tt[i].t, now + (uint64_t)(rand() % 60));
		cleared[i] = 0;
	}
	assert_int_equal(ev_timer_count(f->loop), N);

	/* Move a third, clear a fifth, re-arm some of those. */
	armed = N;
	for (i = 0; i < N; i++) {
		switch (rand() % 15) {
		case 0: case 1: case 2: case 3: case 4:
			ev_timer_set(f->loop, &tt[i].t,
			    now + (uint64_t)(rand() % 60));
			break;
		case 5: case 6: case 7:
			ev_timer_clear(f->loop, &tt[i].t);
			cleared[i] = 1;
			armed--;
			break;
		}
		if (i % 97 == 0 && cleared[i]) {
			ev_timer_set(f->loop, &tt[i].t,
			    now + (uint64_t)(rand() % 60));
			cleared[i] = 0;
			armed++;
		}
	}
	assert_int_equal(ev_timer_count(f->loop), armed);
	assert_true(armed < N);

	test_run_timers(f->loop);
	fired = 0;
	for (i = 0; i < N; i++) {
		assert_true(tt[i].sorted);
		assert_int_equal(tt[i].calls, !cleared[i]);
		fired += tt[i].calls;
	}
	assert_int_equal(fired, armed);
	free(tt);
}

/* Loop control. */

static void
test_break_cb(void *arg)
{
	ev_loop_break(arg);
}

static void
test_run_break(void **state)
{
	struct test_fixture *f = *state;
	struct ev_timer t;

	ev_timer_init(&t, test_break_cb, f->loop);
	ev_update_now(f->loop);
	ev_timer_set(f->loop, &t, ev_now(f->loop) + 5);
	assert_int_equal(ev_loop_run(f->loop), 0);
	assert_false(ev_timer_pending(&t));

	/* Also when the break comes from the timers run before the wait. */
	ev_timer_set(f->loop, &t, ev_now(f->loop));
	assert_int_equal(ev_loop_run(f->loop), 0);
}

/* Signals. */

struct test_sig {
	int		 calls;
	int		 signo;
	struct ev_loop	*loop;
};

static void
test_sig_cb(int signo, void *arg)
{
	struct test_sig *s = arg;

	s->calls++;
	s->signo = signo;
	if (s->loop != NULL)
		ev_loop_break(s->loop);
}

static void
test_signal(void **state)
{
	struct test_fixture *f = *state;
	struct test_sig s;
	int i;

	memset(&s, 0, sizeof(s));
	assert_int_equal(ev_signal_add(f->loop, SIGUSR1, test_sig_cb, &s), 0);
	assert_int_equal(ev_loop_once(f->loop, 0), 0);
	assert_int_equal(s.calls, 0);

	assert_int_equal(raise(SIGUSR1), 0);
	for (i = 0; i < TEST_ROUNDS && s.calls == 0; i++)
		assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.signo, SIGUSR1);

	/* Twice before the loop looks: both delivered. */
	assert_int_equal(raise(SIGUSR1), 0);
	assert_int_equal(raise(SIGUSR1), 0);
	for (i = 0; i < TEST_ROUNDS && s.calls < 3; i++)
		assert_int_equal(ev_loop_once(f->loop, 5000), 0);
	assert_int_equal(s.calls, 3);
}

/* A signal from a timer stops ev_loop_run through its callback. */
static void
test_raise_cb(void *arg)
{
	(void)arg;
	assert_int_equal(raise(SIGUSR1), 0);
}

static void
test_signal_run(void **state)
{
	struct test_fixture *f = *state;
	struct test_sig s, h;
	struct ev_timer t;

	memset(&s, 0, sizeof(s));
	memset(&h, 0, sizeof(h));
	s.loop = f->loop;
	assert_int_equal(ev_signal_add(f->loop, SIGHUP, test_sig_cb, &h), 0);
	assert_int_equal(ev_signal_add(f->loop, SIGUSR1, test_sig_cb, &s), 0);
	ev_timer_init(&t, test_raise_cb, NULL);
	ev_update_now(f->loop);
	ev_timer_set(f->loop, &t, ev_now(f->loop) + 5);
	assert_int_equal(ev_loop_run(f->loop), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.signo, SIGUSR1);
	assert_int_equal(h.calls, 0);
}

static void
test_backend_names(void **state)
{
	struct ev_loop *loop;
	const char *names = ev_backends();

	(void)state;
	assert_non_null(strstr(names, test_backend));
	assert_non_null(strstr(names, "select"));
	errno = 0;
	assert_null(ev_loop_new("nope"));
	assert_int_equal(errno, ENOENT);
	loop = ev_loop_new(NULL);
	assert_non_null(loop);
	/* The default is the first name listed. */
	assert_int_equal(strncmp(names, ev_loop_backend(loop),
	    strlen(ev_loop_backend(loop))), 0);
	ev_loop_free(loop);
}

#define T(f)	cmocka_unit_test_setup_teardown(f, test_setup, test_teardown)

static const struct CMUnitTest tests[] = {
	T(test_pipe_read),
	T(test_socket_write),
	T(test_interest_zero),
	T(test_hangup),
	T(test_interest_drop),
	T(test_free_self),
	T(test_free_other),
	T(test_merge_reports),
	T(test_io_errors),
	T(test_many_fds),
	T(test_timer_order),
	T(test_timer_move_clear),
	T(test_timer_clear_in_cb),
	T(test_timer_rearm),
	T(test_timer_random),
	T(test_run_break),
	T(test_signal),
	T(test_signal_run),
	cmocka_unit_test(test_backend_names),
};

int
main(void)
{
	char names[256], *name, *save;
	int rc = 0;

	/* A loop that waits forever is a failure, not a hung build. */
	alarm(300);
	strncpy(names, ev_backends(), sizeof(names) - 1);
	names[sizeof(names) - 1] = '\0';
	for (name = strtok_r(names, ",", &save); name != NULL;
	    name = strtok_r(NULL, ",", &save)) {
		test_backend = name;
		rc |= cmocka_run_group_tests_name(name, tests, NULL, NULL);
	}
	return rc != 0;
}
