// SPDX-License-Identifier: MIT
/*
 * Linux bzImage loader (the x86 boot protocol, 32-bit entry).
 *
 * The protected-mode kernel goes to its preferred address (relocatable
 * kernels) or to 1 MiB (others, which move themselves), boot_params to
 * LOADER_INFO_GPA with the setup header copied from the image (never the
 * sentinel byte before it), the command line right after it, the initrd
 * as high as its limit and the VM's memory allow, clear of the kernel's
 * run area [pref_address, pref_address + init_size).  The kernel starts at
 * code32_start in flat 32-bit protected mode with CS = 0x10, DS = ES = SS
 * = 0x18 and ESI pointing to boot_params, as the protocol requires.
 */
#include "vmx/loader/loader.h"
#include "vmx/loader/linux_boot.h"

#include "lib/format.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define BZ_CMDLINE_GPA		(LOADER_INFO_GPA + LINUX_BOOT_PARAMS_SIZE)
#define BZ_LOW_LOAD		0x100000ull	/* where a non-relocatable bzImage is loaded */

bool bzimage_probe(const struct loader_blob *k)
{
	return k->size >= SH_HEADER + 4 &&
	       get_unaligned_u32(k->data + SH_HEADER) == SH_HDRS_MAGIC;
}

static void bp_put_u8(u8 *bp, unsigned int off, u8 v)
{
	bp[off] = v;
}

static void bp_put_u32(u8 *bp, unsigned int off, u32 v)
{
	memcpy(bp + off, &v, sizeof(v));
}

static void bp_put_u64(u8 *bp, unsigned int off, u64 v)
{
	memcpy(bp + off, &v, sizeof(v));
}

/* The VM's memory map as e820 entries in boot_params. */
static void bz_fill_e820(struct loader_req *req, u8 *bp)
{
	struct loader_range map[LOADER_MAP_MAX];
	unsigned int i, n = loader_memory_map(req->mem_size, map);

	BUILD_BUG_ON(LOADER_MAP_MAX > BP_E820_MAX);
	for (i = 0; i < n; i++) {
		u8 *e = bp + BP_E820_TABLE + i * BP_E820_ENTRY_SIZE;

		bp_put_u64(e, 0, map[i].base);
		bp_put_u64(e, 8, map[i].len);
		bp_put_u32(e, 16, map[i].type);
	}
	bp_put_u8(bp, BP_E820_ENTRIES, (u8)n);
}

/* Place the initrd at the highest page-aligned address it may take. */
static int bz_place_initrd(struct loader_req *req, const u8 *img, u64 run_end, u8 *bp)
{
	const struct loader_blob *rd = &req->initrd;
	u64 top = (u64)get_unaligned_u32(img + SH_INITRD_ADDR_MAX) + 1;
	u64 at;

	if (!rd->data)
		return 0;
	if (!rd->size)
		return loader_fail(req, -HV_EINVAL, "initrd \"%s\" is empty", rd->name);
	top = MIN(top, req->mem_size);
	if (rd->size > top || (at = (top - rd->size) & PAGE_MASK) < ALIGN_UP(run_end, PAGE_SIZE))
		return loader_fail(req, -HV_ERANGE,
				   "initrd \"%s\" of %llu bytes does not fit between the "
				   "kernel's run area (ends at %#llx) and %#llx: give the VM more mem=",
				   rd->name, rd->size, run_end, top);
	if (loader_check_area(req, "the initrd", at, rd->size) ||
	    loader_write(req, at, rd->data, rd->size))
		return req->error;
	bp_put_u32(bp, SH_RAMDISK_IMAGE, (u32)at);
	bp_put_u32(bp, SH_RAMDISK_SIZE, (u32)rd->size);
	bp_put_u32(bp, BP_EXT_RAMDISK_IMAGE, (u32)(at >> 32));
	bp_put_u32(bp, BP_EXT_RAMDISK_SIZE, (u32)(rd->size >> 32));
	return 0;
}

int bzimage_load(struct loader_req *req)
{
	const u8 *img = req->kernel.data;
	u64 size = req->kernel.size, setup_size, payload, sys_bytes, load, pref, init_size, run_end;
	size_t hdr_end, cmdlen = strlen(req->kernel.args);
	u8 bp[LINUX_BOOT_PARAMS_SIZE];
	u16 version;
	unsigned int setup_sects;

	if (size < SH_END_MAX)
		return loader_fail(req, -HV_ENOEXEC,
				   "bzImage truncated: %llu bytes, less than its setup header",
				   size);
	if (get_unaligned_u16(img + SH_BOOT_FLAG) != SH_BOOT_FLAG_MAGIC)
		return loader_fail(req, -HV_ENOEXEC, "bad bzImage: boot flag %#x, not 0xaa55",
				   get_unaligned_u16(img + SH_BOOT_FLAG));
	version = get_unaligned_u16(img + SH_VERSION);
	if (version < LINUX_MIN_PROTOCOL)
		return loader_fail(req, -HV_ENOTSUP,
				   "boot protocol %u.%02u is older than 2.10, which hv needs",
				   version >> 8, version & 0xff);
	if (!(img[SH_LOADFLAGS] & LOADFLAG_LOADED_HIGH))
		return loader_fail(req, -HV_ENOTSUP, "a zImage (loaded low), not a bzImage");
	setup_sects = img[SH_SETUP_SECTS] ? img[SH_SETUP_SECTS] : 4;
	setup_size = (u64)(setup_sects + 1) * 512;
	sys_bytes = (u64)get_unaligned_u32(img + SH_SYSSIZE) * 16;
	if (size <= setup_size || size - setup_size < sys_bytes)
		return loader_fail(req, -HV_ENOEXEC,
				   "bzImage truncated: %llu bytes, but its header says %llu "
				   "(setup) + %llu (kernel)", size, setup_size, sys_bytes);
	payload = size - setup_size;
	pref = get_unaligned_u64(img + SH_PREF_ADDRESS);
	init_size = get_unaligned_u32(img + SH_INIT_SIZE);
	load = img[SH_RELOCATABLE] ? pref : BZ_LOW_LOAD;
	if (pref & (PAGE_SIZE - 1) || pref < BZ_LOW_LOAD || init_size < payload)
		return loader_fail(req, -HV_ENOEXEC,
				   "bad bzImage header: pref_address %#llx, init_size %#llx for "
				   "a kernel of %#llx bytes", pref, init_size, payload);
	/* The kernel decompresses itself into [pref, pref + init_size). */
	run_end = pref + init_size;
	if (run_end > req->mem_size || load + payload > req->mem_size)
		return loader_fail(req, -HV_ERANGE,
				   "the kernel needs memory up to %#llx, more than the VM's "
				   "%llu MiB: give it more mem=", MAX(run_end, load + payload),
				   req->mem_size >> 20);
	if (cmdlen > get_unaligned_u32(img + SH_CMDLINE_SIZE) ||
	    BZ_CMDLINE_GPA + cmdlen + 1 > LOADER_INFO_END)
		return loader_fail(req, -HV_ERANGE,
				   "command line of %zu bytes is longer than the kernel's "
				   "limit of %u", cmdlen, get_unaligned_u32(img + SH_CMDLINE_SIZE));

	/* boot_params: zeroed, then the setup header as the image has it. */
	memset(bp, 0, sizeof(bp));
	hdr_end = MIN((size_t)(SH_JUMP + 2 + img[SH_JUMP + 1]), (size_t)SH_END_MAX);
	memcpy(bp + SH_START, img + SH_START, hdr_end - SH_START);
	bp_put_u8(bp, SH_TYPE_OF_LOADER, TYPE_OF_LOADER_OTHER);
	bp_put_u32(bp, SH_CODE32_START, (u32)load);
	bp_put_u32(bp, SH_CMD_LINE_PTR, (u32)BZ_CMDLINE_GPA);
	bp_put_u32(bp, BP_EXT_CMD_LINE_PTR, 0);
	if (version >= LINUX_RSDP_PROTOCOL)
		bp_put_u64(bp, BP_ACPI_RSDP_ADDR, req->rsdp_gpa);
	bz_fill_e820(req, bp);

	if (loader_check_area(req, "the kernel", load, payload) ||
	    loader_check_area(req, "the kernel's run area", pref, init_size) ||
	    loader_write(req, load, img + setup_size, payload) ||
	    bz_place_initrd(req, img, run_end, bp) ||
	    loader_write(req, BZ_CMDLINE_GPA, req->kernel.args, cmdlen + 1) ||
	    loader_write(req, LOADER_INFO_GPA, bp, sizeof(bp)) ||
	    loader_write_gdt(req, LINUX_BOOT_CS, LINUX_BOOT_DS))
		return req->error;
	req->boot.eip = (u32)load;
	req->boot.esi = (u32)LOADER_INFO_GPA;
	req->kernel_start = MIN(load, pref);
	req->kernel_end = MAX(run_end, load + payload);
	fmt_snprintf(req->format, sizeof(req->format), "bzImage, boot protocol %u.%02u%s",
		     version >> 8, version & 0xff, img[SH_RELOCATABLE] ? ", relocatable" : "");
	return 0;
}
