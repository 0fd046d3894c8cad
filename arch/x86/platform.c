// SPDX-License-Identifier: MIT
/*
 * Bare-metal definitions of lib/platform.h: the portable core's view of
 * the machine (CPU identity, interrupt flag, console, time, pages).
 */
#include "lib/platform.h"
#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/paging.h"
#include "arch/x86/percpu.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "arch/x86/uart.h"
#include "lib/panic.h"
#include "lib/string.h"
#include "mm/pmm.h"

BUILD_BUG_ON(offsetof(struct percpu, self) != 0);
BUILD_BUG_ON(offsetof(struct percpu, cpu) != 8);

/* The calling CPU's index, 64 bits wide (a 32-bit load zero-extends): ready to index with. */
static __always_inline u64 this_cpu_index(void)
{
	u64 cpu;

	/* One load through GS: struct percpu.cpu is at offset 8. */
	__asm__ __volatile__("movl %%gs:8, %k0" : "=r"(cpu));
	return cpu;
}

unsigned int arch_cpu_id(void)
{
	return (unsigned int)this_cpu_index();
}

void arch_count_this_cpu(u64 *slots)
{
	slots[this_cpu_index()]++;
}

unsigned int arch_cpus_online(void)
{
	unsigned int n = percpu_online_count();

	return n ? n : 1;
}

unsigned long arch_irq_save(void)
{
	unsigned long flags = read_rflags();

	cli();
	return flags & X86_RFLAGS_IF;
}

void arch_irq_restore(unsigned long flags)
{
	if (flags & X86_RFLAGS_IF)
		sti();
}

bool arch_irqs_disabled(void)
{
	return !(read_rflags() & X86_RFLAGS_IF);
}

void arch_console_write(const char *s, size_t len)
{
	uart_write(s, len);
}

void arch_halt_cpu(void)
{
	/* Let the UART send what is queued (LSR.TEMT) before going quiet. */
	uart_flush();
	/* NMIs still wake HLT, so loop; an NMI for a stopped CPU returns here. */
	for (;;) {
		cli();
		hlt();
	}
}

void arch_stop_other_cpus(void)
{
	trap_request_stop();
	if (lapic_ready() && arch_cpus_online() > 1)
		lapic_send_nmi_allbutself();
}

u64 arch_time_ns(void)
{
	return tsc_ns();
}

void *arch_page_alloc(void)
{
	phys_addr_t pa = pmm_alloc(0);
	void *p;

	if (!pa)
		return NULL;
	p = arch_phys_to_virt(pa);
	memset(p, 0, PAGE_SIZE);
	return p;
}

void arch_page_free(void *page)
{
	if (page)
		pmm_free(arch_virt_to_phys(page), 0);
}

/*
 * Only the direct map and the image translate arithmetically; anything
 * else (stacks, MMIO windows) has no business being handed to EPT or the
 * frame allocator.
 */
phys_addr_t arch_virt_to_phys(const void *va)
{
	u64 v = (u64)va;

	if (v >= DIRECT_MAP_BASE && v - DIRECT_MAP_BASE < DIRECT_MAP_SIZE)
		return v - DIRECT_MAP_BASE;
	if (v >= KERNEL_VMA)
		return paging_image_pa(v);
	panic("arch_virt_to_phys: %p is neither in the direct map nor in the image", va);
}

void *arch_phys_to_virt(phys_addr_t pa)
{
	return (void *)(pa + DIRECT_MAP_BASE);
}
