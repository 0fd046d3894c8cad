// SPDX-License-Identifier: MIT
/*
 * vmx/vm/acpi_build.c: the tables for 1, 2, 4, 8, 64 (and 255, 256, 4096)
 * vCPUs, with and without x2APIC entries.  Every table is found by
 * following the pointers from the RSDP, bounds-checked inside the buffer,
 * checksummed, and read back field by field; the MADT also through the
 * hypervisor's own firmware parser (arch/x86/acpi_tables.c).  Buffers are
 * heap blocks of the exact size, so ASan sees any write past the end; too
 * small buffers and bad configurations must be refused without a write.
 */
#include "arch/x86/acpi_tables.h"
#include "tests/host/harness.h"
#include "tests/host/test_capture.h"
#include "vmx/dev/platform.h"
#include "vmx/vm/acpi_build.h"

#include <stdlib.h>
#include <string.h>

#define BASE		PLAT_ACPI_RSDP_GPA
#define HDR		sizeof(struct acpi_sdt_header)

/*
 * The DSDT's AML: what `iasl -oa` compiles from the ASL in acpi_build.c's
 * comment (the iasl test checks that round trip; this pins the bytes).
 */
static const u8 dsdt_aml[] = {
	0x10, 0x33, 0x5c, '_', 'S', 'B', '_',			/* Scope (\_SB) */
	0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',			/* Device (COM1) */
	0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,	/* _HID EisaId ("PNP0501") */
	0x08, '_', 'U', 'I', 'D', 0x01,				/* _UID One */
	0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,	/* _CRS Buffer (13) */
	0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x01, 0x08,		/* IO (Decode16, 0x3F8, 0x3F8, 1, 8) */
	0x22, 0x10, 0x00,					/* IRQNoFlags () {4} */
	0x79, 0x00,						/* EndTag */
	0x08, '_', 'S', '5', '_', 0x12, 0x08, 0x04,		/* Name (_S5, Package (4) */
	0x0a, 0x05, 0x0a, 0x05, 0x00, 0x00,			/* {5, 5, Zero, Zero}) */
};

struct built {
	const struct acpi_build_cfg *cfg;
	u8 *buf;
	size_t size;
	u64 base;
	struct acpi_build_info info;
};

static u32 rd32(const u8 *p)
{
	u32 v;

	memcpy(&v, p, 4);
	return v;
}

static u64 rd64(const u8 *p)
{
	u64 v;

	memcpy(&v, p, 8);
	return v;
}

/* The table at @gpa, if its header and its whole length lie inside the buffer. */
static const u8 *table_at(const struct built *b, u64 gpa, const char *sig)
{
	const u8 *t;
	u32 len;

	if (gpa < b->base || gpa - b->base + HDR > b->size) {
		test_fail(__FILE__, __LINE__, "%s at %#llx is outside the buffer", sig,
			  gpa);
		return NULL;
	}
	t = b->buf + (gpa - b->base);
	len = rd32(t + 4);
	if (memcmp(t, sig, 4) || len < HDR || gpa - b->base + len > b->size) {
		test_fail(__FILE__, __LINE__, "%s at %#llx: signature %.4s, length %u", sig,
			  gpa, (const char *)t, len);
		return NULL;
	}
	return t;
}

/* The common header: signature, revision, checksum, OEM and creator fields. */
static void check_header(const struct built *b, const u8 *t, u8 rev, const char *oem_id,
			 const char *oem_table_id)
{
	struct acpi_sdt_header h;

	memcpy(&h, t, sizeof(h));
	CHECK_EQ(h.revision, rev);
	CHECK_EQ(acpi_checksum(t, h.length), 0);
	CHECK(!memcmp(h.oem_id, oem_id, 6));
	CHECK(!memcmp(h.oem_table_id, oem_table_id, 8));
	CHECK_EQ(h.oem_revision, b->cfg->oem_revision);
	CHECK(!memcmp((const u8 *)t + 28, "HVAB", 4));
	CHECK(h.creator_revision != 0);
}

/* A root table's entries must be exactly the FADT then the MADT. */
static void check_root(const struct built *b, const u8 *t, size_t esize)
{
	u32 len = rd32(t + 4);

	CHECK_EQ(len, HDR + 2 * esize);
	if (esize == 8) {
		CHECK_EQ(rd64(t + HDR), b->info.fadt_gpa);
		CHECK_EQ(rd64(t + HDR + 8), b->info.madt_gpa);
	} else {
		CHECK_EQ(rd32(t + HDR), b->info.fadt_gpa);
		CHECK_EQ(rd32(t + HDR + 4), b->info.madt_gpa);
	}
}

static void check_gas_io8(const struct acpi_gas *g, u16 port)
{
	CHECK_EQ(g->space_id, ACPI_GAS_SPACE_IO);
	CHECK_EQ(g->bit_width, 8);
	CHECK_EQ(g->bit_offset, 0);
	CHECK_EQ(g->access_size, ACPI_GAS_ACCESS_BYTE);
	CHECK_EQ(g->address, port);
}

static void check_fadt(const struct built *b, const u8 *t)
{
	struct acpi_fadt f;
	static const u8 zero[sizeof(struct acpi_gas) * 8];

	CHECK_EQ(rd32(t + 4), ACPI_FADT_LEN);
	memcpy(&f, t, sizeof(f));
	CHECK_EQ(f.minor_version, 5);
	CHECK_EQ(f.firmware_ctrl, 0);
	CHECK_EQ(f.x_firmware_ctrl, 0);
	CHECK_EQ(f.dsdt, b->info.dsdt_gpa);
	CHECK_EQ(f.x_dsdt, b->info.dsdt_gpa);
	CHECK_EQ(f.sci_int, 0);
	CHECK_EQ(f.smi_cmd, 0);
	CHECK_EQ(f.pm1a_evt_blk | f.pm1a_cnt_blk | f.pm_tmr_blk | f.gpe0_blk, 0);
	CHECK(!memcmp(&f.x_pm1a_evt_blk, zero, sizeof(zero)));	/* all eight X_ blocks */
	CHECK_EQ(f.century, 0);

	CHECK(f.flags & ACPI_FADT_F_HW_REDUCED_ACPI);
	CHECK(f.flags & ACPI_FADT_F_RESET_REG_SUP);
	CHECK(f.flags & ACPI_FADT_F_PWR_BUTTON);
	CHECK(f.flags & ACPI_FADT_F_SLP_BUTTON);
	CHECK(!(f.flags & ACPI_FADT_F_TMR_VAL_EXT));

	CHECK(f.iapc_boot_arch & ACPI_IAPC_VGA_NOT_PRESENT);
	CHECK(f.iapc_boot_arch & ACPI_IAPC_MSI_NOT_SUPPORTED);
	CHECK(f.iapc_boot_arch & ACPI_IAPC_PCIE_ASPM_CONTROLS);
	CHECK(f.iapc_boot_arch & ACPI_IAPC_LEGACY_DEVICES);
	CHECK(!(f.iapc_boot_arch & ACPI_IAPC_CMOS_RTC_NOT_PRESENT));	/* hv emulates the CMOS */
	CHECK(!(f.iapc_boot_arch & ACPI_IAPC_8042));

	check_gas_io8(&f.reset_reg, PLAT_RESET_PORT);
	CHECK_EQ(f.reset_value, PLAT_RESET_VALUE);
	check_gas_io8(&f.sleep_control_reg, PLAT_ACPI_SLEEP_CTL);
	check_gas_io8(&f.sleep_status_reg, PLAT_ACPI_SLEEP_STS);
	CHECK(!memcmp(&f.hypervisor_vendor_id, "hv\0\0\0\0\0\0", 8));
}

static void check_dsdt(const u8 *t)
{
	u32 len = rd32(t + 4);

	CHECK_EQ(len, HDR + sizeof(dsdt_aml));
	if (len == HDR + sizeof(dsdt_aml))
		CHECK(!memcmp(t + HDR, dsdt_aml, sizeof(dsdt_aml)));
	/* What the power-off path evaluates: SLP_TYP from the platform. */
	CHECK_EQ(PLAT_ACPI_S5_TYP, 5);
}

/* Walk the MADT's entries by hand, then through the firmware parser. */
static void check_madt(const struct built *b, const u8 *t)
{
	const struct acpi_build_cfg *cfg = b->cfg;
	unsigned int n = cfg->nr_vcpus, counts[16] = { 0 }, nentries = 0;
	u32 len = rd32(t + 4), off;
	struct madt_info *mi;
	struct capture cap;
	int rc;

	CHECK_EQ(rd32(t + 36), PLAT_LAPIC_BASE);
	CHECK_EQ(rd32(t + 40), 0);	/* no PCAT_COMPAT */
	for (off = sizeof(struct acpi_madt); off + 2 <= len; off += t[off + 1]) {
		if (t[off + 1] < 2)
			break;
		if (t[off] < ARRAY_SIZE(counts))
			counts[t[off]]++;
		nentries++;
	}
	CHECK_EQ(off, len);	/* the entries tile the table exactly */
	CHECK_EQ(nentries, n + 1 + 2);
	CHECK_EQ(counts[cfg->x2apic ? MADT_X2APIC : MADT_LAPIC], n);
	CHECK_EQ(counts[cfg->x2apic ? MADT_LAPIC : MADT_X2APIC], 0);
	CHECK_EQ(counts[MADT_IOAPIC], 1);
	CHECK_EQ(counts[MADT_ISO], 2);
	CHECK_EQ(counts[MADT_LAPIC_NMI] + counts[MADT_X2APIC_NMI] + counts[MADT_NMI_SRC], 0);

	mi = malloc(sizeof(*mi));
	CHECK(mi != NULL);
	if (!mi)
		return;
	capture_begin(&cap);	/* > MADT_MAX_CPUS entries make the parser say so */
	rc = acpi_parse_madt(t, len, mi);
	capture_end(&cap);
	if (n <= MADT_MAX_CPUS && cap.len)
		test_fail(__FILE__, __LINE__, "the MADT parser complained:\n%s", cap.text);
	capture_free(&cap);
	CHECK_EQ(rc, 0);
	CHECK_EQ(mi->lapic_pa, PLAT_LAPIC_BASE);
	CHECK(!mi->pcat_compat);
	CHECK_EQ(mi->ncpus_total, n);
	CHECK_EQ(mi->ncpus_enabled, n);
	CHECK_EQ(mi->ncpus, MIN(n, MADT_MAX_CPUS));
	for (unsigned int i = 0; i < mi->ncpus; i++) {
		CHECK_EQ(mi->cpus[i].apic_id, i);
		CHECK_EQ(mi->cpus[i].acpi_uid, i);
		CHECK(mi->cpus[i].enabled);
		CHECK(!mi->cpus[i].online_capable);
		CHECK_EQ(mi->cpus[i].x2apic, cfg->x2apic);
	}
	CHECK_EQ(mi->nioapics, 1);
	CHECK_EQ(mi->ioapics[0].id, PLAT_IOAPIC_ID);
	CHECK_EQ(mi->ioapics[0].addr, PLAT_IOAPIC_BASE);
	CHECK_EQ(mi->ioapics[0].gsi_base, 0);
	CHECK_EQ(mi->noverrides, 2);
	if (mi->noverrides == 2) {
		CHECK_EQ(mi->overrides[0].bus, 0);
		CHECK_EQ(mi->overrides[0].source, PLAT_COM1_ISA_IRQ);
		CHECK_EQ(mi->overrides[0].gsi, PLAT_COM1_GSI);
		CHECK_EQ(mi->overrides[0].flags, MADT_INTI_POLARITY_HIGH | MADT_INTI_TRIGGER_EDGE);
		CHECK_EQ(mi->overrides[1].bus, 0);
		CHECK_EQ(mi->overrides[1].source, PLAT_RTC_ISA_IRQ);
		CHECK_EQ(mi->overrides[1].gsi, PLAT_RTC_GSI);
		CHECK_EQ(mi->overrides[1].flags, MADT_INTI_POLARITY_HIGH | MADT_INTI_TRIGGER_EDGE);
	}
	CHECK_EQ(mi->nunknown, 0);
	free(mi);
}

/*
 * The tables must not overlap, must be 16-byte aligned, must fill the
 * reported size exactly (the DSDT last), with zeros between them.
 */
static void check_layout(const struct built *b)
{
	const struct acpi_build_info *i = &b->info;
	const u64 gpa[] = { i->rsdp_gpa, i->xsdt_gpa, i->rsdt_gpa, i->fadt_gpa, i->madt_gpa,
			    i->dsdt_gpa };
	u64 end = b->base;

	for (size_t k = 0; k < ARRAY_SIZE(gpa); k++) {
		u64 off = gpa[k] - b->base;
		u32 len = k == 0 ? ACPI_RSDP_V2_LEN : rd32(b->buf + off + 4);

		CHECK(IS_ALIGNED(gpa[k], 16));
		CHECK(gpa[k] >= end);
		for (u64 p = end; p < gpa[k]; p++)
			CHECK_EQ(b->buf[p - b->base], 0);
		end = gpa[k] + len;
	}
	CHECK_EQ(end, b->base + b->size);
}

/* Build for @cfg at @base into an exact-size heap buffer and check everything. */
static void check_cfg(const struct acpi_build_cfg *cfg, u64 base)
{
	char oem_id[7], oem_tid[9];
	struct built b = { .cfg = cfg, .base = base };
	const u8 *xsdt, *rsdt, *fadt, *madt, *dsdt;
	u8 rsdp[ACPI_RSDP_V2_LEN];
	u64 root = 0;
	bool is_xsdt = false;
	int rc;

	/* What the header fields must hold: the strings, space-padded. */
	snprintf(oem_id, sizeof(oem_id), "%-6s", cfg->oem_id ? cfg->oem_id : "HVHVHV");
	snprintf(oem_tid, sizeof(oem_tid), "%-8s", cfg->oem_table_id ? cfg->oem_table_id : "HVVM");
	b.size = acpi_build_size(cfg);
	CHECK(b.size > 0);
	b.buf = malloc(b.size);
	CHECK(b.buf != NULL);
	if (!b.buf)
		return;
	memset(b.buf, 0xa5, b.size);
	rc = acpi_build(cfg, b.buf, b.size, base, &b.info);
	CHECK_EQ(rc, 0);
	if (rc)
		goto out;
	CHECK_EQ(b.info.size, b.size);
	CHECK_EQ(b.info.rsdp_gpa, base);

	/* RSDP: both checksums, revision 2, both roots; the firmware parser prefers the XSDT. */
	memcpy(rsdp, b.buf, sizeof(rsdp));
	CHECK(!memcmp(rsdp, "RSD PTR ", 8));
	CHECK_EQ(acpi_checksum(rsdp, ACPI_RSDP_V1_LEN), 0);
	CHECK_EQ(acpi_checksum(rsdp, ACPI_RSDP_V2_LEN), 0);
	CHECK_EQ(rsdp[15], 2);
	CHECK_EQ(rd32(rsdp + 20), ACPI_RSDP_V2_LEN);
	CHECK(!memcmp(rsdp + 9, oem_id, 6));
	CHECK_EQ(rd32(rsdp + 16), b.info.rsdt_gpa);
	CHECK_EQ(rd64(rsdp + 24), b.info.xsdt_gpa);
	CHECK_EQ(acpi_validate_rsdp(rsdp, sizeof(rsdp), &root, &is_xsdt), 0);
	CHECK_EQ(root, b.info.xsdt_gpa);
	CHECK(is_xsdt);

	/* Follow the pointers, not the info, to every table. */
	xsdt = table_at(&b, rd64(rsdp + 24), "XSDT");
	rsdt = table_at(&b, rd32(rsdp + 16), "RSDT");
	if (!xsdt || !rsdt)
		goto out;
	check_header(&b, xsdt, 1, oem_id, oem_tid);
	check_header(&b, rsdt, 1, oem_id, oem_tid);
	check_root(&b, xsdt, 8);
	check_root(&b, rsdt, 4);

	fadt = table_at(&b, rd64(xsdt + HDR), "FACP");
	madt = table_at(&b, rd64(xsdt + HDR + 8), "APIC");
	if (!fadt || !madt)
		goto out;
	check_header(&b, fadt, 6, oem_id, oem_tid);
	check_fadt(&b, fadt);
	check_header(&b, madt, 6, oem_id, oem_tid);
	check_madt(&b, madt);

	dsdt = table_at(&b, rd64(fadt + offsetof(struct acpi_fadt, x_dsdt)), "DSDT");
	CHECK(dsdt == table_at(&b, rd32(fadt + offsetof(struct acpi_fadt, dsdt)), "DSDT"));
	if (!dsdt)
		goto out;
	check_header(&b, dsdt, 2, oem_id, oem_tid);
	check_dsdt(dsdt);

	check_layout(&b);
out:
	free(b.buf);
}

static void test_configs(void)
{
	static const unsigned int counts[] = { 1, 2, 4, 8, 64 };

	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		for (int x2 = 0; x2 <= 1; x2++) {
			const struct acpi_build_cfg cfg = { .nr_vcpus = counts[i], .x2apic = x2 };

			check_cfg(&cfg, BASE);
		}
	}
	/* The limits of each entry type, and the whole bound. */
	const struct acpi_build_cfg big[] = {
		{ .nr_vcpus = ACPI_BUILD_MAX_XAPIC_VCPUS },
		{ .nr_vcpus = 256, .x2apic = true },
		{ .nr_vcpus = ACPI_BUILD_MAX_VCPUS, .x2apic = true },
	};

	for (size_t i = 0; i < ARRAY_SIZE(big); i++)
		check_cfg(&big[i], BASE);

	/* Other OEM strings, padded; another address, as high as the 32-bit pointers allow. */
	const struct acpi_build_cfg oem = {
		.nr_vcpus = 3, .oem_id = "AB", .oem_table_id = "12345678", .oem_revision = 7,
	};
	const struct acpi_build_cfg oem_full = {
		.nr_vcpus = 2, .oem_id = "ABCDEF", .oem_table_id = "", .oem_revision = 0xffffffffu,
	};

	check_cfg(&oem, BASE);
	check_cfg(&oem_full, 0x100000);
	check_cfg(&oem_full, ALIGN_DOWN((1ull << 32) - acpi_build_size(&oem_full), 16));
}

static void test_oem_padding(void)
{
	const struct acpi_build_cfg cfg = { .nr_vcpus = 1, .oem_id = "AB", .oem_table_id = "" };
	struct acpi_build_info info;
	size_t size = acpi_build_size(&cfg);
	u8 *buf = malloc(size);

	CHECK(buf != NULL);
	if (!buf)
		return;
	CHECK_EQ(acpi_build(&cfg, buf, size, BASE, &info), 0);
	CHECK(!memcmp(buf + 9, "AB    ", 6));
	CHECK(!memcmp(buf + (info.fadt_gpa - BASE) + 10, "AB            ", 14));
	free(buf);
}

/* Every size below the need: -HV_ENOSPC, the need reported, not a byte written. */
static void test_too_small(void)
{
	const struct acpi_build_cfg cfg = { .nr_vcpus = 4 };
	struct acpi_build_info info;
	size_t need = acpi_build_size(&cfg);
	u8 *buf;

	CHECK(need > 0);
	CHECK_EQ(acpi_build(&cfg, NULL, 0, BASE, &info), -HV_ENOSPC);
	CHECK_EQ(info.size, need);
	for (size_t size = test_opts.quick ? need - 1 : 0; size < need; size++) {
		buf = malloc(size ? size : 1);
		CHECK(buf != NULL);
		if (!buf)
			return;
		memset(buf, 0xa5, size);
		memset(&info, 0xff, sizeof(info));
		CHECK_EQ(acpi_build(&cfg, buf, size, BASE, &info), -HV_ENOSPC);
		CHECK_EQ(info.size, need);
		CHECK_EQ(info.rsdp_gpa, 0);
		for (size_t i = 0; i < size; i++)
			if (buf[i] != 0xa5) {
				test_fail(__FILE__, __LINE__, "size %zu: byte %zu written", size, i);
				break;
			}
		free(buf);
	}
}

static void test_invalid(void)
{
	static u8 buf[PLAT_ACPI_AREA_SIZE];
	struct acpi_build_info info;
	const struct acpi_build_cfg ok = { .nr_vcpus = 2 };
	const struct acpi_build_cfg bad[] = {
		{ .nr_vcpus = 0 },
		{ .nr_vcpus = 0, .x2apic = true },
		{ .nr_vcpus = ACPI_BUILD_MAX_XAPIC_VCPUS + 1 },
		{ .nr_vcpus = ACPI_BUILD_MAX_VCPUS + 1, .x2apic = true },
		{ .nr_vcpus = 1, .oem_id = "1234567" },
		{ .nr_vcpus = 1, .oem_table_id = "123456789" },
	};
	size_t need = acpi_build_size(&ok);

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(buf, 0xa5, sizeof(buf));
		CHECK_EQ(acpi_build_size(&bad[i]), 0);
		CHECK_EQ(acpi_build(&bad[i], buf, sizeof(buf), BASE, &info), -HV_EINVAL);
		CHECK_EQ(info.size, 0);
		CHECK(buf[0] == 0xa5 && buf[sizeof(buf) - 1] == 0xa5);
	}
	CHECK_EQ(acpi_build_size(NULL), 0);
	CHECK_EQ(acpi_build(NULL, buf, sizeof(buf), BASE, &info), -HV_EINVAL);
	CHECK_EQ(acpi_build(&ok, buf, sizeof(buf), BASE, NULL), -HV_EINVAL);

	/* Placement: the RSDP 16-byte aligned, every table below 4 GiB. */
	memset(buf, 0xa5, sizeof(buf));
	CHECK_EQ(acpi_build(&ok, buf, sizeof(buf), BASE + 8, &info), -HV_EINVAL);
	CHECK_EQ(acpi_build(&ok, buf, sizeof(buf), (1ull << 32) - need + 16, &info),
		 -HV_EINVAL);
	CHECK_EQ(acpi_build(&ok, buf, sizeof(buf), 1ull << 32, &info), -HV_EINVAL);
	CHECK_EQ(acpi_build(&ok, buf, sizeof(buf), ~0ull & ~15ull, &info), -HV_EINVAL);
	CHECK(buf[0] == 0xa5);

	/* The tables for a few vCPUs fit the platform's ACPI area many times over. */
	CHECK(acpi_build_size(&(struct acpi_build_cfg){ .nr_vcpus = 64, .x2apic = true }) <
	      PLAT_ACPI_AREA_SIZE / 4);
}

/* The same configuration gives the same bytes; another address moves only the pointers. */
static void test_deterministic(void)
{
	const struct acpi_build_cfg cfg = { .nr_vcpus = 8 };
	size_t size = acpi_build_size(&cfg);
	u8 *a = calloc(1, size), *b = calloc(1, size);
	struct acpi_build_info ia, ib;

	CHECK(a && b);
	if (!a || !b)
		goto out;
	CHECK_EQ(acpi_build(&cfg, a, size, BASE, &ia), 0);
	CHECK_EQ(acpi_build(&cfg, b, size, BASE, &ib), 0);
	CHECK(!memcmp(a, b, size));
	CHECK_EQ(acpi_build(&cfg, b, size, BASE + 0x1000, &ib), 0);
	CHECK_EQ(ib.madt_gpa - ia.madt_gpa, 0x1000);
	CHECK_EQ(ib.dsdt_gpa - ia.dsdt_gpa, 0x1000);
	/* The MADT's body does not depend on where it lives. */
	CHECK(!memcmp(a + (ia.madt_gpa - BASE) + HDR, b + (ib.madt_gpa - BASE - 0x1000) + HDR,
		      rd32(a + (ia.madt_gpa - BASE) + 4) - HDR));
out:
	free(a);
	free(b);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_configs();
	test_oem_padding();
	test_too_small();
	test_invalid();
	test_deterministic();
	return test_finish();
}
