/* SPDX-License-Identifier: MIT */
/*
 * VM-exit dispatch: what a handler tells the run loop, the handlers of the
 * dispatch table, and the slow-path helpers that end in an exit_action.
 * The guest state they read is vmx/guest_state.h, the events they queue
 * vmx/inject.h.
 */
#ifndef VMX_EXIT_H
#define VMX_EXIT_H

#include "lib/compiler.h"
#include "vmx/vcpu.h"

/* What an exit handler tells the run loop. */
enum exit_action {
	EXIT_RESUME = 0,	/* re-enter the guest */
	EXIT_HALT = 1,		/* the vCPU idles until an event (HLT) */
	EXIT_STOP = 2,		/* the VM was stopped (vm_stop called) */
};

/* Dispatch the exit just taken by @v (current VMCS is @v's). */
enum exit_action vmx_handle_exit(struct vcpu *v);

/* Print one line with the full exit information of @v's current exit. */
void vcpu_log_exit(struct vcpu *v, const char *why);

/*
 * vcpu_emulate() - emulate the instruction at the guest's CS:RIP (an MMIO
 * access or string I/O; vmx/exit_emulate.c).  Faults are injected; an
 * instruction that cannot be emulated stops the VM with its bytes, @why
 * naming the exit.
 */
enum exit_action vcpu_emulate(struct vcpu *v, const char *why);

/*
 * One port access by @v: the device on the VM's bus that claims it, else
 * the VM's io= policy (reads all ones, writes dropped, logged once).
 * Return: false when that policy stopped the VM.
 */
bool vcpu_pio(struct vcpu *v, u16 port, unsigned int size, bool in, u32 *val);

/* Handlers in their own files. */
enum exit_action exit_cpuid(struct vcpu *v);
/* CPUID's answer in the guest's RAX-RDX; RIP left alone (exit_cpuid() moves it on). */
void cpuid_answer(struct vcpu *v);
enum exit_action exit_io(struct vcpu *v);
enum exit_action exit_rdmsr(struct vcpu *v);
enum exit_action exit_wrmsr(struct vcpu *v);
enum exit_action exit_cr_access(struct vcpu *v);
enum exit_action exit_xsetbv(struct vcpu *v);
enum exit_action exit_vmcall(struct vcpu *v);
enum exit_action exit_ept_violation(struct vcpu *v);
enum exit_action exit_apic_access(struct vcpu *v);
enum exit_action exit_eoi_induced(struct vcpu *v);
enum exit_action exit_apic_write(struct vcpu *v);
enum exit_action exit_ept_misconfig(struct vcpu *v);

#endif /* VMX_EXIT_H */
