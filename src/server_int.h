/*
 * server_int.h: the daemon's objects, shared by server.c (links, VP
 * sockets, local clients) and mux.c (the multiplexed socket).  Not an
 * interface for anything else.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef SERVER_INT_H
#define SERVER_INT_H

#include <sys/types.h>
#include <sys/time.h>
#include <stdint.h>

#include "buf.h"
#include "chan.h"
#include "ev.h"
#include "idmap.h"
#include "list.h"
#include "options.h"
#include "vp.h"

struct meta;
struct mux;
struct tls_conn;
struct tls_ctx;

/* How long REJ may take to drain before we give up on the peer. */
#define REJECT_MS		10000
/* After EMFILE on accept, stop accepting for this long. */
#define ACCEPT_BACKOFF_MS	1000
/* Accepts per readiness event, so one busy socket cannot starve. */
#define ACCEPT_BURST		32

enum link_state {
	LINK_PENDING,
	LINK_LIVE,
	LINK_REJECTING
};

struct rvp;

struct link {
	struct server	*srv;
	int		 fd;
	struct ev_io	*io;
	enum link_state	 state;
	struct buf	 rbuf;		/* a partial frame between reads */
	struct buf	 wbuf;		/* output before a VP owns the link */
	struct rvp	*rvp;		/* when LIVE */
	struct ev_timer	 timer;
	uint64_t	 t_accept;
	uint64_t	 last_rx;
	uint64_t	 last_tx;
	uint64_t	 serial;	/* accept order */
	char		 peer[64];	/* MASTER_ID text */
	char		 addr[48];	/* peer address alone */
	int		 af;		/* its family */
	struct tls_conn	*tls;		/* NULL on a plaintext link */
	uint8_t		 tls_state;	/* enum link_tls */
	uint8_t		 tls_want;	/* EV_*: what the library waits for */
	struct link	*prev, *next;
	struct lnode	 flush;		/* on the server's flush list */
};

/* How far a link's TLS has got. */
enum link_tls {
	LTLS_NONE,		/* plaintext */
	LTLS_SNIFF,		/* first byte decides (allowplaintext) */
	LTLS_HANDSHAKE,
	LTLS_UP
};

struct rvp {
	struct server	*srv;
	struct vp	*vp;
	struct link	*link;		/* NULL while a zombie */
	int		 lfd;		/* unix listening socket, or -1 */
	struct ev_io	*lio;
	char		*name;		/* socket name in -U, or NULL */
	char		 label[80];	/* for log lines */
	struct ev_timer	 ztimer;	/* zombie expiry */
	struct rvp	*prev, *next;	/* all VPs */
	struct rvp	*hnext;		/* magic hash chain */
	int		 chans_logged;	/* max_chans reached, said once */
	uint32_t	 id;		/* for the mux, never reused */
	struct timeval	 arrival;
	char		 addr[48];	/* address of the current link */
	int		 af;
};

struct client {
	int		 kind;		/* OWNER_UNIX: see enum owner_kind */
	struct rvp	*rvp;
	struct chan	*chan;
	int		 fd;
	struct ev_io	*io;
	int		 eof;		/* the client shut down its side */
	struct lnode	 flush;		/* on the server's flush list */
	struct server	*srv;
};

struct listener {
	struct server	*srv;
	int		 fd;
	struct ev_io	*io;
	struct ev_timer	 backoff;
	int		 logged;	/* EMFILE already reported */
};

struct server {
	struct ev_loop		*loop;
	const struct options	*opts;
	struct listener		 lst[2];
	int			 nlst;
	struct link		*links;
	unsigned		 nlinks;
	unsigned		 npending;
	int			 pending_logged;
	int			 vps_logged;
	struct rvp		*vps;
	unsigned		 nvps;
	struct rvp		**htab;	/* VPs by magic */
	size_t			 hcap;
	uint64_t		 serial;
	mode_t			 sockmode;
	struct tls_ctx		*tls;	/* for new links, or NULL */
	/*
	 * Links and clients with output gathered during this round of
	 * events; it is written once the round is over, so that many
	 * frames leave in one system call and nothing waits a whole poll
	 * round for writability that is almost always there.
	 */
	struct lhead		 flinks;
	struct lhead		 fclients;
	struct idmap		 ids;	/* VPs by id */
	uint32_t		 next_id;
	struct mux		*mux;	/* -M, or NULL */
	int			 pending_fdmax;	/* see server_start */
	struct meta		*meta;	/* -m, or NULL */
};

/*
 * Who owns a channel: chan->udata points to one of these, and both
 * kinds begin with the owner kind so the engine's callbacks can tell.
 */
enum owner_kind {
	OWNER_UNIX = 1,		/* a client of the VP's own socket */
	OWNER_MUX		/* a channel of a mux client */
};

/* The mux side, implemented in mux.c. */
struct mux	*mux_new(struct server *srv, const char *path, mode_t mode);
int		 mux_start(struct mux *mux, struct ev_loop *loop);
void		 mux_free(struct mux *mux);
void		 mux_vp_arrived(struct mux *mux, struct rvp *r);
void		 mux_vp_resumed(struct mux *mux, struct rvp *r);
void		 mux_vp_departed(struct mux *mux, struct rvp *r);
void		 mux_meta_changed(struct mux *mux, const struct meta *old);
void		 mux_chan_ready(struct chan *c);
void		 mux_chan_closed(struct chan *c);
void		 mux_clients_resume(struct chan *c);
void		 mux_flush(struct mux *mux);

/* From server.c, for mux.c. */
/* Make fd non-blocking and close-on-exec: 0, or -1 with errno set. */
int		 server_set_nonblock(int fd);
struct rvp	*server_vp_by_id(struct server *srv, uint32_t id);
void		 server_foreach_vp(struct server *srv,
		    void (*cb)(struct rvp *, void *), void *arg);
const struct meta *server_meta(const struct server *srv);

#endif /* SERVER_INT_H */
