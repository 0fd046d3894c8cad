// SPDX-License-Identifier: MIT
/*
 * The virtual I/O APIC (vmx/dev/vioapic.h): indirect registers, the
 * redirection table, edge and level pins with remote IRR, EOI, and its
 * place on the device bus.
 */
#include "vmx/dev/vioapic.h"

#include "lib/spinlock.h"
#include "mm/heap.h"
#include "lib/x86_apic.h"
#include "vmx/dev/platform.h"

BUILD_BUG_ON(PLAT_IOAPIC_PINS > 32 || PLAT_IOAPIC_PINS > VDEV_GSI_MAX);

/* The bits of an entry software writes; delivery status and remote IRR are read-only. */
#define RTE_WRITABLE	(IOAPIC_RTE_VECTOR | IOAPIC_RTE_DM_MASK | IOAPIC_RTE_LOGICAL |	\
			 IOAPIC_RTE_POLARITY_LOW | IOAPIC_RTE_LEVEL | IOAPIC_RTE_MASKED |	\
			 IOAPIC_RTE_DEST_MASK)

/**
 * struct vioapic - one I/O APIC.
 * @lock:    protects everything below
 * @deliver: the VM's APIC bus, and @ctx its argument
 * @regsel:  IOREGSEL
 * @id:      the ID register (bits 27:24)
 * @rte:     redirection entries
 * @level:   each pin's electrical level
 * @driven:  pins some device has set (the others are idle)
 */
struct vioapic {
	spinlock_t lock;
	vioapic_deliver_fn deliver;
	void *ctx;
	u32 regsel;
	u32 id;
	u64 rte[PLAT_IOAPIC_PINS];
	u32 level;
	u32 driven;
};

struct vioapic *vioapic_create(vioapic_deliver_fn deliver, void *ctx)
{
	struct vioapic *io = kzalloc(sizeof(*io));

	if (!io)
		return NULL;
	spin_lock_init(&io->lock);
	io->deliver = deliver;
	io->ctx = ctx;
	io->id = (u32)PLAT_IOAPIC_ID << IOAPIC_ID_SHIFT;
	for (unsigned int i = 0; i < PLAT_IOAPIC_PINS; i++)
		io->rte[i] = IOAPIC_RTE_MASKED;
	return io;
}

void vioapic_destroy(struct vioapic *io)
{
	kfree(io);
}

/* ---------------------------------------------------------------- pins */

static bool pin_asserted(const struct vioapic *io, unsigned int pin)
{
	bool high = (io->level >> pin) & 1;

	if (!((io->driven >> pin) & 1))
		return false;
	return high != !!(io->rte[pin] & IOAPIC_RTE_POLARITY_LOW);
}

/* Send pin @pin's message; a level entry taken by some local APIC waits for its EOI. */
static void deliver_locked(struct vioapic *io, unsigned int pin)
{
	u64 rte = io->rte[pin];
	u8 dm = (u8)((rte & IOAPIC_RTE_DM_MASK) >> IOAPIC_RTE_DM_SHIFT);
	/* Only fixed and lowest priority are EOIed; the other modes act as edges. */
	bool eoied = dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST;
	struct apic_msg m = {
		.dest = (u32)((rte & IOAPIC_RTE_DEST_MASK) >> IOAPIC_RTE_DEST_SHIFT),
		.src = APIC_SRC_IOAPIC,
		.vector = (u8)(rte & IOAPIC_RTE_VECTOR),
		.delivery = dm,
		.shorthand = APIC_SH_NONE,
		.logical = rte & IOAPIC_RTE_LOGICAL,
		.level = eoied && (rte & IOAPIC_RTE_LEVEL),
		.assert = true,
	};
	unsigned int taken;

	if (dm == APIC_DM_RESERVED || dm == APIC_DM_SIPI)
		return;		/* not an I/O APIC delivery mode */
	taken = io->deliver ? io->deliver(io->ctx, &m) : 0;
	if (m.level && taken)
		io->rte[pin] |= IOAPIC_RTE_REMOTE_IRR;
}

/* A level entry delivers whenever asserted, unmasked and not waiting for an EOI. */
static void service_level_locked(struct vioapic *io, unsigned int pin)
{
	u64 rte = io->rte[pin];

	if ((rte & IOAPIC_RTE_LEVEL) && !(rte & (IOAPIC_RTE_MASKED | IOAPIC_RTE_REMOTE_IRR)) &&
	    pin_asserted(io, pin))
		deliver_locked(io, pin);
}

void vioapic_set_irq(struct vioapic *io, unsigned int pin, bool level)
{
	unsigned long flags;
	bool was;

	if (pin >= PLAT_IOAPIC_PINS)
		return;
	flags = spin_lock_irqsave(&io->lock);
	was = pin_asserted(io, pin);
	io->driven |= 1u << pin;
	io->level = (io->level & ~(1u << pin)) | ((u32)level << pin);
	if (io->rte[pin] & IOAPIC_RTE_LEVEL)
		service_level_locked(io, pin);
	else if (!(io->rte[pin] & IOAPIC_RTE_MASKED) && !was && pin_asserted(io, pin))
		deliver_locked(io, pin);	/* the asserting edge; masked, it is lost */
	spin_unlock_irqrestore(&io->lock, flags);
}

void vioapic_eoi(struct vioapic *io, u8 vector)
{
	unsigned long flags = spin_lock_irqsave(&io->lock);

	for (unsigned int pin = 0; pin < PLAT_IOAPIC_PINS; pin++) {
		if ((io->rte[pin] & IOAPIC_RTE_VECTOR) != vector ||
		    !(io->rte[pin] & IOAPIC_RTE_REMOTE_IRR))
			continue;
		io->rte[pin] &= ~IOAPIC_RTE_REMOTE_IRR;
		service_level_locked(io, pin);	/* still asserted: again */
	}
	spin_unlock_irqrestore(&io->lock, flags);
}

/* ----------------------------------------------------------- registers */

static u32 reg_read_locked(const struct vioapic *io, u32 index)
{
	switch (index) {
	case IOAPIC_REG_ID:
		return io->id;
	case IOAPIC_REG_VERSION:
		return IOAPIC_VERSION_EOI | (PLAT_IOAPIC_PINS - 1) << IOAPIC_VERSION_MAXRTE_SHIFT;
	case IOAPIC_REG_ARB:
		return io->id;		/* the arbitration id follows the id */
	default:
		if (index >= IOAPIC_REG_RTE(0) && index < IOAPIC_REG_RTE(PLAT_IOAPIC_PINS)) {
			u64 rte = io->rte[(index - IOAPIC_REG_RTE(0)) / 2];

			return index & 1 ? (u32)(rte >> 32) : (u32)rte;
		}
		return 0;		/* no such register */
	}
}

static void reg_write_locked(struct vioapic *io, u32 index, u32 val)
{
	unsigned int pin;
	u64 rte;

	if (index == IOAPIC_REG_ID) {
		io->id = val & IOAPIC_ID_MASK;
		return;
	}
	if (index < IOAPIC_REG_RTE(0) || index >= IOAPIC_REG_RTE(PLAT_IOAPIC_PINS))
		return;			/* version, arbitration: read-only */
	pin = (index - IOAPIC_REG_RTE(0)) / 2;
	rte = io->rte[pin];
	if (index & 1)
		rte = (rte & 0xffffffffull) | ((u64)val << 32);
	else
		rte = (rte & ~0xffffffffull) | val;
	rte = (rte & RTE_WRITABLE) | (io->rte[pin] & IOAPIC_RTE_REMOTE_IRR);
	/*
	 * Remote IRR means nothing for an edge entry; clearing it on the switch
	 * lets software without the EOI register (version 0x11 habits) unstick
	 * an entry by going edge and back.
	 */
	if (!(rte & IOAPIC_RTE_LEVEL))
		rte &= ~IOAPIC_RTE_REMOTE_IRR;
	io->rte[pin] = rte;
	/* Unmasked (or made level) while the pin is asserted: deliver now. */
	service_level_locked(io, pin);
}

/* The 32-bit register at MMIO @reg (0x00, 0x10, 0x40), as a read sees it. */
static u32 mmio_reg_read_locked(const struct vioapic *io, u32 reg)
{
	switch (reg) {
	case IOAPIC_REGSEL:
		return io->regsel;
	case IOAPIC_WINDOW:
		return reg_read_locked(io, io->regsel);
	default:
		return 0;		/* EOI is write-only; the rest is empty */
	}
}

u64 vioapic_mmio_read(struct vioapic *io, u64 offset, unsigned int size)
{
	unsigned long flags;
	u32 val, shift = (u32)(offset & 3) * 8;

	if (offset >= PLAT_IOAPIC_SIZE || !size)
		return 0;
	flags = spin_lock_irqsave(&io->lock);
	val = mmio_reg_read_locked(io, (u32)(offset & ~3ull)) >> shift;
	spin_unlock_irqrestore(&io->lock, flags);
	return size >= 4 ? val : val & ((1u << (size * 8)) - 1);
}

void vioapic_mmio_write(struct vioapic *io, u64 offset, unsigned int size, u64 val)
{
	u32 reg = (u32)(offset & ~3ull), shift = (u32)(offset & 3) * 8, v32;
	unsigned long flags;

	if (offset >= PLAT_IOAPIC_SIZE || !size)
		return;
	flags = spin_lock_irqsave(&io->lock);
	if (size >= 4 && !shift) {
		v32 = (u32)val;
	} else {
		/* A narrower store merges into the register (reads have no side effects). */
		u32 mask = (size >= 4 ? ~0u : (1u << (size * 8)) - 1) << shift;

		v32 = (mmio_reg_read_locked(io, reg) & ~mask) | (((u32)val << shift) & mask);
	}
	switch (reg) {
	case IOAPIC_REGSEL:
		io->regsel = v32 & 0xff;
		break;
	case IOAPIC_WINDOW:
		reg_write_locked(io, io->regsel, v32);
		break;
	case IOAPIC_EOI:
		spin_unlock_irqrestore(&io->lock, flags);
		vioapic_eoi(io, (u8)v32);
		return;
	default:
		break;
	}
	spin_unlock_irqrestore(&io->lock, flags);
}

static u64 vioapic_mmio_op_read(void *dev, u64 offset, unsigned int size)
{
	return vioapic_mmio_read(dev, offset, size);
}

static void vioapic_mmio_op_write(void *dev, u64 offset, unsigned int size, u64 val)
{
	vioapic_mmio_write(dev, offset, size, val);
}

const struct vdev_mmio_ops vioapic_mmio_ops = {
	.read = vioapic_mmio_op_read,
	.write = vioapic_mmio_op_write,
};

/* ------------------------------------------------------------ the bus */

static void vioapic_sink_set(void *ctx, unsigned int gsi, bool level)
{
	vioapic_set_irq(ctx, gsi, level);
}

static void vioapic_sink_eoi(void *ctx, u8 vector)
{
	vioapic_eoi(ctx, vector);
}

static void vioapic_release(void *dev)
{
	vioapic_destroy(dev);
}

static int vioapic_bus_create(struct vdev_bus *bus)
{
	struct vioapic *io = vioapic_create(bus->host.apic_deliver, bus->host.owner);
	int err;

	if (!io)
		return -HV_ENOMEM;
	err = vdev_bus_add_device(bus, "ioapic", io, vioapic_release);
	if (err) {
		vioapic_destroy(io);
		return err;
	}
	err = vdev_mmio_register(bus, PLAT_IOAPIC_BASE, PLAT_IOAPIC_SIZE, &vioapic_mmio_ops, io);
	if (err)
		return err;	/* freed with the bus */
	/* Lines raised before the I/O APIC existed keep their level. */
	for (unsigned int gsi = 0; gsi < PLAT_IOAPIC_PINS; gsi++)
		if (vdev_irq_level(bus, gsi))
			vioapic_set_irq(io, gsi, true);
	vdev_irq_sink_register(bus, &(struct vdev_irq_sink){
		.set = vioapic_sink_set, .ctx = io, .eoi = vioapic_sink_eoi });
	return 0;
}
VDEV_TYPE(ioapic, vioapic_bus_create);
