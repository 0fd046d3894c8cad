/* SPDX-License-Identifier: MIT */
/*
 * The hypervisor's own page tables (not EPT).
 *
 * Virtual layout (4-level paging):
 *   0x0000000000000000  identity mappings made on request (AP trampoline)
 *   0xffff800000000000  DIRECT_MAP_BASE: all RAM, plus 0..4 GiB (firmware,
 *                       ACPI), write-back, NX, read-only over the image's
 *                       .text/.rodata frames; arch_phys_to_virt()
 *   0xffffc00000000000  STACK_AREA_BASE: per-CPU stacks with guard pages
 *   0xffffc80000000000  MMIO_AREA_BASE: uncached device mappings
 *   0xffffffff80000000  KERNEL_VMA: the image, 4 KiB pages, W^X
 */
#ifndef ARCH_X86_PAGING_H
#define ARCH_X86_PAGING_H

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/x86_paging.h"

#define KERNEL_VMA	0xffffffff80000000ULL
#define DIRECT_MAP_BASE 0xffff800000000000ULL
#define DIRECT_MAP_SIZE (1ULL << 46) /* 64 TiB: PML4 slots 256..383 */
#define STACK_AREA_BASE 0xffffc00000000000ULL
#define STACK_AREA_SIZE (1ULL << 39)
#define MMIO_AREA_BASE	0xffffc80000000000ULL
#define MMIO_AREA_SIZE	(1ULL << 39)

/* Entry bits (PTE_*): lib/x86_paging.h. */

/* Flags for paging_map_4k(); NX is dropped where the CPU lacks it. */
#define PAGE_KERNEL_RW	 (PTE_P | PTE_W | PTE_NX)
#define PAGE_KERNEL_RO	 (PTE_P | PTE_NX)
#define PAGE_KERNEL_RX	 (PTE_P)
#define PAGE_KERNEL_MMIO (PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_NX)

/*
 * Where the image really is: GRUB may load it above its link address
 * (boot/header.asm), so physical = (va - KERNEL_VMA) + boot_image_delta.
 * Set by boot/entry.asm before any C runs; never changes.
 */
extern u64 boot_image_delta;

static inline phys_addr_t paging_image_pa(u64 va)
{
	return va - KERNEL_VMA + boot_image_delta;
}

/* Errors of the paging_* functions. */

struct mb2_info;

/*
 * Build the final tables from the memory map and switch CR3 to them.  Needs
 * memmap_init() (early page allocator) first.  0, -HV_EINVAL, -HV_ENOMEM or
 * -HV_EEXIST.
 */
int paging_init(const struct mb2_info *mb);

/*
 * Map one 4 KiB page va -> pa with flags (PAGE_KERNEL_*), allocating
 * intermediate tables.  -HV_EEXIST if va is mapped, -HV_ENOMEM
 * without memory.  Serialised by the paging lock.
 */
int paging_map_4k(u64 va, phys_addr_t pa, u64 flags);

/* Identity-map [pa, pa+len) executable (for the AP trampoline).  0 or -HV_E*. */
int paging_map_identity(phys_addr_t pa, u64 len);

/* Uncached mapping of a device range; NULL on failure (after a message). */
void *paging_map_mmio(phys_addr_t pa, u64 len);

/* True if va is mapped in the current tables (used by the stack tracer). */
bool paging_va_mapped(u64 va);

/* CR3 value of the final tables (for APs), 0 before paging_init(). */
u64 paging_kernel_cr3(void);

/* Whether EFER.NXE is on (APs must set it before loading paging_kernel_cr3()). */
bool paging_nx_enabled(void);

/* Whether 1 GiB pages are used in the direct map. */
bool paging_gbpages(void);

#endif /* ARCH_X86_PAGING_H */
