// SPDX-License-Identifier: MIT
/*
 * Exit round trips timed with RDTSC (under Bochs one tick is one
 * instruction, so the numbers count the instructions an exit costs).
 * Prints "exit-bench: <name> min=<ticks> median=<ticks>" for cpuid, vmcall,
 * io (the fast path), and for the virtual platform: mmio (a 32-bit write
 * to an xAPIC register, emulated), eoi (an xAPIC EOI, emulated), ipi-self
 * (a self-IPI from the ICR write to the handler's first instruction) and
 * uart-out (an OUT to COM1's data register: one console byte).
 */
#include "guest.h"

#define N	201

static u64 samples[N];

static u64 time_cpuid(void)
{
	u32 a, b, c, d;
	u64 t0 = rdtsc();

	cpuid(0, 0, &a, &b, &c, &d);
	return rdtsc() - t0;
}

static u64 time_vmcall(void)
{
	u32 r;
	u64 t0 = rdtsc();

	__asm__ __volatile__("vmcall" : "=a"(r) : "a"(HC_NOP) : "memory");
	return rdtsc() - t0;
}

static u64 time_io(void)
{
	u64 t0 = rdtsc();

	outb(0x3ff, 0x55);		/* COM1 scratch register: a trapped write */
	return rdtsc() - t0;
}

#define LAPIC		0xfee00000u
#define APIC_TPR	0x080
#define APIC_EOI	0x0b0
#define APIC_SVR	0x0f0
#define APIC_ICR_LO	0x300
#define IPI_VECTOR	0x40

static void lapic_wr(u32 reg, u32 v)
{
	*(volatile u32 *)(uintptr_t)(LAPIC + reg) = v;
}

static u64 time_mmio(void)
{
	u64 t0 = rdtsc();

	lapic_wr(APIC_TPR, 0);
	return rdtsc() - t0;
}

static u64 time_eoi(void)
{
	u64 t0 = rdtsc();

	lapic_wr(APIC_EOI, 0);
	return rdtsc() - t0;
}

static volatile u64 ipi_seen;

static void on_ipi(u32 vector)
{
	ipi_seen = rdtsc();
	lapic_wr(APIC_EOI, 0);
}

static u64 time_ipi_self(void)
{
	u64 t0;

	ipi_seen = 0;
	__asm__ __volatile__("sti" ::: "memory");
	t0 = rdtsc();
	lapic_wr(APIC_ICR_LO, (1u << 18) | IPI_VECTOR);	/* shorthand: self */
	while (!ipi_seen)
		cpu_relax();
	__asm__ __volatile__("cli" ::: "memory");
	return ipi_seen - t0;
}

static u64 time_uart_out(void)
{
	u64 t0 = rdtsc();

	outb(0x3f8, '.');
	return rdtsc() - t0;
}

static u64 time_nothing(void)
{
	u64 t0 = rdtsc();

	return rdtsc() - t0;
}

static void bench(const char *name, u64 (*fn)(void))
{
	unsigned int i;
	u64 min, median;

	for (i = 0; i < N; i++)
		samples[i] = fn();
	gstats(samples, N, &min, &median);
	/* uart-out's bytes are a console line of their own: end it first. */
	gprintf("%sexit-bench: %s min=%llu median=%llu\n", fn == time_uart_out ? "\n" : "", name,
		min, median);
	CHECK(min > 0);
}

int guest_main(void)
{
	bench("rdtsc-pair", time_nothing);
	bench("cpuid", time_cpuid);
	bench("vmcall", time_vmcall);
	bench("io", time_io);
	lapic_wr(APIC_SVR, 0x1ff);		/* software-enable the LAPIC */
	gset_irq(IPI_VECTOR, on_ipi);
	bench("mmio", time_mmio);
	bench("eoi", time_eoi);
	bench("ipi-self", time_ipi_self);
	bench("uart-out", time_uart_out);
	return 0;
}
