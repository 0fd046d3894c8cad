; SPDX-License-Identifier: MIT
;
; Entry of a 32-bit test guest (entry=prot): the hypervisor starts vCPU 0 at
; the first byte of the image (0x100000) in flat protected mode with
; EAX = boot magic, EBX = memory bytes, ECX = vCPU id.  Set up a stack and
; the IDT, run guest_main(), report and stop.
;
; Exceptions: every vector has a stub that pushes the vector; if a gtry()
; is active the stub abandons the faulting code and returns the vector from
; gtry(), else the exception is reported as a failure.

%include "idt_stubs.inc"

bits 32
section .text.start
global _start
extern guest_start
_start:
	cli
	mov	esp, guest_stack_top
	mov	[guest_boot_magic], eax
	mov	[guest_mem_bytes], ebx
	mov	[guest_vcpu_id], ecx
	call	guest_idt_init
	call	guest_start		; never returns
.hang:	cli
	hlt
	jmp	.hang

section .text
global gtry
global guest_idt_load
extern guest_exception
extern guest_irq

; Builds the 256 gates from the stub table.
guest_idt_init:
	xor	ecx, ecx
.loop:	mov	eax, [stub_table + ecx * 4]
	mov	word [idt + ecx * 8], ax
	mov	word [idt + ecx * 8 + 2], 0x08
	mov	word [idt + ecx * 8 + 4], 0x8e00	; present, DPL 0, 32-bit interrupt gate
	shr	eax, 16
	mov	word [idt + ecx * 8 + 6], ax
	inc	ecx
	cmp	ecx, 256
	jne	.loop
guest_idt_load:
	lidt	[idtr]
	ret

; int gtry(void (*fn)(void *), void *arg)
gtry:
	push	ebp
	push	ebx
	push	esi
	push	edi
	mov	eax, [esp + 20]
	mov	ecx, [esp + 24]
	mov	[try_esp], esp
	push	ecx
	call	eax
	add	esp, 4
	mov	eax, -1
try_out:
	mov	dword [try_esp], 0
	pop	edi
	pop	esi
	pop	ebx
	pop	ebp
	ret

; Common path: [esp] = vector, [esp+4] = error code (0 if none), then the CPU frame.
exc_common:
	cmp	dword [esp], 32
	jae	.irq
	mov	eax, [esp]
	cmp	dword [try_esp], 0
	je	.fatal
	mov	esp, [try_esp]
	jmp	try_out
.fatal:
	push	dword [esp + 8]		; faulting EIP
	push	dword [esp + 8]		; error code
	push	eax			; vector
	call	guest_exception		; reports and stops
.irq:
	pusha
	push	dword [esp + 32]	; vector
	call	guest_irq
	add	esp, 4
	popa
	add	esp, 8
	iret

IDT_STUBS exc_common

section .data
align 4
stub_table:
	IDT_STUB_TABLE

idtr:
	dw	256 * 8 - 1
	dd	idt

global guest_boot_magic, guest_mem_bytes, guest_vcpu_id
guest_boot_magic: dd 0
guest_mem_bytes: dd 0
guest_vcpu_id: dd 0
try_esp: dd 0

section .bss
align 8
idt:	resb	256 * 8
align 16
	resb	16384
guest_stack_top:
