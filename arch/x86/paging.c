// SPDX-License-Identifier: MIT
/*
 * The hypervisor's own page tables.
 *
 * The boot tables (boot/entry.asm) map 0..4 GiB three times with 2 MiB
 * pages, all writable and executable.  paging_init() replaces them with the
 * final layout described in paging.h: a direct map of all RAM with the
 * largest pages the CPU has (NX everywhere, read-only over the image's own
 * frames), the image with 4 KiB pages and per-section permissions (.text
 * RX, .rodata R+NX, .data/.bss RW+NX), the boot stack's guard page left
 * unmapped, and no identity map.
 */
#include "arch/x86/paging.h"
#include "arch/x86/cpu.h"
#include "arch/x86/memmap.h"
#include "boot/multiboot2.h"
#include "lib/atomic.h"
#include "lib/panic.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/spinlock.h"

#define PT_ENTRIES	  512
#define LEVEL_4K	  1
#define LEVEL_2M	  2
#define LEVEL_1G	  3
#define DIRECT_MAX_RANGES (MB2_MAX_MMAP + 1)

/* linker.ld */
extern char _text_start[], _text_end[], _rodata_start[], _rodata_end[];
extern char _data_start[], _image_end[];
/* boot/entry.asm */
extern char boot_stack_guard[];

/* Serialises every change to the live tables after paging_init(). */
static spinlock_t paging_lock = SPINLOCK_INIT;
static u64 paging_cr3;
static bool paging_nx;
static bool paging_1g;
static u64 paging_mmio_next = MMIO_AREA_BASE;

static u64 *paging_table(phys_addr_t pa)
{
	return arch_phys_to_virt(pa);
}

static unsigned int paging_index(u64 va, unsigned int level)
{
	return (va >> (PAGE_SHIFT + 9 * (level - 1))) & (PT_ENTRIES - 1);
}

static u64 paging_fix_flags(u64 flags)
{
	return paging_nx ? flags : flags & ~PTE_NX;
}

/**
 * paging_map_one() - install one leaf entry.
 * @pml4:  top-level table
 * @va:    virtual address, aligned to the page size of @level
 * @pa:    physical address, same alignment
 * @flags: PTE flags (without PS)
 * @level: LEVEL_4K, LEVEL_2M or LEVEL_1G
 *
 * Missing intermediate tables are allocated (zeroed) and linked.
 * Return: 0, -HV_ENOMEM, or -HV_EEXIST when something is mapped there.
 */
static int paging_map_one(u64 *pml4, u64 va, phys_addr_t pa, u64 flags, unsigned int level)
{
	u64 *t = pml4;

	for (unsigned int l = 4; l > level; l--) {
		u64 *e = &t[paging_index(va, l)];
		/*
		 * R1: read the entry once and follow what was read (address
		 * dependency); pairs with the store_release below that
		 * publishes a zeroed child.  Writers are serialised by
		 * paging_lock, readers (paging_va_mapped, the CPU's walker)
		 * are not.
		 */
		u64 v = READ_ONCE(*e);

		if (v & PTE_P) {
			if (v & PTE_PS)
				return -HV_EEXIST;
		} else {
			phys_addr_t child = memmap_alloc_page();

			if (!child)
				return -HV_ENOMEM;
			/*
			 * R1 (publish after init): the child table is zeroed
			 * (memmap_alloc_page) before the entry that makes it
			 * reachable is stored; the hardware walker and
			 * paging_va_mapped() read the entry first and then
			 * follow it.  Intermediate entries are permissive; the
			 * leaf decides W and NX.  Pairs with the READ_ONCE of
			 * the entry in the walks (the address dependency on it
			 * orders the child's reads).
			 */
			v = child | PTE_P | PTE_W;
			store_release(e, v);
		}
		t = paging_table(v & PTE_ADDR_MASK);
	}
	/* R1: same single read as above; pairs with the leaf store below. */
	if (READ_ONCE(t[paging_index(va, level)]) & PTE_P)
		return -HV_EEXIST;
	/*
	 * R1: the leaf is one untorn store; what it maps (a fresh stack page,
	 * device registers) needs no ordering against it.  Pairs with the
	 * READ_ONCE walks here and in paging_va_mapped().
	 */
	WRITE_ONCE(t[paging_index(va, level)],
		   pa | paging_fix_flags(flags) | (level > LEVEL_4K ? PTE_PS : 0));
	return 0;
}

/*
 * The direct-map alias of the image's .text and .rodata frames is
 * read-only, so code cannot be changed through it either (W^X for every
 * mapping of the code, not only the one at KERNEL_VMA).  .data/.bss stay
 * writable there: code may reach a static object through its physical
 * address.
 */
static bool paging_in_image(u64 pa, u64 size)
{
	return pa < paging_image_pa((u64)_rodata_end) &&
	       paging_image_pa((u64)_text_start) < pa + size;
}

/* One 2 MiB chunk of the direct map that holds image frames: 4 KiB pages. */
static int paging_map_direct_split(u64 *pml4, u64 start)
{
	for (u64 pa = start; pa < start + MiB(2); pa += PAGE_SIZE) {
		u64 flags = paging_in_image(pa, PAGE_SIZE) ? PAGE_KERNEL_RO : PAGE_KERNEL_RW;
		int err = paging_map_one(pml4, DIRECT_MAP_BASE + pa, pa, flags, LEVEL_4K);

		if (err)
			return err;
	}
	return 0;
}

/* Map [start, end) (2 MiB aligned) at DIRECT_MAP_BASE + pa with large pages. */
static int paging_map_direct(u64 *pml4, u64 start, u64 end)
{
	while (start < end) {
		unsigned int level = LEVEL_2M;
		u64 size = MiB(2);
		int err;

		if (paging_1g && IS_ALIGNED(start, GiB(1)) && end - start >= GiB(1) &&
		    !paging_in_image(start, GiB(1))) {
			level = LEVEL_1G;
			size = GiB(1);
		}
		if (level == LEVEL_2M && paging_in_image(start, size))
			err = paging_map_direct_split(pml4, start);
		else
			err = paging_map_one(pml4, DIRECT_MAP_BASE + start, start, PAGE_KERNEL_RW,
					     level);
		if (err)
			return err;
		start += size;
	}
	return 0;
}

static bool paging_ram_like(u32 type)
{
	return type == MB2_MEM_AVAILABLE || type == MB2_MEM_ACPI_RECLAIMABLE || type == MB2_MEM_NVS;
}

/*
 * The ranges of the direct map: all of 0..4 GiB (firmware tables, legacy
 * areas; device holes there are uncached by the MTRRs) and every RAM-like
 * map entry, widened to 2 MiB, sorted and merged so that none overlaps.
 */
static unsigned int paging_direct_ranges(const struct mb2_info *mb, struct mem_range *r)
{
	unsigned int n = 0;

	r[n++] = (struct mem_range){ .base = 0, .len = GiB(4) };
	for (unsigned int i = 0; i < mb->mmap_count; i++) {
		const struct mb2_mmap_entry *e = &mb->mmap[i];
		u64 s = ALIGN_DOWN(e->base, MiB(2));
		u64 end = ALIGN_UP(e->base + e->len, MiB(2));

		if (!paging_ram_like(e->type) || end <= GiB(4) || e->base + e->len < e->base)
			continue;
		if (end > DIRECT_MAP_SIZE) {
			pr_warn("paging: RAM above %llu GiB is not mapped\n",
				(DIRECT_MAP_SIZE >> 30));
			end = DIRECT_MAP_SIZE;
		}
		if (s < end)
			r[n++] = (struct mem_range){ .base = s, .len = end - s };
	}
	/* Insertion sort by base, then merge overlapping or touching ranges. */
	for (unsigned int i = 1; i < n; i++) {
		struct mem_range x = r[i];
		unsigned int j = i;

		while (j > 0 && r[j - 1].base > x.base) {
			r[j] = r[j - 1];
			j--;
		}
		r[j] = x;
	}
	unsigned int m = 0;

	for (unsigned int i = 0; i < n; i++) {
		if (m && r[i].base <= r[m - 1].base + r[m - 1].len) {
			u64 end = MAX(r[m - 1].base + r[m - 1].len, r[i].base + r[i].len);

			r[m - 1].len = end - r[m - 1].base;
		} else {
			r[m++] = r[i];
		}
	}
	return m;
}

/* The image: 4 KiB pages, permissions by section, boot stack guard unmapped. */
static int paging_map_image(u64 *pml4)
{
	for (u64 va = (u64)_text_start; va < (u64)_image_end; va += PAGE_SIZE) {
		u64 flags;
		int err;

		if (va == (u64)boot_stack_guard)
			continue;
		if (va < (u64)_text_end)
			flags = PAGE_KERNEL_RX;
		else if (va >= (u64)_rodata_start && va < (u64)_rodata_end)
			flags = PAGE_KERNEL_RO;
		else if (va >= (u64)_data_start)
			flags = PAGE_KERNEL_RW;
		else
			continue; /* alignment gap between sections */
		err = paging_map_one(pml4, va, paging_image_pa(va), flags, LEVEL_4K);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Count leaf mappings that are both writable and executable under table
 * @t at @level (4 = PML4).  Intermediate entries never restrict, so only
 * the leaf's W and NX decide.
 */
static u64 paging_count_wx(const u64 *t, unsigned int level)
{
	u64 n = 0;

	for (unsigned int i = 0; i < PT_ENTRIES; i++) {
		u64 e = t[i];

		if (!(e & PTE_P))
			continue;
		if (level == LEVEL_4K || (level <= LEVEL_1G && (e & PTE_PS)))
			n += (e & PTE_W) && !(e & PTE_NX);
		else
			n += paging_count_wx(paging_table(e & PTE_ADDR_MASK), level - 1);
	}
	return n;
}

/**
 * paging_init() - build the final page tables and switch to them.
 * @mb: parsed boot information (its memory map decides the direct map)
 *
 * Runs on the BSP with the boot tables live; every table page comes from
 * the early pool (below 4 GiB, so reachable through the boot direct map).
 * Return: 0, or -HV_ENOMEM after a message.
 */
int paging_init(const struct mb2_info *mb)
{
	static struct mem_range ranges[DIRECT_MAX_RANGES];
	struct cpuid_regs ext = { 0 };
	unsigned int n;
	phys_addr_t root;
	u64 *pml4;
	u64 mapped = 0, wx;
	int err;

	if (cpuid_max(0x80000000) >= 0x80000001)
		ext = cpuid(0x80000001);
	paging_1g = ext.edx & BIT(26);
	paging_nx = rdmsr(MSR_EFER) & EFER_NXE;

	root = memmap_alloc_page();
	if (!root)
		goto nomem;
	pml4 = paging_table(root);

	n = paging_direct_ranges(mb, ranges);
	for (unsigned int i = 0; i < n; i++) {
		err = paging_map_direct(pml4, ranges[i].base, ranges[i].base + ranges[i].len);
		if (err)
			goto fail;
		mapped += ranges[i].len;
	}
	err = paging_map_image(pml4);
	if (err)
		goto fail;

	write_cr0(read_cr0() | X86_CR0_WP);
	write_cr3(root);
	paging_cr3 = root;
	wx = paging_nx ? paging_count_wx(pml4, 4) : 0;
	pr_info("paging: direct map %llu MiB in %u range(s) with %s pages, NX %s, image W^X "
		"(%llu writable+executable mappings)\n",
		(mapped >> 20), n, paging_1g ? "1 GiB" : "2 MiB",
		paging_nx ? "on" : "unavailable", wx);
	if (wx)
		pr_err("paging: W^X violated by %llu mappings\n", wx);
	return 0;

fail:
	if (err != -HV_ENOMEM) {
		pr_err("paging: overlapping mappings while building the tables (error %d)\n", err);
		return err;
	}
nomem:
	pr_err("paging: out of early memory while building the page tables\n");
	return -HV_ENOMEM;
}

int paging_map_4k(u64 va, phys_addr_t pa, u64 flags)
{
	int err;

	if (!paging_cr3) {
		pr_err("paging: map of %#llx before paging_init()\n", va);
		return -HV_EINVAL;
	}
	if (!IS_ALIGNED(va, PAGE_SIZE) || !IS_ALIGNED(pa, PAGE_SIZE)) {
		pr_err("paging: unaligned map %#llx -> %#llx\n", va,
		       pa);
		return -HV_EINVAL;
	}
	spin_lock(&paging_lock);
	assert_held(&paging_lock);
	err = paging_map_one(paging_table(paging_cr3), va, pa, flags, LEVEL_4K);
	spin_unlock(&paging_lock);
	return err;
}

int paging_map_identity(phys_addr_t pa, u64 len)
{
	for (u64 p = ALIGN_DOWN(pa, PAGE_SIZE); p < pa + len; p += PAGE_SIZE) {
		int err = paging_map_4k(p, p, PTE_P | PTE_W);

		if (err == -HV_EEXIST && paging_va_mapped(p))
			continue;
		if (err)
			return err;
	}
	return 0;
}

void *paging_map_mmio(phys_addr_t pa, u64 len)
{
	phys_addr_t first = ALIGN_DOWN(pa, PAGE_SIZE);
	u64 pages = (ALIGN_UP(pa + len, PAGE_SIZE) - first) >> PAGE_SHIFT;
	u64 va;

	if (!len || pa + len < pa) {
		pr_err("paging: bad MMIO range %#llx+%#llx\n", pa,
		       len);
		return NULL;
	}
	spin_lock(&paging_lock);
	va = paging_mmio_next;
	/* One unmapped page after each window catches overruns. */
	if (va + (pages + 1) * PAGE_SIZE > MMIO_AREA_BASE + MMIO_AREA_SIZE) {
		spin_unlock(&paging_lock);
		pr_err("paging: MMIO area exhausted\n");
		return NULL;
	}
	paging_mmio_next += (pages + 1) * PAGE_SIZE;
	spin_unlock(&paging_lock);

	for (u64 i = 0; i < pages; i++) {
		if (paging_map_4k(va + i * PAGE_SIZE, first + i * PAGE_SIZE, PAGE_KERNEL_MMIO)) {
			pr_err("paging: cannot map MMIO page %#llx\n",
			       (first + i * PAGE_SIZE));
			return NULL;
		}
	}
	return (void *)(va + (pa - first));
}

bool paging_va_mapped(u64 va)
{
	const u64 *t = paging_table(read_cr3() & PTE_ADDR_MASK);

	/* Non-canonical addresses are never mapped. */
	if ((u64)((s64)(va << 16) >> 16) != va)
		return false;
	for (unsigned int l = 4; l >= 1; l--) {
		/*
		 * R1: one read per level, then the address dependency; pairs
		 * with the store_release publishing each table in
		 * paging_map_one().
		 */
		u64 e = READ_ONCE(t[paging_index(va, l)]);

		if (!(e & PTE_P))
			return false;
		if (l == 1 || (e & PTE_PS))
			return true;
		t = paging_table(e & PTE_ADDR_MASK);
	}
	return false;
}

u64 paging_kernel_cr3(void)
{
	return paging_cr3;
}

bool paging_nx_enabled(void)
{
	return paging_nx;
}

bool paging_gbpages(void)
{
	return paging_1g;
}
