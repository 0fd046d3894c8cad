/* SPDX-License-Identifier: MIT */
/*
 * Largest EPT leaf level allowed for a gfn, and the rules for consuming it
 * (the mapping-level rules, docs/ept.md "Mapping-level rules").
 *
 * A level L > 1 is allowed for @gfn only when the whole L-aligned gfn range
 * around it
 *   - lies inside one slot of kind RAM or ROM (MMIO: level 0, never mapped),
 *   - is congruent to its host frames: gfn and host frame are equal mod the
 *     huge size (otherwise the huge leaf would map the wrong frames),
 *   - has a uniform memory type (every MTRR range either covers it fully
 *     or misses it), and
 *   - the slot is not dirty-logged (dirty logging tracks 4 KiB pages).
 *
 * The level is computed WITHOUT mmu_lock from a memory map that may already
 * be stale.  It may be consumed (used to install a leaf) only
 *   (a) under mmu_lock after mmu_invalidate_retry_gfn() said "no retry" for
 *       the snapshot taken BEFORE the map was read, or
 *   (b) under mmu_lock for a gfn that has an existing present LEAF: an
 *       invalidation of that gfn would have zapped it, and no invalidation
 *       can complete while we hold mmu_lock.
 * Seeing only a non-leaf (a table) proves nothing about the gfn's backing
 * and never allows consuming the level.  struct ept_level_token carries
 * which proof was made; ept_level_use() asserts one was.
 */
#ifndef MM_EPT_LEVEL_H
#define MM_EPT_LEVEL_H

#include "mm/memslot.h"

struct vm_mmu;

/* MTRR type of @gfn (UC wins over everything, WT over WB, else the range's type). */
u8 ept_mtrr_type(const struct ept_memmap *map, gfn_t gfn);
/*
 * True when [start, start + npages) has one memory type; it is stored in
 * *@type.
 */
bool ept_mtrr_uniform(const struct ept_memmap *map, gfn_t start, u64 npages, u8 *type);

/*
 * Largest level (1..@max_level) allowed for @gfn in @slot; 0 for MMIO
 * slots.  Pure function of the map.
 */
int ept_max_mapping_level(const struct ept_memmap *map, const struct ept_memslot *slot,
			  gfn_t gfn, int max_level);

enum ept_level_proof {
	EPT_LEVEL_UNCHECKED = 0,
	EPT_LEVEL_RETRY_CHECKED,	/* rule (a) */
	EPT_LEVEL_LEAF_BACKED,		/* rule (b) */
};

struct ept_level_token {
	int level;
	gfn_t gfn;
	u64 snap;			/* invalidation snapshot taken before the map read */
	enum ept_level_proof proof;
};

/*
 * Rule (a): under mmu_lock; returns true (and marks the token checked) if
 * no invalidation touched @t->gfn since @t->snap; false means retry.
 */
bool ept_level_check(const struct vm_mmu *mmu, struct ept_level_token *t);
/*
 * Rule (b): under mmu_lock; @entry was just read at @level for @t->gfn and
 * must be a present leaf.  Returns false (token unchanged) otherwise.
 */
bool ept_level_leaf_backed(const struct vm_mmu *mmu, struct ept_level_token *t, u64 entry,
			   int level);
/* The level, asserting mmu_lock is held and a proof was made. */
int ept_level_use(const struct vm_mmu *mmu, const struct ept_level_token *t);

#endif /* MM_EPT_LEVEL_H */
