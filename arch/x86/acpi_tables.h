/* SPDX-License-Identifier: MIT */
/*
 * Portable ACPI table parser: RSDP validation, RSDT/XSDT lookup and the
 * MADT.  Every table is bounds- and checksum-checked before it is used;
 * tables are reached through arch_phys_to_virt() (the direct map on bare
 * metal, the identity in hosted tests).
 *
 * Also the one home of the ACPI table layouts and bits, which the guests'
 * table builder (vmx/vm/acpi_build.c) shares.
 */
#ifndef ARCH_X86_ACPI_TABLES_H
#define ARCH_X86_ACPI_TABLES_H

#include "lib/compiler.h"
#include "lib/errno.h"

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

/*
 * Table layouts and bits from ACPI 6.5, for the parser here and for the
 * tables hv builds for its guests (vmx/vm/acpi_build.c).  Every field is
 * little-endian and only byte-aligned in memory: fill a local copy, then
 * memcpy it into place.
 */

/* Generic Address Structure (5.2.3.2). */
struct acpi_gas {
	u8 space_id;		/* ACPI_GAS_SPACE_* */
	u8 bit_width;
	u8 bit_offset;
	u8 access_size;		/* ACPI_GAS_ACCESS_* */
	u64 address;
} __packed;

#define ACPI_GAS_SPACE_MEMORY	0
#define ACPI_GAS_SPACE_IO	1
#define ACPI_GAS_ACCESS_BYTE	1

/* Fixed ACPI Description Table, signature "FACP" (5.2.9): 276 bytes since ACPI 6.0. */
struct acpi_fadt {
	struct acpi_sdt_header hdr;
	u32 firmware_ctrl;		/* 32-bit FACS address */
	u32 dsdt;
	u8 reserved0;			/* INT_MODEL in ACPI 1.0 */
	u8 preferred_pm_profile;	/* ACPI_PM_PROFILE_* */
	u16 sci_int;
	u32 smi_cmd;
	u8 acpi_enable;
	u8 acpi_disable;
	u8 s4bios_req;
	u8 pstate_cnt;
	u32 pm1a_evt_blk;
	u32 pm1b_evt_blk;
	u32 pm1a_cnt_blk;
	u32 pm1b_cnt_blk;
	u32 pm2_cnt_blk;
	u32 pm_tmr_blk;
	u32 gpe0_blk;
	u32 gpe1_blk;
	u8 pm1_evt_len;
	u8 pm1_cnt_len;
	u8 pm2_cnt_len;
	u8 pm_tmr_len;
	u8 gpe0_blk_len;
	u8 gpe1_blk_len;
	u8 gpe1_base;
	u8 cst_cnt;
	u16 p_lvl2_lat;			/* > 100: C2 not supported */
	u16 p_lvl3_lat;			/* > 1000: C3 not supported */
	u16 flush_size;
	u16 flush_stride;
	u8 duty_offset;
	u8 duty_width;
	u8 day_alrm;
	u8 mon_alrm;
	u8 century;
	u16 iapc_boot_arch;		/* ACPI_IAPC_* */
	u8 reserved1;
	u32 flags;			/* ACPI_FADT_F_* */
	struct acpi_gas reset_reg;
	u8 reset_value;
	u16 arm_boot_arch;
	u8 minor_version;		/* low nibble: the x of ACPI 6.x */
	u64 x_firmware_ctrl;
	u64 x_dsdt;
	struct acpi_gas x_pm1a_evt_blk;
	struct acpi_gas x_pm1b_evt_blk;
	struct acpi_gas x_pm1a_cnt_blk;
	struct acpi_gas x_pm1b_cnt_blk;
	struct acpi_gas x_pm2_cnt_blk;
	struct acpi_gas x_pm_tmr_blk;
	struct acpi_gas x_gpe0_blk;
	struct acpi_gas x_gpe1_blk;
	struct acpi_gas sleep_control_reg;	/* hardware-reduced sleep registers */
	struct acpi_gas sleep_status_reg;
	u64 hypervisor_vendor_id;
} __packed;

#define ACPI_FADT_LEN		276

/* FADT Preferred_PM_Profile. */
#define ACPI_PM_PROFILE_UNSPECIFIED	0

/* FADT IAPC_BOOT_ARCH (table 5.11). */
#define ACPI_IAPC_LEGACY_DEVICES	BIT(0)	/* user-visible ISA/LPC devices exist */
#define ACPI_IAPC_8042			BIT(1)
#define ACPI_IAPC_VGA_NOT_PRESENT	BIT(2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED	BIT(3)
#define ACPI_IAPC_PCIE_ASPM_CONTROLS	BIT(4)	/* OSPM must not enable ASPM */
#define ACPI_IAPC_CMOS_RTC_NOT_PRESENT	BIT(5)

/* FADT flags (table 5.10). */
#define ACPI_FADT_F_WBINVD		BIT(0)
#define ACPI_FADT_F_PWR_BUTTON		BIT(4)	/* no fixed-feature power button */
#define ACPI_FADT_F_SLP_BUTTON		BIT(5)	/* no fixed-feature sleep button */
#define ACPI_FADT_F_TMR_VAL_EXT		BIT(8)	/* PM timer is 32 bits */
#define ACPI_FADT_F_RESET_REG_SUP	BIT(10)
#define ACPI_FADT_F_HW_REDUCED_ACPI	BIT(20)

/* Hardware-reduced SLEEP_CONTROL_REG: SLP_TYP in bits 4:2, SLP_EN bit 5 (4.8.3.7). */
#define ACPI_SLEEP_CTL_SLP_TYP_SHIFT	2
#define ACPI_SLEEP_CTL_SLP_EN		BIT(5)

/* Multiple APIC Description Table, signature "APIC" (5.2.12). */
struct acpi_madt {
	struct acpi_sdt_header hdr;
	u32 lapic_addr;
	u32 flags;			/* MADT_PCAT_COMPAT */
} __packed;

#define MADT_PCAT_COMPAT	BIT(0)	/* dual 8259s present */

/* MADT entry types (table 5.20). */
enum madt_type {
	MADT_LAPIC = 0,
	MADT_IOAPIC = 1,
	MADT_ISO = 2,
	MADT_NMI_SRC = 3,
	MADT_LAPIC_NMI = 4,
	MADT_LAPIC_OVERRIDE = 5,
	MADT_X2APIC = 9,
	MADT_X2APIC_NMI = 10,
};

/* Processor Local APIC (type 0) and Local x2APIC (type 9) flags. */
#define MADT_CPU_ENABLED	BIT(0)
#define MADT_CPU_ONLINE_CAP	BIT(1)		/* MADT revision >= 5 */

struct acpi_madt_lapic_entry {
	u8 type, length;
	u8 uid;				/* ACPI processor UID */
	u8 apic_id;
	u32 flags;
} __packed;

struct acpi_madt_x2apic_entry {
	u8 type, length;
	u16 reserved;
	u32 x2apic_id;
	u32 flags;
	u32 uid;
} __packed;

struct acpi_madt_ioapic_entry {
	u8 type, length;
	u8 id;
	u8 reserved;
	u32 address;
	u32 gsi_base;
} __packed;

/* Interrupt Source Override (type 2); flags are the MPS INTI flags. */
struct acpi_madt_iso_entry {
	u8 type, length;
	u8 bus;				/* 0: ISA */
	u8 source;			/* bus-relative IRQ */
	u32 gsi;
	u16 flags;
} __packed;

#define MADT_ISO_BUS_ISA	0
#define MADT_INTI_POLARITY_HIGH	0x1		/* bits 1:0 */
#define MADT_INTI_TRIGGER_EDGE	0x4		/* bits 3:2 */

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
 * Return: 0, or after a message -HV_EINVAL (NULL, too short, bad signature
 * or length) or -HV_EBADMSG (a checksum wrong).
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
 * Return: 0, or -HV_EINVAL when the header or length is bad, -HV_EBADMSG
 * when a checksum is.
 */
int acpi_parse_madt(const void *madt, u32 len, struct madt_info *out);

#endif /* ARCH_X86_ACPI_TABLES_H */
