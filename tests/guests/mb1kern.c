// SPDX-License-Identifier: MIT
/*
 * A multiboot1 test kernel (ELF32, vm=...,kernel=mb1kern): prints the boot
 * information hv's loader gives it (vmx/loader/multiboot1.c) — the magic,
 * mem_lower/mem_upper, the memory map, the command line, each module's
 * string, size, place and first bytes, the loader name — and leaves
 * through isa-debug-exit.  tests/guests/cases/mb1.case checks the lines.
 */
#include "mbkern.h"

#define MB1_HEADER_MAGIC	0x1badb002u
#define MB1_FLAGS		0x00000003u	/* modules page-aligned, memory information */

__attribute__((section(".multiboot"), used, aligned(4)))
static const u32 mb1_header[3] = {
	MB1_HEADER_MAGIC, MB1_FLAGS, (u32)-(MB1_HEADER_MAGIC + MB1_FLAGS),
};

struct mb1_info {
	u32 flags, mem_lower, mem_upper, boot_device, cmdline, mods_count, mods_addr;
	u32 syms[4];
	u32 mmap_length, mmap_addr;
	u32 drives_length, drives_addr, config_table, boot_loader_name;
};

struct mb1_module {
	u32 start, end, string, reserved;
};

int guest_main(void)
{
	const struct mb1_info *mi = (const struct mb1_info *)guest_mem_bytes;	/* EBX */
	u32 at, ram_top;
	unsigned int i;

	gprintf("magic %#x, info at %#x, flags %#x\n", guest_boot_magic, guest_mem_bytes,
		mi->flags);
	CHECK_EQ(guest_boot_magic, 0x2badb002);
	CHECK_EQ(mi->flags & 0x24d, 0x24d);	/* mem, cmdline, mods, mmap, loader name */
	gprintf("mem_lower %u KiB, mem_upper %u KiB\n", mi->mem_lower, mi->mem_upper);
	ram_top = 0x100000 + mi->mem_upper * 1024;
	for (at = mi->mmap_addr; at < mi->mmap_addr + mi->mmap_length;) {
		u32 size = *(const u32 *)at;
		u64 base = *(const u64 *)(at + 4), len = *(const u64 *)(at + 12);

		gprintf("mmap [%#llx, %#llx) type %u\n", base, base + len, *(const u32 *)(at + 20));
		at += size + 4;
	}
	gprintf("cmdline \"%s\"\n", (const char *)mi->cmdline);
	gprintf("%u modules\n", mi->mods_count);
	for (i = 0; i < mi->mods_count; i++) {
		const struct mb1_module *m = (const struct mb1_module *)mi->mods_addr + i;

		mb_print_module(i, m->start, m->end, (const char *)m->string, ram_top);
		CHECK_EQ(m->reserved, 0);
	}
	gprintf("loader \"%s\"\n", (const char *)mi->boot_loader_name);
	mb_exit();
}
