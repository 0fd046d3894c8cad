/* SPDX-License-Identifier: MIT */
/*
 * The Linux x86 boot protocol (Documentation/arch/x86/boot.rst): offsets
 * of the fields hv reads from a bzImage's setup header and writes into the
 * boot_params ("zero page") it gives the kernel.  One home for these facts.
 */
#ifndef VMX_LOADER_LINUX_BOOT_H
#define VMX_LOADER_LINUX_BOOT_H

#define LINUX_BOOT_PARAMS_SIZE	0x1000

/* boot_params fields outside the setup header. */
#define BP_ACPI_RSDP_ADDR	0x070	/* u64, protocol 2.14 */
#define BP_EXT_RAMDISK_IMAGE	0x0c0	/* u32: initrd address bits 63:32 */
#define BP_EXT_RAMDISK_SIZE	0x0c4
#define BP_EXT_CMD_LINE_PTR	0x0c8
#define BP_E820_ENTRIES		0x1e8	/* u8 */
#define BP_SENTINEL		0x1ef	/* u8: a loader that copies 0x1ef.. leaves it non-zero */
#define BP_E820_TABLE		0x2d0	/* 128 entries of {u64 addr, u64 size, u32 type} */
#define BP_E820_MAX		128
#define BP_E820_ENTRY_SIZE	20

/* The setup header: from 0x1f1 up to 0x202 + the byte at 0x201. */
#define SH_START		0x1f1
#define SH_SETUP_SECTS		0x1f1	/* u8: 512-byte sectors of setup code; 0 means 4 */
#define SH_SYSSIZE		0x1f4	/* u32: protected-mode code size in 16-byte units */
#define SH_BOOT_FLAG		0x1fe	/* u16: 0xaa55 */
#define SH_JUMP			0x200	/* u16: jmp short; its offset byte ends the header */
#define SH_HEADER		0x202	/* u32: "HdrS" */
#define SH_VERSION		0x206	/* u16: protocol version, major.minor */
#define SH_TYPE_OF_LOADER	0x210	/* u8 */
#define SH_LOADFLAGS		0x211	/* u8 */
#define SH_CODE32_START		0x214	/* u32 */
#define SH_RAMDISK_IMAGE	0x218	/* u32 */
#define SH_RAMDISK_SIZE		0x21c	/* u32 */
#define SH_CMD_LINE_PTR		0x228	/* u32 */
#define SH_INITRD_ADDR_MAX	0x22c	/* u32: highest address an initrd byte may have */
#define SH_KERNEL_ALIGNMENT	0x230	/* u32 */
#define SH_RELOCATABLE		0x234	/* u8 */
#define SH_CMDLINE_SIZE		0x238	/* u32: maximum length, without the NUL */
#define SH_PREF_ADDRESS		0x258	/* u64 */
#define SH_INIT_SIZE		0x260	/* u32: memory the kernel needs from its load address */
#define SH_END_MAX		0x290	/* where boot_params's copy of the header ends */

#define SH_HDRS_MAGIC		0x53726448u	/* "HdrS" */
#define SH_BOOT_FLAG_MAGIC	0xaa55
#define LOADFLAG_LOADED_HIGH	0x01	/* protected-mode code at 0x100000: a bzImage */
#define TYPE_OF_LOADER_OTHER	0xff	/* no registered loader ID */
#define LINUX_BOOT_CS		0x10	/* __BOOT_CS: the protocol's 32-bit entry */
#define LINUX_BOOT_DS		0x18	/* __BOOT_DS */
#define LINUX_MIN_PROTOCOL	0x020a	/* 2.10: pref_address and init_size */
#define LINUX_RSDP_PROTOCOL	0x020e	/* 2.14: acpi_rsdp_addr */

#endif /* VMX_LOADER_LINUX_BOOT_H */
