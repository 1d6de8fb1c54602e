/*
 * test_buf.c: unit tests for the byte FIFO (buf.c).
 *
 * Covers append, consume, reserve and commit; growth across many sizes;
 * the release of storage when a buffer empties; both ways of sliding
 * data to the front; and a long run of random operations checked byte
 * for byte against a trivial reference model (fixed seed).
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"

/* A small deterministic PRNG, so that runs are the same everywhere. */
static uint64_t	rng_state;

static void
rng_seed(uint64_t seed)
{
	rng_state = seed;
}

static uint32_t
rng(void)
{
	/* xorshift64*, upper half */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return ((uint32_t)((rng_state * 2685821657736338717ULL) >> 32));
}

/* Byte i of a stream: a pattern that does not repeat every 256. */
static uint8_t
pat(size_t i)
{
	return ((uint8_t)((i * 7) ^ (i >> 8) ^ (i >> 16)));
}

static void
fill(uint8_t *p, size_t from, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		p[i] = pat(from + i);
}

/* Whether the buffer holds exactly stream bytes from..from+len-1. */
static void
check_stream(const struct buf *b, size_t from, size_t len)
{
	const uint8_t	*p;
	size_t		 i;

	assert_int_equal(buf_len(b), len);
	if (len == 0)
		return;
	assert_non_null(b->data);
	assert_true(b->off + b->len <= b->cap);
	p = buf_data(b);
	for (i = 0; i < len; i++)
		if (p[i] != pat(from + i))
			fail_msg("byte %zu of %zu is %02x, want %02x", i, len,
			    p[i], pat(from + i));
}

static void
check_empty_freed(const struct buf *b)
{
	assert_int_equal(buf_len(b), 0);
	assert_null(b->data);
	assert_int_equal(b->cap, 0);
	assert_int_equal(b->off, 0);
}

static void
test_init(void **state)
{
	struct buf	b = BUF_INIT;
	struct buf	c;

	(void)state;
	check_empty_freed(&b);
	memset(&c, 0xa5, sizeof(c));
	buf_init(&c);
	check_empty_freed(&c);
	/* Freeing and resetting an empty buffer is harmless. */
	buf_free(&b);
	buf_reset(&c);
	check_empty_freed(&b);
	check_empty_freed(&c);
}

static void
test_append_consume(void **state)
{
	struct buf	b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_append(&b, "hello", 5), 0);
	assert_int_equal(buf_len(&b), 5);
	assert_memory_equal(buf_data(&b), "hello", 5);
	assert_int_equal(buf_append(&b, " world", 6), 0);
	assert_int_equal(buf_len(&b), 11);
	assert_memory_equal(buf_data(&b), "hello world", 11);

	buf_consume(&b, 6);
	assert_int_equal(buf_len(&b), 5);
	assert_memory_equal(buf_data(&b), "world", 5);
	assert_non_null(b.data);

	/* Consuming nothing changes nothing. */
	buf_consume(&b, 0);
	assert_int_equal(buf_len(&b), 5);
	assert_memory_equal(buf_data(&b), "world", 5);

	buf_consume(&b, 4);
	assert_int_equal(buf_len(&b), 1);
	assert_memory_equal(buf_data(&b), "d", 1);

	/* The last byte: storage goes back. */
	buf_consume(&b, 1);
	check_empty_freed(&b);

	/* Appending nothing to an empty buffer allocates nothing. */
	assert_int_equal(buf_append(&b, "x", 0), 0);
	check_empty_freed(&b);

	/* And it is usable again afterwards. */
	assert_int_equal(buf_append(&b, "again", 5), 0);
	assert_memory_equal(buf_data(&b), "again", 5);
	buf_reset(&b);
	check_empty_freed(&b);
}

static void
test_reserve_commit(void **state)
{
	struct buf	 b = BUF_INIT;
	uint8_t		*p;

	(void)state;
	p = buf_reserve(&b, 100);
	assert_non_null(p);
	assert_true(b.cap >= 100);
	/* Reserving does not make bytes visible. */
	assert_int_equal(buf_len(&b), 0);
	fill(p, 0, 100);
	/* Commit less than was reserved. */
	buf_commit(&b, 60);
	check_stream(&b, 0, 60);

	/* A second reservation starts right after the committed bytes. */
	p = buf_reserve(&b, 40);
	assert_non_null(p);
	assert_ptr_equal(p, buf_data(&b) + buf_len(&b));
	fill(p, 60, 40);
	buf_commit(&b, 40);
	check_stream(&b, 0, 100);

	/* Committing 0 is a no-op. */
	p = buf_reserve(&b, 10);
	assert_non_null(p);
	buf_commit(&b, 0);
	check_stream(&b, 0, 100);

	/* A reservation that needs to grow keeps the data. */
	p = buf_reserve(&b, 5000);
	assert_non_null(p);
	assert_true(b.cap >= 5100);
	fill(p, 100, 5000);
	buf_commit(&b, 5000);
	check_stream(&b, 0, 5100);

	/* Reserve after consuming: the data may move, but not change. */
	buf_consume(&b, 3000);
	check_stream(&b, 3000, 2100);
	p = buf_reserve(&b, 10000);
	assert_non_null(p);
	assert_ptr_equal(p, buf_data(&b) + buf_len(&b));
	fill(p, 5100, 10000);
	buf_commit(&b, 10000);
	check_stream(&b, 3000, 12100);

	buf_consume(&b, 12100);
	check_empty_freed(&b);
}

static void
test_reserve_overflow(void **state)
{
	struct buf	 b = BUF_INIT;

	(void)state;
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	/* len + n would overflow size_t: refused before any allocation. */
	errno = 0;
	assert_null(buf_reserve(&b, SIZE_MAX));
	assert_int_equal(errno, ENOMEM);
	errno = 0;
	assert_null(buf_reserve(&b, SIZE_MAX - 2));
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(buf_append(&b, "x", SIZE_MAX - 1), -1);
	/* The buffer is unchanged. */
	assert_int_equal(buf_len(&b), 3);
	assert_memory_equal(buf_data(&b), "abc", 3);
	buf_free(&b);
	check_empty_freed(&b);
}

/*
 * Data slides to the front when the room after it is short but the
 * capacity suffices: with a memcpy when source and destination cannot
 * overlap, with a memmove when they can.  Both must keep the bytes.
 */
static void
test_slide(void **state)
{
	struct buf	 b = BUF_INIT;
	uint8_t		 tmp[512];
	uint8_t		*old;
	size_t		 cap;

	(void)state;
	/* Fill the first allocation exactly. */
	assert_non_null(buf_reserve(&b, 1));
	cap = b.cap;
	assert_true(cap >= 16 && cap <= sizeof(tmp));
	fill(tmp, 0, cap);
	assert_int_equal(buf_append(&b, tmp, cap), 0);
	assert_int_equal(b.cap, cap);
	old = b.data;

	/* Non-overlapping slide: fewer bytes left than were consumed. */
	buf_consume(&b, cap - cap / 4);
	fill(tmp, cap, cap / 2);
	assert_int_equal(buf_append(&b, tmp, cap / 2), 0);
	assert_ptr_equal(b.data, old);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.off, 0);
	check_stream(&b, cap - cap / 4, cap / 4 + cap / 2);

	/* Overlapping slide: more bytes left than were consumed. */
	buf_consume(&b, 3);
	fill(tmp, cap + cap / 2, cap - buf_len(&b));
	assert_int_equal(buf_append(&b, tmp, cap - buf_len(&b)), 0);
	assert_ptr_equal(b.data, old);
	assert_int_equal(b.cap, cap);
	assert_int_equal(b.off, 0);
	check_stream(&b, cap - cap / 4 + 3, cap);

	/* Growth with data not at the front. */
	buf_consume(&b, 1);
	fill(tmp, 2 * cap - cap / 4 + 3, 2);
	assert_int_equal(buf_append(&b, tmp, 2), 0);
	assert_true(b.cap > cap);
	check_stream(&b, cap - cap / 4 + 4, cap + 1);

	buf_consume(&b, buf_len(&b));
	check_empty_freed(&b);
}

static void
test_growth_sizes(void **state)
{
	struct buf	 b = BUF_INIT;
	uint8_t		*src;
	size_t		 n, k, sizes[64], nsizes = 0, i;
	const size_t	 max = (size_t)1 << 20;

	(void)state;
	src = malloc(max + 1);
	assert_non_null(src);
	fill(src, 0, max + 1);

	/* Every size up to 1100 in one append, then drain. */
	for (n = 1; n <= 1100; n++) {
		assert_int_equal(buf_append(&b, src, n), 0);
		assert_true(b.cap >= n);
		check_stream(&b, 0, n);
		buf_consume(&b, n);
		check_empty_freed(&b);
	}

	/* Powers of two and their neighbours, up to 1 MiB. */
	for (k = 2; ((size_t)1 << k) <= max; k++) {
		sizes[nsizes++] = ((size_t)1 << k) - 1;
		sizes[nsizes++] = (size_t)1 << k;
		if (((size_t)1 << k) < max)
			sizes[nsizes++] = ((size_t)1 << k) + 1;
	}
	for (i = 0; i < nsizes; i++) {
		n = sizes[i];
		assert_int_equal(buf_append(&b, src, n), 0);
		check_stream(&b, 0, n);
		buf_consume(&b, n);
		check_empty_freed(&b);
	}

	/* Growing one byte at a time keeps every byte. */
	for (n = 0; n < 5000; n++)
		assert_int_equal(buf_append(&b, src + n, 1), 0);
	check_stream(&b, 0, 5000);

	/* Growing in uneven chunks up to 1 MiB and a byte. */
	buf_free(&b);
	for (n = 0; n < max + 1; n += k) {
		k = 1 + (n * 31 + 17) % 9000;
		if (k > max + 1 - n)
			k = max + 1 - n;
		assert_int_equal(buf_append(&b, src + n, k), 0);
		assert_int_equal(buf_len(&b), n + k);
	}
	check_stream(&b, 0, max + 1);
	buf_consume(&b, max + 1);
	check_empty_freed(&b);
	free(src);
}

/*
 * Random operations against a reference model: the model is the byte
 * stream numbers [head, tail) of pat().  Fixed seed, so a failure is
 * reproducible.
 */
static void
test_random_model(void **state)
{
	struct buf	 b = BUF_INIT;
	uint8_t		*tmp, *p;
	size_t		 head = 0, tail = 0, n, r, op, i;
	const size_t	 tmpmax = 70000;

	(void)state;
	tmp = malloc(tmpmax);
	assert_non_null(tmp);
	rng_seed(0x5c4e3d2c1b0a9988ULL);

	for (i = 0; i < 20000; i++) {
		op = rng() % 10;
		if (op < 4) {
			/* append: mostly small, sometimes large */
			n = (rng() % 8 == 0) ? rng() % tmpmax : rng() % 600;
			fill(tmp, tail, n);
			assert_int_equal(buf_append(&b, tmp, n), 0);
			tail += n;
		} else if (op < 6) {
			/* reserve r, commit n <= r */
			r = 1 + rng() % 3000;
			n = rng() % (r + 1);
			p = buf_reserve(&b, r);
			assert_non_null(p);
			assert_ptr_equal(p, buf_data(&b) + buf_len(&b));
			assert_true(b.off + b.len + r <= b.cap);
			/* Write all r bytes: the room must really be there. */
			memset(p, 0xee, r);
			fill(p, tail, n);
			buf_commit(&b, n);
			tail += n;
		} else if (op < 9) {
			/* consume part */
			if (tail == head)
				continue;
			n = rng() % (tail - head + 1);
			buf_consume(&b, n);
			head += n;
		} else {
			/* consume all */
			buf_consume(&b, tail - head);
			head = tail;
			check_empty_freed(&b);
		}
		check_stream(&b, head, tail - head);
		if (tail == head && op >= 6)
			check_empty_freed(&b);
	}
	buf_free(&b);
	check_empty_freed(&b);
	free(tmp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_append_consume),
		cmocka_unit_test(test_reserve_commit),
		cmocka_unit_test(test_reserve_overflow),
		cmocka_unit_test(test_slide),
		cmocka_unit_test(test_growth_sizes),
		cmocka_unit_test(test_random_model),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
