/* SPDX-License-Identifier: MIT */
/*
 * Guest memory map of a VM: memory slots (gfn range -> host frame range)
 * and the MTRR-like memory-type ranges, published together as one
 * immutable struct ept_memmap.
 *
 * Update protocol (ept_memslot_set(), ept_memmap_set_mtrr() and
 * ept_memslot_dirty_log(), serialised by mmu->memmap_lock):
 *   1. build and validate a new map (a changed or deleted slot, or new
 *      memory types);
 *   2. if any existing translation changes (slot deleted, moved, its frames
 *      or kind changed, made read-only, memory types changed):
 *      mmu_invalidate_range_start(mmu, range) - zaps the EPT and the
 *      pfncaches of the range and flushes; from now on no fault can install
 *      a leaf in the range (R9 in-progress check);
 *   3. publish the new map with store_release (R1: fully built first);
 *   4. mmu_invalidate_range_end(): seq++, so a fault that resolved against
 *      the old map fails its retry check under mmu_lock;
 *   5. retire the old map through EBR (readers hold it only inside an EBR
 *      section).
 * Readers: inside an EBR section, ept_memmap_get() (load_acquire).  A fault
 * takes its invalidation snapshot BEFORE loading the map, so any map it
 * loads that is older than the current one fails the retry check.
 *
 * Dirty logging: a slot with EPT_SLOT_DIRTY_LOG has a bitmap (one bit per
 * page, shared by every map generation of that slot) and maps 4 KiB pages
 * only; enabling it splits huge leaves and write-protects the slot.
 */
#ifndef MM_MEMSLOT_H
#define MM_MEMSLOT_H

#include "lib/compiler.h"
#include "mm/ebr.h"

struct vm_mmu;

enum ept_slot_kind {
	EPT_SLOT_RAM = 0,	/* read/write/execute memory */
	EPT_SLOT_ROM = 1,	/* read/execute; a write is EPT_FAULT_WRITE_TO_RO */
	EPT_SLOT_MMIO = 2,	/* never mapped: a fault is EPT_FAULT_MMIO */
};

#define EPT_SLOT_READONLY	BIT(0)	/* RAM mapped without W */
#define EPT_SLOT_DIRTY_LOG	BIT(1)

#define EPT_MAX_SLOTS		32
#define EPT_MAX_MTRR		16

/*
 * struct ept_dirty_log - a slot's dirty bitmap, one bit per page, kept in
 * whole pages (the heap gives small objects only).  Bits are set with
 * atomic ORs and harvested with xchg of whole words.
 */
struct ept_dirty_log {
	u64 nwords;
	u32 npages;		/* pages in @page */
	u64 *page[];
};

#define EPT_DIRTY_WORDS_PER_PAGE	(PAGE_SIZE / sizeof(u64))

static inline u64 *ept_dirty_word(struct ept_dirty_log *d, u64 word)
{
	return &d->page[word / EPT_DIRTY_WORDS_PER_PAGE][word % EPT_DIRTY_WORDS_PER_PAGE];
}

struct ept_memslot {
	u32 id;
	u32 kind;
	u32 flags;
	gfn_t base_gfn;
	u64 npages;
	pfn_t base_pfn;
	struct ept_dirty_log *dirty;	/* EPT_SLOT_DIRTY_LOG only */
};

struct ept_mtrr_range {
	gfn_t start;
	gfn_t end;		/* exclusive */
	u8 type;		/* EPT_MT_* */
};

/*
 * struct ept_memmap - one immutable generation of the memory map.
 * Slots are sorted by base_gfn and do not overlap.
 */
struct ept_memmap {
	u64 generation;
	u32 nr_slots;
	u32 nr_mtrr;
	u8 mtrr_default;
	struct ept_memslot slot[EPT_MAX_SLOTS];
	struct ept_mtrr_range mtrr[EPT_MAX_MTRR];
	struct ebr_node rcu;
	struct ept_dirty_log *dead_log;	/* freed with this map (logging off / slot gone) */
};

/* The slot containing @gfn, or NULL. */
const struct ept_memslot *ept_memslot_find(const struct ept_memmap *map, gfn_t gfn);
/* Host frame of @gfn in @slot (which contains it). */
static inline pfn_t ept_memslot_pfn(const struct ept_memslot *slot, gfn_t gfn)
{
	return slot->base_pfn + (gfn - slot->base_gfn);
}

/* Caller is inside an EBR section of the VM; R1 reader side. */
const struct ept_memmap *ept_memmap_get(const struct vm_mmu *mmu);

/*
 * ept_memslot_set() - create, change (same id) or delete (npages == 0) a
 * slot.  Returns 0, or with a message -HV_EINVAL (zero id, unknown kind or
 * flags), -HV_ERANGE (frame range overflow), -HV_EBUSY (overlap),
 * -HV_ENOSPC (too many slots), -HV_ENOENT (deleting a slot that is not
 * there) or -HV_ENOMEM.  Must not be called
 * with mmu_lock held or inside an EBR section.
 */
int ept_memslot_set(struct vm_mmu *mmu, const struct ept_memslot *desc);
/*
 * Replace the memory-type ranges (sorted or not; overlaps allowed: UC wins, then WT).
 * 0, -HV_EINVAL (too many, empty or bad type) or -HV_ENOMEM.
 */
int ept_memmap_set_mtrr(struct vm_mmu *mmu, const struct ept_mtrr_range *r, u32 nr,
			u8 default_type);
/*
 * Turn dirty logging of slot @id on or off (allocates / frees the bitmap).
 * 0, -HV_ENOENT (no RAM slot @id) or -HV_ENOMEM.
 */
int ept_memslot_dirty_log(struct vm_mmu *mmu, u32 id, bool on);
/*
 * Harvest the dirty log of slot @id into @out (npages bits, overwritten;
 * DIV_ROUND_UP(npages, 64) words):
 * take the bitmap words atomically, write-protect the pages found dirty,
 * flush once.  Returns the number of dirty pages, or -HV_ENOENT (no slot
 * @id, or it is not logging).
 */
s64 ept_memslot_get_dirty_log(struct vm_mmu *mmu, u32 id, u64 *out);

/* Mark @gfn dirty in its slot if dirty logging is on (atomic OR). */
void ept_memslot_mark_dirty(const struct ept_memslot *slot, gfn_t gfn);

/* Memory map setup/teardown (called by ept_mmu_init/destroy). */
int ept_memmap_init(struct vm_mmu *mmu);
void ept_memmap_destroy(struct vm_mmu *mmu);

#endif /* MM_MEMSLOT_H */
