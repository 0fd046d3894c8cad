// SPDX-License-Identifier: MIT
/*
 * The virtual interrupt controllers from a guest's side.  On vCPU 0: the
 * xAPIC page by MMIO (every access an emulated instruction), self-IPIs,
 * task-priority masking, priority order of nested interrupts, the timer in
 * one-shot, periodic and TSC-deadline mode, then x2APIC mode through MSRs;
 * the I/O APIC routing COM1's receive interrupt (GSI 4) to vCPU 0, fed by
 * vm=...,input=.  With vCPU 1: a fixed IPI between vCPUs, then INIT to the
 * running AP (it goes back to wait-for-SIPI) and a SIPI that starts it
 * again.
 */
#include "guest.h"
#include "lib/x86_msr.h"
#include "lib/x86_apic.h"

#define LAPIC		0xfee00000u
#define IOAPIC		0xfec00000u
#define COM1		0x3f8

#define ICR_SELF	(1u << 18)

static volatile u32 hits[256];
static volatile u8 order[8];
static volatile u32 norder;
static volatile u32 ap_ipis, ap_runs;
static bool x2;

static u32 lapic_rd(u32 reg)
{
	return *(volatile u32 *)(uintptr_t)(LAPIC + reg);
}

static void lapic_wr(u32 reg, u32 v)
{
	*(volatile u32 *)(uintptr_t)(LAPIC + reg) = v;
}

static void eoi(void)
{
	if (x2)
		wrmsr(X2APIC_MSR(APIC_EOI), 0);
	else
		lapic_wr(APIC_EOI, 0);
}

static void on_irq(u32 vector)
{
	hits[vector]++;
	if (norder < sizeof(order))
		order[norder++] = (u8)vector;
	eoi();
}

static void self_ipi(u8 vector)
{
	if (x2)
		wrmsr(X2APIC_MSR_SELF_IPI, vector);
	else
		lapic_wr(APIC_ICR_LO, ICR_SELF | vector);
}

/* Open the interrupt window for a while: pending vectors arrive here. */
static void window(void)
{
	__asm__ __volatile__("sti; nop; nop; nop; cli" ::: "memory");
}

static bool wait_hits(u8 vector, u32 n)
{
	u64 t0 = rdtsc();

	while (hits[vector] < n && rdtsc() - t0 < 100000000ull)
		sti_hlt(), cli();
	return hits[vector] >= n;
}

static void test_xapic(void)
{
	CHECK_EQ(lapic_rd(APIC_ID) >> 24, 0);
	CHECK((lapic_rd(APIC_VERSION) & 0xff) >= 0x14);
	lapic_wr(APIC_SVR, 0x1ff);			/* software-enable, spurious 0xff */
	CHECK_EQ(lapic_rd(APIC_SVR), 0x1ff);
	lapic_wr(APIC_TPR, 0);
	self_ipi(0x40);
	window();
	CHECK_EQ(hits[0x40], 1);
	/* Task priority 5 masks class 4, not class 6. */
	lapic_wr(APIC_TPR, 0x50);
	self_ipi(0x45);
	self_ipi(0x61);
	window();
	CHECK_EQ(hits[0x45], 0);
	CHECK_EQ(hits[0x61], 1);
	lapic_wr(APIC_TPR, 0);
	window();
	CHECK_EQ(hits[0x45], 1);
	/* Two pending: the higher class first. */
	norder = 0;
	self_ipi(0x42);
	self_ipi(0x72);
	window();
	CHECK_EQ(norder, 2);
	CHECK_EQ(order[0], 0x72);
	CHECK_EQ(order[1], 0x42);
	gprintf("xAPIC by MMIO: id, version, SVR, self-IPI, TPR masking, priority order\n");
}

static void test_timer(void)
{
	u32 c1, c2;

	lapic_wr(APIC_TIMER_DCR, 0x0b);			/* divide by 1 */
	lapic_wr(APIC_LVT_TIMER, 0x50);			/* one-shot */
	lapic_wr(APIC_TIMER_ICR, 2000000);
	c1 = lapic_rd(APIC_TIMER_CCR);
	c2 = lapic_rd(APIC_TIMER_CCR);
	CHECK(c1 <= 2000000 && c2 < c1);
	CHECK(wait_hits(0x50, 1));
	CHECK_EQ(lapic_rd(APIC_TIMER_CCR), 0);
	lapic_wr(APIC_LVT_TIMER, 0x51 | (1u << 17));	/* periodic */
	lapic_wr(APIC_TIMER_ICR, 500000);
	CHECK(wait_hits(0x51, 3));
	lapic_wr(APIC_LVT_TIMER, 0x10000);		/* masked */
	lapic_wr(APIC_LVT_TIMER, 0x52 | (2u << 17));	/* TSC deadline */
	wrmsr(MSR_IA32_TSC_DEADLINE, rdtsc() + 300000);
	CHECK(wait_hits(0x52, 1));
	CHECK_EQ(rdmsr(MSR_IA32_TSC_DEADLINE), 0);		/* disarmed once it fired */
	gprintf("timer: one-shot %u->%u, periodic x%u, TSC deadline\n", c1, c2, hits[0x51]);
}

static void test_x2apic(void)
{
	genable_x2apic();
	x2 = true;
	CHECK_EQ(rdmsr(X2APIC_MSR(APIC_ID)), 0);
	self_ipi(0x44);
	window();
	CHECK_EQ(hits[0x44], 1);
	gprintf("x2APIC: id by MSR, self-IPI register, EOI by MSR\n");
}

static void ioapic_wr(u32 reg, u32 v)
{
	*(volatile u32 *)(uintptr_t)IOAPIC = reg;
	*(volatile u32 *)(uintptr_t)(IOAPIC + 0x10) = v;
}

static u32 ioapic_rd(u32 reg)
{
	*(volatile u32 *)(uintptr_t)IOAPIC = reg;
	return *(volatile u32 *)(uintptr_t)(IOAPIC + 0x10);
}

#define RTE_REMOTE_IRR	(1u << 14)
#define RTE_LEVEL	(1u << 15)
#define RTE_MASKED	(1u << 16)

static char rx[80];
static volatile u32 nrx;

static void on_uart(u32 vector)
{
	while (inb(COM1 + 5) & 1) {
		u8 c = inb(COM1);

		if (nrx < sizeof(rx) - 1)
			rx[nrx++] = (char)c;
	}
	hits[vector]++;
	eoi();
}

static void test_ioapic_uart(void)
{
	CHECK_EQ(ioapic_rd(1) & 0xff, 0x20);		/* version 0x20 */
	CHECK_EQ((ioapic_rd(1) >> 16) & 0xff, 23);	/* 24 pins */
	gset_irq(0x34, on_uart);
	ioapic_wr(0x10 + 2 * 4 + 1, 0);			/* pin 4 -> APIC id 0 */
	ioapic_wr(0x10 + 2 * 4, 0x34);			/* edge, active high, fixed, unmasked */
	outb(COM1 + 4, 0x0b);				/* DTR, RTS, OUT2: the line is wired */
	outb(COM1 + 1, 0x01);				/* receive interrupt */
	while (nrx < 10 && wait_hits(0x34, hits[0x34] + 1))
		;
	outb(COM1 + 1, 0);
	rx[nrx] = '\0';
	gprintf("I/O APIC: COM1 interrupts on GSI 4 brought \"%s\" in %u interrupts\n", rx,
		hits[0x34]);
	CHECK_EQ(nrx, 10);
	CHECK(!strcmp(rx, "interrupts"));
}

static volatile u32 level_rirr;

/* Level-triggered: remote IRR is set while in service; the line drops before the EOI. */
static void on_uart_level(u32 vector)
{
	level_rirr = ioapic_rd(0x10 + 2 * 4) & RTE_REMOTE_IRR;
	outb(COM1 + 1, 0);				/* THR-empty interrupt off: line low */
	hits[vector]++;
	eoi();
}

/*
 * GSI 4 level-triggered: the LAPIC's EOI must reach the I/O APIC and clear
 * remote IRR (with virtual-interrupt delivery through the EOI-exit bitmap),
 * or the second interrupt never comes.
 */
static void test_ioapic_level(void)
{
	gset_irq(0x35, on_uart_level);
	ioapic_wr(0x10 + 2 * 4, 0x35 | RTE_LEVEL);	/* level, active high, fixed, unmasked */
	for (u32 n = 1; n <= 2; n++) {
		level_rirr = 0;
		outb(COM1 + 1, 0x02);			/* THR-empty interrupt: line high at once */
		CHECK(wait_hits(0x35, n));
		CHECK(level_rirr);
		CHECK_EQ(ioapic_rd(0x10 + 2 * 4) & RTE_REMOTE_IRR, 0);
	}
	ioapic_wr(0x10 + 2 * 4, RTE_MASKED);
	gprintf("I/O APIC: level-triggered GSI 4: remote IRR set in service, cleared by the EOI "
		"(%u interrupts)\n", hits[0x35]);
	CHECK_EQ(hits[0x35], 2);
}

static void ap_main(u32 index)
{
	__atomic_fetch_add(&ap_runs, 1, __ATOMIC_SEQ_CST);
	wrmsr(0x80f, 0x1ff);				/* x2APIC SVR: enabled */
	for (;;) {
		__asm__ __volatile__("sti; hlt; cli" ::: "memory");
		if (hits[0x70] > ap_ipis)
			ap_ipis = hits[0x70];
	}
}

static void test_ipi_init_sipi(void)
{
	u64 t0;

	gset_irq(0x70, on_irq);
	gstart_aps(ap_main, 1);
	t0 = rdtsc();
	while (ap_runs < 1 && rdtsc() - t0 < 200000000ull)
		cpu_relax();
	CHECK_EQ(ap_runs, 1);
	for (t0 = rdtsc(); rdtsc() - t0 < 2000000;)
		cpu_relax();				/* let it enable its APIC and halt */
	wrmsr(X2APIC_MSR_ICR, (1ull << 32) | 0x70);	/* fixed, vector 0x70, to APIC id 1 */
	for (t0 = rdtsc(); hits[0x70] < 1 && rdtsc() - t0 < 100000000ull;)
		cpu_relax();
	CHECK_EQ(hits[0x70], 1);
	/* INIT to the running AP: back to wait-for-SIPI; a SIPI starts it again. */
	wrmsr(X2APIC_MSR_ICR, (1ull << 32) | 0x4500);
	for (t0 = rdtsc(); rdtsc() - t0 < 2000000;)
		cpu_relax();
	wrmsr(X2APIC_MSR_ICR, (1ull << 32) | 0x4600 | (0x8000 >> 12));
	for (t0 = rdtsc(); ap_runs < 2 && rdtsc() - t0 < 200000000ull;)
		cpu_relax();
	gprintf("IPI to vCPU 1 taken; INIT sent it back to wait-for-SIPI and a SIPI restarted it "
		"(%u runs)\n", ap_runs);
	CHECK_EQ(ap_runs, 2);
}

int guest_main(void)
{
	static const u8 vectors[] = { 0x40, 0x42, 0x44, 0x45, 0x50, 0x51, 0x52, 0x61, 0x72 };

	for (unsigned int i = 0; i < sizeof(vectors); i++)
		gset_irq(vectors[i], on_irq);
	test_xapic();
	test_timer();
	test_ioapic_uart();
	test_ioapic_level();
	test_x2apic();
	test_ipi_init_sipi();
	return 0;
}
