// SPDX-License-Identifier: MIT
/*
 * Maximum mapping level (slot alignment, memory-type uniformity, dirty
 * logging) and the mapping-level consumption rules.  See mm/ept_level.h.
 */
#include "mm/ept_level.h"

#include "lib/panic.h"
#include "mm/ept_entry.h"
#include "mm/ept_mmu.h"

/* Combine two overlapping MTRR types the way the SDM defines it. */
static u8 ept_mtrr_combine(u8 a, u8 b)
{
	if (a == b)
		return a;
	if (a == EPT_MT_UC || b == EPT_MT_UC)
		return EPT_MT_UC;
	if ((a == EPT_MT_WT && b == EPT_MT_WB) || (a == EPT_MT_WB && b == EPT_MT_WT))
		return EPT_MT_WT;
	return EPT_MT_UC;	/* undefined combinations: be safe */
}

u8 ept_mtrr_type(const struct ept_memmap *map, gfn_t gfn)
{
	bool hit = false;
	u8 t = map->mtrr_default;

	for (u32 i = 0; i < map->nr_mtrr; i++) {
		const struct ept_mtrr_range *r = &map->mtrr[i];

		if (gfn < r->start || gfn >= r->end)
			continue;
		t = hit ? ept_mtrr_combine(t, r->type) : r->type;
		hit = true;
	}
	return t;
}

bool ept_mtrr_uniform(const struct ept_memmap *map, gfn_t start, u64 npages, u8 *type)
{
	gfn_t end = start + npages;

	for (u32 i = 0; i < map->nr_mtrr; i++) {
		const struct ept_mtrr_range *r = &map->mtrr[i];

		if (r->end <= start || r->start >= end)
			continue;		/* misses the range */
		if (r->start > start || r->end < end)
			return false;		/* covers only part of it */
	}
	*type = ept_mtrr_type(map, start);
	return true;
}

int ept_max_mapping_level(const struct ept_memmap *map, const struct ept_memslot *slot,
			  gfn_t gfn, int max_level)
{
	if (slot->kind == EPT_SLOT_MMIO)
		return 0;
	if (slot->flags & EPT_SLOT_DIRTY_LOG)
		return EPT_LEVEL_4K;
	if (max_level > EPT_MAX_HUGE_LEVEL)
		max_level = EPT_MAX_HUGE_LEVEL;
	for (int level = max_level; level > EPT_LEVEL_4K; level--) {
		u64 n = ept_pages_per_entry(level);
		gfn_t base = ept_gfn_round(gfn, level);
		u8 type;

		if (base < slot->base_gfn || base + n > slot->base_gfn + slot->npages)
			continue;	/* the huge range leaves the slot */
		if ((slot->base_gfn ^ slot->base_pfn) & (n - 1))
			continue;	/* gfn and frame not congruent mod the huge size */
		if (!ept_mtrr_uniform(map, base, n, &type))
			continue;	/* mixed memory types */
		return level;
	}
	return EPT_LEVEL_4K;
}

bool ept_level_check(const struct vm_mmu *mmu, struct ept_level_token *t)
{
	assert_held(&mmu->mmu_lock);
	if (mmu_invalidate_retry_gfn(mmu, t->snap, t->gfn))
		return false;
	t->proof = EPT_LEVEL_RETRY_CHECKED;
	return true;
}

bool ept_level_leaf_backed(const struct vm_mmu *mmu, struct ept_level_token *t, u64 entry,
			   int level)
{
	assert_held(&mmu->mmu_lock);
	if (!ept_is_leaf(entry, level))
		return false;	/* a table proves nothing about the backing */
	t->proof = EPT_LEVEL_LEAF_BACKED;
	return true;
}

int ept_level_use(const struct vm_mmu *mmu, const struct ept_level_token *t)
{
	assert_held(&mmu->mmu_lock);
	ASSERT(t->proof == EPT_LEVEL_RETRY_CHECKED || t->proof == EPT_LEVEL_LEAF_BACKED);
	return t->level;
}
