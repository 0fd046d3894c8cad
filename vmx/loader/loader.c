// SPDX-License-Identifier: MIT
/*
 * The loaders' common part: format dispatch, the guest memory map, the
 * areas a kernel may not take, the boot GDT and module placement.
 */
#include "vmx/loader/loader.h"

#include "lib/format.h"
#include "lib/string.h"
#include "lib/unaligned.h"
#include "vmx/dev/platform.h"

/* The legacy BIOS area: VGA memory, option ROMs, the ACPI tables, the BIOS. */
#define LOADER_FW_START		0xa0000ull
#define LOADER_FW_END		0x100000ull

int loader_fail(struct loader_req *req, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(req->err, sizeof(req->err), fmt, ap);
	va_end(ap);
	req->error = err;
	return err;
}

unsigned int loader_memory_map(u64 mem_size, struct loader_range map[LOADER_MAP_MAX])
{
	unsigned int n = 0;

	/* Conventional memory up to the VGA hole; the boot structures in it are the OS's to reuse. */
	map[n++] = (struct loader_range){ 0, LOADER_FW_START, LOADER_RAM };
	/* The ACPI tables and the empty BIOS area above them, as a BIOS would reserve them. */
	BUILD_BUG_ON(PLAT_ACPI_AREA_GPA < LOADER_FW_START ||
		     PLAT_ACPI_AREA_GPA + PLAT_ACPI_AREA_SIZE > LOADER_FW_END);
	map[n++] = (struct loader_range){ PLAT_ACPI_AREA_GPA, LOADER_FW_END - PLAT_ACPI_AREA_GPA,
					  LOADER_RESERVED };
	if (mem_size > LOADER_FW_END)
		map[n++] = (struct loader_range){ LOADER_FW_END, mem_size - LOADER_FW_END,
						  LOADER_RAM };
	return n;
}

static bool loader_overlaps(u64 a, u64 alen, u64 b, u64 blen)
{
	return a < b + blen && b < a + alen;
}

int loader_check_area(struct loader_req *req, const char *what, u64 gpa, u64 len)
{
	u64 mem = req->mem_size;

	if (gpa + len < gpa || gpa + len > mem)
		return loader_fail(req, -HV_ERANGE,
				   "%s [%#llx, %#llx) does not fit in the VM's %llu MiB",
				   what, gpa, gpa + len, mem >> 20);
	if (loader_overlaps(gpa, len, LOADER_LOW_START, LOADER_LOW_END - LOADER_LOW_START))
		return loader_fail(req, -HV_ERANGE,
				   "%s [%#llx, %#llx) overlaps the boot information at "
				   "[%#llx, %#llx)", what, gpa, gpa + len, LOADER_LOW_START,
				   LOADER_LOW_END);
	if (loader_overlaps(gpa, len, LOADER_FW_START, LOADER_FW_END - LOADER_FW_START))
		return loader_fail(req, -HV_ERANGE,
				   "%s [%#llx, %#llx) overlaps the firmware area at "
				   "[%#llx, %#llx)", what, gpa, gpa + len, LOADER_FW_START,
				   LOADER_FW_END);
	return 0;
}

int loader_write(struct loader_req *req, u64 gpa, const void *src, u64 len)
{
	if (len && copy_to_guest(req->vm, gpa, src, len))
		return loader_fail(req, -HV_EFAULT,
				   "write of %llu bytes at %#llx outside guest RAM", len, gpa);
	return 0;
}

int loader_zero(struct loader_req *req, u64 gpa, u64 len)
{
	if (len && clear_guest(req->vm, gpa, len))
		return loader_fail(req, -HV_EFAULT,
				   "clear of %llu bytes at %#llx outside guest RAM", len, gpa);
	return 0;
}

/* A flat 4 GiB descriptor: base 0, limit 0xfffff pages, G, D/B, present, DPL 0. */
#define GDT_FLAT_CODE32		0x00cf9b000000ffffull	/* execute/read, accessed */
#define GDT_FLAT_DATA		0x00cf93000000ffffull	/* read/write, accessed */

int loader_write_gdt(struct loader_req *req, u16 cs, u16 ds)
{
	u64 gdt[4] = { 0 };

	/* Only the layouts the protocols ask for: Linux 0x10/0x18, multiboot 0x08/0x10. */
	if (cs == ds || cs % 8 || ds % 8 || !cs || !ds || cs / 8 >= 4 || ds / 8 >= 4)
		return loader_fail(req, -HV_EINVAL, "internal: bad boot selectors %#x/%#x", cs, ds);
	gdt[cs / 8] = GDT_FLAT_CODE32;
	gdt[ds / 8] = GDT_FLAT_DATA;
	req->boot.cs = cs;
	req->boot.ds = ds;
	req->boot.gdt_base = (u32)LOADER_LOW_START;
	req->boot.gdt_limit = sizeof(gdt) - 1;
	return loader_write(req, LOADER_LOW_START, gdt, sizeof(gdt));
}

int loader_place_modules(struct loader_req *req, u64 start, u64 ranges[][2])
{
	u64 at = ALIGN_UP(start, PAGE_SIZE);
	unsigned int i;

	for (i = 0; i < req->nmods; i++) {
		const struct loader_blob *m = &req->mods[i];
		char what[48];

		fmt_snprintf(what, sizeof(what), "module \"%s\"", m->name);
		if (at + m->size > (1ull << 32))
			return loader_fail(req, -HV_ERANGE, "%s does not fit below 4 GiB", what);
		if (loader_check_area(req, what, at, m->size) ||
		    loader_write(req, at, m->data, m->size))
			return req->error;
		ranges[i][0] = at;
		ranges[i][1] = at + m->size;
		at = ALIGN_UP(at + m->size, PAGE_SIZE);
	}
	return 0;
}

long loader_find_header(const struct loader_blob *k, u32 magic, unsigned int align, u64 search,
			unsigned int nwords)
{
	u64 off, len = (u64)nwords * 4;

	/* Two bounds, not a MIN(): cppcheck called that form always false (a false positive). */
	for (off = 0; off + len <= k->size && off + len <= search; off += align) {
		const u8 *h = k->data + off;
		u32 sum = 0;

		if (get_unaligned_u32(h) != magic)
			continue;
		for (unsigned int i = 0; i < nwords; i++)
			sum += get_unaligned_u32(h + 4 * i);
		if (sum == 0)
			return (long)off;
	}
	return -1;
}

int loader_load(struct loader_req *req)
{
	const struct loader_blob *k = &req->kernel;

	memset(&req->boot, 0, sizeof(req->boot));
	req->err[0] = '\0';
	req->error = 0;
	req->format[0] = '\0';
	if (!k->data || !k->size)
		return loader_fail(req, -HV_EINVAL, "the image is empty");
	if (!k->args)
		req->kernel.args = "";
	if (req->nmods > LOADER_MAX_MODS)
		return loader_fail(req, -HV_EINVAL, "more than %d modules", LOADER_MAX_MODS);
	/* By the image's own format; multiboot2 first where a kernel carries both headers. */
	if (bzimage_probe(k)) {
		if (req->nmods)
			return loader_fail(req, -HV_EINVAL,
					   "mods= is for multiboot kernels; a bzImage takes one "
					   "initrd=");
		return bzimage_load(req);
	}
	if (req->initrd.data)
		return loader_fail(req, -HV_EINVAL,
				   "initrd= is for Linux bzImages; this is not one");
	if (multiboot2_probe(k))
		return multiboot2_load(req);
	if (multiboot1_probe(k))
		return multiboot1_load(req);
	return loader_fail(req, -HV_ENOEXEC,
			   "not a bzImage (no \"HdrS\" at 0x202) and no multiboot1 or "
			   "multiboot2 header in its first 32 KiB (use mod= for a flat image)");
}
