// SPDX-License-Identifier: MIT
/* RDMSR/WRMSR policy: VMX MSRs #GP, unknown MSRs #GP, emulated ones work. */
#include "guest.h"
#include "lib/x86_msr.h"
#include "lib/x86_regs.h"
#include "lib/x86_apic.h"

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

	CHECK_EQ(try_rd(MSR_IA32_FEATURE_CONTROL), 13);
	CHECK_EQ(try_rd(MSR_IA32_VMX_BASIC), 13);
	CHECK_EQ(try_rd(MSR_IA32_VMX_TRUE_PINBASED_CTLS), 13);
	CHECK_EQ(try_wr(MSR_IA32_FEATURE_CONTROL, 5), 13);
	CHECK_EQ(try_rd(0x4d0), 13);		/* unknown: #GP and logged once */
	CHECK_EQ(try_rd(0x4d0), 13);
	CHECK_EQ(try_wr(0x4d1, 1), 13);

	CHECK_EQ(try_rd(MSR_IA32_APIC_BASE), -1);	/* enabled xAPIC, BSP, as at reset */
	gprintf("APIC base %#llx\n", msr_value);
	CHECK_EQ(msr_value & 0xfffff000ull, 0xfee00000ull);
	CHECK(msr_value & APIC_BASE_EN);
	CHECK(!(msr_value & APIC_BASE_EXTD));
	CHECK(msr_value & APIC_BASE_BSP);
	CHECK_EQ(try_rd(X2APIC_MSR(APIC_ID)), 13);	/* x2APIC registers: #GP in xAPIC mode */
	/* enable x2APIC */
	CHECK_EQ(try_wr(MSR_IA32_APIC_BASE, msr_value | APIC_BASE_EXTD), -1);
	CHECK_EQ(try_rd(X2APIC_MSR(APIC_ID)), -1);
	CHECK_EQ(msr_value, 0);
	/* x2APIC -> xAPIC: #GP */
	CHECK_EQ(try_wr(MSR_IA32_APIC_BASE, 0xfee00000ull | APIC_BASE_EN | APIC_BASE_BSP), 13);

	CHECK_EQ(try_rd(MSR_EFER), -1);
	CHECK_EQ(msr_value & EFER_LMA, 0);	/* not in long mode */
	CHECK_EQ(try_wr(MSR_EFER, msr_value | EFER_SCE), -1);
	v = msr_value;
	CHECK_EQ(try_rd(MSR_EFER), -1);
	CHECK_EQ(msr_value, v);
	CHECK_EQ(try_wr(MSR_EFER, 1ull << 20), 13);		/* reserved bit */

	CHECK_EQ(try_wr(MSR_IA32_SYSENTER_ESP, 0x12345678), -1);	/* pass-through */
	CHECK_EQ(try_rd(MSR_IA32_SYSENTER_ESP), -1);
	CHECK_EQ(msr_value, 0x12345678);
	CHECK_EQ(try_rd(MSR_IA32_TSC), -1);
	CHECK(msr_value != 0);

	/* Writes to TSC and TSC_ADJUST move RDTSC and each other by one delta. */
	{
		u64 target = 1ull << 40, t, adj;

		CHECK_EQ(try_wr(MSR_IA32_TSC, target), -1);
		t = rdtsc();
		CHECK(t >= target && t - target < 50000000ull);
		CHECK_EQ(try_rd(MSR_IA32_TSC_ADJUST), -1);
		adj = msr_value;
		CHECK(adj != 0);
		CHECK_EQ(try_wr(MSR_IA32_TSC_ADJUST, 0), -1);	/* undo the move */
		t = rdtsc();
		CHECK(t < target);
		CHECK_EQ(try_rd(MSR_IA32_TSC_ADJUST), -1);
		CHECK_EQ(msr_value, 0);
		gprintf("TSC write moved RDTSC and TSC_ADJUST (by %#llx)\n", adj);
	}
	return 0;
}
