/*
 * chan.h: channels of a VP and the table that finds them by id.
 *
 * A channel is one numbered byte stream inside a link, tied to one
 * local client.  The table is an idmap, so lookups by id never walk a
 * list, and an empty table holds no memory.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef CHAN_H
#define CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "idmap.h"

#define CHAN_TXFIN	0x01	/* we sent CHANNEL_FIN */
#define CHAN_RXFIN	0x02	/* scamper sent CHANNEL_FIN */
#define CHAN_GONE	0x04	/* the local client is gone */
#define CHAN_FULL	0x08	/* out is over its high-water mark */
#define CHAN_PAUSED	0x10	/* not reading the client: VP backlog */

struct vp;

struct chan {
	uint32_t	 id;
	int		 flags;
	struct vp	*vp;
	struct buf	 out;	/* from scamper, not yet written to client */
	void		*udata;	/* the owner's client */
};

/*
 * A VP's channels by id: an idmap (see idmap.h) from id to channel.
 * These wrappers only give the map its channel types.
 */
static inline void
chantab_init(struct idmap *t)
{
	idmap_init(t);
}

/* Frees the table only; the channels are the caller's. */
static inline void
chantab_free(struct idmap *t)
{
	idmap_free(t);
}

static inline struct chan *
chantab_get(const struct idmap *t, uint32_t id)
{
	return (idmap_get(t, id));
}

/* 0, or -1 (ENOMEM).  The id must not be in the table. */
static inline int
chantab_put(struct idmap *t, struct chan *c)
{
	return (idmap_put(t, c->id, c));
}

static inline void
chantab_del(struct idmap *t, uint32_t id)
{
	(void)idmap_del(t, id);
}

/*
 * Visit every channel.  cb may delete the channel it is given (and no
 * other); a channel may then be visited twice, so cb must be
 * idempotent, which ours are (they test and set flags).
 */
void		 chantab_foreach(struct idmap *t,
		    void (*cb)(struct chan *, void *), void *arg);

#endif /* CHAN_H */
