// SPDX-License-Identifier: MIT
/*
 * boot/multiboot2.c: valid images built here, every malformation the
 * specification allows a loader to get wrong (each must produce a message
 * and the right decision), the usable-RAM computation, and a random-mutation
 * fuzz run whose images sit in heap buffers of exactly their readable size
 * so that ASan catches any read past max_len.
 */
#include "boot/multiboot2.h"
#include "lib/printk.h"
#include "tests/host/harness.h"
#include "tests/host/test_capture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define IMG_MAX	65536

struct img {
	u8 *b;
	u32 off;
};

static _Alignas(8) u8 img_buf[IMG_MAX];
static unsigned long checks, messages_seen;

static void img_init(struct img *m)
{
	memset(img_buf, 0, sizeof(img_buf));
	m->b = img_buf;
	m->off = 8;
}

static void put32(u8 *p, u32 v)
{
	memcpy(p, &v, 4);
}

static void put64(u8 *p, u64 v)
{
	memcpy(p, &v, 8);
}

/* Append a tag header of @size bytes; returns the tag. @pad: align the next tag. */
static u8 *img_tag_raw(struct img *m, u32 type, u32 size, bool pad)
{
	u8 *t = m->b + m->off;

	put32(t, type);
	put32(t + 4, size);
	m->off += pad ? (size + 7) & ~7u : size;
	return t;
}

static u8 *img_tag(struct img *m, u32 type, u32 size)
{
	return img_tag_raw(m, type, size, true);
}

static void img_string(struct img *m, u32 type, const char *s)
{
	u32 n = (u32)strlen(s) + 1;

	memcpy(img_tag(m, type, 8 + n) + 8, s, n);
}

static void img_module(struct img *m, u32 start, u32 end, const char *s)
{
	u32 n = (u32)strlen(s) + 1;
	u8 *t = img_tag(m, MB2_TAG_MODULE, 16 + n);

	put32(t + 8, start);
	put32(t + 12, end);
	memcpy(t + 16, s, n);
}

struct ent {
	u64 base, len;
	u32 type;
};

static void img_mmap(struct img *m, const struct ent *e, unsigned int n, u32 esize, u32 ver)
{
	u8 *t = img_tag(m, MB2_TAG_MMAP, 16 + n * esize);

	put32(t + 8, esize);
	put32(t + 12, ver);
	for (unsigned int i = 0; i < n; i++) {
		put64(t + 16 + i * esize, e[i].base);
		put64(t + 24 + i * esize, e[i].len);
		put32(t + 32 + i * esize, e[i].type);
	}
}

static void img_efi_mmap(struct img *m, const struct ent *e, unsigned int n, u32 dsize)
{
	u8 *t = img_tag(m, MB2_TAG_EFI_MMAP, 16 + n * dsize);

	put32(t + 8, dsize);
	put32(t + 12, 1);
	for (unsigned int i = 0; i < n; i++) {
		u8 *d = t + 16 + i * dsize;

		put32(d, e[i].type);
		put64(d + 8, e[i].base);
		put64(d + 24, e[i].len >> 12);
	}
}

static u32 img_end(struct img *m)
{
	img_tag(m, MB2_TAG_END, 8);
	put32(m->b, m->off);
	put32(m->b + 4, 0);
	return m->off;
}

static const struct ent std_mmap[] = {
	{ 0, 0x9fc00, MB2_MEM_AVAILABLE },
	{ 0x9fc00, 0x400, MB2_MEM_RESERVED },
	{ 0xf0000, 0x10000, MB2_MEM_RESERVED },
	{ 0x100000, 0x7ee0000, MB2_MEM_AVAILABLE },
	{ 0x7fe0000, 0x20000, MB2_MEM_ACPI_RECLAIMABLE },
	{ 0xfffc0000, 0x40000, MB2_MEM_RESERVED },
	{ 0x100000000ULL, 0x80000000ULL, MB2_MEM_AVAILABLE },
};

/* A complete, valid image like GRUB's. */
static u32 build_valid(struct img *m)
{
	u8 *t;

	img_init(m);
	img_string(m, MB2_TAG_CMDLINE, "console=com1 loglevel=debug");
	img_string(m, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	t = img_tag(m, MB2_TAG_BASIC_MEMINFO, 16);
	put32(t + 8, 639);
	put32(t + 12, 130048);
	img_mmap(m, std_mmap, ARRAY_SIZE(std_mmap), 24, 0);
	img_module(m, 0x200000, 0x280000, "guest1 vm=linux");
	img_module(m, 0x280000, 0x281000, "initrd");
	t = img_tag(m, MB2_TAG_ACPI_OLD, 8 + 20);
	memcpy(t + 8, "RSD PTR ", 8);	// NOLINT(bugprone-not-null-terminated-result): a fixed-width field, no NUL
	t = img_tag(m, MB2_TAG_ACPI_NEW, 8 + 36);
	memcpy(t + 8, "RSD PTR ", 8);	// NOLINT(bugprone-not-null-terminated-result): a fixed-width field, no NUL
	t[8 + 15] = 2;
	t = img_tag(m, MB2_TAG_EFI64, 16);
	put64(t + 8, 0x7f000000);
	t = img_tag(m, MB2_TAG_LOAD_BASE_ADDR, 12);
	put32(t + 8, 0x1000000);
	img_tag(m, 77, 24);		/* unknown type: skipped silently */
	return img_end(m);
}

/* Parse @m with messages captured; @want_msg (if set) must appear. */
static int parse_msg(const struct img *m, u64 max_len, struct mb2_info *mi, const char *want_msg,
		     int line)
{
	struct capture c;
	int rc;

	capture_begin(&c);
	rc = mb2_parse(m->b, 0x10000, max_len, mi);
	capture_end(&c);
	checks++;
	if (want_msg) {
		if (!strstr(c.text, want_msg))
			test_fail(__FILE__, line, "expected a message containing \"%s\", got:\n%s",
				  want_msg, c.text);
		else
			messages_seen++;
	}
	capture_free(&c);
	return rc;
}

static struct mb2_info mi;

static void test_valid(void)
{
	struct img m;
	u32 total = build_valid(&m);
	struct mem_range r[16];
	int n;

	CHECK_EQ(parse_msg(&m, total, &mi, NULL, __LINE__), 0);
	CHECK_EQ(mi.bad_tags, 0);
	CHECK(!strcmp(mi.cmdline, "console=com1 loglevel=debug"));
	CHECK(!strcmp(mi.loader_name, "GRUB 2.06"));
	CHECK(mi.have_basic_meminfo && mi.mem_lower_kib == 639 && mi.mem_upper_kib == 130048);
	CHECK(mi.have_mmap);
	CHECK_EQ(mi.mmap_count, ARRAY_SIZE(std_mmap));
	CHECK_EQ(mi.mmap[6].base, 0x100000000ULL);
	CHECK_EQ(mi.mmap[4].type, MB2_MEM_ACPI_RECLAIMABLE);
	CHECK_EQ(mi.module_count, 2);
	CHECK_EQ(mi.modules[0].start, 0x200000);
	CHECK_EQ(mi.modules[0].end, 0x280000);
	CHECK(!strcmp(mi.modules[0].cmdline, "guest1 vm=linux"));
	CHECK(!strcmp(mi.modules[1].cmdline, "initrd"));
	CHECK(mi.rsdp && mi.rsdp_is_xsdp && mi.rsdp_len == 36);
	CHECK_EQ(mi.efi_system_table, 0x7f000000);
	CHECK(mi.have_load_base && mi.load_base_addr == 0x1000000);
	CHECK(!mi.efi_boot_services_active && !mi.have_efi_mmap);
	CHECK_EQ(mi.info_pa, 0x10000);
	CHECK_EQ(mi.info_size, total);

	n = mb2_usable_ranges(&mi, r, ARRAY_SIZE(r));
	CHECK_EQ(n, 3);
	if (n == 3) {
		CHECK(r[0].base == 0 && r[0].len == 0x9f000);
		CHECK(r[1].base == 0x100000 && r[1].len == 0x7ee0000);
		CHECK(r[2].base == 0x100000000ULL && r[2].len == 0x80000000ULL);
	}
	/* too small an output array */
	{
		struct capture c;

		capture_begin(&c);
		CHECK_EQ(mb2_usable_ranges(&mi, r, 2), -HV_ENOSPC);
		capture_end(&c);
		CHECK(strstr(c.text, "usable RAM ranges") != NULL);
		capture_free(&c);
	}
	/* the old RSDP alone is used when there is no new one */
	{
		u8 *t;

		img_init(&m);
		t = img_tag(&m, MB2_TAG_ACPI_OLD, 8 + 20);
		memcpy(t + 8, "RSD PTR ", 8);	// NOLINT(bugprone-not-null-terminated-result): a fixed-width field, no NUL
		total = img_end(&m);
		CHECK_EQ(parse_msg(&m, total, &mi, NULL, __LINE__), 0);
		CHECK(mi.rsdp == t + 8 && !mi.rsdp_is_xsdp && mi.rsdp_len == 20);
		CHECK(mi.cmdline && !strcmp(mi.cmdline, ""));	/* absent: empty, not NULL */
	}
}

static void test_header_errors(void)
{
	struct img m;
	u32 total = build_valid(&m);

	CHECK_EQ(parse_msg(&m, total - 8, &mi, "total_size", __LINE__), -HV_EBADMSG);
	CHECK_EQ(parse_msg(&m, 8, &mi, "not even a header", __LINE__), -HV_EBADMSG);
	put32(m.b, 0xfffffff8);		/* huge total_size */
	CHECK_EQ(parse_msg(&m, IMG_MAX, &mi, "total_size", __LINE__), -HV_EBADMSG);
	put32(m.b, 8);
	CHECK_EQ(parse_msg(&m, IMG_MAX, &mi, "total_size", __LINE__), -HV_EBADMSG);
	put32(m.b, total);
	{
		struct capture c;

		capture_begin(&c);
		CHECK_EQ(mb2_parse(NULL, 0, 100, &mi), -HV_EINVAL);
		CHECK_EQ(mb2_parse(img_buf + 4, 0, 100, &mi), -HV_EINVAL);
		capture_end(&c);
		CHECK(strstr(c.text, "not 8-byte aligned") != NULL);
		capture_free(&c);
	}
	/* reserved header field: warned, parse goes on */
	put32(m.b + 4, 0x1234);
	CHECK_EQ(parse_msg(&m, total, &mi, "reserved field", __LINE__), 0);
	CHECK_EQ(mi.module_count, 2);
}

static void test_walk_errors(void)
{
	struct img m;
	u8 *t;
	u32 total;

	/* zero-size tag */
	img_init(&m);
	img_string(&m, MB2_TAG_CMDLINE, "x");
	img_tag(&m, MB2_TAG_MODULE, 0);
	m.off += 8;
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "size 0 < 8", __LINE__), -HV_EBADMSG);

	/* a tag whose size runs past total_size */
	img_init(&m);
	t = img_tag(&m, MB2_TAG_CMDLINE, 16);
	memcpy(t + 8, "abc", 4);
	total = img_end(&m);
	put32(t + 4, 4096);
	CHECK_EQ(parse_msg(&m, total, &mi, "runs past total_size", __LINE__), -HV_EBADMSG);

	/* the last tag before total_size is not an end tag */
	img_init(&m);
	img_string(&m, MB2_TAG_CMDLINE, "abc");
	put32(m.b, m.off);
	CHECK_EQ(parse_msg(&m, m.off, &mi, "no end tag", __LINE__), -HV_EBADMSG);

	/* misaligned tags: the loader forgot the padding after a 14-byte tag */
	img_init(&m);
	img_tag_raw(&m, MB2_TAG_CMDLINE, 14, false);
	memcpy(m.b + 8 + 8, "hello", 6);
	img_tag_raw(&m, MB2_TAG_END, 8, false);
	put32(m.b, m.off);
	CHECK(parse_msg(&m, m.off, &mi, "mb2:", __LINE__) < 0);

	/* end tag with a wrong size: warned, accepted */
	img_init(&m);
	img_string(&m, MB2_TAG_CMDLINE, "ok");
	img_tag(&m, MB2_TAG_END, 16);
	put32(m.b, m.off);
	CHECK_EQ(parse_msg(&m, m.off, &mi, "end tag has size 16", __LINE__), 0);
	CHECK(!strcmp(mi.cmdline, "ok"));
}

static void test_bad_tags(void)
{
	struct img m;
	u8 *t;
	u32 total;
	struct mem_range r[8];

	/* overlapping modules: the second is rejected */
	img_init(&m);
	img_module(&m, 0x200000, 0x300000, "a");
	img_module(&m, 0x2ff000, 0x400000, "b");
	img_module(&m, 0x400000, 0x400000, "empty");	/* empty module: fine */
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "overlapping modules", __LINE__), 0);
	CHECK_EQ(mi.module_count, 2);
	CHECK_EQ(mi.bad_tags, 1);
	CHECK(!strcmp(mi.modules[1].cmdline, "empty"));

	/* module end below start */
	img_init(&m);
	img_module(&m, 0x300000, 0x200000, "a");
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "start is above its end", __LINE__), 0);
	CHECK_EQ(mi.module_count, 0);

	/* module overlapping the boot information itself (at 0x10000 in these tests) */
	img_init(&m);
	img_module(&m, 0x10000, 0x20000, "a");
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "overlaps the boot information", __LINE__), 0);
	CHECK_EQ(mi.module_count, 0);

	/* unterminated strings */
	img_init(&m);
	t = img_tag(&m, MB2_TAG_CMDLINE, 8 + 5);
	memcpy(t + 8, "abcde", 5);	// NOLINT(bugprone-not-null-terminated-result): unterminated on purpose
	t = img_tag(&m, MB2_TAG_MODULE, 16 + 3);
	put32(t + 8, 0x200000);
	put32(t + 12, 0x201000);
	memcpy(t + 16, "xyz", 3);	// NOLINT(bugprone-not-null-terminated-result): unterminated on purpose
	img_tag(&m, MB2_TAG_LOADER_NAME, 8);	/* no room for even the NUL */
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "not NUL-terminated", __LINE__), 0);
	CHECK_EQ(mi.bad_tags, 3);
	CHECK(!strcmp(mi.cmdline, "") && !strcmp(mi.loader_name, ""));
	CHECK_EQ(mi.module_count, 0);

	/* bad mmap entry sizes and version; the fallback then is basic meminfo */
	{
		static const u32 sizes[] = { 0, 16, 20, 28 };

		for (unsigned int i = 0; i < ARRAY_SIZE(sizes); i++) {
			img_init(&m);
			img_mmap(&m, std_mmap, 2, sizes[i] ? sizes[i] : 24, 0);
			put32(m.b + 8 + 8, sizes[i]);
			t = img_tag(&m, MB2_TAG_BASIC_MEMINFO, 16);
			put32(t + 8, 640);
			put32(t + 12, 1024);
			total = img_end(&m);
			CHECK_EQ(parse_msg(&m, total, &mi, "entry_size", __LINE__), 0);
			CHECK(!mi.have_mmap);
			CHECK_EQ(mi.bad_tags, 1);
		}
		CHECK_EQ(mb2_usable_ranges(&mi, r, ARRAY_SIZE(r)), 2);
		CHECK(r[0].base == 0 && r[0].len == 0xa0000);
		CHECK(r[1].base == 0x100000 && r[1].len == 0x100000);

		img_init(&m);
		img_mmap(&m, std_mmap, 2, 24, 1);
		total = img_end(&m);
		CHECK_EQ(parse_msg(&m, total, &mi, "entry_version", __LINE__), 0);
		CHECK(!mi.have_mmap);
		{
			struct capture c;

			capture_begin(&c);
			CHECK_EQ(mb2_usable_ranges(&mi, r, ARRAY_SIZE(r)), -HV_ENOENT);
			capture_end(&c);
			CHECK(strstr(c.text, "RAM unknown") != NULL);
			capture_free(&c);
		}
	}

	/* a larger entry_size is a valid stride */
	img_init(&m);
	img_mmap(&m, std_mmap, ARRAY_SIZE(std_mmap), 32, 0);
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, NULL, __LINE__), 0);
	CHECK_EQ(mi.mmap_count, ARRAY_SIZE(std_mmap));
	CHECK_EQ(mi.mmap[3].len, 0x7ee0000);

	/* RSDP tags too short */
	img_init(&m);
	img_tag(&m, MB2_TAG_ACPI_OLD, 8 + 12);
	img_tag(&m, MB2_TAG_ACPI_NEW, 8 + 30);
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "RSDP copy shorter than 20", __LINE__), 0);
	CHECK_EQ(parse_msg(&m, total, &mi, "RSDP copy shorter than 36", __LINE__), 0);
	CHECK(mi.rsdp == NULL);
	CHECK_EQ(mi.bad_tags, 2);

	/* fixed-size tags too short */
	img_init(&m);
	img_tag(&m, MB2_TAG_BASIC_MEMINFO, 12);
	img_tag(&m, MB2_TAG_EFI64, 12);
	img_tag(&m, MB2_TAG_MMAP, 12);
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "shorter than its fixed fields", __LINE__), 0);
	CHECK_EQ(mi.bad_tags, 3);
	CHECK(!mi.have_basic_meminfo && !mi.have_mmap && !mi.efi_system_table);

	/* duplicates: the first one wins */
	img_init(&m);
	img_string(&m, MB2_TAG_CMDLINE, "first");
	img_string(&m, MB2_TAG_CMDLINE, "second");
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "duplicate tag", __LINE__), 0);
	CHECK(!strcmp(mi.cmdline, "first"));

	/* more mmap entries than MB2_MAX_MMAP: the rest ignored with a warning */
	{
		static struct ent many[MB2_MAX_MMAP + 10];

		for (unsigned int i = 0; i < ARRAY_SIZE(many); i++)
			many[i] = (struct ent){ 0x100000ULL * (i + 1), 0x1000, 1 };
		img_init(&m);
		img_mmap(&m, many, ARRAY_SIZE(many), 24, 0);
		total = img_end(&m);
		CHECK_EQ(parse_msg(&m, total, &mi, "the rest ignored", __LINE__), 0);
		CHECK_EQ(mi.mmap_count, MB2_MAX_MMAP);
	}

	/* an entry wrapping past 2^64 is clipped, and ranges never wrap */
	{
		static const struct ent wrap[] = {
			{ 0xfffffffffffff000ULL, 0x10000, 1 },
			{ 0x200000, 0x1800, 1 },	/* shrinks to one page */
			{ 0x300800, 0x800, 1 },		/* shrinks to nothing */
		};

		img_init(&m);
		img_mmap(&m, wrap, ARRAY_SIZE(wrap), 24, 0);
		total = img_end(&m);
		CHECK_EQ(parse_msg(&m, total, &mi, "wraps past 2^64", __LINE__), 0);
		CHECK_EQ(mb2_usable_ranges(&mi, r, ARRAY_SIZE(r)), 1);
		CHECK(r[0].base == 0x200000 && r[0].len == 0x1000);
	}
}

/* EFI memory map and the boot-services-not-terminated flag. */
static void test_efi(void)
{
	static const struct ent efi[] = {
		{ 0x100000, 0x100000, EFI_CONVENTIONAL_MEMORY },
		{ 0x200000, 0x100000, EFI_BOOT_SERVICES_DATA },
		{ 0x300000, 0x100000, EFI_LOADER_DATA },
		{ 0x400000, 0x100000, EFI_BOOT_SERVICES_CODE },
		{ 0x500000, 0x100000, 9 },		/* ACPI reclaim */
		{ 0x600000, 0x100000, EFI_CONVENTIONAL_MEMORY },
	};
	static const struct ent mb[] = { { 0x100000, 0x600000, MB2_MEM_AVAILABLE } };
	struct mem_range r[8];
	struct img m;
	u32 total;
	int n;

	for (int active = 0; active < 2; active++) {
		img_init(&m);
		img_mmap(&m, mb, 1, 24, 0);
		img_efi_mmap(&m, efi, ARRAY_SIZE(efi), 48);
		if (active)
			img_tag(&m, MB2_TAG_EFI_BS, 8);
		total = img_end(&m);
		CHECK_EQ(parse_msg(&m, total, &mi, NULL, __LINE__), 0);
		CHECK(mi.have_efi_mmap && mi.efi_mmap_count == ARRAY_SIZE(efi));
		CHECK_EQ(mi.efi_boot_services_active, active);
		n = mb2_usable_ranges(&mi, r, ARRAY_SIZE(r));
		if (active) {
			/* BS data/code and ACPI stay reserved while boot services run */
			CHECK_EQ(n, 3);
			CHECK(r[0].base == 0x100000 && r[0].len == 0x100000);
			CHECK(r[1].base == 0x300000 && r[1].len == 0x100000);
			CHECK(r[2].base == 0x600000 && r[2].len == 0x100000);
		} else {
			CHECK_EQ(n, 2);
			CHECK(r[0].base == 0x100000 && r[0].len == 0x400000);
			CHECK(r[1].base == 0x600000 && r[1].len == 0x100000);
		}
	}
	/* EFI map only: used with a warning */
	img_init(&m);
	img_efi_mmap(&m, efi, ARRAY_SIZE(efi), 40);
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, NULL, __LINE__), 0);
	{
		struct capture c;

		capture_begin(&c);
		n = mb2_usable_ranges(&mi, r, ARRAY_SIZE(r));
		capture_end(&c);
		CHECK(strstr(c.text, "using the EFI memory map") != NULL);
		capture_free(&c);
	}
	CHECK_EQ(n, 2);
	/* bad descriptor size */
	img_init(&m);
	img_efi_mmap(&m, efi, 2, 40);
	put32(m.b + 16, 36);
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, "descriptor_size", __LINE__), 0);
	CHECK(!mi.have_efi_mmap);
	/* boot services active without an EFI map: warned */
	img_init(&m);
	img_mmap(&m, mb, 1, 24, 0);
	img_tag(&m, MB2_TAG_EFI_BS, 8);
	total = img_end(&m);
	CHECK_EQ(parse_msg(&m, total, &mi, NULL, __LINE__), 0);
	{
		struct capture c;

		capture_begin(&c);
		CHECK_EQ(mb2_usable_ranges(&mi, r, ARRAY_SIZE(r)), 1);
		capture_end(&c);
		CHECK(strstr(c.text, "no EFI memory map") != NULL);
		capture_free(&c);
	}
}

/* Usable ranges must be sorted, disjoint, page-aligned, inside available RAM, outside the rest. */
static void check_ranges(const struct mb2_info *info, const struct mem_range *r, int n)
{
	for (int i = 0; i < n; i++) {
		u64 b = r[i].base, e = b + r[i].len;
		bool inside = false;

		CHECK(r[i].len > 0 && (b & 0xfff) == 0 && (r[i].len & 0xfff) == 0 && e > b);
		if (i)
			CHECK(b >= r[i - 1].base + r[i - 1].len);
		for (unsigned int k = 0; k < info->mmap_count; k++) {
			const struct mb2_mmap_entry *x = &info->mmap[k];
			u64 xe = x->base + x->len < x->base ? ~0ULL : x->base + x->len;

			if (x->type != MB2_MEM_AVAILABLE && b < xe && x->base < e)
				test_fail(__FILE__, __LINE__, "range [%#llx,%#llx) overlaps type %u entry",
					  b, e, x->type);
			if (x->type == MB2_MEM_AVAILABLE && b >= x->base && b < xe)
				inside = true;
		}
		if (info->have_mmap)
			CHECK(inside);
	}
}

static void test_fuzz(unsigned long iters)
{
	struct img m;
	u32 total = build_valid(&m);
	u64 rng = test_opts.seed;
	unsigned long ok = 0, errors = 0, bad_tags = 0;
	struct capture c;
	static struct mem_range r[64];

	/* add an EFI map and a second mmap-ish layout so mutations reach those paths */
	{
		static const struct ent efi[] = { { 0x100000, 0x100000, 7 }, { 0x300000, 0x1000, 3 } };

		m.off = total - 8;
		img_efi_mmap(&m, efi, 2, 48);
		img_tag(&m, MB2_TAG_EFI_BS, 8);
		total = img_end(&m);
	}
	capture_begin(&c);
	for (unsigned long it = 0; it < iters; it++) {
		u32 len = total;
		u8 *buf;
		int rc, nmut = 1 + (int)(test_rand(&rng) % 6);

		if (test_rand(&rng) % 8 == 0)
			len = (u32)(test_rand(&rng) % total);	/* truncated mapping */
		buf = malloc(len + 1);		/* exact size: ASan sees over-reads */
		if (!buf)
			abort();
		memcpy(buf, img_buf, len);
		for (int k = 0; k < nmut && len >= 4; k++) {
			u32 at = (u32)(test_rand(&rng) % (len - 3));
			u64 x = test_rand(&rng);

			switch (x % 5) {
			case 0:		/* random byte */
				buf[at] = (u8)(x >> 8);
				break;
			case 1:		/* small u32 at an aligned spot (sizes, types) */
				put32(buf + (at & ~3u), (u32)((x >> 8) % 64));
				break;
			case 2:		/* huge u32 */
				put32(buf + (at & ~3u), 0xffffffffu - (u32)((x >> 8) % 16));
				break;
			case 3:		/* flip a bit */
				buf[at] ^= (u8)(1u << ((x >> 8) % 8));
				break;
			default:	/* zero a byte (terminators, sizes) */
				buf[at] = 0;
				break;
			}
		}
		if (len >= 4 && test_rand(&rng) % 4 == 0)
			put32(buf, len);	/* keep total_size consistent sometimes */
		/* mb2_parse needs 8-byte alignment: malloc gives 16 */
		rc = mb2_parse(buf, 0x10000, len, &mi);
		if (rc == 0) {
			int n;

			ok++;
			bad_tags += mi.bad_tags;
			CHECK(mi.cmdline && strlen(mi.cmdline) < len);
			CHECK(mi.mmap_count <= MB2_MAX_MMAP && mi.module_count <= MB2_MAX_MODULES);
			for (unsigned int i = 0; i < mi.module_count; i++)
				CHECK(mi.modules[i].start <= mi.modules[i].end);
			if (mi.rsdp)
				CHECK((const u8 *)mi.rsdp + mi.rsdp_len <= buf + len);
			n = mb2_usable_ranges(&mi, r, ARRAY_SIZE(r));
			if (n > 0)
				check_ranges(&mi, r, n);
		} else {
			errors++;
			CHECK(rc < 0);
		}
		free(buf);
	}
	capture_end(&c);
	{
		unsigned long lines = 0;

		for (size_t i = 0; i < c.len; i++)
			lines += c.text[i] == '\n';
		printf("fuzz: %lu images: %lu parsed (%lu bad tags reported), %lu rejected whole, "
		       "%lu message lines\n", iters, ok, bad_tags, errors, lines);
		/* every rejection and every bad tag printed at least one line */
		CHECK(lines >= errors + bad_tags);
	}
	capture_free(&c);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	printk_set_level(LOG_INFO);
	test_valid();
	test_header_errors();
	test_walk_errors();
	test_bad_tags();
	test_efi();
	test_fuzz(test_opts.quick ? 20000 : 200000);
	printf("mb2: %lu parses checked, %lu expected messages seen\n", checks, messages_seen);
	return test_finish();
}
