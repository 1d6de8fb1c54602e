/*
 * chan.h: channels of a VP and the table that finds them by id.
 *
 * A channel is one numbered byte stream inside a link, tied to one
 * local client.  The table is open addressing with linear probing and
 * backward-shift deletion, so lookups by id never walk a list, and an
 * empty table holds no memory.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef CHAN_H
#define CHAN_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

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

struct chantab {
	struct chan	**slot;
	size_t		 cap;	/* 0 or a power of two */
	size_t		 count;
};

void		 chantab_init(struct chantab *t);
/* Frees the table only; the channels are the caller's. */
void		 chantab_free(struct chantab *t);
struct chan	*chantab_get(const struct chantab *t, uint32_t id);
/* 0, or -1 (ENOMEM).  The id must not be in the table. */
int		 chantab_put(struct chantab *t, struct chan *c);
void		 chantab_del(struct chantab *t, uint32_t id);
/*
 * Visit every channel.  cb may delete the channel it is given (and no
 * other); iteration is restarted safely in that case.
 */
void		 chantab_foreach(struct chantab *t,
		    void (*cb)(struct chan *, void *), void *arg);

#endif /* CHAN_H */
