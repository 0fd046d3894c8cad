// SPDX-License-Identifier: MIT
/*
 * Binary buddy frame allocator.
 *
 * Every managed RAM range is a region with one state byte per frame.  A
 * free block of order k is on free list k, its first frame marked
 * FREE_HEAD(k) and the rest FREE_TAIL; an allocated block is ALLOC_HEAD(k)
 * plus ALLOC_TAIL frames.  Blocks are aligned to their size in physical
 * address space and never cross a region boundary, so a block's buddy is
 * pa ^ (size) and merging needs only the buddy's head byte.  Marking every
 * frame (not just heads) costs 2^k byte stores per operation but lets
 * pmm_free() tell a double free, a free of the middle of a block and a
 * wrong order apart, and refuse them.
 *
 * The free-list node sits in the first bytes of each free block (through
 * arch_phys_to_virt()) and carries a magic that depends on the address, so
 * a write into freed memory is noticed when the block is handed out again.
 *
 * One spinlock (IRQ-safe) protects all of it.
 */
#include "mm/pmm.h"
#include "lib/atomic.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"

/* State byte: kind in bits 7..5, order in bits 4..0 for heads. */
#define PMM_KIND_SHIFT		5
#define PMM_ORDER_MASK		0x1f
#define PMM_ALLOC_HEAD		(1u << PMM_KIND_SHIFT)
#define PMM_FREE_TAIL		(2u << PMM_KIND_SHIFT)
#define PMM_ALLOC_TAIL		(3u << PMM_KIND_SHIFT)
#define PMM_FREE_HEAD		(4u << PMM_KIND_SHIFT)
#define PMM_RESERVED		0xff
#define PMM_KIND(s)		((s) & ~PMM_ORDER_MASK)

#define PMM_NODE_MAGIC		0x9e3779b97f4a7c15ULL

BUILD_BUG_ON(PMM_MAX_ORDER > PMM_ORDER_MASK);

struct pmm_region {
	phys_addr_t base;	/* page-aligned */
	u64 npages;
	u8 *state;		/* npages bytes */
};

/* Free-list node, stored in the free block itself. */
struct pmm_node {
	struct pmm_node *next, *prev;
	phys_addr_t pa;
	u64 magic;		/* PMM_NODE_MAGIC ^ pa */
};

static spinlock_t pmm_lock = SPINLOCK_INIT;
static struct pmm_region pmm_regions[PMM_MAX_REGIONS];
static unsigned int pmm_nregions;
static struct pmm_node pmm_lists[PMM_MAX_ORDER + 1];	/* circular, sentinel heads */
static u64 pmm_nfree_blocks[PMM_MAX_ORDER + 1];
static u64 pmm_nfree, pmm_ntotal;
static bool pmm_ready;

/* Scratch for pmm_init(): RAM and reserved ranges, boot CPU only. */
#define PMM_SCRATCH		256
static struct mem_range pmm_ram[PMM_SCRATCH], pmm_resv[PMM_SCRATCH + 1];

static u64 pmm_block_pages(unsigned int order)
{
	return 1ULL << order;
}

static struct pmm_region *pmm_region_of(phys_addr_t pa, u64 npages)
{
	for (unsigned int i = 0; i < pmm_nregions; i++) {
		struct pmm_region *r = &pmm_regions[i];

		if (pa >= r->base && (pa - r->base) >> PAGE_SHIFT < r->npages &&
		    npages <= r->npages - ((pa - r->base) >> PAGE_SHIFT))
			return r;
	}
	return NULL;
}

static u8 *pmm_state(struct pmm_region *r, phys_addr_t pa)
{
	return &r->state[(pa - r->base) >> PAGE_SHIFT];
}

static void pmm_list_add(unsigned int order, phys_addr_t pa)
{
	struct pmm_node *n = arch_phys_to_virt(pa), *h = &pmm_lists[order];

	assert_held(&pmm_lock);
	n->pa = pa;
	n->magic = PMM_NODE_MAGIC ^ pa;
	n->next = h->next;
	n->prev = h;
	h->next->prev = n;
	h->next = n;
	pmm_nfree_blocks[order]++;
}

static void pmm_list_del(unsigned int order, struct pmm_node *n)
{
	assert_held(&pmm_lock);
	n->prev->next = n->next;
	n->next->prev = n->prev;
	pmm_nfree_blocks[order]--;
}

/*
 * pmm_nfree changes under pmm_lock but pmm_free_pages() reads it without:
 * marked stores so the lockless snapshot is never torn (and TSan sees no
 * race).  No ordering: the count is a report, nothing is published by it.
 */
static void pmm_add_free(s64 delta)
{
	assert_held(&pmm_lock);
	WRITE_ONCE(pmm_nfree, pmm_nfree + (u64)delta);
}

/* Mark 2^order frames at @pa: head byte @head, the others @tail. */
static void pmm_mark(struct pmm_region *r, phys_addr_t pa, unsigned int order, u8 head, u8 tail)
{
	u8 *s = pmm_state(r, pa);

	s[0] = head;
	memset(s + 1, tail, pmm_block_pages(order) - 1);
}

/* Insert a free run [pa, end) as maximal aligned blocks (init only). */
static void pmm_add_run(struct pmm_region *r, phys_addr_t pa, phys_addr_t end)
{
	while (pa < end) {
		unsigned int order = PMM_MAX_ORDER;

		while (order && (!IS_ALIGNED(pa, PAGE_SIZE << order) ||
				 (end - pa) >> PAGE_SHIFT < pmm_block_pages(order)))
			order--;
		pmm_mark(r, pa, order, (u8)(PMM_FREE_HEAD | order), PMM_FREE_TAIL);
		pmm_list_add(order, pa);
		pmm_add_free((s64)pmm_block_pages(order));
		pa += PAGE_SIZE << order;
	}
}

/*
 * Find @pages free frames for the state bytes: the first stretch of some
 * region, outside every reserved range, that is long enough.  Returns 0
 * when there is none.
 */
static phys_addr_t pmm_place_state(const struct mem_range *resv, unsigned int nresv, u64 pages)
{
	for (unsigned int i = 0; i < pmm_nregions; i++) {
		phys_addr_t cur = pmm_regions[i].base;
		phys_addr_t end = cur + (pmm_regions[i].npages << PAGE_SHIFT);

		for (unsigned int j = 0; j <= nresv && cur < end; j++) {
			phys_addr_t stop = end;

			if (j < nresv) {
				if (resv[j].base + resv[j].len <= cur)
					continue;
				stop = MIN(end, resv[j].base);
			}
			if (stop > cur && (stop - cur) >> PAGE_SHIFT >= pages)
				return cur;
			if (j < nresv)
				cur = MAX(cur, ALIGN_UP(resv[j].base + resv[j].len, PAGE_SIZE));
		}
	}
	return 0;
}

static void pmm_reset_locked(void)
{
	assert_held(&pmm_lock);
	pmm_nregions = 0;
	WRITE_ONCE(pmm_nfree, 0);
	WRITE_ONCE(pmm_ntotal, 0);
	for (unsigned int k = 0; k <= PMM_MAX_ORDER; k++) {
		pmm_lists[k].next = pmm_lists[k].prev = &pmm_lists[k];
		pmm_nfree_blocks[k] = 0;
	}
	pmm_ready = false;
}

int pmm_init(const struct mem_range *ram, unsigned int n_ram,
	     const struct mem_range *reserved, unsigned int n_reserved)
{
	unsigned int nram, nresv;
	u64 state_bytes = 0, state_pages;
	phys_addr_t state_pa;
	unsigned long flags;
	u8 *state;

	flags = spin_lock_irqsave(&pmm_lock);
	if (pmm_ready) {
		spin_unlock_irqrestore(&pmm_lock, flags);
		pr_err("pmm: pmm_init called twice\n");
		return -HV_EINVAL;
	}
	pmm_reset_locked();
	if (n_ram > PMM_SCRATCH || n_reserved > PMM_SCRATCH) {
		spin_unlock_irqrestore(&pmm_lock, flags);
		pr_err("pmm: %u RAM / %u reserved ranges, at most %u each\n", n_ram, n_reserved,
		       PMM_SCRATCH);
		return -HV_EINVAL;
	}
	/* RAM: whole frames at or above PMM_LOW_LIMIT. */
	for (unsigned int i = 0; i < n_ram; i++) {
		u64 b = ram[i].base, e = ram[i].len > ~0ULL - b ? ~0ULL : b + ram[i].len;

		b = ALIGN_UP(MAX(b, PMM_LOW_LIMIT), PAGE_SIZE);
		e = ALIGN_DOWN(e, PAGE_SIZE);
		pmm_ram[i] = (struct mem_range){ b, e > b ? e - b : 0 };
	}
	nram = mem_ranges_normalize(pmm_ram, n_ram);
	/* Reserved: every frame they touch. */
	for (unsigned int i = 0; i < n_reserved; i++) {
		u64 b = ALIGN_DOWN(reserved[i].base, PAGE_SIZE);
		u64 e = reserved[i].len > ~0ULL - reserved[i].base ?
			~0ULL : reserved[i].base + reserved[i].len;

		e = e > ~0ULL - PAGE_SIZE ? ALIGN_DOWN(~0ULL, PAGE_SIZE) : ALIGN_UP(e, PAGE_SIZE);
		pmm_resv[i] = (struct mem_range){ b, e > b ? e - b : 0 };
	}
	nresv = mem_ranges_normalize(pmm_resv, n_reserved);

	if (nram > PMM_MAX_REGIONS) {
		pr_warn("pmm: %u RAM ranges, only the first %u are used\n", nram, PMM_MAX_REGIONS);
		nram = PMM_MAX_REGIONS;
	}
	for (unsigned int i = 0; i < nram; i++) {
		pmm_regions[i].base = pmm_ram[i].base;
		pmm_regions[i].npages = pmm_ram[i].len >> PAGE_SHIFT;
		state_bytes += pmm_regions[i].npages;
	}
	pmm_nregions = nram;
	if (!state_bytes) {
		pmm_reset_locked();
		spin_unlock_irqrestore(&pmm_lock, flags);
		pr_err("pmm: no usable RAM above %#llx\n", PMM_LOW_LIMIT);
		return -HV_ENOMEM;
	}
	state_pages = DIV_ROUND_UP(state_bytes, PAGE_SIZE);
	state_pa = pmm_place_state(pmm_resv, nresv, state_pages);
	if (!state_pa) {
		pmm_reset_locked();
		spin_unlock_irqrestore(&pmm_lock, flags);
		pr_err("pmm: no free stretch of %llu pages for the frame state\n",
		       state_pages);
		return -HV_ENOMEM;
	}
	/* The state bytes are reserved like the rest: add them and re-normalize. */
	pmm_resv[nresv++] = (struct mem_range){ state_pa, state_pages << PAGE_SHIFT };
	nresv = mem_ranges_normalize(pmm_resv, nresv);

	state = arch_phys_to_virt(state_pa);
	memset(state, PMM_RESERVED, state_bytes);
	for (unsigned int i = 0; i < nram; i++) {
		struct pmm_region *r = &pmm_regions[i];
		phys_addr_t cur = r->base, end = r->base + (r->npages << PAGE_SHIFT);

		r->state = state;
		state += r->npages;
		/* Free runs: the region minus the sorted reserved ranges. */
		for (unsigned int j = 0; j < nresv && cur < end; j++) {
			u64 rb = pmm_resv[j].base, re = rb + pmm_resv[j].len;

			if (re <= cur)
				continue;
			if (rb >= end)
				break;
			if (rb > cur)
				pmm_add_run(r, cur, rb);
			cur = re;
		}
		if (cur < end)
			pmm_add_run(r, cur, end);
	}
	/* Reserved frames inside regions are not "managed": count only what can be free. */
	WRITE_ONCE(pmm_ntotal, pmm_nfree);
	pmm_ready = true;
	spin_unlock_irqrestore(&pmm_lock, flags);
	pr_info("pmm: %llu MiB free in %u region(s), %llu KiB of frame state at %#llx\n",
		(pmm_nfree >> (20 - PAGE_SHIFT)), nram,
		DIV_ROUND_UP(state_bytes, 1024), state_pa);
	return 0;
}

/*
 * Rebuild free list @order from the state bytes, rewriting every node: the
 * way out after a node was found overwritten, when its links cannot be
 * trusted.  O(frames), but only on that error path.
 */
static void pmm_rebuild_list(unsigned int order)
{
	assert_held(&pmm_lock);
	pmm_lists[order].next = pmm_lists[order].prev = &pmm_lists[order];
	pmm_nfree_blocks[order] = 0;
	for (unsigned int i = 0; i < pmm_nregions; i++) {
		const struct pmm_region *r = &pmm_regions[i];

		for (u64 p = 0; p < r->npages; p++) {
			if (r->state[p] == (PMM_FREE_HEAD | order))
				pmm_list_add(order, r->base + (p << PAGE_SHIFT));
		}
	}
}

/*
 * Unlink the free block @pa of @order.  A node whose magic or address is
 * wrong was written to while free: report it and rebuild the list first.
 */
static void pmm_unlink(unsigned int order, phys_addr_t pa)
{
	struct pmm_node *n = arch_phys_to_virt(pa);

	assert_held(&pmm_lock);
	if (n->magic != (PMM_NODE_MAGIC ^ pa) || n->pa != pa) {
		pr_err("pmm: free block %#llx (order %u) was overwritten while free\n",
		       pa, order);
		pmm_rebuild_list(order);
	}
	pmm_list_del(order, n);
}

phys_addr_t pmm_alloc(unsigned int order)
{
	unsigned long flags;
	unsigned int k;
	phys_addr_t pa;
	struct pmm_region *r;

	if (order > PMM_MAX_ORDER) {
		pr_warn("pmm: allocation of order %u > %u refused\n", order, PMM_MAX_ORDER);
		return 0;
	}
	flags = spin_lock_irqsave(&pmm_lock);
	for (k = order; k <= PMM_MAX_ORDER && pmm_lists[k].next == &pmm_lists[k]; k++)
		;
	if (!pmm_ready || k > PMM_MAX_ORDER) {
		spin_unlock_irqrestore(&pmm_lock, flags);
		return 0;
	}
	/* The sentinel's link is ours, so the address comes from there. */
	pa = arch_virt_to_phys(pmm_lists[k].next);
	pmm_unlink(k, pa);
	r = pmm_region_of(pa, pmm_block_pages(k));
	/* Split: the upper halves go back as free blocks of decreasing order. */
	while (k > order) {
		phys_addr_t upper;

		k--;
		upper = pa + (PAGE_SIZE << k);
		*pmm_state(r, upper) = (u8)(PMM_FREE_HEAD | k);
		pmm_list_add(k, upper);
	}
	pmm_mark(r, pa, order, (u8)(PMM_ALLOC_HEAD | order), PMM_ALLOC_TAIL);
	pmm_add_free(-(s64)pmm_block_pages(order));
	spin_unlock_irqrestore(&pmm_lock, flags);
	return pa;
}

/* Why @pa cannot be freed as an order-@order block, or NULL if it can. */
static const char *pmm_free_problem(struct pmm_region *r, phys_addr_t pa, unsigned int order)
{
	u8 s = *pmm_state(r, pa);

	switch (PMM_KIND(s)) {
	case PMM_ALLOC_HEAD:
		return (s & PMM_ORDER_MASK) == order ? NULL : "order differs from the allocation";
	case PMM_FREE_HEAD:
	case PMM_FREE_TAIL:
		return "double free (the frame is already free)";
	case PMM_ALLOC_TAIL:
		return "address is inside an allocated block, not its start";
	default:
		return "frame is reserved, never handed out";
	}
}

void pmm_free(phys_addr_t pa, unsigned int order)
{
	unsigned long flags;
	struct pmm_region *r;
	const char *why;

	if (order > PMM_MAX_ORDER || !IS_ALIGNED(pa, PAGE_SIZE << order)) {
		pr_err("pmm: misaligned free of %#llx (order %u) ignored\n", pa,
		       order);
		return;
	}
	flags = spin_lock_irqsave(&pmm_lock);
	r = pmm_region_of(pa, pmm_block_pages(order));
	why = r ? pmm_free_problem(r, pa, order) : "address is not managed RAM";
	if (why) {
		spin_unlock_irqrestore(&pmm_lock, flags);
		pr_err("pmm: free of %#llx (order %u) ignored: %s\n", pa, order,
		       why);
		return;
	}
	pmm_mark(r, pa, order, PMM_FREE_TAIL, PMM_FREE_TAIL);
	pmm_add_free((s64)pmm_block_pages(order));
	/* Merge with the buddy while it is a free block of the same order. */
	for (; order < PMM_MAX_ORDER; order++) {
		phys_addr_t buddy = pa ^ (PAGE_SIZE << order);

		if (buddy < r->base || (buddy - r->base) >> PAGE_SHIFT >= r->npages ||
		    *pmm_state(r, buddy) != (PMM_FREE_HEAD | order))
			break;
		pmm_unlink(order, buddy);
		*pmm_state(r, buddy) = PMM_FREE_TAIL;
		pa = MIN(pa, buddy);
	}
	*pmm_state(r, pa) = (u8)(PMM_FREE_HEAD | order);
	pmm_list_add(order, pa);
	spin_unlock_irqrestore(&pmm_lock, flags);
}

u64 pmm_free_pages(void)
{
	/* A snapshot for reports: no ordering with the lock holders needed. */
	return READ_ONCE(pmm_nfree);
}

u64 pmm_total_pages(void)
{
	/* Written once by pmm_init(): no ordering needed for a report. */
	return READ_ONCE(pmm_ntotal);
}

void pmm_free_counts(u64 *counts)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);

	for (unsigned int k = 0; k <= PMM_MAX_ORDER; k++)
		counts[k] = pmm_nfree_blocks[k];
	spin_unlock_irqrestore(&pmm_lock, flags);
}

void pmm_reset(void)
{
	unsigned long flags = spin_lock_irqsave(&pmm_lock);

	pmm_reset_locked();
	spin_unlock_irqrestore(&pmm_lock, flags);
}
