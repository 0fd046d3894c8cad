// SPDX-License-Identifier: MIT
/*
 * VMXON and VMXOFF on each CPU.  vmx/caps.c reports the capabilities once at
 * boot; this file makes every CPU that will run a vCPU ready for VMX
 * operation and says exactly which requirement failed when one does.
 */
#include "vmx/vmx_cpu.h"

#include "arch/x86/cpu.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/x86_cpuid.h"
#include "vmx/caps.h"
#include "vmx/vmcs_defs.h"
#include "vmx/vmx_error.h"
#include "vmx/vmx_ops.h"

struct vmx_cpu vmx_cpus[HV_MAX_CPUS];

u32 vmx_revision_id(void)
{
	return (u32)rdmsr(VMX_MSR_BASIC) & 0x7fffffffu;
}

/* Enable VMX outside SMX and lock the MSR; refuse when firmware locked it off. */
static int vmx_feature_control(void)
{
	u64 fc = rdmsr(VMX_MSR_FEATURE_CONTROL);

	if (fc & FEATURE_CONTROL_LOCK) {
		if (!(fc & FEATURE_CONTROL_VMX_OUTSIDE_SMX)) {
			pr_err("vmx: IA32_FEATURE_CONTROL is locked with VMX disabled (value %llx): "
			       "enable VT-x in the firmware setup\n", fc);
			return -1;
		}
		return 0;
	}
	wrmsr(VMX_MSR_FEATURE_CONTROL,
	      fc | FEATURE_CONTROL_VMX_OUTSIDE_SMX | FEATURE_CONTROL_LOCK);
	return 0;
}

/* Apply a fixed0/fixed1 MSR pair; report bits that had to change against our wish. */
static u64 vmx_fix_cr(const char *name, u64 val, u32 msr0, u32 msr1)
{
	u64 f0 = rdmsr(msr0), f1 = rdmsr(msr1);
	u64 fixed = (val | f0) & f1;

	if ((val & ~f1) != 0)
		pr_warn("vmx: %s bits %llx must be 0 in VMX operation; cleared\n", name,
			(val & ~f1));
	return fixed;
}

int vmx_cpu_on(void)
{
	struct vmx_cpu *c = vmx_cpu_this();
	struct cpuid_regs r = cpuid(1);
	u64 cr4;
	enum vmx_status st;

	if (c->on)
		return 0;
	if (!(r.ecx & CPUID1_ECX_VMX)) {
		pr_err("vmx: CPUID.1:ECX.VMX[bit 5] is 0: this CPU has no VMX\n");
		return -1;
	}
	if (vmx_feature_control())
		return -1;

	write_cr0(vmx_fix_cr("CR0", read_cr0(), VMX_MSR_CR0_FIXED0, VMX_MSR_CR0_FIXED1));
	cr4 = read_cr4() | X86_CR4_VMXE;
	c->xsave = r.ecx & CPUID1_ECX_XSAVE;
	if (c->xsave)
		cr4 |= X86_CR4_OSXSAVE;
	write_cr4(vmx_fix_cr("CR4", cr4, VMX_MSR_CR4_FIXED0, VMX_MSR_CR4_FIXED1));
	if (c->xsave) {
		u32 lo, hi;

		__asm__ __volatile__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
		c->xcr0 = ((u64)hi << 32) | lo;
	}

	if (!c->vmxon) {
		c->vmxon = arch_page_alloc();
		if (!c->vmxon) {
			pr_err("vmx: no memory for the VMXON region\n");
			return -1;
		}
		c->vmxon_pa = arch_virt_to_phys(c->vmxon);
	}
	*(volatile u32 *)c->vmxon = vmx_revision_id();
	st = vmx_on(c->vmxon_pa);
	if (st != VMX_OK) {
		pr_err("vmx: VMXON failed (%s) with region at %llx, CR0=%llx CR4=%llx\n",
		       st == VMX_FAIL_INVALID ? "VMfailInvalid: bad region or revision"
					      : "VMfailValid: already in VMX operation",
		       c->vmxon_pa, read_cr0(),
		       read_cr4());
		return -1;
	}
	c->on = true;
	/* Nothing cached under an EPTP or VPID from before VMXON may survive. */
	if (vmx_has_invept_all())
		vmx_invept(INVEPT_GLOBAL, 0);
	return 0;
}

void vmx_cpu_off(void)
{
	struct vmx_cpu *c = vmx_cpu_this();

	if (!c->on)
		return;
	vmx_off();
	write_cr4(read_cr4() & ~X86_CR4_VMXE);
	c->on = false;
}
