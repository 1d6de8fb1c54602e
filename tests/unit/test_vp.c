/*
 * test_vp.c: the per-VP engine fed frames directly, no sockets: sequence
 * numbers, ACKs, channels and their FINs, every malformed frame an
 * established link can carry, zombie queueing, resumption and the
 * flow-control bounds.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chan.h"
#include "proto.h"
#include "resume.h"
#include "vp.h"

/* What the engine told its owner. */
struct rec {
	int		 out_ready;
	int		 chan_ready;
	int		 chan_closed;
	uint32_t	 closed_ids[16];
	int		 clients_resume;
	int		 link_resume;
};

static struct rec rec;

static void
rec_out_ready(struct vp *vp)
{
	(void)vp;
	rec.out_ready++;
}

static void
rec_chan_ready(struct vp *vp, struct chan *c)
{
	(void)vp;
	(void)c;
	rec.chan_ready++;
}

static void
rec_chan_closed(struct vp *vp, struct chan *c)
{
	(void)vp;
	if (rec.chan_closed < 16)
		rec.closed_ids[rec.chan_closed] = c->id;
	rec.chan_closed++;
}

static void
rec_clients_resume(struct vp *vp)
{
	(void)vp;
	rec.clients_resume++;
}

static void
rec_link_resume(struct vp *vp)
{
	(void)vp;
	rec.link_resume++;
}

static const struct vp_ops rec_ops = {
	NULL, rec_out_ready, rec_chan_ready, rec_chan_closed,
	rec_clients_resume, rec_link_resume
};

/* A client that takes direct writes of up to direct_room bytes. */
static size_t	 direct_room;
static size_t	 direct_calls;

static size_t
rec_chan_direct(struct vp *vp, struct chan *c, const uint8_t *p, size_t n)
{
	(void)vp;
	(void)c;
	(void)p;
	direct_calls++;
	return (n < direct_room ? n : direct_room);
}

static const struct vp_ops direct_ops = {
	rec_chan_direct, rec_out_ready, rec_chan_ready, rec_chan_closed,
	rec_clients_resume, rec_link_resume
};

static const uint8_t magic[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
static const struct vp_limits default_limits = {
	256 * 1024, 1024 * 1024, 256 * 1024
};

static int
setup(void **state)
{
	memset(&rec, 0, sizeof(rec));
	vp_limits = default_limits;
	*state = vp_new(magic, sizeof(magic), "vp1", &rec_ops, NULL);
	return (*state == NULL ? -1 : 0);
}

static int
teardown(void **state)
{
	vp_free(*state);
	vp_limits = default_limits;
	return (0);
}

/* Take everything the engine wrote for the link, as one buffer. */
static size_t
drain(struct vp *vp, uint8_t *dst, size_t size)
{
	size_t	 n = buf_len(&vp->out);

	assert_true(n <= size);
	if (n > 0)
		memcpy(dst, buf_data(&vp->out), n);
	buf_consume(&vp->out, n);
	vp_out_written(vp);
	return (n);
}

/* Feed one frame; returns vp_input's result. */
static int
feed(struct vp *vp, uint32_t seq, uint32_t chan, const void *p, size_t n)
{
	struct proto_frame	 f;
	const char		*why = NULL;
	int			 rc;

	f.seq = seq;
	f.chan = chan;
	f.len = (uint16_t)n;
	f.payload = p;
	rc = vp_input(vp, &f, &why);
	if (rc != 0)
		assert_non_null(why);
	return (rc);
}

static int
feed_ack(struct vp *vp, uint32_t seq, uint32_t n)
{
	uint8_t	 p[5];

	p[0] = PROTO_ACK;
	proto_put32(p + 1, n);
	return (feed(vp, seq, 0, p, 5));
}

static int
feed_fin(struct vp *vp, uint32_t seq, uint32_t id)
{
	uint8_t	 p[5];

	p[0] = PROTO_CHANNEL_FIN;
	proto_put32(p + 1, id);
	return (feed(vp, seq, 0, p, 5));
}

/* Expect the frame at *p to be the given header; step past it. */
static const uint8_t *
expect_hdr(const uint8_t *p, uint32_t seq, uint32_t chan, uint16_t len)
{
	struct proto_frame	 f;

	assert_int_equal(proto_frame_get(p, PROTO_HDRLEN + len, &f),
	    PROTO_HDRLEN + len);
	assert_int_equal(f.seq, seq);
	assert_int_equal(f.chan, chan);
	assert_int_equal(f.len, len);
	return (p + PROTO_HDRLEN);
}

static void
test_master_id(void **state)
{
	struct vp	*vp = *state;
	uint8_t		 out[64];
	size_t		 n;
	static const uint8_t want[] = {
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x01, 0x10,
		'1', '2', '7', '.', '0', '.', '0', '.', '1', ':',
		'4', '6', '6', '4', '8', 0
	};

	/* Byte for byte the MASTER_ID of vectors/01. */
	assert_int_equal(vp_send_id(vp, "127.0.0.1:46648"), 0);
	assert_int_equal(rec.out_ready, 1);
	n = drain(vp, out, sizeof(out));
	assert_int_equal(n, sizeof(want));
	assert_memory_equal(out, want, n);
}

static void
test_channel_roundtrip(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint8_t		 out[256];
	const uint8_t	*p;
	size_t		 n;

	c = vp_chan_open(vp, NULL);
	assert_non_null(c);
	assert_int_equal(c->id, 1);
	assert_int_equal(vp_chan_data(vp, c, "ping\n", 5), 0);
	assert_int_equal(vp->snd_nxt, 2);
	assert_int_equal(vp->unacked_n, 2);

	/* CHANNEL_NEW as seq 0, then the data as seq 1, unacknowledged. */
	n = drain(vp, out, sizeof(out));
	assert_int_equal(n, PROTO_HDRLEN + 5 + PROTO_HDRLEN + 5);
	p = expect_hdr(out, 0, 0, 5);
	assert_int_equal(p[0], PROTO_CHANNEL_NEW);
	assert_int_equal(proto_get32(p + 1), 1);
	p = expect_hdr(p + 5, 1, 1, 5);
	assert_memory_equal(p, "ping\n", 5);

	/* scamper acknowledges both, in order. */
	assert_int_equal(feed_ack(vp, 0, 0), 0);
	assert_int_equal(vp->unacked_n, 1);
	assert_int_equal(vp_snd_una(vp), 1);
	assert_int_equal(feed_ack(vp, 0, 1), 0);
	assert_int_equal(vp->unacked_n, 0);
	assert_int_equal(vp_snd_una(vp), 2);
	assert_int_equal(buf_len(&vp->unacked), 0);

	/* Its answer reaches the channel; we ACK with our snd_nxt. */
	assert_int_equal(feed(vp, 0, 1, "OK id-1\n", 8), 0);
	assert_int_equal(rec.chan_ready, 1);
	assert_int_equal(buf_len(&c->out), 8);
	assert_memory_equal(buf_data(&c->out), "OK id-1\n", 8);
	assert_int_equal(vp->rcv_nxt, 1);
	n = drain(vp, out, sizeof(out));
	assert_int_equal(n, PROTO_HDRLEN + 5);
	p = expect_hdr(out, 2, 0, 5);
	assert_int_equal(p[0], PROTO_ACK);
	assert_int_equal(proto_get32(p + 1), 0);
}

static void
test_keepalive_unreliable(void **state)
{
	struct vp	*vp = *state;
	uint8_t		 out[64];
	const uint8_t	*p;
	static const uint8_t ka[] = { PROTO_KEEPALIVE };

	vp->snd_nxt = 9;
	assert_int_equal(vp_keepalive(vp), 0);
	assert_int_equal(drain(vp, out, sizeof(out)), PROTO_HDRLEN + 1);
	p = expect_hdr(out, 9, 0, 1);
	assert_int_equal(p[0], PROTO_KEEPALIVE);
	assert_int_equal(vp->snd_nxt, 9);
	assert_int_equal(vp->unacked_n, 0);

	/* Theirs changes nothing and is not acknowledged. */
	assert_int_equal(feed(vp, 0, 0, ka, 1), 0);
	assert_int_equal(vp->rcv_nxt, 0);
	assert_int_equal(buf_len(&vp->out), 0);
}

/* Every malformed frame on an established link is refused. */
static void
test_bad_frames(void **state)
{
	struct vp	*vp = *state;
	static const uint8_t ka_payload[] = { PROTO_KEEPALIVE, 0 };
	static const uint8_t ack_short[] = { PROTO_ACK, 0, 0, 0 };
	static const uint8_t fin_long[] = { PROTO_CHANNEL_FIN, 0, 0, 0, 1, 0 };
	static const uint8_t unknown[] = { 9 };
	static const uint8_t new2[] = { PROTO_MASTER_NEW, 1, 7, 0 };
	static const uint8_t ok[] = { PROTO_MASTER_OK, 0, 0, 0, 0 };
	static const uint8_t res[] = { PROTO_MASTER_RES, 1, 7, 0, 0, 0, 0,
	    0, 0, 0, 0, 0, 0, 0, 0 };
	static const uint8_t ka[] = { PROTO_KEEPALIVE };

	assert_int_equal(feed(vp, 0, 0, ka_payload, 2), -1);
	assert_int_equal(feed(vp, 0, 0, ack_short, 4), -1);
	assert_int_equal(feed(vp, 0, 0, fin_long, 6), -1);
	assert_int_equal(feed(vp, 0, 0, unknown, 1), -1);
	assert_int_equal(feed(vp, 0, 0, new2, 4), -1);
	assert_int_equal(feed(vp, 0, 0, ok, 5), -1);
	assert_int_equal(feed(vp, 0, 0, res, sizeof(res)), -1);
	assert_int_equal(feed(vp, 0, 0, NULL, 0), -1);
	/* Wrong sequence numbers, on control and data frames alike. */
	assert_int_equal(feed(vp, 1, 0, ka, 1), -1);
	assert_int_equal(feed(vp, 0xffffffffu, 0, ka, 1), -1);
	assert_int_equal(feed(vp, 5, 3, "x", 1), -1);
	/* An ACK for nothing. */
	assert_int_equal(feed_ack(vp, 0, 0), -1);
	/* None of them changed the state. */
	assert_int_equal(vp->rcv_nxt, 0);
	assert_int_equal(vp->snd_nxt, 0);
}

static void
test_ack_mismatch(void **state)
{
	struct vp	*vp = *state;

	assert_non_null(vp_chan_open(vp, NULL));
	assert_non_null(vp_chan_open(vp, NULL));
	/* ACKs are not cumulative: the oldest must be acknowledged. */
	assert_int_equal(feed_ack(vp, 0, 1), -1);
	assert_int_equal(feed_ack(vp, 0, 0), 0);
	assert_int_equal(feed_ack(vp, 0, 0), -1);
	assert_int_equal(feed_ack(vp, 0, 1), 0);
	assert_int_equal(feed_ack(vp, 0, 2), -1);
}

/* Data and FIN for unknown channels are acknowledged and dropped. */
static void
test_unknown_channel(void **state)
{
	struct vp	*vp = *state;
	uint8_t		 out[64];
	const uint8_t	*p;

	assert_int_equal(feed(vp, 0, 7, "x\n", 2), 0);
	assert_int_equal(feed_fin(vp, 1, 9), 0);
	assert_int_equal(vp->rcv_nxt, 2);
	assert_int_equal(rec.chan_ready, 0);
	assert_int_equal(drain(vp, out, sizeof(out)), 2 * (PROTO_HDRLEN + 5));
	p = expect_hdr(out, 0, 0, 5);
	assert_int_equal(proto_get32(p + 1), 0);
	p = expect_hdr(p + 5, 0, 0, 5);
	assert_int_equal(proto_get32(p + 1), 1);
}

/* Client closes first: one FIN, channel kept until scamper's FIN. */
static void
test_client_fin_first(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint8_t		 out[256];

	c = vp_chan_open(vp, NULL);
	assert_int_equal(vp_chan_eof(vp, c), 0);
	assert_true(c->flags & CHAN_TXFIN);
	assert_int_equal(vp->snd_nxt, 2);
	/* A second EOF or data after it sends nothing more. */
	assert_int_equal(vp_chan_eof(vp, c), 0);
	assert_int_equal(vp_chan_data(vp, c, "late", 4), 0);
	assert_int_equal(vp->snd_nxt, 2);
	(void)drain(vp, out, sizeof(out));

	/* scamper still delivers results, then its own FIN. */
	assert_int_equal(feed(vp, 0, c->id, "DATA\n", 5), 0);
	assert_int_equal(feed_fin(vp, 1, c->id), 0);
	assert_int_equal(rec.chan_closed, 0);
	assert_true(c->flags & CHAN_RXFIN);
	/* The client gets its last bytes, then the channel is freed. */
	assert_int_equal(buf_len(&c->out), 5);
	buf_consume(&c->out, 5);
	assert_int_equal(vp_chan_written(vp, c), 1);
	assert_int_equal(rec.chan_closed, 1);
	assert_null(chantab_get(&vp->chans, 1));
}

/* scamper closes first: no FIN from us, ever. */
static void
test_scamper_fin_first(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint32_t	 before;

	c = vp_chan_open(vp, NULL);
	assert_int_equal(feed_fin(vp, 0, c->id), 0);
	/* Nothing buffered: freed at once. */
	assert_int_equal(rec.chan_closed, 1);
	assert_int_equal(rec.closed_ids[0], 1);

	c = vp_chan_open(vp, NULL);
	assert_int_equal(c->id, 2);
	assert_int_equal(feed(vp, 1, 2, "bye\n", 4), 0);
	assert_int_equal(feed_fin(vp, 2, 2), 0);
	assert_int_equal(rec.chan_closed, 1);
	before = vp->snd_nxt;
	/* The client's EOF crosses scamper's FIN: no FIN goes out. */
	assert_int_equal(vp_chan_eof(vp, c), 0);
	assert_int_equal(vp->snd_nxt, before);
	/* The client dies before reading: channel freed. */
	assert_int_equal(vp_chan_gone(vp, c), 1);
	assert_int_equal(vp->snd_nxt, before);
	assert_int_equal(rec.chan_closed, 2);
}

/* A client that dies gets a FIN sent for it; output is discarded. */
static void
test_client_gone(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;

	c = vp_chan_open(vp, NULL);
	assert_int_equal(feed(vp, 0, c->id, "MORE\n", 5), 0);
	assert_int_equal(vp_chan_gone(vp, c), 0);
	assert_true(c->flags & CHAN_TXFIN);
	assert_int_equal(buf_len(&c->out), 0);
	assert_int_equal(vp->snd_nxt, 2);
	/* Later output is acknowledged and dropped. */
	assert_int_equal(feed(vp, 1, c->id, "DATA\n", 5), 0);
	assert_int_equal(buf_len(&c->out), 0);
	assert_int_equal(feed_fin(vp, 2, c->id), 0);
	assert_int_equal(rec.chan_closed, 1);
}

static void
test_chan_ids(void **state)
{
	struct vp	*vp = *state;
	struct chan	*a, *b, *c;

	a = vp_chan_open(vp, NULL);
	assert_int_equal(a->id, 1);
	/* At the wrap, 0 is skipped and so is 1, still open. */
	vp->next_chan = 0xffffffffu;
	b = vp_chan_open(vp, NULL);
	assert_int_equal(b->id, 0xffffffffu);
	c = vp_chan_open(vp, NULL);
	assert_int_equal(c->id, 2);
	assert_ptr_equal(chantab_get(&vp->chans, 1), a);
	assert_ptr_equal(chantab_get(&vp->chans, 0xffffffffu), b);
	assert_ptr_equal(chantab_get(&vp->chans, 2), c);
}

/* Many channels: the table grows, finds and deletes correctly. */
static void
test_many_channels(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint32_t	 i;

	for (i = 1; i <= 2000; i++) {
		c = vp_chan_open(vp, NULL);
		assert_non_null(c);
		assert_int_equal(c->id, i);
	}
	/* scamper FINs every odd channel; they are freed at once. */
	for (i = 1; i <= 2000; i += 2)
		assert_int_equal(feed_fin(vp, vp->rcv_nxt, i), 0);
	assert_int_equal(vp->chans.count, 1000);
	for (i = 1; i <= 2000; i++) {
		c = chantab_get(&vp->chans, i);
		if (i % 2)
			assert_null(c);
		else
			assert_int_equal(c->id, i);
	}
}

/* Sequence numbers wrap past 2^32 without a hitch. */
static void
test_seq_wrap(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint32_t	 s;

	vp->snd_nxt = 0xfffffffeu;
	vp->rcv_nxt = 0xffffffffu;
	c = vp_chan_open(vp, NULL);
	assert_int_equal(vp_chan_data(vp, c, "a", 1), 0);
	assert_int_equal(vp_chan_data(vp, c, "b", 1), 0);
	assert_int_equal(vp->snd_nxt, 1);
	assert_int_equal(vp_snd_una(vp), 0xfffffffeu);
	for (s = 0xfffffffeu; s != 1; s++)
		assert_int_equal(feed_ack(vp, vp->rcv_nxt, s), 0);
	assert_int_equal(vp->unacked_n, 0);
	assert_int_equal(feed(vp, 0xffffffffu, c->id, "x", 1), 0);
	assert_int_equal(vp->rcv_nxt, 0);
	assert_int_equal(feed(vp, 0, c->id, "y", 1), 0);
	assert_int_equal(vp->rcv_nxt, 1);
}

/* Large client writes are split into frames of at most 65535 bytes. */
static void
test_split(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint8_t		*big;
	struct proto_frame f;
	size_t		 off = 0, n, total = 0;
	int		 frames = 0;

	big = calloc(1, 150000);
	assert_non_null(big);
	c = vp_chan_open(vp, NULL);
	assert_int_equal(vp_chan_data(vp, c, big, 150000), 0);
	while ((n = proto_frame_get(buf_data(&vp->out) + off,
	    buf_len(&vp->out) - off, &f)) > 0) {
		off += n;
		if (f.chan == c->id) {
			assert_true(f.len <= PROTO_MAXPAYLOAD);
			total += f.len;
			frames++;
		}
	}
	assert_int_equal(total, 150000);
	assert_int_equal(frames, 3);
	free(big);
}

/*
 * A zombie queues what its clients write without sending; resumption
 * sends MASTER_OK (seq 0, our rcv_nxt) and then every frame scamper
 * has not seen, in order (vectors/03).
 */
static void
test_zombie_resume(void **state)
{
	struct vp		*vp = *state;
	struct chan		*c;
	struct resume_state	 st;
	uint8_t			 out[512];
	const uint8_t		*p;
	size_t			 n;

	c = vp_chan_open(vp, NULL);		/* seq 0 */
	assert_int_equal(vp_chan_data(vp, c, "one\n", 4), 0);	/* seq 1 */
	assert_int_equal(feed_ack(vp, 0, 0), 0);
	assert_int_equal(feed(vp, 0, c->id, "MORE\n", 5), 0);
	(void)drain(vp, out, sizeof(out));

	vp_zombify(vp);
	assert_int_equal(vp->state, VP_ZOMBIE);
	rec.out_ready = 0;
	assert_int_equal(vp_chan_data(vp, c, "two\n", 4), 0);	/* seq 2 */
	assert_int_equal(vp_keepalive(vp), 0);
	assert_int_equal(buf_len(&vp->out), 0);
	assert_int_equal(rec.out_ready, 0);
	assert_int_equal(vp->unacked_n, 2);

	/* scamper saw seq 1 but its ACK was lost: r = 2. */
	st.snd_una = vp_snd_una(vp);
	st.snd_nxt = vp->snd_nxt;
	st.rcv_nxt = vp->rcv_nxt;
	assert_int_equal(resume_check(&st, 2, 1, 1), RESUME_OK);
	assert_int_equal(vp_resume(vp, 2), 0);
	assert_int_equal(vp->state, VP_LIVE);
	assert_int_equal(vp->unacked_n, 1);
	n = drain(vp, out, sizeof(out));
	assert_int_equal(n, PROTO_HDRLEN + 5 + PROTO_HDRLEN + 4);
	p = expect_hdr(out, 0, 0, 5);
	assert_int_equal(p[0], PROTO_MASTER_OK);
	assert_int_equal(proto_get32(p + 1), 1);
	p = expect_hdr(p + 5, 2, c->id, 4);
	assert_memory_equal(p, "two\n", 4);
	/* The retransmitted frame stays queued until acknowledged. */
	assert_int_equal(feed_ack(vp, 1, 2), 0);
	assert_int_equal(vp->unacked_n, 0);
}

/* A zombie's client EOF queues a FIN for after the resumption. */
static void
test_zombie_fin(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint8_t		 out[256];
	const uint8_t	*p;

	c = vp_chan_open(vp, NULL);
	assert_int_equal(feed_ack(vp, 0, 0), 0);
	(void)drain(vp, out, sizeof(out));
	vp_zombify(vp);
	assert_int_equal(vp_chan_eof(vp, c), 0);
	assert_int_equal(vp_resume(vp, 1), 0);
	(void)drain(vp, out, sizeof(out));
	p = expect_hdr(out + PROTO_HDRLEN + 5, 1, 0, 5);
	assert_int_equal(p[0], PROTO_CHANNEL_FIN);
}

/* A slow client: its channel fills, the link pauses, then resumes. */
static void
test_flow_link(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint8_t		 chunk[1000];
	uint32_t	 seq = 0;

	vp_limits.chan_max = 4000;
	memset(chunk, 'x', sizeof(chunk));
	c = vp_chan_open(vp, NULL);
	assert_int_equal(vp_link_may_read(vp), 1);
	while (buf_len(&c->out) < 4000)
		assert_int_equal(feed(vp, seq++, c->id, chunk, 1000), 0);
	assert_int_equal(vp_link_may_read(vp), 0);
	assert_int_equal(vp->link_paused, 1);
	/* Writing part of it is not enough; half of the bound is. */
	buf_consume(&c->out, 1000);
	assert_int_equal(vp_chan_written(vp, c), 0);
	assert_int_equal(rec.link_resume, 0);
	buf_consume(&c->out, 1000);
	assert_int_equal(vp_chan_written(vp, c), 0);
	assert_int_equal(rec.link_resume, 1);
	assert_int_equal(vp->link_paused, 0);
	assert_int_equal(vp_link_may_read(vp), 1);
}

/* scamper stops acknowledging: clients pause, then resume on ACKs. */
static void
test_flow_unacked(void **state)
{
	struct vp	*vp = *state;
	struct chan	*c;
	uint8_t		 chunk[1000];
	uint8_t		 out[65536];
	uint32_t	 s;

	vp_limits.unacked_max = 5000;
	memset(chunk, 'y', sizeof(chunk));
	c = vp_chan_open(vp, NULL);
	while (vp_client_may_read(vp))
		assert_int_equal(vp_chan_data(vp, c, chunk, 1000), 0);
	assert_int_equal(vp->clients_paused, 1);
	assert_true(buf_len(&vp->unacked) >= 5000);
	(void)drain(vp, out, sizeof(out));
	assert_int_equal(rec.clients_resume, 0);
	/* ACK until under half the bound. */
	for (s = 0; rec.clients_resume == 0; s++) {
		assert_true(s < vp->snd_nxt);
		assert_int_equal(feed_ack(vp, 0, s), 0);
	}
	assert_true(buf_len(&vp->unacked) <= 2500);
	assert_int_equal(vp->clients_paused, 0);
	(void)drain(vp, out, sizeof(out));
}

/* Freeing a VP closes each of its channels once. */
static void
test_free_closes(void **state)
{
	struct vp	*vp = *state;
	int		 i;

	for (i = 0; i < 5; i++)
		assert_non_null(vp_chan_open(vp, NULL));
	vp_free(vp);
	*state = vp_new(magic, sizeof(magic), NULL, &rec_ops, NULL);
	assert_int_equal(rec.chan_closed, 5);
}

/*
 * Large frames for a client with nothing queued go straight to it; what
 * it cannot take is queued; small frames and busy channels are queued.
 */
static void
test_direct(void **state)
{
	struct vp	*vp;
	struct chan	*c;
	static uint8_t	 big[20000];

	(void)state;
	vp = vp_new(magic, sizeof(magic), NULL, &direct_ops, NULL);
	c = vp_chan_open(vp, NULL);
	direct_calls = 0;
	direct_room = SIZE_MAX;
	assert_int_equal(feed(vp, 0, c->id, big, sizeof(big)), 0);
	assert_int_equal(direct_calls, 1);
	assert_int_equal(buf_len(&c->out), 0);
	assert_int_equal(rec.chan_ready, 0);
	/* Small: gathered for one write later, never direct. */
	assert_int_equal(feed(vp, 1, c->id, "MORE\n", 5), 0);
	assert_int_equal(direct_calls, 1);
	assert_int_equal(buf_len(&c->out), 5);
	/* Something queued already: order matters, so no direct write. */
	assert_int_equal(feed(vp, 2, c->id, big, sizeof(big)), 0);
	assert_int_equal(direct_calls, 1);
	assert_int_equal(buf_len(&c->out), 5 + sizeof(big));
	buf_consume(&c->out, buf_len(&c->out));
	(void)vp_chan_written(vp, c);
	/* A partial direct write queues the rest, in order. */
	direct_room = 15000;
	big[15000] = 0x5a;
	assert_int_equal(feed(vp, 3, c->id, big, sizeof(big)), 0);
	assert_int_equal(direct_calls, 2);
	assert_int_equal(buf_len(&c->out), 5000);
	assert_int_equal(buf_data(&c->out)[0], 0x5a);
	assert_int_equal(vp->rcv_nxt, 4);
	vp_free(vp);
}

/*
 * Out of memory when a frame could go straight to its client: the
 * frame is left wholly unprocessed (no byte written, no ACK), so that
 * when scamper sends it again the client gets each byte once.
 * Regression: the first bytes were written before the rest found no
 * memory, and came again with the resent frame.
 */
static void
test_direct_oom(void **state)
{
	struct vp	*vp;
	struct chan	*c;
	static uint8_t	 big[20000];

	(void)state;
	vp = vp_new(magic, sizeof(magic), NULL, &direct_ops, NULL);
	c = vp_chan_open(vp, NULL);
	/* CHANNEL_NEW is in out: room for an ACK without allocating. */
	assert_true(buf_len(&vp->out) > 0);
	direct_calls = 0;
	direct_room = 15000;
	buf_faults_left = 0;
	assert_int_equal(feed(vp, 0, c->id, big, sizeof(big)), -1);
	buf_faults_left = -1;
	assert_int_equal(direct_calls, 0);
	assert_int_equal(buf_len(&c->out), 0);
	assert_int_equal(vp->rcv_nxt, 0);
	/* Sent again: 15000 bytes go direct, the rest is queued. */
	assert_int_equal(feed(vp, 0, c->id, big, sizeof(big)), 0);
	assert_int_equal(direct_calls, 1);
	assert_int_equal(buf_len(&c->out), 5000);
	assert_int_equal(vp->rcv_nxt, 1);
	/* A whole direct write leaves an idle channel without memory. */
	buf_consume(&c->out, buf_len(&c->out));
	(void)vp_chan_written(vp, c);
	direct_room = SIZE_MAX;
	assert_int_equal(feed(vp, 1, c->id, big, sizeof(big)), 0);
	assert_int_equal(direct_calls, 2);
	assert_null(c->out.data);
	vp_free(vp);
}

/* The first frame of a link, as the server checks it. */
static void
test_hello(void **state)
{
	struct proto_frame	 f;
	const char		*why;
	static const uint8_t	 newp[] = { PROTO_MASTER_NEW, 1, 9, 0 };
	static const uint8_t	 resp[] = { PROTO_MASTER_RES };
	static const uint8_t	 ka[] = { PROTO_KEEPALIVE };

	(void)state;
	f.seq = 0;
	f.chan = 0;
	f.len = 4;
	f.payload = newp;
	assert_int_equal(proto_hello(&f, &why), PROTO_MASTER_NEW);
	f.len = 1;
	f.payload = resp;
	assert_int_equal(proto_hello(&f, &why), PROTO_MASTER_RES);
	f.payload = ka;
	assert_int_equal(proto_hello(&f, &why), -1);
	f.payload = newp;
	f.len = 0;
	assert_int_equal(proto_hello(&f, &why), -1);
	f.len = 4;
	f.seq = 1;
	assert_int_equal(proto_hello(&f, &why), -1);
	f.seq = 0;
	f.chan = 1;
	assert_int_equal(proto_hello(&f, &why), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(x)	cmocka_unit_test_setup_teardown(x, setup, teardown)
		T(test_master_id),
		T(test_channel_roundtrip),
		T(test_keepalive_unreliable),
		T(test_bad_frames),
		T(test_ack_mismatch),
		T(test_unknown_channel),
		T(test_client_fin_first),
		T(test_scamper_fin_first),
		T(test_client_gone),
		T(test_chan_ids),
		T(test_many_channels),
		T(test_seq_wrap),
		T(test_split),
		T(test_zombie_resume),
		T(test_zombie_fin),
		T(test_flow_link),
		T(test_flow_unacked),
		T(test_free_closes),
		T(test_hello),
		T(test_direct),
		T(test_direct_oom),
#undef T
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
