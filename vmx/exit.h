/* SPDX-License-Identifier: MIT */
/* VM-exit dispatch and the helpers exit handlers share. */
#ifndef VMX_EXIT_H
#define VMX_EXIT_H

#include "lib/compiler.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

/* What an exit handler tells the run loop. */
enum exit_action {
	EXIT_RESUME = 0,	/* re-enter the guest */
	EXIT_HALT = 1,		/* the vCPU idles until an event (HLT) */
	EXIT_STOP = 2,		/* the VM was stopped (vm_stop called) */
};

/* Dispatch the exit just taken by @v (current VMCS is @v's). */
enum exit_action vmx_handle_exit(struct vcpu *v);

/*
 * Advance the guest RIP of the current VMCS past the exiting instruction.
 * vmcs_guest_skip_insn() also ends an STI / MOV-SS interrupt shadow, as
 * completing the instruction would; the _fast variant (CPUID, VMCALL, I/O,
 * MSRs: the hot exits) leaves the shadow on, which only delays interrupt
 * delivery by one instruction.
 */
void vmcs_guest_skip_insn(void);

static inline void vmcs_guest_skip_insn_fast(void)
{
	vmcs_write_known(VMCS_GUEST_RIP,
			 vmcs_read(VMCS_GUEST_RIP) + vmcs_read(VMCS_EXIT_INSN_LEN));
}

/* Queue a hardware exception for the next VM entry (error code dropped in real mode). */
void vcpu_inject_exception(struct vcpu *v, u8 vector, bool has_err, u32 err);
#define vcpu_inject_ud(v)	vcpu_inject_exception((v), 6, false, 0)
#define vcpu_inject_gp(v)	vcpu_inject_exception((v), 13, true, 0)

/*
 * If the exit interrupted the delivery of an event through the guest IDT
 * (IDT-vectoring information valid), queue that event again for the next entry.
 */
void vcpu_reinject_idt_vectoring(struct vcpu *v);

/*
 * The guest's CR0 / CR4 as it would read them: its own bits from the VMCS
 * guest field, ours from the read shadow.  @v's VMCS must be current.
 */
u64 vcpu_read_cr0(struct vcpu *v);
u64 vcpu_read_cr4(struct vcpu *v);

/* Guest CPL from the SS access rights of the current VMCS. */
unsigned int vmcs_guest_cpl(void);

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

/* Fill a VM's 4 KiB MSR bitmap: everything exits but the pass-through list. */
void vm_msr_bitmap_init(u8 *bm);
/* @bm = @base with the x2APIC registers virtualised ("virtualize x2APIC mode"). */
void vm_msr_bitmap_x2apic_init(u8 *bm, const u8 *base);



#endif /* VMX_EXIT_H */
