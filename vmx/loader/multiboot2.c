// SPDX-License-Identifier: MIT
/*
 * Multiboot2 loader (Multiboot2 Specification 2.0) for guest kernels: the
 * header in the image's first 32 KiB with its tags, an ELF32/ELF64 image
 * or the address tag's fields, modules page-aligned above the kernel, and
 * the boot information (command line, loader name, modules, basic memory,
 * memory map, the ACPI RSDP).  The kernel starts in flat 32-bit protected
 * mode with EAX = 0x36d76289 and EBX = the information.
 */
#include "vmx/loader/kernel_image.h"

#include "boot/multiboot2.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define MB2_SEARCH		32768
#define MB2_ARCH_I386		0
#define MB2_HDR_TAG_OPTIONAL	BIT(0)

/* Header tag types (specification 3.1.3 onward). */
#define MB2_HT_END		0
#define MB2_HT_INFO_REQ		1
#define MB2_HT_ADDRESS		2
#define MB2_HT_ENTRY		3
#define MB2_HT_CONSOLE		4
#define MB2_HT_FRAMEBUFFER	5
#define MB2_HT_MODULE_ALIGN	6
#define MB2_HT_EFI_BS		7
#define MB2_HT_EFI32_ENTRY	8
#define MB2_HT_EFI64_ENTRY	9
#define MB2_HT_RELOCATABLE	10

static long mb2_find(const struct loader_blob *k)
{
	/* Magic, architecture, header length and checksum sum to zero. */
	return loader_find_header(k, MB2_HEADER_MAGIC, 8, MB2_SEARCH, 4);
}

bool multiboot2_probe(const struct loader_blob *k)
{
	return mb2_find(k) >= 0;
}

/* Information tags a kernel may ask for that hv gives. */
static bool mb2_info_given(u32 type)
{
	switch (type) {
	case MB2_TAG_CMDLINE:
	case MB2_TAG_LOADER_NAME:
	case MB2_TAG_MODULE:
	case MB2_TAG_BASIC_MEMINFO:
	case MB2_TAG_MMAP:
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		return true;
	default:
		return false;
	}
}

struct mb2_header {
	bool have_addrs, have_entry;
	struct kernel_load_addrs addrs;
	u32 entry;
};

static int mb2_parse_header(struct loader_req *req, u64 off, struct mb2_header *mh)
{
	const u8 *img = req->kernel.data, *h = img + off;
	u32 arch = get_unaligned_u32(h + 4), len = get_unaligned_u32(h + 8);
	u64 t = 16;

	if (arch != MB2_ARCH_I386)
		return loader_fail(req, -HV_ENOTSUP,
				   "multiboot2 header for architecture %u, not i386", arch);
	if (len < 24 || len > req->kernel.size - off)
		return loader_fail(req, -HV_ENOEXEC,
				   "multiboot2 header length %u runs past the image", len);
	for (;;) {
		u16 type, flags;
		u32 size;

		if (t + 8 > len)
			return loader_fail(req, -HV_ENOEXEC, "multiboot2 header has no end tag");
		type = get_unaligned_u16(h + t);
		flags = get_unaligned_u16(h + t + 2);
		size = get_unaligned_u32(h + t + 4);
		if (size < 8 || size > len - t)
			return loader_fail(req, -HV_ENOEXEC,
					   "multiboot2 header tag %u at offset %#llx has bad size "
					   "%u", type, t, size);
		switch (type) {
		case MB2_HT_END:
			return 0;
		case MB2_HT_INFO_REQ:
			for (u32 i = 8; i + 4 <= size; i += 4) {
				u32 want = get_unaligned_u32(h + t + i);

				if (!mb2_info_given(want) && !(flags & MB2_HDR_TAG_OPTIONAL))
					return loader_fail(req, -HV_ENOTSUP,
							   "the kernel requires boot information "
							   "tag %u, which hv does not give", want);
			}
			break;
		case MB2_HT_ADDRESS:
			if (size < 24)
				return loader_fail(req, -HV_ENOEXEC,
						   "multiboot2 address tag too short");
			mh->have_addrs = true;
			mh->addrs.header_off = off;
			mh->addrs.header_addr = get_unaligned_u32(h + t + 8);
			mh->addrs.load_addr = get_unaligned_u32(h + t + 12);
			mh->addrs.load_end_addr = get_unaligned_u32(h + t + 16);
			mh->addrs.bss_end_addr = get_unaligned_u32(h + t + 20);
			break;
		case MB2_HT_ENTRY:
			if (size < 12)
				return loader_fail(req, -HV_ENOEXEC,
						   "multiboot2 entry tag too short");
			mh->have_entry = true;
			mh->entry = get_unaligned_u32(h + t + 8);
			break;
		case MB2_HT_CONSOLE:		/* COM1 is there; no EGA text */
		case MB2_HT_FRAMEBUFFER:	/* no display: text-mode fallback, no tag 8 */
		case MB2_HT_MODULE_ALIGN:	/* modules are always page-aligned */
		case MB2_HT_EFI_BS:		/* not an EFI boot: nothing to keep */
		case MB2_HT_EFI32_ENTRY:
		case MB2_HT_EFI64_ENTRY:
		case MB2_HT_RELOCATABLE:	/* loaded at its linked address, which it accepts */
			break;
		default:
			if (!(flags & MB2_HDR_TAG_OPTIONAL))
				return loader_fail(req, -HV_ENOTSUP,
						   "multiboot2 header requires tag type %u, which "
						   "hv does not know", type);
			break;
		}
		t += ALIGN_UP((u64)size, 8);
	}
}

/* Append one information tag: header, then @len bytes of @body. */
static int mb2_tag(struct loader_info *w, u32 type, const void *body, u32 len)
{
	u32 hdr[2] = { type, 8 + len };

	if (!loader_info_put(w, hdr, sizeof(hdr), 8) || (len && !loader_info_put(w, body, len, 1)))
		return w->req->error;
	return 0;
}

static int mb2_tag_string(struct loader_info *w, u32 type, const char *s)
{
	return mb2_tag(w, type, s, (u32)strlen(s) + 1);
}

static int mb2_write_info(struct loader_req *req, struct loader_info *w,
			  u64 mods[][2], u64 *info_gpa)
{
	struct loader_range map[LOADER_MAP_MAX];
	u8 mmap[8 + LOADER_MAP_MAX * 24];
	u32 mem[2], hdr[2] = { 0, 0 }, entry_size = 24, version = 0;
	unsigned int i, n;
	u64 start = loader_info_put(w, hdr, sizeof(hdr), 8);

	if (!start || mb2_tag_string(w, MB2_TAG_CMDLINE, req->kernel.args) ||
	    mb2_tag_string(w, MB2_TAG_LOADER_NAME, "hv"))
		return req->error;
	for (i = 0; i < req->nmods; i++) {
		const char *s = req->mods[i].args;
		u32 m[4] = { MB2_TAG_MODULE, 16 + (u32)strlen(s) + 1, (u32)mods[i][0],
			     (u32)mods[i][1] };

		if (!loader_info_put(w, m, sizeof(m), 8) || !loader_info_put(w, s, strlen(s) + 1, 1))
			return req->error;
	}
	loader_mem_kib(req->mem_size, &mem[0], &mem[1]);
	if (mb2_tag(w, MB2_TAG_BASIC_MEMINFO, mem, sizeof(mem)))
		return req->error;
	n = loader_memory_map(req->mem_size, map);
	memcpy(mmap, &entry_size, 4);
	memcpy(mmap + 4, &version, 4);
	for (i = 0; i < n; i++) {
		u8 *e = mmap + 8 + i * 24;
		u32 type = map[i].type, zero = 0;

		memcpy(e, &map[i].base, 8);
		memcpy(e + 8, &map[i].len, 8);
		memcpy(e + 16, &type, 4);
		memcpy(e + 20, &zero, 4);
	}
	if (mb2_tag(w, MB2_TAG_MMAP, mmap, 8 + n * 24))
		return req->error;
	/* The RSDP's revision-1 part, then all of it (revision 2). */
	if (req->rsdp && (mb2_tag(w, MB2_TAG_ACPI_OLD, req->rsdp, 20) ||
			  mb2_tag(w, MB2_TAG_ACPI_NEW, req->rsdp, 36)))
		return req->error;
	if (mb2_tag(w, MB2_TAG_END, NULL, 0))
		return req->error;
	hdr[0] = (u32)(w->at - start);
	*info_gpa = start;
	return loader_write(req, start, hdr, sizeof(hdr));
}

int multiboot2_load(struct loader_req *req)
{
	struct loader_info w = { .req = req, .at = LOADER_INFO_GPA };
	struct mb2_header mh = { 0 };
	u64 mods[LOADER_MAX_MODS][2], info_gpa = 0;
	struct kernel_image ki;
	long off = mb2_find(&req->kernel);

	if (mb2_parse_header(req, (u64)off, &mh))
		return req->error;
	if (mh.have_addrs) {
		if (!mh.have_entry)
			return loader_fail(req, -HV_ENOEXEC,
					   "multiboot2 address tag without an entry tag");
		if (kernel_image_load_addrs(req, &mh.addrs, mh.entry, &ki))
			return req->error;
	} else {
		if (kernel_image_load_elf(req, &ki))
			return req->error;
		if (mh.have_entry) {
			if (mh.entry < ki.start || mh.entry >= ki.end)
				return loader_fail(req, -HV_ENOEXEC,
						   "entry tag %#x outside the image [%#llx, %#llx)",
						   mh.entry, ki.start, ki.end);
			ki.entry = mh.entry;
		}
	}
	if (loader_place_modules(req, ki.end, mods) || mb2_write_info(req, &w, mods, &info_gpa) ||
	    kernel_image_boot(req, &ki, MB2_BOOTLOADER_MAGIC, (u32)info_gpa))
		return req->error;
	fmt_snprintf(req->format, sizeof(req->format), "multiboot2 %s", ki.kind);
	return 0;
}
