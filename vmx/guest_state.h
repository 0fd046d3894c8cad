/* SPDX-License-Identifier: MIT */
/*
 * The guest state of the current VMCS as exit handlers read and advance it:
 * the instruction pointer past an exit, the CPL, CR0 and CR4.  None of these
 * takes a vCPU: each acts on whatever VMCS is current on this CPU.
 */
#ifndef VMX_GUEST_STATE_H
#define VMX_GUEST_STATE_H

#include "lib/types.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/*
 * Advance the guest RIP of the current VMCS past the exiting instruction.
 * vmcs_guest_skip_insn() also ends an STI / MOV-SS interrupt shadow, as
 * completing the instruction would; the _fast variant (CPUID, VMCALL, I/O,
 * MSRs: the hot exits) leaves the shadow on, which only delays interrupt
 * delivery by one instruction.
 */
void vmcs_guest_skip_insn(void);

/* vmcs_guest_skip_insn_fast() for a caller that has read the guest RIP (@rip) already. */
static inline void vmcs_guest_skip_insn_from(u64 rip)
{
	vmcs_write_known(VMCS_GUEST_RIP, rip + vmcs_read(VMCS_EXIT_INSN_LEN));
}

static inline void vmcs_guest_skip_insn_fast(void)
{
	vmcs_guest_skip_insn_from(vmcs_read(VMCS_GUEST_RIP));
}

/* Guest CPL from the SS access rights of the current VMCS. */
unsigned int vmcs_guest_cpl(void);

/*
 * The guest's CR0 / CR4 as it would read them, from the current VMCS: its own
 * bits from the guest field, ours (the guest/host mask) from the read shadow.
 */
u64 vmcs_guest_cr0(void);
u64 vmcs_guest_cr4(void);

#endif /* VMX_GUEST_STATE_H */
