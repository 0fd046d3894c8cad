; SPDX-License-Identifier: MIT
;
; Interrupt and exception entry stubs for all 256 vectors.  Each stub makes
; the stack look the same (a dummy error code where the CPU pushes none,
; then the vector number), the common path saves every general register
; into a struct trap_frame (arch/x86/traps.h) and calls trap_dispatch().
; The hypervisor runs only in ring 0, so no SWAPGS is needed: GS always
; holds this CPU's per-CPU base.

bits 64
section .text

extern trap_dispatch

; Vectors for which the CPU pushes an error code.
%define HAS_ERR(v) ((v) == 8 || (v) == 10 || (v) == 11 || (v) == 12 || \
			(v) == 13 || (v) == 14 || (v) == 17 || (v) == 21 || \
			(v) == 29 || (v) == 30)

%macro ISR_STUB 1
align 16
isr_stub_%1:
%if HAS_ERR(%1) == 0
	push	0
%endif
	push	%1
	jmp	isr_common
%endmacro

%assign v 0
%rep 256
	ISR_STUB v
%assign v v + 1
%endrep

isr_common:
	push	rax
	push	rbx
	push	rcx
	push	rdx
	push	rsi
	push	rdi
	push	rbp
	push	r8
	push	r9
	push	r10
	push	r11
	push	r12
	push	r13
	push	r14
	push	r15
	cld
	mov	rdi, rsp
	; The CPU aligned RSP to 16 before its pushes; 22 quadwords since
	; keep it aligned for the call.
	call	trap_dispatch
	pop	r15
	pop	r14
	pop	r13
	pop	r12
	pop	r11
	pop	r10
	pop	r9
	pop	r8
	pop	rbp
	pop	rdi
	pop	rsi
	pop	rdx
	pop	rcx
	pop	rbx
	pop	rax
	add	rsp, 16			; vector, error code
	iretq

section .rodata
global isr_stub_table
align 8
isr_stub_table:
%assign v 0
%rep 256
	dq isr_stub_ %+ v
%assign v v + 1
%endrep
