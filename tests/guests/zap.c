// SPDX-License-Identifier: MIT
/*
 * Run with vm=...,debug=zap: the hypervisor keeps zapping every EPT mapping
 * of this VM while all its vCPUs write and re-read their own memory.  Every
 * value must survive (a zap only removes translations; the next access
 * faults the same page back in), and no vCPU may see another's data.
 */
#include "guest.h"

#define TRAMP		0x8000u
#define MSR_ICR		0x830
#define REGION		0x40000u	/* 256 KiB per vCPU */
#define BASE		0x400000u
#define RUN_TICKS	40000000ull

extern const u8 ap_tramp_start[], ap_tramp_end[];

static u8 ap_stacks[8 * 4096] __attribute__((aligned(4096)));
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
	memcpy((void *)TRAMP, ap_tramp_start, ap_tramp_end - ap_tramp_start);
	*(volatile u32 *)(TRAMP + 8) = (u32)(uintptr_t)ap_entry;
	*(volatile u32 *)(TRAMP + 12) = (u32)(uintptr_t)ap_stacks - 4096;
	for (i = 1; i < n; i++) {
		wrmsr(MSR_ICR, ((u64)i << 32) | 0x4500);
		wrmsr(MSR_ICR, ((u64)i << 32) | 0x4600 | (TRAMP >> 12));
		wrmsr(MSR_ICR, ((u64)i << 32) | 0x4600 | (TRAMP >> 12));
	}
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
