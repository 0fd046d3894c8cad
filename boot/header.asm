; SPDX-License-Identifier: MIT
;
; Loader headers, first in the image (.boot.header is placed first by
; linker.ld, so both lie well inside the file's first 8 KiB).
;
; multiboot2: the real boot protocol.  The information request asks GRUB for
; everything hv_main() reads: command line, loader name, modules, memory map,
; EFI memory map, both ACPI RSDP copies, the "EFI boot services not
; terminated" flag and the load base address (the image is relocatable).
;
; multiboot1 (address kludge): only so that a multiboot1 loader (QEMU
; -kernel, GRUB's "multiboot") can start the very same image and exercise the
; wrong-magic path in entry.asm.  It loads just the .boot part, which is all
; that path needs.

bits 32

MB2_MAGIC	equ 0xe85250d6
MB2_ARCH_I386	equ 0

%ifndef RELOC_MIN
RELOC_MIN	equ 0x200000	; tests/boot/cases/relocated.case assembles a copy with 16 MiB
%endif
RELOC_MAX	equ 0x40000000
RELOC_ALIGN	equ 0x200000

MB1_MAGIC	equ 0x1badb002
MB1_AOUT_KLUDGE	equ 1 << 16

extern _start
extern _image_start_pa
extern _boot_load_end_pa

section .boot.header progbits alloc noexec nowrite align=8

align 8
mb2_header:
	dd MB2_MAGIC
	dd MB2_ARCH_I386
	dd mb2_header_end - mb2_header
	dd -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))

	; Information request (type 1).  Flags 0: GRUB must refuse to boot
	; rather than hand over less than we asked for.
align 8
.info_req:
	dw 1, 0
	dd .info_req_end - .info_req
	dd 1		; boot command line
	dd 2		; boot loader name
	dd 3		; modules
	dd 6		; memory map
	dd 14		; ACPI old RSDP
	dd 15		; ACPI new RSDP (XSDP)
	dd 17		; EFI memory map
	dd 18		; EFI boot services not terminated
	dd 21		; image load base address (entry.asm: load delta)
.info_req_end:

	; Relocatable (type 10): if the link address (2 MiB) is taken, as it
	; can be under UEFI, GRUB may load the image elsewhere between 2 MiB
	; and 1 GiB on a 2 MiB boundary (the boot page tables map the image
	; with 2 MiB pages), preferring the lowest address.
align 8
	dw 10, 0
	dd 24
	dd RELOC_MIN
	dd RELOC_MAX
	dd RELOC_ALIGN
	dd 1		; preference: lowest

	; Module alignment (type 6): modules start on page boundaries.
align 8
	dw 6, 0
	dd 8

	; End tag.
align 8
	dw 0, 0
	dd 8
mb2_header_end:

align 4
mb1_header:
	dd MB1_MAGIC
	dd MB1_AOUT_KLUDGE
	dd -(MB1_MAGIC + MB1_AOUT_KLUDGE)
	dd mb1_header		; header_addr: where this header lands
	dd mb1_header		; load_addr: load the file from this header on
	dd _boot_load_end_pa	; load_end_addr: up to the end of .boot
	dd 0			; bss_end_addr: none needed by the wrong-magic path
	dd _start		; entry_addr
