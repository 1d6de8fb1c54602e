/*
 * list.h: an intrusive doubly linked list.  The node lives inside the
 * object, so joining and leaving a list never allocates, and leaving is
 * O(1) from the object alone: the flush lists and dirty lists need that,
 * since any object on them may be freed while another is processed.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef LIST_H
#define LIST_H

#include <stddef.h>

struct lnode {
	struct lnode	*prev, *next;
	int		 linked;
};

struct lhead {
	struct lnode	*first;
};

/* The object holding node n as its member m. */
#define LIST_ENTRY(n, type, m)	((type *)(void *)((char *)(n) - \
	offsetof(type, m)))

/* Put n first on h, unless it is on a list already. */
static inline void
list_add(struct lhead *h, struct lnode *n)
{
	if (n->linked)
		return;
	n->linked = 1;
	n->prev = NULL;
	n->next = h->first;
	if (h->first != NULL)
		h->first->prev = n;
	h->first = n;
}

/* Take n off h, if it is on it. */
static inline void
list_del(struct lhead *h, struct lnode *n)
{
	if (!n->linked)
		return;
	n->linked = 0;
	if (n->prev != NULL)
		n->prev->next = n->next;
	else
		h->first = n->next;
	if (n->next != NULL)
		n->next->prev = n->prev;
	n->prev = n->next = NULL;
}

/* Take the first node off h; NULL when h is empty. */
static inline struct lnode *
list_pop(struct lhead *h)
{
	struct lnode	*n = h->first;

	if (n != NULL)
		list_del(h, n);
	return (n);
}

#endif /* LIST_H */
