/* SPDX-License-Identifier: MIT */
/*
 * Reverse map: gfn (per mapping level) -> the EPT leaf entries that map it,
 * so that accessed-bit aging can find the leaves of a gfn range without
 * walking the EPT and without mmu_lock (rule R13, docs/locking.md).
 *
 * Head word, one per gfn and level (u64):
 *   0                     empty (never locked, see below)
 *   sptep                 exactly one leaf (EPT entries are 8-byte aligned)
 *   desc | RMAP_MANY      a chain of struct rmap_desc
 *   | BITLOCK_LOCKED      bit 1, the bit lock of lib/bitlock.h
 *
 * Who may change a head:
 *   - The EPT core calls rmap_add()/rmap_remove() exactly once per leaf
 *     installed/removed, under mmu_lock in EITHER mode.  Faults install
 *     leaves under the SHARED lock, so several CPUs may update one head at
 *     once: a non-empty head is changed only under its bit lock, and the
 *     empty -> first-entry transition is a cmpxchg(0 -> sptep) (retried on
 *     failure), because the bit lock never locks an empty word.
 *   - Agers (ept_age_range) walk without mmu_lock, inside an EBR section,
 *     holding the bit lock "read-only": they never change the chain and
 *     unlock by restoring the value they locked.  That restore cannot
 *     clobber a writer's update: writers wait for the bit (so nobody changed
 *     the word while the reader held it), and readers never lock an empty
 *     word (so a writer's cmpxchg(0 -> sptep) never races a reader's restore).
 * The bit lock protects the CHAIN, not the entries it points to: an ager may
 * find an entry that became non-present or FROZEN and must skip it.
 * Descriptors are freed through EBR.
 */
#ifndef MM_RMAP_H
#define MM_RMAP_H

#include "lib/types.h"
#include "lib/compiler.h"
#include "mm/ebr.h"

struct vm_mmu;

#define RMAP_MANY		BIT(0)	/* head points to a struct rmap_desc */

/* Mapping levels, EPT numbering: 1 = 4 KiB leaf, 2 = 2 MiB, 3 = 1 GiB. */
#define RMAP_LEVEL_MIN		1
#define RMAP_LEVEL_MAX		3
#define RMAP_NR_LEVELS		(RMAP_LEVEL_MAX - RMAP_LEVEL_MIN + 1)

/* Heads live in pages of 512; a directory page holds 512 such pages. */
#define RMAP_HEADS_PER_PAGE	(PAGE_SIZE / sizeof(u64))
#define RMAP_MAX_DIRS		64	/* 64 x 512 x 512 x 4 KiB = 64 GiB of guest */

/*
 * struct rmap_desc - a chunk of a chain of more than one entry.  Changed
 * only under the head's bit lock; freed through EBR (poisoned first).
 * Layout: EBR node, then everything the poisoning overwrites.
 */
#define RMAP_DESC_ENTRIES	11
#define RMAP_DESC_MAGIC		0x524d4150u	/* "RMAP" */
#define RMAP_DESC_RETIRED	0x52455449u	/* "RETI": unlinked, awaiting EBR */
#define RMAP_DESC_POISON_BYTE	0x6b

struct rmap_desc {
	struct ebr_node ebr;
	u32 magic;
	u32 nr;
	struct rmap_desc *more;
	u64 __ept *sptes[RMAP_DESC_ENTRIES];
};

/*
 * struct rmap_table - the rmap heads of one VM, for gfns [base, base + nr).
 * Allocated once by rmap_table_init(); the head pages never move, so a head
 * pointer stays valid for the table's life.
 */
struct rmap_table {
	gfn_t base_gfn;
	u64 nr_gfns;
	struct ebr_domain *ebr;		/* descriptors are retired here */
	u64 bad_desc;			/* walks that met a non-live descriptor (bug) */
	u64 **dirs[RMAP_NR_LEVELS][RMAP_MAX_DIRS];
};

/*
 * 0, or with a message -HV_ERANGE if the range is empty or too large,
 * -HV_ENOMEM if memory runs out.
 * @ebr is the domain whose sections protect the EPT walkers (descriptors
 * and EPT pages are retired to it).
 */
int rmap_table_init(struct rmap_table *rt, gfn_t base_gfn, u64 nr_gfns, struct ebr_domain *ebr);
/* Frees the head pages; every head must be empty (checked, reported). */
void rmap_table_destroy(struct rmap_table *rt);

/*
 * Record / forget one EPT leaf @sptep mapping @gfn at @level.  Caller holds
 * mmu->mmu_lock in either mode (asserted).  rmap_add() returns 0, or
 * -HV_ENOMEM when no descriptor could be allocated, -HV_ERANGE when @gfn or
 * @level is outside the table, -HV_EINVAL for a misaligned @sptep (reported;
 * the leaf then is not aged, nothing else depends on the rmap).
 */
int rmap_add(struct vm_mmu *mmu, gfn_t gfn, u64 __ept *sptep, int level);
void rmap_remove(struct vm_mmu *mmu, gfn_t gfn, u64 __ept *sptep, int level);

/* The same on a bare table, for a caller holding its own mmu_lock stand-in. */
int rmap_table_add(struct rmap_table *rt, gfn_t gfn, u64 __ept *sptep, int level);
void rmap_table_remove(struct rmap_table *rt, gfn_t gfn, u64 __ept *sptep, int level);

/*
 * Walk the entries recorded for (@gfn, @level) under the head's read-only
 * bit lock; call @fn for each.  No mmu_lock needed; the caller must be
 * inside an EBR section (entries point into EPT pages freed through EBR).
 * Returns the number of entries visited.
 */
typedef void (*rmap_visit_fn)(u64 __ept *sptep, void *arg);
unsigned int rmap_walk_readonly(struct rmap_table *rt, gfn_t gfn, int level,
				rmap_visit_fn fn, void *arg);

/*
 * The same walk for a caller that holds mmu_lock for WRITE (no rmap writer
 * can run): no bit lock taken.
 */
unsigned int rmap_walk_stable(struct rmap_table *rt, gfn_t gfn, int level,
			      rmap_visit_fn fn, void *arg);

/*
 * Accessed-bit aging of the leaves mapping gfns [start, end): test-and-clear
 * the A bit of every present leaf (atomic fetch_and, R2).  Returns the number
 * of young leaves found.
 *   ept_age_range()             no mmu_lock: EBR section + read-only bit lock
 *   ept_age_range_write_lock()  the same walk under mmu_lock held for write
 *                               (the comparison point of bench_age)
 * No TLB flush: a TLB entry with a stale A=1 only means the CPU will not set
 * A again for that page until the entry is evicted, which delays the next
 * "young" report; it never loses a write or maps a wrong frame.
 */
u64 ept_age_range(struct vm_mmu *mmu, gfn_t start, gfn_t end);
u64 ept_age_range_write_lock(struct vm_mmu *mmu, gfn_t start, gfn_t end);
/*
 * Table-level walks (the vm_mmu versions call them): lockless, or with
 * every rmap writer excluded by the caller.
 */
u64 ept_age_table_range(struct rmap_table *rt, gfn_t start, gfn_t end);
u64 ept_age_table_range_stable(struct rmap_table *rt, gfn_t start, gfn_t end);

#endif /* MM_RMAP_H */
