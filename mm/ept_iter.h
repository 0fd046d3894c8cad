/* SPDX-License-Identifier: MIT */
/*
 * Pre-order iterator over the EPT entries covering a gfn range (the
 * tdp_iter idea, our own code).
 *
 * The walker is inside an EBR section, so every table it can reach stays
 * allocated (retired tables are only freed after a grace period); a table
 * it steps into may be unlinked concurrently, in which case it finds its
 * entries FROZEN and backs off.  It re-reads an entry before stepping down
 * into it (never descends through a stale snapshot) and re-reads when it
 * steps sideways or up.
 *
 * Yielding (R8, ept_iter_cond_yield()): only after forward progress since
 * the last yield; pending flushes first (R4); then out of the EBR section,
 * mmu_lock dropped and retaken, and the walk restarts from the root at the
 * first gfn not yet done; the old entry pointer is never used again.
 */
#ifndef MM_EPT_ITER_H
#define MM_EPT_ITER_H

#include "lib/lockdep.h"
#include "mm/ept_entry.h"

struct vm_mmu;
struct ept_batch;

/*
 * struct ept_iter - walk state.
 * @path:     path[l] = the table at level l on the way to @sptep
 * @sptep:    current entry; @old: its snapshot
 * @gfn:      first gfn the current entry covers
 * @next_gfn: first gfn not yet fully visited (restart point)
 * @yielded_gfn: @next_gfn at the last yield (progress check)
 */
struct ept_iter {
	u64 __ept *path[EPT_MAX_LEVEL + 1];
	u64 __ept *sptep;
	u64 old;
	gfn_t gfn;
	gfn_t start, end;
	gfn_t next_gfn;
	gfn_t yielded_gfn;
	int level;
	int root_level;
	int min_level;
	bool valid;
	bool yielded;
	u32 poison;		/* poisoned entries met (freed table reached) */
};

/* Begin at the root table @root_pt of @root_level for [start, end). */
void ept_iter_start(struct ept_iter *it, u64 __ept *root_pt, int root_level, int min_level,
		    gfn_t start, gfn_t end);
/* Advance in pre-order; clears it->valid at the end of the root. */
void ept_iter_next(struct ept_iter *it);
/* Restart from the root at it->next_gfn (after a yield). */
void ept_iter_restart(struct ept_iter *it);
/* Re-read the current entry into it->old and return it. */
u64 ept_iter_reread(struct ept_iter *it);

/* Loop over every entry whose range starts before @end. */
#define ept_for_each_entry(it, root_pt, root_level, min_level, start, end)	\
	for (ept_iter_start(it, root_pt, root_level, min_level, start, end);	\
	     (it)->valid && (it)->gfn < (end); ept_iter_next(it))

/*
 * What a walk of @mmu's tables holds, asserted when it starts (debug
 * builds; the release build compiles the checks away, as lockdep's):
 *   EPT_WALK_LOCKED  mmu_lock in either mode, inside an EBR section: the
 *                    walker may change entries (fault, zap, split, ...)
 *   EPT_WALK_READER  an EBR section only: a read-only snapshot (lookup,
 *                    reports); tables it reaches are not freed under it
 */
enum ept_walk_ctx { EPT_WALK_LOCKED, EPT_WALK_READER };

void ept_iter_assert_ctx(struct vm_mmu *mmu, enum ept_walk_ctx ctx);
#define ept_walk_assert(mmu, ctx)	(LOCKDEP_ON ? ept_iter_assert_ctx(mmu, ctx) : (void)0)

/*
 * ept_for_each_root_entry() - ept_for_each_entry() over the tables of
 * @root (a struct ept_root of @mmu), first asserting that the caller holds
 * what @ctx names.  The fault path, zap, write-protect, split, lookup,
 * audit and the misconfiguration report all walk through it.
 */
#define ept_for_each_root_entry(it, mmu, ctx, root, min_level, start, end)	\
	for (ept_walk_assert(mmu, ctx),						\
	     ept_iter_start(it, (root)->page->spt, (root)->level, min_level, start, end); \
	     (it)->valid && (it)->gfn < (end); ept_iter_next(it))

/*
 * The path walk: the entries that translate one gfn, root first (the
 * pre-order walk of [gfn, gfn + 1), in steps light enough for the fault
 * path).  It steps down through the snapshot it->old, so a walker that
 * links a table sets it->old to the new entry first.  A table unlinked
 * after the snapshot is still memory inside the EBR section, and its
 * entries are FROZEN (R3) or poisoned, so the walker sees that and backs
 * off.  The walk ends after the first entry that is not a table.  It
 * keeps no it->path[] (indexing it by level would keep the iterator out of
 * registers on the fault path): ept_iter_table_phys() finds the table from
 * it->sptep.
 */
static __always_inline void ept_iter_path_load(struct ept_iter *it, u64 __ept *pt)
{
	unsigned int shift = EPT_LEVEL_BITS * (unsigned int)(it->level - 1);

	it->gfn = it->start >> shift << shift;
	it->sptep = pt + ((it->start >> shift) & (EPT_ENTRIES - 1));
	it->old = ept_read_entry(it->sptep);	/* R1 reader side */
}

static __always_inline void ept_iter_path_start(struct ept_iter *it, u64 __ept *root_pt,
						int root_level, gfn_t gfn)
{
	it->root_level = root_level;
	it->level = root_level;
	it->min_level = EPT_LEVEL_4K;
	it->start = gfn;
	it->end = gfn + 1;
	it->next_gfn = gfn;
	it->yielded = false;
	it->poison = 0;
	it->valid = true;
	ept_iter_path_load(it, root_pt);
}

static __always_inline void ept_iter_path_next(struct ept_iter *it)
{
	if (!ept_is_table(it->old, it->level)) {	/* never at EPT_LEVEL_4K */
		it->valid = false;
		return;
	}
	it->level--;
	ept_iter_path_load(it, ept_entry_table(it->old));	/* R1: address dependency */
}

/*
 * ept_for_each_path_entry() - the path walk to @gfn in @root of @mmu,
 * asserting @ctx first, like ept_for_each_root_entry().  @gfn must be
 * inside the root's span.
 */
#define ept_for_each_path_entry(it, mmu, ctx, root, gfn)			\
	for (ept_walk_assert(mmu, ctx),						\
	     ept_iter_path_start(it, (root)->page->spt, (root)->level, gfn);	\
	     (it)->valid; ept_iter_path_next(it))

/* The physical address of the table holding the current entry (reports). */
phys_addr_t ept_iter_table_phys(const struct ept_iter *it);

/*
 * ept_iter_cond_yield() - R8: yield mmu_lock (held in mode @shared) and
 * the EBR section if someone waits for the lock (or the test hook asks),
 * but only if the walk made progress since its last yield.  Flushes and
 * unfreezes @batch first (R4).  Returns true if it yielded: the caller
 * must `continue` (the iterator restarts from the root at the next
 * ept_iter_next()).
 */
bool ept_iter_cond_yield(struct vm_mmu *mmu, struct ept_iter *it, struct ept_batch *batch,
			 bool shared);

/*
 * Test hook of the hosted tests: when non-zero, every ept_iter_cond_yield()
 * caller yields after that many steps and waits for a grace period, so that
 * tables removed meanwhile are really freed.  0 (off) in hv.
 */
extern u32 ept_iter_test_yield_every;

/* Add the poisoned entries @it met to mmu->st.poison_seen (end of a walk). */
void ept_iter_count_poison(struct vm_mmu *mmu, const struct ept_iter *it);

/*
 * ept_walk_leave() - R4: flush and unfreeze @batch, then leave the EBR
 * section and drop mmu_lock (held in mode @shared): the end of a walk, or
 * the first half of a yield.
 */
void ept_walk_leave(struct vm_mmu *mmu, struct ept_batch *batch, bool shared);

#endif /* MM_EPT_ITER_H */
