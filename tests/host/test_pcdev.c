// SPDX-License-Identifier: MIT
/*
 * The rest of the PC on a fake VM: PCI configuration mechanism 1
 * (vmx/dev/pci_host.c: CONFIG_ADDRESS and its enable bit, register
 * offsets, sub-dword data accesses at every offset, the host bridge's
 * header, unclaimed functions reading all ones, byte accesses to 0xcf8
 * that are not configuration accesses, Linux's conf1 probe), the reset
 * control register inside that range (vmx/dev/reset_ctl.c), isa-debug-exit
 * (vmx/dev/debug_exit.c), the POST port (vmx/dev/post_port.c) and the ACPI
 * sleep registers (vmx/dev/acpi_pm.c); NULL host callbacks.
 */
#include "tests/host/fake_vm.h"
#include "tests/host/harness.h"
#include "vmx/dev/platform.h"

#include <string.h>

#define ADDR	PLAT_PCI_CONFIG_ADDR
#define DATA	PLAT_PCI_CONFIG_DATA

/* CONFIG_ADDRESS for bus/device/function/register, enable bit set. */
static u32 cfg(unsigned int bus, unsigned int dev, unsigned int fn, unsigned int reg)
{
	return 0x80000000u | bus << 16 | dev << 11 | fn << 8 | reg;
}

static u32 cfg_read(struct fake_vm *vm, u32 addr, unsigned int size)
{
	fake_out(vm, ADDR, 4, addr & ~3u);
	return fake_in(vm, (u16)(DATA + (addr & 3)), size);
}

static void cfg_write(struct fake_vm *vm, u32 addr, unsigned int size, u32 val)
{
	fake_out(vm, ADDR, 4, addr & ~3u);
	fake_out(vm, (u16)(DATA + (addr & 3)), size, val);
}

static void test_pci(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(64), true);

	/* CONFIG_ADDRESS: dword only; reserved bits 30:24 and 1:0 read 0. */
	CHECK_EQ(fake_in(&vm, ADDR, 4), 0);
	fake_out(&vm, ADDR, 4, 0xffffffff);
	CHECK_EQ(fake_in(&vm, ADDR, 4), 0x80fffffc);
	fake_out(&vm, ADDR, 4, 0x80000000);
	fake_out(&vm, ADDR, 1, 0x12);		/* not a configuration access */
	fake_out(&vm, ADDR + 2, 2, 0x3456);
	CHECK_EQ(fake_in(&vm, ADDR, 4), 0x80000000);
	CHECK_EQ(fake_in(&vm, ADDR, 1), 0xff);
	CHECK_EQ(fake_in(&vm, ADDR + 2, 2), 0xffff);
	CHECK_EQ(fake_in(&vm, ADDR + 3, 1), 0xff);

	/* Linux's pci_check_type1(). */
	fake_out(&vm, ADDR + 3, 1, 0x01);
	fake_out(&vm, ADDR, 4, 0);
	fake_out(&vm, ADDR, 4, 0x80000000);
	CHECK_EQ(fake_in(&vm, ADDR, 4), 0x80000000);
	/* ... and its sanity check: a host bridge (class device 0x0600) or Intel. */
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x0a), 2), 0x0600);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x00), 2), 0x8086);

	/* The enable bit: without it the data port is plain I/O. */
	fake_out(&vm, ADDR, 4, 0x00000000);
	CHECK_EQ(fake_in(&vm, DATA, 4), 0xffffffff);
	CHECK_EQ(fake_in(&vm, DATA + 1, 1), 0xff);

	/* The host bridge's header, dword by dword. */
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x00), 4), 0x12378086);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x04), 4), 0x00000006);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x08), 4), 0x06000002);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x0c), 4), 0x00000000);	/* header type 0 */
	for (unsigned int reg = 0x10; reg < 0x100; reg += 4)
		if (reg != 0x3c)
			CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, reg), 4), 0);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x3c), 4), 0);		/* no interrupt pin */

	/* Sub-dword reads at every offset of the data port. */
	fake_out(&vm, ADDR, 4, cfg(0, 0, 0, 0));
	CHECK_EQ(fake_in(&vm, DATA, 1), 0x86);
	CHECK_EQ(fake_in(&vm, DATA + 1, 1), 0x80);
	CHECK_EQ(fake_in(&vm, DATA + 2, 1), 0x37);
	CHECK_EQ(fake_in(&vm, DATA + 3, 1), 0x12);
	CHECK_EQ(fake_in(&vm, DATA, 2), 0x8086);
	CHECK_EQ(fake_in(&vm, DATA + 1, 2), 0x3780);
	CHECK_EQ(fake_in(&vm, DATA + 2, 2), 0x1237);
	CHECK(!fake_claimed(&vm, DATA + 3, 2));	/* would cross 0xcff */
	CHECK(!fake_claimed(&vm, DATA + 1, 4));
	/* A dword read at 0xcf8 + 2 is two plain bytes and two data bytes. */
	CHECK_EQ(fake_in(&vm, ADDR + 2, 4), 0x8086ffff);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x0b), 1), 0x06);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x09), 2), 0x0000);

	/* Writable bytes: cache line size, latency timer, interrupt line. */
	cfg_write(&vm, cfg(0, 0, 0, 0x0c), 1, 0x10);
	cfg_write(&vm, cfg(0, 0, 0, 0x0d), 1, 0x40);
	cfg_write(&vm, cfg(0, 0, 0, 0x0e), 1, 0x80);	/* header type: read-only */
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x0c), 4), 0x00004010);
	cfg_write(&vm, cfg(0, 0, 0, 0x0c), 4, 0xffffffff);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x0c), 4), 0x0000ffff);
	cfg_write(&vm, cfg(0, 0, 0, 0x3c), 2, 0x010b);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x3c), 4), 0x0000000b);
	/* Read-only: IDs, command/status, class, BARs (sizing finds none). */
	cfg_write(&vm, cfg(0, 0, 0, 0x00), 4, 0);
	cfg_write(&vm, cfg(0, 0, 0, 0x04), 2, 0x0000);
	cfg_write(&vm, cfg(0, 0, 0, 0x06), 2, 0xffff);	/* RW1C status: nothing set */
	cfg_write(&vm, cfg(0, 0, 0, 0x10), 4, 0xffffffff);
	cfg_write(&vm, cfg(0, 0, 0, 0x08), 4, 0);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x00), 4), 0x12378086);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x04), 4), 0x00000006);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x10), 4), 0);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x08), 4), 0x06000002);

	/* Every other bus, device and function: no device. */
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 1, 0), 4), 0xffffffff);
	CHECK_EQ(cfg_read(&vm, cfg(0, 1, 0, 0), 4), 0xffffffff);
	CHECK_EQ(cfg_read(&vm, cfg(0, 31, 7, 0), 2), 0xffff);
	CHECK_EQ(cfg_read(&vm, cfg(1, 0, 0, 0), 4), 0xffffffff);
	CHECK_EQ(cfg_read(&vm, cfg(255, 0, 0, 0x0c), 1), 0xff);
	cfg_write(&vm, cfg(0, 1, 0, 0x0c), 4, 0x12345678);	/* dropped */
	cfg_write(&vm, cfg(1, 0, 0, 0x3c), 1, 0x05);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x0c), 4), 0x0000ffff);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x3c), 4), 0x0000000b);
	/* The register number selects the dword; the data port's offset the byte. */
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0x40), 4), 0);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0xfc), 4), 0);
	CHECK_EQ(vm.resets, 0);
	fake_vm_destroy(&vm);
}

static void test_reset_ctl(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(64), true);
	CHECK_EQ(fake_in(&vm, PLAT_RESET_PORT, 1), 0);

	/* Linux: 0x02, then 0x06 (the edge of bit 2 with bit 1 set). */
	fake_out(&vm, PLAT_RESET_PORT, 1, 0x02);
	CHECK_EQ(vm.resets, 0);
	CHECK_EQ(fake_in(&vm, PLAT_RESET_PORT, 1), 0x02);
	fake_out(&vm, PLAT_RESET_PORT, 1, 0x06);
	CHECK_EQ(vm.resets, 1);
	CHECK(!strcmp(vm.reset_why, "0xcf9 hard reset"));
	CHECK_EQ(fake_in(&vm, PLAT_RESET_PORT, 1), 0x02);	/* bit 2 consumed */

	/* The FADT's reset register: PLAT_RESET_VALUE alone, twice. */
	fake_out(&vm, PLAT_RESET_PORT, 1, 0);
	fake_out(&vm, PLAT_RESET_PORT, 1, PLAT_RESET_VALUE);
	fake_out(&vm, PLAT_RESET_PORT, 1, PLAT_RESET_VALUE);
	CHECK_EQ(vm.resets, 3);
	/* Soft reset (bit 1 clear), full reset (bit 3) stored. */
	fake_out(&vm, PLAT_RESET_PORT, 1, 0x04);
	CHECK_EQ(vm.resets, 4);
	CHECK(!strcmp(vm.reset_why, "0xcf9 soft reset"));
	fake_out(&vm, PLAT_RESET_PORT, 1, 0x0e);
	CHECK_EQ(vm.resets, 5);
	CHECK_EQ(fake_in(&vm, PLAT_RESET_PORT, 1), 0x0a);
	fake_out(&vm, PLAT_RESET_PORT, 1, 0x0a);	/* no edge */
	CHECK_EQ(vm.resets, 5);

	/* A dword at 0xcf8 is CONFIG_ADDRESS, never the reset register. */
	fake_out(&vm, ADDR, 4, 0x00000600);
	CHECK_EQ(vm.resets, 5);
	CHECK_EQ(fake_in(&vm, PLAT_RESET_PORT, 1), 0x0a);
	/* A word at 0xcf8 is two plain bytes: 0xcf9 among them. */
	fake_out(&vm, PLAT_RESET_PORT, 1, 0x00);
	fake_out(&vm, ADDR, 2, 0x0600);
	CHECK_EQ(vm.resets, 6);
	CHECK_EQ(fake_in(&vm, ADDR, 2), 0x02ff);
	fake_vm_destroy(&vm);
}

static void test_debug_exit(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(64), true);
	fake_out(&vm, PLAT_DEBUG_EXIT_PORT, 1, 0);
	CHECK_EQ(vm.stops, 1);
	CHECK_EQ(vm.stop_code, 1);
	fake_out(&vm, PLAT_DEBUG_EXIT_PORT, 1, 0x10);
	CHECK_EQ(vm.stop_code, 0x21);
	fake_out(&vm, PLAT_DEBUG_EXIT_PORT, 1, 0x1ff);	/* only the access's byte */
	CHECK_EQ(vm.stop_code, 0x1ff);
	fake_out(&vm, PLAT_DEBUG_EXIT_PORT, 2, 0x1234);
	CHECK_EQ(vm.stop_code, 0x2469);
	fake_out(&vm, PLAT_DEBUG_EXIT_PORT, 2, 0xabcd1234);
	CHECK_EQ(vm.stop_code, 0x2469);
	fake_out(&vm, PLAT_DEBUG_EXIT_PORT, 4, 0x12345678);
	CHECK_EQ(vm.stop_code, 0x2468acf1);
	fake_out(&vm, PLAT_DEBUG_EXIT_PORT, 4, 0x80000001);	/* 32-bit, as QEMU */
	CHECK_EQ(vm.stop_code, 3);
	CHECK_EQ(vm.stops, 7);
	CHECK_EQ(fake_in(&vm, PLAT_DEBUG_EXIT_PORT, 1), 0xff);
	CHECK_EQ(fake_in(&vm, PLAT_DEBUG_EXIT_PORT, 4), 0xffffffff);
	CHECK_EQ(vm.stops, 7);
	fake_vm_destroy(&vm);
}

static void test_post_port(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(64), true);
	fake_out(&vm, PLAT_POST_PORT, 1, 0x55);
	CHECK_EQ(fake_in(&vm, PLAT_POST_PORT, 1), 0xff);
	CHECK(!fake_claimed(&vm, PLAT_POST_PORT, 2));
	CHECK_EQ(vm.stops + vm.resets + vm.poweroffs, 0);
	fake_vm_destroy(&vm);
}

static void test_acpi_pm(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, MiB(64), true);
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_STS, 1), 0);

	/* SLP_TYP without SLP_EN is only stored. */
	fake_out(&vm, PLAT_ACPI_SLEEP_CTL, 1, PLAT_ACPI_S5_TYP << 2);
	CHECK_EQ(vm.poweroffs, 0);
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_CTL, 1), PLAT_ACPI_S5_TYP << 2);

	/* Another sleep state: awake again at once, WAK_STS set, write 1 to clear. */
	fake_out(&vm, PLAT_ACPI_SLEEP_CTL, 1, 0x20 | 3 << 2);
	CHECK_EQ(vm.poweroffs, 0);
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_CTL, 1), 3 << 2);	/* SLP_EN reads 0 */
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_STS, 1), 0x80);
	fake_out(&vm, PLAT_ACPI_SLEEP_STS, 1, 0x7f);
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_STS, 1), 0x80);
	fake_out(&vm, PLAT_ACPI_SLEEP_STS, 1, 0x80);
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_STS, 1), 0);

	/* Linux's acpi_power_off: 0x80 to status, then 0x34 to control. */
	fake_out(&vm, PLAT_ACPI_SLEEP_STS, 1, 0x80);
	fake_out(&vm, PLAT_ACPI_SLEEP_CTL, 1, 0x20 | PLAT_ACPI_S5_TYP << 2);
	CHECK_EQ(vm.poweroffs, 1);
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_STS, 1), 0);

	/* A word covers both registers, control first. */
	fake_out(&vm, PLAT_ACPI_SLEEP_CTL, 1, 0x20 | 1 << 2);
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_CTL, 2), 0x8000 | 1 << 2);
	fake_out(&vm, PLAT_ACPI_SLEEP_CTL, 2, 0x8034);
	CHECK_EQ(vm.poweroffs, 2);
	CHECK_EQ(fake_in(&vm, PLAT_ACPI_SLEEP_STS, 1), 0);
	CHECK_EQ(vm.resets + vm.stops, 0);
	fake_vm_destroy(&vm);
}

/* No host callbacks at all: every request path must cope. */
static void test_no_callbacks(void)
{
	static struct fake_vm vm;

	fake_vm_init(&vm, 0, false);
	fake_out(&vm, PLAT_RESET_PORT, 1, 0x06);
	fake_out(&vm, PLAT_DEBUG_EXIT_PORT, 4, 1);
	fake_out(&vm, PLAT_ACPI_SLEEP_CTL, 1, 0x34);
	fake_out(&vm, PLAT_POST_PORT, 1, 0);
	CHECK_EQ(cfg_read(&vm, cfg(0, 0, 0, 0), 4), 0x12378086);
	fake_vm_destroy(&vm);
}

int main(int argc, char **argv)
{
	test_init(argc, argv, 0);
	test_pci();
	test_reset_ctl();
	test_debug_exit();
	test_post_port();
	test_acpi_pm();
	test_no_callbacks();
	return test_finish();
}
