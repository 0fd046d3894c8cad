// SPDX-License-Identifier: MIT
/*
 * A multiboot2 test kernel (ELF32, vm=...,kernel=mb2kern) whose header asks
 * for boot information with a (required) information-request tag: prints
 * the information hv's loader gives it (vmx/loader/multiboot2.c) tag by
 * tag — the magic, the command line, the loader name, each module's
 * string, size, place and first bytes, mem_lower/mem_upper, the memory
 * map, the ACPI RSDP's signature — and leaves through isa-debug-exit.
 * tests/guests/cases/mb2.case checks the lines.
 */
#include "mbkern.h"

#define MB2_HEADER_MAGIC	0xe85250d6u
#define MB2_HEADER_LEN		(16 + 32 + 8)

struct mb2_header {
	u32 magic, arch, length, checksum;
	u16 req_type, req_flags;	/* information request: 1 */
	u32 req_size;
	u32 req[5];
	u32 req_pad;
	u16 end_type, end_flags;
	u32 end_size;
};

__attribute__((section(".multiboot"), used, aligned(8)))
static const struct mb2_header mb2_header = {
	.magic = MB2_HEADER_MAGIC, .arch = 0, .length = MB2_HEADER_LEN,
	.checksum = (u32)-(MB2_HEADER_MAGIC + MB2_HEADER_LEN),
	.req_type = 1, .req_flags = 0, .req_size = 8 + 5 * 4,
	.req = { 1, 3, 4, 6, 15 },	/* command line, modules, memory, map, ACPI 2.0 RSDP */
	.end_type = 0, .end_flags = 0, .end_size = 8,
};
_Static_assert(sizeof(struct mb2_header) == MB2_HEADER_LEN, "multiboot2 header layout");

int guest_main(void)
{
	u32 info = guest_mem_bytes, total = *(const u32 *)info, at, ram_top = 0;
	unsigned int nmods = 0;
	bool end = false;

	gprintf("magic %#x, info at %#x\n", guest_boot_magic, info);
	CHECK_EQ(guest_boot_magic, 0x36d76289);
	CHECK_EQ(info & 7, 0);
	/* Memory first: the modules' check needs the top of RAM. */
	for (at = info + 8; at < info + total; at += (*(const u32 *)(at + 4) + 7) & ~7u)
		if (*(const u32 *)at == 4)
			ram_top = 0x100000 + *(const u32 *)(at + 12) * 1024;
	for (at = info + 8; at < info + total && !end; at += (*(const u32 *)(at + 4) + 7) & ~7u) {
		u32 type = *(const u32 *)at, size = *(const u32 *)(at + 4);
		const char *str = (const char *)(at + 8);

		CHECK_EQ(at & 7, 0);
		switch (type) {
		case 0:
			end = true;
			CHECK_EQ(size, 8);
			CHECK_EQ(at + 8, info + total);
			break;
		case 1:
			gprintf("cmdline \"%s\"\n", str);
			break;
		case 2:
			gprintf("loader \"%s\"\n", str);
			break;
		case 3:
			mb_print_module(nmods++, *(const u32 *)(at + 8), *(const u32 *)(at + 12),
					(const char *)(at + 16), ram_top);
			break;
		case 4:
			gprintf("mem_lower %u KiB, mem_upper %u KiB\n", *(const u32 *)(at + 8),
				*(const u32 *)(at + 12));
			break;
		case 6: {
			u32 esize = *(const u32 *)(at + 8), e;

			CHECK_EQ(esize, 24);
			for (e = at + 16; e + esize <= at + size; e += esize) {
				u64 base = *(const u64 *)e, len = *(const u64 *)(e + 8);

				gprintf("mmap [%#llx, %#llx) type %u\n", base, base + len,
					*(const u32 *)(e + 16));
			}
			break;
		}
		case 14:
		case 15: {
			char sig[9];

			memcpy(sig, str, 8);
			sig[8] = '\0';
			gprintf("ACPI %s RSDP: signature \"%s\", revision %u, %u bytes\n",
				type == 14 ? "1.0" : "2.0", sig, (u8)str[15], size - 8);
			break;
		}
		default:
			gprintf("tag %u, %u bytes\n", type, size);
			break;
		}
	}
	CHECK(end);
	gprintf("%u modules\n", nmods);
	mb_exit();
}
