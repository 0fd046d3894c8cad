// SPDX-License-Identifier: MIT
/*
 * Memory slots and memory types of a VM, and their update protocol.
 * See mm/memslot.h.
 */
#include "mm/memslot.h"

#include "lib/atomic.h"
#include "lib/errno.h"
#include "lib/panic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/ept_entry.h"
#include "mm/ept_mmu.h"
#include "mm/heap.h"

/* Frames an EPT entry can address (bits 51:12). */
#define EPT_PFN_LIMIT	(1ULL << 40)

const struct ept_memslot *ept_memslot_find(const struct ept_memmap *map, gfn_t gfn)
{
	u32 lo = 0, hi = map->nr_slots;

	while (lo < hi) {
		u32 mid = (lo + hi) / 2;
		const struct ept_memslot *s = &map->slot[mid];

		if (gfn < s->base_gfn)
			hi = mid;
		else if (gfn >= s->base_gfn + s->npages)
			lo = mid + 1;
		else
			return s;
	}
	return NULL;
}

const struct ept_memmap *ept_memmap_get(const struct vm_mmu *mmu)
{
	/*
	 * R1 (applied to the memory map): the map is fully built before it is
	 * published; pairs with the store_release in ept_memmap_publish().
	 * The caller is inside an EBR section, which keeps it allocated.
	 */
	return load_acquire(&mmu->memmap);
}

void ept_memslot_mark_dirty(const struct ept_memslot *slot, gfn_t gfn)
{
	u64 i;

	u64 *w;

	if (!slot->dirty || gfn < slot->base_gfn || gfn >= slot->base_gfn + slot->npages)
		return;
	i = gfn - slot->base_gfn;
	w = ept_dirty_word(slot->dirty, i / 64);
	/* Atomic OR: faults of other vCPUs and the harvester's xchg race here. */
	if (!(READ_ONCE(*w) & BIT(i % 64)))
		fetch_or(w, BIT(i % 64));
}

static void ept_dirty_log_free(struct ept_dirty_log *d)
{
	if (!d)
		return;
	for (u32 i = 0; i < d->npages; i++)
		arch_page_free(d->page[i]);
	kfree(d);
}

static struct ept_dirty_log *ept_dirty_log_alloc(u64 npages)
{
	u64 nwords = DIV_ROUND_UP(npages, 64);
	u32 n = (u32)DIV_ROUND_UP(nwords, EPT_DIRTY_WORDS_PER_PAGE);
	struct ept_dirty_log *d;

	if (sizeof(*d) + n * sizeof(u64 *) > 2048) {
		pr_err("ept: dirty log of %llu pages is too large\n", npages);
		return NULL;
	}
	d = kzalloc(sizeof(*d) + n * sizeof(u64 *));
	if (!d)
		return NULL;
	d->nwords = nwords;
	for (; d->npages < n; d->npages++) {
		d->page[d->npages] = arch_page_alloc();
		if (!d->page[d->npages]) {
			ept_dirty_log_free(d);
			return NULL;
		}
	}
	return d;
}

static struct ept_memmap *ept_memmap_alloc(void)
{
	BUILD_BUG_ON(sizeof(struct ept_memmap) > PAGE_SIZE);
	return arch_page_alloc();	/* zeroed */
}

static void ept_memmap_free(struct ept_memmap *map)
{
	ept_dirty_log_free(map->dead_log);
	arch_page_free(map);
}

static void ept_memmap_free_cb(struct ebr_node *n)
{
	ept_memmap_free(container_of(n, struct ept_memmap, rcu));
}

int ept_memmap_init(struct vm_mmu *mmu)
{
	struct ept_memmap *map = ept_memmap_alloc();

	if (!map) {
		pr_err("ept: no memory for the memory map\n");
		return -HV_ENOMEM;
	}
	map->generation = 1;
	map->mtrr_default = EPT_MT_WB;
	store_release(&mmu->memmap, map);
	return 0;
}

void ept_memmap_destroy(struct vm_mmu *mmu)
{
	struct ept_memmap *map = mmu->memmap;

	if (!map)
		return;
	for (u32 i = 0; i < map->nr_slots; i++)
		ept_dirty_log_free(map->slot[i].dirty);
	ept_memmap_free(map);
	mmu->memmap = NULL;
}

/* Publish @new (caller holds memmap_lock) and retire the old map. */
static void ept_memmap_publish(struct vm_mmu *mmu, struct ept_memmap *new)
{
	struct ept_memmap *old = mmu->memmap;

	assert_held(&mmu->memmap_lock);
	new->generation = old->generation + 1;
	/* R1: pairs with the load_acquire in ept_memmap_get(). */
	store_release(&mmu->memmap, new);
	ebr_retire(ebr_rec_this(&mmu->ebr), &old->rcu, ept_memmap_free_cb);
}

/* Start an update: @new becomes a copy of the current map, minus its dead log. */
static void ept_memmap_copy(struct vm_mmu *mmu, struct ept_memmap *new)
{
	assert_held(&mmu->memmap_lock);
	memcpy(new, mmu->memmap, sizeof(*new));
	/* The dead log belongs to the map it was retired with (freed with it). */
	new->dead_log = NULL;
}

static int ept_memslot_check(const struct ept_memslot *d)
{
	if (!d->id) {
		pr_err("ept: memslot id 0 is reserved\n");
		return -HV_EINVAL;
	}
	if (!d->npages)
		return 0;
	if (d->kind > EPT_SLOT_MMIO) {
		pr_err("ept: memslot %u: unknown kind %u\n", d->id, d->kind);
		return -HV_EINVAL;
	}
	if (d->flags & ~(EPT_SLOT_READONLY | EPT_SLOT_DIRTY_LOG)) {
		pr_err("ept: memslot %u: unknown flags 0x%x\n", d->id, d->flags);
		return -HV_EINVAL;
	}
	if (d->base_gfn + d->npages < d->base_gfn || d->base_gfn + d->npages > EPT_PFN_LIMIT) {
		pr_err("ept: memslot %u: gfn range 0x%llx+0x%llx out of range\n", d->id,
		       d->base_gfn, d->npages);
		return -HV_ERANGE;
	}
	if (d->kind != EPT_SLOT_MMIO && d->base_pfn + d->npages > EPT_PFN_LIMIT) {
		pr_err("ept: memslot %u: host frames 0x%llx+0x%llx not addressable by EPT\n",
		       d->id, d->base_pfn, d->npages);
		return -HV_ERANGE;
	}
	return 0;
}

static int ept_memmap_find_id(const struct ept_memmap *map, u32 id)
{
	for (u32 i = 0; i < map->nr_slots; i++)
		if (map->slot[i].id == id)
			return (int)i;
	return -1;
}

static void ept_memmap_remove_at(struct ept_memmap *map, u32 idx)
{
	memmove(&map->slot[idx], &map->slot[idx + 1],
		(map->nr_slots - idx - 1) * sizeof(map->slot[0]));
	map->nr_slots--;
}

/* Insert keeping the order; -HV_EBUSY on overlap, -HV_ENOSPC when the table is full. */
static int ept_memmap_insert(struct ept_memmap *map, const struct ept_memslot *s)
{
	u32 i = 0;

	if (map->nr_slots == EPT_MAX_SLOTS) {
		pr_err("ept: memslot %u: more than %d slots\n", s->id, EPT_MAX_SLOTS);
		return -HV_ENOSPC;
	}
	while (i < map->nr_slots && map->slot[i].base_gfn < s->base_gfn)
		i++;
	if ((i > 0 && map->slot[i - 1].base_gfn + map->slot[i - 1].npages > s->base_gfn) ||
	    (i < map->nr_slots && s->base_gfn + s->npages > map->slot[i].base_gfn)) {
		pr_err("ept: memslot %u overlaps another slot\n", s->id);
		return -HV_EBUSY;
	}
	memmove(&map->slot[i + 1], &map->slot[i], (map->nr_slots - i) * sizeof(map->slot[0]));
	map->slot[i] = *s;
	map->nr_slots++;
	return 0;
}


int ept_memslot_set(struct vm_mmu *mmu, const struct ept_memslot *desc)
{
	struct ept_memslot s = *desc;
	struct ept_memmap *new;
	struct ept_dirty_log *bitmap = NULL;
	gfn_t inv_start = 0, inv_end = 0;
	int idx, err;

	err = ept_memslot_check(&s);
	if (err)
		return err;
	s.dirty = NULL;
	if (s.npages && (s.flags & EPT_SLOT_DIRTY_LOG)) {
		bitmap = ept_dirty_log_alloc(s.npages);
		if (!bitmap)
			goto nomem;
	}
	new = ept_memmap_alloc();
	if (!new)
		goto nomem;

	spin_lock(&mmu->memmap_lock);
	ept_memmap_copy(mmu, new);
	idx = ept_memmap_find_id(new, s.id);
	if (idx >= 0) {
		struct ept_memslot *o = &new->slot[idx];

		/* Any change of an existing slot may change translations. */
		inv_start = o->base_gfn;
		inv_end = o->base_gfn + o->npages;
		new->dead_log = o->dirty;
		ept_memmap_remove_at(new, (u32)idx);
	} else if (!s.npages) {
		spin_unlock(&mmu->memmap_lock);
		pr_err("ept: memslot %u does not exist\n", s.id);
		err = -HV_ENOENT;
		goto fail;
	}
	if (s.npages) {
		s.dirty = bitmap;
		err = ept_memmap_insert(new, &s);
		if (err) {
			spin_unlock(&mmu->memmap_lock);
			goto fail;
		}
	}
	if (inv_end > inv_start)
		mmu_invalidate_range_start(mmu, inv_start, inv_end);
	ept_memmap_publish(mmu, new);
	if (inv_end > inv_start)
		mmu_invalidate_range_end(mmu, inv_start, inv_end);
	spin_unlock(&mmu->memmap_lock);
	return 0;
nomem:
	pr_err("ept: memslot %u: out of memory\n", s.id);
	ept_dirty_log_free(bitmap);
	return -HV_ENOMEM;
fail:
	ept_memmap_free(new);
	ept_dirty_log_free(bitmap);
	return err;
}

int ept_memmap_set_mtrr(struct vm_mmu *mmu, const struct ept_mtrr_range *r, u32 nr,
			u8 default_type)
{
	struct ept_memmap *new;

	if (nr > EPT_MAX_MTRR) {
		pr_err("ept: %u memory-type ranges, at most %d\n", nr, EPT_MAX_MTRR);
		return -HV_EINVAL;
	}
	for (u32 i = 0; i < nr; i++) {
		u8 t = r[i].type;

		if (r[i].start >= r[i].end || (t != EPT_MT_UC && t != EPT_MT_WC &&
					       t != EPT_MT_WT && t != EPT_MT_WP && t != EPT_MT_WB)) {
			pr_err("ept: memory-type range %u is empty or has bad type %u\n", i, t);
			return -HV_EINVAL;
		}
	}
	new = ept_memmap_alloc();
	if (!new)
		return -HV_ENOMEM;
	spin_lock(&mmu->memmap_lock);
	ept_memmap_copy(mmu, new);
	memcpy(new->mtrr, r, nr * sizeof(*r));
	new->nr_mtrr = nr;
	new->mtrr_default = default_type;
	/* Memory types of every leaf may change: invalidate everything. */
	mmu_invalidate_range_start(mmu, 0, EPT_PFN_LIMIT);
	ept_memmap_publish(mmu, new);
	mmu_invalidate_range_end(mmu, 0, EPT_PFN_LIMIT);
	spin_unlock(&mmu->memmap_lock);
	return 0;
}

int ept_memslot_dirty_log(struct vm_mmu *mmu, u32 id, bool on)
{
	struct ept_memmap *new;
	struct ept_memslot *s;
	struct ept_dirty_log *bitmap = NULL;
	gfn_t start, end;
	int idx;

	new = ept_memmap_alloc();
	if (!new)
		return -HV_ENOMEM;
	spin_lock(&mmu->memmap_lock);
	ept_memmap_copy(mmu, new);
	idx = ept_memmap_find_id(new, id);
	if (idx < 0 || new->slot[idx].kind != EPT_SLOT_RAM) {
		spin_unlock(&mmu->memmap_lock);
		ept_memmap_free(new);
		pr_err("ept: dirty log: slot %u does not exist or is not RAM\n", id);
		return -HV_ENOENT;
	}
	s = &new->slot[idx];
	if (!!(s->flags & EPT_SLOT_DIRTY_LOG) == on) {
		spin_unlock(&mmu->memmap_lock);
		ept_memmap_free(new);
		return 0;
	}
	if (on) {
		bitmap = ept_dirty_log_alloc(s->npages);
		if (!bitmap) {
			spin_unlock(&mmu->memmap_lock);
			ept_memmap_free(new);
			return -HV_ENOMEM;
		}
		s->flags |= EPT_SLOT_DIRTY_LOG;
		s->dirty = bitmap;
	} else {
		s->flags &= ~EPT_SLOT_DIRTY_LOG;
		new->dead_log = s->dirty;
		s->dirty = NULL;
	}
	start = s->base_gfn;
	end = s->base_gfn + s->npages;
	ept_memmap_publish(mmu, new);
	if (on) {
		/*
		 * Faults that loaded the old map (no dirty logging) may still
		 * install writable huge leaves: wait until every EBR reader of
		 * the old map is gone, then split and write-protect.
		 */
		ebr_synchronize(&mmu->ebr);
		ept_split_range(mmu, start, end, EPT_LEVEL_4K);
		ept_write_protect_range(mmu, start, end, false);
	}
	spin_unlock(&mmu->memmap_lock);
	return 0;
}

s64 ept_memslot_get_dirty_log(struct vm_mmu *mmu, u32 id, u64 *out)
{
	const struct ept_memslot *s;
	struct ept_memslot copy;
	s64 dirty = 0;
	int idx;

	spin_lock(&mmu->memmap_lock);
	idx = ept_memmap_find_id(mmu->memmap, id);
	if (idx < 0 || !(mmu->memmap->slot[idx].flags & EPT_SLOT_DIRTY_LOG)) {
		spin_unlock(&mmu->memmap_lock);
		pr_err("ept: dirty log: slot %u missing or not logging\n", id);
		return -HV_ENOENT;
	}
	s = &mmu->memmap->slot[idx];
	copy = *s;
	for (u64 i = 0; i < DIV_ROUND_UP(copy.npages, 64); i++) {
		/* Take the word: marks after this land in the next harvest. */
		out[i] = xchg(ept_dirty_word(copy.dirty, i), 0);
		dirty += __builtin_popcountll(out[i]);
	}
	/* Pages written from now on fault again and are marked again. */
	ept_write_protect_range(mmu, copy.base_gfn, copy.base_gfn + copy.npages, false);
	spin_unlock(&mmu->memmap_lock);
	return dirty;
}
