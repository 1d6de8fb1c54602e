/*
 * buf.h: a growable byte FIFO.  Bytes are appended at the end and
 * consumed from the front; storage is released when the buffer empties
 * so that an idle connection holds no buffer memory at all.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifndef BUF_H
#define BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t		*data;
	size_t		 off;		/* first unconsumed byte */
	size_t		 len;		/* unconsumed bytes */
	size_t		 cap;
};

#define BUF_INIT	{ NULL, 0, 0, 0 }

void		 buf_init(struct buf *b);
void		 buf_free(struct buf *b);
static inline size_t
buf_len(const struct buf *b)
{
	return (b->len);
}
static inline uint8_t *
buf_data(const struct buf *b)
{
	/* An empty buffer has no storage: NULL + 0 is undefined in C. */
	return (b->data == NULL ? NULL : b->data + b->off);
}

/* Append n bytes; 0 or -1 (ENOMEM) with the buffer unchanged. */
int		 buf_append(struct buf *b, const void *p, size_t n);
/*
 * Room for n more bytes at the end, to be filled and then committed
 * with buf_commit (at most n).  NULL on ENOMEM.
 */
uint8_t		*buf_reserve(struct buf *b, size_t n);
void		 buf_commit(struct buf *b, size_t n);
/* Drop n bytes from the front (n <= buf_len). */
void		 buf_consume(struct buf *b, size_t n);
/* Empty the buffer and release its storage. */
void		 buf_reset(struct buf *b);

#ifdef BUF_FAULTS
/*
 * Tests only (a build of buf.c with BUF_FAULTS): how many more
 * allocations succeed before each fails with ENOMEM; negative: all.
 */
extern long	 buf_faults_left;
#endif

#endif /* BUF_H */
