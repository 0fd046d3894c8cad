; SPDX-License-Identifier: MIT
;
; Real-mode start of a test guest's AP, copied by the smp guest to 0x8000
; (SIPI vector 0x08).  The BSP patches the entry point and the stack area
; before sending INIT-SIPI-SIPI.  Switches to the boot GDT the hypervisor
; put at 0x7000 and calls entry(index) in 32-bit protected mode.

bits 16
org 0x8000
	jmp	short start
	align	8
entry:		dd 0		; 0x8008: C entry, void entry(u32 index)
stack_base:	dd 0		; 0x800c: stacks, 4 KiB per AP, index 1..
ap_count:	dd 0		; 0x8010: APs started so far
gdtr:		dw 31		; 0x8014
		dd 0x7000
start:
	cli
	xor	ax, ax
	mov	ds, ax
	lgdt	[gdtr]
	mov	eax, cr0
	or	eax, 1
	mov	cr0, eax
	jmp	dword 0x08:pm32

bits 32
pm32:
	mov	ax, 0x10
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	fs, ax
	mov	gs, ax
	mov	eax, 1
	lock xadd [ap_count], eax
	inc	eax			; index = 1, 2, ...
	mov	ebx, eax
	shl	ebx, 12
	add	ebx, [stack_base]
	mov	esp, ebx
	push	eax
	call	[entry]
.hang:
	cli
	hlt
	jmp	.hang
