// SPDX-License-Identifier: MIT
/*
 * Accessed-bit aging through the rmap (mm/rmap.h): which guest pages were
 * used since the last pass.  The lockless walk takes no mmu_lock: it runs
 * inside an EBR section (leaves live in EPT pages freed through EBR) and
 * holds each rmap head's bit lock read-only (R13).  The entries themselves
 * are not protected by that lock: an entry may be zapped, frozen or
 * replaced while we look, so the A bit is cleared with one atomic AND
 * (R2), which is harmless on a non-present or FROZEN entry (no A bit).
 */
#include "mm/rmap.h"

#include "lib/atomic.h"
#include "lib/lockdep.h"
#include "lib/rwlock.h"
#include "mm/ebr.h"
#include "mm/ept_entry.h"
#include "mm/ept_mmu.h"

/* Heads walked per EBR section: bounds how long one pass holds back GPs. */
#define EPT_AGE_HEADS_PER_SECTION	512

/*
 * Test and clear A in one leaf.  Never a plain read-modify-write: the
 * fault path (W), the hardware (A/D) and zaps change the same word.
 */
static void ept_age_visit(u64 __ept *sptep, void *arg)
{
	u64 *young = arg;

	if (ept_test_and_clear_accessed(sptep))
		(*young)++;
}

/* Clamp [start, end) to the table; false if nothing is left. */
static bool ept_age_clamp(const struct rmap_table *rt, gfn_t *start, gfn_t *end)
{
	gfn_t lo = rt->base_gfn, hi = rt->base_gfn + rt->nr_gfns;

	if (*start < lo)
		*start = lo;
	if (*end > hi)
		*end = hi;
	return *start < *end;
}

/*
 * Walk every head of every level covering [start, end).  @lockless: take
 * the read-only bit lock (no mmu_lock); else the caller excluded writers.
 */
static u64 ept_age_walk(struct rmap_table *rt, gfn_t start, gfn_t end, bool lockless)
{
	struct ebr_rec *rec = ebr_rec_this(rt->ebr);
	unsigned int in_section = 0;
	u64 young = 0;

	if (!ept_age_clamp(rt, &start, &end))
		return 0;
	ebr_enter(rec);
	for (int level = RMAP_LEVEL_MIN; level <= RMAP_LEVEL_MAX; level++) {
		u64 span = ept_pages_per_entry(level);
		gfn_t first = rt->base_gfn + ALIGN_DOWN(start - rt->base_gfn, span);

		for (gfn_t g = first; g < end; g += span) {
			if (lockless)
				rmap_walk_readonly(rt, g, level, ept_age_visit, &young);
			else
				rmap_walk_stable(rt, g, level, ept_age_visit, &young);
			/* Let grace periods advance during a long pass. */
			if (++in_section == EPT_AGE_HEADS_PER_SECTION) {
				in_section = 0;
				ebr_exit(rec);
				ebr_enter(rec);
			}
		}
	}
	ebr_exit(rec);
	return young;
}

/**
 * ept_age_table_range() - lockless aging pass over [start, end).
 * @rt:    the rmap
 * @start: first gfn
 * @end:   one past the last gfn
 *
 * No TLB flush: a cached translation with a stale A=1 only means the CPU
 * will not set A again for that page until the entry leaves the TLB, which
 * delays the next "young" report; no write is lost and no wrong frame is
 * mapped.
 *
 * Return: the number of present leaves whose A bit this pass cleared.
 */
u64 ept_age_table_range(struct rmap_table *rt, gfn_t start, gfn_t end)
{
	return ept_age_walk(rt, start, end, true);
}

/* As ept_age_table_range() for a caller that excluded every rmap writer. */
u64 ept_age_table_range_stable(struct rmap_table *rt, gfn_t start, gfn_t end)
{
	return ept_age_walk(rt, start, end, false);
}

u64 ept_age_range(struct vm_mmu *mmu, gfn_t start, gfn_t end)
{
	if (!mmu->has_rmap)
		return 0;
	return ept_age_table_range(&mmu->rmap, start, end);
}

u64 ept_age_range_write_lock(struct vm_mmu *mmu, gfn_t start, gfn_t end)
{
	u64 young;

	if (!mmu->has_rmap)
		return 0;
	write_lock(&mmu->mmu_lock);
	young = ept_age_table_range_stable(&mmu->rmap, start, end);
	write_unlock(&mmu->mmu_lock);
	return young;
}
