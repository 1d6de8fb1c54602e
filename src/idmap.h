/*
 * idmap.h: a map from non-zero 32-bit ids to pointers.  Open addressing
 * with linear probing and backward-shift deletion: O(1) lookups, no
 * tombstones, and an empty map holds no memory.  Used for VP ids, mux
 * channel ids, and the set of VPs announced to each mux client.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef IDMAP_H
#define IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint32_t	 id;		/* 0: empty */
	void		*val;
};

struct idmap {
	struct idmap_slot *slot;
	size_t		 cap;		/* 0 or a power of two */
	size_t		 count;
};

void	 idmap_init(struct idmap *m);
void	 idmap_free(struct idmap *m);
void	*idmap_get(const struct idmap *m, uint32_t id);
/* Insert or replace; id must not be 0 and val not NULL.  0 or -1. */
int	 idmap_put(struct idmap *m, uint32_t id, void *val);
/* Remove id if present; returns its value or NULL. */
void	*idmap_del(struct idmap *m, uint32_t id);
/*
 * Visit every entry.  cb may delete the entry it is given (and no
 * other); an entry may then be visited twice, so cb must be idempotent.
 */
void	 idmap_foreach(struct idmap *m, void (*cb)(uint32_t, void *, void *),
	    void *arg);

#endif /* IDMAP_H */
