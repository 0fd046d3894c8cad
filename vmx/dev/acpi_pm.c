// SPDX-License-Identifier: MIT
/*
 * The sleep registers of a hardware-reduced ACPI platform (the FADT's
 * SLEEP_CONTROL_REG and SLEEP_STATUS_REG, one byte each at
 * PLAT_ACPI_SLEEP_CTL and PLAT_ACPI_SLEEP_STS).
 *
 * Writing SLP_EN with SLP_TYP = PLAT_ACPI_S5_TYP (the \_S5 value in the
 * DSDT) asks the VM to power off.  hv has no sleep states: SLP_EN with any
 * other SLP_TYP "sleeps" for no time at all, i.e. sets WAK_STS at once, so
 * that an OS that waits for WAK_STS after entering a sleep state resumes
 * instead of spinning.  The DSDT names only \_S5, so an OS that reads it
 * never asks for another.  The status register holds only WAK_STS, which
 * is cleared by writing 1 to it.  The control register reads back its
 * SLP_TYP field; SLP_EN is write-only and reads 0.
 */
#include "lib/spinlock.h"
#include "mm/heap.h"
#include "vmx/dev/platform.h"
#include "vmx/dev/vdev.h"

BUILD_BUG_ON(PLAT_ACPI_SLEEP_STS != PLAT_ACPI_SLEEP_CTL + 1);

/* ACPI (6.x): the Sleep Control and Sleep Status registers of hardware-reduced platforms. */
#define SLP_CTL_TYP_SHIFT	2
#define SLP_CTL_TYP_MASK	0x1c	/* SLP_TYPx, bits 4:2 */
#define SLP_CTL_EN		0x20	/* SLP_EN, write-only */
#define SLP_STS_WAK		0x80	/* WAK_STS, write 1 to clear */

/**
 * struct acpi_pm - the sleep registers of one VM.
 * @lock: serialises every access
 * @bus:  the VM's bus (power-off requests)
 * @ctl:  the control register's SLP_TYP field as last written
 * @sts:  the status register (WAK_STS)
 */
struct acpi_pm {
	spinlock_t lock;
	struct vdev_bus *bus;
	u8 ctl;
	u8 sts;
};

/* Return: true when the write asks for S5 (power off). */
static bool acpi_pm_write_ctl(struct acpi_pm *pm, u8 v)
{
	pm->ctl = v & SLP_CTL_TYP_MASK;
	if (!(v & SLP_CTL_EN))
		return false;
	if (pm->ctl >> SLP_CTL_TYP_SHIFT == PLAT_ACPI_S5_TYP)
		return true;
	pm->sts |= SLP_STS_WAK;		/* another sleep state: awake again at once */
	return false;
}

static u32 acpi_pm_read(void *dev, u16 offset, unsigned int size)
{
	struct acpi_pm *pm = dev;
	u32 val = 0;

	spin_lock(&pm->lock);
	for (unsigned int i = 0; i < size; i++)
		val |= (u32)(offset + i == 0 ? pm->ctl : pm->sts) << (8 * i);
	spin_unlock(&pm->lock);
	return val;
}

static void acpi_pm_write(void *dev, u16 offset, unsigned int size, u32 val)
{
	struct acpi_pm *pm = dev;
	const struct vdev_host *h = &pm->bus->host;
	bool off = false;

	spin_lock(&pm->lock);
	for (unsigned int i = 0; i < size; i++) {
		u8 b = (u8)(val >> (8 * i));

		if (offset + i == 0)
			off |= acpi_pm_write_ctl(pm, b);
		else
			pm->sts &= ~(b & SLP_STS_WAK);
	}
	spin_unlock(&pm->lock);
	/* Outside the lock: the VM may stop every vCPU before it returns. */
	if (off && h->request_poweroff)
		h->request_poweroff(h->owner);
}

static const struct vdev_pio_ops acpi_pm_ops = {
	.read = acpi_pm_read,
	.write = acpi_pm_write,
};

static int acpi_pm_create(struct vdev_bus *bus)
{
	int err;
	struct acpi_pm *pm = vdev_alloc(bus, "acpi_pm", sizeof(*pm), &err);

	if (!pm)
		return err;
	spin_lock_init(&pm->lock);
	pm->bus = bus;
	return vdev_pio_register(bus, PLAT_ACPI_SLEEP_CTL, 2, &acpi_pm_ops, pm);
}
VDEV_TYPE(acpi_pm, acpi_pm_create);
