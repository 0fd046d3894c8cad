/* SPDX-License-Identifier: MIT */
/*
 * Validating parser for the multiboot2 boot information structure.
 *
 * mb2_parse() walks every tag once, checks it against the specification
 * (sizes, 8-byte alignment, bounds, reserved fields, per-tag minimum sizes,
 * NUL-terminated strings, duplicates) and copies what the hypervisor needs
 * into struct mb2_info.  A bad tag is reported (pr_warn/pr_err naming the tag
 * type and the reason) and skipped; only a structure that cannot be walked
 * at all (bad header, no end tag, a tag running past total_size) is an error.
 * String pointers in the result point into the original structure, which
 * must stay mapped.
 */
#ifndef BOOT_MULTIBOOT2_H
#define BOOT_MULTIBOOT2_H

#include "lib/compiler.h"
#include "lib/errno.h"
#include "lib/mem_range.h"

#define MB2_BOOTLOADER_MAGIC	0x36d76289
#define MB2_HEADER_MAGIC	0xe85250d6

/* Tag types of the boot information (multiboot2 specification 3.6). */
#define MB2_TAG_END		0
#define MB2_TAG_CMDLINE		1
#define MB2_TAG_LOADER_NAME	2
#define MB2_TAG_MODULE		3
#define MB2_TAG_BASIC_MEMINFO	4
#define MB2_TAG_BOOTDEV		5
#define MB2_TAG_MMAP		6
#define MB2_TAG_VBE		7
#define MB2_TAG_FRAMEBUFFER	8
#define MB2_TAG_ELF_SECTIONS	9
#define MB2_TAG_APM		10
#define MB2_TAG_EFI32		11
#define MB2_TAG_EFI64		12
#define MB2_TAG_SMBIOS		13
#define MB2_TAG_ACPI_OLD	14
#define MB2_TAG_ACPI_NEW	15
#define MB2_TAG_NETWORK		16
#define MB2_TAG_EFI_MMAP	17
#define MB2_TAG_EFI_BS		18	/* EFI boot services not terminated */
#define MB2_TAG_EFI32_IH	19
#define MB2_TAG_EFI64_IH	20
#define MB2_TAG_LOAD_BASE_ADDR	21

/* Memory map entry types (multiboot2 mmap tag). */
#define MB2_MEM_AVAILABLE	1
#define MB2_MEM_RESERVED	2
#define MB2_MEM_ACPI_RECLAIMABLE 3
#define MB2_MEM_NVS		4
#define MB2_MEM_BADRAM		5

/* EFI memory descriptor types the usable-RAM computation cares about. */
#define EFI_LOADER_CODE		1
#define EFI_LOADER_DATA		2
#define EFI_BOOT_SERVICES_CODE	3
#define EFI_BOOT_SERVICES_DATA	4
#define EFI_CONVENTIONAL_MEMORY	7

#define MB2_MAX_MMAP		256
#define MB2_MAX_EFI_MMAP	512
#define MB2_MAX_MODULES		16

struct mb2_mmap_entry {
	u64 base, len;
	u32 type;
};

struct mb2_efi_mmap_entry {
	u64 base, len;		/* len = NumberOfPages * 4 KiB */
	u64 attr;
	u32 type;
};

struct mb2_module {
	u64 start, end;		/* [start, end) physical */
	const char *cmdline;
};

struct mb2_info {
	const char *cmdline;		/* "" when absent */
	const char *loader_name;	/* "" when absent */

	struct mb2_mmap_entry mmap[MB2_MAX_MMAP];
	unsigned int mmap_count;
	bool have_mmap;

	struct mb2_efi_mmap_entry efi_mmap[MB2_MAX_EFI_MMAP];
	unsigned int efi_mmap_count;
	bool have_efi_mmap;

	struct mb2_module modules[MB2_MAX_MODULES];
	unsigned int module_count;

	const void *rsdp;		/* copy inside the tag, or NULL */
	unsigned int rsdp_len;
	bool rsdp_is_xsdp;		/* from the ACPI "new" (2.0+) tag */

	bool efi_boot_services_active;	/* tag 18 present */
	u64 efi_system_table;		/* 0 when absent */
	u64 efi_image_handle;		/* 0 when absent */

	bool have_basic_meminfo;
	u32 mem_lower_kib, mem_upper_kib;

	bool have_load_base;
	u64 load_base_addr;		/* where the loader put the image */

	unsigned int bad_tags;		/* tags rejected with a message */
	u64 info_pa, info_size;		/* the structure itself, to reserve */
};

/**
 * mb2_parse() - validate and summarise a multiboot2 information structure.
 * @info:    the structure, mapped
 * @info_pa: its physical address (recorded so the caller can reserve it)
 * @max_len: bytes known to be readable at @info; total_size must not exceed it
 * @out:     filled in (zeroed first)
 *
 * Return: 0 (individual bad tags are reported and skipped, counted in
 * @out->bad_tags) or a negated lib/errno.h value (-HV_EINVAL a NULL or misaligned pointer,
 * -HV_EBADMSG a bad header, tag chain or missing end tag), after an error message, when
 * the structure as a whole cannot be trusted.
 */
int mb2_parse(const void *info, u64 info_pa, u64 max_len, struct mb2_info *out);

/**
 * mb2_usable_ranges() - usable RAM from the memory maps.
 * @mi:  parsed information
 * @out: ranges, sorted by base, merged, page-aligned (base rounded up,
 *       end rounded down), empty ones dropped
 * @max: capacity of @out
 *
 * RAM is the multiboot2 "available" entries minus every range some map
 * calls something else.  While EFI boot services are still active, EFI
 * boot-services code/data (and every non-conventional EFI type) counts as
 * reserved.
 *
 * Without a multiboot2 memory map it falls back to the EFI map, then to
 * the basic meminfo tag, with a warning.  Uses static scratch space: call
 * it from one CPU at a time (boot).
 *
 * Return: number of ranges written, or -HV_ENOENT / -HV_ENOSPC after a
 * message.
 */
int mb2_usable_ranges(const struct mb2_info *mi, struct mem_range *out, unsigned int max);

/* Name of a tag type for messages ("mmap", "module", ...; "unknown" otherwise). */
const char *mb2_tag_name(u32 type);

#endif /* BOOT_MULTIBOOT2_H */
