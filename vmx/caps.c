// SPDX-License-Identifier: MIT
/*
 * VMX capability probe (Intel SDM Vol. 3, appendix A "VMX capability
 * reporting facility").  A control is usable when its bit is set in the
 * allowed-1 half (bits 63:32) of its capability MSR.
 */
#include "vmx/caps.h"
#include "arch/x86/cpu.h"
#include "lib/format.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/x86_cpuid.h"
#include "vmx/vmcs_defs.h"

#define FC_LOCKED	   BIT(0)
#define FC_VMX_OUTSIDE_SMX BIT(2)

#define BASIC_TRUE_CTLS	  BIT(55)

#define EPT_CAP_EXEC_ONLY	BIT(0)
#define EPT_CAP_WALK4		BIT(6)
#define EPT_CAP_WALK5		BIT(7)
#define EPT_CAP_WB		BIT(14)
#define EPT_CAP_2M		BIT(16)
#define EPT_CAP_1G		BIT(17)
#define EPT_CAP_INVEPT		BIT(20)
#define EPT_CAP_AD		BIT(21)
#define EPT_CAP_INVEPT_SINGLE	BIT(25)
#define EPT_CAP_INVEPT_ALL	BIT(26)
#define VPID_CAP_INVVPID	BIT(32)
#define VPID_CAP_ADDR		BIT(40)
#define VPID_CAP_SINGLE		BIT(41)
#define VPID_CAP_ALL		BIT(42)
#define VPID_CAP_SINGLE_GLOBALS BIT(43)

struct vmx_caps vmx_caps;

static bool allowed1(u64 msr_value, u64 bit)
{
	return (msr_value >> 32) & bit;
}

/* FEATURE_CONTROL: enable+lock if unlocked; false (with a reason) if locked off. */
static bool vmx_feature_control(struct vmx_caps *c)
{
	u64 fc = rdmsr(MSR_IA32_FEATURE_CONTROL);

	if (!(fc & FC_LOCKED)) {
		fc |= FC_VMX_OUTSIDE_SMX | FC_LOCKED;
		wrmsr(MSR_IA32_FEATURE_CONTROL, fc);
		fc = rdmsr(MSR_IA32_FEATURE_CONTROL);
	}
	if (!(fc & FC_VMX_OUTSIDE_SMX)) {
		fmt_snprintf(
			c->reason, sizeof(c->reason),
			"VMX is disabled by the firmware (IA32_FEATURE_CONTROL %#llx is locked "
			"without bit 2); enable VT-x in the firmware setup",
			fc);
		return false;
	}
	return true;
}

bool vmx_caps_probe(struct vmx_caps *c)
{
	u64 basic, proc;

	memset(c, 0, sizeof(*c));
	if (!(cpuid(1).ecx & CPUID1_ECX_VMX)) {
		fmt_snprintf(c->reason, sizeof(c->reason),
			     "CPUID.1:ECX.VMX[bit 5] is 0: this CPU does not offer VMX "
			     "(QEMU TCG never does; under KVM use -cpu host)");
		return false;
	}
	if (!vmx_feature_control(c))
		return false;

	basic = rdmsr(MSR_IA32_VMX_BASIC);
	c->vmcs_revision = basic & 0x7fffffff;
	c->vmcs_size = (basic >> 32) & 0x1fff;
	c->true_ctls = basic & BASIC_TRUE_CTLS;
	c->pinbased =
		rdmsr(c->true_ctls ? MSR_IA32_VMX_TRUE_PINBASED_CTLS : MSR_IA32_VMX_PINBASED_CTLS);
	proc = rdmsr(c->true_ctls ? MSR_IA32_VMX_TRUE_PROCBASED_CTLS : MSR_IA32_VMX_PROCBASED_CTLS);
	c->procbased = proc;
	c->exit_ctls = rdmsr(c->true_ctls ? MSR_IA32_VMX_TRUE_EXIT_CTLS : MSR_IA32_VMX_EXIT_CTLS);
	c->entry_ctls =
		rdmsr(c->true_ctls ? MSR_IA32_VMX_TRUE_ENTRY_CTLS : MSR_IA32_VMX_ENTRY_CTLS);
	c->misc = rdmsr(MSR_IA32_VMX_MISC);
	c->preemption_timer = allowed1(c->pinbased, PIN_PREEMPT_TIMER);
	c->preemption_timer_shift = c->misc & 0x1f;
	c->mtf = allowed1(proc, PROC_MTF);

	c->secondary_ctls = allowed1(proc, PROC_SECONDARY);
	if (c->secondary_ctls) {
		c->procbased2 = rdmsr(MSR_IA32_VMX_PROCBASED_CTLS2);
		/* The EPT/VPID capability MSR exists only if EPT or VPID can be on. */
		if (allowed1(c->procbased2, PROC2_EPT) || allowed1(c->procbased2, PROC2_VPID))
			c->ept_vpid_cap = rdmsr(MSR_IA32_VMX_EPT_VPID_CAP);
	}
	if (allowed1(c->procbased2, PROC2_EPT)) {
		u64 cap = c->ept_vpid_cap;

		c->ept_4level = cap & EPT_CAP_WALK4;
		c->ept_5level = cap & EPT_CAP_WALK5;
		c->ept_wb = cap & EPT_CAP_WB;
		c->ept_2m = cap & EPT_CAP_2M;
		c->ept_1g = cap & EPT_CAP_1G;
		c->ept_exec_only = cap & EPT_CAP_EXEC_ONLY;
		c->ept_ad = cap & EPT_CAP_AD;
		c->invept = cap & EPT_CAP_INVEPT;
		c->invept_single = cap & EPT_CAP_INVEPT_SINGLE;
		c->invept_all = cap & EPT_CAP_INVEPT_ALL;
		c->ept = c->ept_4level && c->ept_wb;
	}
	if (allowed1(c->procbased2, PROC2_VPID)) {
		u64 cap = c->ept_vpid_cap;

		c->vpid = true;
		c->invvpid = cap & VPID_CAP_INVVPID;
		c->invvpid_addr = cap & VPID_CAP_ADDR;
		c->invvpid_single = cap & VPID_CAP_SINGLE;
		c->invvpid_all = cap & VPID_CAP_ALL;
		c->invvpid_single_globals = cap & VPID_CAP_SINGLE_GLOBALS;
	}
	/* Virtual-interrupt delivery needs external-interrupt exiting and the TPR shadow. */
	c->apicv = allowed1(c->pinbased, PIN_EXT_INTR_EXIT) && allowed1(proc, PROC_TPR_SHADOW) &&
		   allowed1(c->procbased2, PROC2_VIRT_APIC_ACCESS) &&
		   allowed1(c->procbased2, PROC2_APIC_REG_VIRT) && allowed1(c->procbased2, PROC2_VID);
	c->virt_x2apic = c->apicv && allowed1(c->procbased2, PROC2_VIRT_X2APIC);
	/* Unrestricted guest needs EPT as well (SDM 26.2.1.1). */
	c->unrestricted_guest = c->ept && allowed1(c->procbased2, PROC2_UNRESTRICTED);
	c->vmx = true;
	return true;
}

static const char *yn(bool b)
{
	return b ? "yes" : "no";
}

void vmx_caps_report(const struct vmx_caps *c)
{
	if (!c->vmx) {
		pr_info("vmx: not usable: %s\n", c->reason);
		return;
	}
	pr_info("vmx: VMCS revision %#x, %u bytes, true controls %s\n", c->vmcs_revision,
		c->vmcs_size, yn(c->true_ctls));
	pr_info("vmx: EPT %s (4-level %s, 5-level %s, 2M %s, 1G %s, A/D %s, exec-only %s, WB %s)\n",
		yn(c->ept), yn(c->ept_4level), yn(c->ept_5level), yn(c->ept_2m), yn(c->ept_1g),
		yn(c->ept_ad), yn(c->ept_exec_only), yn(c->ept_wb));
	pr_info("vmx: INVEPT %s (single %s, all %s); VPID %s, INVVPID %s (address %s, single %s, "
		"all %s, single-keep-globals %s)\n",
		yn(c->invept), yn(c->invept_single), yn(c->invept_all), yn(c->vpid), yn(c->invvpid),
		yn(c->invvpid_addr), yn(c->invvpid_single), yn(c->invvpid_all),
		yn(c->invvpid_single_globals));
	pr_info("vmx: unrestricted guest %s, preemption timer %s (rate: TSC >> %u), "
		"monitor trap flag %s\n",
		yn(c->unrestricted_guest), yn(c->preemption_timer), c->preemption_timer_shift,
		yn(c->mtf));
	pr_info("vmx: APIC virtualisation %s (x2APIC mode %s), posted interrupts not used\n",
		yn(c->apicv), yn(c->virt_x2apic));
}
