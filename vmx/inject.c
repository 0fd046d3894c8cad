// SPDX-License-Identifier: MIT
/* Events queued for the next VM entry: exceptions, and an interrupted delivery again. */
#include "vmx/inject.h"

#include "lib/x86_regs.h"
#include "vmx/guest_state.h"
#include "vmx/stats/trace.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_ops.h"

void vmcs_reinject_idt_vectoring(void)
{
	u32 info = (u32)vmcs_read(VMCS_IDT_VECT_INFO);
	u32 type;

	if (!(info & INTR_INFO_VALID))
		return;
	type = INTR_INFO_TYPE(info);
	if (info & INTR_INFO_ERRCODE)
		vmcs_write(VMCS_ENTRY_EXC_ERRCODE, vmcs_read(VMCS_IDT_VECT_ERRCODE));
	if (type == INTR_TYPE_SW_INT || type == INTR_TYPE_PRIV_SW_EXC || type == INTR_TYPE_SW_EXC)
		vmcs_write(VMCS_ENTRY_INSN_LEN, vmcs_read(VMCS_EXIT_INSN_LEN));
	/* Bit 12 is reserved in the entry field (it means "NMI unblocked" on exit). */
	vmcs_write(VMCS_ENTRY_INTR_INFO, info & ~INTR_INFO_NMI_UNBLOCK);
}

void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_err, u32 err)
{
	u32 info = INTR_INFO_VALID | (INTR_TYPE_HW_EXC << 8) | vector;

	/* Real mode (CR0.PE = 0) delivers no error code; VM entry would fail. */
	if (has_err && (vmcs_guest_cr0() & X86_CR0_PE)) {
		info |= INTR_INFO_ERRCODE;
		vmcs_write(VMCS_ENTRY_EXC_ERRCODE, err);
	}
	vmcs_write(VMCS_ENTRY_INTR_INFO, info);
	trace_event(TRACE_WHO(TRACE_INJECT, v->vm->id, v->id), info, err);
}
