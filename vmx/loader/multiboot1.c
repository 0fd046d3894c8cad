// SPDX-License-Identifier: MIT
/*
 * Multiboot1 loader (Multiboot Specification 0.6.96) for guest kernels:
 * the header in the image's first 8 KiB, an ELF image or the header's
 * address fields, modules page-aligned above the kernel, and the
 * information structure with memory, memory map, command line, modules
 * and loader name.  The kernel starts in flat 32-bit protected mode with
 * EAX = 0x2badb002 and EBX = the information structure.
 */
#include "vmx/loader/kernel_image.h"

#include "lib/format.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define MB1_HEADER_MAGIC	0x1badb002u
#define MB1_BOOT_MAGIC		0x2badb002u
#define MB1_SEARCH		8192

/* Header flags; bits 0-15 are requirements a loader must meet or refuse. */
#define MB1_F_PAGE_ALIGN	BIT(0)		/* modules page-aligned: always done */
#define MB1_F_MEMINFO		BIT(1)		/* mem_* and the memory map: always given */
#define MB1_F_VIDEO		BIT(2)		/* video mode: none to give, see docs/loaders.md */
#define MB1_F_ADDRS		BIT(16)		/* the address fields are valid */
#define MB1_F_REQUIRED		0xffffu
#define MB1_F_KNOWN		(MB1_F_PAGE_ALIGN | MB1_F_MEMINFO | MB1_F_VIDEO)

/* Information structure flags and layout. */
#define MBI_MEM			BIT(0)
#define MBI_CMDLINE		BIT(2)
#define MBI_MODS		BIT(3)
#define MBI_MMAP		BIT(6)
#define MBI_LOADER_NAME		BIT(9)
#define MBI_SIZE		0x78		/* up to and including the VBE fields */
#define MBI_OFF_FLAGS		0
#define MBI_OFF_MEM_LOWER	4
#define MBI_OFF_MEM_UPPER	8
#define MBI_OFF_CMDLINE		16
#define MBI_OFF_MODS_COUNT	20
#define MBI_OFF_MODS_ADDR	24
#define MBI_OFF_MMAP_LENGTH	44
#define MBI_OFF_MMAP_ADDR	48
#define MBI_OFF_LOADER_NAME	64

static long mb1_find(const struct loader_blob *k)
{
	/* Magic, flags and checksum sum to zero. */
	return loader_find_header(k, MB1_HEADER_MAGIC, 4, MB1_SEARCH, 3);
}

bool multiboot1_probe(const struct loader_blob *k)
{
	return mb1_find(k) >= 0;
}

/* Lower and upper memory in KiB, as BIOS-era kernels expect them. */
void loader_mem_kib(u64 mem_size, u32 *lower, u32 *upper)
{
	struct loader_range map[LOADER_MAP_MAX];
	unsigned int i, n = loader_memory_map(mem_size, map);

	*lower = *upper = 0;
	for (i = 0; i < n; i++) {
		if (map[i].type != LOADER_RAM)
			continue;
		if (map[i].base == 0)
			*lower = (u32)(map[i].len >> 10);
		else if (map[i].base == 0x100000)
			*upper = (u32)MIN(map[i].len >> 10, 0xffffffffull);
	}
}

int multiboot1_load(struct loader_req *req)
{
	const struct loader_blob *k = &req->kernel;
	long off = mb1_find(k);
	const u8 *h = k->data + off;
	u32 flags = get_unaligned_u32(h + 4), info[MBI_SIZE / 4] = { 0 };
	struct loader_info w = { .req = req, .at = LOADER_INFO_GPA };
	struct loader_range map[LOADER_MAP_MAX];
	u64 mods[LOADER_MAX_MODS][2], info_gpa, gpa;
	struct kernel_image ki;
	unsigned int i, n;

	if (flags & MB1_F_REQUIRED & ~MB1_F_KNOWN)
		return loader_fail(req, -HV_ENOTSUP,
				   "multiboot1 header requires flags %#x that hv does not "
				   "know", (u32)(flags & MB1_F_REQUIRED & ~MB1_F_KNOWN));
	if (flags & MB1_F_ADDRS) {
		struct kernel_load_addrs a = { .header_off = (u64)off };

		if ((u64)off + 32 > k->size)
			return loader_fail(req, -HV_ENOEXEC, "multiboot1 header truncated");
		a.header_addr = get_unaligned_u32(h + 12);
		a.load_addr = get_unaligned_u32(h + 16);
		a.load_end_addr = get_unaligned_u32(h + 20);
		a.bss_end_addr = get_unaligned_u32(h + 24);
		if (kernel_image_load_addrs(req, &a, get_unaligned_u32(h + 28), &ki))
			return req->error;
	} else if (kernel_image_load_elf(req, &ki)) {
		return req->error;
	}
	if (loader_place_modules(req, ki.end, mods))
		return req->error;

	/* The information structure first, then what it points to. */
	info_gpa = loader_info_put(&w, NULL, MBI_SIZE, 8);
	if (!info_gpa)
		return req->error;
	info[MBI_OFF_FLAGS / 4] = MBI_MEM | MBI_CMDLINE | MBI_MODS | MBI_MMAP | MBI_LOADER_NAME;
	loader_mem_kib(req->mem_size, &info[MBI_OFF_MEM_LOWER / 4], &info[MBI_OFF_MEM_UPPER / 4]);
	n = loader_memory_map(req->mem_size, map);
	for (i = 0; i < n; i++) {
		u8 e[24];
		u32 sz = 20;

		memcpy(e, &sz, 4);
		memcpy(e + 4, &map[i].base, 8);
		memcpy(e + 12, &map[i].len, 8);
		memcpy(e + 20, &map[i].type, 4);
		if (!(gpa = loader_info_put(&w, e, sizeof(e), 4)))
			return req->error;
		if (i == 0)
			info[MBI_OFF_MMAP_ADDR / 4] = (u32)gpa;
	}
	info[MBI_OFF_MMAP_LENGTH / 4] = n * 24;
	if (!(gpa = loader_info_put(&w, k->args, strlen(k->args) + 1, 1)))
		return req->error;
	info[MBI_OFF_CMDLINE / 4] = (u32)gpa;
	if (!(gpa = loader_info_put(&w, "hv", 3, 1)))
		return req->error;
	info[MBI_OFF_LOADER_NAME / 4] = (u32)gpa;
	info[MBI_OFF_MODS_COUNT / 4] = req->nmods;
	/* The module list: the (16-aligned) place reserved for it, not the unaligned end before. */
	if (!(gpa = loader_info_put(&w, NULL, (u64)req->nmods * 16 + 1, 16)))
		return req->error;
	info[MBI_OFF_MODS_ADDR / 4] = (u32)gpa;
	for (i = 0; i < req->nmods; i++) {
		u32 m[4] = { (u32)mods[i][0], (u32)mods[i][1], 0, 0 };
		const char *s = req->mods[i].args;

		if (!(gpa = loader_info_put(&w, s, strlen(s) + 1, 1)))
			return req->error;
		m[2] = (u32)gpa;
		if (loader_write(req, info[MBI_OFF_MODS_ADDR / 4] + i * 16, m, sizeof(m)))
			return req->error;
	}
	if (loader_write(req, info_gpa, info, sizeof(info)) ||
	    kernel_image_boot(req, &ki, MB1_BOOT_MAGIC, (u32)info_gpa))
		return req->error;
	fmt_snprintf(req->format, sizeof(req->format), "multiboot1 %s", ki.kind);
	return 0;
}
