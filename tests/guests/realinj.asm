; SPDX-License-Identifier: MIT
;
; Exception injection into real mode entered without an exit.  Starts in
; 32-bit protected mode (entry=prot), copies its real-mode half to 0x8000,
; goes through a 16-bit code segment and clears CR0.PE: with unrestricted
; guest that MOV to CR0 does not exit, so only the VMCS knows the guest is
; in real mode now.  Then RDMSR of an unknown MSR makes hv inject #GP, which
; real mode takes through the IVT with no error code (hardware would push
; none; an entry with one fails).  The handler skips the RDMSR and the guest
; reports.
%include "flat.inc"

RM_BASE		equ 0x8000

bits 32
org 0x100000
	cli
	mov	esp, 0x90000
	mov	esi, section.rm.start
	mov	edi, RM_BASE
	mov	ecx, rm_end - rm_start
	rep movsb
	lgdt	[gdtr]
	jmp	0x08:RM_BASE

	align	8
gdt:	dq	0
	dq	0x00009a000000ffff	; 0x08: 16-bit code, base 0, limit 0xffff
	dq	0x000092000000ffff	; 0x10: 16-bit data
gdtr:	dw	3 * 8 - 1
	dd	gdt

section rm follows=.text vstart=RM_BASE align=16
bits 16
rm_start:
	mov	ax, 0x10
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	eax, cr0
	and	eax, ~1
	mov	cr0, eax		; PE = 0: no exit with unrestricted guest
	jmp	0:rm_real
rm_real:
	xor	ax, ax
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	sp, 0x7000
	mov	word [13 * 4], gp_handler
	mov	word [13 * 4 + 2], 0
	mov	ecx, 0x4d0		; unknown MSR: hv injects #GP
	rdmsr
	cmp	byte [gp_seen], 1
	jne	fail
	mov	eax, cr0
	test	al, 1
	jnz	fail
	guest_finish 0, {mov ecx, passmsg}
fail:
	guest_finish 1, {mov ecx, failmsg}

; #GP in real mode: no error code on the stack, just IP, CS, FLAGS.
gp_handler:
	mov	byte [gp_seen], 1
	push	bp
	mov	bp, sp
	add	word [bp + 2], 2	; past the 2-byte RDMSR
	pop	bp
	iret

gp_seen:	db	0
passmsg:	db	"#GP taken through the real-mode IVT after a CR0.PE change without an exit", 0
failmsg:	db	"the #GP did not arrive as a real-mode exception", 0
rm_end:
