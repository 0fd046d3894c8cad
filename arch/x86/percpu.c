// SPDX-License-Identifier: MIT
/*
 * Per-CPU areas (see percpu.h).  The areas themselves are a static array;
 * the stacks live in STACK_AREA_BASE, one 64 KiB slot per CPU:
 *
 *   guard | main stack | guard | NMI stack | guard | #DF stack | guard | #MC stack
 *
 * Guards are simply never mapped, so running off any stack faults (and the
 * fault lands on the #DF IST stack, which is still good).
 */
#include "arch/x86/percpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/gdt.h"
#include "arch/x86/idt.h"
#include "arch/x86/memmap.h"
#include "arch/x86/paging.h"
#include "lib/atomic.h"
#include "lib/printk.h"

#define PERCPU_SLOT_SIZE KiB(64)

extern char boot_stack_bottom[]; /* boot/entry.asm */

BUILD_BUG_ON(PAGE_SIZE + PERCPU_STACK_SIZE + IST_COUNT * (PAGE_SIZE + PERCPU_IST_SIZE) >
	     PERCPU_SLOT_SIZE);
BUILD_BUG_ON((u64)HV_MAX_CPUS *PERCPU_SLOT_SIZE > STACK_AREA_SIZE);

static struct percpu percpu_area[HV_MAX_CPUS] __cacheline_aligned;
static unsigned int percpu_online;

/* The BSP's IST stacks until percpu_setup(0) gives it guarded ones. */
static u8 percpu_boot_ist[IST_COUNT][PERCPU_IST_SIZE] __aligned(16);

struct percpu *percpu_of(unsigned int cpu)
{
	return cpu < HV_MAX_CPUS ? &percpu_area[cpu] : NULL;
}

void cpu_local_init(struct percpu *pc)
{
	gdt_load(pc);
	/* gdt_load() reloaded GS, which cleared the base: set it last. */
	wrmsr(MSR_GS_BASE, (u64)pc);
	wrmsr(MSR_KERNEL_GS_BASE, 0);
	idt_load();
}

void percpu_early_init(void)
{
	struct percpu *pc = &percpu_area[0];

	pc->self = pc;
	pc->cpu = 0;
	pc->apic_id = cpuid(1).ebx >> 24;
	for (unsigned int i = 0; i < IST_COUNT; i++)
		pc->tss.ist[i] = (u64)percpu_boot_ist[i] + PERCPU_IST_SIZE;
	gdt_build(pc);
	idt_init();
	cpu_local_init(pc);
}

/* Back [va, va+size) with fresh zeroed pages; false after a message. */
static bool percpu_map_stack(u64 va, u64 size)
{
	for (u64 off = 0; off < size; off += PAGE_SIZE) {
		phys_addr_t pa = memmap_alloc_page();

		if (!pa || paging_map_4k(va + off, pa, PAGE_KERNEL_RW)) {
			pr_err("percpu: cannot map a stack page at %#llx\n",
			       (va + off));
			return false;
		}
	}
	return true;
}

/**
 * percpu_setup() - prepare @cpu's area before the CPU runs.
 * @cpu:     dense CPU index (0 is the BSP)
 * @apic_id: its local APIC id
 *
 * Allocates the main and IST stacks with guard pages and builds the GDT
 * and TSS.  For the BSP this replaces the unguarded boot IST stacks (the
 * TSS is live, and the CPU reads IST pointers from it at each interrupt, so
 * updating them in place is enough).  Runs on the BSP, one CPU at a time.
 * Return: 0, or -1 after a message.
 */
int percpu_setup(unsigned int cpu, u32 apic_id)
{
	struct percpu *pc = percpu_of(cpu);
	u64 slot, va;

	if (!pc) {
		pr_err("percpu: cpu %u is beyond HV_MAX_CPUS (%u)\n", cpu, HV_MAX_CPUS);
		return -1;
	}
	if (pc->setup_done)
		return 0;
	slot = STACK_AREA_BASE + cpu * PERCPU_SLOT_SIZE;
	va = slot + PAGE_SIZE;
	if (cpu) {
		if (!percpu_map_stack(va, PERCPU_STACK_SIZE))
			return -1;
		pc->stack_bottom = va;
		pc->stack_top = va + PERCPU_STACK_SIZE;
	} else {
		/* The BSP stays on the boot stack (guarded in the image). */
		pc->stack_bottom = (u64)boot_stack_bottom;
		pc->stack_top = 0;
	}
	va += PERCPU_STACK_SIZE;
	for (unsigned int i = 0; i < IST_COUNT; i++) {
		va += PAGE_SIZE;
		if (!percpu_map_stack(va, PERCPU_IST_SIZE))
			return -1;
		va += PERCPU_IST_SIZE;
		pc->tss.ist[i] = va;
	}
	pc->self = pc;
	pc->cpu = cpu;
	pc->apic_id = apic_id;
	gdt_build(pc);
	pc->setup_done = true;
	return 0;
}

void percpu_mark_online(struct percpu *pc)
{
	/*
	 * R1 (publish after init): everything this CPU set up is visible
	 * before it is counted.  The flag is a release store and the count a
	 * locked RMW; pairs with the load_acquire in percpu_online_count()
	 * and of pc->online by the BSP.
	 */
	store_release(&pc->online, true);
	fetch_add(&percpu_online, 1);
}

unsigned int percpu_online_count(void)
{
	/* R1: pairs with the fetch_add in percpu_mark_online(). */
	return load_acquire(&percpu_online);
}
