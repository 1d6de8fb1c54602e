/*
 * mux.c: the multiplexed user socket (-M).  One unix socket for the
 * whole fleet: a client learns every VP (VP_UPDATE, then GO), opens
 * channels on any of them, and hears of arrivals and departures.
 *
 * Framing, both ways: u32 channel, u32 length, payload (big-endian).
 * Channel 0 carries control messages starting with a u16 type:
 *
 *	0 VP_UPDATE	 daemon->client	u32 VP id, attributes
 *	1 VP_DEPART	 daemon->client	u32 VP id
 *	2 GO		 daemon->client
 *	3 CHANNEL_OPEN	 client->daemon	u32 VP id, u32 channel
 *	4 CHANNEL_CLOSE	 both		u32 channel
 *
 * An attribute is a u16 number and a NUL-terminated string.  Other
 * channels carry one channel's bytes; a client's channel maps to one
 * channel of a VP's link, shared with that VP's -U socket clients.
 *
 * Bounds: a control message from a client is at most 65,536 bytes; data
 * is forwarded as it arrives, whatever the frame length.  Output to a
 * client that reads slowly is bounded: data stays in the channel's
 * buffer, which in turn stops reading that VP's link only, so one slow
 * client stalls its own channels' VPs and nothing else.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "chan.h"
#include "ev.h"
#include "idmap.h"
#include "log.h"
#include "meta.h"
#include "proto.h"
#include "server.h"
#include "server_int.h"
#include "unixdir.h"
#include "vp.h"

#define MUX_HDRLEN	8
#define MUX_MAXCTL	65536		/* control payload, type included */
#define MUX_MAXDATA	65535		/* data frame towards a client */

enum mux_type {
	MUX_VP_UPDATE = 0,
	MUX_VP_DEPART = 1,
	MUX_GO = 2,
	MUX_CHANNEL_OPEN = 3,
	MUX_CHANNEL_CLOSE = 4
};

enum mux_attr {
	ATTR_NAME = 1,
	ATTR_ARRIVAL = 2,
	ATTR_IPV4 = 3,
	ATTR_IPV6 = 12
};

/*
 * Output bounds per client.  Data moves from channel buffers into a
 * client's output only while it holds less than MUXC_DATA_MAX; control
 * messages are always queued, but a client that lets more than
 * MUXC_OUT_LIMIT pile up is not reading at all and is disconnected.
 */
#define MUXC_DATA_MAX	(1024 * 1024)
#define MUXC_OUT_LIMIT	(64 * 1024 * 1024)

struct muxc;

struct mchan {
	int		 kind;		/* OWNER_MUX */
	struct muxc	*mc;
	uint32_t	 mid;		/* the client's channel id */
	struct chan	*chan;		/* the VP's channel */
	struct rvp	*r;
	int		 halfclosed;	/* client sent CHANNEL_CLOSE */
	struct lnode	 dirty;		/* on mc's dirty list */
};

struct muxc {
	struct mux	*mux;
	int		 fd;
	struct ev_io	*io;
	struct buf	 in;		/* header, or a whole control message */
	uint32_t	 dchan;		/* data frame being received */
	uint32_t	 dleft;		/* its bytes still to come */
	struct buf	 out;
	struct idmap	 chans;		/* mid -> mchan */
	struct idmap	 told;		/* VP ids announced to this client */
	struct lhead	 dirty;		/* channels with data to move */
	int		 paused;	/* not reading: a VP's backlog */
	struct lnode	 flush;		/* on the mux's flush list */
	struct muxc	*prev, *next;
};

struct mux {
	struct server	*srv;
	struct ev_loop	*loop;
	char		*path;
	int		 fd;
	struct ev_io	*io;
	struct muxc	*clients;
	unsigned	 nclients;
	struct lhead	 flush;
};

static uint8_t	 mux_scratch[65536];

static void	muxc_free(struct muxc *, const char *);
static void	muxc_update(struct muxc *);

/* ---------------------------------------------------------------- */

static void
muxc_flush_add(struct muxc *mc)
{
	list_add(&mc->mux->flush, &mc->flush);
}

static void
mchan_dirty_add(struct mchan *m)
{
	list_add(&m->mc->dirty, &m->dirty);
}

static void
mchan_dirty_del(struct mchan *m)
{
	list_del(&m->mc->dirty, &m->dirty);
}

/* ---------------------------------------------------------------- */
/* Output. */

/* Append a frame header and reserve its payload; NULL on ENOMEM. */
static uint8_t *
muxc_frame(struct muxc *mc, uint32_t chan, size_t len)
{
	uint8_t	*p;

	if ((p = buf_reserve(&mc->out, MUX_HDRLEN + len)) == NULL)
		return (NULL);
	proto_put32(p, chan);
	proto_put32(p + 4, (uint32_t)len);
	buf_commit(&mc->out, MUX_HDRLEN + len);
	muxc_flush_add(mc);
	return (p + MUX_HDRLEN);
}

/* A control message: the type, then n bytes of v. */
static int
muxc_ctl(struct muxc *mc, int type, const void *v, size_t n)
{
	uint8_t	*p;

	if ((p = muxc_frame(mc, 0, 2 + n)) == NULL)
		return (-1);
	p[0] = (uint8_t)(type >> 8);
	p[1] = (uint8_t)type;
	if (n > 0)
		memcpy(p + 2, v, n);
	return (0);
}

static int
muxc_ctl_u32(struct muxc *mc, int type, uint32_t v)
{
	uint8_t	 u[4];

	proto_put32(u, v);
	return (muxc_ctl(mc, type, u, 4));
}

static size_t
attr_put(uint8_t *p, size_t room, int num, const char *val)
{
	size_t	 n = strlen(val) + 1;

	if (2 + n > room)
		return (0);
	p[0] = (uint8_t)(num >> 8);
	p[1] = (uint8_t)num;
	memcpy(p + 2, val, n);
	return (2 + n);
}

/*
 * Announce r to mc: VP_UPDATE with name, arrival, address and the
 * metadata for its monitor name, trimmed rather than never sent when
 * the metadata is too large for one message.
 */
static int
muxc_announce(struct muxc *mc, struct rvp *r)
{
	static uint8_t			 msg[MUX_MAXCTL];
	const struct meta_entry		*e = NULL;
	const struct meta		*meta;
	char				 when[40];
	size_t				 n = 0;
	uint8_t				*p;
	int				 trimmed = 0;

	msg[n++] = 0;
	msg[n++] = MUX_VP_UPDATE;
	proto_put32(msg + n, r->id);
	n += 4;
	if (r->vp->monitor != NULL)
		n += attr_put(msg + n, sizeof(msg) - n, ATTR_NAME,
		    r->vp->monitor);
	snprintf(when, sizeof(when), "%lld.%06ld",
	    (long long)r->arrival.tv_sec, (long)r->arrival.tv_usec);
	n += attr_put(msg + n, sizeof(msg) - n, ATTR_ARRIVAL, when);
	n += attr_put(msg + n, sizeof(msg) - n,
	    r->af == AF_INET6 ? ATTR_IPV6 : ATTR_IPV4, r->addr);
	meta = server_meta(mc->mux->srv);
	if (meta != NULL && r->vp->monitor != NULL &&
	    (e = meta_find(meta, r->vp->monitor)) != NULL)
		n += meta_attrs(e, msg + n, sizeof(msg) - n, &trimmed);
	if (trimmed)
		log_info("VP %u: metadata does not fit in one VP_UPDATE; "
		    "some of it was left out", (unsigned)r->id);
	if ((p = muxc_frame(mc, 0, n)) == NULL)
		return (-1);
	memcpy(p, msg, n);
	return (idmap_put(&mc->told, r->id, mc));
}

/*
 * Move what r's channels hold for this client into its output, within
 * its bound.  The engine frees a channel once scamper's FIN is in and
 * its data has moved, which queues CHANNEL_CLOSE after that data.
 */
static void
muxc_move(struct muxc *mc)
{
	struct lnode	*n, *next;
	struct mchan	*m;
	struct chan	*c;
	uint8_t		*p;
	size_t		 k;

	for (n = mc->dirty.first; n != NULL; n = next) {
		next = n->next;
		m = LIST_ENTRY(n, struct mchan, dirty);
		if (buf_len(&mc->out) >= MUXC_DATA_MAX)
			return;
		c = m->chan;
		while (buf_len(&c->out) > 0 &&
		    buf_len(&mc->out) < MUXC_DATA_MAX) {
			k = buf_len(&c->out);
			if (k > MUX_MAXDATA)
				k = MUX_MAXDATA;
			if ((p = muxc_frame(mc, m->mid, k)) == NULL)
				return;
			memcpy(p, buf_data(&c->out), k);
			buf_consume(&c->out, k);
		}
		if (buf_len(&c->out) > 0)
			continue;
		mchan_dirty_del(m);
		/* May free c and, through mux_chan_closed, m itself. */
		(void)vp_chan_written(c->vp, c);
		/* next may have been freed with it: start again. */
		next = mc->dirty.first;
	}
}

/* Returns -1 if mc was freed. */
static int
muxc_write(struct muxc *mc)
{
	ssize_t	 n;

	if (buf_len(&mc->out) > 0) {
		n = write(mc->fd, buf_data(&mc->out), buf_len(&mc->out));
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK &&
		    errno != EINTR) {
			muxc_free(mc, strerror(errno));
			return (-1);
		}
		if (n > 0)
			buf_consume(&mc->out, (size_t)n);
	}
	if (buf_len(&mc->out) > MUXC_OUT_LIMIT) {
		muxc_free(mc, "it does not read its output");
		return (-1);
	}
	muxc_update(mc);
	return (0);
}

void
mux_flush(struct mux *mux)
{
	struct lnode	*n;
	struct muxc	*mc;

	while ((n = list_pop(&mux->flush)) != NULL) {
		mc = LIST_ENTRY(n, struct muxc, flush);
		muxc_move(mc);
		(void)muxc_write(mc);
	}
}

static void
muxc_update(struct muxc *mc)
{
	int	 ev = 0;

	if (!mc->paused)
		ev |= EV_READ;
	if (buf_len(&mc->out) > 0)
		ev |= EV_WRITE;
	if (ev_io_set(mc->io, ev) != 0)
		log_err("mux client: cannot watch");
}

/* ---------------------------------------------------------------- */
/* Channels. */

static void
mchan_free(struct mchan *m)
{
	if (m->mc != NULL) {
		mchan_dirty_del(m);
		(void)idmap_del(&m->mc->chans, m->mid);
	}
	free(m);
}

void
mux_chan_ready(struct chan *c)
{
	struct mchan	*m = c->udata;

	mchan_dirty_add(m);
	muxc_flush_add(m->mc);
}

void
mux_chan_closed(struct chan *c)
{
	struct mchan	*m = c->udata;

	c->udata = NULL;
	m->chan = NULL;
	if (m->mc != NULL && muxc_ctl_u32(m->mc, MUX_CHANNEL_CLOSE,
	    m->mid) != 0)
		log_err("mux client: queueing CHANNEL_CLOSE");
	mchan_free(m);
}

void
mux_clients_resume(struct chan *c)
{
	struct mchan	*m = c->udata;

	if (m->mc->paused) {
		m->mc->paused = 0;
		muxc_update(m->mc);
	}
}

/* CHANNEL_OPEN(vp, mid). Returns -1 if the client must go. */
static int
muxc_open(struct muxc *mc, uint32_t vpid, uint32_t mid)
{
	struct rvp	*r;
	struct mchan	*m;

	if (mid == 0) {
		muxc_free(mc, "CHANNEL_OPEN with channel 0");
		return (-1);
	}
	if (idmap_get(&mc->chans, mid) != NULL) {
		muxc_free(mc, "CHANNEL_OPEN for a channel already open");
		return (-1);
	}
	/* A zombie is fine: CHANNEL_NEW goes out when it resumes. */
	r = server_vp_by_id(mc->mux->srv, vpid);
	if (r == NULL || r->vp->chans.count >= server_limits.max_chans) {
		log_debug("mux client: CHANNEL_OPEN %u on VP %u refused",
		    (unsigned)mid, (unsigned)vpid);
		return (muxc_ctl_u32(mc, MUX_CHANNEL_CLOSE, mid) == 0 ? 0 :
		    (muxc_free(mc, "out of memory"), -1));
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		muxc_free(mc, "out of memory");
		return (-1);
	}
	m->kind = OWNER_MUX;
	m->mc = mc;
	m->mid = mid;
	m->r = r;
	if (idmap_put(&mc->chans, mid, m) != 0 ||
	    (m->chan = vp_chan_open(r->vp, m)) == NULL) {
		(void)idmap_del(&mc->chans, mid);
		free(m);
		muxc_free(mc, "out of memory");
		return (-1);
	}
	log_debug("mux client: channel %u on VP %u is channel %u",
	    (unsigned)mid, (unsigned)vpid, (unsigned)m->chan->id);
	return (0);
}

/* CHANNEL_CLOSE from the client: end of its input on that channel. */
static void
muxc_close(struct muxc *mc, uint32_t mid)
{
	struct mchan	*m;

	if ((m = idmap_get(&mc->chans, mid)) == NULL || m->halfclosed ||
	    m->chan == NULL)
		return;
	m->halfclosed = 1;
	if (vp_chan_eof(m->chan->vp, m->chan) != 0)
		log_err("mux client: queueing FIN");
}

/* Client bytes for channel mid. */
static void
muxc_data(struct muxc *mc, uint32_t mid, const uint8_t *p, size_t n)
{
	struct mchan	*m;
	struct vp	*vp;

	/* Unknown, closed or half-closed channels: dropped silently. */
	if ((m = idmap_get(&mc->chans, mid)) == NULL || m->halfclosed ||
	    m->chan == NULL || n == 0)
		return;
	vp = m->chan->vp;
	if (vp_chan_data(vp, m->chan, p, n) != 0) {
		log_err("mux client: queueing data");
		return;
	}
	/* The VP's backlog is full: stop reading this client for now. */
	if (!vp_client_may_read(vp)) {
		m->chan->flags |= CHAN_PAUSED;
		mc->paused = 1;
	}
}

/* One control message.  Returns -1 if mc was freed. */
static int
muxc_control(struct muxc *mc, const uint8_t *p, size_t len)
{
	int	 type = (p[0] << 8) | p[1];

	switch (type) {
	case MUX_CHANNEL_OPEN:
		if (len < 10) {
			muxc_free(mc, "short CHANNEL_OPEN");
			return (-1);
		}
		return (muxc_open(mc, proto_get32(p + 2),
		    proto_get32(p + 6)));
	case MUX_CHANNEL_CLOSE:
		if (len < 6) {
			muxc_free(mc, "short CHANNEL_CLOSE");
			return (-1);
		}
		muxc_close(mc, proto_get32(p + 2));
		return (0);
	default:
		/* Unknown or daemon-to-client types: ignored. */
		return (0);
	}
}

/*
 * Process n bytes from the client.  Data is forwarded as it arrives;
 * only headers and control messages are gathered.  Returns -1 if mc
 * was freed.
 */
static int
muxc_input(struct muxc *mc, const uint8_t *p, size_t n)
{
	size_t		 off = 0, k, need;
	const uint8_t	*h;
	uint32_t	 len;

	while (off < n) {
		if (mc->dleft > 0) {
			k = n - off < mc->dleft ? n - off : mc->dleft;
			muxc_data(mc, mc->dchan, p + off, k);
			off += k;
			mc->dleft -= (uint32_t)k;
			continue;
		}
		need = MUX_HDRLEN;
		if (buf_len(&mc->in) >= MUX_HDRLEN) {
			h = buf_data(&mc->in);
			need += proto_get32(h + 4);
		}
		k = need - buf_len(&mc->in);
		if (k > n - off)
			k = n - off;
		if (buf_append(&mc->in, p + off, k) != 0) {
			muxc_free(mc, "out of memory");
			return (-1);
		}
		off += k;
		if (buf_len(&mc->in) < MUX_HDRLEN)
			break;
		h = buf_data(&mc->in);
		len = proto_get32(h + 4);
		if (proto_get32(h) != 0) {
			/* A data frame: stream it, whatever its length. */
			mc->dchan = proto_get32(h);
			mc->dleft = len;
			buf_reset(&mc->in);
			continue;
		}
		if (len < 2 || len > MUX_MAXCTL) {
			muxc_free(mc, len < 2 ? "control message shorter "
			    "than its type" : "control message over 65536 "
			    "bytes");
			return (-1);
		}
		if (buf_len(&mc->in) < MUX_HDRLEN + (size_t)len)
			continue;
		if (muxc_control(mc, buf_data(&mc->in) + MUX_HDRLEN,
		    len) != 0)
			return (-1);
		buf_reset(&mc->in);
	}
	return (0);
}

static void
muxc_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct muxc	*mc = arg;
	ssize_t		 n;

	(void)io;
	if (what & EV_WRITE) {
		if (muxc_write(mc) != 0)
			return;
		/* Room again: move what channels still hold. */
		if (mc->dirty.first != NULL)
			muxc_flush_add(mc);
	}
	if ((what & EV_READ) == 0 || mc->paused)
		return;
	n = read(fd, mux_scratch, sizeof(mux_scratch));
	if (n == 0) {
		muxc_free(mc, NULL);
		return;
	}
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			muxc_free(mc, strerror(errno));
		return;
	}
	if (muxc_input(mc, mux_scratch, (size_t)n) != 0)
		return;
	if (mc->paused)
		muxc_update(mc);
}

/* The client is gone: FIN every channel it had, forget it. */
static void
muxc_gone_chan(uint32_t id, void *val, void *arg)
{
	struct mchan	*m = val;
	struct chan	*c = m->chan;

	(void)id;
	(void)arg;
	(void)idmap_del(&m->mc->chans, m->mid);
	m->mc = NULL;
	if (c != NULL) {
		c->udata = NULL;
		/* FIN once; the channel lives until scamper's FIN. */
		(void)vp_chan_gone(c->vp, c);
	}
	free(m);
}

static void
muxc_free(struct muxc *mc, const char *why)
{
	struct mux	*mux = mc->mux;

	if (why != NULL)
		log_info("mux client: disconnected: %s", why);
	else
		log_debug("mux client: closed");
	list_del(&mux->flush, &mc->flush);
	while (list_pop(&mc->dirty) != NULL)
		;
	idmap_foreach(&mc->chans, muxc_gone_chan, NULL);
	idmap_free(&mc->chans);
	idmap_free(&mc->told);
	ev_io_free(mc->io);
	close(mc->fd);
	buf_free(&mc->in);
	buf_free(&mc->out);
	if (mc->prev != NULL)
		mc->prev->next = mc->next;
	else
		mux->clients = mc->next;
	if (mc->next != NULL)
		mc->next->prev = mc->prev;
	mux->nclients--;
	free(mc);
}

/* ---------------------------------------------------------------- */
/* VP events. */

struct burst {
	struct muxc	*mc;
	int		 rc;
};

static void
mux_burst_one(struct rvp *r, void *arg)
{
	struct burst	*b = arg;

	/* Zombies are not announced to newcomers; they are on resume. */
	if (r->link != NULL && b->rc == 0)
		b->rc = muxc_announce(b->mc, r);
}

static void
mux_accept_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct mux	*mux = arg;
	struct muxc	*mc;
	struct burst	 b;
	int		 cfd, i;

	(void)io;
	(void)what;
	for (i = 0; i < ACCEPT_BURST; i++) {
		if ((cfd = accept(fd, NULL, NULL)) == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_err("mux: accepting a client");
			return;
		}
		if (server_set_nonblock(cfd) != 0 ||
		    (mc = calloc(1, sizeof(*mc))) == NULL) {
			log_err("mux: setting up a client");
			close(cfd);
			continue;
		}
		mc->mux = mux;
		mc->fd = cfd;
		buf_init(&mc->in);
		buf_init(&mc->out);
		idmap_init(&mc->chans);
		idmap_init(&mc->told);
		if ((mc->io = ev_io_new(mux->loop, cfd, muxc_cb, mc)) == NULL) {
			log_err("mux: cannot watch a client");
			close(cfd);
			free(mc);
			continue;
		}
		mc->next = mux->clients;
		if (mux->clients != NULL)
			mux->clients->prev = mc;
		mux->clients = mc;
		mux->nclients++;

		/* Every live VP, then GO, before anything else. */
		b.mc = mc;
		b.rc = 0;
		server_foreach_vp(mux->srv, mux_burst_one, &b);
		if (b.rc != 0 || muxc_ctl(mc, MUX_GO, NULL, 0) != 0) {
			muxc_free(mc, "out of memory");
			continue;
		}
		log_debug("mux client: connected, %u VPs announced",
		    (unsigned)mc->told.count);
	}
}

void
mux_vp_arrived(struct mux *mux, struct rvp *r)
{
	struct muxc	*mc, *next;

	for (mc = mux->clients; mc != NULL; mc = next) {
		next = mc->next;
		if (muxc_announce(mc, r) != 0)
			muxc_free(mc, "out of memory");
	}
}

void
mux_vp_resumed(struct mux *mux, struct rvp *r)
{
	struct muxc	*mc, *next;

	/* Clients that came while it was a zombie have not heard of it. */
	for (mc = mux->clients; mc != NULL; mc = next) {
		next = mc->next;
		if (idmap_get(&mc->told, r->id) == NULL &&
		    muxc_announce(mc, r) != 0)
			muxc_free(mc, "out of memory");
	}
}

void
mux_vp_departed(struct mux *mux, struct rvp *r)
{
	struct muxc	*mc, *next;

	for (mc = mux->clients; mc != NULL; mc = next) {
		next = mc->next;
		if (idmap_del(&mc->told, r->id) == NULL)
			continue;
		if (muxc_ctl_u32(mc, MUX_VP_DEPART, r->id) != 0)
			muxc_free(mc, "out of memory");
	}
}

struct metachange {
	struct mux		*mux;
	const struct meta	*old;
	const struct meta	*cur;
};

static void
mux_meta_one(struct rvp *r, void *arg)
{
	struct metachange	*mch = arg;
	const struct meta_entry	*a = NULL, *b = NULL;
	struct muxc		*mc, *next;

	if (r->vp->monitor == NULL)
		return;
	if (mch->old != NULL)
		a = meta_find(mch->old, r->vp->monitor);
	if (mch->cur != NULL)
		b = meta_find(mch->cur, r->vp->monitor);
	if (meta_entry_equal(a, b))
		return;
	/*
	 * A VP_UPDATE for an id a client already has would make the
	 * client library hold two VPs: depart and announce it afresh.
	 * Channels are not touched by either.
	 */
	for (mc = mch->mux->clients; mc != NULL; mc = next) {
		next = mc->next;
		if (idmap_get(&mc->told, r->id) == NULL)
			continue;
		if (muxc_ctl_u32(mc, MUX_VP_DEPART, r->id) != 0 ||
		    muxc_announce(mc, r) != 0)
			muxc_free(mc, "out of memory");
	}
}

void
mux_meta_changed(struct mux *mux, const struct meta *old)
{
	struct metachange	 mch;

	mch.mux = mux;
	mch.old = old;
	mch.cur = server_meta(mux->srv);
	server_foreach_vp(mux->srv, mux_meta_one, &mch);
}

/* ---------------------------------------------------------------- */

struct mux *
mux_new(struct server *srv, const char *path, mode_t mode)
{
	struct mux	*mux;

	if ((mux = calloc(1, sizeof(*mux))) == NULL ||
	    (mux->path = strdup(path)) == NULL) {
		log_err("mux");
		free(mux);
		return (NULL);
	}
	mux->srv = srv;
	if ((mux->fd = unixdir_listen_path(path, mode)) == -1) {
		if (errno == EEXIST)
			log_errx("-M %s: something is already there; remove "
			    "it if it is not another daemon's", path);
		else
			log_err("-M %s", path);
		free(mux->path);
		free(mux);
		return (NULL);
	}
	return (mux);
}

int
mux_start(struct mux *mux, struct ev_loop *loop)
{
	mux->loop = loop;
	if ((mux->io = ev_io_new(loop, mux->fd, mux_accept_cb,
	    mux)) == NULL || ev_io_set(mux->io, EV_READ) != 0) {
		log_err("-M %s: cannot watch", mux->path);
		return (-1);
	}
	log_info("mux socket %s", mux->path);
	return (0);
}

void
mux_free(struct mux *mux)
{
	if (mux == NULL)
		return;
	while (mux->clients != NULL)
		muxc_free(mux->clients, NULL);
	if (mux->io != NULL)
		ev_io_free(mux->io);
	close(mux->fd);
	(void)unlink(mux->path);
	free(mux->path);
	free(mux);
}
