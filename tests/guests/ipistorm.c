// SPDX-License-Identifier: MIT
/*
 * Hostile guest: an IPI storm.  Four vCPUs write the x2APIC ICR (MSR 0x830)
 * in a loop for a bounded time: fixed, NMI, INIT and start-up IPIs, edge
 * and level, to every destination 0-255 and to 0xffffffff (broadcast), and
 * with the self, all-including-self and all-excluding-self shorthands; and
 * the SELF IPI register (MSR 0x83f) with every vector.  INIT and SIPI go
 * only to APIC ids the VM does not have (an INIT to its own running vCPUs
 * would reset them, as on hardware).  Fixed IPIs are dropped by the
 * software-disabled local APICs; NMIs are taken.  The VM must come out of it, its
 * BSP report and stop it, and the victim VM on another CPU pass.
 *
 * Every vCPU runs with interrupts off; should hv start delivering these
 * IPIs, fixed ones stay pending and NMIs are counted by a gate of their own
 * (the library would take vector 2 for an unexpected exception).
 */
#include "guest.h"
#include "lib/x86_apic.h"

#define N_APS		3
#define BUDGET_TICKS	25000000ull	/* per vCPU, about 0.5 s under Bochs (50 M ips) */
#define MAX_ROUNDS	64

#define ICR_LEVEL_ASSERT	(1u << 14)
#define ICR_TRIGGER_LEVEL	(1u << 15)

volatile u32 ipistorm_nmis;
static volatile u32 started, go, done;
static volatile u32 rounds[N_APS + 1], writes[N_APS + 1];

void ipistorm_nmi(void);
void guest_idt_load(void);
__asm__(".text\n"
	".globl ipistorm_nmi\n"
	"ipistorm_nmi:\n"
	"	lock incl ipistorm_nmis\n"
	"	iret\n");

static void count_irq(u32 vector)
{
}

/* Vector 2 of the library's IDT: a gate that counts NMIs and returns. */
static void install_nmi_gate(void)
{
	struct {
		u16 limit;
		u32 base;
	} __attribute__((packed)) idtr;
	u32 h = (u32)(uintptr_t)ipistorm_nmi;
	volatile u16 *g;

	__asm__ __volatile__("sidt %0" : "=m"(idtr));
	g = (volatile u16 *)(uintptr_t)(idtr.base + 2 * 8);
	g[0] = (u16)h;
	g[1] = 0x08;
	g[2] = 0x8e00;
	g[3] = (u16)(h >> 16);
}

static void icr(u32 index, u32 low, u32 dest)
{
	wrmsr(X2APIC_MSR_ICR, ((u64)dest << 32) | low);
	writes[index]++;
}

/*
 * INIT resets a running vCPU to wait-for-SIPI, as on hardware, and a SIPI
 * then starts it at a random vector: the storm would only destroy itself.
 * INIT and SIPI go to every APIC id the VM does not have (where other VMs'
 * CPUs would be on a flat machine), never to its own vCPUs or a broadcast.
 */
static bool reaches_a_vcpu_with_init(u32 mode, u32 dest)
{
	return (mode == 5 || mode == 6) && (dest <= N_APS || dest == 256);
}

/* One round: every destination with every mode, then the shorthands. */
static void storm_round(u32 index, u32 r)
{
	static const u32 modes[] = { 0, 4, 5, 6 };	/* fixed, NMI, INIT, start-up */
	/* Vary the vector and the trigger from round to round. */
	u32 vec = (0x20 + r * 7 + index * 31) & 0xff;
	u32 trig = (r & 1) ? ICR_TRIGGER_LEVEL : 0;
	u32 assert = (r & 2) ? 0 : ICR_LEVEL_ASSERT;
	u32 m, dest, sh;

	for (dest = 0; dest <= 256; dest++)
		for (m = 0; m < 4; m++)
			if (!reaches_a_vcpu_with_init(modes[m], dest))
				icr(index, modes[m] << 8 | vec | trig | assert,
				    dest == 256 ? 0xffffffffu : dest);
	for (sh = 1; sh < 4; sh++)
		for (m = 0; m < 2; m++)		/* fixed and NMI: INIT would reset us */
			icr(index, modes[m] << 8 | vec | ICR_LEVEL_ASSERT | (sh << 18), 0);
	for (dest = 0; dest < 256; dest += 17) {
		wrmsr(X2APIC_MSR_SELF_IPI, (dest + r) & 0xff);
		writes[index]++;
	}
}

static void storm(u32 index)
{
	u64 t0 = rdtsc();
	u32 r = 0;

	do {
		storm_round(index, r++);
	} while (rdtsc() - t0 < BUDGET_TICKS && r < MAX_ROUNDS);
	rounds[index] = r;
}

static void ap_entry(u32 index)
{
	guest_idt_load();
	__atomic_fetch_add(&started, 1, __ATOMIC_SEQ_CST);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		cpu_relax();
	storm(index);
	__atomic_fetch_add(&done, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

int guest_main(void)
{
	u64 t0;
	u32 i, total = 0;

	install_nmi_gate();
	for (i = 32; i < 256; i++)
		gset_irq((u8)i, count_irq);
	gstart_aps(ap_entry, N_APS);
	t0 = rdtsc();
	while (started < N_APS && rdtsc() - t0 < 400000000ull)
		cpu_relax();
	CHECK_EQ(started, N_APS);
	gprintf("%u APs up, storm begins\n", started);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	storm(0);
	t0 = rdtsc();
	while (done < started && rdtsc() - t0 < 2000000000ull)
		cpu_relax();
	CHECK_EQ(done, started);
	for (i = 0; i <= N_APS; i++) {
		gprintf("vcpu %u: %u rounds, %u ICR writes\n", i, rounds[i], writes[i]);
		CHECK(rounds[i] > 0 || i > started);
		total += writes[i];
	}
	gprintf("storm over: %u ICR writes, %u NMIs taken\n", total, ipistorm_nmis);
	return 0;
}
