// SPDX-License-Identifier: MIT
/*
 * Hostile guest: flood the console with messages it triggers.  It reads 20
 * distinct unknown MSRs and 20 ports without a device, then writes each of
 * them again, and touches 5 MSRs outside every architectural range twice.
 * "Logged once" must mean once for every one of them (41 distinct messages,
 * whatever the order of accesses), and the VM's rate limit lets only the
 * first VM_LOG_BURST (10) through, counting the other 31.
 */
#include "guest.h"

#define MSR_FIRST	0x1000u		/* reserved in the architectural range */
#define PORT_FIRST	0x200u		/* no device there */
#define N		20

static int try_msr(u32 msr, bool write)
{
	u64 v;

	return write ? gtry_wrmsr(msr, 0) : gtry_rdmsr(msr, &v);
}

int guest_main(void)
{
	static const u32 far_msrs[] = { 0x12345678, 0x80000000, 0xdeadbeef, 0x9000, 0x7fffffff };
	unsigned int i, pass;

	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < N; i++) {
			CHECK_EQ(try_msr(MSR_FIRST + i, pass), 13);
			if (pass)
				outb((u16)(PORT_FIRST + i), 0x55);
			else
				CHECK_EQ(inb((u16)(PORT_FIRST + i)), 0xff);
		}
		for (i = 0; i < (sizeof(far_msrs) / sizeof(far_msrs[0])); i++)
			CHECK_EQ(try_msr(far_msrs[i], pass), 13);
	}
	gprintf("%u MSRs and %u ports touched twice, %u far MSRs twice\n", N, N,
		(unsigned int)(sizeof(far_msrs) / sizeof(far_msrs[0])));
	return 0;
}
