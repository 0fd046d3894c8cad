; SPDX-License-Identifier: MIT
;
; A real-mode guest (entry=real, needs unrestricted guest): loaded at
; 0x10000 and started at 1000:0000.  Prints through COM1, checks CPUID and a
; real-mode memory access, reports through VMCALL with 32-bit registers.
%include "flat.inc"

bits 16
org 0
	cli
	mov	ax, cs
	mov	ds, ax
	mov	ss, ax
	mov	sp, 0xfff0
	; COM1: 8N1, divisor 1
	mov	dx, 0x3fb
	mov	al, 0x83
	out	dx, al
	mov	dx, 0x3f8
	mov	al, 1
	out	dx, al
	mov	dx, 0x3fb
	mov	al, 0x03
	out	dx, al
	mov	si, hello
	call	puts
	; CR0.PE must read 0: we really are in real mode.
	mov	eax, cr0
	test	al, 1
	jnz	fail
	; CPUID hypervisor leaf works here too.
	mov	eax, 0x40000000
	cpuid
	cmp	ebx, 0x76687668
	jne	fail
	; Segment arithmetic: write through ES = 0x2000 (linear 0x20000), read back flat.
	mov	ax, 0x2000
	mov	es, ax
	mov	dword [es:0x10], 0x12345678
	mov	ax, 0x2001
	mov	es, ax
	cmp	dword [es:0], 0x12345678
	jne	fail
	mov	si, ok
	call	puts
	; the text's guest-physical address: loaded at 0x10000
	guest_finish 0, {mov ecx, 0x10000 + passmsg}
fail:
	mov	si, bad
	call	puts
	guest_finish 1, {mov ecx, 0x10000 + failmsg}

	guest_puts

hello:	db	"real mode guest: hello from 1000:0000", 10, 0
ok:	db	"real mode guest: CR0.PE=0, CPUID and segments fine", 10, 0
bad:	db	"real mode guest: a check failed", 10, 0
passmsg: db	"real mode checks passed", 0
failmsg: db	"real mode check failed", 0
