// SPDX-License-Identifier: MIT
/* Routing one ISA interrupt through the host's I/O APIC (arch/x86/ioapic.h). */
#include "arch/x86/ioapic.h"

#include "arch/x86/acpi.h"
#include "arch/x86/paging.h"
#include "lib/printk.h"
/* The I/O APIC's registers, one home for host and guest (the model's header). */
#include "lib/x86_apic.h"

/* MPS INTI flags of an interrupt source override. */
#define INTI_POLARITY(f)	((f) & 3u)		/* 0 bus default, 1 high, 3 low */
#define INTI_TRIGGER(f)		(((f) >> 2) & 3u)	/* 0 bus default, 1 edge, 3 level */

static u32 ioapic_read(volatile u32 *mmio, u32 reg)
{
	mmio[IOAPIC_REGSEL / 4] = reg;
	return mmio[IOAPIC_WINDOW / 4];
}

static void ioapic_write(volatile u32 *mmio, u32 reg, u32 val)
{
	mmio[IOAPIC_REGSEL / 4] = reg;
	mmio[IOAPIC_WINDOW / 4] = val;
}

int ioapic_route_isa(unsigned int irq, u8 vector, u32 apic_id)
{
	const struct madt_info *madt = acpi_madt();
	u32 gsi = irq, lo;
	u16 flags = 0;
	unsigned int i;

	if (!madt || !madt->nioapics || apic_id > 255) {
		pr_warn("ioapic: no I/O APIC to route IRQ %u to APIC id %u\n", irq, apic_id);
		return -1;
	}
	for (i = 0; i < madt->noverrides; i++) {
		if (madt->overrides[i].bus == 0 && madt->overrides[i].source == irq) {
			gsi = madt->overrides[i].gsi;
			flags = madt->overrides[i].flags;
		}
	}
	for (i = 0; i < madt->nioapics; i++) {
		const struct madt_ioapic *io = &madt->ioapics[i];
		volatile u32 *mmio;
		u32 pins;

		if (gsi < io->gsi_base)
			continue;
		mmio = paging_map_mmio(io->addr, PAGE_SIZE);
		if (!mmio)
			return -1;
		pins = ((ioapic_read(mmio, IOAPIC_REG_VERSION) >> IOAPIC_VERSION_MAXRTE_SHIFT) & 0xff) + 1;
		if (gsi - io->gsi_base >= pins)
			continue;
		/* ISA's default: edge, active high. */
		lo = (u32)vector | (INTI_TRIGGER(flags) == 3 ? IOAPIC_RTE_LEVEL : 0) |
		     (INTI_POLARITY(flags) == 3 ? IOAPIC_RTE_POLARITY_LOW : 0);
		/* Destination first, then the low half that unmasks the pin. */
		ioapic_write(mmio, IOAPIC_REG_RTE(gsi - io->gsi_base) + 1, apic_id << IOAPIC_ID_SHIFT);
		ioapic_write(mmio, IOAPIC_REG_RTE(gsi - io->gsi_base), lo);
		pr_info("ioapic: IRQ %u (GSI %u, %s, active %s) to vector %#x on APIC id %u\n", irq,
			gsi, lo & IOAPIC_RTE_LEVEL ? "level" : "edge", lo & IOAPIC_RTE_POLARITY_LOW ? "low" : "high",
			vector, apic_id);
		return 0;
	}
	pr_warn("ioapic: no I/O APIC serves GSI %u (IRQ %u)\n", gsi, irq);
	return -1;
}
