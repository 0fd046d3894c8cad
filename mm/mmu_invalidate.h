/* SPDX-License-Identifier: MIT */
/*
 * Invalidation of a VM's guest memory map (the mmu_notifier analog).
 *
 * Whenever the gfn -> host frame map of a VM changes (a memslot is deleted or
 * moved, a host frame is reclaimed), the changer brackets the change with
 * mmu_invalidate_range_start() / mmu_invalidate_range_end().  Between the two,
 * no EPT leaf and no valid pfncache entry may map a gfn of the range.
 *
 * A fault resolves gfn -> frame WITHOUT mmu_lock, so it cannot know whether
 * an invalidation ran meanwhile.  It therefore:
 *   1. snap = mmu_invalidate_snapshot(inv)           (before resolving)
 *   2. mmu_invalidate_retry_gfn_unsafe(inv, snap, g)  (optional cheap pre-check)
 *   3. resolve gfn -> frame
 *   4. take mmu_lock (either mode); if mmu_invalidate_retry_gfn(mmu, snap, g)
 *      drop everything and retry; else install the leaf, then unlock.
 * Rule R9 (docs/locking.md): end does seq++, smp_wmb, in_progress--, so a
 * checker sees either in_progress != 0 or the new seq.
 *
 * Interface note for the EPT core (mm/ept_mmu.h): struct vm_mmu embeds
 * struct mmu_invalidate as field `inv`, struct rmap_table as `rmap`,
 * struct gpc_vm_state as `gpc`, and rwlock_t mmu_lock.
 */
#ifndef MM_MMU_INVALIDATE_H
#define MM_MMU_INVALIDATE_H

#include "lib/types.h"

struct vm_mmu;

/* range_start/range_end value while no invalidation is in progress. */
#define MMU_INVALID_GFN		(~0ULL)

/*
 * struct mmu_invalidate - sequence / in-progress state of a VM's memory map.
 * @seq:	bumped by every range_end; written under mmu_lock for write,
 *		read locklessly by fault snapshots (R9).
 * @in_progress: number of started, not yet ended invalidations; written
 *		under mmu_lock for write.
 * @range_start, @range_end: [start, end) union of the gfn ranges of all
 *		invalidations in progress; reset on the 0 -> 1 transition of
 *		@in_progress, only grows until it drops back to 0.
 */
struct mmu_invalidate {
	u64 seq;
	s64 in_progress;
	gfn_t range_start;
	gfn_t range_end;
};

void mmu_invalidate_init(struct mmu_invalidate *inv);

/*
 * Fault-side snapshot: read seq, then smp_rmb (R9 reader side, pairs with
 * the smp_wmb in mmu_invalidate_end_locked()).  Take it BEFORE resolving the
 * gfn.
 */
u64 mmu_invalidate_snapshot(const struct mmu_invalidate *inv);

/*
 * Lockless pre-check (READ_ONCE only): true when the fault should retry.
 * Has false positives and false negatives; a false result must still be
 * confirmed by mmu_invalidate_retry_gfn() under mmu_lock.  Reads
 * in_progress with READ_ONCE so that a caller looping on it observes the
 * 1 => 0 transition and terminates.
 */
bool mmu_invalidate_retry_gfn_unsafe(const struct mmu_invalidate *inv, u64 snap, gfn_t gfn);

/*
 * Authoritative check: caller holds mmu->mmu_lock in either mode (asserted).
 * True when an invalidation covering @gfn is in progress, or one ended since
 * @snap was taken.
 */
bool mmu_invalidate_retry_gfn(const struct vm_mmu *mmu, u64 snap, gfn_t gfn);

/*
 * The same checks and updates on a bare struct mmu_invalidate, for a caller
 * that holds whatever lock plays mmu_lock's role (hosted tests of the state
 * machine; the vm_mmu versions above assert mmu_lock and call these).
 */
bool mmu_invalidate_retry_gfn_locked(const struct mmu_invalidate *inv, u64 snap, gfn_t gfn);
void mmu_invalidate_begin_locked(struct mmu_invalidate *inv, gfn_t start, gfn_t end);
void mmu_invalidate_end_locked(struct mmu_invalidate *inv);

/*
 * Bracket a change of the gfn -> frame map of [start, end).
 * range_start: pfncache invalidation (before mmu_lock), then under mmu_lock
 *   for write: in_progress++ (+ range union), zap the EPT leaves of the
 *   range and flush.  On return no EPT leaf and no valid pfncache maps the
 *   range, and none can be installed until range_end.
 * range_end: under mmu_lock for write: seq++, smp_wmb, in_progress--; then
 *   drop the pfncache active-invalidate count and wake its waiters.
 * Calls must be balanced with identical ranges; they may nest/overlap across
 * CPUs.  Must not be called with mmu_lock held.
 */
void mmu_invalidate_range_start(struct vm_mmu *mmu, gfn_t start, gfn_t end);
void mmu_invalidate_range_end(struct vm_mmu *mmu, gfn_t start, gfn_t end);

#endif /* MM_MMU_INVALIDATE_H */
