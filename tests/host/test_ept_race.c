// SPDX-License-Identifier: MIT
/*
 * Tight races on a handful of EPT entries, without simulated vCPUs (so
 * flushes are instant and the racing windows are hit millions of times):
 *
 *  1. install/zap/teardown: threads fault, zap single pages and zap the
 *     whole 2 MiB table of a 4 KiB-only slot.  Afterwards the audit's
 *     recount must equal the mapped counters: a lost install (R2), a leaf
 *     installed over a FROZEN entry (R3 back-off) or a child lost during
 *     teardown (R3 xchg takeover) all break it.
 *  2. accessed-bit conservation (R2) over 8 leaves: a "hardware" thread
 *     sets A with a locked cmpxchg and counts 0->1 transitions; an ager
 *     clears A with ept_test_and_clear_accessed() and counts 1->0; a third
 *     thread write-protects the 8 leaves while a fourth restores W the
 *     lockless way (cmpxchg, like a fast page fault).
 *     Every A set must be seen by exactly one clear (or still be set):
 *     a write-protect done as read-modify-plain-write loses A bits.
 */
#include "mm/ept_internal.h"
#include "tests/host/harness.h"

#include <stdio.h>

#define SLOT_GFN	0x1000
#define SLOT_PAGES	1024
#define RACE2_LEAVES	8		/* leaves shared by the race-2 threads */
#define HUGE_GFN	0x4000		/* 2 MiB-capable slot for race 3 */
#define HUGE_PAGES	1024

static struct vm_mmu mmu;
static bool stop;
static double deadline;

struct rworker {
	int kind;
	u64 rng;
	u64 n, a_set, a_clear;
};

static void fault_at(gfn_t g, u64 access)
{
	struct ept_fault f = { .gpa = g << PAGE_SHIFT, .access = access };

	ept_handle_fault(&mmu, &f);
}

/* The leaf entry mapping @g (NULL if none); caller is in an EBR section. */
static u64 __ept *leaf_of(gfn_t g)
{
	struct ept_root *root = READ_ONCE(mmu.active_root);
	u64 __ept *pt = root->page->spt;

	for (int l = root->level; l >= 1; l--) {
		u64 __ept *p = &pt[ept_index(g, l)];
		u64 e = ept_read_entry(p);

		if (ept_is_leaf(e, l))
			return p;
		if (!ept_is_table(e, l))
			return NULL;
		pt = ept_entry_table(e);
	}
	return NULL;
}

static void *race1(void *arg)
{
	struct rworker *w = arg;

	ept_mmu_cpu_register(&mmu);
	while (!READ_ONCE(stop)) {
		gfn_t g = SLOT_GFN + 480 + test_rand(&w->rng) % 64;	/* straddles 2 tables */
		u64 x = test_rand(&w->rng) % 16;

		if (x < 10)
			fault_at(g, EPT_ACC_READ);
		else if (x < 14)
			ept_zap_range(&mmu, g, g + 1);
		else
			ept_zap_range(&mmu, SLOT_GFN, SLOT_GFN + SLOT_PAGES);
		if ((++w->n & 255) == 0 && test_elapsed() >= deadline)
			WRITE_ONCE(stop, true);
	}
	ept_mmu_cpu_unregister(&mmu);
	return NULL;
}

static void *race2(void *arg)
{
	struct rworker *w = arg;
	struct ebr_rec *rec;
	gfn_t g;

	ept_mmu_cpu_register(&mmu);
	rec = ebr_rec_this(&mmu.ebr);
	while (!READ_ONCE(stop)) {
		g = SLOT_GFN + test_rand(&w->rng) % RACE2_LEAVES;
		switch (w->kind) {
		case 0: {	/* "hardware": set A on the leaf (locked, on the value read) */
			u64 __ept *p;
			u64 e;

			ebr_enter(rec);
			p = leaf_of(g);
			if (p) {
				e = ept_read_entry(p);
				/* A "write": sets A, and D when writable. */
				u64 set = EPT_A | ((e & EPT_W) ? EPT_D : 0);

				if (ept_is_leaf(e, 1) && (e & set) != set &&
				    ept_cmpxchg_entry(p, &e, e | set) && !(e & EPT_A))
					w->a_set++;
			}
			ebr_exit(rec);
			break;
		}
		case 1: {	/* ager */
			u64 __ept *p;

			ebr_enter(rec);
			p = leaf_of(g);
			if (p && ept_test_and_clear_accessed(p))
				w->a_clear++;
			ebr_exit(rec);
			break;
		}
		case 2:
			ept_write_protect_range(&mmu, SLOT_GFN, SLOT_GFN + RACE2_LEAVES, true);
			break;
		case 3: {	/* restore W locklessly (the "fast page fault" way) */
			u64 __ept *p;
			u64 e;

			ebr_enter(rec);
			for (g = SLOT_GFN; g < SLOT_GFN + RACE2_LEAVES; g++) {
				p = leaf_of(g);
				if (!p)
					continue;
				e = ept_read_entry(p);
				if (ept_is_leaf(e, 1) && !(e & EPT_W))
					ept_cmpxchg_entry(p, &e, e | EPT_W);
			}
			ebr_exit(rec);
			break;
		}
		}
		if ((++w->n & 255) == 0 && test_elapsed() >= deadline)
			WRITE_ONCE(stop, true);
	}
	ept_mmu_cpu_unregister(&mmu);
	return NULL;
}

static void *race3(void *arg)
{
	struct rworker *w = arg;

	ept_mmu_cpu_register(&mmu);
	while (!READ_ONCE(stop)) {
		gfn_t g = HUGE_GFN + test_rand(&w->rng) % HUGE_PAGES;

		switch (w->kind) {
		case 0:
			ept_split_range(&mmu, HUGE_GFN, HUGE_GFN + HUGE_PAGES, EPT_LEVEL_4K);
			ept_collapse_range(&mmu, HUGE_GFN, HUGE_GFN + HUGE_PAGES);
			break;
		case 1:
			fault_at(g, EPT_ACC_READ);
			break;
		case 2:
			/* Inside one 2 MiB table, so the walker yields between leaves. */
			ept_zap_range(&mmu, HUGE_GFN + 1 + g % 8, HUGE_GFN + 500);
			fault_at(g, EPT_ACC_READ);
			break;
		}
		if ((++w->n & 63) == 0 && test_elapsed() >= deadline)
			WRITE_ONCE(stop, true);
	}
	ept_mmu_cpu_unregister(&mmu);
	return NULL;
}

int main(int argc, char **argv)
{
	struct ept_mmu_config cfg = { .max_table_pages = 4096, .gfn_limit = 1ULL << 16 };
	struct ept_memslot s = { .id = 1, .kind = EPT_SLOT_RAM, .base_gfn = SLOT_GFN,
				 .npages = SLOT_PAGES, .base_pfn = 0x12345 };	/* 4K only */
	struct rworker w[4] = { 0 };
	struct ept_mmu_stats st;
	u64 final_a = 0, n = 0;

	test_init(argc, argv, 3.0);
	if (test_opts.quick && test_opts.seconds > 1.0)
		test_opts.seconds = 1.0;
	CHECK_EQ(ept_mmu_init(&mmu, &cfg), 0);
	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);

	for (int i = 0; i < 3; i++)
		w[i] = (struct rworker){ .kind = i, .rng = test_opts.seed * (i + 1) | 1 };
	deadline = test_elapsed() + test_opts.seconds * 0.3;
	test_run_threads(3, race1, w, sizeof(w[0]));
	ept_mmu_stats_read(&mmu, &st);
	printf("[%.2fs] race 1: %llu ops, faults %llu fixed %llu frozen_backoffs %llu cmpxchg_fails %llu"
	       " tables_removed %llu teardown_spins %llu\n",
	       test_elapsed(), (w[0].n + w[1].n + w[2].n), st.faults,
	       st.fixed, st.frozen_backoffs,
	       st.cmpxchg_fails, st.tables_removed,
	       st.teardown_spins);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);

	WRITE_ONCE(stop, false);
	for (gfn_t g = SLOT_GFN; g < SLOT_GFN + RACE2_LEAVES; g++)
		fault_at(g, EPT_ACC_WRITE);
	for (int i = 0; i < 4; i++)
		w[i] = (struct rworker){ .kind = i, .rng = test_opts.seed * (i + 5) | 1 };
	deadline = test_elapsed() + test_opts.seconds * 0.4;
	test_run_threads(4, race2, w, sizeof(w[0]));
	{
		struct ebr_rec *rec = ebr_rec_this(&mmu.ebr);
		u64 __ept *p;

		ept_mmu_cpu_register(&mmu);
		ebr_enter(rec);
		for (gfn_t g = SLOT_GFN; g < SLOT_GFN + RACE2_LEAVES; g++) {
			p = leaf_of(g);
			final_a += p && (ept_read_entry(p) & EPT_A);
		}
		ebr_exit(rec);
	}
	for (int i = 0; i < 4; i++)
		n += w[i].n;
	printf("[%.2fs] race 2: %llu ops, A set %llu, A cleared %llu, A now %llu\n", test_elapsed(),
	       n, w[0].a_set,
	       w[1].a_clear, final_a);
	CHECK_EQ(w[0].a_set, w[1].a_clear + final_a);
	CHECK(w[0].a_set > 0);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);

	s = (struct ept_memslot){ .id = 2, .kind = EPT_SLOT_RAM, .base_gfn = HUGE_GFN,
				  .npages = HUGE_PAGES, .base_pfn = 0x80000 };
	CHECK_EQ(ept_memslot_set(&mmu, &s), 0);
	WRITE_ONCE(stop, false);
	WRITE_ONCE(ept_iter_test_yield_every, 1);
	/* The yielding zapper and the splitter/collapser on different CPUs. */
	for (int i = 0; i < 3; i++)
		w[i] = (struct rworker){ .kind = (int[]){ 2, 0, 1 }[i],
					 .rng = test_opts.seed * (i + 9) | 1 };
	deadline = test_elapsed() + test_opts.seconds * 0.3;
	test_run_threads(3, race3, w, sizeof(w[0]));
	WRITE_ONCE(ept_iter_test_yield_every, 0);
	ept_mmu_stats_read(&mmu, &st);
	printf("[%.2fs] race 3: %llu ops, splits %llu collapses %llu yields %llu poison_seen %llu\n",
	       test_elapsed(), (w[0].n + w[1].n + w[2].n),
	       st.splits, st.collapses,
	       st.yields, st.poison_seen);
	CHECK(st.splits > 0);
	CHECK_EQ(ept_mmu_audit(&mmu), 0);
	ept_mmu_destroy(&mmu);
	return test_finish();
}
