/* SPDX-License-Identifier: MIT */
/*
 * lib/atomic.h: RMW semantics, and that READ_ONCE/WRITE_ONCE and the RMWs
 * keep a shared counter exact across threads.
 */
#include "lib/atomic.h"
#include "tests/host/harness.h"

static u64 counter;

struct worker {
	u64 iters;
};

static void *adder(void *p)
{
	struct worker *w = p;

	for (u64 i = 0; i < w->iters; i++)
		atomic_inc(&counter);
	return NULL;
}

int main(int argc, char **argv)
{
	u64 x = 5, old;
	u32 y = 0;
	struct worker w[2];

	test_init(argc, argv, 0);

	CHECK_EQ(cmpxchg(&x, 5, 7), 5);
	CHECK_EQ(x, 7);
	CHECK_EQ(cmpxchg(&x, 5, 9), 7);		/* fails, returns current */
	CHECK_EQ(x, 7);
	old = 7;
	CHECK(try_cmpxchg(&x, &old, 8));
	old = 1;
	CHECK(!try_cmpxchg(&x, &old, 2));
	CHECK_EQ(old, 8);			/* updated with the current value */
	CHECK_EQ(xchg(&x, 3), 8);
	CHECK_EQ(fetch_or(&x, 4), 3);
	CHECK_EQ(fetch_and(&x, ~1ULL), 7);
	CHECK_EQ(x, 6);
	CHECK(!atomic_inc_not_zero(&y));
	CHECK_EQ(y, 0);
	y = 1;
	CHECK(atomic_inc_not_zero(&y));
	CHECK_EQ(y, 2);
	CHECK(!atomic_dec_and_test(&y));
	CHECK(atomic_dec_and_test(&y));
	WRITE_ONCE(x, 42);
	CHECK_EQ(READ_ONCE(x), 42);
	store_release(&x, 43);
	CHECK_EQ(load_acquire(&x), 43);

	w[0].iters = w[1].iters = test_opts.quick ? 100000 : 2000000;
	test_run_threads(2, adder, w, sizeof(w[0]));
	CHECK_EQ(counter, w[0].iters * 2);
	return test_finish();
}
