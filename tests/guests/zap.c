// SPDX-License-Identifier: MIT
/*
 * Run with vm=...,debug=zap: the hypervisor keeps zapping every EPT mapping
 * of this VM while all its vCPUs write and re-read their own memory.  Every
 * value must survive (a zap only removes translations; the next access
 * faults the same page back in), and no vCPU may see another's data.
 */
#include "guest.h"

#define REGION		0x40000u	/* 256 KiB per vCPU */
#define BASE		0x400000u
#define RUN_TICKS	40000000ull

static volatile u32 done_count;
static volatile u32 bad[8], rounds[8];

static void hammer(u32 idx)
{
	u32 base = BASE + idx * REGION, r = 0, p, errors = 0;
	u64 t0 = rdtsc();

	while (rdtsc() - t0 < RUN_TICKS) {
		for (p = 0; p < REGION; p += 4096)
			*(volatile u32 *)(uintptr_t)(base + p) = (idx << 28) ^ (r << 12) ^ p;
		for (p = 0; p < REGION; p += 4096)
			if (*(volatile u32 *)(uintptr_t)(base + p) != ((idx << 28) ^ (r << 12) ^ p))
				errors++;
		r++;
	}
	bad[idx] = errors;
	rounds[idx] = r;
}

static void ap_entry(u32 index)
{
	/*
	 * Interrupts on, as in an OS guest: under Bochs only then does the
	 * kick IPI force an exit (with IF=0 the hypervisor's time slice is
	 * what gets the vCPU out).  Nothing else interrupts this vCPU.
	 */
	__asm__ __volatile__("sti");
	hammer(index);
	gprintf("vcpu %u: %u rounds, %u bad values\n", index, rounds[index], bad[index]);
	__atomic_fetch_add(&done_count, 1, __ATOMIC_SEQ_CST);
	for (;;)
		__asm__ __volatile__("cli; hlt");
}

int guest_main(void)
{
	u32 n, i;
	u64 t0;

	hcall_out(HC_INFO, 0, 0, 0, 0, NULL, NULL, NULL, &n);
	CHECK(n >= 1 && n <= 8 && BASE + n * REGION <= guest_mem_bytes);
	gstart_aps(ap_entry, n - 1);
	hammer(0);
	gprintf("vcpu 0: %u rounds, %u bad values\n", rounds[0], bad[0]);
	t0 = rdtsc();
	while (done_count < n - 1 && rdtsc() - t0 < 400000000ull)
		cpu_relax();
	CHECK_EQ(done_count, n - 1);
	for (i = 0; i < n; i++) {
		CHECK_EQ(bad[i], 0);
		CHECK(rounds[i] > 0);
	}
	return 0;
}
