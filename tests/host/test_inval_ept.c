// SPDX-License-Identifier: MIT
/*
 * R9 end to end: the real EPT fault path (ept_handle_fault) against memory
 * map changes (ept_memslot_set, which brackets the change with
 * mmu_invalidate_range_start/_end), plus pfncache users on the VM's own
 * backend.
 *
 * A RAM slot of NGFN pages is moved back and forth between two host frame
 * ranges.  Faulter threads fault random gfns of it and use a pfncache.
 * After every move returns, no leaf may still map a frame of the old range
 * (a fault that resolved against the old map must have failed its locked
 * re-check); a pfncache that passes gpc_check() must hold the frame the map
 * of its generation gives and no invalidation of its gfn may be in progress
 * (tests/host/gpc_sim.c).  An ager runs lockless rmap passes
 * (ept_age_range) throughout.  At the end: ept_mmu_audit() finds nothing,
 * the rmap holds exactly the EPT's leaves, and an aging pass finds exactly
 * the leaves made young, then none (tests/host/rmap_audit.c).
 */
#include "tests/host/gpc_sim.h"
#include "tests/host/harness.h"
#include "tests/host/rmap_audit.h"

#include "lib/atomic.h"
#include "mm/ept_mmu.h"
#include "mm/memslot.h"
#include "mm/rmap.h"

#include <stdlib.h>
#include <unistd.h>

#define NGFN		4096
#define PFN_A		0x100000ULL
#define PFN_B		0x200000ULL
#define NFAULTER	2

static struct vm_mmu mmu;
static int stop;
static u64 aged_young, age_passes;

struct worker {
	unsigned int id;
	u64 seed;
	u64 faults, fixed, retry, other;
	struct gpc_sim gpc;
};

static void *faulter(struct worker *w)
{
	gpa_t gpa = (gpa_t)(w->id * 97 % NGFN) << PAGE_SHIFT;

	ept_mmu_cpu_register(&mmu);
	gpc_sim_init(&w->gpc, &mmu);
	CHECK_EQ(gpc_sim_activate(&w->gpc, gpa), 0);
	while (!READ_ONCE(stop)) {
		struct ept_fault f = {
			.gpa = (test_rand(&w->seed) % NGFN) << PAGE_SHIFT,
			.access = (test_rand(&w->seed) & 1) ? EPT_ACC_WRITE : EPT_ACC_READ,
		};
		int ret = ept_handle_fault(&mmu, &f);

		w->faults++;
		w->fixed += ret == EPT_FAULT_FIXED || ret == EPT_FAULT_SPURIOUS;
		w->retry += ret == EPT_FAULT_RETRY;
		w->other += ret != EPT_FAULT_FIXED && ret != EPT_FAULT_SPURIOUS &&
			    ret != EPT_FAULT_RETRY;
		if (!(w->faults & 15))
			gpc_sim_use(&w->gpc, gpa);
	}
	gpc_sim_deactivate(&w->gpc);
	ept_mmu_cpu_unregister(&mmu);
	return NULL;
}

static u64 moves, stale_leaves;

/* Every leaf of the slot maps a frame of [base, base + NGFN). */
static void check_leaves(pfn_t base)
{
	for (gfn_t g = 0; g < NGFN; g++) {
		pfn_t pfn;
		int level;
		u64 e;

		if (!ept_lookup(&mmu, g, &pfn, &level, &e))
			continue;
		if (pfn != base + g) {
			if (stale_leaves++ < 5)
				fprintf(stderr, "stale leaf: gfn 0x%llx maps pfn 0x%llx, map says 0x%llx\n",
					g, pfn,
					(base + g));
		}
	}
}

static void *mover(void)
{
	pfn_t base = PFN_A;

	ept_mmu_cpu_register(&mmu);
	while (!READ_ONCE(stop)) {
		struct ept_memslot s = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0,
					 .npages = NGFN };

		base = base == PFN_A ? PFN_B : PFN_A;
		s.base_pfn = base;
		CHECK_EQ(ept_memslot_set(&mmu, &s), 0);
		moves++;
		check_leaves(base);
		usleep(200);
	}
	ept_mmu_cpu_unregister(&mmu);
	return NULL;
}

static void *ager(void)
{
	ept_mmu_cpu_register(&mmu);
	while (!READ_ONCE(stop)) {
		aged_young += ept_age_range(&mmu, 0, NGFN);
		age_passes++;
		usleep(50);
	}
	ept_mmu_cpu_unregister(&mmu);
	return NULL;
}

enum role { ROLE_FAULTER, ROLE_MOVER, ROLE_AGER, ROLE_TIMER };

struct slot_arg {
	enum role role;
	struct worker w;
};

static void *dispatch(void *arg)
{
	struct slot_arg *a = arg;

	switch (a->role) {
	case ROLE_FAULTER:
		return faulter(&a->w);
	case ROLE_MOVER:
		return mover();
	case ROLE_AGER:
		return ager();
	case ROLE_TIMER:
		while (test_elapsed() < test_opts.seconds)
			usleep(1000);
		WRITE_ONCE(stop, 1);
		return NULL;
	}
	return NULL;
}

/* Quiesced: map the first 1024 gfns again (the last move may have zapped them), audit. */
static void check_rmap_matches_ept(void)
{
	struct rmap_audit ra;

	for (gfn_t g = 0; g < 1024; g++) {
		struct ept_fault f = { .gpa = g << PAGE_SHIFT, .access = EPT_ACC_READ };
		int r = ept_handle_fault(&mmu, &f);

		CHECK(r == EPT_FAULT_FIXED || r == EPT_FAULT_SPURIOUS);
	}
	CHECK_EQ(rmap_audit(&mmu, &ra, "quiesced"), 0);
	CHECK(ra.tracked >= 2);	/* 1024 gfns: 2M leaves or more 4K ones */
	CHECK(ra.made_young > 0);
}

int main(int argc, char **argv)
{
	struct ept_mmu_config cfg = { .max_table_pages = 4096, .gfn_limit = NGFN };
	struct ept_memslot s = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0,
				 .npages = NGFN, .base_pfn = PFN_A };
	struct slot_arg a[NFAULTER + 3] = { 0 };
	struct gpc_sim_stats gst = { 0 };
	u64 faults = 0, fixed = 0, retry = 0, other = 0;

	test_init(argc, argv, 3.0);
	if (ept_mmu_init(&mmu, &cfg)) {
		CHECK(!"ept_mmu_init");
		return test_finish();
	}
	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(a); i++) {
		static const enum role extra[] = { ROLE_MOVER, ROLE_AGER, ROLE_TIMER };

		a[i].role = i < NFAULTER ? ROLE_FAULTER : extra[i - NFAULTER];
		a[i].w.id = i;
		a[i].w.seed = test_opts.seed * 17 + i + 1;
	}
	test_run_threads(ARRAY_SIZE(a), dispatch, a, sizeof(a[0]));
	for (unsigned int i = 0; i < NFAULTER; i++) {
		struct worker *w = &a[i].w;

		faults += w->faults;
		fixed += w->fixed;
		retry += w->retry;
		other += w->other;
		gpc_sim_stats_add(&gst, &w->gpc.st);
	}
	printf("faults: %llu (%llu fixed/spurious, %llu retried, %llu other); %llu slot moves, "
	       "%llu stale leaves after a move\n",
	       faults, fixed,
	       retry, other,
	       moves, stale_leaves);
	CHECK_EQ(gpc_sim_report(&gst, "faulters"), 0);
	CHECK_EQ(stale_leaves, 0);
	CHECK_EQ(other, 0);
	CHECK(fixed > 0 && gst.uses > 0);
	CHECK(moves >= 3);	/* the races were exercised */
	CHECK_EQ(READ_ONCE(mmu.inv.in_progress), 0);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);
	printf("aging: %llu lockless passes during the run\n", age_passes);
	CHECK(age_passes > 0);
	check_rmap_matches_ept();
	ept_mmu_destroy(&mmu);
	return test_finish();
}
