// SPDX-License-Identifier: MIT
/*
 * RDMSR / WRMSR.  Policy (docs/vmx.md "MSRs"):
 *  - the MSR bitmap lets a few per-thread MSRs through without an exit
 *    (FS/GS bases, SYSCALL/SYSENTER MSRs, TSC_AUX): the CPU checks their
 *    values itself, and docs/host-state.md says who owns each;
 *  - PAT and DEBUGCTL exit so that their values are checked as the SDM
 *    says (#GP for a reserved type or bit) before they reach the VMCS: a
 *    value the CPU would refuse at VM entry must never get there;
 *  - VMX capability MSRs and IA32_FEATURE_CONTROL: #GP (VMX is hidden);
 *  - EFER: kept in the VMCS, LMA follows LME and CR0.PG;
 *  - APIC base, the x2APIC registers and TSC_DEADLINE: the vCPU's virtual
 *    local APIC (vmx/dev/vlapic.c), which answers #GP as the SDM does;
 *  - a few harmless platform MSRs read as constants, writes ignored;
 *  - anything else: #GP, and the MSR number is logged once per VM.
 */
#include "vmx/exit.h"
#include "vmx/guest_state.h"
#include "vmx/inject.h"
#include "vmx/msr_bitmap.h"

#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "vmx/dev/vlapic.h"
#include "vmx/vcpu_lapic.h"
#include "vmx/vcpu_run.h"
#include "vmx/vm/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_ops.h"


/* MSRs the guest may use without exits (their state is the guest's alone). */
static const u32 msr_passthrough[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR,
	MSR_SFMASK, MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_TSC_AUX,
};

static void msr_bitmap_clear_rw(u8 *bm, u32 msr, bool read, bool write)
{
	u32 base;

	if (msr <= 0x1fff)
		base = 0;
	else if (msr >= 0xc0000000u && msr <= 0xc0001fffu)
		base = 1024, msr -= 0xc0000000u;
	else
		return;
	if (read)
		bm[base + msr / 8] &= (u8)~(1u << (msr % 8));
	if (write)
		bm[base + 2048 + msr / 8] &= (u8)~(1u << (msr % 8));
}

static void msr_bitmap_clear(u8 *bm, u32 msr)
{
	msr_bitmap_clear_rw(bm, msr, true, true);
}

void vm_msr_bitmap_init(u8 *bm)
{
	unsigned int i;

	for (i = 0; i < PAGE_SIZE; i++)
		bm[i] = 0xff;
	for (i = 0; i < ARRAY_SIZE(msr_passthrough); i++)
		msr_bitmap_clear(bm, msr_passthrough[i]);
}

/*
 * With "virtualize x2APIC mode" and APIC-register virtualization, an x2APIC
 * RDMSR whose bitmap bit is clear reads the virtual-APIC page (the vlapic's
 * register page) without an exit.  Let through the registers whose value
 * is in the page as the guest must see it: not PPR (computed), the ICR (its
 * destination is at 0x310, where an MSR read would take bits 63:32 from
 * 0x304), the current count (computed), nor the MSRs that #GP on read
 * (APR, EOI, RRD, DFR, SELF IPI, the holes).  Writes that exit nowhere:
 * TPR, EOI and SELF IPI, virtualised with virtual-interrupt delivery; every
 * other x2APIC write must exit, as its bitmap bit clear would send it to
 * the physical APIC.
 */
void vm_msr_bitmap_x2apic_init(u8 *bm, const u8 *base)
{
	static const u32 reads[] = {
		X2APIC_MSR_FIRST + 0x02, X2APIC_MSR_FIRST + 0x03, X2APIC_MSR_FIRST + 0x08,
		X2APIC_MSR_FIRST + 0x0d, X2APIC_MSR_FIRST + 0x0f, X2APIC_MSR_FIRST + 0x28,
		X2APIC_MSR_FIRST + 0x2f, X2APIC_MSR_FIRST + 0x32, X2APIC_MSR_FIRST + 0x33,
		X2APIC_MSR_FIRST + 0x34, X2APIC_MSR_FIRST + 0x35, X2APIC_MSR_FIRST + 0x36,
		X2APIC_MSR_FIRST + 0x37, X2APIC_MSR_FIRST + 0x38, X2APIC_MSR_FIRST + 0x3e,
	};
	unsigned int i;

	memcpy(bm, base, PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(reads); i++)
		msr_bitmap_clear_rw(bm, reads[i], true, false);
	for (i = 0x10; i < 0x28; i++)		/* ISR, TMR, IRR */
		msr_bitmap_clear_rw(bm, X2APIC_MSR_FIRST + i, true, false);
	msr_bitmap_clear_rw(bm, X2APIC_MSR_FIRST + 0x08, false, true);	/* TPR */
	msr_bitmap_clear_rw(bm, X2APIC_MSR_FIRST + 0x0b, false, true);	/* EOI */
	msr_bitmap_clear_rw(bm, X2APIC_MSR_FIRST + 0x3f, false, true);	/* SELF IPI */
}

static bool msr_is_vmx(u32 msr)
{
	return msr == VMX_MSR_FEATURE_CONTROL || (msr >= VMX_MSR_BASIC && msr <= 0x492);
}

/* #GP for an MSR we do not offer; each unknown number is logged once per VM. */
static enum exit_action msr_fault(struct vcpu *v, u32 msr, bool write, u64 val)
{
	if (!msr_is_vmx(msr) && vm_log_first(v->vm, VM_LOG_MSR, msr, write))
		vm_guest_warn(v->vm, "vm %s vcpu %u: %s of unknown MSR %#x (value %llx, rip %llx): "
			      "#GP%s\n", v->vm->cfg.name, v->id, write ? "write" : "read", msr,
			      val,
			      vmcs_read(VMCS_GUEST_RIP),
			      vm_log_msr_tracked(msr) ? "" :
			      " (other MSRs outside the architectural ranges: not logged)");
	vcpu_inject_gp(v);
	return EXIT_RESUME;
}

static void msr_return(struct vcpu *v, u64 val)
{
	v->regs.r[GPR_RAX] = (u32)val;
	v->regs.r[GPR_RDX] = val >> 32;
	vmcs_guest_skip_insn_fast();
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
	case MSR_IA32_DEBUGCTL:
		val = vmcs_read(VMCS_GUEST_DEBUGCTL);
		break;
	case MSR_IA32_TSC:
		val = rdtsc() + v->tsc_offset;
		break;
	case MSR_IA32_TSC_ADJUST:
		val = v->tsc_adjust;
		break;
	case MSR_IA32_APIC_BASE:
		val = vlapic_base_read(v->lapic);
		break;
	case MSR_IA32_TSC_DEADLINE:
		val = vlapic_tsc_deadline_read(v->lapic);
		break;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_BIOS_SIGN_ID:
	case MSR_IA32_MTRRCAP:
	case MSR_IA32_MTRR_DEF_TYPE:
		val = 0;
		break;
	case MSR_IA32_MISC_ENABLE:
		val = 1;		/* fast strings */
		break;
	default:
		if (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST) {
			if (vlapic_msr_read(v->lapic, msr, &val) == VLAPIC_GP) {
				vcpu_inject_gp(v);	/* xAPIC mode, or no such register */
				return EXIT_RESUME;
			}
			break;
		}
		if (mca_msr_read(&v->mca, msr, &val) == MCA_OK)
			break;
		return msr_fault(v, msr, false, 0);
	}
	msr_return(v, val);
	return EXIT_RESUME;
}

/*
 * A write to IA32_TSC or IA32_TSC_ADJUST moves this vCPU's TSC (SDM vol. 3
 * "Time-Stamp Counter Adjustment"): both change by the same delta, which
 * goes into the VMCS TSC offset, so RDTSC and RDTSCP see it without exits.
 */
static void vcpu_tsc_move(struct vcpu *v, u64 delta)
{
	/* The LAPIC's clock reads it from other CPUs: tear-free. */
	WRITE_ONCE(v->tsc_offset, v->tsc_offset + delta);
	v->tsc_adjust += delta;
	vmcs_write(VMCS_TSC_OFFSET, v->tsc_offset);
	vcpu_lapic_timer_sync(v);	/* its deadlines are guest TSC values */
}

/* The EFER bits this CPU implements (CPUID.80000001H:EDX SYSCALL, NX, LM). */
static u64 efer_supported(void)
{
	u32 edx = cpuid_count(0x80000001u, 0).edx;

	return ((edx & BIT(11)) ? EFER_SCE : 0) | ((edx & BIT(20)) ? EFER_NXE : 0) |
	       ((edx & BIT(29)) ? EFER_LME | EFER_LMA : 0);
}

/* EFER write: validate, keep LMA consistent with CR0.PG, switch IA-32e mode. */
static enum exit_action wrmsr_efer(struct vcpu *v, u64 val)
{
	u64 old = vmcs_read(VMCS_GUEST_EFER);

	if (val & ~efer_supported())
		return msr_fault(v, MSR_EFER, true, val);
	/* LMA is read-only: the CPU sets it from LME when paging is on. */
	val = (val & ~EFER_LMA) | (old & EFER_LMA);
	if ((vmcs_guest_cr0() & X86_CR0_PG) && ((val ^ old) & EFER_LME)) {
		vcpu_inject_gp(v);	/* changing LME with paging on */
		return EXIT_RESUME;
	}
	vmcs_write(VMCS_GUEST_EFER, val);
	vmcs_guest_skip_insn_fast();
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
		if (!pat_valid(val)) {
			vcpu_inject_gp(v);	/* reserved memory type */
			return EXIT_RESUME;
		}
		vmcs_write(VMCS_GUEST_PAT, val);
		break;
	case MSR_IA32_TSC:
		vcpu_tsc_move(v, val - (rdtsc() + v->tsc_offset));
		break;
	case MSR_IA32_TSC_ADJUST:
		vcpu_tsc_move(v, val - v->tsc_adjust);
		break;
	case MSR_IA32_DEBUGCTL:
		if (val & ~(u64)(DEBUGCTL_LBR | DEBUGCTL_BTF)) {
			vcpu_inject_gp(v);	/* reserved or unsupported bit */
			return EXIT_RESUME;
		}
		vmcs_write(VMCS_GUEST_DEBUGCTL, val);
		break;
	case MSR_IA32_APIC_BASE:
		/*
		 * VLAPIC_REMAP needs nothing more: MMIO exits ask for the
		 * current base, and the APIC virtualisation controls follow
		 * the mode and base whatever the result.
		 */
		if (vlapic_base_write(v->lapic, val) == VLAPIC_GP) {
			vcpu_inject_gp(v);
			return EXIT_RESUME;
		}
		vcpu_apicv_controls(v);
		vcpu_lapic_touched(v);
		break;
	case MSR_IA32_TSC_DEADLINE:
		vlapic_tsc_deadline_write(v->lapic, val);
		vcpu_lapic_touched(v);
		break;
	case MSR_IA32_MTRR_DEF_TYPE:
	case MSR_IA32_MISC_ENABLE:
	case MSR_IA32_BIOS_SIGN_ID:
		break;			/* accepted and ignored */
	default:
		if (msr >= X2APIC_MSR_FIRST && msr <= X2APIC_MSR_LAST) {
			if (vlapic_msr_write(v->lapic, msr, val) == VLAPIC_GP) {
				vcpu_inject_gp(v);	/* xAPIC mode, read-only or reserved */
				return EXIT_RESUME;
			}
			vcpu_lapic_touched(v);
			break;
		}
		switch (mca_msr_write(&v->mca, msr, val)) {
		case MCA_OK:
			break;
		case MCA_GP:
			vcpu_inject_gp(v);	/* read-only, reserved, or an error status */
			return EXIT_RESUME;
		default:
			return msr_fault(v, msr, true, val);
		}
		break;
	}
	vmcs_guest_skip_insn_fast();
	return EXIT_RESUME;
}
