/* SPDX-License-Identifier: MIT */
/* Each vCPU's virtual local APIC, wired to VT-x (vmx/vcpu_lapic.c). */
#ifndef VMX_VCPU_LAPIC_H
#define VMX_VCPU_LAPIC_H

#include "vmx/vcpu.h"

/* Create @v's local APIC (at VM creation) and enter it in the VM's table.  0 or -HV_ENOMEM. */
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

/*
 * APIC virtualisation (vm->apicv; nothing otherwise), owner only with the
 * VMCS loaded.  vcpu_apicv_controls(): the secondary controls and MSR
 * bitmap for the vlapic's mode (xAPIC at PLAT_LAPIC_BASE: virtualize APIC
 * accesses; x2APIC: virtualize x2APIC mode where offered), after a write
 * of IA32_APIC_BASE.  vcpu_apicv_sync(): pending vectors into IRR, then
 * RVI, SVI and the EOI-exit bitmap from the page, before each entry that
 * follows a LAPIC change.  With @can_take false (the guest blocks
 * interrupts: RFLAGS.IF = 0, or an STI / MOV SS shadow) RVI is left at 0
 * and it returns true when a vector was held back, so that the caller asks
 * for an interrupt-window exit and syncs again there.
 */
void vcpu_apicv_controls(struct vcpu *v);
bool vcpu_apicv_sync(struct vcpu *v, bool can_take);

/* Serve remote requests the LAPIC made for @v (INIT to a started vCPU); owner only. */
void vcpu_lapic_service(struct vcpu *v);

#endif /* VMX_VCPU_LAPIC_H */
