/* SPDX-License-Identifier: MIT */
/*
 * A VM's MSR bitmaps (built once per VM by vmx/vm/vm.c).  Defined in
 * vmx/exit_msr.c, beside the MSR exits whose pass-through list they follow.
 */
#ifndef VMX_MSR_BITMAP_H
#define VMX_MSR_BITMAP_H

#include "lib/types.h"

/* Fill a VM's 4 KiB MSR bitmap: everything exits but the pass-through list. */
void vm_msr_bitmap_init(u8 *bm);
/* @bm = @base with the x2APIC registers virtualised ("virtualize x2APIC mode"). */
void vm_msr_bitmap_x2apic_init(u8 *bm, const u8 *base);

#endif /* VMX_MSR_BITMAP_H */
