/* SPDX-License-Identifier: MIT */
/*
 * Per-CPU data, reached through the GS base: %gs:0 holds the area's own
 * address, so this_cpu() is one load and works before any lookup table.
 *
 * Life of a CPU's area:
 *   percpu_setup(cpu, apic_id)  on the BSP: allocate the CPU's stacks (each
 *                               with an unmapped guard page below it) and
 *                               build its GDT and TSS;
 *   cpu_local_init(pc)          on the CPU itself: load that GDT, TSS, GS
 *                               base and the shared IDT;
 *   percpu_mark_online(pc)      on the CPU itself, once it is fully up.
 */
#ifndef ARCH_X86_PERCPU_H
#define ARCH_X86_PERCPU_H

#include "lib/compiler.h"
#include "lib/platform.h"

/* GDT layout, the same on every CPU. */
#define GDT_NULL      0
#define GDT_KERNEL_CS 0x08
#define GDT_KERNEL_DS 0x10
#define GDT_TSS	      0x18 /* 16-byte system descriptor: slots 3 and 4 */
#define GDT_ENTRIES   5

/* Interrupt stack table slots (1-based, as the IDT encodes them). */
#define IST_NMI	  1
#define IST_DF	  2
#define IST_MC	  3
#define IST_COUNT 3

#define PERCPU_STACK_SIZE (4 * PAGE_SIZE) /* main stack */
#define PERCPU_IST_SIZE	  (2 * PAGE_SIZE) /* each IST stack */

struct tss64 {
	u32 reserved0;
	u64 rsp[3];
	u64 reserved1;
	u64 ist[7];
	u64 reserved2;
	u16 reserved3;
	u16 iopb_offset;
} __packed;

struct percpu {
	struct percpu *self; /* offset 0: see this_cpu() */
	unsigned int cpu;    /* offset 8: dense index, arch_cpu_id() */
	u32 apic_id;
	u64 stack_top;	  /* initial RSP for an AP (0 for the BSP: boot stack) */
	u64 stack_bottom; /* lowest usable byte of the main stack */
	bool online;
	bool setup_done;
	unsigned int trap_depth; /* nested exceptions (traps.c) */
	u64 gdt[GDT_ENTRIES] __aligned(16);
	struct tss64 tss __aligned(16);
};

BUILD_BUG_ON(sizeof(struct tss64) != 104);

static inline struct percpu *this_cpu(void)
{
	struct percpu *pc;

	__asm__ __volatile__("movq %%gs:0, %0" : "=r"(pc));
	return pc;
}

struct percpu *percpu_of(unsigned int cpu);

/*
 * Make the BSP's area usable before any allocator exists: GS base, a GDT and
 * TSS with static emergency IST stacks, and the IDT.  First thing in hv_main (via setup_early()).
 */
void percpu_early_init(void);

/* Allocate cpu's stacks and build its descriptors.  0 or -errno; BSP only. */
int percpu_setup(unsigned int cpu, u32 apic_id);

/* Load pc's GDT, TSS, GS base and the IDT on the calling CPU. */
void cpu_local_init(struct percpu *pc);

/* Publish the calling CPU as online (counted by arch_cpus_online()). */
void percpu_mark_online(struct percpu *pc);
unsigned int percpu_online_count(void);

#endif /* ARCH_X86_PERCPU_H */
