// SPDX-License-Identifier: MIT
/* The demo guest of `make run-demo`: says hello from inside a VM and passes. */
#include "guest.h"

int guest_main(void)
{
	u32 a, b, c, d;
	char vendor[13], sig[13];

	cpuid(0, 0, &a, &b, &c, &d);
	memcpy(vendor, &b, 4);
	memcpy(vendor + 4, &d, 4);
	memcpy(vendor + 8, &c, 4);
	vendor[12] = '\0';
	cpuid(0x40000000, 0, &a, &b, &c, &d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	gprintf("Hello from a guest: vcpu %u, %u MiB of memory, CPU \"%s\", hypervisor \"%s\"\n",
		guest_vcpu_id, guest_mem_bytes >> 20, vendor, sig);
	CHECK_EQ(guest_boot_magic, 0x68760001u);
	return 0;
}
