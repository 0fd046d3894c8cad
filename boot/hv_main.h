/* SPDX-License-Identifier: MIT */
/* The BSP's boot sequence: boot/entry.asm's call into C. */
#ifndef BOOT_HV_MAIN_H
#define BOOT_HV_MAIN_H

#include "lib/compiler.h"
#include "lib/types.h"

/* Called by boot/entry.asm on the BSP; never returns. */
__noreturn void hv_main(u32 magic, u32 info_pa);

#endif /* BOOT_HV_MAIN_H */
