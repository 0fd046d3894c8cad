// SPDX-License-Identifier: MIT
/*
 * VMX diagnostics.  A VM entry that fails leaves only a number (the
 * VM-instruction error) or an exit reason with a small qualification; the
 * dump below prints every guest-state field the entry checks look at, so a
 * report says which one was wrong without a debugger.
 */
#include "vmx/vmx_error.h"

#include "lib/printk.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_ops.h"

static const char *const insn_errors[] = {
	[1] = "VMCALL executed in VMX root operation",
	[2] = "VMCLEAR with invalid physical address",
	[3] = "VMCLEAR with VMXON pointer",
	[4] = "VMLAUNCH with non-clear VMCS",
	[5] = "VMRESUME with non-launched VMCS",
	[6] = "VMRESUME after VMXOFF",
	[7] = "VM entry with invalid control field(s)",
	[8] = "VM entry with invalid host-state field(s)",
	[9] = "VMPTRLD with invalid physical address",
	[10] = "VMPTRLD with VMXON pointer",
	[11] = "VMPTRLD with incorrect VMCS revision identifier",
	[12] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[13] = "VMWRITE to read-only VMCS component",
	[15] = "VMXON executed in VMX root operation",
	[16] = "VM entry with invalid executive-VMCS pointer",
	[17] = "VM entry with non-launched executive VMCS",
	[18] = "VM entry with executive-VMCS pointer not VMXON pointer",
	[19] = "VMCALL with non-clear VMCS",
	[20] = "VMCALL with invalid VM-exit control fields",
	[22] = "VMCALL with incorrect MSEG revision identifier",
	[23] = "VMXOFF under dual-monitor treatment of SMIs and SMM",
	[24] = "VMCALL with invalid SMM-monitor features",
	[25] = "VM entry with invalid VM-execution control fields in executive VMCS",
	[26] = "VM entry with events blocked by MOV SS",
	[28] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_insn_error_str(u32 err)
{
	if (err < ARRAY_SIZE(insn_errors) && insn_errors[err])
		return insn_errors[err];
	return "unknown VM-instruction error";
}

static const char *const exit_names[] = {
	[EXIT_REASON_EXCEPTION_NMI] = "exception or NMI",
	[EXIT_REASON_EXT_INTR] = "external interrupt",
	[EXIT_REASON_TRIPLE_FAULT] = "triple fault",
	[EXIT_REASON_INIT] = "INIT signal",
	[EXIT_REASON_SIPI] = "SIPI",
	[5] = "I/O SMI",
	[6] = "other SMI",
	[EXIT_REASON_INTR_WINDOW] = "interrupt window",
	[EXIT_REASON_NMI_WINDOW] = "NMI window",
	[EXIT_REASON_TASK_SWITCH] = "task switch",
	[EXIT_REASON_CPUID] = "CPUID",
	[EXIT_REASON_GETSEC] = "GETSEC",
	[EXIT_REASON_HLT] = "HLT",
	[EXIT_REASON_INVD] = "INVD",
	[EXIT_REASON_INVLPG] = "INVLPG",
	[EXIT_REASON_RDPMC] = "RDPMC",
	[EXIT_REASON_RDTSC] = "RDTSC",
	[EXIT_REASON_RSM] = "RSM",
	[EXIT_REASON_VMCALL] = "VMCALL",
	[EXIT_REASON_VMCLEAR] = "VMCLEAR",
	[EXIT_REASON_VMLAUNCH] = "VMLAUNCH",
	[EXIT_REASON_VMPTRLD] = "VMPTRLD",
	[EXIT_REASON_VMPTRST] = "VMPTRST",
	[EXIT_REASON_VMREAD] = "VMREAD",
	[EXIT_REASON_VMRESUME] = "VMRESUME",
	[EXIT_REASON_VMWRITE] = "VMWRITE",
	[EXIT_REASON_VMXOFF] = "VMXOFF",
	[EXIT_REASON_VMXON] = "VMXON",
	[EXIT_REASON_CR_ACCESS] = "CR access",
	[EXIT_REASON_DR_ACCESS] = "MOV DR",
	[EXIT_REASON_IO] = "I/O instruction",
	[EXIT_REASON_RDMSR] = "RDMSR",
	[EXIT_REASON_WRMSR] = "WRMSR",
	[EXIT_REASON_BAD_GUEST_STATE] = "VM-entry failure: invalid guest state",
	[EXIT_REASON_MSR_LOAD_FAIL] = "VM-entry failure: MSR loading",
	[EXIT_REASON_MWAIT] = "MWAIT",
	[EXIT_REASON_MTF] = "monitor trap flag",
	[EXIT_REASON_MONITOR] = "MONITOR",
	[EXIT_REASON_PAUSE] = "PAUSE",
	[EXIT_REASON_MCE_DURING_ENTRY] = "VM-entry failure: machine check",
	[EXIT_REASON_TPR_BELOW] = "TPR below threshold",
	[EXIT_REASON_APIC_ACCESS] = "APIC access",
	[45] = "virtualized EOI",
	[EXIT_REASON_GDTR_IDTR] = "GDTR/IDTR access",
	[EXIT_REASON_LDTR_TR] = "LDTR/TR access",
	[EXIT_REASON_EPT_VIOLATION] = "EPT violation",
	[EXIT_REASON_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_REASON_INVEPT] = "INVEPT",
	[EXIT_REASON_RDTSCP] = "RDTSCP",
	[EXIT_REASON_PREEMPT_TIMER] = "VMX-preemption timer expired",
	[EXIT_REASON_INVVPID] = "INVVPID",
	[EXIT_REASON_WBINVD] = "WBINVD",
	[EXIT_REASON_XSETBV] = "XSETBV",
	[56] = "APIC write",
	[EXIT_REASON_RDRAND] = "RDRAND",
	[EXIT_REASON_INVPCID] = "INVPCID",
	[EXIT_REASON_VMFUNC] = "VMFUNC",
	[60] = "ENCLS",
	[EXIT_REASON_RDSEED] = "RDSEED",
	[62] = "page-modification log full",
	[EXIT_REASON_XSAVES] = "XSAVES",
	[EXIT_REASON_XRSTORS] = "XRSTORS",
};

const char *vmx_exit_reason_str(u32 reason)
{
	if (reason < ARRAY_SIZE(exit_names) && exit_names[reason])
		return exit_names[reason];
	return "unknown exit reason";
}

void vmx_report_insn_error(const char *what)
{
	u64 err = 0;

	if (vmcs_read_checked(VMCS_INSN_ERROR, &err) != VMX_OK) {
		pr_err("vmx: %s failed: VMfailInvalid (no current VMCS)\n", what);
		return;
	}
	pr_err("vmx: %s failed: VM-instruction error %llu: %s\n", what,
	       err, vmx_insn_error_str((u32)err));
}

const struct vmcs_seg_fields vmcs_guest_segs[VMCS_GUEST_NSEGS] = {
	{ "cs", VMCS_GUEST_CS_SEL, VMCS_GUEST_CS_BASE, VMCS_GUEST_CS_LIMIT, VMCS_GUEST_CS_AR },
	{ "ss", VMCS_GUEST_SS_SEL, VMCS_GUEST_SS_BASE, VMCS_GUEST_SS_LIMIT, VMCS_GUEST_SS_AR },
	{ "ds", VMCS_GUEST_DS_SEL, VMCS_GUEST_DS_BASE, VMCS_GUEST_DS_LIMIT, VMCS_GUEST_DS_AR },
	{ "es", VMCS_GUEST_ES_SEL, VMCS_GUEST_ES_BASE, VMCS_GUEST_ES_LIMIT, VMCS_GUEST_ES_AR },
	{ "fs", VMCS_GUEST_FS_SEL, VMCS_GUEST_FS_BASE, VMCS_GUEST_FS_LIMIT, VMCS_GUEST_FS_AR },
	{ "gs", VMCS_GUEST_GS_SEL, VMCS_GUEST_GS_BASE, VMCS_GUEST_GS_LIMIT, VMCS_GUEST_GS_AR },
	{ "ldtr", VMCS_GUEST_LDTR_SEL, VMCS_GUEST_LDTR_BASE, VMCS_GUEST_LDTR_LIMIT,
	  VMCS_GUEST_LDTR_AR },
	{ "tr", VMCS_GUEST_TR_SEL, VMCS_GUEST_TR_BASE, VMCS_GUEST_TR_LIMIT, VMCS_GUEST_TR_AR },
};

void vmx_dump_vmcs(const char *p)
{
	unsigned int i;

	pr_err("%s guest rip=%llx rsp=%llx rflags=%llx activity=%llu interruptibility=%llx\n", p,
	       vmcs_read(VMCS_GUEST_RIP), vmcs_read(VMCS_GUEST_RSP), vmcs_read(VMCS_GUEST_RFLAGS),
	       vmcs_read(VMCS_GUEST_ACTIVITY), vmcs_read(VMCS_GUEST_INTERRUPTIBILITY));
	pr_err("%s guest cr0=%llx cr3=%llx cr4=%llx efer=%llx dr7=%llx pending_dbg=%llx\n", p,
	       vmcs_read(VMCS_GUEST_CR0), vmcs_read(VMCS_GUEST_CR3), vmcs_read(VMCS_GUEST_CR4),
	       vmcs_read(VMCS_GUEST_EFER), vmcs_read(VMCS_GUEST_DR7),
	       vmcs_read(VMCS_GUEST_PENDING_DBG));
	for (i = 0; i < VMCS_GUEST_NSEGS; i++) {
		const struct vmcs_seg_fields *s = &vmcs_guest_segs[i];

		pr_err("%s guest %-4s sel=%04llx base=%llx limit=%llx ar=%llx\n", p, s->name,
		       vmcs_read(s->sel), vmcs_read(s->base), vmcs_read(s->limit),
		       vmcs_read(s->ar));
	}
	pr_err("%s guest gdtr=%llx/%llx idtr=%llx/%llx link=%llx\n", p,
	       vmcs_read(VMCS_GUEST_GDTR_BASE), vmcs_read(VMCS_GUEST_GDTR_LIMIT),
	       vmcs_read(VMCS_GUEST_IDTR_BASE), vmcs_read(VMCS_GUEST_IDTR_LIMIT),
	       vmcs_read(VMCS_LINK_POINTER));
	pr_err("%s ctls pin=%llx proc=%llx proc2=%llx exit=%llx entry=%llx excbitmap=%llx\n", p,
	       vmcs_read(VMCS_PIN_CTLS), vmcs_read(VMCS_PROC_CTLS), vmcs_read(VMCS_PROC_CTLS2),
	       vmcs_read(VMCS_EXIT_CTLS), vmcs_read(VMCS_ENTRY_CTLS),
	       vmcs_read(VMCS_EXCEPTION_BITMAP));
	pr_err("%s cr0 mask=%llx shadow=%llx cr4 mask=%llx shadow=%llx eptp=%llx vpid=%llx\n", p,
	       vmcs_read(VMCS_CR0_MASK), vmcs_read(VMCS_CR0_SHADOW), vmcs_read(VMCS_CR4_MASK),
	       vmcs_read(VMCS_CR4_SHADOW), vmcs_read(VMCS_EPT_POINTER), vmcs_read(VMCS_VPID));
	pr_err("%s entry intr=%llx errcode=%llx; exit reason=%llx qual=%llx intr=%llx idt=%llx "
	       "gpa=%llx gla=%llx insnlen=%llu\n",
	       p, vmcs_read(VMCS_ENTRY_INTR_INFO), vmcs_read(VMCS_ENTRY_EXC_ERRCODE),
	       vmcs_read(VMCS_EXIT_REASON), vmcs_read(VMCS_EXIT_QUAL),
	       vmcs_read(VMCS_EXIT_INTR_INFO), vmcs_read(VMCS_IDT_VECT_INFO),
	       vmcs_read(VMCS_GUEST_PHYS_ADDR), vmcs_read(VMCS_GUEST_LINEAR_ADDR),
	       vmcs_read(VMCS_EXIT_INSN_LEN));
}

void vmx_report_entry_failure(struct vcpu *v, u32 reason, u64 qual)
{
	const char *why = "";

	if (reason == EXIT_REASON_BAD_GUEST_STATE) {
		switch (qual) {
		case 0: why = "a guest-state check failed (see the fields below)"; break;
		case 2: why = "PDPTE loading failed"; break;
		case 3: why = "NMI injection with blocking by NMI"; break;
		case 4: why = "invalid VMCS link pointer"; break;
		default: why = "unknown qualification"; break;
		}
	} else if (reason == EXIT_REASON_MSR_LOAD_FAIL) {
		why = "an entry of the VM-entry MSR-load area (index = qualification) failed";
	} else if (reason == EXIT_REASON_MCE_DURING_ENTRY) {
		why = "machine check during VM entry";
	}
	pr_err("vm %s vcpu %u: VM entry failed: exit reason %u (%s), qualification %llu: %s\n",
	       v->vm->cfg.name, v->id, reason, vmx_exit_reason_str(reason),
	       qual, why);
	vmx_dump_vmcs("  ");
}
