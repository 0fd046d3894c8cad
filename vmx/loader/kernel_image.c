// SPDX-License-Identifier: MIT
/*
 * Multiboot kernels' images: ELF program headers or the header's address
 * fields, checked against the image's size and the VM's memory before a
 * byte is written.  Shared by the multiboot1 and multiboot2 loaders.
 */
#include "vmx/loader/kernel_image.h"

#include "lib/format.h"
#include "lib/string.h"
#include "lib/unaligned.h"

#define EI_CLASS		4
#define EI_DATA			5
#define EI_VERSION		6
#define ELFCLASS32		1
#define ELFCLASS64		2
#define ELFDATA2LSB		1
#define ET_EXEC			2
#define EM_386			3
#define EM_X86_64		62
#define PT_LOAD			1
#define ELF_MAX_PHDRS		64

/* The fields of one program header, from either class. */
struct elf_seg {
	u32 type;
	u64 offset, vaddr, paddr, filesz, memsz;
};

static void elf_read_phdr(const u8 *p, bool is64, struct elf_seg *s)
{
	s->type = get_unaligned_u32(p);
	if (is64) {
		s->offset = get_unaligned_u64(p + 8);
		s->vaddr = get_unaligned_u64(p + 16);
		s->paddr = get_unaligned_u64(p + 24);
		s->filesz = get_unaligned_u64(p + 32);
		s->memsz = get_unaligned_u64(p + 40);
	} else {
		s->offset = get_unaligned_u32(p + 4);
		s->vaddr = get_unaligned_u32(p + 8);
		s->paddr = get_unaligned_u32(p + 12);
		s->filesz = get_unaligned_u32(p + 16);
		s->memsz = get_unaligned_u32(p + 20);
	}
}

int kernel_image_load_elf(struct loader_req *req, struct kernel_image *ki)
{
	const u8 *img = req->kernel.data;
	u64 size = req->kernel.size, phoff, entry, entry_pa = 0;
	struct elf_seg segs[ELF_MAX_PHDRS];
	unsigned int phnum, phentsize, i, j, nload = 0;
	bool is64, entry_found = false;

	if (size < 52 || memcmp(img, "\177ELF", 4))
		return loader_fail(req, -HV_ENOEXEC,
				   "not an ELF image (bad magic) and no address fields in "
				   "its multiboot header");
	is64 = img[EI_CLASS] == ELFCLASS64;
	if ((img[EI_CLASS] != ELFCLASS32 && !is64) || img[EI_DATA] != ELFDATA2LSB ||
	    img[EI_VERSION] != 1)
		return loader_fail(req, -HV_ENOEXEC,
				   "bad ELF identification (class %u, data %u, version %u)",
				   img[EI_CLASS], img[EI_DATA], img[EI_VERSION]);
	if (is64 && size < 64)
		return loader_fail(req, -HV_ENOEXEC, "ELF64 image truncated inside its header");
	if (get_unaligned_u16(img + 16) != ET_EXEC ||
	    get_unaligned_u16(img + 18) != (is64 ? EM_X86_64 : EM_386))
		return loader_fail(req, -HV_ENOEXEC,
				   "not an x86 ELF executable (type %u, machine %u)",
				   get_unaligned_u16(img + 16), get_unaligned_u16(img + 18));
	entry = is64 ? get_unaligned_u64(img + 24) : get_unaligned_u32(img + 24);
	phoff = is64 ? get_unaligned_u64(img + 32) : get_unaligned_u32(img + 28);
	phentsize = get_unaligned_u16(img + (is64 ? 54 : 42));
	phnum = get_unaligned_u16(img + (is64 ? 56 : 44));
	if (phentsize < (is64 ? 56u : 32u) || phnum == 0 || phnum > ELF_MAX_PHDRS ||
	    phoff > size || (u64)phnum * phentsize > size - phoff)
		return loader_fail(req, -HV_ENOEXEC,
				   "ELF program headers truncated or malformed (%u of %u "
				   "bytes at %#llx)", phnum, phentsize, phoff);
	for (i = 0; i < phnum; i++) {
		struct elf_seg s;
		char what[32];

		elf_read_phdr(img + phoff + (u64)i * phentsize, is64, &s);
		if (s.type != PT_LOAD || !s.memsz)
			continue;
		if (s.filesz > s.memsz || s.offset > size || s.filesz > size - s.offset)
			return loader_fail(req, -HV_ENOEXEC,
					   "ELF segment %u truncated: %#llx bytes at file offset "
					   "%#llx of a %#llx-byte image", i, s.filesz, s.offset, size);
		fmt_snprintf(what, sizeof(what), "ELF segment %u", i);
		if (loader_check_area(req, what, s.paddr, s.memsz))
			return req->error;
		for (j = 0; j < nload; j++)
			if (s.paddr < segs[j].paddr + segs[j].memsz &&
			    segs[j].paddr < s.paddr + s.memsz)
				return loader_fail(req, -HV_ENOEXEC,
						   "ELF segments overlap at [%#llx, %#llx)",
						   MAX(s.paddr, segs[j].paddr),
						   MIN(s.paddr + s.memsz,
						       segs[j].paddr + segs[j].memsz));
		segs[nload++] = s;
		/* The entry is a virtual address: translate it as GRUB does. */
		if (!entry_found && entry >= s.vaddr && entry - s.vaddr < s.memsz) {
			entry_pa = s.paddr + (entry - s.vaddr);
			entry_found = true;
		}
	}
	if (!nload)
		return loader_fail(req, -HV_ENOEXEC, "ELF image without a loadable segment");
	if (!entry_found)
		return loader_fail(req, -HV_ENOEXEC,
				   "entry %#llx outside the image's segments", entry);
	ki->start = ~0ull;
	ki->end = 0;
	for (i = 0; i < nload; i++) {
		if (loader_write(req, segs[i].paddr, img + segs[i].offset, segs[i].filesz) ||
		    loader_zero(req, segs[i].paddr + segs[i].filesz, segs[i].memsz - segs[i].filesz))
			return req->error;
		ki->start = MIN(ki->start, segs[i].paddr);
		ki->end = MAX(ki->end, segs[i].paddr + segs[i].memsz);
	}
	ki->entry = entry_pa;
	ki->kind = is64 ? "ELF64" : "ELF32";
	return 0;
}

int kernel_image_load_addrs(struct loader_req *req, const struct kernel_load_addrs *a,
			    u32 entry, struct kernel_image *ki)
{
	u64 size = req->kernel.size, file_off, len, bss;

	if (a->header_addr < a->load_addr || a->header_addr - a->load_addr > a->header_off)
		return loader_fail(req, -HV_ENOEXEC,
				   "bad multiboot address fields: header_addr %#x, "
				   "load_addr %#x with the header at file offset %#llx",
				   a->header_addr, a->load_addr, a->header_off);
	file_off = a->header_off - (a->header_addr - a->load_addr);
	len = a->load_end_addr ? (u64)a->load_end_addr - a->load_addr : size - file_off;
	if (a->load_end_addr && a->load_end_addr <= a->load_addr)
		return loader_fail(req, -HV_ENOEXEC,
				   "bad multiboot address fields: load_end_addr %#x is not "
				   "above load_addr %#x", a->load_end_addr, a->load_addr);
	if (len > size - file_off)
		return loader_fail(req, -HV_ENOEXEC,
				   "image truncated: its header asks for %#llx bytes from file "
				   "offset %#llx, the file has %#llx", len, file_off, size);
	bss = a->bss_end_addr ? a->bss_end_addr : a->load_addr + len;
	if (bss < a->load_addr + len)
		return loader_fail(req, -HV_ENOEXEC,
				   "bad multiboot address fields: bss_end_addr %#x below the "
				   "end of the image %#llx", a->bss_end_addr, a->load_addr + len);
	if (loader_check_area(req, "the kernel", a->load_addr, bss - a->load_addr))
		return req->error;
	if (entry < a->load_addr || entry >= bss)
		return loader_fail(req, -HV_ENOEXEC,
				   "entry %#x outside the image [%#x, %#llx)", entry,
				   a->load_addr, bss);
	if (loader_write(req, a->load_addr, req->kernel.data + file_off, len) ||
	    loader_zero(req, a->load_addr + len, bss - (a->load_addr + len)))
		return req->error;
	ki->entry = entry;
	ki->start = a->load_addr;
	ki->end = bss;
	ki->kind = "flat";
	return 0;
}

/* Multiboot GDT: flat code at 0x08, data at 0x10 (any flat selectors satisfy both specs). */
#define MB_BOOT_CS	0x08
#define MB_BOOT_DS	0x10

int kernel_image_boot(struct loader_req *req, const struct kernel_image *ki, u32 magic, u32 info)
{
	if (ki->entry >= (1ull << 32))
		return loader_fail(req, -HV_ENOTSUP,
				   "entry %#llx above 4 GiB: multiboot enters in 32-bit mode",
				   ki->entry);
	if (loader_write_gdt(req, MB_BOOT_CS, MB_BOOT_DS))
		return req->error;
	req->boot.eip = (u32)ki->entry;
	req->boot.eax = magic;
	req->boot.ebx = info;
	req->kernel_start = ki->start;
	req->kernel_end = ki->end;
	return 0;
}

u64 loader_info_put(struct loader_info *w, const void *src, u64 len, u64 align)
{
	u64 at = ALIGN_UP(w->at, align);

	if (at + len > LOADER_INFO_END || at + len < at) {
		loader_fail(w->req, -HV_ENOSPC,
			    "boot information larger than the %llu bytes at %#llx "
			    "(too many modules or too long command lines)",
			    LOADER_INFO_END - LOADER_INFO_GPA, LOADER_INFO_GPA);
		return 0;
	}
	if (src ? loader_write(w->req, at, src, len) : loader_zero(w->req, at, len))
		return 0;
	w->at = at + len;
	return at;
}
