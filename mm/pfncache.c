// SPDX-License-Identifier: MIT
/*
 * gfn -> host frame cache kept coherent with memory-map invalidations:
 * range-based retry, lockless invalidation check (R10) and wait-instead-of-
 * spin refresh, activate/deactivate ordering (R15).  See mm/pfncache.h.
 */
#include "mm/pfncache.h"

#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "mm/mmu_invalidate.h"

/* ------------------------------------------------------------ list */

static void gpc_list_init(struct gpc_link *head)
{
	head->next = head;
	head->prev = head;
}

static void gpc_list_add(struct gpc_vm_state *vm, struct gfn_pfn_cache *gpc)
{
	struct gpc_link *head = &vm->list;

	assert_held(&vm->lock);
	gpc->link.next = head->next;
	gpc->link.prev = head;
	head->next->prev = &gpc->link;
	head->next = &gpc->link;
	/* WRITE_ONCE: read without vm->lock by diagnostics (tests). */
	WRITE_ONCE(gpc->linked, true);
}

static void gpc_list_del(struct gpc_vm_state *vm, struct gfn_pfn_cache *gpc)
{
	assert_held(&vm->lock);
	gpc->link.prev->next = gpc->link.next;
	gpc->link.next->prev = gpc->link.prev;
	gpc->link.next = NULL;
	gpc->link.prev = NULL;
	WRITE_ONCE(gpc->linked, false);
}

/* Make @gpc reachable by gpc_invalidate_start() (takes vm->lock). */
static void gpc_link_to_vm(struct gpc_vm_state *vm, struct gfn_pfn_cache *gpc)
{
	spin_lock(&vm->lock);
	gpc_list_add(vm, gpc);
	spin_unlock(&vm->lock);
}

/* Make @gpc unreachable by gpc_invalidate_start() (takes vm->lock). */
static void gpc_unlink_from_vm(struct gpc_vm_state *vm, struct gfn_pfn_cache *gpc)
{
	spin_lock(&vm->lock);
	gpc_list_del(vm, gpc);
	spin_unlock(&vm->lock);
}

static inline struct gfn_pfn_cache *gpc_of_link(struct gpc_link *l)
{
	return container_of(l, struct gfn_pfn_cache, link);
}

/* ------------------------------------------------------------ helpers */

static inline gfn_t gpc_gpa_to_gfn(gpa_t gpa)
{
	return gpa >> PAGE_SHIFT;
}

/* One non-empty range inside one page. */
static bool gpc_range_ok(gpa_t gpa, u64 len)
{
	u64 off = gpa & (PAGE_SIZE - 1);

	return len && len <= PAGE_SIZE - off;
}

static bool gpc_range_check(const char *who, gpa_t gpa, u64 len)
{
	if (gpc_range_ok(gpa, len))
		return true;
	pr_err("%s: gpa 0x%llx len 0x%llx is empty or crosses a page\n", who,
	       gpa, len);
	return false;
}

void gpc_vm_init(struct gpc_vm_state *vm, const struct mmu_invalidate *inv,
		 const struct gpc_backend *backend, void *backend_ctx)
{
	spin_lock_init(&vm->lock);
	vm->active_invalidations = 0;
	vm->inval_start = MMU_INVALID_GFN;
	vm->inval_end = MMU_INVALID_GFN;
	vm->wake_seq = 0;
	gpc_list_init(&vm->list);
	vm->inv = inv;
	vm->backend = backend;
	vm->backend_ctx = backend_ctx;
}

bool gpc_vm_idle(struct gpc_vm_state *vm)
{
	bool idle;

	spin_lock(&vm->lock);
	idle = !vm->active_invalidations && vm->list.next == &vm->list;
	spin_unlock(&vm->lock);
	return idle;
}

void gpc_init(struct gfn_pfn_cache *gpc, struct gpc_vm_state *vm)
{
	rwlock_init(&gpc->lock);
	spin_lock_init(&gpc->refresh_lock);
	gpc->vm = vm;
	gpc->link.next = NULL;
	gpc->link.prev = NULL;
	gpc->linked = false;
	gpc->active = false;
	gpc->valid = false;
	gpc->gpa = 0;
	gpc->len = 0;
	gpc->pfn = 0;
	gpc->hva = NULL;
	gpc->generation = 0;
	gpc->refresh_retries = 0;
	gpc->refresh_waits = 0;
}

/*
 * Is an invalidation covering @gfn in flight?  Lockless: count, then the
 * range; the range never shrinks while the count is non-zero, so re-reading
 * the count is what ends a wait (the 1 => 0 transition).
 */
static bool gpc_invalidation_covers(struct gpc_vm_state *vm, gfn_t gfn)
{
	/*
	 * R10: READ_ONCE, written under vm->lock by gpc_invalidate_start/end;
	 * these loads come after the smp_mb() in gpc_resolve_retry().
	 */
	return READ_ONCE(vm->active_invalidations) &&
	       gfn >= READ_ONCE(vm->inval_start) && gfn < READ_ONCE(vm->inval_end);
}

/*
 * Must the resolution taken after snapshot @snap be thrown away?  Either an
 * invalidation covering @gfn is in flight, or one ended since @snap.
 */
static bool gpc_invalidate_retry(struct gpc_vm_state *vm, gfn_t gfn, u64 snap)
{
	if (gpc_invalidation_covers(vm, gfn))
		return true;
	/*
	 * R9: the count before seq.  The invalidator bumps seq (under
	 * mmu_lock) before it drops the count (gpc_invalidate_end), so a zero
	 * count read here implies the new seq.  Pairs with the smp_wmb() in
	 * mmu_invalidate_end_locked().
	 */
	smp_rmb();
	return READ_ONCE(vm->inv->seq) != snap;
}

/*
 * gpc_wait_for_invalidations() - wait until no in-flight invalidation covers
 * @gfn.  Unrelated invalidations are not waited for.
 *
 * No lost wake-up: the condition is tested and the wake ticket sampled
 * under vm->lock, the same lock under which gpc_invalidate_end() drops the
 * count and bumps wake_seq.  So either the waiter sees the count already
 * dropped, or its ticket predates the bump and the spin below ends.  The
 * wait is bounded by the invalidations in flight when it started plus any
 * that keep overlapping @gfn (the range is only reset when the count
 * reaches 0).
 */
static void gpc_wait_for_invalidations(struct gfn_pfn_cache *gpc, gfn_t gfn)
{
	struct gpc_vm_state *vm = gpc->vm;

	if (!gpc_invalidation_covers(vm, gfn))
		return;
	spin_lock(&vm->lock);
	while (vm->active_invalidations && gfn >= vm->inval_start && gfn < vm->inval_end) {
		u64 ticket = vm->wake_seq;

		spin_unlock(&vm->lock);
		/* The R10_WAIT_TICKET mutant samples too late (a lost wake-up). */
		rule_mutant_step(R10_WAIT_TICKET, ticket = load_acquire(&vm->wake_seq));
		gpc->refresh_waits++;
		/*
		 * load_acquire: pairs with the store_release of wake_seq in
		 * gpc_invalidate_end(), so the re-check below sees the count
		 * that was dropped with it (it re-reads under vm->lock anyway).
		 */
		while (load_acquire(&vm->wake_seq) == ticket)
			cpu_relax();
		spin_lock(&vm->lock);
	}
	spin_unlock(&vm->lock);
}

/*
 * gpc_resolve_retry() - resolve @gfn and make @gpc valid, retrying until the
 * resolution is known not to have raced with an invalidation.
 *
 * Called with refresh_lock and gpc->lock (write, *flags) held and
 * gpc->valid false; returns with both held.  0 on success, -HV_EFAULT if no
 * memory backs @gfn (the cache stays invalid).
 */
static int gpc_resolve_retry(struct gfn_pfn_cache *gpc, gfn_t gfn, unsigned long *flags)
{
	struct gpc_vm_state *vm = gpc->vm;
	pfn_t pfn = 0;
	void *hva = NULL;
	u64 gen;

	for (;;) {
		u64 snap;

		write_unlock_irqrestore(&gpc->lock, *flags);

		/* Resolving while an overlapping invalidation runs is pointless. */
		gpc_wait_for_invalidations(gpc, gfn);

		/* Generation first: a resolution must not outlive it. */
		gen = vm->backend->generation(vm->backend_ctx);
		snap = mmu_invalidate_snapshot(vm->inv);
		if (!vm->backend->resolve(vm->backend_ctx, gfn, &pfn, &hva)) {
			*flags = write_lock_irqsave(&gpc->lock);
			return -HV_EFAULT;
		}

		*flags = write_lock_irqsave(&gpc->lock);
		WARN_ON_ONCE(gpc->valid);
		/* WRITE_ONCE: read locklessly by gpc_invalidate_start(). */
		WRITE_ONCE(gpc->valid, true);
		/*
		 * R10: store->load fence between "valid" and the reads of the
		 * invalidation count/range/seq (a store-buffering pair).  Either
		 * we see the invalidation and retry, or the invalidation sees
		 * the cache valid and clears it (after we drop gpc->lock).
		 * Pairs with the smp_mb() in gpc_invalidate_start() between the
		 * count/range update and its lockless read of gpc->valid.
		 */
		smp_mb_rule(R10_REFRESH_FENCE);
		if (!gpc_invalidate_retry(vm, gfn, snap))
			break;
		WRITE_ONCE(gpc->valid, false);
		gpc->refresh_retries++;
	}
	gpc->pfn = pfn;
	gpc->hva = hva;
	gpc->generation = gen;
	return 0;
}

/* gpc_refresh() with refresh_lock held. */
static int gpc_refresh_locked(struct gfn_pfn_cache *gpc, gpa_t gpa, u64 len)
{
	struct gpc_vm_state *vm = gpc->vm;
	unsigned long flags;
	int ret = 0;

	assert_held(&gpc->refresh_lock);
	flags = write_lock_irqsave(&gpc->lock);
	if (!gpc->active) {
		ret = -HV_ENOENT;
		goto out;
	}
	if (gpc->valid && gpc->gpa == gpa &&
	    gpc->generation == vm->backend->generation(vm->backend_ctx)) {
		gpc->len = len;
		goto out;
	}
	/*
	 * R10: invalid BEFORE the gpa changes (TSO keeps the two stores in
	 * order; WRITE_ONCE keeps the compiler from merging or moving them).
	 * Pairs with the lockless valid-then-gpa reads in
	 * gpc_invalidate_start(): a cache seen valid with the new gpa is being
	 * refreshed and will re-check the invalidation state itself.
	 */
	WRITE_ONCE(gpc->valid, false);
	WRITE_ONCE(gpc->gpa, gpa);
	gpc->len = len;
	ret = gpc_resolve_retry(gpc, gpc_gpa_to_gfn(gpa), &flags);
out:
	write_unlock_irqrestore(&gpc->lock, flags);
	return ret;
}

/**
 * gpc_refresh() - make @gpc valid for [gpa, gpa + len).
 * @gpc: an activated cache
 * @gpa: guest physical address
 * @len: length, within one page
 *
 * Return: 0 (the caller must still gpc_check() under the read lock), or as
 * gpc_refresh() in mm/pfncache.h.
 */
int gpc_refresh(struct gfn_pfn_cache *gpc, gpa_t gpa, u64 len)
{
	int ret;

	if (!gpc_range_check("gpc_refresh", gpa, len))
		return -HV_EINVAL;
	spin_lock(&gpc->refresh_lock);
	ret = gpc_refresh_locked(gpc, gpa, len);
	spin_unlock(&gpc->refresh_lock);
	return ret;
}

/**
 * gpc_check() - may the cached mapping be used for [gpa, gpa + len)?
 * @gpc: the cache; caller holds gpc->lock (read or write)
 * @gpa: guest physical address
 * @len: length
 *
 * Return: true if active, valid, for @gpa, and of the current generation.
 */
bool gpc_check(struct gfn_pfn_cache *gpc, gpa_t gpa, u64 len)
{
	struct gpc_vm_state *vm = gpc->vm;

	assert_held(&gpc->lock);
	if (!gpc->active || !gpc->valid || gpc->gpa != gpa)
		return false;
	if (!gpc_range_ok(gpa, len))
		return false;
	return gpc->generation == vm->backend->generation(vm->backend_ctx);
}

/**
 * gpc_activate() - put @gpc on its VM's list and refresh it for @gpa.
 * @gpc: an initialised cache
 * @gpa: guest physical address
 * @len: length, within one page
 *
 * Return: 0, -HV_EINVAL if the range is bad, -HV_EFAULT if it cannot be
 * resolved (the cache is then active but invalid; gpc_refresh() may be
 * retried).
 */
int gpc_activate(struct gfn_pfn_cache *gpc, gpa_t gpa, u64 len)
{
	struct gpc_vm_state *vm = gpc->vm;
	unsigned long flags;
	bool was_active;
	int ret;

	if (!gpc_range_check("gpc_activate", gpa, len))
		return -HV_EINVAL;
	spin_lock(&gpc->refresh_lock);
	was_active = gpc->active;
	if (!was_active) {
		/*
		 * R15: reachable by invalidations BEFORE it can become valid:
		 * only refresh makes it valid and refresh requires active.
		 * Pairs with the list walk in gpc_invalidate_start().  The
		 * R15_ACTIVATE_ORDER mutant lists it after the refresh.
		 */
		rule_step(R15_ACTIVATE_ORDER, gpc_link_to_vm(vm, gpc));

		flags = write_lock_irqsave(&gpc->lock);
		gpc->active = true;
		write_unlock_irqrestore(&gpc->lock, flags);
	}
	ret = gpc_refresh_locked(gpc, gpa, len);
	rule_mutant_step(R15_ACTIVATE_ORDER, if (!was_active) gpc_link_to_vm(vm, gpc));
	spin_unlock(&gpc->refresh_lock);
	return ret;
}

/**
 * gpc_deactivate() - invalidate @gpc and take it off its VM's list.
 * @gpc: the cache (active or not)
 */
void gpc_deactivate(struct gfn_pfn_cache *gpc)
{
	struct gpc_vm_state *vm = gpc->vm;

	spin_lock(&gpc->refresh_lock);
	if (gpc->active) {
		unsigned long flags;

		/*
		 * R15: invalid BEFORE unreachable; once off the list no
		 * invalidation can clear it.  Pairs with the list walk in
		 * gpc_invalidate_start().  The R15_DEACTIVATE_ORDER mutant
		 * unlists it first.
		 */
		rule_mutant_step(R15_DEACTIVATE_ORDER, gpc_unlink_from_vm(vm, gpc));
		flags = write_lock_irqsave(&gpc->lock);

		WRITE_ONCE(gpc->valid, false);
		gpc->active = false;
		gpc->pfn = 0;
		gpc->hva = NULL;
		write_unlock_irqrestore(&gpc->lock, flags);

		rule_step(R15_DEACTIVATE_ORDER, gpc_unlink_from_vm(vm, gpc));
	}
	spin_unlock(&gpc->refresh_lock);
}

/**
 * gpc_invalidate_start() - invalidate every cache of [start, end).
 * @vm:    the VM's pfncache state
 * @start: first gfn
 * @end:   one past the last gfn
 *
 * Counts the invalidation in (refreshers overlapping it wait or retry until
 * gpc_invalidate_end()), then clears every valid cache of the range.
 */
void gpc_invalidate_start(struct gpc_vm_state *vm, gfn_t start, gfn_t end)
{
	struct gpc_link *l;

	spin_lock(&vm->lock);
	/* WRITE_ONCE: read locklessly by gpc_invalidation_covers(). */
	WRITE_ONCE(vm->active_invalidations, vm->active_invalidations + 1);
	if (vm->active_invalidations == 1) {
		WRITE_ONCE(vm->inval_start, start);
		WRITE_ONCE(vm->inval_end, end);
	} else {
		WRITE_ONCE(vm->inval_start, MIN(vm->inval_start, start));
		WRITE_ONCE(vm->inval_end, MAX(vm->inval_end, end));
	}
	/*
	 * R10: store->load fence between the count/range update and the
	 * lockless reads of each cache's valid/gpa below (a store-buffering
	 * pair): either the refresher sees our count and retries, or we see
	 * its valid cache and clear it.  The list is protected by this same
	 * vm->lock, so no locked RMW sits in between to do it for us.  Pairs
	 * with the smp_mb() in gpc_resolve_retry().
	 */
	smp_mb_rule(R10_INVAL_FENCE);

	for (l = vm->list.next; l != &vm->list; l = l->next) {
		struct gfn_pfn_cache *gpc = gpc_of_link(l);
		unsigned long flags;
		gfn_t gfn;

		/*
		 * Lockless pre-check (R10): valid, then gpa.  A refresh
		 * clears valid before it changes gpa and re-checks our count
		 * after it sets valid again, so skipping here is safe.
		 */
		if (!READ_ONCE(gpc->valid))
			continue;
		gfn = gpc_gpa_to_gfn(READ_ONCE(gpc->gpa));
		if (gfn < start || gfn >= end)
			continue;

		flags = write_lock_irqsave(&gpc->lock);
		/* Re-check: it may have been refreshed to another gfn. */
		gfn = gpc_gpa_to_gfn(gpc->gpa);
		if (gpc->valid && gfn >= start && gfn < end)
			/* Under gpc->lock write: users check() under its read lock. */
			WRITE_ONCE(gpc->valid, false);
		write_unlock_irqrestore(&gpc->lock, flags);
	}
	spin_unlock(&vm->lock);
}

/**
 * gpc_invalidate_end() - count an invalidation out and wake waiters.
 * @vm:    the VM's pfncache state
 * @start: as passed to gpc_invalidate_start()
 * @end:   as passed to gpc_invalidate_start()
 *
 * Called after mmu_invalidate_end_locked() bumped the sequence, so that a
 * refresher that sees the count drop also sees the new sequence (R9).
 */
void gpc_invalidate_end(struct gpc_vm_state *vm, gfn_t start, gfn_t end)
{
	spin_lock(&vm->lock);
	if (WARN_ON(!vm->active_invalidations)) {
		spin_unlock(&vm->lock);
		return;
	}
	WARN_ON_ONCE(start < vm->inval_start || end > vm->inval_end);
	WRITE_ONCE(vm->active_invalidations, vm->active_invalidations - 1);
	if (!vm->active_invalidations)
		/*
		 * Wake waiters: bump the event count under vm->lock, the lock
		 * under which waiters sampled it with the condition true.
		 * Release pairs with the load_acquire in
		 * gpc_wait_for_invalidations().
		 */
		store_release(&vm->wake_seq, vm->wake_seq + 1);
	spin_unlock(&vm->lock);
}
