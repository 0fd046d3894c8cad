// SPDX-License-Identifier: MIT
/*
 * pfncache_storm: refresh latency of a gfn -> frame cache under an
 * invalidation storm.
 *
 *   ours           mm/pfncache.c: the refresher waits only for invalidations
 *                  whose gfn range covers its gfn, re-checks the range and
 *                  the sequence, and the invalidation side checks each cache
 *                  locklessly (R10).
 *   baseline_spin  the pre-2024 design (ordering-rules.md section 2.2),
 *                  written here on the same structures: the refresher
 *                  re-resolves in a loop while ANY invalidation is in flight
 *                  or the sequence moved; the invalidation side takes every
 *                  cache's read lock and upgrades on a hit.
 *
 * One invalidator storms random 1-4 gfn ranges of a 64-gfn space, holding
 * each for PB_HOLD_NS (the EPT zap) with PB_GAP_NS between them; refreshers move their
 * cache between two gfns on every iteration, so every refresh resolves.
 * A resolution costs ~RESOLVE_NS (a host page-table walk).  Reported:
 * p50, mean and p99 refresh latency, and resolutions per refresh (work thrown
 * away).  Latencies are wall-clock: on a loaded host the mean carries
 * preemption outliers, the p50 does not.
 */
#include "tests/bench/bench.h"

#include "lib/atomic.h"
#include "lib/rwlock.h"
#include "lib/spinlock.h"
#include "mm/mmu_invalidate.h"
#include "mm/pfncache.h"

#include <stdlib.h>
#include <string.h>

#define PB_NGFN		64
#define PB_HOLD_NS	1000	/* invalidation start -> end */
#define PB_GAP_NS	1000	/* end -> next start (a 50% duty cycle) */
#define PB_RESOLVE_NS	200
#define PB_MAX_REFRESHERS 8
#define PB_LAT_SLOTS	(1 << 16)

static struct mmu_invalidate pb_inv;
static rwlock_t pb_mmu_lock;
static struct gpc_vm_state pb_vm;
static struct gfn_pfn_cache pb_cache[PB_MAX_REFRESHERS];
static u64 pb_gen[PB_NGFN];
static unsigned int pb_running;	/* refreshers still running */
static bool pb_baseline;

static void pb_delay(u64 ns)
{
	u64 t0 = bench_now_ns();

	while (bench_now_ns() - t0 < ns)
		cpu_relax();
}

static bool pb_resolve(void *ctx, gfn_t gfn, pfn_t *pfn, void **hva)
{
	(void)ctx;
	pb_delay(PB_RESOLVE_NS);
	*pfn = (gfn << 32) | READ_ONCE(pb_gen[gfn % PB_NGFN]);
	*hva = &pb_gen[gfn % PB_NGFN];
	return true;
}

static u64 pb_generation(void *ctx)
{
	(void)ctx;
	return 1;
}

static const struct gpc_backend pb_backend = {
	.resolve = pb_resolve,
	.generation = pb_generation,
};

/* ------------------------------------------------ baseline (section 2.2) */

static void baseline_invalidate_start(struct gpc_vm_state *vm, gfn_t start, gfn_t end)
{
	spin_lock(&vm->lock);
	WRITE_ONCE(vm->active_invalidations, vm->active_invalidations + 1);
	for (struct gpc_link *l = vm->list.next; l != &vm->list; l = l->next) {
		struct gfn_pfn_cache *gpc = container_of(l, struct gfn_pfn_cache, link);
		unsigned long flags = read_lock_irqsave(&gpc->lock);
		gfn_t g = gpc->gpa >> PAGE_SHIFT;

		if (gpc->valid && g >= start && g < end) {
			read_unlock_irqrestore(&gpc->lock, flags);
			flags = write_lock_irqsave(&gpc->lock);
			g = gpc->gpa >> PAGE_SHIFT;
			if (gpc->valid && g >= start && g < end)
				WRITE_ONCE(gpc->valid, false);
			write_unlock_irqrestore(&gpc->lock, flags);
			continue;
		}
		read_unlock_irqrestore(&gpc->lock, flags);
	}
	spin_unlock(&vm->lock);
}

static void baseline_invalidate_end(struct gpc_vm_state *vm)
{
	spin_lock(&vm->lock);
	WRITE_ONCE(vm->active_invalidations, vm->active_invalidations - 1);
	spin_unlock(&vm->lock);
}

/*
 * The baseline refresh: resolve, then retry while any invalidation is in
 * flight or the sequence moved.  Returns the number of resolutions.
 */
static u64 baseline_refresh(struct gfn_pfn_cache *gpc, gpa_t gpa)
{
	struct gpc_vm_state *vm = gpc->vm;
	unsigned long flags;
	pfn_t pfn = 0;
	void *hva = NULL;
	u64 snap, n = 0;

	spin_lock(&gpc->refresh_lock);
	flags = write_lock_irqsave(&gpc->lock);
	WRITE_ONCE(gpc->valid, false);
	WRITE_ONCE(gpc->gpa, gpa);
	do {
		snap = mmu_invalidate_snapshot(vm->inv);
		write_unlock_irqrestore(&gpc->lock, flags);
		vm->backend->resolve(vm->backend_ctx, gpa >> PAGE_SHIFT, &pfn, &hva);
		n++;
		flags = write_lock_irqsave(&gpc->lock);
		/* mmu_notifier_retry_cache(): any invalidation, then the seq. */
	} while (READ_ONCE(vm->active_invalidations) || READ_ONCE(vm->inv->seq) != snap);
	WRITE_ONCE(gpc->valid, true);
	gpc->pfn = pfn;
	gpc->hva = hva;
	gpc->generation = 1;
	write_unlock_irqrestore(&gpc->lock, flags);
	spin_unlock(&gpc->refresh_lock);
	return n;
}

/* ------------------------------------------------ workload */

static void pb_invalidate(gfn_t s, gfn_t e)
{
	if (pb_baseline)
		baseline_invalidate_start(&pb_vm, s, e);
	else
		gpc_invalidate_start(&pb_vm, s, e);
	write_lock(&pb_mmu_lock);
	mmu_invalidate_begin_locked(&pb_inv, s, e);
	write_unlock(&pb_mmu_lock);
	for (gfn_t g = s; g < e; g++)
		fetch_add(&pb_gen[g], 1);
	pb_delay(PB_HOLD_NS);
	write_lock(&pb_mmu_lock);
	mmu_invalidate_end_locked(&pb_inv);
	write_unlock(&pb_mmu_lock);
	if (pb_baseline)
		baseline_invalidate_end(&pb_vm);
	else
		gpc_invalidate_end(&pb_vm, s, e);
}

struct pb_arg {
	unsigned int id;
	unsigned int nref;
	u64 seed;
	u64 refreshes, resolves;
	u64 *lat;		/* PB_LAT_SLOTS samples (ring) */
};

static u64 pb_rand(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

static void *pb_thread(void *p)
{
	struct pb_arg *a = p;

	if (a->id == 0) {
		/* The invalidator, until the refreshers are done. */
		while (load_acquire(&pb_running)) {
			gfn_t s = pb_rand(&a->seed) % PB_NGFN;
			gfn_t e = s + 1 + pb_rand(&a->seed) % 4;

			pb_invalidate(s, e > PB_NGFN ? PB_NGFN : e);
			pb_delay(PB_GAP_NS);
		}
		return NULL;
	}
	{
		struct gfn_pfn_cache *c = &pb_cache[a->id - 1];
		u64 until = bench_now_ns() + (bench_opts.quick ? 30 : 300) * 1000000ULL;
		unsigned int i = 0;

		while (bench_now_ns() < until) {
			/* Alternate between two gfns: every refresh resolves. */
			gpa_t gpa = ((gpa_t)(a->id * 8 + (i & 1)) % PB_NGFN) << PAGE_SHIFT;
			u64 t0 = bench_rdtsc(), res;

			if (pb_baseline) {
				res = baseline_refresh(c, gpa);
			} else {
				u64 r0 = c->refresh_retries;

				gpc_refresh(c, gpa, 8);
				res = 1 + c->refresh_retries - r0;
			}
			a->lat[a->refreshes % PB_LAT_SLOTS] = bench_rdtsc() - t0;
			a->refreshes++;
			a->resolves += res;
			i++;
		}
		atomic_dec(&pb_running);
	}
	return NULL;
}

static int pb_cmp(const void *x, const void *y)
{
	u64 a = *(const u64 *)x, b = *(const u64 *)y;

	return a < b ? -1 : a > b;
}

/* One run; fills p50, mean and p99 ns, and resolutions per refresh. */
static void pb_run_once(unsigned int nref, double *p50, double *mean, double *p99, double *res)
{
	struct pb_arg args[PB_MAX_REFRESHERS + 1];
	u64 total = 0, resolves = 0, nlat = 0, *all;
	double tpn = bench_tsc_per_ns();

	mmu_invalidate_init(&pb_inv);
	rwlock_init(&pb_mmu_lock);
	gpc_vm_init(&pb_vm, &pb_inv, &pb_backend, NULL);
	for (unsigned int i = 0; i < nref; i++) {
		gpc_init(&pb_cache[i], &pb_vm);
		gpc_activate(&pb_cache[i], (gpa_t)(i * 8) << PAGE_SHIFT, 8);
	}
	memset(args, 0, sizeof(args));
	for (unsigned int i = 0; i <= nref; i++) {
		args[i].id = i;
		args[i].nref = nref;
		args[i].seed = 0x1234567ULL * (i + 1);
		args[i].lat = i ? calloc(PB_LAT_SLOTS, sizeof(u64)) : NULL;
	}
	WRITE_ONCE(pb_running, nref);
	bench_run_threads(nref + 1, pb_thread, args, sizeof(args[0]));

	all = calloc((size_t)nref * PB_LAT_SLOTS, sizeof(u64));
	for (unsigned int i = 1; i <= nref; i++) {
		u64 n = args[i].refreshes < PB_LAT_SLOTS ? args[i].refreshes : PB_LAT_SLOTS;

		total += args[i].refreshes;
		resolves += args[i].resolves;
		memcpy(all + nlat, args[i].lat, n * sizeof(u64));
		nlat += n;
		free(args[i].lat);
	}
	qsort(all, nlat, sizeof(u64), pb_cmp);
	{
		double sum = 0;

		for (u64 i = 0; i < nlat; i++)
			sum += (double)all[i];
		*mean = nlat ? sum / (double)nlat / tpn : 0;
	}
	*p50 = nlat ? (double)all[nlat / 2] / tpn : 0;
	*p99 = nlat ? (double)all[nlat * 99 / 100] / tpn : 0;
	*res = total ? (double)resolves / (double)total : 0;
	free(all);
	for (unsigned int i = 0; i < nref; i++)
		gpc_deactivate(&pb_cache[i]);
}

static void bench_pfncache_storm(void)
{
	static const char *const impls[] = { "ours", "baseline_spin" };
	unsigned int nref_max = bench_opts.ncpus > 2 ? 3 : 1;

	for (unsigned int nref = 1; nref <= nref_max; nref += 2) {
		for (unsigned int im = 0; im < ARRAY_SIZE(impls); im++) {
			double p50[BENCH_MAX_RUNS], mean[BENCH_MAX_RUNS], p99[BENCH_MAX_RUNS];
			double res[BENCH_MAX_RUNS];

			pb_baseline = im == 1;
			for (unsigned int r = 0; r < bench_opts.runs; r++)
				pb_run_once(nref, &p50[r], &mean[r], &p99[r], &res[r]);
			bench_record("pfncache_storm", impls[im], nref + 1, p50, bench_opts.runs,
				     "ns/refresh (p50)", BENCH_LOWER);
			bench_record("pfncache_storm_mean", impls[im], nref + 1, mean,
				     bench_opts.runs, "ns/refresh", BENCH_LOWER);
			bench_record("pfncache_storm_p99", impls[im], nref + 1, p99,
				     bench_opts.runs, "ns", BENCH_LOWER);
			bench_record("pfncache_storm_resolves", impls[im], nref + 1, res,
				     bench_opts.runs, "resolves/refresh", BENCH_LOWER);
		}
	}
}
BENCH(pfncache_storm, bench_pfncache_storm);
