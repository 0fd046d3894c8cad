// SPDX-License-Identifier: MIT
/*
 * Reverse map gfn -> EPT leaves, updated by shared-mode writers and walked
 * by lockless agers under the head's bit lock (rule R13; the protocol and
 * the argument that the read-only unlock never clobbers a writer are in
 * mm/rmap.h and docs/locking.md).
 */
#include "mm/rmap.h"

#include "lib/atomic.h"
#include "lib/bitlock.h"
#include "lib/errno.h"
#include "lib/lockdep.h"
#include "lib/mutate.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/ebr.h"
#include "mm/ept_mmu.h"
#include "mm/heap.h"

BUILD_BUG_ON(RMAP_MANY & BITLOCK_LOCKED);
BUILD_BUG_ON(sizeof(struct rmap_desc) > HEAP_SMALL_MAX);
BUILD_BUG_ON(RMAP_HEADS_PER_PAGE != 512);

/* ------------------------------------------------------------ table */

static u64 rmap_level_heads(const struct rmap_table *rt, int level)
{
	u64 span = 1ULL << (9 * (level - RMAP_LEVEL_MIN));

	return (rt->nr_gfns + span - 1) / span;
}

int rmap_table_init(struct rmap_table *rt, gfn_t base_gfn, u64 nr_gfns, struct ebr_domain *ebr)
{
	const u64 per_dir = RMAP_HEADS_PER_PAGE * RMAP_HEADS_PER_PAGE;

	memset(rt, 0, sizeof(*rt));
	rt->base_gfn = base_gfn;
	rt->nr_gfns = nr_gfns;
	rt->ebr = ebr;
	if (!nr_gfns || DIV_ROUND_UP(nr_gfns, per_dir) > RMAP_MAX_DIRS) {
		pr_err("rmap: cannot cover %llu gfns (1 .. %llu supported)\n",
		       nr_gfns, (per_dir * RMAP_MAX_DIRS));
		return -HV_ERANGE;
	}
	for (int lv = RMAP_LEVEL_MIN; lv <= RMAP_LEVEL_MAX; lv++) {
		u64 heads = rmap_level_heads(rt, lv);
		u64 pages = DIV_ROUND_UP(heads, RMAP_HEADS_PER_PAGE);

		for (u64 p = 0; p < pages; p++) {
			u64 ***dir = &rt->dirs[lv - RMAP_LEVEL_MIN][p / RMAP_HEADS_PER_PAGE];

			if (!*dir && !(*dir = arch_page_alloc()))
				goto oom;
			if (!((*dir)[p % RMAP_HEADS_PER_PAGE] = arch_page_alloc()))
				goto oom;
		}
	}
	return 0;
oom:
	pr_err("rmap: out of memory for the heads of %llu gfns\n", nr_gfns);
	rmap_table_destroy(rt);
	return -HV_ENOMEM;
}

void rmap_table_destroy(struct rmap_table *rt)
{
	u64 busy = 0;

	for (int l = 0; l < RMAP_NR_LEVELS; l++) {
		for (unsigned int d = 0; d < RMAP_MAX_DIRS; d++) {
			u64 **dir = rt->dirs[l][d];

			if (!dir)
				continue;
			for (unsigned int p = 0; p < RMAP_HEADS_PER_PAGE; p++) {
				if (!dir[p])
					continue;
				for (unsigned int i = 0; i < RMAP_HEADS_PER_PAGE; i++)
					busy += dir[p][i] != 0;
				arch_page_free(dir[p]);
			}
			arch_page_free(dir);
			rt->dirs[l][d] = NULL;
		}
	}
	if (busy)
		pr_err("rmap: %llu heads still in use at destroy (their descriptors leak)\n",
		       busy);
}

/* The head of (@gfn, @level), or NULL (reported) if outside the table. */
static u64 *rmap_head(struct rmap_table *rt, gfn_t gfn, int level, const char *who)
{
	u64 idx;

	if (unlikely(level < RMAP_LEVEL_MIN || level > RMAP_LEVEL_MAX ||
		     gfn < rt->base_gfn || gfn - rt->base_gfn >= rt->nr_gfns)) {
		pr_err("%s: gfn 0x%llx level %d outside the rmap (base 0x%llx, %llu gfns)\n",
		       who, gfn, level, rt->base_gfn,
		       rt->nr_gfns);
		return NULL;
	}
	idx = (gfn - rt->base_gfn) >> (9 * (level - RMAP_LEVEL_MIN));
	return &rt->dirs[level - RMAP_LEVEL_MIN][idx / (RMAP_HEADS_PER_PAGE * RMAP_HEADS_PER_PAGE)]
			[(idx / RMAP_HEADS_PER_PAGE) % RMAP_HEADS_PER_PAGE][idx % RMAP_HEADS_PER_PAGE];
}

/* ------------------------------------------------------------ descriptors */

static struct rmap_desc *rmap_desc_alloc(void)
{
	struct rmap_desc *d = kmalloc(sizeof(*d));

	if (!d)
		return NULL;
	d->magic = RMAP_DESC_MAGIC;
	d->nr = 0;
	d->more = NULL;
	return d;
}

/* EBR callback: poison (so a walker that should not be here trips) and free. */
static void rmap_desc_free_cb(struct ebr_node *n)
{
	struct rmap_desc *d = container_of(n, struct rmap_desc, ebr);

	memset(&d->magic, RMAP_DESC_POISON_BYTE,
	       sizeof(*d) - offsetof(struct rmap_desc, magic));
	kfree(d);
}

/*
 * Descriptors go through EBR although walkers only follow a chain under the
 * head's bit lock: the lock keeps the chain stable, EBR keeps a descriptor
 * readable for a walker inside its section even if a locking bug let it in
 * (the tests then see poison instead of freed memory).
 */
static void rmap_desc_retire(struct rmap_table *rt, struct rmap_desc *d)
{
	d->magic = RMAP_DESC_RETIRED;
	ebr_retire(ebr_rec_this(rt->ebr), &d->ebr, rmap_desc_free_cb);
}

static inline struct rmap_desc *rmap_val_desc(u64 v)
{
	return (struct rmap_desc *)(uintptr_t)(v & ~(RMAP_MANY | BITLOCK_LOCKED));
}

static inline u64 rmap_desc_val(struct rmap_desc *d)
{
	return (u64)(uintptr_t)d | RMAP_MANY;
}

/* ------------------------------------------------------------ add/remove */

/*
 * The empty -> first-entry transition.  Bit locks never lock an empty
 * word, so a writer that finds the head empty holds nothing, and another
 * shared-mode writer may be filling the same head right now: install with
 * one cmpxchg and start over if someone got there first.
 */
static bool rmap_install_first(u64 *head, u64 __ept *sptep)
{
	u64 v = (u64)(uintptr_t)sptep;
	u64 empty = 0;

	/*
	 * R13: cmpxchg(0 -> entry): fails if another writer installed first
	 * or an owner is mid-update (the word is then non-zero).  Full
	 * barrier; pairs with the cmpxchg of bitlock_lock() of the next
	 * writer or walker of this head.
	 */
	return try_cmpxchg_rule(R13_RMAP_FIRST_CMPXCHG, head, &empty, v);
}

int rmap_table_add(struct rmap_table *rt, gfn_t gfn, u64 __ept *sptep, int level)
{
	u64 *head = rmap_head(rt, gfn, level, "rmap_add");
	struct rmap_desc *spare = NULL;

	if (!head)
		return -HV_ERANGE;
	if (WARN_ON((uintptr_t)sptep & 7))
		return -HV_EINVAL;
	for (;;) {
		u64 old = bitlock_lock(head);

		if (!old) {
			if (rmap_install_first(head, sptep))
				break;
			continue;
		}
		/* Locked.  Room in the first descriptor: fill it in place. */
		if (old & RMAP_MANY) {
			struct rmap_desc *d = rmap_val_desc(old);

			if (d->nr < RMAP_DESC_ENTRIES) {
				d->sptes[d->nr++] = sptep;
				bitlock_unlock(head, old);
				break;
			}
		}
		/*
		 * A new descriptor is needed.  Allocate it unlocked (the heap
		 * takes its own lock) and start over: the head may have changed.
		 */
		if (!spare) {
			bitlock_unlock(head, old);
			spare = rmap_desc_alloc();
			if (!spare) {
				pr_err("rmap_add: no memory for a descriptor (gfn 0x%llx level %d); "
				       "the leaf will not be aged\n", gfn, level);
				return -HV_ENOMEM;
			}
			continue;
		}
		spare->nr = 0;
		if (old & RMAP_MANY) {
			spare->more = rmap_val_desc(old);
		} else {
			spare->sptes[spare->nr++] = (u64 __ept *)(uintptr_t)old;
			spare->more = NULL;
		}
		spare->sptes[spare->nr++] = sptep;
		/* R13: bitlock_unlock() is the release that publishes @spare. */
		bitlock_unlock(head, rmap_desc_val(spare));
		spare = NULL;
		break;
	}
	if (spare)
		kfree(spare);	/* never published */
	return 0;
}

/* Remove @sptep from the chain @old (locked); returns the new head value. */
static u64 rmap_chain_remove(struct rmap_table *rt, u64 old, const u64 __ept *sptep,
			     bool *found)
{
	struct rmap_desc *first = rmap_val_desc(old);

	for (struct rmap_desc *d = first; d; d = d->more) {
		for (u32 i = 0; i < d->nr; i++) {
			if (d->sptes[i] != sptep)
				continue;
			*found = true;
			/* Fill the hole with the first descriptor's last entry. */
			d->sptes[i] = first->sptes[--first->nr];
			if (first->nr > 1 || (first->nr == 1 && first->more))
				return old;
			if (first->nr == 1) {
				/* One entry left: back to a plain pointer. */
				u64 v = (u64)(uintptr_t)first->sptes[0];

				rmap_desc_retire(rt, first);
				return v;
			}
			/* The first descriptor is empty: drop it. */
			{
				struct rmap_desc *next = first->more;

				rmap_desc_retire(rt, first);
				return next ? rmap_desc_val(next) : 0;
			}
		}
	}
	*found = false;
	return old;
}

void rmap_table_remove(struct rmap_table *rt, gfn_t gfn, u64 __ept *sptep, int level)
{
	u64 *head = rmap_head(rt, gfn, level, "rmap_remove");
	bool found = false;
	u64 old, new;

	if (!head)
		return;
	old = bitlock_lock(head);
	if (!old) {
		pr_err("rmap_remove: gfn 0x%llx level %d has no entries (leaf %p)\n",
		       gfn, level, (__force void *)sptep);
		return;
	}
	if (old & RMAP_MANY) {
		new = rmap_chain_remove(rt, old, sptep, &found);
	} else {
		found = (u64 __ept *)(uintptr_t)old == sptep;
		new = found ? 0 : old;
	}
	/*
	 * R13: release-store of the new chain; clears the lock.  A value of
	 * 0 makes the head empty again: from then on it is filled only by
	 * rmap_install_first()'s cmpxchg.
	 */
	bitlock_unlock(head, new);
	if (!found)
		pr_err("rmap_remove: leaf %p not in the rmap of gfn 0x%llx level %d\n",
		       (__force void *)sptep, gfn, level);
}

int rmap_add(struct vm_mmu *mmu, gfn_t gfn, u64 __ept *sptep, int level)
{
	assert_held(&mmu->mmu_lock);
	return rmap_table_add(&mmu->rmap, gfn, sptep, level);
}

void rmap_remove(struct vm_mmu *mmu, gfn_t gfn, u64 __ept *sptep, int level)
{
	assert_held(&mmu->mmu_lock);
	rmap_table_remove(&mmu->rmap, gfn, sptep, level);
}

/* ------------------------------------------------------------ walks */

/* Count a dead descriptor met by a walk; true for the first one (print it). */
static bool rmap_note_bad_desc(struct rmap_table *rt)
{
	return fetch_add(&rt->bad_desc, 1) == 0;
}

/* Visit every entry of the chain value @v (lock held, or writers excluded). */
static unsigned int rmap_visit(struct rmap_table *rt, u64 v, rmap_visit_fn fn, void *arg)
{
	unsigned int n = 0;

	if (!(v & RMAP_MANY)) {
		fn((u64 __ept *)(uintptr_t)v, arg);
		return 1;
	}
	for (struct rmap_desc *d = rmap_val_desc(v); d; d = d->more) {
		/* Stable: we hold the bit lock (or every writer is excluded). */
		if (unlikely(READ_ONCE(d->magic) != RMAP_DESC_MAGIC)) {
			if (rmap_note_bad_desc(rt))
				pr_err("rmap: walk met a dead descriptor %p (magic 0x%x)\n",
				       (void *)d, READ_ONCE(d->magic));
			break;
		}
		for (u32 i = 0; i < d->nr && i < RMAP_DESC_ENTRIES; i++, n++)
			fn(d->sptes[i], arg);
	}
	return n;
}

unsigned int rmap_walk_readonly(struct rmap_table *rt, gfn_t gfn, int level,
				rmap_visit_fn fn, void *arg)
{
	u64 *head = rmap_head(rt, gfn, level, "rmap_walk");
	unsigned int n;
	u64 old;

	if (!head)
		return 0;
	/*
	 * R13: read-only lock.  Never locks an empty word (returns 0: nothing
	 * to walk, nothing to restore), so a writer's cmpxchg(0 -> entry)
	 * cannot be undone by our unlock; on a non-empty word writers wait
	 * for the bit, so restoring @old cannot clobber them either.  Pairs
	 * with bitlock_unlock() of the writers.  The R13_RMAP_RO_UNLOCK mutant
	 * only reads the word, and writes what it read back at the end:
	 * it clobbers any writer that changed the head meanwhile.
	 */
	old = rule_value(R13_RMAP_RO_UNLOCK, bitlock_lock_readonly(head), bitlock_peek(head));
	if (!old)
		return 0;
	n = rmap_visit(rt, old, fn, arg);
	rule_step(R13_RMAP_RO_UNLOCK, bitlock_unlock_readonly(head, old));
	rule_mutant_step(R13_RMAP_RO_UNLOCK, WRITE_ONCE(*head, old));
	return n;
}

unsigned int rmap_walk_stable(struct rmap_table *rt, gfn_t gfn, int level,
			      rmap_visit_fn fn, void *arg)
{
	u64 *head = rmap_head(rt, gfn, level, "rmap_walk_stable");
	u64 v;

	if (!head)
		return 0;
	/*
	 * Writers are excluded (the caller holds mmu_lock for write) and
	 * read-only walkers never change the chain, so the value without the
	 * lock bit is stable.
	 */
	v = bitlock_peek(head);
	return v ? rmap_visit(rt, v, fn, arg) : 0;
}
