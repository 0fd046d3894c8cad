// SPDX-License-Identifier: MIT
/*
 * Fuzz target: boot/multiboot2.c.  The input is the boot information block
 * itself, in a heap buffer of exactly its size that is also max_len, so
 * every read past it is an ASan report.  After a successful parse the
 * summary must describe the input (strings and the RSDP copy inside the
 * block, counts within their arrays, entries as the parser promises them),
 * and mb2_usable_ranges() must return only RAM that some map calls usable
 * and no map calls anything else; the RSDP copy then goes to the ACPI
 * validator, as at boot.
 */
#include "tests/fuzz/fuzz.h"
#include "arch/x86/acpi_tables.h"
#include "boot/multiboot2.h"

#include <stdlib.h>
#include <string.h>

#define INFO_PA		0x10000ULL	/* where the block "is", for the overlap checks */
#define MAX_RANGES	64
/* Ranges end below 2^64 (mem_ranges_normalize() clips there): the last whole page starts here. */
#define TOP_PAGE	(~0ULL - 2 * PAGE_SIZE + 1)

static struct mb2_info mi;
static struct mem_range ranges[MAX_RANGES];

/* @p and the NUL that ends it lie inside [base, base + len). */
static bool string_inside(const char *p, const u8 *base, size_t len)
{
	const u8 *s = (const u8 *)p;

	return s >= base && s < base + len && memchr(s, 0, (size_t)(base + len - s));
}

/* A string inside the block, or the parser's own "" for an absent one. */
static bool string_ok(const char *p, const u8 *base, size_t len)
{
	return p && (string_inside(p, base, len) || !*p);
}

/*
 * A string found in a tag of @type whose string starts @at bytes in: that
 * tag's header sits right before it, and the NUL lies inside the tag (not
 * merely inside the block).
 */
static bool string_in_tag(const char *p, const u8 *base, u32 type, u32 at)
{
	const u8 *t;
	u32 size;

	if ((uintptr_t)p < (uintptr_t)base + 8 + at)
		return false;
	t = (const u8 *)p - at;
	size = fuzz_u32(t + 4);
	return fuzz_u32(t) == type && size > at && strnlen(p, size - at) < size - at;
}

/* End of [base, base + len), saturated: an entry may end exactly at 2^64. */
static u64 end_sat(u64 base, u64 len)
{
	return len && base + len <= base ? ~0ULL : base + len;
}

static void check_info(const u8 *buf, size_t size)
{
	const u8 *end = buf + mi.info_size;

	FUZZ_CHECK(mi.info_pa == INFO_PA);
	FUZZ_CHECK(mi.info_size >= 16 && mi.info_size <= size);
	FUZZ_CHECK(mi.info_size == fuzz_u32(buf));
	FUZZ_CHECK(string_ok(mi.cmdline, buf, mi.info_size));
	FUZZ_CHECK(string_ok(mi.loader_name, buf, mi.info_size));
	if (*mi.cmdline || string_inside(mi.cmdline, buf, mi.info_size))
		FUZZ_CHECK(string_in_tag(mi.cmdline, buf, MB2_TAG_CMDLINE, 8));
	if (*mi.loader_name || string_inside(mi.loader_name, buf, mi.info_size))
		FUZZ_CHECK(string_in_tag(mi.loader_name, buf, MB2_TAG_LOADER_NAME, 8));
	/* every tag is at least 8 bytes: no more bad tags than tags */
	FUZZ_CHECK(mi.bad_tags <= mi.info_size / 8);

	FUZZ_CHECK(mi.mmap_count <= MB2_MAX_MMAP);
	FUZZ_CHECK(mi.have_mmap || !mi.mmap_count);
	for (unsigned int i = 0; i < mi.mmap_count; i++) {
		const struct mb2_mmap_entry *e = &mi.mmap[i];

		/* empty entries dropped; a wrapping one clipped to end exactly at 2^64 */
		FUZZ_CHECK(e->len != 0);
		FUZZ_CHECK(e->base + e->len > e->base || e->base + e->len == 0);
	}
	FUZZ_CHECK(mi.efi_mmap_count <= MB2_MAX_EFI_MMAP);
	FUZZ_CHECK(mi.have_efi_mmap || !mi.efi_mmap_count);
	for (unsigned int i = 0; i < mi.efi_mmap_count; i++) {
		const struct mb2_efi_mmap_entry *e = &mi.efi_mmap[i];

		FUZZ_CHECK(e->len && !(e->len & (PAGE_SIZE - 1)) && e->base + e->len > e->base);
	}

	FUZZ_CHECK(mi.module_count <= MB2_MAX_MODULES);
	for (unsigned int i = 0; i < mi.module_count; i++) {
		const struct mb2_module *m = &mi.modules[i];

		FUZZ_CHECK(m->start <= m->end);
		FUZZ_CHECK(string_inside(m->cmdline, buf, mi.info_size));
		FUZZ_CHECK(string_in_tag(m->cmdline, buf, MB2_TAG_MODULE, 16));
		FUZZ_CHECK(!(m->start < mi.info_pa + mi.info_size && mi.info_pa < m->end));
		for (unsigned int j = 0; j < i; j++)
			FUZZ_CHECK(!(m->start < mi.modules[j].end && mi.modules[j].start < m->end));
	}

	if (mi.rsdp) {
		const u8 *r = mi.rsdp;

		FUZZ_CHECK(mi.rsdp_len >= (mi.rsdp_is_xsdp ? 36u : 20u));
		FUZZ_CHECK(r >= buf + 16 && r + mi.rsdp_len <= end);
		/* the payload of the tag it came from, all of it */
		FUZZ_CHECK(fuzz_u32(r - 8) == (mi.rsdp_is_xsdp ? MB2_TAG_ACPI_NEW : MB2_TAG_ACPI_OLD));
		FUZZ_CHECK(fuzz_u32(r - 4) == mi.rsdp_len + 8);
	} else {
		FUZZ_CHECK(!mi.rsdp_len && !mi.rsdp_is_xsdp);
	}
}

/*
 * A memory-map view for the range checks: what mb2_usable_ranges() is
 * documented to use as RAM (the mmap's available entries, else the EFI
 * map's usable ones, else basic meminfo) and as not-RAM (every other mmap
 * entry and every EFI descriptor not usable while boot services run).
 */
struct view {
	struct mem_range avail[MB2_MAX_MMAP + MB2_MAX_EFI_MMAP + 2];
	unsigned int navail;
	struct mem_range resv[MB2_MAX_MMAP + MB2_MAX_EFI_MMAP];
	unsigned int nresv;
};

static struct view v;

static bool efi_usable(u32 type)
{
	switch (type) {
	case EFI_LOADER_CODE:
	case EFI_LOADER_DATA:
	case EFI_CONVENTIONAL_MEMORY:
		return true;
	case EFI_BOOT_SERVICES_CODE:
	case EFI_BOOT_SERVICES_DATA:
		return !mi.efi_boot_services_active;
	default:
		return false;
	}
}

static void build_view(void)
{
	v.navail = v.nresv = 0;
	for (unsigned int i = 0; i < mi.mmap_count; i++) {
		const struct mb2_mmap_entry *e = &mi.mmap[i];

		if (e->type == MB2_MEM_AVAILABLE)
			v.avail[v.navail++] = (struct mem_range){ e->base, e->len };
		else
			v.resv[v.nresv++] = (struct mem_range){ e->base, e->len };
	}
	for (unsigned int i = 0; i < mi.efi_mmap_count; i++) {
		const struct mb2_efi_mmap_entry *e = &mi.efi_mmap[i];

		if (!efi_usable(e->type))
			v.resv[v.nresv++] = (struct mem_range){ e->base, e->len };
		else if (!mi.have_mmap)
			v.avail[v.navail++] = (struct mem_range){ e->base, e->len };
	}
	if (!mi.have_mmap && !mi.have_efi_mmap && mi.have_basic_meminfo) {
		v.avail[v.navail++] = (struct mem_range){ 0, (u64)mi.mem_lower_kib << 10 };
		v.avail[v.navail++] = (struct mem_range){ MiB(1), (u64)mi.mem_upper_kib << 10 };
	}
}

static bool overlaps_resv(u64 b, u64 e)
{
	for (unsigned int i = 0; i < v.nresv; i++) {
		if (v.resv[i].len && b < end_sat(v.resv[i].base, v.resv[i].len) && v.resv[i].base < e)
			return true;
	}
	return false;
}

/* [b, e) is covered by the union of the available entries (which may touch or overlap). */
static bool covered(u64 b, u64 e)
{
	while (b < e) {
		u64 next = b;

		for (unsigned int i = 0; i < v.navail; i++) {
			u64 ae = end_sat(v.avail[i].base, v.avail[i].len);

			if (v.avail[i].base <= b && b < ae && ae > next)
				next = ae;
		}
		if (next == b)
			return false;
		b = next;
	}
	return true;
}

static bool in_output(u64 b, u64 e, int n)
{
	for (int i = 0; i < n; i++) {
		if (ranges[i].base <= b && e <= ranges[i].base + ranges[i].len)
			return true;
	}
	return false;
}

/*
 * Soundness: every range returned is sorted after the previous one, page
 * aligned, RAM by the view and clear of everything reserved.
 * Completeness (when nothing was cut off): the first and the last whole
 * page of every available entry are returned unless something reserved
 * touches them.
 */
static void check_ranges(int n)
{
	FUZZ_CHECK(n == -HV_ENOENT || n == -HV_ENOSPC || (n >= 0 && n <= MAX_RANGES));
	if (n == -HV_ENOENT) {
		FUZZ_CHECK(!mi.have_mmap && !mi.have_efi_mmap && !mi.have_basic_meminfo);
		return;
	}
	build_view();
	for (int i = 0; i < (n < 0 ? MAX_RANGES : n); i++) {
		u64 b = ranges[i].base, e = b + ranges[i].len;

		FUZZ_CHECK(ranges[i].len && e > b);
		FUZZ_CHECK(!(b & (PAGE_SIZE - 1)) && !(ranges[i].len & (PAGE_SIZE - 1)));
		if (i)
			FUZZ_CHECK(b > ranges[i - 1].base + ranges[i - 1].len);
		FUZZ_CHECK(covered(b, e));
		FUZZ_CHECK(!overlaps_resv(b, e));
	}
	if (n < 0)
		return;
	/* the first and the last whole page of each available entry */
	for (unsigned int i = 0; i < v.navail; i++) {
		u64 ab = v.avail[i].base, ae = end_sat(ab, v.avail[i].len);
		u64 page[2] = { ALIGN_UP(ab, PAGE_SIZE), ALIGN_DOWN(ae, PAGE_SIZE) - PAGE_SIZE };

		if (!v.avail[i].len || ab > TOP_PAGE || ae < PAGE_SIZE)
			continue;
		for (int k = 0; k < 2; k++) {
			if (page[k] < ab || page[k] > TOP_PAGE || page[k] + PAGE_SIZE > ae)
				continue;
			if (!overlaps_resv(page[k], page[k] + PAGE_SIZE))
				FUZZ_CHECK(in_output(page[k], page[k] + PAGE_SIZE, n));
		}
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	u8 *buf = fuzz_dup(data, size);	/* malloc: 16-byte aligned, as mb2_parse wants */
	unsigned long writes = fuzz_console_writes;
	int rc;

	rc = mb2_parse(buf, INFO_PA, size, &mi);
	FUZZ_CHECK(rc == 0 || rc == -HV_EBADMSG);
	if (rc) {
		/*
		 * A rejected block is reported.  What was summarised before the
		 * error is untrusted (boot panics), but still points into the block.
		 */
		FUZZ_CHECK(fuzz_console_writes > writes);
		FUZZ_CHECK(string_ok(mi.cmdline, buf, size) && string_ok(mi.loader_name, buf, size));
	} else {
		/* every rejected tag was reported */
		FUZZ_CHECK(fuzz_console_writes - writes >= mi.bad_tags);
		check_info(buf, size);
		check_ranges(mb2_usable_ranges(&mi, ranges, MAX_RANGES));
		if (mi.rsdp) {
			u64 root = 0;
			bool x;

			if (!acpi_validate_rsdp(mi.rsdp, mi.rsdp_len, &root, &x))
				FUZZ_CHECK(root != 0);
		}
	}
	free(buf);
	return 0;
}
