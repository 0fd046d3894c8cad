/* SPDX-License-Identifier: MIT */
/*
 * EPT table-page pool: where every EPT table page of a VM comes from and
 * goes back to, with exact accounting so that leaks and early frees are
 * detectable.
 *
 * Life of a page (state in struct ept_page):
 *   CACHED  in a per-CPU cache, zeroed; filled BEFORE mmu_lock is taken
 *   LIVE    linked into a root (or being built, see ept_pool_take())
 *   RETIRED unlinked and handed to EBR; freed after the grace period, whose
 *           hook (mm/ept_flush.c) also waits for every vCPU's EPT flush (R4)
 *   FREE    on the pool's FIFO free list, every entry EPT_POISON
 *           (quarantine: a walker or simulated TLB that still uses it sees
 *           the poison; reuse checks the poison is intact)
 * Never-published pages go straight back to the CPU's cache.
 *
 * Page -> header lookup: a table entry only holds the frame, so the pool
 * keeps an insert-only open-addressing hash from page address to header.
 * A page stays bound to its header until ept_pool_destroy().
 */
#ifndef MM_EPT_POOL_H
#define MM_EPT_POOL_H

#include "lib/spinlock.h"
#include "mm/ebr.h"
#include "mm/ept_entry.h"

enum ept_page_state {
	EPT_PG_CACHED = 1,
	EPT_PG_LIVE,
	EPT_PG_RETIRED,
	EPT_PG_FREE,
};

struct ept_pool;

/*
 * struct ept_page - header of one EPT table page.
 * @spt:   the 512 entries (a page from arch_page_alloc())
 * @rcu:   EBR node for the deferred free
 * @next:  free-list / per-CPU cache link
 * @all:   list of every header (for destroy)
 * @pool:  owning pool
 * @state: enum ept_page_state, changed with cmpxchg so that a double
 *         retire or free is caught
 */
struct ept_page {
	u64 __ept *spt;
	struct ebr_node rcu;
	struct ept_page *next;
	struct ept_page *all;
	struct ept_pool *pool;
	u32 state;
};

/*
 * struct ept_pcpu_cache - one CPU's page cache and counters.  Written only
 * by its own CPU (WRITE_ONCE), summed by ept_pool_stats_read(): no shared
 * cache line is written on the fault path.
 */
struct ept_pcpu_cache {
	struct ept_page *head;
	u32 nr;
	s64 live;		/* pages this CPU took minus those it gave back/retired */
	u64 allocs;
	u64 unused;
} __cacheline_aligned;

/* Freed pages stay poisoned at least this long (in pages) before reuse. */
#define EPT_POOL_QUARANTINE	32

/*
 * struct ept_pool_stats - counters; at rest (no CPU inside an operation and
 * after ebr_barrier()) bound == cached + live + free, and retired == 0.
 */
struct ept_pool_stats {
	u64 bound;		/* pages taken from arch_page_alloc() */
	u64 cached;		/* in per-CPU caches */
	u64 live;		/* linked (or being built) */
	u64 retired;		/* waiting for a grace period */
	u64 free;		/* on the free list (poisoned) */
	u64 allocs;		/* ept_pool_take() calls that returned a page */
	u64 retires;		/* ept_pool_retire() calls */
	u64 frees;		/* grace periods completed for a page */
	u64 unused_returns;	/* pages taken but never published */
	u64 poison_corrupt;	/* free pages found written to (use after free) */
	u64 state_errors;	/* double retire/free, wrong-state transitions */
	u64 alloc_failures;	/* top-ups that hit the limit or arch exhaustion */
};

struct ept_pool {
	spinlock_t lock;		/* free list and binding */
	struct ept_page *free_head;
	struct ept_page *free_tail;
	struct ept_page *all;		/* every header, under @lock */
	u64 max_pages;			/* hard limit on bound pages */
	struct ept_page ***hash;	/* page of pointers to pages of slots */
	u64 hash_mask;
	struct ept_pool_stats st;	/* updated with atomic RMWs */
	struct ept_pcpu_cache cache[HV_MAX_CPUS];
};

/* Largest @max_pages: the hash (2 slots per page) fits in 512 pages of slots. */
#define EPT_POOL_MAX_PAGES	((u64)EPT_ENTRIES * EPT_ENTRIES / 2)

/* 0, or (message printed) -HV_EINVAL / -HV_ERANGE for a bad @max_pages, -HV_ENOMEM. */
int ept_pool_init(struct ept_pool *pool, u64 max_pages);
/* Returns every page to the arch allocator; all pages must be cached or free. */
void ept_pool_destroy(struct ept_pool *pool);

/*
 * ept_pool_topup() - make sure the calling CPU's cache holds @min pages.
 * Call without mmu_lock (it may take the pool lock and the arch allocator).
 * Returns 0, or -HV_ENOMEM if the pool limit or the arch allocator ran out.
 */
int ept_pool_topup(struct ept_pool *pool, unsigned int min);

/* Take a zeroed page from this CPU's cache (state LIVE), NULL if empty. */
struct ept_page *ept_pool_take(struct ept_pool *pool);
/* Give back a page that was never published (immediate, no grace period). */
void ept_pool_unused(struct ept_pool *pool, struct ept_page *pg);
/*
 * Hand an unlinked page to EBR.  Caller is inside an EBR section of @rec's
 * domain and has removed every rmap entry of its leaves; the page is
 * poisoned and put on the free list after the grace period.
 */
void ept_pool_retire(struct ept_pool *pool, struct ebr_rec *rec, struct ept_page *pg);
/* Header of the table page @spt (which must be bound to @pool). */
struct ept_page *ept_pool_lookup(struct ept_pool *pool, const u64 __ept *spt);
/* Free immediately, for a page no walker can reach (root teardown at destroy). */
void ept_pool_free_now(struct ept_pool *pool, struct ept_page *pg);

void ept_pool_stats_read(struct ept_pool *pool, struct ept_pool_stats *out);

#endif /* MM_EPT_POOL_H */
