; SPDX-License-Identifier: MIT
;
; Application-processor start-up trampoline: real mode -> 32-bit protected
; mode -> long mode -> the 64-bit C entry smp_ap_entry(arg).
;
; arch/x86/smp.c copies the bytes between smp_trampoline_start and
; smp_trampoline_end to a page-aligned address T below 1 MiB, fills in the
; data block (struct smp_tramp_data in arch/x86/smp.c; the offsets below
; must match it) and sends the SIPI with vector T >> 12.  The AP starts at
; CS:IP = (T >> 4):0, so the code uses only offsets from the start (the TR()
; macro) and finds T itself from CS.  The linear addresses that far jumps
; and LGDT need (T + offset) are patched in by smp.c before the copy runs.
;
; One AP at a time: the BSP sets "go" and the AP claims the block with an
; XCHG.  An AP that finds go == 0 (the BSP gave up on it, or another AP
; already claimed this start) parks itself and never touches the block.
;
; Page tables: CR3 = the trampoline's own PML4 below 1 MiB (a 32-bit MOV to
; CR3 cannot load more), which identity-maps the low 2 MiB (this code) and
; shares the hypervisor's upper-half entries (the C entry, the stack).  The
; C entry then loads the hypervisor's real CR3.

bits 16

TRAMP_GO	equ 0
TRAMP_CR3	equ 4
TRAMP_EFER	equ 8
TRAMP_CR0	equ 16
TRAMP_CR4	equ 24
TRAMP_ENTRY	equ 32
TRAMP_STACK	equ 40
TRAMP_ARG	equ 48
TRAMP_GDTR	equ 56		; u16 limit, u32 base (LGDT in 16/32-bit mode)
TRAMP_PM32_PTR	equ 62		; far pointer m16:32: u32 offset, u16 selector
TRAMP_LM64_PTR	equ 68		; far pointer m16:32
TRAMP_GDT	equ 80		; 4 descriptors, 8-byte aligned
TRAMP_SIZE	equ 112

SEL_CODE32	equ 0x08
SEL_DATA	equ 0x10
SEL_CODE64	equ 0x18

CR0_PE		equ 1 << 0
CR4_PAE		equ 1 << 5
MSR_EFER	equ 0xc0000080

section .rodata

; TR(label): offset of label from the start of the copied trampoline.
%define TR(x) ((x) - smp_trampoline_start)

align 16
global smp_trampoline_start, smp_trampoline_end, smp_trampoline_data
global smp_trampoline_pm32, smp_trampoline_lm64
smp_trampoline_start:
	cli
	cld
	mov	ax, cs
	mov	ds, ax
	movzx	ebx, ax
	shl	ebx, 4			; ebx = T, the linear base, for later modes

	; Claim this start.  XCHG with memory is locked: exactly one AP sees
	; go != 0.  R1 (publish-after-init, message passing): the claim reads
	; "go" before any field of the block.  Pairs with the store_release of
	; go in smp_start_ap(), which follows every write to the block.
	xor	eax, eax
	xchg	eax, [TR(smp_trampoline_data) + TRAMP_GO]
	test	eax, eax
	jz	.park16

	o32 lgdt [TR(smp_trampoline_data) + TRAMP_GDTR]
	mov	eax, cr0
	or	eax, CR0_PE
	mov	cr0, eax
	jmp	dword far [TR(smp_trampoline_data) + TRAMP_PM32_PTR]

.park16:
	cli
	hlt
	jmp	.park16

bits 32
smp_trampoline_pm32:
	mov	ax, SEL_DATA
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	lea	esi, [ebx + TR(smp_trampoline_data)]

	mov	eax, CR4_PAE
	mov	cr4, eax
	mov	eax, [esi + TRAMP_CR3]
	mov	cr3, eax
	; EFER: LME (and NXE/SCE as the BSP has them); LMA is set by the CPU.
	mov	ecx, MSR_EFER
	mov	eax, [esi + TRAMP_EFER]
	mov	edx, [esi + TRAMP_EFER + 4]
	wrmsr
	; CR0 with PG set: long mode (compatibility) from here.
	mov	eax, [esi + TRAMP_CR0]
	mov	cr0, eax
	jmp	far [esi + TRAMP_LM64_PTR]

bits 64
smp_trampoline_lm64:
	; The upper halves of the registers are undefined after the switch.
	mov	esi, esi
	xor	eax, eax
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	mov	fs, ax
	mov	gs, ax
	; The full CR4 (PGE, OSFXSR, ...) now that paging is on.
	mov	rax, [rsi + TRAMP_CR4]
	mov	cr4, rax
	mov	rsp, [rsi + TRAMP_STACK]
	mov	rdi, [rsi + TRAMP_ARG]
	mov	rax, [rsi + TRAMP_ENTRY]
	; A zero return address and frame pointer end stack traces here.
	xor	ebp, ebp
	push	rbp
	jmp	rax

align 8
smp_trampoline_data:
	times TRAMP_SIZE db 0
smp_trampoline_end:
