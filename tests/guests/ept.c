// SPDX-License-Identifier: MIT
/*
 * Touch every page of guest memory above the image (EPT faults map it on
 * first use), check the contents, report, then read beyond the end of
 * guest memory: the hypervisor must stop this VM with a report.
 */
#include "guest.h"

extern char __image_end[];

int guest_main(void)
{
	u32 start = ((u32)(uintptr_t)__image_end + 0xfff) & ~0xfffu;
	u32 end = guest_mem_bytes, p, pages = 0;
	volatile u32 *outside;

	gprintf("memory %u MiB; touching %#x-%#x\n", end >> 20, start, end);
	for (p = start; p < end; p += 4096, pages++)
		*(volatile u32 *)(uintptr_t)p = p ^ 0xa5a5a5a5u;
	for (p = start; p < end; p += 4096)
		if (*(volatile u32 *)(uintptr_t)p != (p ^ 0xa5a5a5a5u)) {
			CHECK(!"page content lost");
			break;
		}
	/* Low memory too (below the image, skipping the boot GDT page). */
	for (p = 0x8000; p < 0x90000; p += 4096, pages++)
		*(volatile u32 *)(uintptr_t)p = p;
	gprintf("touched %u pages\n", pages);
	if (guest_failures)
		return 1;
	greport(0, "all memory touched");
	gputs("now reading outside guest memory\n");
	outside = (volatile u32 *)(uintptr_t)(end + 0x10000);
	(void)*outside;
	greport(1, "the read outside guest memory returned");
	gexit(1);
}
