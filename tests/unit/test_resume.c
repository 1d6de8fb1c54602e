/*
 * test_resume.c: the resumption decision on sequence numbers, including
 * counters that wrapped past 2^32 and windows that exclude our state.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "resume.h"

static enum resume_verdict
check(uint32_t una, uint32_t snd_nxt, uint32_t rcv_nxt, uint32_t r,
    uint32_t a, uint32_t n)
{
	struct resume_state	 st;

	st.snd_una = una;
	st.snd_nxt = snd_nxt;
	st.rcv_nxt = rcv_nxt;
	return (resume_check(&st, r, a, n));
}

/* The captured resumptions of vectors/03 and /04. */
static void
test_captured(void **state)
{
	(void)state;
	/* 03: we queued seq 2 while a zombie; scamper has all of ours. */
	assert_int_equal(check(2, 3, 9, 2, 9, 9), RESUME_OK);
	/* 04: scamper holds 7 and 8 that never reached us. */
	assert_int_equal(check(2, 2, 7, 2, 7, 9), RESUME_OK);
}

/* The refusals of vectors/07 E23 (snd_nxt 4, rcv_nxt 1, unacked {3}). */
static void
test_refusals(void **state)
{
	(void)state;
	assert_int_equal(check(3, 4, 1, 77, 1, 1), RESUME_ERCV);
	assert_int_equal(check(3, 4, 1, 3, 5, 6), RESUME_EWINDOW);
	assert_int_equal(check(3, 4, 1, 3, 0, 0), RESUME_EWINDOW);
	/* E26's accepted one, and the edges of the queue. */
	assert_int_equal(check(3, 4, 1, 3, 1, 1), RESUME_OK);
	assert_int_equal(check(3, 4, 1, 4, 1, 1), RESUME_OK);
	assert_int_equal(check(3, 4, 1, 2, 1, 1), RESUME_ERCV);
	assert_int_equal(check(3, 4, 1, 5, 1, 1), RESUME_ERCV);
	/* E21: a takeover, frame 0 dropped because r is 1. */
	assert_int_equal(check(0, 3, 0, 1, 0, 0), RESUME_OK);
}

static void
test_wrap(void **state)
{
	(void)state;
	/* Our unacked frames straddle the wrap: 0xfffffffe .. 0. */
	assert_int_equal(check(0xfffffffeu, 1, 5, 0xfffffffeu, 5, 5),
	    RESUME_OK);
	assert_int_equal(check(0xfffffffeu, 1, 5, 0xffffffffu, 5, 5),
	    RESUME_OK);
	assert_int_equal(check(0xfffffffeu, 1, 5, 0, 5, 5), RESUME_OK);
	assert_int_equal(check(0xfffffffeu, 1, 5, 1, 5, 5), RESUME_OK);
	assert_int_equal(check(0xfffffffeu, 1, 5, 2, 5, 5), RESUME_ERCV);
	assert_int_equal(check(0xfffffffeu, 1, 5, 0xfffffffdu, 5, 5),
	    RESUME_ERCV);
	/* scamper's window straddles the wrap around our rcv_nxt. */
	assert_int_equal(check(7, 7, 0, 7, 0xfffffff0u, 5), RESUME_OK);
	assert_int_equal(check(7, 7, 0xfffffff8u, 7, 0xfffffff0u, 5),
	    RESUME_OK);
	assert_int_equal(check(7, 7, 6, 7, 0xfffffff0u, 5), RESUME_EWINDOW);
	assert_int_equal(check(7, 7, 0xffffffefu, 7, 0xfffffff0u, 5),
	    RESUME_EWINDOW);
}

/*
 * Our own queue is tested as a range, which has no ambiguity where
 * serial order has one, at 2^31 (found by fuzz_vp: with nothing
 * outstanding at 0x80000000, r = 0 passed for "inside").  scamper's
 * window is tested serially, as the protocol says: n = 0xffffffff is
 * before rcv_nxt 1.
 */
static void
test_half_window(void **state)
{
	(void)state;
	assert_int_equal(check(0x80000000u, 0x80000000u, 0, 0, 0, 0),
	    RESUME_ERCV);
	assert_int_equal(check(0, 0x80000000u, 0, 0x7fffffffu, 0, 0),
	    RESUME_OK);
	assert_int_equal(check(0, 0x80000000u, 0, 0x80000001u, 0, 0),
	    RESUME_ERCV);
	assert_int_equal(check(3, 4, 1, 3, 0, 0xffffffffu), RESUME_EWINDOW);
	assert_int_equal(check(3, 4, 1, 3, 1, 0x7fffffffu), RESUME_OK);
}

static void
test_strings(void **state)
{
	int	 v;

	(void)state;
	for (v = RESUME_OK; v <= RESUME_EWINDOW; v++)
		assert_non_null(resume_strverdict((enum resume_verdict)v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_captured),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_half_window),
		cmocka_unit_test(test_strings),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
