; SPDX-License-Identifier: MIT
;
; VM entry and exit.  The guest's general-purpose registers live in a
; struct vmx_gprs indexed by the hardware register number (rax=0 ... r15=15,
; slot 4 unused: RSP is in the VMCS), so exit handlers decode register
; operands by index.  Keep in sync with vmx/vcpu.h (BUILD_BUG_ON).
;
; CR2 is not switched: VMX leaves it alone and the hypervisor never takes a
; page fault (one would be fatal), so the guest's CR2 simply stays in the
; register across exits.
;
; int vmx_enter(struct vmx_gprs *regs, u64 launched, u64 *host_rsp_cache)
;   Enters the guest; returns 0 after a VM exit, 1 on VMfailInvalid,
;   2 on VMfailValid (VM-instruction error in the VMCS).
;   HOST_RSP is rewritten only when it differs from *host_rsp_cache, so the
;   common path issues no VMWRITE.

bits 64
section .text

%define GPR(n)	((n) * 8)
%define VMCS_HOST_RSP 0x6c14
%define VCPU_EXIT_TSC	(17 * 8)	; offsetof(struct vcpu, exit_tsc): the regs come first

; Load every guest GPR from the struct vmx_gprs at rdi; rdi itself last, as
; it is the base pointer.  MOVs only, so the flags survive (vmx_enter tests
; "launched" before and branches after).
%macro GUEST_GPRS_LOAD 0
	mov	rax, [rdi + GPR(0)]
	mov	rcx, [rdi + GPR(1)]
	mov	rdx, [rdi + GPR(2)]
	mov	rbx, [rdi + GPR(3)]
	mov	rbp, [rdi + GPR(5)]
	mov	rsi, [rdi + GPR(6)]
	mov	r8,  [rdi + GPR(8)]
	mov	r9,  [rdi + GPR(9)]
	mov	r10, [rdi + GPR(10)]
	mov	r11, [rdi + GPR(11)]
	mov	r12, [rdi + GPR(12)]
	mov	r13, [rdi + GPR(13)]
	mov	r14, [rdi + GPR(14)]
	mov	r15, [rdi + GPR(15)]
	mov	rdi, [rdi + GPR(7)]
%endmacro

; Return from vmx_enter with eax as set, the saved regs pointer popped:
; restore the callee-saved registers its prologue pushed.
%macro HOST_RESTORE_RETURN 0
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	rbx
	pop	rbp
	ret
%endmacro

; The same with the regs pointer still on the stack: drop it first.
%macro HOST_RETURN 0
	pop	rdi
	HOST_RESTORE_RETURN
%endmacro

global vmx_enter
global vmx_exit_stub
extern vmx_exit_fastpath

vmx_enter:
	push	rbp
	mov	rbp, rsp
	push	rbx
	push	r12
	push	r13
	push	r14
	push	r15
	push	rdi			; regs pointer, found again at exit at [rsp]

	cmp	rsp, [rdx]		; HOST_RSP already right?
	je	.rsp_ok
	mov	[rdx], rsp
	mov	rax, VMCS_HOST_RSP
	vmwrite	rax, rsp
.rsp_ok:
	test	rsi, rsi
	GUEST_GPRS_LOAD
	jz	.launch			; flags from "test rsi, rsi" (MOVs keep them)
	vmresume
	jmp	.failed
.launch:
	vmlaunch
.failed:
	; VMfail: no exit happened, RSP is as we left it.
	mov	eax, 1
	jc	.out
	mov	eax, 2
.out:
	HOST_RETURN

; HOST_RIP.  The CPU loaded HOST_RSP, so [rsp] is the regs pointer pushed above.
vmx_exit_stub:
	push	rdi			; guest RDI; regs pointer now at [rsp + 8]
	mov	rdi, [rsp + 8]
	mov	[rdi + GPR(0)], rax
	mov	[rdi + GPR(1)], rcx
	mov	[rdi + GPR(2)], rdx
	mov	[rdi + GPR(3)], rbx
	mov	[rdi + GPR(6)], rsi
	pop	qword [rdi + GPR(7)]
	mov	[rdi + GPR(8)], r8
	mov	[rdi + GPR(9)], r9
	mov	[rdi + GPR(10)], r10
	mov	[rdi + GPR(11)], r11
	; RBP and R12-R15 are saved only on the slow path, below: the fast path
	; preserves them (callee-saved) and never reads their slots.
	; The exit's TSC, for the latency histograms (vmx/stats/exit_stats.h);
	; RAX and RDX are saved already.
	rdtsc
	mov	[rdi + VCPU_EXIT_TSC], eax
	mov	[rdi + VCPU_EXIT_TSC + 4], edx
	; Fast path (vmx/exit_fast.c): simple exits are finished right here and
	; the guest resumed without returning to the run loop.  RSP is 16-byte
	; aligned here (HOST_RSP is), as a call needs.
	call	vmx_exit_fastpath	; rdi = regs; returns regs to resume, NULL if not
	test	rax, rax
	jnz	.resume
	; Slow path: the call preserved RBP and R12-R15 (SysV ABI: callee-
	; saved), so they still hold the guest's; save them for the run loop,
	; then back to it with 0 (rax from the fast path).
	pop	rdi
	mov	[rdi + GPR(5)], rbp
	mov	[rdi + GPR(12)], r12
	mov	[rdi + GPR(13)], r13
	mov	[rdi + GPR(14)], r14
	mov	[rdi + GPR(15)], r15
	HOST_RESTORE_RETURN
.resume:
	; RBP and R12-R15 still hold the guest's values (above); the fast path
	; writes only the slots of RAX-RDX (CPUID, VMCALL, IN).  Reload the rest
	; from the regs pointer it returned; RAX, the base, last.
	mov	rcx, [rax + GPR(1)]
	mov	rdx, [rax + GPR(2)]
	mov	rbx, [rax + GPR(3)]
	mov	rsi, [rax + GPR(6)]
	mov	rdi, [rax + GPR(7)]
	mov	r8,  [rax + GPR(8)]
	mov	r9,  [rax + GPR(9)]
	mov	r10, [rax + GPR(10)]
	mov	r11, [rax + GPR(11)]
	mov	rax, [rax + GPR(0)]
	vmresume
	jmp	vmx_enter.failed	; flags tell which failure; RSP is vmx_enter's

section .note.GNU-stack noalloc noexec nowrite progbits
