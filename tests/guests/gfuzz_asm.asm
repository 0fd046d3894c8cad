; SPDX-License-Identifier: MIT
;
; The guest fuzzer's low level (tests/guests/gfuzz.c): the 256 IDT entry
; stubs (lib/idt_stubs.inc) and their common path, a per-vCPU try/abort pair, the ring-3 entry
; and a stack switch.  Unlike lib/start.asm's gtry(), nothing here is
; global state: every vCPU passes its own jump buffer, so several vCPUs
; fault at the same time.
;
; The common path saves the registers, loads the kernel data segments and
; clears DF (ring-3 code may have changed both), and calls
; gf_trap(struct gf_frame *).  gf_trap either returns (IRET back: an
; interrupt, a single step) or calls gf_longjmp() to abandon the faulting
; code and return from gf_try().

%include "idt_stubs.inc"

bits 32
section .text

global gf_stub_table, gf_try, gf_longjmp, gf_to_user, gf_on_stack
extern gf_trap

KERNEL_DS	equ	0x10
USER_CS		equ	0x1b
USER_DS		equ	0x23

; struct gf_jmp { u32 esp; u32 active; }

; int gf_try(struct gf_jmp *jb, void (*fn)(void *), void *arg)
; Runs fn(arg): -1 if it returned, else the value given to gf_longjmp().
gf_try:
	push	ebp
	push	ebx
	push	esi
	push	edi
	mov	eax, [esp + 20]
	mov	ecx, [esp + 24]
	mov	edx, [esp + 28]
	mov	[eax], esp
	mov	dword [eax + 4], 1
	push	edx
	call	ecx
	add	esp, 4
	mov	eax, [esp + 20]
	mov	dword [eax + 4], 0
	mov	eax, -1
.out:
	pop	edi
	pop	esi
	pop	ebx
	pop	ebp
	ret

; void gf_longjmp(struct gf_jmp *jb, int val) - back into gf_try's frame,
; with interrupts off, DF clear and no other flag set.
gf_longjmp:
	mov	eax, [esp + 4]
	mov	edx, [esp + 8]
	mov	esp, [eax]
	mov	dword [eax + 4], 0
	push	dword 2
	popfd
	mov	eax, edx
	jmp	gf_try.out

; void gf_to_user(struct gf_uregs *r) - IRET to ring 3 with r's registers
; (eax, ebx, ecx, edx, esi, edi, ebp, esp, eip, eflags) and the user data
; selector in every data segment register.  Never returns: the block ends
; with a trap whose handler calls gf_longjmp().
gf_to_user:
	mov	esi, [esp + 4]
	push	dword USER_DS		; SS
	push	dword [esi + 28]	; ESP
	push	dword [esi + 36]	; EFLAGS
	push	dword USER_CS		; CS
	push	dword [esi + 32]	; EIP
	mov	eax, [esi + 0]
	mov	ebx, [esi + 4]
	mov	ecx, [esi + 8]
	mov	edx, [esi + 12]
	mov	edi, [esi + 20]
	mov	ebp, [esi + 24]
	push	dword [esi + 16]
	push	eax
	mov	ax, USER_DS
	mov	ds, ax
	mov	es, ax
	mov	fs, ax
	mov	gs, ax
	pop	eax
	pop	esi
	iretd

; void gf_on_stack(void (*fn)(u32), u32 arg, void *top) - call fn(arg) on
; the stack that ends at top; fn must not return.
gf_on_stack:
	mov	eax, [esp + 4]
	mov	edx, [esp + 8]
	mov	esp, [esp + 12]
	push	edx
	call	eax
.hang:	cli
	hlt
	jmp	.hang

; Common path: [esp] = vector, [esp + 4] = error code (0 if none), then
; the CPU's frame (lib/idt_stubs.inc).  struct gf_frame in gfuzz.c follows
; this layout.
trap_common:
	pushad
	push	ds
	push	es
	push	fs
	push	gs
	mov	ax, KERNEL_DS
	mov	ds, ax
	mov	es, ax
	cld
	push	esp
	call	gf_trap
	add	esp, 4
	pop	gs
	pop	fs
	pop	es
	pop	ds
	popad
	add	esp, 8
	iretd

IDT_STUBS trap_common

section .rodata
align 4
gf_stub_table:
	IDT_STUB_TABLE
