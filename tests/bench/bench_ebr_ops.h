/* SPDX-License-Identifier: MIT */
/*
 * Reclamation backends for the EBR benchmarks (tests/bench/bench_ebr.c).
 * Every backend implements the same operations, so the workloads in
 * bench_ebr.c are byte-identical across implementations.  The liburcu
 * flavours cannot share a translation unit (their headers map the same
 * names), so each lives in its own tests/bench/bench_ebr_urcu_*.c.
 */
#ifndef TESTS_BENCH_BENCH_EBR_OPS_H
#define TESTS_BENCH_BENCH_EBR_OPS_H

#include "lib/compiler.h"

/*
 * A retired object.  @head is room for the backend's own list head
 * (struct ebr_node, ck_epoch_entry_t, struct rcu_head); backends check
 * that theirs fits.
 */
struct ebr_bench_obj {
	u64 canary;
	u64 payload;
	void *head[4];
};

/*
 * Read loops are timed in the thread's CPU time: on a shared, loaded host
 * wall time would charge a preemption to whichever backend it hit.
 */
#define EBR_BENCH_READ_CLOCK	CLOCK_THREAD_CPUTIME_ID

#define EBR_BENCH_LIVE	0x5a5a5a5a5a5a5a5aULL
#define EBR_BENCH_DEAD	0xdeaddeaddeaddeadULL

/* The common free callback every backend calls: poisons, counts, frees. */
void ebr_bench_free(struct ebr_bench_obj *o);

struct ebr_bench_ops {
	const char *impl;
	bool qsbr;	/* threads must report quiescent states */
	/* Global (re)initialisation before a run; no thread registered. */
	void (*init)(void);
	/* The calling thread joins / leaves (all its callbacks drained). */
	void (*thread_enter)(void);
	void (*thread_exit)(void);
	/* ns per section for @n empty sections, a quiescent state every @qs_every (0: never). */
	double (*read_loop)(u64 n, unsigned int qs_every);
	void (*read_lock)(void);
	void (*read_unlock)(void);
	void (*quiescent)(void);	/* NULL unless qsbr */
	void (*synchronize)(void);
	/* Free @o after a grace period (the backend calls ebr_bench_free()). */
	void (*retire)(struct ebr_bench_obj *o);
	/* Wait until every object this thread retired has been freed. */
	void (*drain)(void);
	/* Retires that waited at a backlog limit so far (NULL: no limit). */
	u64 (*limit_waits)(void);
};

extern const struct ebr_bench_ops ebr_bench_urcu_qsbr;
extern const struct ebr_bench_ops ebr_bench_urcu_memb;
extern const struct ebr_bench_ops ebr_bench_urcu_mb;

#endif /* TESTS_BENCH_BENCH_EBR_OPS_H */
