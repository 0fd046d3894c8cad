/* SPDX-License-Identifier: MIT */
/*
 * gfn -> host frame cache ("pfncache"): a guest page the hypervisor keeps
 * mapped for its own use (pages a guest shares for hypercalls), kept
 * coherent with invalidations of the VM's memory map (mm/mmu_invalidate.h).
 *
 * Use:
 *	gpc_init(&gpc, mmu);
 *	gpc_activate(&gpc, gpa, len);
 *	for (;;) {
 *		flags = read_lock_irqsave(&gpc.lock);   (lib/rwlock.h)
 *		if (gpc_check(&gpc, gpa, len))
 *			break;                          (use gpc.hva / gpc.pfn)
 *		read_unlock_irqrestore(&gpc.lock, flags);
 *		if (gpc_refresh(&gpc, gpa, len))
 *			return error;
 *	}
 *	... use the page ...
 *	read_unlock_irqrestore(&gpc.lock, flags);
 *	gpc_deactivate(&gpc);
 *
 * Rules (docs/locking.md):
 *  R10  refresh: valid = true; FULL FENCE; re-check count/range/seq.
 *       invalidate: count/range update; FULL FENCE; lockless read of
 *       valid/gfn.  A store-buffering pair: either the refresh sees the
 *       invalidation and retries, or the invalidation sees the valid cache.
 *       Invariants it relies on: only gpc_refresh() makes a cache valid or
 *       changes its gpa, one refresher at a time (refresh_lock), users
 *       gpc_check() under the cache's read lock after a refresh.
 *  R15  activate: add to the VM's list BEFORE the cache can become valid;
 *       deactivate: make invalid BEFORE removing from the list.
 */
#ifndef MM_PFNCACHE_H
#define MM_PFNCACHE_H

#include "lib/types.h"
#include "lib/compiler.h"
#include "lib/spinlock.h"
#include "lib/rwlock.h"

struct vm_mmu;
struct mmu_invalidate;

/* Intrusive list link of a cache on its VM's list (gpc_vm_state.list). */
struct gpc_link {
	struct gpc_link *next, *prev;
};

/*
 * struct gpc_backend - how a VM resolves a gfn for its caches.
 * @resolve:	gfn -> host frame and host virtual address; false if no
 *		memory backs @gfn.  Called without locks held.
 * @generation:	the memory-map generation (memslot generation): a cache
 *		resolved under an older generation is stale.
 */
struct gpc_backend {
	bool (*resolve)(void *ctx, gfn_t gfn, pfn_t *pfn, void **hva);
	u64 (*generation)(void *ctx);
};

/*
 * struct gpc_vm_state - VM-wide pfncache state (embedded in struct vm_mmu as
 * field `gpc`).
 * @lock:	protects @active_invalidations, @inval_start/@inval_end,
 *		@wake_seq and @list (one lock for the count, the range and the
 *		list, so that no locked RMW hides between the count/range store
 *		and the lockless read of each cache's valid flag: the R10 fence
 *		in gpc_invalidate_start() is explicit).
 * @active_invalidations: invalidations between gpc_invalidate_start() and
 *		gpc_invalidate_end(); written under @lock, read locklessly by
 *		refreshers (READ_ONCE).  Elevated BEFORE any cache is
 *		invalidated and dropped only AFTER mmu_invalidate.seq moved.
 * @inval_start, @inval_end: [start, end) union of their gfn ranges; reset
 *		when the count goes 0 -> 1, only grows until it returns to 0.
 * @wake_seq:	event count bumped under @lock when the count drops to 0;
 *		waiters sample it under @lock with the condition still true
 *		and then spin until it moves (no lost wake-up).
 * @inv:	the VM's invalidation sequence (mmu->inv).
 */
struct gpc_vm_state {
	spinlock_t lock;
	u64 wake_seq;
	struct gpc_link list;
	const struct mmu_invalidate *inv;
	const struct gpc_backend *backend;
	void *backend_ctx;
	/*
	 * Polled locklessly by refreshers: a line of its own, so that their
	 * reads do not bounce the lock's line (and the invalidator's store
	 * here really needs the R10 fence to become visible in time).
	 */
	u64 active_invalidations __cacheline_aligned;
	gfn_t inval_start;
	gfn_t inval_end;
};

/*
 * struct gfn_pfn_cache - one cached guest page.
 * @lock:	IRQ-safe; readers gpc_check() and use the page under it for
 *		read; refresh and invalidation change @valid/@pfn/@hva under it
 *		for write.
 * @refresh_lock: only one gpc_refresh()/activate/deactivate at a time.
 * @active:	activated and on the VM's list; written under both locks.
 * @valid:	@pfn/@hva are coherent with the memory map; set only by
 *		gpc_refresh(), cleared by invalidation and deactivation.  Read
 *		locklessly by gpc_invalidate_start() (R10).
 * @gpa, @len:	the cached range (within one page); changed only by refresh.
 * @generation: backend generation when @pfn was resolved.
 */
struct gfn_pfn_cache {
	rwlock_t lock;
	spinlock_t refresh_lock;
	struct gpc_vm_state *vm;
	struct gpc_link link;
	bool linked;	/* on vm->list; written under vm->lock (diagnostics) */
	bool active;
	bool valid;
	gpa_t gpa;
	u64 len;
	pfn_t pfn;
	void *hva;
	u64 generation;
	u64 refresh_retries;	/* statistics: resolutions thrown away */
	u64 refresh_waits;	/* statistics: waits for invalidations */
};

/* VM-wide setup; @inv is the VM's invalidation state (mmu->inv). */
void gpc_vm_init(struct gpc_vm_state *vm, const struct mmu_invalidate *inv,
		 const struct gpc_backend *backend, void *backend_ctx);
/* True if no cache is on the list and no invalidation is in progress. */
bool gpc_vm_idle(struct gpc_vm_state *vm);

void gpc_init(struct gfn_pfn_cache *gpc, struct gpc_vm_state *vm);
/*
 * 0, -HV_EINVAL (reported) if [gpa, gpa + len) is empty or crosses a page,
 * -HV_EFAULT if no memory backs it (the cache stays active but invalid).
 */
int gpc_activate(struct gfn_pfn_cache *gpc, gpa_t gpa, u64 len);
void gpc_deactivate(struct gfn_pfn_cache *gpc);
/*
 * Resolve [gpa, gpa + len) and make the cache valid.  0 on success (the
 * caller must then gpc_check() under the read lock: the cache may already be
 * invalid again), -HV_ENOENT if the cache is not active, -HV_EINVAL if the
 * range is bad, -HV_EFAULT if no memory backs it.  Waits (bounded by the
 * invalidations in flight) for invalidations overlapping the gfn instead of
 * spinning on any of them.
 */
int gpc_refresh(struct gfn_pfn_cache *gpc, gpa_t gpa, u64 len);
/* Caller holds gpc->lock for read (asserted).  True if usable as is. */
bool gpc_check(struct gfn_pfn_cache *gpc, gpa_t gpa, u64 len);

/*
 * Invalidation side, called by mmu_invalidate_range_start()/_end() (before
 * taking mmu_lock / after dropping it).  Not with mmu_lock held.
 */
void gpc_invalidate_start(struct gpc_vm_state *vm, gfn_t start, gfn_t end);
void gpc_invalidate_end(struct gpc_vm_state *vm, gfn_t start, gfn_t end);

#endif /* MM_PFNCACHE_H */
