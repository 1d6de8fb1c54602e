/*
 * chan.c: the channel table (see chan.h).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>

#include "chan.h"

#define CHANTAB_MINCAP	8

void
chantab_init(struct chantab *t)
{
	t->slot = NULL;
	t->cap = t->count = 0;
}

void
chantab_free(struct chantab *t)
{
	free(t->slot);
	chantab_init(t);
}

static size_t
chantab_hash(uint32_t id, size_t cap)
{
	/* Ids are sequential: a multiplicative hash spreads them. */
	return ((size_t)((id * 2654435761u) >> 7) & (cap - 1));
}

struct chan *
chantab_get(const struct chantab *t, uint32_t id)
{
	size_t	 i;

	if (t->count == 0)
		return (NULL);
	for (i = chantab_hash(id, t->cap); t->slot[i] != NULL;
	    i = (i + 1) & (t->cap - 1))
		if (t->slot[i]->id == id)
			return (t->slot[i]);
	return (NULL);
}

static void
chantab_insert(struct chan **slot, size_t cap, struct chan *c)
{
	size_t	 i;

	for (i = chantab_hash(c->id, cap); slot[i] != NULL;
	    i = (i + 1) & (cap - 1))
		;
	slot[i] = c;
}

int
chantab_put(struct chantab *t, struct chan *c)
{
	struct chan	**slot;
	size_t		  cap, i;

	/* Keep the load under 3/4 so probes stay short. */
	if ((t->count + 1) * 4 > t->cap * 3) {
		cap = t->cap == 0 ? CHANTAB_MINCAP : t->cap * 2;
		if ((slot = calloc(cap, sizeof(*slot))) == NULL)
			return (-1);
		for (i = 0; i < t->cap; i++)
			if (t->slot[i] != NULL)
				chantab_insert(slot, cap, t->slot[i]);
		free(t->slot);
		t->slot = slot;
		t->cap = cap;
	}
	chantab_insert(t->slot, t->cap, c);
	t->count++;
	return (0);
}

void
chantab_del(struct chantab *t, uint32_t id)
{
	size_t	 i, j, h, mask;

	if (t->count == 0)
		return;
	mask = t->cap - 1;
	for (i = chantab_hash(id, t->cap); t->slot[i] != NULL;
	    i = (i + 1) & mask)
		if (t->slot[i]->id == id)
			break;
	if (t->slot[i] == NULL)
		return;

	/*
	 * Backward-shift: move later members of the probe run into the
	 * hole when their home slot does not lie between the hole and
	 * where they sit, so no tombstones are needed.
	 */
	t->slot[i] = NULL;
	for (j = (i + 1) & mask; t->slot[j] != NULL; j = (j + 1) & mask) {
		h = chantab_hash(t->slot[j]->id, t->cap);
		if ((j > i && (h <= i || h > j)) ||
		    (j < i && (h <= i && h > j))) {
			t->slot[i] = t->slot[j];
			t->slot[j] = NULL;
			i = j;
		}
	}
	if (--t->count == 0)
		chantab_free(t);
}

void
chantab_foreach(struct chantab *t, void (*cb)(struct chan *, void *),
    void *arg)
{
	size_t		 i, count;
	struct chan	*c;

	/*
	 * A deletion may shift a later channel into the slot just
	 * visited; revisit the slot when the count dropped.  Callbacks
	 * must therefore be idempotent for a channel seen twice, which
	 * ours are (they test and set flags).
	 */
	for (i = 0; i < t->cap; i++) {
		if ((c = t->slot[i]) == NULL)
			continue;
		count = t->count;
		cb(c, arg);
		if (t->count != count) {
			if (t->cap == 0)
				return;
			if (i-- == 0)
				i = (size_t)-1;
		}
	}
}
