// SPDX-License-Identifier: MIT
/*
 * The vCPU run loop.  A vCPU runs on one physical CPU with interrupts off
 * from the moment it starts until its VM stops; other CPUs reach it only
 * through IPIs (kicks) and the fields documented in vmx/vcpu.h.
 *
 * Per iteration: stop check, virtual timer and interrupt injection, then
 * the EPT flush protocol (R11, mm/ept_flush.c: mode = IN_GUEST, full fence,
 * pending flush request -> service it instead of entering), VM entry, mode
 * back to OUTSIDE, one EBR quiescent state (QSBR: a vCPU holds no EPT or
 * memory-map pointer across an exit), exit dispatch.
 */
#include "vmx/vcpu_run.h"

#include "vmx/dev/vlapic.h"
#include "vmx/vcpu_lapic.h"

#include "vmx/debug/test_aids.h"

#include "arch/x86/cpu.h"
#include "arch/x86/lapic.h"
#include "arch/x86/percpu.h"
#include "arch/x86/traps.h"
#include "arch/x86/tsc.h"
#include "lib/atomic.h"
#include "lib/printk.h"
#include "mm/ept_mmu.h"
#include "vmx/caps.h"
#include "vmx/exit.h"
#include "vmx/gdb/gdb_stub.h"
#include "vmx/host_state.h"
#include "vmx/stats/exit_stats.h"
#include "vmx/stats/trace.h"
#include "vmx/vm/hypercall.h"
#include "vmx/vm/vm.h"
#include "vmx/vmcs.h"
#include "vmx/vmx_cpu.h"
#include "vmx/vmx_error.h"
#include "vmx/vmx_ops.h"
#include "vmx/watchdog.h"

/* A kick that arrives while the CPU is outside the guest with IF=1: just EOI. */
static void vcpu_kick_handler(struct trap_frame *f)
{
	lapic_eoi();
}

/* An AP asked to run its vCPU: runs it in this handler (IF=0) until its VM stops. */
static void vcpu_launch_handler(struct trap_frame *f)
{
	lapic_eoi();
	vm_run_this_cpu();
}

void vcpu_run_init(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (!trap_register_handler(VCPU_KICK_VECTOR, vcpu_kick_handler) ||
	    !trap_register_handler(VCPU_LAUNCH_VECTOR, vcpu_launch_handler))
		pr_err("vmx: vectors %#x/%#x already taken: vCPU kicks may be lost\n",
		       VCPU_KICK_VECTOR, VCPU_LAUNCH_VECTOR);
}

void vcpu_kick(struct vcpu *v)
{
	struct percpu *pc = percpu_of(v->pcpu);

	/*
	 * With external-interrupt exiting the IPI forces a VM exit whatever
	 * the guest's RFLAGS.IF; sent to a CPU outside the guest it stays
	 * pending (IF=0) and makes the next entry exit at once.  (Bochs 2.7
	 * does not exit for a guest running with IF=0: there the preemption
	 * timer slice bounds the delay; see docs/vmx.md.)
	 */
	if (pc) {
		trace_event(TRACE_WHO(TRACE_KICK, v->vm->id, v->id), v->pcpu, 0);
		lapic_send_fixed(pc->apic_id, VCPU_KICK_VECTOR);
	}
}

void vcpu_wake(struct vcpu *v)
{
	/*
	 * An x2APIC ICR write (WRMSR) is not ordered after earlier stores:
	 * without the fence the IPI could wake the target before it can see
	 * what it was woken for, and it would go back to sleep.  Pairs with
	 * the target's check before sti;hlt in vcpu_idle() (an IPI that comes
	 * after that check stays pending with IF=0 and ends the HLT at once),
	 * and with the full fence of ept_flush_vcpu_enter() before the run
	 * loop's last look at the VM state.
	 */
	smp_mb();
	watchdog_kicked(v->pcpu);
	vcpu_kick(v);
}

static void vmx_flush_invept(void *ctx)
{
	struct vcpu *v = ctx;

	if (vmx_has_invept_single()) {
		trace_event(TRACE_WHO(TRACE_FLUSH, v->vm->id, v->id), INVEPT_SINGLE, vm_eptp(v->vm));
		vmx_invept(INVEPT_SINGLE, vm_eptp(v->vm));
	} else {
		trace_event(TRACE_WHO(TRACE_FLUSH, v->vm->id, v->id), INVEPT_GLOBAL, 0);
		vmx_invept(INVEPT_GLOBAL, 0);
	}
}

static void vmx_flush_kick(void *ctx)
{
	vcpu_kick(ctx);
}

const struct ept_flush_ops vmx_ept_flush_ops = {
	.invept = vmx_flush_invept,
	.kick = vmx_flush_kick,
};

void vcpu_queue_interrupt(struct vcpu *v, u8 vec)
{
	v->hc_vector = vec;
	v->hc_pending = true;
	v->intr_pending = 1;
}

long vcpu_set_timer(struct vcpu *v, u64 delta, u64 vector)
{
	u64 now = rdtsc();

	if (delta == 0) {
		v->hc_deadline = 0;
		vcpu_timer_update(v);
		return HC_OK;
	}
	if (vector < 32 || vector > 255 || now + delta < now)
		return HC_EINVAL;
	v->timer_vector = (u8)vector;
	v->hc_deadline = now + delta;
	vcpu_timer_update(v);
	return HC_OK;
}

static void vcpu_set_exit_windows(struct vcpu *v, bool intr, bool nmi)
{
	vmcs_write(VMCS_PROC_CTLS, v->proc_ctls | (intr ? PROC_INTR_WINDOW_EXIT : 0) |
				   (nmi ? PROC_NMI_WINDOW_EXIT : 0));
}

/*
 * The next vector to inject and whether it is HC_TIMER's (which bypasses
 * the LAPIC but not its task priority), or -1.  Owner only.  With APIC
 * virtualisation the LAPIC's vectors are not injected: the CPU delivers
 * them from RVI (vcpu_apicv_sync()).
 */
static __always_inline int vcpu_next_vector(struct vcpu *v, bool *from_hc)
{
	int lapic_vec = v->vm->apicv ? -1 : vlapic_highest_pending(v->lapic);
	u8 tpr = vlapic_tpr_read(v->lapic);

	*from_hc = false;
	if (v->hc_pending && (v->hc_vector >> 4) > (tpr >> 4) && v->hc_vector > lapic_vec) {
		*from_hc = true;
		return v->hc_vector;
	}
	return lapic_vec;
}

/*
 * What ends a HLT, as on hardware: an NMI or INIT, or a vector above the
 * task priority while the guest's RFLAGS.IF is set (a HLT with interrupts
 * off sleeps through interrupts).
 */
static bool vcpu_halt_wakes(struct vcpu *v)
{
	bool from_hc;

	return READ_ONCE(v->nmi_pending) || READ_ONCE(v->init_pending) ||
	       ((vmcs_read(VMCS_GUEST_RFLAGS) & X86_RFLAGS_IF) &&
		(vcpu_next_vector(v, &from_hc) >= 0 ||
		 (v->vm->apicv && vlapic_has_deliverable(v->lapic))));
}

/*
 * Inject an NMI or the highest deliverable vector if the guest can take it
 * now, else ask for a window exit.  A vector masked by the task priority
 * waits without a window exit: only a TPR write (which exits) or an EOI can
 * unblock it, and both make the loop look again.
 */
static void vcpu_try_inject(struct vcpu *v)
{
	u64 rflags, intr;
	bool from_hc, can_take, want_intr = false, want_nmi = false;
	int vec;

	/* Cleared before the look: see vmx/vcpu_lapic.c on the pairing. */
	WRITE_ONCE(v->intr_pending, 0);
	vcpu_lapic_service(v);
	if (v->run_state != VCPU_RUNNABLE)
		return;
	intr = vmcs_read(VMCS_GUEST_INTERRUPTIBILITY);
	rflags = vmcs_read(VMCS_GUEST_RFLAGS);
	can_take = (rflags & X86_RFLAGS_IF) && !(intr & (INTERRUPT_STI | INTERRUPT_MOV_SS));
	if (v->vm->apicv && vcpu_apicv_sync(v, can_take))
		want_intr = true;	/* RVI held back until the window */
	if (vmcs_read(VMCS_ENTRY_INTR_INFO) & INTR_INFO_VALID) {
		/* An event is queued already: come back after it is delivered. */
		WRITE_ONCE(v->intr_pending, 1);
		vcpu_set_exit_windows(v, true, false);
		return;
	}
	if (READ_ONCE(v->nmi_pending)) {
		if (!(intr & (INTERRUPT_STI | INTERRUPT_MOV_SS | INTERRUPT_NMI))) {
			WRITE_ONCE(v->nmi_pending, 0);
			vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2);
			trace_event(TRACE_WHO(TRACE_INJECT, v->vm->id, v->id),
				    INTR_INFO_VALID | (INTR_TYPE_NMI << 8) | 2, 0);
			WRITE_ONCE(v->intr_pending, 1);	/* then look at vectors again */
			vcpu_set_exit_windows(v, want_intr, false);
			return;
		}
		want_nmi = true;
	}
	vec = vcpu_next_vector(v, &from_hc);
	if (vec >= 0) {
		if (can_take) {
			if (from_hc)
				v->hc_pending = false;
			else
				vlapic_ack(v->lapic, (u8)vec);
			/* Interruption type 0 (INTR_TYPE_EXT): an external interrupt. */
			vmcs_write(VMCS_ENTRY_INTR_INFO, INTR_INFO_VALID | (u8)vec);
			trace_event(TRACE_WHO(TRACE_INJECT, v->vm->id, v->id),
				    INTR_INFO_VALID | (u8)vec, 0);
			WRITE_ONCE(v->intr_pending, 1);	/* more may be pending */
		} else {
			want_intr = true;
		}
	}
	if (want_intr || want_nmi)
		WRITE_ONCE(v->intr_pending, 1);
	vcpu_set_exit_windows(v, want_intr, want_nmi);
}

/*
 * Program the preemption timer: the slice, or sooner for the virtual timer.
 * Where the CPU saves the remaining value at exit (vmx_ctl.save_preempt),
 * the field changes under us and is rewritten whenever we get here (the
 * virtual timer is armed, or the slice ran out); elsewhere the CPU reloads
 * the same value at every entry and a changed value is written once.
 */
static void vcpu_update_preempt(struct vcpu *v)
{
	u64 ticks = v->vm->cfg.debug_zap ? VCPU_ZAP_SLICE : VCPU_SLICE_TICKS;
	u32 val;

	if (!vmx_ctl.preempt_timer)
		return;
	if (v->timer_deadline) {
		u64 now = rdtsc();

		ticks = v->timer_deadline > now ? MIN(v->timer_deadline - now, ticks) : 0;
	}
	val = (u32)(ticks >> vmx_ctl.preempt_shift);
	if (val != v->preempt_val || vmx_ctl.save_preempt) {
		vmcs_write(VMCS_PREEMPT_TIMER, val);
		v->preempt_val = val;
	}
}

void vcpu_preempt_expired(struct vcpu *v)
{
	/* A saved value of 0 would make the next entry exit at once. */
	if (vmx_ctl.save_preempt)
		vcpu_update_preempt(v);
}

void vcpu_timer_update(struct vcpu *v)
{
	u64 a = v->hc_deadline, b = v->lapic_deadline;

	v->timer_deadline = a && b ? MIN(a, b) : a | b;
	if (v->timer_deadline)
		vcpu_update_preempt(v);
}

/* Fire whichever timers are due: HC_TIMER's vector, or the LAPIC timer. */
static void vcpu_check_timer(struct vcpu *v)
{
	u64 now = rdtsc();

	if (now < v->timer_deadline)
		return;
	if (v->hc_deadline && now >= v->hc_deadline) {
		v->hc_deadline = 0;
		vcpu_queue_interrupt(v, v->timer_vector);
	}
	if (v->lapic_deadline && now >= v->lapic_deadline) {
		vlapic_timer_fire(v->lapic, now + v->tsc_offset);
		vcpu_lapic_timer_sync(v);	/* periodic mode re-arms */
		v->intr_pending = 1;
	}
	vcpu_timer_update(v);
}

/*
 * vcpu_idle_sleep() - halt the CPU until the next interrupt.
 *
 * Called with IF=0 after the idle loop found nothing to do.  Whoever makes
 * work for this vCPU stores it and then vcpu_wake()s it; an IPI that comes
 * after our look stays pending while IF=0, and STI's one-instruction
 * shadow makes "sti; hlt" take it at the HLT, so no wake-up is lost.  The
 * guest's timer becomes a TSC-deadline interrupt on the same vector.  A
 * CPU whose LAPIC timer has no TSC-deadline mode polls while a guest timer
 * is armed.
 */
static void vcpu_idle_sleep(struct vcpu *v)
{
	u64 deadline = v->timer_deadline, watch = 0, wake;

	if (deadline && !lapic_timer_deadline_ok()) {
		v->idle_polls++;
		cpu_relax();
		return;
	}
	/* Wake to watch the other CPUs, unless the guest's timer comes first. */
	if (lapic_timer_deadline_ok())
		watch = tsc_deadline_ns(WATCHDOG_PERIOD_NS);
	wake = deadline && (!watch || deadline < watch) ? deadline : watch;
	if (wake)
		lapic_timer_arm(wake, VCPU_KICK_VECTOR);
	sti_hlt();
	cli();
	if (wake)
		lapic_timer_disarm();
	/* A wake-up only for the watchdog is no halt the guest asked for. */
	if (wake != watch || rdtsc() < watch)
		v->idle_halts++;
}

/*
 * Hold for GDB (vmx/gdb/gdb_stub.c, rule R17): publish the state, sleep
 * until GDB lets this vCPU go (or the VM stops), take GDB's changes back.
 * The EBR record is offline meanwhile, as in vcpu_idle() (@rec NULL when
 * the caller has it offline already).
 */
static void vcpu_gdb_hold(struct vcpu *v, struct ebr_rec *rec)
{
	if (rec)
		ebr_offline(rec);
	gdb_vcpu_hold_begin(v);
	while (!gdb_vcpu_hold_done(v)) {
		watchdog_beat(WD_IDLE, v->vm->cfg.name, v->id);
		watchdog_poll();
		vcpu_idle_sleep(v);
	}
	gdb_vcpu_hold_end(v);
	if (rec)
		ebr_online(rec);
}

/*
 * Wait outside the guest: for a SIPI (AP not started) or for an event
 * (HLT), with the CPU halted in between (vcpu_idle_sleep()).  The EBR
 * record is offline meanwhile, so grace periods do not wait for an idle
 * vCPU; its EPT flush requests are served at the next entry
 * (mm/ept_flush.c counts an OUTSIDE vCPU with a pending request as done).
 */
static void vcpu_idle(struct vcpu *v, struct ebr_rec *rec)
{
	ebr_offline(rec);
	while (!vm_is_stopped(v->vm)) {
		watchdog_beat(WD_IDLE, v->vm->cfg.name, v->id);
		watchdog_poll();
		if (unlikely(gdb_vcpu_must_hold(v))) {
			vcpu_gdb_hold(v, NULL);
			continue;
		}
		if (v->run_state == VCPU_WAIT_SIPI) {
			/*
			 * R1 (publish): pairs with the store_release of v->sipi
			 * in vapic_deliver(): the SIPI is latched there, so it
			 * is seen here however late this CPU looks, together
			 * with the guest memory the sender wrote before it.
			 */
			u32 sipi = load_acquire(&v->sipi);

			if (sipi) {
				vmcs_guest_reset(v, true, (u8)sipi);
				WRITE_ONCE(v->run_state, VCPU_RUNNABLE);
				break;
			}
		} else {
			if (v->timer_deadline)
				vcpu_check_timer(v);
			if (vcpu_halt_wakes(v)) {
				WRITE_ONCE(v->intr_pending, 1);
				WRITE_ONCE(v->run_state, VCPU_RUNNABLE);
				break;
			}
		}
		vcpu_idle_sleep(v);
	}
	ebr_online(rec);
}

static void vcpu_entry_failed(struct vcpu *v, int rc)
{
	if (rc == VMX_FAIL_VALID) {
		u64 err = vmcs_read(VMCS_INSN_ERROR);

		pr_err("vm %s vcpu %u: %s failed: VM-instruction error %llu: %s\n",
		       v->vm->cfg.name, v->id, v->launched ? "VMRESUME" : "VMLAUNCH",
		       err, vmx_insn_error_str((u32)err));
		vmx_dump_vmcs("  ");
		vm_stop(v->vm, "%s failed on vcpu %u: %s", v->launched ? "VMRESUME" : "VMLAUNCH",
			v->id, vmx_insn_error_str((u32)err));
	} else {
		pr_err("vm %s vcpu %u: VM entry failed: VMfailInvalid (no current VMCS)\n",
		       v->vm->cfg.name, v->id);
		vm_stop(v->vm, "VM entry failed on vcpu %u: no current VMCS", v->id);
	}
}

extern int vmx_enter(struct vmx_gprs *regs, u64 launched, u64 *host_rsp_cache);

/*
 * The exit the slow path handled is over: count it in its reason's latency
 * histogram, from the exit (stamped by the exit stub, vmx/entry.asm) to
 * now, right before the next entry or the end of the run loop.  A HLT's
 * figure holds the time the vCPU slept.
 */
static void vcpu_exit_accounted(struct vcpu *v)
{
	exit_stats_account(v->stats, exit_stats_row(v->exit_reason), rdtsc() - v->exit_tsc);
	v->exit_untimed = false;
}

/* The loop proper; returns when the VM stops. */
static void vcpu_loop(struct vcpu *v, struct ebr_rec *rec)
{
	struct vm *vm = v->vm;
	struct ept_flush *fl = &vm->mmu->flush;
	int id = v->flush_id;

	for (;;) {
		enum exit_action act;
		int rc;

		/* Everything unusual in one test: the common exit loop is short. */
		if (unlikely(v->run_state != VCPU_RUNNABLE || v->timer_deadline ||
			     READ_ONCE(v->intr_pending))) {
			if (vm_is_stopped(vm))
				return;
			if (unlikely(gdb_vcpu_must_hold(v))) {
				vcpu_gdb_hold(v, rec);
				continue;
			}
			if (v->run_state != VCPU_RUNNABLE) {
				vcpu_idle(v, rec);
				continue;
			}
			if (v->timer_deadline) {
				vcpu_check_timer(v);
				vcpu_update_preempt(v);
			}
			if (READ_ONCE(v->intr_pending)) {
				vcpu_try_inject(v);
				if (v->run_state != VCPU_RUNNABLE)
					continue;	/* INIT: back to wait-for-SIPI */
			}
		}

		if (unlikely(!ept_flush_vcpu_enter(fl, id))) {
			ept_flush_vcpu_service(fl, id);
			continue;
		}
		/*
		 * Read after ept_flush_vcpu_enter()'s full fence: vm_stop()
		 * stores the state, fences and then kicks every vCPU, so either
		 * we see STOPPED here or its kick makes the entry below exit.
		 */
		if (unlikely(vm_is_stopped(vm))) {
			ept_flush_vcpu_exit(fl, id);
			return;
		}
		if (v->exit_untimed)
			vcpu_exit_accounted(v);
		rc = vmx_enter(&v->regs, v->launched, &v->host_rsp);
		ept_flush_vcpu_exit(fl, id);
		ebr_quiescent(rec);
		if (unlikely(rc)) {
			vcpu_entry_failed(v, rc);
			return;
		}
		v->launched = true;
		v->exit_untimed = true;
		watchdog_beat(WD_RUNNING, vm->cfg.name, v->id);
		watchdog_poll();
		act = vmx_handle_exit(v);
		if (unlikely(vm->cfg.debug_zap))
			vcpu_test_aids_exit(v);
		if (unlikely(act != EXIT_RESUME)) {
			if (act == EXIT_STOP)
				return;
			WRITE_ONCE(v->run_state, VCPU_HALTED);
			if (v->timer_deadline)
				vcpu_update_preempt(v);
		}
	}
}

void vcpu_run(struct vcpu *v)
{
	struct vm *vm = v->vm;
	struct ebr_rec *rec;

	if (vmx_cpu_on() || vmx_controls_init()) {
		vm_stop(vm, "VMX cannot be used on cpu%u", arch_cpu_id());
		return;
	}
	if (vm->cfg.entry == VM_ENTRY_REAL && !vmx_ctl.unrestricted) {
		vm_stop(vm, "entry=real needs unrestricted guest, which this CPU lacks");
		return;
	}
	ept_mmu_cpu_register(vm->mmu);
	rec = ebr_rec_this(&vm->mmu->ebr);
	v->ebr_rec = rec;
	if (vmcs_setup(v)) {
		vm_stop(vm, "VMCS setup failed on vcpu %u", v->id);
		ept_mmu_cpu_unregister(vm->mmu);
		return;
	}
	v->preempt_val = (u32)(VCPU_SLICE_TICKS >> vmx_ctl.preempt_shift);
	if (vm->cfg.debug_zap)
		vcpu_update_preempt(v);
	vcpu_test_aids_setup(v);
	/* A clean CPU: nothing of an earlier guest, XCR0 = x87 as after reset. */
	host_state_scrub();
	v->xcr0 = 1;
	v->trace = trace_ring_of(arch_cpu_id());
	v->trace_who = TRACE_WHO(TRACE_EXIT, vm->id, v->id);
	WRITE_ONCE(v->run_state, v->id == 0 ? VCPU_RUNNABLE : VCPU_WAIT_SIPI);
	pr_info("vm %s vcpu %u running on cpu%u (vpid %u, eptp %llx)\n", vm->cfg.name, v->id,
		arch_cpu_id(), v->vpid, vm_eptp(vm));

	watchdog_beat(WD_RUNNING, vm->cfg.name, v->id);
	vcpu_test_aids_running(v);
	/* vm=...,gdb: held before the first instruction until GDB lets it go. */
	if (unlikely(gdb_vcpu_must_hold(v)))
		vcpu_gdb_hold(v, NULL);
	ebr_online(rec);
	vcpu_loop(v, rec);
	if (v->exit_untimed)
		vcpu_exit_accounted(v);
	ebr_offline(rec);
	watchdog_beat(WD_OFF, vm->cfg.name, v->id);


	vm_console_flush(vm);
	vcpu_test_aids_report(v);
	vmx_clear(v->vmcs_pa);
	/* Nothing the guest left in the registers stays behind it. */
	host_state_scrub();
	WRITE_ONCE(v->run_state, VCPU_STOPPED);
	ept_mmu_cpu_unregister(vm->mmu);
	/* This CPU runs nothing else: leave VMX operation (VMXOFF, CR4.VMXE off). */
	vmx_cpu_this()->vcpu = NULL;
	vmx_cpu_off();
}
