// SPDX-License-Identifier: MIT
/*
 * Zap (shared mode with FROZEN, R3; exclusive mode for invalidation and
 * teardown) and write-protect / dirty harvesting.  Flushes are batched: one
 * per operation, plus one before each yield (R4, R8).
 */
#include "lib/mutate.h"
#include "lib/panic.h"
#include "mm/ept_internal.h"
#include "mm/ept_level.h"

static u64 ept_zap_walk(struct vm_mmu *mmu, struct ept_root *root, gfn_t start, gfn_t end,
			bool shared, struct ept_batch *batch)
{
	struct ept_iter it;
	u64 zapped = 0;

	ept_for_each_root_entry(&it, mmu, EPT_WALK_LOCKED, root, EPT_LEVEL_4K, start, end) {
		u64 size, old;

		if (ept_iter_cond_yield(mmu, &it, batch, shared))
			continue;
retry:
		old = it.old;
		if (!ept_is_present(old))
			continue;	/* empty, or FROZEN: its owner finishes it */
		size = ept_pages_per_entry(it.level);
		if (ept_is_table(old, it.level) && (it.gfn < start || it.gfn + size > end))
			continue;	/* partly covered table: the iterator descends */
		if (shared) {
			/* The R3_ZAP_FREEZE mutant clears the entry instead. */
			u64 mark = rule_value(R3_ZAP_FREEZE, EPT_FROZEN, 0);

			/*
			 * R3: freeze: from here until the batched flush only we
			 * may write this entry; faulters that see FROZEN retry.
			 * R2: cmpxchg against the snapshot; on failure it.old is
			 * refreshed and the entry is looked at again.
			 */
			if (!ept_cmpxchg_entry(it.sptep, &it.old, mark)) {
				stat_add(&mmu->st.cmpxchg_fails, 1);
				goto retry;
			}
			zapped += ept_changed_entry(mmu, it.gfn, it.sptep, old, EPT_FROZEN,
						    it.level, true);
			ept_batch_add(mmu, batch, it.sptep, 0);
		} else {
			/* Exclusive: only hardware/agers race (A/D); xchg keeps them (R2). */
			old = ept_xchg_entry(it.sptep, 0);
			zapped += ept_changed_entry(mmu, it.gfn, it.sptep, old, 0, it.level, false);
			batch->flush = true;
		}
	}
	ept_iter_count_poison(mmu, &it);
	return zapped;
}

u64 ept_zap_gfn_range(struct vm_mmu *mmu, gfn_t start, gfn_t end, bool shared)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_batch batch;
	struct ept_root *root;
	u64 zapped = 0;

	if (shared)
		assert_held_read(&mmu->mmu_lock);
	else
		assert_held_write(&mmu->mmu_lock);
	if (start >= end)
		return 0;
	ept_batch_init(&batch);
	ebr_enter(rec);
	root = ept_active_root_locked(mmu);
	if (root)
		zapped = ept_zap_walk(mmu, root, start, end, shared, &batch);
	/* R4: one flush for the whole operation, before the section ends. */
	ept_batch_flush(mmu, &batch);
	ebr_exit(rec);
	stat_add(&mmu->st.zapped, zapped);
	return zapped;
}

u64 ept_zap_range(struct vm_mmu *mmu, gfn_t start, gfn_t end)
{
	u64 n;

	read_lock(&mmu->mmu_lock);
	n = ept_zap_gfn_range(mmu, start, end, true);
	read_unlock(&mmu->mmu_lock);
	return n;
}

u64 ept_zap_root_locked(struct vm_mmu *mmu, struct ept_root *root)
{
	u64 __ept *pt = root->page->spt;
	u64 zapped_before = READ_ONCE(mmu->st.tables_removed);
	bool any = false;

	assert_held_write(&mmu->mmu_lock);
	for (int i = 0; i < EPT_ENTRIES; i++) {
		u64 old = ept_read_entry(&pt[i]);

		if (!old)
			continue;
		old = ept_xchg_entry(&pt[i], 0);
		ept_changed_entry(mmu, (u64)i * ept_pages_per_entry(root->level), &pt[i], old, 0,
				  root->level, false);
		any = true;
	}
	/* R4: flush before the caller drops mmu_lock and leaves its section. */
	if (any)
		rule_step(R4_BATCH_FLUSH, ept_flush_sync(mmu));
	return READ_ONCE(mmu->st.tables_removed) - zapped_before;
}

u64 ept_write_protect_range(struct vm_mmu *mmu, gfn_t start, gfn_t end, bool clear_dirty)
{
	struct ebr_rec *rec = ept_rec(mmu);
	u64 mask = EPT_W | (clear_dirty ? EPT_D : 0);
	const struct ept_memmap *map;
	struct ept_batch batch;
	struct ept_root *root;
	struct ept_iter it;
	u64 changed = 0;

	ept_batch_init(&batch);
	read_lock(&mmu->mmu_lock);
	ebr_enter(rec);
	map = ept_memmap_get(mmu);
	root = ept_active_root_locked(mmu);
	if (!root || start >= end)
		goto out;
	ept_for_each_root_entry(&it, mmu, EPT_WALK_LOCKED, root, EPT_LEVEL_4K, start, end) {
		u64 old;

		if (ept_iter_cond_yield(mmu, &it, &batch, true)) {
			map = ept_memmap_get(mmu);
			continue;
		}
retry:
		old = it.old;
		if (!ept_is_leaf(old, it.level) || !(old & mask))
			continue;
		/*
		 * R2: cmpxchg, never a plain read-modify-write: hardware sets
		 * A/D, the fault path sets W and agers clear A concurrently.
		 * Not fetch_and: the entry might have become a table meanwhile.
		 */
		if (!ept_cmpxchg_entry_rule(R2_WRPROT, it.sptep, &it.old, old & ~mask)) {
			stat_add(&mmu->st.cmpxchg_fails, 1);
			goto retry;
		}
		if (clear_dirty && (old & EPT_D)) {
			const struct ept_memslot *slot = ept_memslot_find(map, it.gfn);

			for (u64 i = 0; slot && i < ept_pages_per_entry(it.level); i++)
				ept_memslot_mark_dirty(slot, it.gfn + i);
		}
		if (old & EPT_W)
			batch.flush = true;
		changed++;
	}
	ept_iter_count_poison(mmu, &it);
out:
	ept_walk_leave(mmu, &batch, true);
	stat_add(&mmu->st.wrprot, changed);
	return changed;
}
