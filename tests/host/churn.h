/* SPDX-License-Identifier: MIT */
/*
 * Allocator churn for hosted tests (tests/host/churn.c): threads that each
 * keep a private set of live objects, allocating and freeing at random until
 * the deadline, and check every object's contents when they free it.  The
 * allocator under test comes in through two callbacks.
 */
#ifndef TESTS_HOST_CHURN_H
#define TESTS_HOST_CHURN_H

#include "lib/types.h"

#include <stddef.h>

struct churn_ops {
	size_t obj_size;	/* bytes of one caller-defined object record */
	unsigned int max_live;	/* live objects a thread keeps at most */
	u64 min_ops;		/* operations a thread does even past the deadline */
	u64 seed_step;		/* thread i seeds its PRNG test seed + i * seed_step */
	/* Allocate into *obj; false when the allocator had nothing (not an error). */
	bool (*alloc)(void *obj, u64 *rng);
	/* Check *obj's contents and free it; false when they were corrupted. */
	bool (*release)(void *obj);
};

struct churn_result {
	unsigned int threads;
	u64 ops;
	u64 bad;		/* objects whose contents were wrong when freed */
};

/*
 * Run ops on --threads threads (default one per CPU, 2..4) for --seconds;
 * every thread frees what it still holds before it returns.
 */
struct churn_result churn_run(const struct churn_ops *ops);

#endif /* TESTS_HOST_CHURN_H */
