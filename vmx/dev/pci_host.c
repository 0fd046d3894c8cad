// SPDX-License-Identifier: MIT
/*
 * PCI configuration mechanism 1 (ports 0xcf8-0xcff) with one device on the
 * bus: a host bridge at 00:00.0.  It identifies as Intel's 82441FX (the
 * 440FX host bridge, 8086:1237), class 0x060000, header type 0, no BARs,
 * no capabilities, no interrupt pin; its chipset registers from 0x40 up
 * read 0 and ignore writes.  Every other bus, device and function reads
 * all ones (no device: vendor 0xffff) and drops writes.
 *
 * Decoding follows the PCI specification: only a dword access at 0xcf8
 * reaches CONFIG_ADDRESS; byte and word accesses there are ordinary I/O.
 * Of those, the byte at 0xcf9 is the chipset's reset control register
 * (vmx/dev/reset_ctl.h), which this device therefore holds; the other
 * bytes of 0xcf8-0xcfb read all ones and drop writes.  Accesses to
 * 0xcfc-0xcff of any size at any offset reach the configuration dword that
 * CONFIG_ADDRESS selects, at that byte offset, when its enable bit is set.
 */
#include "lib/spinlock.h"
#include "mm/heap.h"
#include "vmx/dev/platform.h"
#include "vmx/dev/reset_ctl.h"
#include "vmx/dev/vdev.h"

BUILD_BUG_ON(PLAT_PCI_CONFIG_DATA != PLAT_PCI_CONFIG_ADDR + 4);
BUILD_BUG_ON(PLAT_RESET_PORT != PLAT_PCI_CONFIG_ADDR + 1);

/* CONFIG_ADDRESS: enable, bus 23:16, device 15:11, function 10:8, register 7:2. */
#define PCI_ADDR_ENABLE		0x80000000u
#define PCI_ADDR_WRITABLE	0x80fffffcu	/* reserved 30:24 and 1:0 read 0 */
#define PCI_ADDR_BDF(a)		(((a) >> 8) & 0xffffu)
#define PCI_ADDR_REG(a)		((a) & 0xfcu)

/* The host bridge. */
#define HB_BDF			0x0000		/* bus 0, device 0, function 0 */
#define HB_VENDOR		0x8086		/* Intel */
#define HB_DEVICE		0x1237		/* 82441FX PCI and memory controller */
#define HB_REVISION		0x02
#define HB_CLASS		0x060000	/* bridge, host bridge, no programming interface */
#define HB_COMMAND		0x0006		/* memory space and bus master: hardwired on */

/* Type 0 header offsets with a writable byte. */
#define PCI_CACHE_LINE_SIZE	0x0c
#define PCI_LATENCY_TIMER	0x0d
#define PCI_INTERRUPT_LINE	0x3c

/**
 * struct pci_host - the configuration ports of one VM.
 * @lock:       serialises every access, CONFIG_ADDRESS with the data access
 *              it selects (two vCPUs must not interleave their pairs, but
 *              that is the guest's business: Linux holds a lock across both)
 * @bus:        the VM's bus (reset requests)
 * @addr:       CONFIG_ADDRESS
 * @rst:        the reset control register at 0xcf9
 * @cache_line: the host bridge's cache line size register (plain storage)
 * @latency:    its latency timer register (plain storage)
 * @irq_line:   its interrupt line register (plain storage, for the OS)
 */
struct pci_host {
	spinlock_t lock;
	struct vdev_bus *bus;
	u32 addr;
	struct reset_ctl rst;
	u8 cache_line, latency, irq_line;
};

/* One dword of the host bridge's configuration space, @reg dword-aligned. */
static u32 hb_read_dword(const struct pci_host *p, unsigned int reg)
{
	switch (reg) {
	case 0x00:
		return (u32)HB_DEVICE << 16 | HB_VENDOR;
	case 0x04:
		return HB_COMMAND;		/* status 0: no capabilities, no errors */
	case 0x08:
		return (u32)HB_CLASS << 8 | HB_REVISION;
	case 0x0c:
		return (u32)p->latency << 8 | p->cache_line;	/* header type 0, no BIST */
	case 0x3c:
		return p->irq_line;		/* interrupt pin 0: none */
	default:
		return 0;			/* no BARs, no ROM, no capabilities */
	}
}

static void hb_write_byte(struct pci_host *p, unsigned int reg, u8 v)
{
	switch (reg) {
	case PCI_CACHE_LINE_SIZE:
		p->cache_line = v;
		break;
	case PCI_LATENCY_TIMER:
		p->latency = v;
		break;
	case PCI_INTERRUPT_LINE:
		p->irq_line = v;
		break;
	default:
		break;			/* read-only or not implemented */
	}
}

/* Is CONFIG_ADDRESS enabled and pointing at the host bridge? */
static bool pci_targets_host_bridge(const struct pci_host *p)
{
	return (p->addr & PCI_ADDR_ENABLE) && PCI_ADDR_BDF(p->addr) == HB_BDF;
}

/* A data-port access: @off 0-3 into 0xcfc, @off + @size <= 4 (the range ends at 0xcff). */
static u32 pci_data_read(const struct pci_host *p, unsigned int off, unsigned int size)
{
	u32 d;

	if (!pci_targets_host_bridge(p))
		return ~0u;		/* no device, or no configuration cycle at all */
	d = hb_read_dword(p, PCI_ADDR_REG(p->addr)) >> (8 * off);
	return size == 4 ? d : d & ((1u << (8 * size)) - 1);
}

static void pci_data_write(struct pci_host *p, unsigned int off, unsigned int size, u32 val)
{
	if (!pci_targets_host_bridge(p))
		return;
	for (unsigned int i = 0; i < size; i++)
		hb_write_byte(p, PCI_ADDR_REG(p->addr) + off + i, (u8)(val >> (8 * i)));
}

/* A byte of 0xcf8-0xcfb that is not part of a dword access: plain I/O. */
static u8 pci_io_byte_read(const struct pci_host *p, unsigned int off)
{
	if (off == PLAT_RESET_PORT - PLAT_PCI_CONFIG_ADDR)
		return reset_ctl_read(&p->rst);
	return 0xff;
}

static const char *pci_io_byte_write(struct pci_host *p, unsigned int off, u8 v)
{
	if (off == PLAT_RESET_PORT - PLAT_PCI_CONFIG_ADDR)
		return reset_ctl_write(&p->rst, v);
	return NULL;
}

static u32 pci_host_read(void *dev, u16 offset, unsigned int size)
{
	struct pci_host *p = dev;
	u32 val = 0;

	spin_lock(&p->lock);
	if (offset == 0 && size == 4) {
		val = p->addr;
	} else if (offset >= 4) {
		val = pci_data_read(p, offset - 4u, size);
	} else {
		/* Split as the ISA side would; a byte past 0xcfb is a data byte. */
		for (unsigned int i = 0; i < size; i++) {
			unsigned int o = offset + i;
			u32 b = o < 4 ? pci_io_byte_read(p, o) : pci_data_read(p, o - 4, 1);

			val |= b << (8 * i);
		}
	}
	spin_unlock(&p->lock);
	return val;
}

static void pci_host_write(void *dev, u16 offset, unsigned int size, u32 val)
{
	struct pci_host *p = dev;
	const struct vdev_host *h = &p->bus->host;
	const char *reset = NULL;

	spin_lock(&p->lock);
	if (offset == 0 && size == 4) {
		p->addr = val & PCI_ADDR_WRITABLE;
	} else if (offset >= 4) {
		pci_data_write(p, offset - 4u, size, val);
	} else {
		for (unsigned int i = 0; i < size; i++) {
			unsigned int o = offset + i;
			u8 b = (u8)(val >> (8 * i));
			const char *why = NULL;

			if (o >= 4)
				pci_data_write(p, o - 4, 1, b);
			else
				why = pci_io_byte_write(p, o, b);
			if (why)
				reset = why;
		}
	}
	spin_unlock(&p->lock);
	/* Outside the lock: the VM may stop every vCPU before it returns. */
	if (reset && h->request_reset)
		h->request_reset(h->owner, reset);
}

static const struct vdev_pio_ops pci_host_ops = {
	.read = pci_host_read,
	.write = pci_host_write,
};

static int pci_host_create(struct vdev_bus *bus)
{
	int err;
	struct pci_host *p = vdev_alloc(bus, "pci_host", sizeof(*p), &err);

	if (!p)
		return err;
	spin_lock_init(&p->lock);
	p->bus = bus;
	reset_ctl_init(&p->rst);
	return vdev_pio_register(bus, PLAT_PCI_CONFIG_ADDR, PLAT_PCI_CONFIG_LEN, &pci_host_ops, p);
}
VDEV_TYPE(pci_host, pci_host_create);
