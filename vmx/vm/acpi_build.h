/* SPDX-License-Identifier: MIT */
/*
 * The ACPI tables each VM gets: RSDP, XSDT, RSDT, FADT, MADT and DSDT,
 * describing the virtual platform of vmx/dev/platform.h to the guest
 * (docs/platform.md, "ACPI tables", says what each field says and why).
 *
 * Portable: the builder fills a caller's buffer that the caller then copies
 * into guest memory at the guest-physical address it was built for.  It
 * uses no VMX state and no hypervisor globals, so hosted tests run it.
 */
#ifndef VMX_VM_ACPI_BUILD_H
#define VMX_VM_ACPI_BUILD_H

#include "lib/compiler.h"
#include "lib/errno.h"

/* Errors. */

/* Sanity bound on the vCPU count (the MADT entry count). */
#define ACPI_BUILD_MAX_VCPUS	4096
/* Processor Local APIC entries hold 8-bit ids, and 0xff is not an id. */
#define ACPI_BUILD_MAX_XAPIC_VCPUS	255

/* OEM fields of every table when the configuration leaves them NULL. */
#define ACPI_BUILD_OEM_ID	"HVHVHV"
#define ACPI_BUILD_OEM_TABLE_ID	"HVVM"

struct acpi_build_cfg {
	unsigned int nr_vcpus;		/* their APIC ids and ACPI UIDs are 0..n-1 */
	bool x2apic;			/* MADT Local x2APIC entries (type 9), not Local APIC (type 0) */
	const char *oem_id;		/* at most 6 characters, space-padded; NULL: ACPI_BUILD_OEM_ID */
	const char *oem_table_id;	/* at most 8 characters, space-padded; NULL: ACPI_BUILD_OEM_TABLE_ID */
	u32 oem_revision;
};

/* Where acpi_build() put everything, as guest-physical addresses. */
struct acpi_build_info {
	u64 rsdp_gpa;			/* = buf_gpa: hand this to the guest (boot_params, MBI) */
	u64 xsdt_gpa;
	u64 rsdt_gpa;
	u64 fadt_gpa;
	u64 madt_gpa;
	u64 dsdt_gpa;
	size_t size;			/* bytes used from buf; on -HV_ENOSPC, bytes needed */
};

/**
 * acpi_build_size() - bytes acpi_build() needs for @cfg.
 * @cfg: the VM's configuration
 *
 * Return: the size, or 0 when @cfg is invalid.
 */
size_t acpi_build_size(const struct acpi_build_cfg *cfg);

/**
 * acpi_build() - build a VM's ACPI tables.
 * @cfg:     the VM's configuration
 * @buf:     where to build them
 * @size:    bytes writable at @buf
 * @buf_gpa: guest-physical address @buf will be copied to: 16-byte aligned
 *           (the RSDP goes first, where a BIOS-area scan finds it) and the
 *           whole block below 4 GiB (the RSDT and the FADT's DSDT field are
 *           32-bit); normally PLAT_ACPI_RSDP_GPA
 * @info:    out: the tables' addresses and the bytes used
 *
 * The tables are laid out from @buf in the order RSDP, XSDT, RSDT, FADT,
 * MADT, DSDT, each 16-byte aligned with zero padding between them, every
 * pointer and checksum final.  On failure @buf is left as it was (but for
 * an internal inconsistency, which zeroes what it wrote).
 *
 * Return: 0; -HV_EINVAL for an invalid @cfg or @buf_gpa;
 * -HV_ENOSPC when @size is too small (info->size is then the size
 * needed).
 */
int acpi_build(const struct acpi_build_cfg *cfg, u8 *buf, size_t size, u64 buf_gpa,
	       struct acpi_build_info *info);

#endif /* VMX_VM_ACPI_BUILD_H */
