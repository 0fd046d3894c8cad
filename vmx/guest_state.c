// SPDX-License-Identifier: MIT
/* The guest state of the current VMCS as exit handlers read and advance it. */
#include "vmx/guest_state.h"

#include "vmx/vmcs.h"

void vmcs_guest_skip_insn(void)
{
	u64 rip = vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_EXIT_INSN_LEN);
	u64 intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);

	vmcs_write(VMCS_GUEST_RIP, rip);
	/* An emulated instruction ends any STI / MOV SS shadow, as on hardware. */
	if (intr & (INTERRUPT_STI | INTERRUPT_MOV_SS))
		vmcs_write(VMCS_GUEST_INTERRUPTIBILITY, intr & ~(u64)(INTERRUPT_STI |
								     INTERRUPT_MOV_SS));
}

unsigned int vmcs_guest_cpl(void)
{
	return (vmcs_read(VMCS_GUEST_SS_AR) >> 5) & 3;
}

u64 vmcs_guest_cr0(void)
{
	u64 mask = vmcs_cr0_mask();

	return (vmcs_read(VMCS_GUEST_CR0) & ~mask) | (vmcs_read(VMCS_CR0_SHADOW) & mask);
}

u64 vmcs_guest_cr4(void)
{
	u64 mask = vmcs_cr4_mask();

	return (vmcs_read(VMCS_GUEST_CR4) & ~mask) | (vmcs_read(VMCS_CR4_SHADOW) & mask);
}
