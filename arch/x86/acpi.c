// SPDX-License-Identifier: MIT
/*
 * Bare-metal ACPI discovery: locate the RSDP (multiboot2 tags first, then
 * the legacy BIOS areas), hand it to the portable parser, and keep the MADT
 * and the FADT's PM timer for the LAPIC, SMP and TSC code.
 */
#include "arch/x86/acpi.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/unaligned.h"

/* Legacy BIOS areas that may hold the RSDP (ACPI 6.5, 5.2.5.1). */
#define BDA_EBDA_SEG_PA 0x40e /* u16: EBDA segment */
#define EBDA_SCAN_LEN	1024
#define EBDA_MIN_PA	0x80000 /* sanity window for the EBDA */
#define EBDA_MAX_PA	0xa0000
#define BIOS_ROM_PA	0xe0000
#define BIOS_ROM_END	0x100000
#define RSDP_ALIGN	16

/* FADT fields used (ACPI 6.5, table 5.9): byte offsets and sizes. */
#define FADT_PM_TMR_BLK	      76     /* u32 I/O port */
#define FADT_PM_TMR_LEN	      91     /* u8, 4 when present */
#define FADT_FLAGS	      112    /* u32 */
#define FADT_FLAG_TMR_VAL_EXT BIT(8) /* PM timer is 32 bits */
#define FADT_X_PM_TMR_BLK     208    /* generic address structure */
#define GAS_SIZE	      12
#define GAS_SPACE_IO	      1

struct acpi_state {
	enum acpi_rsdp_source rsdp_src;
	u64 root_pa;
	bool is_xsdt;
	bool have_madt;
	struct madt_info madt;
	bool have_pmtmr;
	bool pmtmr_wide;
	u16 pmtmr_port;
};

static struct acpi_state acpi;

const struct madt_info *acpi_madt(void)
{
	return acpi.have_madt ? &acpi.madt : NULL;
}

enum acpi_rsdp_source acpi_rsdp_source(void)
{
	return acpi.rsdp_src;
}

bool acpi_pm_timer(u16 *port, bool *wide)
{
	if (!acpi.have_pmtmr)
		return false;
	*port = acpi.pmtmr_port;
	*wide = acpi.pmtmr_wide;
	return true;
}

static const char *acpi_rsdp_source_name(enum acpi_rsdp_source src)
{
	switch (src) {
	case ACPI_RSDP_NONE:
		return "none";
	case ACPI_RSDP_MB2_NEW:
		return "multiboot2 ACPI-new tag";
	case ACPI_RSDP_MB2_OLD:
		return "multiboot2 ACPI-old tag";
	case ACPI_RSDP_EBDA:
		return "EBDA scan";
	case ACPI_RSDP_BIOS:
		return "BIOS area scan";
	}
	return "?";
}

/*
 * Scan [pa, pa + len) on 16-byte boundaries for a valid RSDP.  Candidates
 * with the signature but a bad checksum are reported by the parser and
 * skipped.
 */
static bool acpi_scan_rsdp(phys_addr_t pa, u32 len)
{
	const char *base = arch_phys_to_virt(pa);

	for (u32 off = 0; off + ACPI_RSDP_V1_LEN <= len; off += RSDP_ALIGN) {
		if (memcmp(base + off, "RSD PTR ", 8) != 0)
			continue;
		if (acpi_validate_rsdp(base + off, len - off, &acpi.root_pa, &acpi.is_xsdt) == 0) {
			pr_info("acpi: RSDP at %#lx\n", (unsigned long)(pa + off));
			return true;
		}
	}
	return false;
}

/* The loader's copy of the RSDP, if it passed a valid one. */
static bool acpi_loader_rsdp(const struct mb2_info *mb2)
{
	if (!mb2->rsdp)
		return false;
	if (acpi_validate_rsdp(mb2->rsdp, mb2->rsdp_len, &acpi.root_pa, &acpi.is_xsdt) != 0) {
		pr_warn("acpi: the RSDP from the loader is not valid; looking elsewhere\n");
		return false;
	}
	acpi.rsdp_src = mb2->rsdp_is_xsdp ? ACPI_RSDP_MB2_NEW : ACPI_RSDP_MB2_OLD;
	return true;
}

static bool acpi_find_rsdp(const struct mb2_info *mb2, bool ignore_loader_rsdp)
{
	const volatile u16 *bda_ebda = arch_phys_to_virt(BDA_EBDA_SEG_PA);
	phys_addr_t ebda;

	if (ignore_loader_rsdp && mb2->rsdp)
		pr_info("acpi: debug.rsdpscan: ignoring the RSDP from the loader\n");
	else if (acpi_loader_rsdp(mb2))
		return true;
	/* UEFI firmware has no legacy BIOS areas; only the loader knows the RSDP. */
	if (mb2->efi_system_table) {
		pr_warn("acpi: UEFI boot without a usable RSDP tag; not scanning BIOS areas\n");
		return false;
	}

	ebda = (phys_addr_t)*bda_ebda << 4;
	if (ebda >= EBDA_MIN_PA && ebda + EBDA_SCAN_LEN <= EBDA_MAX_PA &&
	    acpi_scan_rsdp(ebda, EBDA_SCAN_LEN)) {
		acpi.rsdp_src = ACPI_RSDP_EBDA;
		return true;
	}
	if (acpi_scan_rsdp(BIOS_ROM_PA, BIOS_ROM_END - BIOS_ROM_PA)) {
		acpi.rsdp_src = ACPI_RSDP_BIOS;
		return true;
	}
	return false;
}

/* X_PM_TMR_BLK when the table has it and it is in I/O space, else PM_TMR_BLK. */
static u64 acpi_fadt_pmtmr_port(const u8 *t, u32 len)
{
	if (len >= FADT_X_PM_TMR_BLK + GAS_SIZE && t[FADT_X_PM_TMR_BLK] == GAS_SPACE_IO) {
		u64 addr = get_unaligned_u64(t + FADT_X_PM_TMR_BLK + 4);

		if (addr)
			return addr;
	}
	if (t[FADT_PM_TMR_LEN] == 4)
		return get_unaligned_u32(t + FADT_PM_TMR_BLK);
	return 0;
}

/*
 * Read the PM timer block from the FADT: the 64-bit X_PM_TMR_BLK when the
 * table is long enough and it is in I/O space, else PM_TMR_BLK.  The
 * parser has checked the length and checksum of @fadt.
 */
static void acpi_read_fadt(const struct acpi_sdt_header *fadt)
{
	const u8 *t = (const u8 *)fadt;
	u32 len = fadt->length;
	u64 port;

	if (len < FADT_FLAGS + 4) {
		pr_warn("acpi: FADT too short (%u bytes) for the PM timer fields\n", len);
		return;
	}
	port = acpi_fadt_pmtmr_port(t, len);
	if (!port)
		return; /* hardware-reduced ACPI or no timer: fine */
	if (port > 0xfffc) {
		pr_warn("acpi: FADT PM timer port %#lx is not an I/O port; ignored\n",
			(unsigned long)port);
		return;
	}
	acpi.have_pmtmr = true;
	acpi.pmtmr_port = (u16)port;
	acpi.pmtmr_wide = get_unaligned_u32(t + FADT_FLAGS) & FADT_FLAG_TMR_VAL_EXT;
	pr_debug("acpi: PM timer at port %#x, %u bits\n", acpi.pmtmr_port,
		 acpi.pmtmr_wide ? 32 : 24);
}

bool acpi_init(const struct mb2_info *mb2, bool ignore_loader_rsdp)
{
	const struct acpi_sdt_header *madt, *fadt;

	if (!acpi_find_rsdp(mb2, ignore_loader_rsdp)) {
		pr_warn("acpi: no ACPI tables found (no valid RSDP from the loader or in the BIOS areas); continuing on the boot CPU only\n");
		return false;
	}
	pr_info("acpi: RSDP from the %s, %s at %#lx\n", acpi_rsdp_source_name(acpi.rsdp_src),
		acpi.is_xsdt ? "XSDT" : "RSDT", (unsigned long)acpi.root_pa);

	fadt = acpi_find_table(acpi.root_pa, acpi.is_xsdt, "FACP");
	if (fadt)
		acpi_read_fadt(fadt);

	madt = acpi_find_table(acpi.root_pa, acpi.is_xsdt, "APIC");
	if (!madt) {
		pr_warn("acpi: no valid MADT; continuing on the boot CPU only\n");
		return false;
	}
	if (acpi_parse_madt(madt, madt->length, &acpi.madt) != 0) {
		pr_warn("acpi: MADT rejected; continuing on the boot CPU only\n");
		return false;
	}
	acpi.have_madt = true;
	pr_info("acpi: MADT: %u usable processor entries, %u enabled, local APIC at %#lx, %u I/O APIC(s)\n",
		acpi.madt.ncpus_total, acpi.madt.ncpus_enabled, (unsigned long)acpi.madt.lapic_pa,
		acpi.madt.nioapics);
	return true;
}
