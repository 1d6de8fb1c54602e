/*
 * test_idmap.c: the id map against a simple model, through growth,
 * deletion with backward shifts, wraparound of the probe sequence and
 * deletion during iteration.
 *
 * Copyright (C) 2026 The sc_remoted authors.
 * SPDX-License-Identifier: GPL-2.0-only
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>

#include "idmap.h"

#define N	5000

static uint32_t
rnd(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return (*s);
}

/* Random puts and deletes agree with a plain array at every step. */
static void
test_model(void **state)
{
	static void	*model[N];
	struct idmap	 m;
	uint32_t	 seed = 12345, id;
	size_t		 i, count = 0;
	int		 op;

	(void)state;
	idmap_init(&m);
	for (i = 0; i < 200000; i++) {
		id = 1 + rnd(&seed) % (N - 1);
		op = rnd(&seed) % 3;
		if (op < 2) {
			if (model[id] == NULL)
				count++;
			model[id] = &model[id];
			assert_int_equal(idmap_put(&m, id, &model[id]), 0);
		} else {
			assert_ptr_equal(idmap_del(&m, id), model[id]);
			if (model[id] != NULL)
				count--;
			model[id] = NULL;
		}
		assert_int_equal(m.count, count);
		if (i % 997 == 0) {
			for (id = 1; id < N; id++)
				assert_ptr_equal(idmap_get(&m, id),
				    model[id]);
		}
	}
	idmap_free(&m);
}

/* Ids that collide at the end of the table wrap to its start. */
static void
test_wrap_and_empty(void **state)
{
	struct idmap	 m;
	int		 x;
	uint32_t	 id;

	(void)state;
	idmap_init(&m);
	assert_null(idmap_get(&m, 1));
	assert_null(idmap_del(&m, 1));
	assert_null(idmap_get(&m, 0));
	for (id = 0xfffffff0u; id != 0; id++)
		assert_int_equal(idmap_put(&m, id, &x), 0);
	for (id = 0xfffffff0u; id != 0; id++)
		assert_ptr_equal(idmap_get(&m, id), &x);
	for (id = 0xfffffff0u; id != 0; id++)
		assert_ptr_equal(idmap_del(&m, id), &x);
	/* An emptied map holds no memory. */
	assert_null(m.slot);
	assert_int_equal(m.cap, 0);
}

static int	 visits[2001];

static void
del_cb(uint32_t id, void *val, void *arg)
{
	struct idmap	*m = arg;

	(void)val;
	visits[id]++;
	if (id % 2 == 0)
		assert_non_null(idmap_del(m, id));
}

/* Deleting the visited entry during iteration misses nobody. */
static void
test_foreach_delete(void **state)
{
	struct idmap	 m;
	uint32_t	 id;
	int		 x;

	(void)state;
	idmap_init(&m);
	for (id = 1; id <= 2000; id++)
		assert_int_equal(idmap_put(&m, id, &x), 0);
	idmap_foreach(&m, del_cb, &m);
	for (id = 1; id <= 2000; id++) {
		assert_true(visits[id] >= 1);
		if (id % 2 == 0)
			assert_null(idmap_get(&m, id));
		else
			assert_ptr_equal(idmap_get(&m, id), &x);
	}
	assert_int_equal(m.count, 1000);
	idmap_free(&m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_model),
		cmocka_unit_test(test_wrap_and_empty),
		cmocka_unit_test(test_foreach_delete),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
