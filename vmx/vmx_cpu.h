/* SPDX-License-Identifier: MIT */
/* Per-CPU VMX operation: VMXON/VMXOFF and the CPU state they require. */
#ifndef VMX_VMX_CPU_H
#define VMX_VMX_CPU_H

#include "lib/compiler.h"
#include "lib/platform.h"

struct vcpu;

/**
 * struct vmx_cpu - VMX state of one physical CPU (only that CPU writes it).
 * @vmxon:    the VMXON region (4 KiB, revision id in the first word)
 * @on:       in VMX root operation
 * @vcpu:     the vCPU pinned here, if any
 * @xcr0:     current XCR0 of this CPU (the guest's while a vCPU runs here)
 */
struct vmx_cpu {
	void *vmxon;
	phys_addr_t vmxon_pa;
	bool on;
	struct vcpu *vcpu;
	u64 xcr0;
	bool xsave;
};

extern struct vmx_cpu vmx_cpus[HV_MAX_CPUS];

static inline struct vmx_cpu *vmx_cpu_this(void)
{
	return &vmx_cpus[arch_cpu_id()];
}

/* VMCS revision identifier from IA32_VMX_BASIC[30:0]. */
u32 vmx_revision_id(void);

/**
 * vmx_cpu_on() - enter VMX root operation on the calling CPU.
 *
 * Checks CPUID, enables and locks IA32_FEATURE_CONTROL when firmware left it
 * unlocked, applies the CR0/CR4 fixed bits, sets CR4.VMXE (and OSXSAVE when
 * the CPU has XSAVE, so guest XSETBV can be carried out), executes VMXON.
 *
 * Return: 0, or -1 after a message saying why VMX cannot be used.
 */
int vmx_cpu_on(void);

/* Leave VMX operation on the calling CPU (VMXOFF, CR4.VMXE cleared). */
void vmx_cpu_off(void);

#endif /* VMX_VMX_CPU_H */
