/* SPDX-License-Identifier: MIT */
/*
 * Guest kernel loaders: a bzImage (Linux x86 boot protocol), a multiboot1
 * kernel or a multiboot2 kernel, chosen by the image's own format, written
 * into a VM's RAM with the boot information its specification promises.
 *
 * Portable: the loaders write guest memory only through copy_to_guest()
 * and clear_guest() (vmx/vm/guest_mem.h), which the link chooses: hv's
 * vmx/vm/guest_mem.c, or for the hosted tests and the fuzzer
 * (tests/fuzz/fuzz_loader.c) a buffer (tests/host/guest_mem_buf.c).  Every image is untrusted input: a bad one is refused with a
 * message (loader_req.err) naming what is wrong, never loaded half-way
 * into memory the VM does not own.  docs/loaders.md describes the layout.
 */
#ifndef VMX_LOADER_LOADER_H
#define VMX_LOADER_LOADER_H

#include "lib/compiler.h"
#include "lib/errno.h"
#include "vmx/vm/guest_mem.h"

#define LOADER_MAX_MODS		8
#define LOADER_ERR_MAX		160

/* One boot module: its bytes and the string the guest is given with it. */
struct loader_blob {
	const char *name;	/* the module's name (first word of its GRUB line) */
	const u8 *data;		/* NULL: absent */
	u64 size;
	const char *args;	/* the guest's string for it ("" when none) */
};

/*
 * vCPU 0's first state: 32-bit protected mode, paging off, interrupts off,
 * flat segments from a GDT the loader wrote.  The other GPRs are zero.
 */
struct loader_boot {
	u32 eip, eax, ebx, esi;
	u16 cs, ds;		/* selectors: CS is 32-bit code, DS/ES/SS/FS/GS data */
	u32 gdt_base;
	u16 gdt_limit;
};

struct loader_req {
	/* in */
	struct vm *vm;				/* whose RAM the image goes to */
	u64 mem_size;				/* its RAM: [0, mem_size) */
	struct loader_blob kernel;		/* args: the guest's command line */
	struct loader_blob initrd;		/* bzImage only */
	struct loader_blob mods[LOADER_MAX_MODS];	/* multiboot only */
	unsigned int nmods;
	u64 rsdp_gpa;				/* the VM's ACPI RSDP, 0 when none */
	const u8 *rsdp;				/* its bytes (36, revision 2) */
	/* out */
	struct loader_boot boot;
	char format[48];			/* e.g. "bzImage, boot protocol 2.15" */
	u64 kernel_start, kernel_end;		/* guest-physical run area */
	char err[LOADER_ERR_MAX];		/* why the image was refused */
	int error;				/* ... and as a negated HV_E* value */
};

/**
 * loader_load() - recognise @req->kernel's format and load it.
 * @req: the request; its output fields are filled
 *
 * Return: 0, or a negated HV_E* value (lib/errno.h: -HV_ENOEXEC a malformed
 * image, -HV_ENOTSUP a feature hv does not give, -HV_ERANGE a part that does
 * not fit, -HV_EFAULT a write outside guest RAM, -HV_EINVAL a bad request)
 * with @req->err saying which check failed (the caller names the VM and the
 * module in front of it).  Memory may be partly written on
 * failure: the caller does not start the VM.
 */
int loader_load(struct loader_req *req);

/* ---- shared by the loaders (vmx/loader/loader.c) ---- */

/* The guest's physical memory map as every loader reports it. */
enum loader_mem_type {
	LOADER_RAM = 1,		/* e820 / multiboot "available" */
	LOADER_RESERVED = 2,
};

struct loader_range {
	u64 base, len;
	enum loader_mem_type type;
};

#define LOADER_MAP_MAX		4

/* The VM's memory map for @mem_size bytes of RAM: RAM, reserved firmware areas. */
unsigned int loader_memory_map(u64 mem_size, struct loader_range map[LOADER_MAP_MAX]);

/* Guest-physical area the hypervisor's boot structures use (GDT, boot information). */
#define LOADER_LOW_START	0x7000ull	/* VM_GDT_GPA: the boot GDT */
#define LOADER_INFO_GPA		0x8000ull	/* boot_params or multiboot information */
#define LOADER_INFO_END		0x20000ull	/* ... with its strings, below 128 KiB */
#define LOADER_LOW_END		LOADER_INFO_END

/*
 * Refuse the image: @req->err from @fmt, @req->error = @err (a negated
 * HV_E* value).  Return: @err.  A loader that sees a helper fail returns
 * @req->error, which the helper set through here.
 */
int loader_fail(struct loader_req *req, int err, const char *fmt, ...) __printf(3, 4);

/*
 * Check that [gpa, gpa + len) is RAM the kernel may take: inside the VM,
 * above the boot structures, outside the firmware area.  0, or -HV_ERANGE
 * with req->err naming @what.
 */
int loader_check_area(struct loader_req *req, const char *what, u64 gpa, u64 len);

/* Write to guest memory, turning a failure into req->err. */
int loader_write(struct loader_req *req, u64 gpa, const void *src, u64 len);
int loader_zero(struct loader_req *req, u64 gpa, u64 len);

/* Write the boot GDT with flat 32-bit code at @cs and data at @ds; fill req->boot's GDT. */
int loader_write_gdt(struct loader_req *req, u16 cs, u16 ds);

/* vCPU-visible lower (below 640 KiB) and upper (from 1 MiB) memory in KiB. */
void loader_mem_kib(u64 mem_size, u32 *lower, u32 *upper);

/* Place the modules page-aligned from @start upward; their [start, end) into @ranges. */
int loader_place_modules(struct loader_req *req, u64 start, u64 ranges[][2]);

/*
 * The offset of a multiboot-style header in the first @search bytes of @k:
 * @magic at a multiple of @align, its first @nwords words (the magic
 * included) summing to zero.  -1 when there is none.
 */
long loader_find_header(const struct loader_blob *k, u32 magic, unsigned int align, u64 search,
			unsigned int nwords);

/* The loaders: probe says whether the image is of that format; load as loader_load(). */
bool bzimage_probe(const struct loader_blob *k);
int bzimage_load(struct loader_req *req);
bool multiboot1_probe(const struct loader_blob *k);
int multiboot1_load(struct loader_req *req);
bool multiboot2_probe(const struct loader_blob *k);
int multiboot2_load(struct loader_req *req);

#endif /* VMX_LOADER_LOADER_H */
