// SPDX-License-Identifier: MIT
/*
 * Fuzz target: loader_load() (vmx/loader/): bzImage, multiboot1 and
 * multiboot2 kernels with an initrd or modules, into guest RAM that is a
 * buffer here.
 *
 * Input: an 8-byte header, then the kernel, the command line and the
 * boot modules' bytes:
 *   [0]     RAM size: 2 + (byte % 31) MiB (2..32 MiB)
 *   [1]     bits 0-3: number of modules (above 8 is refused), bit 4: an
 *           initrd, bit 5: an ACPI RSDP
 *   [2..3]  command line length (u16 LE; it ends at its first NUL)
 *   [4..7]  kernel length (u32 LE)
 * Lengths are clamped to what is left; what follows the command line is
 * split evenly between the initrd and the modules (the last one takes the
 * rest).  Every blob is a heap copy of exactly its size (fuzz_dup()).
 *
 * Checks: every write and clear lies inside RAM and outside the firmware
 * area [0xa0000, 0x100000), whatever the outcome.  On success: an empty
 * err and a format; the entry inside [kernel_start, kernel_end) and that
 * inside RAM; the boot GDT in memory as the selectors say (Linux
 * 0x10/0x18, multiboot 0x08/0x10), ESI or EAX/EBX as the protocol says,
 * the multiboot information inside the boot information area with its
 * module count, multiboot2's ending in its end tag.  On failure: a
 * non-empty, NUL-terminated err.  HV_FUZZ_VERBOSE=1 prints the outcome.
 */
#include "tests/fuzz/fuzz.h"
#include "boot/multiboot2.h"
#include "tests/host/guest_mem_buf.h"
#include "vmx/loader/loader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define HDR		8
#define RAM_MAX		MiB(32)
#define FW_START	0xa0000ull
#define FW_END		0x100000ull

static u8 *ram;			/* RAM_MAX bytes, reused between runs */
static u64 ram_size;		/* this run's RAM */
static bool verbose;		/* HV_FUZZ_VERBOSE: say what each input did */

/* Every write and clear the loaders make (inside RAM: guest_mem_buf.c checked that). */
static u8 *ram_at(struct vm *vm, u64 gpa, u64 len)
{
	(void)vm;
	FUZZ_CHECK(!len || gpa + len <= FW_START || gpa >= FW_END);
	return ram + gpa;
}

static u32 ram32(u64 gpa)
{
	FUZZ_CHECK(gpa + 4 <= ram_size);
	return fuzz_u32(ram + gpa);
}

static void check_gdt(const struct loader_boot *b)
{
	FUZZ_CHECK((b->cs == 0x10 && b->ds == 0x18) || (b->cs == 0x08 && b->ds == 0x10));
	FUZZ_CHECK(b->gdt_base == LOADER_LOW_START && b->gdt_limit == 31);
	FUZZ_CHECK(fuzz_u64(ram + b->gdt_base) == 0);
	FUZZ_CHECK(fuzz_u64(ram + b->gdt_base + b->cs) == 0x00cf9b000000ffffull);
	FUZZ_CHECK(fuzz_u64(ram + b->gdt_base + b->ds) == 0x00cf93000000ffffull);
}

static void check_success(const struct loader_req *r)
{
	const struct loader_boot *b = &r->boot;

	FUZZ_CHECK(r->err[0] == '\0');
	FUZZ_CHECK(r->format[0] && memchr(r->format, 0, sizeof(r->format)));
	FUZZ_CHECK(r->kernel_start < r->kernel_end && r->kernel_end <= ram_size);
	FUZZ_CHECK(b->eip >= r->kernel_start && b->eip < r->kernel_end);
	check_gdt(b);
	if (b->cs == 0x10) {			/* Linux */
		FUZZ_CHECK(!strncmp(r->format, "bzImage", 7));
		FUZZ_CHECK(b->esi == LOADER_INFO_GPA && !b->eax && !b->ebx);
		FUZZ_CHECK(ram32(LOADER_INFO_GPA + 0x228) == LOADER_INFO_GPA + 0x1000);
		return;
	}
	FUZZ_CHECK(!b->esi);
	FUZZ_CHECK(b->ebx >= LOADER_INFO_GPA && b->ebx < LOADER_INFO_END && b->ebx % 8 == 0);
	if (b->eax == 0x2badb002) {
		FUZZ_CHECK(!strncmp(r->format, "multiboot1", 10));
		FUZZ_CHECK(ram32(b->ebx + 20) == r->nmods);
		FUZZ_CHECK(ram32(b->ebx + 24) >= LOADER_INFO_GPA &&
			   ram32(b->ebx + 24) + 16 * r->nmods <= LOADER_INFO_END);
	} else {
		u32 total = ram32(b->ebx);

		FUZZ_CHECK(b->eax == MB2_BOOTLOADER_MAGIC);
		FUZZ_CHECK(!strncmp(r->format, "multiboot2", 10));
		FUZZ_CHECK(total >= 16 && total % 8 == 0 && b->ebx + total <= LOADER_INFO_END);
		FUZZ_CHECK(ram32(b->ebx + total - 8) == MB2_TAG_END &&
			   ram32(b->ebx + total - 4) == 8);
	}
}

int LLVMFuzzerTestOneInput(const u8 *data, size_t size)
{
	static const char *const mod_args[LOADER_MAX_MODS] = {
		"m0", "m1 an argument", "", "m3 x=1", "m4", "m5", "m6", "m7 last",
	};
	struct vm vm = { .at = ram_at };
	struct loader_req *r;
	u8 *blobs[2 + LOADER_MAX_MODS] = { 0 };
	unsigned int nmods, nblobs, i, nb = 0;
	u64 klen, clen, rest, each;
	char *cmdline;
	bool initrd;
	u8 flags;
	int rc;

	if (size < HDR)
		return 0;
	if (!ram) {
		const char *v = getenv("HV_FUZZ_VERBOSE");

		verbose = v && *v && strcmp(v, "0");
		ram = calloc(1, RAM_MAX);
		FUZZ_CHECK(ram != NULL);
	}
	ram_size = MiB(2 + data[0] % 31);
	vm.size = ram_size;
	nmods = data[1] & 15;
	initrd = data[1] & 0x10;
	flags = data[1];
	clen = data[2] | (u64)data[3] << 8;
	klen = fuzz_u32(data + 4);
	data += HDR;
	size -= HDR;
	klen = MIN(klen, (u64)size);
	clen = MIN(clen, (u64)size - klen);
	rest = size - klen - clen;

	r = calloc(1, sizeof(*r));
	FUZZ_CHECK(r != NULL);
	cmdline = calloc(1, clen + 1);
	FUZZ_CHECK(cmdline != NULL);
	memcpy(cmdline, data + klen, clen);
	r->vm = &vm;
	r->mem_size = ram_size;
	blobs[nb] = fuzz_dup(data, klen);
	r->kernel = (struct loader_blob){ .name = "kernel", .data = blobs[nb++], .size = klen,
					  .args = cmdline };
	data += klen + clen;

	/* The initrd and the modules (as many blobs as fit the array) share the rest. */
	nblobs = (initrd ? 1 : 0) + MIN(nmods, (unsigned int)LOADER_MAX_MODS);
	each = nblobs ? rest / nblobs : 0;
	for (i = 0; i < nblobs; i++) {
		u64 len = i + 1 == nblobs ? rest - each * i : each;
		struct loader_blob *b = initrd && i == 0 ? &r->initrd :
					&r->mods[i - (initrd ? 1 : 0)];

		blobs[nb] = fuzz_dup(data + each * i, len);
		*b = (struct loader_blob){ .name = b == &r->initrd ? "initrd" : "module",
					   .data = blobs[nb++], .size = len,
					   .args = b == &r->initrd ? "" :
						   mod_args[i - (initrd ? 1 : 0)] };
		/* A zero-length blob still has a (non-NULL) address: present, but empty. */
		if (!b->data)
			b->data = (const u8 *)"";
	}
	r->nmods = nmods;
	if (flags & 0x20) {
		static const u8 rsdp[36] = "RSD PTR ";

		r->rsdp_gpa = 0xe0000;
		r->rsdp = rsdp;
	}

	rc = loader_load(r);
	/* Every write and clear inside RAM, whatever the outcome. */
	FUZZ_CHECK(vm.outside == 0);
	if (rc == 0) {
		check_success(r);
		if (verbose)
			fprintf(stderr, "loader: %s at [%#llx, %#llx), entry %#x\n", r->format,
				r->kernel_start, r->kernel_end, r->boot.eip);
	} else {
		FUZZ_CHECK(r->err[0] && memchr(r->err, 0, sizeof(r->err)));
		FUZZ_CHECK(rc < 0 && rc == r->error && strcmp(hv_strerror(rc), "unknown error"));
		if (verbose)
			fprintf(stderr, "loader: refused: %s\n", r->err);
	}

	for (i = 0; i < nb; i++)
		free(blobs[i]);
	free(cmdline);
	free(r);
	return 0;
}
