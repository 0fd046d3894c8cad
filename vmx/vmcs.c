// SPDX-License-Identifier: MIT
/*
 * VMCS construction.  Controls come from the capability MSRs once; each vCPU
 * then gets its own VMCS on its own CPU (VMCLEAR/VMPTRLD must run there).
 */
#include "vmx/vmcs.h"

#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "lib/atomic.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "vmx/caps.h"
#include "vmx/dev/vlapic.h"
#include "vmx/vcpu.h"
#include "vmx/vcpu_lapic.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_error.h"
#include "vmx/vmx_ops.h"

struct vmx_controls vmx_ctl;
static spinlock_t vmx_ctl_lock = SPINLOCK_INIT;

extern char vmx_exit_stub[];

/**
 * vmx_adjust() - fit wanted control bits to what the CPU allows.
 * @name:     control word name for messages
 * @msr:      capability MSR (allowed-0 settings low, allowed-1 high)
 * @required: bits we cannot work without
 * @optional: bits we use when offered (a warning when not)
 * @out:      resulting control value
 *
 * Return: 0, or -1 when a required bit is not allowed.
 */
static int vmx_adjust(const char *name, u32 msr, u32 required, u32 optional, u32 *out)
{
	u64 cap = rdmsr(msr);
	u32 must = (u32)cap, may = (u32)(cap >> 32);
	u32 missing = (required | optional) & ~may;

	if (required & ~may) {
		pr_err("vmx: %s control bits %x are required but not supported (allowed-1 %x)\n",
		       name, required & ~may, may);
		return -1;
	}
	if (missing)
		pr_warn("vmx: %s control bits %x not supported: features turned off\n", name,
			missing);
	*out = ((required | optional) & may) | must;
	return 0;
}

/*
 * APIC virtualisation: the TPR shadow, "virtualize APIC accesses",
 * "APIC-register virtualization" and "virtual-interrupt delivery" (which
 * needs external-interrupt exiting), and "virtualize x2APIC mode" on top.
 * Used per VM (vm->apicv, from the same MSRs in vmx/caps.c), so only
 * recorded here, with the primary controls the CPU keeps at 1.
 */
static void vmx_apicv_controls(struct vmx_controls *c, bool true_ctls)
{
	u64 pcap = rdmsr(true_ctls ? VMX_MSR_TRUE_PROCBASED : VMX_MSR_PROCBASED);
	u32 p2 = (u32)(rdmsr(VMX_MSR_PROCBASED2) >> 32);
	u32 need = PROC2_VIRT_APIC_ACCESS | PROC2_APIC_REG_VIRT | PROC2_VID;

	c->proc_must = (u32)pcap;
	c->apicv = ((pcap >> 32) & PROC_TPR_SHADOW) && (p2 & need) == need &&
		   (c->pin & PIN_EXT_INTR_EXIT);
	c->virt_x2apic = c->apicv && (p2 & PROC2_VIRT_X2APIC);
}

int vmx_controls_init(void)
{
	struct vmx_controls c = { 0 };
	bool true_ctls = rdmsr(VMX_MSR_BASIC) & VMX_BASIC_TRUE_CTLS;
	int err = 0;

	spin_lock(&vmx_ctl_lock);
	if (vmx_ctl.ready) {
		spin_unlock(&vmx_ctl_lock);
		return 0;
	}
	err |= vmx_adjust("pin-based", true_ctls ? VMX_MSR_TRUE_PINBASED : VMX_MSR_PINBASED,
			  PIN_EXT_INTR_EXIT | PIN_NMI_EXIT | PIN_VIRTUAL_NMIS, PIN_PREEMPT_TIMER,
			  &c.pin);
	err |= vmx_adjust("processor-based",
			  true_ctls ? VMX_MSR_TRUE_PROCBASED : VMX_MSR_PROCBASED,
			  PROC_HLT_EXIT | PROC_USE_IO_BITMAPS | PROC_USE_MSR_BITMAPS |
			  PROC_SECONDARY | PROC_MWAIT_EXIT | PROC_MONITOR_EXIT |
			  PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT | PROC_RDPMC_EXIT |
			  PROC_TSC_OFFSETTING, 0, &c.proc);
	if (!err && !(rdmsr(VMX_MSR_PROCBASED2) >> 32 & PROC2_EPT)) {
		pr_err("vmx: EPT is not supported: cannot run guests\n");
		err = -1;
	}
	err |= vmx_adjust("secondary", VMX_MSR_PROCBASED2, PROC2_EPT,
			  PROC2_VPID | PROC2_UNRESTRICTED | PROC2_RDTSCP | PROC2_INVPCID, &c.proc2);
	/*
	 * EFER must switch at every entry and exit (the host runs in long
	 * mode, guests may not): the dedicated controls do it, so no MSR
	 * load areas are needed.  Every CPU with EPT has them.  DR7 and
	 * DEBUGCTL are the guest's while it runs: saved at exit, loaded at
	 * entry (the exit itself sets DR7 = 0x400 and clears DEBUGCTL for
	 * the host).  The preemption timer's remaining value is saved, so
	 * the slice counts down across exits instead of restarting at each
	 * entry: a guest that exits every few instructions still reaches
	 * the slow path (and its stop and flush checks) once a slice.
	 */
	err |= vmx_adjust("VM-exit", true_ctls ? VMX_MSR_TRUE_EXIT : VMX_MSR_EXIT,
			  EXIT_HOST_LONG_MODE | EXIT_ACK_INTR | EXIT_SAVE_EFER | EXIT_LOAD_EFER |
			  EXIT_SAVE_DEBUG, EXIT_SAVE_PAT | EXIT_LOAD_PAT | EXIT_SAVE_PREEMPT,
			  &c.exit);
	err |= vmx_adjust("VM-entry", true_ctls ? VMX_MSR_TRUE_ENTRY : VMX_MSR_ENTRY,
			  ENTRY_LOAD_EFER | ENTRY_LOAD_DEBUG, ENTRY_LOAD_PAT, &c.entry);
	if (err) {
		spin_unlock(&vmx_ctl_lock);
		return -1;
	}
	/* IA-32e mode guest is chosen per vCPU, and only when asked for. */
	c.entry &= ~ENTRY_IA32E_GUEST;
	c.ept = true;
	c.vpid = c.proc2 & PROC2_VPID;
	c.unrestricted = c.proc2 & PROC2_UNRESTRICTED;
	c.preempt_timer = c.pin & PIN_PREEMPT_TIMER;
	c.save_preempt = c.preempt_timer && (c.exit & EXIT_SAVE_PREEMPT);
	if (!c.save_preempt)
		c.exit &= ~EXIT_SAVE_PREEMPT;
	c.rdtscp = c.proc2 & PROC2_RDTSCP;
	vmx_apicv_controls(&c, true_ctls);
	c.invpcid = c.proc2 & PROC2_INVPCID;
	c.load_efer = (c.exit & EXIT_LOAD_EFER) && (c.exit & EXIT_SAVE_EFER) &&
		      (c.entry & ENTRY_LOAD_EFER);
	c.load_pat = (c.exit & EXIT_LOAD_PAT) && (c.exit & EXIT_SAVE_PAT) &&
		     (c.entry & ENTRY_LOAD_PAT);
	c.preempt_shift = rdmsr(VMX_MSR_MISC) & 0x1f;
	c.cr0_fixed0 = rdmsr(VMX_MSR_CR0_FIXED0);
	c.cr0_fixed1 = rdmsr(VMX_MSR_CR0_FIXED1);
	c.cr4_fixed0 = rdmsr(VMX_MSR_CR4_FIXED0);
	c.cr4_fixed1 = rdmsr(VMX_MSR_CR4_FIXED1);
	c.ept_vpid_cap = rdmsr(VMX_MSR_EPT_VPID_CAP);
	if (!c.unrestricted)
		pr_warn("vmx: no unrestricted guest: entry=real VMs cannot run\n");
	c.ready = true;
	vmx_ctl = c;
	pr_info("vmx: controls pin=%x proc=%x proc2=%x exit=%x entry=%x vpid=%d ug=%d "
		"preempt=%d(shift %u)\n", c.pin, c.proc, c.proc2, c.exit, c.entry, c.vpid,
		c.unrestricted, c.preempt_timer, c.preempt_shift);
	spin_unlock(&vmx_ctl_lock);
	return 0;
}

u64 vmcs_cr0_apply_fixed(u64 val)
{
	u64 must = vmx_ctl.cr0_fixed0;

	/* Unrestricted guest lets PE and PG be 0 whatever FIXED0 says. */
	if (vmx_ctl.unrestricted)
		must &= ~(X86_CR0_PE | X86_CR0_PG);
	return (val | must) & vmx_ctl.cr0_fixed1;
}

u64 vmcs_cr0_mask(void)
{
	u64 m = vmx_ctl.cr0_fixed0 | ~vmx_ctl.cr0_fixed1;

	if (vmx_ctl.unrestricted)
		m &= ~(X86_CR0_PE | X86_CR0_PG);
	return m;
}

u64 vmcs_cr4_mask(void)
{
	/* CET is ours too: its MSRs are not switched, so guests may not enable it. */
	return vmx_ctl.cr4_fixed0 | ~vmx_ctl.cr4_fixed1 | X86_CR4_CET;
}

u64 vmcs_cr4_apply_fixed(u64 val)
{
	return (val | vmx_ctl.cr4_fixed0) & vmx_ctl.cr4_fixed1;
}

static void vmcs_w(struct vcpu *v, u32 field, u64 val, int *err)
{
	if (vmcs_write(field, val) != VMX_OK && !*err) {
		pr_err("vm %s vcpu %u: VMWRITE of field %x = %llx failed\n", v->vm->cfg.name,
		       v->id, field, val);
		vmx_report_insn_error("VMWRITE");
		*err = -1;
	}
}

static u16 read_sel(int which)
{
	u16 s = 0;

	switch (which) {
	case 0: __asm__ __volatile__("mov %%cs, %0" : "=r"(s)); break;
	case 1: __asm__ __volatile__("mov %%ss, %0" : "=r"(s)); break;
	case 2: __asm__ __volatile__("mov %%ds, %0" : "=r"(s)); break;
	case 3: __asm__ __volatile__("mov %%es, %0" : "=r"(s)); break;
	case 4: __asm__ __volatile__("mov %%fs, %0" : "=r"(s)); break;
	case 5: __asm__ __volatile__("mov %%gs, %0" : "=r"(s)); break;
	default: __asm__ __volatile__("str %0" : "=r"(s)); break;
	}
	return s;
}

struct desc_ptr {
	u16 limit;
	u64 base;
} __packed;

/* Host state: what the CPU loads at every VM exit. */
static void vmcs_host_state(struct vcpu *v, int *err)
{
	static const u32 sel_fields[] = { VMCS_HOST_CS_SEL, VMCS_HOST_SS_SEL, VMCS_HOST_DS_SEL,
					  VMCS_HOST_ES_SEL, VMCS_HOST_FS_SEL, VMCS_HOST_GS_SEL,
					  VMCS_HOST_TR_SEL };
	struct desc_ptr gdtr, idtr;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sel_fields); i++)
		vmcs_w(v, sel_fields[i], read_sel((int)i) & ~7u, err);
	__asm__ __volatile__("sgdt %0" : "=m"(gdtr));
	__asm__ __volatile__("sidt %0" : "=m"(idtr));
	vmcs_w(v, VMCS_HOST_CR0, read_cr0(), err);
	vmcs_w(v, VMCS_HOST_CR3, read_cr3(), err);
	vmcs_w(v, VMCS_HOST_CR4, read_cr4(), err);
	vmcs_w(v, VMCS_HOST_FS_BASE, rdmsr(MSR_FS_BASE), err);
	vmcs_w(v, VMCS_HOST_GS_BASE, rdmsr(MSR_GS_BASE), err);
	vmcs_w(v, VMCS_HOST_TR_BASE, (u64)&this_cpu()->tss, err);
	vmcs_w(v, VMCS_HOST_GDTR_BASE, gdtr.base, err);
	vmcs_w(v, VMCS_HOST_IDTR_BASE, idtr.base, err);
	vmcs_w(v, VMCS_HOST_SYSENTER_CS, 0, err);
	vmcs_w(v, VMCS_HOST_SYSENTER_ESP, 0, err);
	vmcs_w(v, VMCS_HOST_SYSENTER_EIP, 0, err);
	if (vmx_ctl.load_efer)
		vmcs_w(v, VMCS_HOST_EFER, rdmsr(MSR_EFER), err);
	if (vmx_ctl.load_pat)
		vmcs_w(v, VMCS_HOST_PAT, rdmsr(MSR_IA32_PAT), err);
	vmcs_w(v, VMCS_HOST_RIP, (u64)vmx_exit_stub, err);
	v->host_rsp = 0;	/* the entry stub writes HOST_RSP on first use */
}

struct seg_init {
	u16 sel;
	u64 base;
	u32 limit, ar;
};

static void vmcs_set_segs(struct vcpu *v, const struct seg_init *code,
			  const struct seg_init *data, int *err)
{
	static const u32 data_sel[] = { VMCS_GUEST_SS_SEL, VMCS_GUEST_DS_SEL, VMCS_GUEST_ES_SEL,
					VMCS_GUEST_FS_SEL, VMCS_GUEST_GS_SEL };
	unsigned int i;

	vmcs_w(v, VMCS_GUEST_CS_SEL, code->sel, err);
	vmcs_w(v, VMCS_GUEST_CS_BASE, code->base, err);
	vmcs_w(v, VMCS_GUEST_CS_LIMIT, code->limit, err);
	vmcs_w(v, VMCS_GUEST_CS_AR, code->ar, err);
	/* Selector, base, limit and AR fields of ES..GS are at fixed strides. */
	for (i = 0; i < ARRAY_SIZE(data_sel); i++) {
		u32 idx = (data_sel[i] - VMCS_GUEST_ES_SEL) / 2;

		vmcs_w(v, data_sel[i], data->sel, err);
		vmcs_w(v, VMCS_GUEST_ES_BASE + 2 * idx, data->base, err);
		vmcs_w(v, VMCS_GUEST_ES_LIMIT + 2 * idx, data->limit, err);
		vmcs_w(v, VMCS_GUEST_ES_AR + 2 * idx, data->ar, err);
	}
	vmcs_w(v, VMCS_GUEST_LDTR_SEL, 0, err);
	vmcs_w(v, VMCS_GUEST_LDTR_BASE, 0, err);
	vmcs_w(v, VMCS_GUEST_LDTR_LIMIT, 0, err);
	vmcs_w(v, VMCS_GUEST_LDTR_AR, 0x10000, err);	/* unusable */
	vmcs_w(v, VMCS_GUEST_TR_SEL, 0, err);
	vmcs_w(v, VMCS_GUEST_TR_BASE, 0, err);
	vmcs_w(v, VMCS_GUEST_TR_LIMIT, 0x67, err);
	vmcs_w(v, VMCS_GUEST_TR_AR, 0x8b, err);		/* present busy 32-bit TSS */
}

void vmcs_guest_reset(struct vcpu *v, bool sipi, u8 sipi_vector)
{
	enum vm_entry_mode mode = sipi ? VM_ENTRY_REAL : v->vm->cfg.entry;
	struct seg_init code, data;
	u64 cr0 = X86_CR0_ET | X86_CR0_NE, cr4 = 0, efer = 0, rip, cr3 = 0;
	u64 gdt_base = mode == VM_ENTRY_REAL ? 0 : VM_GDT_GPA;
	u32 gdt_limit = mode == VM_ENTRY_REAL ? 0xffff : 4 * 8 - 1;
	u32 entry = vmx_ctl.entry;
	int err = 0;

	if (!sipi && v->vm->cfg.kernel[0]) {
		/* kernel=: the loader's 32-bit protected-mode start (vmx/loader/loader.h). */
		const struct loader_boot *b = &v->vm->boot;

		code = (struct seg_init){ b->cs, 0, 0xffffffff, 0xc09b };
		data = (struct seg_init){ b->ds, 0, 0xffffffff, 0xc093 };
		cr0 |= X86_CR0_PE;
		rip = b->eip;
		gdt_base = b->gdt_base;
		gdt_limit = b->gdt_limit;
	} else switch (mode) {
	case VM_ENTRY_REAL:
		if (sipi) {
			code = (struct seg_init){ (u16)(sipi_vector << 8), (u64)sipi_vector << 12,
						  0xffff, 0x9b };
			rip = 0;
		} else {
			code = (struct seg_init){ VM_LOAD_REAL >> 4, VM_LOAD_REAL, 0xffff, 0x9b };
			rip = 0;
		}
		data = (struct seg_init){ 0, 0, 0xffff, 0x93 };
		break;
	case VM_ENTRY_PROT:
		code = (struct seg_init){ VM_GUEST_SEL_CODE32, 0, 0xffffffff, 0xc09b };
		data = (struct seg_init){ VM_GUEST_SEL_DATA, 0, 0xffffffff, 0xc093 };
		cr0 |= X86_CR0_PE;
		rip = VM_LOAD_HIGH;
		break;
	default:
		code = (struct seg_init){ VM_GUEST_SEL_CODE64, 0, 0xffffffff, 0xa09b };
		data = (struct seg_init){ VM_GUEST_SEL_DATA, 0, 0xffffffff, 0xc093 };
		cr0 |= X86_CR0_PE | X86_CR0_PG;
		cr4 |= X86_CR4_PAE;
		efer = EFER_LME | EFER_LMA;
		cr3 = VM_PML4_GPA;
		entry |= ENTRY_IA32E_GUEST;
		rip = VM_LOAD_HIGH;
		break;
	}
	vmcs_set_segs(v, &code, &data, &err);
	if (!sipi) {
		v->tsc_offset = 0;
		v->tsc_adjust = 0;
	}
	vmcs_w(v, VMCS_GUEST_CR0, vmcs_cr0_apply_fixed(cr0), &err);
	vmcs_w(v, VMCS_CR0_SHADOW, cr0, &err);
	vmcs_w(v, VMCS_GUEST_CR4, vmcs_cr4_apply_fixed(cr4), &err);
	vmcs_w(v, VMCS_CR4_SHADOW, cr4, &err);
	vmcs_w(v, VMCS_GUEST_CR3, cr3, &err);
	vmcs_w(v, VMCS_GUEST_EFER, efer, &err);
	vmcs_w(v, VMCS_ENTRY_CTLS, entry, &err);
	vmcs_w(v, VMCS_GUEST_GDTR_BASE, gdt_base, &err);
	vmcs_w(v, VMCS_GUEST_GDTR_LIMIT, gdt_limit, &err);
	vmcs_w(v, VMCS_GUEST_IDTR_BASE, 0, &err);
	vmcs_w(v, VMCS_GUEST_IDTR_LIMIT, 0xffff, &err);
	vmcs_w(v, VMCS_GUEST_RIP, rip, &err);
	vmcs_w(v, VMCS_GUEST_RSP, mode == VM_ENTRY_REAL ? 0xfffc : 0x90000, &err);
	vmcs_w(v, VMCS_GUEST_RFLAGS, 0x2, &err);
	vmcs_w(v, VMCS_GUEST_DR7, 0x400, &err);
	vmcs_w(v, VMCS_GUEST_ACTIVITY, ACTIVITY_ACTIVE, &err);
	vmcs_w(v, VMCS_GUEST_INTERRUPTIBILITY, 0, &err);
	vmcs_w(v, VMCS_GUEST_PENDING_DBG, 0, &err);
	vmcs_w(v, VMCS_ENTRY_INTR_INFO, 0, &err);
	memset(&v->regs, 0, sizeof(v->regs));
	/* Boot information for the guest: see docs/vmx.md "Guest start state". */
	if (!sipi && v->vm->cfg.kernel[0]) {
		v->regs.r[GPR_RAX] = v->vm->boot.eax;
		v->regs.r[GPR_RBX] = v->vm->boot.ebx;
		v->regs.r[GPR_RSI] = v->vm->boot.esi;
	} else if (!sipi) {
		v->regs.r[GPR_RAX] = VM_BOOT_MAGIC;
		v->regs.r[GPR_RBX] = v->vm->mem_size;
		v->regs.r[GPR_RCX] = v->id;
	}
}

/* Controls, bitmaps, EPT and VPID: the part of the VMCS that never changes. */
static void vmcs_controls(struct vcpu *v, int *err)
{
	struct vm *vm = v->vm;
	u32 proc = vmx_ctl.proc;

	if (vm->apicv && !vmx_ctl.apicv) {
		pr_err("vm %s vcpu %u: cpu%u lacks the APIC virtualisation of the boot CPU\n",
		       vm->cfg.name, v->id, arch_cpu_id());
		*err = -1;
		return;
	}
	/* With the TPR shadow, CR8 is the virtual-APIC page's TPR: no exits. */
	if (vm->apicv)
		proc = (proc | PROC_TPR_SHADOW) &
		       ~((PROC_CR8_LOAD_EXIT | PROC_CR8_STORE_EXIT) & ~vmx_ctl.proc_must);
	v->proc_ctls = proc;
	v->proc2_ctls = vmx_ctl.proc2 & ~(vmx_ctl.vpid ? 0 : PROC2_VPID);
	vmcs_w(v, VMCS_PIN_CTLS, vmx_ctl.pin, err);
	vmcs_w(v, VMCS_PROC_CTLS, proc, err);
	vmcs_w(v, VMCS_PROC_CTLS2, v->proc2_ctls, err);
	if (vm->apicv) {
		/* The vlapic's register page is the virtual-APIC page (docs/platform.md). */
		vmcs_w(v, VMCS_VIRT_APIC_ADDR, arch_virt_to_phys(vlapic_page(v->lapic)), err);
		vmcs_w(v, VMCS_APIC_ACCESS_ADDR, arch_virt_to_phys(vm->apic_access), err);
		vmcs_w(v, VMCS_TPR_THRESHOLD, 0, err);	/* unused with virtual-interrupt delivery */
		for (unsigned int i = 0; i < 4; i++)
			vmcs_w(v, VMCS_EOI_EXIT0 + 2 * i, 0, err);
		memset(v->eoi_exit, 0, sizeof(v->eoi_exit));
		vmcs_w(v, VMCS_GUEST_INTR_STATUS, 0, err);
	}
	vmcs_w(v, VMCS_EXIT_CTLS, vmx_ctl.exit, err);
	vmcs_w(v, VMCS_ENTRY_CTLS, vmx_ctl.entry, err);
	vmcs_w(v, VMCS_EXCEPTION_BITMAP, 0, err);
	vmcs_w(v, VMCS_PF_ERR_MASK, 0, err);
	vmcs_w(v, VMCS_PF_ERR_MATCH, 0, err);
	vmcs_w(v, VMCS_CR3_TARGET_COUNT, 0, err);
	vmcs_w(v, VMCS_IO_BITMAP_A, arch_virt_to_phys(vm->io_bitmap[0]), err);
	vmcs_w(v, VMCS_IO_BITMAP_B, arch_virt_to_phys(vm->io_bitmap[1]), err);
	vmcs_w(v, VMCS_MSR_BITMAP, arch_virt_to_phys(vm->msr_bitmap), err);
	vmcs_w(v, VMCS_EPT_POINTER, vm_eptp(vm), err);
	if (vmx_ctl.vpid)
		vmcs_w(v, VMCS_VPID, v->vpid, err);
	vmcs_w(v, VMCS_LINK_POINTER, ~0ull, err);
	vmcs_w(v, VMCS_TSC_OFFSET, 0, err);	/* the guest's TSC: host TSC + offset */
	vmcs_w(v, VMCS_GUEST_DEBUGCTL, 0, err);
	vmcs_w(v, VMCS_GUEST_SYSENTER_CS, 0, err);
	vmcs_w(v, VMCS_GUEST_SYSENTER_ESP, 0, err);
	vmcs_w(v, VMCS_GUEST_SYSENTER_EIP, 0, err);
	if (vmx_ctl.load_pat)
		vmcs_w(v, VMCS_GUEST_PAT, 0x0007040600070406ull, err);	/* power-on PAT */
	/*
	 * CR0: the guest owns every bit except those VMX pins (NE, and PE/PG
	 * without unrestricted guest) and CD/NW; CR4: VMXE is ours and hidden.
	 * A guest write that would change a masked bit exits (vmx/exit_cr.c).
	 */
	vmcs_w(v, VMCS_CR0_MASK, vmcs_cr0_mask(), err);
	vmcs_w(v, VMCS_CR4_MASK, vmcs_cr4_mask(), err);
	vmcs_w(v, VMCS_ENTRY_MSR_LOAD_COUNT, 0, err);
	vmcs_w(v, VMCS_EXIT_MSR_LOAD_COUNT, 0, err);
	vmcs_w(v, VMCS_EXIT_MSR_STORE_COUNT, 0, err);
	if (vmx_ctl.preempt_timer)
		vmcs_w(v, VMCS_PREEMPT_TIMER, VCPU_SLICE_TICKS >> vmx_ctl.preempt_shift, err);
}

int vmcs_setup(struct vcpu *v)
{
	int err = 0;

	if (!v->vmcs) {
		v->vmcs = arch_page_alloc();
		if (!v->vmcs) {
			pr_err("vm %s vcpu %u: no memory for a VMCS\n", v->vm->cfg.name, v->id);
			return -1;
		}
		v->vmcs_pa = arch_virt_to_phys(v->vmcs);
	}
	*(volatile u32 *)v->vmcs = vmx_revision_id();
	if (vmx_clear(v->vmcs_pa) != VMX_OK) {
		vmx_report_insn_error("VMCLEAR");
		return -1;
	}
	if (vmx_ptrld(v->vmcs_pa) != VMX_OK) {
		vmx_report_insn_error("VMPTRLD");
		return -1;
	}
	v->launched = false;
	vmcs_controls(v, &err);
	vmcs_host_state(v, &err);
	vmcs_guest_reset(v, false, 0);
	if (err)
		return -1;
	vcpu_apicv_controls(v);
	/* A reused VPID or EPTP must not find translations from its last owner. */
	if (vmx_ctl.vpid && (vmx_ctl.ept_vpid_cap & BIT(41)))
		vmx_invvpid(INVVPID_SINGLE, v->vpid, 0);
	else if (vmx_ctl.vpid)
		vmx_invvpid(INVVPID_ALL, 0, 0);
	if (vmx_has_invept_single())
		vmx_invept(INVEPT_SINGLE, vm_eptp(v->vm));
	else
		vmx_invept(INVEPT_GLOBAL, 0);
	return 0;
}
