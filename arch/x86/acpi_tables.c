// SPDX-License-Identifier: MIT
/*
 * Portable ACPI table parser.  Firmware tables are checked before use:
 * signature, a sane length and the checksum for every table looked at, and
 * the length of every MADT entry against what remains of the table.  All
 * multi-byte fields are read with memcpy because ACPI only guarantees byte
 * alignment for most of them (the XSDT's 64-bit entries sit at offset 36).
 */
#include "arch/x86/acpi_tables.h"
#include "lib/platform.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define ACPI_HDR_LEN		((u32)sizeof(struct acpi_sdt_header))
#define MADT_FIXED_LEN		(ACPI_HDR_LEN + 8)	/* + LAPIC address + flags */

BUILD_BUG_ON(sizeof(struct acpi_rsdp) != ACPI_RSDP_V2_LEN);
BUILD_BUG_ON(sizeof(struct acpi_sdt_header) != 36);

u8 acpi_checksum(const void *p, size_t len)
{
	const u8 *b = p;
	u8 sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (u8)(sum + b[i]);
	return sum;
}

int acpi_validate_rsdp(const void *p, unsigned int len, u64 *root_pa, bool *is_xsdt)
{
	const u8 *b = p;
	u8 rev;
	u32 rsdt, tlen;
	u64 xsdt;

	if (!p || len < ACPI_RSDP_V1_LEN) {
		pr_warn("acpi: RSDP missing or shorter than %u bytes\n", ACPI_RSDP_V1_LEN);
		return -HV_EINVAL;
	}
	if (memcmp(b, "RSD PTR ", 8)) {
		pr_warn("acpi: RSDP signature is not \"RSD PTR \"\n");
		return -HV_EINVAL;
	}
	if (acpi_checksum(b, ACPI_RSDP_V1_LEN)) {
		pr_warn("acpi: RSDP checksum (first 20 bytes) is wrong\n");
		return -HV_EBADMSG;
	}
	rev = b[15];
	rsdt = get_unaligned_u32(b + 16);
	if (rev >= 2 && len < ACPI_RSDP_V2_LEN) {
		pr_warn("acpi: revision %u RSDP but only %u bytes: using the RSDT\n", rev, len);
		rev = 0;
	}
	if (rev >= 2) {
		tlen = get_unaligned_u32(b + 20);
		if (tlen < ACPI_RSDP_V2_LEN || tlen > len) {
			pr_warn("acpi: RSDP length %u is outside [%u, %u]\n", tlen, ACPI_RSDP_V2_LEN,
				len);
			return -HV_EINVAL;
		}
		if (acpi_checksum(b, tlen)) {
			pr_warn("acpi: RSDP extended checksum is wrong\n");
			return -HV_EBADMSG;
		}
		xsdt = get_unaligned_u64(b + 24);
		if (xsdt) {
			*root_pa = xsdt;
			*is_xsdt = true;
			return 0;
		}
	}
	if (!rsdt) {
		pr_warn("acpi: RSDP has neither an XSDT nor an RSDT address\n");
		return -HV_EINVAL;
	}
	*root_pa = rsdt;
	*is_xsdt = false;
	return 0;
}

/*
 * Map the table at @pa and check its length and checksum.  @sig, if set,
 * must match (checked first, so tables of other types cost one read; a
 * mismatch is reported unless @quiet_mismatch).  Returns NULL (after a
 * message for a bad table) when it is unusable or of another type.
 */
static const struct acpi_sdt_header *acpi_map_checked(u64 pa, const char *sig, bool quiet_mismatch)
{
	const struct acpi_sdt_header *h;
	u32 len;

	if (!pa)
		return NULL;
	h = arch_phys_to_virt(pa);
	if (sig && memcmp(h->signature, sig, 4)) {
		if (!quiet_mismatch)
			pr_warn("acpi: table at %#llx: signature \"%.4s\", expected \"%.4s\"\n",
				pa, h->signature, sig);
		return NULL;
	}
	len = get_unaligned_u32((const u8 *)h + 4);
	if (len < ACPI_HDR_LEN || len > ACPI_MAX_TABLE_LEN) {
		pr_warn("acpi: %.4s at %#llx: length %u is not sane, skipped\n", h->signature,
			pa, len);
		return NULL;
	}
	if (acpi_checksum(h, len)) {
		pr_warn("acpi: %.4s at %#llx: bad checksum, skipped\n", h->signature,
			pa);
		return NULL;
	}
	return h;
}

const struct acpi_sdt_header *acpi_find_table(u64 root_pa, bool is_xsdt, const char sig[4])
{
	const struct acpi_sdt_header *root, *t;
	unsigned int esize = is_xsdt ? 8 : 4, n;
	const u8 *ents;

	root = acpi_map_checked(root_pa, is_xsdt ? "XSDT" : "RSDT", false);
	if (!root)
		return NULL;
	n = (root->length - ACPI_HDR_LEN) / esize;
	if ((root->length - ACPI_HDR_LEN) % esize)
		pr_warn("acpi: %.4s length %u leaves a partial entry, ignored\n", root->signature,
			root->length);
	ents = (const u8 *)root + ACPI_HDR_LEN;
	for (unsigned int i = 0; i < n; i++) {
		u64 pa = is_xsdt ? get_unaligned_u64(ents + (size_t)i * 8) : get_unaligned_u32(ents + (size_t)i * 4);

		t = acpi_map_checked(pa, sig, true);
		if (t)
			return t;
	}
	return NULL;
}

/* Record one processor entry (type 0 or 9). */
static void madt_add_cpu(struct madt_info *out, u32 apic_id, u32 uid, u32 flags, bool x2apic,
			 u8 madt_rev)
{
	struct madt_cpu *c;
	bool enabled = flags & MADT_CPU_ENABLED;
	bool online_cap = madt_rev >= 5 && (flags & MADT_CPU_ONLINE_CAP);

	if (!enabled && !online_cap) {
		pr_debug("acpi: MADT CPU apic_id %u is disabled and not online-capable\n", apic_id);
		return;
	}
	if (x2apic && apic_id == 0xffffffffu) {
		pr_warn("acpi: MADT x2APIC entry with invalid ID 0xffffffff skipped\n");
		return;
	}
	for (unsigned int i = 0; i < out->ncpus; i++) {
		if (out->cpus[i].apic_id == apic_id) {
			pr_warn("acpi: MADT lists APIC ID %u twice, second entry skipped\n", apic_id);
			return;
		}
	}
	out->ncpus_total++;
	if (enabled)
		out->ncpus_enabled++;
	if (out->ncpus == MADT_MAX_CPUS) {
		if (out->ncpus_total == MADT_MAX_CPUS + 1)
			pr_warn("acpi: MADT has more than %u CPUs; only the first %u are recorded\n",
				MADT_MAX_CPUS, MADT_MAX_CPUS);
		return;
	}
	c = &out->cpus[out->ncpus++];
	c->apic_id = apic_id;
	c->acpi_uid = uid;
	c->enabled = enabled;
	c->online_capable = online_cap;
	c->x2apic = x2apic;
}

/* Minimum length of the entry types we read; 0 for types we only skip. */
static u8 madt_min_len(u8 type)
{
	switch (type) {
	case MADT_LAPIC:
		return 8;
	case MADT_IOAPIC:
		return 12;
	case MADT_ISO:
		return 10;
	case MADT_LAPIC_OVERRIDE:
		return 12;
	case MADT_X2APIC:
		return 16;
	default:
		return 0;
	}
}

/* Record one MADT entry already known to be long enough for its type. */
static void madt_entry(struct madt_info *out, const u8 *e, u8 madt_rev)
{
	switch (e[0]) {
	case MADT_LAPIC:
		madt_add_cpu(out, e[3], e[2], get_unaligned_u32(e + 4), false, madt_rev);
		break;
	case MADT_X2APIC:
		madt_add_cpu(out, get_unaligned_u32(e + 4), get_unaligned_u32(e + 12), get_unaligned_u32(e + 8), true, madt_rev);
		break;
	case MADT_IOAPIC:
		if (out->nioapics == MADT_MAX_IOAPICS) {
			pr_warn("acpi: more than %u I/O APICs, id %u ignored\n", MADT_MAX_IOAPICS, e[2]);
			break;
		}
		out->ioapics[out->nioapics++] = (struct madt_ioapic){
			.id = e[2], .addr = get_unaligned_u32(e + 4), .gsi_base = get_unaligned_u32(e + 8),
		};
		break;
	case MADT_ISO:
		if (out->noverrides == MADT_MAX_OVERRIDES) {
			pr_warn("acpi: more than %u interrupt overrides, the rest ignored\n",
				MADT_MAX_OVERRIDES);
			break;
		}
		out->overrides[out->noverrides++] = (struct madt_override){
			.bus = e[2], .source = e[3], .gsi = get_unaligned_u32(e + 4), .flags = get_unaligned_u16(e + 8),
		};
		break;
	case MADT_LAPIC_OVERRIDE:
		out->lapic_pa = get_unaligned_u64(e + 4);
		break;
	case MADT_NMI_SRC:
	case MADT_LAPIC_NMI:
	case MADT_X2APIC_NMI:
		break;	/* known; not needed yet */
	default:
		out->nunknown++;
		break;
	}
}

int acpi_parse_madt(const void *madt, u32 len, struct madt_info *out)
{
	const u8 *b = madt;
	u32 tlen, off;
	u8 rev;

	memset(out, 0, sizeof(*out));
	if (!madt || len < MADT_FIXED_LEN) {
		pr_warn("acpi: MADT missing or shorter than %u bytes\n", MADT_FIXED_LEN);
		return -HV_EINVAL;
	}
	if (memcmp(b, "APIC", 4)) {
		pr_warn("acpi: MADT signature is \"%.4s\", not \"APIC\"\n", (const char *)b);
		return -HV_EINVAL;
	}
	tlen = get_unaligned_u32(b + 4);
	if (tlen < MADT_FIXED_LEN || tlen > len) {
		pr_warn("acpi: MADT length %u is outside [%u, %u]\n", tlen, MADT_FIXED_LEN, len);
		return -HV_EINVAL;
	}
	if (acpi_checksum(b, tlen)) {
		pr_warn("acpi: MADT checksum is wrong\n");
		return -HV_EBADMSG;
	}
	rev = b[8];
	out->lapic_pa = get_unaligned_u32(b + 36);
	out->pcat_compat = get_unaligned_u32(b + 40) & MADT_PCAT_COMPAT;

	for (off = MADT_FIXED_LEN; off < tlen;) {
		const u8 *e = b + off;
		u32 left = tlen - off;
		u8 elen, need;

		if (left < 2) {
			pr_warn("acpi: MADT: %u stray byte(s) at offset %u, ignored\n", left, off);
			break;
		}
		elen = e[1];
		if (elen < 2) {
			pr_warn("acpi: MADT entry type %u at offset %u has length %u: walk stopped\n",
				e[0], off, elen);
			break;
		}
		if (elen > left) {
			pr_warn("acpi: MADT entry type %u at offset %u (length %u) runs past the table "
				"end: walk stopped\n", e[0], off, elen);
			break;
		}
		need = madt_min_len(e[0]);
		if (elen < need)
			pr_warn("acpi: MADT entry type %u at offset %u: length %u < %u, skipped\n",
				e[0], off, elen, need);
		else
			madt_entry(out, e, rev);
		off += elen;
	}
	if (out->nunknown)
		pr_debug("acpi: MADT: %u entries of unknown type skipped\n", out->nunknown);
	return 0;
}
