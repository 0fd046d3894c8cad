// SPDX-License-Identifier: MIT
/*
 * The shell's vCPU snapshot (vmx/console/vcpu_peek.h); its ordering is rule
 * R16 of docs/locking.md.
 *
 * One request slot per target CPU.  The shell (one CPU, one request at a
 * time) stores the vCPU it wants and a new sequence number, then sends
 * VCPU_PEEK_VECTOR; the target, when the IPI reaches it outside the guest
 * (the VM exit it forces, or its idle HLT), copies the state and publishes
 * the sequence number it served in @done.  A request that timed out may
 * still be served late: the target serves only a sequence number it has not
 * served, and the shell reads only after @done equals its own, so a late
 * copy never lands under a reader.
 */
#include "vmx/console/vcpu_peek.h"

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/traps.h"
#include "lib/atomic.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "vmx/vcpu.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_ops.h"

#define F(x, n)	{ VMCS_##x, n }
const struct vcpu_peek_field vcpu_peek_fields[] = {
	F(GUEST_RIP, "rip"), F(GUEST_RSP, "rsp"), F(GUEST_RFLAGS, "rflags"),
	F(GUEST_CR0, "cr0"), F(GUEST_CR3, "cr3"), F(GUEST_CR4, "cr4"),
	F(CR0_SHADOW, "cr0_shadow"), F(CR0_MASK, "cr0_mask"),
	F(CR4_SHADOW, "cr4_shadow"), F(CR4_MASK, "cr4_mask"),
	F(GUEST_EFER, "efer"), F(GUEST_PAT, "pat"), F(GUEST_DR7, "dr7"),
	F(GUEST_DEBUGCTL, "debugctl"),
	F(GUEST_CS_SEL, "cs_sel"), F(GUEST_CS_BASE, "cs_base"), F(GUEST_CS_LIMIT, "cs_limit"),
	F(GUEST_CS_AR, "cs_ar"),
	F(GUEST_SS_SEL, "ss_sel"), F(GUEST_SS_BASE, "ss_base"), F(GUEST_SS_LIMIT, "ss_limit"),
	F(GUEST_SS_AR, "ss_ar"),
	F(GUEST_DS_SEL, "ds_sel"), F(GUEST_DS_BASE, "ds_base"), F(GUEST_DS_LIMIT, "ds_limit"),
	F(GUEST_DS_AR, "ds_ar"),
	F(GUEST_ES_SEL, "es_sel"), F(GUEST_ES_BASE, "es_base"), F(GUEST_ES_LIMIT, "es_limit"),
	F(GUEST_ES_AR, "es_ar"),
	F(GUEST_FS_SEL, "fs_sel"), F(GUEST_FS_BASE, "fs_base"), F(GUEST_FS_LIMIT, "fs_limit"),
	F(GUEST_FS_AR, "fs_ar"),
	F(GUEST_GS_SEL, "gs_sel"), F(GUEST_GS_BASE, "gs_base"), F(GUEST_GS_LIMIT, "gs_limit"),
	F(GUEST_GS_AR, "gs_ar"),
	F(GUEST_TR_SEL, "tr_sel"), F(GUEST_TR_BASE, "tr_base"), F(GUEST_TR_LIMIT, "tr_limit"),
	F(GUEST_TR_AR, "tr_ar"),
	F(GUEST_LDTR_SEL, "ldtr_sel"), F(GUEST_LDTR_BASE, "ldtr_base"),
	F(GUEST_LDTR_LIMIT, "ldtr_limit"), F(GUEST_LDTR_AR, "ldtr_ar"),
	F(GUEST_GDTR_BASE, "gdtr_base"), F(GUEST_GDTR_LIMIT, "gdtr_limit"),
	F(GUEST_IDTR_BASE, "idtr_base"), F(GUEST_IDTR_LIMIT, "idtr_limit"),
	F(GUEST_SYSENTER_CS, "sysenter_cs"), F(GUEST_SYSENTER_ESP, "sysenter_esp"),
	F(GUEST_SYSENTER_EIP, "sysenter_eip"),
	F(GUEST_INTERRUPTIBILITY, "interruptibility"), F(GUEST_ACTIVITY, "activity"),
	F(GUEST_PENDING_DBG, "pending_dbg"),
	F(GUEST_PDPTE0, "pdpte0"), { VMCS_GUEST_PDPTE0 + 2, "pdpte1" },
	{ VMCS_GUEST_PDPTE0 + 4, "pdpte2" }, { VMCS_GUEST_PDPTE0 + 6, "pdpte3" },
	F(PIN_CTLS, "pin_ctls"), F(PROC_CTLS, "proc_ctls"), F(PROC_CTLS2, "proc_ctls2"),
	F(EXIT_CTLS, "exit_ctls"), F(ENTRY_CTLS, "entry_ctls"),
	F(EXCEPTION_BITMAP, "exception_bitmap"), F(EPT_POINTER, "ept_pointer"), F(VPID, "vpid"),
	F(TSC_OFFSET, "tsc_offset"), F(PREEMPT_TIMER, "preempt_timer"),
	F(TPR_THRESHOLD, "tpr_threshold"),
	F(EXIT_REASON, "exit_reason"), F(EXIT_QUAL, "exit_qual"),
	F(EXIT_INTR_INFO, "exit_intr_info"), F(IDT_VECT_INFO, "idt_vect_info"),
	F(EXIT_INSN_LEN, "exit_insn_len"), F(EXIT_INSN_INFO, "exit_insn_info"),
	F(GUEST_PHYS_ADDR, "guest_phys_addr"), F(GUEST_LINEAR_ADDR, "guest_linear_addr"),
	F(ENTRY_INTR_INFO, "entry_intr_info"), F(ENTRY_EXC_ERRCODE, "entry_exc_errcode"),
	F(HOST_CR3, "host_cr3"), F(HOST_RSP, "host_rsp"), F(HOST_RIP, "host_rip"),
};
#undef F
const unsigned int vcpu_peek_nfields = ARRAY_SIZE(vcpu_peek_fields);
BUILD_BUG_ON(ARRAY_SIZE(vcpu_peek_fields) > VCPU_PEEK_MAX_FIELDS);

struct vcpu_peek_slot {
	struct vcpu *want;		/* the shell: the vCPU it asks for */
	u32 seq;			/* the shell: request number (store_release) */
	u32 done;			/* the target: request number served (store_release) */
	int status;			/* the target: vcpu_peek()'s result */
	struct vcpu_snapshot snap;
} __cacheline_aligned;

static struct vcpu_peek_slot peek_slots[HV_MAX_CPUS];

/*
 * Copy @v's state on its own CPU, or return -1 when its VMCS is not the
 * current one here: not started, not yet launched, or already left its run
 * loop (vcpu_run() clears vmx_cpu_this()->vcpu after VMCLEAR, with IF = 0
 * throughout, so no IPI lands between the two).
 */
static int vcpu_peek_local(struct vcpu *v, struct vcpu_snapshot *out)
{
	if (vmx_cpu_this()->vcpu != v || !v->launched || v->run_state == VCPU_STOPPED)
		return -1;
	memcpy(out->gpr, v->regs.r, sizeof(out->gpr));
	out->gpr[GPR_RSP] = vmcs_read(VMCS_GUEST_RSP);
	for (unsigned int i = 0; i < vcpu_peek_nfields; i++)
		out->field[i] = vmcs_read(vcpu_peek_fields[i].enc);
	out->run_state = v->run_state;
	return 0;
}

/* VCPU_PEEK_VECTOR, on the target CPU, outside the guest (IDT or VM exit). */
static void vcpu_peek_irq(void)
{
	struct vcpu_peek_slot *s = &peek_slots[arch_cpu_id()];
	/* R16: pairs with the store_release of seq in vcpu_peek(): @want is set. */
	u32 seq = load_acquire(&s->seq);

	if (seq == READ_ONCE(s->done))
		return;		/* served already (a late IPI of an earlier request) */
	s->status = vcpu_peek_local(READ_ONCE(s->want), &s->snap);
	/*
	 * R16: the copy and the status before @done says which request they
	 * answer.  Pairs with the load_acquire of done in vcpu_peek().
	 */
	store_release(&s->done, seq);
}

void vcpu_peek_init(void)
{
	if (!trap_register_irq(VCPU_PEEK_VECTOR, vcpu_peek_irq))
		pr_err("console: vector %#x taken: the shell cannot read other CPUs' vCPUs\n",
		       VCPU_PEEK_VECTOR);
}

int vcpu_peek(struct vcpu *v, struct vcpu_snapshot *out)
{
	struct vcpu_peek_slot *s;
	struct percpu *pc;
	u64 start;
	u32 seq;

	if (v->pcpu == arch_cpu_id())
		return vcpu_peek_local(v, out);
	pc = percpu_of(v->pcpu);
	if (!pc || !lapic_ready())
		return -1;
	s = &peek_slots[v->pcpu];
	seq = READ_ONCE(s->seq) + 1;
	if (!seq)
		seq = 1;
	WRITE_ONCE(s->want, v);
	/*
	 * R16 (docs/locking.md): @want before the new request number; pairs
	 * with the load_acquire of seq in vcpu_peek_irq().  Then a full fence
	 * before the IPI: an x2APIC ICR write (WRMSR) is not ordered after
	 * earlier stores, and the target must see the request when the IPI
	 * lands (as in vcpu_wake()).
	 */
	store_release(&s->seq, seq);
	smp_mb();
	lapic_send_fixed(pc->apic_id, VCPU_PEEK_VECTOR);
	start = arch_time_ns();
	/* R16: pairs with the store_release of done in vcpu_peek_irq(): the copy is complete. */
	while (load_acquire(&s->done) != seq) {
		if (arch_time_ns() - start > VCPU_PEEK_TIMEOUT_NS)
			return -2;
		cpu_relax();
	}
	if (s->status)
		return s->status;
	memcpy(out, &s->snap, sizeof(*out));
	return 0;
}

u64 vcpu_snap_get(const struct vcpu_snapshot *s, u32 enc)
{
	for (unsigned int i = 0; i < vcpu_peek_nfields; i++)
		if (vcpu_peek_fields[i].enc == enc)
			return s->field[i];
	return 0;
}
