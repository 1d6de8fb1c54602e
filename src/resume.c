/*
 * resume.c: the resumption decision (see resume.h).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "proto.h"
#include "resume.h"

enum resume_verdict
resume_check(const struct resume_state *vp, uint32_t r, uint32_t a,
    uint32_t n)
{
	/*
	 * scamper expects r next: it must be a frame we still hold, or
	 * the next one we will send.  Anything else means one of us lost
	 * data that cannot be recovered.  Our frames are exactly
	 * snd_una..snd_nxt-1, so this is a range test, done as distances
	 * modulo 2^32 from its start: exact after the counters wrap, and
	 * free of the ambiguity serial order has at 2^31.
	 */
	if ((uint32_t)(r - vp->snd_una) >
	    (uint32_t)(vp->snd_nxt - vp->snd_una))
		return (RESUME_ERCV);

	/*
	 * scamper holds a..n-1 unacknowledged; what we expect next must
	 * fall in that window or be n itself.  We know nothing of that
	 * window but its ends, so this is the serial test of
	 * remote-protocol.md 11.2, as scamper itself reasons.
	 */
	if (!(proto_seq_le(a, vp->rcv_nxt) && proto_seq_le(vp->rcv_nxt, n)))
		return (RESUME_EWINDOW);
	return (RESUME_OK);
}

const char *
resume_strverdict(enum resume_verdict v)
{
	switch (v) {
	case RESUME_OK:
		return ("accepted");
	case RESUME_EUNKNOWN:
		return ("no VP with this magic");
	case RESUME_ERCV:
		return ("scamper expects a sequence number we do not hold");
	case RESUME_EWINDOW:
		return ("our next expected sequence number is outside "
		    "scamper's unacknowledged window");
	}
	return ("unknown verdict");
}
