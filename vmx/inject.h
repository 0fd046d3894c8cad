/* SPDX-License-Identifier: MIT */
/* Events queued for the next VM entry of the current VMCS. */
#ifndef VMX_INJECT_H
#define VMX_INJECT_H

#include "lib/types.h"
#include "vmx/vcpu.h"

/* Queue a hardware exception for the next VM entry (error code dropped in real mode). */
void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_err, u32 err);
#define vcpu_inject_ud(v)	vcpu_inject_exception((v), 6, false, 0)
#define vcpu_inject_gp(v)	vcpu_inject_exception((v), 13, true, 0)

/*
 * If the exit interrupted the delivery of an event through the guest IDT
 * (IDT-vectoring information valid), queue that event again for the next entry
 * of the current VMCS.
 */
void vmcs_reinject_idt_vectoring(void);

#endif /* VMX_INJECT_H */
