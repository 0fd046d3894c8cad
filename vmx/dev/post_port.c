// SPDX-License-Identifier: MIT
/*
 * The POST diagnostic port (0x80).  Firmware writes progress codes there
 * and Linux writes to it as an I/O delay (io_delay=0x80, its default);
 * nothing listens, so writes are dropped, and reads return 0xff, as where
 * no POST card latches the byte.  Claimed so that these writes are not
 * counted among the unclaimed ports.  The device has no state.
 */
#include "vmx/dev/platform.h"
#include "vmx/dev/vdev.h"

static const struct vdev_pio_ops post_port_ops = {
	.read = vdev_pio_read_ones,
	.write = vdev_pio_write_ignore,
};

static int post_port_create(struct vdev_bus *bus)
{
	return vdev_pio_register(bus, PLAT_POST_PORT, 1, &post_port_ops, NULL);
}
VDEV_TYPE(post_port, post_port_create);
