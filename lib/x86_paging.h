/* SPDX-License-Identifier: MIT */
/*
 * IA-32 paging structures and the page-fault error code (Intel SDM vol. 3A
 * chapter 4): one home for both builds.  The hypervisor's own tables
 * (arch/x86/paging.h) and the guest page walker (vmx/emul/gpt_walk.c) use
 * these; EPT has its own format in mm/ept_entry.h.
 *
 * Bit 7 is PS in a PDE/PDPTE and PAT in a PTE; a page mapped by a PS entry
 * has its PAT bit at 12.  Bits 62:59 of a 64-bit leaf are its protection key
 * when CR4.PKE = 1 (IA-32e paging only).  Which bits are reserved depends on
 * the paging mode, the level and MAXPHYADDR; the fixed reserved fields are
 * named here, the walker adds the physical-address bits above MAXPHYADDR.
 */
#ifndef LIB_X86_PAGING_H
#define LIB_X86_PAGING_H

#include "lib/compiler.h"

#define PTE_P		BIT(0)
#define PTE_W		BIT(1)
#define PTE_U		BIT(2)
#define PTE_PWT		BIT(3)
#define PTE_PCD		BIT(4)
#define PTE_A		BIT(5)
#define PTE_D		BIT(6)	/* leaf entries only */
#define PTE_PS		BIT(7)	/* PDE, PDPTE */
#define PTE_PAT		BIT(7)	/* 4 KiB PTE */
#define PTE_G		BIT(8)
#define PTE_PAT_LARGE	BIT(12)	/* 2 MiB, 4 MiB and 1 GiB pages */
#define PTE_PKEY_SHIFT	59
#define PTE_PKEY_MASK	GENMASK(62, 59)
#define PTE_NX		BIT(63)	/* XD; reserved when EFER.NXE = 0 */
#define PTE_ADDR_MASK	0x000ffffffffff000ULL

/* 64-bit formats (PAE and IA-32e): frame of a large page, fixed reserved fields. */
#define PTE_ADDR_2M_MASK	GENMASK(51, 21)
#define PTE_ADDR_1G_MASK	GENMASK(51, 30)
#define PTE_RSVD_2M		GENMASK(20, 13)	/* Tables 4-9, 4-17 */
#define PTE_RSVD_1G		GENMASK(29, 13)	/* Table 4-15 */
/* PAE PDPTE (a PDPTE register): no R/W, U/S, A, D, PS, G (Table 4-8). */
#define PAE_PDPTE_RSVD		(GENMASK(2, 1) | GENMASK(8, 5))
#define PAE_CR3_PDPT_MASK	0xffffffe0ULL	/* CR3[31:5] */

/* 32-bit paging (Tables 4-4 to 4-6): 4-byte entries, 4 MiB pages with PSE-36. */
#define PTE32_ADDR_MASK		0xfffff000ULL
#define PTE32_ADDR_4M_MASK	0xffc00000ULL
#define PTE32_4M_HI_SHIFT	13	/* entry bits 20:13 hold address bits 39:32 */
#define PTE32_4M_HI_MASK	GENMASK(20, 13)
#define PTE32_RSVD_4M		BIT(21)
#define PSE36_MAXPHYADDR	40	/* PSE-36 reaches 40 bits at most */

/* Page-fault error code (SDM 4.7). */
#define PFERR_P		BIT(0)	/* 0: not present; 1: protection, PK or reserved bit */
#define PFERR_W		BIT(1)	/* the access was a write */
#define PFERR_U		BIT(2)	/* the access was a user-mode access */
#define PFERR_RSVD	BIT(3)	/* a reserved bit was set in an entry */
#define PFERR_ID	BIT(4)	/* instruction fetch (if SMEP or PAE+NXE) */
#define PFERR_PK	BIT(5)	/* protection-key violation */
#define PFERR_SS	BIT(6)	/* shadow-stack access */
#define PFERR_SGX	BIT(15)

#endif /* LIB_X86_PAGING_H */
