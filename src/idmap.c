/*
 * idmap.c: a map from 32-bit ids to pointers (see idmap.h).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdlib.h>

#include "idmap.h"

#define IDMAP_MINCAP	8

void
idmap_init(struct idmap *m)
{
	m->slot = NULL;
	m->cap = m->count = 0;
}

void
idmap_free(struct idmap *m)
{
	free(m->slot);
	idmap_init(m);
}

static size_t
idmap_hash(uint32_t id, size_t cap)
{
	/* Ids are mostly sequential: a multiplicative hash spreads them. */
	return ((size_t)((id * 2654435761u) >> 7) & (cap - 1));
}

static size_t
idmap_find(const struct idmap *m, uint32_t id)
{
	size_t	 i;

	for (i = idmap_hash(id, m->cap); m->slot[i].id != 0;
	    i = (i + 1) & (m->cap - 1))
		if (m->slot[i].id == id)
			return (i);
	return (i);
}

void *
idmap_get(const struct idmap *m, uint32_t id)
{
	if (m->count == 0 || id == 0)
		return (NULL);
	return (m->slot[idmap_find(m, id)].val);
}

int
idmap_put(struct idmap *m, uint32_t id, void *val)
{
	struct idmap_slot	*slot;
	size_t			 cap, i, j;

	if (m->count > 0) {
		i = idmap_find(m, id);
		if (m->slot[i].id == id) {
			m->slot[i].val = val;
			return (0);
		}
	}
	/* Keep the load under 3/4 so probes stay short. */
	if ((m->count + 1) * 4 > m->cap * 3) {
		cap = m->cap == 0 ? IDMAP_MINCAP : m->cap * 2;
		if ((slot = calloc(cap, sizeof(*slot))) == NULL)
			return (-1);
		for (i = 0; i < m->cap; i++) {
			if (m->slot[i].id == 0)
				continue;
			for (j = idmap_hash(m->slot[i].id, cap);
			    slot[j].id != 0; j = (j + 1) & (cap - 1))
				;
			slot[j] = m->slot[i];
		}
		free(m->slot);
		m->slot = slot;
		m->cap = cap;
	}
	i = idmap_find(m, id);
	m->slot[i].id = id;
	m->slot[i].val = val;
	m->count++;
	return (0);
}

void *
idmap_del(struct idmap *m, uint32_t id)
{
	size_t	 i, j, h, mask;
	void	*val;

	if (m->count == 0 || id == 0)
		return (NULL);
	i = idmap_find(m, id);
	if (m->slot[i].id != id)
		return (NULL);
	val = m->slot[i].val;
	mask = m->cap - 1;

	/* Backward shift: pull later members of the run into the hole. */
	m->slot[i].id = 0;
	m->slot[i].val = NULL;
	for (j = (i + 1) & mask; m->slot[j].id != 0; j = (j + 1) & mask) {
		h = idmap_hash(m->slot[j].id, m->cap);
		if ((j > i && (h <= i || h > j)) ||
		    (j < i && (h <= i && h > j))) {
			m->slot[i] = m->slot[j];
			m->slot[j].id = 0;
			m->slot[j].val = NULL;
			i = j;
		}
	}
	if (--m->count == 0)
		idmap_free(m);
	return (val);
}

void
idmap_foreach(struct idmap *m, void (*cb)(uint32_t, void *, void *),
    void *arg)
{
	size_t	 i, count;

	for (i = 0; i < m->cap; i++) {
		if (m->slot[i].id == 0)
			continue;
		count = m->count;
		cb(m->slot[i].id, m->slot[i].val, arg);
		if (m->count != count) {
			if (m->cap == 0)
				return;
			/* A later entry may have moved into this slot. */
			i--;
		}
	}
}
