; SPDX-License-Identifier: MIT
;
; 32-bit entry from a multiboot2 loader to 64-bit C (hv_main).
;
; Trusts nothing: COM1 is programmed first so that every failure can say
; why; EAX must hold the multiboot2 magic; CPUID must exist and report long
; mode.  Then boot page tables (in .boot.bss) map
;   - 0..4 GiB identity (this code, and the info structure, which multiboot2
;     places below 4 GiB),
;   - 0..4 GiB again at the direct-map base (DIRECT_MAP_BASE in
;     arch/x86/paging.h), so pointers the C code derives from physical
;     addresses stay valid after paging_init() drops the identity map,
;   - 0..2 GiB at KERNEL_VMA (the -mcmodel=kernel image window),
; all with 2 MiB pages.  Progress digits go to port 0xE9 (Bochs/QEMU debug
; console) and COM1: "hv: early 12345" means the CPU reached 64-bit C.

bits 32

MB2_BOOTLOADER_MAGIC	equ 0x36d76289
KERNEL_VMA		equ 0xffffffff80000000
COM1			equ 0x3f8

CR0_PE			equ 1 << 0
CR0_WP			equ 1 << 16
CR0_PG			equ 1 << 31
CR4_PAE			equ 1 << 5
MSR_EFER		equ 0xc0000080
EFER_LME		equ 1 << 8
EFER_NXE		equ 1 << 11

PTE_P			equ 1 << 0
PTE_W			equ 1 << 1
PTE_PS			equ 1 << 7

section .boot.text progbits alloc exec nowrite align=16

global _start
_start:
	cli
	cld
	mov	esi, eax		; multiboot magic
	mov	edi, ebx		; info structure (physical)
	mov	esp, boot32_stack_top

	call	early_serial_init
	mov	ebx, msg_early
	call	early_puts
	mov	al, '1'
	call	early_putc

	cmp	esi, MB2_BOOTLOADER_MAGIC
	jne	.bad_magic
	mov	al, '2'
	call	early_putc

	; CPUID exists iff EFLAGS.ID (bit 21) can be toggled.
	pushfd
	pop	eax
	mov	ecx, eax
	xor	eax, 1 << 21
	push	eax
	popfd
	pushfd
	pop	eax
	push	ecx
	popfd
	xor	eax, ecx
	test	eax, 1 << 21
	jz	.no_long_mode

	mov	eax, 0x80000000
	cpuid
	cmp	eax, 0x80000001
	jb	.no_long_mode
	mov	eax, 0x80000001
	cpuid
	test	edx, 1 << 29		; LM
	jz	.no_long_mode
	mov	ebp, edx		; keep NX (bit 20) for EFER below
	mov	al, '3'
	call	early_putc

	; Boot page tables: zero them (the loader zeroes .bss, but a loader
	; is not trusted), then fill.
	push	edi
	mov	edi, boot_pt_start
	mov	ecx, (boot_pt_end - boot_pt_start) / 4
	xor	eax, eax
	rep stosd
	pop	edi

	; Four page directories: 2048 x 2 MiB identity entries = 4 GiB.
	mov	ebx, boot_pd
	xor	ecx, ecx
.fill_pd:
	mov	eax, ecx
	shl	eax, 21
	or	eax, PTE_P | PTE_W | PTE_PS
	mov	[ebx + ecx * 8], eax
	mov	eax, ecx
	shr	eax, 11			; bits 32+ of (ecx << 21)
	mov	[ebx + ecx * 8 + 4], eax
	inc	ecx
	cmp	ecx, 2048
	jb	.fill_pd

	; Low PDPT: entries 0..3 -> the four directories.
	xor	ecx, ecx
.fill_pdpt:
	mov	eax, ecx
	shl	eax, 12
	add	eax, boot_pd
	or	eax, PTE_P | PTE_W
	mov	[boot_pdpt_low + ecx * 8], eax
	inc	ecx
	cmp	ecx, 4
	jb	.fill_pdpt

	; High PDPT: entries 510, 511 -> first two GiB (KERNEL_VMA window).
	mov	eax, boot_pd + PTE_P + PTE_W
	mov	[boot_pdpt_high + 510 * 8], eax
	add	eax, 4096
	mov	[boot_pdpt_high + 511 * 8], eax

	mov	eax, boot_pdpt_low + PTE_P + PTE_W
	mov	[boot_pml4 + 0 * 8], eax	; identity
	mov	[boot_pml4 + 256 * 8], eax	; direct map (0xffff800000000000)
	mov	eax, boot_pdpt_high + PTE_P + PTE_W
	mov	[boot_pml4 + 511 * 8], eax

	mov	eax, cr4
	or	eax, CR4_PAE
	mov	cr4, eax
	mov	eax, boot_pml4
	mov	cr3, eax

	mov	ecx, MSR_EFER
	rdmsr
	or	eax, EFER_LME
	test	ebp, 1 << 20
	jz	.no_nx
	or	eax, EFER_NXE
.no_nx:
	wrmsr

	mov	eax, cr0
	or	eax, CR0_PG | CR0_PE | CR0_WP
	mov	cr0, eax
	mov	al, '4'
	call	early_putc

	lgdt	[boot_gdt_desc]
	jmp	0x08:long_entry

.bad_magic:
	mov	ebx, msg_bad_magic
	call	early_puts
	mov	eax, esi
	call	early_puthex
	mov	ebx, msg_bad_magic_end
	call	early_puts
	jmp	early_stop

.no_long_mode:
	mov	ebx, msg_no_lm
	call	early_puts
	jmp	early_stop

; Wait until the UART has sent everything (LSR.TEMT), then halt for good.
early_stop:
	mov	ecx, 1000000
.drain:
	mov	dx, COM1 + 5
	in	al, dx
	test	al, 1 << 6
	jnz	.halt
	pause
	loop	.drain
.halt:
	cli
	hlt
	jmp	.halt

; COM1: 115200 baud (divisor 1), 8N1, FIFOs on, no interrupts.
early_serial_init:
	mov	dx, COM1 + 1
	xor	al, al
	out	dx, al			; IER = 0
	mov	dx, COM1 + 3
	mov	al, 0x80
	out	dx, al			; LCR.DLAB
	mov	dx, COM1 + 0
	mov	al, 1
	out	dx, al			; DLL
	mov	dx, COM1 + 1
	xor	al, al
	out	dx, al			; DLM
	mov	dx, COM1 + 3
	mov	al, 0x03
	out	dx, al			; 8N1
	mov	dx, COM1 + 2
	mov	al, 0xc7
	out	dx, al			; FIFO enable + clear, 14-byte threshold
	mov	dx, COM1 + 4
	mov	al, 0x03
	out	dx, al			; DTR | RTS
	ret

; al = byte; to port 0xE9 and COM1 (bounded wait for THRE: a missing UART
; reads 0xff, which has THRE set, so this never hangs).  Clobbers ecx, edx.
early_putc:
	out	0xe9, al
	mov	ah, al
	mov	ecx, 100000
.wait:
	mov	dx, COM1 + 5
	in	al, dx
	test	al, 1 << 5
	jnz	.send
	pause
	loop	.wait
.send:
	mov	dx, COM1
	mov	al, ah
	out	dx, al
	ret

; ebx = NUL-terminated string.
early_puts:
	mov	al, [ebx]
	test	al, al
	jz	.done
	call	early_putc
	inc	ebx
	jmp	early_puts
.done:
	ret

; eax = value, printed as 8 hex digits.
early_puthex:
	push	esi
	mov	esi, eax
	mov	ebx, 8
.digit:
	rol	esi, 4
	mov	eax, esi
	and	eax, 0xf
	mov	al, [hex_digits + eax]
	call	early_putc
	dec	ebx
	jnz	.digit
	pop	esi
	ret

bits 64
long_entry:
	mov	ax, 0x10
	mov	ds, ax
	mov	es, ax
	mov	ss, ax
	xor	eax, eax
	mov	fs, ax
	mov	gs, ax
	mov	al, '5'
	call	early_putc64
	mov	rax, high_entry
	jmp	rax

early_putc64:
	out	0xe9, al
	mov	dx, COM1
	out	dx, al
	ret

section .boot.data progbits alloc noexec write align=16

msg_early:		db "hv: early ", 0
msg_bad_magic:		db 13, 10, "hv: not booted by a multiboot2 loader (magic 0x", 0
msg_bad_magic_end:	db "); halting", 13, 10, 0
msg_no_lm:		db 13, 10, "hv: this CPU has no long mode (x86-64); halting", 13, 10, 0
hex_digits:		db "0123456789abcdef"

align 16
boot_gdt:
	dq 0
	dq 0x00af9a000000ffff		; 0x08: 64-bit code, DPL 0
	dq 0x00cf92000000ffff		; 0x10: data, DPL 0
boot_gdt_end:
boot_gdt_desc:
	dw boot_gdt_end - boot_gdt - 1
	dd boot_gdt

section .boot.bss nobits alloc noexec write align=4096

boot_pt_start:
boot_pml4:	resb 4096
boot_pdpt_low:	resb 4096
boot_pdpt_high:	resb 4096
boot_pd:	resb 4 * 4096
boot_pt_end:
		resb 4096
boot32_stack_top:

; The BSP's 64-bit boot stack, in the high image.  The page below it is a
; guard: arch/x86/paging.c leaves it unmapped, so an overflow faults.
section .bss.page_aligned nobits alloc noexec write align=4096
global boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:	resb 4096
boot_stack_bottom:	resb 16384
boot_stack_top:

section .text
extern hv_main
extern _bss_start, _bss_end

; Running at KERNEL_VMA now.  esi = magic, edi = info physical address.
high_entry:
	mov	r12d, esi
	mov	r13d, edi
	mov	rdi, _bss_start
	mov	rcx, _bss_end
	sub	rcx, rdi
	shr	rcx, 3
	xor	eax, eax
	rep stosq
	mov	rsp, boot_stack_top
	xor	ebp, ebp		; ends the frame-pointer chain
	mov	edi, r12d
	mov	esi, r13d
	call	hv_main
.hang:
	cli
	hlt
	jmp	.hang
