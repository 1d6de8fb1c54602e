/*
 * vp.c: the per-VP protocol engine (see vp.h).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vp.h"

struct vp_limits vp_limits = {
	256 * 1024,		/* chan_max */
	1024 * 1024,		/* unacked_max */
	256 * 1024		/* out_max */
};

/* Room for a protocol error message handed back to the owner. */
static char vp_why[128];

static void	vp_chan_free(struct vp *, struct chan *);

struct vp *
vp_new(const uint8_t *magic, size_t magic_len, const char *monitor,
    const struct vp_ops *ops, void *udata)
{
	struct vp	*vp;

	if (magic_len == 0 || magic_len > PROTO_MAXMAGIC) {
		errno = EINVAL;
		return (NULL);
	}
	if ((vp = calloc(1, sizeof(*vp))) == NULL)
		return (NULL);
	if (monitor != NULL && (vp->monitor = strdup(monitor)) == NULL) {
		free(vp);
		return (NULL);
	}
	memcpy(vp->magic, magic, magic_len);
	vp->magic_len = (uint8_t)magic_len;
	vp->state = VP_LIVE;
	vp->next_chan = 1;
	buf_init(&vp->unacked);
	buf_init(&vp->out);
	chantab_init(&vp->chans);
	vp->ops = ops;
	vp->udata = udata;
	return (vp);
}

static void
vp_free_cb(struct chan *c, void *arg)
{
	vp_chan_free(arg, c);
}

void
vp_free(struct vp *vp)
{
	if (vp == NULL)
		return;
	chantab_foreach(&vp->chans, vp_free_cb, vp);
	chantab_free(&vp->chans);
	buf_free(&vp->unacked);
	buf_free(&vp->out);
	free(vp->monitor);
	free(vp);
}

int
vp_magic_eq(const struct vp *vp, const uint8_t *magic, size_t magic_len)
{
	return (vp->magic_len == magic_len &&
	    memcmp(vp->magic, magic, magic_len) == 0);
}

/* Append bytes for the link and tell the owner. */
static int
vp_out(struct vp *vp, const uint8_t *p, size_t n)
{
	if (buf_append(&vp->out, p, n) != 0)
		return (-1);
	vp->ops->out_ready(vp);
	return (0);
}

/*
 * Send an unreliable control frame (ACK, KEEPALIVE): it carries the
 * current snd_nxt and is never queued for retransmission.  A zombie
 * sends none.
 */
static int
vp_send_unreliable(struct vp *vp, int type, const uint32_t *v)
{
	uint8_t	 f[PROTO_HDRLEN + 5];
	size_t	 n = PROTO_HDRLEN + 1;

	if (vp->state != VP_LIVE)
		return (0);
	f[PROTO_HDRLEN] = (uint8_t)type;
	if (v != NULL) {
		proto_put32(f + PROTO_HDRLEN + 1, *v);
		n += 4;
	}
	proto_hdr_put(f, vp->snd_nxt, 0, (uint16_t)(n - PROTO_HDRLEN));
	return (vp_out(vp, f, n));
}

/*
 * Send a reliable frame: it takes the next sequence number and stays in
 * the unacked queue until scamper acknowledges it.  While a zombie it is
 * only queued; vp_resume sends it.  For a control frame, type >= 0 is
 * put before the n payload bytes.
 */
static int
vp_send_reliable(struct vp *vp, uint32_t chan, int type, const void *p,
    size_t n)
{
	uint8_t	*dst;
	size_t	 plen, flen;

	plen = n + (type >= 0 ? 1 : 0);
	flen = PROTO_HDRLEN + plen;
	if ((dst = buf_reserve(&vp->unacked, flen)) == NULL)
		return (-1);
	proto_hdr_put(dst, vp->snd_nxt, chan, (uint16_t)plen);
	if (type >= 0)
		dst[PROTO_HDRLEN] = (uint8_t)type;
	if (n > 0)
		memcpy(dst + flen - n, p, n);

	/*
	 * XXX: the frame is copied a second time into out; sending
	 * straight from the unacked queue would save the copy.
	 */
	if (vp->state == VP_LIVE && vp_out(vp, dst, flen) != 0)
		return (-1);
	buf_commit(&vp->unacked, flen);
	vp->unacked_n++;
	vp->snd_nxt++;
	return (0);
}

int
vp_send_id(struct vp *vp, const char *id)
{
	if (proto_put_id(&vp->out, vp->snd_nxt, id) != 0)
		return (-1);
	vp->ops->out_ready(vp);
	return (0);
}

int
vp_keepalive(struct vp *vp)
{
	return (vp_send_unreliable(vp, PROTO_KEEPALIVE, NULL));
}

uint32_t
vp_snd_una(const struct vp *vp)
{
	if (vp->unacked_n == 0)
		return (vp->snd_nxt);
	return (proto_get32(buf_data(&vp->unacked)));
}

/* Drop the oldest unacked frame. */
static void
vp_unacked_pop(struct vp *vp)
{
	const uint8_t	*p = buf_data(&vp->unacked);
	size_t		 len;

	len = PROTO_HDRLEN + (((size_t)p[8] << 8) | p[9]);
	buf_consume(&vp->unacked, len);
	vp->unacked_n--;
}

/* Resume reading clients when the backlog has cleared. */
static void
vp_check_clients(struct vp *vp)
{
	if (vp->clients_paused == 0)
		return;
	if (buf_len(&vp->unacked) > vp_limits.unacked_max / 2 ||
	    buf_len(&vp->out) > vp_limits.out_max / 2)
		return;
	vp->clients_paused = 0;
	vp->ops->clients_resume(vp);
}

static void
vp_check_link(struct vp *vp)
{
	if (vp->link_paused == 0)
		return;
	if (vp->nfull > 0 || buf_len(&vp->out) > vp_limits.out_max / 2)
		return;
	vp->link_paused = 0;
	vp->ops->link_resume(vp);
}

int
vp_link_may_read(struct vp *vp)
{
	if (vp->nfull > 0 || buf_len(&vp->out) >= vp_limits.out_max) {
		vp->link_paused = 1;
		return (0);
	}
	return (1);
}

int
vp_client_may_read(struct vp *vp)
{
	if (buf_len(&vp->unacked) >= vp_limits.unacked_max ||
	    buf_len(&vp->out) >= vp_limits.out_max) {
		vp->clients_paused = 1;
		return (0);
	}
	return (1);
}

void
vp_out_written(struct vp *vp)
{
	vp_check_clients(vp);
	vp_check_link(vp);
}

static void
vp_chan_free(struct vp *vp, struct chan *c)
{
	vp->ops->chan_closed(vp, c);
	if (c->flags & CHAN_FULL) {
		c->flags &= ~CHAN_FULL;
		vp->nfull--;
	}
	chantab_del(&vp->chans, c->id);
	buf_free(&c->out);
	free(c);
}

/* Track whether c->out is over its bound, for link flow control. */
static void
vp_chan_level(struct vp *vp, struct chan *c)
{
	size_t	 len = buf_len(&c->out);

	if ((c->flags & CHAN_FULL) == 0 && len >= vp_limits.chan_max) {
		c->flags |= CHAN_FULL;
		vp->nfull++;
	} else if ((c->flags & CHAN_FULL) && len <= vp_limits.chan_max / 2) {
		c->flags &= ~CHAN_FULL;
		vp->nfull--;
		vp_check_link(vp);
	}
}

struct chan *
vp_chan_open(struct vp *vp, void *udata)
{
	struct chan	*c;
	uint32_t	 id, tries;

	/*
	 * Ids count up from 1, skip 0 when the counter wraps, and skip
	 * any id still open, which the original did not check.
	 */
	for (tries = 0; ; tries++) {
		if (tries == UINT32_MAX) {
			errno = EMFILE;
			return (NULL);
		}
		id = vp->next_chan++;
		if (vp->next_chan == 0)
			vp->next_chan = 1;
		if (id != 0 && chantab_get(&vp->chans, id) == NULL)
			break;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->id = id;
	c->vp = vp;
	c->udata = udata;
	buf_init(&c->out);
	if (chantab_put(&vp->chans, c) != 0) {
		free(c);
		return (NULL);
	}
	{
		uint8_t	 v[4];

		proto_put32(v, id);
		if (vp_send_reliable(vp, 0, PROTO_CHANNEL_NEW, v, 4) != 0) {
			chantab_del(&vp->chans, id);
			free(c);
			return (NULL);
		}
	}
	return (c);
}

int
vp_chan_data(struct vp *vp, struct chan *c, const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 k;

	if (c->flags & (CHAN_RXFIN | CHAN_TXFIN))
		return (0);
	while (n > 0) {
		k = n > PROTO_MAXPAYLOAD ? PROTO_MAXPAYLOAD : n;
		if (vp_send_reliable(vp, c->id, -1, b, k) != 0)
			return (-1);
		b += k;
		n -= k;
	}
	return (0);
}

/* Queue our CHANNEL_FIN unless it was sent or scamper's came first. */
static int
vp_chan_fin(struct vp *vp, struct chan *c)
{
	uint8_t	 v[4];

	if (c->flags & (CHAN_TXFIN | CHAN_RXFIN))
		return (0);
	c->flags |= CHAN_TXFIN;
	proto_put32(v, c->id);
	return (vp_send_reliable(vp, 0, PROTO_CHANNEL_FIN, v, 4));
}

int
vp_chan_eof(struct vp *vp, struct chan *c)
{
	return (vp_chan_fin(vp, c));
}

int
vp_chan_gone(struct vp *vp, struct chan *c)
{
	c->flags |= CHAN_GONE;
	buf_free(&c->out);
	vp_chan_level(vp, c);
	/* Out of memory here only loses a FIN; the VP lives on. */
	(void)vp_chan_fin(vp, c);
	if (c->flags & CHAN_RXFIN) {
		vp_chan_free(vp, c);
		return (1);
	}
	return (0);
}

int
vp_chan_written(struct vp *vp, struct chan *c)
{
	vp_chan_level(vp, c);
	if ((c->flags & CHAN_RXFIN) && buf_len(&c->out) == 0) {
		vp_chan_free(vp, c);
		return (1);
	}
	return (0);
}

void
vp_zombify(struct vp *vp)
{
	/* Unsent bytes die with the link; reliable ones stay queued. */
	buf_free(&vp->out);
	vp->state = VP_ZOMBIE;
	vp_check_link(vp);
}

int
vp_resume(struct vp *vp, uint32_t r)
{
	uint8_t	 ok[PROTO_HDRLEN + 5];

	/*
	 * scamper has every frame before r: their ACKs were lost.  r was
	 * checked to lie in snd_una..snd_nxt, so stopping at it is exact.
	 */
	while (vp->unacked_n > 0 && vp_snd_una(vp) != r)
		vp_unacked_pop(vp);

	/* MASTER_OK carries seq 0 whatever snd_nxt is. */
	proto_hdr_put(ok, 0, 0, 5);
	ok[PROTO_HDRLEN] = PROTO_MASTER_OK;
	proto_put32(ok + PROTO_HDRLEN + 1, vp->rcv_nxt);

	buf_free(&vp->out);
	if (buf_append(&vp->out, ok, sizeof(ok)) != 0 ||
	    buf_append(&vp->out, buf_data(&vp->unacked),
	    buf_len(&vp->unacked)) != 0) {
		buf_free(&vp->out);
		return (-1);
	}
	vp->state = VP_LIVE;
	vp->ops->out_ready(vp);
	return (0);
}

/*
 * Make room for the ACK of a reliable frame before anything changes, so
 * that running out of memory leaves the frame wholly unprocessed: the
 * link drops, and scamper sends the frame again on resumption.
 */
static int
vp_ack_room(struct vp *vp)
{
	return (buf_reserve(&vp->out, PROTO_HDRLEN + 5) == NULL ? -1 : 0);
}

/*
 * A reliable frame was processed: count it and acknowledge it.  Cannot
 * fail after vp_ack_room.
 */
static void
vp_ack(struct vp *vp, uint32_t seq)
{
	vp->rcv_nxt++;
	(void)vp_send_unreliable(vp, PROTO_ACK, &seq);
}

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
vp_fail(const char **why, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(vp_why, sizeof(vp_why), fmt, ap);
	va_end(ap);
	*why = vp_why;
	return (-1);
}

/*
 * Below this, frames are gathered in the channel buffer and written
 * together once the round of events is over: one write per frame
 * would cost more than the copy it saves.
 */
#define VP_DIRECT_MIN	8192

static int
vp_input_data(struct vp *vp, const struct proto_frame *f, const char **why)
{
	struct chan	*c;
	size_t		 k = 0;

	if (vp_ack_room(vp) != 0)
		return (vp_fail(why, "out of memory"));

	/*
	 * Data for a channel we do not know (it may have crossed our
	 * FIN-less free), or for a client that is gone: acknowledged and
	 * dropped, as the 20260420 daemon does, rather than fatal.
	 */
	if ((c = chantab_get(&vp->chans, f->chan)) == NULL ||
	    (c->flags & CHAN_GONE) || f->len == 0) {
		vp_ack(vp, f->seq);
		return (0);
	}
	/*
	 * Large frames to an idle client may skip the channel buffer.
	 * Room for what the client does not take is reserved first:
	 * once some bytes are written, running out of memory could no
	 * longer leave the frame unprocessed for scamper to send again.
	 */
	if (buf_len(&c->out) == 0 && f->len >= VP_DIRECT_MIN &&
	    vp->ops->chan_direct != NULL) {
		if (buf_reserve(&c->out, f->len) == NULL)
			return (vp_fail(why, "out of memory"));
		k = vp->ops->chan_direct(vp, c, f->payload, f->len);
		if (k >= f->len) {
			buf_free(&c->out);	/* idle channels hold none */
			vp_ack(vp, f->seq);
			return (0);
		}
	}
	if (buf_append(&c->out, f->payload + k, f->len - k) != 0)
		return (vp_fail(why, "out of memory"));
	vp_ack(vp, f->seq);
	vp_chan_level(vp, c);
	vp->ops->chan_ready(vp, c);
	return (0);
}

static int
vp_input_fin(struct vp *vp, uint32_t id)
{
	struct chan	*c;

	/* A FIN for an unknown channel is harmless: ignore it. */
	if ((c = chantab_get(&vp->chans, id)) == NULL)
		return (0);
	c->flags |= CHAN_RXFIN;
	if ((c->flags & CHAN_GONE) || buf_len(&c->out) == 0) {
		vp_chan_free(vp, c);
		return (0);
	}
	/* The client gets its last bytes first, then EOF. */
	vp->ops->chan_ready(vp, c);
	return (0);
}

int
vp_input(struct vp *vp, const struct proto_frame *f, const char **why)
{
	uint32_t	 v;
	int		 type;

	if (f->seq != vp->rcv_nxt)
		return (vp_fail(why, "sequence number %lu, expected %lu",
		    (unsigned long)f->seq, (unsigned long)vp->rcv_nxt));
	if (f->chan != 0)
		return (vp_input_data(vp, f, why));
	if (f->len == 0)
		return (vp_fail(why, "control frame without a type"));

	type = f->payload[0];
	switch (type) {
	case PROTO_CHANNEL_FIN:
		if (proto_u32_parse(f->payload, f->len, &v) != 0)
			return (vp_fail(why, "CHANNEL_FIN of length %lu",
			    (unsigned long)f->len));
		if (vp_ack_room(vp) != 0)
			return (vp_fail(why, "out of memory"));
		vp_ack(vp, f->seq);
		return (vp_input_fin(vp, v));
	case PROTO_KEEPALIVE:
		if (f->len != 1)
			return (vp_fail(why, "KEEPALIVE of length %lu",
			    (unsigned long)f->len));
		return (0);
	case PROTO_ACK:
		if (proto_u32_parse(f->payload, f->len, &v) != 0)
			return (vp_fail(why, "ACK of length %lu",
			    (unsigned long)f->len));
		if (vp->unacked_n == 0)
			return (vp_fail(why, "ACK %lu with nothing "
			    "outstanding", (unsigned long)v));
		if (v != vp_snd_una(vp))
			return (vp_fail(why, "ACK %lu, expected %lu",
			    (unsigned long)v,
			    (unsigned long)vp_snd_una(vp)));
		vp_unacked_pop(vp);
		vp_check_clients(vp);
		return (0);
	default:
		break;
	}
	if (type <= PROTO_MASTER_OK)
		return (vp_fail(why, "unexpected %s on an established link",
		    proto_strtype(type)));
	return (vp_fail(why, "unknown control type %d", type));
}
