// SPDX-License-Identifier: MIT
/*
 * EPT MMU benchmarks (mm/ept_*.c), no simulated vCPUs (a flush request
 * completes at once, so these measure the MMU, not the shootdown).
 *
 *   ept_populate_disjoint_{4k,2m}  each thread first-touches its own gfn
 *                                  range (4 KiB-only slot / 2 MiB leaves)
 *   ept_populate_overlap_{4k,2m}   every thread faults the whole range
 *                                  (racing installs, table-link cmpxchg
 *                                  failures, spurious faults)
 *     impls: ours         faults under mmu_lock shared (cmpxchg installs)
 *            global_lock  the same code with faults taking mmu_lock for
 *                         write (ept_handle_fault_exclusive())
 *     unit:  Mfaults/s (higher is better)
 *   ept_populate_disjoint_4k_scaling  2-thread / 1-thread rate (goal >= 1.7)
 *     impls: ours          disjoint 4 KiB populate
 *            private_work  the same threads doing work that shares nothing
 *                          (loads and stores in a private 256 KiB buffer):
 *                          how well this machine scales right now.  Each
 *                          run measures both back to back, so a period in
 *                          which the host gives the two vCPUs less than two
 *                          cores shows up in both.
 *   ept_zap_vs_fault               1 zapper (shared-mode zap of random
 *                                  ranges) vs faulters; Mfaults/s
 *   ept_zap_vs_fault_flushes_per_zapped  flush requests per zapped leaf
 *   ept_flushes_per_zap_op         flushes issued by one zap of 4096 leaves
 *   ept_identity_4g_1g_table_pages table pages for a 4 GiB identity map
 *                                  with 1 GiB leaves (goal <= 3)
 */
#include "tests/bench/bench.h"

#include "lib/atomic.h"
#include "mm/ept_mmu.h"

#include <stdio.h>
#include <string.h>

static struct vm_mmu be_mmu;

struct be_arg {
	unsigned int id, nthreads;
	gfn_t lo, n;		/* indices [lo, lo + n) this thread touches */
	u64 stride;		/* gfns per index (512: one fault per 2 MiB leaf) */
	bool overlap;
	bool exclusive;		/* the global_lock baseline: ept_handle_fault_exclusive() */
	u64 faults;
	u64 seed;
	bool zapper;
	u64 zaps;
	u64 deadline_ns;
	const char *icount_bench, *icount_impl;	/* --icount: count the fault loop */
};

static bool be_stop;
static struct bench_barrier be_bar;

static int be_setup(bool huge, u64 gfns)
{
	struct ept_mmu_config cfg = { .max_table_pages = 65536, .gfn_limit = 0 };
	struct ept_memslot s = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0, .npages = gfns,
				 /* 4 KiB-only: frames not congruent mod 2 MiB */
				 .base_pfn = huge ? (1ULL << 20) : (1ULL << 20) + 1 };

	if (ept_mmu_init(&be_mmu, &cfg))
		return -1;
	if (ept_memslot_set(&be_mmu, &s)) {
		ept_mmu_destroy(&be_mmu);
		return -1;
	}
	return 0;
}

static void *be_populate_thread(void *p)
{
	struct be_arg *a = p;

	ept_mmu_cpu_register(&be_mmu);
	bench_barrier_wait(&be_bar);
	if (a->icount_bench)
		bench_icount_begin();
	for (u64 i = 0; i < a->n; i++) {
		/* Overlap: every thread walks the whole range from its own offset. */
		u64 idx = a->overlap ? (i + a->id * (a->n / a->nthreads)) % a->n : i;
		gfn_t g = (a->lo + idx) * a->stride;
		struct ept_fault f = { .gpa = g << PAGE_SHIFT, .access = EPT_ACC_WRITE };

		while ((a->exclusive ? ept_handle_fault_exclusive(&be_mmu, &f) :
					ept_handle_fault(&be_mmu, &f)) == EPT_FAULT_RETRY)
			;
		a->faults++;
	}
	if (a->icount_bench)
		bench_icount_end(a->icount_bench, a->icount_impl, 1, a->n);
	ept_mmu_cpu_unregister(&be_mmu);
	return NULL;
}

/*
 * One populate run; returns Mfaults/s (faults over the threads' wall time).
 * With @icount_bench (one thread), counts the fault loop's instructions.
 */
static double be_populate_run(bool huge, bool overlap, unsigned int nthreads, bool exclusive,
			      const char *icount_bench)
{
	u64 per = bench_opts.quick || icount_bench ? (huge ? 512 : 8192) :
		  (huge ? 4096 : 65536);
	u64 stride = huge ? 512 : 1;
	u64 gfns = (overlap ? per : per * nthreads) * stride;
	struct be_arg a[2];
	u64 t0, t1, faults = 0;

	if (be_setup(huge, gfns))
		return 0;
	memset(a, 0, sizeof(a));
	for (unsigned int i = 0; i < nthreads; i++) {
		a[i].id = i;
		a[i].nthreads = nthreads;
		a[i].overlap = overlap;
		a[i].exclusive = exclusive;
		a[i].lo = overlap ? 0 : i * per;
		a[i].n = per;
		a[i].stride = stride;
		a[i].icount_bench = icount_bench;
		a[i].icount_impl = exclusive ? "global_lock" : "ours";
	}
	bench_barrier_init(&be_bar, nthreads);
	t0 = bench_now_ns();
	bench_run_threads(nthreads, be_populate_thread, a, sizeof(a[0]));
	t1 = bench_now_ns();
	for (unsigned int i = 0; i < nthreads; i++)
		faults += a[i].faults;
	ept_mmu_destroy(&be_mmu);
	return (double)faults * 1e3 / (double)(t1 - t0);
}

static double be_populate_once(bool huge, bool overlap, unsigned int nthreads, bool exclusive)
{
	return be_populate_run(huge, overlap, nthreads, exclusive, NULL);
}

static void be_populate(const char *name, bool huge, bool overlap)
{
	double s[BENCH_MAX_RUNS];

	for (unsigned int t = 1; t <= 2; t++) {
		for (int ex = 0; ex <= 1; ex++) {
			for (unsigned int r = 0; r < bench_opts.runs; r++)
				s[r] = be_populate_once(huge, overlap, t, ex);
			bench_record(name, ex ? "global_lock" : "ours", t, s, bench_opts.runs,
				     "Mfaults/s", BENCH_HIGHER);
		}
	}
}

/* Private work per thread for the scaling control: 2^21 load+store pairs. */
#define BE_CTRL_WORDS	(32768)		/* 256 KiB of u64: stays in L2 */
#define BE_CTRL_OPS	(1u << 21)

static u64 be_ctrl_buf[2][BE_CTRL_WORDS] __cacheline_aligned;

static void *be_control_thread(void *p)
{
	struct be_arg *a = p;
	u64 *buf = be_ctrl_buf[a->id], x = a->id + 1;

	bench_barrier_wait(&be_bar);
	for (u32 i = 0; i < BE_CTRL_OPS; i++) {
		/* A dependent chain of loads and stores, like a table walk. */
		u32 k = (u32)(x * 0x9e3779b97f4a7c15ull >> 49) & (BE_CTRL_WORDS - 1);

		x = buf[k] + i;
		buf[k] = x;
	}
	a->faults = BE_CTRL_OPS;
	return NULL;
}

/* One control run; returns Mops/s over the threads' wall time. */
static double be_control_once(unsigned int nthreads)
{
	struct be_arg a[2];
	u64 t0, t1;

	memset(a, 0, sizeof(a));
	for (unsigned int i = 0; i < nthreads; i++)
		a[i].id = i;
	bench_barrier_init(&be_bar, nthreads);
	t0 = bench_now_ns();
	bench_run_threads(nthreads, be_control_thread, a, sizeof(a[0]));
	t1 = bench_now_ns();
	return (double)BE_CTRL_OPS * nthreads * 1e3 / (double)(t1 - t0);
}

static void bench_ept_populate(void)
{
	double s1[BENCH_MAX_RUNS], s2[BENCH_MAX_RUNS], ratio[BENCH_MAX_RUNS];
	double ctrl[BENCH_MAX_RUNS];

	/* Warm-up, not recorded: the first run first-touches the heap. */
	be_populate_once(false, false, 2, false);
	be_populate("ept_populate_disjoint_4k", false, false);
	be_populate("ept_populate_disjoint_2m", true, false);
	be_populate("ept_populate_overlap_4k", false, true);
	be_populate("ept_populate_overlap_2m", true, true);
	for (unsigned int r = 0; r < bench_opts.runs; r++) {
		double c1 = be_control_once(1), c2;

		s1[r] = be_populate_once(false, false, 1, false);
		s2[r] = be_populate_once(false, false, 2, false);
		c2 = be_control_once(2);
		ratio[r] = s1[r] > 0 ? s2[r] / s1[r] : 0;
		ctrl[r] = c1 > 0 ? c2 / c1 : 0;
	}
	bench_record("ept_populate_disjoint_4k_scaling", "ours", 2, ratio, bench_opts.runs,
		     "x (2 threads / 1 thread)", BENCH_HIGHER);
	bench_record("ept_populate_disjoint_4k_scaling", "private_work", 2, ctrl,
		     bench_opts.runs, "x (2 threads / 1 thread)", BENCH_HIGHER);
}
BENCH(ept_populate, bench_ept_populate);

/*
 * Instructions per fault on one thread, shared mode (ours) against the same
 * code under the exclusive lock (global_lock): what a lone faulting CPU pays
 * for the concurrency it does not use.
 */
static void icount_ept_populate(void)
{
	be_populate_once(false, false, 1, false);	/* first touch of the heap */
	for (int ex = 0; ex <= 1; ex++) {
		be_populate_run(false, false, 1, ex, "ept_populate_disjoint_4k");
		be_populate_run(true, false, 1, ex, "ept_populate_disjoint_2m");
	}
}
BENCH_ICOUNT(ept_populate, icount_ept_populate);

static void *be_zvf_thread(void *p)
{
	struct be_arg *a = p;

	ept_mmu_cpu_register(&be_mmu);
	bench_barrier_wait(&be_bar);
	while (!READ_ONCE(be_stop)) {
		u64 x = a->seed;

		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		a->seed = x;
		x *= 0x2545F4914F6CDD1DULL;
		if (a->zapper) {
			gfn_t s = x % a->n;

			ept_zap_range(&be_mmu, s, s + 1 + (x >> 40) % 256);
			a->zaps++;
		} else {
			struct ept_fault f = { .gpa = (x % a->n) << PAGE_SHIFT,
					       .access = EPT_ACC_READ };

			ept_handle_fault(&be_mmu, &f);
			if ((++a->faults & 1023) == 0 && bench_now_ns() >= a->deadline_ns)
				WRITE_ONCE(be_stop, true);
		}
	}
	ept_mmu_cpu_unregister(&be_mmu);
	return NULL;
}

static void bench_ept_zap_vs_fault(void)
{
	double rate[BENCH_MAX_RUNS], fpz[BENCH_MAX_RUNS];
	u64 n = 16384;
	u64 run_ns = bench_opts.quick ? 50000000ULL : 300000000ULL;

	for (unsigned int r = 0; r < bench_opts.runs; r++) {
		struct be_arg a[2];
		struct ept_mmu_stats st;
		u64 t0, t1;

		rate[r] = fpz[r] = 0;
		if (be_setup(false, n))
			continue;
		memset(a, 0, sizeof(a));
		t0 = bench_now_ns();
		for (int i = 0; i < 2; i++) {
			a[i].n = n;
			a[i].seed = 0x1234567ULL * (u64)(i + 1 + r);
			a[i].zapper = i == 1;
			a[i].deadline_ns = t0 + run_ns;
		}
		WRITE_ONCE(be_stop, false);
		bench_barrier_init(&be_bar, 2);
		bench_run_threads(2, be_zvf_thread, a, sizeof(a[0]));
		t1 = bench_now_ns();
		ept_mmu_stats_read(&be_mmu, &st);
		rate[r] = (double)a[0].faults * 1e3 / (double)(t1 - t0);
		fpz[r] = st.zapped ? (double)st.flushes / (double)st.zapped : 0;
		ept_mmu_destroy(&be_mmu);
	}
	bench_record("ept_zap_vs_fault", "ours", 2, rate, bench_opts.runs, "Mfaults/s",
		     BENCH_HIGHER);
	bench_record("ept_zap_vs_fault_flushes_per_zapped", "ours", 2, fpz, bench_opts.runs,
		     "flushes/leaf", BENCH_LOWER);
}
BENCH(ept_zap_vs_fault, bench_ept_zap_vs_fault);

static void bench_ept_batching(void)
{
	double flushes[BENCH_MAX_RUNS], pages[BENCH_MAX_RUNS];

	for (unsigned int r = 0; r < bench_opts.runs; r++) {
		struct ept_mmu_stats a, b;
		struct ept_pool_stats ps;

		flushes[r] = pages[r] = -1;
		/* One zap of 4096 4 KiB leaves: exactly one flush. */
		if (be_setup(false, 4096))
			continue;
		for (gfn_t g = 0; g < 4096; g++) {
			struct ept_fault f = { .gpa = g << PAGE_SHIFT, .access = EPT_ACC_READ };

			ept_handle_fault(&be_mmu, &f);
		}
		ept_mmu_stats_read(&be_mmu, &a);
		ept_zap_range(&be_mmu, 0, 4096);
		ept_mmu_stats_read(&be_mmu, &b);
		flushes[r] = (double)(b.flushes - a.flushes);
		ept_mmu_destroy(&be_mmu);

		/* 4 GiB identity map with 1 GiB leaves. */
		{
			struct ept_mmu_config cfg = { .max_table_pages = 64 };
			struct ept_memslot s = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0,
						 .npages = 1ULL << 20, .base_pfn = 0 };

			if (ept_mmu_init(&be_mmu, &cfg))
				continue;
			ept_memslot_set(&be_mmu, &s);
			for (u64 g = 0; g < 4; g++) {
				struct ept_fault f = { .gpa = g << 30, .access = EPT_ACC_WRITE };

				ept_handle_fault(&be_mmu, &f);
			}
			ept_pool_stats_read(&be_mmu.pool, &ps);
			pages[r] = (double)ps.live;
			ept_mmu_destroy(&be_mmu);
		}
	}
	bench_record("ept_flushes_per_zap_op", "ours", 1, flushes, bench_opts.runs,
		     "flushes/op", BENCH_LOWER);
	bench_record("ept_identity_4g_1g_table_pages", "ours", 1, pages, bench_opts.runs,
		     "pages", BENCH_LOWER);
}
BENCH(ept_batching, bench_ept_batching);
