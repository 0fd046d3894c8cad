// SPDX-License-Identifier: MIT
/*
 * Invalidation retry for faults that resolve gfn -> frame without mmu_lock
 * (the mmu_notifier seq / in_progress protocol, rule R9; see
 * mm/mmu_invalidate.h for the caller's side and docs/locking.md).
 */
#include "mm/mmu_invalidate.h"

#include "lib/atomic.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/rwlock.h"
#include "mm/ept_mmu.h"
#include "mm/pfncache.h"

void mmu_invalidate_init(struct mmu_invalidate *inv)
{
	inv->seq = 0;
	inv->in_progress = 0;
	inv->range_start = MMU_INVALID_GFN;
	inv->range_end = MMU_INVALID_GFN;
}

/**
 * mmu_invalidate_snapshot() - sample the sequence before resolving a gfn.
 * @inv: the VM's invalidation state
 *
 * Return: the sequence number to pass to the retry checks.
 */
u64 mmu_invalidate_snapshot(const struct mmu_invalidate *inv)
{
	u64 snap = READ_ONCE(inv->seq);

	/*
	 * R9: the seq load must complete before the loads that resolve the
	 * gfn (and before a later lockless read of in_progress), so that a
	 * resolution which raced with an invalidation is caught by "seq moved".
	 * Pairs with the smp_wmb() between seq++ and in_progress-- in
	 * mmu_invalidate_end_locked().  (Mutant: tests/models/inval_seq.pml.)
	 */
	smp_rmb_rule(R9_SNAPSHOT_RMB);
	return snap;
}

static inline bool mmu_invalidate_gfn_in_range(gfn_t gfn, gfn_t start, gfn_t end)
{
	return gfn >= start && gfn < end;
}

/**
 * mmu_invalidate_retry_gfn_unsafe() - lockless pre-check before mmu_lock.
 * @inv:  the VM's invalidation state
 * @snap: mmu_invalidate_snapshot() taken before resolving @gfn
 * @gfn:  the faulting gfn
 *
 * False positives and false negatives are both possible (the range may be
 * read half-updated); the locked check decides.  Callers may loop on it
 * while it returns true: in_progress is read with READ_ONCE, so the loop
 * observes the 1 => 0 transition of in_progress and terminates once the
 * invalidations overlapping @gfn end (the range never shrinks while the
 * count is non-zero, so the count is what must be re-read).
 *
 * Return: true if the fault should be retried.
 */
bool mmu_invalidate_retry_gfn_unsafe(const struct mmu_invalidate *inv, u64 snap, gfn_t gfn)
{
	/*
	 * R9 (O9): READ_ONCE so that a caller spinning on this function
	 * re-reads the count every time.  Pairs with the WRITE_ONCE of
	 * in_progress in mmu_invalidate_end_locked().
	 */
	if (READ_ONCE(inv->in_progress) &&
	    mmu_invalidate_gfn_in_range(gfn, READ_ONCE(inv->range_start),
					READ_ONCE(inv->range_end)))
		return true;
	/*
	 * R9: in_progress before seq, as in the locked check; pairs with the
	 * smp_wmb() in mmu_invalidate_end_locked().  Without it (the
	 * R9_PRECHECK_RMB mutant) seq may be read first: tests/models/inval_seq.pml.
	 */
	smp_rmb_rule(R9_PRECHECK_RMB);
	return READ_ONCE(inv->seq) != snap;
}

/* The locked re-check proper; see mmu_invalidate_retry_gfn_locked(). */
static bool mmu_invalidate_retry_gfn_check(const struct mmu_invalidate *inv, u64 snap,
					   gfn_t gfn)
{
	if (unlikely(inv->in_progress)) {
		/* An in-progress invalidation always has a range. */
		if (WARN_ON_ONCE(inv->range_start == MMU_INVALID_GFN))
			return true;
		if (mmu_invalidate_gfn_in_range(gfn, inv->range_start, inv->range_end))
			return true;
	}
	return inv->seq != snap;
}

/**
 * mmu_invalidate_retry_gfn_locked() - the authoritative retry check.
 * @inv:  the VM's invalidation state
 * @snap: mmu_invalidate_snapshot() taken before resolving @gfn
 * @gfn:  the faulting gfn
 *
 * The caller holds the lock that serialises begin/end (mmu_lock), in either
 * mode: begin/end run under it for write, so the fields are stable here.
 *
 * Return: true if an invalidation covering @gfn is in progress, or any
 * invalidation ended after @snap was taken.
 */
bool mmu_invalidate_retry_gfn_locked(const struct mmu_invalidate *inv, u64 snap, gfn_t gfn)
{
	/* R9: the authoritative re-check (the R9_SKIP_RECHECK mutant skips it). */
	return rule_check(R9_SKIP_RECHECK, mmu_invalidate_retry_gfn_check(inv, snap, gfn));
}

/**
 * mmu_invalidate_begin_locked() - count an invalidation of [start, end) in.
 * @inv:   the VM's invalidation state
 * @start: first gfn
 * @end:   one past the last gfn
 *
 * Caller holds mmu_lock for write.  The increment is published by the
 * unlock: no leaf can be installed without taking mmu_lock and re-checking
 * under it (O8).
 */
void mmu_invalidate_begin_locked(struct mmu_invalidate *inv, gfn_t start, gfn_t end)
{
	s64 n = inv->in_progress;

	if (WARN_ON(start >= end))
		return;
	/*
	 * R9 (O8): WRITE_ONCE because the pre-check reads these locklessly;
	 * the ordering that counts comes from the write unlock, which pairs
	 * with the locked re-check (mmu_invalidate_retry_gfn_locked()).
	 */
	WRITE_ONCE(inv->in_progress, n + 1);
	if (rule_check(R9_RANGE_UNION, n != 0)) {
		/* Overlapping invalidations: the range only grows. */
		WRITE_ONCE(inv->range_start, MIN(inv->range_start, start));
		WRITE_ONCE(inv->range_end, MAX(inv->range_end, end));
	} else {
		/* 0 -> 1: a new burst, the old range is meaningless. */
		WRITE_ONCE(inv->range_start, start);
		WRITE_ONCE(inv->range_end, end);
	}
}

/**
 * mmu_invalidate_end_locked() - count an invalidation out.
 * @inv: the VM's invalidation state
 *
 * Caller holds mmu_lock for write.
 */
void mmu_invalidate_end_locked(struct mmu_invalidate *inv)
{
	if (WARN_ON(inv->in_progress <= 0))
		return;
	WRITE_ONCE(inv->seq, inv->seq + 1);
	/*
	 * R9 (O7): a lockless checker must see either the old (non-zero)
	 * in_progress or the new seq: publish seq before dropping the count.
	 * Pairs with the smp_rmb() in mmu_invalidate_snapshot() and in
	 * mmu_invalidate_retry_gfn_unsafe() / gpc_invalidate_retry().  The
	 * R9_END_ORDER mutant drops it: tests/models/inval_seq.pml lets the
	 * stores pass each other.
	 */
	smp_wmb_rule(R9_END_ORDER);
	WRITE_ONCE(inv->in_progress, inv->in_progress - 1);
	WARN_ON_ONCE(inv->range_start == MMU_INVALID_GFN);
}

/* ------------------------------------------------------------ the VM's side */

bool mmu_invalidate_retry_gfn(const struct vm_mmu *mmu, u64 snap, gfn_t gfn)
{
	assert_held(&mmu->mmu_lock);
	return mmu_invalidate_retry_gfn_locked(&mmu->inv, snap, gfn);
}

/**
 * mmu_invalidate_range_start() - begin a change of the gfn -> frame map.
 * @mmu:   the VM's MMU
 * @start: first gfn
 * @end:   one past the last gfn
 *
 * On return no EPT leaf and no valid pfncache maps a gfn of [start, end),
 * and none can be established until mmu_invalidate_range_end().
 */
void mmu_invalidate_range_start(struct vm_mmu *mmu, gfn_t start, gfn_t end)
{
	if (start >= end) {
		pr_err("mmu_invalidate_range_start: empty range [0x%llx, 0x%llx) ignored\n",
		       start, end);
		return;
	}
	/*
	 * pfncache first, before mmu_lock: it takes each cache's lock, which
	 * must not nest inside mmu_lock.  Its own count (not in_progress,
	 * which we raise only below) keeps refreshers off the range.
	 */
	gpc_invalidate_start(&mmu->gpc, start, end);

	write_lock(&mmu->mmu_lock);
	mmu_invalidate_begin_locked(&mmu->inv, start, end);
	/* Exclusive zap; it flushes before returning (mm/ept_mmu.h). */
	ept_zap_gfn_range(mmu, start, end, false);
	write_unlock(&mmu->mmu_lock);
}

/**
 * mmu_invalidate_range_end() - end a change begun by _range_start().
 * @mmu:   the VM's MMU
 * @start: as passed to mmu_invalidate_range_start()
 * @end:   as passed to mmu_invalidate_range_start()
 */
void mmu_invalidate_range_end(struct vm_mmu *mmu, gfn_t start, gfn_t end)
{
	if (start >= end)
		return;		/* reported and ignored by _range_start() */
	write_lock(&mmu->mmu_lock);
	mmu_invalidate_end_locked(&mmu->inv);
	write_unlock(&mmu->mmu_lock);
	/*
	 * After seq moved: a refresher that sees this count drop also sees
	 * the new seq (R9, see gpc_invalidate_retry()).
	 */
	gpc_invalidate_end(&mmu->gpc, start, end);
}
