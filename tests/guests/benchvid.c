// SPDX-License-Identifier: MIT
/*
 * The bench guest's EOI on a VM whose local APIC is virtualised
 * (virtual-interrupt delivery, tools/exit-bench's second run): prints
 * "exit-bench: eoi-vid min=<ticks> median=<ticks>" for the same xAPIC EOI
 * write that bench.c times as "eoi" on an emulated APIC, and
 * "exit-bench: eoi-vid-isr ..." for an EOI that retires an in-service vector
 * (taken from a self-IPI), the EOI an interrupt handler really does.
 */
#include "guest.h"

#define N		201
#define LAPIC		0xfee00000u
#define APIC_EOI	0x0b0
#define APIC_SVR	0x0f0
#define APIC_ICR_LO	0x300
#define IPI_VECTOR	0x40

static u64 samples[N];
static volatile u64 eoi_ticks;

static void lapic_wr(u32 reg, u32 v)
{
	*(volatile u32 *)(uintptr_t)(LAPIC + reg) = v;
}

static u64 time_eoi(void)
{
	u64 t0 = rdtsc();

	lapic_wr(APIC_EOI, 0);
	return rdtsc() - t0;
}

/* In the handler: the EOI of the vector being serviced. */
static void on_ipi(u32 vector)
{
	eoi_ticks = time_eoi();
}

static u64 time_eoi_isr(void)
{
	eoi_ticks = 0;
	lapic_wr(APIC_ICR_LO, (1u << 18) | IPI_VECTOR);	/* shorthand: self */
	__asm__ __volatile__("sti; nop; cli" ::: "memory");
	while (!eoi_ticks)
		__asm__ __volatile__("sti; nop; cli" ::: "memory");
	return eoi_ticks;
}

static void bench(const char *name, u64 (*fn)(void))
{
	u64 min, median;

	for (unsigned int i = 0; i < N; i++)
		samples[i] = fn();
	gstats(samples, N, &min, &median);
	gprintf("exit-bench: %s min=%llu median=%llu\n", name, min, median);
	CHECK(min > 0);
}

int guest_main(void)
{
	lapic_wr(APIC_SVR, 0x1ff);		/* software-enable the LAPIC */
	gset_irq(IPI_VECTOR, on_ipi);
	bench("eoi-vid", time_eoi);
	bench("eoi-vid-isr", time_eoi_isr);
	return 0;
}
