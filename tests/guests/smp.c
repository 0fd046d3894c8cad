// SPDX-License-Identifier: MIT
/*
 * The guest BSP starts every AP with INIT-SIPI-SIPI through the x2APIC ICR;
 * each AP reports from its own vCPU.
 */
#include "guest.h"

#define TRAMP		0x8000u
#define MSR_ICR		0x830
#define MSR_X2APIC_ID	0x802

extern const u8 ap_tramp_start[], ap_tramp_end[];

static u8 ap_stacks[8 * 4096] __attribute__((aligned(4096)));
static volatile u32 ap_seen;
static volatile u32 ap_ids[8];

static void ap_entry(u32 index)
{
	u32 id = (u32)rdmsr(MSR_X2APIC_ID);
	u32 a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	gprintf("AP %u up: x2APIC id %u, CPUID initial APIC id %u\n", index, id, b >> 24);
	ap_ids[index & 7] = id | 0x100;
	__atomic_fetch_add(&ap_seen, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

int guest_main(void)
{
	u32 nvcpus, i;
	u64 t0;

	hcall_out(HC_INFO, 0, 0, 0, 0, NULL, NULL, NULL, &nvcpus);
	gprintf("BSP: %u vCPUs; copying the AP trampoline to %#x\n", nvcpus, TRAMP);
	CHECK(nvcpus >= 2 && nvcpus <= 8);
	memcpy((void *)TRAMP, ap_tramp_start, ap_tramp_end - ap_tramp_start);
	*(volatile u32 *)(TRAMP + 8) = (u32)(uintptr_t)ap_entry;
	*(volatile u32 *)(TRAMP + 12) = (u32)(uintptr_t)ap_stacks - 4096;
	for (i = 1; i < nvcpus; i++) {
		u64 dest = (u64)i << 32;

		wrmsr(MSR_ICR, dest | 0x4500);			/* INIT, assert */
		wrmsr(MSR_ICR, dest | 0x4600 | (TRAMP >> 12));	/* SIPI */
		wrmsr(MSR_ICR, dest | 0x4600 | (TRAMP >> 12));	/* SIPI again, as the spec says */
	}
	t0 = rdtsc();
	while (ap_seen < nvcpus - 1 && rdtsc() - t0 < 400000000ull)
		cpu_relax();
	gprintf("BSP: %u of %u APs reported\n", ap_seen, nvcpus - 1);
	CHECK_EQ(ap_seen, nvcpus - 1);
	for (i = 1; i < nvcpus; i++) {
		u32 j, found = 0;

		for (j = 1; j < 8; j++)
			if (ap_ids[j] == (i | 0x100))
				found++;
		CHECK_EQ(found, 1);	/* every AP id exactly once */
	}
	CHECK_EQ(*(volatile u32 *)(TRAMP + 16), nvcpus - 1);	/* no AP started twice */
	return 0;
}
