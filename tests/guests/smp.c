// SPDX-License-Identifier: MIT
/*
 * The guest BSP starts every AP with INIT-SIPI-SIPI through the x2APIC ICR;
 * each AP reports from its own vCPU.
 */
#include "guest.h"
#include "lib/x86_apic.h"

static volatile u32 ap_seen;
static volatile u32 ap_ids[8];

static void ap_entry(u32 index)
{
	u32 id = (u32)rdmsr(X2APIC_MSR(APIC_ID));
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
	gprintf("BSP: %u vCPUs; copying the AP trampoline to %#x\n", nvcpus, 0x8000);
	CHECK(nvcpus >= 2 && nvcpus <= 8);
	gstart_aps(ap_entry, nvcpus - 1);
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
	CHECK_EQ(gaps_started(), nvcpus - 1);	/* no AP started twice */
	return 0;
}
