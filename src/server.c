/*
 * server.c: links, VP sockets and local clients on the event loop (see
 * server.h).
 *
 * Three kinds of object live here:
 *   link    one TCP connection from scamper.  PENDING until it sends an
 *           acceptable MASTER_NEW or MASTER_RES, then LIVE (it carries
 *           a VP), or REJECTING while a MASTER_REJ drains.
 *   rvp     our side of a VP: its engine state (struct vp), its link
 *           (none while a zombie), its unix listening socket and name.
 *   client  one local process connected to a VP socket: one channel.
 *
 * Every object is reached in O(1): VPs by magic through a hash table,
 * channels by id through the engine's table, descriptors through the
 * event loop.  Timers are lazy: traffic only stamps a time, and a
 * link's single timer re-arms itself from the stamps when it fires.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <sys/types.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "chan.h"
#include "ev.h"
#include "log.h"
#include "meta.h"
#include "options.h"
#include "proto.h"
#include "resume.h"
#include "server.h"
#include "server_int.h"
#include "tls.h"
#include "unixdir.h"
#include "vp.h"

struct server_limits server_limits = {
	4096,			/* max_pending */
	30000,			/* handshake_ms */
	60000,			/* silence_ms */
	30000,			/* keepalive_ms */
	50000,			/* max_vps */
	1024			/* max_chans */
};

/*
 * One scratch buffer for every read: the daemon is single-threaded.
 * Links read up to LINK_READ at once, enough for a few full frames.
 *
 * A read rarely ends on a frame boundary.  Copying the partial frame
 * at its end aside, and back when it completes, cost a quarter of the
 * bytes of a bulk transfer in copies; so it stays where it is, and the
 * link's next read lands right after it.  The buffer then belongs to
 * that link (scratch_owner) until another link reads, which first
 * moves the partial frame into its owner's rbuf.  The room for that
 * move is reserved beforehand, so it cannot fail.
 */
#define LINK_READ	(256 * 1024)
#define SCRATCH_SIZE	(4 * LINK_READ)
static uint8_t	 server_scratch[SCRATCH_SIZE];
static struct link *scratch_owner;
static size_t	 scratch_off;	/* where its partial frame starts */
static size_t	 scratch_len;	/* and its length */
/* Clients' reads have their own, as one frame's worth at most. */
static uint8_t	 client_scratch[PROTO_MAXPAYLOAD];

static void	link_free(struct link *);
static void	link_update(struct link *);
static void	link_lost(struct link *, const char *);
static void	rvp_free(struct rvp *);
static void	client_update(struct client *);
static void	rvp_out_ready(struct vp *);
static void	rvp_chan_ready(struct vp *, struct chan *);
static void	rvp_chan_closed(struct vp *, struct chan *);
static void	rvp_clients_resume(struct vp *);
static void	rvp_link_resume(struct vp *);

static size_t	rvp_chan_direct(struct vp *, struct chan *, const uint8_t *,
		    size_t);

static const struct vp_ops rvp_ops = {
	rvp_chan_direct,
	rvp_out_ready,
	rvp_chan_ready,
	rvp_chan_closed,
	rvp_clients_resume,
	rvp_link_resume
};

int
server_set_nonblock(int fd)
{
	int	 fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return (-1);
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return (-1);
	return (0);
}

/* ---------------------------------------------------------------- */
/* The table of VPs by magic. */

static size_t
htab_hash(const uint8_t *magic, size_t len, size_t cap)
{
	uint32_t h = 2166136261u;
	size_t	 i;

	for (i = 0; i < len; i++)
		h = (h ^ magic[i]) * 16777619u;
	return ((size_t)h & (cap - 1));
}

static struct rvp *
htab_find(struct server *srv, const uint8_t *magic, size_t len)
{
	struct rvp	*r;

	if (srv->hcap == 0)
		return (NULL);
	for (r = srv->htab[htab_hash(magic, len, srv->hcap)]; r != NULL;
	    r = r->hnext)
		if (vp_magic_eq(r->vp, magic, len))
			return (r);
	return (NULL);
}

static int
htab_add(struct server *srv, struct rvp *r)
{
	struct rvp	**nt, *x, *nx;
	size_t		  cap, i, h;

	if (srv->nvps + 1 > srv->hcap) {
		cap = srv->hcap == 0 ? 64 : srv->hcap * 2;
		if ((nt = calloc(cap, sizeof(*nt))) == NULL)
			return (-1);
		for (i = 0; i < srv->hcap; i++) {
			for (x = srv->htab[i]; x != NULL; x = nx) {
				nx = x->hnext;
				h = htab_hash(x->vp->magic, x->vp->magic_len,
				    cap);
				x->hnext = nt[h];
				nt[h] = x;
			}
		}
		free(srv->htab);
		srv->htab = nt;
		srv->hcap = cap;
	}
	h = htab_hash(r->vp->magic, r->vp->magic_len, srv->hcap);
	r->hnext = srv->htab[h];
	srv->htab[h] = r;
	return (0);
}

static void
htab_del(struct server *srv, struct rvp *r)
{
	struct rvp	**pp;

	if (srv->hcap == 0)
		return;
	pp = &srv->htab[htab_hash(r->vp->magic, r->vp->magic_len,
	    srv->hcap)];
	for (; *pp != NULL; pp = &(*pp)->hnext) {
		if (*pp == r) {
			*pp = r->hnext;
			return;
		}
	}
}

/* ---------------------------------------------------------------- */
/* The flush lists (see struct server). */

static void
flush_add_link(struct link *l)
{
	list_add(&l->srv->flinks, &l->flush);
}

static void
flush_del_link(struct link *l)
{
	list_del(&l->srv->flinks, &l->flush);
}

static void
flush_add_client(struct client *cl)
{
	list_add(&cl->srv->fclients, &cl->flush);
}

static void
flush_del_client(struct client *cl)
{
	list_del(&cl->srv->fclients, &cl->flush);
}

/* ---------------------------------------------------------------- */
/* Local clients on a VP's unix socket. */

static void
client_free(struct client *cl)
{
	flush_del_client(cl);
	ev_io_free(cl->io);
	close(cl->fd);
	free(cl);
}

/* The client failed or hung up: tell the engine, which may free c. */
static void
client_gone(struct client *cl)
{
	struct chan	*c = cl->chan;
	struct vp	*vp = cl->rvp->vp;

	c->udata = NULL;
	client_free(cl);
	(void)vp_chan_gone(vp, c);
}

static void
client_update(struct client *cl)
{
	struct chan	*c = cl->chan;
	int		 ev = 0;

	if (!cl->eof &&
	    (c->flags & (CHAN_TXFIN | CHAN_RXFIN | CHAN_PAUSED)) == 0)
		ev |= EV_READ;
	/* As for links (link_update): the flush list writes first. */
	if (buf_len(&c->out) > 0 && !cl->flush.linked)
		ev |= EV_WRITE;
	if (ev_io_set(cl->io, ev) != 0)
		log_err("%s: watching client of channel %u", cl->rvp->label,
		    (unsigned)c->id);
}

/* Returns 1 if the client was freed. */
static int
client_read(struct client *cl)
{
	struct chan	*c = cl->chan;
	struct vp	*vp = cl->rvp->vp;
	ssize_t		 n;

	if (c->flags & (CHAN_TXFIN | CHAN_RXFIN | CHAN_PAUSED) || cl->eof)
		return (0);
	n = read(cl->fd, client_scratch, sizeof(client_scratch));
	if (n > 0) {
		if (vp_chan_data(vp, c, client_scratch, (size_t)n) != 0) {
			log_err("%s: channel %u: queueing client data",
			    cl->rvp->label, (unsigned)c->id);
			client_gone(cl);
			return (1);
		}
		if (!vp_client_may_read(vp)) {
			c->flags |= CHAN_PAUSED;
			client_update(cl);
		}
		return (0);
	}
	if (n == 0) {
		log_debug("%s: channel %u: client closed its side",
		    cl->rvp->label, (unsigned)c->id);
		cl->eof = 1;
		if (vp_chan_eof(vp, c) != 0)
			log_err("%s: channel %u: queueing FIN",
			    cl->rvp->label, (unsigned)c->id);
		client_update(cl);
		return (0);
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return (0);
	log_debug("%s: channel %u: client read: %s", cl->rvp->label,
	    (unsigned)c->id, strerror(errno));
	client_gone(cl);
	return (1);
}

static void
client_write(struct client *cl)
{
	struct chan	*c = cl->chan;
	struct vp	*vp = cl->rvp->vp;
	ssize_t		 n;

	if (buf_len(&c->out) > 0) {
		n = write(cl->fd, buf_data(&c->out), buf_len(&c->out));
		if (n < 0) {
			/*
			 * Called from the flush as well as on writability:
			 * either way, wait for writability now.
			 */
			if (errno == EAGAIN || errno == EWOULDBLOCK ||
			    errno == EINTR) {
				client_update(cl);
				return;
			}
			log_debug("%s: channel %u: client write: %s",
			    cl->rvp->label, (unsigned)c->id,
			    strerror(errno));
			client_gone(cl);
			return;
		}
		buf_consume(&c->out, (size_t)n);
	}
	/* May free the channel, and through chan_closed, the client. */
	if (vp_chan_written(vp, c))
		return;
	client_update(cl);
}

static void
client_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct client	*cl = arg;

	(void)io;
	(void)fd;
	if ((what & EV_READ) && client_read(cl))
		return;
	if (what & EV_WRITE)
		client_write(cl);
}

/* A local client connected to a VP's socket: open a channel for it. */
static void
rvp_accept_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct rvp	*r = arg;
	struct client	*cl;
	int		 cfd, i;

	(void)io;
	(void)what;
	for (i = 0; i < ACCEPT_BURST && r->lfd == fd; i++) {
		if ((cfd = accept(fd, NULL, NULL)) == -1) {
			if (errno != EAGAIN && errno != EWOULDBLOCK &&
			    errno != EINTR && errno != ECONNABORTED)
				log_err("%s: accepting a local client",
				    r->label);
			return;
		}
		if (server_set_nonblock(cfd) != 0 ||
		    (cl = calloc(1, sizeof(*cl))) == NULL) {
			log_err("%s: setting up a local client", r->label);
			close(cfd);
			continue;
		}
		if (r->vp->chans.count >= server_limits.max_chans) {
			if (!r->chans_logged)
				log_info("%s: %u channels open; refusing "
				    "local clients until some close", r->label,
				    server_limits.max_chans);
			r->chans_logged = 1;
			close(cfd);
			free(cl);
			continue;
		}
		r->chans_logged = 0;
		cl->kind = OWNER_UNIX;
		cl->rvp = r;
		cl->srv = r->srv;
		cl->fd = cfd;
		if ((cl->io = ev_io_new(r->srv->loop, cfd, client_cb,
		    cl)) == NULL) {
			log_err("%s: cannot watch local client", r->label);
			close(cfd);
			free(cl);
			continue;
		}
		if ((cl->chan = vp_chan_open(r->vp, cl)) == NULL) {
			log_err("%s: opening a channel", r->label);
			client_free(cl);
			continue;
		}
		if (!vp_client_may_read(r->vp))
			cl->chan->flags |= CHAN_PAUSED;
		log_debug("%s: channel %u opened", r->label,
		    (unsigned)cl->chan->id);
		client_update(cl);
	}
}

/* ---------------------------------------------------------------- */
/* The engine's callbacks. */

static void
rvp_out_ready(struct vp *vp)
{
	struct rvp	*r = vp->udata;

	if (r->link == NULL)
		return;
	r->link->last_tx = ev_now(r->srv->loop);
	flush_add_link(r->link);
}

static size_t
rvp_chan_direct(struct vp *vp, struct chan *c, const uint8_t *p, size_t n)
{
	struct client	*cl = c->udata;
	ssize_t		 w;

	(void)vp;
	/* Mux channels are framed; errors are left to client_write. */
	if (cl == NULL || cl->kind != OWNER_UNIX)
		return (0);
	if ((w = write(cl->fd, p, n)) <= 0)
		return (0);
	return ((size_t)w);
}

static void
rvp_chan_ready(struct vp *vp, struct chan *c)
{
	(void)vp;
	if (c->udata == NULL)
		return;
	if (*(int *)c->udata == OWNER_MUX)
		mux_chan_ready(c);
	else
		flush_add_client(c->udata);
}

static void
rvp_chan_closed(struct vp *vp, struct chan *c)
{
	struct client	*cl = c->udata;

	(void)vp;
	if (cl == NULL)
		return;
	if (cl->kind == OWNER_MUX) {
		mux_chan_closed(c);
		return;
	}
	log_debug("%s: channel %u closed", cl->rvp->label, (unsigned)c->id);
	c->udata = NULL;
	client_free(cl);
}

static void
rvp_resume_one(struct chan *c, void *arg)
{
	(void)arg;
	if ((c->flags & CHAN_PAUSED) == 0)
		return;
	c->flags &= ~CHAN_PAUSED;
	if (c->udata == NULL)
		return;
	if (*(int *)c->udata == OWNER_MUX)
		mux_clients_resume(c);
	else
		client_update(c->udata);
}

static void
rvp_clients_resume(struct vp *vp)
{
	chantab_foreach(&vp->chans, rvp_resume_one, NULL);
}

static void
rvp_link_resume(struct vp *vp)
{
	struct rvp	*r = vp->udata;

	if (r->link == NULL)
		return;
	/* The silence timer did not run while we chose not to read. */
	r->link->last_rx = ev_now(r->srv->loop);
	link_update(r->link);
}

/* ---------------------------------------------------------------- */
/* VPs. */

static void
rvp_set_label(struct rvp *r)
{
	const char	*peer = r->link != NULL ? r->link->peer : "zombie";

	if (r->name != NULL)
		snprintf(r->label, sizeof(r->label), "VP %s", r->name);
	else if (r->vp->monitor != NULL)
		snprintf(r->label, sizeof(r->label), "VP %s-%s",
		    r->vp->monitor, peer);
	else
		snprintf(r->label, sizeof(r->label), "VP %s", peer);
}

/* Close and unlink the VP's unix socket; its clients stay. */
static void
rvp_unlisten(struct rvp *r)
{
	if (r->lfd == -1)
		return;
	ev_io_free(r->lio);
	r->lio = NULL;
	close(r->lfd);
	r->lfd = -1;
	unixdir_unlink(r->srv->opts->unixdir, r->name);
}

/*
 * Create the socket for a VP named after monitor and peer; on success
 * the name and descriptor are returned in *namep and *fdp.  Logs why it
 * fails.
 */
static int
rvp_listen(struct server *srv, const char *monitor, const char *peer,
    char **namep, int *fdp)
{
	char	 name[PROTO_MAXNAME + 80];
	int	 fd;

	/* With only -M there are no per-VP sockets. */
	*namep = NULL;
	*fdp = -1;
	if (srv->opts->unixdir == NULL)
		return (0);
	if (unixdir_vpname(name, sizeof(name), monitor, peer) != 0) {
		log_info("link %s: VP name does not fit", peer);
		return (-1);
	}
	if ((fd = unixdir_listen(srv->opts->unixdir, name,
	    srv->sockmode)) == -1) {
		if (errno == ENAMETOOLONG)
			log_info("link %s: socket path %s/%s is too long for "
			    "a unix socket; use a shorter -U directory or "
			    "monitor name", peer, srv->opts->unixdir, name);
		else
			log_err("link %s: cannot create socket %s/%s", peer,
			    srv->opts->unixdir, name);
		return (-1);
	}
	if ((*namep = strdup(name)) == NULL) {
		log_err("link %s: socket name", peer);
		close(fd);
		unixdir_unlink(srv->opts->unixdir, name);
		return (-1);
	}
	*fdp = fd;
	return (0);
}

static int
rvp_watch(struct rvp *r)
{
	if (r->lfd == -1)
		return (0);
	if ((r->lio = ev_io_new(r->srv->loop, r->lfd, rvp_accept_cb,
	    r)) == NULL || ev_io_set(r->lio, EV_READ) != 0) {
		log_err("%s: cannot watch its socket", r->label);
		return (-1);
	}
	return (0);
}

static void
rvp_free(struct rvp *r)
{
	struct server	*srv = r->srv;

	if (r->link != NULL) {
		r->link->rvp = NULL;
		link_free(r->link);
		r->link = NULL;
	}
	rvp_unlisten(r);
	ev_timer_clear(srv->loop, &r->ztimer);
	htab_del(srv, r);
	if (r->prev != NULL)
		r->prev->next = r->next;
	else
		srv->vps = r->next;
	if (r->next != NULL)
		r->next->prev = r->prev;
	srv->nvps--;
	/* Channels close first (CHANNEL_CLOSE on the mux), then VP_DEPART. */
	vp_free(r->vp);
	r->vp = NULL;
	if (srv->mux != NULL)
		mux_vp_departed(srv->mux, r);
	(void)idmap_del(&srv->ids, r->id);
	free(r->name);
	free(r);
}

static void
rvp_zombie_cb(void *arg)
{
	struct rvp	*r = arg;

	log_info("%s: zombie expired after %d s; its clients are closed",
	    r->label, r->srv->opts->zombie);
	rvp_free(r);
}

/* ---------------------------------------------------------------- */
/* Links. */

static struct buf *
link_out(struct link *l)
{
	if (l->state == LINK_LIVE && l->rvp != NULL)
		return (&l->rvp->vp->out);
	return (&l->wbuf);
}

static void
link_update(struct link *l)
{
	int	 ev = 0;

	if (l->state != LINK_LIVE || l->rvp == NULL ||
	    !l->rvp->vp->link_paused)
		ev |= EV_READ;
	/*
	 * Output queued in this round is written when the round ends
	 * (server_flush), which asks for writability only if the socket
	 * is full: asking now would cost two epoll_ctl calls a round.
	 */
	if (buf_len(link_out(l)) > 0 && !l->flush.linked)
		ev |= EV_WRITE;
	/* The TLS library may need the other direction to make progress. */
	ev |= l->tls_want;
	if (ev_io_set(l->io, ev) != 0)
		log_err("link %s: cannot watch", l->peer);
}

static void
link_free(struct link *l)
{
	struct server	*srv = l->srv;

	if (l->rvp != NULL) {
		l->rvp->link = NULL;
		l->rvp = NULL;
	}
	if (l->state != LINK_LIVE)
		srv->npending--;
	flush_del_link(l);
	ev_timer_clear(srv->loop, &l->timer);
	ev_io_free(l->io);
	tls_conn_free(l->tls);
	close(l->fd);
	if (scratch_owner == l)
		scratch_owner = NULL;
	buf_free(&l->rbuf);
	buf_free(&l->wbuf);
	if (l->prev != NULL)
		l->prev->next = l->next;
	else
		srv->links = l->next;
	if (l->next != NULL)
		l->next->prev = l->prev;
	srv->nlinks--;
	free(l);
}

/* When the link's timer should next look at it. */
static void
link_arm(struct link *l)
{
	struct server	*srv = l->srv;
	uint64_t	 when;

	switch (l->state) {
	case LINK_PENDING:
		when = l->t_accept + server_limits.handshake_ms;
		break;
	case LINK_REJECTING:
		when = l->t_accept + server_limits.handshake_ms +
		    REJECT_MS;
		break;
	default:
		when = l->last_tx + server_limits.keepalive_ms;
		if (!l->rvp->vp->link_paused &&
		    l->last_rx + server_limits.silence_ms < when)
			when = l->last_rx + server_limits.silence_ms;
		break;
	}
	ev_timer_set(srv->loop, &l->timer, when);
}

static void
link_timer_cb(void *arg)
{
	struct link	*l = arg;
	uint64_t	 now = ev_now(l->srv->loop);

	switch (l->state) {
	case LINK_PENDING:
		log_info("link %s: no MASTER_NEW or MASTER_RES within %u s; "
		    "closed", l->peer, server_limits.handshake_ms / 1000);
		link_free(l);
		return;
	case LINK_REJECTING:
		log_debug("link %s: MASTER_REJ never drained; closed",
		    l->peer);
		link_free(l);
		return;
	case LINK_LIVE:
		break;
	}
	if (!l->rvp->vp->link_paused &&
	    now >= l->last_rx + server_limits.silence_ms) {
		link_lost(l, "silent for 60 s");
		return;
	}
	if (now >= l->last_tx + server_limits.keepalive_ms &&
	    vp_keepalive(l->rvp->vp) != 0) {
		link_lost(l, "out of memory for a keepalive");
		return;
	}
	link_arm(l);
}

/*
 * The link of a live VP is gone (EOF, error, silence, protocol error):
 * the VP becomes a zombie, or is released at once with -Z 0.
 */
static void
link_lost(struct link *l, const char *why)
{
	struct server	*srv = l->srv;
	struct rvp	*r = l->rvp;

	if (l->state != LINK_LIVE || r == NULL) {
		/*
		 * A failed TLS handshake is a refused VP (no certificate,
		 * a bad one, or not TLS at all): operators need to see it.
		 * Other pending links that go are port scanners and the
		 * like, of interest only when debugging.
		 */
		if (l->tls_state == LTLS_HANDSHAKE)
			log_info("link %s: refused: %s", l->peer, why);
		else
			log_debug("link %s: closed: %s", l->peer, why);
		link_free(l);
		return;
	}
	link_free(l);
	rvp_unlisten(r);
	vp_zombify(r->vp);
	if (srv->opts->zombie == 0) {
		log_info("%s: link lost (%s); released", r->label, why);
		rvp_free(r);
		return;
	}
	log_info("%s: link lost (%s); zombie for up to %d s", r->label, why,
	    srv->opts->zombie);
	ev_timer_set(srv->loop, &r->ztimer,
	    ev_now(srv->loop) + (uint64_t)srv->opts->zombie * 1000);
}

/* Refuse a resumption: send MASTER_REJ, then close once it is out. */
static void
link_reject(struct link *l, const char *why)
{
	log_info("link %s: resumption refused: %s", l->peer, why);
	if (proto_put_rej(&l->wbuf) != 0) {
		link_free(l);
		return;
	}
	l->state = LINK_REJECTING;
	buf_free(&l->rbuf);
	link_update(l);
	link_arm(l);
}

static void
link_attach(struct link *l, struct rvp *r)
{
	l->srv->npending--;
	l->state = LINK_LIVE;
	l->rvp = r;
	r->link = l;
	/* Anything queued before now belongs to no VP. */
	buf_free(&l->wbuf);
	l->last_tx = ev_now(l->srv->loop);
	link_arm(l);
}

/*
 * With -C, whether the link's client certificate fails to vouch for the
 * monitor name (logging why).  The handshake already checked that the
 * certificate verifies against the CA file.
 */
static int
link_cert_refuses(struct link *l, const char *monitor)
{
	const struct options	*o = l->srv->opts;
	char			 esc[PROTO_MAXNAME * 4 + 1];

	if (o->tls_ca == NULL || (o->flags & OPT_SKIPNAME))
		return (0);
	if (l->tls == NULL || !tls_conn_has_cert(l->tls)) {
		log_info("link %s: no client certificate; closed", l->peer);
		return (1);
	}
	if (monitor == NULL) {
		log_info("link %s: no monitor name to match against its "
		    "certificate (%s); closed", l->peer,
		    tls_conn_peer_subject(l->tls));
		return (1);
	}
	if (!tls_conn_name_ok(l->tls, monitor)) {
		log_info("link %s: certificate (%s) is not for monitor name "
		    "%s; closed", l->peer, tls_conn_peer_subject(l->tls),
		    log_escape(esc, sizeof(esc), monitor, strlen(monitor)));
		return (1);
	}
	return (0);
}

/* Returns 0 if the link is now live, -1 if it was freed. */
static int
link_master_new(struct link *l, const struct proto_frame *f)
{
	struct server	*srv = l->srv;
	struct proto_new m;
	struct rvp	*r, *old;
	char		 mon[PROTO_MAXNAME + 1], esc[PROTO_MAXNAME * 4 + 1];
	int		 rc;

	if ((rc = proto_new_parse(f->payload, f->len, &m)) != 0) {
		log_info("link %s: bad MASTER_NEW: %s; closed", l->peer,
		    proto_strerror(rc));
		link_free(l);
		return (-1);
	}
	if (m.name != NULL) {
		memcpy(mon, m.name, m.name_len);
		mon[m.name_len] = '\0';
	}
	if (link_cert_refuses(l, m.name != NULL ? mon : NULL)) {
		link_free(l);
		return (-1);
	}

	/*
	 * The magic of a VP we hold: scamper has abandoned that VP (it
	 * sends MASTER_NEW only then; 20211212 reuses the magic after a
	 * REJ), so release it and its clients rather than refusing the
	 * new one until the zombie expires.  Only a link accepted after
	 * the VP's current one may do that.
	 */
	if ((old = htab_find(srv, m.magic, m.magic_len)) != NULL) {
		if (old->link != NULL && old->link->serial > l->serial) {
			log_info("link %s: MASTER_NEW with the magic of %s, "
			    "whose link is newer; closed", l->peer,
			    old->label);
			link_free(l);
			return (-1);
		}
		log_info("%s: replaced by a MASTER_NEW with its magic from "
		    "%s; its clients are closed", old->label, l->peer);
		rvp_free(old);
	}

	if (srv->nvps >= server_limits.max_vps) {
		if (!srv->vps_logged)
			log_info("%u VPs (live and zombie) already; refusing "
			    "new ones until some go", srv->nvps);
		srv->vps_logged = 1;
		link_free(l);
		return (-1);
	}
	srv->vps_logged = 0;
	if ((r = calloc(1, sizeof(*r))) == NULL) {
		log_err("link %s: new VP", l->peer);
		link_free(l);
		return (-1);
	}
	r->srv = srv;
	r->lfd = -1;
	ev_timer_init(&r->ztimer, rvp_zombie_cb, r);
	if (rvp_listen(srv, m.name != NULL ? mon : NULL, l->peer, &r->name,
	    &r->lfd) != 0) {
		free(r);
		link_free(l);
		return (-1);
	}
	if ((r->vp = vp_new(m.magic, m.magic_len, m.name != NULL ? mon : NULL,
	    &rvp_ops, r)) == NULL || htab_add(srv, r) != 0)
		goto fail;
	/* Ids are never reused, and 0 never names a VP. */
	do {
		r->id = ++srv->next_id;
	} while (r->id == 0 || idmap_get(&srv->ids, r->id) != NULL);
	if (idmap_put(&srv->ids, r->id, r) != 0) {
		htab_del(srv, r);
		goto fail;
	}
	(void)gettimeofday(&r->arrival, NULL);
	memcpy(r->addr, l->addr, sizeof(r->addr));
	r->af = l->af;
	r->next = srv->vps;
	if (srv->vps != NULL)
		srv->vps->prev = r;
	srv->vps = r;
	srv->nvps++;
	link_attach(l, r);
	rvp_set_label(r);
	if (rvp_watch(r) != 0 || vp_send_id(r->vp, l->peer) != 0) {
		rvp_free(r);
		return (-1);
	}
	log_info("%s: new VP %u from %s%s%s", r->label, (unsigned)r->id,
	    l->peer, m.name != NULL ? ", monitor " : "",
	    m.name != NULL ? log_escape(esc, sizeof(esc), mon, m.name_len) :
	    "");
	if (srv->mux != NULL)
		mux_vp_arrived(srv->mux, r);
	return (0);

 fail:
	log_err("link %s: new VP", l->peer);
	vp_free(r->vp);
	if (r->lfd != -1) {
		close(r->lfd);
		unixdir_unlink(srv->opts->unixdir, r->name);
	}
	free(r->name);
	free(r);
	link_free(l);
	return (-1);
}

/* Returns 0 if the link is now live or rejecting, -1 if freed. */
static int
link_master_res(struct link *l, const struct proto_frame *f)
{
	struct server		*srv = l->srv;
	struct proto_res	 m;
	struct resume_state	 st;
	enum resume_verdict	 v;
	struct rvp		*r;
	char			*name;
	int			 rc, fd;

	if ((rc = proto_res_parse(f->payload, f->len, &m)) != 0) {
		log_info("link %s: bad MASTER_RES: %s; closed", l->peer,
		    proto_strerror(rc));
		link_free(l);
		return (-1);
	}
	if ((r = htab_find(srv, m.magic, m.magic_len)) == NULL) {
		link_reject(l, resume_strverdict(RESUME_EUNKNOWN));
		return (0);
	}
	/*
	 * Knowing a VP's magic is not enough to take it over: with -C the
	 * certificate must be good for the VP's monitor name.  Refused
	 * without a REJ, which would make a genuine scamper drop its VP.
	 */
	if (link_cert_refuses(l, r->vp->monitor)) {
		link_free(l);
		return (-1);
	}
	st.snd_una = vp_snd_una(r->vp);
	st.snd_nxt = r->vp->snd_nxt;
	st.rcv_nxt = r->vp->rcv_nxt;
	if ((v = resume_check(&st, m.rcv_nxt, m.snd_una,
	    m.snd_nxt)) != RESUME_OK) {
		log_debug("%s: RES r=%lu a=%lu n=%lu; una=%lu snd_nxt=%lu "
		    "rcv_nxt=%lu", r->label, (unsigned long)m.rcv_nxt,
		    (unsigned long)m.snd_una, (unsigned long)m.snd_nxt,
		    (unsigned long)st.snd_una, (unsigned long)st.snd_nxt,
		    (unsigned long)st.rcv_nxt);
		link_reject(l, resume_strverdict(v));
		return (0);
	}

	/*
	 * Everything that can fail comes before the VP changes: on a
	 * failure scamper simply tries again later, and a REJ (which
	 * would cost it every result it holds) is never sent for a local
	 * problem.
	 */
	if (rvp_listen(srv, r->vp->monitor, l->peer, &name, &fd) != 0) {
		log_info("%s: resumption from %s postponed: no socket",
		    r->label, l->peer);
		link_free(l);
		return (-1);
	}
	if (r->link != NULL) {
		log_info("%s: taken over by a resumption from %s", r->label,
		    l->peer);
		link_free(r->link);
	}
	rvp_unlisten(r);
	free(r->name);
	r->name = name;
	r->lfd = fd;
	ev_timer_clear(srv->loop, &r->ztimer);
	link_attach(l, r);
	rvp_set_label(r);
	if (rvp_watch(r) != 0 || vp_resume(r->vp, m.rcv_nxt) != 0) {
		log_err("%s: resuming", r->label);
		link_lost(l, "could not resume");
		return (-1);
	}
	memcpy(r->addr, l->addr, sizeof(r->addr));
	r->af = l->af;
	log_info("%s: resumed (%lu frames to retransmit)", r->label,
	    (unsigned long)r->vp->unacked_n);
	if (srv->mux != NULL)
		mux_vp_resumed(srv->mux, r);
	return (0);
}

/*
 * The first frame of a pending link.  Returns 0 when the link lives on
 * (live or rejecting), -1 when it was freed.
 */
static int
link_handshake(struct link *l, const struct proto_frame *f)
{
	const char	*why;

	switch (proto_hello(f, &why)) {
	case PROTO_MASTER_NEW:
		return (link_master_new(l, f));
	case PROTO_MASTER_RES:
		return (link_master_res(l, f));
	default:
		break;
	}
	log_info("link %s: %s; closed", l->peer, why);
	link_free(l);
	return (-1);
}

/*
 * The largest first frame we wait for: MASTER_NEW with the longest
 * magic and name is 514 bytes; scamper sends nothing after them, and a
 * stranger must not make us hold 64 KiB per link before saying who it
 * is.
 */
#define PENDING_MAXFRAME	4096

/*
 * Process the frames in p[0..len).  Returns the bytes consumed, or -1
 * if the link was freed.
 */
static ssize_t
link_frames(struct link *l, const uint8_t *p, size_t len)
{
	struct proto_frame	 f;
	const char		*why;
	size_t			 off = 0, n;

	/*
	 * A pending link's first header can be judged before its payload
	 * arrives: garbage is closed at once instead of being waited on
	 * until the handshake deadline.
	 */
	if (l->state == LINK_PENDING && len >= PROTO_HDRLEN &&
	    proto_frame_get(p, len, &f) == 0 &&
	    (proto_get32(p) != 0 || proto_get32(p + 4) != 0 ||
	    (((size_t)p[8] << 8) | p[9]) > PENDING_MAXFRAME)) {
		log_info("link %s: first frame is not a handshake; closed",
		    l->peer);
		link_free(l);
		return (-1);
	}
	while ((n = proto_frame_get(p + off, len - off, &f)) > 0) {
		off += n;
		switch (l->state) {
		case LINK_PENDING:
			if (link_handshake(l, &f) != 0)
				return (-1);
			break;
		case LINK_LIVE:
			if (vp_input(l->rvp->vp, &f, &why) != 0) {
				log_info("%s: protocol error: %s",
				    l->rvp->label, why);
				link_lost(l, "protocol error");
				return (-1);
			}
			break;
		case LINK_REJECTING:
			/* Whatever follows a refused RES is noise. */
			return ((ssize_t)len);
		}
	}
	return ((ssize_t)off);
}

/*
 * Receive on a link, through TLS when it has it.  Returns bytes (> 0),
 * 0 at EOF, -1 on an error with *why set, or -2 when nothing can be
 * read now.  With allowplaintext the first byte decides whether the
 * link speaks TLS.
 */
static ssize_t
link_recv(struct link *l, void *p, size_t len, const char **why)
{
	unsigned char	 first;
	ssize_t		 n;
	int		 rc;

	if (l->tls_state == LTLS_SNIFF) {
		n = recv(l->fd, &first, 1, MSG_PEEK);
		if (n == 0)
			return (0);
		if (n < 0)
			goto syserr;
		if (!tls_looks_like_hello(first)) {
			log_debug("link %s: plaintext", l->peer);
			l->tls_state = LTLS_NONE;
		} else if ((l->tls = tls_conn_new(l->srv->tls,
		    l->fd)) == NULL) {
			*why = "out of memory for TLS";
			return (-1);
		} else
			l->tls_state = LTLS_HANDSHAKE;
	}
	if (l->tls_state == LTLS_NONE) {
		if ((n = read(l->fd, p, len)) >= 0)
			return (n);
		goto syserr;
	}
	l->tls_want = 0;
	if (l->tls_state == LTLS_HANDSHAKE) {
		rc = tls_conn_handshake(l->tls);
		if (rc == TLS_WANT_WRITE)
			l->tls_want = EV_WRITE;
		if (rc == TLS_WANT_READ || rc == TLS_WANT_WRITE)
			return (-2);
		if (rc != 1) {
			*why = tls_conn_error(l->tls);
			return (-1);
		}
		l->tls_state = LTLS_UP;
		log_debug("link %s: TLS up%s%s", l->peer,
		    tls_conn_has_cert(l->tls) ? ", client " : "",
		    tls_conn_has_cert(l->tls) ?
		    tls_conn_peer_subject(l->tls) : "");
	}
	n = tls_conn_read(l->tls, p, len);
	if (n >= 0)
		return (n);
	if (n == TLS_WANT_WRITE)
		l->tls_want = EV_WRITE;
	if (n == TLS_WANT_READ || n == TLS_WANT_WRITE)
		return (-2);
	*why = tls_conn_error(l->tls);
	return (-1);

 syserr:
	if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
		return (-2);
	*why = strerror(errno);
	return (-1);
}

/* As link_recv, for sending; never 0. */
static ssize_t
link_send(struct link *l, const void *p, size_t len, const char **why)
{
	ssize_t	 n;

	if (l->tls == NULL) {
		if ((n = send(l->fd, p, len, MSG_NOSIGNAL)) >= 0)
			return (n);
		if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
			return (-2);
		*why = strerror(errno);
		return (-1);
	}
	/* Nothing to send before the handshake is done. */
	if (l->tls_state != LTLS_UP)
		return (-2);
	n = tls_conn_write(l->tls, p, len);
	if (n > 0)
		return (n);
	if (n == TLS_WANT_READ) {
		l->tls_want = EV_READ;
		return (-2);
	}
	if (n == TLS_WANT_WRITE)
		return (-2);
	*why = tls_conn_error(l->tls);
	return (-1);
}

/*
 * How many more bytes the partial frame in rbuf needs: the rest of its
 * header, or the rest of its payload.
 */
static size_t
link_partial_need(const struct link *l)
{
	const uint8_t	*h = buf_data(&l->rbuf);
	size_t		 have = buf_len(&l->rbuf);

	if (have < PROTO_HDRLEN)
		return (PROTO_HDRLEN - have);
	return (PROTO_HDRLEN + (((size_t)h[8] << 8) | h[9]) - have);
}

/*
 * Another link is about to read into the scratch buffer: move the
 * owner's partial frame into its rbuf, whose room was reserved.
 */
static void
scratch_evict(void)
{
	struct link	*o = scratch_owner;

	scratch_owner = NULL;
	memcpy(buf_reserve(&o->rbuf, scratch_len),
	    server_scratch + scratch_off, scratch_len);
	buf_commit(&o->rbuf, scratch_len);
}

/*
 * Frames were processed from base up to off of len: keep the partial
 * frame after off in place, with room reserved in rbuf should it have
 * to move.  Returns -1 if the link was freed.
 */
static int
scratch_keep(struct link *l, const uint8_t *base, size_t off, size_t len)
{
	/*
	 * rbuf is empty here, but for the last read's reservation: drop
	 * it rather than let realloc copy what it never held.
	 */
	buf_free(&l->rbuf);
	if (off == len)
		return (0);
	if (buf_reserve(&l->rbuf, len - off) == NULL) {
		link_lost(l, "out of memory");
		return (-1);
	}
	scratch_owner = l;
	scratch_off = (size_t)(base - server_scratch) + off;
	scratch_len = len - off;
	return (0);
}

/* One read's worth of input.  Returns -1 if the link was freed. */
static int
link_read_once(struct link *l)
{
	const char	*why = NULL;
	uint8_t		*base = server_scratch;
	ssize_t		 n, used;
	size_t		 have = 0, off = 0, k;

	if (scratch_owner != NULL && scratch_owner != l)
		scratch_evict();
	if (scratch_owner == l) {
		/* Near the end, slide the partial frame to the front. */
		if (SCRATCH_SIZE - scratch_off - scratch_len < LINK_READ) {
			memmove(server_scratch, server_scratch + scratch_off,
			    scratch_len);
			scratch_off = 0;
		}
		base = server_scratch + scratch_off;
		have = scratch_len;
	}

	n = link_recv(l, base + have, LINK_READ, &why);
	if (n == 0) {
		link_lost(l, "closed by scamper");
		return (-1);
	}
	if (n == -1) {
		link_lost(l, why != NULL ? why : "read error");
		return (-1);
	}
	if (n == -2)
		return (0);
	l->last_rx = ev_now(l->srv->loop);

	if (scratch_owner == l) {
		scratch_owner = NULL;
		n += (ssize_t)have;
		if ((used = link_frames(l, base, (size_t)n)) < 0)
			return (-1);
		return (scratch_keep(l, base, (size_t)used, (size_t)n) < 0 ?
		    -1 : 1);
	}

	/*
	 * A frame begun before the link lost the scratch buffer is
	 * completed in rbuf, which thus never holds more than one frame;
	 * everything after it is processed in place.
	 */
	while (buf_len(&l->rbuf) > 0 && off < (size_t)n) {
		k = link_partial_need(l);
		if (k > (size_t)n - off)
			k = (size_t)n - off;
		if (buf_append(&l->rbuf, base + off, k) != 0) {
			link_lost(l, "out of memory");
			return (-1);
		}
		off += k;
		if ((used = link_frames(l, buf_data(&l->rbuf),
		    buf_len(&l->rbuf))) < 0)
			return (-1);
		buf_consume(&l->rbuf, (size_t)used);
	}
	if (buf_len(&l->rbuf) > 0)
		return (1);
	if ((used = link_frames(l, base + off, (size_t)n - off)) < 0)
		return (-1);
	off += (size_t)used;
	return (scratch_keep(l, base, off, (size_t)n) < 0 ? -1 : 1);
}

static void
link_read(struct link *l)
{
	int	 rc;

	/*
	 * TLS may hold decrypted bytes that the socket will never signal
	 * again: drain them now, unless we chose to stop reading.
	 */
	do {
		if ((rc = link_read_once(l)) < 0)
			return;
		if (l->state == LINK_LIVE && !vp_link_may_read(l->rvp->vp)) {
			log_debug("%s: clients are slow; not reading the "
			    "link", l->rvp->label);
			break;
		}
	} while (rc > 0 && l->tls != NULL && tls_conn_pending(l->tls) > 0);
	link_update(l);
}

/* Returns -1 if the link was freed. */
static int
link_write(struct link *l)
{
	struct buf	*b = link_out(l);
	const char	*why = NULL;
	ssize_t		 n;

	if (buf_len(b) > 0) {
		n = link_send(l, buf_data(b), buf_len(b), &why);
		if (n == -1) {
			link_lost(l, why != NULL ? why : "write error");
			return (-1);
		}
		if (n > 0)
			buf_consume(b, (size_t)n);
	}
	if (l->state == LINK_REJECTING && buf_len(b) == 0) {
		log_debug("link %s: MASTER_REJ sent; closed", l->peer);
		link_free(l);
		return (-1);
	}
	if (l->state == LINK_LIVE)
		vp_out_written(l->rvp->vp);
	link_update(l);
	return (0);
}

static void
link_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct link	*l = arg;

	(void)io;
	(void)fd;
	/*
	 * Write first, then read: either may free the link.  Under TLS
	 * either direction may be what unblocks the other.
	 */
	if ((what & EV_WRITE) || (l->tls_want & EV_READ))
		if (link_write(l) != 0)
			return;
	if ((what & EV_READ) || (l->tls_want & EV_WRITE))
		link_read(l);
}

/* The peer's address alone, for the mux's VP_UPDATE. */
static void
link_set_addr(struct link *l, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6	*sin6;
	const void			*a;

	l->af = ss->ss_family;
	if (ss->ss_family == AF_INET6) {
		sin6 = (const struct sockaddr_in6 *)ss;
		/* An IPv4 peer on a dual-stack socket is still IPv4. */
		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			l->af = AF_INET;
			a = &sin6->sin6_addr.s6_addr[12];
		} else
			a = &sin6->sin6_addr;
	} else
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	if (inet_ntop(l->af, a, l->addr, sizeof(l->addr)) == NULL)
		l->addr[0] = '\0';
}

static void
listener_backoff_cb(void *arg)
{
	struct listener	*ls = arg;

	ls->logged = 0;
	if (ev_io_set(ls->io, EV_READ) != 0)
		log_err("cannot watch the listening socket");
}

static void
listener_cb(struct ev_io *io, int fd, int what, void *arg)
{
	struct listener		*ls = arg;
	struct server		*srv = ls->srv;
	struct sockaddr_storage	 ss;
	socklen_t		 sslen;
	struct link		*l;
	int			 cfd, i, one = 1;

	(void)io;
	(void)what;
	for (i = 0; i < ACCEPT_BURST; i++) {
		sslen = sizeof(ss);
		if ((cfd = accept(fd, (struct sockaddr *)&ss, &sslen)) == -1) {
			if (errno == EMFILE || errno == ENFILE ||
			    errno == ENOBUFS || errno == ENOMEM) {
				/*
				 * The socket stays readable: without a
				 * pause the loop would spin.
				 */
				if (!ls->logged)
					log_err("accepting a link; pausing "
					    "accepts for %d ms",
					    ACCEPT_BACKOFF_MS);
				ls->logged = 1;
				(void)ev_io_set(ls->io, 0);
				ev_timer_set(srv->loop, &ls->backoff,
				    ev_now(srv->loop) + ACCEPT_BACKOFF_MS);
			}
			return;
		}
		if (srv->npending >= server_limits.max_pending ||
		    cfd > srv->pending_fdmax) {
			if (!srv->pending_logged)
				log_info("%u links have not identified "
				    "themselves (descriptor %d); refusing "
				    "more until some do", srv->npending, cfd);
			srv->pending_logged = 1;
			close(cfd);
			continue;
		}
		srv->pending_logged = 0;
		if (server_set_nonblock(cfd) != 0 ||
		    (l = calloc(1, sizeof(*l))) == NULL) {
			log_err("setting up a link");
			close(cfd);
			continue;
		}
		(void)setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
		l->srv = srv;
		l->fd = cfd;
		l->state = LINK_PENDING;
		buf_init(&l->rbuf);
		buf_init(&l->wbuf);
		if (unixdir_peername(l->peer, sizeof(l->peer),
		    (struct sockaddr *)&ss, sslen) != 0)
			snprintf(l->peer, sizeof(l->peer), "unknown");
		link_set_addr(l, &ss);
		if ((l->io = ev_io_new(srv->loop, cfd, link_cb, l)) == NULL) {
			log_err("link %s: cannot watch", l->peer);
			close(cfd);
			free(l);
			continue;
		}
		if (srv->tls != NULL && (srv->opts->flags & OPT_PLAINTOO))
			l->tls_state = LTLS_SNIFF;
		else if (srv->tls != NULL) {
			if ((l->tls = tls_conn_new(srv->tls, cfd)) == NULL) {
				log_err("link %s: TLS", l->peer);
				ev_io_free(l->io);
				close(cfd);
				free(l);
				continue;
			}
			l->tls_state = LTLS_HANDSHAKE;
		}
		l->t_accept = l->last_rx = l->last_tx = ev_now(srv->loop);
		l->serial = ++srv->serial;
		ev_timer_init(&l->timer, link_timer_cb, l);
		l->next = srv->links;
		if (srv->links != NULL)
			srv->links->prev = l;
		srv->links = l;
		srv->nlinks++;
		srv->npending++;
		link_update(l);
		link_arm(l);
		log_debug("link %s: accepted", l->peer);
	}
}

/* ---------------------------------------------------------------- */

struct server *
server_new(const struct options *opts)
{
	struct server	*srv;

	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return (NULL);
	srv->opts = opts;
	srv->sockmode = 0700;
	if (opts->flags & OPT_ALLOWGROUP)
		srv->sockmode |= 0070;
	if (opts->flags & OPT_ALLOWOTHER)
		srv->sockmode |= 0007;
	return (srv);
}

/* Write what this round of events gathered (see struct server). */
static void
server_flush(void *arg)
{
	struct server	*srv = arg;
	struct lnode	*n;

	/*
	 * Take the head each time: writing may free any link or client,
	 * and freeing takes it off its list.
	 */
	while ((n = list_pop(&srv->fclients)) != NULL)
		client_write(LIST_ENTRY(n, struct client, flush));
	/* The mux first: moving its channels' data may queue link output. */
	if (srv->mux != NULL)
		mux_flush(srv->mux);
	while ((n = list_pop(&srv->flinks)) != NULL)
		(void)link_write(LIST_ENTRY(n, struct link, flush));
}

int
server_start(struct server *srv, struct ev_loop *loop)
{
	struct listener	*ls;
	struct rlimit	 rl;
	int		 i, lim = INT_MAX;

	srv->loop = loop;
	ev_loop_set_prepare(loop, server_flush, srv);

	/*
	 * Strangers must not take every descriptor: links that have not
	 * identified themselves may not use the top sixteenth (at least
	 * 32) of what the process, or select's FD_SETSIZE, allows, so that
	 * live VPs can always take new clients.  A fixed reserve, not a
	 * share, since every VP itself takes two descriptors.
	 */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < INT_MAX)
		lim = (int)rl.rlim_cur;
	if (ev_loop_maxfd(loop) >= 0 && ev_loop_maxfd(loop) + 1 < lim)
		lim = ev_loop_maxfd(loop) + 1;
	srv->pending_fdmax = lim - (lim / 16 > 32 ? lim / 16 : 32);
	if (srv->mux != NULL && mux_start(srv->mux, loop) != 0)
		return (-1);
	for (i = 0; i < srv->nlst; i++) {
		ls = &srv->lst[i];
		ev_timer_init(&ls->backoff, listener_backoff_cb, ls);
		if ((ls->io = ev_io_new(loop, ls->fd, listener_cb,
		    ls)) == NULL || ev_io_set(ls->io, EV_READ) != 0) {
			log_err("cannot watch a listening socket");
			return (-1);
		}
	}
	return (0);
}

static int
server_listen_one(struct server *srv, int family, const char *addr)
{
	struct sockaddr_storage	 ss;
	struct sockaddr_in	*sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6	*sin6 = (struct sockaddr_in6 *)&ss;
	struct listener		*ls;
	socklen_t		 sslen;
	char			 text[80];
	int			 fd, one = 1;

	memset(&ss, 0, sizeof(ss));
	if (family == AF_INET) {
		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)srv->opts->listen_port);
		if (addr != NULL && inet_pton(AF_INET, addr,
		    &sin->sin_addr) != 1)
			goto badaddr;
		sslen = sizeof(*sin);
		snprintf(text, sizeof(text), "%s:%d",
		    addr != NULL ? addr : "0.0.0.0",
		    srv->opts->listen_port);
	} else {
		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)srv->opts->listen_port);
		if (addr != NULL && inet_pton(AF_INET6, addr,
		    &sin6->sin6_addr) != 1)
			goto badaddr;
		sslen = sizeof(*sin6);
		snprintf(text, sizeof(text), "[%s]:%d",
		    addr != NULL ? addr : "::", srv->opts->listen_port);
	}
#ifdef HAVE_STRUCT_SOCKADDR_SA_LEN
	((struct sockaddr *)&ss)->sa_len = (uint8_t)sslen;
#endif

	if ((fd = socket(family, SOCK_STREAM, 0)) == -1) {
		log_err("socket for %s", text);
		return (-1);
	}
	(void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	/* IPv4 peers never show up as mapped addresses on IPv6. */
	if (family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY,
	    &one, sizeof(one)) != 0) {
		log_err("IPV6_V6ONLY on %s", text);
		close(fd);
		return (-1);
	}
	if (bind(fd, (struct sockaddr *)&ss, sslen) != 0) {
		log_err("cannot listen on %s", text);
		close(fd);
		return (-1);
	}
	if (listen(fd, SOMAXCONN) != 0 || server_set_nonblock(fd) != 0) {
		log_err("cannot listen on %s", text);
		close(fd);
		return (-1);
	}
	ls = &srv->lst[srv->nlst++];
	ls->srv = srv;
	ls->fd = fd;
	log_info("listening on %s", text);
	return (0);

 badaddr:
	log_errx("-P address %s is not a numeric IPv%d address", addr,
	    family == AF_INET ? 4 : 6);
	return (-1);
}

int
server_listen(struct server *srv)
{
	const struct options	*o = srv->opts;
	struct in6_addr		 a6;

	if (o->listen_addr != NULL) {
		if (inet_pton(AF_INET6, o->listen_addr, &a6) == 1)
			return (server_listen_one(srv, AF_INET6,
			    o->listen_addr));
		return (server_listen_one(srv, AF_INET, o->listen_addr));
	}
	if (o->family != 6 && server_listen_one(srv, AF_INET, NULL) != 0)
		return (-1);
	if (o->family != 4 && server_listen_one(srv, AF_INET6, NULL) != 0)
		return (-1);
	return (0);
}

void
server_free(struct server *srv)
{
	int	 i;

	if (srv == NULL)
		return;
	/* Nothing is sent at shutdown: mux clients simply see EOF. */
	if (srv->mux != NULL) {
		mux_free(srv->mux);
		srv->mux = NULL;
	}
	while (srv->vps != NULL)
		rvp_free(srv->vps);
	while (srv->links != NULL)
		link_free(srv->links);
	for (i = 0; i < srv->nlst; i++) {
		if (srv->lst[i].io != NULL) {
			ev_timer_clear(srv->loop, &srv->lst[i].backoff);
			ev_io_free(srv->lst[i].io);
		}
		close(srv->lst[i].fd);
	}
	free(srv->htab);
	idmap_free(&srv->ids);
	meta_free(srv->meta);
	if (srv->tls != NULL)
		tls_ctx_unref(srv->tls);
	free(srv);
}

struct rvp *
server_vp_by_id(struct server *srv, uint32_t id)
{
	return (idmap_get(&srv->ids, id));
}

void
server_foreach_vp(struct server *srv, void (*cb)(struct rvp *, void *),
    void *arg)
{
	struct rvp	*r, *next;

	for (r = srv->vps; r != NULL; r = next) {
		next = r->next;
		cb(r, arg);
	}
}

const struct meta *
server_meta(const struct server *srv)
{
	return (srv->meta);
}

void
server_set_meta(struct server *srv, struct meta *meta)
{
	struct meta	*old = srv->meta;

	srv->meta = meta;
	if (srv->mux != NULL && srv->loop != NULL)
		mux_meta_changed(srv->mux, old);
	meta_free(old);
}

int
server_mux(struct server *srv, const char *path)
{
	if ((srv->mux = mux_new(srv, path, srv->sockmode)) == NULL)
		return (-1);
	return (0);
}

void
server_set_tls(struct server *srv, struct tls_ctx *ctx)
{
	/* Links keep the context they started with. */
	if (ctx != NULL)
		tls_ctx_ref(ctx);
	if (srv->tls != NULL)
		tls_ctx_unref(srv->tls);
	srv->tls = ctx;
}

unsigned
server_nlinks(const struct server *srv)
{
	return (srv->nlinks);
}

unsigned
server_nvps(const struct server *srv)
{
	return (srv->nvps);
}
