; SPDX-License-Identifier: MIT
;
; 32-bit entry from a multiboot2 loader to 64-bit C (hv_main, boot/hv_main.c).
;
; Trusts nothing: COM1 is programmed first so that every failure can say
; why; EAX must hold the multiboot2 magic; CPUID must exist and report long
; mode.  The code is position-independent: GRUB may load the image above
; its link address (relocatable tag in header.asm) and says where in the
; "load base address" tag.  Then boot page tables (in .boot.bss) map
;   - 0..4 GiB identity (this code, and the info structure, which multiboot2
;     places below 4 GiB),
;   - 0..4 GiB again at the direct-map base (DIRECT_MAP_BASE in
;     arch/x86/paging.h), so pointers the C code derives from physical
;     addresses stay valid after paging_init() drops the identity map,
;   - 0..2 GiB at KERNEL_VMA (the -mcmodel=kernel image window), shifted
;     by the load delta,
; all with 2 MiB pages.  Progress digits go to port 0xE9 (Bochs/QEMU debug
; console) and COM1: "hv: early 12345" means the CPU reached 64-bit C.

bits 32

MB2_BOOTLOADER_MAGIC	equ 0x36d76289
MB2_TAG_LOAD_BASE_ADDR	equ 21
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

extern _image_start_pa

section .boot.text progbits alloc exec nowrite align=16

; The 16550 set-up needs no stack, so it runs before anything is trusted.
%macro EARLY_SERIAL_INIT 0
	mov	dx, COM1 + 1
	xor	al, al
	out	dx, al			; IER = 0
	mov	dx, COM1 + 3
	mov	al, 0x80
	out	dx, al			; LCR.DLAB
	mov	dx, COM1 + 0
	mov	al, 1
	out	dx, al			; DLL: 115200 baud
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
%endmacro

; From here to the 64-bit jump, ebp holds the load delta: where the loader
; put the image minus where it was linked (0 unless GRUB relocated it,
; see the relocatable tag in header.asm).  Every address of .boot is used
; as [symbol + ebp].
global _start
_start:
	cli
	cld
	mov	esi, eax		; multiboot magic
	mov	edi, ebx		; info structure (physical)
	EARLY_SERIAL_INIT

	; The load delta, from the "load base address" tag.  No stack yet
	; (multiboot2 leaves ESP undefined), so this walk uses registers only
	; and stops at the end tag, at total_size, or at a tag shorter than
	; its header.  A multiboot1 loader (wrong magic) loads at the link
	; address: delta 0.
	xor	ebp, ebp
	cmp	esi, MB2_BOOTLOADER_MAGIC
	jne	.have_delta
	lea	ecx, [edi + 8]
	mov	edx, [edi]		; total_size
	add	edx, edi
.scan:
	lea	eax, [ecx + 16]
	cmp	eax, edx
	ja	.have_delta
	mov	eax, [ecx]		; type
	test	eax, eax
	jz	.have_delta
	cmp	eax, MB2_TAG_LOAD_BASE_ADDR
	jne	.next_tag
	mov	ebp, [ecx + 8]
	sub	ebp, _image_start_pa
	jmp	.have_delta
.next_tag:
	mov	eax, [ecx + 4]		; size
	cmp	eax, 8
	jb	.have_delta
	add	eax, 7
	and	eax, ~7
	add	ecx, eax
	jmp	.scan
.have_delta:
	lea	esp, [boot32_stack_top + ebp]

	lea	ebx, [msg_early + ebp]
	call	early_puts
	mov	al, '1'
	call	early_putc

	cmp	esi, MB2_BOOTLOADER_MAGIC
	jne	.bad_magic

	; With a stack, check the tag against where this code really runs,
	; and that the delta suits the 2 MiB pages of the boot tables.
	call	.where
.where:
	pop	eax
	sub	eax, .where
	cmp	eax, ebp
	jne	.bad_load
	test	ebp, 0x1fffff
	jnz	.bad_load
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
	push	edx			; keep NX (bit 20) for EFER below
	mov	al, '3'
	call	early_putc

	; Boot page tables: zero them (the loader zeroes .bss, but a loader
	; is not trusted), then fill.
	push	edi
	lea	edi, [boot_pt_start + ebp]
	mov	ecx, (boot_pt_end - boot_pt_start) / 4
	xor	eax, eax
	rep stosd
	pop	edi

	; Four page directories: 2048 x 2 MiB identity entries = 4 GiB
	; (the high dword stays 0: every address is below 4 GiB).
	lea	ebx, [boot_pd + ebp]
	xor	ecx, ecx
.fill_pd:
	mov	eax, ecx
	shl	eax, 21
	or	eax, PTE_P | PTE_W | PTE_PS
	mov	[ebx + ecx * 8], eax
	inc	ecx
	cmp	ecx, 2048
	jb	.fill_pd

	; Two directories for the 2 GiB KERNEL_VMA window: entry i maps the
	; link address i * 2 MiB to where the loader put it (delta is 2 MiB
	; aligned, header.asm asks for that).
	lea	ebx, [boot_pd_high + ebp]
	xor	ecx, ecx
.fill_pd_high:
	mov	eax, ecx
	shl	eax, 21
	add	eax, ebp
	or	eax, PTE_P | PTE_W | PTE_PS
	mov	[ebx + ecx * 8], eax
	inc	ecx
	cmp	ecx, 1024
	jb	.fill_pd_high

	; Low PDPT: entries 0..3 -> the four identity directories.
	xor	ecx, ecx
.fill_pdpt:
	mov	eax, ecx
	shl	eax, 12
	lea	eax, [eax + boot_pd + ebp + PTE_P + PTE_W]
	mov	[boot_pdpt_low + ebp + ecx * 8], eax
	inc	ecx
	cmp	ecx, 4
	jb	.fill_pdpt

	; High PDPT: entries 510, 511 -> the KERNEL_VMA window.
	lea	eax, [boot_pd_high + ebp + PTE_P + PTE_W]
	mov	[boot_pdpt_high + ebp + 510 * 8], eax
	add	eax, 4096
	mov	[boot_pdpt_high + ebp + 511 * 8], eax

	lea	eax, [boot_pdpt_low + ebp + PTE_P + PTE_W]
	mov	[boot_pml4 + ebp + 0 * 8], eax		; identity
	mov	[boot_pml4 + ebp + 256 * 8], eax	; direct map (0xffff800000000000)
	lea	eax, [boot_pdpt_high + ebp + PTE_P + PTE_W]
	mov	[boot_pml4 + ebp + 511 * 8], eax

	mov	eax, cr4
	or	eax, CR4_PAE
	mov	cr4, eax
	lea	eax, [boot_pml4 + ebp]
	mov	cr3, eax

	pop	ebx			; CPUID 0x80000001 EDX (EDX is EFER's high half below)
	mov	ecx, MSR_EFER
	rdmsr
	or	eax, EFER_LME
	test	ebx, 1 << 20
	jz	.no_nx
	or	eax, EFER_NXE
.no_nx:
	wrmsr

	mov	eax, cr0
	or	eax, CR0_PG | CR0_PE | CR0_WP
	mov	cr0, eax
	mov	al, '4'
	call	early_putc

	; The GDT descriptor holds an absolute address: patch it for the delta.
	lea	eax, [boot_gdt + ebp]
	mov	[boot_gdt_desc + ebp + 2], eax
	lgdt	[boot_gdt_desc + ebp]
	; Far jump to 64-bit code at its loaded address.
	push	0x08
	lea	eax, [long_entry + ebp]
	push	eax
	retf

.bad_magic:
	lea	ebx, [msg_bad_magic + ebp]
	call	early_puts
	mov	eax, esi
	call	early_puthex
	lea	ebx, [msg_bad_magic_end + ebp]
	call	early_puts
	jmp	early_stop

.bad_load:
	; eax = the real delta: use it for the messages from here on.
	mov	ebp, eax
	mov	edi, eax
	lea	ebx, [msg_bad_load + ebp]
	call	early_puts
	lea	eax, [edi + _image_start_pa]
	call	early_puthex
	lea	ebx, [msg_bad_load_end + ebp]
	call	early_puts
	jmp	early_stop

.no_long_mode:
	lea	ebx, [msg_no_lm + ebp]
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
	mov	al, [hex_digits + ebp + eax]
	call	early_putc
	dec	ebx
	jnz	.digit
	pop	esi
	ret

bits 64
long_entry:
	mov	r14d, ebp		; load delta, zero-extended (upper halves are undefined)
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
msg_bad_load:		db 13, 10, "hv: image runs at 0x", 0
msg_bad_load_end:	db ", which is not what the load base address tag says or not 2 MiB aligned; halting", 13, 10, 0
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
boot_pd_high:	resb 2 * 4096
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

; Load delta of the image (physical = link physical + delta); read by C
; (arch/x86/paging.h).  In .data: the .bss clearing must not wipe it.
section .data
global boot_image_delta
align 8
boot_image_delta:	dq 0

section .text
extern hv_main
extern _bss_start, _bss_end

; Running at KERNEL_VMA now.  esi = magic, edi = info physical address,
; r14 = load delta.
high_entry:
	mov	r12d, esi
	mov	r13d, edi
	mov	rdi, _bss_start
	mov	rcx, _bss_end
	sub	rcx, rdi
	shr	rcx, 3
	xor	eax, eax
	rep stosq
	mov	[rel boot_image_delta], r14
	mov	rsp, boot_stack_top
	xor	ebp, ebp		; ends the frame-pointer chain
	mov	edi, r12d
	mov	esi, r13d
	call	hv_main
.hang:
	cli
	hlt
	jmp	.hang
