/* SPDX-License-Identifier: MIT */
/*
 * The per-VM EPT MMU: roots, the shared-mode fault path, zap, write-protect
 * and dirty logging, split and collapse of huge pages, teardown.
 * Design and protocols: docs/ept.md; ordering rules R1-R4, R7, R8, R11:
 * docs/locking.md.
 *
 * Locking:
 *   mmu_lock (rwlock) read:  faults, shared-mode zap / write-protect /
 *                            split / collapse; every entry change is a
 *                            cmpxchg against a snapshot (R2), removals go
 *                            through EPT_FROZEN (R3)
 *   mmu_lock write:          invalidation (mmu_invalidate_range_start calls
 *                            ept_zap_gfn_range(.., shared = false)), root
 *                            replacement, destroy
 *   EBR section:             every walk; table pages are retired to EBR and
 *                            freed after a grace period that also waits for
 *                            every vCPU's EPT flush (R4, mm/ept_flush.h)
 *   memmap_lock (spinlock):  serialises memory-map updates (mm/memslot.h);
 *                            taken before mmu_lock, never inside it
 *   roots_lock (spinlock):   the root list (R7)
 *
 * Interface for mm/mmu_invalidate.c, mm/rmap.c and mm/pfncache.c: struct
 * vm_mmu embeds `inv`, `rmap` and `gpc`; ept_zap_gfn_range() below;
 * rmap_add()/rmap_remove() are called exactly once per leaf installed /
 * removed, under mmu_lock (either mode), from ept_changed_entry().
 */
#ifndef MM_EPT_MMU_H
#define MM_EPT_MMU_H

#include "lib/rwlock.h"
#include "lib/spinlock.h"
#include "mm/ebr.h"
#include "mm/ept_entry.h"
#include "mm/ept_flush.h"
#include "mm/ept_pool.h"
#include "mm/memslot.h"
#include "mm/mmu_invalidate.h"
#include "mm/pfncache.h"
#include "mm/rmap.h"

/*
 * struct ept_root - one EPT root (an EPTP).
 * @refcount: R7: references; 0 means dying (gets use inc-not-zero inside an
 *            EBR section); the MMU holds one reference while the root is
 *            the active one
 * @invalid:  set under mmu_lock for write when the root is replaced; a
 *            fault that finds it set under mmu_lock retries
 * @page:     the top-level table
 * @level:    4 or 5
 */
struct ept_root {
	u32 refcount;
	bool invalid;
	int level;
	struct ept_page *page;
	struct ept_root *next;		/* roots list, under roots_lock */
	struct vm_mmu *mmu;
	struct ebr_node rcu;
};

/* Fault result codes of ept_handle_fault(). */
enum ept_fault_ret {
	EPT_FAULT_FIXED = 0,		/* a leaf was installed or upgraded */
	EPT_FAULT_SPURIOUS,		/* the entry already allowed the access */
	EPT_FAULT_RETRY,		/* raced; re-enter the guest (it re-faults) */
	EPT_FAULT_MMIO,			/* MMIO slot: emulate the access */
	EPT_FAULT_OUTSIDE,		/* no slot: report to the VM's owner */
	EPT_FAULT_NOMEM,		/* no table page: free memory and retry */
	EPT_FAULT_WRITE_TO_RO,		/* write to ROM or a read-only slot */
};

#define EPT_ACC_READ	EPT_R
#define EPT_ACC_WRITE	EPT_W
#define EPT_ACC_EXEC	EPT_X

/*
 * struct ept_fault - one EPT violation, filled by the VMX exit handler from
 * the guest-physical address and the exit qualification's access bits.
 * @gpa:      faulting guest-physical address
 * @access:   EPT_ACC_* bits of the access
 * @pfn, @level, @ret: out: what was mapped (valid for FIXED / SPURIOUS)
 * @retries:  out: internal cmpxchg / FROZEN back-offs
 */
struct ept_fault {
	gpa_t gpa;
	u64 access;
	pfn_t pfn;
	int level;
	int ret;
	u32 retries;
};

/*
 * struct ept_mmu_config - ept_mmu_init() parameters.
 * @five_level:      5-level root (VMX capability "page-walk length 5")
 * @max_table_pages: hard limit on EPT table pages (pool size)
 * @gfn_limit:       gfns the rmap must cover, from 0 (0: no rmap)
 * @flush_ops:       the platform's INVEPT / kick (may be NULL: no vCPUs)
 * @max_level:       largest leaf level to use (1..3; 0 means 3)
 */
struct ept_mmu_config {
	bool five_level;
	u64 max_table_pages;
	u64 gfn_limit;
	const struct ept_flush_ops *flush_ops;
	int max_level;
};

/* Counters; the mapped counts are exact (see ept_mmu_audit()). */
struct ept_mmu_stats {
	u64 mapped[EPT_MAX_HUGE_LEVEL + 1];	/* present leaves per level */
	u64 faults, fixed, spurious, retries, frozen_backoffs, cmpxchg_fails;
	u64 zapped, tables_removed, splits, collapses, wrprot, yields;
	u64 flushes;				/* flush requests issued by this MMU */
	u64 poison_seen;			/* walkers that met a poisoned entry */
	u64 teardown_spins;			/* xchg spins on a child owned FROZEN */
};

/*
 * struct ept_mmu_pcpu - hot counters, one cache line per CPU, each written
 * only by its own CPU (WRITE_ONCE) and summed by readers: the fault path
 * writes no shared line for statistics.  mapped[] is exact as a sum.
 */
struct ept_mmu_pcpu {
	s64 mapped[EPT_MAX_HUGE_LEVEL + 1];
	u64 faults, fixed, spurious, retries;
} __cacheline_aligned;

struct vm_mmu {
	rwlock_t mmu_lock;
	struct mmu_invalidate inv;
	struct rmap_table rmap;
	struct gpc_vm_state gpc;

	struct ebr_domain ebr;
	struct ept_flush flush;
	struct ept_pool pool;

	spinlock_t roots_lock;
	struct ept_root *roots;		/* every root not yet freed */
	struct ept_root *active_root;	/* R7: read inside EBR, changed under mmu_lock write */
	int root_level;
	int max_level;
	bool has_rmap;

	spinlock_t memmap_lock;
	struct ept_memmap *memmap;	/* R1 publish; see mm/memslot.h */

	struct ept_mmu_stats st;		/* cold counters (mapped/faults...: see pcpu) */
	struct ept_mmu_pcpu pcpu[HV_MAX_CPUS];
};

/* 0, or the failing step's negated HV_E* value (-HV_EINVAL a bad @cfg, -HV_ENOMEM). */
int ept_mmu_init(struct vm_mmu *mmu, const struct ept_mmu_config *cfg);
void ept_mmu_destroy(struct vm_mmu *mmu);

/* Register the calling CPU with the VM's EBR domain (once per thread/CPU). */
void ept_mmu_cpu_register(struct vm_mmu *mmu);
void ept_mmu_cpu_unregister(struct vm_mmu *mmu);

/* Handle one EPT violation; returns enum ept_fault_ret (also in f->ret). */
int ept_handle_fault(struct vm_mmu *mmu, struct ept_fault *f);
/*
 * The same with mmu_lock taken for write: the benchmarks' baseline of a
 * global lock (tests/bench/bench_ept.c); hv itself never calls it.
 */
int ept_handle_fault_exclusive(struct vm_mmu *mmu, struct ept_fault *f);

/*
 * ept_zap_gfn_range() - remove every leaf mapping a gfn in [start, end) and
 * every table left covering only that range.
 * @shared: caller holds mmu_lock for read (entries are frozen, R3) or, if
 *          false, for write (exclusive: plain xchg, never sees FROZEN).
 * Flushes (once, if anything changed) before returning, so the caller
 * needs no flush of its own.  May drop and retake mmu_lock (same mode) to
 * yield when contended (R8).  Returns the number of leaves removed.
 */
u64 ept_zap_gfn_range(struct vm_mmu *mmu, gfn_t start, gfn_t end, bool shared);
/* The same, taking mmu_lock for read itself. */
u64 ept_zap_range(struct vm_mmu *mmu, gfn_t start, gfn_t end);

/*
 * Clear W in every writable leaf of [start, end) (atomic AND, R2); with
 * @clear_dirty also clear D and report previously-dirty pages into their
 * slot's dirty bitmap.  Takes mmu_lock for read; one flush.  Returns the
 * number of leaves changed.
 */
u64 ept_write_protect_range(struct vm_mmu *mmu, gfn_t start, gfn_t end, bool clear_dirty);

/*
 * Split huge leaves in [start, end) down to @target_level (1 or 2) under
 * the shared lock.  No flush: the translation does not change.  Returns
 * the number of huge leaves split, or -HV_ENOMEM if table pages ran out.
 */
s64 ept_split_range(struct vm_mmu *mmu, gfn_t start, gfn_t end, int target_level);

/*
 * Replace tables in [start, end) by huge leaves where the mapping-level
 * rules allow (docs/ept.md): freeze, tear down, flush, install.  Shared
 * lock.  Returns the number of huge leaves installed.
 */
u64 ept_collapse_range(struct vm_mmu *mmu, gfn_t start, gfn_t end);

/*
 * Make a fresh active root and drop the old one (all its mappings go): the
 * "fast zap all" and the way to switch between 4- and 5-level roots
 * (@five_level).  Takes mmu_lock for write.  Returns 0 or -HV_ENOMEM.
 */
int ept_mmu_reset_root(struct vm_mmu *mmu, bool five_level);

/* R7: get a reference to the active root (NULL if none), put it back. */
struct ept_root *ept_root_get_active(struct vm_mmu *mmu);
void ept_root_put(struct vm_mmu *mmu, struct ept_root *root);
/*
 * Iterate every root not yet freed (active or invalid), holding a
 * reference to the one returned: pass NULL first, then the previous one
 * (whose reference is dropped).  Returns NULL at the end.
 */
struct ept_root *ept_root_next(struct vm_mmu *mmu, struct ept_root *prev);

/*
 * Lockless lookup (EBR section inside): the leaf mapping @gfn.  Returns
 * true and fills *@pfn (the 4 KiB frame for @gfn), *@level, *@entry.
 */
bool ept_lookup(struct vm_mmu *mmu, gfn_t gfn, pfn_t *pfn, int *level, u64 *entry);

/* One entry on the way to a gfn: the table (host-physical), index, value. */
struct ept_path_step {
	int level;
	unsigned int index;
	phys_addr_t table;
	u64 entry;
};

/**
 * ept_snapshot_path() - the entries of the active root that translate @gfn.
 * @mmu:   the MMU (no lock held; an EBR section is taken inside)
 * @gfn:   the gfn
 * @steps: EPT_MAX_LEVEL slots, filled root first
 *
 * A snapshot for reports (the EPT misconfiguration exit, the debug shell):
 * the walk ends after the first entry that is not a table.
 *
 * Return: the number of steps filled, 0 without a root covering @gfn.
 */
int ept_snapshot_path(struct vm_mmu *mmu, gfn_t gfn, struct ept_path_step *steps);

/*
 * ept_mmu_audit() - quiesced check (takes mmu_lock for write): every leaf
 * matches the memory map (frame, permissions, level rules), the per-level
 * mapped counts equal a recount, the pool's live pages equal the tables
 * reachable from the roots, no FROZEN or poisoned entry remains.  Prints
 * each problem; returns the number of problems (0 = consistent).
 */
u64 ept_mmu_audit(struct vm_mmu *mmu);

/* Flush helpers: request a flush of every vCPU and wait for all acks. */
void ept_flush_sync(struct vm_mmu *mmu);
u64 ept_flush_request(struct vm_mmu *mmu);

void ept_mmu_stats_read(struct vm_mmu *mmu, struct ept_mmu_stats *out);

#endif /* MM_EPT_MMU_H */
