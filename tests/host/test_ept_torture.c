// SPDX-License-Identifier: MIT
/*
 * EPT torture: simulated vCPUs (tests/host/ept_sim.c) fault and use cached
 * translations while other threads zap, write-protect, split, collapse,
 * age (lockless rmap walks, ept_age_range), remap a slot (invalidation),
 * toggle and harvest dirty logging, change memory types, replace the root
 * (4 <-> 5 levels) and walk the root list, all on overlapping gfn ranges.
 * A pfncache user thread (tests/host/gpc_sim.c) keeps one cache in the
 * remapped slot and one in the hot range and checks, uses, refreshes,
 * moves and re-activates them throughout.  After every phase everything
 * stops and the test checks:
 *   - ept_mmu_audit(): every mapping equals the memory map, per-level
 *     mapped counts equal a recount, live pool pages equal reachable
 *     tables (0 leaked), no FROZEN/poison at rest, no poisoned entry ever
 *     met by a walker (0 freed before their grace period);
 *   - the simulated vCPUs used no stale translation and no freed table,
 *     and were never in the guest with an unkicked flush request;
 *   - no pfncache use of a frame the map of its generation does not give,
 *     none while an invalidation of its gfn was in progress, no failed
 *     refresh, and no cache left on the VM's list;
 *   - rmap_audit() (tests/host/rmap_audit.c): the rmap holds exactly the
 *     present leaves, each once, no dead descriptor was met, the leaf count
 *     equals the mapped counters, and an aging pass finds exactly the
 *     leaves made young, then none.
 * A first phase focuses on R4 and R10: one vCPU caches 32 pages of a slot
 * that is moved to other frames over and over (each move an invalidation)
 * while a third thread uses a pfncache in that slot.
 * CPU ids (the hosted shim aborts past HV_MAX_CPUS = 64 threads): the
 * main thread, 3 in the first phase and 6 in each of at most 6 phases (the
 * timer thread takes none): 40.
 * Options: --seconds=S (total), --quick (sanitizer builds), --seed=X.
 */
#include "mm/ept_internal.h"
#include "mm/ept_level.h"
#include "tests/host/ept_sim.h"
#include "tests/host/gpc_sim.h"
#include "tests/host/harness.h"
#include "tests/host/rmap_audit.h"

#include <stdio.h>
#include <string.h>

#define SLOT1_PAGES	(1ULL << 18)		/* 1 GiB RAM, 1G-congruent */
#define SLOT1_PFN	(1ULL << 20)
#define SLOT4_GFN	SLOT1_PAGES		/* remapped RAM, 4 KiB only */
#define SLOT4_PAGES	512
#define ROM_GFN		(SLOT4_GFN + SLOT4_PAGES)
#define MMIO_GFN	(ROM_GFN + 512)
#define HOT_LO		0
#define HOT_HI		2048
#define NR_VCPUS	2

static struct vm_mmu mmu;
static struct ept_sim_vcpu vcpus[NR_VCPUS];
static bool stop;
static pfn_t slot4_pfn = 0x700001;

struct op_stats {
	u64 ops[16];
};

enum {
	OP_ZAP, OP_WRPROT, OP_SPLIT, OP_COLLAPSE, OP_FAULT, OP_REMAP, OP_DIRTY, OP_MTRR,
	OP_ROOT_RESET, OP_ROOT_WALK, OP_HARVEST, OP_STORM, OP_AGE, OP_NR
};

static const char *const op_names[OP_NR] = {
	"zap", "wrprot", "split", "collapse", "fault", "remap", "dirty", "mtrr",
	"root_reset", "root_walk", "harvest", "storm", "age",
};

/* What an MMU-op thread picks from, evenly. */
static const int mmu_op_pick[] = {
	OP_ZAP, OP_WRPROT, OP_SPLIT, OP_COLLAPSE, OP_FAULT, OP_AGE, OP_STORM,
};

enum { W_VCPU, W_MMU_OPS, W_SLOT_OPS, W_GPC };

struct worker {
	int kind;		/* W_*; W_SLOT_OPS is the slot mover in the remap phase */
	int idx;
	u64 rng;
	struct op_stats st;
	u64 young;		/* young leaves its aging passes found */
	u64 gpc_ticks;
	struct gpc_sim gpc[2];	/* W_GPC: [0] in slot 4, [1] in the hot range */
};

static void range_pick(u64 *rng, gfn_t *s, gfn_t *e)
{
	gfn_t lo = HOT_LO + test_rand(rng) % (HOT_HI - HOT_LO);
	u64 len = 1 + test_rand(rng) % 1024;

	if (test_rand(rng) % 8 == 0)
		len = SLOT1_PAGES;	/* sometimes the whole 1G */
	*s = lo;
	*e = lo + len;
}

static void set_slot4(pfn_t pfn, u32 flags)
{
	struct ept_memslot s = { .id = 4, .kind = EPT_SLOT_RAM, .flags = flags,
				 .base_gfn = SLOT4_GFN, .npages = SLOT4_PAGES, .base_pfn = pfn };

	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);
}

/*
 * Many threads faulting and zapping the same few entries at once: the
 * cmpxchg install (R2), FROZEN back-off (R3) and child takeover in
 * teardown (R3) only matter when two CPUs hit one entry in the same few
 * nanoseconds.  Slot 4 maps 4 KiB pages only, so a zap of its first 2 MiB
 * removes a whole table while others install leaves into it.
 */
static void storm(struct worker *w)
{
	for (int i = 0; i < 64 && !READ_ONCE(stop); i++) {
		gfn_t g = SLOT4_GFN + test_rand(&w->rng) % 8;
		struct ept_fault f = { .gpa = g << PAGE_SHIFT, .access = EPT_ACC_READ };

		ept_handle_fault(&mmu, &f);
		if (test_rand(&w->rng) % 4 == 0)
			ept_zap_range(&mmu, SLOT4_GFN + (test_rand(&w->rng) % 2 ? 0 : 4),
				      SLOT4_GFN + (test_rand(&w->rng) % 2 ? 8 : 512));
	}
}

/* A gpa for pfncache @k of a worker: [0] in slot 4, [1] in slot 1's hot range. */
static gpa_t gpc_pick(u64 *rng, int k)
{
	gfn_t g = k ? HOT_LO + test_rand(rng) % (HOT_HI - HOT_LO) :
		      SLOT4_GFN + test_rand(rng) % SLOT4_PAGES;

	return (g << PAGE_SHIFT) + test_rand(rng) % (PAGE_SIZE / GPC_SIM_LEN) * GPC_SIM_LEN;
}

static void gpc_start(struct worker *w, int n)
{
	for (int k = 0; k < n; k++) {
		gpc_sim_init(&w->gpc[k], &mmu);
		CHECK_EQ(gpc_sim_activate(&w->gpc[k], gpc_pick(&w->rng, k)), 0);
	}
}

/* Deactivate before the thread leaves: a phase ends with no cache on the VM's list. */
static void gpc_stop(struct worker *w, int n)
{
	for (int k = 0; k < n; k++)
		gpc_sim_deactivate(&w->gpc[k]);
}

/*
 * One use of pfncache @k.  Slot 4 is moved to other frames again and
 * again (each move an invalidation), MTRR changes invalidate everything
 * and dirty-log toggles publish a new map generation, so checks fail and
 * refreshes race invalidations.  Now and then the cache moves to another
 * gpa (a refresh that changes the gpa) or is deactivated and activated
 * again (R15: reachable before it can be valid).
 */
static void gpc_tick(struct worker *w, int k)
{
	struct gpc_sim *c = &w->gpc[k];
	u64 x = test_rand(&w->rng) % 64;
	gpa_t gpa = c->gpa;

	w->gpc_ticks++;
	if (x == 0) {
		gpc_sim_deactivate(c);
		CHECK_EQ(gpc_sim_activate(c, gpc_pick(&w->rng, k)), 0);
		gpa = c->gpa;
	} else if (x < 4) {
		gpa = gpc_pick(&w->rng, k);
	}
	gpc_sim_use(c, gpa);
}

/* A pfncache user: @n caches (1: slot 4 only, 2: also the hot range). */
static void *gpc_user(struct worker *w, int n)
{
	ept_mmu_cpu_register(&mmu);
	gpc_start(w, n);
	while (!READ_ONCE(stop))
		gpc_tick(w, (int)(w->gpc_ticks % (u64)n));
	gpc_stop(w, n);
	ept_mmu_cpu_unregister(&mmu);
	return NULL;
}

static void mmu_ops(struct worker *w)
{
	ept_mmu_cpu_register(&mmu);
	while (!READ_ONCE(stop)) {
		gfn_t s, e;
		int op = mmu_op_pick[test_rand(&w->rng) % ARRAY_SIZE(mmu_op_pick)];

		if (op == OP_STORM) {
			storm(w);
			w->st.ops[OP_STORM]++;
			continue;
		}

		range_pick(&w->rng, &s, &e);
		switch (op) {
		case OP_ZAP:
			ept_zap_range(&mmu, s, e);
			break;
		case OP_WRPROT:
			ept_write_protect_range(&mmu, s, e, test_rand(&w->rng) & 1);
			break;
		case OP_SPLIT:
			ept_split_range(&mmu, s, e, 1 + (int)(test_rand(&w->rng) % 2));
			break;
		case OP_COLLAPSE:
			ept_collapse_range(&mmu, s, e);
			break;
		case OP_FAULT: {
			struct ept_fault f = {
				.gpa = (s << PAGE_SHIFT),
				.access = EPT_ACC_READ | ((test_rand(&w->rng) & 1) ? EPT_ACC_WRITE : 0),
			};

			ept_handle_fault(&mmu, &f);
			break;
		}
		case OP_AGE:
			/*
			 * Lockless rmap walk (R13) while the others change the
			 * leaves; half the time slot 4, where storms and slot
			 * moves churn the rmap most.  A pass costs per head, not
			 * per leaf: at most 1024 gfns, not the whole 1G (the
			 * leaves are in the hot range and slot 4 anyway).
			 */
			if (test_rand(&w->rng) & 1) {
				s = SLOT4_GFN;
				e = SLOT4_GFN + SLOT4_PAGES;
			} else if (e - s > 1024) {
				e = s + 1024;
			}
			w->young += ept_age_range(&mmu, s, e);
			break;
		}
		w->st.ops[op]++;
	}
	ept_mmu_cpu_unregister(&mmu);
}

static void slot_ops(struct worker *w)
{
	u64 bitmap[SLOT4_PAGES / 64];
	bool logging = false;

	ept_mmu_cpu_register(&mmu);
	while (!READ_ONCE(stop)) {
		int op = OP_REMAP + (int)(test_rand(&w->rng) % 6);

		switch (op) {
		case OP_REMAP:
			slot4_pfn = slot4_pfn == 0x700001 ? 0x900003 : 0x700001;
			set_slot4(slot4_pfn, logging ? EPT_SLOT_DIRTY_LOG : 0);
			break;
		case OP_DIRTY:
			logging = !logging;
			CHECK_EQ(ept_memslot_dirty_log(&mmu, 4, logging), 0);
			break;
		case OP_MTRR:
			if (test_rand(&w->rng) % 4 == 0) {
				struct ept_mtrr_range r = {
					.start = test_rand(&w->rng) % HOT_HI, .type = EPT_MT_UC,
				};

				r.end = r.start + 1 + test_rand(&w->rng) % 600;
				CHECK_EQ(ept_memmap_set_mtrr(&mmu, &r, 1, EPT_MT_WB), 0);
			}
			break;
		case OP_ROOT_RESET:
			if (test_rand(&w->rng) % 8 == 0)
				CHECK_EQ(ept_mmu_reset_root(&mmu, test_rand(&w->rng) & 1), 0);
			break;
		case OP_ROOT_WALK:
			for (struct ept_root *r = ept_root_next(&mmu, NULL); r;
			     r = ept_root_next(&mmu, r)) {
				if (ept_is_poison(ept_read_entry(&r->page->spt[0])))
					stat_add(&mmu.st.poison_seen, 1);
			}
			break;
		case OP_HARVEST:
			if (logging)
				CHECK(ept_memslot_get_dirty_log(&mmu, 4, bitmap) >= 0);
			break;
		}
		w->st.ops[op]++;
	}
	if (logging)
		CHECK_EQ(ept_memslot_dirty_log(&mmu, 4, false), 0);
	ept_mmu_cpu_unregister(&mmu);
}

static struct gpc_sim_stats gpc_total;
static u64 young_total;

/*
 * After a phase, with every thread gone: the MMU audit, the vCPUs'
 * detectors, the pfncache users' detectors (and no cache left on the VM's
 * list), the rmap against the EPT and an exact aging pass.  @w: the
 * phase's @n workers.
 */
static void phase_check(const char *tag, const struct worker *w, int n)
{
	struct gpc_sim_stats gs = { 0 };
	struct rmap_audit ra;
	u64 problems, bad, gbad, rbad, ages = 0, young = 0;

	for (int i = 0; i < n; i++) {
		for (int k = 0; k < 2; k++)
			gpc_sim_stats_add(&gs, &w[i].gpc[k].st);
		ages += w[i].st.ops[OP_AGE];
		young += w[i].young;
	}
	problems = ept_mmu_audit(&mmu);
	bad = ept_sim_violations(vcpus, NR_VCPUS, tag);
	gbad = gpc_sim_report(&gs, tag);
	rbad = rmap_audit(&mmu, &ra, tag);
	printf("%s: audit problems %llu, vCPU violations %llu, pfncache violations %llu,"
	       " rmap problems %llu; %llu aging passes found %llu young\n", tag,
	       problems, bad, gbad,
	       rbad, ages, young);
	CHECK_EQ(problems, 0);
	CHECK_EQ(bad, 0);
	CHECK_EQ(gbad, 0);
	CHECK_EQ(rbad, 0);
	CHECK(gpc_vm_idle(&mmu.gpc));
	gpc_sim_stats_add(&gpc_total, &gs);
	young_total += young;
}

/*
 * R4 focus: one vCPU keeps 32 pages of slot 4 in its translation cache
 * while another thread moves slot 4 to other frames again and again.  Each
 * move is an invalidation whose zap must flush before it returns; a vCPU
 * still using an old frame afterwards is a stale use.  A third thread
 * keeps a pfncache on slot 4 (R10, R15 against thousands of moves).
 */
static void *remap_thread(void *arg)
{
	struct worker *w = arg;
	double until = test_elapsed() + (test_opts.quick ? 0.3 : 1.0);
	u64 n = 0;

	ept_mmu_cpu_register(&mmu);
	while (test_elapsed() < until) {
		slot4_pfn = slot4_pfn == 0x700001 ? 0x900003 : 0x700001;
		set_slot4(slot4_pfn, 0);
		n++;
		for (int i = 0; i < 2000; i++)
			cpu_relax();
	}
	w->st.ops[OP_REMAP] += n;
	WRITE_ONCE(stop, true);
	ept_mmu_cpu_unregister(&mmu);
	return NULL;
}

static void *remap_runner(void *arg)
{
	struct worker *w = arg;

	if (w->kind == W_VCPU)
		return ept_sim_vcpu_thread(&vcpus[0]);
	return w->kind == W_SLOT_OPS ? remap_thread(w) : gpc_user(w, 1);
}

static void remap_phase(void)
{
	static const int kinds[3] = { W_VCPU, W_SLOT_OPS, W_GPC };
	static struct worker w[3];
	gfn_t lo = vcpus[0].lo, hi = vcpus[0].hi, lo2 = vcpus[0].lo2, hi2 = vcpus[0].hi2;

	vcpus[0].lo = SLOT4_GFN;
	vcpus[0].hi = SLOT4_GFN + 32;
	vcpus[0].lo2 = vcpus[0].hi2 = 0;
	for (int i = 0; i < 3; i++)
		w[i] = (struct worker){ .kind = kinds[i], .rng = test_opts.seed * 5 + (u64)i };
	WRITE_ONCE(stop, false);
	test_run_threads(3, remap_runner, w, sizeof(w[0]));
	vcpus[0].lo = lo;
	vcpus[0].hi = hi;
	vcpus[0].lo2 = lo2;
	vcpus[0].hi2 = hi2;
	printf("remap phase: %llu slot moves\n", w[1].st.ops[OP_REMAP]);
	phase_check("remap", w, 3);
}

static void *worker_thread(void *arg)
{
	struct worker *w = arg;

	switch (w->kind) {
	case W_VCPU:
		return ept_sim_vcpu_thread(&vcpus[w->idx]);
	case W_MMU_OPS:
		mmu_ops(w);
		break;
	case W_SLOT_OPS:
		slot_ops(w);
		break;
	default:
		gpc_user(w, 2);
	}
	return NULL;
}

static void *timer_thread(void *arg)
{
	double until = *(double *)arg;

	while (test_elapsed() < until)
		cpu_relax();
	WRITE_ONCE(stop, true);
	return NULL;
}

struct runner {
	int is_timer;
	double until;
	struct worker *w;
};

static void *runner(void *arg)
{
	struct runner *r = arg;

	return r->is_timer ? timer_thread(&r->until) : worker_thread(r->w);
}

int main(int argc, char **argv)
{
	struct ept_mmu_config cfg = {
		.max_table_pages = 16384, .gfn_limit = 1ULL << 20,
		.flush_ops = &ept_sim_flush_ops,
	};
	struct worker w[6];
	struct runner r[7];
	struct ept_memslot s;
	struct op_stats tot;
	char tag[48];
	int phases;

	test_init(argc, argv, 6.0);
	if (test_opts.quick && test_opts.seconds > 2.0)
		test_opts.seconds = 2.0;
	phases = test_opts.seconds >= 3.0 ? 6 : 3;
	CHECK_EQ(ept_mmu_init(&mmu, &cfg), 0);
	s = (struct ept_memslot){ .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0,
				  .npages = SLOT1_PAGES, .base_pfn = SLOT1_PFN };
	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);
	set_slot4(slot4_pfn, 0);
	s = (struct ept_memslot){ .id = 2, .kind = EPT_SLOT_ROM, .base_gfn = ROM_GFN,
				  .npages = 512, .base_pfn = 0x300000 };
	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);
	s = (struct ept_memslot){ .id = 3, .kind = EPT_SLOT_MMIO, .base_gfn = MMIO_GFN,
				  .npages = 64 };
	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);

	CHECK_EQ(ept_sim_vcpu_init(&vcpus[0], &mmu, HOT_LO, HOT_HI, 0.3, test_opts.seed, &stop), 0);
	CHECK_EQ(ept_sim_vcpu_init(&vcpus[1], &mmu, HOT_LO, HOT_HI, 0.3, test_opts.seed * 3,
				   &stop), 0);
	/* Both also touch slot 4 (remapped), the ROM and the MMIO slot. */
	for (int i = 0; i < NR_VCPUS; i++) {
		vcpus[i].lo2 = SLOT4_GFN + (i ? 0 : 128);
		vcpus[i].hi2 = i ? SLOT4_GFN + 256 : MMIO_GFN + 64;
	}
	memset(&tot, 0, sizeof(tot));
	remap_phase();
	for (int p = 0; p < phases && !test_failures; p++) {
		double until = test_opts.seconds * (p + 1) / phases;

		/* Phases alternate: plain, always-yield (R8), every-8-steps yield. */
		WRITE_ONCE(ept_iter_test_yield_every, p % 3 == 1 ? 1 : p % 3 == 2 ? 8 : 0);
		WRITE_ONCE(stop, false);
		/* 2 vCPUs, 2 MMU-op threads, 1 slot/root-op thread, 1 gpc user, the timer. */
		for (int i = 0; i < 6; i++) {
			static const int kinds[6] = {
				W_VCPU, W_VCPU, W_MMU_OPS, W_MMU_OPS, W_SLOT_OPS, W_GPC,
			};

			w[i] = (struct worker){ .kind = kinds[i], .idx = i,
						.rng = test_opts.seed * (u64)(p * 7 + i + 1) | 1 };
			r[i] = (struct runner){ .w = &w[i] };
		}
		r[6] = (struct runner){ .is_timer = 1, .until = until };
		test_run_threads(7, runner, r, sizeof(r[0]));
		for (int i = 0; i < 6; i++)
			for (int o = 0; o < OP_NR; o++)
				tot.ops[o] += w[i].st.ops[o];
		snprintf(tag, sizeof(tag), "phase %d (yield_every %u)", p, ept_iter_test_yield_every);
		phase_check(tag, w, 6);
	}
	{
		struct ept_mmu_stats st;
		struct ept_pool_stats ps;

		ept_mmu_stats_read(&mmu, &st);
		ept_pool_stats_read(&mmu.pool, &ps);
		printf("ops:");
		for (int o = 0; o < OP_NR; o++)
			printf(" %s %llu", op_names[o], tot.ops[o]);
		printf(" (aging found %llu young)\n", young_total);
		gpc_sim_report(&gpc_total, "all phases");
		printf("mmu: faults %llu fixed %llu spurious %llu retries %llu frozen_backoffs %llu"
		       " cmpxchg_fails %llu zapped %llu tables_removed %llu splits %llu collapses %llu"
		       " yields %llu flushes %llu teardown_spins %llu\n",
		       st.faults, st.fixed,
		       st.spurious, st.retries,
		       st.frozen_backoffs, st.cmpxchg_fails,
		       st.zapped, st.tables_removed,
		       st.splits, st.collapses,
		       st.yields, st.flushes,
		       st.teardown_spins);
		printf("pool: bound %llu live %llu cached %llu free %llu retired %llu allocs %llu"
		       " frees %llu poison_corrupt %llu state_errors %llu\n",
		       ps.bound, ps.live,
		       ps.cached, ps.free,
		       ps.retired, ps.allocs,
		       ps.frees, ps.poison_corrupt,
		       ps.state_errors);
	}
	ept_mmu_destroy(&mmu);
	return test_finish();
}
