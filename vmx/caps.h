/* SPDX-License-Identifier: MIT */
/*
 * VMX capability summary, read from CPUID and the IA32_VMX_* MSRs.
 * Later VMX code decides what it can use from struct vmx_caps only.
 */
#ifndef VMX_CAPS_H
#define VMX_CAPS_H

#include "lib/compiler.h"

struct vmx_caps {
	bool vmx;	  /* usable: present and enabled in FEATURE_CONTROL */
	char reason[160]; /* why not, when !vmx */

	u32 vmcs_revision;
	u32 vmcs_size;
	bool true_ctls; /* IA32_VMX_TRUE_*_CTLS exist (BASIC bit 55) */

	bool secondary_ctls;
	bool ept; /* EPT with a 4-level walk and write-back tables */
	bool ept_4level, ept_5level;
	bool ept_2m, ept_1g;
	bool ept_exec_only, ept_ad, ept_wb;
	bool invept, invept_single, invept_all;
	bool vpid;
	bool invvpid, invvpid_addr, invvpid_single, invvpid_all, invvpid_single_globals;
	bool unrestricted_guest;
	bool preemption_timer;
	bool mtf;	/* the monitor trap flag (GDB's single step, docs/gdb.md) */
	unsigned int preemption_timer_shift; /* TSC bits per timer tick */
	/*
	 * APIC virtualisation: TPR shadow, virtualize APIC accesses,
	 * APIC-register virtualization and virtual-interrupt delivery, all
	 * four (docs/platform.md "APIC virtualisation"); and on top of them
	 * "virtualize x2APIC mode".  Posted interrupts are not used.
	 */
	bool apicv;
	bool virt_x2apic;

	u64 pinbased, procbased, procbased2, exit_ctls, entry_ctls; /* raw MSRs */
	u64 ept_vpid_cap, misc;
};

/*
 * Probe the calling CPU.  Also enables VMX in IA32_FEATURE_CONTROL (and
 * locks it) when the firmware left it unlocked; a locked "off" is reported
 * in @caps->reason.  Returns caps->vmx.
 */
bool vmx_caps_probe(struct vmx_caps *caps);

/* Print the summary (several pr_info lines; the reason when unusable). */
void vmx_caps_report(const struct vmx_caps *caps);

/* The BSP's result, filled in by setup.c. */
extern struct vmx_caps vmx_caps;

/* What the CPU offers, from the BSP's probe (vmx_caps_probe()): ask these, not the MSR bits. */
static inline bool vmx_has_invept_single(void)
{
	return vmx_caps.invept_single;
}

static inline bool vmx_has_invept_all(void)
{
	return vmx_caps.invept_all;
}

#endif /* VMX_CAPS_H */
