// SPDX-License-Identifier: MIT
/*
 * Control-register accesses that exit: CR0/CR4 writes that touch a bit we
 * own (the guest/host masks), every CR8 access (CR8-load/store exiting: the
 * guest's task priority is virtual, never the physical LAPIC's), and XSETBV.
 *
 * The guest's CR0 and CR4 are read from the VMCS every time (vmcs_guest_cr0()
 * and vmcs_guest_cr4()): bits outside the masks change without an exit
 * (CR4.OSXSAVE and PAE, CR0.PE and PG with unrestricted guest), so no copy
 * of ours could stay current.  An emulated write is checked as the SDM's
 * MOV-to-CR pseudo-code checks it, so the guest gets the #GP that hardware
 * would raise and never a failed VM entry.
 */
#include "vmx/exit.h"
#include "vmx/guest_state.h"
#include "vmx/inject.h"

#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "vmx/dev/vlapic.h"
#include "vmx/vcpu_run.h"
#include "vmx/vm/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_ops.h"

static u64 cr_gpr(struct vcpu *v, unsigned int reg)
{
	return reg == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->regs.r[reg];
}

static void cr_set_gpr(struct vcpu *v, unsigned int reg, u64 val)
{
	if (reg == GPR_RSP)
		vmcs_write(VMCS_GUEST_RSP, val);
	else
		v->regs.r[reg] = val;
}

static bool guest_in_long_mode(void)
{
	return vmcs_read(VMCS_GUEST_EFER) & EFER_LMA;
}

static enum exit_action cr0_write(struct vcpu *v, u64 val)
{
	u64 old = vmcs_guest_cr0(), cr4 = vmcs_guest_cr4();
	u64 efer = vmcs_read(VMCS_GUEST_EFER);

	/* SDM vol. 2 "MOV-Move to/from Control Registers": the #GP(0) cases. */
	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD)) ||
	    ((val & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & EFER_LME) &&
	     !(cr4 & X86_CR4_PAE)) ||
	    (!(val & X86_CR0_PG) && (old & X86_CR0_PG) && (cr4 & X86_CR4_PCIDE)) ||
	    (!(val & X86_CR0_WP) && (cr4 & X86_CR4_CET))) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	/* Paging off in 64-bit code would leave the CPU with no mode: #GP. */
	if (!(val & X86_CR0_PG) && (efer & EFER_LMA) && (vmcs_read(VMCS_GUEST_CS_AR) & BIT(13))) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	if (!vmx_ctl.unrestricted && (!(val & X86_CR0_PE) || !(val & X86_CR0_PG))) {
		vm_stop(v->vm, "guest cleared CR0.PE/PG without unrestricted-guest support");
		return EXIT_STOP;
	}
	val |= X86_CR0_ET;
	/* Paging turned on with EFER.LME: the CPU would activate IA-32e mode. */
	if ((val & X86_CR0_PG) && !(old & X86_CR0_PG) && (efer & EFER_LME)) {
		vmcs_write(VMCS_GUEST_EFER, efer | EFER_LMA);
		vmcs_write(VMCS_ENTRY_CTLS, vmcs_read(VMCS_ENTRY_CTLS) | ENTRY_IA32E_GUEST);
	} else if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) && (efer & EFER_LMA)) {
		vmcs_write(VMCS_GUEST_EFER, efer & ~EFER_LMA);
		vmcs_write(VMCS_ENTRY_CTLS, vmcs_read(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E_GUEST);
	}
	vmcs_write(VMCS_CR0_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmcs_cr0_apply_fixed(val));
	return EXIT_RESUME;
}

static enum exit_action cr4_write(struct vcpu *v, u64 val)
{
	/* VMX and CET are hidden (CPUID): their bits are reserved for the guest. */
	u64 allowed = vmx_ctl.cr4_fixed1 & ~(X86_CR4_VMXE | X86_CR4_CET);
	u64 old = vmcs_guest_cr4();
	bool lma = guest_in_long_mode();

	if ((val & ~allowed) || ((val & X86_CR4_OSXSAVE) && !vmx_cpu_this()->xsave) ||
	    (lma && !(val & X86_CR4_PAE)) ||
	    (lma && ((val ^ old) & X86_CR4_LA57)) ||
	    ((val & X86_CR4_PCIDE) && !(old & X86_CR4_PCIDE) &&
	     (!lma || (vmcs_read(VMCS_GUEST_CR3) & 0xfff)))) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	vmcs_write(VMCS_CR4_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, vmcs_cr4_apply_fixed(val));
	return EXIT_RESUME;
}

/*
 * CR8 is the guest's task priority, TPR[7:4] of its virtual LAPIC
 * (vmx/dev/vlapic.c, shared with the TPR register).  With
 * CR8 exiting the physical TPR stays the hypervisor's: a guest that set it
 * to 15 would otherwise mask the kick vector and keep its CPU for good.
 */
static enum exit_action cr8_access(struct vcpu *v, bool write, unsigned int reg)
{
	if (!write) {
		cr_set_gpr(v, reg, vlapic_tpr_read(v->lapic) >> 4);
		return EXIT_RESUME;
	}
	if (cr_gpr(v, reg) >> 4) {
		vcpu_inject_gp(v);	/* bits 63:4 are reserved */
		return EXIT_RESUME;
	}
	vlapic_tpr_write(v->lapic, (u8)(cr_gpr(v, reg) << 4));
	v->intr_pending = 1;	/* a lower priority may unblock a pending vector */
	return EXIT_RESUME;
}

enum exit_action exit_cr_access(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	enum exit_action act;
	u64 cr0;

	switch (type) {
	case 0:		/* MOV to CR */
		if (cr == 0)
			act = cr0_write(v, cr_gpr(v, reg));
		else if (cr == 4)
			act = cr4_write(v, cr_gpr(v, reg));
		else if (cr == 8)
			act = cr8_access(v, true, reg);
		else
			goto unexpected;
		break;
	case 1:		/* MOV from CR: only CR8 exits (CR3-store exiting is off) */
		if (cr != 8)
			goto unexpected;
		act = cr8_access(v, false, reg);
		break;
	case 2:		/* CLTS */
		act = cr0_write(v, vmcs_guest_cr0() & ~(u64)X86_CR0_TS);
		break;
	case 3:		/* LMSW: bits 3:0 only, and PE cannot be cleared */
		cr0 = vmcs_guest_cr0();
		act = cr0_write(v, (cr0 & ~0xeull) | ((q >> 16) & 0xf) | (cr0 & X86_CR0_PE));
		break;
	default:
		goto unexpected;
	}
	/* A #GP being injected means the instruction did not complete. */
	if (act == EXIT_RESUME && !(vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID))
		vmcs_guest_skip_insn();
	return act;
unexpected:
	vcpu_log_exit(v, "unexpected control-register access");
	vm_stop(v->vm, "unexpected CR%u access type %u", cr, type);
	return EXIT_STOP;
}

/*
 * XSETBV: only XCR0, with x87 set, AVX only with SSE, AVX-512 state all or
 * nothing and only with AVX, and only bits the CPU supports.  Valid values
 * are loaded into the CPU right away: this CPU runs only this vCPU and the
 * hypervisor never uses extended state (-mgeneral-regs-only).
 */
enum exit_action exit_xsetbv(struct vcpu *v)
{
	u32 idx = (u32)v->regs.r[GPR_RCX];
	u64 val = (v->regs.r[GPR_RDX] << 32) | (u32)v->regs.r[GPR_RAX];
	struct vmx_cpu *c = vmx_cpu_this();
	struct cpuid_regs r;
	u64 supported;

	if (!c->xsave || !(vmcs_guest_cr4() & X86_CR4_OSXSAVE)) {
		vcpu_inject_ud(v);
		return EXIT_RESUME;
	}
	if (vmcs_guest_cpl() != 0) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	r = cpuid_count(0xd, 0);
	supported = ((u64)r.edx << 32) | r.eax;
	if (idx != 0 || !(val & 1) || (val & ~supported) || ((val & 4) && !(val & 2)) ||
	    ((val & 0xe0) && (val & 0xe0) != 0xe0) || ((val & 0xe0) && !(val & 4))) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	__asm__ __volatile__("xsetbv" ::"a"((u32)val), "d"((u32)(val >> 32)), "c"(0));
	c->xcr0 = val;
	v->xcr0 = val;
	vmcs_guest_skip_insn();
	return EXIT_RESUME;
}
