; SPDX-License-Identifier: MIT
;
; Hostile guest: take a physical CPU away with the task priority.  A 64-bit
; guest (entry=long, 2 vCPUs).  vCPU 0 starts vCPU 1, checks that CR8 reads
; 0, sets CR8 = 15 (which would mask every vector, the hypervisor's kick and
; ping included, if it reached the physical LAPIC), reads 15 back, reports
; and halts with interrupts off for good.  vCPU 1 waits until vCPU 0 is
; about to halt and stops the VM (HC_EXIT).  The VM must stop, and its CPU
; must answer the hypervisor's ping afterwards.
%include "flat.inc"

AP_BASE		equ 0x8000
FLAG		equ 0x8800		; vCPU 0 -> vCPU 1: "CR8 is 15, halting"

bits 64
org 0x100000
	mov	rsp, 0x90000
	; The AP's real-mode code to 0x8000 (SIPI vector 8).
	lea	rsi, [rel ap_code]
	mov	rdi, AP_BASE
	mov	rcx, ap_code_end - ap_code
	rep movsb
	mov	dword [FLAG], 0
	; x2APIC mode (the LAPIC starts in xAPIC mode), then INIT, SIPI, SIPI to id 1.
	mov	ecx, 0x1b
	rdmsr
	or	eax, 1 << 10
	wrmsr
	mov	ecx, 0x830
	mov	edx, 1
	mov	eax, 0x4500
	wrmsr
	mov	eax, 0x4600 | (AP_BASE >> 12)
	wrmsr
	wrmsr
	mov	rax, cr8
	test	rax, rax
	jnz	fail
	mov	eax, 15
	mov	cr8, rax
	mov	rax, cr8
	cmp	rax, 15
	jne	fail
	mov	eax, 2			; HC_REPORT: PASS, with the text
	xor	ebx, ebx
	lea	rcx, [rel passmsg]
	vmcall
	mov	dword [FLAG], 1
.halt:	cli
	hlt
	jmp	.halt
fail:
	guest_finish 1, {lea rcx, [rel failmsg]}

passmsg: db	"CR8 reads back 15; halting with interrupts off", 0
failmsg: db	"CR8 did not read back as written", 0

; vCPU 1: real mode at 0800:0000.  Waits for the flag, gives vCPU 0 time to
; reach its HLT, then stops the VM.
bits 16
ap_code:
	cli
	xor	ax, ax
	mov	ds, ax
.wait:	cmp	dword [FLAG], 1
	je	.go
	pause
	jmp	.wait
.go:	mov	ecx, 200000
.delay:	pause
	loop	.delay, ecx
	mov	eax, 3			; HC_EXIT, code 0
	xor	ebx, ebx
	vmcall
	jmp	$
ap_code_end:
