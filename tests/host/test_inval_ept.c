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
 * of its generation gives.  At the end ept_mmu_audit() must find nothing.
 */
#include "tests/host/harness.h"

#include "lib/atomic.h"
#include "lib/rwlock.h"
#include "mm/ebr.h"
#include "mm/ept_mmu.h"
#include "mm/memslot.h"
#include "mm/pfncache.h"

#include <stdlib.h>
#include <unistd.h>

#define NGFN		4096
#define PFN_A		0x100000ULL
#define PFN_B		0x200000ULL
#define NFAULTER	2

static struct vm_mmu mmu;
static int stop;

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

enum role { ROLE_FAULTER, ROLE_MOVER, ROLE_TIMER };

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
	case ROLE_TIMER:
		while (test_elapsed() < test_opts.seconds)
			usleep(1000);
		WRITE_ONCE(stop, 1);
		return NULL;
	}
	return NULL;
}

int main(int argc, char **argv)
{
	struct ept_mmu_config cfg = { .max_table_pages = 4096, .gfn_limit = NGFN };
	struct ept_memslot s = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = 0,
				 .npages = NGFN, .base_pfn = PFN_A };
	struct slot_arg a[NFAULTER + 2] = { 0 };
	u64 faults = 0, fixed = 0, retry = 0, other = 0, uses = 0, refreshes = 0, stale = 0;

	test_init(argc, argv, 3.0);
	if (ept_mmu_init(&mmu, &cfg)) {
		CHECK(!"ept_mmu_init");
		return test_finish();
	}
	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);
	for (unsigned int i = 0; i < ARRAY_SIZE(a); i++) {
		a[i].role = i < NFAULTER ? ROLE_FAULTER : i == NFAULTER ? ROLE_MOVER : ROLE_TIMER;
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
	CHECK(fixed > 0 && moves > 0 && uses > 0);
	CHECK_EQ(READ_ONCE(mmu.inv.in_progress), 0);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);
	ept_mmu_destroy(&mmu);
	return test_finish();
}
