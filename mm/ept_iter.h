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
