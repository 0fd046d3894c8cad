/* SPDX-License-Identifier: MIT */
/* VMCS construction for one vCPU: controls, host state, initial guest state. */
#ifndef VMX_VMCS_H
#define VMX_VMCS_H

#include "lib/compiler.h"

struct vcpu;
struct vm;

/*
 * The control values every vCPU uses, computed once from the IA32_VMX_TRUE_*
 * MSRs (required bits forced on, unsupported optional features off with a
 * warning) by vmx_controls_init().
 */
struct vmx_controls {
	u32 pin, proc, proc2, exit, entry;
	bool ept, vpid, unrestricted, preempt_timer, load_efer, load_pat;
	bool save_preempt;	/* the timer's remaining value is saved at exit */
	bool rdtscp, invpcid;
	bool apicv;		/* TPR shadow, APIC accesses, APIC registers, VID (caps.h) */
	bool virt_x2apic;	/* and "virtualize x2APIC mode" */
	u32 proc_must;		/* primary controls the CPU keeps at 1 */
	unsigned int preempt_shift;	/* timer ticks = TSC >> shift */
	u64 cr0_fixed0, cr0_fixed1, cr4_fixed0, cr4_fixed1;
	u64 ept_vpid_cap;
	bool ready;
};

extern struct vmx_controls vmx_ctl;

/* Compute vmx_ctl (idempotent; the first CPU to call it does the work).  0 or -1. */
int vmx_controls_init(void);

/* Guest/host masks: the CR0/CR4 bits whose guest writes exit. */
u64 vmcs_cr0_mask(void);
u64 vmcs_cr4_mask(void);

/* @guest_val with the VMX fixed-0/fixed-1 bits applied: the CR0 / CR4 the CPU is given. */
u64 vmcs_cr0_apply_fixed(u64 guest_val);
u64 vmcs_cr4_apply_fixed(u64 guest_val);

/**
 * vmcs_setup() - create, load and fill @v's VMCS on the calling CPU.
 * @v: the vCPU (its VM's EPT root, bitmaps and memory already exist)
 *
 * Return: 0, or -1 after a message naming the VMX instruction that failed.
 */
int vmcs_setup(struct vcpu *v);

/* Load the architectural start state for @v's VM entry mode (BSP) or a SIPI (@sipi_vector). */
void vmcs_guest_reset(struct vcpu *v, bool sipi, u8 sipi_vector);

#endif /* VMX_VMCS_H */
