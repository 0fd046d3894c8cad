// SPDX-License-Identifier: MIT
/*
 * The per-VM ACPI tables (vmx/vm/acpi_build.h).  Each choice a guest can
 * notice is explained in docs/platform.md, "ACPI tables"; the comments here
 * say what the code does.
 *
 * One plan, two uses: acpi_plan() validates the configuration and lays the
 * tables out (measuring the DSDT with the AML emitter over no buffer), and
 * acpi_build() writes them where the plan says, so the size it reports and
 * the bytes it writes cannot disagree.
 */
#include "vmx/vm/acpi_build.h"

#include "arch/x86/acpi_tables.h"
#include "lib/string.h"
#include "vmx/dev/platform.h"
#include "vmx/vm/aml.h"

/* 16: where a BIOS-area scan looks for the RSDP; the other tables follow suit. */
#define TABLE_ALIGN		16

/* The revisions of ACPI 6.5. */
#define RSDP_REVISION		2	/* the 36-byte RSDP that has the XSDT */
#define XSDT_REVISION		1
#define RSDT_REVISION		1
#define FADT_REVISION		6
#define FADT_MINOR_VERSION	5
#define MADT_REVISION		6
#define DSDT_REVISION		2	/* AML integers have 64 bits */

#define CREATOR_ID		"HVAB"	/* hv's ACPI builder */
#define CREATOR_REVISION	1	/* bump when the tables' contents change */
#define HYPERVISOR_VENDOR_ID	"hv"	/* FADT: 8 bytes, zero-padded */

#define ROOT_ENTRIES		2	/* XSDT and RSDT list the FADT and the MADT */
#define P_LVL2_LAT_NONE		101	/* > 100 us: no C2 */
#define P_LVL3_LAT_NONE		1001	/* > 1000 us: no C3 */
#define COM1_UID		1
#define S5_PACKAGE_LEN		4	/* {SLP_TYPa, SLP_TYPb, reserved, reserved} */

/* ISA IRQs given an explicit Interrupt Source Override, edge-triggered active-high. */
static const struct {
	u8 isa_irq;
	u32 gsi;
} isa_overrides[] = {
	{ PLAT_COM1_ISA_IRQ, PLAT_COM1_GSI },
	{ PLAT_RTC_ISA_IRQ, PLAT_RTC_GSI },
};

BUILD_BUG_ON(sizeof(struct acpi_gas) != 12);
BUILD_BUG_ON(sizeof(struct acpi_fadt) != ACPI_FADT_LEN);
BUILD_BUG_ON(offsetof(struct acpi_fadt, iapc_boot_arch) != 109);
BUILD_BUG_ON(offsetof(struct acpi_fadt, flags) != 112);
BUILD_BUG_ON(offsetof(struct acpi_fadt, reset_reg) != 116);
BUILD_BUG_ON(offsetof(struct acpi_fadt, minor_version) != 131);
BUILD_BUG_ON(offsetof(struct acpi_fadt, x_dsdt) != 140);
BUILD_BUG_ON(offsetof(struct acpi_fadt, sleep_control_reg) != 244);
BUILD_BUG_ON(offsetof(struct acpi_fadt, hypervisor_vendor_id) != 268);
BUILD_BUG_ON(sizeof(struct acpi_madt) != 44);
BUILD_BUG_ON(sizeof(struct acpi_madt_lapic_entry) != 8);
BUILD_BUG_ON(sizeof(struct acpi_madt_x2apic_entry) != 16);
BUILD_BUG_ON(sizeof(struct acpi_madt_ioapic_entry) != 12);
BUILD_BUG_ON(sizeof(struct acpi_madt_iso_entry) != 10);

/* What the tables say about the platform must fit the tables' fields. */
BUILD_BUG_ON(PLAT_LAPIC_BASE > 0xffffffffull || PLAT_IOAPIC_BASE > 0xffffffffull);
BUILD_BUG_ON(PLAT_COM1_GSI >= PLAT_IOAPIC_GSI_BASE + PLAT_IOAPIC_PINS);
BUILD_BUG_ON(PLAT_RTC_GSI >= PLAT_IOAPIC_GSI_BASE + PLAT_IOAPIC_PINS);
BUILD_BUG_ON(PLAT_COM1_ISA_IRQ > 15);	/* an IRQ descriptor's mask has 16 bits */
BUILD_BUG_ON(PLAT_ACPI_S5_TYP > 7);	/* SLP_TYP has 3 bits */
BUILD_BUG_ON(PLAT_ACPI_RSDP_GPA % TABLE_ALIGN);

struct acpi_oem {
	char id[6];
	char table_id[8];
	u32 revision;
};

/* Byte offsets from the start of the buffer, and table lengths. */
struct acpi_layout {
	size_t rsdp, xsdt, rsdt, fadt, madt, dsdt, end;
	u32 xsdt_len, rsdt_len, madt_len, dsdt_len;
};

/* @src (NULL: @def) into @dst, space-padded; false when it is longer than @n. */
static bool oem_field(char *dst, size_t n, const char *src, const char *def)
{
	size_t len;

	if (!src)
		src = def;
	len = strnlen(src, n + 1);
	if (len > n)
		return false;
	memset(dst, ' ', n);
	memcpy(dst, src, len);
	return true;
}

/* The byte that makes the @n bytes at @p sum to zero, its own place counted as 0. */
static u8 checksum_byte(const void *p, size_t n)
{
	return (u8)(0x100 - acpi_checksum(p, n));
}

/* Set the checksum of the table at @t, whose header holds its length. */
static void sdt_checksum(u8 *t)
{
	struct acpi_sdt_header h;

	memcpy(&h, t, sizeof(h));
	t[offsetof(struct acpi_sdt_header, checksum)] = 0;
	t[offsetof(struct acpi_sdt_header, checksum)] = checksum_byte(t, h.length);
}

static void sdt_header(struct acpi_sdt_header *h, const char *sig, u32 len, u8 rev,
		       const struct acpi_oem *oem)
{
	memset(h, 0, sizeof(*h));
	memcpy(h->signature, sig, 4);
	h->length = len;
	h->revision = rev;
	memcpy(h->oem_id, oem->id, sizeof(h->oem_id));
	memcpy(h->oem_table_id, oem->table_id, sizeof(h->oem_table_id));
	h->oem_revision = oem->revision;
	memcpy((u8 *)h + offsetof(struct acpi_sdt_header, creator_id), CREATOR_ID, 4);
	h->creator_revision = CREATOR_REVISION;
}

/*
 * The DSDT's definition block: COM1 under \_SB, and \_S5.
 *
 *	Scope (\_SB) {
 *		Device (COM1) {
 *			Name (_HID, EisaId ("PNP0501"))
 *			Name (_UID, 1)
 *			Name (_CRS, ResourceTemplate () {
 *				IO (Decode16, 0x3F8, 0x3F8, 1, 8)
 *				IRQNoFlags () {4}
 *			})
 *		}
 *	}
 *	Name (_S5, Package () {5, 5, 0, 0})
 */
static void dsdt_aml(struct aml_buf *a)
{
	size_t sb, com1, crs, s5;

	sb = aml_scope_begin(a, "\\_SB");
	com1 = aml_device_begin(a, "COM1");
	aml_name_def(a, "_HID");
	aml_eisaid(a, "PNP0501");
	aml_name_integer(a, "_UID", COM1_UID);
	aml_name_def(a, "_CRS");
	crs = aml_buffer_begin(a);
	aml_res_io16(a, PLAT_COM1_BASE, PLAT_COM1_BASE, 1, PLAT_COM1_SIZE);
	aml_res_irq_noflags(a, (u16)BIT(PLAT_COM1_ISA_IRQ));
	aml_res_end_tag(a);
	aml_buffer_end(a, crs);
	aml_end(a, com1);
	aml_end(a, sb);

	aml_name_def(a, "_S5");
	s5 = aml_package_begin(a, S5_PACKAGE_LEN);
	aml_integer(a, PLAT_ACPI_S5_TYP);	/* SLP_TYPa: the value for SLEEP_CONTROL_REG */
	aml_integer(a, PLAT_ACPI_S5_TYP);	/* SLP_TYPb: no PM1b, same value by convention */
	aml_integer(a, 0);
	aml_integer(a, 0);
	aml_end(a, s5);
}

/*
 * Validate @cfg, fill @oem and lay the tables out in @l.
 * Returns 0 or -HV_EINVAL.
 */
static int acpi_plan(const struct acpi_build_cfg *cfg, struct acpi_oem *oem,
		     struct acpi_layout *l)
{
	struct aml_buf dsdt;
	size_t cpu_entry;

	if (!cfg || !cfg->nr_vcpus || cfg->nr_vcpus > ACPI_BUILD_MAX_VCPUS)
		return -HV_EINVAL;
	if (!cfg->x2apic && cfg->nr_vcpus > ACPI_BUILD_MAX_XAPIC_VCPUS)
		return -HV_EINVAL;
	if (!oem_field(oem->id, sizeof(oem->id), cfg->oem_id, ACPI_BUILD_OEM_ID) ||
	    !oem_field(oem->table_id, sizeof(oem->table_id), cfg->oem_table_id,
		       ACPI_BUILD_OEM_TABLE_ID))
		return -HV_EINVAL;
	oem->revision = cfg->oem_revision;

	aml_init(&dsdt, NULL, 0);
	dsdt_aml(&dsdt);
	if (!aml_ok(&dsdt))
		return -HV_EINVAL;

	cpu_entry = cfg->x2apic ? sizeof(struct acpi_madt_x2apic_entry)
				: sizeof(struct acpi_madt_lapic_entry);
	l->xsdt_len = (u32)(sizeof(struct acpi_sdt_header) + ROOT_ENTRIES * sizeof(u64));
	l->rsdt_len = (u32)(sizeof(struct acpi_sdt_header) + ROOT_ENTRIES * sizeof(u32));
	l->madt_len = (u32)(sizeof(struct acpi_madt) + cfg->nr_vcpus * cpu_entry +
			    sizeof(struct acpi_madt_ioapic_entry) +
			    ARRAY_SIZE(isa_overrides) * sizeof(struct acpi_madt_iso_entry));
	l->dsdt_len = (u32)(sizeof(struct acpi_sdt_header) + dsdt.len);

	l->rsdp = 0;
	l->xsdt = ALIGN_UP(l->rsdp + ACPI_RSDP_V2_LEN, TABLE_ALIGN);
	l->rsdt = ALIGN_UP(l->xsdt + l->xsdt_len, TABLE_ALIGN);
	l->fadt = ALIGN_UP(l->rsdt + l->rsdt_len, TABLE_ALIGN);
	l->madt = ALIGN_UP(l->fadt + ACPI_FADT_LEN, TABLE_ALIGN);
	l->dsdt = ALIGN_UP(l->madt + l->madt_len, TABLE_ALIGN);
	l->end = l->dsdt + l->dsdt_len;
	return 0;
}

size_t acpi_build_size(const struct acpi_build_cfg *cfg)
{
	struct acpi_oem oem;
	struct acpi_layout l;

	return acpi_plan(cfg, &oem, &l) ? 0 : l.end;
}

static void build_rsdp(u8 *t, const struct acpi_oem *oem, u64 rsdt_gpa, u64 xsdt_gpa)
{
	struct acpi_rsdp r = {
		.revision = RSDP_REVISION,
		.rsdt_address = (u32)rsdt_gpa,
		.length = ACPI_RSDP_V2_LEN,
		.xsdt_address = xsdt_gpa,
	};

	memcpy(r.signature, "RSD PTR ", sizeof(r.signature));
	memcpy(r.oem_id, oem->id, sizeof(r.oem_id));
	r.checksum = checksum_byte(&r, ACPI_RSDP_V1_LEN);
	r.ext_checksum = checksum_byte(&r, ACPI_RSDP_V2_LEN);
	memcpy(t, &r, sizeof(r));
}

/* XSDT (@entry_size 8) or RSDT (4): the FADT, then the MADT. */
static void build_root(u8 *t, const char *sig, u8 rev, u32 len, size_t entry_size,
		       const struct acpi_oem *oem, u64 fadt_gpa, u64 madt_gpa)
{
	const u64 entries[ROOT_ENTRIES] = { fadt_gpa, madt_gpa };
	struct acpi_sdt_header h;

	sdt_header(&h, sig, len, rev, oem);
	memcpy(t, &h, sizeof(h));
	for (size_t i = 0; i < ROOT_ENTRIES; i++)
		memcpy(t + sizeof(h) + i * entry_size, &entries[i], entry_size);	/* little-endian */
	sdt_checksum(t);
}

static struct acpi_gas gas_io8(u16 port)
{
	return (struct acpi_gas){
		.space_id = ACPI_GAS_SPACE_IO,
		.bit_width = 8,
		.access_size = ACPI_GAS_ACCESS_BYTE,
		.address = port,
	};
}

static void build_fadt(u8 *t, const struct acpi_oem *oem, u64 dsdt_gpa)
{
	struct acpi_fadt f;

	memset(&f, 0, sizeof(f));
	sdt_header(&f.hdr, "FACP", ACPI_FADT_LEN, FADT_REVISION, oem);
	f.minor_version = FADT_MINOR_VERSION;
	/* No FACS (firmware_ctrl 0): hardware-reduced, and no firmware to talk to. */
	f.dsdt = (u32)dsdt_gpa;
	f.x_dsdt = dsdt_gpa;
	f.preferred_pm_profile = ACPI_PM_PROFILE_UNSPECIFIED;
	f.sci_int = 0;
	f.p_lvl2_lat = P_LVL2_LAT_NONE;
	f.p_lvl3_lat = P_LVL3_LAT_NONE;
	f.iapc_boot_arch = (u16)(ACPI_IAPC_LEGACY_DEVICES | ACPI_IAPC_VGA_NOT_PRESENT |
				 ACPI_IAPC_MSI_NOT_SUPPORTED | ACPI_IAPC_PCIE_ASPM_CONTROLS);
	f.flags = (u32)(ACPI_FADT_F_WBINVD | ACPI_FADT_F_PWR_BUTTON | ACPI_FADT_F_SLP_BUTTON |
			ACPI_FADT_F_RESET_REG_SUP | ACPI_FADT_F_HW_REDUCED_ACPI);
	f.reset_reg = gas_io8(PLAT_RESET_PORT);
	f.reset_value = PLAT_RESET_VALUE;
	f.sleep_control_reg = gas_io8(PLAT_ACPI_SLEEP_CTL);
	f.sleep_status_reg = gas_io8(PLAT_ACPI_SLEEP_STS);
	memcpy((u8 *)&f + offsetof(struct acpi_fadt, hypervisor_vendor_id), HYPERVISOR_VENDOR_ID,
	       sizeof(HYPERVISOR_VENDOR_ID) - 1);
	memcpy(t, &f, sizeof(f));
	sdt_checksum(t);
}

static void build_madt(u8 *t, const struct acpi_build_cfg *cfg, const struct acpi_oem *oem,
		       u32 len)
{
	struct acpi_madt m;
	size_t off = sizeof(m);

	sdt_header(&m.hdr, "APIC", len, MADT_REVISION, oem);
	m.lapic_addr = (u32)PLAT_LAPIC_BASE;
	m.flags = 0;	/* no PCAT_COMPAT: there are no 8259s */
	memcpy(t, &m, sizeof(m));

	/* APIC id 0, the boot vCPU, first: ACPI 6.5 5.2.12.1 asks for the boot processor first. */
	for (u32 id = 0; id < cfg->nr_vcpus; id++) {
		if (cfg->x2apic) {
			const struct acpi_madt_x2apic_entry e = {
				.type = MADT_X2APIC, .length = sizeof(e),
				.x2apic_id = id, .flags = MADT_CPU_ENABLED, .uid = id,
			};

			memcpy(t + off, &e, sizeof(e));
			off += sizeof(e);
		} else {
			const struct acpi_madt_lapic_entry e = {
				.type = MADT_LAPIC, .length = sizeof(e),
				.uid = (u8)id, .apic_id = (u8)id, .flags = MADT_CPU_ENABLED,
			};

			memcpy(t + off, &e, sizeof(e));
			off += sizeof(e);
		}
	}

	const struct acpi_madt_ioapic_entry io = {
		.type = MADT_IOAPIC, .length = sizeof(io),
		.id = PLAT_IOAPIC_ID, .address = (u32)PLAT_IOAPIC_BASE,
		.gsi_base = PLAT_IOAPIC_GSI_BASE,
	};

	memcpy(t + off, &io, sizeof(io));
	off += sizeof(io);

	for (size_t i = 0; i < ARRAY_SIZE(isa_overrides); i++) {
		const struct acpi_madt_iso_entry iso = {
			.type = MADT_ISO, .length = sizeof(iso),
			.bus = MADT_ISO_BUS_ISA, .source = isa_overrides[i].isa_irq,
			.gsi = isa_overrides[i].gsi,
			.flags = MADT_INTI_POLARITY_HIGH | MADT_INTI_TRIGGER_EDGE,
		};

		memcpy(t + off, &iso, sizeof(iso));
		off += sizeof(iso);
	}
	sdt_checksum(t);
}

/* Returns false if the AML came out other than planned (a bug: the size was measured). */
static bool build_dsdt(u8 *t, const struct acpi_oem *oem, u32 len)
{
	struct acpi_sdt_header h;
	struct aml_buf a;

	sdt_header(&h, "DSDT", len, DSDT_REVISION, oem);
	memcpy(t, &h, sizeof(h));
	aml_init(&a, t + sizeof(h), len - sizeof(h));
	dsdt_aml(&a);
	if (!aml_ok(&a) || a.len != len - sizeof(h))
		return false;
	sdt_checksum(t);
	return true;
}

int acpi_build(const struct acpi_build_cfg *cfg, u8 *buf, size_t size, u64 buf_gpa,
	       struct acpi_build_info *info)
{
	struct acpi_oem oem;
	struct acpi_layout l;

	if (!info)
		return -HV_EINVAL;
	memset(info, 0, sizeof(*info));
	if (acpi_plan(cfg, &oem, &l))
		return -HV_EINVAL;
	/* RSDP alignment; 32-bit RSDT entries and FADT.DSDT reach every table. */
	if (!IS_ALIGNED(buf_gpa, TABLE_ALIGN) || buf_gpa > (1ull << 32) - l.end)
		return -HV_EINVAL;
	info->size = l.end;
	if (!buf || size < l.end)
		return -HV_ENOSPC;

	memset(buf, 0, l.end);
	build_rsdp(buf + l.rsdp, &oem, buf_gpa + l.rsdt, buf_gpa + l.xsdt);
	build_root(buf + l.xsdt, "XSDT", XSDT_REVISION, l.xsdt_len, sizeof(u64), &oem,
		   buf_gpa + l.fadt, buf_gpa + l.madt);
	build_root(buf + l.rsdt, "RSDT", RSDT_REVISION, l.rsdt_len, sizeof(u32), &oem,
		   buf_gpa + l.fadt, buf_gpa + l.madt);
	build_fadt(buf + l.fadt, &oem, buf_gpa + l.dsdt);
	build_madt(buf + l.madt, cfg, &oem, l.madt_len);
	if (!build_dsdt(buf + l.dsdt, &oem, l.dsdt_len)) {
		memset(buf, 0, l.end);
		return -HV_EINVAL;
	}

	info->rsdp_gpa = buf_gpa + l.rsdp;
	info->xsdt_gpa = buf_gpa + l.xsdt;
	info->rsdt_gpa = buf_gpa + l.rsdt;
	info->fadt_gpa = buf_gpa + l.fadt;
	info->madt_gpa = buf_gpa + l.madt;
	info->dsdt_gpa = buf_gpa + l.dsdt;
	return 0;
}
