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
 * of its generation gives.  An ager runs lockless rmap passes
 * (ept_age_range) throughout.  At the end: ept_mmu_audit() finds nothing,
 * the rmap holds exactly the EPT's leaves, and an aging pass finds exactly
 * the leaves made young, then none.
 */
#include "tests/host/harness.h"

#include "lib/atomic.h"
#include "lib/rwlock.h"
#include "mm/ebr.h"
#include "mm/ept_mmu.h"
#include "mm/memslot.h"
#include "mm/pfncache.h"
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
	u64 uses, refreshes, stale_uses;
	struct gfn_pfn_cache gpc;
};

/* A pfncache use: under the read lock, the frame must match its map. */
static void gpc_use(struct worker *w, gpa_t gpa)
{
	unsigned long flags = read_lock_irqsave(&w->gpc.lock);

	if (gpc_check(&w->gpc, gpa, 8)) {
		struct ebr_rec *rec = ebr_rec_this(&mmu.ebr);
		const struct ept_memmap *map;
		const struct ept_memslot *slot;

		ebr_enter(rec);
		map = ept_memmap_get(&mmu);
		slot = ept_memslot_find(map, gpa >> PAGE_SHIFT);
		/* Compare only against the map of the generation it checked. */
		if (map->generation == w->gpc.generation &&
		    (!slot || ept_memslot_pfn(slot, gpa >> PAGE_SHIFT) != w->gpc.pfn))
			w->stale_uses++;
		ebr_exit(rec);
		w->uses++;
		read_unlock_irqrestore(&w->gpc.lock, flags);
		return;
	}
	read_unlock_irqrestore(&w->gpc.lock, flags);
	w->refreshes++;
	gpc_refresh(&w->gpc, gpa, 8);
}

static void *faulter(struct worker *w)
{
	gpa_t gpa = (gpa_t)(w->id * 97 % NGFN) << PAGE_SHIFT;

	ept_mmu_cpu_register(&mmu);
	gpc_init(&w->gpc, &mmu.gpc);
	CHECK_EQ(gpc_activate(&w->gpc, gpa, 8), 0);
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
			gpc_use(w, gpa);
	}
	gpc_deactivate(&w->gpc);
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
					(unsigned long long)g, (unsigned long long)pfn,
					(unsigned long long)(base + g));
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

static void make_young(u64 __ept *sptep, void *arg)
{
	(void)arg;
	ept_set_bits_atomic(sptep, EPT_A);
}

/* Quiesced: every present leaf is in its rmap head exactly once, nothing else. */
struct rmap_count {
	u64 entries, matches;
	u64 want;		/* the leaf value ept_lookup() returned */
};

static void rmap_count_visit(u64 __ept *sptep, void *arg)
{
	struct rmap_count *c = arg;

	c->entries++;
	c->matches += ept_read_entry(sptep) == c->want;
}

static void check_rmap_matches_ept(void)
{
	struct ebr_rec *rec = ebr_rec_this(&mmu.ebr);
	u64 leaves = 0, bad = 0, total = 0;

	ept_mmu_cpu_register(&mmu);
	/* Map the first 1024 gfns again (the last move may have zapped them). */
	for (gfn_t g = 0; g < 1024; g++) {
		struct ept_fault f = { .gpa = g << PAGE_SHIFT, .access = EPT_ACC_READ };

		int r = ept_handle_fault(&mmu, &f);

		CHECK(r == EPT_FAULT_FIXED || r == EPT_FAULT_SPURIOUS);
	}
	ebr_enter(rec);
	for (gfn_t g = 0; g < NGFN; g++) {
		struct rmap_count c = { 0 };
		pfn_t pfn;
		int level;
		u64 e;

		if (!ept_lookup(&mmu, g, &pfn, &level, &e) || g != ept_gfn_round(g, level))
			continue;
		leaves++;
		c.want = e;
		rmap_walk_readonly(&mmu.rmap, g, level, rmap_count_visit, &c);
		bad += c.entries != 1 || c.matches != 1;
	}
	/* Nothing beyond the leaves: count every head of every level. */
	for (int level = RMAP_LEVEL_MIN; level <= RMAP_LEVEL_MAX; level++) {
		for (gfn_t g = 0; g < NGFN; g += ept_pages_per_entry(level)) {
			struct rmap_count c = { 0 };

			rmap_walk_readonly(&mmu.rmap, g, level, rmap_count_visit, &c);
			total += c.entries;
		}
	}
	ebr_exit(rec);
	printf("rmap: %llu leaves, %llu rmap entries, %llu leaves not found exactly once; "
	       "%llu dead descriptors met\n", (unsigned long long)leaves,
	       (unsigned long long)total, (unsigned long long)bad,
	       (unsigned long long)READ_ONCE(mmu.rmap.bad_desc));
	CHECK_EQ(bad, 0);
	CHECK(leaves >= 2);	/* 1024 gfns: 2M leaves or more 4K ones */
	CHECK_EQ(total, leaves);
	CHECK_EQ(READ_ONCE(mmu.rmap.bad_desc), 0);
	ept_mmu_cpu_unregister(&mmu);
}

int main(int argc, char **argv)
{
	struct ept_mmu_config cfg = { .max_table_pages = 4096, .gfn_limit = NGFN };
	struct ept_memslot s = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0,
				 .npages = NGFN, .base_pfn = PFN_A };
	struct slot_arg a[NFAULTER + 3] = { 0 };
	u64 faults = 0, fixed = 0, retry = 0, other = 0, uses = 0, refreshes = 0, stale = 0;

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
		uses += w->uses;
		refreshes += w->refreshes;
		stale += w->stale_uses;
	}
	printf("faults: %llu (%llu fixed/spurious, %llu retried, %llu other); %llu slot moves, "
	       "%llu stale leaves after a move\n",
	       (unsigned long long)faults, (unsigned long long)fixed,
	       (unsigned long long)retry, (unsigned long long)other,
	       (unsigned long long)moves, (unsigned long long)stale_leaves);
	printf("pfncache: %llu uses, %llu refreshes, %llu stale uses\n",
	       (unsigned long long)uses, (unsigned long long)refreshes,
	       (unsigned long long)stale);
	CHECK_EQ(stale_leaves, 0);
	CHECK_EQ(stale, 0);
	CHECK_EQ(other, 0);
	CHECK(fixed > 0 && uses > 0);
	CHECK(moves >= 3);	/* the races were exercised */
	CHECK_EQ(READ_ONCE(mmu.inv.in_progress), 0);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);
	check_rmap_matches_ept();
	{
		struct ebr_rec *rec = ebr_rec_this(&mmu.ebr);
		u64 made = 0, first, second;

		/* Make every leaf young as the CPU would (atomic OR), then age. */
		ept_mmu_cpu_register(&mmu);
		ebr_enter(rec);
		for (int level = RMAP_LEVEL_MIN; level <= RMAP_LEVEL_MAX; level++)
			for (gfn_t g = 0; g < NGFN; g += ept_pages_per_entry(level))
				made += rmap_walk_readonly(&mmu.rmap, g, level, make_young, NULL);
		ebr_exit(rec);
		first = ept_age_range(&mmu, 0, NGFN);
		second = ept_age_range(&mmu, 0, NGFN);
		ept_mmu_cpu_unregister(&mmu);
		printf("aging: %llu lockless passes during the run; quiesced: %llu leaves made "
		       "young, a pass found %llu, the next %llu\n", (unsigned long long)age_passes,
		       (unsigned long long)made, (unsigned long long)first,
		       (unsigned long long)second);
		CHECK(age_passes > 0);
		CHECK(made > 0);
		CHECK_EQ(first, made);
		CHECK_EQ(second, 0);
	}
	ept_mmu_destroy(&mmu);
	return test_finish();
}
