; SPDX-License-Identifier: MIT
; The assembled AP trampoline (ap_tramp.asm, flat binary) as data of the smp guest.
bits 32
section .rodata
global ap_tramp_start, ap_tramp_end
ap_tramp_start:
	incbin	AP_TRAMP_BIN
ap_tramp_end:
