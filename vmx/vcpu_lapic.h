/* SPDX-License-Identifier: MIT */
/* Each vCPU's virtual local APIC, wired to VT-x (vmx/vcpu_lapic.c). */
#ifndef VMX_VCPU_LAPIC_H
#define VMX_VCPU_LAPIC_H

#include "vmx/vcpu.h"

/* Create @v's local APIC (at VM creation) and enter it in the VM's table.  0 or -1. */
int vcpu_lapic_create(struct vcpu *v);
void vcpu_lapic_destroy(struct vcpu *v);

/* After the guest touched its LAPIC timer: recompute the vCPU's timer deadline. */
void vcpu_lapic_timer_sync(struct vcpu *v);

/*
 * After any guest write to its LAPIC: the timer may have changed, and a
 * TPR write, EOI or self-IPI may have made a vector deliverable.
 */
static inline void vcpu_lapic_touched(struct vcpu *v)
{
	vcpu_lapic_timer_sync(v);
	WRITE_ONCE(v->intr_pending, 1);
}

/* Serve remote requests the LAPIC made for @v (INIT to a started vCPU); owner only. */
void vcpu_lapic_service(struct vcpu *v);

#endif /* VMX_VCPU_LAPIC_H */
