// SPDX-License-Identifier: MIT
/*
 * Hostile guest: keep a VM alive after its stop with interrupts off.  Four
 * vCPUs; each AP spins in a loop of its own shape: with IF = 0, CPUID (exits
 * finished on the exit fast path) and an OUT to port 0x80 (exits through
 * the slow path); with IF = 1, a loop with no exit at all, which the stop's
 * kick interrupts (an external-interrupt exit that still owes its EOI: a
 * hypervisor that skipped it lost the CPU).  Once all three spin, the BSP
 * stops the VM (HC_EXIT).  The VM must stop within the preemption-timer
 * slice: no loop shape may keep it, or its CPU, from the hypervisor.
 */
#include "guest.h"

static volatile u32 spinning;

static void ap_entry(u32 index)
{
	__atomic_fetch_add(&spinning, 1, __ATOMIC_SEQ_CST);
	switch (index) {
	case 1:
		__asm__ __volatile__("cli; 1: cpuid; jmp 1b" ::"a"(0), "c"(0) : "ebx", "edx");
		break;
	case 2:
		__asm__ __volatile__("cli; 1: outb %%al, $0x80; jmp 1b" ::"a"(0));
		break;
	default:
		__asm__ __volatile__("sti; 1: jmp 1b");
		break;
	}
}

int guest_main(void)
{
	u64 t0;

	gstart_aps(ap_entry, 3);
	t0 = rdtsc();
	while (spinning < 3 && rdtsc() - t0 < 400000000ull)
		cpu_relax();
	gprintf("%u APs spinning (cpuid and out with IF = 0, no exit with IF = 1); stopping the VM\n",
		spinning);
	CHECK_EQ(spinning, 3);
	return 0;
}
