// SPDX-License-Identifier: MIT
/* The per-VM device bus: registration and dispatch (vmx/dev/vdev.h). */
#include "vmx/dev/vdev.h"

#include "lib/printk.h"
#include "lib/string.h"
#include "mm/heap.h"

/*
 * The section's bounds: linker.ld defines them; in a hosted program GNU ld
 * does for any section named like a C identifier.  Weak, so a program with
 * no device type at all links, with both NULL.
 */
extern const struct vdev_type __start_vdev_types[] __attribute__((weak));
extern const struct vdev_type __stop_vdev_types[] __attribute__((weak));

u32 vdev_pio_read_ones(void *dev, u16 offset, unsigned int size)
{
	return ~0u;
}

void vdev_pio_write_ignore(void *dev, u16 offset, unsigned int size, u32 val)
{
}

void vdev_bus_init(struct vdev_bus *bus, const struct vdev_host *host)
{
	memset(bus, 0, sizeof(*bus));
	bus->host = *host;
}

int vdev_bus_create_all(struct vdev_bus *bus)
{
	/*
	 * The two symbols bound one linker section, which is one array to
	 * the program, though not to C's object model.
	 */
	// cppcheck-suppress comparePointers
	for (const struct vdev_type *t = __start_vdev_types; t < __stop_vdev_types; t++) {
		int err = t->create(bus);

		if (err) {
			pr_err("vm %s: device %s could not be created (%s)\n", bus->host.name,
			       t->name, hv_strerror(err));
			return err;
		}
	}
	return 0;
}

/* Refill bus->pio_legacy from bus->pio (registration moves indices). */
static void vdev_pio_legacy_fill(struct vdev_bus *bus)
{
	memset(bus->pio_legacy, 0, sizeof(bus->pio_legacy));
	for (unsigned int i = 0; i < bus->npio; i++) {
		const struct vdev_pio_range *r = &bus->pio[i];

		for (u32 p = r->base; p < (u32)r->base + r->len && p < sizeof(bus->pio_legacy); p++)
			bus->pio_legacy[p] = (u8)(i + 1);
	}
}

void vdev_bus_destroy(struct vdev_bus *bus)
{
	while (bus->ndevices) {
		bus->ndevices--;
		if (bus->devices[bus->ndevices].release)
			bus->devices[bus->ndevices].release(bus->devices[bus->ndevices].dev);
	}
	bus->npio = bus->nmmio = 0;
	vdev_pio_legacy_fill(bus);
	bus->irq_sink = (struct vdev_irq_sink){ 0 };
}

int vdev_bus_add_device(struct vdev_bus *bus, const char *name, void *dev,
			void (*release)(void *dev))
{
	if (bus->ndevices == VDEV_DEVICES_MAX) {
		pr_err("vm %s: more than %u devices\n", bus->host.name, VDEV_DEVICES_MAX);
		return -HV_ENOSPC;
	}
	bus->devices[bus->ndevices].name = name;
	bus->devices[bus->ndevices].dev = dev;
	bus->devices[bus->ndevices].release = release;
	bus->ndevices++;
	return 0;
}

void *vdev_alloc(struct vdev_bus *bus, const char *name, size_t size, int *err)
{
	void *dev = kzalloc(size);

	if (!dev) {
		pr_err("vm %s: no memory for device %s\n", bus->host.name, name);
		*err = -HV_ENOMEM;
		return NULL;
	}
	*err = vdev_bus_add_device(bus, name, dev, kfree);
	if (*err) {
		kfree(dev);
		return NULL;
	}
	return dev;
}

void *vdev_bus_find(struct vdev_bus *bus, const char *name)
{
	for (unsigned int i = 0; i < bus->ndevices; i++)
		if (!strcmp(bus->devices[i].name, name))
			return bus->devices[i].dev;
	return NULL;
}

/*
 * Insert [base, base + len) into a table sorted by base, refusing overlaps.
 * One helper for both address spaces: the tables differ only in their
 * element type, so the caller passes accessors through two small wrappers.
 */
static int vdev_range_slot(u64 base, u64 len, u64 limit, unsigned int n, unsigned int max,
			   u64 (*base_of)(const void *tbl, unsigned int i),
			   u64 (*end_of)(const void *tbl, unsigned int i), const void *tbl,
			   const char *vm, const char *space)
{
	unsigned int i;

	if (!len || base > limit || len - 1 > limit - base) {
		pr_err("vm %s: %s range %#llx+%#llx is empty or wraps\n", vm, space,
		       base, len);
		return -HV_EINVAL;
	}
	if (n == max) {
		pr_err("vm %s: more than %u %s ranges\n", vm, max, space);
		return -HV_ENOSPC;
	}
	for (i = 0; i < n && base_of(tbl, i) < base; i++)
		;
	if ((i > 0 && end_of(tbl, i - 1) > base) || (i < n && base + len > base_of(tbl, i))) {
		pr_err("vm %s: %s range %#llx+%#llx overlaps a device's\n", vm, space,
		       base, len);
		return -HV_EBUSY;
	}
	return (int)i;
}

static u64 pio_base(const void *tbl, unsigned int i)
{
	return ((const struct vdev_pio_range *)tbl)[i].base;
}

static u64 pio_end(const void *tbl, unsigned int i)
{
	const struct vdev_pio_range *r = &((const struct vdev_pio_range *)tbl)[i];

	return (u64)r->base + r->len;
}

static u64 mmio_base(const void *tbl, unsigned int i)
{
	return ((const struct vdev_mmio_range *)tbl)[i].base;
}

static u64 mmio_end(const void *tbl, unsigned int i)
{
	const struct vdev_mmio_range *r = &((const struct vdev_mmio_range *)tbl)[i];

	return r->base + r->len;
}

int vdev_pio_register(struct vdev_bus *bus, u16 base, u16 len, const struct vdev_pio_ops *ops,
		      void *dev)
{
	int i;

	if (!ops->read || !ops->write) {
		pr_err("vm %s: port range %#x+%#x: a device needs read and write\n", bus->host.name,
		       base, len);
		return -HV_EINVAL;
	}
	i = vdev_range_slot(base, len, 0xffff, bus->npio, VDEV_PIO_MAX, pio_base, pio_end,
				bus->pio, bus->host.name, "port");

	if (i < 0)
		return i;
	memmove(&bus->pio[i + 1], &bus->pio[i], (bus->npio - (unsigned int)i) * sizeof(bus->pio[0]));
	bus->pio[i] = (struct vdev_pio_range){ base, len, ops, dev };
	bus->npio++;
	vdev_pio_legacy_fill(bus);
	return 0;
}

int vdev_mmio_register(struct vdev_bus *bus, u64 base, u64 len,
		       const struct vdev_mmio_ops *ops, void *dev)
{
	int i;

	if (!ops->read || !ops->write) {
		pr_err("vm %s: MMIO range %#llx+%#llx: a device needs read and write\n",
		       bus->host.name, base, len);
		return -HV_EINVAL;
	}
	i = vdev_range_slot(base, len, ~0ull, bus->nmmio, VDEV_MMIO_MAX, mmio_base,
				mmio_end, bus->mmio, bus->host.name, "MMIO");

	if (i < 0)
		return i;
	memmove(&bus->mmio[i + 1], &bus->mmio[i],
		(bus->nmmio - (unsigned int)i) * sizeof(bus->mmio[0]));
	bus->mmio[i] = (struct vdev_mmio_range){ base, len, ops, dev };
	bus->nmmio++;
	return 0;
}

static const struct vdev_mmio_range *mmio_find(const struct vdev_bus *bus, u64 gpa,
					       unsigned int size)
{
	for (unsigned int i = 0; i < bus->nmmio; i++) {
		const struct vdev_mmio_range *r = &bus->mmio[i];

		if (gpa >= r->base && gpa - r->base < r->len && size <= r->len - (gpa - r->base))
			return r;
	}
	return NULL;
}

const struct vdev_pio_range *vdev_pio_find_far(struct vdev_bus *bus, u16 port,
					       unsigned int size)
{
	unsigned int lo = 0, hi = bus->npio, h;
	const struct vdev_pio_range *r;

	/*
	 * A hint, shared by the VM's vCPUs without ordering: the ranges never
	 * change after the VM is built, so any index below npio names a valid
	 * range, which is checked before use.  READ_ONCE/WRITE_ONCE: tear-free.
	 */
	h = READ_ONCE(bus->pio_hint);
	if (h < hi) {
		r = &bus->pio[h];
		if (port >= r->base && (u32)port + size <= (u32)r->base + r->len)
			return r;
	}
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		r = &bus->pio[mid];
		if (port < r->base) {
			hi = mid;
		} else if ((u32)port >= (u32)r->base + r->len) {
			lo = mid + 1;
		} else {
			if ((u32)port + size > (u32)r->base + r->len)
				return NULL;
			WRITE_ONCE(bus->pio_hint, mid);
			return r;
		}
	}
	return NULL;
}

bool vdev_pio_read(struct vdev_bus *bus, u16 port, unsigned int size, u32 *val)
{
	const struct vdev_pio_range *r = vdev_pio_find(bus, port, size);

	if (!r)
		return false;
	*val = r->ops->read(r->dev, (u16)(port - r->base), size);
	return true;
}

bool vdev_pio_write(struct vdev_bus *bus, u16 port, unsigned int size, u32 val)
{
	const struct vdev_pio_range *r = vdev_pio_find(bus, port, size);

	if (!r)
		return false;
	r->ops->write(r->dev, (u16)(port - r->base), size, val);
	return true;
}

bool vdev_mmio_read(struct vdev_bus *bus, u64 gpa, unsigned int size, u64 *val)
{
	const struct vdev_mmio_range *r = mmio_find(bus, gpa, size);

	if (!r)
		return false;
	*val = r->ops->read(r->dev, gpa - r->base, size);
	return true;
}

bool vdev_mmio_write(struct vdev_bus *bus, u64 gpa, unsigned int size, u64 val)
{
	const struct vdev_mmio_range *r = mmio_find(bus, gpa, size);

	if (!r)
		return false;
	r->ops->write(r->dev, gpa - r->base, size, val);
	return true;
}

bool vdev_mmio_claimed(struct vdev_bus *bus, u64 gpa)
{
	return mmio_find(bus, gpa, 1) != NULL;
}

void vdev_irq_sink_register(struct vdev_bus *bus, const struct vdev_irq_sink *sink)
{
	bus->irq_sink = *sink;
}

void vdev_irq_set(struct vdev_bus *bus, unsigned int gsi, bool level)
{
	if (gsi >= VDEV_GSI_MAX)
		return;
	/*
	 * Statistics-grade bookkeeping for vdev_irq_level(): relaxed RMWs, so
	 * two devices on two vCPUs never lose each other's bit.  The sink
	 * orders what matters under its own lock.
	 */
	if (level)
		__atomic_fetch_or(&bus->irq_level, 1u << gsi, __ATOMIC_RELAXED);
	else
		__atomic_fetch_and(&bus->irq_level, ~(1u << gsi), __ATOMIC_RELAXED);
	if (bus->irq_sink.set)
		bus->irq_sink.set(bus->irq_sink.ctx, gsi, level);
}

void vdev_irq_eoi(struct vdev_bus *bus, u8 vector)
{
	if (bus->irq_sink.eoi)
		bus->irq_sink.eoi(bus->irq_sink.ctx, vector);
}

bool vdev_irq_level(const struct vdev_bus *bus, unsigned int gsi)
{
	return gsi < VDEV_GSI_MAX && (__atomic_load_n(&bus->irq_level, __ATOMIC_RELAXED) >> gsi & 1);
}
