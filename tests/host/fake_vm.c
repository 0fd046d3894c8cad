// SPDX-License-Identifier: MIT
/* A fake VM for device-model tests (tests/host/fake_vm.h). */
#include "tests/host/fake_vm.h"
#include "tests/host/harness.h"

#include <string.h>

static void fake_putc(void *owner, u8 c)
{
	((struct fake_vm *)owner)->putcs++;
}

static void fake_stop(void *owner, unsigned int code)
{
	struct fake_vm *vm = owner;

	vm->stops++;
	vm->stop_code = code;
}

static void fake_reset(void *owner, const char *why)
{
	struct fake_vm *vm = owner;

	vm->resets++;
	vm->reset_why = why;
}

static void fake_poweroff(void *owner)
{
	((struct fake_vm *)owner)->poweroffs++;
}

static u64 fake_time_ns(void *owner)
{
	return ((struct fake_vm *)owner)->ns;
}

static s64 fake_wallclock(void *owner)
{
	return ((struct fake_vm *)owner)->wall;
}

static void fake_irq(void *ctx, unsigned int gsi, bool level)
{
	struct fake_vm *vm = ctx;

	if (level && !vm->irq[gsi])
		vm->irq_edges[gsi]++;
	vm->irq[gsi] = level;
}

void fake_vm_init(struct fake_vm *vm, u64 mem_size, bool with_callbacks)
{
	struct vdev_host host = {
		.owner = vm, .name = "fake", .nvcpus = 2, .mem_size = mem_size,
	};

	memset(vm, 0, sizeof(*vm));
	if (with_callbacks) {
		host.console_putc = fake_putc;
		host.request_stop = fake_stop;
		host.request_reset = fake_reset;
		host.request_poweroff = fake_poweroff;
		host.time_ns = fake_time_ns;
		host.wallclock_sec = fake_wallclock;
	}
	vdev_bus_init(&vm->bus, &host);
	CHECK_EQ(vdev_bus_create_all(&vm->bus), 0);
	/* After the platform's types: the I/O APIC made itself the sink; the fake records lines. */
	vdev_irq_sink_register(&vm->bus, &(struct vdev_irq_sink){ .set = fake_irq, .ctx = vm });
}

void fake_vm_destroy(struct fake_vm *vm)
{
	vdev_bus_destroy(&vm->bus);
}

u32 fake_in(struct fake_vm *vm, u16 port, unsigned int size)
{
	u32 v = 0;

	if (!vdev_pio_read(&vm->bus, port, size, &v))
		test_fail(__FILE__, __LINE__, "in%u 0x%x: nobody claims it", size, port);
	return size == 4 ? v : v & ((1u << (8 * size)) - 1);
}

void fake_out(struct fake_vm *vm, u16 port, unsigned int size, u32 val)
{
	if (!vdev_pio_write(&vm->bus, port, size, val))
		test_fail(__FILE__, __LINE__, "out%u 0x%x: nobody claims it", size, port);
}

bool fake_claimed(struct fake_vm *vm, u16 port, unsigned int size)
{
	u32 v;

	return vdev_pio_read(&vm->bus, port, size, &v);
}
