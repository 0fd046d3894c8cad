// SPDX-License-Identifier: MIT
/*
 * Huge-page split (shared lock, no flush) and collapse (freeze, tear down,
 * flush, install).  See docs/ept.md.
 */
#include "lib/errno.h"
#include "lib/mutate.h"
#include "lib/panic.h"
#include "mm/ept_internal.h"
#include "mm/ept_level.h"

u64 ept_fill_split_child(struct ept_page *child, u64 huge, int level)
{
	int cl = level - 1;
	u64 step = ept_pages_per_entry(cl);
	u64 base = huge & ~EPT_PFN_MASK;
	pfn_t pfn = ept_entry_pfn(huge);

	if (cl == EPT_LEVEL_4K)
		base &= ~EPT_LEAF;
	/*
	 * R1: plain stores into a page nobody can see yet; the publishing
	 * cmpxchg orders them before the table entry becomes present.
	 */
	for (int i = 0; i < EPT_ENTRIES; i++)
		ept_write_entry(&child->spt[i], base | (((pfn + (u64)i * step) << PAGE_SHIFT) &
							EPT_PFN_MASK));
	return ept_make_table_entry(child->spt);
}

void ept_account_split_child(struct vm_mmu *mmu, struct ept_page *child, gfn_t gfn, int level,
			     bool shared)
{
	u64 step = ept_pages_per_entry(level);

	for (int i = 0; i < EPT_ENTRIES; i++)
		ept_changed_entry(mmu, gfn + (u64)i * step, &child->spt[i], 0,
				  ept_read_entry(&child->spt[i]), level, shared);
}

/* Undo ept_account_split_child() for a child that was never published. */
static void ept_unaccount_split_child(struct vm_mmu *mmu, struct ept_page *child, gfn_t gfn,
				      int level)
{
	u64 step = ept_pages_per_entry(level);

	for (int i = 0; i < EPT_ENTRIES; i++)
		ept_changed_entry(mmu, gfn + (u64)i * step, &child->spt[i],
				  ept_read_entry(&child->spt[i]), 0, level, true);
}

/*
 * ept_split_huge() - replace huge leaf @it->old by an equivalent table.
 * Caller holds mmu_lock for read, is in an EBR section, and @child is a
 * fresh page from the pool.  Returns true if the split was published;
 * false (child given back) if the entry changed under us.
 *
 * No flush: every translation stays the same, so a vCPU may use the old
 * huge TLB entry or the new small ones interchangeably; a later change of
 * a small entry flushes, which also drops the huge TLB entry.
 */
bool ept_split_huge(struct vm_mmu *mmu, struct ept_iter *it, struct ept_page *child)
{
	u64 huge = it->old;
	gfn_t gfn = it->gfn;
	int level = it->level;
	u64 table;

	/*
	 * R1: fill the child before it is published (the R1_SPLIT_PUBLISH
	 * mutant publishes it empty and fills it afterwards).  Account the
	 * children first, so a zap of a child never precedes its add.
	 */
	table = ept_make_table_entry(child->spt);
	rule_step(R1_SPLIT_PUBLISH, ept_fill_split_child(child, huge, level),
		  ept_account_split_child(mmu, child, gfn, level - 1, true));
	/*
	 * R1 publish: the child is complete; the locked cmpxchg makes all its
	 * stores visible before the table entry.  Pairs with ept_read_entry()
	 * in walkers.  R2: against the snapshot, so a concurrent A/D update,
	 * zap or other split makes us back off.
	 */
	if (!ept_cmpxchg_entry(it->sptep, &it->old, table)) {
		rule_step(R1_SPLIT_PUBLISH, ept_unaccount_split_child(mmu, child, gfn, level - 1));
		ept_pool_unused(&mmu->pool, child);
		stat_add(&mmu->st.cmpxchg_fails, 1);
		return false;
	}
	rule_mutant_step(R1_SPLIT_PUBLISH, ept_fill_split_child(child, huge, level),
			 ept_account_split_child(mmu, child, gfn, level - 1, true));
	ept_changed_entry(mmu, gfn, it->sptep, huge, table, level, true);
	stat_add(&mmu->st.splits, 1);
	return true;
}

/* Drop the lock and the section to refill the page cache (R4, R8 rules apply). */
static int ept_relock_topup(struct vm_mmu *mmu, struct ept_iter *it, struct ept_batch *batch)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_root *root;
	int ret;

	ept_walk_leave(mmu, batch, true);
	ret = ept_pool_topup(&mmu->pool, 4);
	read_lock(&mmu->mmu_lock);
	ebr_enter(rec);
	root = ept_active_root_locked(mmu);
	if (!root) {
		it->valid = false;
		return -HV_ENOENT;
	}
	it->root_level = root->level;
	it->path[root->level] = root->page->spt;
	it->yielded = true;	/* restart from the root at next_gfn */
	it->yielded_gfn = it->next_gfn;
	return ret;
}

s64 ept_split_range(struct vm_mmu *mmu, gfn_t start, gfn_t end, int target_level)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_batch batch;
	struct ept_root *root;
	struct ept_iter it;
	s64 splits = 0;
	bool nomem = false;

	if (target_level < EPT_LEVEL_4K || target_level >= EPT_MAX_HUGE_LEVEL || start >= end)
		return 0;
	if (ept_pool_topup(&mmu->pool, 4))
		return -HV_ENOMEM;
	ept_batch_init(&batch);
	read_lock(&mmu->mmu_lock);
	ebr_enter(rec);
	root = ept_active_root_locked(mmu);
	if (!root)
		goto out;
	ept_for_each_root_entry(&it, mmu, EPT_WALK_LOCKED, root, target_level + 1, start, end) {
		struct ept_page *child;

		if (ept_iter_cond_yield(mmu, &it, &batch, true))
			continue;
again:
		if (!ept_is_leaf(it.old, it.level) || it.level <= target_level)
			continue;
		child = ept_pool_take(&mmu->pool);
		if (!child) {
			if (ept_relock_topup(mmu, &it, &batch)) {
				nomem = true;
				break;
			}
			continue;
		}
		/* On failure it.old holds the new value: look at the entry again. */
		if (!ept_split_huge(mmu, &it, child))
			goto again;
		splits++;
	}
	ept_iter_count_poison(mmu, &it);
out:
	ept_walk_leave(mmu, &batch, true);
	return nomem ? -HV_ENOMEM : splits;
}

u64 ept_collapse_range(struct vm_mmu *mmu, gfn_t start, gfn_t end)
{
	struct ebr_rec *rec = ept_rec(mmu);
	const struct ept_memmap *map;
	struct ept_batch batch;
	struct ept_root *root;
	struct ept_iter it;
	u64 collapsed = 0;

	if (start >= end)
		return 0;
	ept_batch_init(&batch);
	read_lock(&mmu->mmu_lock);
	ebr_enter(rec);
	map = ept_memmap_get(mmu);
	root = ept_active_root_locked(mmu);
	if (!root)
		goto out;
	ept_for_each_root_entry(&it, mmu, EPT_WALK_LOCKED, root, EPT_LEVEL_2M, start, end) {
		struct ept_level_token tok;
		const struct ept_memslot *slot;
		u64 size = ept_pages_per_entry(it.level);
		u64 old, leaf;

		if (ept_iter_cond_yield(mmu, &it, &batch, true)) {
			map = ept_memmap_get(mmu);
			continue;
		}
		old = it.old;
		if (it.level > EPT_MAX_HUGE_LEVEL || it.level > mmu->max_level ||
		    !ept_is_table(old, it.level) || it.gfn < start || it.gfn + size > end)
			continue;
		slot = ept_memslot_find(map, it.gfn);
		if (!slot)
			continue;
		/*
		 * Mapping-level rule (a): we only saw a table here, which proves
		 * nothing about the backing, so the level must pass the
		 * invalidation check under mmu_lock before it is consumed.
		 * Under mmu_lock the sequence cannot move, so the snapshot is
		 * taken here, before the map is consulted again.
		 */
		tok.snap = mmu_invalidate_snapshot(&mmu->inv);
		tok.gfn = it.gfn;
		tok.proof = EPT_LEVEL_UNCHECKED;
		tok.level = ept_max_mapping_level(map, slot, it.gfn, mmu->max_level);
		if (tok.level < it.level || !ept_level_check(mmu, &tok))
			continue;
		if (ept_level_use(mmu, &tok) < it.level)
			continue;
		leaf = ept_leaf_for(map, slot, it.gfn, it.level, false);
		/* R3: freeze the table entry: we own it until the install. */
		if (!ept_cmpxchg_entry(it.sptep, &it.old, EPT_FROZEN)) {
			stat_add(&mmu->st.cmpxchg_fails, 1);
			continue;
		}
		ept_changed_entry(mmu, it.gfn, it.sptep, old, EPT_FROZEN, it.level, true);
		/*
		 * R4: flush before the huge leaf goes in, so no CPU holds the
		 * old small translations (or the old table) alongside the new
		 * huge one; also covers anything already batched.
		 */
		batch.flush = true;
		ept_batch_flush(mmu, &batch);
		/* Account first (see ept_fault_install()), then publish. */
		ept_changed_entry(mmu, it.gfn, it.sptep, EPT_FROZEN, leaf, it.level, true);
		/* R3: we own the FROZEN entry; a plain store installs the leaf. */
		ept_write_entry(it.sptep, leaf);
		it.old = leaf;
		collapsed++;
		stat_add(&mmu->st.collapses, 1);
	}
	ept_iter_count_poison(mmu, &it);
out:
	ept_walk_leave(mmu, &batch, true);
	return collapsed;
}
