/*
 * vp.h: the per-VP protocol engine.  No descriptors, no timers, no
 * logging of its own: frames go in, bytes for the link come out in
 * vp->out, bytes for local clients come out in each channel's buffer,
 * and the owner learns of work to do through a table of callbacks.
 *
 * The engine keeps the sequence state, the queue of unacknowledged
 * reliable frames (kept as the encoded frames themselves, oldest first,
 * since ACKs must come in order) and the channels.  A VP outlives its
 * link: as a zombie it keeps queueing what its clients write, and a
 * resumption sends MASTER_OK followed by everything unacknowledged.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef VP_H
#define VP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "chan.h"
#include "proto.h"

enum vp_state {
	VP_LIVE,		/* has a link */
	VP_ZOMBIE		/* lost its link, may be resumed */
};

struct vp;

/*
 * Callbacks into the owner.  The engine calls them synchronously from
 * the function that caused the event.
 *   out_ready:      bytes were appended to vp->out.
 *   chan_ready:     c->out has bytes for the client, or c has received
 *                   scamper's FIN and waits for its output to drain.
 *   chan_closed:    c is about to be freed: close its client.
 *   clients_resume: the VP's backlog is low again; read the clients
 *                   that were paused (CHAN_PAUSED).
 *   link_resume:    no channel is full any more and vp->out is short;
 *                   read the link again if it was paused.
 */
struct vp_ops {
	/*
	 * Optional.  chan_direct: c->out is empty and n bytes have arrived
	 * for c; write what can go straight to the client without
	 * blocking and return how many did (0 if none).  The rest is
	 * queued in c->out as usual.  Saves a copy on bulk transfers.
	 */
	size_t	(*chan_direct)(struct vp *vp, struct chan *c,
		    const uint8_t *p, size_t n);
	void	(*out_ready)(struct vp *vp);
	void	(*chan_ready)(struct vp *vp, struct chan *c);
	void	(*chan_closed)(struct vp *vp, struct chan *c);
	void	(*clients_resume)(struct vp *vp);
	void	(*link_resume)(struct vp *vp);
};

/*
 * Bounds on buffering.  Reaching one never drops data: it stops reading
 * the side that fills it, and TCP pushes back on the sender.
 *   chan_max:    bytes from scamper waiting for one slow client; over it
 *                the link is not read until the client catches up.
 *   unacked_max: bytes sent (or queued while a zombie) that scamper has
 *                not acknowledged; over it local clients are not read.
 *   out_max:     bytes waiting to be written to the link; over it
 *                neither the link nor the clients are read.
 */
struct vp_limits {
	size_t	chan_max;
	size_t	unacked_max;
	size_t	out_max;
};
extern struct vp_limits vp_limits;

struct vp {
	uint8_t		 magic[PROTO_MAXMAGIC];
	uint8_t		 magic_len;
	uint8_t		 state;		/* enum vp_state */
	uint8_t		 link_paused;	/* owner stopped reading the link */
	uint8_t		 clients_paused; /* owner stopped reading clients */
	char		*monitor;	/* monitor name, or NULL */

	uint32_t	 snd_nxt;
	uint32_t	 rcv_nxt;
	struct buf	 unacked;	/* encoded reliable frames */
	size_t		 unacked_n;	/* frames in it */
	struct buf	 out;		/* bytes to write to the link */

	uint32_t	 next_chan;
	struct idmap	 chans;		/* id -> struct chan */
	size_t		 nfull;		/* channels with CHAN_FULL */

	const struct vp_ops *ops;
	void		*udata;		/* the owner's */
};

/*
 * A new live VP with sequence state at 0.  monitor may be NULL.  NULL
 * on ENOMEM.
 */
struct vp	*vp_new(const uint8_t *magic, size_t magic_len,
		    const char *monitor, const struct vp_ops *ops,
		    void *udata);
/* Free the VP, closing every channel (chan_closed for each). */
void		 vp_free(struct vp *vp);
int		 vp_magic_eq(const struct vp *vp, const uint8_t *magic,
		    size_t magic_len);

/*
 * Process one frame received on an established link.  0 on success;
 * -1 on a protocol error, with *why set to a message for the log (the
 * owner then drops the link).  The frame's payload is copied where it
 * is kept; the caller may reuse its memory afterwards.
 */
int		 vp_input(struct vp *vp, const struct proto_frame *f,
		    const char **why);

/* Queue MASTER_ID for a new VP. */
int		 vp_send_id(struct vp *vp, const char *id);
/* Queue a KEEPALIVE (only while live). */
int		 vp_keepalive(struct vp *vp);

/* A local client connected: a new channel, CHANNEL_NEW queued. */
struct chan	*vp_chan_open(struct vp *vp, void *udata);
/*
 * The client wrote n bytes: queue them as data frames.  0 or -1
 * (ENOMEM).  Not to be called once CHAN_RXFIN is set.
 */
int		 vp_chan_data(struct vp *vp, struct chan *c, const void *p,
		    size_t n);
/* The client shut down its sending side: queue our FIN if due. */
int		 vp_chan_eof(struct vp *vp, struct chan *c);
/*
 * The client is gone (read or write error, hang-up): drop its output,
 * queue our FIN if due, and free the channel if scamper's FIN is in.
 * Returns 1 if c was freed.
 */
int		 vp_chan_gone(struct vp *vp, struct chan *c);
/*
 * The owner wrote (and consumed) part of c->out.  Frees c when it is
 * finished (scamper's FIN in and nothing left).  Returns 1 if c was
 * freed.
 */
int		 vp_chan_written(struct vp *vp, struct chan *c);
/* The owner wrote (and consumed) part of vp->out. */
void		 vp_out_written(struct vp *vp);

/*
 * Flow control, asked by the owner before it reads.  A 0 answer also
 * records that reading is paused, so that the matching resume callback
 * fires once the backlog clears.
 */
int		 vp_link_may_read(struct vp *vp);
int		 vp_client_may_read(struct vp *vp);

/* The link is lost: forget unsent output; keep everything else. */
void		 vp_zombify(struct vp *vp);
/*
 * The oldest unacknowledged sequence number, or snd_nxt when nothing
 * is outstanding.
 */
uint32_t	 vp_snd_una(const struct vp *vp);
/*
 * Resume on a new link after resume_check() accepted r (scamper's
 * rcv_nxt): drop what scamper has, queue MASTER_OK and retransmit the
 * rest, oldest first.  0 or -1 (ENOMEM, VP unchanged but for frames
 * scamper already had).
 */
int		 vp_resume(struct vp *vp, uint32_t r);

#endif /* VP_H */
