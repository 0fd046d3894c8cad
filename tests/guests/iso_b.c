// SPDX-License-Identifier: MIT
/*
 * Isolation, VM B: its memory must contain nothing of VM A's (every page
 * starts zeroed), and an access beyond its own memory - where the
 * hypervisor or VM A might live in host memory - must stop only this VM.
 */
#include "guest.h"

#define SECRET	0x5ec2e75au

extern char __image_end[];

int guest_main(void)
{
	u32 start = ((u32)(uintptr_t)__image_end + 0xfff) & ~0xfffu, p, found = 0, nonzero = 0;
	u64 t0 = rdtsc();

	while (rdtsc() - t0 < 10000000ull)	/* let VM A write its secret first */
		cpu_relax();
	for (p = start; p < guest_mem_bytes; p += 4) {
		u32 v = *(volatile u32 *)(uintptr_t)p;

		if ((v & 0xffff0000u) == (SECRET & 0xffff0000u))
			found++;
		if (v)
			nonzero++;
	}
	gprintf("scanned %#x-%#x: %u secret words, %u non-zero words\n", start, guest_mem_bytes,
		found, nonzero);
	CHECK_EQ(found, 0);
	CHECK_EQ(nonzero, 0);
	if (guest_failures)
		return 1;
	greport(0, "no data of the other VM in this VM's memory");
	gputs("now writing to guest-physical 0x40000000 (not ours)\n");
	*(volatile u32 *)0x40000000 = SECRET;
	greport(1, "the write outside guest memory returned");
	gexit(1);
}
