// SPDX-License-Identifier: MIT
/*
 * QEMU's isa-debug-exit device, as test kernels written for QEMU use it
 * (-device isa-debug-exit,iobase=0xf4,iosize=4): a write of N at 0xf4
 * stops the VM with exit code (N << 1) | 1, so a guest can never report
 * 0 through it and "exit 1" stays distinct from a clean stop.  N is the
 * value written, as wide as the access (1, 2 or 4 bytes); the code is kept
 * to 32 bits, as QEMU's exit() (an int) keeps it, before the host's
 * process exit status keeps only 8.  hv passes all 32 to request_stop().
 * Reads return all ones.  The device has no state.
 */
#include "vmx/dev/platform.h"
#include "vmx/dev/vdev.h"

static void debug_exit_write(void *dev, __unused u16 offset, unsigned int size, u32 val)
{
	const struct vdev_host *h = &((struct vdev_bus *)dev)->host;
	u32 n = size == 4 ? val : val & ((1u << (8 * size)) - 1);

	if (h->request_stop)
		h->request_stop(h->owner, n << 1 | 1);
}

static const struct vdev_pio_ops debug_exit_ops = {
	.read = vdev_pio_read_ones,
	.write = debug_exit_write,
};

static int debug_exit_create(struct vdev_bus *bus)
{
	return vdev_pio_register(bus, PLAT_DEBUG_EXIT_PORT, PLAT_DEBUG_EXIT_LEN, &debug_exit_ops,
				 bus);
}
VDEV_TYPE(debug_exit, debug_exit_create);
