// SPDX-License-Identifier: MIT
/*
 * Control-register writes that touch a bit we own (the CR0/CR4 guest/host
 * masks), and XSETBV.  The guest sees its own values through the read
 * shadows; the CPU runs with the VMX fixed bits forced.
 */
#include "vmx/exit.h"

#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "vmx/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_ops.h"

#define X86_CR0_ET	BIT(4)
#define X86_CR0_NW	BIT(29)
#define X86_CR0_CD	BIT(30)
#define X86_CR4_OSXSAVE	BIT(18)
#define EFER_LMA	BIT(10)

static u64 cr_gpr(struct vcpu *v, unsigned int reg)
{
	return reg == GPR_RSP ? vmcs_read(VMCS_GUEST_RSP) : v->regs.r[reg];
}

static enum exit_action cr0_write(struct vcpu *v, u64 val)
{
	u64 old = v->cr0_shadow;
	u64 efer = vmcs_read(VMCS_GUEST_EFER);

	if ((val >> 32) || ((val & X86_CR0_PG) && !(val & X86_CR0_PE)) ||
	    ((val & X86_CR0_NW) && !(val & X86_CR0_CD))) {
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
		if (!(v->cr4_shadow & X86_CR4_PAE)) {
			vcpu_inject_gp(v);
			return EXIT_RESUME;
		}
		vmcs_write(VMCS_GUEST_EFER, efer | EFER_LMA);
		vmcs_write(VMCS_ENTRY_CTLS, vmcs_read(VMCS_ENTRY_CTLS) | ENTRY_IA32E_GUEST);
	} else if (!(val & X86_CR0_PG) && (old & X86_CR0_PG) && (efer & EFER_LMA)) {
		vmcs_write(VMCS_GUEST_EFER, efer & ~EFER_LMA);
		vmcs_write(VMCS_ENTRY_CTLS, vmcs_read(VMCS_ENTRY_CTLS) & ~ENTRY_IA32E_GUEST);
	}
	v->cr0_shadow = val;
	vmcs_write(VMCS_CR0_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR0, vmcs_guest_cr0(val));
	return EXIT_RESUME;
}

static enum exit_action cr4_write(struct vcpu *v, u64 val)
{
	u64 allowed = vmx_ctl.cr4_fixed1 & ~X86_CR4_VMXE;

	if (val & ~allowed) {
		vcpu_inject_gp(v);	/* VMX is hidden; unsupported bits are reserved */
		return EXIT_RESUME;
	}
	if ((val & X86_CR4_OSXSAVE) && !vmx_cpu_this()->xsave) {
		vcpu_inject_gp(v);
		return EXIT_RESUME;
	}
	v->cr4_shadow = val;
	vmcs_write(VMCS_CR4_SHADOW, val);
	vmcs_write(VMCS_GUEST_CR4, vmcs_guest_cr4(val));
	return EXIT_RESUME;
}

enum exit_action exit_cr_access(struct vcpu *v)
{
	u64 q = vmcs_read(VMCS_EXIT_QUAL);
	unsigned int cr = q & 15, type = (q >> 4) & 3, reg = (q >> 8) & 15;
	enum exit_action act;

	switch (type) {
	case 0:		/* MOV to CR */
		if (cr == 0)
			act = cr0_write(v, cr_gpr(v, reg));
		else if (cr == 4)
			act = cr4_write(v, cr_gpr(v, reg));
		else
			goto unexpected;
		break;
	case 2:		/* CLTS */
		act = cr0_write(v, v->cr0_shadow & ~(u64)X86_CR0_TS);
		break;
	case 3:		/* LMSW: bits 3:0 only, and PE cannot be cleared */
		act = cr0_write(v, (v->cr0_shadow & ~0xeull) | ((q >> 16) & 0xf) |
				   (v->cr0_shadow & X86_CR0_PE));
		break;
	default:
		goto unexpected;
	}
	/* A #GP being injected means the instruction did not complete. */
	if (act == EXIT_RESUME && !(vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID))
		vcpu_skip_insn(v);
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

	if (!c->xsave || !(v->cr4_shadow & X86_CR4_OSXSAVE)) {
		vcpu_inject_ud(v);
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
	vcpu_skip_insn(v);
	return EXIT_RESUME;
}
