/* SPDX-License-Identifier: MIT */
/*
 * Internals shared by mm/ept_*.c (not for other subsystems).
 */
#ifndef MM_EPT_INTERNAL_H
#define MM_EPT_INTERNAL_H

#include "mm/ept_iter.h"
#include "mm/ept_mmu.h"

/* Frozen entries one operation may hold before it must flush. */
#define EPT_BATCH_MAX	256

/*
 * struct ept_batch - TLB-flush batching for one operation (R4).
 * @flush:  a translation was removed or changed: flush before unlock/yield
 * @nr:     entries we own FROZEN, each to be set to @final[i] after the
 *          flush (the R3 window covers the flush)
 * @steps:  iterator steps since the last yield (test hook)
 */
struct ept_batch {
	bool flush;
	u32 nr;
	u32 steps;
	u64 __ept *frozen[EPT_BATCH_MAX];
	u64 final[EPT_BATCH_MAX];
};

static inline void ept_batch_init(struct ept_batch *b)
{
	b->flush = false;
	b->nr = 0;
	b->steps = 0;
}

/* Flush if needed, then write the final value of every frozen entry. */
void ept_batch_flush(struct vm_mmu *mmu, struct ept_batch *b);
/* Record an entry we own FROZEN; flushes first if the batch is full. */
void ept_batch_add(struct vm_mmu *mmu, struct ept_batch *b, u64 __ept *sptep, u64 final);

/*
 * ept_changed_entry() - the one bookkeeping function for an entry that went
 * from @old to @new at @level (the entry covers @gfn): mapped counts, rmap
 * add/remove, and teardown of a table that @old pointed to and @new no
 * longer does.  Called exactly once per transition, by the thread whose
 * cmpxchg/xchg made it, under mmu_lock (@shared: read mode) and inside an
 * EBR section.  Returns the number of leaves it removed (with a torn-down
 * table's).
 */
u64 ept_changed_entry(struct vm_mmu *mmu, gfn_t gfn, u64 __ept *sptep, u64 old, u64 new,
		      int level, bool shared);

/*
 * Tear down table @spt (level @level, first gfn @gfn) that was unlinked
 * from its parent: every child is taken over with xchg(FROZEN) (spinning
 * while another thread owns it FROZEN, R3), accounted once, and the page is
 * retired through EBR.
 */
u64 ept_teardown_table(struct vm_mmu *mmu, u64 __ept *spt, int level, gfn_t gfn, bool shared);

/* Exclusive zap of everything @root maps; mmu_lock held for write; flushes. */
u64 ept_zap_root_locked(struct vm_mmu *mmu, struct ept_root *root);

/* The active root's top table under mmu_lock, or NULL. */
struct ept_root *ept_active_root_locked(struct vm_mmu *mmu);

/* Build the leaf value for @gfn in @slot at @level (frame aligned to the level). */
u64 ept_leaf_for(const struct ept_memmap *map, const struct ept_memslot *slot, gfn_t gfn,
		 int level, bool want_write);

/*
 * Fill @child (unpublished) with the 512 leaves one level down that map
 * exactly what huge leaf @huge at @level maps.  Returns the table entry to
 * publish.
 */
u64 ept_fill_split_child(struct ept_page *child, u64 huge, int level);
/* Split huge leaf it->old into @child (shared lock); false if it changed. */
bool ept_split_huge(struct vm_mmu *mmu, struct ept_iter *it, struct ept_page *child);

/* After a successful split publish: account the 512 new leaves. */
void ept_account_split_child(struct vm_mmu *mmu, struct ept_page *child, gfn_t gfn, int level,
			     bool shared);

/* Add @v to a counter of this CPU's struct ept_mmu_pcpu (single writer). */
#define ept_pcpu_add(mmu, field, v)						\
	do {									\
		struct ept_mmu_pcpu *__p = &(mmu)->pcpu[arch_cpu_id()];		\
		WRITE_ONCE(__p->field, __p->field + (v));			\
	} while (0)

static inline struct ebr_rec *ept_rec(struct vm_mmu *mmu)
{
	return ebr_rec_this(&mmu->ebr);
}

#endif /* MM_EPT_INTERNAL_H */
