/* SPDX-License-Identifier: MIT */
/*
 * The x86 steps of the BSP's boot (boot/hv_main.c calls them in this order)
 * and the boot-time globals other parts read.
 */
#ifndef ARCH_X86_SETUP_H
#define ARCH_X86_SETUP_H

#include "boot/cmdline.h"
#include "boot/multiboot2.h"

/* Parsed command line and boot information (valid after setup_boot_info()). */
extern struct hv_config hv_config;
extern struct mb2_info hv_mb2;

/* Per-CPU area, descriptor tables and COM1: faults are reported from here on. */
void setup_early(void);

/* Parse the multiboot2 information and the command line; panics if untrusted. */
void setup_boot_info(u32 magic, u32 info_pa);

/* Memory map, page tables, frame allocator, the BSP's guarded stacks; reports them. */
void setup_memory(void);

/* ACPI, local APIC, TSC, RTC and the application processors. */
void setup_platform(void);

/* debug.fault=: raise the exception the command line asks for (may not return). */
void setup_debug_fault(void);

#endif /* ARCH_X86_SETUP_H */
