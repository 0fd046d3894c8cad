// SPDX-License-Identifier: MIT
/*
 * RDMSR / WRMSR.  Policy (docs/vmx.md "MSRs"):
 *  - the MSR bitmap lets a few per-thread MSRs through without an exit
 *    (FS/GS bases, SYSCALL/SYSENTER MSRs, TSC_AUX, PAT when VMX switches it);
 *  - VMX capability MSRs and IA32_FEATURE_CONTROL: #GP (VMX is hidden);
 *  - EFER: kept in the VMCS, LMA follows LME and CR0.PG;
 *  - APIC base and the x2APIC registers: a minimal x2APIC (ID, version,
 *    ICR for INIT/SIPI; the rest reads 0 and ignores writes);
 *  - a few harmless platform MSRs read as constants, writes ignored;
 *  - anything else: #GP, and the MSR number is logged once per VM.
 */
#include "vmx/exit.h"

#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "vmx/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"

#define MSR_TSC			0x10
#define MSR_PLATFORM_ID		0x17
#define MSR_BIOS_SIGN_ID	0x8b
#define MSR_MTRRCAP		0xfe
#define MSR_MISC_ENABLE		0x1a0
#define MSR_MTRR_DEF_TYPE	0x2ff
#define MSR_X2APIC_FIRST	0x800
#define MSR_X2APIC_LAST		0x8ff
#define MSR_X2APIC_ID		0x802
#define MSR_X2APIC_VERSION	0x803
#define MSR_X2APIC_ICR		0x830
#define MSR_SYSENTER_CS		0x174
#define MSR_SYSENTER_ESP	0x175
#define MSR_SYSENTER_EIP	0x176
#define MSR_STAR		0xc0000081
#define MSR_LSTAR		0xc0000082
#define MSR_CSTAR		0xc0000083
#define MSR_SFMASK		0xc0000084
#define MSR_TSC_AUX		0xc0000103

#define APIC_BASE_BSP		BIT(8)
#define APIC_BASE_EXTD		BIT(10)
#define APIC_BASE_EN		BIT(11)
#define APIC_DEFAULT_BASE	0xfee00000ull
#define EFER_SCE		BIT(0)
#define EFER_LMA		BIT(10)

/* MSRs the guest may use without exits (their state is the guest's alone). */
static const u32 msr_passthrough[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
	MSR_SFMASK, MSR_SYSENTER_CS, MSR_SYSENTER_ESP, MSR_SYSENTER_EIP, MSR_TSC_AUX,
};

static void msr_bitmap_clear(u8 *bm, u32 msr)
{
	u32 base;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		base = 1024, msr -= 0xc0000000u;
	else
		return;
	bm[base + msr / 8] &= (u8)~(1u << (msr % 8));		/* read */
	bm[base + 2048 + msr / 8] &= (u8)~(1u << (msr % 8));	/* write */
}

void vm_msr_bitmap_init(u8 *bm)
{
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i++)
		bm[i] = 0xff;
	for (i = 0; i < ARRAY_SIZE(msr_passthrough); i++)
		msr_bitmap_clear(bm, msr_passthrough[i]);
	if (vmx_ctl.load_pat)
		msr_bitmap_clear(bm, MSR_IA32_PAT);
}

static bool vm_msr_first_time(struct vm *vm, u32 msr)
{
	bool first = true;
	unsigned int i;

	spin_lock(&vm->log_lock);
	for (i = 0; i < vm->logged_msr_count; i++)
		if (vm->logged_msr[i] == msr)
			first = false;
	if (first && vm->logged_msr_count < ARRAY_SIZE(vm->logged_msr))
		vm->logged_msr[vm->logged_msr_count++] = msr;
	spin_unlock(&vm->log_lock);
	return first;
}

static bool msr_is_vmx(u32 msr)
{
	return msr == VMX_MSR_FEATURE_CONTROL || (msr >= VMX_MSR_BASIC && msr <= 0x492);
}

/* #GP for an MSR we do not offer; unknown numbers are logged once per VM. */
static enum exit_action msr_fault(struct vcpu *v, u32 msr, bool write, u64 val)
{
	if (!msr_is_vmx(msr) && vm_msr_first_time(v->vm, msr))
		pr_warn("vm %s vcpu %u: %s of unknown MSR %#x (value %llx, rip %llx): #GP\n",
			v->vm->cfg.name, v->id, write ? "write" : "read", msr,
			(unsigned long long)val, (unsigned long long)vmcs_read(VMCS_GUEST_RIP));
	vcpu_inject_gp(v);
	return EXIT_RESUME;
}

static void msr_return(struct vcpu *v, u64 val)
{
	v->regs.r[GPR_RAX] = (u32)val;
	v->regs.r[GPR_RDX] = val >> 32;
	vcpu_skip_insn_fast(v);
}

enum exit_action exit_rdmsr(struct vcpu *v)
{
	u32 msr = (u32)v->regs.r[GPR_RCX];
	u64 val;

	switch (msr) {
	case MSR_EFER:
		val = vmcs_read(VMCS_GUEST_EFER);
		break;
	case MSR_IA32_PAT:
		val = vmcs_read(VMCS_GUEST_PAT);
		break;
	case MSR_TSC:
		val = rdtsc();
		break;
	case MSR_IA32_APIC_BASE:
		val = APIC_DEFAULT_BASE | APIC_BASE_EN | APIC_BASE_EXTD |
		      (v->id == 0 ? APIC_BASE_BSP : 0);
		break;
	case MSR_X2APIC_ID:
		val = v->id;
		break;
	case MSR_X2APIC_VERSION:
		val = 0x00050014;	/* version 0x14, 6 LVT entries */
		break;
	case MSR_PLATFORM_ID:
	case MSR_BIOS_SIGN_ID:
	case MSR_MTRRCAP:
	case MSR_MTRR_DEF_TYPE:
		val = 0;
		break;
	case MSR_MISC_ENABLE:
		val = 1;		/* fast strings */
		break;
	default:
		if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST) {
			val = 0;
			break;
		}
		return msr_fault(v, msr, false, 0);
	}
	msr_return(v, val);
	return EXIT_RESUME;
}

/* EFER write: validate, keep LMA consistent with CR0.PG, switch IA-32e mode. */
static enum exit_action wrmsr_efer(struct vcpu *v, u64 val)
{
	u64 allowed = EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE;
	u64 old = vmcs_read(VMCS_GUEST_EFER);

	if (val & ~allowed)
		return msr_fault(v, MSR_EFER, true, val);
	/* LMA is read-only: the CPU sets it from LME when paging is on. */
	val = (val & ~EFER_LMA) | (old & EFER_LMA);
	if ((v->cr0_shadow & X86_CR0_PG) && ((val ^ old) & EFER_LME)) {
		vcpu_inject_gp(v);	/* changing LME with paging on */
		return EXIT_RESUME;
	}
	vmcs_write(VMCS_GUEST_EFER, val);
	v->efer = val;
	vcpu_skip_insn_fast(v);
	return EXIT_RESUME;
}

enum exit_action exit_wrmsr(struct vcpu *v)
{
	u32 msr = (u32)v->regs.r[GPR_RCX];
	u64 val = (v->regs.r[GPR_RDX] << 32) | (u32)v->regs.r[GPR_RAX];

	switch (msr) {
	case MSR_EFER:
		return wrmsr_efer(v, val);
	case MSR_IA32_PAT:
		vmcs_write(VMCS_GUEST_PAT, val);
		break;
	case MSR_X2APIC_ICR:
		vcpu_send_ipi(v, val);
		break;
	case MSR_IA32_APIC_BASE:
	case MSR_MTRR_DEF_TYPE:
	case MSR_MISC_ENABLE:
	case MSR_BIOS_SIGN_ID:
		break;			/* accepted and ignored */
	default:
		if (msr >= MSR_X2APIC_FIRST && msr <= MSR_X2APIC_LAST)
			break;		/* EOI, TPR, SVR, LVTs: no interrupt sources */
		return msr_fault(v, msr, true, val);
	}
	vcpu_skip_insn_fast(v);
	return EXIT_RESUME;
}
