/*
 * fuzz_vp.c: libFuzzer target for the per-VP protocol engine (vp.c),
 * driven the way the daemon drives it, against a model that checks the
 * engine after every step.
 *
 * The input is the byte stream a scamper peer sends on a link, cut into
 * frames with proto_frame_get (a partial frame at the end is ignored).
 * The first frame is the handshake: unless proto_hello says MASTER_NEW
 * and proto_new_parse accepts it, the input ends there, as the daemon
 * closes such a link.  Otherwise vp_new and vp_send_id make the VP, and
 * every later frame goes to vp_input.  A protocol error drops the link
 * as the daemon does with -Z > 0: the VP becomes a zombie (vp_zombify)
 * and the link's remaining frames are discarded until a RESUME action
 * (below) attaches a new link.
 *
 * Owner actions.  A frame on channel 0 whose type byte is 0xf0..0xff, a
 * type the daemon refuses anyway, is not given to the engine: it is an
 * action of the daemon's side, with arguments in the payload after the
 * type byte (u16 and u32 big-endian; missing bytes read as 0; the seq
 * field is ignored).  S selects a channel: the open one whose id has S
 * as its low byte, else the (S mod number open)-th open channel in order
 * of opening.  An action that does not apply does nothing (no channel
 * open; a client that is gone, paused or already at EOF is not read,
 * as in the daemon).
 *
 *   f0                 OPEN      a local client connects: vp_chan_open
 *   f1 S data...       DATA      the client writes data: vp_chan_data
 *   f2 S               EOF       the client shuts down its side:
 *                                vp_chan_eof
 *   f3 S               GONE      the client is gone: vp_chan_gone
 *   f4 S [u16 K]       WRITE     K bytes (0 or absent: all) of the
 *                                channel's output reach the client:
 *                                vp_chan_written
 *   f5 [u16 K]         FLUSH     K bytes (0 or absent: all) of vp->out
 *                                go out on the link: vp_out_written
 *   f6                 LOST      the link is lost: vp_zombify
 *   f7 [u8 dr da dn]   RESUME    a MASTER_RES arrives with r = snd_una
 *                                + dr, a = rcv_nxt - da, n = rcv_nxt
 *                                + dn; if resume_check accepts it,
 *                                vp_resume(r) on the new link
 *   f7 u32 r, a, n     RESUME    (13 payload bytes or more) the same
 *                                with these values
 *   f8                 KEEPALIVE the keepalive timer: vp_keepalive
 *   f9 S u16 K         BIGDATA   the client writes 4 * K bytes at once
 *   fa [u32 s, u32 r]  WRAP      only as the first frame after
 *                                MASTER_NEW: snd_nxt = s and rcv_nxt =
 *                                r (default 0xfffffff0 both), as if
 *                                the VP had carried that many frames,
 *                                to reach sequence wraparound
 *   fb u32 c           NEXTCHAN  next_chan = c, as if that many
 *                                channels had been opened, to reach
 *                                the wrap of channel ids (0 skipped,
 *                                ids still open skipped)
 *   fc [u16 K]         DIRECT    from now on the chan_direct callback
 *                                writes K bytes (0xffff: all) straight
 *                                to the client; without K, the owner
 *                                has no chan_direct at all (NULL).  At
 *                                the start it writes everything.
 *   fd..ff             nothing
 *
 * Checks after every step, abort() on failure:
 *  - vp->unacked is exactly the model's copy of the frames the engine
 *    created minus those scamper acknowledged or had on resume;
 *    unacked_n frames are walkable in it, numbered snd_una..snd_nxt-1,
 *    so vp_snd_una + unacked_n == snd_nxt (mod 2^32);
 *  - each step created exactly the frames it should: CHANNEL_NEW for an
 *    unused id, data equal to what the client wrote, at most one
 *    CHANNEL_FIN per channel, no FIN or data after scamper's FIN on the
 *    channel; and appended to vp->out exactly those (when live), one
 *    ACK per reliable frame received, or a KEEPALIVE;
 *  - vp_input accepts and refuses what sections 4 and 14 of the
 *    specification say (20260420 behaviour for unknown channels), and
 *    rcv_nxt counts the reliable frames accepted;
 *  - each channel's output holds exactly what scamper sent it, less
 *    what chan_direct wrote straight to the client (called only for
 *    an open channel with nothing queued, with the frame's bytes);
 *    flags agree with the model; nfull counts the channels with
 *    CHAN_FULL;
 *  - channels are freed exactly when they should be, never with output
 *    not yet written to a client still there; a freed channel never
 *    reaches a callback again; vp_free closes every channel once.
 * Bytes taken from vp->out are parsed as scamper would see them:
 * MASTER_ID or MASTER_OK first, reliable frames numbered without gaps
 * or repeats, KEEPALIVE and ACK carrying snd_nxt, ACKs in order and one
 * per reliable frame received, no data or FIN created after scamper's
 * FIN for that channel.
 *
 * FUZZ_VP_TRACE in the environment makes each run say what it did
 * (actions, protocol errors, the final state).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "chan.h"
#include "proto.h"
#include "resume.h"
#include "vp.h"

int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FZ_MAXCHANS	64		/* channels opened per input */
#define FZ_BUDGET	(1024 * 1024)	/* client bytes per input */
#define FZ_BIGMAX	(4 * 65535)
#define FZ_ID		"192.0.2.7:40000"

enum {
	A_OPEN = 0xf0, A_DATA, A_EOF, A_GONE, A_WRITE, A_FLUSH, A_LOST,
	A_RESUME, A_KEEPALIVE, A_BIGDATA, A_WRAP, A_NEXTCHAN, A_DIRECT
};

#define CHECK(e)	do {						\
	if (!(e))							\
		fz_fail(__LINE__, #e);					\
} while (0)

static void
fz_fail(int line, const char *what)
{
	fprintf(stderr, "fuzz_vp.c:%d: check failed: %s\n", line, what);
	abort();
}

/* The model of one channel. */
struct mchan {
	uint32_t	 id;
	struct chan	*c;		/* NULL once freed */
	int		 closed;	/* chan_closed was called */
	int		 want_closed;	/* it should have been */
	int		 gone;		/* vp_chan_gone was called */
	int		 eof;		/* vp_chan_eof was called */
	int		 paused;	/* CHAN_PAUSED set by us */
	int		 rxfin;		/* scamper's FIN was accepted */
	uint32_t	 rxfin_seq;	/* our snd_nxt at that moment */
	int		 txfin;		/* the engine created our FIN */
	struct buf	 mirror;	/* what c->out must hold */
};

enum { HS_NONE, HS_ID, HS_OK };

struct fz {
	struct vp	*vp;
	int		 live;		/* the VP has a link */
	int		 freeing;	/* in vp_free */
	unsigned long	 steps;		/* steps since vp_send_id */
	struct mchan	 ch[FZ_MAXCHANS];
	size_t		 nch;
	uint32_t	 rcv;		/* model rcv_nxt */
	struct buf	 unacked;	/* model of vp->unacked */
	size_t		 unacked_n;
	size_t		 budget;	/* client bytes left */

	/* The current link as scamper reads it. */
	struct buf	 wire;		/* flushed, not yet a whole frame */
	int		 hs;		/* handshake frame expected first */
	uint32_t	 ok_val;	/* what MASTER_OK must carry */
	uint32_t	 wire_next;	/* seq of the next reliable frame */
	uint32_t	*acks;		/* ACKs due, in order */
	size_t		 acks_n, acks_off, acks_cap;

	unsigned long	 n_out_ready;

	/* The data frame being input, for chan_direct. */
	const uint8_t	*in_payload;
	size_t		 in_len;
	int		 in_data;
	size_t		 direct_take;	/* bytes a direct write takes */
	int		 direct_called;
	size_t		 direct_k;	/* bytes it took */
};

/* The engine's state before a step. */
struct snap {
	uint32_t	 snd_nxt;
	size_t		 out_len;
	unsigned long	 n_out_ready;
};

static uint8_t	 fz_big[FZ_BIGMAX];
static int	 fz_trace;	/* FUZZ_VP_TRACE set: say what happened */

static uint32_t
fz_get32(const uint8_t *p)
{
	return ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | (uint32_t)p[3]);
}

static void
fz_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Bytes of a buffer; never NULL + 0. */
static const uint8_t *
fz_bytes(const struct buf *b)
{
	return (buf_len(b) > 0 ? buf_data(b) : (const uint8_t *)"");
}

static size_t
fz_flen(const uint8_t *p)
{
	return (PROTO_HDRLEN + ((size_t)p[8] << 8 | p[9]));
}

/* A frame, encoded here rather than by proto.c. */
static void
fz_put(struct buf *b, uint32_t seq, uint32_t chan, int type, const void *p,
    size_t n)
{
	uint8_t	 h[PROTO_HDRLEN + 1];
	size_t	 plen = n + (type >= 0 ? 1 : 0);

	CHECK(plen <= PROTO_MAXPAYLOAD);
	fz_put32(h, seq);
	fz_put32(h + 4, chan);
	h[8] = (uint8_t)(plen >> 8);
	h[9] = (uint8_t)plen;
	h[10] = (uint8_t)type;
	CHECK(buf_append(b, h, PROTO_HDRLEN + (type >= 0 ? 1 : 0)) == 0);
	if (n > 0)
		CHECK(buf_append(b, p, n) == 0);
}

static void
fz_put_u32(struct buf *b, uint32_t seq, int type, uint32_t v)
{
	uint8_t	 u[4];

	fz_put32(u, v);
	fz_put(b, seq, 0, type, u, 4);
}

/* Payload argument bytes, 0 when missing. */
static uint32_t
fz_arg(const uint8_t *a, size_t alen, size_t off, size_t width)
{
	uint32_t	 v = 0;
	size_t		 i;

	for (i = 0; i < width; i++)
		v = v << 8 | (off + i < alen ? a[off + i] : 0);
	return (v);
}

/* ------------------------------------------------------------------ */
/* The model's channels. */

static struct mchan *
fz_by_ptr(struct fz *F, const struct chan *c)
{
	size_t	 i;

	for (i = 0; i < F->nch; i++)
		if (!F->ch[i].closed && F->ch[i].c == c)
			return (&F->ch[i]);
	return (NULL);
}

/* An open channel by id. */
static struct mchan *
fz_by_id(struct fz *F, uint32_t id)
{
	size_t	 i;

	for (i = 0; i < F->nch; i++)
		if (!F->ch[i].closed && F->ch[i].id == id)
			return (&F->ch[i]);
	return (NULL);
}

/* Any channel ever opened, by id (the latest one). */
static struct mchan *
fz_by_id_any(struct fz *F, uint32_t id)
{
	size_t	 i;

	for (i = F->nch; i > 0; i--)
		if (F->ch[i - 1].id == id)
			return (&F->ch[i - 1]);
	return (NULL);
}

static struct mchan *
fz_pick(struct fz *F, uint8_t s)
{
	size_t	 i, n = 0, k;

	for (i = 0; i < F->nch; i++) {
		if (F->ch[i].closed)
			continue;
		if ((F->ch[i].id & 0xff) == s)
			return (&F->ch[i]);
		n++;
	}
	if (n == 0)
		return (NULL);
	k = s % n;
	for (i = 0; i < F->nch; i++)
		if (!F->ch[i].closed && k-- == 0)
			return (&F->ch[i]);
	return (NULL);
}

/* ------------------------------------------------------------------ */
/* Callbacks: they record, and check what they are given. */

static size_t
cb_chan_direct(struct vp *vp, struct chan *c, const uint8_t *p, size_t n)
{
	struct fz	*F = vp->udata;
	struct mchan	*m;

	CHECK((m = fz_by_ptr(F, c)) != NULL);
	CHECK(c->vp == vp && c->id == m->id && c->udata == m);
	/* Only with nothing queued, for a client still there. */
	CHECK(buf_len(&c->out) == 0 && buf_len(&m->mirror) == 0);
	CHECK(!(c->flags & (CHAN_GONE | CHAN_RXFIN)) && !m->gone);
	/* Once, with the bytes of the data frame being input. */
	CHECK(F->in_data && !F->direct_called);
	CHECK(n > 0 && n == F->in_len);
	CHECK(memcmp(p, F->in_payload, n) == 0);
	F->direct_called = 1;
	F->direct_k = F->direct_take < n ? F->direct_take : n;
	return (F->direct_k);
}

static void
cb_out_ready(struct vp *vp)
{
	struct fz	*F = vp->udata;

	CHECK(vp == F->vp);
	CHECK(vp->state == VP_LIVE);
	CHECK(buf_len(&vp->out) > 0);
	F->n_out_ready++;
}

static void
cb_chan_ready(struct vp *vp, struct chan *c)
{
	struct fz	*F = vp->udata;
	struct mchan	*m;

	/* A freed channel must never come back. */
	CHECK((m = fz_by_ptr(F, c)) != NULL);
	CHECK(c->vp == vp && c->id == m->id && c->udata == m);
	CHECK(buf_len(&c->out) > 0 || (c->flags & CHAN_RXFIN));
}

static void
cb_chan_closed(struct vp *vp, struct chan *c)
{
	struct fz	*F = vp->udata;
	struct mchan	*m;

	CHECK((m = fz_by_ptr(F, c)) != NULL);
	CHECK(c->vp == vp && c->id == m->id && c->udata == m);
	CHECK(chantab_get(&vp->chans, c->id) == c);
	if (!F->freeing) {
		/* Freed only once scamper's FIN is in... */
		CHECK(c->flags & CHAN_RXFIN);
		/* ...and the client has had every byte, or is gone. */
		CHECK((c->flags & CHAN_GONE) || buf_len(&c->out) == 0);
	}
	m->closed = 1;
	m->c = NULL;
}

static void
cb_resume_one(struct chan *c, void *arg)
{
	struct fz	*F = arg;
	struct mchan	*m;

	CHECK((m = fz_by_ptr(F, c)) != NULL);
	c->flags &= ~CHAN_PAUSED;
	m->paused = 0;
}

static void
cb_clients_resume(struct vp *vp)
{
	struct fz	*F = vp->udata;

	CHECK(!vp->clients_paused);
	CHECK(buf_len(&vp->unacked) <= vp_limits.unacked_max / 2);
	CHECK(buf_len(&vp->out) <= vp_limits.out_max / 2);
	/* As the daemon does: read the paused clients again. */
	chantab_foreach(&vp->chans, cb_resume_one, F);
}

static void
cb_link_resume(struct vp *vp)
{
	CHECK(!vp->link_paused);
	CHECK(vp->nfull == 0);
	CHECK(buf_len(&vp->out) <= vp_limits.out_max / 2);
}

static const struct vp_ops fz_ops = {
	.chan_direct = cb_chan_direct,
	.out_ready = cb_out_ready,
	.chan_ready = cb_chan_ready,
	.chan_closed = cb_chan_closed,
	.clients_resume = cb_clients_resume,
	.link_resume = cb_link_resume
};

/* An owner without chan_direct. */
static const struct vp_ops fz_ops_nodirect = {
	.chan_direct = NULL,
	.out_ready = cb_out_ready,
	.chan_ready = cb_chan_ready,
	.chan_closed = cb_chan_closed,
	.clients_resume = cb_clients_resume,
	.link_resume = cb_link_resume
};

/* ------------------------------------------------------------------ */
/* Checks around a step. */

static void
fz_snap(struct fz *F, struct snap *s)
{
	s->snd_nxt = F->vp->snd_nxt;
	s->out_len = buf_len(&F->vp->out);
	s->n_out_ready = F->n_out_ready;
}

/*
 * Vet one frame the engine has just created: it names a channel the
 * model knows, never after scamper's FIN, never after our own FIN; at
 * most one FIN per channel.
 */
static void
fz_vet_new(struct fz *F, const uint8_t *p, uint32_t seq)
{
	struct proto_frame	 f;
	struct mchan		*m;

	CHECK(proto_frame_get(p, fz_flen(p), &f) == fz_flen(p));
	CHECK(f.seq == seq);
	if (f.chan != 0) {
		CHECK(f.len > 0);
		CHECK((m = fz_by_id(F, f.chan)) != NULL);
		if (m->rxfin)
			CHECK(!"data created after scamper's FIN");
		if (m->txfin)
			CHECK(!"data created after our FIN");
		return;
	}
	CHECK(f.len == 5);
	switch (f.payload[0]) {
	case PROTO_CHANNEL_NEW:
		CHECK(fz_by_id(F, fz_get32(f.payload + 1)) != NULL);
		break;
	case PROTO_CHANNEL_FIN:
		CHECK((m = fz_by_id(F, fz_get32(f.payload + 1))) != NULL);
		if (m->rxfin)
			CHECK(!"CHANNEL_FIN created after scamper's FIN");
		if (m->txfin)
			CHECK(!"second CHANNEL_FIN for a channel");
		m->txfin = 1;
		break;
	default:
		CHECK(!"unreliable frame in the unacked queue");
	}
}

/*
 * After a step: vp->unacked must be the model with its `pops` oldest
 * frames dropped, followed by the frames the step created (as many as
 * snd_nxt grew).  Those are vetted, added to the model and returned
 * (a pointer into vp->unacked, *lenp bytes, *np frames).
 */
static const uint8_t *
fz_unacked_step(struct fz *F, const struct snap *s, size_t pops,
    size_t *lenp, size_t *np)
{
	struct vp	*vp = F->vp;
	const uint8_t	*p;
	uint32_t	 k = vp->snd_nxt - s->snd_nxt;
	size_t		 i, mlen, len, off, n;

	CHECK(k <= FZ_BUDGET);
	CHECK(pops <= F->unacked_n);
	for (i = 0; i < pops; i++)
		buf_consume(&F->unacked, fz_flen(buf_data(&F->unacked)));
	F->unacked_n -= pops;
	CHECK(vp->unacked_n == F->unacked_n + k);
	mlen = buf_len(&F->unacked);
	CHECK(buf_len(&vp->unacked) >= mlen);
	CHECK(memcmp(fz_bytes(&vp->unacked), fz_bytes(&F->unacked),
	    mlen) == 0);
	p = fz_bytes(&vp->unacked) + mlen;
	len = buf_len(&vp->unacked) - mlen;
	for (off = 0, n = 0; off < len; n++) {
		CHECK(len - off >= PROTO_HDRLEN);
		CHECK(fz_flen(p + off) <= len - off);
		fz_vet_new(F, p + off, s->snd_nxt + (uint32_t)n);
		off += fz_flen(p + off);
	}
	CHECK(n == k);
	if (len > 0)
		CHECK(buf_append(&F->unacked, p, len) == 0);
	F->unacked_n += k;
	*lenp = len;
	*np = n;
	return (p);
}

/* The step appended exactly exp[0..n) to vp->out. */
static void
fz_out_step(struct fz *F, const struct snap *s, const uint8_t *exp,
    size_t n)
{
	struct vp	*vp = F->vp;

	CHECK(buf_len(&vp->out) == s->out_len + n);
	if (n == 0)
		return;
	CHECK(memcmp(buf_data(&vp->out) + s->out_len, exp, n) == 0);
	CHECK(F->n_out_ready > s->n_out_ready);
}

/* A step that creates no reliable frame. */
static void
fz_noframes(struct fz *F, const struct snap *s, size_t pops)
{
	size_t	 len, n;

	(void)fz_unacked_step(F, s, pops, &len, &n);
	CHECK(n == 0);
}

/* A step that creates no reliable frame and sends nothing. */
static void
fz_quiet_step(struct fz *F, const struct snap *s, size_t pops)
{
	fz_noframes(F, s, pops);
	fz_out_step(F, s, NULL, 0);
}

/* The state that must hold between steps. */
static void
fz_invariants(struct fz *F)
{
	struct vp	*vp = F->vp;
	struct mchan	*m;
	struct chan	*c;
	const uint8_t	*p = fz_bytes(&vp->unacked);
	size_t		 len = buf_len(&vp->unacked), off, n, i;
	size_t		 nopen = 0, nfull = 0;
	uint32_t	 una;

	CHECK(vp->state == (F->live ? VP_LIVE : VP_ZOMBIE));
	if (!F->live)
		CHECK(buf_len(&vp->out) == 0);
	CHECK(vp->rcv_nxt == F->rcv);

	/* The unacked queue: whole frames, numbered from snd_una. */
	una = vp_snd_una(vp);
	for (off = 0, n = 0; off < len; n++) {
		CHECK(len - off >= PROTO_HDRLEN);
		CHECK(fz_flen(p + off) <= len - off);
		CHECK(fz_get32(p + off) == una + (uint32_t)n);
		off += fz_flen(p + off);
	}
	CHECK(n == vp->unacked_n);
	CHECK(una + (uint32_t)vp->unacked_n == vp->snd_nxt);
	CHECK(len == buf_len(&F->unacked) && n == F->unacked_n);

	/* Channels against the model. */
	for (i = 0; i < F->nch; i++) {
		m = &F->ch[i];
		CHECK(m->closed == m->want_closed);
		if (m->closed) {
			/* Its id may be in use again after NEXTCHAN. */
			if (fz_by_id(F, m->id) == NULL)
				CHECK(chantab_get(&vp->chans, m->id) == NULL);
			continue;
		}
		nopen++;
		c = m->c;
		CHECK(chantab_get(&vp->chans, m->id) == c);
		CHECK(c->id == m->id && c->vp == vp && c->udata == m);
		CHECK(!(c->flags & CHAN_RXFIN) == !m->rxfin);
		CHECK(!(c->flags & CHAN_TXFIN) == !m->txfin);
		CHECK(!(c->flags & CHAN_GONE) == !m->gone);
		CHECK(!(c->flags & CHAN_PAUSED) == !m->paused);
		CHECK(buf_len(&c->out) == buf_len(&m->mirror));
		CHECK(memcmp(fz_bytes(&c->out), fz_bytes(&m->mirror),
		    buf_len(&c->out)) == 0);
		if (m->gone)
			CHECK(buf_len(&c->out) == 0);
		if (c->flags & CHAN_FULL) {
			nfull++;
			CHECK(buf_len(&c->out) > vp_limits.chan_max / 2);
		} else
			CHECK(buf_len(&c->out) < vp_limits.chan_max);
	}
	CHECK(vp->chans.count == nopen);
	for (i = 0; i < vp->chans.cap; i++)
		if (vp->chans.slot[i].id != 0)
			CHECK(fz_by_ptr(F, vp->chans.slot[i].val) != NULL);
	CHECK(vp->nfull == nfull);
}

/* ------------------------------------------------------------------ */
/* The link as scamper sees it. */

static void
fz_link_reset(struct fz *F, int hs, uint32_t next, uint32_t ok_val)
{
	buf_free(&F->wire);
	F->hs = hs;
	F->wire_next = next;
	F->ok_val = ok_val;
	F->acks_n = F->acks_off = 0;
}

static void
fz_ack_due(struct fz *F, uint32_t seq)
{
	uint32_t	*a;

	if (F->acks_off > 0 && F->acks_off == F->acks_n)
		F->acks_n = F->acks_off = 0;
	if (F->acks_n == F->acks_cap) {
		F->acks_cap = F->acks_cap == 0 ? 64 : F->acks_cap * 2;
		CHECK((a = realloc(F->acks, F->acks_cap * sizeof(*a))) !=
		    NULL);
		F->acks = a;
	}
	F->acks[F->acks_n++] = seq;
}

/* A data frame or FIN for channel id, seq s, seen on the link. */
static void
fz_wire_chan(struct fz *F, uint32_t id, uint32_t s)
{
	struct mchan	*m;

	if ((m = fz_by_id_any(F, id)) == NULL)
		CHECK(!"frame on the link for a channel never opened");
	if (m->rxfin && !proto_seq_lt(s, m->rxfin_seq))
		CHECK(!"data or FIN sent after scamper's FIN");
}

/* Parse the whole frames taken from vp->out so far. */
static void
fz_wire(struct fz *F)
{
	struct proto_frame	 f;
	const char		*id;
	size_t			 n;
	uint32_t		 v;

	while ((n = proto_frame_get(fz_bytes(&F->wire), buf_len(&F->wire),
	    &f)) > 0) {
		v = f.len >= 5 ? fz_get32(f.payload + 1) : 0;
		if (F->hs == HS_ID) {
			CHECK(f.seq == 0 && f.chan == 0 && f.len > 0);
			CHECK(f.payload[0] == PROTO_MASTER_ID);
			CHECK(proto_id_parse(f.payload, f.len, &id) == 0);
			CHECK(strcmp(id, FZ_ID) == 0);
			F->hs = HS_NONE;
		} else if (F->hs == HS_OK) {
			CHECK(f.seq == 0 && f.chan == 0 && f.len == 5);
			CHECK(f.payload[0] == PROTO_MASTER_OK);
			CHECK(v == F->ok_val);
			F->hs = HS_NONE;
		} else if (f.chan != 0) {
			CHECK(f.seq == F->wire_next);
			F->wire_next++;
			CHECK(f.len > 0);
			fz_wire_chan(F, f.chan, f.seq);
		} else {
			CHECK(f.len > 0);
			switch (f.payload[0]) {
			case PROTO_CHANNEL_NEW:
				CHECK(f.len == 5 && f.seq == F->wire_next);
				F->wire_next++;
				CHECK(fz_by_id_any(F, v) != NULL);
				break;
			case PROTO_CHANNEL_FIN:
				CHECK(f.len == 5 && f.seq == F->wire_next);
				F->wire_next++;
				fz_wire_chan(F, v, f.seq);
				break;
			case PROTO_KEEPALIVE:
				CHECK(f.len == 1 && f.seq == F->wire_next);
				break;
			case PROTO_ACK:
				CHECK(f.len == 5 && f.seq == F->wire_next);
				if (F->acks_off == F->acks_n)
					CHECK(!"ACK for nothing received");
				if (F->acks[F->acks_off] != v)
					CHECK(!"ACK out of order");
				F->acks_off++;
				break;
			default:
				CHECK(!"unexpected control frame on the link");
			}
		}
		buf_consume(&F->wire, n);
	}
}

/* ------------------------------------------------------------------ */
/* The daemon's side. */

static int
fz_client_may_read(struct fz *F)
{
	struct vp	*vp = F->vp;
	int		 want, rc;

	want = !(buf_len(&vp->unacked) >= vp_limits.unacked_max ||
	    buf_len(&vp->out) >= vp_limits.out_max);
	rc = vp_client_may_read(vp);
	CHECK(rc == want);
	if (!rc)
		CHECK(vp->clients_paused);
	return (rc);
}

static void
fz_link_may_read(struct fz *F)
{
	struct vp	*vp = F->vp;
	int		 want, rc;

	want = !(vp->nfull > 0 || buf_len(&vp->out) >= vp_limits.out_max);
	rc = vp_link_may_read(vp);
	CHECK(rc == want);
	if (!rc)
		CHECK(vp->link_paused);
}

static void
fz_open(struct fz *F)
{
	struct vp	*vp = F->vp;
	struct mchan	*m;
	struct chan	*c;
	struct snap	 s;
	struct buf	 e = BUF_INIT;
	const uint8_t	*p;
	size_t		 len, n;

	if (F->nch == FZ_MAXCHANS)
		return;
	m = &F->ch[F->nch];
	memset(m, 0, sizeof(*m));
	buf_init(&m->mirror);
	fz_snap(F, &s);
	CHECK((c = vp_chan_open(vp, m)) != NULL);
	CHECK(c->id != 0 && fz_by_id(F, c->id) == NULL);
	CHECK(c->vp == vp && c->flags == 0 && buf_len(&c->out) == 0);
	m->id = c->id;
	m->c = c;
	F->nch++;
	p = fz_unacked_step(F, &s, 0, &len, &n);
	fz_put_u32(&e, s.snd_nxt, PROTO_CHANNEL_NEW, c->id);
	CHECK(n == 1 && len == buf_len(&e));
	CHECK(memcmp(p, buf_data(&e), len) == 0);
	fz_out_step(F, &s, buf_data(&e), F->live ? len : 0);
	buf_free(&e);
	if (!fz_client_may_read(F)) {
		c->flags |= CHAN_PAUSED;
		m->paused = 1;
	}
}

static void
fz_data(struct fz *F, struct mchan *m, const uint8_t *d, size_t dlen)
{
	struct vp		*vp = F->vp;
	struct proto_frame	 f;
	struct snap		 s;
	const uint8_t		*p;
	size_t			 len, n, off, got, i;

	if (m == NULL || m->gone || m->eof || m->rxfin || m->txfin ||
	    m->paused || dlen > F->budget)
		return;
	F->budget -= dlen;
	fz_snap(F, &s);
	CHECK(vp_chan_data(vp, m->c, d, dlen) == 0);
	p = fz_unacked_step(F, &s, 0, &len, &n);
	/* Data frames on the channel carrying exactly the bytes. */
	for (off = 0, got = 0, i = 0; i < n; i++) {
		off += proto_frame_get(p + off, len - off, &f);
		CHECK(f.chan == m->id);
		CHECK(f.len <= dlen - got);
		CHECK(memcmp(f.payload, d + got, f.len) == 0);
		got += f.len;
	}
	CHECK(got == dlen);
	fz_out_step(F, &s, p, F->live ? len : 0);
	if (!fz_client_may_read(F)) {
		m->c->flags |= CHAN_PAUSED;
		m->paused = 1;
	}
}

/* After a step that may have created our FIN for m, and nothing else. */
static void
fz_fin_step(struct fz *F, struct mchan *m, const struct snap *s, int want)
{
	struct buf	 e = BUF_INIT;
	const uint8_t	*p;
	size_t		 len, n;

	p = fz_unacked_step(F, s, 0, &len, &n);
	if (want)
		fz_put_u32(&e, s->snd_nxt, PROTO_CHANNEL_FIN, m->id);
	CHECK(len == buf_len(&e));
	CHECK(memcmp(p, fz_bytes(&e), len) == 0);
	fz_out_step(F, s, fz_bytes(&e), F->live ? len : 0);
	buf_free(&e);
}

static void
fz_eof(struct fz *F, struct mchan *m)
{
	struct snap	 s;
	int		 want;

	if (m == NULL || m->gone || m->eof)
		return;
	want = !m->txfin && !m->rxfin;
	m->eof = 1;
	fz_snap(F, &s);
	CHECK(vp_chan_eof(F->vp, m->c) == 0);
	fz_fin_step(F, m, &s, want);
}

static void
fz_gone(struct fz *F, struct mchan *m)
{
	struct snap	 s;
	int		 want, freed;

	if (m == NULL || m->gone)
		return;
	want = !m->txfin && !m->rxfin;
	m->gone = 1;
	buf_free(&m->mirror);
	if (m->rxfin)
		m->want_closed = 1;
	fz_snap(F, &s);
	freed = vp_chan_gone(F->vp, m->c);
	CHECK(freed == m->want_closed);
	fz_fin_step(F, m, &s, want);
}

static void
fz_write(struct fz *F, struct mchan *m, size_t k)
{
	struct snap	 s;
	struct chan	*c;
	size_t		 len;
	int		 freed;

	if (m == NULL || m->gone)
		return;
	c = m->c;
	len = buf_len(&c->out);
	CHECK(len == buf_len(&m->mirror));
	if (k == 0 || k > len)
		k = len;
	if (k > 0) {
		CHECK(memcmp(buf_data(&c->out), buf_data(&m->mirror), k) ==
		    0);
		buf_consume(&c->out, k);
		buf_consume(&m->mirror, k);
	}
	if (m->rxfin && buf_len(&m->mirror) == 0)
		m->want_closed = 1;
	fz_snap(F, &s);
	freed = vp_chan_written(F->vp, c);
	CHECK(freed == m->want_closed);
	fz_quiet_step(F, &s, 0);
}

static void
fz_flush(struct fz *F, size_t k)
{
	struct vp	*vp = F->vp;
	struct snap	 s;
	size_t		 len = buf_len(&vp->out);

	if (!F->live)
		return;
	if (k == 0 || k > len)
		k = len;
	if (k > 0) {
		CHECK(buf_append(&F->wire, buf_data(&vp->out), k) == 0);
		buf_consume(&vp->out, k);
	}
	fz_snap(F, &s);
	vp_out_written(vp);
	fz_quiet_step(F, &s, 0);
	fz_wire(F);
}

static void
fz_lost(struct fz *F)
{
	struct snap	 s;

	if (!F->live)
		return;
	fz_snap(F, &s);
	vp_zombify(F->vp);
	F->live = 0;
	CHECK(F->vp->state == VP_ZOMBIE);
	CHECK(buf_len(&F->vp->out) == 0);
	fz_noframes(F, &s, 0);
	fz_link_reset(F, HS_NONE, 0, 0);
}

/* a <= b in the serial order of section 4.6. */
static int
fz_serial_le(uint32_t a, uint32_t b)
{
	return (a == b || (int32_t)(a - b) < 0);
}

static void
fz_resume(struct fz *F, const uint8_t *a, size_t alen)
{
	struct vp		*vp = F->vp;
	struct resume_state	 st;
	enum resume_verdict	 v;
	struct snap		 s;
	struct buf		 e = BUF_INIT;
	uint32_t		 una, r, ra, rn;

	una = vp_snd_una(vp);
	if (alen >= 12) {
		r = fz_arg(a, alen, 0, 4);
		ra = fz_arg(a, alen, 4, 4);
		rn = fz_arg(a, alen, 8, 4);
	} else {
		r = una + fz_arg(a, alen, 0, 1);
		ra = F->rcv - fz_arg(a, alen, 1, 1);
		rn = F->rcv + fz_arg(a, alen, 2, 1);
	}
	st.snd_una = una;
	st.snd_nxt = vp->snd_nxt;
	st.rcv_nxt = vp->rcv_nxt;
	v = resume_check(&st, r, ra, rn);
	/*
	 * Section 11.2: r is snd_nxt or the seq of an unacked frame (an
	 * exact range); a <= rcv_nxt <= n in the serial order of 4.6.
	 */
	if (r - una > vp->snd_nxt - una)
		CHECK(v == RESUME_ERCV);
	else if (!fz_serial_le(ra, F->rcv) || !fz_serial_le(F->rcv, rn))
		CHECK(v == RESUME_EWINDOW);
	else
		CHECK(v == RESUME_OK);
	if (v != RESUME_OK)
		return;		/* MASTER_REJ; the VP is untouched */

	fz_snap(F, &s);
	CHECK(vp_resume(vp, r) == 0);
	F->live = 1;
	fz_noframes(F, &s, (size_t)(r - una));
	/* Now exactly MASTER_OK and the unacked frames, oldest first. */
	fz_put_u32(&e, 0, PROTO_MASTER_OK, F->rcv);
	CHECK(buf_len(&vp->out) == buf_len(&e) + buf_len(&F->unacked));
	CHECK(memcmp(buf_data(&vp->out), buf_data(&e), buf_len(&e)) == 0);
	CHECK(memcmp(buf_data(&vp->out) + buf_len(&e),
	    fz_bytes(&F->unacked), buf_len(&F->unacked)) == 0);
	CHECK(F->n_out_ready > s.n_out_ready);
	CHECK(vp->unacked_n == 0 || vp_snd_una(vp) == r);
	buf_free(&e);
	fz_link_reset(F, HS_OK, r, F->rcv);
}

static void
fz_keepalive(struct fz *F)
{
	struct snap	 s;
	struct buf	 e = BUF_INIT;

	fz_snap(F, &s);
	CHECK(vp_keepalive(F->vp) == 0);
	if (F->live)
		fz_put(&e, s.snd_nxt, 0, PROTO_KEEPALIVE, NULL, 0);
	fz_noframes(F, &s, 0);
	fz_out_step(F, &s, fz_bytes(&e), buf_len(&e));
	buf_free(&e);
}

static void
fz_wrap(struct fz *F, const uint8_t *a, size_t alen)
{
	struct vp	*vp = F->vp;
	uint32_t	 snd = 0xfffffff0U, rcv = 0xfffffff0U;

	if (F->steps != 0)
		return;
	if (alen >= 8) {
		snd = fz_arg(a, alen, 0, 4);
		rcv = fz_arg(a, alen, 4, 4);
	}
	vp->snd_nxt = snd;
	vp->rcv_nxt = rcv;
	F->rcv = rcv;
	F->wire_next = snd;
}

static void
fz_action(struct fz *F, const uint8_t *p, size_t len)
{
	const uint8_t	*a = p + 1;
	size_t		 alen = len - 1;

	if (fz_trace)
		fprintf(stderr, "fuzz_vp: step %lu: action %02x, %lu bytes\n",
		    F->steps, p[0], (unsigned long)alen);
	switch (p[0]) {
	case A_OPEN:
		fz_open(F);
		break;
	case A_DATA:
		if (alen >= 1)
			fz_data(F, fz_pick(F, a[0]), a + 1, alen - 1);
		break;
	case A_EOF:
		fz_eof(F, fz_pick(F, (uint8_t)fz_arg(a, alen, 0, 1)));
		break;
	case A_GONE:
		fz_gone(F, fz_pick(F, (uint8_t)fz_arg(a, alen, 0, 1)));
		break;
	case A_WRITE:
		fz_write(F, fz_pick(F, (uint8_t)fz_arg(a, alen, 0, 1)),
		    fz_arg(a, alen, 1, 2));
		break;
	case A_FLUSH:
		fz_flush(F, fz_arg(a, alen, 0, 2));
		break;
	case A_LOST:
		fz_lost(F);
		break;
	case A_RESUME:
		fz_resume(F, a, alen);
		break;
	case A_KEEPALIVE:
		fz_keepalive(F);
		break;
	case A_BIGDATA:
		fz_data(F, fz_pick(F, (uint8_t)fz_arg(a, alen, 0, 1)), fz_big,
		    4 * (size_t)fz_arg(a, alen, 1, 2));
		break;
	case A_WRAP:
		fz_wrap(F, a, alen);
		break;
	case A_NEXTCHAN:
		F->vp->next_chan = fz_arg(a, alen, 0, 4);
		break;
	case A_DIRECT:
		if (alen == 0) {
			F->vp->ops = &fz_ops_nodirect;
			break;
		}
		F->vp->ops = &fz_ops;
		F->direct_take = fz_arg(a, alen, 0, 2);
		if (F->direct_take == 0xffff)
			F->direct_take = SIZE_MAX;
		break;
	default:
		break;
	}
}

/* One frame from scamper on the established link. */
static void
fz_input(struct fz *F, const struct proto_frame *f0)
{
	struct vp		*vp = F->vp;
	struct proto_frame	 f = *f0;
	struct mchan		*m = NULL;
	struct snap		 s;
	struct buf		 e = BUF_INIT;
	const char		*why = NULL;
	uint8_t			*pl;
	int			 ok = 0, reliable = 0, rc;
	size_t			 pops = 0;

	/* A heap copy of exactly the payload, scribbled on afterwards. */
	CHECK((pl = malloc(f.len > 0 ? f.len : 1)) != NULL);
	if (f.len > 0)
		memcpy(pl, f0->payload, f.len);
	f.payload = pl;

	/* What sections 4.3, 5 and 14 (20260420 column) say. */
	if (f.seq != F->rcv)
		ok = 0;
	else if (f.chan != 0) {
		ok = reliable = 1;
		m = fz_by_id(F, f.chan);
	} else if (f.len == 0)
		ok = 0;
	else switch (pl[0]) {
	case PROTO_CHANNEL_FIN:
		ok = reliable = f.len == 5;
		if (ok)
			m = fz_by_id(F, fz_get32(pl + 1));
		break;
	case PROTO_KEEPALIVE:
		ok = f.len == 1;
		break;
	case PROTO_ACK:
		ok = f.len == 5 && F->unacked_n > 0 &&
		    fz_get32(pl + 1) == fz_get32(buf_data(&F->unacked));
		pops = ok ? 1 : 0;
		break;
	default:
		ok = 0;
		break;
	}

	fz_snap(F, &s);
	F->in_data = 1;
	F->in_payload = pl;
	F->in_len = f.len;
	F->direct_called = 0;
	rc = vp_input(vp, &f, &why);
	F->in_data = 0;
	if (F->direct_called)
		CHECK(rc == 0 && f.chan != 0 && m != NULL && f.len > 0);
	if (fz_trace && rc != 0)
		fprintf(stderr, "fuzz_vp: step %lu: protocol error: %s\n",
		    F->steps, why != NULL ? why : "?");
	if (!ok) {
		CHECK(rc == -1);
		CHECK(why != NULL && strlen(why) > 0);
		memset(pl, 0xa5, f.len);
		free(pl);
		fz_quiet_step(F, &s, 0);
		/* The daemon drops the link. */
		fz_invariants(F);
		fz_lost(F);
		return;
	}
	CHECK(rc == 0);
	if (reliable) {
		F->rcv++;
		fz_ack_due(F, f.seq);
		fz_put_u32(&e, s.snd_nxt, PROTO_ACK, f.seq);
		if (f.chan != 0) {
			/* Less what went straight to the client. */
			size_t	 k = F->direct_called ? F->direct_k : 0;

			if (m != NULL && !m->gone && f.len > k)
				CHECK(buf_append(&m->mirror, pl + k,
				    f.len - k) == 0);
		} else if (m != NULL) {
			if (!m->rxfin) {
				m->rxfin = 1;
				m->rxfin_seq = s.snd_nxt;
			}
			if (m->gone || buf_len(&m->mirror) == 0)
				m->want_closed = 1;
		}
	}
	/* The engine must have copied what it keeps. */
	memset(pl, 0xa5, f.len);
	free(pl);
	fz_noframes(F, &s, pops);
	fz_out_step(F, &s, fz_bytes(&e), buf_len(&e));
	buf_free(&e);
	fz_link_may_read(F);
}

/* Free the VP (every open channel is closed once) and the model. */
static void
fz_end(struct fz *F)
{
	size_t	 i;

	if (F->vp != NULL) {
		for (i = 0; i < F->nch; i++)
			F->ch[i].want_closed = 1;
		F->freeing = 1;
		vp_free(F->vp);
		for (i = 0; i < F->nch; i++)
			CHECK(F->ch[i].closed);
	}
	for (i = 0; i < F->nch; i++)
		buf_free(&F->ch[i].mirror);
	buf_free(&F->unacked);
	buf_free(&F->wire);
	free(F->acks);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fz	 fz;
	struct fz		*F = &fz;
	struct proto_frame	 f;
	struct proto_new	 m;
	struct snap		 s;
	struct buf		 e = BUF_INIT;
	char			 mon[PROTO_MAXNAME + 1];
	const char		*why;
	size_t			 off, n, i;

	fz_trace = getenv("FUZZ_VP_TRACE") != NULL;
	memset(F, 0, sizeof(*F));
	buf_init(&F->unacked);
	buf_init(&F->wire);
	F->budget = FZ_BUDGET;
	F->direct_take = SIZE_MAX;
	/* Small bounds, so that flow control comes into play. */
	vp_limits.chan_max = 512;
	vp_limits.unacked_max = 4096;
	vp_limits.out_max = 2048;
	if (fz_big[1] == 0)
		for (i = 0; i < sizeof(fz_big); i++)
			fz_big[i] = (uint8_t)(i * 7 + 1);

	/* The handshake, on a heap copy of the frame's payload. */
	if ((off = proto_frame_get(data, size, &f)) == 0)
		return (0);
	{
		uint8_t	*pl;
		int	 ok;

		CHECK((pl = malloc(f.len > 0 ? f.len : 1)) != NULL);
		if (f.len > 0)
			memcpy(pl, f.payload, f.len);
		f.payload = pl;
		why = NULL;
		ok = proto_hello(&f, &why) == PROTO_MASTER_NEW &&
		    proto_new_parse(pl, f.len, &m) == PROTO_OK;
		if (ok) {
			if (m.name != NULL) {
				CHECK(m.name_len <= PROTO_MAXNAME);
				memcpy(mon, m.name, m.name_len + 1);
			}
			F->vp = vp_new(m.magic, m.magic_len,
			    m.name != NULL ? mon : NULL, &fz_ops, F);
			CHECK(F->vp != NULL);
			CHECK(vp_magic_eq(F->vp, m.magic, m.magic_len));
			CHECK(!vp_magic_eq(F->vp, m.magic, m.magic_len - 1));
			if (m.name != NULL)
				CHECK(F->vp->monitor != NULL &&
				    strcmp(F->vp->monitor, mon) == 0);
			else
				CHECK(F->vp->monitor == NULL);
		}
		free(pl);
		if (!ok)
			return (0);
	}
	F->live = 1;
	CHECK(F->vp->snd_nxt == 0 && F->vp->rcv_nxt == 0);
	CHECK(F->vp->unacked_n == 0 && F->vp->state == VP_LIVE);
	fz_link_reset(F, HS_ID, 0, 0);
	fz_snap(F, &s);
	CHECK(vp_send_id(F->vp, FZ_ID) == 0);
	{
		uint8_t	 v[1 + sizeof(FZ_ID)];

		v[0] = (uint8_t)sizeof(FZ_ID);
		memcpy(v + 1, FZ_ID, sizeof(FZ_ID));
		fz_put(&e, 0, 0, PROTO_MASTER_ID, v, sizeof(v));
	}
	fz_noframes(F, &s, 0);
	fz_out_step(F, &s, buf_data(&e), buf_len(&e));
	buf_free(&e);
	fz_invariants(F);

	/* The rest of the stream: frames and actions. */
	while ((n = proto_frame_get(data + off, size - off, &f)) > 0) {
		off += n;
		if (f.chan == 0 && f.len > 0 && f.payload[0] >= 0xf0) {
			uint8_t	*pl;

			CHECK((pl = malloc(f.len)) != NULL);
			memcpy(pl, f.payload, f.len);
			fz_action(F, pl, f.len);
			free(pl);
		} else if (F->live)
			fz_input(F, &f);
		else
			continue;	/* a dead link's bytes */
		F->steps++;
		fz_invariants(F);
	}

	/* Send whatever is left and check that every ACK went out. */
	if (F->live) {
		fz_flush(F, 0);
		fz_invariants(F);
		CHECK(buf_len(&F->wire) == 0);
		CHECK(F->hs == HS_NONE);
		if (F->acks_off != F->acks_n)
			CHECK(!"an ACK is missing");
	}
	if (fz_trace)
		fprintf(stderr, "fuzz_vp: %lu steps; %s; %lu channels opened, "
		    "%lu open; snd_nxt %lu, rcv_nxt %lu, %lu unacked\n",
		    F->steps, F->live ? "live" : "zombie",
		    (unsigned long)F->nch,
		    (unsigned long)F->vp->chans.count,
		    (unsigned long)F->vp->snd_nxt,
		    (unsigned long)F->vp->rcv_nxt,
		    (unsigned long)F->vp->unacked_n);
	if (fz_trace)
		for (i = 0; i < F->nch; i++)
			if (!F->ch[i].closed)
				fprintf(stderr, "fuzz_vp: channel %lu open, "
				    "%lu bytes for the client%s%s%s\n",
				    (unsigned long)F->ch[i].id,
				    (unsigned long)buf_len(&F->ch[i].mirror),
				    F->ch[i].rxfin ? ", FIN in" : "",
				    F->ch[i].txfin ? ", FIN out" : "",
				    F->ch[i].gone ? ", gone" : "");
	fz_end(F);
	return (0);
}
