/* SPDX-License-Identifier: MIT */
/*
 * Portable ACPI table parser: RSDP validation, RSDT/XSDT lookup and the
 * MADT.  Every table is bounds- and checksum-checked before it is used;
 * tables are reached through arch_phys_to_virt() (the direct map on bare
 * metal, the identity in hosted tests).
 */
#ifndef ARCH_X86_ACPI_TABLES_H
#define ARCH_X86_ACPI_TABLES_H

#include "lib/compiler.h"

struct acpi_rsdp {
	char signature[8];	/* "RSD PTR " */
	u8 checksum;		/* over the first 20 bytes */
	char oem_id[6];
	u8 revision;		/* 0: ACPI 1.0 (20 bytes), >= 2: 36 bytes */
	u32 rsdt_address;
	/* ACPI 2.0+ */
	u32 length;
	u64 xsdt_address;
	u8 ext_checksum;	/* over the whole length */
	u8 reserved[3];
} __packed;

#define ACPI_RSDP_V1_LEN	20
#define ACPI_RSDP_V2_LEN	36

struct acpi_sdt_header {
	char signature[4];
	u32 length;		/* whole table, header included */
	u8 revision;
	u8 checksum;
	char oem_id[6];
	char oem_table_id[8];
	u32 oem_revision;
	u32 creator_id;
	u32 creator_revision;
} __packed;

#define ACPI_MAX_TABLE_LEN	(16u << 20)	/* sanity bound on a table's length */

/* Errors. */
#define ACPI_EINVAL	(-1)	/* NULL, too short, bad signature or length */
#define ACPI_ECHECKSUM	(-2)	/* checksum or extended checksum wrong */

/**
 * acpi_validate_rsdp() - check an RSDP and find the root table.
 * @p:       candidate RSDP (e.g. the copy in a multiboot2 ACPI tag)
 * @len:     bytes readable at @p
 * @root_pa: out: physical address of the XSDT (if usable) else the RSDT
 * @is_xsdt: out: which of the two @root_pa is
 *
 * Revision 0 uses the 20-byte checksum and the RSDT.  Revision >= 2 also
 * needs a valid length and extended checksum, and then prefers a non-zero
 * XSDT address.
 *
 * Return: 0 or ACPI_E* after a message.
 */
int acpi_validate_rsdp(const void *p, unsigned int len, u64 *root_pa, bool *is_xsdt);

/* 0 if the @len bytes at @p sum to 0 mod 256. */
u8 acpi_checksum(const void *p, size_t len);

/**
 * acpi_find_table() - find a table by signature through the RSDT/XSDT.
 * @root_pa: from acpi_validate_rsdp()
 * @is_xsdt: from acpi_validate_rsdp()
 * @sig:     four-character signature, e.g. "APIC" for the MADT
 *
 * The root table and every candidate are length- and checksum-checked; bad
 * ones are reported and skipped.
 *
 * Return: the first valid table with @sig (mapped), or NULL.
 */
const struct acpi_sdt_header *acpi_find_table(u64 root_pa, bool is_xsdt, const char sig[4]);

#define MADT_MAX_CPUS		256
#define MADT_MAX_IOAPICS	16
#define MADT_MAX_OVERRIDES	32

struct madt_cpu {
	u32 apic_id;
	u32 acpi_uid;
	bool enabled;		/* usable now */
	bool online_capable;	/* disabled but may be hot-added */
	bool x2apic;		/* from an x2APIC (type 9) entry */
};

struct madt_ioapic {
	u32 id;
	u32 addr;
	u32 gsi_base;
};

struct madt_override {
	u8 bus, source;
	u32 gsi;
	u16 flags;
};

struct madt_info {
	u64 lapic_pa;			/* 64-bit override applied */
	bool pcat_compat;		/* dual 8259s present: mask them */

	/*
	 * Usable processor entries (enabled or online-capable; entries that
	 * are neither are skipped), in table order, so the BSP usually first.
	 */
	struct madt_cpu cpus[MADT_MAX_CPUS];
	unsigned int ncpus;		/* entries in cpus[] */
	unsigned int ncpus_total;	/* usable entries, also those beyond the array */
	unsigned int ncpus_enabled;	/* enabled ones among ncpus_total */

	struct madt_ioapic ioapics[MADT_MAX_IOAPICS];
	unsigned int nioapics;

	struct madt_override overrides[MADT_MAX_OVERRIDES];
	unsigned int noverrides;

	unsigned int nunknown;		/* entries of unknown type skipped */
};

/**
 * acpi_parse_madt() - parse a MADT ("APIC") table.
 * @madt: the table, header included
 * @len:  bytes readable at @madt
 * @out:  filled in (zeroed first)
 *
 * Unknown entry types are skipped by their length; a truncated or
 * zero-length entry ends the walk with a message (the entries before it are
 * kept).  A duplicate APIC ID is reported and skipped.
 *
 * Return: 0, or ACPI_E* when the header, length or checksum is bad.
 */
int acpi_parse_madt(const void *madt, u32 len, struct madt_info *out);

#endif /* ARCH_X86_ACPI_TABLES_H */
