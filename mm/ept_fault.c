// SPDX-License-Identifier: MIT
/*
 * The EPT violation handler: shared-mode fault path (docs/ept.md,
 * "Fault path").  Rules R1 (publish child tables), R2 (cmpxchg installs),
 * R3 (back off on FROZEN), R9 (invalidation retry, mm/mmu_invalidate.h)
 * and the mapping-level rules (mm/ept_level.h).
 */
#include "lib/mutate.h"
#include "lib/panic.h"
#include "mm/ept_internal.h"
#include "mm/ept_level.h"

/* cmpxchg failures tolerated inside one fault before returning RETRY. */
#define EPT_FAULT_MAX_RACES	16

u64 ept_leaf_for(const struct ept_memmap *map, const struct ept_memslot *slot, gfn_t gfn,
		 int level, bool want_write)
{
	bool host_writable = slot->kind == EPT_SLOT_RAM && !(slot->flags & EPT_SLOT_READONLY);
	u64 perm = EPT_R | EPT_X;

	if (want_write && host_writable)
		perm |= EPT_W;
	gfn = ept_gfn_round(gfn, level);
	return ept_make_leaf(ept_memslot_pfn(slot, gfn), level, perm, ept_mtrr_type(map, gfn),
			     host_writable);
}

/*
 * Install or upgrade the leaf at @sptep (level @level, snapshot *@e).
 * Returns an ept_fault_ret, or -1 if the entry changed and must be looked
 * at again (*@e refreshed).
 */
static int ept_fault_install(struct vm_mmu *mmu, struct ept_fault *f, u64 __ept *sptep, u64 *e,
			     int level, u64 leaf, const struct ept_memslot *slot, gfn_t gfn)
{
	gfn_t base = ept_gfn_round(gfn, level);
	bool dirty_log = slot->flags & EPT_SLOT_DIRTY_LOG;
	u64 old = *e;

	if (ept_is_leaf(old, level) && ept_entry_pfn(old) == ept_entry_pfn(leaf)) {
		u64 new;

		if ((old & f->access) == f->access) {
			f->pfn = ept_entry_pfn(old) + (gfn - base);
			f->level = level;
			return EPT_FAULT_SPURIOUS;	/* e.g. another vCPU fixed it */
		}
		new = old | (leaf & EPT_RWX);
		if ((new & f->access) != f->access)
			return EPT_FAULT_WRITE_TO_RO;
		/* R2: upgrade W (dirty logging) with cmpxchg: A/D may be changing. */
		if (!ept_cmpxchg_entry(sptep, e, new))
			return -1;
		ept_changed_entry(mmu, base, sptep, old, new, level, true);
	} else {
		/*
		 * Account the new leaf BEFORE it becomes visible: once it is, a
		 * zapper may freeze it and rmap_remove() it at once, and the
		 * removal must find it.  Undone if we lose the race.
		 */
		ept_changed_entry(mmu, base, sptep, 0, leaf, level, true);
		if (!ept_cmpxchg_entry_rule(R2_LEAF_INSTALL, sptep, e, leaf)) {
			/*
			 * R2: install against the snapshot: if anyone changed
			 * the entry since we read it (another fault, a zap that
			 * froze it, a split), we lose and look again.
			 */
			ept_changed_entry(mmu, base, sptep, leaf, 0, level, true);
			return -1;
		}
		if (ept_is_present(old))
			ept_changed_entry(mmu, base, sptep, old, 0, level, true);
	}
	if (dirty_log && (f->access & EPT_ACC_WRITE))
		ept_memslot_mark_dirty(slot, gfn);
	f->pfn = ept_entry_pfn(leaf) + (gfn - base);
	f->level = level;
	return EPT_FAULT_FIXED;
}

/* ept_fault_entry() results besides the ept_fault_ret codes. */
enum {
	EPT_STEP_AGAIN = -1,	/* it->old was refreshed: look at the entry again */
	EPT_STEP_DOWN = -2,	/* a table is linked here: step down into it */
};

/*
 * One entry of the fault walk, it->sptep at it->level with snapshot
 * it->old: install the leaf if this is the target level, else make sure a
 * table is linked here (link a new one, or split a huge leaf).  Returns an
 * ept_fault_ret, EPT_STEP_DOWN or EPT_STEP_AGAIN.
 */
static int ept_fault_entry(struct vm_mmu *mmu, struct ept_fault *f, struct ept_iter *it,
			   const struct ept_memmap *map, const struct ept_memslot *slot,
			   int *target, bool want_write)
{
	gfn_t gfn = f->gpa >> PAGE_SHIFT;
	int level = it->level;
	u64 e = it->old;
	struct ept_page *child;
	u64 table;

	if (ept_is_poison(e)) {
		stat_add(&mmu->st.poison_seen, 1);
		return EPT_FAULT_RETRY;
	}
	/*
	 * R3: another thread owns a FROZEN entry; back off, the guest
	 * re-faults.  (The R3_FAULT_BACKOFF mutant treats it as empty.)
	 */
	if (rule_check(R3_FAULT_BACKOFF, ept_is_frozen(e))) {
		stat_add(&mmu->st.frozen_backoffs, 1);
		return EPT_FAULT_RETRY;
	}
	if (level == *target && ept_is_table(e, level))
		(*target)--;	/* a table is here: map small; collapse is separate */
	if (level == *target) {
		u64 leaf = ept_leaf_for(map, slot, gfn, level, want_write);
		int ret = ept_fault_install(mmu, f, it->sptep, &e, level, leaf, slot, gfn);

		if (ret >= 0)
			return ret;
		it->old = e;
		stat_add(&mmu->st.cmpxchg_fails, 1);
		return EPT_STEP_AGAIN;
	}
	if (ept_is_table(e, level))
		return EPT_STEP_DOWN;
	child = ept_pool_take(&mmu->pool);
	if (!child)
		return EPT_FAULT_NOMEM;
	if (ept_is_leaf(e, level)) {
		/* A huge leaf above the level we need (dirty logging): split it. */
		struct ept_iter at = {	/* a copy: @it stays in registers */
			.sptep = it->sptep, .old = it->old, .gfn = it->gfn, .level = level,
		};
		bool split = ept_split_huge(mmu, &at, child);

		/* Refreshed on failure; the path walk steps down through it->old. */
		it->old = split ? ept_read_entry(it->sptep) : at.old;
		return split ? EPT_STEP_DOWN : EPT_STEP_AGAIN;
	}
	/*
	 * R1 publish: the child came zeroed from the pool (initialised before
	 * the lock); the locked cmpxchg makes that visible before the entry
	 * is.  Pairs with ept_read_entry() in every walker.
	 */
	table = ept_make_table_entry(child->spt);
	if (!ept_cmpxchg_entry_rule(R1_PLAIN_LINK, it->sptep, &e, table)) {
		it->old = e;
		ept_pool_unused(&mmu->pool, child);
		stat_add(&mmu->st.cmpxchg_fails, 1);
		return EPT_STEP_AGAIN;
	}
	it->old = table;	/* the path walk steps down through it->old */
	return EPT_STEP_DOWN;
}

/*
 * The locked part: walk the path from the root to @f's gfn (the iterator's
 * path walk), building tables on the way, and install the leaf.
 */
static int ept_fault_locked(struct vm_mmu *mmu, struct ept_fault *f, const struct ept_memmap *map,
			    const struct ept_memslot *slot, struct ept_level_token *tok)
{
	gfn_t gfn = f->gpa >> PAGE_SHIFT;
	bool want_write = (f->access & EPT_ACC_WRITE) ||
			  !(slot->flags & EPT_SLOT_DIRTY_LOG);
	struct ept_root *root = ept_active_root_locked(mmu);
	struct ept_iter it;
	int target, races = 0;

	if (!root || READ_ONCE(root->invalid) || gfn >= ept_root_gfn_span(root->level))
		return root ? EPT_FAULT_OUTSIDE : EPT_FAULT_RETRY;
	/* R9 + mapping-level rule (a): only now may the level be consumed. */
	if (!ept_level_check(mmu, tok))
		return EPT_FAULT_RETRY;
	target = ept_level_use(mmu, tok);

	ept_for_each_path_entry(&it, mmu, EPT_WALK_LOCKED, root, gfn) {
		int ret;

		while ((ret = ept_fault_entry(mmu, f, &it, map, slot, &target, want_write)) ==
		       EPT_STEP_AGAIN) {
			f->retries++;
			if (++races > EPT_FAULT_MAX_RACES)
				return EPT_FAULT_RETRY;
		}
		if (ret != EPT_STEP_DOWN)
			return ret;
	}
	/* The table we linked or found was taken away before we stepped into it. */
	return EPT_FAULT_RETRY;
}

static __always_inline int ept_handle_fault_mode(struct vm_mmu *mmu, struct ept_fault *f,
						 bool exclusive)
{
	struct ebr_rec *rec = ept_rec(mmu);
	gfn_t gfn = f->gpa >> PAGE_SHIFT;
	const struct ept_memslot *slot;
	const struct ept_memmap *map;
	struct ept_level_token tok;
	int ret;

	ept_pcpu_add(mmu, faults, 1);
	f->retries = 0;
	f->level = 0;
	if (!(f->access & EPT_RWX))
		f->access |= EPT_ACC_READ;
	/* R9: snapshot before the memory map is read. */
	tok.snap = mmu_invalidate_snapshot(&mmu->inv);
	tok.gfn = gfn;
	tok.proof = EPT_LEVEL_UNCHECKED;
	/* Table pages for every level plus a split, allocated before the lock. */
	if (ept_pool_topup(&mmu->pool, EPT_MAX_LEVEL + 1)) {
		ret = EPT_FAULT_NOMEM;
		goto out_nolock;
	}
	ebr_enter(rec);
	map = ept_memmap_get(mmu);
	slot = ept_memslot_find(map, gfn);
	if (!slot) {
		ret = EPT_FAULT_OUTSIDE;
		goto out_ebr;
	}
	if (slot->kind == EPT_SLOT_MMIO) {
		ret = EPT_FAULT_MMIO;
		goto out_ebr;
	}
	if ((f->access & EPT_ACC_WRITE) &&
	    (slot->kind == EPT_SLOT_ROM || (slot->flags & EPT_SLOT_READONLY))) {
		ret = EPT_FAULT_WRITE_TO_RO;
		goto out_ebr;
	}
	tok.level = ept_max_mapping_level(map, slot, gfn, mmu->max_level);
	/* Cheap lockless pre-check (R9): don't fight an invalidation for the lock. */
	if (mmu_invalidate_retry_gfn_unsafe(&mmu->inv, tok.snap, gfn)) {
		ret = EPT_FAULT_RETRY;
		goto out_ebr;
	}
	if (exclusive) {
		write_lock(&mmu->mmu_lock);
		ret = ept_fault_locked(mmu, f, map, slot, &tok);
		write_unlock(&mmu->mmu_lock);
	} else {
		read_lock(&mmu->mmu_lock);
		ret = ept_fault_locked(mmu, f, map, slot, &tok);
		read_unlock(&mmu->mmu_lock);
	}
out_ebr:
	ebr_exit(rec);
out_nolock:
	f->ret = ret;
	if (ret == EPT_FAULT_FIXED)
		ept_pcpu_add(mmu, fixed, 1);
	else if (ret == EPT_FAULT_SPURIOUS)
		ept_pcpu_add(mmu, spurious, 1);
	else if (ret == EPT_FAULT_RETRY)
		ept_pcpu_add(mmu, retries, 1);
	return ret;
}

int ept_handle_fault(struct vm_mmu *mmu, struct ept_fault *f)
{
	return ept_handle_fault_mode(mmu, f, false);
}

int ept_handle_fault_exclusive(struct vm_mmu *mmu, struct ept_fault *f)
{
	return ept_handle_fault_mode(mmu, f, true);
}
