/*
 * buf.c: a growable byte FIFO (see buf.h).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

#define BUF_MINCAP	256

#ifdef BUF_FAULTS
long	 buf_faults_left = -1;

static int
buf_fault(void)
{
	if (buf_faults_left < 0)
		return (0);
	if (buf_faults_left == 0) {
		errno = ENOMEM;
		return (1);
	}
	buf_faults_left--;
	return (0);
}
#else
#define buf_fault()	0
#endif

void
buf_init(struct buf *b)
{
	b->data = NULL;
	b->off = b->len = b->cap = 0;
}

void
buf_free(struct buf *b)
{
	free(b->data);
	buf_init(b);
}

void
buf_reset(struct buf *b)
{
	buf_free(b);
}

uint8_t *
buf_reserve(struct buf *b, size_t n)
{
	size_t	 need, cap;
	uint8_t	*p;

	if (n > SIZE_MAX - b->len) {
		errno = ENOMEM;
		return (NULL);
	}
	need = b->len + n;

	/* Enough room after the data already: nothing to do. */
	if (b->data != NULL && b->off + need <= b->cap)
		return (b->data + b->off + b->len);

	/*
	 * Slide the data to the front when that makes room and the move
	 * is cheap relative to the space it wins back.
	 */
	if (need <= b->cap && b->len <= b->off) {
		memcpy(b->data, b->data + b->off, b->len);
		b->off = 0;
		return (b->data + b->len);
	}
	if (need <= b->cap) {
		memmove(b->data, b->data + b->off, b->len);
		b->off = 0;
		return (b->data + b->len);
	}

	if (buf_fault())
		return (NULL);
	cap = b->cap < BUF_MINCAP ? BUF_MINCAP : b->cap;
	while (cap < need) {
		if (cap > SIZE_MAX / 2) {
			cap = need;
			break;
		}
		cap *= 2;
	}
	if (b->off == 0) {
		if ((p = realloc(b->data, cap)) == NULL)
			return (NULL);
	} else {
		if ((p = malloc(cap)) == NULL)
			return (NULL);
		if (b->len > 0)
			memcpy(p, b->data + b->off, b->len);
		free(b->data);
	}
	b->data = p;
	b->off = 0;
	b->cap = cap;
	return (b->data + b->len);
}

void
buf_commit(struct buf *b, size_t n)
{
	b->len += n;
}

int
buf_append(struct buf *b, const void *p, size_t n)
{
	uint8_t	*dst;

	if (n == 0)
		return (0);
	if ((dst = buf_reserve(b, n)) == NULL)
		return (-1);
	memcpy(dst, p, n);
	b->len += n;
	return (0);
}

void
buf_consume(struct buf *b, size_t n)
{
	if (n >= b->len) {
		/* Empty: give the memory back, idle peers cost nothing. */
		buf_free(b);
		return;
	}
	b->off += n;
	b->len -= n;
}
