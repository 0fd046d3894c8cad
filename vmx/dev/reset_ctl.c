// SPDX-License-Identifier: MIT
/*
 * The reset control register (vmx/dev/reset_ctl.h).  Bit 2 (reset CPU)
 * going from 0 to 1 starts a reset of the kind bit 1 selects: hard (the
 * platform) or soft (INIT to the CPUs only).  hv has no INIT-only reset of
 * a VM, so both reset the whole VM; the reason says which was asked for.
 * Bit 3 (full reset: power cycle) is stored and makes no difference here.
 *
 * Linux writes 0x02 and then 0x06 (or 0x0e); the FADT reset register
 * writes 0x06 alone.  Both are a 0-to-1 edge of bit 2.  Once it has asked
 * for a reset the register reads back with bit 2 clear, as after the reset
 * it starts, so that a second 0x06 (another reset) is an edge again.
 */
#include "vmx/dev/reset_ctl.h"

#define RST_CNT_SYS_RST		0x02	/* 1: hard reset, 0: soft (INIT) */
#define RST_CNT_RST_CPU		0x04	/* 0 -> 1: reset now */

void reset_ctl_init(struct reset_ctl *rc)
{
	rc->val = 0;
}

u8 reset_ctl_read(const struct reset_ctl *rc)
{
	return rc->val;
}

const char *reset_ctl_write(struct reset_ctl *rc, u8 val)
{
	bool edge = (val & RST_CNT_RST_CPU) && !(rc->val & RST_CNT_RST_CPU);

	if (!edge) {
		rc->val = val;
		return NULL;
	}
	rc->val = val & ~RST_CNT_RST_CPU;
	return (val & RST_CNT_SYS_RST) ? "0xcf9 hard reset" : "0xcf9 soft reset";
}
