/*
 * server.h: the daemon's I/O side.  It owns the listening sockets, the
 * links from scamper, the per-VP unix sockets and their local clients,
 * and connects them to the protocol engine (vp.c) through the event
 * loop.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef SERVER_H
#define SERVER_H

#include "ev.h"
#include "options.h"

struct server;

/* Limits on what strangers can make us hold. */
struct server_limits {
	unsigned	max_pending;	/* links without a handshake yet */
	unsigned	handshake_ms;	/* time a link has to identify */
	unsigned	silence_ms;	/* a live link that says nothing */
	unsigned	keepalive_ms;	/* we speak at least this often */
	unsigned	max_vps;	/* live and zombie VPs */
	unsigned	max_chans;	/* open channels per VP */
};
extern struct server_limits server_limits;

struct server	*server_new(const struct options *opts);
/*
 * Create the listening sockets described by the options (before the
 * daemon detaches, so that errors reach the terminal).  Logs what fails
 * and returns -1; 0 on success.
 */
int		 server_listen(struct server *srv);
/*
 * Start serving on loop.  The loop is made after detaching, since a
 * kqueue does not survive fork.  Logs what fails and returns -1.
 */
int		 server_start(struct server *srv, struct ev_loop *loop);
/*
 * Close every link, VP, socket and client: sockets are unlinked and
 * clients see EOF.  Nothing is sent to scamper.
 */
void		 server_free(struct server *srv);

struct tls_ctx;
/*
 * Use ctx (a reference is taken) for links accepted from now on; links
 * already up keep theirs.  NULL: plaintext only.
 */
void		 server_set_tls(struct server *srv, struct tls_ctx *ctx);

struct meta;
/*
 * Use meta (the server owns it from now on) for VP_UPDATEs; the old
 * data is freed, and mux clients hear of VPs whose metadata changed.
 */
void		 server_set_meta(struct server *srv, struct meta *meta);
/*
 * Create the mux socket at path (-M).  Logs what fails and returns -1.
 */
int		 server_mux(struct server *srv, const char *path);

/* Counters, for tests and the status log. */
unsigned	 server_nlinks(const struct server *srv);
unsigned	 server_nvps(const struct server *srv);

#endif /* SERVER_H */
