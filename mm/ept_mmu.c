// SPDX-License-Identifier: MIT
/*
 * EPT MMU core: init/destroy, roots (R7), the single "changed entry"
 * bookkeeping function, table teardown (R3), flush batching (R4), lockless
 * lookup and the quiesced audit.  Fault path: mm/ept_fault.c; zap and
 * write-protect: mm/ept_zap.c; split and collapse: mm/ept_split.c.
 */
#include "mm/ept_mmu.h"

#include "lib/errno.h"
#include "lib/mutate.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/ept_internal.h"
#include "mm/ept_level.h"
#include "mm/heap.h"

/* ------------------------------------------------------------ flushes */

u64 ept_flush_request(struct vm_mmu *mmu)
{
	stat_add(&mmu->st.flushes, 1);
	return ept_flush_request_gen(&mmu->flush);
}

void ept_flush_sync(struct vm_mmu *mmu)
{
	ept_flush_wait(&mmu->flush, ept_flush_request(mmu));
}

void ept_batch_flush(struct vm_mmu *mmu, struct ept_batch *b)
{
	if (!b->flush && !b->nr)
		return;
	/*
	 * R4: the flush completes (every vCPU acknowledged) before any frozen
	 * entry becomes writable again and before the caller leaves the EBR
	 * section, yields, or drops mmu_lock.
	 */
	rule_step(R4_BATCH_FLUSH, ept_flush_sync(mmu));
	for (u32 i = 0; i < b->nr; i++) {
		/* R3: we own these FROZEN; a plain store ends the window. */
		ept_write_entry(b->frozen[i], b->final[i]);
	}
	b->nr = 0;
	b->flush = false;
}

void ept_batch_add(struct vm_mmu *mmu, struct ept_batch *b, u64 __ept *sptep, u64 final)
{
	if (b->nr == EPT_BATCH_MAX)
		ept_batch_flush(mmu, b);
	b->frozen[b->nr] = sptep;
	b->final[b->nr] = final;
	b->nr++;
	b->flush = true;
}

/* ------------------------------------------------------------ bookkeeping */

static void ept_rmap_add(struct vm_mmu *mmu, gfn_t gfn, u64 __ept *sptep, int level)
{
	if (mmu->has_rmap && level <= RMAP_LEVEL_MAX && gfn < mmu->rmap.base_gfn + mmu->rmap.nr_gfns)
		rmap_add(mmu, gfn, sptep, level);
}

static void ept_rmap_remove(struct vm_mmu *mmu, gfn_t gfn, u64 __ept *sptep, int level)
{
	if (mmu->has_rmap && level <= RMAP_LEVEL_MAX && gfn < mmu->rmap.base_gfn + mmu->rmap.nr_gfns)
		rmap_remove(mmu, gfn, sptep, level);
}

u64 ept_changed_entry(struct vm_mmu *mmu, gfn_t gfn, u64 __ept *sptep, u64 old, u64 new,
		      int level, bool shared)
{
	bool was_leaf = ept_is_leaf(old, level);
	bool is_leaf = ept_is_leaf(new, level);
	u64 removed = 0;

	/* Shared-mode code is correct under the write lock too (ept_handle_fault_exclusive()). */
	if (shared)
		assert_held(&mmu->mmu_lock);
	else
		assert_held_write(&mmu->mmu_lock);
	WARN_ON(!shared && (ept_is_frozen(old) || ept_is_poison(old)));

	if (was_leaf && (!is_leaf || ept_entry_pfn(old) != ept_entry_pfn(new))) {
		ept_pcpu_add(mmu, mapped[level], -1);
		ept_rmap_remove(mmu, gfn, sptep, level);
		removed = 1;
	}
	if (is_leaf && (!was_leaf || ept_entry_pfn(old) != ept_entry_pfn(new))) {
		ept_pcpu_add(mmu, mapped[level], 1);
		ept_rmap_add(mmu, gfn, sptep, level);
	}
	if (ept_is_table(old, level) && (!ept_is_table(new, level) ||
					 ept_entry_table(new) != ept_entry_table(old)))
		removed += ept_teardown_table(mmu, ept_entry_table(old), level - 1, gfn, shared);
	return removed;
}

u64 ept_teardown_table(struct vm_mmu *mmu, u64 __ept *spt, int level, gfn_t gfn, bool shared)
{
	struct ept_page *pg = ept_pool_lookup(&mmu->pool, spt);
	u64 step = ept_pages_per_entry(level);
	u64 removed = 0;

	for (int i = 0; i < EPT_ENTRIES; i++) {
		u64 __ept *sptep = &spt[i];
		u64 old;

		/*
		 * R3: take the child over with xchg, a full barrier: nothing
		 * written to the child before is lost (R2: it keeps A/D).  If
		 * another thread owns it FROZEN (shared mode: it read the
		 * parent before the unlink), wait until it writes its final
		 * value, then take that.  Exclusive: nobody holds FROZEN.  The
		 * R3_TEARDOWN_XCHG mutant reads, accounts, and only then
		 * plain-stores FROZEN.
		 */
		for (;;) {
			old = rule_value(R3_TEARDOWN_XCHG, ept_xchg_entry(sptep, EPT_FROZEN),
					 ept_read_entry(sptep));
			if (!shared || !ept_is_frozen(old))
				break;
			stat_add(&mmu->st.teardown_spins, 1);
			cpu_relax();
		}
		removed += ept_changed_entry(mmu, gfn + (u64)i * step, sptep, old, EPT_FROZEN,
					     level, shared);
		rule_mutant_step(R3_TEARDOWN_XCHG, ept_write_entry(sptep, EPT_FROZEN));
	}
	stat_add(&mmu->st.tables_removed, 1);
	ept_pool_retire(&mmu->pool, ept_rec(mmu), pg);
	return removed;
}

/* ------------------------------------------------------------ roots (R7) */

static struct ept_root *ept_root_alloc(struct vm_mmu *mmu, int level)
{
	struct ept_root *root = kzalloc(sizeof(*root));

	if (!root)
		return NULL;
	if (ept_pool_topup(&mmu->pool, 1)) {
		kfree(root);
		return NULL;
	}
	root->page = ept_pool_take(&mmu->pool);
	root->level = level;
	root->mmu = mmu;
	root->refcount = 1;	/* the MMU's reference while active */
	spin_lock(&mmu->roots_lock);
	root->next = mmu->roots;
	/* R7: publish the complete root; pairs with load_acquire in ept_root_next(). */
	store_release(&mmu->roots, root);
	spin_unlock(&mmu->roots_lock);
	return root;
}

static void ept_root_free_cb(struct ebr_node *n)
{
	struct ept_root *root = container_of(n, struct ept_root, rcu);

	kfree(root);
}

struct ept_root *ept_active_root_locked(struct vm_mmu *mmu)
{
	assert_held(&mmu->mmu_lock);
	return READ_ONCE(mmu->active_root);
}

/* R7: take a reference unless the root is already dying (count 0). */
static bool ept_root_tryget(struct ept_root *root)
{
	/*
	 * R7: inc-not-zero inside the EBR section: the root's memory is valid
	 * here, and a count that already hit zero is never revived (its last
	 * put is unlinking it).  Pairs with the atomic_dec_and_test() in
	 * ept_root_put().
	 */
	return atomic_inc_not_zero_rule(R7_INC_NOT_ZERO, &root->refcount);
}

struct ept_root *ept_root_get_active(struct vm_mmu *mmu)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_root *root;

	ebr_enter(rec);
	/*
	 * R7: the active-root pointer is published with store_release after
	 * the root is built (ept_mmu_reset_root()); pairs with that.
	 */
	root = load_acquire(&mmu->active_root);
	if (root && !ept_root_tryget(root))
		root = NULL;
	ebr_exit(rec);
	return root;
}

struct ept_root *ept_root_next(struct vm_mmu *mmu, struct ept_root *prev)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_root *next;

	ebr_enter(rec);
	/*
	 * R7: list links are published with store_release under roots_lock
	 * (ept_root_alloc()); an unlinked root keeps its next pointer and
	 * stays allocated until the grace period ends, so walking on from
	 * it inside the section is safe.
	 */
	next = prev ? READ_ONCE(prev->next) : load_acquire(&mmu->roots);
	while (next && !ept_root_tryget(next))
		next = READ_ONCE(next->next);
	ebr_exit(rec);
	if (prev)
		ept_root_put(mmu, prev);
	return next;
}

/*
 * Last reference gone: unlink under roots_lock, then free the (already
 * emptied) top table and the root through EBR.  Walkers that loaded the
 * root pointer are inside EBR sections; the grace period (with the flush
 * hook, R4) covers them and every CPU's cached EPTP.
 */
void ept_root_put(struct vm_mmu *mmu, struct ept_root *root)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_root **pp;
	u64 left = 0;

	/* R7: pairs with atomic_inc_not_zero() in ept_root_get_active(). */
	if (!atomic_dec_and_test(&root->refcount))
		return;
	spin_lock(&mmu->roots_lock);
	for (pp = &mmu->roots; *pp; pp = &(*pp)->next) {
		if (*pp == root) {
			/* R7: unlink; walkers already past keep using root->next. */
			WRITE_ONCE(*pp, root->next);
			break;
		}
	}
	spin_unlock(&mmu->roots_lock);
	for (int i = 0; i < EPT_ENTRIES; i++)
		if (ept_read_entry(&root->page->spt[i]))
			left++;
	if (WARN_ON(left))
		pr_err("ept: root %p freed with %llu entries left\n", (void *)root,
		       left);
	ebr_enter(rec);
	ept_pool_retire(&mmu->pool, rec, root->page);
	ebr_retire(rec, &root->rcu, ept_root_free_cb);
	ebr_exit(rec);
}

int ept_mmu_reset_root(struct vm_mmu *mmu, bool five_level)
{
	int level = five_level ? EPT_ROOT_LEVEL_5 : EPT_ROOT_LEVEL_4;
	struct ept_root *new_root = ept_root_alloc(mmu, level);
	struct ept_root *old;
	struct ebr_rec *rec = ept_rec(mmu);

	if (!new_root) {
		pr_err("ept: no memory for a new root\n");
		return -HV_ENOMEM;
	}
	write_lock(&mmu->mmu_lock);
	ebr_enter(rec);
	old = mmu->active_root;
	mmu->root_level = level;
	/* R7/R1: the root is complete before it becomes reachable. */
	store_release(&mmu->active_root, new_root);
	if (old) {
		WRITE_ONCE(old->invalid, true);
		/* Exclusive zap of everything the old root maps (flushes). */
		ept_zap_root_locked(mmu, old);
	}
	ebr_exit(rec);
	write_unlock(&mmu->mmu_lock);
	if (old)
		ept_root_put(mmu, old);	/* the MMU's reference */
	return 0;
}

/* ------------------------------------------------------------ init/destroy */

static bool ept_gpc_resolve(void *ctx, gfn_t gfn, pfn_t *pfn, void **hva)
{
	struct vm_mmu *mmu = ctx;
	struct ebr_rec *rec = ept_rec(mmu);
	const struct ept_memslot *slot;
	bool ok = false;

	ebr_enter(rec);
	slot = ept_memslot_find(ept_memmap_get(mmu), gfn);
	if (slot && slot->kind != EPT_SLOT_MMIO) {
		*pfn = ept_memslot_pfn(slot, gfn);
		*hva = arch_phys_to_virt(*pfn << PAGE_SHIFT);
		ok = true;
	}
	ebr_exit(rec);
	return ok;
}

static u64 ept_gpc_generation(void *ctx)
{
	struct vm_mmu *mmu = ctx;
	struct ebr_rec *rec = ept_rec(mmu);
	u64 gen;

	ebr_enter(rec);
	gen = ept_memmap_get(mmu)->generation;
	ebr_exit(rec);
	return gen;
}

static const struct gpc_backend ept_gpc_backend = {
	.resolve = ept_gpc_resolve,
	.generation = ept_gpc_generation,
};

int ept_mmu_init(struct vm_mmu *mmu, const struct ept_mmu_config *cfg)
{
	int err;

	memset(mmu, 0, sizeof(*mmu));
	rwlock_init(&mmu->mmu_lock);
	spin_lock_init(&mmu->roots_lock);
	spin_lock_init(&mmu->memmap_lock);
	mmu_invalidate_init(&mmu->inv);
	ebr_domain_init(&mmu->ebr);
	ept_flush_init(&mmu->flush, cfg->flush_ops);
	ept_flush_gp_hook(&mmu->flush, &mmu->ebr);
	mmu->max_level = cfg->max_level ? cfg->max_level : EPT_MAX_HUGE_LEVEL;
	if (mmu->max_level < 1 || mmu->max_level > EPT_MAX_HUGE_LEVEL) {
		pr_err("ept: max_level %d out of range 1..3\n", cfg->max_level);
		return -HV_EINVAL;
	}
	err = ept_pool_init(&mmu->pool, cfg->max_table_pages);
	if (err)
		return err;
	if (cfg->gfn_limit) {
		err = rmap_table_init(&mmu->rmap, 0, cfg->gfn_limit, &mmu->ebr);
		if (err) {
			ept_pool_destroy(&mmu->pool);
			return err;
		}
		mmu->has_rmap = true;
	}
	gpc_vm_init(&mmu->gpc, &mmu->inv, &ept_gpc_backend, mmu);
	err = ept_memmap_init(mmu);
	if (err)
		goto fail;
	ept_mmu_cpu_register(mmu);
	err = ept_mmu_reset_root(mmu, cfg->five_level);
	if (err)
		goto fail;
	return 0;
fail:
	ept_memmap_destroy(mmu);
	if (mmu->has_rmap)
		rmap_table_destroy(&mmu->rmap);
	ept_pool_destroy(&mmu->pool);
	return err;
}

void ept_mmu_cpu_register(struct vm_mmu *mmu)
{
	struct ebr_rec *rec = ept_rec(mmu);

	if (!rec->registered)
		ebr_register(rec);
}

void ept_mmu_cpu_unregister(struct vm_mmu *mmu)
{
	struct ebr_rec *rec = ept_rec(mmu);

	if (rec->registered)
		ebr_unregister(rec);
}

void ept_mmu_destroy(struct vm_mmu *mmu)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_root *root;

	ept_mmu_cpu_register(mmu);
	write_lock(&mmu->mmu_lock);
	ebr_enter(rec);
	root = mmu->active_root;
	store_release(&mmu->active_root, NULL);
	if (root) {
		WRITE_ONCE(root->invalid, true);
		ept_zap_root_locked(mmu, root);
	}
	ebr_exit(rec);
	write_unlock(&mmu->mmu_lock);
	if (root)
		ept_root_put(mmu, root);
	ept_memmap_destroy(mmu);
	ebr_barrier(&mmu->ebr);
	if (READ_ONCE(mmu->roots))
		pr_err("ept: destroy with roots still referenced\n");
	if (mmu->has_rmap)
		rmap_table_destroy(&mmu->rmap);
	ept_pool_destroy(&mmu->pool);
}

/* ------------------------------------------------------------ lookup, audit */

bool ept_lookup(struct vm_mmu *mmu, gfn_t gfn, pfn_t *pfn, int *level, u64 *entry)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_root *root;
	bool found = false;

	ebr_enter(rec);
	root = load_acquire(&mmu->active_root);	/* R7: pairs with ept_mmu_reset_root() */
	if (root && gfn < ept_root_gfn_span(root->level)) {
		struct ept_iter it;

		ept_for_each_path_entry(&it, mmu, EPT_WALK_READER, root, gfn) {
			if (ept_is_leaf(it.old, it.level)) {
				*pfn = ept_entry_pfn(it.old) + (gfn - it.gfn);
				*level = it.level;
				*entry = it.old;
				found = true;
			}
		}
	}
	ebr_exit(rec);
	return found;
}

int ept_snapshot_path(struct vm_mmu *mmu, gfn_t gfn, struct ept_path_step *steps)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_root *root;
	struct ept_iter it;
	int n = 0;

	ebr_enter(rec);
	root = load_acquire(&mmu->active_root);	/* R7: pairs with ept_mmu_reset_root() */
	if (root && gfn < ept_root_gfn_span(root->level)) {
		ept_for_each_path_entry(&it, mmu, EPT_WALK_READER, root, gfn) {
			steps[n].level = it.level;
			steps[n].table = ept_iter_table_phys(&it);
			steps[n].index = ept_index(gfn, it.level);
			steps[n].entry = it.old;
			n++;
		}
	}
	ebr_exit(rec);
	return n;
}

struct ept_audit {
	struct vm_mmu *mmu;
	const struct ept_memmap *map;
	u64 mapped[EPT_MAX_HUGE_LEVEL + 1];
	u64 tables;
	u64 problems;
};

static void ept_audit_problem(struct ept_audit *a, const char *what, gfn_t gfn, int level, u64 e)
{
	if (a->problems++ < 10)
		pr_err("ept audit: %s at gfn 0x%llx level %d entry 0x%llx\n", what,
		       gfn, level, e);
}

static void ept_audit_leaf(struct ept_audit *a, gfn_t gfn, int level, u64 e)
{
	const struct ept_memslot *slot = ept_memslot_find(a->map, gfn);
	u64 n = ept_pages_per_entry(level);

	a->mapped[level]++;
	if (!slot || slot->kind == EPT_SLOT_MMIO) {
		ept_audit_problem(a, "leaf outside RAM/ROM", gfn, level, e);
		return;
	}
	if (gfn + n > slot->base_gfn + slot->npages)
		ept_audit_problem(a, "huge leaf past its slot", gfn, level, e);
	if (ept_entry_pfn(e) != ept_memslot_pfn(slot, gfn))
		ept_audit_problem(a, "leaf maps the wrong frame", gfn, level, e);
	if ((e & EPT_W) && (slot->kind == EPT_SLOT_ROM || (slot->flags & EPT_SLOT_READONLY)))
		ept_audit_problem(a, "writable leaf in a read-only slot", gfn, level, e);
	if (level > ept_max_mapping_level(a->map, slot, gfn, EPT_MAX_HUGE_LEVEL))
		ept_audit_problem(a, "leaf above the allowed level", gfn, level, e);
}

static void ept_audit_table(struct ept_audit *a, u64 __ept *pt, int level, gfn_t gfn)
{
	a->tables++;
	if (ept_pool_lookup(&a->mmu->pool, pt)->state != EPT_PG_LIVE)
		ept_audit_problem(a, "reachable table not LIVE in the pool", gfn, level, 0);
	for (int i = 0; i < EPT_ENTRIES; i++) {
		u64 e = ept_read_entry(&pt[i]);
		gfn_t g = gfn + (u64)i * ept_pages_per_entry(level);

		if (!e)
			continue;
		if (ept_is_frozen(e) || ept_is_poison(e) || !ept_is_present(e))
			ept_audit_problem(a, "frozen/poisoned/garbage entry at rest", g, level, e);
		else if (ept_is_leaf(e, level))
			ept_audit_leaf(a, g, level, e);
		else
			ept_audit_table(a, ept_entry_table(e), level - 1, g);
	}
}

u64 ept_mmu_audit(struct vm_mmu *mmu)
{
	struct ebr_rec *rec = ept_rec(mmu);
	struct ept_audit a;
	struct ept_pool_stats ps;
	struct ept_mmu_stats st;
	u64 root_tables = 0;

	memset(&a, 0, sizeof(a));
	a.mmu = mmu;
	write_lock(&mmu->mmu_lock);
	ebr_enter(rec);
	a.map = ept_memmap_get(mmu);
	for (struct ept_root *r = mmu->roots; r; r = r->next) {
		if (r == mmu->active_root)
			ept_audit_table(&a, r->page->spt, r->level, 0);
		else
			root_tables++;	/* invalid roots still referenced: empty top table */
	}
	ept_mmu_stats_read(mmu, &st);
	for (int l = 1; l <= EPT_MAX_HUGE_LEVEL; l++) {
		if (a.mapped[l] != st.mapped[l]) {
			a.problems++;
			pr_err("ept audit: level %d: %llu leaves counted, %llu found\n", l,
			       st.mapped[l],
			       a.mapped[l]);
		}
	}
	ebr_exit(rec);
	write_unlock(&mmu->mmu_lock);
	/* Retired pages must drain before the pool is compared. */
	ebr_barrier(&mmu->ebr);
	ept_pool_stats_read(&mmu->pool, &ps);
	if (ps.live != a.tables + root_tables) {
		a.problems++;
		pr_err("ept audit: pool has %llu live pages, %llu tables reachable (leak or early free)\n",
		       ps.live, (a.tables + root_tables));
	}
	if (ps.bound != ps.cached + ps.live + ps.free + ps.retired) {
		a.problems++;
		pr_err("ept audit: pool accounting: bound %llu != cached %llu + live %llu + free %llu + retired %llu\n",
		       ps.bound, ps.cached,
		       ps.live, ps.free,
		       ps.retired);
	}
	if (ps.poison_corrupt || ps.state_errors) {
		a.problems++;
		pr_err("ept audit: pool: %llu poisoned pages written, %llu state errors\n",
		       ps.poison_corrupt, ps.state_errors);
	}
	if (READ_ONCE(mmu->st.poison_seen)) {
		a.problems++;
		pr_err("ept audit: walkers met %llu poisoned entries (use after free)\n",
		       mmu->st.poison_seen);
	}
	return a.problems;
}

void ept_mmu_stats_read(struct vm_mmu *mmu, struct ept_mmu_stats *out)
{
	u64 *dst = (u64 *)out;
	const u64 *src = (const u64 *)&mmu->st;
	s64 mapped[EPT_MAX_HUGE_LEVEL + 1] = { 0 };

	BUILD_BUG_ON(sizeof(*out) % sizeof(u64));
	for (size_t i = 0; i < sizeof(*out) / sizeof(u64); i++)
		dst[i] = READ_ONCE(src[i]);
	out->faults = out->fixed = out->spurious = out->retries = 0;
	for (unsigned int c = 0; c < HV_MAX_CPUS; c++) {
		const struct ept_mmu_pcpu *p = &mmu->pcpu[c];

		for (int l = 0; l <= EPT_MAX_HUGE_LEVEL; l++)
			mapped[l] += READ_ONCE(p->mapped[l]);
		out->faults += READ_ONCE(p->faults);
		out->fixed += READ_ONCE(p->fixed);
		out->spurious += READ_ONCE(p->spurious);
		out->retries += READ_ONCE(p->retries);
	}
	for (int l = 0; l <= EPT_MAX_HUGE_LEVEL; l++)
		out->mapped[l] = (u64)mapped[l];
}
