/* SPDX-License-Identifier: MIT */
/*
 * A multiboot kernel's bytes in guest memory: from its ELF program headers,
 * or from the load addresses its multiboot header gives (the "a.out kludge"
 * of multiboot1, the address tag of multiboot2, the same four fields).
 */
#ifndef VMX_LOADER_KERNEL_IMAGE_H
#define VMX_LOADER_KERNEL_IMAGE_H

#include "vmx/loader/loader.h"

struct kernel_image {
	u64 entry;		/* guest-physical */
	u64 start, end;		/* lowest and highest byte + 1 it occupies */
	const char *kind;	/* "ELF32", "ELF64", "flat" */
};

/* The multiboot header's address fields, as offsets into the file. */
struct kernel_load_addrs {
	u64 header_off;		/* file offset of the multiboot header */
	u32 header_addr, load_addr, load_end_addr, bss_end_addr;
};

/* An ELF image (32- or 64-bit x86) loaded by its PT_LOAD segments' physical addresses. */
int kernel_image_load_elf(struct loader_req *req, struct kernel_image *ki);

/* An image loaded by the header's address fields; @entry is checked to lie inside it. */
int kernel_image_load_addrs(struct loader_req *req, const struct kernel_load_addrs *a,
			    u32 entry, struct kernel_image *ki);

/* A flat 32-bit boot: the loader's GDT, EAX = @magic, EBX = @info. */
int kernel_image_boot(struct loader_req *req, const struct kernel_image *ki, u32 magic, u32 info);

/* Boot information written upward from LOADER_INFO_GPA. */
struct loader_info {
	struct loader_req *req;
	u64 at;
};

/*
 * Append @len bytes (@src, or zeros when NULL) aligned to @align; return
 * their guest-physical address, or 0 with req->err and req->error set when the boot
 * information area is full.
 */
u64 loader_info_put(struct loader_info *w, const void *src, u64 len, u64 align);

#endif /* VMX_LOADER_KERNEL_IMAGE_H */
