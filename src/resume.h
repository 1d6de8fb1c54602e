/*
 * resume.h: whether a MASTER_RES may resume a VP.  A pure decision on
 * sequence numbers, kept apart from moving the link across, so that it
 * can be tested on its own, wraparound included.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef RESUME_H
#define RESUME_H

#include <stdint.h>

enum resume_verdict {
	RESUME_OK = 0,
	RESUME_EUNKNOWN,	/* no VP holds the magic */
	RESUME_ERCV,		/* scamper's rcv_nxt is not one we can serve */
	RESUME_EWINDOW		/* our rcv_nxt is outside scamper's window */
};

/*
 * The VP's state: snd_una is its oldest unacknowledged sequence number
 * (snd_nxt when nothing is outstanding); the unacked frames are exactly
 * snd_una .. snd_nxt-1, since reliable frames are numbered in order.
 * r, a and n are scamper's rcv_nxt, snd_una and snd_nxt from the RES.
 */
struct resume_state {
	uint32_t	snd_una;
	uint32_t	snd_nxt;
	uint32_t	rcv_nxt;
};

enum resume_verdict resume_check(const struct resume_state *vp,
		    uint32_t r, uint32_t a, uint32_t n);
const char	*resume_strverdict(enum resume_verdict v);

#endif /* RESUME_H */
