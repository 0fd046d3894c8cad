// SPDX-License-Identifier: MIT
/*
 * Isolation, VM A: fill all of its memory with a secret pattern, keep it
 * there a while (VM B scans its own memory meanwhile), then pass.
 */
#include "guest.h"

#define SECRET	0x5ec2e75au

extern char __image_end[];

int guest_main(void)
{
	u32 start = ((u32)(uintptr_t)__image_end + 0xfff) & ~0xfffu, p;
	u64 t0;

	for (p = start; p < guest_mem_bytes; p += 4)
		*(volatile u32 *)(uintptr_t)p = SECRET ^ (p >> 12);
	gprintf("secret written to %#x-%#x\n", start, guest_mem_bytes);
	t0 = rdtsc();
	while (rdtsc() - t0 < 40000000ull)
		cpu_relax();
	for (p = start; p < guest_mem_bytes; p += 4096)
		CHECK_EQ(*(volatile u32 *)(uintptr_t)p, SECRET ^ (p >> 12));
	return 0;
}
