/* SPDX-License-Identifier: MIT */
/*
 * The virtual I/O APIC at PLAT_IOAPIC_BASE: PLAT_IOAPIC_PINS inputs (GSI
 * 0..23), each turned into an interrupt message by its redirection entry
 * and handed to the VM's APIC bus (struct vdev_host.apic_deliver, i.e.
 * apic_route() over the vlapics).  Version 0x20: the indirect registers
 * through IOREGSEL/IOWIN plus the EOI register at 0x40.  It creates itself
 * for every VM (VDEV_TYPE), claims its MMIO page and becomes the bus's irq
 * sink, so vdev_irq_set() drives its pins and vdev_irq_eoi() carries the
 * local APICs' EOI broadcasts to it.  docs/platform.md, "Interrupt
 * controllers", says what is emulated and where a guest could tell.
 *
 * Pins.  vdev_irq_set()'s level is the pin's electrical level (true =
 * high); the entry's polarity says which level is "asserted".  A pin no
 * device has driven yet is idle whatever its polarity.  Edge-triggered
 * entries deliver on the asserting edge; one arriving while masked is
 * lost.  Level-triggered entries deliver while asserted and remote IRR is
 * clear; remote IRR is set when some local APIC took a fixed or
 * lowest-priority message and cleared by an EOI of its vector (a local
 * APIC broadcast or the EOI register), after which a pin still asserted
 * delivers again.  A level pin asserted while masked is delivered when
 * unmasked.
 *
 * Locking.  One IRQ-safe spinlock per I/O APIC over its registers and pin
 * state.  Messages are delivered with it held, so a level entry's remote
 * IRR and its delivery are one step: the order is vioapic lock -> vlapic
 * lock, and the apic_deliver callback must not call back into this I/O
 * APIC.  Any CPU may call any function here.
 */
#ifndef VMX_DEV_VIOAPIC_H
#define VMX_DEV_VIOAPIC_H

#include "vmx/dev/apic_msg.h"
#include "vmx/dev/vdev.h"

struct vioapic;

/* The router: @ctx's APIC bus; returns how many local APICs took @m. */
typedef unsigned int (*vioapic_deliver_fn)(void *ctx, const struct apic_msg *m);

/*
 * A fresh I/O APIC in its reset state (every entry masked), not on any bus.
 * The VDEV_TYPE does this for every VM; tests and other boards may too.
 * NULL when out of memory.
 */
struct vioapic *vioapic_create(vioapic_deliver_fn deliver, void *ctx);
void vioapic_destroy(struct vioapic *io);

/* Pin @pin's electrical level (out of range: ignored). */
void vioapic_set_irq(struct vioapic *io, unsigned int pin, bool level);

/* EOI of @vector: clear the remote IRR of the level entries with that vector. */
void vioapic_eoi(struct vioapic *io, u8 vector);

/*
 * MMIO, @offset within the page.  IOREGSEL (0x00), IOWIN (0x10) and EOI
 * (0x40) are 32-bit registers; narrower accesses read or merge the
 * addressed bytes, an 8-byte access is a 32-bit one, other offsets read 0.
 */
u64 vioapic_mmio_read(struct vioapic *io, u64 offset, unsigned int size);
void vioapic_mmio_write(struct vioapic *io, u64 offset, unsigned int size, u64 val);

extern const struct vdev_mmio_ops vioapic_mmio_ops;

#endif /* VMX_DEV_VIOAPIC_H */
