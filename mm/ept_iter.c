// SPDX-License-Identifier: MIT
/*
 * Pre-order EPT iterator and its yield point (R8).  See mm/ept_iter.h.
 */
#include "mm/ept_iter.h"

#include "lib/mutate.h"
#include "lib/panic.h"
#include "mm/ept_internal.h"
#include "mm/ept_mmu.h"

u32 ept_iter_test_yield_every;

static void ept_iter_load(struct ept_iter *it)
{
	it->sptep = it->path[it->level] + ept_index(it->gfn, it->level);
	it->old = ept_read_entry(it->sptep);
	if (unlikely(ept_is_poison(it->old)))
		it->poison++;
}

u64 ept_iter_reread(struct ept_iter *it)
{
	it->old = ept_read_entry(it->sptep);
	if (unlikely(ept_is_poison(it->old)))
		it->poison++;
	return it->old;
}

void ept_iter_restart(struct ept_iter *it)
{
	it->yielded = false;
	it->level = it->root_level;
	it->gfn = ept_gfn_round(it->next_gfn, it->level);
	ept_iter_load(it);
	it->valid = true;
}

void ept_iter_start(struct ept_iter *it, u64 __ept *root_pt, int root_level, int min_level,
		    gfn_t start, gfn_t end)
{
	it->path[root_level] = root_pt;
	it->root_level = root_level;
	it->min_level = min_level < 1 ? 1 : min_level;
	it->start = start;
	it->end = end;
	it->next_gfn = start;
	it->yielded_gfn = start;
	it->poison = 0;
	it->valid = start < ept_root_gfn_span(root_level);
	if (it->valid)
		ept_iter_restart(it);
}

static bool ept_iter_step_down(struct ept_iter *it)
{
	u64 e;

	if (it->level == it->min_level)
		return false;
	/*
	 * Re-read before descending, so that we never walk into a table that
	 * is no longer linked from this entry.  R1 reader side: see
	 * ept_read_entry().
	 */
	e = ept_iter_reread(it);
	if (!ept_is_table(e, it->level))
		return false;
	it->level--;
	it->path[it->level] = ept_entry_table(e);
	it->gfn = ept_gfn_round(it->next_gfn < it->gfn ? it->gfn : it->next_gfn, it->level);
	ept_iter_load(it);
	return true;
}

static bool ept_iter_step_side(struct ept_iter *it)
{
	if (ept_index(it->gfn, it->level) == EPT_ENTRIES - 1)
		return false;
	it->gfn += ept_pages_per_entry(it->level);
	it->next_gfn = it->gfn;
	it->sptep++;
	it->old = ept_read_entry(it->sptep);
	if (unlikely(ept_is_poison(it->old)))
		it->poison++;
	return true;
}

static bool ept_iter_step_up(struct ept_iter *it)
{
	if (it->level == it->root_level)
		return false;
	it->level++;
	it->gfn = ept_gfn_round(it->gfn, it->level);
	ept_iter_load(it);
	return true;
}

void ept_iter_next(struct ept_iter *it)
{
	if (it->yielded) {
		ept_iter_restart(it);
		return;
	}
	if (ept_iter_step_down(it))
		return;
	do {
		if (ept_iter_step_side(it))
			return;
	} while (ept_iter_step_up(it));
	it->valid = false;
}

void ept_iter_assert_ctx(struct vm_mmu *mmu, enum ept_walk_ctx ctx)
{
	if (unlikely(!ebr_protecting(ept_rec(mmu))))
		panic("ept walk outside an EBR section (cpu %u): a table could be freed under it",
		      arch_cpu_id());
	if (ctx == EPT_WALK_LOCKED)
		assert_held(&mmu->mmu_lock);
}

phys_addr_t ept_iter_table_phys(const struct ept_iter *it)
{
	/* A table is one page, so the entry's page is its table. */
	return arch_virt_to_phys((__force const void *)it->sptep) & ~(phys_addr_t)(PAGE_SIZE - 1);
}

void ept_iter_count_poison(struct vm_mmu *mmu, const struct ept_iter *it)
{
	if (it->poison)
		stat_add(&mmu->st.poison_seen, it->poison);
}

/**
 * ept_walk_leave() - end a walk's (or a yield's) hold on the tables.
 * @mmu:    the MMU whose mmu_lock and EBR section the caller holds
 * @batch:  the walk's pending flushes and frozen entries
 * @shared: mmu_lock is held for read (else for write)
 */
void ept_walk_leave(struct vm_mmu *mmu, struct ept_batch *batch, bool shared)
{
	if (shared)
		assert_held_read(&mmu->mmu_lock);
	else
		assert_held_write(&mmu->mmu_lock);
	/* R4: flush and unfreeze before leaving the section and the lock. */
	ept_batch_flush(mmu, batch);
	ebr_exit(ept_rec(mmu));
	if (shared)
		read_unlock(&mmu->mmu_lock);
	else
		write_unlock(&mmu->mmu_lock);
}

/* After a yield: the next ept_iter_next() starts again from the active root. */
static void ept_iter_rewind(struct vm_mmu *mmu, struct ept_iter *it)
{
	struct ept_root *root = READ_ONCE(mmu->active_root);

	if (!root) {
		it->valid = false;
		return;
	}
	it->root_level = root->level;
	it->path[root->level] = root->page->spt;
	it->yielded = true;
}

bool ept_iter_cond_yield(struct vm_mmu *mmu, struct ept_iter *it, struct ept_batch *batch,
			 bool shared)
{
	struct ebr_rec *rec = ebr_rec_this(&mmu->ebr);
	u32 every = READ_ONCE(ept_iter_test_yield_every);
	bool want;

	WARN_ON(it->yielded);
	/*
	 * R8: forward progress first.  Without it a walker that is always
	 * told to yield (a steady stream of faulters) would restart at the
	 * same gfn forever.
	 */
	if (rule_check(R8_PROGRESS, it->next_gfn == it->yielded_gfn))
		return false;
	want = rwlock_contended(&mmu->mmu_lock);
	if (every && ++batch->steps >= every)
		want = true;
	if (!want)
		return false;
	batch->steps = 0;

	ept_walk_leave(mmu, batch, shared);
	/*
	 * Test hook: a forced yield also runs every pending EBR callback, so
	 * tables removed meanwhile are really freed (poisoned) and a walker
	 * that wrongly resumed in one would meet the poison.
	 */
	if (every)
		ebr_barrier(&mmu->ebr);
	else
		cpu_relax();
	if (shared)
		read_lock(&mmu->mmu_lock);
	else
		write_lock(&mmu->mmu_lock);
	ebr_enter(rec);
	stat_add(&mmu->st.yields, 1);

	it->yielded_gfn = it->next_gfn;
	/*
	 * R8: never reuse it->sptep: the table may be gone.  Restart at the
	 * root (the R8_RESTART mutant resumes at the old entry).
	 */
	rule_step(R8_RESTART, ept_iter_rewind(mmu, it));
	return true;
}
