// SPDX-License-Identifier: MIT
/*
 * vmx/dev/vdev.c: port and MMIO registration (sorted, overlaps and wraps
 * refused), dispatch with offsets and sizes (straddling accesses go to
 * nobody), self-registering device types, device release, interrupt lines
 * and EOI broadcasts.
 */
#include "vmx/dev/vdev.h"
#include "tests/host/harness.h"

#include <string.h>

struct fake {
	u32 last_off, last_size, last_val, reads, writes;
	bool released;
};

static u32 fake_read(void *dev, u16 off, unsigned int size)
{
	struct fake *f = dev;

	f->reads++;
	f->last_off = off;
	f->last_size = size;
	return 0x1000u + off;
}

static void fake_write(void *dev, u16 off, unsigned int size, u32 val)
{
	struct fake *f = dev;

	f->writes++;
	f->last_off = off;
	f->last_size = size;
	f->last_val = val;
}

static u64 fake_mmio_read(void *dev, u64 off, unsigned int size)
{
	return fake_read(dev, (u16)off, size);
}

static void fake_mmio_write(void *dev, u64 off, unsigned int size, u64 val)
{
	fake_write(dev, (u16)off, size, (u32)val);
}

static const struct vdev_pio_ops fake_pio = { fake_read, fake_write };
/* No write callback: registration refuses it (-HV_EINVAL). */
static const struct vdev_pio_ops read_only = { .read = fake_read };
static const struct vdev_mmio_ops fake_mmio = { fake_mmio_read, fake_mmio_write };

static struct fake typed;
static unsigned int type_creates;

/*
 * Every device type in vmx/dev/ is linked into this program too: the typed
 * test device takes ports no platform device uses, and the bus that
 * creates them all (typed_bus) holds none of the fakes above.
 */
#define TYPED_PORT	0x7770

static int typed_create(struct vdev_bus *bus)
{
	type_creates++;
	return vdev_pio_register(bus, TYPED_PORT, 2, &fake_pio, &typed);
}
VDEV_TYPE(test_typed, typed_create);

static void release(void *dev)
{
	((struct fake *)dev)->released = true;
}

static unsigned int sink_calls, sink_gsi, sink_eois;
static bool sink_level;
static u8 sink_vector;

static void sink_set(void *ctx, unsigned int gsi, bool level)
{
	sink_calls++;
	sink_gsi = gsi;
	sink_level = level;
}

static void sink_eoi(void *ctx __unused, u8 vector)
{
	sink_eois++;
	sink_vector = vector;
}

int main(int argc, char **argv)
{
	static struct vdev_bus bus, typed_bus;
	struct vdev_host host = { .name = "t" };
	struct fake a = { 0 }, b = { 0 };
	u32 v;
	u64 v64;

	test_init(argc, argv, 0);
	vdev_bus_init(&bus, &host);
	CHECK_EQ(vdev_pio_register(&bus, 0x2f8, 8, &fake_pio, &a), 0);
	CHECK_EQ(vdev_pio_register(&bus, 0x60, 1, &fake_pio, &b), 0);
	CHECK_EQ(vdev_pio_register(&bus, 0x64, 1, &fake_pio, &b), 0);
	CHECK_EQ(bus.pio[0].base, 0x60);		/* sorted */
	CHECK_EQ(bus.pio[2].base, 0x2f8);
	CHECK_EQ(vdev_pio_register(&bus, 0x2ff, 2, &fake_pio, &b), -HV_EBUSY);	/* overlap */
	CHECK_EQ(vdev_pio_register(&bus, 0x2f0, 9, &fake_pio, &b), -HV_EBUSY);	/* overlap */
	CHECK_EQ(vdev_pio_register(&bus, 0xffff, 2, &fake_pio, &b), -HV_EINVAL);	/* wraps */
	CHECK_EQ(vdev_pio_register(&bus, 0x100, 0, &fake_pio, &b), -HV_EINVAL);	/* empty */
	CHECK_EQ(vdev_pio_register(&bus, 0x2f0, 8, &fake_pio, &b), 0);	/* adjacent */

	CHECK(vdev_pio_read(&bus, 0x2fd, 1, &v));
	CHECK_EQ(v, 0x1005);
	CHECK_EQ(a.last_off, 5);
	CHECK(vdev_pio_write(&bus, 0x2f8, 2, 0xabcd));
	CHECK_EQ(a.last_val, 0xabcd);
	CHECK_EQ(a.last_size, 2);
	CHECK(!vdev_pio_read(&bus, 0x2fe, 4, &v));	/* straddles the end */
	CHECK(!vdev_pio_write(&bus, 0x61, 1, 0));	/* nobody */
	CHECK(!vdev_pio_read(&bus, 0x2ef, 2, &v));	/* straddles the start */
	CHECK(!vdev_pio_read(&bus, 0x2f7, 2, &v));	/* straddles two ranges */

	/* Across the direct table's end (VDEV_PIO_LEGACY), and far ports. */
	CHECK_EQ(vdev_pio_register(&bus, VDEV_PIO_LEGACY - 2, 4, &fake_pio, &b), 0);
	CHECK_EQ(vdev_pio_register(&bus, 0xcf8, 8, &fake_pio, &a), 0);
	CHECK(vdev_pio_read(&bus, VDEV_PIO_LEGACY - 1, 2, &v));	/* table, last byte past it */
	CHECK_EQ(b.last_off, 1);
	CHECK(vdev_pio_read(&bus, VDEV_PIO_LEGACY - 2, 4, &v));
	CHECK_EQ(b.last_off, 0);
	CHECK(vdev_pio_read(&bus, VDEV_PIO_LEGACY + 1, 1, &v));	/* far: search */
	CHECK_EQ(b.last_off, 3);
	CHECK(!vdev_pio_read(&bus, VDEV_PIO_LEGACY + 1, 2, &v));	/* straddles the end */
	CHECK(!vdev_pio_read(&bus, VDEV_PIO_LEGACY - 3, 2, &v));	/* straddles the start */
	CHECK(vdev_pio_write(&bus, 0xcfc, 4, 1));			/* far: search, then hint */
	CHECK_EQ(a.last_off, 4);
	CHECK(vdev_pio_write(&bus, 0xcfd, 1, 1));
	CHECK_EQ(a.last_off, 5);
	CHECK(!vdev_pio_write(&bus, 0xcf7, 2, 1));
	CHECK(vdev_pio_read(&bus, 0x2fa, 1, &v));	/* the table after the ranges moved */
	CHECK_EQ(a.last_off, 2);
	CHECK_EQ(v, 0x1002);

	/* Addresses no device model of vmx/dev claims: those register themselves below. */
	CHECK_EQ(vdev_mmio_register(&bus, 0xd0000000ull, 0x1000, &fake_mmio, &b), 0);
	CHECK_EQ(vdev_mmio_register(&bus, 0xd0100000ull, 0x1000, &fake_mmio, &a), 0);
	CHECK_EQ(vdev_mmio_register(&bus, 0xd0000800ull, 0x1000, &fake_mmio, &a), -HV_EBUSY);
	CHECK_EQ(vdev_mmio_register(&bus, ~0ull - 0xff, 0x1000, &fake_mmio, &a), -HV_EINVAL);
	CHECK(vdev_mmio_read(&bus, 0xd0100020ull, 4, &v64));
	CHECK_EQ(v64, 0x1020);
	CHECK(vdev_mmio_claimed(&bus, 0xd0000fffull));
	CHECK(!vdev_mmio_claimed(&bus, 0xd0001000ull));
	CHECK(!vdev_mmio_read(&bus, 0xd0000ffeull, 4, &v64));

	/* Device types from the vdev_types section: this file's one among them. */
	vdev_bus_init(&typed_bus, &host);
	CHECK_EQ(vdev_bus_create_all(&typed_bus), 0);
	CHECK_EQ(type_creates, 1);
	CHECK(vdev_pio_read(&typed_bus, TYPED_PORT + 1, 1, &v));
	CHECK(vdev_bus_find(&typed_bus, "com1") != NULL);	/* the platform's types too */
	CHECK_EQ(typed.reads, 1);
	vdev_bus_destroy(&typed_bus);

	CHECK(!vdev_irq_level(&bus, 4));
	vdev_irq_set(&bus, 4, true);
	CHECK(vdev_irq_level(&bus, 4));
	vdev_irq_sink_register(&bus, &(struct vdev_irq_sink){ .set = sink_set });
	vdev_irq_set(&bus, 4, false);
	CHECK(!vdev_irq_level(&bus, 4));
	CHECK_EQ(sink_calls, 1);
	CHECK_EQ(sink_gsi, 4);
	CHECK(!sink_level);
	vdev_irq_set(&bus, VDEV_GSI_MAX, true);		/* out of range: ignored */
	CHECK_EQ(sink_calls, 1);
	vdev_irq_eoi(&bus, 0x41);			/* a sink without eoi: dropped */
	vdev_irq_sink_register(&bus, &(struct vdev_irq_sink){ .set = sink_set, .eoi = sink_eoi });
	vdev_irq_eoi(&bus, 0x41);
	CHECK_EQ(sink_eois, 1);
	CHECK_EQ(sink_vector, 0x41);

	CHECK_EQ(vdev_bus_add_device(&bus, "a", &a, release), 0);
	CHECK_EQ(vdev_bus_add_device(&bus, "b", &b, release), 0);
	CHECK(vdev_bus_find(&bus, "b") == &b);
	CHECK(vdev_bus_find(&bus, "c") == NULL);
	vdev_bus_destroy(&bus);
	CHECK(a.released && b.released);
	CHECK_EQ(bus.npio, 0);
	CHECK(!vdev_pio_read(&bus, 0x2f8, 1, &v));

	/* lib/errno.h: each failure says which it is. */
	for (unsigned int i = 0; i < VDEV_DEVICES_MAX; i++)
		CHECK_EQ(vdev_bus_add_device(&bus, "n", &a, NULL), 0);
	CHECK_EQ(vdev_bus_add_device(&bus, "n", &a, NULL), -HV_ENOSPC);
	CHECK_EQ(vdev_pio_register(&bus, 0x300, 1, &read_only, &a), -HV_EINVAL);
	CHECK(!strcmp(hv_strerror(-HV_EBUSY), "already claimed"));
	CHECK(!strcmp(hv_strerror(-HV_ENOSPC), "table full"));
	/* Every value has its own words. */
	for (int i = 1; i < HV_ERRNO_END; i++) {
		CHECK(strcmp(hv_strerror(-i), "unknown error"));
		for (int j = 1; j < i; j++)
			CHECK(strcmp(hv_strerror(i), hv_strerror(j)));
	}
	CHECK(!strcmp(hv_strerror(-HV_ERRNO_END), "unknown error"));
	vdev_bus_destroy(&bus);
	return test_finish();
}
