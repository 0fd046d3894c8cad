/* SPDX-License-Identifier: MIT */
/* VMX diagnostics: error numbers and exit reasons as text, VMCS dumps. */
#ifndef VMX_VMX_ERROR_H
#define VMX_VMX_ERROR_H

#include "lib/compiler.h"

struct vcpu;

/* Text of a VM-instruction error number (VMCS_INSN_ERROR); never NULL. */
const char *vmx_insn_error_str(u32 err);

/* Name of a basic exit reason; never NULL. */
const char *vmx_exit_reason_str(u32 reason);

/* Print the VM-instruction error of the current VMCS after a VMfailValid. */
void vmx_report_insn_error(const char *what);

/*
 * Print the guest-state area, the controls and the exit information of the
 * current VMCS: used after a failed VM entry and for unexpected exits.
 */
void vmx_dump_vmcs(const char *prefix);

/* The VMCS fields of each guest segment register, for dumps (CS, SS, DS, ES, FS, GS, LDTR, TR). */
struct vmcs_seg_fields {
	const char *name;
	u32 sel, base, limit, ar;
};

#define VMCS_GUEST_NSEGS	8
extern const struct vmcs_seg_fields vmcs_guest_segs[VMCS_GUEST_NSEGS];

/* Explain a VM-entry failure exit (reason 33/34/41) for @v, then dump. */
void vmx_report_entry_failure(struct vcpu *v, u32 reason, u64 qual);

#endif /* VMX_VMX_ERROR_H */
