/*
 * chan.c: visiting a VP's channels (see chan.h).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "chan.h"

struct chantab_visit {
	void	 (*cb)(struct chan *, void *);
	void	*arg;
};

static void
chantab_visit_one(uint32_t id, void *val, void *arg)
{
	struct chantab_visit	*v = arg;

	(void)id;
	v->cb(val, v->arg);
}

void
chantab_foreach(struct idmap *t, void (*cb)(struct chan *, void *),
    void *arg)
{
	struct chantab_visit	 v;

	v.cb = cb;
	v.arg = arg;
	idmap_foreach(t, chantab_visit_one, &v);
}
