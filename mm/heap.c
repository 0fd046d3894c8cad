// SPDX-License-Identifier: MIT
/*
 * Small heap.  Objects up to HEAP_SMALL_MAX bytes live in per-size-class
 * pages from arch_page_alloc(): a header at the start of the page (magic,
 * class, allocation bitmap, list links) and equal slots after it.  Larger
 * objects take a buddy block from pmm_alloc() with a header in its first
 * HEAP_HDR bytes.  Either way the header is found at ptr & PAGE_MASK, which
 * is what lets kfree() check a pointer before trusting it.
 *
 * One IRQ-safe spinlock covers everything; it nests outside pmm_lock
 * (arch_page_alloc and pmm_alloc are called with it held).
 */
#include "mm/heap.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/spinlock.h"
#include "lib/string.h"
#include "mm/pmm.h"

#define HEAP_HDR		64u		/* header room; keeps slots 16-aligned */
#define HEAP_SMALL_MAGIC	0x48705367u	/* "gSpH" */
#define HEAP_LARGE_MAGIC	0x48704c67u
#define HEAP_DEAD_MAGIC		0xdeadbeefu
#define HEAP_NCLASSES		8		/* 16 .. 2048 */
#define HEAP_MAX_SLOTS		256		/* (4096 - 64) / 16 < 256 */

struct heap_page {
	u32 magic;
	u16 cls;
	u16 nused;
	struct heap_page *next, *prev;		/* partial list of the class */
	u64 used[HEAP_MAX_SLOTS / 64];		/* slot bitmap */
};

struct heap_large {
	u32 magic;
	u32 order;
	size_t size;
};

BUILD_BUG_ON(sizeof(struct heap_page) > HEAP_HDR);
BUILD_BUG_ON(sizeof(struct heap_large) > HEAP_HDR);
BUILD_BUG_ON((16u << (HEAP_NCLASSES - 1)) != HEAP_SMALL_MAX);
BUILD_BUG_ON((PAGE_SIZE - HEAP_HDR) / 16 > HEAP_MAX_SLOTS);

static spinlock_t heap_lock = SPINLOCK_INIT;
static struct heap_page *heap_partial[HEAP_NCLASSES];	/* pages with a free slot */
static unsigned int heap_npartial[HEAP_NCLASSES];
static struct heap_stats heap_st;

static size_t heap_class_size(unsigned int cls)
{
	return (size_t)16 << cls;
}

static unsigned int heap_class_slots(unsigned int cls)
{
	return (unsigned int)((PAGE_SIZE - HEAP_HDR) / heap_class_size(cls));
}

static unsigned int heap_class_of(size_t size)
{
	unsigned int cls = 0;

	while (heap_class_size(cls) < size)
		cls++;
	return cls;
}

static void heap_partial_add(struct heap_page *pg)
{
	assert_held(&heap_lock);
	pg->prev = NULL;
	pg->next = heap_partial[pg->cls];
	if (pg->next)
		pg->next->prev = pg;
	heap_partial[pg->cls] = pg;
	heap_npartial[pg->cls]++;
}

static void heap_partial_del(struct heap_page *pg)
{
	assert_held(&heap_lock);
	if (pg->prev)
		pg->prev->next = pg->next;
	else
		heap_partial[pg->cls] = pg->next;
	if (pg->next)
		pg->next->prev = pg->prev;
	heap_npartial[pg->cls]--;
}

/*
 * A slot of class @cls: from the first page with room, or from a new page.
 * A page leaves the partial list when its last slot is taken.
 */
static void *heap_small_alloc(unsigned int cls)
{
	struct heap_page *pg = heap_partial[cls];
	unsigned int slot = 0;

	assert_held(&heap_lock);
	if (!pg) {
		pg = arch_page_alloc();
		if (!pg)
			return NULL;
		memset(pg, 0, sizeof(*pg));
		pg->magic = HEAP_SMALL_MAGIC;
		pg->cls = (u16)cls;
		heap_partial_add(pg);
		heap_st.small_pages++;
	}
	for (unsigned int w = 0; w < ARRAY_SIZE(pg->used); w++) {
		if (~pg->used[w]) {
			slot = w * 64 + (unsigned int)__builtin_ctzll(~pg->used[w]);
			break;
		}
	}
	pg->used[slot / 64] |= BIT(slot % 64);
	if (++pg->nused == heap_class_slots(cls))
		heap_partial_del(pg);
	return (u8 *)pg + HEAP_HDR + slot * heap_class_size(cls);
}

/* A buddy block big enough for @size plus the header, or NULL. */
static void *heap_large_alloc(size_t size)
{
	unsigned int order = 0;
	struct heap_large *h;
	phys_addr_t pa;

	assert_held(&heap_lock);
	if (size > (PAGE_SIZE << PMM_MAX_ORDER) - HEAP_HDR)
		return NULL;
	while ((PAGE_SIZE << order) < size + HEAP_HDR)
		order++;
	pa = pmm_alloc(order);
	if (!pa)
		return NULL;
	h = arch_phys_to_virt(pa);
	h->magic = HEAP_LARGE_MAGIC;
	h->order = order;
	h->size = size;
	heap_st.large_blocks++;
	return (u8 *)h + HEAP_HDR;
}

void *kmalloc(size_t size)
{
	unsigned long flags;
	void *p;

	if (!size)
		return NULL;
	flags = spin_lock_irqsave(&heap_lock);
	p = size <= HEAP_SMALL_MAX ? heap_small_alloc(heap_class_of(size)) :
				     heap_large_alloc(size);
	if (p)
		heap_st.allocs++;
	spin_unlock_irqrestore(&heap_lock, flags);
	return p;
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

/* Why @p cannot be a live small object of @pg, or NULL; sets *@slot. */
static const char *heap_small_check(const struct heap_page *pg, const void *p, unsigned int *slot)
{
	size_t off = (size_t)((const u8 *)p - (const u8 *)pg), sz;

	if (pg->cls >= HEAP_NCLASSES)
		return "corrupt page header";
	sz = heap_class_size(pg->cls);
	if (off < HEAP_HDR || (off - HEAP_HDR) % sz)
		return "not the start of an object";
	*slot = (unsigned int)((off - HEAP_HDR) / sz);
	if (*slot >= heap_class_slots(pg->cls))
		return "not the start of an object";
	if (!(pg->used[*slot / 64] & BIT(*slot % 64)))
		return "double free";
	return NULL;
}

void kfree(void *p)
{
	unsigned long flags;
	const char *why = NULL;
	void *hdr;

	if (!p)
		return;
	hdr = (void *)((uintptr_t)p & PAGE_MASK);
	flags = spin_lock_irqsave(&heap_lock);
	if (*(u32 *)hdr == HEAP_SMALL_MAGIC) {
		struct heap_page *pg = hdr;
		unsigned int slot;

		why = heap_small_check(pg, p, &slot);
		if (!why) {
			if (pg->nused-- == heap_class_slots(pg->cls))
				heap_partial_add(pg);	/* was full */
			pg->used[slot / 64] &= ~BIT(slot % 64);
			/* Keep one empty page per class; give the others back. */
			if (!pg->nused && heap_npartial[pg->cls] > 1) {
				heap_partial_del(pg);
				pg->magic = HEAP_DEAD_MAGIC;
				arch_page_free(pg);
				heap_st.small_pages--;
			}
		}
	} else if (*(u32 *)hdr == HEAP_LARGE_MAGIC && (u8 *)p == (u8 *)hdr + HEAP_HDR) {
		struct heap_large *h = hdr;

		h->magic = HEAP_DEAD_MAGIC;
		pmm_free(arch_virt_to_phys(h), h->order);
		heap_st.large_blocks--;
	} else {
		why = *(u32 *)hdr == HEAP_DEAD_MAGIC ? "double free" : "not a heap pointer";
	}
	if (why)
		heap_st.bad_frees++;
	else
		heap_st.frees++;
	spin_unlock_irqrestore(&heap_lock, flags);
	if (why)
		pr_err("heap: kfree(%p) ignored: %s\n", p, why);
}

void heap_get_stats(struct heap_stats *st)
{
	unsigned long flags = spin_lock_irqsave(&heap_lock);

	*st = heap_st;
	spin_unlock_irqrestore(&heap_lock, flags);
}
