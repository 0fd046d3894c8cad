// SPDX-License-Identifier: MIT
/*
 * Multiboot2 boot information parser.  The structure comes from the boot
 * loader and is trusted for nothing: every read is bounds-checked against
 * total_size (itself checked against what the caller can map), and every
 * tag is checked before anything in it is used.  See the multiboot2
 * specification, section 3.6, for the layouts.
 */
#include "boot/multiboot2.h"
#include "lib/printk.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define MB2_TAG_HDR		8	/* u32 type, u32 size */
#define MB2_MMAP_ENTRY_MIN	24	/* u64 base, u64 len, u32 type, u32 reserved */
#define MB2_EFI_DESC_MIN	40	/* EFI_MEMORY_DESCRIPTOR version 1 */
#define EFI_DESC_VERSION	1

static const char *const mb2_tag_names[] = {
	[MB2_TAG_END] = "end",
	[MB2_TAG_CMDLINE] = "cmdline",
	[MB2_TAG_LOADER_NAME] = "loader-name",
	[MB2_TAG_MODULE] = "module",
	[MB2_TAG_BASIC_MEMINFO] = "basic-meminfo",
	[MB2_TAG_BOOTDEV] = "bootdev",
	[MB2_TAG_MMAP] = "mmap",
	[MB2_TAG_VBE] = "vbe",
	[MB2_TAG_FRAMEBUFFER] = "framebuffer",
	[MB2_TAG_ELF_SECTIONS] = "elf-sections",
	[MB2_TAG_APM] = "apm",
	[MB2_TAG_EFI32] = "efi32-system-table",
	[MB2_TAG_EFI64] = "efi64-system-table",
	[MB2_TAG_SMBIOS] = "smbios",
	[MB2_TAG_ACPI_OLD] = "acpi-old-rsdp",
	[MB2_TAG_ACPI_NEW] = "acpi-new-rsdp",
	[MB2_TAG_NETWORK] = "network",
	[MB2_TAG_EFI_MMAP] = "efi-mmap",
	[MB2_TAG_EFI_BS] = "efi-boot-services",
	[MB2_TAG_EFI32_IH] = "efi32-image-handle",
	[MB2_TAG_EFI64_IH] = "efi64-image-handle",
	[MB2_TAG_LOAD_BASE_ADDR] = "load-base-addr",
};

const char *mb2_tag_name(u32 type)
{
	if (type < ARRAY_SIZE(mb2_tag_names) && mb2_tag_names[type])
		return mb2_tag_names[type];
	return "unknown";
}

/* One tag being looked at: where it is and what it holds. */
struct mb2_tag {
	const u8 *p;		/* tag start (header) */
	u32 type, size;
	u32 off;		/* offset from the start of the structure */
};

static void mb2_bad(struct mb2_info *out, const struct mb2_tag *t, const char *why)
{
	out->bad_tags++;
	pr_warn("mb2: %s tag (type %u, %u bytes at offset %#x) rejected: %s\n",
		mb2_tag_name(t->type), t->type, t->size, t->off, why);
}

/* Payload of a string tag: must hold a NUL inside the tag. */
static const char *mb2_tag_string(struct mb2_info *out, const struct mb2_tag *t, u32 at)
{
	const char *s = (const char *)t->p + at;

	if (t->size <= at) {
		mb2_bad(out, t, "too short for its string");
		return NULL;
	}
	if (strnlen(s, t->size - at) == t->size - at) {
		mb2_bad(out, t, "string not NUL-terminated inside the tag");
		return NULL;
	}
	return s;
}

static bool mb2_need_size(struct mb2_info *out, const struct mb2_tag *t, u32 min)
{
	if (t->size >= min)
		return true;
	mb2_bad(out, t, "shorter than its fixed fields");
	return false;
}

/*
 * Module tag: u32 start, u32 end, then the module's command line.  Kept
 * only if start <= end and it overlaps neither the boot information nor an
 * earlier module.
 */
static void mb2_parse_module(struct mb2_info *out, const struct mb2_tag *t, u64 info_end)
{
	struct mb2_module m;
	const char *s;

	if (!mb2_need_size(out, t, MB2_TAG_HDR + 8 + 1))
		return;
	s = mb2_tag_string(out, t, MB2_TAG_HDR + 8);
	if (!s)
		return;
	m.start = get_unaligned_u32(t->p + 8);
	m.end = get_unaligned_u32(t->p + 12);
	m.cmdline = s;
	if (m.start > m.end) {
		mb2_bad(out, t, "module start is above its end");
		return;
	}
	if (m.start < info_end && out->info_pa < m.end) {
		mb2_bad(out, t, "module overlaps the boot information structure");
		return;
	}
	for (unsigned int i = 0; i < out->module_count; i++) {
		const struct mb2_module *o = &out->modules[i];

		if (m.start < o->end && o->start < m.end) {
			pr_warn("mb2: module [%#llx-%#llx) overlaps module %u [%#llx-%#llx)\n",
				m.start, m.end, i,
				o->start, o->end);
			mb2_bad(out, t, "overlapping modules");
			return;
		}
	}
	if (out->module_count == MB2_MAX_MODULES) {
		mb2_bad(out, t, "too many modules (MB2_MAX_MODULES)");
		return;
	}
	out->modules[out->module_count++] = m;
}

/*
 * Memory map tag: u32 entry_size, u32 entry_version (0), then entries of
 * entry_size bytes (base, length, type, reserved).  Empty entries are
 * dropped, wrapping ones clipped at 2^64.
 */
static void mb2_parse_mmap(struct mb2_info *out, const struct mb2_tag *t)
{
	u32 esize, version, n, rest;
	bool warned_reserved = false;

	if (!mb2_need_size(out, t, 16))
		return;
	esize = get_unaligned_u32(t->p + 8);
	version = get_unaligned_u32(t->p + 12);
	if (esize < MB2_MMAP_ENTRY_MIN || esize % 8) {
		mb2_bad(out, t, "entry_size is not a multiple of 8 of at least 24");
		return;
	}
	if (version != 0) {
		mb2_bad(out, t, "unknown entry_version (expected 0)");
		return;
	}
	n = (t->size - 16) / esize;
	rest = (t->size - 16) % esize;
	if (rest)
		pr_warn("mb2: mmap tag: %u trailing bytes after %u entries ignored\n", rest, n);
	for (u32 i = 0; i < n; i++) {
		const u8 *e = t->p + 16 + (u64)i * esize;
		struct mb2_mmap_entry me = { get_unaligned_u64(e), get_unaligned_u64(e + 8), get_unaligned_u32(e + 16) };

		if (get_unaligned_u32(e + 20) && !warned_reserved) {
			pr_warn("mb2: mmap entry %u: reserved field non-zero (ignored)\n", i);
			warned_reserved = true;
		}
		if (me.len == 0)
			continue;
		if (me.base + me.len < me.base) {
			pr_warn("mb2: mmap entry %u [%#llx +%#llx] wraps past 2^64, clipped\n", i,
				me.base, me.len);
			me.len = 0 - me.base;
		}
		if (out->mmap_count == MB2_MAX_MMAP) {
			pr_warn("mb2: mmap: more than %u entries, the rest ignored\n", MB2_MAX_MMAP);
			break;
		}
		out->mmap[out->mmap_count++] = me;
	}
	out->have_mmap = true;
}

/*
 * EFI memory map tag: u32 descriptor_size, u32 descriptor_version (1), then
 * EFI_MEMORY_DESCRIPTORs (type, pad, physical start, virtual start, pages,
 * attribute) at descriptor_size strides.
 */
static void mb2_parse_efi_mmap(struct mb2_info *out, const struct mb2_tag *t)
{
	u32 dsize, version, n;

	if (!mb2_need_size(out, t, 16))
		return;
	dsize = get_unaligned_u32(t->p + 8);
	version = get_unaligned_u32(t->p + 12);
	if (dsize < MB2_EFI_DESC_MIN || dsize % 8) {
		mb2_bad(out, t, "descriptor_size is not a multiple of 8 of at least 40");
		return;
	}
	if (version != EFI_DESC_VERSION) {
		mb2_bad(out, t, "unknown descriptor_version (expected 1)");
		return;
	}
	n = (t->size - 16) / dsize;
	for (u32 i = 0; i < n; i++) {
		const u8 *d = t->p + 16 + (u64)i * dsize;
		u64 pages = get_unaligned_u64(d + 24);
		struct mb2_efi_mmap_entry ee = {
			.base = get_unaligned_u64(d + 8), .attr = get_unaligned_u64(d + 32), .type = get_unaligned_u32(d),
		};

		if (pages == 0)
			continue;
		if (pages > (~0ULL >> PAGE_SHIFT) || ee.base + (pages << PAGE_SHIFT) < ee.base) {
			pr_warn("mb2: efi-mmap descriptor %u: %#llx pages at %#llx wrap, ignored\n",
				i, pages, ee.base);
			continue;
		}
		ee.len = pages << PAGE_SHIFT;
		if (out->efi_mmap_count == MB2_MAX_EFI_MMAP) {
			pr_warn("mb2: efi-mmap: more than %u descriptors, the rest ignored\n",
				MB2_MAX_EFI_MMAP);
			break;
		}
		out->efi_mmap[out->efi_mmap_count++] = ee;
	}
	out->have_efi_mmap = true;
}

/* ACPI old/new tags: a copy of the RSDP, at least 20 or 36 bytes. */
static void mb2_parse_rsdp(struct mb2_info *out, const struct mb2_tag *t)
{
	bool is_new = t->type == MB2_TAG_ACPI_NEW;
	u32 min = is_new ? 36 : 20;	/* ACPI 2.0+ RSDP is 36 bytes, 1.0 is 20 */

	if (t->size < MB2_TAG_HDR + min) {
		mb2_bad(out, t, is_new ? "RSDP copy shorter than 36 bytes" :
					 "RSDP copy shorter than 20 bytes");
		return;
	}
	/* The 2.0 copy wins over the 1.0 one whichever comes first. */
	if (out->rsdp && (out->rsdp_is_xsdp || !is_new))
		return;
	out->rsdp = t->p + MB2_TAG_HDR;
	out->rsdp_len = t->size - MB2_TAG_HDR;
	out->rsdp_is_xsdp = is_new;
}

/* Tag types that may appear once; a second one is reported and ignored. */
static bool mb2_single(u32 type)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
	case MB2_TAG_LOADER_NAME:
	case MB2_TAG_BASIC_MEMINFO:
	case MB2_TAG_MMAP:
	case MB2_TAG_EFI_MMAP:
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
	case MB2_TAG_EFI32:
	case MB2_TAG_EFI64:
	case MB2_TAG_EFI_BS:
	case MB2_TAG_EFI32_IH:
	case MB2_TAG_EFI64_IH:
	case MB2_TAG_LOAD_BASE_ADDR:
		return true;
	default:
		return false;
	}
}

/* Dispatch one tag that passed the walk's size and bounds checks. */
static void mb2_parse_tag(struct mb2_info *out, const struct mb2_tag *t)
{
	const char *s;

	switch (t->type) {
	case MB2_TAG_CMDLINE:
		s = mb2_tag_string(out, t, MB2_TAG_HDR);
		if (s)
			out->cmdline = s;
		break;
	case MB2_TAG_LOADER_NAME:
		s = mb2_tag_string(out, t, MB2_TAG_HDR);
		if (s)
			out->loader_name = s;
		break;
	case MB2_TAG_MODULE:
		mb2_parse_module(out, t, out->info_pa + out->info_size);
		break;
	case MB2_TAG_BASIC_MEMINFO:
		if (!mb2_need_size(out, t, 16))
			break;
		out->mem_lower_kib = get_unaligned_u32(t->p + 8);
		out->mem_upper_kib = get_unaligned_u32(t->p + 12);
		out->have_basic_meminfo = true;
		break;
	case MB2_TAG_MMAP:
		mb2_parse_mmap(out, t);
		break;
	case MB2_TAG_EFI_MMAP:
		mb2_parse_efi_mmap(out, t);
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		mb2_parse_rsdp(out, t);
		break;
	case MB2_TAG_EFI32:
		if (mb2_need_size(out, t, 12) && !out->efi_system_table)
			out->efi_system_table = get_unaligned_u32(t->p + 8);
		break;
	case MB2_TAG_EFI64:
		if (mb2_need_size(out, t, 16))
			out->efi_system_table = get_unaligned_u64(t->p + 8);
		break;
	case MB2_TAG_EFI32_IH:
		if (mb2_need_size(out, t, 12) && !out->efi_image_handle)
			out->efi_image_handle = get_unaligned_u32(t->p + 8);
		break;
	case MB2_TAG_EFI64_IH:
		if (mb2_need_size(out, t, 16))
			out->efi_image_handle = get_unaligned_u64(t->p + 8);
		break;
	case MB2_TAG_EFI_BS:
		out->efi_boot_services_active = true;
		break;
	case MB2_TAG_LOAD_BASE_ADDR:
		if (!mb2_need_size(out, t, 12))
			break;
		out->load_base_addr = get_unaligned_u32(t->p + 8);
		out->have_load_base = true;
		break;
	case MB2_TAG_BOOTDEV:
	case MB2_TAG_VBE:
	case MB2_TAG_FRAMEBUFFER:
	case MB2_TAG_ELF_SECTIONS:
	case MB2_TAG_APM:
	case MB2_TAG_SMBIOS:
	case MB2_TAG_NETWORK:
		break;	/* known, not needed */
	default:
		pr_debug("mb2: unknown tag type %u (%u bytes) skipped\n", t->type, t->size);
		break;
	}
}

int mb2_parse(const void *info, u64 info_pa, u64 max_len, struct mb2_info *out)
{
	const u8 *base = info;
	u32 total, off, seen = 0;	/* bit per single tag type seen (types < 32) */
	bool ended = false;

	memset(out, 0, sizeof(*out));
	out->cmdline = "";
	out->loader_name = "";
	if (!info || ((uintptr_t)info & 7)) {
		pr_err("mb2: boot information pointer %p is NULL or not 8-byte aligned\n", info);
		return -HV_EINVAL;
	}
	if (max_len < 16) {
		pr_err("mb2: only %llu bytes readable, not even a header and end tag\n",
		       max_len);
		return -HV_EBADMSG;
	}
	total = get_unaligned_u32(base);
	if (total < 16 || total > max_len) {
		pr_err("mb2: total_size %u is outside [16, %llu]\n", total,
		       max_len);
		return -HV_EBADMSG;
	}
	if (get_unaligned_u32(base + 4))
		pr_warn("mb2: header reserved field is %#x, not 0 (ignored)\n", get_unaligned_u32(base + 4));
	if (total % 8)
		pr_warn("mb2: total_size %u is not a multiple of 8\n", total);
	out->info_pa = info_pa;
	out->info_size = total;

	for (off = 8; off + MB2_TAG_HDR <= total;) {
		struct mb2_tag t = { base + off, get_unaligned_u32(base + off), get_unaligned_u32(base + off + 4), off };

		if (t.size < MB2_TAG_HDR) {
			pr_err("mb2: %s tag (type %u) at offset %#x has size %u < 8: cannot walk on\n",
			       mb2_tag_name(t.type), t.type, off, t.size);
			return -HV_EBADMSG;
		}
		if (t.size > total - off) {
			pr_err("mb2: %s tag (type %u) at offset %#x: size %u runs past total_size %u\n",
			       mb2_tag_name(t.type), t.type, off, t.size, total);
			return -HV_EBADMSG;
		}
		if (t.type == MB2_TAG_END) {
			if (t.size != MB2_TAG_HDR)
				pr_warn("mb2: end tag has size %u, not 8 (ignored)\n", t.size);
			ended = true;
			break;
		}
		if (mb2_single(t.type) && (seen & (1u << t.type))) {
			mb2_bad(out, &t, "duplicate tag, the first one is kept");
		} else {
			if (mb2_single(t.type))
				seen |= 1u << t.type;
			mb2_parse_tag(out, &t);
		}
		/* size <= total - off <= 2^32 - 8: the padded step cannot wrap a u32 past total. */
		if (ALIGN_UP((u64)t.size, 8) > total - off)
			break;
		off += ALIGN_UP(t.size, 8);
	}
	if (!ended) {
		pr_err("mb2: no end tag inside total_size %u\n", total);
		return -HV_EBADMSG;
	}
	if (out->bad_tags)
		pr_warn("mb2: %u tag(s) rejected, continuing with the rest\n", out->bad_tags);
	return 0;
}

/* ---------------------------------------------------------------- usable RAM */

#define MB2_SCRATCH	(MB2_MAX_MMAP + MB2_MAX_EFI_MMAP + 2)

/* Scratch for mb2_usable_ranges(): boot CPU only (see the header). */
static struct mem_range mb2_avail[MB2_SCRATCH], mb2_resv[MB2_SCRATCH];

/* mem_ranges_normalize() clips ends below 2^64 so base + len never wraps. */
static void mb2_add(struct mem_range *r, unsigned int *n, u64 base, u64 len)
{
	if (len && *n < MB2_SCRATCH)
		r[(*n)++] = (struct mem_range){ base, len };
}

/* Append [b, e) shrunk to whole pages; false (after a message) when @out is full. */
static bool mb2_emit(struct mem_range *out, unsigned int *n, unsigned int max, u64 b, u64 e)
{
	e = ALIGN_DOWN(e, PAGE_SIZE);
	if (b >= e)
		return true;
	b = ALIGN_UP(b, PAGE_SIZE);	/* b < e and e is aligned: cannot wrap */
	if (b >= e)
		return true;
	if (*n == max) {
		pr_err("mb2: more than %u usable RAM ranges\n", max);
		return false;
	}
	out[(*n)++] = (struct mem_range){ b, e - b };
	return true;
}

static bool mb2_efi_usable(u32 type, bool bs_active)
{
	switch (type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return true;
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		return !bs_active;
	default:
		return false;
	}
}

int mb2_usable_ranges(const struct mb2_info *mi, struct mem_range *out, unsigned int max)
{
	unsigned int na = 0, nr = 0, nout = 0;

	if (mi->have_mmap) {
		for (unsigned int i = 0; i < mi->mmap_count; i++) {
			const struct mb2_mmap_entry *e = &mi->mmap[i];

			if (e->type == MB2_MEM_AVAILABLE)
				mb2_add(mb2_avail, &na, e->base, e->len);
			else
				mb2_add(mb2_resv, &nr, e->base, e->len);
		}
	} else if (mi->have_efi_mmap) {
		pr_warn("mb2: no memory map tag, using the EFI memory map\n");
	} else if (mi->have_basic_meminfo) {
		pr_warn("mb2: no memory map, using basic meminfo (%u KiB low, %u KiB high)\n",
			mi->mem_lower_kib, mi->mem_upper_kib);
		mb2_add(mb2_avail, &na, 0, (u64)mi->mem_lower_kib << 10);
		mb2_add(mb2_avail, &na, MiB(1), (u64)mi->mem_upper_kib << 10);
	} else {
		pr_err("mb2: no memory map, EFI memory map or basic meminfo: RAM unknown\n");
		return -HV_ENOENT;
	}
	if (mi->have_efi_mmap) {
		for (unsigned int i = 0; i < mi->efi_mmap_count; i++) {
			const struct mb2_efi_mmap_entry *e = &mi->efi_mmap[i];

			if (!mb2_efi_usable(e->type, mi->efi_boot_services_active))
				mb2_add(mb2_resv, &nr, e->base, e->len);
			else if (!mi->have_mmap)
				mb2_add(mb2_avail, &na, e->base, e->len);
		}
	} else if (mi->efi_boot_services_active) {
		pr_warn("mb2: EFI boot services active but no EFI memory map: "
			"boot-services memory cannot be told apart\n");
	}
	na = mem_ranges_normalize(mb2_avail, na);
	nr = mem_ranges_normalize(mb2_resv, nr);

	/* Subtract the (sorted, disjoint) reserved ranges from each available one. */
	for (unsigned int i = 0; i < na; i++) {
		u64 cur = mb2_avail[i].base, end = cur + mb2_avail[i].len;

		for (unsigned int j = 0; j < nr && cur < end; j++) {
			u64 rb = mb2_resv[j].base, re = rb + mb2_resv[j].len;

			if (re <= cur)
				continue;
			if (rb >= end)
				break;
			if (rb > cur && !mb2_emit(out, &nout, max, cur, rb))
				return -HV_ENOSPC;
			cur = re;
		}
		if (cur < end && !mb2_emit(out, &nout, max, cur, end))
			return -HV_ENOSPC;
	}
	return (int)nout;
}
