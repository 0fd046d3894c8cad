/* SPDX-License-Identifier: MIT */
/*
 * A fake VM for device-model tests: a struct vdev_host whose callbacks
 * record what devices ask for (stop, reset, power-off) and whose clocks
 * the test sets, an interrupt sink that records every line, and port
 * helpers that fail the test when nobody claims the port.
 */
#ifndef TESTS_HOST_FAKE_VM_H
#define TESTS_HOST_FAKE_VM_H

#include "vmx/dev/vdev.h"

struct fake_vm {
	struct vdev_bus bus;
	s64 wall;			/* wallclock_sec() */
	u64 ns;				/* time_ns() */
	unsigned int stops, resets, poweroffs, putcs;
	unsigned int stop_code;
	const char *reset_why;
	bool irq[VDEV_GSI_MAX];		/* level last set by a device */
	unsigned int irq_edges[VDEV_GSI_MAX];	/* low-to-high transitions */
};

/*
 * Build @vm's bus with every registered device type (vdev_bus_create_all()
 * must succeed).  @with_callbacks false leaves every host callback NULL,
 * as an embedder that offers none.
 */
void fake_vm_init(struct fake_vm *vm, u64 mem_size, bool with_callbacks);
void fake_vm_destroy(struct fake_vm *vm);

u32 fake_in(struct fake_vm *vm, u16 port, unsigned int size);
void fake_out(struct fake_vm *vm, u16 port, unsigned int size, u32 val);

/* True when a device claims a @size access at @port. */
bool fake_claimed(struct fake_vm *vm, u16 port, unsigned int size);

#endif /* TESTS_HOST_FAKE_VM_H */
