// SPDX-License-Identifier: MIT
/* RDMSR/WRMSR policy: VMX MSRs #GP, unknown MSRs #GP, emulated ones work. */
#include "guest.h"

static u64 msr_value;

/*
 * msr_value holds the last value read successfully or written, which the
 * checks below look at.
 */
static int try_rd(u32 msr)
{
	u64 v;
	int vec = gtry_rdmsr(msr, &v);

	if (vec < 0)
		msr_value = v;
	return vec;
}

static int try_wr(u32 msr, u64 v)
{
	msr_value = v;
	return gtry_wrmsr(msr, v);
}

int guest_main(void)
{
	u64 v;

	CHECK_EQ(try_rd(0x3a), 13);		/* IA32_FEATURE_CONTROL */
	CHECK_EQ(try_rd(0x480), 13);		/* IA32_VMX_BASIC */
	CHECK_EQ(try_rd(0x48d), 13);		/* IA32_VMX_TRUE_PINBASED_CTLS */
	CHECK_EQ(try_wr(0x3a, 5), 13);
	CHECK_EQ(try_rd(0x4d0), 13);		/* unknown: #GP and logged once */
	CHECK_EQ(try_rd(0x4d0), 13);
	CHECK_EQ(try_wr(0x4d1, 1), 13);

	CHECK_EQ(try_rd(0x1b), -1);		/* APIC base: enabled xAPIC, BSP, as at reset */
	gprintf("APIC base %#llx\n", msr_value);
	CHECK_EQ(msr_value & 0xfffff000ull, 0xfee00000ull);
	CHECK(msr_value & (1 << 11));
	CHECK(!(msr_value & (1 << 10)));
	CHECK(msr_value & (1 << 8));
	CHECK_EQ(try_rd(0x802), 13);		/* x2APIC registers: #GP in xAPIC mode */
	CHECK_EQ(try_wr(0x1b, msr_value | (1 << 10)), -1);	/* enable x2APIC */
	CHECK_EQ(try_rd(0x802), -1);		/* x2APIC id */
	CHECK_EQ(msr_value, 0);
	CHECK_EQ(try_wr(0x1b, 0xfee00800ull | (1 << 8)), 13);	/* x2APIC -> xAPIC: #GP */

	CHECK_EQ(try_rd(0xc0000080), -1);	/* EFER */
	CHECK_EQ(msr_value & (1 << 10), 0);	/* not in long mode */
	CHECK_EQ(try_wr(0xc0000080, msr_value | 1), -1);	/* SCE */
	v = msr_value;
	CHECK_EQ(try_rd(0xc0000080), -1);
	CHECK_EQ(msr_value, v);
	CHECK_EQ(try_wr(0xc0000080, 1ull << 20), 13);		/* reserved bit */

	CHECK_EQ(try_wr(0x175, 0x12345678), -1);	/* SYSENTER_ESP: pass-through */
	CHECK_EQ(try_rd(0x175), -1);
	CHECK_EQ(msr_value, 0x12345678);
	CHECK_EQ(try_rd(0x10), -1);			/* TSC */
	CHECK(msr_value != 0);

	/* Writes to TSC and TSC_ADJUST move RDTSC and each other by one delta. */
	{
		u64 target = 1ull << 40, t, adj;

		CHECK_EQ(try_wr(0x10, target), -1);
		t = rdtsc();
		CHECK(t >= target && t - target < 50000000ull);
		CHECK_EQ(try_rd(0x3b), -1);			/* TSC_ADJUST */
		adj = msr_value;
		CHECK(adj != 0);
		CHECK_EQ(try_wr(0x3b, 0), -1);			/* undo the move */
		t = rdtsc();
		CHECK(t < target);
		CHECK_EQ(try_rd(0x3b), -1);
		CHECK_EQ(msr_value, 0);
		gprintf("TSC write moved RDTSC and TSC_ADJUST (by %#llx)\n", adj);
	}
	return 0;
}
