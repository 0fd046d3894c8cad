// SPDX-License-Identifier: MIT
/*
 * The machine-check MSRs of a vCPU.  IA32_MCG_CAP says MCA_BANKS banks and
 * IA32_MCG_CTL, nothing else (no CMCI, no LMCE, no extended state, no
 * software error recovery), so a guest reads no MSR beyond these.  Banks
 * hold no errors: MCi_STATUS, MCi_ADDR and MCi_MISC read zero and take
 * only zero (a write of another value faults, as hardware does for a
 * status write without MCG_CAP.SER_P); MCi_CTL and IA32_MCG_CTL keep what
 * is written.  Linux panics ("MCA architectural violation") when one of
 * these faults on a read, so every one that MCG_CAP announces must work.
 */
#include "vmx/dev/mca.h"

#include "lib/string.h"

void mca_reset(struct mca *m)
{
	memset(m, 0, sizeof(*m));
}

/* Bank @*bank and register 0..3 (CTL, STATUS, ADDR, MISC) of a bank MSR. */
static bool mca_bank_msr(u32 msr, unsigned int *bank, unsigned int *reg)
{
	if (msr < MSR_IA32_MC0_CTL || msr >= MSR_IA32_MC0_CTL + 4 * MCA_BANKS)
		return false;
	*bank = (msr - MSR_IA32_MC0_CTL) / 4;
	*reg = (msr - MSR_IA32_MC0_CTL) % 4;
	return true;
}

enum mca_result mca_msr_read(const struct mca *m, u32 msr, u64 *val)
{
	unsigned int bank, reg;

	switch (msr) {
	case MSR_IA32_MCG_CAP:
		*val = MCA_BANKS | MCG_CAP_CTL_P;
		return MCA_OK;
	case MSR_IA32_MCG_STATUS:
		*val = m->mcg_status;
		return MCA_OK;
	case MSR_IA32_MCG_CTL:
		*val = m->mcg_ctl;
		return MCA_OK;
	default:
		if (!mca_bank_msr(msr, &bank, &reg))
			return MCA_NOT_MINE;
		*val = reg == 0 ? m->bank_ctl[bank] : 0;
		return MCA_OK;
	}
}

enum mca_result mca_msr_write(struct mca *m, u32 msr, u64 val)
{
	unsigned int bank, reg;

	switch (msr) {
	case MSR_IA32_MCG_CAP:
		return MCA_GP;			/* read-only */
	case MSR_IA32_MCG_STATUS:
		if (val & ~(u64)MCG_STATUS_VALID)
			return MCA_GP;		/* reserved bits */
		m->mcg_status = val;
		return MCA_OK;
	case MSR_IA32_MCG_CTL:
		m->mcg_ctl = val;
		return MCA_OK;
	default:
		if (!mca_bank_msr(msr, &bank, &reg))
			return MCA_NOT_MINE;
		if (reg == 0) {
			m->bank_ctl[bank] = val;
			return MCA_OK;
		}
		return val ? MCA_GP : MCA_OK;	/* no error to log: only clearing is allowed */
	}
}
