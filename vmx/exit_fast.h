/* SPDX-License-Identifier: MIT */
/*
 * What the exit fast path (vmx/exit_fast.c) and the exits it inlines
 * (exit_io_fast()) share about the stack the stub calls them on.
 */
#ifndef VMX_EXIT_FAST_H
#define VMX_EXIT_FAST_H

#include "lib/compiler.h"
#include "vmx/vcpu.h"

/**
 * vmx_exit_fast_vcpu() - the exiting vCPU again, after a call.
 *
 * vmx_enter() pushed the regs pointer where HOST_RSP points, and the stub
 * calls the fast path from there (vmx/entry.asm): in the fast path's frame
 * it is 16 bytes above the frame pointer, past the saved RBP and the
 * stub's return address.  Reading it back after a call, rather than
 * keeping the vCPU in a callee-saved register across the call, spares
 * every fast exit that register's save and restore (a VMCALL makes no
 * call at all).  Only for code inlined into vmx_exit_fastpath(), which is
 * built with frame pointers like all of hv.
 */
static __always_inline struct vcpu *vmx_exit_fast_vcpu(void)
{
	struct vmx_gprs *const *at_host_rsp =
		(struct vmx_gprs *const *)((char *)__builtin_frame_address(0) + 16);

	return container_of(*at_host_rsp, struct vcpu, regs);
}

#endif /* VMX_EXIT_FAST_H */
