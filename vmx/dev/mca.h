/* SPDX-License-Identifier: MIT */
/*
 * Machine-check architecture of one vCPU (SDM vol. 3, "Machine-Check
 * Architecture"): the MSRs that CPUID's MCE and MCA bits promise, with
 * MCA_BANKS banks that never report an error.  hv injects no machine
 * checks; a guest sees a healthy machine with working MCA registers.
 */
#ifndef VMX_DEV_MCA_H
#define VMX_DEV_MCA_H

#include "lib/compiler.h"

#define MSR_IA32_MCG_CAP	0x179
#define MSR_IA32_MCG_STATUS	0x17a
#define MSR_IA32_MCG_CTL	0x17b
#define MSR_IA32_MC0_CTL	0x400	/* bank i: CTL, STATUS, ADDR, MISC at 0x400 + 4i */

#define MCA_BANKS		4
#define MCG_CAP_CTL_P		BIT(8)	/* IA32_MCG_CTL exists */
#define MCG_STATUS_VALID	0x7	/* RIPV, EIPV, MCIP */

struct mca {
	u64 mcg_status, mcg_ctl;
	u64 bank_ctl[MCA_BANKS];
};

enum mca_result {
	MCA_OK,			/* handled */
	MCA_NOT_MINE,		/* not an MCA MSR: the caller goes on */
	MCA_GP,			/* the access faults, as on hardware */
};

/* The reset state: every bank's errors disabled, no machine check in progress. */
void mca_reset(struct mca *m);

enum mca_result mca_msr_read(const struct mca *m, u32 msr, u64 *val);
enum mca_result mca_msr_write(struct mca *m, u32 msr, u64 val);

#endif /* VMX_DEV_MCA_H */
