/* SPDX-License-Identifier: MIT */
/*
 * The device bus of one VM: the devices a guest sees claim port and MMIO
 * ranges here, and VM exits find them here, never through a switch in an
 * exit handler.  Portable C: device models are unit-tested in the hosted
 * build; the VT-x glue (vmx/exit_io.c, vmx/exit_ept.c) calls
 * vdev_pio_read()/vdev_pio_write() and vdev_mmio_read()/vdev_mmio_write().
 *
 * Device types register themselves with VDEV_TYPE(); vdev_bus_create_all()
 * runs every type's create() for a new VM, in link order.  A device's
 * state is per VM (per vCPU where the hardware is per CPU) and carries its
 * own lock: several vCPUs may reach the same device at once.  Ranges are
 * registered while the VM is built, before any vCPU runs, and never change
 * afterwards, so lookups take no lock.
 */
#ifndef VMX_DEV_VDEV_H
#define VMX_DEV_VDEV_H

#include "lib/atomic.h"
#include "lib/compiler.h"
#include "lib/errno.h"

#define VDEV_PIO_MAX	32
#define VDEV_MMIO_MAX	16
#define VDEV_DEVICES_MAX 32
#define VDEV_GSI_MAX	24
/*
 * Ports below this are found through a direct table (struct vdev_bus's
 * pio_legacy): the ISA range, where COM1, the RTC, the i8042, the POST
 * port and isa-debug-exit live and where most port exits go.
 */
#define VDEV_PIO_LEGACY	0x400

/*
 * Port I/O: @offset = port - base; @size 1, 2 or 4; unused upper bits are
 * ignored.  Both callbacks are required (registration refuses NULL).
 */
struct vdev_pio_ops {
	u32 (*read)(void *dev, u16 offset, unsigned int size);
	void (*write)(void *dev, u16 offset, unsigned int size, u32 val);
};

/* For devices with nothing to read or nothing to write: all ones / dropped. */
u32 vdev_pio_read_ones(void *dev, u16 offset, unsigned int size);
void vdev_pio_write_ignore(void *dev, u16 offset, unsigned int size, u32 val);

/* MMIO: @offset = gpa - base; @size 1, 2, 4 or 8.  Both callbacks are required. */
struct vdev_mmio_ops {
	u64 (*read)(void *dev, u64 offset, unsigned int size);
	void (*write)(void *dev, u64 offset, unsigned int size, u64 val);
};

/*
 * Where interrupt lines go: the VM's interrupt controller (the I/O APIC)
 * registers itself as the sink.  Without one, raised lines are remembered
 * (vdev_irq_level()) and go nowhere.  @eoi (may be NULL) takes the local
 * APICs' EOI broadcasts of level-triggered vectors (vdev_irq_eoi()).
 */
struct vdev_irq_sink {
	void (*set)(void *ctx, unsigned int gsi, bool level);
	void *ctx;
	void (*eoi)(void *ctx, u8 vector);
};

struct apic_msg;

/*
 * What a device may ask of the VM that owns it.  @owner is the VM (opaque
 * to devices); the callbacks may be NULL in hosted tests.
 */
struct vdev_host {
	void *owner;
	const char *name;			/* the VM's name, for messages */
	unsigned int nvcpus;
	u64 mem_size;				/* guest RAM bytes, from 0 */
	void (*console_putc)(void *owner, u8 c);	/* a byte the guest transmitted */
	/*
	 * COM1's receive backlog has room again after uart_rx_feed() took
	 * fewer bytes than offered: offer the rest now.  Called without the
	 * UART's lock, on the CPU of the vCPU that read the receiver.
	 */
	void (*console_rx_room)(void *owner);
	void (*request_stop)(void *owner, unsigned int code);	/* e.g. isa-debug-exit */
	void (*request_reset)(void *owner, const char *why);
	void (*request_poweroff)(void *owner);
	u64 (*time_ns)(void *owner);		/* monotonic, for timers */
	s64 (*wallclock_sec)(void *owner);	/* seconds since 1970 (UTC), for the RTC */
	/* The VM's APIC bus (apic_route() over its vlapics): how many local APICs took @m. */
	unsigned int (*apic_deliver)(void *owner, const struct apic_msg *m);
};

struct vdev_pio_range {
	u16 base, len;
	const struct vdev_pio_ops *ops;
	void *dev;
};

struct vdev_mmio_range {
	u64 base, len;
	const struct vdev_mmio_ops *ops;
	void *dev;
};

/**
 * struct vdev_bus - the devices of one VM.
 * @host:    the VM's services, copied at vdev_bus_init()
 * @pio:     port ranges, sorted by base, disjoint
 * @pio_legacy: for each port below VDEV_PIO_LEGACY (and the 3 after it, so
 *           that the last byte of any access from there has an entry): the
 *           index + 1 of the range in @pio that claims it, 0 for none
 * @mmio:    MMIO ranges, sorted by base, disjoint
 * @devices: device states to free when the VM goes (vdev_bus_destroy())
 * @irq_level: the level each GSI was last set to
 */
struct vdev_bus {
	struct vdev_host host;
	struct vdev_pio_range pio[VDEV_PIO_MAX];
	unsigned int npio;
	unsigned int pio_hint;		/* the range that answered last (vdev_pio_find()) */
	u8 pio_legacy[VDEV_PIO_LEGACY + 3];
	struct vdev_mmio_range mmio[VDEV_MMIO_MAX];
	unsigned int nmmio;
	struct {
		const char *name;
		void *dev;
		void (*release)(void *dev);
	} devices[VDEV_DEVICES_MAX];
	unsigned int ndevices;
	struct vdev_irq_sink irq_sink;
	u32 irq_level;
};
BUILD_BUG_ON(VDEV_GSI_MAX > 32);
BUILD_BUG_ON(VDEV_PIO_MAX > 255);	/* pio_legacy holds index + 1 in a u8 */

/*
 * A device type: create() builds one instance for the VM on @bus; 0, or the
 * negated HV_E* value (lib/errno.h) of the step that failed.
 */
struct vdev_type {
	const char *name;
	int (*create)(struct vdev_bus *bus);
};

#define VDEV_TYPE(ident, create_fn)						\
	static const struct vdev_type vdev_type_##ident				\
	__attribute__((used, section("vdev_types"), aligned(8))) = {		\
		.name = #ident, .create = (create_fn),				\
	}

void vdev_bus_init(struct vdev_bus *bus, const struct vdev_host *host);

/*
 * Create one instance of every registered device type.  0, or the error of
 * the first type that failed (reported with the type's name).
 */
int vdev_bus_create_all(struct vdev_bus *bus);

/* Free every device state (their release functions), leaving an empty bus. */
void vdev_bus_destroy(struct vdev_bus *bus);

/*
 * Remember @dev under @name, so vdev_bus_find() finds it and
 * vdev_bus_destroy() calls @release(@dev).  0, or -HV_ENOSPC (the device
 * table is full).
 */
int vdev_bus_add_device(struct vdev_bus *bus, const char *name, void *dev,
			void (*release)(void *dev));

/*
 * vdev_alloc() - a zeroed device state of @size bytes, added to @bus under
 * @name and freed with it.  NULL (after a message) when memory or the
 * device table runs out, with *@err set to -HV_ENOMEM or -HV_ENOSPC.
 */
void *vdev_alloc(struct vdev_bus *bus, const char *name, size_t size, int *err);

/* The device added under @name, or NULL. */
void *vdev_bus_find(struct vdev_bus *bus, const char *name);

/*
 * vdev_pio_register(), vdev_mmio_register() - claim ports, or MMIO
 * addresses, [@base, @base + @len) for @dev.
 * Return: 0; -HV_EINVAL when the range is empty or wraps or @ops lacks a
 * callback, -HV_EBUSY when it overlaps a claimed range, -HV_ENOSPC when
 * the table is full (a message names the clash).
 */
int vdev_pio_register(struct vdev_bus *bus, u16 base, u16 len, const struct vdev_pio_ops *ops,
		      void *dev);
int vdev_mmio_register(struct vdev_bus *bus, u64 base, u64 len,
		       const struct vdev_mmio_ops *ops, void *dev);

/*
 * Dispatch one access.  Return false when no device claims it (the caller
 * applies the VM's policy for unclaimed ports, or stops the VM on MMIO).
 * An access that straddles the end of a range goes to nobody.
 */
bool vdev_pio_read(struct vdev_bus *bus, u16 port, unsigned int size, u32 *val);

/*
 * The range that claims all of [@port, @port + @size), or NULL, for a port
 * below VDEV_PIO_LEGACY: the direct table, where the first and the last
 * byte of the access must name the same range (ranges are contiguous and
 * disjoint, so then every byte between does too).  Inline: most port exits
 * come here, the exit fast path's included.
 */
static __always_inline const struct vdev_pio_range *
vdev_pio_find_legacy(const struct vdev_bus *bus, unsigned int port, unsigned int size)
{
	size_t i = bus->pio_legacy[port];	/* size_t: the - 1 folds into the address */

	if (!i || bus->pio_legacy[port + size - 1] != i)
		return NULL;
	return &bus->pio[i - 1];
}

/*
 * The same for a port at or above VDEV_PIO_LEGACY: the range that answered
 * last, else a binary search of the sorted, disjoint ranges.  Out of line,
 * so that its registers cost the fast path's legacy ports nothing.
 */
const struct vdev_pio_range *vdev_pio_find_far(struct vdev_bus *bus, u16 port,
					       unsigned int size);

/* The range that claims all of [@port, @port + @size), or NULL. */
static inline const struct vdev_pio_range *vdev_pio_find(struct vdev_bus *bus, u16 port,
							 unsigned int size)
{
	if (port < VDEV_PIO_LEGACY)
		return vdev_pio_find_legacy(bus, port, size);
	return vdev_pio_find_far(bus, port, size);
}

bool vdev_pio_write(struct vdev_bus *bus, u16 port, unsigned int size, u32 val);
bool vdev_mmio_read(struct vdev_bus *bus, u64 gpa, unsigned int size, u64 *val);
bool vdev_mmio_write(struct vdev_bus *bus, u64 gpa, unsigned int size, u64 val);

/* True when some device claims the byte at @gpa (the EPT fault path asks). */
bool vdev_mmio_claimed(struct vdev_bus *bus, u64 gpa);

/* Interrupt lines. */
void vdev_irq_sink_register(struct vdev_bus *bus, const struct vdev_irq_sink *sink);
void vdev_irq_set(struct vdev_bus *bus, unsigned int gsi, bool level);
/* A local APIC's EOI of a level-triggered @vector, for the sink (its remote IRR). */
void vdev_irq_eoi(struct vdev_bus *bus, u8 vector);
bool vdev_irq_level(const struct vdev_bus *bus, unsigned int gsi);

#endif /* VMX_DEV_VDEV_H */
