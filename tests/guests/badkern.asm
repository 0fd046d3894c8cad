; SPDX-License-Identifier: MIT
;
; Damaged guest kernels for the loader's refusal cases (cases/loadrefuse.case),
; one per build with -D: nasm -f bin -DBZ_TRUNC / -DBZ_BIG / -DMB2_BADTAG.
;   BZ_TRUNC    a bzImage cut after 4 KiB: its header promises 4 setup sectors
;               and 1 MiB of kernel
;   BZ_BIG      a well-formed relocatable bzImage (protocol 2.15) whose run area
;               (pref_address 16 MiB + init_size 64 MiB) is larger than mem=
;   MB2_BADTAG  a multiboot2 header, checksum valid, that requires tag type 42
bits 32

%macro pad_to 1				; pad with zeros up to file offset %1
	times (%1) - ($ - $$) db 0
%endmacro

%macro setup_header 3			; setup_sects, syssize, init_size
	pad_to 0x1f1
	db %1				; setup_sects
	pad_to 0x1f4
	dd %2				; syssize (16-byte units)
	pad_to 0x1fe
	dw 0xaa55			; boot_flag
	db 0xeb, 0x66			; jump: the header ends at 0x268
	db "HdrS"
	dw 0x020f			; protocol 2.15
	pad_to 0x211
	db 0x01				; loadflags: LOADED_HIGH
	pad_to 0x214
	dd 0x100000			; code32_start
	pad_to 0x22c
	dd 0x7fffffff			; initrd_addr_max
	pad_to 0x230
	dd 0x200000			; kernel_alignment
	db 1				; relocatable_kernel
	pad_to 0x238
	dd 2047				; cmdline_size
	pad_to 0x258
	dq 0x1000000			; pref_address: 16 MiB
	dd %3				; init_size
%endmacro

%ifdef BZ_TRUNC
	setup_header 4, 0x10000, 0x1000000
	pad_to 0x1000
%elifdef BZ_BIG
	setup_header 1, 0x20, 0x4000000
	pad_to 0x400			; the "kernel": 512 bytes of hlt loop
.k:	hlt
	jmp	.k
	pad_to 0x600
%elifdef MB2_BADTAG
MB2_LEN equ 16 + 8 + 8
	pad_to 0x100
	dd 0xe85250d6, 0, MB2_LEN, (0x100000000 - 0xe85250d6 - MB2_LEN) & 0xffffffff
	dw 42, 0			; tag type 42, required
	dd 8
	dw 0, 0				; end tag
	dd 8
	pad_to 0x1000
%else
%error "badkern.asm: define BZ_TRUNC, BZ_BIG or MB2_BADTAG"
%endif
