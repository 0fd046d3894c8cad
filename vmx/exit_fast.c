// SPDX-License-Identifier: MIT
/*
 * The exit fast path, called by vmx/entry.asm right after the guest's
 * registers are saved.  It finishes exits that need nothing but the VMCS
 * and the vCPU's own registers - CPUID, the no-op hypercall, COM1 register
 * accesses that print nothing - and the stub resumes the guest at once,
 * without returning to the run loop.
 *
 * Why this is safe: the vCPU's R11 mode stays IN_GUEST (mm/ept_flush.c), so
 * a flush request or a stop arriving meanwhile is answered with a kick IPI;
 * with interrupts off it stays pending and forces an exit right after the
 * VMRESUME, which takes the slow path and serves it.  The fast path touches
 * no EPT table and no memory map, so it needs no EBR protection; it still
 * reports a quiescent state so that a guest that only ever takes fast exits
 * does not hold grace periods back.  Anything pending on the vCPU itself
 * (a virtual timer, an interrupt to inject) sends the exit the slow way.
 *
 * Every exit is traced here (vmx/stats/trace_ring.h) and timed from the
 * stub's TSC stamp (v->exit_tsc): a fast exit is accounted in its latency
 * histogram at the end, a slow one by the run loop right before the next VM
 * entry (vcpu_exit_accounted()).
 *
 * The stub reloads only the guest registers a C call may clobber, and RBX
 * (CPUID's output): a fast exit must not change the guest's RBP or R12-R15,
 * nor read their slots in @regs, which the stub fills only for the slow
 * path (vmx/entry.asm).
 */
#include "vmx/exit.h"
#include "vmx/guest_state.h"
#include "vmx/exit_io.h"
#include "vmx/exit_fast.h"

#include "arch/x86/cpu.h"
#include "mm/ebr.h"
#include "vmx/stats/exit_stats.h"
#include "vmx/stats/trace_ring.h"
#include "vmx/vm/hypercall.h"
#include "vmx/vmx_ops.h"

struct vmx_gprs *vmx_exit_fastpath(struct vmx_gprs *regs);

/**
 * vmx_exit_fastpath() - finish a simple exit without leaving the stub.
 * @regs: the guest registers, first member of the struct vcpu
 *
 * Return: @regs when the exit is done and the guest can be resumed (the
 * stub reloads the registers from there), NULL for the slow path (the run
 * loop then dispatches the exit as usual).
 */
/*
 * A fast exit is done: count it in row @row (a constant: the increment's
 * address is then one register plus an offset) with its latency, and report
 * the quiescent state.  A fast exit takes far less than 2^32 ticks, so the
 * low halves of the TSC give its latency.
 */
static __always_inline struct vmx_gprs *vmx_exit_fast_done(struct vcpu *v, unsigned int row)
{
	exit_stats_account_short(v->stats, row, (u32)rdtsc() - (u32)v->exit_tsc);
	ebr_quiescent_online(v->ebr_rec);
	return &v->regs;
}

struct vmx_gprs *vmx_exit_fastpath(struct vmx_gprs *regs)
{
	struct vcpu *v = container_of(regs, struct vcpu, regs);
	u32 reason = (u32)vmcs_read(VMCS_EXIT_REASON);
	/* Read once, for the trace and the fast exits' RIP update (VMREADs are never merged). */
	u64 rip = vmcs_read(VMCS_GUEST_RIP);
	struct trace_ring *tr = v->trace;

	/* Every exit passes here first: the slow path uses this copy. */
	v->exit_reason = reason;
	if (tr)
		trace_ring_put_word(tr, v->exit_tsc, v->trace_who_reason, rip);
	/* Both in one test (| rather than ||: no second branch). */
	if (unlikely(v->timer_deadline | v->intr_pending))
		return NULL;
	/* Most often taken first (port I/O: a booting guest's UART, PCI, RTC). */
	if (reason == EXIT_REASON_IO) {
		v = exit_io_fast(v, rip);
		if (!v)
			return NULL;
		return vmx_exit_fast_done(v, EXIT_REASON_IO);
	}
	if (reason == EXIT_REASON_CPUID) {
		/* RIP first: it need not live across the call, nor @v (read back). */
		vmcs_guest_skip_insn_from(rip);
		cpuid_answer(v);
		return vmx_exit_fast_done(vmx_exit_fast_vcpu(), EXIT_REASON_CPUID);
	}
	if (reason == EXIT_REASON_VMCALL && (u32)regs->r[GPR_RAX] == HC_NOP) {
		regs->r[GPR_RAX] = HC_OK;
		vmcs_guest_skip_insn_from(rip);
		return vmx_exit_fast_done(v, EXIT_REASON_VMCALL);
	}
	return NULL;
}
