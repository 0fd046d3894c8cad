/* SPDX-License-Identifier: MIT */
/* The BSP boot sequence and the boot-time globals other parts read. */
#ifndef ARCH_X86_SETUP_H
#define ARCH_X86_SETUP_H

#include "boot/cmdline.h"
#include "boot/multiboot2.h"

/* Parsed command line and boot information (valid after the first steps of hv_main). */
extern struct hv_config hv_config;
extern struct mb2_info hv_mb2;

/* Called by boot/entry.asm on the BSP; never returns. */
__noreturn void hv_main(u32 magic, u32 info_pa);

#endif /* ARCH_X86_SETUP_H */
