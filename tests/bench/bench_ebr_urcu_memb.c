/* SPDX-License-Identifier: MIT */
/*
 * liburcu urcu-memb as a backend of the EBR benchmarks (tests/bench/bench_ebr_ops.h).
 * One flavour per translation unit: the liburcu headers map the generic
 * names (rcu_read_lock, call_rcu, ...) onto one flavour each.
 * _LGPL_SOURCE inlines the read side, as ours and ck_epoch are inlined.
 */
#define _LGPL_SOURCE
#include <urcu/urcu-memb.h>

#include "tests/bench/bench_ebr_ops.h"

#include <stddef.h>
#include <time.h>

_Static_assert(sizeof(struct rcu_head) <= sizeof(((struct ebr_bench_obj *)0)->head),
	       "struct rcu_head does not fit in ebr_bench_obj.head");

static void bu_init(void)
{
}

static void bu_thread_enter(void)
{
	urcu_memb_register_thread();
}

static void bu_thread_exit(void)
{
	urcu_memb_unregister_thread();
}

static double bu_read_loop(u64 n, unsigned int qs_every)
{
	struct timespec a, b;

	clock_gettime(EBR_BENCH_READ_CLOCK, &a);
	for (u64 i = 0; i < n; i++) {
		urcu_memb_read_lock();
		urcu_memb_read_unlock();
	}
	clock_gettime(EBR_BENCH_READ_CLOCK, &b);
	return ((double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec)) / (double)n;
}

static void bu_lock(void)
{
	urcu_memb_read_lock();
}

static void bu_unlock(void)
{
	urcu_memb_read_unlock();
}

static void bu_sync(void)
{
	urcu_memb_synchronize_rcu();
}

static void bu_cb(struct rcu_head *rh)
{
	ebr_bench_free(container_of((void *)rh, struct ebr_bench_obj, head));
}

static void bu_retire(struct ebr_bench_obj *o)
{
	urcu_memb_call_rcu((struct rcu_head *)(void *)o->head, bu_cb);
}

static void bu_drain(void)
{
	urcu_memb_barrier();
}

const struct ebr_bench_ops ebr_bench_urcu_memb = {
	.impl = "urcu_memb",
	.qsbr = false,
	.init = bu_init,
	.thread_enter = bu_thread_enter,
	.thread_exit = bu_thread_exit,
	.read_loop = bu_read_loop,
	.read_lock = bu_lock,
	.read_unlock = bu_unlock,
	.quiescent = NULL,
	.synchronize = bu_sync,
	.retire = bu_retire,
	.drain = bu_drain,
};
