; SPDX-License-Identifier: MIT
;
; A 64-bit guest (entry=long): started at 0x100000 in long mode with the
; hypervisor's identity map.  Checks it is in 64-bit mode with paging, uses
; a 64-bit hypercall argument, reports.
%include "flat.inc"

bits 64
org 0x100000
	mov	rsp, 0x90000
	lea	rsi, [rel hello]
	call	puts
	mov	rax, cr0
	bt	rax, 31			; PG
	jnc	fail
	mov	ecx, 0xc0000080
	rdmsr
	bt	eax, 10			; EFER.LMA
	jnc	fail
	; A high address through the identity map: 3 GiB + 1 MiB is outside RAM,
	; so only touch RAM: write/read at 2 MiB via a 64-bit pointer.
	mov	rdi, 0x200000
	mov	rax, 0x1122334455667788
	mov	[rdi], rax
	cmp	[rdi], rax
	jne	fail
	mov	eax, 0			; HC_INFO: RBX version, RCX memory
	vmcall
	cmp	rbx, 1
	jne	fail
	lea	rsi, [rel ok]
	call	puts
	guest_finish 0, {lea rcx, [rel passmsg]}
fail:
	guest_finish 1, {lea rcx, [rel failmsg]}

	guest_puts

hello:	db	"long mode guest: hello", 10, 0
ok:	db	"long mode guest: paging, EFER.LMA and 64-bit hypercalls fine", 10, 0
passmsg: db	"long mode checks passed", 0
failmsg: db	"long mode check failed", 0
