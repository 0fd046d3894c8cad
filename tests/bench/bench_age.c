// SPDX-License-Identifier: MIT
/*
 * ept_age: accessed-bit aging through the rmap while faults install and
 * remove leaves.
 *
 *   lockless    ept_age_table_range(): no mmu_lock; EBR section plus the
 *               read-only bit lock of each rmap head (R13).
 *   write_lock  the same walk under mmu_lock held for write
 *               (ept_age_table_range_stable()), as an rmap walk must be
 *               done without the bit-lock protocol.
 *
 * The leaves are a simulated EPT (one 8-byte entry per gfn of a 256 MiB
 * guest); a "fault" takes mmu_lock shared inside an EBR section and either
 * installs a leaf (store + rmap_table_add) or removes one (xchg +
 * rmap_table_remove) - the rmap traffic of the real fault and zap paths
 * without their table walk.  ept_age_vm does the same on a real VM (struct
 * vm_mmu, 4 KiB leaves): the "fault" zaps one gfn (ept_zap_range) and faults
 * it back (ept_handle_fault).  Reported: ager pass time, and fault latency
 * (mean, p99.9, max) while the ager runs: under write_lock one fault per
 * pass waits for the whole pass, which shows in the tail, not the median.
 */
#include "tests/bench/bench.h"

#include "lib/atomic.h"
#include "lib/rwlock.h"
#include "mm/ebr.h"
#include "mm/ept_entry.h"
#include "mm/ept_mmu.h"
#include "mm/memslot.h"
#include "mm/rmap.h"

#include <stdlib.h>
#include <string.h>

#define AB_NGFN		65536
#define AB_HIST		64	/* log2 buckets of fault latency in cycles */

static struct ebr_domain ab_dom;
static struct rmap_table ab_rt;
static rwlock_t ab_mmu_lock;
static u64 *ab_leaf;		/* AB_NGFN entries */
static unsigned int ab_running;	/* faulters still running */
static bool ab_write_lock;

/* Fault latencies in TSC cycles, with a log2 histogram for p99.9. */
struct ab_lat {
	u64 n, sum, max;
	u64 hist[AB_HIST];
};

static void ab_lat_note(struct ab_lat *l, u64 cycles)
{
	l->n++;
	l->sum += cycles;
	l->max = cycles > l->max ? cycles : l->max;
	l->hist[63 - __builtin_clzll(cycles | 1)]++;
}

static void ab_lat_merge(struct ab_lat *dst, const struct ab_lat *src)
{
	dst->n += src->n;
	dst->sum += src->sum;
	dst->max = src->max > dst->max ? src->max : dst->max;
	for (unsigned int b = 0; b < AB_HIST; b++)
		dst->hist[b] += src->hist[b];
}

/* Mean and p99.9 (upper bound of the bucket that holds it) in ns. */
static void ab_lat_report(const struct ab_lat *l, double tpn, double *mean, double *p999)
{
	*mean = l->n ? (double)l->sum / (double)l->n / tpn : 0;
	*p999 = 0;
	for (u64 b = 0, seen = 0; b < AB_HIST && l->n; b++) {
		seen += l->hist[b];
		if ((double)seen >= 0.999 * (double)l->n) {
			*p999 = (double)(2ULL << b) / tpn;
			break;
		}
	}
}

struct ab_arg {
	unsigned int id, nfault;
	u64 seed;
	struct ab_lat lat;		/* faulter */
	u64 passes, pass_cycles, young;	/* ager */
};

static u64 ab_rand(u64 *s)
{
	u64 x = *s;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1DULL;
}

/* Toggle one leaf of this faulter's share of the gfns. */
static void ab_fault(struct ab_arg *a, struct ebr_rec *rec)
{
	gfn_t g = (ab_rand(&a->seed) % (AB_NGFN / a->nfault)) * a->nfault + (a->id - 1);
	u64 __ept *p = (u64 __ept *)&ab_leaf[g];

	read_lock(&ab_mmu_lock);
	ebr_enter(rec);
	if (ept_is_present(READ_ONCE(ab_leaf[g]))) {
		xchg(&ab_leaf[g], 0);
		rmap_table_remove(&ab_rt, g, p, EPT_LEVEL_4K);
	} else {
		WRITE_ONCE(ab_leaf[g], ept_make_leaf(g, EPT_LEVEL_4K, EPT_RWX, EPT_MT_WB, true) |
				       EPT_A);
		rmap_table_add(&ab_rt, g, p, EPT_LEVEL_4K);
	}
	ebr_exit(rec);
	read_unlock(&ab_mmu_lock);
}

static void *ab_thread(void *p)
{
	struct ab_arg *a = p;
	struct ebr_rec *rec = ebr_rec_this(&ab_dom);

	ebr_register(rec);
	if (a->id == 0) {
		/* The ager: full passes until the faulters are done. */
		while (load_acquire(&ab_running)) {
			u64 t0 = bench_rdtsc();

			if (ab_write_lock) {
				write_lock(&ab_mmu_lock);
				a->young += ept_age_table_range_stable(&ab_rt, 0, AB_NGFN);
				write_unlock(&ab_mmu_lock);
			} else {
				a->young += ept_age_table_range(&ab_rt, 0, AB_NGFN);
			}
			a->pass_cycles += bench_rdtsc() - t0;
			a->passes++;
		}
	} else {
		u64 until = bench_now_ns() + (bench_opts.quick ? 30 : 300) * 1000000ULL;

		while (bench_now_ns() < until) {
			u64 t0 = bench_rdtsc();

			ab_fault(a, rec);
			ab_lat_note(&a->lat, bench_rdtsc() - t0);
		}
		atomic_dec(&ab_running);
	}
	ebr_unregister(rec);
	return NULL;
}

static void ab_run_once(unsigned int nfault, double *pass_ms, double *mean, double *p999,
			double *max)
{
	struct ab_arg args[8];
	double tpn = bench_tsc_per_ns();
	struct ab_lat all = { 0 };
	struct ebr_rec *rec;

	memset(args, 0, sizeof(args));
	for (unsigned int i = 0; i <= nfault; i++) {
		args[i].id = i;
		args[i].nfault = nfault;
		args[i].seed = 0x9e3779b9ULL * (i + 1);
	}
	WRITE_ONCE(ab_running, nfault);
	bench_run_threads(nfault + 1, ab_thread, args, sizeof(args[0]));

	*pass_ms = args[0].passes ?
		   (double)args[0].pass_cycles / (double)args[0].passes / tpn / 1e6 : 0;
	for (unsigned int i = 1; i <= nfault; i++)
		ab_lat_merge(&all, &args[i].lat);
	ab_lat_report(&all, tpn, mean, p999);
	*max = (double)all.max / tpn;

	/* Drain the descriptors retired by this run before the next one. */
	rec = ebr_rec_this(&ab_dom);
	ebr_register(rec);
	ebr_barrier(&ab_dom);
	ebr_unregister(rec);
}

static void bench_ept_age(void)
{
	static const char *const impls[] = { "lockless", "write_lock" };
	struct ebr_rec *rec;

	ab_leaf = aligned_alloc(64, AB_NGFN * sizeof(u64));
	if (!ab_leaf)
		return;
	ebr_domain_init(&ab_dom);
	rwlock_init(&ab_mmu_lock);
	if (rmap_table_init(&ab_rt, 0, AB_NGFN, &ab_dom))
		return;
	/* Start with every gfn mapped. */
	rec = ebr_rec_this(&ab_dom);
	ebr_register(rec);
	for (gfn_t g = 0; g < AB_NGFN; g++) {
		ab_leaf[g] = ept_make_leaf(g, EPT_LEVEL_4K, EPT_RWX, EPT_MT_WB, true) | EPT_A;
		rmap_table_add(&ab_rt, g, (u64 __ept *)&ab_leaf[g], EPT_LEVEL_4K);
	}
	ebr_unregister(rec);

	for (unsigned int im = 0; im < ARRAY_SIZE(impls); im++) {
		double pass[BENCH_MAX_RUNS], mean[BENCH_MAX_RUNS], p999[BENCH_MAX_RUNS];
		double max[BENCH_MAX_RUNS];

		ab_write_lock = im == 1;
		for (unsigned int r = 0; r < bench_opts.runs; r++)
			ab_run_once(1, &pass[r], &mean[r], &p999[r], &max[r]);
		bench_record("ept_age_pass", impls[im], 2, pass, bench_opts.runs, "ms/pass",
			     BENCH_LOWER);
		bench_record("ept_age_fault", impls[im], 2, mean, bench_opts.runs, "ns/fault",
			     BENCH_LOWER);
		bench_record("ept_age_fault_p999", impls[im], 2, p999, bench_opts.runs, "ns",
			     BENCH_LOWER);
		bench_record("ept_age_fault_max", impls[im], 2, max, bench_opts.runs, "ns",
			     BENCH_LOWER);
	}
	/* Tear down: empty every head, then free the table. */
	rec = ebr_rec_this(&ab_dom);
	ebr_register(rec);
	for (gfn_t g = 0; g < AB_NGFN; g++) {
		if (ept_is_present(ab_leaf[g]))
			rmap_table_remove(&ab_rt, g, (u64 __ept *)&ab_leaf[g], EPT_LEVEL_4K);
	}
	ebr_barrier(&ab_dom);
	ebr_unregister(rec);
	rmap_table_destroy(&ab_rt);
	free(ab_leaf);
}
BENCH(ept_age, bench_ept_age);

/* ---------------------------------------------------------------- real VM */

static struct vm_mmu av_mmu;

struct av_arg {
	unsigned int id;
	u64 seed;
	struct ab_lat lat;
	u64 passes, pass_cycles;
};

static void *av_thread(void *p)
{
	struct av_arg *a = p;

	ept_mmu_cpu_register(&av_mmu);
	if (a->id == 0) {
		while (load_acquire(&ab_running)) {
			u64 t0 = bench_rdtsc();

			if (ab_write_lock)
				ept_age_range_write_lock(&av_mmu, 0, AB_NGFN);
			else
				ept_age_range(&av_mmu, 0, AB_NGFN);
			a->pass_cycles += bench_rdtsc() - t0;
			a->passes++;
		}
	} else {
		u64 until = bench_now_ns() + (bench_opts.quick ? 30 : 300) * 1000000ULL;

		while (bench_now_ns() < until) {
			gfn_t g = ab_rand(&a->seed) % AB_NGFN;
			struct ept_fault f = { .gpa = g << PAGE_SHIFT, .access = EPT_ACC_READ };
			u64 t0 = bench_rdtsc();

			ept_zap_range(&av_mmu, g, g + 1);
			ept_handle_fault(&av_mmu, &f);
			ab_lat_note(&a->lat, bench_rdtsc() - t0);
		}
		atomic_dec(&ab_running);
	}
	ept_mmu_cpu_unregister(&av_mmu);
	return NULL;
}

static void av_run_once(double *pass_ms, double *mean, double *p999)
{
	struct av_arg args[2];
	double tpn = bench_tsc_per_ns();

	memset(args, 0, sizeof(args));
	args[1].id = 1;
	args[1].seed = 0x51ed270b27ULL;
	WRITE_ONCE(ab_running, 1);
	bench_run_threads(2, av_thread, args, sizeof(args[0]));
	*pass_ms = args[0].passes ?
		   (double)args[0].pass_cycles / (double)args[0].passes / tpn / 1e6 : 0;
	ab_lat_report(&args[1].lat, tpn, mean, p999);
}

static void bench_ept_age_vm(void)
{
	static const char *const impls[] = { "lockless", "write_lock" };
	struct ept_mmu_config cfg = { .max_table_pages = 1024, .gfn_limit = AB_NGFN,
				      .max_level = 1 };
	struct ept_memslot slot = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0,
				    .npages = AB_NGFN, .base_pfn = 0x100000 };

	if (ept_mmu_init(&av_mmu, &cfg))
		return;
	if (ept_memslot_set(&av_mmu, &slot)) {
		ept_mmu_destroy(&av_mmu);
		return;
	}
	ept_mmu_cpu_register(&av_mmu);
	for (gfn_t g = 0; g < AB_NGFN; g++) {
		struct ept_fault f = { .gpa = g << PAGE_SHIFT, .access = EPT_ACC_READ };

		ept_handle_fault(&av_mmu, &f);
	}
	ept_mmu_cpu_unregister(&av_mmu);
	for (unsigned int im = 0; im < ARRAY_SIZE(impls); im++) {
		double pass[BENCH_MAX_RUNS], mean[BENCH_MAX_RUNS], p999[BENCH_MAX_RUNS];

		ab_write_lock = im == 1;
		for (unsigned int r = 0; r < bench_opts.runs; r++)
			av_run_once(&pass[r], &mean[r], &p999[r]);
		bench_record("ept_age_vm_pass", impls[im], 2, pass, bench_opts.runs, "ms/pass",
			     BENCH_LOWER);
		bench_record("ept_age_vm_fault", impls[im], 2, mean, bench_opts.runs,
			     "ns/(zap+fault)", BENCH_LOWER);
		bench_record("ept_age_vm_fault_p999", impls[im], 2, p999, bench_opts.runs, "ns",
			     BENCH_LOWER);
	}
	ept_mmu_destroy(&av_mmu);
}
BENCH(ept_age_vm, bench_ept_age_vm);
