/* SPDX-License-Identifier: MIT */
/*
 * ACPI on bare metal: find the RSDP, then use the portable parser
 * (arch/x86/acpi_tables.h) for the root table, the MADT and the FADT's
 * PM timer.  Everything is read once on the BSP by acpi_init() and is
 * read-only afterwards.
 */
#ifndef ARCH_X86_ACPI_H
#define ARCH_X86_ACPI_H

#include "arch/x86/acpi_tables.h"
#include "boot/multiboot2.h"

/* Where the RSDP came from. */
enum acpi_rsdp_source {
	ACPI_RSDP_NONE,
	ACPI_RSDP_MB2_NEW, /* multiboot2 "ACPI new" (2.0+) tag */
	ACPI_RSDP_MB2_OLD, /* multiboot2 "ACPI old" (1.0) tag */
	ACPI_RSDP_EBDA,	   /* found by scanning the EBDA's first KiB */
	ACPI_RSDP_BIOS,	   /* found by scanning 0xE0000-0xFFFFF */
};

/**
 * acpi_init() - find the ACPI tables and read the MADT and FADT.
 * @mb2: parsed multiboot2 information (its RSDP copy is preferred)
 * @ignore_loader_rsdp: debug.rsdpscan: skip that copy and scan for the RSDP
 *
 * Without a usable RSDP (or without a MADT) the hypervisor runs on the
 * boot CPU only; this prints the warning that says so.  The legacy BIOS
 * areas are scanned only when the loader passed no RSDP and the machine
 * did not boot through UEFI; they must be in the direct map then.
 *
 * Return: true when a valid MADT was found.
 */
bool acpi_init(const struct mb2_info *mb2, bool ignore_loader_rsdp);

/* The parsed MADT, or NULL when there is none. */
const struct madt_info *acpi_madt(void);

enum acpi_rsdp_source acpi_rsdp_source(void);

/*
 * The FADT's ACPI PM timer: I/O port and whether it is 32 bits wide
 * (TMR_VAL_EXT).  False when there is none or it is not in I/O space.
 */
bool acpi_pm_timer(u16 *port, bool *wide);

#endif /* ARCH_X86_ACPI_H */
