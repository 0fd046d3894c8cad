/* SPDX-License-Identifier: MIT */
/*
 * The virtual PC every VM gets: one home for where each device sits and
 * which interrupt line it uses.  Device models, the ACPI tables that
 * describe them to the guest, and the loaders' memory maps all take their
 * numbers from here.  docs/platform.md explains the choices.
 */
#ifndef VMX_DEV_PLATFORM_H
#define VMX_DEV_PLATFORM_H

/* Local APIC (per vCPU, relocatable through IA32_APIC_BASE) and I/O APIC. */
#define PLAT_LAPIC_BASE		0xfee00000ull
#define PLAT_LAPIC_SIZE		0x1000ull
#define PLAT_IOAPIC_BASE	0xfec00000ull
#define PLAT_IOAPIC_SIZE	0x1000ull
#define PLAT_IOAPIC_ID		0		/* its APIC id; vCPUs use 0..n-1 too */
#define PLAT_IOAPIC_PINS	24		/* GSI 0..23 */
#define PLAT_IOAPIC_GSI_BASE	0		/* the only I/O APIC: pin n is GSI n */

/* 16550 UART: COM1. */
#define PLAT_COM1_BASE		0x3f8
#define PLAT_COM1_SIZE		8		/* ports 0x3f8-0x3ff */
#define PLAT_COM1_ISA_IRQ	4		/* what legacy drivers assume; the MADT maps it to the GSI */
#define PLAT_COM1_GSI		4

/* CMOS / RTC. */
#define PLAT_RTC_BASE		0x70		/* index 0x70, data 0x71 */
#define PLAT_RTC_ISA_IRQ	8
#define PLAT_RTC_GSI		8
#define PLAT_RTC_CENTURY	0x32		/* CMOS index of the century: the FADT's CENTURY */

/* i8042 keyboard controller: enough for Linux's reboot path. */
#define PLAT_I8042_DATA		0x60
#define PLAT_I8042_STATUS	0x64		/* command port on write: 0xfe pulses reset */
#define PLAT_I8042_KBD_GSI	1		/* output buffer full, keyboard channel */
#define PLAT_I8042_AUX_GSI	12		/* output buffer full, mouse channel */

/*
 * PCI configuration mechanism 1, and the reset control register.  0xcf9 is
 * a byte inside the dword CONFIG_ADDRESS: one device decodes 0xcf8-0xcff.
 */
#define PLAT_PCI_CONFIG_ADDR	0xcf8
#define PLAT_PCI_CONFIG_DATA	0xcfc
#define PLAT_PCI_CONFIG_LEN	8		/* 0xcf8-0xcff */
#define PLAT_RESET_PORT		0xcf9		/* also the FADT reset register */
#define PLAT_RESET_VALUE	0x06		/* full reset, as written by firmware */

/* ACPI hardware-reduced sleep registers (FADT SLEEP_CONTROL/STATUS_REG). */
#define PLAT_ACPI_SLEEP_CTL	0x600
#define PLAT_ACPI_SLEEP_STS	0x601
#define PLAT_ACPI_S5_TYP	5		/* \_S5 SLP_TYP: the value that powers off */

/* QEMU's isa-debug-exit convention: a write of N stops the VM, exit code (N << 1) | 1. */
#define PLAT_DEBUG_EXIT_PORT	0xf4
#define PLAT_DEBUG_EXIT_LEN	4		/* QEMU's iosize=4: 1-, 2- and 4-byte writes */

/* POST diagnostic port: writes ignored. */
#define PLAT_POST_PORT		0x80

/* ACPI tables: the RSDP where a legacy BIOS puts it; the rest right above. */
#define PLAT_ACPI_RSDP_GPA	0xe0000ull
#define PLAT_ACPI_AREA_GPA	0xe0000ull	/* RSDP first, then XSDT, RSDT, FADT, ... */
#define PLAT_ACPI_AREA_SIZE	0x10000ull	/* 0xe0000-0xeffff, reserved in the e820 map */

/*
 * Ports where a write can stop or reset the VM (isa-debug-exit, the reset
 * register, the i8042 command port, the ACPI sleep control register): what
 * test guests that sweep or fuzz ports must leave alone.
 */
static inline int plat_port_write_ends_vm(unsigned int port)
{
	return port == PLAT_RESET_PORT || port == PLAT_I8042_STATUS ||
	       port == PLAT_ACPI_SLEEP_CTL ||
	       (port >= PLAT_DEBUG_EXIT_PORT && port < PLAT_DEBUG_EXIT_PORT + PLAT_DEBUG_EXIT_LEN);
}

#endif /* VMX_DEV_PLATFORM_H */
