// SPDX-License-Identifier: MIT
/* CPUID as a guest sees it: VMX hidden, hypervisor leaves, per-vCPU topology. */
#include "guest.h"

int guest_main(void)
{
	u32 a, b, c, d;
	char sig[13];

	cpuid(0x40000000, 0, &a, &b, &c, &d);
	memcpy(sig, &b, 4);
	memcpy(sig + 4, &c, 4);
	memcpy(sig + 8, &d, 4);
	sig[12] = '\0';
	gprintf("hypervisor leaf: max %#x signature \"%s\"\n", a, sig);
	CHECK(a >= 0x40000001);
	CHECK(!memcmp(sig, "hvhvhvhvhvhv", 12));

	cpuid(0x40000001, 0, &a, &b, &c, &d);
	gprintf("features %#x abi %u vcpu %u of %u\n", a, b, c, d);
	CHECK_EQ(a, HC_FEATURES);
	CHECK_EQ(b, HC_ABI_VERSION);
	CHECK_EQ(c, 0);
	CHECK_EQ(d, 1);

	cpuid(1, 0, &a, &b, &c, &d);
	gprintf("leaf 1: eax %#x ebx %#x ecx %#x edx %#x\n", a, b, c, d);
	CHECK(!(c & (1u << 5)));	/* VMX hidden */
	CHECK(c & (1u << 31));		/* running on a hypervisor */
	CHECK(c & (1u << 21));		/* x2APIC */
	CHECK(!(c & (1u << 3)));	/* MONITOR hidden */
	CHECK_EQ(b >> 24, 0);		/* initial APIC id of vCPU 0 */

	cpuid(0x40000005, 0, &a, &b, &c, &d);
	CHECK_EQ(a | b | c | d, 0);	/* unused hypervisor leaves are zero */

	cpuid(0, 0, &a, &b, &c, &d);
	CHECK(a >= 1);
	/* The platform's leaves: TSC-deadline and x2APIC, ARAT, the TSC rate. */
	cpuid(1, 0, &a, &b, &c, &d);
	CHECK(c & (1u << 24));
	CHECK(c & (1u << 21));
	cpuid(0, 0, &a, &b, &c, &d);
	if (a >= 0x15) {
		cpuid(6, 0, &a, &b, &c, &d);
		CHECK(a & (1u << 2));
		cpuid(0x15, 0, &a, &b, &c, &d);
		CHECK(a && b && c);
		gprintf("TSC from CPUID.15H: %u Hz x %u / %u\n", c, b, a);
	}
	return 0;
}
