// SPDX-License-Identifier: MIT
/*
 * Physical memory bring-up (see memmap.h).
 *
 * The early pool is one run of usable RAM below 4 GiB (reachable through
 * the boot tables' direct map) that overlaps nothing reserved.  It is sized
 * for the worst case of the direct map with 2 MiB pages.  At
 * memmap_pmm_init() the part actually used becomes a reserved range, so the
 * frame allocator never hands out a live page table.
 */
#include "arch/x86/memmap.h"
#include "arch/x86/paging.h"
#include "lib/panic.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "mm/pmm.h"

/* linker.ld (link-time physical addresses of the image; add the load delta) */
extern char _image_start_pa[], _image_end_pa[];

static struct memmap memmap;
static phys_addr_t pool_base, pool_next, pool_end;
static bool pmm_ready;

phys_addr_t memmap_image_start(void)
{
	return (phys_addr_t)_image_start_pa + boot_image_delta;
}

phys_addr_t memmap_image_end(void)
{
	return (phys_addr_t)_image_end_pa + boot_image_delta;
}

const struct memmap *memmap_get(void)
{
	return &memmap;
}

static void memmap_reserve(u64 base, u64 end)
{
	if (end <= base)
		return;
	if (memmap.n_reserved >= MEMMAP_MAX_RESERVED)
		panic("memmap: too many reserved ranges");
	memmap.reserved[memmap.n_reserved++] =
		(struct mem_range){ .base = base, .len = end - base };
}

/* First reserved range overlapping [base, end), or NULL. */
static const struct mem_range *memmap_overlap(u64 base, u64 end)
{
	for (unsigned int i = 0; i < memmap.n_reserved; i++) {
		const struct mem_range *r = &memmap.reserved[i];

		if (base < r->base + r->len && r->base < end)
			return r;
	}
	return NULL;
}

static bool memmap_in_usable(u64 base, u64 end)
{
	for (unsigned int i = 0; i < memmap.n_usable; i++) {
		const struct mem_range *r = &memmap.usable[i];

		if (base >= r->base && end <= r->base + r->len)
			return true;
	}
	return false;
}

/* Find @bytes of usable, unreserved RAM in [1 MiB, 4 GiB); 0 if none. */
static phys_addr_t memmap_find_pool(u64 bytes)
{
	for (unsigned int i = 0; i < memmap.n_usable; i++) {
		u64 s = MAX(memmap.usable[i].base, MiB(1));
		u64 end = MIN(memmap.usable[i].base + memmap.usable[i].len, GiB(4));

		while (s + bytes <= end) {
			const struct mem_range *r = memmap_overlap(s, s + bytes);

			if (!r)
				return s;
			s = ALIGN_UP(r->base + r->len, PAGE_SIZE);
		}
	}
	return 0;
}

/**
 * memmap_init() - usable RAM, reserved ranges and the early pool.
 * @mb: the parsed multiboot2 information
 *
 * Return: 0, or -1 after a message naming the problem: no memory map, a
 * map that does not contain the image, boot information or modules on top
 * of the image, too little memory, or no room for the early pool.
 */
int memmap_init(const struct mb2_info *mb)
{
	phys_addr_t img_start = memmap_image_start(), img_end = memmap_image_end();
	u64 pool_pages;
	int n;

	if (!mb->have_mmap && !mb->have_efi_mmap) {
		pr_err("memmap: the boot loader gave no memory map\n");
		return -1;
	}
	n = mb2_usable_ranges(mb, memmap.usable, MEMMAP_MAX_USABLE);
	if (n <= 0) {
		pr_err("memmap: the memory map is missing or inconsistent (%d usable ranges)\n", n);
		return -1;
	}
	memmap.n_usable = (unsigned int)n;
	memmap.usable_bytes = 0;
	for (unsigned int i = 0; i < memmap.n_usable; i++)
		memmap.usable_bytes += memmap.usable[i].len;
	for (unsigned int i = 0; i < mb->mmap_count; i++) {
		u64 end = mb->mmap[i].base + mb->mmap[i].len;

		if (mb->mmap[i].type == MB2_MEM_AVAILABLE && end > memmap.ram_top)
			memmap.ram_top = end;
	}
	for (unsigned int i = 0; i < memmap.n_usable; i++)
		memmap.ram_top = MAX(memmap.ram_top, memmap.usable[i].base + memmap.usable[i].len);

	/* The loader must have put us in RAM the map calls usable. */
	if (!memmap_in_usable(ALIGN_DOWN(img_start, PAGE_SIZE), ALIGN_UP(img_end, PAGE_SIZE))) {
		pr_err("memmap: inconsistent memory map: the image at %#llx-%#llx is not in usable RAM\n",
		       img_start, img_end);
		return -1;
	}
	if (memmap.usable_bytes < MEMMAP_MIN_USABLE) {
		pr_err("memmap: too little memory: %llu KiB usable, at least %llu MiB needed\n",
		       (memmap.usable_bytes >> 10),
		       (MEMMAP_MIN_USABLE >> 20));
		return -1;
	}

	/* Nothing the loader handed over may sit on top of the image. */
	if (mb->info_pa < img_end && img_start < mb->info_pa + mb->info_size) {
		pr_err("memmap: inconsistent boot information: it overlaps the image\n");
		return -1;
	}
	for (unsigned int i = 0; i < mb->module_count; i++) {
		if (mb->modules[i].start < img_end && img_start < mb->modules[i].end) {
			pr_err("memmap: inconsistent boot information: module %u (%#llx-%#llx) "
			       "overlaps the image\n",
			       i, mb->modules[i].start,
			       mb->modules[i].end);
			return -1;
		}
	}

	memmap.n_reserved = 0;
	memmap_reserve(0, PMM_LOW_LIMIT);
	memmap_reserve(ALIGN_DOWN(img_start, PAGE_SIZE), ALIGN_UP(img_end, PAGE_SIZE));
	memmap_reserve(ALIGN_DOWN(mb->info_pa, PAGE_SIZE),
		       ALIGN_UP(mb->info_pa + mb->info_size, PAGE_SIZE));
	for (unsigned int i = 0; i < mb->module_count; i++)
		memmap_reserve(ALIGN_DOWN(mb->modules[i].start, PAGE_SIZE),
			       ALIGN_UP(mb->modules[i].end, PAGE_SIZE));

	/* Worst case for the direct map: 2 MiB pages everywhere. */
	pool_pages = 64 + 2 * DIV_ROUND_UP(MAX(memmap.ram_top, GiB(4)), GiB(1));
	pool_base = memmap_find_pool(pool_pages * PAGE_SIZE);
	if (!pool_base) {
		pr_err("memmap: no %llu KiB of free RAM below 4 GiB for the page tables\n",
		       (pool_pages * 4));
		return -1;
	}
	pool_next = pool_base;
	pool_end = pool_base + pool_pages * PAGE_SIZE;
	return 0;
}

phys_addr_t memmap_alloc_page(void)
{
	phys_addr_t pa;

	if (pmm_ready) {
		pa = pmm_alloc(0);
	} else if (pool_next < pool_end) {
		pa = pool_next;
		pool_next += PAGE_SIZE;
	} else {
		pr_err("memmap: early page pool exhausted\n");
		return 0;
	}
	if (pa)
		memset(arch_phys_to_virt(pa), 0, PAGE_SIZE);
	return pa;
}

int memmap_pmm_init(void)
{
	int err;

	memmap_reserve(pool_base, pool_next);
	err = pmm_init(memmap.usable, memmap.n_usable, memmap.reserved, memmap.n_reserved);
	if (err) {
		pr_err("memmap: frame allocator initialisation failed (%d)\n", err);
		return -1;
	}
	pmm_ready = true;
	return 0;
}
