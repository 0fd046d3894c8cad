/* SPDX-License-Identifier: MIT */
/*
 * Physical memory bring-up: usable RAM from the multiboot2 maps, the
 * ranges that must never be handed out, the early page allocator that
 * feeds the page-table builder before the frame allocator exists, and the
 * hand-over to mm/pmm.
 *
 * Order in setup_memory() (arch/x86/setup.c): memmap_init() -> paging_init() ->
 * memmap_pmm_init().
 */
#ifndef ARCH_X86_MEMMAP_H
#define ARCH_X86_MEMMAP_H

#include "boot/multiboot2.h"

#define MEMMAP_MAX_USABLE   128
#define MEMMAP_MAX_RESERVED (8 + MB2_MAX_MODULES)
/* Below this much usable RAM the hypervisor refuses to run. */
#define MEMMAP_MIN_USABLE MiB(32)

struct memmap {
	struct mem_range usable[MEMMAP_MAX_USABLE];
	unsigned int n_usable;
	u64 usable_bytes;
	struct mem_range reserved[MEMMAP_MAX_RESERVED];
	unsigned int n_reserved;
	u64 ram_top; /* end of the highest RAM-like map entry */
};

/*
 * Compute usable RAM and the reserved ranges, check them (present,
 * consistent with where the loader put us, enough of it), and set up the
 * early page pool.  Returns 0, or -1 after a message saying what is wrong.
 */
int memmap_init(const struct mb2_info *mb);

/*
 * One zeroed page for page tables: from the early pool until
 * memmap_pmm_init(), from the frame allocator after.  0 on exhaustion.
 */
phys_addr_t memmap_alloc_page(void);

/* Reserve the used part of the early pool and start mm/pmm.  0 or -1. */
int memmap_pmm_init(void);

const struct memmap *memmap_get(void);

/* Physical extent of the image where the loader put it. */
phys_addr_t memmap_image_start(void);
phys_addr_t memmap_image_end(void);

#endif /* ARCH_X86_MEMMAP_H */
