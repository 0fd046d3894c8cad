// SPDX-License-Identifier: MIT
/*
 * Allocator churn shared by the heap and frame-allocator tests (churn.h).
 */
#include "tests/host/churn.h"
#include "tests/host/harness.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CHURN_MAX_THREADS	64

static const struct churn_ops *churn_ops;
static double churn_deadline;
static u64 churn_bad, churn_total_ops;

static void *churn_thread(void *arg)
{
	const struct churn_ops *o = churn_ops;
	u64 rng = test_opts.seed + *(const uintptr_t *)arg * o->seed_step;
	u8 *mine = malloc(o->max_live * o->obj_size);
	unsigned int n = 0;
	u64 ops = 0, bad = 0;

	if (!mine) {
		perror("churn: malloc");
		exit(2);
	}
	while (test_elapsed() < churn_deadline || ops < o->min_ops) {
		if (n < o->max_live && (n == 0 || test_rand(&rng) & 1)) {
			if (o->alloc(mine + n * o->obj_size, &rng))
				n++;
		} else {
			unsigned int k = (unsigned int)(test_rand(&rng) % n);

			bad += !o->release(mine + k * o->obj_size);
			if (k != --n)	/* the last one fills the hole */
				memcpy(mine + k * o->obj_size, mine + n * o->obj_size,
				       o->obj_size);
		}
		ops++;
	}
	while (n) {
		n--;
		bad += !o->release(mine + n * o->obj_size);
	}
	free(mine);
	__atomic_fetch_add(&churn_bad, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&churn_total_ops, ops, __ATOMIC_RELAXED);
	return NULL;
}

/**
 * churn_run() - allocate and free at random on several threads.
 * @ops: the allocator's callbacks and the run's shape
 *
 * Return: thread count, operations done and corrupted objects found.
 */
struct churn_result churn_run(const struct churn_ops *ops)
{
	/*
	 * One thread per CPU by default (at least 2): a ticket lock with more
	 * spinning threads than CPUs convoys behind preempted holders.
	 */
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	unsigned int n = test_opts.threads ? test_opts.threads :
			 (unsigned int)(ncpu < 2 ? 2 : ncpu > 4 ? 4 : ncpu);
	uintptr_t ids[CHURN_MAX_THREADS];

	if (n > CHURN_MAX_THREADS)
		n = CHURN_MAX_THREADS;
	for (unsigned int i = 0; i < n; i++)
		ids[i] = i;
	churn_ops = ops;
	churn_bad = 0;
	churn_total_ops = 0;
	churn_deadline = test_elapsed() + test_opts.seconds;
	test_run_threads(n, churn_thread, ids, sizeof(ids[0]));
	return (struct churn_result){ n, churn_total_ops, churn_bad };
}
