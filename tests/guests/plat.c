// SPDX-License-Identifier: MIT
/*
 * The rest of the virtual PC from a guest's side: the ACPI tables hv built
 * for this VM (RSDP found by the BIOS-area scan, every checksum, the MADT's
 * processors and I/O APIC, the FADT's hardware-reduced flag and sleep
 * register), the CMOS RTC's date, PCI configuration mechanism 1 with its one
 * host bridge, the i8042's status.  Then it leaves the way the first byte
 * fed to COM1 (vm=...,input=) says: 'p' ACPI power-off, 'd' isa-debug-exit,
 * 'r' the reset register at 0xCF9.
 */
#include "guest.h"

#define COM1		0x3f8

struct sdt {
	char sig[4];
	u32 len;
	u8 rev, sum;
	char oem[6], oem_table[8];
	u32 oem_rev, creator, creator_rev;
} __attribute__((packed));

static u8 sum(const void *p, u32 n)
{
	const u8 *b = p;
	u8 s = 0;

	while (n--)
		s += *b++;
	return s;
}

static const u8 *find_rsdp(void)
{
	for (u32 a = 0xe0000; a < 0x100000; a += 16)
		if (!memcmp((const void *)(uintptr_t)a, "RSD PTR ", 8))
			return (const u8 *)(uintptr_t)a;
	return NULL;
}

static const struct sdt *xsdt_find(const struct sdt *xsdt, const char *sig)
{
	u32 n = (xsdt->len - sizeof(*xsdt)) / 8;
	const u8 *ents = (const u8 *)(xsdt + 1);

	for (u32 i = 0; i < n; i++) {
		u64 a;

		memcpy(&a, ents + 8 * i, 8);
		if (a < (1ull << 32) && !memcmp((const void *)(uintptr_t)a, sig, 4))
			return (const struct sdt *)(uintptr_t)a;
	}
	return NULL;
}

static void test_acpi(u32 nvcpus)
{
	const u8 *rsdp = find_rsdp();
	const struct sdt *xsdt, *madt, *fadt;
	u64 xsdt_pa;
	u32 cpus = 0, ioapics = 0, ioapic_addr = 0, flags, sleep_port;
	const u8 *e, *end;

	CHECK(rsdp != NULL);
	if (!rsdp)
		return;
	CHECK_EQ(sum(rsdp, 20), 0);
	CHECK_EQ(rsdp[15], 2);				/* revision: ACPI 2.0+ */
	CHECK_EQ(sum(rsdp, 36), 0);
	memcpy(&xsdt_pa, rsdp + 24, 8);
	xsdt = (const struct sdt *)(uintptr_t)xsdt_pa;
	CHECK(!memcmp(xsdt->sig, "XSDT", 4));
	CHECK_EQ(sum(xsdt, xsdt->len), 0);
	madt = xsdt_find(xsdt, "APIC");
	fadt = xsdt_find(xsdt, "FACP");
	CHECK(madt && fadt);
	if (!madt || !fadt)
		return;
	CHECK_EQ(sum(madt, madt->len), 0);
	CHECK_EQ(sum(fadt, fadt->len), 0);
	for (e = (const u8 *)madt + 44, end = (const u8 *)madt + madt->len; e < end; e += e[1]) {
		if (e[0] == 0 && (e[4] & 1))		/* Processor Local APIC, enabled */
			cpus++;
		if (e[0] == 1) {			/* I/O APIC */
			ioapics++;
			memcpy(&ioapic_addr, e + 4, 4);
		}
		if (e[1] < 2)
			break;
	}
	CHECK_EQ(cpus, nvcpus);
	CHECK_EQ(ioapics, 1);
	CHECK_EQ(ioapic_addr, 0xfec00000u);
	memcpy(&flags, (const u8 *)fadt + 112, 4);
	CHECK(flags & (1u << 20));			/* HW_REDUCED_ACPI */
	memcpy(&sleep_port, (const u8 *)fadt + 244 + 4, 4);	/* SLEEP_CONTROL_REG address */
	CHECK_EQ(sleep_port, 0x600);
	gprintf("ACPI: RSDP at %#x, %u processors, I/O APIC at %#x, hardware-reduced, sleep "
		"control at port %#x\n", (u32)(uintptr_t)rsdp, cpus, ioapic_addr, sleep_port);
}

static u8 cmos(u8 reg)
{
	outb(0x70, reg);
	return inb(0x71);
}

static unsigned int bcd(u8 v)
{
	return (v >> 4) * 10u + (v & 15);
}

static void test_rtc(void)
{
	unsigned int year = bcd(cmos(0x32)) * 100 + bcd(cmos(9));
	unsigned int month = bcd(cmos(8)), day = bcd(cmos(7));

	CHECK_EQ(cmos(0x0a) & 0x80, 0);			/* no update in progress, ever */
	CHECK(year >= 2024 && year < 2100);
	CHECK(month >= 1 && month <= 12 && day >= 1 && day <= 31);
	gprintf("RTC: %04u-%02u-%02u (the host's date)\n", year, month, day);
}

static u32 pci_read(u32 bdf, u32 reg)
{
	u32 v;

	__asm__ __volatile__("outl %0, %w1" ::"a"(0x80000000u | bdf << 8 | reg), "Nd"(0xcf8));
	__asm__ __volatile__("inl %w1, %0" : "=a"(v) : "Nd"(0xcfc));
	return v;
}

static void test_pci_i8042(void)
{
	u32 id = pci_read(0, 0), none = pci_read(1 << 3, 0);

	CHECK_EQ(id, 0x12378086u);			/* 00:00.0, the host bridge */
	CHECK_EQ(none, 0xffffffffu);			/* 00:01.0: nothing */
	CHECK(inb(0x64) & 0x04);			/* i8042 system flag */
	gprintf("PCI: 00:00.0 is %04x:%04x, 00:01.0 is empty; i8042 status %#x\n", id & 0xffff,
		id >> 16, inb(0x64));
}

int guest_main(void)
{
	u32 nvcpus;
	u8 how;

	hcall_out(HC_INFO, 0, 0, 0, 0, NULL, NULL, NULL, &nvcpus);
	test_acpi(nvcpus);
	test_rtc();
	test_pci_i8042();
	while (!(inb(COM1 + 5) & 1))
		cpu_relax();
	how = inb(COM1);
	greport(guest_failures ? 1 : 0, guest_failures ? "checks failed" : "platform checks passed");
	gprintf("leaving by '%c'\n", how);
	if (how == 'p')
		outb(0x600, (5 << 2) | 0x20);		/* SLP_TYP = \_S5, SLP_EN */
	else if (how == 'd')
		outb(0xf4, 0x21);
	else if (how == 'r')
		outb(0xcf9, 0x06);
	gprintf("still running after the exit request\n");
	return 1;
}
