// SPDX-License-Identifier: MIT
/*
 * The i8042 keyboard controller at ports 0x60 (data) and 0x64 (status on
 * read, command on write), with nothing plugged into either of its ports.
 *
 * What guests use it for is the reset line: command 0xfe (any pulse of
 * output-port bit 0) or an output-port write with bit 0 clear asks the VM
 * for a reset.  The rest is the controller as a probing driver sees it:
 * the status register (the input buffer is never full, because every byte
 * is taken at once; the system flag follows the command byte), the command
 * byte and the rest of the controller's 32 bytes of RAM, the self and
 * interface tests (all pass), port enables, the output port, and the
 * loopback commands 0xd2/0xd3 that drivers use to test the two channels.
 * A byte sent to the keyboard or to the mouse (0xd4) finds no device: the
 * controller answers 0xfe with the time-out bit, as hardware with an empty
 * socket does.  The output buffer raises GSI 1 (keyboard channel) or GSI
 * 12 (mouse channel) while it is full, if the command byte enables it.
 */
#include "lib/spinlock.h"
#include "mm/heap.h"
#include "vmx/dev/platform.h"
#include "vmx/dev/vdev.h"

/* Status register. */
#define I8042_STR_OBF		0x01	/* output buffer full */
#define I8042_STR_IBF		0x02	/* input buffer full: never */
#define I8042_STR_SYS		0x04	/* system flag, from the command byte */
#define I8042_STR_CMD		0x08	/* the last byte written went to 0x64 */
#define I8042_STR_KEYLOCK	0x10	/* 1: the keyboard is not inhibited */
#define I8042_STR_AUXDATA	0x20	/* the output buffer holds a mouse-channel byte */
#define I8042_STR_TIMEOUT	0x40	/* the device did not answer */

/* Command byte (controller RAM byte 0). */
#define I8042_CTR_KBDINT	0x01
#define I8042_CTR_AUXINT	0x02
#define I8042_CTR_SYS		0x04
#define I8042_CTR_KBDDIS	0x10
#define I8042_CTR_AUXDIS	0x20
#define I8042_CTR_XLATE		0x40
/* As firmware that found no mouse leaves it: keyboard IRQ, translation, mouse off. */
#define I8042_CTR_DEFAULT	(I8042_CTR_KBDINT | I8042_CTR_SYS | I8042_CTR_AUXDIS | I8042_CTR_XLATE)

/* Output port. */
#define I8042_OUT_RESET		0x01	/* 0: hold the CPU in reset */
#define I8042_OUT_A20		0x02
#define I8042_OUT_DEFAULT	(I8042_OUT_RESET | I8042_OUT_A20)

/* Commands written to 0x64. */
#define I8042_CMD_READ_RAM	0x20	/* 0x20-0x3f: read RAM byte (0x20: command byte) */
#define I8042_CMD_WRITE_RAM	0x60	/* 0x60-0x7f: write RAM byte, data follows */
#define I8042_CMD_AUX_DISABLE	0xa7
#define I8042_CMD_AUX_ENABLE	0xa8
#define I8042_CMD_AUX_TEST	0xa9
#define I8042_CMD_SELF_TEST	0xaa
#define I8042_CMD_KBD_TEST	0xab
#define I8042_CMD_KBD_DISABLE	0xad
#define I8042_CMD_KBD_ENABLE	0xae
#define I8042_CMD_READ_OUT	0xd0
#define I8042_CMD_WRITE_OUT	0xd1	/* data follows */
#define I8042_CMD_KBD_LOOP	0xd2	/* data follows: echoed as keyboard input */
#define I8042_CMD_AUX_LOOP	0xd3	/* data follows: echoed as mouse input */
#define I8042_CMD_AUX_SEND	0xd4	/* data follows: sent to the mouse */
#define I8042_CMD_PULSE		0xf0	/* 0xf0-0xff: pulse the output-port bits that are 0 */

#define I8042_SELF_TEST_OK	0x55
#define I8042_PORT_TEST_OK	0x00
#define I8042_NO_DEVICE		0xfe	/* what a send to an empty port gets back */

/**
 * struct i8042 - the keyboard controller of one VM.
 * @lock:     serialises every access; the interrupt lines are set under it,
 *            so the order is this lock, then the interrupt sink's
 * @bus:      the VM's bus (reset requests, interrupt lines)
 * @ram:      the controller's RAM; byte 0 is the command byte
 * @out:      the output buffer (read at 0x60)
 * @status:   OBF, AUXDATA, TIMEOUT and CMD; the other bits are computed
 * @outport:  the output port as last written
 * @pending:  the command waiting for its data byte at 0x60, or 0
 * @kbd_irq:  the level last given to GSI 1
 * @aux_irq:  the level last given to GSI 12
 */
struct i8042 {
	spinlock_t lock;
	struct vdev_bus *bus;
	u8 ram[32];
	u8 out;
	u8 status;
	u8 outport;
	u8 pending;
	bool kbd_irq, aux_irq;
};

/* The output buffer drives IRQ 1 or IRQ 12 while it is full (level). */
static void i8042_update_irqs(struct i8042 *k)
{
	bool full = k->status & I8042_STR_OBF, aux = k->status & I8042_STR_AUXDATA;
	bool kbd_irq = full && !aux && (k->ram[0] & I8042_CTR_KBDINT);
	bool aux_irq = full && aux && (k->ram[0] & I8042_CTR_AUXINT);

	if (kbd_irq != k->kbd_irq) {
		k->kbd_irq = kbd_irq;
		vdev_irq_set(k->bus, PLAT_I8042_KBD_GSI, kbd_irq);
	}
	if (aux_irq != k->aux_irq) {
		k->aux_irq = aux_irq;
		vdev_irq_set(k->bus, PLAT_I8042_AUX_GSI, aux_irq);
	}
}

/* Put @v in the output buffer; a byte not yet read is overwritten. */
static void i8042_output(struct i8042 *k, u8 v, bool aux, bool timeout)
{
	k->out = v;
	k->status &= ~(I8042_STR_AUXDATA | I8042_STR_TIMEOUT);
	k->status |= I8042_STR_OBF | (aux ? I8042_STR_AUXDATA : 0) |
		     (timeout ? I8042_STR_TIMEOUT : 0);
	i8042_update_irqs(k);
}

static u8 i8042_status(const struct i8042 *k)
{
	return k->status | I8042_STR_KEYLOCK | (k->ram[0] & I8042_CTR_SYS ? I8042_STR_SYS : 0);
}

static u8 i8042_read_data(struct i8042 *k)
{
	/* An empty buffer reads as its last byte again. */
	k->status &= ~(I8042_STR_OBF | I8042_STR_AUXDATA);
	i8042_update_irqs(k);
	return k->out;
}

/* A command byte at 0x64.  Return: the reason for a reset it asks for, or NULL. */
static const char *i8042_command(struct i8042 *k, u8 cmd)
{
	k->status |= I8042_STR_CMD;
	k->status &= ~I8042_STR_TIMEOUT;
	k->pending = 0;

	if (cmd >= I8042_CMD_READ_RAM && cmd < I8042_CMD_READ_RAM + 0x20) {
		i8042_output(k, k->ram[cmd & 0x1f], false, false);
		return NULL;
	}
	if (cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + 0x20) {
		k->pending = cmd;
		return NULL;
	}
	if (cmd >= I8042_CMD_PULSE)
		return (cmd & I8042_OUT_RESET) ? NULL : "i8042 reset pulse";

	switch (cmd) {
	case I8042_CMD_AUX_DISABLE:
		k->ram[0] |= I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_AUX_ENABLE:
		k->ram[0] &= ~I8042_CTR_AUXDIS;
		break;
	case I8042_CMD_KBD_DISABLE:
		k->ram[0] |= I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_KBD_ENABLE:
		k->ram[0] &= ~I8042_CTR_KBDDIS;
		break;
	case I8042_CMD_SELF_TEST:
		i8042_output(k, I8042_SELF_TEST_OK, false, false);
		break;
	case I8042_CMD_AUX_TEST:
	case I8042_CMD_KBD_TEST:
		/* The lines of an empty socket are not stuck: the test passes. */
		i8042_output(k, I8042_PORT_TEST_OK, false, false);
		break;
	case I8042_CMD_READ_OUT:
		i8042_output(k, k->outport, false, false);
		break;
	case I8042_CMD_WRITE_OUT:
	case I8042_CMD_KBD_LOOP:
	case I8042_CMD_AUX_LOOP:
	case I8042_CMD_AUX_SEND:
		k->pending = cmd;
		break;
	default:
		break;		/* unknown commands get no answer, as on hardware */
	}
	i8042_update_irqs(k);	/* the command byte may have changed */
	return NULL;
}

/* A data byte at 0x60.  Return: the reason for a reset it asks for, or NULL. */
static const char *i8042_data(struct i8042 *k, u8 v)
{
	u8 cmd = k->pending;

	k->status &= ~(I8042_STR_CMD | I8042_STR_TIMEOUT);
	k->pending = 0;

	if (cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + 0x20) {
		k->ram[cmd & 0x1f] = v;
		i8042_update_irqs(k);
		return NULL;
	}
	switch (cmd) {
	case I8042_CMD_WRITE_OUT:
		/* A20 is stored, never applied: address line 20 is always enabled. */
		k->outport = v;
		return (v & I8042_OUT_RESET) ? NULL : "i8042 output port reset";
	case I8042_CMD_KBD_LOOP:
		i8042_output(k, v, false, false);
		break;
	case I8042_CMD_AUX_LOOP:
		i8042_output(k, v, true, false);
		break;
	case I8042_CMD_AUX_SEND:
		i8042_output(k, I8042_NO_DEVICE, true, true);
		break;
	default:
		/* For the keyboard, which is not there. */
		i8042_output(k, I8042_NO_DEVICE, false, true);
		break;
	}
	return NULL;
}

/* Port 0x60: the output buffer on read, data for the controller or a device on write. */
static u32 i8042_data_read(void *dev, __unused u16 offset, __unused unsigned int size)
{
	struct i8042 *k = dev;
	u8 v;

	spin_lock(&k->lock);
	v = i8042_read_data(k);
	spin_unlock(&k->lock);
	return v;
}

/* Port 0x64: the status register. */
static u32 i8042_status_read(void *dev, __unused u16 offset, __unused unsigned int size)
{
	struct i8042 *k = dev;
	u8 v;

	spin_lock(&k->lock);
	v = i8042_status(k);
	spin_unlock(&k->lock);
	return v;
}

static void i8042_write(struct i8042 *k, bool command, u8 v)
{
	const struct vdev_host *h = &k->bus->host;
	const char *reset;

	spin_lock(&k->lock);
	reset = command ? i8042_command(k, v) : i8042_data(k, v);
	spin_unlock(&k->lock);
	/* Outside the lock: the VM may stop every vCPU before it returns. */
	if (reset && h->request_reset)
		h->request_reset(h->owner, reset);
}

static void i8042_data_write(void *dev, __unused u16 offset, __unused unsigned int size,
			     u32 val)
{
	i8042_write(dev, false, (u8)val);
}

static void i8042_command_write(void *dev, __unused u16 offset, __unused unsigned int size,
				u32 val)
{
	i8042_write(dev, true, (u8)val);
}

static const struct vdev_pio_ops i8042_data_ops = {
	.read = i8042_data_read,
	.write = i8042_data_write,
};

static const struct vdev_pio_ops i8042_command_ops = {
	.read = i8042_status_read,
	.write = i8042_command_write,
};

static int i8042_create(struct vdev_bus *bus)
{
	int err;
	struct i8042 *k = vdev_alloc(bus, "i8042", sizeof(*k), &err);

	if (!k)
		return err;
	spin_lock_init(&k->lock);
	k->bus = bus;
	k->ram[0] = I8042_CTR_DEFAULT;
	k->outport = I8042_OUT_DEFAULT;
	/* Two one-byte ranges: 0x61-0x63 belong to other devices. */
	err = vdev_pio_register(bus, PLAT_I8042_DATA, 1, &i8042_data_ops, k);
	if (err)
		return err;
	return vdev_pio_register(bus, PLAT_I8042_STATUS, 1, &i8042_command_ops, k);
}
VDEV_TYPE(i8042, i8042_create);
