// SPDX-License-Identifier: MIT
/*
 * vmx/dev/mca.c: what IA32_MCG_CAP announces is there and works (every
 * bank's four MSRs and IA32_MCG_CTL read without a fault), control
 * registers keep what is written, status/address/misc take only zero,
 * MCG_CAP is read-only, MCG_STATUS's reserved bits fault, and MSRs past
 * the last bank are not claimed.
 */
#include "tests/host/harness.h"
#include "vmx/dev/mca.h"

static void test_announced_msrs_work(void)
{
	struct mca m;
	u64 cap, v;
	unsigned int i, banks;

	mca_reset(&m);
	CHECK_EQ(mca_msr_read(&m, MSR_IA32_MCG_CAP, &cap), MCA_OK);
	banks = cap & 0xff;
	CHECK_EQ(banks, MCA_BANKS);
	CHECK(cap & MCG_CAP_CTL_P);
	CHECK_EQ(cap & ~(u64)(0xff | MCG_CAP_CTL_P), 0);	/* no CMCI, LMCE, SER, ... */
	CHECK_EQ(mca_msr_read(&m, MSR_IA32_MCG_CTL, &v), MCA_OK);
	CHECK_EQ(mca_msr_read(&m, MSR_IA32_MCG_STATUS, &v), MCA_OK);
	CHECK_EQ(v, 0);
	for (i = 0; i < 4 * banks; i++) {
		CHECK_EQ(mca_msr_read(&m, MSR_IA32_MC0_CTL + i, &v), MCA_OK);
		CHECK_EQ(v, 0);
	}
	CHECK_EQ(mca_msr_read(&m, MSR_IA32_MC0_CTL + 4 * banks, &v), MCA_NOT_MINE);
	CHECK_EQ(mca_msr_read(&m, MSR_IA32_MC0_CTL - 1, &v), MCA_NOT_MINE);
	CHECK_EQ(mca_msr_read(&m, 0x280, &v), MCA_NOT_MINE);	/* MC0_CTL2: no CMCI */
}

static void test_writes(void)
{
	struct mca m;
	u64 v;
	unsigned int i;

	mca_reset(&m);
	/* What Linux's mce_init does: all ones into MCG_CTL and each MCi_CTL, zero the status. */
	CHECK_EQ(mca_msr_write(&m, MSR_IA32_MCG_CTL, ~0ull), MCA_OK);
	for (i = 0; i < MCA_BANKS; i++) {
		CHECK_EQ(mca_msr_write(&m, MSR_IA32_MC0_CTL + 4 * i, ~0ull), MCA_OK);
		CHECK_EQ(mca_msr_write(&m, MSR_IA32_MC0_CTL + 4 * i + 1, 0), MCA_OK);
		CHECK_EQ(mca_msr_write(&m, MSR_IA32_MC0_CTL + 4 * i + 1, 1), MCA_GP);
		CHECK_EQ(mca_msr_write(&m, MSR_IA32_MC0_CTL + 4 * i + 2, 5), MCA_GP);
		CHECK_EQ(mca_msr_write(&m, MSR_IA32_MC0_CTL + 4 * i + 3, 0), MCA_OK);
		CHECK_EQ(mca_msr_read(&m, MSR_IA32_MC0_CTL + 4 * i, &v), MCA_OK);
		CHECK_EQ(v, ~0ull);
	}
	CHECK_EQ(mca_msr_read(&m, MSR_IA32_MCG_CTL, &v), MCA_OK);
	CHECK_EQ(v, ~0ull);
	CHECK_EQ(mca_msr_write(&m, MSR_IA32_MCG_CAP, 0), MCA_GP);
	CHECK_EQ(mca_msr_write(&m, MSR_IA32_MCG_STATUS, 8), MCA_GP);
	CHECK_EQ(mca_msr_write(&m, MSR_IA32_MCG_STATUS, 4), MCA_OK);
	CHECK_EQ(mca_msr_read(&m, MSR_IA32_MCG_STATUS, &v), MCA_OK);
	CHECK_EQ(v, 4);
	CHECK_EQ(mca_msr_write(&m, 0x10, 0), MCA_NOT_MINE);
	mca_reset(&m);
	CHECK_EQ(mca_msr_read(&m, MSR_IA32_MCG_CTL, &v), MCA_OK);
	CHECK_EQ(v, 0);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_announced_msrs_work();
	test_writes();
	return test_finish();
}
