// SPDX-License-Identifier: MIT
/*
 * VM-exit dispatch.  One table entry per basic exit reason; anything without
 * an entry is an unexpected exit: logged with its full exit information and
 * only the VM that caused it is stopped.
 */
#include "vmx/exit.h"
#include "vmx/guest_state.h"
#include "vmx/inject.h"

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/traps.h"
#include "lib/printk.h"
#include "vmx/gdb/gdb_stub.h"
#include "vmx/stats/trace.h"
#include "vmx/vm/vm.h"
#include "vmx/vmx_error.h"
#include "vmx/vmx_ops.h"

/* The hypervisor's kick vector (mm/ept_flush requests; vmx/vcpu_run.c). */
#include "vmx/vcpu_run.h"

void vcpu_log_exit(struct vcpu *v, const char *why)
{
	pr_err("vm %s vcpu %u: %s: exit reason %u (%s) qual=%llx rip=%llx insnlen=%llu "
	       "intr=%llx idt=%llx gpa=%llx gla=%llx insninfo=%llx\n", v->vm->cfg.name, v->id,
	       why, EXIT_REASON_BASIC(v->exit_reason), vmx_exit_reason_str(EXIT_REASON_BASIC(v->exit_reason)),
	       vmcs_read(VMCS_EXIT_QUAL),
	       vmcs_read(VMCS_GUEST_RIP),
	       vmcs_read(VMCS_EXIT_INSN_LEN),
	       vmcs_read(VMCS_EXIT_INTR_INFO),
	       vmcs_read(VMCS_IDT_VECT_INFO),
	       vmcs_read(VMCS_GUEST_PHYS_ADDR),
	       vmcs_read(VMCS_GUEST_LINEAR_ADDR),
	       vmcs_read(VMCS_EXIT_INSN_INFO));
	pr_err("vm %s vcpu %u: rax=%llx rbx=%llx rcx=%llx rdx=%llx rsi=%llx rdi=%llx rsp=%llx\n",
	       v->vm->cfg.name, v->id, v->regs.r[GPR_RAX],
	       v->regs.r[GPR_RBX], v->regs.r[GPR_RCX],
	       v->regs.r[GPR_RDX], v->regs.r[GPR_RSI],
	       v->regs.r[GPR_RDI],
	       vmcs_read(VMCS_GUEST_RSP));
}

static enum exit_action exit_unexpected(struct vcpu *v)
{
	vcpu_log_exit(v, "unexpected VM exit");
	vmx_dump_vmcs("  ");
	vm_stop(v->vm, "unexpected VM exit %u (%s) at rip %llx", EXIT_REASON_BASIC(v->exit_reason),
		vmx_exit_reason_str(EXIT_REASON_BASIC(v->exit_reason)),
		vmcs_read(VMCS_GUEST_RIP));
	return EXIT_STOP;
}

/*
 * NMI or exception.  The exception bitmap is 0 except while GDB is attached
 * (#BP and #DB: vmx/gdb/gdb_stub.c), so otherwise only NMIs arrive here
 * (NMI exiting is on).  Guests own no NMI source and kicks are fixed IPIs,
 * so an NMI is the host's, e.g. the panic path stopping every CPU: hand it
 * to the host's NMI handler, which decides.
 */
static enum exit_action exit_exception_nmi(struct vcpu *v)
{
	u32 info = (u32)vmcs_read(VMCS_EXIT_INTR_INFO);

	if (INTR_INFO_TYPE(info) == INTR_TYPE_NMI) {
		vmcs_reinject_idt_vectoring();
		__asm__ __volatile__("int $2" ::: "memory");
		return EXIT_RESUME;
	}
	if (gdb_exit_exception(v, info))
		return EXIT_RESUME;
	return exit_unexpected(v);
}

/*
 * External interrupt, already acknowledged (acknowledge-on-exit).  Our kick
 * vector needs only an EOI; a hypervisor device interrupt (the console
 * UART, the shell's vCPU snapshot IPI: trap_register_irq()) runs its
 * handler here; any other vector belongs to nobody in the hypervisor and
 * is passed on to the guest, which owns the CPU.
 */
static enum exit_action exit_ext_intr(struct vcpu *v)
{
	u32 info = (u32)vmcs_read(VMCS_EXIT_INTR_INFO);
	u8 vec = INTR_INFO_VECTOR(info);

	vmcs_reinject_idt_vectoring();
	if (vec == LAPIC_SPURIOUS_VECTOR)
		return EXIT_RESUME;
	lapic_eoi();
	if (vec != VCPU_KICK_VECTOR && !trap_run_irq(vec))
		vcpu_queue_interrupt(v, vec);
	return EXIT_RESUME;
}

static enum exit_action exit_triple_fault(struct vcpu *v)
{
	vcpu_log_exit(v, "triple fault");
	vm_reset(v->vm, "triple fault on vcpu %u at rip %llx (cr0=%llx)", v->id,
		vmcs_read(VMCS_GUEST_RIP),
		vmcs_read(VMCS_GUEST_CR0));
	return EXIT_STOP;
}

static enum exit_action exit_hlt(struct vcpu *v)
{
	vmcs_guest_skip_insn();
	return EXIT_HALT;
}

/* VMX instructions: VMX is hidden from guests (CPUID.1:ECX[5] = 0), so #UD. */
static enum exit_action exit_vmx_insn(struct vcpu *v)
{
	vcpu_inject_ud(v);
	return EXIT_RESUME;
}

/* MONITOR/MWAIT are hidden in CPUID; executing them anyway is #UD. */
static enum exit_action exit_monitor_mwait(struct vcpu *v)
{
	vcpu_inject_ud(v);
	return EXIT_RESUME;
}

/*
 * The slice ran out.  Host interrupts that came while the guest ran are
 * taken here through the IDT (the console's UART, the shell's snapshot
 * IPI): real VT-x turns them into exits whatever the guest's RFLAGS.IF,
 * but Bochs 2.7 holds them while the guest runs with IF = 0, and a guest
 * that keeps IF = 0 for long would otherwise starve them for as long
 * (docs/vmx.md, "Bochs 2.7 caveat").
 */
static enum exit_action exit_preempt_timer(struct vcpu *v)
{
	irq_window();
	vcpu_preempt_expired(v);
	return EXIT_RESUME;	/* the run loop checks timers and requests */
}

/* The guest's CPUID shows no performance counters (leaf 0xA is 0): #GP. */
static enum exit_action exit_rdpmc(struct vcpu *v)
{
	vcpu_inject_gp(v);
	return EXIT_RESUME;
}

static enum exit_action exit_intr_window(struct vcpu *v)
{
	v->intr_pending = 1;	/* vcpu_run injects what is pending */
	return EXIT_RESUME;
}

static enum exit_action exit_entry_failure(struct vcpu *v)
{
	u32 reason = EXIT_REASON_BASIC(v->exit_reason);

	vmx_report_entry_failure(v, reason, vmcs_read(VMCS_EXIT_QUAL));
	vm_stop(v->vm, "VM entry failed on vcpu %u: %s", v->id, vmx_exit_reason_str(reason));
	return EXIT_STOP;
}

/* Monitor trap flag: only GDB's single step sets it. */
static enum exit_action exit_mtf(struct vcpu *v)
{
	gdb_exit_mtf(v);
	return EXIT_RESUME;
}

/* MOV DR: exits only while GDB owns the debug registers (the guest's copy is GDB's stub's). */
static enum exit_action exit_dr_access(struct vcpu *v)
{
	if (gdb_exit_dr(v, vmcs_read(VMCS_EXIT_QUAL)))
		return EXIT_RESUME;
	return exit_unexpected(v);
}

typedef enum exit_action (*exit_fn)(struct vcpu *v);

static const exit_fn exit_table[EXIT_REASON_MAX] = {
	[EXIT_REASON_EXCEPTION_NMI] = exit_exception_nmi,
	[EXIT_REASON_EXT_INTR] = exit_ext_intr,
	[EXIT_REASON_TRIPLE_FAULT] = exit_triple_fault,
	[EXIT_REASON_INTR_WINDOW] = exit_intr_window,
	[EXIT_REASON_NMI_WINDOW] = exit_intr_window,
	[EXIT_REASON_CPUID] = exit_cpuid,
	[EXIT_REASON_HLT] = exit_hlt,
	[EXIT_REASON_VMCALL] = exit_vmcall,
	[EXIT_REASON_VMCLEAR] = exit_vmx_insn,
	[EXIT_REASON_VMLAUNCH] = exit_vmx_insn,
	[EXIT_REASON_VMPTRLD] = exit_vmx_insn,
	[EXIT_REASON_VMPTRST] = exit_vmx_insn,
	[EXIT_REASON_VMREAD] = exit_vmx_insn,
	[EXIT_REASON_VMRESUME] = exit_vmx_insn,
	[EXIT_REASON_VMWRITE] = exit_vmx_insn,
	[EXIT_REASON_VMXOFF] = exit_vmx_insn,
	[EXIT_REASON_VMXON] = exit_vmx_insn,
	[EXIT_REASON_INVEPT] = exit_vmx_insn,
	[EXIT_REASON_INVVPID] = exit_vmx_insn,
	[EXIT_REASON_VMFUNC] = exit_vmx_insn,
	[EXIT_REASON_RDPMC] = exit_rdpmc,
	[EXIT_REASON_CR_ACCESS] = exit_cr_access,
	[EXIT_REASON_IO] = exit_io,
	[EXIT_REASON_RDMSR] = exit_rdmsr,
	[EXIT_REASON_WRMSR] = exit_wrmsr,
	[EXIT_REASON_BAD_GUEST_STATE] = exit_entry_failure,
	[EXIT_REASON_MSR_LOAD_FAIL] = exit_entry_failure,
	[EXIT_REASON_MCE_DURING_ENTRY] = exit_entry_failure,
	[EXIT_REASON_MWAIT] = exit_monitor_mwait,
	[EXIT_REASON_MONITOR] = exit_monitor_mwait,
	[EXIT_REASON_EPT_VIOLATION] = exit_ept_violation,
	[EXIT_REASON_EPT_MISCONFIG] = exit_ept_misconfig,
	[EXIT_REASON_PREEMPT_TIMER] = exit_preempt_timer,
	[EXIT_REASON_MTF] = exit_mtf,
	[EXIT_REASON_DR_ACCESS] = exit_dr_access,
	[EXIT_REASON_XSETBV] = exit_xsetbv,
	[EXIT_REASON_APIC_ACCESS] = exit_apic_access,
	[EXIT_REASON_EOI_INDUCED] = exit_eoi_induced,
	[EXIT_REASON_APIC_WRITE] = exit_apic_write,
};

enum exit_action vmx_handle_exit(struct vcpu *v)
{
	u32 reason = v->exit_reason;	/* read by vmx_exit_fastpath() */
	u32 basic = EXIT_REASON_BASIC(reason);
	exit_fn fn;

	/* Counted with its latency right before the next entry (vcpu_exit_accounted()). */
	/*
	 * The fast path finished this exit and it stopped the VM (a device's
	 * stop request): nothing is left to dispatch.  Only that exit: any
	 * other must run its handler even when the VM is stopping, above all
	 * an external interrupt, acknowledged at exit and owed its EOI (a
	 * kick left in service would mask every vector of its class for good).
	 */
	if (unlikely(v->exit_done)) {
		v->exit_done = false;
		return EXIT_STOP;
	}
	fn = basic < EXIT_REASON_MAX ? exit_table[basic] : NULL;
	if (unlikely(reason & EXIT_REASON_ENTRY_FAIL) && fn != exit_entry_failure)
		return exit_entry_failure(v);
	if (unlikely(!fn))
		return exit_unexpected(v);
	/* Only GDB's single step sets the monitor trap flag. */
	if (unlikely(v->proc_ctls & PROC_MTF) && basic != EXIT_REASON_MTF)
		gdb_exit_mtf_missed(v);
	return fn(v);
}
