/* SPDX-License-Identifier: MIT */
/*
 * Physical frame allocator: a binary buddy allocator over the usable RAM
 * ranges.  Free lists live inside the free frames themselves, reached
 * through arch_phys_to_virt(), so on bare metal the direct map of all RAM
 * must exist before pmm_init().  One state byte per frame (carved from RAM
 * at init) records allocated/free/reserved and the block order, which is
 * what catches double and misaligned frees.  Frames are not zeroed.
 */
#ifndef MM_PMM_H
#define MM_PMM_H

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/mem_range.h"


/* Largest block: 2^PMM_MAX_ORDER frames (1 GiB); orders 0..PMM_MAX_ORDER. */
#define PMM_MAX_ORDER		18
#define PMM_MAX_REGIONS		64
/* Nothing below this is ever handed out (real-mode trampoline, BIOS data). */
#define PMM_LOW_LIMIT		MiB(1)


/**
 * pmm_init() - build the free lists.
 * @ram:        usable RAM ranges (any order, may overlap)
 * @n_ram:      number of @ram ranges
 * @reserved:   ranges never to hand out (image, modules, boot info, ...)
 * @n_reserved: number of @reserved ranges
 *
 * Frames below PMM_LOW_LIMIT and every frame touching a reserved range are
 * excluded.  After merging, RAM ranges beyond PMM_MAX_REGIONS are reported
 * and dropped.  The state bytes (one per frame of every RAM range) are
 * carved from the first free stretch large enough and count as reserved.
 *
 * Return: 0, or -HV_EINVAL or -HV_ENOMEM after a message (nothing usable,
 * no room for the state bytes, called twice).
 */
int pmm_init(const struct mem_range *ram, unsigned int n_ram,
	     const struct mem_range *reserved, unsigned int n_reserved);

/* 2^@order contiguous frames aligned to their size, or 0 when none is free. */
phys_addr_t pmm_alloc(unsigned int order);

/*
 * Give back a block from pmm_alloc(@order).  A double free, a misaligned or
 * unknown address or a wrong order is reported and ignored.
 */
void pmm_free(phys_addr_t pa, unsigned int order);

u64 pmm_free_pages(void);
u64 pmm_total_pages(void);	/* frames under management (free + allocated) */

/* Free blocks per order, for reports and tests (@counts has PMM_MAX_ORDER+1). */
void pmm_free_counts(u64 *counts);

/* Forget everything (hosted tests only re-initialise over a new arena). */
void pmm_reset(void);

#endif /* MM_PMM_H */
